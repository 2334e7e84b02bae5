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
 * The mapping is looked up under dmapeek_lock, which is then dropped: an
 * audit of a large mapping must not hold up every other dmapeek operation.
 * What keeps the mapping (its record and its IOVA, and so the device's
 * domain) alive during the walk is its count of audits, taken under the
 * lock: unmapping unregisters the mapping first, and that waits for the
 * audits, which see the mapping gone at their next page and give up
 * (ENOENT).  The walk lets others run every DMAPEEK_AUDIT_BATCH pages and
 * gives up when the caller is killed (EINTR).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/iommu.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/scatterlist.h>
#include <linux/wait_bit.h>
#include <net/genetlink.h>

#include "dmapeek.h"
#include "dmapeek-nl-gen.h"

struct dmapeek_audit_res {
	bool gone;
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
	} report[DMAPEEK_AUDIT_MAX_MISMATCHES];
};

static void dmapeek_audit_note(struct dmapeek_audit_res *res, u64 iova, u64 expected,
			       u64 actual)
{
	if (actual)
		res->mismatches++;
	else
		res->holes++;
	if (res->nr_report < DMAPEEK_AUDIT_MAX_MISMATCHES) {
		res->report[res->nr_report].iova = iova;
		res->report[res->nr_report].expected = expected;
		res->report[res->nr_report].actual = actual;
		res->nr_report++;
	}
}

/*
 * After each page: 0 to go on, -ENOENT when the mapping is being torn down
 * (its owner waits for us), -EINTR when the caller is killed.
 */
static int dmapeek_audit_next(const struct dmapeek_mapping *m,
			      struct dmapeek_audit_res *res)
{
	res->pages++;
	if (READ_ONCE(m->gone)) {
		res->gone = true;
		return -ENOENT;
	}
	if (!(res->pages % DMAPEEK_AUDIT_BATCH)) {
		if (fatal_signal_pending(current))
			return -EINTR;
		cond_resched();
	}
	return 0;
}

/*
 * A system-memory sg mapping whose DMA segments merged (the IOMMU packed
 * several CPU segments into one IOVA run): no range has one physical
 * address, so walk both sides in step.  The exporter builds its table from
 * whole pages at offset 0, and iommu-dma lays such segments back to back in
 * IOVA space, so page N of the CPU side is page N of the DMA stream.
 * Anything else (a partial page, lengths that differ) is left unchecked.
 */
static int dmapeek_audit_merged(const struct dmapeek_mapping *m,
				struct iommu_domain *dom, bool translates,
				struct dmapeek_audit_res *res)
{
	struct sg_page_iter piter;
	struct scatterlist *sg;
	u64 cpu_len = 0, dma_len = 0, roff = 0;
	u32 i, r = 0;
	int ret;

	for_each_sgtable_sg(m->cpu_sgt, sg, i) {
		if (sg->offset || !PAGE_ALIGNED(sg->length))
			return 0;
		cpu_len += sg->length;
	}
	for (i = 0; i < m->nr_ranges; i++) {
		if (!PAGE_ALIGNED(m->ranges[i].len))
			return 0;
		dma_len += m->ranges[i].len;
	}
	if (cpu_len != dma_len)
		return 0;

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
		actual = translates ? iommu_iova_to_phys(dom, iova) :
				      dmapeek_dma_to_phys(m->dev, iova);
		if (actual != expected)
			dmapeek_audit_note(res, iova, expected, actual);
		roff += PAGE_SIZE;
		ret = dmapeek_audit_next(m, res);
		if (ret)
			return ret;
	}
	return 0;
}

/* Every range of @m page by page; no lock held, @m counted in its audits. */
static int dmapeek_audit_walk(const struct dmapeek_mapping *m,
			      struct iommu_domain *dom, bool translates,
			      struct dmapeek_audit_res *res)
{
	u32 i;
	int ret;

	if (m->cpu_sgt)
		return dmapeek_audit_merged(m, dom, translates, res);
	for (i = 0; i < m->nr_ranges; i++) {
		const struct dmapeek_map_range *r = &m->ranges[i];
		u64 off, step;

		if (!r->phys || r->kind == DMAPEEK_ADDR_KIND_BUS)
			continue;
		for (off = 0; off < r->len; off += step) {
			u64 iova = r->addr + off;
			u64 expected = r->phys + off;
			u64 actual;

			step = min_t(u64, PAGE_SIZE - offset_in_page(iova), r->len - off);
			if (translates)
				actual = iommu_iova_to_phys(dom, iova);
			else
				actual = dmapeek_dma_to_phys(m->dev, iova);
			if (actual != expected)
				dmapeek_audit_note(res, iova, expected, actual);
			ret = dmapeek_audit_next(m, res);
			if (ret)
				return ret;
		}
	}
	return 0;
}

static int dmapeek_audit_run(u32 id, struct dmapeek_audit_res *res)
{
	struct iommu_domain *dom;
	struct dmapeek_mapping *m;
	bool translates;
	int ret;

	memset(res, 0, sizeof(*res));
	mutex_lock(&dmapeek_lock);
	m = xa_load(&dmapeek_mappings.xa, id);
	if (!m) {
		mutex_unlock(&dmapeek_lock);
		return -ENOENT;
	}
	/* registered, so not gone: unregistering waits for this count */
	atomic_inc(&m->audits);
	mutex_unlock(&dmapeek_lock);

	/* the device keeps its domain while it has this mapping */
	dom = iommu_get_domain_for_dev(m->dev);
	res->domain_type = dmapeek_iommu_domain_type(dom);
	translates = dmapeek_iommu_domain_translates(dom);
	ret = dmapeek_audit_walk(m, dom, translates, res);

	/* @m may be freed as soon as the count drops */
	if (atomic_dec_and_test(&m->audits))
		wake_up_var(&m->audits);
	if (ret)
		return ret;

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
	if (ret == -ENOENT && res->gone) {
		NL_SET_ERR_MSG_ATTR_FMT(info->extack,
					info->attrs[DMAPEEK_A_AUDIT_MAPPING_ID],
					"mapping %u was unmapped during the audit", id);
		goto out;
	} else if (ret == -ENOENT) {
		NL_SET_ERR_MSG_ATTR_FMT(info->extack,
					info->attrs[DMAPEEK_A_AUDIT_MAPPING_ID],
					"no mapping with id %u", id);
		goto out;
	} else if (ret) {
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
