// SPDX-License-Identifier: GPL-2.0-only
/*
 * dmapeek: the IOVA audit.
 *
 * Walk every range of a mapping page by page through its device's IOMMU
 * domain (iommu_iova_to_phys()) and compare each translation with the
 * physical address the range must reach.  A page that translates elsewhere
 * is a mismatch, one that does not translate is a hole.  Where no IOMMU
 * translates (no domain, an identity domain) the DMA address itself must
 * equal the physical address: result "direct".  Ranges whose physical
 * address dmapeek does not know (a foreign exporter's sg table without
 * pages) cannot be checked.  The exporter's own system-memory sg mapping is
 * checked page by page against its pages even where the IOMMU merged its
 * segments into fewer IOVA runs.
 *
 * The walk runs under dmapeek_lock, which keeps the mapping (and so its
 * IOVA) alive: unmapping unregisters the mapping under that lock first.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/iommu.h>
#include <linux/sched.h>
#include <linux/scatterlist.h>
#include <net/genetlink.h>

#include "dmapeek.h"
#include "dmapeek-nl-gen.h"

#define DMAPEEK_AUDIT_REPORT	8

struct dmapeek_audit_res {
	u32 result;
	u32 domain_type;
	u64 pages;
	u64 mismatches;
	u64 holes;
	u32 nr_report;
	struct {
		u64 iova;
		u64 expected;
		u64 actual;
	} report[DMAPEEK_AUDIT_REPORT];
};

static void dmapeek_audit_note(struct dmapeek_audit_res *res, u64 iova, u64 expected,
			       u64 actual)
{
	if (actual)
		res->mismatches++;
	else
		res->holes++;
	if (res->nr_report < DMAPEEK_AUDIT_REPORT) {
		res->report[res->nr_report].iova = iova;
		res->report[res->nr_report].expected = expected;
		res->report[res->nr_report].actual = actual;
		res->nr_report++;
	}
}

/*
 * A system-memory sg mapping whose DMA segments merged (the IOMMU packed
 * several CPU segments into one IOVA run): no range has one physical
 * address, so walk both sides in step.  The exporter builds its table from
 * whole pages at offset 0, and iommu-dma lays such segments back to back in
 * IOVA space, so page N of the CPU side is page N of the DMA stream.
 * Anything else (a partial page, lengths that differ) is left unchecked.
 */
static void dmapeek_audit_merged(const struct dmapeek_mapping *m,
				 struct iommu_domain *dom, bool translates,
				 struct dmapeek_audit_res *res)
{
	struct sg_page_iter piter;
	struct scatterlist *sg;
	u64 cpu_len = 0, dma_len = 0, roff = 0;
	u32 i, r = 0;

	for_each_sgtable_sg(m->cpu_sgt, sg, i) {
		if (sg->offset || !PAGE_ALIGNED(sg->length))
			return;
		cpu_len += sg->length;
	}
	for (i = 0; i < m->nr_ranges; i++) {
		if (!PAGE_ALIGNED(m->ranges[i].len))
			return;
		dma_len += m->ranges[i].len;
	}
	if (cpu_len != dma_len)
		return;

	for_each_sgtable_page(m->cpu_sgt, &piter, 0) {
		u64 expected = page_to_phys(sg_page_iter_page(&piter));
		u64 iova, actual;

		while (r < m->nr_ranges && roff == m->ranges[r].len) {
			r++;
			roff = 0;
		}
		if (r == m->nr_ranges)
			break;
		iova = m->ranges[r].addr + roff;
		actual = translates ? iommu_iova_to_phys(dom, iova) : iova;
		if (actual != expected)
			dmapeek_audit_note(res, iova, expected, actual);
		roff += PAGE_SIZE;
		res->pages++;
		if (!(res->pages & 1023))
			cond_resched();
	}
}

static int dmapeek_audit_run(u32 id, struct dmapeek_audit_res *res)
{
	struct iommu_domain *dom;
	struct dmapeek_mapping *m;
	bool translates;
	u64 unchecked = 0;
	u32 i;

	memset(res, 0, sizeof(*res));
	mutex_lock(&dmapeek_lock);
	m = xa_load(&dmapeek_mappings.xa, id);
	if (!m) {
		mutex_unlock(&dmapeek_lock);
		return -ENOENT;
	}
	dom = iommu_get_domain_for_dev(m->dev);
	res->domain_type = dmapeek_iommu_domain_type(dom);
	translates = dmapeek_iommu_domain_translates(dom);

	if (m->cpu_sgt)
		dmapeek_audit_merged(m, dom, translates, res);
	for (i = 0; !m->cpu_sgt && i < m->nr_ranges; i++) {
		const struct dmapeek_map_range *r = &m->ranges[i];
		u64 off, step;

		if (!r->phys || r->kind == DMAPEEK_ADDR_KIND_BUS) {
			unchecked += r->len;
			continue;
		}
		for (off = 0; off < r->len; off += step) {
			u64 iova = r->addr + off;
			u64 expected = r->phys + off;
			u64 actual;

			step = min_t(u64, PAGE_SIZE - offset_in_page(iova), r->len - off);
			if (translates)
				actual = iommu_iova_to_phys(dom, iova);
			else
				actual = iova;
			if (actual != expected)
				dmapeek_audit_note(res, iova, expected, actual);
			res->pages++;
			if (!(res->pages & 1023))
				cond_resched();
		}
	}
	mutex_unlock(&dmapeek_lock);

	if (!res->pages)
		res->result = DMAPEEK_AUDIT_RESULT_NOT_CHECKABLE;
	else if (res->mismatches || res->holes)
		res->result = DMAPEEK_AUDIT_RESULT_MISMATCH;
	else if (!translates)
		res->result = DMAPEEK_AUDIT_RESULT_DIRECT;
	else
		res->result = DMAPEEK_AUDIT_RESULT_OK;
	return 0;
}

int dmapeek_ioc_audit(struct dmapeek_file *df, void *arg)
{
	struct dmapeek_audit *a = arg;
	struct dmapeek_audit_res *res;
	int ret;

	if (a->flags || a->result || a->pages || a->mismatches || a->holes)
		return -EINVAL;
	res = kmalloc_obj(*res);
	if (!res)
		return -ENOMEM;
	ret = dmapeek_audit_run(a->mapping_id, res);
	if (!ret) {
		a->result = res->result;
		a->pages = res->pages;
		a->mismatches = res->mismatches;
		a->holes = res->holes;
	}
	kfree(res);
	return ret;
}

int dmapeek_nl_mapping_audit_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct dmapeek_audit_res *res;
	struct sk_buff *rsp;
	struct nlattr *nest;
	void *hdr;
	u32 id, i;
	int ret;

	ret = dmapeek_nl_need_admin(skb, info);
	if (ret)
		return ret;
	if (GENL_REQ_ATTR_CHECK(info, DMAPEEK_A_AUDIT_MAPPING_ID))
		return -EINVAL;
	id = nla_get_u32(info->attrs[DMAPEEK_A_AUDIT_MAPPING_ID]);
	res = kmalloc_obj(*res);
	if (!res)
		return -ENOMEM;
	ret = dmapeek_audit_run(id, res);
	if (ret) {
		NL_SET_ERR_MSG_ATTR_FMT(info->extack,
					info->attrs[DMAPEEK_A_AUDIT_MAPPING_ID],
					"no mapping with id %u", id);
		goto out;
	}
	ret = -ENOMEM;
	rsp = genlmsg_new(GENLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!rsp)
		goto out;
	ret = -EMSGSIZE;
	hdr = genlmsg_iput(rsp, info);
	if (!hdr)
		goto err_free;
	if (nla_put_u32(rsp, DMAPEEK_A_AUDIT_MAPPING_ID, id) ||
	    nla_put_u32(rsp, DMAPEEK_A_AUDIT_RESULT, res->result) ||
	    nla_put_u32(rsp, DMAPEEK_A_AUDIT_DOMAIN_TYPE, res->domain_type) ||
	    nla_put_uint(rsp, DMAPEEK_A_AUDIT_PAGES, res->pages) ||
	    nla_put_uint(rsp, DMAPEEK_A_AUDIT_MISMATCHES, res->mismatches) ||
	    nla_put_uint(rsp, DMAPEEK_A_AUDIT_HOLES, res->holes))
		goto err_free;
	/* mapping-audit is admin-perm: the addresses may be shown. */
	for (i = 0; i < res->nr_report; i++) {
		nest = nla_nest_start(rsp, DMAPEEK_A_AUDIT_MISMATCH);
		if (!nest ||
		    nla_put_uint(rsp, DMAPEEK_A_AUDIT_MISMATCH_IOVA, res->report[i].iova) ||
		    nla_put_uint(rsp, DMAPEEK_A_AUDIT_MISMATCH_EXPECTED,
				 res->report[i].expected) ||
		    nla_put_uint(rsp, DMAPEEK_A_AUDIT_MISMATCH_ACTUAL,
				 res->report[i].actual))
			goto err_free;
		nla_nest_end(rsp, nest);
	}
	genlmsg_end(rsp, hdr);
	ret = genlmsg_reply(rsp, info);
	goto out;

err_free:
	nlmsg_free(rsp);
out:
	kfree(res);
	return ret;
}
