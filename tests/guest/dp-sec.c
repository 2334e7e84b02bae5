// SPDX-License-Identifier: GPL-2.0-only
/*
 * dp-sec: the security tests' probe.  It becomes another user (and keeps
 * only the capabilities asked for), then sends one ioctl or one netlink
 * request and prints exactly what came back, so that t-security.sh can
 * compare an unprivileged reply with root's, attribute by attribute.
 *
 *   dp-sec [--as USER [--cap net_admin]] [--fd N] CMD ARGS
 *     --as USER     setresuid/setresgid to USER, no supplementary groups,
 *                   every capability dropped (or all but --cap's)
 *     --fd N        use the /dev/dmapeek already open on fd N (inherited
 *                   from root), else open it here
 *   CMDs:
 *     whoami              "uid=U euid=U capeff=HEX"
 *     ioctl NR            DMAPEEK ioctl number NR with a zeroed argument
 *                         that carries its size: "ioctl NR OK|ENAME"
 *                         (DMABUF_ATTACHMENTS: its own size and fd -1, so
 *                         that a user it admits gets EBADF)
 *     dmabuf FD           DMABUF_ATTACHMENTS on dma-buf FD (inherited):
 *                         "dmabuf OK nr=N total=T" or "dmabuf ENAME"
 *     nl CMD do|dump [TYPE=u32:N|TYPE=str:S]...
 *                         one generic netlink request of the family; every
 *                         reply message is "msg" then one "a PATH LEN HEX"
 *                         line per attribute (PATH: types joined with ".",
 *                         nests followed), the end "nl CMD OK|ENAME
 *                         extack=TEXT"
 *     repeat N CMD do|dump [TYPE=...]...
 *                         the same request N times on one socket; the last
 *                         one's reply is printed as by nl, then "repeat CMD
 *                         n=N ok=K" and, per errno seen, " ENAME=COUNT"
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <linux/capability.h>
#include <linux/netlink.h>

#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>

#include <linux/dmapeek.h>

#include "lab-util.h"
#include "nl-sock.h"

/* An errno's name, "OK" for 0 */
static const char *ename(int e)
{
	return e ? lab_errno_name(e) : "OK";
}

/* Become @user with only @keep (a CAP_* number, or -1) left. */
static int become(const char *user, int keep)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2] = { 0 };
	struct passwd *pw = getpwnam(user);

	if (!pw) {
		fprintf(stderr, "dp-sec: no user %s\n", user);
		return -1;
	}
	/* keep the permitted set across the uid change, then trim it */
	if ((keep >= 0 && prctl(PR_SET_KEEPCAPS, 1)) || setgroups(0, NULL) ||
	    setresgid(pw->pw_gid, pw->pw_gid, pw->pw_gid) ||
	    setresuid(pw->pw_uid, pw->pw_uid, pw->pw_uid)) {
		perror("dp-sec: dropping privileges");
		return -1;
	}
	if (keep >= 0) {
		d[keep / 32].effective = d[keep / 32].permitted = 1u << (keep % 32);
		if (syscall(SYS_capset, &h, d)) {
			perror("dp-sec: capset");
			return -1;
		}
	}
	return 0;
}

static void whoami(void)
{
	char line[256];
	FILE *f = fopen("/proc/self/status", "r");
	const char *cap = "?";

	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "CapEff:\t", 8)) {
			line[strcspn(line, "\n")] = 0;
			cap = line + 8;
			break;
		}
	printf("uid=%u euid=%u capeff=%s\n", getuid(), geteuid(), cap);
	if (f)
		fclose(f);
}

static int do_ioctl(int fd, unsigned int nr)
{
	/* larger than any argument struct; a real size so only rights differ */
	union { __u32 size; unsigned char raw[256]; } arg = { 0 };
	int e;

	arg.size = sizeof(struct dmapeek_abi_version);
	if (nr == DMAPEEK_IOC_CMD_DMABUF_ATTACHMENTS) {
		struct dmapeek_dmabuf_attachments *q = (void *)arg.raw;

		q->size = sizeof(*q);
		q->fd = -1;
	}
	e = ioctl(fd, _IO(DMAPEEK_TYPE, nr), &arg) ? errno : 0;
	printf("ioctl %#x %s\n", nr, ename(e));
	return 0;
}

/* The attachments of dma-buf @buf_fd: how many, or the errno. */
static int do_dmabuf(int fd, int buf_fd)
{
	struct dmapeek_dmabuf_attachment ents[8];
	struct dmapeek_dmabuf_attachments q = {
		.size = sizeof(q),
		.fd = buf_fd,
		.entry_size = sizeof(ents[0]),
		.nr = 8,
		.entries = (unsigned long)ents,
	};

	if (ioctl(fd, DMAPEEK_IOC_DMABUF_ATTACHMENTS, &q)) {
		printf("dmabuf %s\n", ename(errno));
		return 0;
	}
	printf("dmabuf OK nr=%u total=%u\n", q.nr, q.total);
	return 0;
}

/* ----------------------------------------------------------------- netlink */

static void print_attrs(struct nlattr *head, int len, const char *prefix)
{
	struct nlattr *a;
	char path[128];
	int rem, i;

	nla_for_each_attr(a, head, len, rem) {
		snprintf(path, sizeof(path), "%s%d", prefix, nla_type(a));
		if (a->nla_type & NLA_F_NESTED) {
			strcat(path, ".");
			print_attrs(nla_data(a), nla_len(a), path);
			continue;
		}
		printf("a %s %d ", path, nla_len(a));
		for (i = 0; i < nla_len(a); i++)
			printf("%02x", ((unsigned char *)nla_data(a))[i]);
		printf("\n");
	}
}

/* repeat: only the last request's reply is printed */
static int quiet;

static int valid_cb(struct nl_msg *msg, void *arg __attribute__((unused)))
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);

	if (quiet)
		return NL_OK;
	printf("msg\n");
	print_attrs(genlmsg_attrdata(nlmsg_data(nlh), 0),
		    genlmsg_attrlen(nlmsg_data(nlh), 0), "");
	return NL_OK;
}

struct result {
	int err;
	int done;
	char extack[256];
};

static int finish_cb(struct nl_msg *msg __attribute__((unused)), void *arg)
{
	((struct result *)arg)->done = 1;
	return NL_STOP;
}

/* The error, and the extended ACK's message (nl-sock.h). */
static int err_cb(struct sockaddr_nl *nla __attribute__((unused)), struct nlmsgerr *e,
		  void *arg)
{
	struct result *r = arg;

	r->err = -e->error;
	r->done = 1;
	dp_nl_extack(e, r->extack, sizeof(r->extack));
	return NL_STOP;
}

/* The request, sent @times times on one socket; the last reply printed. */
static int do_nl(int cmd, int dump, int argc, char **argv, long times)
{
	struct result r = { 0 };
	struct nl_sock *sk = dp_nl_connect();
	struct nl_msg *msg;
	struct nl_cb *cb;
	long n, ok = 0, errs[256] = { 0 };
	int family, i, ret = 0;

	if (!sk) {
		printf("nl %d ENETLINK extack=\n", cmd);
		return 1;
	}
	family = genl_ctrl_resolve(sk, DMAPEEK_FAMILY_NAME);
	if (family < 0) {
		printf("nl %d ENOFAMILY extack=\n", cmd);
		return 1;
	}
	msg = nlmsg_alloc();
	genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, family, 0,
		    NLM_F_ACK | (dump ? NLM_F_DUMP : 0), cmd, DMAPEEK_FAMILY_VERSION);
	for (i = 0; i < argc; i++) {
		char *eq = strchr(argv[i], '=');
		int type = atoi(argv[i]);

		if (eq && !strncmp(eq + 1, "u32:", 4))
			nla_put_u32(msg, type, strtoul(eq + 5, NULL, 0));
		else if (eq && !strncmp(eq + 1, "str:", 4))
			nla_put_string(msg, type, eq + 5);
		else
			return 2;
	}
	cb = nl_cb_alloc(NL_CB_DEFAULT);
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, valid_cb, &r);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, finish_cb, &r);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, finish_cb, &r);
	nl_cb_err(cb, NL_CB_CUSTOM, err_cb, &r);
	for (n = 0; n < times && ret >= 0; n++) {
		memset(&r, 0, sizeof(r));
		quiet = n + 1 < times;
		/* each copy numbered anew, as libnl's sequence check wants */
		nlmsg_hdr(msg)->nlmsg_seq = NL_AUTO_SEQ;
		ret = nl_send_auto(sk, msg);
		while (ret >= 0 && !r.done)
			ret = nl_recvmsgs(sk, cb);
		if (ret < 0 && !r.err)
			r.err = EIO;
		if (r.err)
			errs[r.err & 255]++;
		else
			ok++;
	}
	nlmsg_free(msg);
	printf("nl %d %s extack=%s\n", cmd, ename(r.err), r.extack);
	if (times > 1) {
		printf("repeat %d n=%ld ok=%ld", cmd, n, ok);
		for (i = 1; i < 256; i++)
			if (errs[i])
				printf(" %s=%ld", ename(i), errs[i]);
		printf("\n");
	}
	nl_cb_put(cb);
	nl_socket_free(sk);
	return 0;
}

int main(int argc, char **argv)
{
	const char *user = NULL;
	int fd = -1, keep = -1, i = 1;

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (; i + 1 < argc && !strncmp(argv[i], "--", 2); i += 2) {
		if (!strcmp(argv[i], "--as"))
			user = argv[i + 1];
		else if (!strcmp(argv[i], "--cap") && !strcmp(argv[i + 1], "net_admin"))
			keep = CAP_NET_ADMIN;
		else if (!strcmp(argv[i], "--fd"))
			fd = atoi(argv[i + 1]);
		else
			goto usage;
	}
	if (user && become(user, keep))
		return 1;
	if (i < argc && !strcmp(argv[i], "whoami")) {
		whoami();
		return 0;
	}
	if (i + 1 < argc && (!strcmp(argv[i], "ioctl") || !strcmp(argv[i], "dmabuf"))) {
		if (fd < 0)
			fd = open("/dev/dmapeek", O_RDWR);
		if (fd < 0) {
			printf("open %s\n", ename(errno));
			return 1;
		}
		if (!strcmp(argv[i], "dmabuf"))
			return do_dmabuf(fd, atoi(argv[i + 1]));
		return do_ioctl(fd, strtoul(argv[i + 1], NULL, 0));
	}
	if (i + 2 < argc && !strcmp(argv[i], "nl"))
		return do_nl(atoi(argv[i + 1]), !strcmp(argv[i + 2], "dump"),
			     argc - i - 3, argv + i + 3, 1);
	if (i + 3 < argc && !strcmp(argv[i], "repeat") && atol(argv[i + 1]) > 0)
		return do_nl(atoi(argv[i + 2]), !strcmp(argv[i + 3], "dump"),
			     argc - i - 4, argv + i + 4, atol(argv[i + 1]));
usage:
	fprintf(stderr, "usage: see the comment at the top of dp-sec.c\n");
	return 2;
}
