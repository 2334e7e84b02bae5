// SPDX-License-Identifier: GPL-2.0-only
/*
 * dmapeek: the exporter's reports.  The fill functions of buffers and
 * attachments, the get and dump bodies of both, the lookup of the buffer
 * a request names, the per-attachment outcomes a revoke's or a move's
 * done event carries, and what a peek at any dma-buf (dmapeek_peek.c)
 * learns of the buffers dmapeek exported.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/dma-buf.h>
#include <linux/dma-resv.h>
#include <net/genetlink.h>

#include "dmapeek.h"
#include "dmapeek_export.h"
#include "dmapeek-nl-gen.h"

/* ------------------------------------------------------------------ netlink */

/* Range @i of a backing, which starts at buffer offset @off. */
static void dmapeek_buffer_range(const void *obj, u32 i, u64 off,
				 struct dmapeek_map_range *r)
{
	const struct dmapeek_backing *b = obj;

	*r = (struct dmapeek_map_range){
		.offset = off,
		.len = b->vec[i].len,
		.addr = b->vec[i].paddr,
		.kind = DMAPEEK_ADDR_KIND_PHYS,
	};
}

static const struct dmapeek_range_attrs dmapeek_buffer_range_attrs = {
	.range = DMAPEEK_A_BUFFER_RANGE,
	.nr_ranges = DMAPEEK_A_BUFFER_NR_RANGES,
	.range_first = DMAPEEK_A_BUFFER_RANGE_FIRST,
};

int dmapeek_fill_buffer(struct sk_buff *skb, void *obj,
			const struct genl_info *info, bool admin, u32 filter,
			u32 *sub)
{
	struct dmapeek_buffer *buf = obj;
	struct dmapeek_backing *b = buf->backing;	/* stable: dmapeek_lock */
	u32 prov_id = b ? b->prov_id : 0;

	lockdep_assert_held(&dmapeek_lock);
	if (filter && prov_id != filter)
		return -ENOENT;
	if (nla_put_u32(skb, DMAPEEK_A_BUFFER_ID, buf->id) ||
	    nla_put_uint(skb, DMAPEEK_A_BUFFER_INODE,
			 buf->ino) ||
	    nla_put_string(skb, DMAPEEK_A_BUFFER_NAME, buf->name) ||
	    nla_put_uint(skb, DMAPEEK_A_BUFFER_SIZE, buf->size) ||
	    nla_put_u32(skb, DMAPEEK_A_BUFFER_MODEL, buf->model) ||
	    (prov_id && nla_put_u32(skb, DMAPEEK_A_BUFFER_PROVIDER_ID, prov_id)) ||
	    nla_put_u32(skb, DMAPEEK_A_BUFFER_STATE, READ_ONCE(buf->state)) ||
	    nla_put_u32(skb, DMAPEEK_A_BUFFER_ATTACHMENTS,
			atomic_read(&buf->nr_attachments)) ||
	    nla_put_u32(skb, DMAPEEK_A_BUFFER_PINS, READ_ONCE(buf->pins)) ||
	    nla_put_u32(skb, DMAPEEK_A_BUFFER_MOVES, READ_ONCE(buf->moves)) ||
	    nla_put_u32(skb, DMAPEEK_A_BUFFER_REVOKES, READ_ONCE(buf->revokes)) ||
	    nla_put_uint(skb, DMAPEEK_A_BUFFER_CREATED_NS, buf->created_ns) ||
	    (buf->held && nla_put_flag(skb, DMAPEEK_A_BUFFER_HELD)))
		return -EMSGSIZE;
	return dmapeek_fill_ranges(skb, &dmapeek_buffer_range_attrs,
				   b ? b->nr : 0, sub, admin, b,
				   dmapeek_buffer_range);
}

int dmapeek_fill_attachment(struct sk_buff *skb, void *obj,
			    const struct genl_info *info, bool admin, u32 filter,
			    u32 *sub)
{
	struct dmapeek_attachment *a = obj;
	struct dmapeek_buffer *buf = READ_ONCE(a->buf);
	u32 buf_id = buf ? buf->id : 0;
	u32 flags = READ_ONCE(a->flags);
	bool imported = flags & DMAPEEK_ATTACH_FLAGS_IMPORTED;
	u32 device_id = READ_ONCE(a->device_id);
	u32 own_map = READ_ONCE(a->own_map);

	if (filter && buf_id != filter)
		return -ENOENT;
	if (nla_put_u32(skb, DMAPEEK_A_ATTACHMENT_ID, a->id) ||
	    (buf_id && nla_put_u32(skb, DMAPEEK_A_ATTACHMENT_BUFFER_ID, buf_id)) ||
	    nla_put_uint(skb, DMAPEEK_A_ATTACHMENT_INODE,
			 a->ino) ||
	    nla_put_string(skb, DMAPEEK_A_ATTACHMENT_EXP_NAME, a->dmabuf->exp_name) ||
	    nla_put_uint(skb, DMAPEEK_A_ATTACHMENT_SIZE, a->dmabuf->size) ||
	    nla_put_string(skb, DMAPEEK_A_ATTACHMENT_IMPORTER_DEV, a->importer_dev) ||
	    nla_put_string(skb, DMAPEEK_A_ATTACHMENT_IMPORTER_DRIVER,
			   a->importer_driver) ||
	    (device_id &&
	     nla_put_u32(skb, DMAPEEK_A_ATTACHMENT_DEVICE_ID, device_id)) ||
	    nla_put_u32(skb, DMAPEEK_A_ATTACHMENT_FLAGS, flags) ||
	    nla_put_u32(skb, DMAPEEK_A_ATTACHMENT_MAP_TYPE, READ_ONCE(a->map_type)) ||
	    (imported &&
	     nla_put_u32(skb, DMAPEEK_A_ATTACHMENT_BEHAVIOUR,
			 READ_ONCE(a->behaviour))) ||
	    (imported &&
	     nla_put_u32(skb, DMAPEEK_A_ATTACHMENT_UNMAP_DELAY_MS,
			 READ_ONCE(a->unmap_delay_ms))) ||
	    nla_put_u8(skb, DMAPEEK_A_ATTACHMENT_MAPPED, READ_ONCE(a->mapped)) ||
	    nla_put_u32(skb, DMAPEEK_A_ATTACHMENT_MAPS, READ_ONCE(a->maps)) ||
	    nla_put_u32(skb, DMAPEEK_A_ATTACHMENT_UNMAPS, READ_ONCE(a->unmaps)) ||
	    nla_put_u32(skb, DMAPEEK_A_ATTACHMENT_INVALIDATIONS,
			READ_ONCE(a->invalidations)) ||
	    nla_put_uint(skb, DMAPEEK_A_ATTACHMENT_LAST_MAP_NS,
			 READ_ONCE(a->last_map_ns)) ||
	    nla_put_uint(skb, DMAPEEK_A_ATTACHMENT_LAST_UNMAP_NS,
			 READ_ONCE(a->last_unmap_ns)) ||
	    nla_put_uint(skb, DMAPEEK_A_ATTACHMENT_LAST_INVALIDATE_NS,
			 READ_ONCE(a->last_invalidate_ns)) ||
	    nla_put_uint(skb, DMAPEEK_A_ATTACHMENT_LAST_UNMAP_LATENCY_NS,
			 READ_ONCE(a->last_unmap_latency_ns)) ||
	    nla_put_uint(skb, DMAPEEK_A_ATTACHMENT_MAX_UNMAP_LATENCY_NS,
			 READ_ONCE(a->max_unmap_latency_ns)) ||
	    nla_put_u8(skb, DMAPEEK_A_ATTACHMENT_STUCK, READ_ONCE(a->stuck)) ||
	    (own_map && nla_put_u32(skb, DMAPEEK_A_ATTACHMENT_OWN_MAP, own_map)) ||
	    nla_put_u32(skb, DMAPEEK_A_ATTACHMENT_REVOKED_SEEN,
			READ_ONCE(a->revoked_seen)))
		return -EMSGSIZE;
	return 0;
}

int dmapeek_nl_buffer_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	return dmapeek_nl_get_one(skb, info, &dmapeek_buffers, DMAPEEK_A_BUFFER_ID,
				  "buffer", dmapeek_fill_buffer);
}

int dmapeek_nl_buffer_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	const struct genl_info *info = genl_info_dump(cb);
	struct dmapeek_dump_ctx *ctx = dmapeek_dump_ctx(cb);

	if (info->attrs[DMAPEEK_A_BUFFER_PROVIDER_ID])
		ctx->filter = nla_get_u32(info->attrs[DMAPEEK_A_BUFFER_PROVIDER_ID]);
	return dmapeek_nl_dump_table(skb, cb, &dmapeek_buffers, dmapeek_fill_buffer);
}

int dmapeek_nl_attachment_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	return dmapeek_nl_get_one(skb, info, &dmapeek_attachments,
				  DMAPEEK_A_ATTACHMENT_ID, "attachment",
				  dmapeek_fill_attachment);
}

/*
 * @buf's attachment records from ctx->next_id on (dmapeek_lock held).  The
 * list is in id order; a batch goes on from the record the last one
 * stopped at when nothing was linked or unlinked since (the same
 * generation), else it finds its place by id, so that a buffer with tens
 * of thousands of importers dumps in linear time.
 */
static int dmapeek_nl_dump_buf_attachments(struct sk_buff *skb,
					   struct netlink_callback *cb,
					   struct dmapeek_buffer *buf, bool admin)
{
	struct dmapeek_dump_ctx *ctx = dmapeek_dump_ctx(cb);
	struct dmapeek_attachment *a;
	int ret;

	lockdep_assert_held(&dmapeek_lock);
	if (ctx->resume && ctx->resume_gen == dmapeek_generation)
		a = ctx->resume;
	else
		a = list_first_entry(&buf->nl_attachments, typeof(*a), buf_node);
	ctx->resume = NULL;
	list_for_each_entry_from(a, &buf->nl_attachments, buf_node) {
		if (a->id < ctx->next_id)
			continue;	/* dumped in an earlier batch */
		ret = dmapeek_nl_dump_obj(skb, cb, admin, a->id, a,
					  dmapeek_fill_attachment);
		if (ret) {
			ctx->resume = a;
			ctx->resume_gen = dmapeek_generation;
			return ret;
		}
	}
	return 0;
}

/*
 * The attachments of every dmapeek buffer, sorted by buffer id and then
 * attachment id (the buffer-order dump): a listing of buffers with their
 * attachments merges it with the buffer dump instead of asking once per
 * buffer.  ctx->pos is the buffer being dumped, ctx->next_id the first
 * attachment id of it not yet sent.
 */
static int dmapeek_nl_attachment_dump_by_buffer(struct sk_buff *skb,
						struct netlink_callback *cb)
{
	struct dmapeek_dump_ctx *ctx = dmapeek_dump_ctx(cb);
	bool admin = dmapeek_nl_admin(cb->skb);
	struct dmapeek_buffer *buf;
	unsigned long bid;
	int ret = 0;

	mutex_lock(&dmapeek_lock);
	cb->seq = dmapeek_generation;
	xa_for_each_start(&dmapeek_buffers.xa, bid, buf, ctx->pos) {
		if (bid != ctx->pos) {
			/* a new buffer: all of its attachments are to go */
			ctx->pos = bid;
			ctx->next_id = 0;
			ctx->resume = NULL;
		}
		ret = dmapeek_nl_dump_buf_attachments(skb, cb, buf, admin);
		if (ret)
			break;
	}
	mutex_unlock(&dmapeek_lock);
	return dmapeek_nl_dump_end(skb, ret);
}

int dmapeek_nl_attachment_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	const struct genl_info *info = genl_info_dump(cb);
	struct dmapeek_dump_ctx *ctx = dmapeek_dump_ctx(cb);
	struct dmapeek_buffer *buf;
	int ret = 0;

	if (info->attrs[DMAPEEK_A_ATTACHMENT_BUFFER_ORDER]) {
		if (info->attrs[DMAPEEK_A_ATTACHMENT_BUFFER_ID]) {
			NL_SET_ERR_MSG_ATTR(info->extack,
					    info->attrs[DMAPEEK_A_ATTACHMENT_BUFFER_ORDER],
					    "buffer-order dumps every buffer: no buffer-id with it");
			return -EINVAL;
		}
		return dmapeek_nl_attachment_dump_by_buffer(skb, cb);
	}
	if (!info->attrs[DMAPEEK_A_ATTACHMENT_BUFFER_ID])
		return dmapeek_nl_dump_table(skb, cb, &dmapeek_attachments,
					     dmapeek_fill_attachment);

	/*
	 * One buffer's attachments: its own list, not the whole table, so
	 * that a listing of every buffer with its importers stays linear.
	 */
	ctx->filter = nla_get_u32(info->attrs[DMAPEEK_A_ATTACHMENT_BUFFER_ID]);
	mutex_lock(&dmapeek_lock);
	cb->seq = dmapeek_generation;
	buf = xa_load(&dmapeek_buffers.xa, ctx->filter);
	if (buf)
		ret = dmapeek_nl_dump_buf_attachments(skb, cb, buf,
						      dmapeek_nl_admin(cb->skb));
	mutex_unlock(&dmapeek_lock);
	return dmapeek_nl_dump_end(skb, ret);
}

static int dmapeek_nl_buffer_delete_one(u32 id, struct netlink_ext_ack *extack)
{
	int ret = dmapeek_buffer_delete(id);

	if (ret == -ENOENT)
		NL_SET_ERR_MSG_FMT(extack, "no buffer with id %u", id);
	else if (ret == -EINVAL)
		NL_SET_ERR_MSG_FMT(extack,
				   "buffer %u is not held: its holders' last close ends it", id);
	return ret;
}

int dmapeek_nl_buffer_delete_doit(struct sk_buff *skb, struct genl_info *info)
{
	return dmapeek_nl_need_admin(skb, info) ?:
	       dmapeek_nl_delete(info, DMAPEEK_A_BUFFER_ID, DMAPEEK_A_BUFFER_ALL,
				 DMAPEEK_A_BUFFER_DELETED, "buffer",
				 dmapeek_nl_buffer_delete_one,
				 dmapeek_buffer_delete_all);
}

/* The buffer named by @attr, with a file reference, or an extack. */
struct dmapeek_buffer *dmapeek_nl_buffer(struct genl_info *info, int attr)
{
	struct dmapeek_buffer *buf;
	u32 id;

	if (GENL_REQ_ATTR_CHECK(info, attr))
		return ERR_PTR(-EINVAL);
	id = nla_get_u32(info->attrs[attr]);
	buf = dmapeek_buffer_get(id);
	if (!buf) {
		NL_SET_ERR_MSG_ATTR_FMT(info->extack, info->attrs[attr],
					"no buffer with id %u", id);
		return ERR_PTR(-ENOENT);
	}
	return buf;
}

/*
 * A done event carries at most DMAPEEK_OP_MAX_OUTCOMES attachments'
 * outcomes (32 bytes each): the stuck ones first when there are more, so
 * that the event stays one allocation a busy machine can make and a
 * listener's socket can take.  Its count is the number stuck, the begin
 * event's the number told.
 */
/* Room for the per-attachment outcomes of @nr attachments in a message. */
size_t dmapeek_result_size(u32 nr)
{
	return min_t(u32, nr, DMAPEEK_OP_MAX_OUTCOMES) *
	       nla_total_size(nla_total_size(sizeof(u32)) +	/* id */
			      nla_total_size(sizeof(u64)) +	/* unmap-ns */
			      nla_total_size(sizeof(u8)));	/* stuck */
}

/* The per-attachment outcomes, as @attrtype nests of revoke-attachment. */
static int dmapeek_put_result(struct sk_buff *skb, int attrtype, const void *arg)
{
	const struct dmapeek_revoke_result *res = arg;
	bool some = res->nr > DMAPEEK_OP_MAX_OUTCOMES;
	u32 i, left = DMAPEEK_OP_MAX_OUTCOMES;
	struct nlattr *nest;
	int pass;

	/* all in order; or, past the cap, the stuck then the others */
	for (pass = some ? 0 : 1; pass < 2; pass++)
		for (i = 0; i < res->nr && left; i++) {
			if (some && res->att[i].stuck != !pass)
				continue;
			left--;
			nest = nla_nest_start(skb, attrtype);
			if (!nest ||
			    nla_put_u32(skb, DMAPEEK_A_REVOKE_ATTACHMENT_ID,
					res->att[i].id) ||
			    (!res->att[i].stuck &&
			     nla_put_uint(skb, DMAPEEK_A_REVOKE_ATTACHMENT_UNMAP_NS,
					  res->att[i].unmap_ns)) ||
			    nla_put_u8(skb, DMAPEEK_A_REVOKE_ATTACHMENT_STUCK,
				       res->att[i].stuck))
				return -EMSGSIZE;
			nla_nest_end(skb, nest);
		}
	return 0;
}

int dmapeek_put_event_result(struct sk_buff *skb, const void *arg)
{
	return dmapeek_put_result(skb, DMAPEEK_A_EVENT_ATTACHMENT, arg);
}

/* -------------------------------------------------- a peek at any dma-buf */

u32 dmapeek_export_buffer_id(const struct dma_buf *dmabuf)
{
	const struct dmapeek_buffer *buf;

	if (!dmapeek_export_owns(dmabuf))
		return 0;
	buf = dmabuf->priv;
	return buf->id;
}

/*
 * The core puts an attachment on the buffer's list after our attach
 * callback set its ->priv, and takes it off before our detach callback
 * frees that, both under the reservation lock: while the caller holds it,
 * @attach's record is ours to read.
 */
struct dmapeek_attachment *dmapeek_export_attachment(struct dma_buf_attachment *attach)
{
	const struct dmapeek_exp_attach *ea;

	if (!dmapeek_export_owns(attach->dmabuf))
		return NULL;
	dma_resv_assert_held(attach->dmabuf->resv);
	ea = attach->priv;
	return ea ? ea->a : NULL;
}
