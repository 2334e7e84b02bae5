// SPDX-License-Identifier: GPL-2.0-only
/*
 * dmapeek: the P2P map type of a (provider, client) pair of PCI devices.
 *
 * The kernel's answer, pci_p2pdma_map_type(), is deliberately not exported.
 * pci_p2pdma_distance_many() is: it runs the same calc_map_type_and_dist()
 * but returns only a distance, or -1 for NOT_SUPPORTED.  And it talks:
 * whatever its verbose argument, calc_map_type_and_dist() ends in
 * host_bridge_whitelist(provider, client, acs_redirects), whose third
 * argument is "warn", so a pair with an ACS redirect on its path, on a CPU
 * other than AMD Zen, under a host bridge not on the kernel's allow-list,
 * prints "Host bridge not in P2PDMA whitelist" (pci_warn, no rate limit)
 * on every call; nor does the call look at the kernel's per-pair cache
 * first.  A query anybody can repeat must not write to the kernel log, so
 * dmapeek walks the path itself, as calc_map_type_and_dist() does (the
 * same ACS control bits of the same bridges), and asks the kernel only
 * questions it answers without a word:
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
 *
 * Without a common bridge the kernel itself answers (acs_redirects stays
 * false on that path: no warning).  With an ACS redirect on a path under
 * one host bridge, the answer is whether that host bridge is allow-listed
 * for traffic within itself (__host_bridge_whitelist(host, true, warn)),
 * and dmapeek puts that very question to the kernel through another pair
 * under the same host bridge that shares no bridge: two functions on its
 * root bus (dmapeek_host_bridge_allows()).
 *
 * What a user without CAP_SYS_ADMIN may learn (p2p-get, p2p dump): the map
 * type, distance and reason of the paths of a provider an administrator
 * bound to dmapeek, to any PCI device.  That is one bit of ACS state per
 * path (what /sys/kernel/iommu_groups already shows in outline), never a
 * register, and only the bridges on such a path are read; a pair whose
 * provider is not bound to dmapeek needs CAP_SYS_ADMIN.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/pci.h>
#include <net/genetlink.h>
#ifdef CONFIG_X86
#include <asm/processor.h>
#endif

#include "dmapeek.h"
#include "dmapeek-nl-gen.h"

/*
 * As drivers/pci/p2pdma.c: pci_bridge_has_acs_redir(), which reads only
 * the ACS capability the PCI core found at enumeration (pdev->acs_cap).
 */
static bool dmapeek_acs_redirects(struct pci_dev *pdev)
{
	u16 ctrl;

	if (!pdev->acs_cap)
		return false;
	pci_read_config_word(pdev, pdev->acs_cap + PCI_ACS_CTRL, &ctrl);
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
 * true when they share an ancestor; *@acs: an ACS redirect on the path
 * (the provider's chain up to there, the client's below it); *@dist: the
 * kernel's distance.  The caller holds references on both devices, which
 * hold their upstream bridges.
 */
static bool dmapeek_common_upstream(struct pci_dev *provider, struct pci_dev *client,
				    bool *acs, int *dist)
{
	struct pci_dev *a = provider, *bb;
	int dist_a = 0, dist_b = 0;

	*acs = false;
	while (a) {
		dist_b = 0;
		if (dmapeek_acs_redirects(a))
			*acs = true;
		for (bb = client; bb; bb = pci_upstream_bridge(bb), dist_b++) {
			if (a != bb)
				continue;
			for (bb = client; bb && bb != a; bb = pci_upstream_bridge(bb))
				if (dmapeek_acs_redirects(bb))
					*acs = true;
			*dist = dist_a + dist_b;
			return true;
		}
		a = pci_upstream_bridge(a);
		dist_a++;
	}
	*dist = dist_a + dist_b;
	return false;
}

/*
 * Is the host bridge above @pdev allow-listed for P2P within itself?  Asked
 * of the kernel through two functions of its root bus: they share no
 * bridge (both have none), so calc_map_type_and_dist() goes straight to
 * host_bridge_whitelist(x, y, false), for one host bridge: the question,
 * without a warning.  1 yes, 0 no, -ENODEV when the root bus has fewer
 * than two functions to ask with.
 */
static int dmapeek_host_bridge_allows(struct pci_dev *pdev)
{
	struct pci_bus *root = pci_find_host_bridge(pdev->bus)->bus;
	struct pci_dev *x = NULL, *y = NULL, *dev = NULL;
	struct device *ydev;
	int ret = -ENODEV;

	/* pci_get_device(), not the bus list: no pci_bus_sem under a resv */
	while ((dev = pci_get_device(PCI_ANY_ID, PCI_ANY_ID, dev))) {
		if (dev->bus != root)
			continue;
		if (!x) {
			x = pci_dev_get(dev);
			continue;
		}
		y = dev;	/* the loop's reference */
		break;
	}
	if (x && y) {
		ydev = &y->dev;
		ret = pci_p2pdma_distance_many(x, &ydev, 1, false) >= 0;
	}
	pci_dev_put(y);
	pci_dev_put(x);
	return ret;
}

/*
 * The map type of (@provider, @client), without a kernel warning unless
 * @may_log: where no silent question can settle it (an ACS redirect on
 * the path under a root bus of one function), a caller that may log asks
 * the kernel about the pair itself, and one that may not gets UNKNOWN.
 */
static u32 dmapeek_p2p_pci(struct pci_dev *provider, struct pci_dev *client,
			   bool may_log, int *distance, u32 *reason)
{
	struct device *cdev = &client->dev;
	bool common, acs;
	int allowed;

	common = dmapeek_common_upstream(provider, client, &acs, distance);
	if (common && !acs) {
		*reason = provider == client ? DMAPEEK_P2P_REASON_SAME_DEVICE :
					       DMAPEEK_P2P_REASON_COMMON_SWITCH;
		return DMAPEEK_MAP_TYPE_BUS_ADDR;
	}
	if (dmapeek_cpu_supports_p2pdma()) {
		*reason = common ? DMAPEEK_P2P_REASON_ACS_REDIRECT :
				   DMAPEEK_P2P_REASON_AMD_CPU;
		return DMAPEEK_MAP_TYPE_THRU_HOST_BRIDGE;
	}
	if (!common) {
		/* no ACS redirect in the kernel's eyes: it answers silently */
		if (pci_p2pdma_distance_many(provider, &cdev, 1, false) >= 0) {
			*reason = DMAPEEK_P2P_REASON_HOST_BRIDGE_ALLOWLIST;
			return DMAPEEK_MAP_TYPE_THRU_HOST_BRIDGE;
		}
		*reason = DMAPEEK_P2P_REASON_NOT_ALLOWLISTED;
		*distance = -1;
		return DMAPEEK_MAP_TYPE_NOT_SUPPORTED;
	}

	*reason = DMAPEEK_P2P_REASON_ACS_REDIRECT;
	allowed = dmapeek_host_bridge_allows(provider);
	if (allowed < 0 && may_log)
		allowed = pci_p2pdma_distance_many(provider, &cdev, 1, false) >= 0;
	if (allowed > 0)
		return DMAPEEK_MAP_TYPE_THRU_HOST_BRIDGE;
	*distance = -1;
	return allowed ? DMAPEEK_MAP_TYPE_UNKNOWN : DMAPEEK_MAP_TYPE_NOT_SUPPORTED;
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
	/*
	 * Attach, map and every move ask this, in the context of any
	 * importer (a foreign driver, for an unprivileged fd holder): never
	 * the kernel's warning path.  Where nothing silent settles the pair
	 * the answer is UNKNOWN, and dmapeek's own multi-range mapping
	 * refuses it; the kernel's helper decides single ranges itself.
	 */
	return dmapeek_p2p_pci(prov->dev->pdev, to_pci_dev(client), false,
			       distance, reason);
}

/* ----------------------------------------------------------------- netlink */

/*
 * PCI devices come and go under a p2p dump, whose client cursor is an index
 * in the PCI device list: a change of the list makes the dump's sequence
 * (dmapeek_generation + this) differ, and genl_dump_check_consistent()
 * flags the dump as interrupted.
 */
static atomic_t dmapeek_pci_generation = ATOMIC_INIT(0);

static int dmapeek_pci_notify(struct notifier_block *nb, unsigned long action,
			      void *data)
{
	if (action == BUS_NOTIFY_ADD_DEVICE || action == BUS_NOTIFY_DEL_DEVICE)
		atomic_inc(&dmapeek_pci_generation);
	return NOTIFY_DONE;
}

static struct notifier_block dmapeek_pci_nb = {
	.notifier_call = dmapeek_pci_notify,
};

int dmapeek_p2p_init(void)
{
	return bus_register_notifier(&pci_bus_type, &dmapeek_pci_nb);
}

void dmapeek_p2p_exit(void)
{
	bus_unregister_notifier(&pci_bus_type, &dmapeek_pci_nb);
}

static int dmapeek_fill_p2p(struct sk_buff *skb, struct pci_dev *provider,
			    struct pci_dev *client)
{
	u32 type, reason;
	int distance;

	/* a query never makes the kernel log: UNKNOWN rather than ask it */
	type = dmapeek_p2p_pci(provider, client, false, &distance, &reason);
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

/* Does @pdev own a BAR provider of dmapeek's (bound, not going away)? */
static bool dmapeek_p2p_bound(struct pci_dev *pdev)
{
	struct dmapeek_provider *prov;
	unsigned long id;
	bool found = false;

	mutex_lock(&dmapeek_lock);
	xa_for_each(&dmapeek_providers.xa, id, prov) {
		if (prov->kind == DMAPEEK_PROVIDER_KIND_PCI_BAR && !prov->gone &&
		    prov->dev->pdev == pdev) {
			found = true;
			break;
		}
	}
	mutex_unlock(&dmapeek_lock);
	return found;
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
	/* a user reads the paths of dmapeek's providers, not of any device */
	if (!dmapeek_nl_admin(skb) && !dmapeek_p2p_bound(provider)) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[DMAPEEK_A_P2P_PROVIDER_BDF],
				    "without CAP_SYS_ADMIN, the provider must be a device bound to dmapeek");
		ret = -EPERM;
		goto out;
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
 * provider id (next_id) and, within that provider, the index of the next
 * client in the PCI device list (pos).  When provider next_id went away
 * between two batches, the next provider starts from its first client.
 * A device owning several BAR providers appears once per BAR: the map
 * type is per device, the rows say which provider.  Providers or PCI
 * devices coming or going mark the dump interrupted (NLM_F_DUMP_INTR).
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
		cb->seq = dmapeek_generation + atomic_read(&dmapeek_pci_generation);
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
		if (id != ctx->next_id)
			ctx->pos = 0;	/* pos was a place in another provider's rows */
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
			genl_dump_check_consistent(cb, hdr);
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
