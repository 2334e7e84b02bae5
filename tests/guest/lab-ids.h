/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The lab objects the guest helpers set up their scenes with, found
 * through libdmapeek: the system memory provider and the edu client.
 */
#ifndef DMAPEEK_TESTS_LAB_IDS_H
#define DMAPEEK_TESTS_LAB_IDS_H

#include <dmapeek.h>

/* The system memory provider's id, 0 if the module lists none. */
static inline uint32_t lab_system_provider(struct dmapeek *ctx)
{
	struct dmapeek_provider *p;

	dmapeek_for_each_provider(ctx, p) {
		if (dmapeek_provider_kind(p) == DMAPEEK_PROVIDER_KIND_SYSTEM) {
			uint32_t id = dmapeek_provider_id(p);

			dmapeek_iter_end(p);
			return id;
		}
	}
	return 0;
}

/* The device id of QEMU's edu DMA engine, 0 if it is not bound. */
static inline uint32_t lab_edu_device(struct dmapeek *ctx)
{
	struct dmapeek_device *d;

	dmapeek_for_each_device(ctx, d) {
		if (dmapeek_device_vendor(d) == 0x1234) {
			uint32_t id = dmapeek_device_id(d);

			dmapeek_iter_end(d);
			return id;
		}
	}
	return 0;
}

#endif
