/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The allocation-failure campaign's side of the guest tools (fuzz-ioctl,
 * fuzz-nl and "dp import" with --failslab; t-failslab.sh configures the
 * kernel's failslab and fail_page_alloc for tasks with
 * /proc/PID/make-it-fail set, and only those).
 *
 * A tool sets make-it-fail on itself only for the system calls under test
 * (fi_begin() before, fi_end() after): its own start-up, libdmapeek, its
 * output and its user-space code between those calls run without injected
 * failures.  Inside a call, the kernel may touch user memory that is not
 * yet present (a first touch, a stack page not used before): the page
 * fault's allocations would fail too and the call report EFAULT, which is
 * not what the campaign tests.  So fi_setup() prefaults a stack area and
 * the tools prefault their buffers (fi_prefault()) before the campaign.
 *
 * And one kernel quirk: DMA-API debugging tracks the cachelines of every
 * DMA_BIDIRECTIONAL/FROM_DEVICE mapping in a radix tree it fills with
 * GFP_ATOMIC allocations; when one fails (an injected failure in a task
 * with make-it-fail, while it maps) it falls back to the per-CPU radix-tree
 * preload pool, and when that is empty too it prints "DMA-API: cacheline
 * tracking ENOMEM, dma-debug disabled" and stays off for the rest of the
 * boot (kernel/dma/debug.c: add_dma_entry).  The pool is topped up by
 * idr_preload() on that CPU; so a tool pins itself to one CPU and, before
 * every call under test, creates and removes a SysV semaphore set
 * (ipc_addid() calls idr_preload()) with injection off: the call then has
 * a full pool (11 nodes) for the few cachelines it inserts.
 */
#ifndef DMAPEEK_FAILSLAB_H
#define DMAPEEK_FAILSLAB_H

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/ipc.h>
#include <sys/sem.h>

struct failslab {
	int on;			/* --failslab given */
	int fd;			/* /proc/self/make-it-fail */
	int cpu;		/* where the tool runs */
	int depth;		/* nested fi_begin() */
	unsigned long long calls;	/* calls made with injection on */
};

static struct failslab fi = { .fd = -1, .cpu = -1 };

/* Fault in @len bytes at @p (writes: private pages get their own copy). */
static inline void fi_prefault(void *p, size_t len)
{
	volatile unsigned char *c = p;
	size_t i;

	for (i = 0; i < len; i += 4096)
		c[i] = c[i];
	if (len)
		c[len - 1] = c[len - 1];
}

static __attribute__((noinline)) void fi_prefault_stack(void)
{
	unsigned char area[256 << 10];

	fi_prefault(area, sizeof(area));
	__asm__ volatile("" : : "r"(area) : "memory");
}

static inline void fi_topup(void)
{
	int id = semget(IPC_PRIVATE, 1, IPC_CREAT | 0600);

	if (id >= 0)
		semctl(id, 0, IPC_RMID);
}

/* Ready the tool for the campaign; -1 (and a message) when it cannot be. */
static inline int fi_setup(const char *tool)
{
	cpu_set_t set;
	int id;

	fi.fd = open("/proc/self/make-it-fail", O_WRONLY | O_CLOEXEC);
	if (fi.fd < 0) {
		printf("%s: /proc/self/make-it-fail: %s (a kernel without "
		       "CONFIG_FAULT_INJECTION)\n", tool, strerror(errno));
		return -1;
	}
	fi.cpu = sched_getcpu();
	CPU_ZERO(&set);
	CPU_SET(fi.cpu, &set);
	if (fi.cpu < 0 || sched_setaffinity(0, sizeof(set), &set)) {
		printf("%s: cannot pin to CPU %d: %s\n", tool, fi.cpu, strerror(errno));
		return -1;
	}
	id = semget(IPC_PRIVATE, 1, IPC_CREAT | 0600);
	if (id < 0) {
		printf("%s: semget: %s (needed to keep DMA-API debugging on, "
		       "see failslab.h)\n", tool, strerror(errno));
		return -1;
	}
	semctl(id, 0, IPC_RMID);
	fi_prefault_stack();
	fi.on = 1;
	printf("failslab: make-it-fail around the calls under test, pinned to CPU %d\n",
	       fi.cpu);
	return 0;
}

static inline void fi_set(int v)
{
	if (write(fi.fd, v ? "1" : "0", 1) != 1) {
		fprintf(stderr, "make-it-fail: %s\n", strerror(errno));
		_exit(3);
	}
}

/* Injection on for the next call (errno is kept across fi_end()). */
static inline void fi_begin(void)
{
	if (!fi.on || fi.depth++)
		return;
	fi_topup();
	fi.calls++;
	fi_set(1);
}

static inline void fi_end(void)
{
	int e = errno;

	if (!fi.on || --fi.depth)
		return;
	fi_set(0);
	errno = e;
}

#endif
