#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""Foreign dma-bufs for the monitor --all tests, made without dmapeek:

    foreign-buf.py udmabuf|heap SIZE [COUNT] [mmap]

makes COUNT (default 1) dma-bufs of SIZE bytes, from udmabuf (a sealed
memfd, UDMABUF_CREATE) or from the system dma-heap (DMA_HEAP_IOCTL_ALLOC),
maps each with mmap() when asked, and closes each at once.  It prints
"pid=PID made=N inodes=FIRST..LAST" when done, so the test knows who did
it."""
import fcntl
import mmap
import os
import struct
import sys

# _IOW('u', 0x42, struct udmabuf_create { u32 memfd, flags; u64 offset, size; })
UDMABUF_CREATE = 0x40187542
UDMABUF_FLAGS_CLOEXEC = 0x01
# _IOWR('H', 0x0, struct dma_heap_allocation_data { u64 len; u32 fd, fd_flags; u64 heap_flags; })
DMA_HEAP_IOCTL_ALLOC = 0xC0184800
F_ADD_SEALS, F_SEAL_SHRINK = 1033, 0x0002


def udmabuf(dev, size):
    mfd = os.memfd_create("foreign-buf", os.MFD_ALLOW_SEALING)
    os.ftruncate(mfd, size)
    fcntl.fcntl(mfd, F_ADD_SEALS, F_SEAL_SHRINK)
    arg = bytearray(struct.pack("IIQQ", mfd, UDMABUF_FLAGS_CLOEXEC, 0, size))
    fd = fcntl.ioctl(dev, UDMABUF_CREATE, arg)
    os.close(mfd)
    return fd


def heap(dev, size):
    arg = bytearray(struct.pack("QIIQ", size, 0, os.O_RDWR | os.O_CLOEXEC, 0))
    fcntl.ioctl(dev, DMA_HEAP_IOCTL_ALLOC, arg)
    return struct.unpack("QIIQ", arg)[1]


def main():
    kind, size = sys.argv[1], int(sys.argv[2])
    count = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    do_mmap = "mmap" in sys.argv[4:]
    path, make = {"udmabuf": ("/dev/udmabuf", udmabuf),
                  "heap": ("/dev/dma_heap/system", heap)}[kind]
    dev = os.open(path, os.O_RDWR | os.O_CLOEXEC)
    inodes = []
    for _ in range(count):
        fd = make(dev, size)
        inodes.append(os.fstat(fd).st_ino)
        if do_mmap:
            m = mmap.mmap(fd, size)
            m[0:4] = b"peek"
            m.close()
        os.close(fd)
    os.close(dev)
    print("pid=%d made=%d inodes=%d..%d" % (os.getpid(), count, inodes[0], inodes[-1]),
          flush=True)


main()
