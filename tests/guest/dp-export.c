// SPDX-License-Identifier: GPL-2.0-only
/*
 * dp's exporter (the commands are listed in dp.c): "dp export" exports a
 * buffer with DMAPEEK_IOC_EXPORT and answers commands about it from stdin,
 * "dp try" and "dp try-raw" try one export; the ioctl helpers the racers
 * (dp-race.c) share.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <dirent.h>
#include <unistd.h>

#include <linux/dmapeek.h>

#include "dp.h"
#include "lab-util.h"
#include "nl-op.h"

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

int dp_dev_fd(void)
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

int dp_do_export(int dfd, int argc, char **argv, struct dmapeek_export *e)
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

void *dp_map_buf(int fd, size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

	return p == MAP_FAILED ? NULL : p;
}

/* DMAPEEK_IOC_IMPORT of the buffer @fd; 0 and *@id, or -errno. */
int dp_import(int dfd, int fd, unsigned int dev, unsigned int flags,
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

int dp_id_op(int dfd, unsigned long req, unsigned int id)
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
			uint64_t *p = dp_map_buf(fd, size), s = a | 1, sum = 0;
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
			ret = dp_import(dfd, fd, a, b, c, d, &id);
			if (!ret) {
				printf("ok attachment=%u\n", id);
				fflush(stdout);
				continue;
			}
		} else if (!strcmp(cmd, "attach-map")) {
			/* many importers at once: a shell round trip each is slow */
			printf("ok ids=");
			for (i = 0; i < (int)a && !ret; i++) {
				ret = dp_import(dfd, fd, b, c, d, 0, &id);
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
			ret = dp_id_op(dfd, DMAPEEK_IOC_DETACH, a);
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


/* ------------------------------------------------------------- commands */

int cmd_export(int argc, char **argv)
{
	struct dmapeek_export e;
	int dfd = dp_dev_fd(), ret;

	ret = dp_do_export(dfd, argc - 1, argv + 1, &e);
	if (ret) {
		printf("err %s\n", lab_errno_name(-ret));
		return 1;
	}
	return serve(dfd, e.fd, &e);
}

int cmd_try(int argc, char **argv)
{
	struct dmapeek_export e;
	int dfd = dp_dev_fd(), ret;

	ret = dp_do_export(dfd, argc - 1, argv + 1, &e);
	printf("%s\n", ret ? lab_errno_name(-ret) : "ok");
	if (!ret) {
		/* close-on-exec must be set */
		if (!(fcntl(e.fd, F_GETFD) & FD_CLOEXEC))
			printf("no-cloexec\n");
	}
	return 0;
}

int cmd_try_raw(int argc, char **argv)
{
	struct dmapeek_export e;
	int dfd, ret, i;

	memset(&e, 0, sizeof(e));
	e.size = sizeof(e);
	for (i = 1; i < argc; i++) {
		char *v = strchr(argv[i], '=');
		unsigned long long x;

		if (!v)
			dp_usage();
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
		else dp_usage();
	}
	dfd = dp_dev_fd();
	ret = ioctl(dfd, DMAPEEK_IOC_EXPORT, &e) ? -errno : 0;
	printf("%s\n", ret ? lab_errno_name(-ret) : "ok");
	return 0;
}
