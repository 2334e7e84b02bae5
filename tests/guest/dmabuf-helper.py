#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""dmabuf-helper: dma-bufs of other exporters than dmapeek, made without
dmapeek, the ground truth of the tests that look at them from outside.

  dmabuf-helper.py hold [--comm NAME] [--name NAME] [--mmap | --mmap-only]
                        [--fork N] [--hold SECONDS] SOURCE:SIZE[:COUNT]...
  dmabuf-helper.py share SOURCE SIZE [vgem]
  dmabuf-helper.py burst [--comm NAME] SOURCE SIZE [COUNT] [mmap]
  dmabuf-helper.py prime-import

SOURCE is udmabuf (a memfd sealed against shrinking, made a dma-buf by
/dev/udmabuf, UDMABUF_CREATE) or heap (the system dma-heap,
/dev/dma_heap/system, DMA_HEAP_IOCTL_ALLOC).  --comm sets the process's
name (PR_SET_NAME), which /proc/PID/comm, the dma_buf tracepoints and
dmapeek show.

hold (t-leak.sh, t-top.sh): makes the buffers and holds them.  Each gets
the name --name if given (DMA_BUF_SET_NAME).  --mmap maps each buffer
(MAP_SHARED) and keeps its fd; --mmap-only maps it and closes the fd, so
that only the mapping holds it.  When every buffer is made, prints "ready
PID INODE..." (the dma-bufs' inodes, from fstat) and holds them until
SIGTERM, SIGINT or --hold seconds (default 900).  --fork N: N child
processes instead, child K (from 0) making each buffer K + 1 times SIZE,
named COMM-K; each prints its own "ready" line, then the parent prints
"ready-all PID" and holds them all (SIGTERM ends them too).

share (t-dmabuf.sh): makes one SIZE-byte buffer, with "vgem" PRIME-imports
it into vgem (a static importer that maps at once, as most DRM drivers
do), prints "ready PID FD", the descriptor another process takes with
pidfd_getfd(), then holds it all until stdin closes.  Exits 77 with a
reason when the guest lacks the SOURCE or vgem.

burst (t-events.sh, monitor --all): makes COUNT (default 1) buffers of
SIZE bytes, maps each with mmap() when asked, and closes each at once.
Prints "pid=PID made=N inodes=FIRST..LAST" when done, so the test knows
who did it.

prime-import (t-held.sh): a minimal foreign importer.  PRIME-imports the
dma-buf whose descriptor is in $DMAPEEK_BUFFER_FD (as "dmapeek buffer
exec" gives it) into vgem, prints "imported HANDLE", then holds it until
stdin closes.
"""
import ctypes
import fcntl
import os
import signal
import struct
import sys
import time

# _IOW('u', 0x42, struct udmabuf_create { u32 memfd; u32 flags; u64 offset; u64 size; })
UDMABUF_CREATE = 0x40187542
UDMABUF_FLAGS_CLOEXEC = 0x01
# _IOWR('H', 0x0, struct dma_heap_allocation_data { u64 len; u32 fd; u32 fd_flags; u64 heap_flags; })
DMA_HEAP_IOCTL_ALLOC = 0xC0184800
# _IOW('b', 1, const char *)
DMA_BUF_SET_NAME = 0x40086201
# _IOWR('d', 0x2e, struct drm_prime_handle { u32 handle; u32 flags; s32 fd; })
DRM_IOCTL_PRIME_FD_TO_HANDLE = 0xC00C642E
F_ADD_SEALS = 1033
F_SEAL_SHRINK = 0x0002
PR_SET_NAME = 15
PROT_RW = 0x1 | 0x2
MAP_SHARED = 0x01

# Each SOURCE: its device, and what the guest lacks when it is missing.
SOURCES = {
    'udmabuf': ('/dev/udmabuf', 'CONFIG_UDMABUF, modprobe udmabuf'),
    'heap': ('/dev/dma_heap/system', 'CONFIG_DMABUF_HEAPS_SYSTEM'),
}

libc = ctypes.CDLL(None, use_errno=True)
libc.mmap.restype = ctypes.c_void_p
libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int,
                      ctypes.c_int, ctypes.c_long]
libc.munmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t]
MAP_FAILED = ctypes.c_void_p(-1).value


def usage():
    sys.exit(__doc__)


def skip(why):
    print(f"skip: {why}", flush=True)
    sys.exit(77)


def set_comm(comm):
    libc.prctl(PR_SET_NAME, comm.encode()[:15], 0, 0, 0)


class Exporter:
    """SOURCE's device, open, making dma-bufs: new() gives a buffer's fd."""

    def __init__(self, source, skip_missing=False):
        path, why = SOURCES[source]
        if skip_missing and not os.path.exists(path):
            skip(f'no {path} ({why})')
        self.udmabuf = source == 'udmabuf'
        self.dev = os.open(path, os.O_RDWR | os.O_CLOEXEC)

    def new(self, size):
        if not self.udmabuf:
            arg = bytearray(struct.pack('QIIQ', size, 0, os.O_RDWR | os.O_CLOEXEC, 0))
            fcntl.ioctl(self.dev, DMA_HEAP_IOCTL_ALLOC, arg)
            return struct.unpack('QIIQ', arg)[1]
        memfd = os.memfd_create('dmabuf-helper', os.MFD_ALLOW_SEALING | os.MFD_CLOEXEC)
        os.ftruncate(memfd, size)
        fcntl.fcntl(memfd, F_ADD_SEALS, F_SEAL_SHRINK)
        # a mutable buffer: ioctl() then returns the call's value, the new fd
        arg = bytearray(struct.pack('IIQQ', memfd, UDMABUF_FLAGS_CLOEXEC, 0, size))
        fd = fcntl.ioctl(self.dev, UDMABUF_CREATE, arg)
        os.close(memfd)          # the dma-buf keeps the memfd's pages
        return fd

    def close(self):
        os.close(self.dev)


def map_buffer(fd, size):
    """Map the dma-buf @fd (MAP_SHARED) and touch it: the address."""
    addr = libc.mmap(None, size, PROT_RW, MAP_SHARED, fd, 0)
    if addr in (None, MAP_FAILED):
        sys.exit('mmap: %s' % os.strerror(ctypes.get_errno()))
    ctypes.memset(addr, 0xa5, 1)
    return addr


def vgem_import(fd, missing):
    """PRIME-import the dma-buf @fd into vgem: (card fd, handle); missing(why) without vgem."""
    for name in sorted(os.listdir('/sys/class/drm')):
        if name.startswith('card') and '-' not in name:
            if 'vgem' in os.path.realpath(f'/sys/class/drm/{name}/device'):
                card = os.open(f'/dev/dri/{name}', os.O_RDWR | os.O_CLOEXEC)
                arg = bytearray(struct.pack('IIi', 0, 0, fd))
                fcntl.ioctl(card, DRM_IOCTL_PRIME_FD_TO_HANDLE, arg)
                return card, struct.unpack('IIi', arg)[0]
    missing('no vgem card (modprobe vgem)')
    return -1, 0


def hold_for(seconds):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        time.sleep(min(1.0, end - time.monotonic()))


# ------------------------------------------------------------------ hold

def make(spec, scale, name, mmap_mode):
    """The buffers of one SOURCE:SIZE[:COUNT]: their inodes."""
    parts = spec.split(':')
    source, size = parts[0], int(parts[1]) * scale
    count = int(parts[2]) if len(parts) > 2 else 1
    exporter = Exporter(source)
    inodes = []
    for _ in range(count):
        fd = exporter.new(size)
        if name:
            fcntl.ioctl(fd, DMA_BUF_SET_NAME, name.encode() + b'\0')
        inodes.append(os.fstat(fd).st_ino)
        if mmap_mode:
            map_buffer(fd, size)
            if mmap_mode == 'only':
                os.close(fd)     # the mapping alone holds the buffer now
    exporter.close()
    return inodes


def cmd_hold(args):
    comm = name = mmap_mode = None
    forks, seconds = 0, 900.0
    while args and args[0].startswith('--'):
        opt = args.pop(0)
        if opt == '--comm':
            comm = args.pop(0)
        elif opt == '--name':
            name = args.pop(0)
        elif opt == '--mmap':
            mmap_mode = 'keep'
        elif opt == '--mmap-only':
            mmap_mode = 'only'
        elif opt == '--fork':
            forks = int(args.pop(0))
        elif opt == '--hold':
            seconds = float(args.pop(0))
        else:
            usage()
    if not args:
        usage()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    if not forks:
        if comm:
            set_comm(comm)
        inodes = [i for spec in args for i in make(spec, 1, name, mmap_mode)]
        print('ready', os.getpid(), *inodes, flush=True)
        hold_for(seconds)
        return
    children = []
    for k in range(forks):
        pid = os.fork()
        if pid == 0:
            signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
            set_comm('%s-%d' % (comm or 'hold', k))
            inodes = [i for spec in args for i in make(spec, k + 1, name, mmap_mode)]
            print('ready', os.getpid(), *inodes, flush=True)
            hold_for(seconds)
            os._exit(0)
        children.append(pid)

    def end(*_):
        for c in children:
            try:
                os.kill(c, signal.SIGTERM)
            except ProcessLookupError:
                pass
        for c in children:
            os.waitpid(c, 0)
        sys.exit(0)
    signal.signal(signal.SIGTERM, end)
    signal.signal(signal.SIGINT, end)
    print('ready-all', os.getpid(), flush=True)
    hold_for(seconds)
    end()


# ----------------------------------------------------------------- share

def cmd_share(args):
    if len(args) < 2:
        usage()
    source = 'udmabuf' if args[0] == 'udmabuf' else 'heap'
    exporter = Exporter(source, skip_missing=True)
    fd = exporter.new(int(args[1]))
    exporter.close()
    card = vgem_import(fd, skip)[0] if 'vgem' in args[2:] else -1
    print(f'ready {os.getpid()} {fd}', flush=True)
    sys.stdin.read()
    if card >= 0:
        os.close(card)
    os.close(fd)


# ----------------------------------------------------------------- burst

def cmd_burst(args):
    if args[:1] == ['--comm']:
        set_comm(args[1])
        args = args[2:]
    if len(args) < 2:
        usage()
    size = int(args[1])
    count = int(args[2]) if len(args) > 2 else 1
    do_mmap = 'mmap' in args[3:]
    exporter = Exporter(args[0])
    inodes = []
    for _ in range(count):
        fd = exporter.new(size)
        inodes.append(os.fstat(fd).st_ino)
        if do_mmap:
            libc.munmap(map_buffer(fd, size), size)
        os.close(fd)
    exporter.close()
    print('pid=%d made=%d inodes=%d..%d' % (os.getpid(), count, inodes[0], inodes[-1]),
          flush=True)


# ---------------------------------------------------------- prime-import

def cmd_prime_import(_args):
    card, handle = vgem_import(int(os.environ['DMAPEEK_BUFFER_FD']), sys.exit)
    print(f'imported {handle}', flush=True)
    sys.stdin.read()
    os.close(card)


COMMANDS = {
    'hold': cmd_hold,
    'share': cmd_share,
    'burst': cmd_burst,
    'prime-import': cmd_prime_import,
}


def main():
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
        usage()
    COMMANDS[sys.argv[1]](sys.argv[2:])


main()
