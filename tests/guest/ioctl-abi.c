// SPDX-License-Identifier: GPL-2.0-only
/*
 * ioctl-abi: drive DMAPEEK_IOC_ABI_VERSION on /dev/dmapeek directly, with
 * good and bad arguments, and print one line per case with the errno seen:
 *
 *   ok 1.0 | short EINVAL | long-zero 1.0 | long-dirty E2BIG |
 *   flags EINVAL | unknown ENOTTY | badptr EFAULT |
 *   page-zero 1.0 | over-page E2BIG | max-size E2BIG |
 *   retired NAME ENOTTY (one per number retired in ABI 2.0: map, unmap,
 *   move, revoke, restore, audit)
 *
 * page-zero: a size of one page, the tail zero: the largest size taken.
 * over-page: one byte more, still zero: E2BIG, without reading it.
 * max-size: a size of 4 GiB - 1 on a one-page argument: E2BIG (a module
 * that checks the tail reads on to the end of the mapping: EFAULT).
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include <linux/dmapeek.h>

#include "lab-util.h"

/* netlink since ABI 2.0: these numbers answer ENOTTY, and stay unused */
static const struct {
	const char *name;
	unsigned int nr;
} retired[] = {
	{ "map", 0x84 }, { "unmap", 0x85 }, { "move", 0x86 },
	{ "revoke", 0x87 }, { "restore", 0x88 }, { "audit", 0x8a },
};

static int try(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) < 0 ? errno : 0;
}

int main(void)
{
	struct {
		struct dmapeek_abi_version v;
		unsigned char tail[16];
	} big;
	struct dmapeek_abi_version v, *pv;
	size_t page;
	void *p;
	int fd, e;

	fd = open("/dev/" DMAPEEK_DEVICE_NAME, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		printf("open %s\n", lab_errno_name(errno));
		return 1;
	}

	memset(&v, 0, sizeof(v));
	v.size = sizeof(v);
	e = try(fd, DMAPEEK_IOC_ABI_VERSION, &v);
	printf("ok %s %u.%u\n", lab_errno_name(e), v.major, v.minor);

	memset(&v, 0, sizeof(v));
	v.size = offsetof(struct dmapeek_abi_version, major);
	printf("short %s\n", lab_errno_name(try(fd, DMAPEEK_IOC_ABI_VERSION, &v)));

	memset(&big, 0, sizeof(big));
	big.v.size = sizeof(big);
	e = try(fd, DMAPEEK_IOC_ABI_VERSION, &big);
	printf("long-zero %s %u.%u\n", lab_errno_name(e), big.v.major, big.v.minor);

	memset(&big, 0, sizeof(big));
	big.v.size = sizeof(big);
	big.tail[3] = 1;
	printf("long-dirty %s\n", lab_errno_name(try(fd, DMAPEEK_IOC_ABI_VERSION, &big)));

	memset(&v, 0, sizeof(v));
	v.size = sizeof(v);
	v.flags = 1;
	printf("flags %s\n", lab_errno_name(try(fd, DMAPEEK_IOC_ABI_VERSION, &v)));

	printf("unknown %s\n", lab_errno_name(try(fd, _IO(DMAPEEK_TYPE, 0x7f), &v)));
	printf("badptr %s\n", lab_errno_name(try(fd, DMAPEEK_IOC_ABI_VERSION, (void *)8)));

	/* the numbers retired in ABI 2.0, with a well-formed id-op argument */
	for (e = 0; e < (int)(sizeof(retired) / sizeof(retired[0])); e++) {
		struct dmapeek_id_op op = { .size = sizeof(op), .id = 1 };

		printf("retired %s %s\n", retired[e].name,
		       lab_errno_name(try(fd, _IO(DMAPEEK_TYPE, retired[e].nr), &op)));
	}

	/* two zeroed pages, the second unmapped after the first tests */
	page = (size_t)sysconf(_SC_PAGESIZE);
	p = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		printf("mmap %s\n", lab_errno_name(errno));
		return 1;
	}
	pv = p;
	pv->size = (__u32)page;
	e = try(fd, DMAPEEK_IOC_ABI_VERSION, p);
	printf("page-zero %s %u.%u\n", lab_errno_name(e), pv->major, pv->minor);
	memset(p, 0, 2 * page);
	pv->size = (__u32)page + 1;
	printf("over-page %s\n", lab_errno_name(try(fd, DMAPEEK_IOC_ABI_VERSION, p)));
	munmap((char *)p + page, page);
	memset(p, 0, page);
	pv->size = 0xffffffffu;
	printf("max-size %s\n", lab_errno_name(try(fd, DMAPEEK_IOC_ABI_VERSION, p)));
	munmap(p, page);
	close(fd);
	return 0;
}
