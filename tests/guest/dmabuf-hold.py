#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""dmabuf-hold: make dma-bufs and hold them, the ground truth of the leak
hunting tests (t-leak.sh, t-top.sh).

  dmabuf-hold.py [--comm NAME] [--name NAME] [--mmap | --mmap-only]
                 [--fork N] [--hold SECONDS] SOURCE:SIZE[:COUNT]...

SOURCE is udmabuf (a memfd sealed against shrinking, made a dma-buf by
/dev/udmabuf) or heap (the system dma-heap, /dev/dma_heap/system).  Each
buffer gets the name --name if given (DMA_BUF_SET_NAME).  --mmap maps each
buffer (MAP_SHARED) and keeps its fd; --mmap-only maps it and closes the
fd, so that only the mapping holds it.  --comm sets the process's name
(PR_SET_NAME), which /proc/PID/comm and dmapeek show.

When every buffer is made, prints "ready PID INODE..." (the dma-bufs'
inodes, from fstat) and holds them until SIGTERM, SIGINT or --hold
seconds (default 900).

--fork N: N child processes instead, child K (from 0) making each buffer
K + 1 times SIZE, named COMM-K; each prints its own "ready" line, then the
parent prints "ready-all PID" and holds them all (SIGTERM ends them too).
"""
import ctypes
import fcntl
import os
import signal
import struct
import sys
import time

UDMABUF_CREATE = 0x40187542        # _IOW('u', 0x42, struct udmabuf_create)
UDMABUF_FLAGS_CLOEXEC = 0x01
DMA_HEAP_IOCTL_ALLOC = 0xC0184800  # _IOWR('H', 0, struct dma_heap_allocation_data)
DMA_BUF_SET_NAME = 0x40086201      # _IOW('b', 1, const char *)
F_ADD_SEALS = 1033
F_SEAL_SHRINK = 0x0002
PR_SET_NAME = 15
PROT_RW = 0x1 | 0x2
MAP_SHARED = 0x01

libc = ctypes.CDLL(None, use_errno=True)
libc.mmap.restype = ctypes.c_void_p
libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int,
                      ctypes.c_int, ctypes.c_long]
MAP_FAILED = ctypes.c_void_p(-1).value


def udmabuf(size):
    memfd = os.memfd_create('dmabuf-hold', os.MFD_ALLOW_SEALING)
    os.ftruncate(memfd, size)
    fcntl.fcntl(memfd, F_ADD_SEALS, F_SEAL_SHRINK)
    dev = os.open('/dev/udmabuf', os.O_RDWR | os.O_CLOEXEC)
    # a mutable buffer: ioctl() then returns the call's value, the new fd
    arg = bytearray(struct.pack('IIQQ', memfd, UDMABUF_FLAGS_CLOEXEC, 0, size))
    fd = fcntl.ioctl(dev, UDMABUF_CREATE, arg)
    os.close(dev)
    os.close(memfd)          # the dma-buf keeps the memfd's pages
    return fd


def heap(size):
    dev = os.open('/dev/dma_heap/system', os.O_RDWR | os.O_CLOEXEC)
    arg = bytearray(struct.pack('QIIQ', size, 0, os.O_RDWR | os.O_CLOEXEC, 0))
    fcntl.ioctl(dev, DMA_HEAP_IOCTL_ALLOC, arg)
    os.close(dev)
    return struct.unpack('QIIQ', arg)[1]


def make(spec, scale, name, mmap_mode):
    """The buffers of one SOURCE:SIZE[:COUNT]: their inodes."""
    parts = spec.split(':')
    source, size = parts[0], int(parts[1]) * scale
    count = int(parts[2]) if len(parts) > 2 else 1
    inodes = []
    for _ in range(count):
        fd = {'udmabuf': udmabuf, 'heap': heap}[source](size)
        if name:
            fcntl.ioctl(fd, DMA_BUF_SET_NAME, name.encode() + b'\0')
        inodes.append(os.fstat(fd).st_ino)
        if mmap_mode:
            addr = libc.mmap(None, size, PROT_RW, MAP_SHARED, fd, 0)
            if addr in (None, MAP_FAILED):
                sys.exit('mmap: %s' % os.strerror(ctypes.get_errno()))
            ctypes.memset(addr, 0xa5, 1)
            if mmap_mode == 'only':
                os.close(fd)     # the mapping alone holds the buffer now
    return inodes


def set_comm(comm):
    libc.prctl(PR_SET_NAME, comm.encode()[:15], 0, 0, 0)


def hold(seconds):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        time.sleep(min(1.0, end - time.monotonic()))


def main():
    args = sys.argv[1:]
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
            sys.exit(__doc__)
    if not args:
        sys.exit(__doc__)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    if not forks:
        if comm:
            set_comm(comm)
        inodes = [i for spec in args for i in make(spec, 1, name, mmap_mode)]
        print('ready', os.getpid(), *inodes, flush=True)
        hold(seconds)
        return
    children = []
    for k in range(forks):
        pid = os.fork()
        if pid == 0:
            signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
            set_comm('%s-%d' % (comm or 'hold', k))
            inodes = [i for spec in args for i in make(spec, k + 1, name, mmap_mode)]
            print('ready', os.getpid(), *inodes, flush=True)
            hold(seconds)
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
    hold(seconds)
    end()


main()
