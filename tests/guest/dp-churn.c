// SPDX-License-Identifier: GPL-2.0-only
/*
 * dp-churn: the SIGKILL campaign's victim.  A loop of random exporter and
 * importer operations on /dev/dmapeek, from a seed, meant to be killed
 * (SIGKILL) at any point of any of them; t-fault.sh then checks that the
 * module let nothing leak and left nothing half made.
 *
 *   dp-churn [-H] SEED OPS EDU_DEV [PROVIDER...]
 *
 * Each operation picks one of: export (system memory, or a PROVIDER's BAR
 * when given, any model), import by dmapeek's importer on the edu device
 * EDU_DEV, map, unmap, DMA through the edu, move (to another provider),
 * revoke, restore, detach, close, and "pass": the dma-buf fd goes to a
 * second process over a Unix socket (SCM_RIGHTS) and the sender closes its
 * copy; the receiver imports, maps, DMAs and keeps a few such buffers.
 *
 * Map, unmap, move, revoke and restore go over netlink (nl-op.h), move
 * and revoke until their done event: a kill may land in that wait too.
 *
 * With -H, one export and one import of the sender's in four (up to
 * HELD_MAX of them) are held by the module (DMAPEEK_EXPORT_HOLD,
 * DMAPEEK_IMPORT_HOLD): they must survive the kill, and go only when
 * deleted.
 *
 * Output, one line each: "child=PID" first (the receiver, for the test to
 * kill it too), then "op N NAME ENAME" per operation done (so a killed run
 * still says how far it went), "held buffer ID" or "held attachment ID"
 * after a held export or import, and "done ops=N ok=M" if it ends by
 * itself.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>

#include <linux/dmapeek.h>

#include "lab-util.h"
#include "nl-op.h"

#define SLOTS 8

struct buf {
	int fd;			/* the dma-buf, -1 if none */
	unsigned int id;	/* dmapeek's buffer id */
	unsigned int att;	/* our import of it, 0 if none */
};

static uint64_t rng;
static unsigned int edu_dev;
static unsigned int providers[8] = { 1 };
static int nr_providers = 1;
static bool hold;		/* -H */
static unsigned int nr_held;	/* at most HELD_MAX, so memory stays bounded */
#define HELD_MAX 32

/* the seed alone decides the sequence */
static unsigned int rnd(unsigned int n)
{
	rng_xorshift64(&rng);
	return n ? rng % n : 0;
}

static int ret_of(int r)
{
	return r ? errno : 0;
}

static int id_op(int dfd, unsigned long req, unsigned int id)
{
	struct dmapeek_id_op op = { .size = sizeof(op), .id = id };

	return ret_of(ioctl(dfd, req, &op));
}

static int import(int dfd, struct buf *b, bool held)
{
	struct dmapeek_import im = {
		.size = sizeof(im), .fd = b->fd, .device_id = edu_dev,
		.flags = DMAPEEK_IMPORT_DYNAMIC | DMAPEEK_IMPORT_PEER2PEER,
		.behaviour = DMAPEEK_BEHAVIOUR_NORMAL,
	};
	int e;

	if (held)
		im.flags |= DMAPEEK_IMPORT_HOLD;
	e = ret_of(ioctl(dfd, DMAPEEK_IOC_IMPORT, &im));
	if (!e)
		b->att = im.attachment_id;
	if (!e && held) {
		nr_held++;
		printf("held attachment %u\n", b->att);
	}
	return e;
}

static int dma(int dfd, unsigned int att)
{
	unsigned char data[4096];
	struct dmapeek_dma d = {
		.size = sizeof(d), .flags = DMAPEEK_DMA_TO_BUFFER, .attachment_id = att,
		.offset = 0, .length = sizeof(data), .data = (unsigned long)data,
	};

	memset(data, att & 0xff, sizeof(data));
	return ret_of(ioctl(dfd, DMAPEEK_IOC_DMA, &d));
}

static int export(int dfd, struct buf *b, bool held)
{
	struct dmapeek_range r = { .offset = rnd(16) * 65536, .length = 65536 };
	struct dmapeek_export ex = {
		.size = sizeof(ex), .model = 1 + rnd(3),
		.provider_id = providers[rnd(nr_providers)],
	};
	int e;

	if (ex.provider_id == 1) {
		ex.length = 4096ULL << rnd(6);
	} else {
		ex.nr_ranges = 1;
		ex.ranges = (unsigned long)&r;
	}
	strcpy(ex.name, "churn");
	if (held)
		ex.flags |= DMAPEEK_EXPORT_HOLD;
	e = ret_of(ioctl(dfd, DMAPEEK_IOC_EXPORT, &ex));
	if (!e) {
		b->fd = ex.fd;
		b->id = ex.buffer_id;
		b->att = 0;
	}
	if (!e && held) {
		nr_held++;
		printf("held buffer %u\n", b->id);
	}
	return e;
}

static int send_fd(int sock, int fd)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 }, c = 'f';
	struct iovec iov = { .iov_base = &c, .iov_len = 1 };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);

	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	return sendmsg(sock, &mh, MSG_DONTWAIT) == 1 ? 0 : errno;
}

static int recv_fd(int sock)
{
	char cbuf[CMSG_SPACE(sizeof(int))], c;
	struct iovec iov = { .iov_base = &c, .iov_len = 1 };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *cm;
	int fd;

	if (recvmsg(sock, &mh, 0) != 1)
		return -1;
	cm = CMSG_FIRSTHDR(&mh);
	if (!cm || cm->cmsg_type != SCM_RIGHTS)
		return -1;
	memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	return fd;
}

/* The receiver: imports every buffer it is given, maps it, DMAs into it. */
static void receiver(int sock)
{
	struct buf kept[4] = { 0 };
	int dfd = open("/dev/dmapeek", O_RDWR), n = 0, fd;

	while ((fd = recv_fd(sock)) >= 0) {
		struct buf *b = &kept[n++ % 4];

		if (b->fd > 0)
			close(b->fd);	/* its import goes with the file below */
		b->fd = fd;
		if (!import(dfd, b, false) && !dp_nl_map(b->att))
			dma(dfd, b->att);
	}
	_exit(0);
}

/* An errno's name, "OK" for 0 */
static const char *ename(int e)
{
	return e ? lab_errno_name(e) : "OK";
}

int main(int argc, char **argv)
{
	static const char *const names[] = {
		"export", "import", "map", "unmap", "dma", "move",
		"revoke", "restore", "detach", "close", "pass",
	};
	struct buf slot[SLOTS];
	unsigned long ops, n, ok = 0;
	int sv[2], dfd, i;
	pid_t child;

	if (argc > 1 && !strcmp(argv[1], "-H")) {
		hold = true;
		argv++;
		argc--;
	}
	if (argc < 4) {
		fprintf(stderr, "usage: dp-churn [-H] SEED OPS EDU_DEV [PROVIDER...]\n");
		return 2;
	}
	rng = strtoull(argv[1], NULL, 0) | 1;
	ops = strtoul(argv[2], NULL, 0);
	edu_dev = strtoul(argv[3], NULL, 0);
	for (i = 4; i < argc && nr_providers < 8; i++)
		providers[nr_providers++] = strtoul(argv[i], NULL, 0);
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv))
		return 1;
	child = fork();
	if (child < 0)
		return 1;
	if (!child) {
		close(sv[0]);
		receiver(sv[1]);
	}
	close(sv[1]);
	printf("child=%d\n", child);
	dfd = open("/dev/dmapeek", O_RDWR);
	if (dfd < 0) {
		perror("/dev/dmapeek");
		return 1;
	}
	for (i = 0; i < SLOTS; i++)
		slot[i].fd = -1;

	for (n = 0; n < ops; n++) {
		unsigned int op = rnd(11);
		struct buf *b = &slot[rnd(SLOTS)];
		int e = ENOENT;

		if (b->fd < 0 && op != 0)
			op = 0;		/* nothing here yet: make something */
		switch (op) {
		case 0:
			if (b->fd >= 0)
				close(b->fd);
			e = export(dfd, b, hold && nr_held < HELD_MAX && !rnd(4));
			if (e)
				b->fd = -1;
			break;
		case 1:
			e = b->att ? EALREADY :
			    import(dfd, b, hold && nr_held < HELD_MAX && !rnd(4));
			break;
		case 2:
			e = -dp_nl_map(b->att);
			break;
		case 3:
			e = -dp_nl_unmap(b->att);
			break;
		case 4:
			e = dma(dfd, b->att);
			break;
		case 5:
		case 6: {
			/* over netlink, until the done event (nl-op.h) */
			struct dp_nl_done od;

			e = -dp_nl_buffer_op(op == 6, b->id,
					     op == 5 ? providers[rnd(nr_providers)] : 0,
					     50, &od);
			if (!e && od.error != -ETIMEDOUT)
				e = -od.error;
			break;
		}
		case 7:
			e = -dp_nl_restore(b->id);
			break;
		case 8:
			e = id_op(dfd, DMAPEEK_IOC_DETACH, b->att);
			if (!e)
				b->att = 0;
			break;
		case 9:
		case 10:
			/* the import made through this file stays until detach */
			e = op == 10 ? send_fd(sv[0], b->fd) : 0;
			close(b->fd);
			b->fd = -1;
			b->att = 0;
			break;
		}
		ok += !e;
		printf("op %lu %s %s\n", n, names[op], ename(e));
	}
	printf("done ops=%lu ok=%lu\n", n, ok);
	kill(child, SIGKILL);
	return 0;
}
