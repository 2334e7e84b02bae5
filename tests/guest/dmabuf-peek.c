// SPDX-License-Identifier: GPL-2.0-only
/*
 * dmabuf-peek: drive DMAPEEK_IOC_DMABUF_ATTACHMENTS on /dev/dmapeek
 * directly, on dma-buf descriptor FD (as "dmapeek buffer exec" gives it,
 * or $DMAPEEK_BUFFER_FD), with good and bad arguments, and print one line
 * per case with the errno seen:
 *
 *   ok ERR nr=N total=T ino=same|other size=same|other exp=NAME buffer=ID dynamic=0|1
 *   entry I device=DEV driver=DRV flags=0xF id=ID      (one per attachment)
 *   count ERR nr=N total=T        nr 0, no array: the count only
 *   small ERR nr=N total=T        room for one entry
 *   bigentry ERR same=yes|no tail=zero|dirty
 *                                 entries larger than ABI 2.2's: the same
 *                                 entries, each one's tail zeroed
 *   badfd ERR | closedfd ERR | notdmabuf ERR | devfd ERR | flags ERR |
 *   reserved ERR | short ERR | longzero ERR nr=N | longdirty ERR |
 *   overpage ERR | smallentry ERR | hugeentry ERR | badptr ERR
 *
 * The inode and size are checked against fstat() of FD, the kernel's own
 * word for them.
 *
 *   dmabuf-peek [FD]
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

#include <linux/dmapeek.h>

#define ROOM	16

static const char *errname(int e)
{
	switch (e) {
	case 0: return "0";
	case EINVAL: return "EINVAL";
	case E2BIG: return "E2BIG";
	case EBADF: return "EBADF";
	case EFAULT: return "EFAULT";
	case ENOTTY: return "ENOTTY";
	case EPERM: return "EPERM";
	default: return strerror(e);
	}
}

static int dev;

/* One call: a request for dma-buf @fd with room for @nr entries at @ents. */
static int peek(struct dmapeek_dmabuf_attachments *q, int fd, void *ents,
		unsigned int nr)
{
	if (!q->size)
		q->size = sizeof(*q);
	q->fd = fd;
	q->nr = nr;
	q->entries = (unsigned long)ents;
	if (!q->entry_size)
		q->entry_size = sizeof(struct dmapeek_dmabuf_attachment);
	return ioctl(dev, DMAPEEK_IOC_DMABUF_ATTACHMENTS, q) < 0 ? errno : 0;
}

static void simple(const char *name, int fd, unsigned int nr, __u32 flags,
		   __u64 reserved, __u32 entry_size, void *ents)
{
	struct dmapeek_dmabuf_attachments q = { .flags = flags, .__reserved = reserved,
						.entry_size = entry_size };

	printf("%s %s\n", name, errname(peek(&q, fd, ents, nr)));
}

int main(int argc, char **argv)
{
	struct dmapeek_dmabuf_attachment ents[ROOM], big_ents[ROOM][2];
	struct dmapeek_dmabuf_attachments q;
	struct {
		struct dmapeek_dmabuf_attachments q;
		unsigned char tail[16];
	} big;
	const char *env = getenv("DMAPEEK_BUFFER_FD");
	unsigned int i, n;
	int fd, e, null, closed;
	bool same, zero;
	struct stat st;
	void *page;

	fd = argc > 1 ? atoi(argv[1]) : env ? atoi(env) : -1;
	if (fd < 0 || fstat(fd, &st)) {
		printf("usage: dmabuf-peek FD (a dma-buf; or $DMAPEEK_BUFFER_FD)\n");
		return 2;
	}
	dev = open("/dev/" DMAPEEK_DEVICE_NAME, O_RDWR | O_CLOEXEC);
	if (dev < 0) {
		printf("open %s\n", errname(errno));
		return 1;
	}

	memset(&q, 0, sizeof(q));
	memset(ents, 0xa5, sizeof(ents));
	e = peek(&q, fd, ents, ROOM);
	printf("ok %s nr=%u total=%u ino=%s size=%s exp=%.*s buffer=%u dynamic=%u\n",
	       errname(e), q.nr, q.total,
	       q.ino == (__u64)st.st_ino ? "same" : "other",
	       q.length == (__u64)st.st_size ? "same" : "other",
	       (int)sizeof(q.exp_name), q.exp_name, q.buffer_id,
	       !!(q.dmabuf_flags & DMAPEEK_DMABUF_DYNAMIC));
	n = e ? 0 : q.nr;
	for (i = 0; i < n && i < ROOM; i++)
		printf("entry %u device=%.*s driver=%.*s flags=%#x id=%u\n", i,
		       (int)sizeof(ents[i].device), ents[i].device,
		       (int)sizeof(ents[i].driver), ents[i].driver, ents[i].flags,
		       ents[i].attachment_id);

	memset(&q, 0, sizeof(q));
	e = peek(&q, fd, NULL, 0);
	printf("count %s nr=%u total=%u\n", errname(e), q.nr, q.total);

	memset(&q, 0, sizeof(q));
	e = peek(&q, fd, ents, 1);
	printf("small %s nr=%u total=%u\n", errname(e), q.nr, q.total);

	/* entries of a later ABI: each one's tail zeroed, the rest the same */
	memset(&q, 0, sizeof(q));
	memset(big_ents, 0xa5, sizeof(big_ents));
	q.entry_size = sizeof(big_ents[0]);
	e = peek(&q, fd, big_ents, ROOM);
	same = !e && q.nr == n;
	zero = true;
	for (i = 0; same && i < n; i++) {
		const unsigned char *t = (const unsigned char *)&big_ents[i][1];
		size_t k;

		same = !memcmp(&big_ents[i][0], &ents[i], sizeof(ents[i]));
		for (k = 0; k < sizeof(big_ents[i][1]); k++)
			zero = zero && !t[k];
	}
	printf("bigentry %s same=%s tail=%s\n", errname(e), same ? "yes" : "no",
	       zero ? "zero" : "dirty");

	simple("badfd", -1, ROOM, 0, 0, 0, ents);
	null = open("/dev/null", O_RDONLY | O_CLOEXEC);
	closed = dup(null);
	close(closed);
	simple("closedfd", closed, ROOM, 0, 0, 0, ents);
	simple("notdmabuf", null, ROOM, 0, 0, 0, ents);
	simple("devfd", dev, ROOM, 0, 0, 0, ents);
	simple("flags", fd, ROOM, 1, 0, 0, ents);
	simple("reserved", fd, ROOM, 0, 1, 0, ents);
	simple("smallentry", fd, ROOM, 0, 0, sizeof(ents[0]) - 1, ents);
	simple("hugeentry", fd, ROOM, 0, 0, (__u32)sysconf(_SC_PAGESIZE) + 1, ents);
	simple("badptr", fd, ROOM, 0, 0, 0, (void *)8);

	memset(&q, 0, sizeof(q));
	q.size = offsetof(struct dmapeek_dmabuf_attachments, __reserved);
	printf("short %s\n", errname(peek(&q, fd, ents, ROOM)));

	memset(&big, 0, sizeof(big));
	big.q.size = sizeof(big);
	e = peek(&big.q, fd, ents, ROOM);
	printf("longzero %s nr=%u\n", errname(e), big.q.nr);
	memset(&big, 0, sizeof(big));
	big.q.size = sizeof(big);
	big.tail[5] = 1;
	printf("longdirty %s\n", errname(peek(&big.q, fd, ents, ROOM)));

	page = calloc(1, (size_t)sysconf(_SC_PAGESIZE) * 2);
	if (page) {
		((struct dmapeek_dmabuf_attachments *)page)->size =
			(__u32)sysconf(_SC_PAGESIZE) + 1;
		printf("overpage %s\n", errname(peek(page, fd, ents, ROOM)));
		free(page);
	}
	close(null);
	close(dev);
	return 0;
}
