// SPDX-License-Identifier: GPL-2.0-only
/*
 * dmapeek: the PCI driver, its devices and the P2P providers.
 *
 * The driver has no ID table: an admin binds a device to it through
 * driver_override, as with vfio-pci:
 *
 *   echo dmapeek > /sys/bus/pci/devices/$BDF/driver_override
 *   echo $BDF > /sys/bus/pci/drivers_probe
 *
 * A bound device is a client (bus master, DMA mask set) and, when it has
 * prefetchable memory BARs, a provider of each of them through
 * pcim_p2pdma_provider().  A non-prefetchable BAR is register space, where
 * a read or a write is a command to the device: it becomes a provider only
 * with mmio_bar_providers=1, and never when dmapeek drives those registers
 * itself (edu's DMA engine in BAR0).
 * Unbinding revokes every buffer exported from its BARs and detaches every
 * import it made before the BARs go away.  This file calls no other room
 * for that: the exporter, the importer, the edu engine and the debug knobs
 * listen (struct dmapeek_dev_listener, registered by dmapeek_main.c).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/iommu.h>
#include <linux/mm.h>
#include <linux/pci.h>
#include <linux/pci-p2pdma.h>
#include <linux/slab.h>

#include "dmapeek.h"
#include "dmapeek-nl-gen.h"

/* The rooms told of a device's life: see struct dmapeek_dev_listener. */
static LIST_HEAD(dmapeek_dev_listeners);

bool dmapeek_mmio_bar_providers;

struct dmapeek_provider *dmapeek_system_provider;

void dmapeek_dev_listen(struct dmapeek_dev_listener *l)
{
	list_add_tail(&l->node, &dmapeek_dev_listeners);
}

void dmapeek_dev_unlisten(struct dmapeek_dev_listener *l)
{
	list_del(&l->node);
}

/* Each listener's @probe in order; on an error, undo the earlier ones. */
static int dmapeek_dev_probe(struct dmapeek_device *ddev)
{
	struct dmapeek_dev_listener *l;
	int ret;

	list_for_each_entry(l, &dmapeek_dev_listeners, node) {
		if (!l->probe)
			continue;
		ret = l->probe(ddev);
		if (ret)
			goto err_remove;
	}
	return 0;

err_remove:
	list_for_each_entry_continue_reverse(l, &dmapeek_dev_listeners, node)
		if (l->remove)
			l->remove(ddev);
	return ret;
}

static void dmapeek_dev_remove(struct dmapeek_device *ddev)
{
	struct dmapeek_dev_listener *l;

	list_for_each_entry_reverse(l, &dmapeek_dev_listeners, node)
		if (l->remove)
			l->remove(ddev);
}

static void dmapeek_dev_client_gone(struct dmapeek_device *ddev)
{
	struct dmapeek_dev_listener *l;

	list_for_each_entry(l, &dmapeek_dev_listeners, node)
		if (l->client_gone)
			l->client_gone(ddev);
}

struct dmapeek_provider *dmapeek_provider_find(u32 id)
{
	return xa_load(&dmapeek_providers.xa, id);
}

struct dmapeek_device *dmapeek_device_find(u32 id)
{
	return xa_load(&dmapeek_devices.xa, id);
}

struct dmapeek_provider *dmapeek_provider_get(u32 id)
{
	struct dmapeek_provider *prov;

	mutex_lock(&dmapeek_lock);
	prov = xa_load(&dmapeek_providers.xa, id);
	if (prov && !READ_ONCE(prov->gone))
		kref_get(&prov->kref);
	else
		prov = NULL;
	mutex_unlock(&dmapeek_lock);
	return prov;
}

void dmapeek_provider_hold(struct dmapeek_provider *prov)
{
	kref_get(&prov->kref);
}

static void dmapeek_provider_release(struct kref *kref)
{
	struct dmapeek_provider *prov = container_of(kref, struct dmapeek_provider, kref);

	WARN_ON_ONCE(!list_empty(&prov->allocs));
	mutex_destroy(&prov->alloc_lock);
	kfree(prov);
}

void dmapeek_provider_put(struct dmapeek_provider *prov)
{
	if (prov)
		kref_put(&prov->kref, dmapeek_provider_release);
}

u64 dmapeek_provider_bus_offset(const struct dmapeek_provider *prov)
{
	return prov->p2p ? prov->p2p->bus_offset : 0;
}

u32 dmapeek_iommu_domain_type(const struct iommu_domain *dom)
{
	if (!dom)
		return DMAPEEK_DOMAIN_TYPE_NONE;
	switch (dom->type) {
	case IOMMU_DOMAIN_BLOCKED:
		return DMAPEEK_DOMAIN_TYPE_BLOCKED;
	case IOMMU_DOMAIN_IDENTITY:
		return DMAPEEK_DOMAIN_TYPE_IDENTITY;
	case IOMMU_DOMAIN_DMA:
		return DMAPEEK_DOMAIN_TYPE_DMA;
	case IOMMU_DOMAIN_DMA_FQ:
		return DMAPEEK_DOMAIN_TYPE_DMA_FQ;
	case IOMMU_DOMAIN_UNMANAGED:
		return DMAPEEK_DOMAIN_TYPE_UNMANAGED;
	default:
		return DMAPEEK_DOMAIN_TYPE_OTHER;
	}
}

u32 dmapeek_domain_type(struct device *dev)
{
	return dmapeek_iommu_domain_type(iommu_get_domain_for_dev(dev));
}

/*
 * Whether @dom translates DMA addresses (a DMA or unmanaged paging
 * domain): then they are IOVAs, otherwise CPU physical addresses.
 */
bool dmapeek_iommu_domain_translates(const struct iommu_domain *dom)
{
	switch (dmapeek_iommu_domain_type(dom)) {
	case DMAPEEK_DOMAIN_TYPE_DMA:
	case DMAPEEK_DOMAIN_TYPE_DMA_FQ:
	case DMAPEEK_DOMAIN_TYPE_UNMANAGED:
		return true;
	default:
		return false;
	}
}

bool dmapeek_dev_translates(struct device *dev)
{
	return dmapeek_iommu_domain_translates(iommu_get_domain_for_dev(dev));
}

static struct dmapeek_provider *dmapeek_provider_new(u32 kind)
{
	struct dmapeek_provider *prov;

	prov = kzalloc_obj(*prov);
	if (!prov)
		return NULL;
	kref_init(&prov->kref);
	prov->kind = kind;
	prov->bar = -1;
	init_waitqueue_head(&prov->wq);
	mutex_init(&prov->alloc_lock);
	INIT_LIST_HEAD(&prov->allocs);
	return prov;
}

/* Out of the table, and the table's reference dropped. */
static void dmapeek_provider_unregister(struct dmapeek_provider *prov)
{
	if (!prov)
		return;
	if (prov->id) {
		mutex_lock(&dmapeek_lock);
		dmapeek_table_del(&dmapeek_providers, prov->id);
		mutex_unlock(&dmapeek_lock);
	}
	dmapeek_provider_put(prov);
}

static int dmapeek_provider_register(struct dmapeek_provider *prov)
{
	int ret;

	mutex_lock(&dmapeek_lock);
	ret = dmapeek_table_add(&dmapeek_providers, prov, &prov->id);
	mutex_unlock(&dmapeek_lock);
	return ret;
}

/* Map every memory BAR for the CPU (copies, edu's registers). */
static void dmapeek_map_bars(struct dmapeek_device *ddev)
{
	struct pci_dev *pdev = ddev->pdev;
	void __iomem *va;
	int bar;

	for (bar = 0; bar < PCI_STD_NUM_BARS; bar++) {
		if (!(pci_resource_flags(pdev, bar) & IORESOURCE_MEM) ||
		    !pci_resource_len(pdev, bar))
			continue;
		va = pcim_iomap_region(pdev, bar, KBUILD_MODNAME);
		if (IS_ERR(va)) {
			pci_warn(pdev, "BAR %d: cannot map: %ld\n", bar, PTR_ERR(va));
			continue;
		}
		ddev->bar_va[bar] = va;
	}
}

/* Whether @bar may back buffers: see the top of this file. */
static bool dmapeek_bar_exportable(struct dmapeek_device *ddev, int bar)
{
	struct pci_dev *pdev = ddev->pdev;

	if (!ddev->bar_va[bar])
		return false;
	if (dmapeek_is_edu(pdev) && bar == 0)
		return false;
	if (!(pci_resource_flags(pdev, bar) & IORESOURCE_PREFETCH) &&
	    !READ_ONCE(dmapeek_mmio_bar_providers)) {
		pci_info(pdev, "BAR %d: not prefetchable (registers), not a provider\n",
			 bar);
		return false;
	}
	return true;
}

/* One provider per exportable memory BAR the P2P core knows. */
static int dmapeek_probe_providers(struct dmapeek_device *ddev)
{
	struct pci_dev *pdev = ddev->pdev;
	struct dmapeek_provider *prov;
	struct p2pdma_provider *p2p;
	int bar, ret;

	ret = pcim_p2pdma_init(pdev);
	if (ret) {
		pci_info(pdev, "no P2P providers: pcim_p2pdma_init: %d\n", ret);
		return 0;
	}
	for (bar = 0; bar < PCI_STD_NUM_BARS; bar++) {
		if (!dmapeek_bar_exportable(ddev, bar))
			continue;
		p2p = pcim_p2pdma_provider(pdev, bar);
		if (!p2p)
			continue;
		prov = dmapeek_provider_new(DMAPEEK_PROVIDER_KIND_PCI_BAR);
		if (!prov)
			return -ENOMEM;
		prov->dev = ddev;
		prov->bar = bar;
		prov->p2p = p2p;
		prov->start = pci_resource_start(pdev, bar);
		prov->size = pci_resource_len(pdev, bar);
		prov->va = ddev->bar_va[bar];
		ret = dmapeek_provider_register(prov);
		if (ret) {
			dmapeek_provider_unregister(prov);
			return ret;
		}
		ddev->providers[bar] = prov;
		ddev->roles |= DMAPEEK_DEVICE_ROLE_PROVIDER;
	}
	return 0;
}

/*
 * No new backing on @ddev's BARs from here on (see struct
 * dmapeek_provider: exports and moves check @gone under alloc_lock); then
 * every buffer on them is revoked for good and every mapping of them is
 * gone before this returns, as pcim_p2pdma_provider() wants of a driver
 * before its BARs go (devres).  An export may have used the providers as
 * soon as they were in the table, so a failed probe goes through this too.
 */
static void dmapeek_providers_gone(struct dmapeek_device *ddev)
{
	struct dmapeek_dev_listener *l;
	int bar;

	for (bar = 0; bar < PCI_STD_NUM_BARS; bar++) {
		struct dmapeek_provider *prov = ddev->providers[bar];

		if (!prov)
			continue;
		mutex_lock(&prov->alloc_lock);
		WRITE_ONCE(prov->gone, true);
		mutex_unlock(&prov->alloc_lock);
	}
	list_for_each_entry(l, &dmapeek_dev_listeners, node)
		if (l->providers_gone)
			l->providers_gone(ddev);
}

static void dmapeek_remove_providers(struct dmapeek_device *ddev)
{
	int bar;

	for (bar = 0; bar < PCI_STD_NUM_BARS; bar++) {
		dmapeek_provider_unregister(ddev->providers[bar]);
		ddev->providers[bar] = NULL;
	}
}

static int dmapeek_pci_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct dmapeek_device *ddev;
	u64 mask = DMA_BIT_MASK(64);
	int ret;

	ret = pcim_enable_device(pdev);
	if (ret)
		return ret;

	ddev = devm_kzalloc(&pdev->dev, sizeof(*ddev), GFP_KERNEL);
	if (!ddev)
		return -ENOMEM;
	ddev->pdev = pdev;
	atomic_set(&ddev->attachments, 0);
	pci_set_drvdata(pdev, ddev);

	/* QEMU's edu engine only drives 28 address bits. */
	if (dmapeek_is_edu(pdev))
		mask = DMA_BIT_MASK(28);
	ret = dma_set_mask_and_coherent(&pdev->dev, mask);
	if (ret) {
		pci_err(pdev, "cannot set a %d-bit DMA mask\n", fls64(mask));
		return ret;
	}
	pci_set_master(pdev);
	ddev->roles |= DMAPEEK_DEVICE_ROLE_CLIENT;

	dmapeek_map_bars(ddev);
	ret = dmapeek_probe_providers(ddev);
	if (ret)
		goto err_providers;

	ret = dmapeek_dev_probe(ddev);
	if (ret)
		goto err_providers;

	mutex_lock(&dmapeek_lock);
	ret = dmapeek_table_add(&dmapeek_devices, ddev, &ddev->id);
	mutex_unlock(&dmapeek_lock);
	if (ret)
		goto err_listeners;

	pci_info(pdev, "bound to dmapeek as device %u%s\n", ddev->id,
		 ddev->roles & DMAPEEK_DEVICE_ROLE_PROVIDER ? " (provider)" : "");
	return 0;

err_listeners:
	dmapeek_dev_remove(ddev);
err_providers:
	dmapeek_providers_gone(ddev);
	dmapeek_remove_providers(ddev);
	pci_clear_master(pdev);
	return ret;
}

static void dmapeek_pci_remove(struct pci_dev *pdev)
{
	struct dmapeek_device *ddev = pci_get_drvdata(pdev);

	dmapeek_providers_gone(ddev);
	dmapeek_dev_client_gone(ddev);
	dmapeek_dev_remove(ddev);

	mutex_lock(&dmapeek_lock);
	dmapeek_table_del(&dmapeek_devices, ddev->id);
	mutex_unlock(&dmapeek_lock);
	dmapeek_remove_providers(ddev);
	pci_clear_master(pdev);
	pci_info(pdev, "unbound from dmapeek\n");
}

static struct pci_driver dmapeek_pci_driver = {
	.name = KBUILD_MODNAME,
	.id_table = NULL,	/* bind through driver_override only */
	.probe = dmapeek_pci_probe,
	.remove = dmapeek_pci_remove,
};

int dmapeek_pci_init(void)
{
	struct dmapeek_provider *prov;
	int ret;

	prov = dmapeek_provider_new(DMAPEEK_PROVIDER_KIND_SYSTEM);
	if (!prov)
		return -ENOMEM;
	prov->size = (u64)totalram_pages() << PAGE_SHIFT;
	ret = dmapeek_provider_register(prov);
	if (ret) {
		dmapeek_provider_unregister(prov);
		return ret;
	}
	dmapeek_system_provider = prov;

	ret = pci_register_driver(&dmapeek_pci_driver);
	if (ret) {
		dmapeek_provider_unregister(prov);
		dmapeek_system_provider = NULL;
	}
	return ret;
}

void dmapeek_pci_exit(void)
{
	pci_unregister_driver(&dmapeek_pci_driver);
	dmapeek_provider_unregister(dmapeek_system_provider);
	dmapeek_system_provider = NULL;
}

/* ------------------------------------------------------------------ netlink */

int dmapeek_fill_provider(struct sk_buff *skb, void *obj,
			  const struct genl_info *info, bool admin, u32 filter,
			  u32 *sub)
{
	struct dmapeek_provider *prov = obj;

	if (nla_put_u32(skb, DMAPEEK_A_PROVIDER_ID, prov->id) ||
	    nla_put_u32(skb, DMAPEEK_A_PROVIDER_KIND, prov->kind) ||
	    nla_put_uint(skb, DMAPEEK_A_PROVIDER_SIZE, prov->size) ||
	    nla_put_uint(skb, DMAPEEK_A_PROVIDER_BYTES_EXPORTED,
			 atomic64_read(&prov->bytes_exported)) ||
	    nla_put_u32(skb, DMAPEEK_A_PROVIDER_BUFFERS,
			atomic_read(&prov->buffers)))
		return -EMSGSIZE;
	if (prov->kind != DMAPEEK_PROVIDER_KIND_PCI_BAR)
		return 0;
	if (nla_put_u32(skb, DMAPEEK_A_PROVIDER_DEVICE_ID, prov->dev->id) ||
	    nla_put_string(skb, DMAPEEK_A_PROVIDER_BDF, pci_name(prov->dev->pdev)) ||
	    nla_put_u32(skb, DMAPEEK_A_PROVIDER_BAR, prov->bar))
		return -EMSGSIZE;
	if (admin &&
	    (nla_put_uint(skb, DMAPEEK_A_PROVIDER_PHYS_START, prov->start) ||
	     nla_put_uint(skb, DMAPEEK_A_PROVIDER_BUS_OFFSET,
			  dmapeek_provider_bus_offset(prov))))
		return -EMSGSIZE;
	return 0;
}

int dmapeek_nl_provider_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	return dmapeek_nl_get_one(skb, info, &dmapeek_providers, DMAPEEK_A_PROVIDER_ID,
				  "provider", dmapeek_fill_provider);
}

int dmapeek_nl_provider_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	return dmapeek_nl_dump_table(skb, cb, &dmapeek_providers,
				     dmapeek_fill_provider);
}

int dmapeek_fill_device(struct sk_buff *skb, void *obj,
			const struct genl_info *info, bool admin, u32 filter,
			u32 *sub)
{
	struct dmapeek_device *ddev = obj;
	struct pci_dev *pdev = ddev->pdev;
	struct iommu_group *grp;
	int group = -1;

	grp = iommu_group_get(&pdev->dev);
	if (grp) {
		group = iommu_group_id(grp);
		iommu_group_put(grp);
	}
	if (nla_put_u32(skb, DMAPEEK_A_DEVICE_ID, ddev->id) ||
	    nla_put_string(skb, DMAPEEK_A_DEVICE_BDF, pci_name(pdev)) ||
	    nla_put_u32(skb, DMAPEEK_A_DEVICE_VENDOR, pdev->vendor) ||
	    nla_put_u32(skb, DMAPEEK_A_DEVICE_DEVICE, pdev->device) ||
	    nla_put_u32(skb, DMAPEEK_A_DEVICE_CLASS, pdev->class) ||
	    nla_put_u32(skb, DMAPEEK_A_DEVICE_ROLES, ddev->roles) ||
	    nla_put_s32(skb, DMAPEEK_A_DEVICE_IOMMU_GROUP, group) ||
	    nla_put_u32(skb, DMAPEEK_A_DEVICE_DOMAIN_TYPE,
			dmapeek_domain_type(&pdev->dev)) ||
	    nla_put_u32(skb, DMAPEEK_A_DEVICE_DMA_MASK_BITS,
			fls64(dma_get_mask(&pdev->dev))) ||
	    nla_put_u32(skb, DMAPEEK_A_DEVICE_ATTACHMENTS,
			atomic_read(&ddev->attachments)))
		return -EMSGSIZE;
	return 0;
}

int dmapeek_nl_device_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	return dmapeek_nl_get_one(skb, info, &dmapeek_devices, DMAPEEK_A_DEVICE_ID,
				  "device", dmapeek_fill_device);
}

int dmapeek_nl_device_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	return dmapeek_nl_dump_table(skb, cb, &dmapeek_devices,
				     dmapeek_fill_device);
}
