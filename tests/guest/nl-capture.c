// SPDX-License-Identifier: GPL-2.0-only
/*
 * nl-capture DIR: record what the live dmapeek.ko and kernel really send,
 * for the host tests (tests/unit/data/, see its README).
 *
 * It sets up a small known scene with libdmapeek (buffers of two models,
 * one renamed with spaces through DMA_BUF_SET_NAME, one without
 * attachments, imports into a client device, one of them an importer that
 * never unmaps), then writes, as the kernel sent them:
 *
 *   nl-<object>-dump.bin   every recv() of each dump, bytes as received
 *   nl-revoke.bin          the reply to a revoke with a stuck importer
 *   nl-error-noent.bin     the error (with extack) for a missing id
 *   nl-error-pinned.bin    the error for revoking a pinned buffer
 *   nl-events.bin          the event notifications of all of the above
 *   bufinfo.txt            debugfs dma_buf/bufinfo while the buffers live
 *   fdinfo-named.txt       /proc/self/fdinfo of the named buffer
 *   fdinfo-idle.txt        /proc/self/fdinfo of the buffer without attachments
 *   capture.txt            the kernel release and the ids of the scene
 *
 * The host tests assert the scene's known facts on the decoded captures.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/utsname.h>
#include <linux/dma-buf.h>
#include <linux/genetlink.h>
#include <libmnl/libmnl.h>

#include <dmapeek.h>

#include "lab-ids.h"

#define FAIL(...) do { printf("fail: " __VA_ARGS__); putchar('\n'); exit(1); } while (0)

static const char *dir;
static struct mnl_socket *nl, *ev;
static uint16_t family;
static uint32_t seq = 1;
static char buf[1 << 16];

static FILE *out(const char *name, const char *mode)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, mode);
	if (!f)
		FAIL("cannot write %s: %s", path, strerror(errno));
	return f;
}

static struct mnl_socket *open_nl(void)
{
	struct mnl_socket *s = mnl_socket_open(NETLINK_GENERIC);
	int one = 1;

	if (!s || mnl_socket_bind(s, 0, MNL_SOCKET_AUTOPID) < 0)
		FAIL("netlink socket: %s", strerror(errno));
	mnl_socket_setsockopt(s, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(s, NETLINK_CAP_ACK, &one, sizeof(one));
	return s;
}

static struct nlmsghdr *msg(uint16_t type, uint8_t cmd, uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *g;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	nlh->nlmsg_seq = seq++;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = type == GENL_ID_CTRL ? 1 : DMAPEEK_FAMILY_VERSION;
	return nlh;
}

/* Does this batch end the exchange (done, or an error/ack)? */
static bool batch_ends(const char *b, int len)
{
	const struct nlmsghdr *h;

	for (h = (const struct nlmsghdr *)b; mnl_nlmsg_ok(h, len);
	     h = mnl_nlmsg_next(h, &len))
		if (h->nlmsg_type == NLMSG_DONE || h->nlmsg_type == NLMSG_ERROR)
			return true;
	return false;
}

/* Send @nlh; write every reply batch to @name, keep the first in @first. */
static int talk(struct nlmsghdr *nlh, const char *name, char *first, int *first_len)
{
	FILE *f = name ? out(name, "wb") : NULL;
	int total = 0;

	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		FAIL("send: %s", strerror(errno));
	for (;;) {
		ssize_t n = mnl_socket_recvfrom(nl, buf, sizeof(buf));

		if (n <= 0)
			FAIL("recv: %s", strerror(errno));
		if (f && fwrite(buf, 1, (size_t)n, f) != (size_t)n)
			FAIL("short write of %s", name);
		if (first && !total) {
			memcpy(first, buf, (size_t)n);
			*first_len = (int)n;
		}
		total += (int)n;
		if (batch_ends(buf, (int)n))
			break;
	}
	if (f)
		fclose(f);
	return total;
}

static int family_cb(const struct nlattr *a, void *data)
{
	uint32_t *grp = data;

	if (mnl_attr_get_type(a) == CTRL_ATTR_FAMILY_ID)
		family = mnl_attr_get_u16(a);
	if (mnl_attr_get_type(a) == CTRL_ATTR_MCAST_GROUPS) {
		const struct nlattr *g, *x;

		mnl_attr_for_each_nested(g, a) {
			mnl_attr_for_each_nested(x, g) {
				if (mnl_attr_get_type(x) == CTRL_ATTR_MCAST_GRP_ID)
					*grp = mnl_attr_get_u32(x);
			}
		}
	}
	return MNL_CB_OK;
}

/* The family id and its (one) multicast group. */
static uint32_t resolve(void)
{
	struct nlmsghdr *nlh = msg(GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 0);
	char reply[sizeof(buf)];
	int len = 0;
	uint32_t grp = 0;

	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, DMAPEEK_FAMILY_NAME);
	talk(nlh, NULL, reply, &len);
	/* The family's reply comes first, then the ack. */
	if (((struct nlmsghdr *)reply)->nlmsg_type == GENL_ID_CTRL)
		mnl_attr_parse((struct nlmsghdr *)reply, sizeof(struct genlmsghdr),
			       family_cb, &grp);
	if (!family)
		FAIL("no %s netlink family with the module loaded", DMAPEEK_FAMILY_NAME);
	return grp;
}

static void dump(uint8_t cmd, const char *name)
{
	talk(msg(family, cmd, NLM_F_DUMP), name, NULL, NULL);
}

static void copy_file(const char *from, const char *to)
{
	char b[4096];
	size_t n;
	FILE *in = fopen(from, "r"), *o;

	if (!in)
		FAIL("cannot read %s: %s", from, strerror(errno));
	o = out(to, "w");
	while ((n = fread(b, 1, sizeof(b), in)) > 0)
		fwrite(b, 1, n, o);
	fclose(in);
	fclose(o);
}

static void fdinfo(int fd, const char *to)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	copy_file(path, to);
}

static int export(struct dmapeek *ctx, uint32_t prov, uint32_t model,
		  uint64_t len, const char *name, uint32_t *id)
{
	DMAPEEK_OPTS(dmapeek_export_opts, o, .provider_id = prov, .model = model,
		     .length = len, .name = name);
	int fd, err = dmapeek_export(ctx, &o, &fd, id);

	if (err)
		FAIL("export %s: %s", name, strerror(-err));
	return fd;
}

static uint32_t import(struct dmapeek *ctx, int fd, uint32_t dev, uint32_t flags,
		       uint32_t behaviour)
{
	DMAPEEK_OPTS(dmapeek_import_opts, o, .flags = flags, .behaviour = behaviour);
	uint32_t aid;
	int err = dmapeek_import(ctx, fd, dev, &o, &aid);

	if (!err)
		err = dmapeek_map(ctx, aid);
	if (err)
		FAIL("import and map: %s", strerror(-err));
	return aid;
}

int main(int argc, char **argv)
{
	uint32_t grp, sys, dev, bp, br, bi, ap, ar, as;
	int fdp, fdr, fdi, n;
	struct utsname u;
	struct dmapeek *ctx;
	struct nlmsghdr *nlh;
	FILE *f;

	if (argc != 2)
		FAIL("usage: nl-capture DIR");
	dir = argv[1];
	ctx = dmapeek_new();
	if (!ctx)
		FAIL("dmapeek_new with the module loaded: %s", strerror(errno));
	nl = open_nl();
	grp = resolve();
	ev = open_nl();
	if (mnl_socket_setsockopt(ev, NETLINK_ADD_MEMBERSHIP, &grp, sizeof(grp)) < 0)
		FAIL("join the events group: %s", strerror(errno));

	sys = lab_system_provider(ctx);
	dev = lab_edu_device(ctx);
	if (!sys || !dev)
		FAIL("expected the system provider and the edu bound (provider %u, device %u)",
		     sys, dev);
	fdp = export(ctx, sys, DMAPEEK_MODEL_PINNED, 64 << 10, "cap-pinned", &bp);
	fdr = export(ctx, sys, DMAPEEK_MODEL_REVOCABLE, 128 << 10, "cap-revocable", &br);
	fdi = export(ctx, sys, DMAPEEK_MODEL_PINNED, 4096, "cap-idle", &bi);
	/* A name with spaces, set the way any dma-buf user sets it. */
	if (ioctl(fdr, DMA_BUF_SET_NAME, "cap revocable buf") < 0)
		FAIL("DMA_BUF_SET_NAME: %s", strerror(errno));
	ap = import(ctx, fdp, dev, 0, 0);
	ar = import(ctx, fdr, dev, DMAPEEK_IMPORT_DYNAMIC, 0);
	as = import(ctx, fdr, dev, DMAPEEK_IMPORT_DYNAMIC, DMAPEEK_BEHAVIOUR_NEVER_UNMAP);

	dump(DMAPEEK_CMD_PROVIDER_GET, "nl-provider-dump.bin");
	dump(DMAPEEK_CMD_DEVICE_GET, "nl-device-dump.bin");
	dump(DMAPEEK_CMD_BUFFER_GET, "nl-buffer-dump.bin");
	dump(DMAPEEK_CMD_ATTACHMENT_GET, "nl-attachment-dump.bin");
	dump(DMAPEEK_CMD_MAPPING_GET, "nl-mapping-dump.bin");
	dump(DMAPEEK_CMD_P2P_GET, "nl-p2p-dump.bin");
	copy_file("/sys/kernel/debug/dma_buf/bufinfo", "bufinfo.txt");
	fdinfo(fdr, "fdinfo-named.txt");
	fdinfo(fdi, "fdinfo-idle.txt");

	nlh = msg(family, DMAPEEK_CMD_BUFFER_REVOKE, 0);
	mnl_attr_put_u32(nlh, DMAPEEK_A_REVOKE_BUFFER_ID, br);
	mnl_attr_put_u32(nlh, DMAPEEK_A_REVOKE_TIMEOUT_MS, 200);
	talk(nlh, "nl-revoke.bin", NULL, NULL);
	nlh = msg(family, DMAPEEK_CMD_BUFFER_GET, 0);
	mnl_attr_put_u32(nlh, DMAPEEK_A_BUFFER_ID, 0x7fffffff);
	talk(nlh, "nl-error-noent.bin", NULL, NULL);
	nlh = msg(family, DMAPEEK_CMD_BUFFER_REVOKE, 0);
	mnl_attr_put_u32(nlh, DMAPEEK_A_REVOKE_BUFFER_ID, bp);
	talk(nlh, "nl-error-pinned.bin", NULL, NULL);

	/* Every event so far: they wait in the socket's queue. */
	f = out("nl-events.bin", "wb");
	while ((n = (int)recv(mnl_socket_get_fd(ev), buf, sizeof(buf), MSG_DONTWAIT)) > 0)
		fwrite(buf, 1, (size_t)n, f);
	fclose(f);

	uname(&u);
	f = out("capture.txt", "w");
	fprintf(f, "kernel %s %s\nfamily %u\nbuffers pinned %u revocable %u idle %u\n"
		"attachments pinned %u revocable %u stuck %u\n",
		u.release, u.version, family, bp, br, bi, ap, ar, as);
	fclose(f);
	printf("ok captured into %s (kernel %s)\n", dir, u.release);
	close(fdp);
	close(fdr);
	close(fdi);
	mnl_socket_close(ev);
	mnl_socket_close(nl);
	dmapeek_free(ctx);
	return 0;
}
