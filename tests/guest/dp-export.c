// SPDX-License-Identifier: GPL-2.0-only
/*
 * dp-export: the guest tests' driver of dmapeek's exporter.  Raw ioctls and
 * libnl-genl, never libdmapeek, so the tests check the module on their own.
 *
 *   dp-export export PROV SIZE|OFF+LEN[,OFF+LEN...] MODEL [NAME]
 *	EXPORT; prints "buffer=ID fd=N", then runs commands from stdin, one a
 *	line, answering each with one line ("ok ...", or "err ENAME"):
 *	  write SEED | sum | attach DEVID FLAGS BEHAVIOUR [DELAY_MS] |
 *	  map ATT | unmap ATT | detach ATT | revoke BUF MS | restore BUF |
 *	  move BUF PROV | fdinfo | close | quit |
 *	  export-ro PROV | attach-ro DEVID FLAGS BEHAVIOUR |
 *	  attach-map N DEVID FLAGS BEHAVIOUR [MAPPED]
 *	(export-ro: EXPORT a 64K pinned buffer, attach-ro: IMPORT the served
 *	buffer, each with its argument in a page made read-only once filled,
 *	so the result cannot be copied back; both answer "ok ret=ENAME
 *	new_fds=N", N the fds the process gained by the call)
 *	(attach-map: N imports, the first MAPPED of them (all by default)
 *	mapped; "ok ids=ID,... made=N")
 *	(attach/map/unmap/detach: dmapeek's importer, DMAPEEK_IOC_IMPORT and
 *	DETACH on the same /dev/dmapeek file, its imports going when the
 *	process exits; map and unmap over netlink (nl-op.h); FLAGS are
 *	DMAPEEK_IMPORT_*, BEHAVIOUR 1 normal, 2 never-unmap, 3 delayed-unmap
 *	by DELAY_MS)
 *	(revoke, restore, move: over netlink, revoke and move waiting for
 *	their done event; revoke answers "ok attachments=N stuck=N
 *	duration_ns=N", N from that event)
 *   dp-export try PROV SIZE|RANGES MODEL [NAME]   print "ok" or the errno name
 *   dp-export try-raw FIELD=VALUE...              EXPORT with raw fields
 *   dp-export dump buffers|attachments [FILTER]  one line per object
 *   dp-export get buffer|attachment ID
 *   dp-export revoke BUF MS | restore BUF | move BUF PROV [MS]   (netlink)
 *	(revoke and move answer with an op number once importers were told;
 *	the outcome is the done event carrying it, which these wait for and
 *	print: "revoke ... att0.id=..." and "ok" or "err ENAME")
 *   dp-export revoke-start BUF MS               the answer only: "revoke ... op=N"
 *   dp-export events SECONDS                     print events heard
 *	(an event attribute this header does not name is printed "aN=V",
 *	N its number)
 *
 *   dp-export race BDF EDUDEV SECONDS SEED EDUMAP   provider lifetime racer
 *   dp-export export-loop SECONDS | dump-loop SECONDS    export/dump racers
 *   dp-export move-race PROV SIZE TARGET    exports and dumps during a move
 *	(the four racers of t-safety.sh: see each function's comment)
 *
 * "dp-export --extack CMD ...": a netlink request the module refuses
 * answers "err ENAME MESSAGE" with the module's extack message.
 *
 * MODEL is pinned, movable or revocable.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <dirent.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>

#include <linux/dmapeek.h>

#include "lab-util.h"
#include "nl-op.h"
#include "nl-sock.h"

static int model_of(const char *s)
{
	if (!strcmp(s, "pinned"))
		return DMAPEEK_MODEL_PINNED;
	if (!strcmp(s, "movable"))
		return DMAPEEK_MODEL_MOVABLE;
	if (!strcmp(s, "revocable"))
		return DMAPEEK_MODEL_REVOCABLE;
	return atoi(s);
}

static int dev_fd(void)
{
	int fd = open("/dev/dmapeek", O_RDWR);

	if (fd < 0) {
		printf("err %s\n", lab_errno_name(errno));
		exit(1);
	}
	return fd;
}

static struct dmapeek_range ranges[64];

/* SIZE (with K/M suffix) or OFF+LEN,OFF+LEN */
static void parse_mem(const char *s, struct dmapeek_export *e)
{
	char *end;

	if (!strchr(s, '+')) {
		unsigned long long v = strtoull(s, &end, 0);

		if (*end == 'K')
			v <<= 10;
		else if (*end == 'M')
			v <<= 20;
		e->length = v;
		return;
	}
	while (*s && e->nr_ranges < 64) {
		ranges[e->nr_ranges].offset = strtoull(s, &end, 0);
		if (*end == 'M') {
			ranges[e->nr_ranges].offset <<= 20;
			end++;
		}
		s = end + 1;
		ranges[e->nr_ranges].length = strtoull(s, &end, 0);
		if (*end == 'K') {
			ranges[e->nr_ranges].length <<= 10;
			end++;
		} else if (*end == 'M') {
			ranges[e->nr_ranges].length <<= 20;
			end++;
		}
		e->nr_ranges++;
		s = *end ? end + 1 : end;
	}
	e->ranges = (uintptr_t)ranges;
}

static int do_export(int dfd, int argc, char **argv, struct dmapeek_export *e)
{
	memset(e, 0, sizeof(*e));
	e->size = sizeof(*e);
	e->provider_id = strtoul(argv[0], NULL, 0);
	parse_mem(argv[1], e);
	e->model = model_of(argv[2]);
	if (argc > 3)
		snprintf(e->name, sizeof(e->name), "%s", argv[3]);
	return ioctl(dfd, DMAPEEK_IOC_EXPORT, e) ? -errno : 0;
}

/* ---------------------------------------------------------- data helpers */

static void *map_buf(int fd, size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

	return p == MAP_FAILED ? NULL : p;
}

/* DMAPEEK_IOC_IMPORT of the buffer @fd; 0 and *@id, or -errno. */
static int import(int dfd, int fd, unsigned int dev, unsigned int flags,
		  unsigned int behaviour, unsigned int delay_ms, unsigned int *id)
{
	struct dmapeek_import im = {
		.size = sizeof(im), .fd = fd, .device_id = dev, .flags = flags,
		.behaviour = behaviour, .unmap_delay_ms = delay_ms,
	};

	if (ioctl(dfd, DMAPEEK_IOC_IMPORT, &im))
		return -errno;
	*id = im.attachment_id;
	return 0;
}

static int id_op(int dfd, unsigned long req, unsigned int id)
{
	struct dmapeek_id_op op = { .size = sizeof(op), .id = id };

	return ioctl(dfd, req, &op) ? -errno : 0;
}

/* The fds this process has open now. */
static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	int n = 0;

	if (!d)
		return -1;
	while ((de = readdir(d)))
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

/*
 * A page for an ioctl argument of @size bytes, filled from @arg and then
 * made read-only: the module reads it but cannot write its result back.
 */
static void *ro_arg(const void *arg, size_t size)
{
	long pg = sysconf(_SC_PAGESIZE);
	void *p = mmap(NULL, pg, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	memcpy(p, arg, size);
	if (mprotect(p, pg, PROT_READ)) {
		munmap(p, pg);
		return NULL;
	}
	return p;
}

/* @req with @arg in a read-only page; answers "ok ret=ENAME new_fds=N". */
static int ioctl_ro(int dfd, unsigned long req, const void *arg, size_t size)
{
	void *p = ro_arg(arg, size);
	int before, ret;

	if (!p)
		return -errno;
	before = count_fds();
	ret = ioctl(dfd, req, p) ? errno : 0;
	printf("ok ret=%s new_fds=%d\n", ret ? lab_errno_name(ret) : "0",
	       count_fds() - before);
	fflush(stdout);
	munmap(p, sysconf(_SC_PAGESIZE));
	return 0;
}

static int serve(int dfd, int fd, struct dmapeek_export *e)
{
	size_t size = e->length;
	char line[256];
	int i;

	if (e->nr_ranges)
		for (size = 0, i = 0; i < (int)e->nr_ranges; i++)
			size += ranges[i].length;
	printf("buffer=%u fd=%d\n", e->buffer_id, fd);
	fflush(stdout);
	while (fgets(line, sizeof(line), stdin)) {
		unsigned int a = 0, b = 0, c = 0, d = 0, nmap = ~0u, id = 0;
		char cmd[32] = "", buf[128];
		int ret = 0;

		if (sscanf(line, "%31s %u %u %u %u %u", cmd, &a, &b, &c, &d, &nmap) < 1)
			continue;
		if (!strcmp(cmd, "quit")) {
			break;
		} else if (!strcmp(cmd, "write") || !strcmp(cmd, "sum")) {
			uint64_t *p = map_buf(fd, size), s = a | 1, sum = 0;
			size_t n;

			if (!p) {
				ret = -errno;
			} else {
				for (n = 0; n < size / 8; n++) {
					if (cmd[0] == 'w')
						p[n] = rng_xorshift64(&s);
					sum = sum * 31 + p[n];
				}
				munmap(p, size);
				printf("ok sum=%016" PRIx64 "\n", sum);
				fflush(stdout);
				continue;
			}
		} else if (!strcmp(cmd, "attach")) {
			ret = import(dfd, fd, a, b, c, d, &id);
			if (!ret) {
				printf("ok attachment=%u\n", id);
				fflush(stdout);
				continue;
			}
		} else if (!strcmp(cmd, "attach-map")) {
			/* many importers at once: a shell round trip each is slow */
			printf("ok ids=");
			for (i = 0; i < (int)a && !ret; i++) {
				ret = import(dfd, fd, b, c, d, 0, &id);
				if (!ret && (unsigned int)i < nmap)
					ret = dp_nl_map(id);
				if (!ret)
					printf("%s%u", i ? "," : "", id);
			}
			printf(" made=%d%s%s\n", ret ? i - 1 : i, ret ? " err=" : "",
			       ret ? lab_errno_name(-ret) : "");
			fflush(stdout);
			continue;
		} else if (!strcmp(cmd, "map")) {
			ret = dp_nl_map(a);
		} else if (!strcmp(cmd, "unmap")) {
			ret = dp_nl_unmap(a);
		} else if (!strcmp(cmd, "detach")) {
			ret = id_op(dfd, DMAPEEK_IOC_DETACH, a);
		} else if (!strcmp(cmd, "revoke")) {
			struct dp_nl_done od;

			/* stuck importers are an outcome (-ETIMEDOUT), not a failure */
			ret = dp_nl_buffer_op(1, a, 0, b, &od);
			if (!ret && od.error && od.error != -ETIMEDOUT)
				ret = od.error;
			if (!ret) {
				printf("ok attachments=%u stuck=%u duration_ns=%llu\n",
				       od.attachments, od.stuck,
				       (unsigned long long)od.duration_ns);
				fflush(stdout);
				continue;
			}
		} else if (!strcmp(cmd, "restore")) {
			ret = dp_nl_restore(a);
		} else if (!strcmp(cmd, "move")) {
			struct dp_nl_done od;

			ret = dp_nl_buffer_op(0, a, b, c, &od);
			if (!ret)
				ret = od.error;
		} else if (!strcmp(cmd, "fdinfo")) {
			snprintf(buf, sizeof(buf), "/proc/self/fdinfo/%d", fd);
			FILE *f = fopen(buf, "r");

			printf("ok");
			while (f && fgets(buf, sizeof(buf), f)) {
				buf[strcspn(buf, "\n")] = 0;
				for (i = 0; buf[i]; i++)
					if (buf[i] == '\t' || buf[i] == ' ')
						buf[i] = '_';
				printf(" %s", buf);
			}
			if (f)
				fclose(f);
			printf("\n");
			fflush(stdout);
			continue;
		} else if (!strcmp(cmd, "export-ro")) {
			struct dmapeek_export x = {
				.size = sizeof(x), .provider_id = a,
				.model = DMAPEEK_MODEL_PINNED, .length = 64 << 10,
			};

			ret = ioctl_ro(dfd, DMAPEEK_IOC_EXPORT, &x, sizeof(x));
			if (!ret)
				continue;
		} else if (!strcmp(cmd, "attach-ro")) {
			struct dmapeek_import im = {
				.size = sizeof(im), .fd = fd, .device_id = a,
				.flags = b, .behaviour = c,
			};

			ret = ioctl_ro(dfd, DMAPEEK_IOC_IMPORT, &im, sizeof(im));
			if (!ret)
				continue;
		} else if (!strcmp(cmd, "close")) {
			ret = close(fd) ? -errno : 0;
			fd = -1;
		} else {
			ret = -EINVAL;
		}
		if (ret)
			printf("err %s\n", lab_errno_name(-ret));
		else
			printf("ok\n");
		fflush(stdout);
	}
	return 0;
}

/* ---------------------------------------------------------------- netlink */

struct aname {
	const char *name;
	char type;	/* u: u32/uint, s: string, b: u8, r: range nest, n: nest */
};

static const struct aname buffer_attrs[DMAPEEK_A_BUFFER_MAX + 1] = {
	[DMAPEEK_A_BUFFER_ID] = { "id", 'u' },
	[DMAPEEK_A_BUFFER_INODE] = { "inode", 'u' },
	[DMAPEEK_A_BUFFER_NAME] = { "name", 's' },
	[DMAPEEK_A_BUFFER_SIZE] = { "size", 'u' },
	[DMAPEEK_A_BUFFER_MODEL] = { "model", 'u' },
	[DMAPEEK_A_BUFFER_PROVIDER_ID] = { "provider", 'u' },
	[DMAPEEK_A_BUFFER_STATE] = { "state", 'u' },
	[DMAPEEK_A_BUFFER_RANGE] = { "range", 'r' },
	[DMAPEEK_A_BUFFER_ATTACHMENTS] = { "attachments", 'u' },
	[DMAPEEK_A_BUFFER_PINS] = { "pins", 'u' },
	[DMAPEEK_A_BUFFER_MOVES] = { "moves", 'u' },
	[DMAPEEK_A_BUFFER_REVOKES] = { "revokes", 'u' },
	[DMAPEEK_A_BUFFER_CREATED_NS] = { "created_ns", 'u' },
};

static const struct aname attachment_attrs[DMAPEEK_A_ATTACHMENT_MAX + 1] = {
	[DMAPEEK_A_ATTACHMENT_ID] = { "id", 'u' },
	[DMAPEEK_A_ATTACHMENT_BUFFER_ID] = { "buffer", 'u' },
	[DMAPEEK_A_ATTACHMENT_INODE] = { "inode", 'u' },
	[DMAPEEK_A_ATTACHMENT_EXP_NAME] = { "exp_name", 's' },
	[DMAPEEK_A_ATTACHMENT_SIZE] = { "size", 'u' },
	[DMAPEEK_A_ATTACHMENT_IMPORTER_DEV] = { "dev", 's' },
	[DMAPEEK_A_ATTACHMENT_IMPORTER_DRIVER] = { "driver", 's' },
	[DMAPEEK_A_ATTACHMENT_DEVICE_ID] = { "device", 'u' },
	[DMAPEEK_A_ATTACHMENT_FLAGS] = { "flags", 'u' },
	[DMAPEEK_A_ATTACHMENT_MAP_TYPE] = { "map_type", 'u' },
	[DMAPEEK_A_ATTACHMENT_BEHAVIOUR] = { "behaviour", 'u' },
	[DMAPEEK_A_ATTACHMENT_UNMAP_DELAY_MS] = { "unmap_delay_ms", 'u' },
	[DMAPEEK_A_ATTACHMENT_MAPPED] = { "mapped", 'b' },
	[DMAPEEK_A_ATTACHMENT_MAPS] = { "maps", 'u' },
	[DMAPEEK_A_ATTACHMENT_UNMAPS] = { "unmaps", 'u' },
	[DMAPEEK_A_ATTACHMENT_INVALIDATIONS] = { "invalidations", 'u' },
	[DMAPEEK_A_ATTACHMENT_LAST_MAP_NS] = { "last_map_ns", 'u' },
	[DMAPEEK_A_ATTACHMENT_LAST_UNMAP_NS] = { "last_unmap_ns", 'u' },
	[DMAPEEK_A_ATTACHMENT_LAST_INVALIDATE_NS] = { "last_invalidate_ns", 'u' },
	[DMAPEEK_A_ATTACHMENT_LAST_UNMAP_LATENCY_NS] = { "last_unmap_latency_ns", 'u' },
	[DMAPEEK_A_ATTACHMENT_MAX_UNMAP_LATENCY_NS] = { "max_unmap_latency_ns", 'u' },
	[DMAPEEK_A_ATTACHMENT_STUCK] = { "stuck", 'b' },
	[DMAPEEK_A_ATTACHMENT_REVOKED_SEEN] = { "revoked_seen", 'u' },
};

static const struct aname provider_attrs[DMAPEEK_A_PROVIDER_MAX + 1] = {
	[DMAPEEK_A_PROVIDER_ID] = { "id", 'u' },
	[DMAPEEK_A_PROVIDER_KIND] = { "kind", 'u' },
	[DMAPEEK_A_PROVIDER_DEVICE_ID] = { "device", 'u' },
	[DMAPEEK_A_PROVIDER_BDF] = { "bdf", 's' },
	[DMAPEEK_A_PROVIDER_BAR] = { "bar", 'u' },
	[DMAPEEK_A_PROVIDER_SIZE] = { "size", 'u' },
	[DMAPEEK_A_PROVIDER_PHYS_START] = { "phys_start", 'u' },
	[DMAPEEK_A_PROVIDER_BUS_OFFSET] = { "bus_offset", 'u' },
	[DMAPEEK_A_PROVIDER_BYTES_EXPORTED] = { "bytes_exported", 'u' },
	[DMAPEEK_A_PROVIDER_BUFFERS] = { "buffers", 'u' },
};

static const struct aname device_attrs[DMAPEEK_A_DEVICE_MAX + 1] = {
	[DMAPEEK_A_DEVICE_ID] = { "id", 'u' },
	[DMAPEEK_A_DEVICE_BDF] = { "bdf", 's' },
	[DMAPEEK_A_DEVICE_VENDOR] = { "vendor", 'u' },
	[DMAPEEK_A_DEVICE_DEVICE] = { "device", 'u' },
	[DMAPEEK_A_DEVICE_IOMMU_GROUP] = { "iommu_group", 'i' },
	[DMAPEEK_A_DEVICE_DOMAIN_TYPE] = { "domain_type", 'u' },
	[DMAPEEK_A_DEVICE_ATTACHMENTS] = { "attachments", 'u' },
};

static const struct aname mapping_attrs[DMAPEEK_A_MAPPING_MAX + 1] = {
	[DMAPEEK_A_MAPPING_ID] = { "id", 'u' },
	[DMAPEEK_A_MAPPING_ATTACHMENT_ID] = { "attachment", 'u' },
	[DMAPEEK_A_MAPPING_PATH] = { "path", 'u' },
	[DMAPEEK_A_MAPPING_SIZE] = { "size", 'u' },
	[DMAPEEK_A_MAPPING_RANGE] = { "range", 'r' },
	[DMAPEEK_A_MAPPING_MAP_NS] = { "map_ns", 'u' },
};

static const struct aname revoke_attrs[DMAPEEK_A_REVOKE_MAX + 1] = {
	[DMAPEEK_A_REVOKE_BUFFER_ID] = { "buffer", 'u' },
	[DMAPEEK_A_REVOKE_TIMEOUT_MS] = { "timeout_ms", 'u' },
	[DMAPEEK_A_REVOKE_DURATION_NS] = { "duration_ns", 'u' },
	[DMAPEEK_A_REVOKE_ATTACHMENTS] = { "attachments", 'u' },
	[DMAPEEK_A_REVOKE_STUCK] = { "stuck", 'u' },
	[DMAPEEK_A_REVOKE_ATTACHMENT] = { "att", 'n' },
	[DMAPEEK_A_REVOKE_OP] = { "op", 'u' },
};

static const struct aname revoke_att_attrs[DMAPEEK_A_REVOKE_ATTACHMENT_MAX + 1] = {
	[DMAPEEK_A_REVOKE_ATTACHMENT_ID] = { "id", 'u' },
	[DMAPEEK_A_REVOKE_ATTACHMENT_UNMAP_NS] = { "unmap_ns", 'u' },
	[DMAPEEK_A_REVOKE_ATTACHMENT_STUCK] = { "stuck", 'b' },
};

static const struct aname event_attrs[DMAPEEK_A_EVENT_MAX + 1] = {
	[DMAPEEK_A_EVENT_TYPE] = { "type", 'u' },
	[DMAPEEK_A_EVENT_TIMESTAMP_NS] = { "ts", 'u' },
	[DMAPEEK_A_EVENT_BUFFER_ID] = { "buffer", 'u' },
	[DMAPEEK_A_EVENT_ATTACHMENT_ID] = { "attachment", 'u' },
	[DMAPEEK_A_EVENT_MAPPING_ID] = { "mapping", 'u' },
	[DMAPEEK_A_EVENT_PROVIDER_ID] = { "provider", 'u' },
	[DMAPEEK_A_EVENT_DURATION_NS] = { "duration_ns", 'u' },
	[DMAPEEK_A_EVENT_COUNT] = { "count", 'u' },
	[DMAPEEK_A_EVENT_ERROR] = { "error", 'i' },
	[DMAPEEK_A_EVENT_OP] = { "op", 'u' },
};

static uint64_t get_uint(struct nlattr *a)
{
	return nla_len(a) == 8 ? nla_get_u64(a) : nla_get_u32(a);
}

static void print_attrs(struct nlattr *head, int len, const struct aname *names,
			int max, const char *prefix)
{
	struct nlattr *a, *r;
	int rem, rrem, nr = 0;

	nla_for_each_attr(a, head, len, rem) {
		int t = nla_type(a);

		if (t > max || !names[t].name) {
			/*
			 * An event attribute newer than this header: "aN=V"
			 * (N its number in the spec), for the tests to find.
			 */
			if (names == event_attrs && (nla_len(a) == 4 || nla_len(a) == 8))
				printf(" %sa%d=%" PRIu64, prefix, t, get_uint(a));
			continue;
		}
		switch (names[t].type) {
		case 'u':
			printf(" %s%s=%" PRIu64, prefix, names[t].name, get_uint(a));
			break;
		case 'i':
			printf(" %s%s=%d", prefix, names[t].name, (int)nla_get_u32(a));
			break;
		case 'b':
			printf(" %s%s=%u", prefix, names[t].name, nla_get_u8(a));
			break;
		case 's':
			printf(" %s%s=%s", prefix, names[t].name, nla_get_string(a));
			break;
		case 'n': {
			char p[32];

			snprintf(p, sizeof(p), "%s%d.", names[t].name, nr++);
			print_attrs(nla_data(a), nla_len(a), revoke_att_attrs,
				    DMAPEEK_A_REVOKE_ATTACHMENT_MAX, p);
			break;
		}
		case 'r':
			nla_for_each_nested(r, a, rrem) {
				const char *n[] = { "", "off", "len", "addr", "kind" };
				int rt = nla_type(r);

				if (rt >= 1 && rt <= 4)
					printf(" r%d.%s=%#" PRIx64, nr, n[rt], get_uint(r));
			}
			nr++;
			break;
		}
	}
	if (names == buffer_attrs || names == mapping_attrs)
		printf(" nr_ranges=%d", nr);
}

static const struct aname *cur_names;
static int cur_max;
static int nl_err;

static int valid_cb(struct nl_msg *msg, void *arg)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);

	printf("%s", (char *)arg);
	print_attrs(genlmsg_attrdata(nlmsg_data(nlh), 0),
		    genlmsg_attrlen(nlmsg_data(nlh), 0), cur_names, cur_max, "");
	printf("\n");
	fflush(stdout);
	return NL_OK;
}

static int nl_done;

static int done_cb(struct nl_msg *msg __attribute__((unused)),
		   void *arg __attribute__((unused)))
{
	nl_done = 1;
	return NL_STOP;
}

/* --extack: a refused request's answer carries the module's message */
static int show_extack;
static char nl_extack[256];

/* The extack message of an error, if the kernel sent one. */
static void get_extack(struct nlmsgerr *e)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)e - 1;
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
	int len = nlh->nlmsg_len;
	int ack_len = sizeof(*nlh) + sizeof(int) + sizeof(*nlh);

	nl_extack[0] = 0;
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		ack_len += e->msg.nlmsg_len - sizeof(*nlh);
	if (len <= ack_len)
		return;
	if (nla_parse(tb, NLMSGERR_ATTR_MAX, (struct nlattr *)((unsigned char *)nlh + ack_len),
		      len - ack_len, NULL))
		return;
	if (tb[NLMSGERR_ATTR_MSG])
		snprintf(nl_extack, sizeof(nl_extack), "%s",
			 (char *)nla_data(tb[NLMSGERR_ATTR_MSG]));
}

static int err_cb(struct sockaddr_nl *nla __attribute__((unused)), struct nlmsgerr *err,
		  void *arg __attribute__((unused)))
{
	nl_err = err->error;
	nl_done = 1;
	get_extack(err);
	return NL_STOP;
}

static struct nl_sock *nl_open(int *family)
{
	struct nl_sock *sk = dp_nl_connect();

	if (!sk) {
		printf("err netlink\n");
		exit(1);
	}
	*family = genl_ctrl_resolve(sk, DMAPEEK_FAMILY_NAME);
	if (*family < 0) {
		printf("err family\n");
		exit(1);
	}
	return sk;
}

/* Send @cmd with u32 attributes (attr, value pairs, 0-terminated). */
static int nl_request(int cmd, int dump, const struct aname *names, int max,
		      const char *tag, ...)
{
	struct nl_msg *msg;
	struct nl_sock *sk;
	int family, err, attr;
	va_list ap;

	sk = nl_open(&family);
	cur_names = names;
	cur_max = max;
	nl_err = 0;
	nl_done = 0;
	nl_socket_modify_cb(sk, NL_CB_VALID, NL_CB_CUSTOM, valid_cb, (void *)tag);
	nl_socket_modify_cb(sk, NL_CB_ACK, NL_CB_CUSTOM, done_cb, NULL);
	nl_socket_modify_cb(sk, NL_CB_FINISH, NL_CB_CUSTOM, done_cb, NULL);
	nl_socket_modify_err_cb(sk, NL_CB_CUSTOM, err_cb, NULL);
	msg = nlmsg_alloc();
	genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, family, 0,
		    dump ? NLM_F_DUMP : 0, cmd, DMAPEEK_FAMILY_VERSION);
	va_start(ap, tag);
	while ((attr = va_arg(ap, int)))
		nla_put_u32(msg, attr, va_arg(ap, unsigned int));
	va_end(ap);
	err = nl_send_auto(sk, msg);
	while (err >= 0 && !nl_done)
		err = nl_recvmsgs_default(sk);
	nlmsg_free(msg);
	nl_socket_free(sk);
	if (nl_err) {
		if (show_extack && nl_extack[0])
			printf("err %s %s\n", lab_errno_name(-nl_err), nl_extack);
		else
			printf("err %s\n", lab_errno_name(-nl_err));
		return 1;
	}
	if (err < 0) {
		printf("err %s\n", nl_geterror(err));
		return 1;
	}
	return 0;
}

/* ------------------------------------------ revoke and move over netlink */

static uint64_t op_reply;
static int op_reply_quiet_cb(struct nl_msg *msg, void *arg);

static int op_reply_cb(struct nl_msg *msg, void *arg)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct nlattr *a;
	int rem;

	nla_for_each_attr(a, genlmsg_attrdata(nlmsg_data(nlh), 0),
			  genlmsg_attrlen(nlmsg_data(nlh), 0), rem)
		if (nla_type(a) == (long)arg && (nla_len(a) == 4 || nla_len(a) == 8))
			op_reply = get_uint(a);
	return valid_cb(msg, (void *)(((long)arg == DMAPEEK_A_REVOKE_OP) ? "revoke" : "move"));
}

struct op_done {
	uint64_t op;
	int found;
	int error;
	const char *tag;	/* "revoke": print the outcome */
	unsigned int buffer, timeout_ms;
};

static int op_done_cb(struct nl_msg *msg, void *arg)
{
	struct op_done *d = arg;
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct nlattr *tb[DMAPEEK_A_EVENT_MAX + 1], *a;
	uint32_t type;
	int rem, n = 0;

	if (d->found || genlmsg_parse(nlh, 0, tb, DMAPEEK_A_EVENT_MAX, NULL) ||
	    !tb[DMAPEEK_A_EVENT_TYPE] || !tb[DMAPEEK_A_EVENT_OP] ||
	    get_uint(tb[DMAPEEK_A_EVENT_OP]) != d->op)
		return NL_OK;
	type = nla_get_u32(tb[DMAPEEK_A_EVENT_TYPE]);
	if (type != DMAPEEK_EVENT_TYPE_REVOKE_DONE && type != DMAPEEK_EVENT_TYPE_MOVE_DONE)
		return NL_OK;
	d->found = 1;
	d->error = tb[DMAPEEK_A_EVENT_ERROR] ? (int)nla_get_u32(tb[DMAPEEK_A_EVENT_ERROR]) : 0;
	if (strcmp(d->tag, "revoke"))
		return NL_OK;
	nla_for_each_attr(a, genlmsg_attrdata(nlmsg_data(nlh), 0),
			  genlmsg_attrlen(nlmsg_data(nlh), 0), rem)
		if (nla_type(a) == DMAPEEK_A_EVENT_ATTACHMENT)
			n++;
	printf("revoke buffer=%u timeout_ms=%u duration_ns=%" PRIu64 " attachments=%d stuck=%u op=%" PRIu64,
	       d->buffer, d->timeout_ms,
	       tb[DMAPEEK_A_EVENT_DURATION_NS] ? get_uint(tb[DMAPEEK_A_EVENT_DURATION_NS]) : 0,
	       n, tb[DMAPEEK_A_EVENT_COUNT] ? nla_get_u32(tb[DMAPEEK_A_EVENT_COUNT]) : 0, d->op);
	n = 0;
	nla_for_each_attr(a, genlmsg_attrdata(nlmsg_data(nlh), 0),
			  genlmsg_attrlen(nlmsg_data(nlh), 0), rem) {
		char p[32];

		if (nla_type(a) != DMAPEEK_A_EVENT_ATTACHMENT)
			continue;
		snprintf(p, sizeof(p), "att%d.", n++);
		print_attrs(nla_data(a), nla_len(a), revoke_att_attrs,
			    DMAPEEK_A_REVOKE_ATTACHMENT_MAX, p);
	}
	printf("\n");
	fflush(stdout);
	return NL_OK;
}

/*
 * A revoke (@op_attr DMAPEEK_A_REVOKE_OP) or a move over netlink: listen
 * to the events first, send, take the op number from the answer, then
 * wait for the done event that carries it (@wait), up to the timeout and
 * 10 s.  Prints the outcome; returns 0 or 1.
 */
static int nl_op(int cmd, int op_attr, int wait, unsigned int buffer,
		 unsigned int timeout_ms, int attr2, unsigned int v2, int attr3,
		 unsigned int v3)
{
	struct op_done d = { .tag = op_attr == DMAPEEK_A_REVOKE_OP ? "revoke" : "move",
			     .buffer = buffer, .timeout_ms = timeout_ms ?: 1000 };
	struct nl_sock *ev, *sk;
	struct nl_msg *msg;
	int family, grp, err;
	time_t end;

	ev = nl_open(&family);
	grp = genl_ctrl_resolve_grp(ev, DMAPEEK_FAMILY_NAME, DMAPEEK_MCGRP_EVENTS);
	nl_socket_disable_seq_check(ev);
	nl_socket_enable_msg_peek(ev);	/* a done event with many attachments */
	/* without the events, the request is still made: its refusal says more */
	if (grp < 0 || nl_socket_add_membership(ev, grp))
		wait = -1;
	nl_socket_set_buffer_size(ev, 4 << 20, 0);
	nl_socket_modify_cb(ev, NL_CB_VALID, NL_CB_CUSTOM, op_done_cb, &d);

	sk = nl_open(&family);
	cur_names = op_attr == DMAPEEK_A_REVOKE_OP ? revoke_attrs : buffer_attrs;
	cur_max = op_attr == DMAPEEK_A_REVOKE_OP ? DMAPEEK_A_REVOKE_MAX : DMAPEEK_A_BUFFER_MAX;
	nl_err = 0;
	nl_done = 0;
	op_reply = 0;
	nl_socket_modify_cb(sk, NL_CB_VALID, NL_CB_CUSTOM, wait > 0 ? op_reply_quiet_cb : op_reply_cb,
			    (void *)(long)op_attr);
	nl_socket_modify_cb(sk, NL_CB_ACK, NL_CB_CUSTOM, done_cb, NULL);
	nl_socket_modify_err_cb(sk, NL_CB_CUSTOM, err_cb, NULL);
	msg = nlmsg_alloc();
	genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, family, 0, 0, cmd, DMAPEEK_FAMILY_VERSION);
	nla_put_u32(msg, op_attr == DMAPEEK_A_REVOKE_OP ? DMAPEEK_A_REVOKE_BUFFER_ID :
		    DMAPEEK_A_BUFFER_ID, buffer);
	if (attr2)
		nla_put_u32(msg, attr2, v2);
	if (attr3)
		nla_put_u32(msg, attr3, v3);
	err = nl_send_auto(sk, msg);
	while (err >= 0 && !nl_done)
		err = nl_recvmsgs_default(sk);
	nlmsg_free(msg);
	nl_socket_free(sk);
	if (nl_err) {
		if (show_extack && nl_extack[0])
			printf("err %s %s\n", lab_errno_name(-nl_err), nl_extack);
		else
			printf("err %s\n", lab_errno_name(-nl_err));
		nl_socket_free(ev);
		return 1;
	}
	if (err < 0 || !op_reply) {
		printf("err %s\n", err < 0 ? nl_geterror(err) : "no op number in the answer");
		nl_socket_free(ev);
		return 1;
	}
	if (wait <= 0) {
		nl_socket_free(ev);
		if (wait < 0)
			printf("err cannot listen to the events\n");
		return wait < 0;
	}
	d.op = op_reply;
	end = time(NULL) + d.timeout_ms / 1000 + 11;
	while (!d.found && time(NULL) < end) {
		struct timeval tv = { 0, 100000 };
		fd_set fds;

		FD_ZERO(&fds);
		FD_SET(nl_socket_get_fd(ev), &fds);
		if (select(nl_socket_get_fd(ev) + 1, &fds, NULL, NULL, &tv) > 0)
			nl_recvmsgs_default(ev);
	}
	nl_socket_free(ev);
	if (!d.found) {
		printf("err no done event for op %" PRIu64 "\n", d.op);
		return 1;
	}
	if (op_attr != DMAPEEK_A_REVOKE_OP) {
		if (d.error)
			printf("err %s\n", lab_errno_name(-d.error));
		else
			printf("ok\n");
		return d.error ? 1 : 0;
	}
	return 0;
}

/* The answer's op number, nothing printed: the done event says it all. */
static int op_reply_quiet_cb(struct nl_msg *msg, void *arg)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct nlattr *a;
	int rem;

	nla_for_each_attr(a, genlmsg_attrdata(nlmsg_data(nlh), 0),
			  genlmsg_attrlen(nlmsg_data(nlh), 0), rem)
		if (nla_type(a) == (long)arg && (nla_len(a) == 4 || nla_len(a) == 8))
			op_reply = get_uint(a);
	return NL_OK;
}

static int events(int seconds)
{
	struct nl_sock *sk;
	int family, grp;
	time_t end = time(NULL) + seconds;

	sk = nl_open(&family);
	grp = genl_ctrl_resolve_grp(sk, DMAPEEK_FAMILY_NAME, DMAPEEK_MCGRP_EVENTS);
	nl_socket_disable_seq_check(sk);
	nl_socket_add_membership(sk, grp);
	cur_names = event_attrs;
	cur_max = DMAPEEK_A_EVENT_MAX;
	nl_socket_modify_cb(sk, NL_CB_VALID, NL_CB_CUSTOM, valid_cb, (void *)"event");
	nl_socket_set_nonblocking(sk);
	printf("listening\n");
	fflush(stdout);
	while (time(NULL) < end) {
		struct timeval tv = { 0, 100000 };
		fd_set fds;

		FD_ZERO(&fds);
		FD_SET(nl_socket_get_fd(sk), &fds);
		if (select(nl_socket_get_fd(sk) + 1, &fds, NULL, NULL, &tv) > 0)
			nl_recvmsgs_default(sk);
	}
	nl_socket_free(sk);
	return 0;
}

/* ------------------------------------------------------ races (t-safety.sh) */

/*
 * One netlink request on a socket kept open (the loops below make many):
 * @valid sees each reply message, a dump's interruptions
 * (NLM_F_DUMP_INTR) are counted in *@intr.  Returns 0, the module's
 * -errno, or -EIO when libnl fails.
 */
struct loop_req {
	int done;
	int err;
	int intr;
	int (*valid)(struct nlattr **tb, void *arg);
	void *arg;
	int maxattr;
};

static int loop_valid_cb(struct nl_msg *msg, void *arg)
{
	struct loop_req *r = arg;
	struct nlattr *tb[64];

	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, r->maxattr, NULL) < 0)
		return NL_SKIP;
	return r->valid ? r->valid(tb, r->arg) : NL_OK;
}

static int loop_done_cb(struct nl_msg *msg __attribute__((unused)), void *arg)
{
	((struct loop_req *)arg)->done = 1;
	return NL_STOP;
}

static int loop_intr_cb(struct nl_msg *msg __attribute__((unused)), void *arg)
{
	((struct loop_req *)arg)->intr++;
	return NL_OK;
}

static int loop_err_cb(struct sockaddr_nl *nla __attribute__((unused)),
		       struct nlmsgerr *e, void *arg)
{
	struct loop_req *r = arg;

	r->err = e->error;
	r->done = 1;
	return NL_STOP;
}

static int loop_request(struct nl_sock *sk, int family, int cmd, int dump, int maxattr,
			int attr, unsigned int val,
			int (*valid)(struct nlattr **tb, void *arg), void *arg, int *intr)
{
	struct loop_req r = { .valid = valid, .arg = arg, .maxattr = maxattr };
	struct nl_msg *msg;
	struct nl_cb *cb;
	int ret;

	msg = nlmsg_alloc();
	if (!msg)
		return -ENOMEM;
	genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, family, 0, dump ? NLM_F_DUMP : 0,
		    cmd, DMAPEEK_FAMILY_VERSION);
	if (attr)
		nla_put_u32(msg, attr, val);
	cb = nl_cb_alloc(NL_CB_DEFAULT);
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, loop_valid_cb, &r);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, loop_done_cb, &r);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, loop_done_cb, &r);
	nl_cb_set(cb, NL_CB_DUMP_INTR, NL_CB_CUSTOM, loop_intr_cb, &r);
	nl_cb_err(cb, NL_CB_CUSTOM, loop_err_cb, &r);
	ret = nl_send_auto(sk, msg);
	nlmsg_free(msg);
	while (ret >= 0 && !r.done)
		ret = nl_recvmsgs(sk, cb);
	nl_cb_put(cb);
	if (intr)
		*intr += r.intr;
	if (r.err)
		return r.err;
	return ret < 0 ? -EIO : 0;
}

/* The dmapeek id of the provider (BAR @bar) or device (@bar < 0) at @bdf. */
struct find_bdf {
	const char *bdf;
	int bar;
	unsigned int id;
};

static int find_provider_cb(struct nlattr **tb, void *arg)
{
	struct find_bdf *f = arg;

	if (tb[DMAPEEK_A_PROVIDER_ID] && tb[DMAPEEK_A_PROVIDER_BDF] &&
	    tb[DMAPEEK_A_PROVIDER_BAR] &&
	    !strcmp(nla_get_string(tb[DMAPEEK_A_PROVIDER_BDF]), f->bdf) &&
	    (int)nla_get_u32(tb[DMAPEEK_A_PROVIDER_BAR]) == f->bar)
		f->id = nla_get_u32(tb[DMAPEEK_A_PROVIDER_ID]);
	return NL_OK;
}

static int find_device_cb(struct nlattr **tb, void *arg)
{
	struct find_bdf *f = arg;

	if (tb[DMAPEEK_A_DEVICE_ID] && tb[DMAPEEK_A_DEVICE_BDF] &&
	    !strcmp(nla_get_string(tb[DMAPEEK_A_DEVICE_BDF]), f->bdf))
		f->id = nla_get_u32(tb[DMAPEEK_A_DEVICE_ID]);
	return NL_OK;
}

static unsigned int find_by_bdf(struct nl_sock *sk, int family, const char *bdf, int bar)
{
	struct find_bdf f = { .bdf = bdf, .bar = bar };

	if (bar >= 0)
		loop_request(sk, family, DMAPEEK_CMD_PROVIDER_GET, 1, DMAPEEK_A_PROVIDER_MAX,
			     0, 0, find_provider_cb, &f, NULL);
	else
		loop_request(sk, family, DMAPEEK_CMD_DEVICE_GET, 1, DMAPEEK_A_DEVICE_MAX,
			     0, 0, find_device_cb, &f, NULL);
	return f.id;
}

/* What a racing operation may meet, counted by name. */
struct race_counts {
	unsigned long ops, ok, enodev, enoent, enxio, unexpected;
};

/* Count @ret of @op; ENXIO only where @enxio_ok (an unmap: already unmapped). */
static void race_count(struct race_counts *c, const char *op, int ret, int enxio_ok,
		       unsigned long iter)
{
	c->ops++;
	if (!ret) {
		c->ok++;
	} else if (ret == -ENODEV) {
		c->enodev++;
	} else if (ret == -ENOENT) {
		c->enoent++;
	} else if (ret == -ENXIO && enxio_ok) {
		c->enxio++;
	} else {
		c->unexpected++;
		printf("unexpected: %s at iteration %lu: %s (%d)\n", op, iter, lab_errno_name(-ret), ret);
		fflush(stdout);
	}
}

/*
 * race BDF EDUDEV SECONDS SEED EDUMAP: while the test binds and unbinds the
 * device at BDF, export from its BAR2 provider (found again by BDF each
 * round: a rebind makes new ids), import the buffer into that device and
 * into the edu, map (the edu only with EDUMAP 1: where the pair has a P2P
 * path), sometimes move a movable one to system memory, unmap, detach and
 * close, in an order the seed picks.  Every error must be one a vanished
 * provider or device explains: ENODEV, ENOENT (and ENXIO from an unmap the
 * invalidation already did).  Prints "race iterations=N ops=N ok=N
 * enodev=N enoent=N enxio=N noprov=N unexpected=N"; exit 1 on an
 * unexpected error.
 */
static int race(const char *bdf, unsigned int edu, int seconds, uint64_t seed, int edumap)
{
	struct race_counts c = { 0 };
	unsigned long iter = 0, noprov = 0;
	double end = lab_now_s() + seconds;
	struct nl_sock *sk;
	int family, dfd = dev_fd();

	sk = dp_nl_connect();
	if (!sk || (family = genl_ctrl_resolve(sk, DMAPEEK_FAMILY_NAME)) < 0) {
		printf("err netlink\n");
		return 1;
	}
	seed |= 1;
	while (lab_now_s() < end) {
		struct dmapeek_export e = { .size = sizeof(e) };
		unsigned int prov, ivdev, a1 = 0, a2 = 0;
		uint64_t r = rng_xorshift64(&seed);
		int ret, fd, m1 = 0, m2 = 0;

		iter++;
		prov = find_by_bdf(sk, family, bdf, 2);
		ivdev = find_by_bdf(sk, family, bdf, -1);
		if (!prov || !ivdev) {
			noprov++;
			usleep(2000 + r % 20000);
			continue;
		}
		e.provider_id = prov;
		e.model = 1 + r % 3;
		e.length = (1 + (r >> 8) % 4) * 65536;
		snprintf(e.name, sizeof(e.name), "race-%lu", iter);
		ret = ioctl(dfd, DMAPEEK_IOC_EXPORT, &e) ? -errno : 0;
		race_count(&c, "export", ret, 0, iter);
		if (ret)
			continue;
		fd = e.fd;
		ret = import(dfd, fd, ivdev, DMAPEEK_IMPORT_DYNAMIC | DMAPEEK_IMPORT_PEER2PEER,
			     DMAPEEK_BEHAVIOUR_NORMAL, 0, &a1);
		race_count(&c, "import by the provider's device", ret, 0, iter);
		if (!ret && (r >> 16) % 4) {
			ret = dp_nl_map(a1);
			race_count(&c, "map by the provider's device", ret, 0, iter);
			m1 = !ret;
		}
		ret = import(dfd, fd, edu, DMAPEEK_IMPORT_DYNAMIC | DMAPEEK_IMPORT_PEER2PEER,
			     DMAPEEK_BEHAVIOUR_NORMAL, 0, &a2);
		race_count(&c, "import by the edu", ret, 0, iter);
		if (!ret && edumap && (r >> 18) % 2) {
			ret = dp_nl_map(a2);
			race_count(&c, "map by the edu", ret, 0, iter);
			m2 = !ret;
		}
		if (e.model == DMAPEEK_MODEL_MOVABLE && !((r >> 20) % 3)) {
			struct dp_nl_done od;

			ret = dp_nl_buffer_op(0, e.buffer_id, 1, 0, &od);
			if (!ret)
				ret = od.error;
			race_count(&c, "move to system memory", ret, 0, iter);
		}
		if (!((r >> 22) % 4))
			close(fd);	/* the imports keep the buffer */
		if (m1)
			race_count(&c, "unmap by the provider's device",
				   dp_nl_unmap(a1), 1, iter);
		if (m2 && (r >> 24) % 2)
			race_count(&c, "unmap by the edu", dp_nl_unmap(a2),
				   1, iter);
		if (a1)
			race_count(&c, "detach of the provider's device",
				   id_op(dfd, DMAPEEK_IOC_DETACH, a1), 0, iter);
		if (a2)
			race_count(&c, "detach of the edu", id_op(dfd, DMAPEEK_IOC_DETACH, a2),
				   0, iter);
		if ((r >> 22) % 4)
			close(fd);
	}
	nl_socket_free(sk);
	close(dfd);
	printf("race iterations=%lu ops=%lu ok=%lu enodev=%lu enoent=%lu enxio=%lu noprov=%lu "
	       "unexpected=%lu\n", iter, c.ops, c.ok, c.enodev, c.enoent, c.enxio, noprov,
	       c.unexpected);
	return c.unexpected ? 1 : 0;
}

/*
 * export-loop SECONDS: export system-memory buffers of every model and
 * close them again, as fast as it goes; every third one lives on through
 * the next export.  "export-loop exports=N errors=N"; exit 1 on an error.
 */
static int export_loop(int seconds)
{
	double end = lab_now_s() + seconds;
	unsigned long n = 0, errors = 0;
	uint64_t seed = (uint64_t)getpid() * 2654435761u | 1;
	int dfd = dev_fd(), held = -1;

	while (lab_now_s() < end) {
		struct dmapeek_export e = { .size = sizeof(e), .provider_id = 1 };
		uint64_t r = rng_xorshift64(&seed);

		e.model = 1 + r % 3;
		e.length = (1 + (r >> 8) % 16) * 4096;
		snprintf(e.name, sizeof(e.name), "loop-%lu", n);
		if (ioctl(dfd, DMAPEEK_IOC_EXPORT, &e)) {
			if (errors++ < 10)
				printf("export %lu: %s\n", n, lab_errno_name(errno));
			continue;
		}
		n++;
		if (held >= 0)
			close(held);
		held = -1;
		if (!((r >> 16) % 3))
			held = e.fd;
		else
			close(e.fd);
	}
	if (held >= 0)
		close(held);
	close(dfd);
	printf("export-loop exports=%lu errors=%lu\n", n, errors);
	return errors ? 1 : 0;
}

struct dump_stats {
	unsigned long rows;
	unsigned int max_id;
};

static int count_buffer_cb(struct nlattr **tb, void *arg)
{
	struct dump_stats *d = arg;

	d->rows++;
	if (tb[DMAPEEK_A_BUFFER_ID] && nla_get_u32(tb[DMAPEEK_A_BUFFER_ID]) > d->max_id)
		d->max_id = nla_get_u32(tb[DMAPEEK_A_BUFFER_ID]);
	return NL_OK;
}

/*
 * dump-loop SECONDS: dump every buffer over netlink, again and again, and
 * get the newest id seen and the next one (being made or released as it
 * goes); meant to run as an unprivileged user beside export-loop.  A
 * dump's interruption (NLM_F_DUMP_INTR) is counted, not an error; a get
 * may find nothing (ENOENT).  "dump-loop dumps=N rows=N max_rows=N
 * intr=N gets=N found=N errors=N"; exit 1 on any other error.
 */
static int dump_loop(int seconds)
{
	double end = lab_now_s() + seconds;
	unsigned long dumps = 0, rows = 0, max_rows = 0, gets = 0, found = 0, errors = 0;
	unsigned int last = 0;
	struct nl_sock *sk;
	int family, intr = 0, ret, i;

	sk = dp_nl_connect();
	if (!sk || (family = genl_ctrl_resolve(sk, DMAPEEK_FAMILY_NAME)) < 0) {
		printf("err netlink\n");
		return 1;
	}
	while (lab_now_s() < end) {
		struct dump_stats d = { 0 };

		ret = loop_request(sk, family, DMAPEEK_CMD_BUFFER_GET, 1, DMAPEEK_A_BUFFER_MAX,
				   0, 0, count_buffer_cb, &d, &intr);
		if (ret) {
			if (errors++ < 10)
				printf("dump %lu: %s\n", dumps, lab_errno_name(-ret));
			continue;
		}
		dumps++;
		rows += d.rows;
		if (d.rows > max_rows)
			max_rows = d.rows;
		if (d.max_id)
			last = d.max_id;
		for (i = 0; last && i < 2; i++) {
			struct dump_stats g = { 0 };

			ret = loop_request(sk, family, DMAPEEK_CMD_BUFFER_GET, 0,
					   DMAPEEK_A_BUFFER_MAX, DMAPEEK_A_BUFFER_ID, last + i,
					   count_buffer_cb, &g, NULL);
			gets++;
			if (!ret)
				found++;
			else if (ret != -ENOENT && errors++ < 10)
				printf("get %u: %s\n", last + i, lab_errno_name(-ret));
		}
	}
	nl_socket_free(sk);
	printf("dump-loop dumps=%lu rows=%lu max_rows=%lu intr=%d gets=%lu found=%lu errors=%lu\n",
	       dumps, rows, max_rows, intr, gets, found, errors);
	return errors ? 1 : 0;
}

/*
 * move-race PROV SIZE TARGET: export SIZE bytes of PROV (movable), fill
 * them, and move them to TARGET in one thread while another exports (and
 * closes) 64 KiB of system memory and dumps the buffers over netlink, one
 * after the other, until the move returns.  Prints "move-race move=ENAME
 * move_ms=N base_export_ms=N exports=N exports_during=N max_export_ms=N
 * dumps=N dumps_during=N max_dump_ms=N data=same|changed": base_export_ms
 * is the longest of five exports before the move (what an export costs on
 * this kernel), _during counts what began after the move did and answered
 * before it; max_*_ms is the longest wait of one that began during the
 * move.
 */
#define RACE_MAX 100000
struct timed {
	double t0, t1;
};

struct mover {
	int dfd;
	unsigned int buf, target;
	double t0, t1;
	int ret;
	int started, done;	/* __atomic */
};

static void *mover_thread(void *arg)
{
	struct mover *m = arg;
	struct dp_nl_done od;

	/* until the done event: the move's whole wait, as the old ioctl's */
	m->t0 = lab_now_s();
	__atomic_store_n(&m->started, 1, __ATOMIC_RELEASE);
	m->ret = dp_nl_buffer_op(0, m->buf, m->target, 0, &od);
	if (!m->ret)
		m->ret = od.error;
	m->t1 = lab_now_s();
	__atomic_store_n(&m->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

static uint64_t buf_sum(int fd, size_t size, uint64_t seed)
{
	uint64_t *p = map_buf(fd, size), s = seed | 1, sum = 0;
	size_t n;

	if (!p)
		return 0;
	for (n = 0; n < size / 8; n++) {
		if (seed)
			p[n] = rng_xorshift64(&s);
		sum = sum * 31 + p[n];
	}
	munmap(p, size);
	return sum;
}

static void during(const struct timed *t, int n, const struct mover *m, int *count,
		   double *max)
{
	int i;

	*count = 0;
	*max = 0;
	for (i = 0; i < n; i++) {
		if (t[i].t0 < m->t0 || t[i].t0 > m->t1)
			continue;
		if (t[i].t1 <= m->t1)
			(*count)++;
		if (t[i].t1 - t[i].t0 > *max)
			*max = t[i].t1 - t[i].t0;
	}
}

static int move_race(unsigned int prov, const char *size, unsigned int target)
{
	static struct timed ex[RACE_MAX], du[RACE_MAX];
	struct dmapeek_export e;
	struct mover m = { 0 };
	struct nl_sock *sk;
	pthread_t th;
	int family, nex = 0, ndu = 0, intr = 0, cex, cdu, ret, xfd, i;
	double mex, mdu, base = 0;
	uint64_t before, after;
	char provs[16], sizes[32], model[] = "movable";
	char *args[3] = { provs, sizes, model };

	snprintf(provs, sizeof(provs), "%u", prov);
	snprintf(sizes, sizeof(sizes), "%s", size);
	m.dfd = dev_fd();
	xfd = dev_fd();		/* the exports' own file: nothing shared with the move */
	ret = do_export(m.dfd, 3, args, &e);
	if (ret) {
		printf("err export %s\n", lab_errno_name(-ret));
		return 1;
	}
	sk = dp_nl_connect();
	if (!sk || (family = genl_ctrl_resolve(sk, DMAPEEK_FAMILY_NAME)) < 0) {
		printf("err netlink\n");
		return 1;
	}
	before = buf_sum(e.fd, e.length, 4242);
	for (i = 0; i < 5; i++) {
		struct dmapeek_export x = { .size = sizeof(x), .provider_id = 1,
					    .model = DMAPEEK_MODEL_PINNED, .length = 65536 };
		double t0 = lab_now_s();

		if (ioctl(xfd, DMAPEEK_IOC_EXPORT, &x)) {
			printf("err export before the move: %s\n", lab_errno_name(errno));
			return 1;
		}
		close(x.fd);
		if (lab_now_s() - t0 > base)
			base = lab_now_s() - t0;
	}
	m.buf = e.buffer_id;
	m.target = target;
	if (pthread_create(&th, NULL, mover_thread, &m)) {
		printf("err thread\n");
		return 1;
	}
	while (!__atomic_load_n(&m.started, __ATOMIC_ACQUIRE))
		;
	while (!__atomic_load_n(&m.done, __ATOMIC_ACQUIRE) && nex < RACE_MAX) {
		struct dmapeek_export x = { .size = sizeof(x), .provider_id = 1,
					    .model = DMAPEEK_MODEL_PINNED, .length = 65536 };
		struct dump_stats d = { 0 };

		ex[nex].t0 = lab_now_s();
		if (ioctl(xfd, DMAPEEK_IOC_EXPORT, &x)) {
			printf("err export during the move: %s\n", lab_errno_name(errno));
			return 1;
		}
		close(x.fd);
		ex[nex++].t1 = lab_now_s();
		du[ndu].t0 = lab_now_s();
		ret = loop_request(sk, family, DMAPEEK_CMD_BUFFER_GET, 1, DMAPEEK_A_BUFFER_MAX,
				   0, 0, count_buffer_cb, &d, &intr);
		if (ret) {
			printf("err dump during the move: %s\n", lab_errno_name(-ret));
			return 1;
		}
		du[ndu++].t1 = lab_now_s();
	}
	pthread_join(th, NULL);
	after = buf_sum(e.fd, e.length, 0);
	during(ex, nex, &m, &cex, &mex);
	during(du, ndu, &m, &cdu, &mdu);
	printf("move-race move=%s move_ms=%.1f base_export_ms=%.1f exports=%d exports_during=%d "
	       "max_export_ms=%.1f dumps=%d dumps_during=%d max_dump_ms=%.1f intr=%d data=%s\n",
	       m.ret ? lab_errno_name(-m.ret) : "OK", (m.t1 - m.t0) * 1e3, base * 1e3, nex, cex, mex * 1e3,
	       ndu, cdu, mdu * 1e3, intr, before == after ? "same" : "changed");
	nl_socket_free(sk);
	close(e.fd);
	close(xfd);
	close(m.dfd);
	return 0;
}

int main(int argc, char **argv)
{
	struct dmapeek_export e;
	int dfd, ret;

	if (argc >= 2 && !strcmp(argv[1], "--extack")) {
		show_extack = 1;
		argv++;
		argc--;
	}
	if (argc < 2)
		goto usage;
	if (!strcmp(argv[1], "export") && argc >= 5) {
		dfd = dev_fd();
		ret = do_export(dfd, argc - 2, argv + 2, &e);
		if (ret) {
			printf("err %s\n", lab_errno_name(-ret));
			return 1;
		}
		return serve(dfd, e.fd, &e);
	}
	if (!strcmp(argv[1], "try") && argc >= 5) {
		dfd = dev_fd();
		ret = do_export(dfd, argc - 2, argv + 2, &e);
		printf("%s\n", ret ? lab_errno_name(-ret) : "ok");
		if (!ret) {
			/* close-on-exec must be set */
			if (!(fcntl(e.fd, F_GETFD) & FD_CLOEXEC))
				printf("no-cloexec\n");
		}
		return 0;
	}
	if (!strcmp(argv[1], "try-raw")) {
		int i;

		memset(&e, 0, sizeof(e));
		e.size = sizeof(e);
		for (i = 2; i < argc; i++) {
			char *v = strchr(argv[i], '=');
			unsigned long long x;

			if (!v)
				goto usage;
			x = strtoull(v + 1, NULL, 0);
			*v = 0;
			if (!strcmp(argv[i], "size")) e.size = x;
			else if (!strcmp(argv[i], "flags")) e.flags = x;
			else if (!strcmp(argv[i], "provider")) e.provider_id = x;
			else if (!strcmp(argv[i], "model")) e.model = x;
			else if (!strcmp(argv[i], "length")) e.length = x;
			else if (!strcmp(argv[i], "nr_ranges")) e.nr_ranges = x;
			else if (!strcmp(argv[i], "ranges")) e.ranges = x;
			else if (!strcmp(argv[i], "reserved")) e.__reserved = x;
			else if (!strcmp(argv[i], "longname")) memset(e.name, 'x', sizeof(e.name));
			else goto usage;
		}
		dfd = dev_fd();
		ret = ioctl(dfd, DMAPEEK_IOC_EXPORT, &e) ? -errno : 0;
		printf("%s\n", ret ? lab_errno_name(-ret) : "ok");
		return 0;
	}
	if (!strcmp(argv[1], "dump") && argc >= 3) {
		unsigned int f = argc > 3 ? strtoul(argv[3], NULL, 0) : 0;

		if (!strcmp(argv[2], "providers"))
			return nl_request(DMAPEEK_CMD_PROVIDER_GET, 1, provider_attrs,
					  DMAPEEK_A_PROVIDER_MAX, "provider", 0);
		if (!strcmp(argv[2], "devices"))
			return nl_request(DMAPEEK_CMD_DEVICE_GET, 1, device_attrs,
					  DMAPEEK_A_DEVICE_MAX, "device", 0);
		if (!strcmp(argv[2], "mappings"))
			return nl_request(DMAPEEK_CMD_MAPPING_GET, 1, mapping_attrs,
					  DMAPEEK_A_MAPPING_MAX, "mapping",
					  f ? DMAPEEK_A_MAPPING_ATTACHMENT_ID : 0, f, 0);
		if (!strcmp(argv[2], "buffers"))
			return nl_request(DMAPEEK_CMD_BUFFER_GET, 1, buffer_attrs,
					  DMAPEEK_A_BUFFER_MAX, "buffer",
					  f ? DMAPEEK_A_BUFFER_PROVIDER_ID : 0, f, 0);
		return nl_request(DMAPEEK_CMD_ATTACHMENT_GET, 1, attachment_attrs,
				  DMAPEEK_A_ATTACHMENT_MAX, "attachment",
				  f ? DMAPEEK_A_ATTACHMENT_BUFFER_ID : 0, f, 0);
	}
	if (!strcmp(argv[1], "get") && argc >= 4) {
		unsigned int id = strtoul(argv[3], NULL, 0);

		if (!strcmp(argv[2], "buffer"))
			return nl_request(DMAPEEK_CMD_BUFFER_GET, 0, buffer_attrs,
					  DMAPEEK_A_BUFFER_MAX, "buffer",
					  DMAPEEK_A_BUFFER_ID, id, 0);
		return nl_request(DMAPEEK_CMD_ATTACHMENT_GET, 0, attachment_attrs,
				  DMAPEEK_A_ATTACHMENT_MAX, "attachment",
				  DMAPEEK_A_ATTACHMENT_ID, id, 0);
	}
	if ((!strcmp(argv[1], "revoke") || !strcmp(argv[1], "revoke-start")) && argc >= 4)
		return nl_op(DMAPEEK_CMD_BUFFER_REVOKE, DMAPEEK_A_REVOKE_OP,
			     !strcmp(argv[1], "revoke"), (unsigned int)strtoul(argv[2], NULL, 0),
			     (unsigned int)strtoul(argv[3], NULL, 0),
			     DMAPEEK_A_REVOKE_TIMEOUT_MS, (unsigned int)strtoul(argv[3], NULL, 0),
			     0, 0);
	if (!strcmp(argv[1], "restore") && argc >= 3) {
		ret = nl_request(DMAPEEK_CMD_BUFFER_RESTORE, 0, buffer_attrs,
				 DMAPEEK_A_BUFFER_MAX, "restore", DMAPEEK_A_BUFFER_ID,
				 (unsigned int)strtoul(argv[2], NULL, 0), 0);
		if (!ret)
			printf("ok\n");
		return ret;
	}
	if (!strcmp(argv[1], "move") && argc >= 4) {
		/* the timeout only when given: the module's default otherwise */
		return nl_op(DMAPEEK_CMD_BUFFER_MOVE, DMAPEEK_A_BUFFER_OP, 1,
			     (unsigned int)strtoul(argv[2], NULL, 0),
			     argc > 4 ? (unsigned int)strtoul(argv[4], NULL, 0) : 0,
			     DMAPEEK_A_BUFFER_TARGET_PROVIDER_ID,
			     (unsigned int)strtoul(argv[3], NULL, 0),
			     argc > 4 ? DMAPEEK_A_BUFFER_TIMEOUT_MS : 0,
			     argc > 4 ? (unsigned int)strtoul(argv[4], NULL, 0) : 0);
	}
	if (!strcmp(argv[1], "events") && argc >= 3)
		return events(atoi(argv[2]));
	if (!strcmp(argv[1], "race") && argc >= 7)
		return race(argv[2], (unsigned int)strtoul(argv[3], NULL, 0), atoi(argv[4]),
			    strtoull(argv[5], NULL, 0), atoi(argv[6]));
	if (!strcmp(argv[1], "export-loop") && argc >= 3)
		return export_loop(atoi(argv[2]));
	if (!strcmp(argv[1], "dump-loop") && argc >= 3)
		return dump_loop(atoi(argv[2]));
	if (!strcmp(argv[1], "move-race") && argc >= 5)
		return move_race((unsigned int)strtoul(argv[2], NULL, 0), argv[3],
				 (unsigned int)strtoul(argv[4], NULL, 0));
usage:
	fprintf(stderr, "usage: see the comment at the top of dp-export.c\n");
	return 2;
}
