/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * dmapeek: the interface through which an exporter offers the physical
 * ranges behind its dma-bufs to dmapeek's importer (dmapeek_phys.c).
 *
 * An importer must not read the CPU side (pages) of another exporter's sg
 * table.  An exporter that wants its memory mapped by the importer's own
 * paths as well (two-step IOVA link, dma_map_phys(), the audit's record of
 * physical ranges) registers a struct dmapeek_phys_exporter; the importer
 * asks through the functions below and never names an exporter or reads
 * its buffers.  dmapeek's exporter (dmapeek_export.c) is the only one today.
 *
 * What offering promises besides the ranges:
 *  - the exporter sends the events of its attachments' transitions itself
 *    (see "DOC: dmapeek events"), so the importer sends none for them;
 *  - it never waits for an unmap without bound after an invalidation, so
 *    the importer may simulate a misbehaving importer on its buffers; when
 *    the memory goes for good, ->must_unmap says so and the importer unmaps
 *    inside the invalidation.
 *
 * Exporters register at module init, before /dev/dmapeek and the netlink
 * family exist, and leave at module exit, after them (dmapeek_main.c): the
 * list changes while nothing can read it, and needs no lock.
 */
#ifndef _DMAPEEK_PHYS_H
#define _DMAPEEK_PHYS_H

#include <linux/dma-buf.h>
#include <linux/list.h>
#include <linux/types.h>

struct dmapeek_provider;
struct phys_vec;

/**
 * struct dmapeek_phys_exporter - an exporter that offers its ranges
 * @name: the exporter, for the reader
 * @owns: whether @dmabuf is one of this exporter's (any context)
 * @get: the current backing of @dmabuf as CPU physical ranges, kvmalloc'ed
 *	(the caller kvfree()s *@vec), and the provider they come from; the
 *	caller holds the reservation lock, and the ranges and the provider
 *	stay valid until it drops it.  -ENODEV: revoked; -ENOMEM.
 * @must_unmap: inside an invalidation of @dmabuf (reservation lock held):
 *	the memory goes away for good, so even an importer that would keep
 *	its mapping must unmap now
 * @node: on the list of exporters (dmapeek_phys.c)
 */
struct dmapeek_phys_exporter {
	const char *name;
	bool (*owns)(const struct dma_buf *dmabuf);
	int (*get)(struct dma_buf *dmabuf, struct phys_vec **vec, u32 *nr,
		   struct dmapeek_provider **prov);
	bool (*must_unmap)(struct dma_buf *dmabuf);
	struct list_head node;
};

void dmapeek_phys_offer(struct dmapeek_phys_exporter *e);
void dmapeek_phys_withdraw(struct dmapeek_phys_exporter *e);

/* Whether some registered exporter offers the ranges of @dmabuf. */
bool dmapeek_phys_offered(const struct dma_buf *dmabuf);
/* Its ->get; -EOPNOTSUPP when no exporter offers @dmabuf. */
int dmapeek_phys_get(struct dma_buf *dmabuf, struct phys_vec **vec, u32 *nr,
		     struct dmapeek_provider **prov);
/* Its ->must_unmap; false when no exporter offers @dmabuf. */
bool dmapeek_phys_must_unmap(struct dma_buf *dmabuf);

#endif /* _DMAPEEK_PHYS_H */
