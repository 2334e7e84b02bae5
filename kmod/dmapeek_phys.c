// SPDX-License-Identifier: GPL-2.0-only
/*
 * dmapeek: the exporters that offer the physical ranges of their dma-bufs
 * to dmapeek's importer, and the importer's questions to them (see
 * dmapeek_phys.h).
 */
#include <linux/dma-buf.h>
#include <linux/list.h>

#include "dmapeek.h"
#include "dmapeek_phys.h"

/* Changes only at module init and exit: see dmapeek_phys.h. */
static LIST_HEAD(dmapeek_phys_exporters);

void dmapeek_phys_offer(struct dmapeek_phys_exporter *e)
{
	list_add_tail(&e->node, &dmapeek_phys_exporters);
}

void dmapeek_phys_withdraw(struct dmapeek_phys_exporter *e)
{
	list_del(&e->node);
}

static struct dmapeek_phys_exporter *dmapeek_phys_find(const struct dma_buf *dmabuf)
{
	struct dmapeek_phys_exporter *e;

	list_for_each_entry(e, &dmapeek_phys_exporters, node)
		if (e->owns(dmabuf))
			return e;
	return NULL;
}

bool dmapeek_phys_offered(const struct dma_buf *dmabuf)
{
	return dmapeek_phys_find(dmabuf);
}

int dmapeek_phys_get(struct dma_buf *dmabuf, struct phys_vec **vec, u32 *nr,
		     struct dmapeek_provider **prov)
{
	struct dmapeek_phys_exporter *e = dmapeek_phys_find(dmabuf);

	if (!e)
		return -EOPNOTSUPP;
	return e->get(dmabuf, vec, nr, prov);
}

bool dmapeek_phys_must_unmap(struct dma_buf *dmabuf)
{
	struct dmapeek_phys_exporter *e = dmapeek_phys_find(dmabuf);

	return e && e->must_unmap(dmabuf);
}
