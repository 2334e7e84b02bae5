// SPDX-License-Identifier: GPL-2.0-only
/*
 * nl-tape: record what a program says to dmapeek.ko, and play it back.
 *
 * An LD_PRELOAD object.  With NL_TAPE_RECORD=FILE (in the lab's guest,
 * against the live module) it lets every call through and writes down, in
 * order: each generic netlink request and each reply as the kernel sent
 * it, each ioctl of /dev/dmapeek with its struct before and after, and
 * the sysfs and procfs files the program reads.  With NL_TAPE_PLAY=FILE
 * (on the host, no module) it serves those bytes back: a netlink socket
 * becomes one end of an AF_UNIX datagram pair whose other end this object
 * fills with the recorded replies, so poll(), MSG_PEEK and MSG_TRUNC act
 * as they do on a real socket; each request must equal the recorded one
 * (sequence number and port id aside), or the run stops with exit 99
 * saying where it differs, so a changed request is caught rather than
 * answered with the wrong reply.  Only the sequence numbers and port ids
 * of replies are rewritten to the new run's.
 *
 * Tape: "NLTAPE1\n", then records of struct tape_rec and LEN bytes.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* RTLD_NEXT, fmemopen, memfd_create */
#endif
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <linux/netlink.h>
#include <pci/pci.h>

#include "linux/dmapeek.h"

#define TAPE_MAGIC	"NLTAPE1\n"
#define TAPE_MAX_SOCKS	64
#define TAPE_MAX_FDS	1024
#define TAPE_PORTID	0x4e4c0000u	/* + socket index, in play */

enum tape_kind {
	TAPE_SOCKET = 'N',	/* a netlink socket was opened (sock = index) */
	TAPE_SEND = 'S',	/* bytes the program sent */
	TAPE_RECV = 'R',	/* bytes the kernel answered */
	TAPE_JOIN = 'M',	/* NETLINK_ADD_MEMBERSHIP (ret = group) */
	TAPE_OPEN = 'O',	/* open("/dev/dmapeek"): ret, err */
	TAPE_IOCTL = 'I',	/* u32 size, struct in, struct out; ret, err */
	TAPE_FILE = 'F',	/* path NUL content; err if unreadable */
	TAPE_PCI_NAME = 'P',	/* pci_lookup_name(): arg = flags<<32 | ids */
	TAPE_REALPATH = 'L',	/* realpath() in /sys: path NUL result */
};

struct tape_rec {
	uint8_t kind;
	uint8_t pad[3];
	int32_t sock;
	int32_t ret;
	int32_t err;
	uint64_t arg;		/* ioctl: the request */
	uint32_t len;
	uint32_t pad2;
};

struct tape_entry {
	struct tape_rec h;
	unsigned char *data;
	bool used;
};

/* One netlink socket of the program. */
struct tape_sock {
	int idx;		/* creation order: the tape's socket number */
	int peer;		/* play: our end of the pair */
	size_t next;		/* play: next tape entry of this socket */
	uint32_t rec_seq, run_seq;	/* of the last request */
};

static struct {
	bool init, record, play;
	const char *record_path;
	FILE *out;
	struct tape_entry *tape;
	size_t nr;
	size_t next_open, next_ioctl;
	int nr_socks;
	struct tape_sock *fd_sock[TAPE_MAX_FDS];
	bool fd_dev[TAPE_MAX_FDS];
} T;

static int (*real_socket)(int, int, int);
static int (*real_close)(int);
static ssize_t (*real_sendto)(int, const void *, size_t, int,
			      const struct sockaddr *, socklen_t);
static ssize_t (*real_sendmsg)(int, const struct msghdr *, int);
static ssize_t (*real_recvmsg)(int, struct msghdr *, int);
static ssize_t (*real_recvfrom)(int, void *, size_t, int, struct sockaddr *,
				socklen_t *);
static int (*real_setsockopt)(int, int, int, const void *, socklen_t);
static int (*real_open)(const char *, int, ...);
static int (*real_ioctl)(int, unsigned long, ...);
static FILE *(*real_fopen)(const char *, const char *);

static void __attribute__((noreturn, format(printf, 1, 2))) tape_die(const char *fmt, ...)
{
	va_list ap;

	fputs("nl-tape: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	_exit(99);
}

static void tape_load(const char *path)
{
	FILE *f = real_fopen(path, "re");
	char magic[sizeof(TAPE_MAGIC) - 1];
	struct tape_rec h;
	size_t cap = 0;

	if (!f)
		tape_die("%s: %s", path, strerror(errno));
	if (fread(magic, sizeof(magic), 1, f) != 1) {
		fclose(f);
		return;		/* empty: the program said nothing */
	}
	if (memcmp(magic, TAPE_MAGIC, sizeof(magic)))
		tape_die("%s: not a tape", path);
	while (fread(&h, sizeof(h), 1, f) == 1) {
		struct tape_entry *e;

		if (T.nr == cap) {
			cap = cap ? 2 * cap : 256;
			T.tape = realloc(T.tape, cap * sizeof(*T.tape));
			if (!T.tape)
				tape_die("out of memory");
		}
		e = &T.tape[T.nr++];
		e->h = h;
		e->used = false;
		e->data = malloc(h.len + 1);
		if (!e->data || (h.len && fread(e->data, h.len, 1, f) != 1))
			tape_die("%s: cut short", path);
		e->data[h.len] = 0;
	}
	fclose(f);
}

static void tape_init(void)
{
	const char *rec, *play;

	if (T.init)
		return;
	T.init = true;
	real_socket = dlsym(RTLD_NEXT, "socket");
	real_close = dlsym(RTLD_NEXT, "close");
	real_sendto = dlsym(RTLD_NEXT, "sendto");
	real_sendmsg = dlsym(RTLD_NEXT, "sendmsg");
	real_recvmsg = dlsym(RTLD_NEXT, "recvmsg");
	real_recvfrom = dlsym(RTLD_NEXT, "recvfrom");
	real_setsockopt = dlsym(RTLD_NEXT, "setsockopt");
	real_open = dlsym(RTLD_NEXT, "open");
	real_ioctl = dlsym(RTLD_NEXT, "ioctl");
	real_fopen = dlsym(RTLD_NEXT, "fopen");

	rec = getenv("NL_TAPE_RECORD");
	play = getenv("NL_TAPE_PLAY");
	if (rec && *rec) {
		T.record_path = rec;	/* opened at the first record */
		T.record = true;
	} else if (play && *play) {
		tape_load(play);
		T.play = true;
	}
}

static void tape_write(int kind, int sock, int ret, int err, uint64_t arg,
		       const void *a, size_t alen, const void *b, size_t blen)
{
	struct tape_rec h = {
		.kind = kind, .sock = sock, .ret = ret, .err = err, .arg = arg,
		.len = alen + blen,
	};

	/*
	 * Appending, and only from a process that has something to say: a
	 * wrapper script, or a setpriv, before the program leaves the tape
	 * alone.
	 */
	if (!T.out) {
		T.out = real_fopen(T.record_path, "ae");
		if (!T.out)
			tape_die("%s: %s", T.record_path, strerror(errno));
		if (ftell(T.out) == 0)
			fputs(TAPE_MAGIC, T.out);
	}
	fwrite(&h, sizeof(h), 1, T.out);
	if (alen)
		fwrite(a, alen, 1, T.out);
	if (blen)
		fwrite(b, blen, 1, T.out);
	fflush(T.out);
}

static struct tape_sock *tape_sock(int fd)
{
	return fd >= 0 && fd < TAPE_MAX_FDS ? T.fd_sock[fd] : NULL;
}

/* Netlink messages of a buffer, as far as they are whole. */
#define for_each_nlmsg(nlh, buf, len)					\
	for (nlh = (struct nlmsghdr *)(buf);				\
	     (size_t)((char *)nlh - (char *)(buf)) + sizeof(*nlh) <= (len) && \
	     nlh->nlmsg_len >= sizeof(*nlh) &&				\
	     (size_t)((char *)nlh - (char *)(buf)) + nlh->nlmsg_len <= (len); \
	     nlh = (struct nlmsghdr *)((char *)nlh + NLMSG_ALIGN(nlh->nlmsg_len)))

/*
 * play: queue this socket's replies up to its next request, as many as
 * the pair takes now; the rest follow as the program reads.
 */
static void tape_pump(struct tape_sock *s)
{
	while (s->next < T.nr) {
		struct tape_entry *e = &T.tape[s->next];
		struct nlmsghdr *nlh;

		if (e->h.sock != s->idx ||
		    (e->h.kind != TAPE_SEND && e->h.kind != TAPE_RECV &&
		     e->h.kind != TAPE_JOIN)) {
			s->next++;
			continue;
		}
		if (e->h.kind != TAPE_RECV)
			return;
		for_each_nlmsg(nlh, e->data, e->h.len) {
			if (nlh->nlmsg_seq && nlh->nlmsg_seq == s->rec_seq)
				nlh->nlmsg_seq = s->run_seq;
			if (nlh->nlmsg_pid)
				nlh->nlmsg_pid = TAPE_PORTID + s->idx;
		}
		if (send(s->peer, e->data, e->h.len, MSG_DONTWAIT) < 0) {
			if (errno == EAGAIN)
				return;
			tape_die("socket %d: queueing a reply: %s", s->idx,
				 strerror(errno));
		}
		s->next++;
	}
}

/* play: the socket's next tape entry must be KIND; returns it. */
static struct tape_entry *tape_expect(struct tape_sock *s, int kind)
{
	while (s->next < T.nr) {
		struct tape_entry *e = &T.tape[s->next];

		if (e->h.sock == s->idx && (e->h.kind == TAPE_SEND ||
		    e->h.kind == TAPE_RECV || e->h.kind == TAPE_JOIN)) {
			if (e->h.kind == TAPE_RECV)
				tape_die("socket %d: a request came while %u bytes of replies were unread",
					 s->idx, e->h.len);
			if (e->h.kind != kind)
				tape_die("socket %d: '%c' came where the tape has '%c'",
					 s->idx, kind, e->h.kind);
			s->next++;
			return e;
		}
		s->next++;
	}
	tape_die("socket %d: '%c' past the end of the tape", s->idx, kind);
}

int socket(int domain, int type, int protocol)
{
	struct tape_sock *s;
	int fd, sv[2];

	tape_init();
	if ((!T.record && !T.play) || domain != AF_NETLINK)
		return real_socket(domain, type, protocol);
	if (T.nr_socks == TAPE_MAX_SOCKS)
		tape_die("too many netlink sockets");
	s = calloc(1, sizeof(*s));
	if (!s)
		tape_die("out of memory");
	s->idx = T.nr_socks++;
	s->peer = -1;
	if (T.record) {
		fd = real_socket(domain, type, protocol);
		if (fd >= 0)
			tape_write(TAPE_SOCKET, s->idx, 0, 0, 0, NULL, 0, NULL, 0);
	} else {
		if (socketpair(AF_UNIX, SOCK_DGRAM | (type & SOCK_CLOEXEC), 0, sv) < 0)
			tape_die("socketpair: %s", strerror(errno));
		fd = sv[0];
		s->peer = sv[1];
	}
	if (fd < 0 || fd >= TAPE_MAX_FDS) {
		free(s);
		return fd;
	}
	T.fd_sock[fd] = s;
	return fd;
}

int close(int fd)
{
	struct tape_sock *s;

	tape_init();
	s = tape_sock(fd);
	if (s) {
		T.fd_sock[fd] = NULL;
		if (s->peer >= 0)
			real_close(s->peer);
		free(s);
	}
	if (fd >= 0 && fd < TAPE_MAX_FDS)
		T.fd_dev[fd] = false;
	return real_close(fd);
}

int bind(int fd, const struct sockaddr *addr, socklen_t len)
{
	static int (*real_bind)(int, const struct sockaddr *, socklen_t);

	tape_init();
	if (T.play && tape_sock(fd))
		return 0;
	if (!real_bind)
		real_bind = dlsym(RTLD_NEXT, "bind");
	return real_bind(fd, addr, len);
}

int getsockname(int fd, struct sockaddr *addr, socklen_t *len)
{
	static int (*real_getsockname)(int, struct sockaddr *, socklen_t *);
	struct tape_sock *s;

	tape_init();
	s = tape_sock(fd);
	if (T.play && s) {
		struct sockaddr_nl nl = {
			.nl_family = AF_NETLINK,
			.nl_pid = TAPE_PORTID + s->idx,
		};

		memcpy(addr, &nl, *len < sizeof(nl) ? *len : sizeof(nl));
		*len = sizeof(nl);
		return 0;
	}
	if (!real_getsockname)
		real_getsockname = dlsym(RTLD_NEXT, "getsockname");
	return real_getsockname(fd, addr, len);
}

int setsockopt(int fd, int level, int name, const void *val, socklen_t len)
{
	struct tape_sock *s;
	int group = len >= sizeof(int) ? *(const int *)val : 0;

	tape_init();
	s = tape_sock(fd);
	if (!s || level != SOL_NETLINK)
		return real_setsockopt(fd, level, name, val, len);
	if (T.record) {
		int ret = real_setsockopt(fd, level, name, val, len);

		if (ret == 0 && name == NETLINK_ADD_MEMBERSHIP)
			tape_write(TAPE_JOIN, s->idx, group, 0, 0, NULL, 0, NULL, 0);
		return ret;
	}
	if (name == NETLINK_ADD_MEMBERSHIP) {
		tape_expect(s, TAPE_JOIN);
		tape_pump(s);
	}
	return 0;
}

/* Compare a request with the tape's, sequence numbers and port ids aside. */
static void tape_match(struct tape_sock *s, const struct tape_entry *e,
		       const void *buf, size_t len)
{
	const unsigned char *a = buf, *b = e->data;
	size_t i, n = len < e->h.len ? len : e->h.len;
	struct nlmsghdr ha = { 0 }, hb = { 0 };

	memcpy(&ha, a, len < sizeof(ha) ? len : sizeof(ha));
	memcpy(&hb, b, n < sizeof(hb) ? n : sizeof(hb));
	for (i = 0; i < n; i++) {
		if (i >= offsetof(struct nlmsghdr, nlmsg_seq) && i < sizeof(ha))
			continue;	/* nlmsg_seq, nlmsg_pid */
		if (a[i] != b[i])
			break;
	}
	if (i < n || len != e->h.len)
		tape_die("socket %d: request (type %u, %zu bytes) differs from the tape's (type %u, %u bytes) at byte %zu: %#04x, tape %#04x; record the tape again",
			 s->idx, ha.nlmsg_type, len, hb.nlmsg_type, e->h.len, i,
			 i < len ? a[i] : 0, i < e->h.len ? b[i] : 0);
	s->rec_seq = hb.nlmsg_seq;
	s->run_seq = ha.nlmsg_seq;
}

static ssize_t tape_send(int fd, const void *buf, size_t len)
{
	struct tape_sock *s = tape_sock(fd);

	tape_match(s, tape_expect(s, TAPE_SEND), buf, len);
	tape_pump(s);
	return len;
}

ssize_t sendto(int fd, const void *buf, size_t len, int flags,
	       const struct sockaddr *to, socklen_t tolen)
{
	struct tape_sock *s;
	ssize_t n;

	tape_init();
	s = tape_sock(fd);
	if (!s)
		return real_sendto(fd, buf, len, flags, to, tolen);
	if (T.play)
		return tape_send(fd, buf, len);
	n = real_sendto(fd, buf, len, flags, to, tolen);
	if (n >= 0)
		tape_write(TAPE_SEND, s->idx, 0, 0, 0, buf, n, NULL, 0);
	return n;
}

ssize_t send(int fd, const void *buf, size_t len, int flags)
{
	return sendto(fd, buf, len, flags, NULL, 0);
}

ssize_t sendmsg(int fd, const struct msghdr *msg, int flags)
{
	struct tape_sock *s;
	unsigned char *flat;
	size_t i, len = 0;
	ssize_t n;

	tape_init();
	s = tape_sock(fd);
	if (!s)
		return real_sendmsg(fd, msg, flags);
	for (i = 0; i < msg->msg_iovlen; i++)
		len += msg->msg_iov[i].iov_len;
	flat = malloc(len ? len : 1);
	if (!flat)
		tape_die("out of memory");
	for (len = 0, i = 0; i < msg->msg_iovlen; i++) {
		memcpy(flat + len, msg->msg_iov[i].iov_base, msg->msg_iov[i].iov_len);
		len += msg->msg_iov[i].iov_len;
	}
	if (T.play) {
		n = tape_send(fd, flat, len);
	} else {
		n = real_sendmsg(fd, msg, flags);
		if (n >= 0)
			tape_write(TAPE_SEND, s->idx, 0, 0, 0, flat, n, NULL, 0);
	}
	free(flat);
	return n;
}

ssize_t recvmsg(int fd, struct msghdr *msg, int flags)
{
	struct tape_sock *s;
	void *name = msg->msg_name;
	socklen_t namelen = msg->msg_namelen;
	ssize_t n;
	size_t i, got;

	tape_init();
	s = tape_sock(fd);
	if (!s)
		return real_recvmsg(fd, msg, flags);
	if (T.record) {
		n = real_recvmsg(fd, msg, flags);
		if (n < 0 || (flags & MSG_PEEK))
			return n;
		/* the bytes as received, as far as the buffers held them */
		got = (msg->msg_flags & MSG_TRUNC) ? 0 : (size_t)n;
		for (i = 0; i < msg->msg_iovlen && got; i++) {
			size_t part = got < msg->msg_iov[i].iov_len ?
				      got : msg->msg_iov[i].iov_len;

			tape_write(TAPE_RECV, s->idx, 0, 0, 0,
				   msg->msg_iov[i].iov_base, part, NULL, 0);
			got -= part;
		}
		return n;
	}
	msg->msg_name = NULL;
	msg->msg_namelen = 0;
	n = real_recvmsg(fd, msg, flags);
	msg->msg_name = name;
	msg->msg_namelen = namelen;
	if (n >= 0 && name) {
		struct sockaddr_nl nl = { .nl_family = AF_NETLINK };

		memcpy(name, &nl, namelen < sizeof(nl) ? namelen : sizeof(nl));
		msg->msg_namelen = sizeof(nl);
	}
	if (n >= 0 && !(flags & MSG_PEEK))
		tape_pump(s);
	return n;
}

ssize_t recvfrom(int fd, void *buf, size_t len, int flags,
		 struct sockaddr *from, socklen_t *fromlen)
{
	struct iovec iov = { .iov_base = buf, .iov_len = len };
	struct msghdr msg = {
		.msg_name = from, .msg_namelen = fromlen ? *fromlen : 0,
		.msg_iov = &iov, .msg_iovlen = 1,
	};
	ssize_t n;

	tape_init();
	if (!tape_sock(fd))
		return real_recvfrom(fd, buf, len, flags, from, fromlen);
	n = recvmsg(fd, &msg, flags);
	if (n >= 0 && fromlen)
		*fromlen = msg.msg_namelen;
	return n;
}

ssize_t recv(int fd, void *buf, size_t len, int flags)
{
	return recvfrom(fd, buf, len, flags, NULL, NULL);
}

static bool tape_is_dev(const char *path)
{
	return !strcmp(path, "/dev/" DMAPEEK_DEVICE_NAME);
}

/* The next entry of KIND in the tape's global order (ioctls, opens). */
static struct tape_entry *tape_next(size_t *cursor, int kind, const char *what)
{
	while (*cursor < T.nr) {
		struct tape_entry *e = &T.tape[(*cursor)++];

		if (e->h.kind == kind)
			return e;
	}
	tape_die("%s past the end of the tape", what);
}

static int tape_open_dev(const char *path, int flags, mode_t mode)
{
	struct tape_entry *e;
	int fd;

	if (T.record) {
		fd = real_open(path, flags, mode);
		tape_write(TAPE_OPEN, -1, fd, fd < 0 ? errno : 0, 0, NULL, 0, NULL, 0);
	} else {
		e = tape_next(&T.next_open, TAPE_OPEN, "open of " DMAPEEK_DEVICE_NAME);
		if (e->h.ret < 0) {
			errno = e->h.err;
			return -1;
		}
		fd = real_open("/dev/null", O_RDWR | (flags & O_CLOEXEC));
	}
	if (fd >= 0 && fd < TAPE_MAX_FDS)
		T.fd_dev[fd] = true;
	return fd;
}

int open(const char *path, int flags, ...)
{
	mode_t mode = 0;
	va_list ap;

	tape_init();
	if (flags & (O_CREAT | O_TMPFILE)) {
		va_start(ap, flags);
		mode = va_arg(ap, mode_t);
		va_end(ap);
	}
	if ((T.record || T.play) && tape_is_dev(path))
		return tape_open_dev(path, flags, mode);
	/* a replay must never act on the host: no bind, unbind, rescan */
	if (T.play && (flags & O_ACCMODE) != O_RDONLY && !strncmp(path, "/sys/", 5))
		tape_die("would write %s on this machine: not replayable", path);
	return real_open(path, flags, mode);
}

int open64(const char *path, int flags, ...)
	__attribute__((alias("open")));

/*
 * Every ioctl of /dev/dmapeek carries its struct with the size first; the
 * tape keeps it before and after the call.  In play, a file descriptor the
 * kernel handed out (an exported buffer) is replaced by a real one the
 * program can close.
 */
static int tape_ioctl(int fd, unsigned long req, void *arg)
{
	uint32_t size = arg ? *(uint32_t *)arg : 0;
	struct tape_entry *e;
	unsigned char *before;
	int ret;

	if (T.record) {
		before = malloc(size ? size : 1);
		if (!before)
			tape_die("out of memory");
		memcpy(before, arg, size);
		ret = real_ioctl(fd, req, arg);
		tape_write(TAPE_IOCTL, -1, ret, ret < 0 ? errno : 0, req,
			   before, size, arg, size);
		free(before);
		return ret;
	}
	e = tape_next(&T.next_ioctl, TAPE_IOCTL, "ioctl");
	if (e->h.arg != req || e->h.len != 2 * size)
		tape_die("ioctl %#lx of %u bytes where the tape has %#llx of %u: record the tape again",
			 req, size, (unsigned long long)e->h.arg, e->h.len / 2);
	if (e->h.ret < 0) {
		errno = e->h.err;
		return -1;
	}
	memcpy(arg, e->data + size, size);
	if (req == DMAPEEK_IOC_EXPORT) {
		struct dmapeek_export *x = arg;

		x->fd = memfd_create("nl-tape-export", MFD_CLOEXEC);
		if (x->fd < 0)
			tape_die("memfd_create: %s", strerror(errno));
	}
	return e->h.ret;
}

int ioctl(int fd, unsigned long req, ...)
{
	void *arg;
	va_list ap;

	tape_init();
	va_start(ap, req);
	arg = va_arg(ap, void *);
	va_end(ap);
	if ((T.record || T.play) && fd >= 0 && fd < TAPE_MAX_FDS && T.fd_dev[fd])
		return tape_ioctl(fd, req, arg);
	return real_ioctl(fd, req, arg);
}

/* Files whose text comes from the machine the tape was recorded on. */
static bool tape_is_sys_file(const char *path)
{
	return !strncmp(path, "/sys/bus/pci/", 13) ||
	       !strcmp(path, "/proc/net/netlink");
}

/* A stream reading LEN bytes of TEXT, which must outlive it. */
static FILE *tape_text_file(const char *text, size_t len)
{
	return len ? fmemopen((void *)text, len, "r") : real_fopen("/dev/null", "re");
}

static FILE *tape_fopen_record(const char *path, const char *mode)
{
	char chunk[4096], *text = NULL;
	size_t len = 0, n;
	FILE *f;

	f = real_fopen(path, mode);
	if (!f) {
		tape_write(TAPE_FILE, -1, -1, errno, 0, path, strlen(path) + 1,
			   NULL, 0);
		return NULL;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		text = realloc(text, len + n);
		if (!text)
			tape_die("out of memory");
		memcpy(text + len, chunk, n);
		len += n;
	}
	fclose(f);
	tape_write(TAPE_FILE, -1, 0, 0, 0, path, strlen(path) + 1, text, len);
	return tape_text_file(text, len);	/* text lives on with the stream */
}

/* play: the first unread copy of the file, else its last one. */
static FILE *tape_fopen_play(const char *path)
{
	struct tape_entry *e, *last = NULL;
	size_t i, plen;

	for (i = 0; i < T.nr; i++) {
		e = &T.tape[i];
		if (e->h.kind != TAPE_FILE || strcmp((char *)e->data, path))
			continue;
		last = e;
		if (!e->used)
			break;
	}
	if (!last) {
		errno = ENOENT;
		return NULL;
	}
	last->used = true;
	if (last->h.ret < 0) {
		errno = last->h.err;
		return NULL;
	}
	plen = strlen((char *)last->data) + 1;
	return tape_text_file((char *)last->data + plen, last->h.len - plen);
}

FILE *fopen(const char *path, const char *mode)
{
	tape_init();
	if ((!T.record && !T.play) || !tape_is_sys_file(path) || mode[0] != 'r')
		return real_fopen(path, mode);
	return T.record ? tape_fopen_record(path, mode) : tape_fopen_play(path);
}

FILE *fopen64(const char *path, const char *mode)
	__attribute__((alias("fopen")));

/*
 * Device names: libpci reads the pci.ids of the machine it runs on, which
 * differs between the guest and the host, so the tape keeps each name the
 * program looked up (by vendor and device; the only lookup dmapeek makes).
 */
char *pci_lookup_name(struct pci_access *a, char *buf, int size, int flags, ...)
{
	static char *(*real_lookup)(struct pci_access *, char *, int, int, ...);
	int vendor, device;
	uint64_t key;
	va_list ap;
	size_t i;
	char *name;

	tape_init();
	va_start(ap, flags);
	vendor = va_arg(ap, int);
	device = va_arg(ap, int);
	va_end(ap);
	if (!real_lookup)
		real_lookup = dlsym(RTLD_NEXT, "pci_lookup_name");
	if (!T.record && !T.play)
		return real_lookup(a, buf, size, flags, vendor, device);
	if (flags != (PCI_LOOKUP_VENDOR | PCI_LOOKUP_DEVICE))
		tape_die("pci_lookup_name with flags %#x: only vendor and device are taped",
			 flags);
	key = (uint64_t)flags << 32 | (uint32_t)vendor << 16 | (uint16_t)device;
	if (T.record) {
		name = real_lookup(a, buf, size, flags, vendor, device);
		tape_write(TAPE_PCI_NAME, -1, name ? 0 : -1, 0, key, name,
			   name ? strlen(name) : 0, NULL, 0);
		return name;
	}
	for (i = 0; i < T.nr; i++) {
		struct tape_entry *e = &T.tape[i];

		if (e->h.kind != TAPE_PCI_NAME || e->h.arg != key)
			continue;
		if (e->h.ret < 0)
			return NULL;
		snprintf(buf, size, "%s", (char *)e->data);
		return buf;
	}
	tape_die("no name of %04x:%04x on the tape", vendor, device);
}

/* play: the names come from the tape; the host's PCI bus is not asked. */
void pci_init(struct pci_access *a)
{
	static void (*real_init)(struct pci_access *);

	tape_init();
	if (T.play)
		return;
	if (!real_init)
		real_init = dlsym(RTLD_NEXT, "pci_init");
	real_init(a);
}

/* The PCI topology: where a device sits is where sysfs links lead. */
char *realpath(const char *path, char *resolved)
{
	static char *(*real_realpath)(const char *, char *);
	struct tape_entry *e;
	size_t i, plen;
	char *r;

	tape_init();
	if (!real_realpath)
		real_realpath = dlsym(RTLD_NEXT, "realpath");
	if ((!T.record && !T.play) || strncmp(path, "/sys/", 5))
		return real_realpath(path, resolved);
	if (T.record) {
		r = real_realpath(path, resolved);
		tape_write(TAPE_REALPATH, -1, r ? 0 : -1, r ? 0 : errno, 0,
			   path, strlen(path) + 1, r, r ? strlen(r) : 0);
		return r;
	}
	for (i = 0; i < T.nr; i++) {
		e = &T.tape[i];
		if (e->h.kind != TAPE_REALPATH || strcmp((char *)e->data, path))
			continue;
		if (e->h.ret < 0) {
			errno = e->h.err;
			return NULL;
		}
		plen = strlen((char *)e->data) + 1;
		if (!resolved)
			return strdup((char *)e->data + plen);
		snprintf(resolved, PATH_MAX, "%s", (char *)e->data + plen);
		return resolved;
	}
	errno = ENOENT;
	return NULL;
}
