/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * dmapeek.ko's hooks into the test lab's debug knobs, built only with
 * configure --enable-debug-knobs (DMAPEEK_DEBUG_KNOBS in dmapeek_config.h):
 *
 *   dmapeek_debug.c   the audit_bar_* and mmio_bar_providers parameters
 *   dmapeek_bench.c   DMAPEEK_IOC_BENCH_MAP, the mapping paths timed
 *                     (linux/dmapeek-debug.h)
 *
 * Without the option every hook is an empty inline (or answers as the
 * production module behaves) and the ioctl is not in the table (ENOTTY):
 * the module users load has none of it.
 */
#ifndef _DMAPEEK_DEBUG_H
#define _DMAPEEK_DEBUG_H

#include "dmapeek.h"

struct dmapeek_imp;

#ifdef DMAPEEK_DEBUG_KNOBS

#include <linux/dmapeek-debug.h>

/*
 * An import was just mapped (its sg table is new): with audit_bar_* set,
 * also map that BAR provider's ranges for the import's device.  The
 * caller holds the import's lock and the buffer's reservation lock.
 */
void dmapeek_debug_import_map(struct dmapeek_imp *imp);
/* The import unmaps: undo the above.  The reservation lock is held. */
void dmapeek_debug_import_unmap(struct dmapeek_imp *imp);
/*
 * @ddev goes away: drop every debug mapping of its BARs before they go.
 * No lock held; the caller has marked its providers gone.
 */
void dmapeek_debug_device_gone(struct dmapeek_device *ddev);
/* mmio_bar_providers: may a non-prefetchable BAR be a provider? */
bool dmapeek_debug_mmio_bar_providers(void);

/* dmapeek_bench.c: DMAPEEK_IOC_BENCH_MAP (CAP_SYS_ADMIN) */
int dmapeek_ioc_bench_map(struct dmapeek_file *df, void *arg);

#else /* !DMAPEEK_DEBUG_KNOBS */

static inline void dmapeek_debug_import_map(struct dmapeek_imp *imp) { }
static inline void dmapeek_debug_import_unmap(struct dmapeek_imp *imp) { }
static inline void dmapeek_debug_device_gone(struct dmapeek_device *ddev) { }
/* Register space is never a provider of the production module. */
static inline bool dmapeek_debug_mmio_bar_providers(void)
{
	return false;
}

#endif /* DMAPEEK_DEBUG_KNOBS */

#endif /* _DMAPEEK_DEBUG_H */
