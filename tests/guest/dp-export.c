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
 *	(attach/map/unmap/detach: dmapeek's importer, DMAPEEK_IOC_IMPORT,
 *	MAP, UNMAP and DETACH on the same /dev/dmapeek file: its imports go
 *	when the process exits; FLAGS are DMAPEEK_IMPORT_*, BEHAVIOUR 1
 *	normal, 2 never-unmap, 3 delayed-unmap by DELAY_MS)
 *   dp-export try PROV SIZE|RANGES MODEL [NAME]   print "ok" or the errno name
 *   dp-export try-raw FIELD=VALUE...              EXPORT with raw fields
 *   dp-export dump buffers|attachments [FILTER]  one line per object
 *   dp-export get buffer|attachment ID
 *   dp-export revoke BUF MS | restore BUF | move BUF PROV [MS]   (netlink)
 *   dp-export events SECONDS                     print events heard
 *
 * MODEL is pinned, movable or revocable.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
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

#include "nl-sock.h"

static const char *ename(int e)
{
	switch (e) {
	case EINVAL: return "EINVAL";
	case ENOENT: return "ENOENT";
	case ENODEV: return "ENODEV";
	case EBUSY: return "EBUSY";
	case ENOSPC: return "ENOSPC";
	case ERANGE: return "ERANGE";
	case EOVERFLOW: return "EOVERFLOW";
	case E2BIG: return "E2BIG";
	case EFAULT: return "EFAULT";
	case EPERM: return "EPERM";
	case EACCES: return "EACCES";
	case ENOMEM: return "ENOMEM";
	case EOPNOTSUPP: return "EOPNOTSUPP";
	case EALREADY: return "EALREADY";
	case ENAMETOOLONG: return "ENAMETOOLONG";
	case ETIMEDOUT: return "ETIMEDOUT";
	case ENOTTY: return "ENOTTY";
	case ENXIO: return "ENXIO";
	case ESTALE: return "ESTALE";
	case EBADF: return "EBADF";
	case EINTR: return "EINTR";
	case EMSGSIZE: return "EMSGSIZE";
	default: return "E?";
	}
}

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
		printf("err %s\n", ename(errno));
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

static uint64_t xs(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

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
	printf("ok ret=%s new_fds=%d\n", ret ? ename(ret) : "0",
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
						p[n] = xs(&s);
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
					ret = id_op(dfd, DMAPEEK_IOC_MAP, id);
				if (!ret)
					printf("%s%u", i ? "," : "", id);
			}
			printf(" made=%d%s%s\n", ret ? i - 1 : i, ret ? " err=" : "",
			       ret ? ename(-ret) : "");
			fflush(stdout);
			continue;
		} else if (!strcmp(cmd, "map")) {
			ret = id_op(dfd, DMAPEEK_IOC_MAP, a);
		} else if (!strcmp(cmd, "unmap")) {
			ret = id_op(dfd, DMAPEEK_IOC_UNMAP, a);
		} else if (!strcmp(cmd, "detach")) {
			ret = id_op(dfd, DMAPEEK_IOC_DETACH, a);
		} else if (!strcmp(cmd, "revoke")) {
			struct dmapeek_revoke r = { .size = sizeof(r), .buffer_id = a,
						    .timeout_ms = b };

			ret = ioctl(dfd, DMAPEEK_IOC_REVOKE, &r) ? -errno : 0;
			if (!ret) {
				printf("ok attachments=%u stuck=%u duration_ns=%llu\n",
				       r.attachments, r.stuck,
				       (unsigned long long)r.duration_ns);
				fflush(stdout);
				continue;
			}
		} else if (!strcmp(cmd, "restore")) {
			struct dmapeek_id_op r = { .size = sizeof(r), .id = a };

			ret = ioctl(dfd, DMAPEEK_IOC_RESTORE, &r) ? -errno : 0;
		} else if (!strcmp(cmd, "move")) {
			struct dmapeek_move m = { .size = sizeof(m), .buffer_id = a,
						  .provider_id = b, .timeout_ms = c };

			ret = ioctl(dfd, DMAPEEK_IOC_MOVE, &m) ? -errno : 0;
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
			printf("err %s\n", ename(-ret));
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

		if (t > max || !names[t].name)
			continue;
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

static int err_cb(struct sockaddr_nl *nla __attribute__((unused)), struct nlmsgerr *err,
		  void *arg __attribute__((unused)))
{
	nl_err = err->error;
	nl_done = 1;
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
		printf("err %s\n", ename(-nl_err));
		return 1;
	}
	if (err < 0) {
		printf("err %s\n", nl_geterror(err));
		return 1;
	}
	return 0;
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

int main(int argc, char **argv)
{
	struct dmapeek_export e;
	int dfd, ret;

	if (argc < 2)
		goto usage;
	if (!strcmp(argv[1], "export") && argc >= 5) {
		dfd = dev_fd();
		ret = do_export(dfd, argc - 2, argv + 2, &e);
		if (ret) {
			printf("err %s\n", ename(-ret));
			return 1;
		}
		return serve(dfd, e.fd, &e);
	}
	if (!strcmp(argv[1], "try") && argc >= 5) {
		dfd = dev_fd();
		ret = do_export(dfd, argc - 2, argv + 2, &e);
		printf("%s\n", ret ? ename(-ret) : "ok");
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
		printf("%s\n", ret ? ename(-ret) : "ok");
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
	if (!strcmp(argv[1], "revoke") && argc >= 4)
		return nl_request(DMAPEEK_CMD_BUFFER_REVOKE, 0, revoke_attrs,
				  DMAPEEK_A_REVOKE_MAX, "revoke",
				  DMAPEEK_A_REVOKE_BUFFER_ID,
				  (unsigned int)strtoul(argv[2], NULL, 0),
				  DMAPEEK_A_REVOKE_TIMEOUT_MS,
				  (unsigned int)strtoul(argv[3], NULL, 0), 0);
	if (!strcmp(argv[1], "restore") && argc >= 3) {
		ret = nl_request(DMAPEEK_CMD_BUFFER_RESTORE, 0, buffer_attrs,
				 DMAPEEK_A_BUFFER_MAX, "restore", DMAPEEK_A_BUFFER_ID,
				 (unsigned int)strtoul(argv[2], NULL, 0), 0);
		if (!ret)
			printf("ok\n");
		return ret;
	}
	if (!strcmp(argv[1], "move") && argc >= 4) {
		ret = nl_request(DMAPEEK_CMD_BUFFER_MOVE, 0, buffer_attrs,
				 DMAPEEK_A_BUFFER_MAX, "move", DMAPEEK_A_BUFFER_ID,
				 (unsigned int)strtoul(argv[2], NULL, 0),
				 DMAPEEK_A_BUFFER_TARGET_PROVIDER_ID,
				 (unsigned int)strtoul(argv[3], NULL, 0), 0);
		if (!ret)
			printf("ok\n");
		return ret;
	}
	if (!strcmp(argv[1], "events") && argc >= 3)
		return events(atoi(argv[2]));
usage:
	fprintf(stderr, "usage: see the comment at the top of dp-export.c\n");
	return 2;
}
