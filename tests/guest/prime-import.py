#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""A minimal foreign importer: PRIME-import the dma-buf whose descriptor is
in $DMAPEEK_BUFFER_FD (as "dmapeek buffer exec" gives it) into vgem, the
kernel's virtual GEM driver, print "imported HANDLE", then hold it until
stdin closes.  vgem attaches statically and maps at once, as most DRM
drivers do on a PRIME import."""
import fcntl
import os
import struct
import sys

# _IOWR('d', 0x2e, struct drm_prime_handle { u32 handle; u32 flags; s32 fd; })
DRM_IOCTL_PRIME_FD_TO_HANDLE = 0xC00C642E


def vgem_card():
    for name in sorted(os.listdir('/sys/class/drm')):
        if name.startswith('card') and '-' not in name:
            dev = os.path.realpath(f'/sys/class/drm/{name}/device')
            if 'vgem' in dev:
                return f'/dev/dri/{name}'
    sys.exit('no vgem card (modprobe vgem)')


def main():
    fd = int(os.environ['DMAPEEK_BUFFER_FD'])
    card = os.open(vgem_card(), os.O_RDWR | os.O_CLOEXEC)
    arg = bytearray(struct.pack('IIi', 0, 0, fd))
    fcntl.ioctl(card, DRM_IOCTL_PRIME_FD_TO_HANDLE, arg)
    handle = struct.unpack('IIi', arg)[0]
    print(f'imported {handle}', flush=True)
    sys.stdin.read()
    os.close(card)


main()
