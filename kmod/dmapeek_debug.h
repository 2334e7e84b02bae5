/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * dmapeek.ko's hooks into the test lab's debug knobs, built only with
 * configure --enable-debug-knobs (DMAPEEK_DEBUG_KNOBS in dmapeek_config.h):
 *
 *   dmapeek_debug.c   the audit_bar_* and mmio_bar_providers parameters
 *   dmapeek_bench.c   DMAPEEK_IOC_BENCH_MAP, the mapping paths timed
 *                     (linux/dmapeek-debug.h)
 *
 * The rest of the module never calls the debug code by name: at module
 * init dmapeek_debug_register() sets the importer's hooks and listens to
 * devices, and the mmio_bar_providers parameter sets a variable of
 * dmapeek_pci.c.  Without the option the registration is an empty inline,
 * the variable stays false and the ioctl is not in the table (ENOTTY): the
 * module users load has none of it.
 */
#ifndef _DMAPEEK_DEBUG_H
#define _DMAPEEK_DEBUG_H

#include "dmapeek.h"

#ifdef DMAPEEK_DEBUG_KNOBS

#include <linux/dmapeek-debug.h>

/*
 * Module init, before the PCI driver registers (dmapeek_main.c): hook the
 * audit_bar_* mappings into the importer's map and unmap
 * (dmapeek_import_hooks) and listen to devices, to drop the debug mappings
 * of a device's BARs before they go.  Module exit: undo, after the driver
 * unregistered.
 */
void dmapeek_debug_register(void);
void dmapeek_debug_unregister(void);

/* dmapeek_bench.c: DMAPEEK_IOC_BENCH_MAP (CAP_SYS_ADMIN) */
int dmapeek_ioc_bench_map(struct dmapeek_file *df, void *arg);

#else /* !DMAPEEK_DEBUG_KNOBS */

static inline void dmapeek_debug_register(void) { }
static inline void dmapeek_debug_unregister(void) { }

#endif /* DMAPEEK_DEBUG_KNOBS */

#endif /* _DMAPEEK_DEBUG_H */
