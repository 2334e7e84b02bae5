// SPDX-License-Identifier: GPL-2.0-only
/*
 * dmapeek: the P2P map type of a (provider, client) pair of PCI devices.
 *
 * The kernel's answer, pci_p2pdma_map_type(), is deliberately not exported.
 * pci_p2pdma_distance_many() is: it runs the same calc_map_type_and_dist()
 * (and caches its answer where dma_buf_phys_vec_to_sgt() will look) but
 * returns only a distance, or -1 for NOT_SUPPORTED.  So dmapeek asks it
 * first and repeats the walk itself to tell BUS_ADDR (a common upstream
 * bridge and no ACS redirect on the path) from THRU_HOST_BRIDGE, and to
 * say why:
 *
 *   system memory                          NONE              system-memory
 *   client not PCI                         NOT_SUPPORTED     not-pci
 *   the same function                      BUS_ADDR          same-device
 *   common bridge, no ACS redirect         BUS_ADDR          common-switch
 *   common bridge, ACS redirect on path    THRU_HOST_BRIDGE  acs-redirect
 *                                          or NOT_SUPPORTED  acs-redirect
 *   no common bridge, AMD Zen or newer     THRU_HOST_BRIDGE  amd-cpu
 *   no common bridge, allowlisted bridge   THRU_HOST_BRIDGE  host-bridge-allowlist
 *   no common bridge, otherwise            NOT_SUPPORTED     not-allowlisted
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/dma-buf-mapping.h>
#include <linux/pci.h>
#include <net/genetlink.h>
#ifdef CONFIG_X86
#include <asm/processor.h>
#endif

#include "dmapeek.h"
#include "dmapeek-nl-gen.h"

/* As drivers/pci/p2pdma.c: pci_bridge_has_acs_redir(). */
static bool dmapeek_acs_redirects(struct pci_dev *pdev)
{
	int pos;
	u16 ctrl;

	pos = pdev->acs_cap;
	if (!pos)
		pos = pci_find_ext_capability(pdev, PCI_EXT_CAP_ID_ACS);
	if (!pos)
		return false;
	pci_read_config_word(pdev, pos + PCI_ACS_CTRL, &ctrl);
	return ctrl & (PCI_ACS_RR | PCI_ACS_CR | PCI_ACS_EC);
}

/* As cpu_supports_p2pdma(): any AMD CPU of family Zen or newer. */
static bool dmapeek_cpu_supports_p2pdma(void)
{
#ifdef CONFIG_X86
	struct cpuinfo_x86 *c = &cpu_data(0);

	if (c->x86_vendor == X86_VENDOR_AMD && c->x86 >= 0x17)
		return true;
#endif
	return false;
}

/*
 * Walk both chains to the root as calc_map_type_and_dist() does.  Returns
 * true when they share an ancestor; *@acs: ACS redirect on the path.
 */
static bool dmapeek_common_upstream(struct pci_dev *provider, struct pci_dev *client,
				    bool *acs, int *dist)
{
	struct pci_dev *a = provider, *bb;
	int dist_a = 0, dist_b, acs_cnt = 0;

	while (a) {
		dist_b = 0;
		if (dmapeek_acs_redirects(a))
			acs_cnt++;
		for (bb = client; bb; bb = pci_upstream_bridge(bb), dist_b++) {
			if (a != bb)
				continue;
			for (bb = client; bb && bb != a; bb = pci_upstream_bridge(bb))
				if (dmapeek_acs_redirects(bb))
					acs_cnt++;
			*acs = acs_cnt;
			*dist = dist_a + dist_b;
			return true;
		}
		a = pci_upstream_bridge(a);
		dist_a++;
	}
	*acs = acs_cnt;
	return false;
}

static u32 dmapeek_p2p_pci(struct pci_dev *provider, struct pci_dev *client,
			   int *distance, u32 *reason)
{
	struct device *cdev = &client->dev;
	bool common, acs;
	int kdist, dist = -1;

	kdist = pci_p2pdma_distance_many(provider, &cdev, 1, false);
	common = dmapeek_common_upstream(provider, client, &acs, &dist);
	*distance = kdist;

	if (kdist < 0) {
		*reason = acs ? DMAPEEK_P2P_REASON_ACS_REDIRECT :
				DMAPEEK_P2P_REASON_NOT_ALLOWLISTED;
		return DMAPEEK_MAP_TYPE_NOT_SUPPORTED;
	}
	if (common && !acs) {
		*reason = provider == client ? DMAPEEK_P2P_REASON_SAME_DEVICE :
					       DMAPEEK_P2P_REASON_COMMON_SWITCH;
		return DMAPEEK_MAP_TYPE_BUS_ADDR;
	}
	/* Through the host bridge, which the kernel allowed (kdist >= 0). */
	if (common)
		*reason = DMAPEEK_P2P_REASON_ACS_REDIRECT;
	else if (dmapeek_cpu_supports_p2pdma())
		*reason = DMAPEEK_P2P_REASON_AMD_CPU;
	else
		*reason = DMAPEEK_P2P_REASON_HOST_BRIDGE_ALLOWLIST;
	return DMAPEEK_MAP_TYPE_THRU_HOST_BRIDGE;
}

u32 dmapeek_p2p_map_type(struct dmapeek_provider *prov, struct device *client,
			 int *distance, u32 *reason)
{
	*distance = -1;
	if (!prov || prov->kind == DMAPEEK_PROVIDER_KIND_SYSTEM) {
		*reason = DMAPEEK_P2P_REASON_SYSTEM_MEMORY;
		return DMAPEEK_MAP_TYPE_NONE;
	}
	if (!prov->dev || !prov->p2p) {
		*reason = DMAPEEK_P2P_REASON_NO_PROVIDER;
		return DMAPEEK_MAP_TYPE_NOT_SUPPORTED;
	}
	if (!client || !dev_is_pci(client)) {
		*reason = DMAPEEK_P2P_REASON_NOT_PCI;
		return DMAPEEK_MAP_TYPE_NOT_SUPPORTED;
	}
	return dmapeek_p2p_pci(prov->dev->pdev, to_pci_dev(client), distance, reason);
}

/* ----------------------------------------------------------------- netlink */

/**
 * dmapeek_phys_vec_sgt_free() - unmap and free a dma_buf_phys_vec_to_sgt() table
 * @attach: the attachment it was mapped for (reservation lock held)
 * @sgt: the table
 * @dir: the direction it was mapped with
 *
 * The 7.3.4 helper marks its table page-less with orig_nents = 0, and
 * dma_buf_free_sgt() ends in sg_free_table(), which frees orig_nents
 * entries: the scatterlist itself is never freed (kmemleak on the debug
 * kernel: __sg_alloc_table from dma_buf_phys_vec_to_sgt, once per map).
 * The helper allocated exactly nents entries, so give orig_nents that back
 * first; a kernel that frees correctly is not affected.
 */
void dmapeek_phys_vec_sgt_free(struct dma_buf_attachment *attach,
			       struct sg_table *sgt, enum dma_data_direction dir)
{
	sgt->orig_nents = sgt->nents;
	dma_buf_free_sgt(attach, sgt, dir);
}

static int dmapeek_fill_p2p(struct sk_buff *skb, struct pci_dev *provider,
			    struct pci_dev *client)
{
	u32 type, reason;
	int distance;

	type = dmapeek_p2p_pci(provider, client, &distance, &reason);
	if (nla_put_string(skb, DMAPEEK_A_P2P_PROVIDER_BDF, pci_name(provider)) ||
	    nla_put_string(skb, DMAPEEK_A_P2P_CLIENT_BDF, pci_name(client)) ||
	    nla_put_u32(skb, DMAPEEK_A_P2P_MAP_TYPE, type) ||
	    nla_put_s32(skb, DMAPEEK_A_P2P_DISTANCE, distance) ||
	    nla_put_u32(skb, DMAPEEK_A_P2P_REASON, reason))
		return -EMSGSIZE;
	return 0;
}

/* "DDDD:BB:DD.F" or "BB:DD.F" -> a referenced pci_dev, or NULL */
static struct pci_dev *dmapeek_pci_by_bdf(const char *bdf)
{
	unsigned int dom = 0, bus, slot, fn;
	char end;

	if (sscanf(bdf, "%x:%x:%x.%x%c", &dom, &bus, &slot, &fn, &end) != 4) {
		dom = 0;
		if (sscanf(bdf, "%x:%x.%x%c", &bus, &slot, &fn, &end) != 3)
			return NULL;
	}
	if (dom > 0xffff || bus > 0xff || slot > 0x1f || fn > 7)
		return NULL;
	return pci_get_domain_bus_and_slot(dom, bus, PCI_DEVFN(slot, fn));
}

int dmapeek_nl_p2p_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct pci_dev *provider = NULL, *client = NULL;
	struct sk_buff *rsp;
	void *hdr;
	int ret;

	if (GENL_REQ_ATTR_CHECK(info, DMAPEEK_A_P2P_PROVIDER_BDF) ||
	    GENL_REQ_ATTR_CHECK(info, DMAPEEK_A_P2P_CLIENT_BDF))
		return -EINVAL;
	provider = dmapeek_pci_by_bdf(nla_data(info->attrs[DMAPEEK_A_P2P_PROVIDER_BDF]));
	if (!provider) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[DMAPEEK_A_P2P_PROVIDER_BDF],
				    "no PCI device with this BDF");
		return -ENODEV;
	}
	client = dmapeek_pci_by_bdf(nla_data(info->attrs[DMAPEEK_A_P2P_CLIENT_BDF]));
	if (!client) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[DMAPEEK_A_P2P_CLIENT_BDF],
				    "no PCI device with this BDF");
		ret = -ENODEV;
		goto out;
	}

	ret = -ENOMEM;
	rsp = genlmsg_new(GENLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!rsp)
		goto out;
	hdr = genlmsg_iput(rsp, info);
	if (!hdr || dmapeek_fill_p2p(rsp, provider, client)) {
		nlmsg_free(rsp);
		ret = -EMSGSIZE;
		goto out;
	}
	genlmsg_end(rsp, hdr);
	ret = genlmsg_reply(rsp, info);
out:
	pci_dev_put(client);
	pci_dev_put(provider);
	return ret;
}

/*
 * Every BAR provider bound to dmapeek x every PCI device.  Cursor: the
 * provider id (next_id) and the index of the client in the PCI device
 * list (pos).  A device owning several BAR providers appears once per BAR:
 * the map type is per device, the rows say which provider.
 */
int dmapeek_nl_p2p_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	const struct genl_info *info = genl_info_dump(cb);
	struct dmapeek_dump_ctx *ctx = dmapeek_dump_ctx(cb);
	struct dmapeek_provider *prov;
	struct pci_dev *provider, *client;
	unsigned long id;
	u32 pos;
	void *hdr;
	int ret = 0;

	if (!ctx->next_id)
		ctx->next_id = 1;
	for (;;) {
		mutex_lock(&dmapeek_lock);
		provider = NULL;
		xa_for_each_start(&dmapeek_providers.xa, id, prov, ctx->next_id) {
			if (prov->kind == DMAPEEK_PROVIDER_KIND_PCI_BAR && !prov->gone) {
				provider = pci_dev_get(prov->dev->pdev);
				break;
			}
		}
		mutex_unlock(&dmapeek_lock);
		if (!provider)
			break;
		ctx->next_id = id;

		pos = 0;
		client = NULL;
		for_each_pci_dev(client) {
			if (pos++ < ctx->pos)
				continue;
			hdr = genlmsg_iput(skb, info);
			if (!hdr) {
				ret = -EMSGSIZE;
				break;
			}
			if (dmapeek_fill_p2p(skb, provider, client)) {
				genlmsg_cancel(skb, hdr);
				ret = -EMSGSIZE;
				break;
			}
			genlmsg_end(skb, hdr);
			ctx->pos = pos;
		}
		pci_dev_put(client);
		pci_dev_put(provider);
		if (ret)
			break;
		ctx->next_id = id + 1;
		ctx->pos = 0;
	}
	if (ret == -EMSGSIZE && skb->len)
		return skb->len;
	return ret;
}
