/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * dmapeek.ko's hooks into the test lab's debug knobs, built only with
 * configure --enable-debug-knobs (DMAPEEK_DEBUG_KNOBS in dmapeek_config.h):
 *
 *   dmapeek_bench.c   DMAPEEK_IOC_BENCH_MAP, the mapping paths timed
 *                     (linux/dmapeek-debug.h)
 *
 * Without the option the hooks are empty inlines and the ioctl is not in
 * the table (ENOTTY): the module users load has none of it.
 */
#ifndef _DMAPEEK_DEBUG_H
#define _DMAPEEK_DEBUG_H

#include "dmapeek.h"

#ifdef DMAPEEK_DEBUG_KNOBS

#include <linux/dmapeek-debug.h>

/* dmapeek_bench.c: DMAPEEK_IOC_BENCH_MAP (CAP_SYS_ADMIN) */
int dmapeek_ioc_bench_map(struct dmapeek_file *df, void *arg);

#endif /* DMAPEEK_DEBUG_KNOBS */

#endif /* _DMAPEEK_DEBUG_H */
