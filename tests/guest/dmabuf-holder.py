#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""A process that holds a dma-buf of another exporter than dmapeek, for the
tests that look at it from outside (t-dmabuf.sh):

  dmabuf-holder.py udmabuf|heap SIZE [vgem]

makes a SIZE-byte dma-buf with udmabuf (a sealed memfd) or the system
dma-heap, with "vgem" PRIME-imports it into vgem (a static importer that
maps at once, as most DRM drivers do), prints "ready PID FD", the
descriptor another process takes with pidfd_getfd(), then holds it all
until stdin closes.  Exits 77 with a reason when the guest lacks udmabuf,
the heap or vgem."""
import fcntl
import os
import struct
import sys

# _IOW('u', 0x42, struct udmabuf_create { u32 memfd; u32 flags; u64 offset; u64 size; })
UDMABUF_CREATE = 0x40187542
UDMABUF_FLAGS_CLOEXEC = 0x01
# _IOWR('H', 0x0, struct dma_heap_allocation_data { u64 len; u32 fd; u32 fd_flags; u64 heap_flags; })
DMA_HEAP_IOCTL_ALLOC = 0xC0184800
# _IOWR('d', 0x2e, struct drm_prime_handle { u32 handle; u32 flags; s32 fd; })
DRM_IOCTL_PRIME_FD_TO_HANDLE = 0xC00C642E
F_ADD_SEALS = 1033
F_SEAL_SHRINK = 0x0002


def skip(why):
    print(f"skip: {why}", flush=True)
    sys.exit(77)


def udmabuf(size):
    if not os.path.exists('/dev/udmabuf'):
        skip('no /dev/udmabuf (CONFIG_UDMABUF, modprobe udmabuf)')
    memfd = os.memfd_create('dmabuf-holder', os.MFD_ALLOW_SEALING | os.MFD_CLOEXEC)
    os.ftruncate(memfd, size)
    fcntl.fcntl(memfd, F_ADD_SEALS, F_SEAL_SHRINK)
    dev = os.open('/dev/udmabuf', os.O_RDWR | os.O_CLOEXEC)
    # a mutable buffer: ioctl() then returns the call's value, the new fd
    arg = bytearray(struct.pack('IIQQ', memfd, UDMABUF_FLAGS_CLOEXEC, 0, size))
    fd = fcntl.ioctl(dev, UDMABUF_CREATE, arg)
    os.close(dev)
    os.close(memfd)
    return fd


def heap(size):
    path = '/dev/dma_heap/system'
    if not os.path.exists(path):
        skip(f'no {path} (CONFIG_DMABUF_HEAPS_SYSTEM)')
    dev = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    arg = bytearray(struct.pack('QIIQ', size, 0, os.O_RDWR | os.O_CLOEXEC, 0))
    fcntl.ioctl(dev, DMA_HEAP_IOCTL_ALLOC, arg)
    os.close(dev)
    return struct.unpack('QIIQ', arg)[1]


def vgem_import(fd):
    for name in sorted(os.listdir('/sys/class/drm')):
        if name.startswith('card') and '-' not in name:
            if 'vgem' in os.path.realpath(f'/sys/class/drm/{name}/device'):
                card = os.open(f'/dev/dri/{name}', os.O_RDWR | os.O_CLOEXEC)
                arg = bytearray(struct.pack('IIi', 0, 0, fd))
                fcntl.ioctl(card, DRM_IOCTL_PRIME_FD_TO_HANDLE, arg)
                return card
    skip('no vgem card (modprobe vgem)')
    return -1


def main():
    kind, size = sys.argv[1], int(sys.argv[2])
    fd = udmabuf(size) if kind == 'udmabuf' else heap(size)
    card = vgem_import(fd) if 'vgem' in sys.argv[3:] else -1
    print(f'ready {os.getpid()} {fd}', flush=True)
    sys.stdin.read()
    if card >= 0:
        os.close(card)
    os.close(fd)


main()
