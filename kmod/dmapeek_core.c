// SPDX-License-Identifier: GPL-2.0-only
/*
 * dmapeek: object tables, events and the netlink helpers every object uses.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/wait_bit.h>
#include <net/genetlink.h>

#include "dmapeek.h"
#include "dmapeek-nl-gen.h"

#define CREATE_TRACE_POINTS
#include "dmapeek_trace.h"

/* The object tables (membership, ids, dumps); innermost, see dmapeek.h. */
DEFINE_MUTEX(dmapeek_lock);
u64 dmapeek_generation = 1;

#define DMAPEEK_TABLE_INIT(name) {					\
	.xa = XARRAY_INIT(name.xa, XA_FLAGS_ALLOC1),			\
	.limit = XA_LIMIT(1, INT_MAX),					\
}

struct dmapeek_table dmapeek_providers = DMAPEEK_TABLE_INIT(dmapeek_providers);
struct dmapeek_table dmapeek_devices = DMAPEEK_TABLE_INIT(dmapeek_devices);
struct dmapeek_table dmapeek_buffers = DMAPEEK_TABLE_INIT(dmapeek_buffers);
struct dmapeek_table dmapeek_attachments = DMAPEEK_TABLE_INIT(dmapeek_attachments);
struct dmapeek_table dmapeek_mappings = DMAPEEK_TABLE_INIT(dmapeek_mappings);

int dmapeek_table_add(struct dmapeek_table *t, void *obj, u32 *id)
{
	int ret;

	lockdep_assert_held(&dmapeek_lock);
	ret = xa_alloc_cyclic(&t->xa, id, obj, t->limit, &t->next, GFP_KERNEL);
	if (ret < 0)
		return ret;
	dmapeek_generation++;
	return 0;
}

void dmapeek_table_del(struct dmapeek_table *t, u32 id)
{
	lockdep_assert_held(&dmapeek_lock);
	xa_erase(&t->xa, id);
	dmapeek_generation++;
}

/*
 * At unload every object has gone with its file, its dma-buf or its device:
 * one still in a table is a bug that would leak it and the table's nodes.
 */
static void dmapeek_table_exit(struct dmapeek_table *t, const char *what)
{
	unsigned long id;
	void *obj;

	xa_for_each(&t->xa, id, obj) {
		WARN(1, "%s %lu still listed at unload\n", what, id);
		break;
	}
	xa_destroy(&t->xa);
}

void dmapeek_tables_exit(void)
{
	dmapeek_table_exit(&dmapeek_mappings, "mapping");
	dmapeek_table_exit(&dmapeek_attachments, "attachment");
	dmapeek_table_exit(&dmapeek_buffers, "buffer");
	dmapeek_table_exit(&dmapeek_devices, "device");
	dmapeek_table_exit(&dmapeek_providers, "provider");
}

/* ------------------------------------------------------------------ mappings */

struct dmapeek_mapping *dmapeek_mapping_alloc(u32 nr, gfp_t gfp)
{
	struct dmapeek_mapping *m;

	m = kzalloc_obj(*m, gfp);
	if (!m)
		return NULL;
	/* a scattered system-memory mapping has one range per segment */
	m->ranges = kvcalloc(nr ? nr : 1, sizeof(*m->ranges), gfp | __GFP_NOWARN);
	if (!m->ranges) {
		kfree(m);
		return NULL;
	}
	m->nr_ranges = nr;
	INIT_LIST_HEAD(&m->att_node);
	return m;
}

int dmapeek_mapping_register(struct dmapeek_mapping *m)
{
	int ret;

	struct dmapeek_attachment *a;
	struct dmapeek_mapping *pos;

	mutex_lock(&dmapeek_lock);
	ret = dmapeek_table_add(&dmapeek_mappings, m, &m->id);
	a = ret ? NULL : xa_load(&dmapeek_attachments.xa, m->attachment_id);
	if (a) {
		/* ids only grow until they wrap: the place is near the end */
		list_for_each_entry_reverse(pos, &a->mappings, att_node)
			if (pos->id < m->id)
				break;
		list_add(&m->att_node, &pos->att_node);
	}
	mutex_unlock(&dmapeek_lock);
	return ret;
}

/*
 * Out of the table and off its attachment, and no audit walks it any more;
 * the id is cleared.  Idempotent.
 */
void dmapeek_mapping_unregister(struct dmapeek_mapping *m)
{
	if (!m || !m->id)
		return;
	mutex_lock(&dmapeek_lock);
	list_del_init(&m->att_node);
	dmapeek_table_del(&dmapeek_mappings, m->id);
	WRITE_ONCE(m->gone, true);
	mutex_unlock(&dmapeek_lock);
	/* no new audit finds it; one walking it stops at its next page */
	wait_var_event(&m->audits, !atomic_read(&m->audits));
	m->id = 0;
}

void dmapeek_mapping_unregister_free(struct dmapeek_mapping *m)
{
	if (!m)
		return;
	dmapeek_mapping_unregister(m);
	kvfree(m->ranges);
	kfree(m);
}

/* one per attachment of every dmapeek buffer: kmalloc-256, not -512 */
static_assert(sizeof(struct dmapeek_attachment) <= SZ_256);

void dmapeek_attachment_init(struct dmapeek_attachment *a)
{
	INIT_LIST_HEAD(&a->buf_node);
	INIT_LIST_HEAD(&a->mappings);
}

/*
 * Set at module init, before anything can attach, and cleared at exit,
 * after the last attachment: see dmapeek_attachment_of().
 */
static struct dmapeek_attachment *
(*dmapeek_importer_of)(struct dma_buf_attachment *attach);

void dmapeek_attachment_importer(struct dmapeek_attachment *
				 (*of)(struct dma_buf_attachment *attach))
{
	dmapeek_importer_of = of;
}

struct dmapeek_attachment *dmapeek_attachment_of(struct dma_buf_attachment *attach)
{
	return dmapeek_importer_of ? dmapeek_importer_of(attach) : NULL;
}

void dmapeek_attachment_link(struct list_head *head, struct dmapeek_attachment *a)
{
	struct dmapeek_attachment *pos;

	lockdep_assert_held(&dmapeek_lock);
	list_for_each_entry_reverse(pos, head, buf_node)
		if (pos->id < a->id)
			break;
	list_add(&a->buf_node, &pos->buf_node);
	dmapeek_generation++;	/* a dump's place in the list is stale */
}

void dmapeek_attachment_unlink(struct dmapeek_attachment *a)
{
	lockdep_assert_held(&dmapeek_lock);
	list_del_init(&a->buf_node);
	dmapeek_generation++;
}

void dmapeek_attachment_forget(struct dmapeek_attachment *a)
{
	struct dmapeek_mapping *m, *tmp;

	lockdep_assert_held(&dmapeek_lock);
	/* A mapping that outlives its attachment's record keeps no link. */
	list_for_each_entry_safe(m, tmp, &a->mappings, att_node)
		list_del_init(&m->att_node);
}

void dmapeek_attachment_unmapped(struct dmapeek_attachment *a)
{
	u64 now = dmapeek_now();

	WRITE_ONCE(a->unmaps, a->unmaps + 1);
	WRITE_ONCE(a->mapped, false);
	WRITE_ONCE(a->last_unmap_ns, now);
	if (a->last_invalidate_ns && a->last_invalidate_ns > a->last_map_ns) {
		u64 lat = now - a->last_invalidate_ns;

		WRITE_ONCE(a->last_unmap_latency_ns, lat);
		if (lat > a->max_unmap_latency_ns)
			WRITE_ONCE(a->max_unmap_latency_ns, lat);
	}
}

static void dmapeek_mapping_range(const void *obj, u32 i, u64 off,
				  struct dmapeek_map_range *r)
{
	const struct dmapeek_mapping *m = obj;

	*r = m->ranges[i];
}

static const struct dmapeek_range_attrs dmapeek_mapping_range_attrs = {
	.range = DMAPEEK_A_MAPPING_RANGE,
	.nr_ranges = DMAPEEK_A_MAPPING_NR_RANGES,
	.range_first = DMAPEEK_A_MAPPING_RANGE_FIRST,
};

int dmapeek_fill_mapping(struct sk_buff *skb, void *obj,
			 const struct genl_info *info, bool admin, u32 filter,
			 u32 *sub)
{
	struct dmapeek_mapping *m = obj;

	if (filter && m->attachment_id != filter)
		return -ENOENT;
	if (nla_put_u32(skb, DMAPEEK_A_MAPPING_ID, m->id) ||
	    nla_put_u32(skb, DMAPEEK_A_MAPPING_ATTACHMENT_ID, m->attachment_id) ||
	    nla_put_u32(skb, DMAPEEK_A_MAPPING_PATH, m->path) ||
	    nla_put_uint(skb, DMAPEEK_A_MAPPING_SIZE, m->size) ||
	    nla_put_uint(skb, DMAPEEK_A_MAPPING_MAP_NS, m->map_ns))
		return -EMSGSIZE;
	return dmapeek_fill_ranges(skb, &dmapeek_mapping_range_attrs,
				   m->nr_ranges, sub, admin, m,
				   dmapeek_mapping_range);
}

int dmapeek_nl_mapping_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	return dmapeek_nl_get_one(skb, info, &dmapeek_mappings, DMAPEEK_A_MAPPING_ID,
				  "mapping", dmapeek_fill_mapping);
}

int dmapeek_nl_mapping_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	const struct genl_info *info = genl_info_dump(cb);
	struct dmapeek_dump_ctx *ctx = dmapeek_dump_ctx(cb);
	struct dmapeek_attachment *a;
	struct dmapeek_mapping *m;
	bool admin;
	int ret = 0;

	if (!info->attrs[DMAPEEK_A_MAPPING_ATTACHMENT_ID])
		return dmapeek_nl_dump_table(skb, cb, &dmapeek_mappings,
					     dmapeek_fill_mapping);

	/* One attachment's mappings: its own list, not the whole table. */
	ctx->filter = nla_get_u32(info->attrs[DMAPEEK_A_MAPPING_ATTACHMENT_ID]);
	admin = dmapeek_nl_admin(cb->skb);
	mutex_lock(&dmapeek_lock);
	cb->seq = (unsigned int)dmapeek_generation;
	a = xa_load(&dmapeek_attachments.xa, ctx->filter);
	if (a) {
		list_for_each_entry(m, &a->mappings, att_node) {
			if (m->id < ctx->next_id)
				continue;	/* dumped in an earlier batch */
			ret = dmapeek_nl_dump_obj(skb, cb, admin, m->id, m,
						  dmapeek_fill_mapping);
			if (ret)
				break;
		}
	}
	mutex_unlock(&dmapeek_lock);
	return dmapeek_nl_dump_end(skb, ret);
}

/* -------------------------------------------------------------------- events */

/*
 * Event numbers and the count of events lost on the module's side, under
 * dmapeek_event_lock, which is also held across the multicast so that
 * listeners receive the events in the order of their numbers.  The
 * timestamp is taken under it too, with the number, so that the order of
 * the numbers is the order of the timestamps.  It is a leaf: nothing is
 * taken under it but netlink's own locks.
 *
 * dmapeek_events_dropped counts only the module's own losses: events it
 * numbered but could not build (no memory, -EMSGSIZE) or that netlink
 * refused outright.  It does not count -ESRCH (nobody listens: nothing is
 * lost) nor -ENOBUFS (a listener's socket overran: that listener sees
 * ENOBUFS on its socket and the gap in the numbers, the others got the
 * event).
 */
static DEFINE_MUTEX(dmapeek_event_lock);
static u64 dmapeek_event_seq;
static u64 dmapeek_events_dropped;

/* Room for the attributes dmapeek_event() fills under dmapeek_event_lock. */
struct dmapeek_event_slots {
	struct nlattr *timestamp;
	struct nlattr *seq;
	struct nlattr *dropped;
};

/*
 * Build the event message, all but its timestamp, its number and the drop
 * count, for which it reserves room in @slots; NULL when there is no
 * memory for it.
 */
static struct sk_buff *dmapeek_event_msg(const struct dmapeek_event *ev,
					 struct dmapeek_event_slots *slots)
{
	struct sk_buff *skb;
	void *hdr;

	skb = genlmsg_new(NLMSG_GOODSIZE + ev->size, GFP_KERNEL | __GFP_NOWARN);
	if (!skb)
		return NULL;
	hdr = genlmsg_put(skb, 0, 0, &dmapeek_nl_family, 0, DMAPEEK_CMD_EVENT_NTF);
	if (!hdr)
		goto err_free;
	if (nla_put_u32(skb, DMAPEEK_A_EVENT_TYPE, ev->type))
		goto err_free;
	/* "uint" attributes of 8 bytes, written under dmapeek_event_lock */
	slots->timestamp = nla_reserve(skb, DMAPEEK_A_EVENT_TIMESTAMP_NS, sizeof(u64));
	if (!slots->timestamp ||
	    (ev->buffer_id &&
	     nla_put_u32(skb, DMAPEEK_A_EVENT_BUFFER_ID, ev->buffer_id)) ||
	    (ev->attachment_id &&
	     nla_put_u32(skb, DMAPEEK_A_EVENT_ATTACHMENT_ID, ev->attachment_id)) ||
	    (ev->mapping_id &&
	     nla_put_u32(skb, DMAPEEK_A_EVENT_MAPPING_ID, ev->mapping_id)) ||
	    (ev->provider_id &&
	     nla_put_u32(skb, DMAPEEK_A_EVENT_PROVIDER_ID, ev->provider_id)) ||
	    (ev->duration_ns &&
	     nla_put_uint(skb, DMAPEEK_A_EVENT_DURATION_NS, ev->duration_ns)) ||
	    (ev->count && nla_put_u32(skb, DMAPEEK_A_EVENT_COUNT, ev->count)) ||
	    (ev->error && nla_put_s32(skb, DMAPEEK_A_EVENT_ERROR, ev->error)) ||
	    (ev->map_type &&
	     nla_put_u32(skb, DMAPEEK_A_EVENT_MAP_TYPE, ev->map_type)) ||
	    (ev->op && nla_put_uint(skb, DMAPEEK_A_EVENT_OP, ev->op)) ||
	    (ev->put && ev->put(skb, ev->arg)))
		goto err_free;
	slots->seq = nla_reserve(skb, DMAPEEK_A_EVENT_SEQ, sizeof(u64));
	slots->dropped = nla_reserve(skb, DMAPEEK_A_EVENT_DROPPED, sizeof(u64));
	if (!slots->seq || !slots->dropped)
		goto err_free;
	genlmsg_end(skb, hdr);
	return skb;

err_free:
	nlmsg_free(skb);
	return NULL;
}

/*
 * The tracepoint of @ev's type (dmapeek_trace.h): the same event and
 * fields as the netlink message; not its sequence number or timestamp,
 * taken later under dmapeek_event_lock, so traced order across CPUs may
 * differ from the numbering.
 */
static void dmapeek_event_trace(const struct dmapeek_event *ev)
{
	switch (ev->type) {
	case DMAPEEK_EVENT_TYPE_BUFFER_CREATE:
		trace_dmapeek_buffer_create(ev);
		break;
	case DMAPEEK_EVENT_TYPE_BUFFER_RELEASE:
		trace_dmapeek_buffer_release(ev);
		break;
	case DMAPEEK_EVENT_TYPE_ATTACH:
		trace_dmapeek_attach(ev);
		break;
	case DMAPEEK_EVENT_TYPE_DETACH:
		trace_dmapeek_detach(ev);
		break;
	case DMAPEEK_EVENT_TYPE_MAP:
		trace_dmapeek_map(ev);
		break;
	case DMAPEEK_EVENT_TYPE_UNMAP:
		trace_dmapeek_unmap(ev);
		break;
	case DMAPEEK_EVENT_TYPE_PIN:
		trace_dmapeek_pin(ev);
		break;
	case DMAPEEK_EVENT_TYPE_UNPIN:
		trace_dmapeek_unpin(ev);
		break;
	case DMAPEEK_EVENT_TYPE_INVALIDATE:
		trace_dmapeek_invalidate(ev);
		break;
	case DMAPEEK_EVENT_TYPE_MOVE_BEGIN:
		trace_dmapeek_move_begin(ev);
		break;
	case DMAPEEK_EVENT_TYPE_MOVE_DONE:
		trace_dmapeek_move_done(ev);
		break;
	case DMAPEEK_EVENT_TYPE_REVOKE_BEGIN:
		trace_dmapeek_revoke_begin(ev);
		break;
	case DMAPEEK_EVENT_TYPE_REVOKE_DONE:
		trace_dmapeek_revoke_done(ev);
		break;
	case DMAPEEK_EVENT_TYPE_RESTORE:
		trace_dmapeek_restore(ev);
		break;
	case DMAPEEK_EVENT_TYPE_STUCK:
		trace_dmapeek_stuck(ev);
		break;
	default:
		WARN_ONCE(1, "dmapeek event type %u has no tracepoint\n", ev->type);
		break;
	}
}

/*
 * Every event fires its tracepoint, listened to or not.  Every event made
 * while the group has a listener gets the next number, also one that
 * cannot be built or sent: listeners see the gap, and the next event's
 * drop count says whether the module lost it.
 */
void dmapeek_event(const struct dmapeek_event *ev)
{
	struct dmapeek_event_slots slots;
	struct sk_buff *skb;
	u64 v;
	int ret;

	dmapeek_event_trace(ev);
	if (!genl_has_listeners(&dmapeek_nl_family, &init_net, DMAPEEK_NLGRP_EVENTS))
		return;

	skb = dmapeek_event_msg(ev, &slots);
	mutex_lock(&dmapeek_event_lock);
	dmapeek_event_seq++;
	if (!skb) {
		dmapeek_events_dropped++;
		goto out;
	}
	v = dmapeek_now();
	memcpy(nla_data(slots.timestamp), &v, sizeof(v));
	v = dmapeek_event_seq;
	memcpy(nla_data(slots.seq), &v, sizeof(v));
	v = dmapeek_events_dropped;
	memcpy(nla_data(slots.dropped), &v, sizeof(v));
	ret = genlmsg_multicast(&dmapeek_nl_family, skb, 0, DMAPEEK_NLGRP_EVENTS,
				GFP_KERNEL);
	/*
	 * -ESRCH: the last listener left since the check above; -ENOBUFS: a
	 * listener's socket overran (it is told, and others may have the
	 * event).  Neither is the module's loss.
	 */
	if (ret && ret != -ESRCH && ret != -ENOBUFS)
		dmapeek_events_dropped++;
out:
	mutex_unlock(&dmapeek_event_lock);
}

/* ------------------------------------------------------------- netlink glue */

bool dmapeek_nl_admin(const struct sk_buff *skb)
{
	return netlink_capable(skb, CAP_SYS_ADMIN);
}

/*
 * The spec's admin-perm (GENL_ADMIN_PERM) only asks for CAP_NET_ADMIN, but
 * dmapeek's state-changing ops need CAP_SYS_ADMIN, as its ioctls do: a
 * network administrator must not revoke or move other people's memory.
 */
int dmapeek_nl_need_admin(const struct sk_buff *skb, struct genl_info *info)
{
	if (dmapeek_nl_admin(skb))
		return 0;
	NL_SET_ERR_MSG(info->extack, "operation needs CAP_SYS_ADMIN");
	return -EPERM;
}

/*
 * Reply to a delete with how many objects it dropped; the reply is made
 * first, so that what was dropped is never left unreported by ENOMEM.
 */
int dmapeek_nl_delete(struct genl_info *info, int id_attr, int all_attr,
		      int deleted_attr, const char *what,
		      int (*delete_one)(u32 id, struct netlink_ext_ack *extack),
		      u32 (*delete_all)(void))
{
	struct nlattr *id = info->attrs[id_attr];
	bool all = nla_get_flag(info->attrs[all_attr]);
	struct sk_buff *rsp;
	u32 n = 1;
	void *hdr;
	int ret;

	if (id && all) {
		NL_SET_BAD_ATTR(info->extack, info->attrs[all_attr]);
		NL_SET_ERR_MSG_FMT(info->extack, "name one %s by id, or all, not both",
				   what);
		return -EINVAL;
	}
	if (!id && !all) {
		NL_SET_ERR_ATTR_MISS(info->extack, NULL, id_attr);
		NL_SET_ERR_MSG_FMT(info->extack, "name one %s by id, or all", what);
		return -EINVAL;
	}
	rsp = genlmsg_new(nla_total_size(sizeof(u32)), GFP_KERNEL);
	if (!rsp)
		return -ENOMEM;
	hdr = genlmsg_iput(rsp, info);
	if (!hdr) {
		nlmsg_free(rsp);
		return -EMSGSIZE;
	}
	if (all) {
		n = delete_all();
	} else {
		ret = delete_one(nla_get_u32(id), info->extack);
		if (ret) {
			nlmsg_free(rsp);
			return ret;
		}
	}
	/* the room was reserved above: cannot fail */
	nla_put_u32(rsp, deleted_attr, n);
	genlmsg_end(rsp, hdr);
	return genlmsg_reply(rsp, info);
}

int dmapeek_nla_put_range(struct sk_buff *skb, int attrtype,
			  const struct dmapeek_map_range *r, bool admin)
{
	struct nlattr *nest;

	nest = nla_nest_start(skb, attrtype);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_uint(skb, DMAPEEK_A_RANGE_OFFSET, r->offset) ||
	    nla_put_uint(skb, DMAPEEK_A_RANGE_LEN, r->len) ||
	    (r->kind && nla_put_u32(skb, DMAPEEK_A_RANGE_KIND, r->kind)) ||
	    (admin && nla_put_uint(skb, DMAPEEK_A_RANGE_ADDR, r->addr))) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

int dmapeek_fill_ranges(struct sk_buff *skb, const struct dmapeek_range_attrs *ra,
			u32 nr, u32 *sub, bool admin, const void *obj,
			void (*get)(const void *obj, u32 i, u64 off,
				    struct dmapeek_map_range *r))
{
	struct dmapeek_map_range r;
	u32 first = *sub, i;
	u64 off = 0;

	if (first > nr)		/* the object shrank under the dump */
		first = nr;
	if (nla_put_u32(skb, ra->nr_ranges, nr) ||
	    (first && nla_put_u32(skb, ra->range_first, first)))
		return -EMSGSIZE;
	/* Where range @first starts: the lengths before it. */
	for (i = 0; i < first; i++) {
		get(obj, i, off, &r);
		off += r.len;
	}
	for (i = first; i < nr; i++) {
		get(obj, i, off, &r);
		if (dmapeek_nla_put_range(skb, ra->range, &r, admin)) {
			if (i == first)
				return -EMSGSIZE;
			*sub = i;
			return DMAPEEK_FILL_PARTIAL;
		}
		off += r.len;
	}
	return 0;
}

int dmapeek_nl_dump_obj(struct sk_buff *skb, struct netlink_callback *cb,
			bool admin, u32 id, void *obj, dmapeek_fill_fn fill)
{
	const struct genl_info *info = genl_info_dump(cb);
	struct dmapeek_dump_ctx *ctx = dmapeek_dump_ctx(cb);
	void *hdr;
	int ret;
	/* The object we were in the middle of may have gone. */
	u32 sub = id == ctx->next_id ? ctx->next_sub : 0;

	hdr = genlmsg_iput(skb, info);
	if (!hdr)
		return -EMSGSIZE;
	genl_dump_check_consistent(cb, hdr);
	ret = fill(skb, obj, info, admin, ctx->filter, &sub);
	if (ret == -ENOENT) {
		/* filtered out: the next batch need not look again */
		genlmsg_cancel(skb, hdr);
		ctx->next_id = id + 1;
		ctx->next_sub = 0;
		return 0;
	}
	if (ret < 0) {
		genlmsg_cancel(skb, hdr);
		return ret;
	}
	genlmsg_end(skb, hdr);
	if (ret == DMAPEEK_FILL_PARTIAL) {
		ctx->next_id = id;
		ctx->next_sub = sub;
		return -EMSGSIZE;	/* this batch is full */
	}
	ctx->next_id = id + 1;
	ctx->next_sub = 0;
	return 0;
}

int dmapeek_nl_dump_end(struct sk_buff *skb, int ret)
{
	/* A full message with objects in it ends this batch, not the dump. */
	if (ret == -EMSGSIZE && skb->len)
		return skb->len;
	return ret;
}

/*
 * Objects one per message; a full skb ends the batch and the cursor in
 * cb->ctx resumes there.  An object with more ranges than fit one message
 * ends its batch after a part of them, and the next batch goes on with
 * that object from ctx->next_sub.  The generation counter lets
 * genl_dump_check_consistent() flag a dump that objects came or went under.
 */
int dmapeek_nl_dump_table(struct sk_buff *skb, struct netlink_callback *cb,
			  struct dmapeek_table *t, dmapeek_fill_fn fill)
{
	struct dmapeek_dump_ctx *ctx = dmapeek_dump_ctx(cb);
	bool admin = dmapeek_nl_admin(cb->skb);
	unsigned long id;
	void *obj;
	int ret = 0;

	mutex_lock(&dmapeek_lock);
	cb->seq = (unsigned int)dmapeek_generation;
	xa_for_each_start(&t->xa, id, obj, ctx->next_id) {
		ret = dmapeek_nl_dump_obj(skb, cb, admin, id, obj, fill);
		if (ret)
			break;
	}
	mutex_unlock(&dmapeek_lock);
	return dmapeek_nl_dump_end(skb, ret);
}

/*
 * Fill @obj's reply into @rsp under dmapeek_lock; -ENOENT when @id is
 * gone, -EMSGSIZE when @rsp is too small for the whole object.
 */
static int dmapeek_nl_get_fill(struct sk_buff *rsp, struct genl_info *info,
			       struct dmapeek_table *t, u32 id, bool admin,
			       dmapeek_fill_fn fill)
{
	u32 sub = 0;
	void *obj, *hdr;
	int ret;

	hdr = genlmsg_iput(rsp, info);
	if (!hdr)
		return -EMSGSIZE;
	mutex_lock(&dmapeek_lock);
	obj = xa_load(&t->xa, id);
	ret = obj ? fill(rsp, obj, info, admin, 0, &sub) : -ENOENT;
	mutex_unlock(&dmapeek_lock);
	if (ret == DMAPEEK_FILL_PARTIAL)
		ret = -EMSGSIZE;	/* a reply carries every range */
	if (ret)
		return ret;
	genlmsg_end(rsp, hdr);
	return 0;
}

/*
 * The largest reply of a get is DMAPEEK_GET_MAX_SIZE: beyond it,
 * kmalloc()ing the skb gets unreasonable and the caller should dump, which
 * has no limit.  A caller without CAP_SYS_ADMIN gets no more than
 * GENLMSG_DEFAULT_SIZE, one page with the skb's overhead: a request anybody
 * can repeat must not make the kernel look for high-order memory.  Its dump
 * has no such limit, since a dump sends an object with many ranges in
 * page-sized parts.
 */
int dmapeek_nl_get_one(struct sk_buff *skb, struct genl_info *info,
		       struct dmapeek_table *t,
		       int id_attr, const char *what, dmapeek_fill_fn fill)
{
	bool admin = dmapeek_nl_admin(skb);
	size_t size = GENLMSG_DEFAULT_SIZE;
	size_t max = admin ? DMAPEEK_GET_MAX_SIZE : GENLMSG_DEFAULT_SIZE;
	struct sk_buff *rsp;
	int ret;
	u32 id;

	if (GENL_REQ_ATTR_CHECK(info, id_attr))
		return -EINVAL;
	id = nla_get_u32(info->attrs[id_attr]);

	/* Most objects fit the default size; one with many ranges may not. */
	for (;;) {
		rsp = genlmsg_new(size, size > GENLMSG_DEFAULT_SIZE ?
					GFP_KERNEL | __GFP_NOWARN : GFP_KERNEL);
		if (!rsp)
			return -ENOMEM;
		ret = dmapeek_nl_get_fill(rsp, info, t, id, admin, fill);
		if (!ret)
			return genlmsg_reply(rsp, info);
		nlmsg_free(rsp);
		if (ret != -EMSGSIZE)
			break;
		if (size >= max) {
			NL_SET_ERR_MSG_ATTR_FMT(info->extack, info->attrs[id_attr],
						"%s %u does not fit one message; dump it instead",
						what, id);
			return -EMSGSIZE;
		}
		size = min_t(size_t, size * 2, max);
	}
	if (ret == -ENOENT)
		NL_SET_ERR_MSG_ATTR_FMT(info->extack, info->attrs[id_attr],
					"no %s with id %u", what, id);
	return ret;
}

int dmapeek_nl_abi_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct sk_buff *rsp;
	void *hdr;

	rsp = genlmsg_new(nla_total_size(sizeof(u32)) * 2, GFP_KERNEL);
	if (!rsp)
		return -ENOMEM;
	hdr = genlmsg_iput(rsp, info);
	if (!hdr)
		goto err_free;
	if (nla_put_u32(rsp, DMAPEEK_A_ABI_MAJOR, DMAPEEK_ABI_MAJOR) ||
	    nla_put_u32(rsp, DMAPEEK_A_ABI_MINOR, DMAPEEK_ABI_MINOR))
		goto err_free;
	genlmsg_end(rsp, hdr);
	return genlmsg_reply(rsp, info);

err_free:
	nlmsg_free(rsp);
	return -EMSGSIZE;
}
