// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libdmapeek: the module's operations.
 *
 * Operations that carry file descriptors or user memory (export, import,
 * detach, DMA) go through /dev/dmapeek; those addressed by id go through
 * netlink first, which reports the kernel's reason in words (extack) and,
 * for revoke, every importer's unmap time.  A module without the netlink
 * op (-EOPNOTSUPP) is asked through the matching ioctl instead.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "internal.h"

/* The size an options struct claims, checked against what we know. */
static int dp_opts_ok(size_t sz, size_t known, const void *opts)
{
	const char *p = opts;
	size_t i;

	if (sz < sizeof(size_t))
		return 0;
	/* A newer caller's fields must be zero: we cannot honour them. */
	for (i = known; i < sz; i++)
		if (p[i])
			return 0;
	return 1;
}

DMAPEEK_EXPORT int dmapeek_export(struct dmapeek *ctx,
				  const struct dmapeek_export_opts *opts,
				  int *fd, uint32_t *buffer_id)
{
	struct dmapeek_export x = { .size = sizeof(x) };
	int err;

	if (!opts || !dp_opts_ok(opts->sz, sizeof(*opts), opts) || !fd)
		return dp_errno(EINVAL);
	x.provider_id = opts->provider_id;
	x.model = opts->model;
	x.length = opts->length;
	x.nr_ranges = opts->nr_ranges;
	x.ranges = (uintptr_t)opts->ranges;
	if (opts->name) {
		if (strlen(opts->name) >= sizeof(x.name))
			return dp_errno(ENAMETOOLONG);
		strcpy(x.name, opts->name);
	}
	err = dp_ioctl(ctx, DMAPEEK_IOC_EXPORT, &x);
	if (err)
		return err;
	*fd = x.fd;
	if (buffer_id)
		*buffer_id = x.buffer_id;
	return 0;
}

DMAPEEK_EXPORT int dmapeek_import(struct dmapeek *ctx, int dmabuf_fd,
				  uint32_t device_id,
				  const struct dmapeek_import_opts *opts,
				  uint32_t *attachment_id)
{
	struct dmapeek_import x = { .size = sizeof(x) };
	int err;

	if (opts && !dp_opts_ok(opts->sz, sizeof(*opts), opts))
		return dp_errno(EINVAL);
	x.fd = dmabuf_fd;
	x.device_id = device_id;
	if (opts) {
		x.flags = opts->flags;
		x.behaviour = opts->behaviour;
		x.unmap_delay_ms = opts->unmap_delay_ms;
	}
	err = dp_ioctl(ctx, DMAPEEK_IOC_IMPORT, &x);
	if (err)
		return err;
	if (attachment_id)
		*attachment_id = x.attachment_id;
	return 0;
}

/* An ioctl of the module; a module without it (-ENOTTY) lacks the op. */
static int dp_op_ioctl(struct dmapeek *ctx, unsigned long cmd, void *arg)
{
	int err = dp_ioctl(ctx, cmd, arg);

	return err == -ENOTTY ? dp_errno(EOPNOTSUPP) : err;
}

static int dp_id_ioctl(struct dmapeek *ctx, unsigned long cmd, uint32_t id)
{
	struct dmapeek_id_op x = { .size = sizeof(x), .id = id };

	return dp_op_ioctl(ctx, cmd, &x);
}

DMAPEEK_EXPORT int dmapeek_detach(struct dmapeek *ctx, uint32_t attachment_id)
{
	return dp_id_ioctl(ctx, DMAPEEK_IOC_DETACH, attachment_id);
}

/*
 * An operation on one object by id: a netlink do with the id and no reply
 * but the ack, or, from a module without the netlink op, the ioctl.
 */
static int dp_id_op(struct dmapeek *ctx, uint8_t cmd, unsigned int attr,
		    unsigned long ioc, uint32_t id)
{
	struct nlmsghdr *nlh = dp_nl_msg(ctx, cmd, 0);
	int err;

	mnl_attr_put_u32(nlh, attr, id);
	err = dp_nl_talk(ctx, nlh, NULL, NULL);
	if (err == -EOPNOTSUPP)
		err = dp_id_ioctl(ctx, ioc, id);
	return err;
}

DMAPEEK_EXPORT int dmapeek_map(struct dmapeek *ctx, uint32_t attachment_id)
{
	return dp_id_op(ctx, DMAPEEK_CMD_ATTACHMENT_MAP, DMAPEEK_A_ATTACHMENT_ID,
			DMAPEEK_IOC_MAP, attachment_id);
}

DMAPEEK_EXPORT int dmapeek_unmap(struct dmapeek *ctx, uint32_t attachment_id)
{
	return dp_id_op(ctx, DMAPEEK_CMD_ATTACHMENT_UNMAP, DMAPEEK_A_ATTACHMENT_ID,
			DMAPEEK_IOC_UNMAP, attachment_id);
}

DMAPEEK_EXPORT int dmapeek_restore(struct dmapeek *ctx, uint32_t buffer_id)
{
	return dp_id_op(ctx, DMAPEEK_CMD_BUFFER_RESTORE, DMAPEEK_A_BUFFER_ID,
			DMAPEEK_IOC_RESTORE, buffer_id);
}

DMAPEEK_EXPORT int dmapeek_move(struct dmapeek *ctx, uint32_t buffer_id,
				uint32_t provider_id, uint32_t timeout_ms)
{
	struct nlmsghdr *nlh = dp_nl_msg(ctx, DMAPEEK_CMD_BUFFER_MOVE, 0);
	struct dmapeek_move x = {
		.size = sizeof(x), .buffer_id = buffer_id,
		.provider_id = provider_id, .timeout_ms = timeout_ms,
	};
	int err;

	mnl_attr_put_u32(nlh, DMAPEEK_A_BUFFER_ID, buffer_id);
	mnl_attr_put_u32(nlh, DMAPEEK_A_BUFFER_TARGET_PROVIDER_ID, provider_id);
	if (timeout_ms)
		mnl_attr_put_u32(nlh, DMAPEEK_A_BUFFER_TIMEOUT_MS, timeout_ms);
	err = dp_nl_talk(ctx, nlh, NULL, NULL);
	if (err == -EOPNOTSUPP)
		err = dp_op_ioctl(ctx, DMAPEEK_IOC_MOVE, &x);
	return err;
}

static void dp_obj_set(struct dp_obj *o, unsigned int attr, uint64_t v)
{
	o->v[attr] = v;
	o->present |= 1U << attr;
}

/*
 * An operation that answers with an object: the netlink do @nlh, or, from
 * a module without that op, the ioctl @ioc on @arg, whose answer @fill
 * turns into the object (without the per-item records only netlink
 * carries).  *res, if @res is not NULL, owns the object.
 */
static int dp_reply_op(struct dmapeek *ctx, enum dp_kind kind,
		       struct nlmsghdr *nlh, unsigned long ioc, void *arg,
		       void (*fill)(struct dp_obj *o, const void *arg),
		       struct dp_obj **res)
{
	struct dp_obj *o = dp_get(ctx, kind, nlh);

	if (!o && errno == EOPNOTSUPP) {
		int err = dp_op_ioctl(ctx, ioc, arg);

		if (err)
			return err;
		o = dp_obj_new(kind);
		if (!o)
			return dp_errno(ENOMEM);
		fill(o, arg);
	}
	if (!o)
		return -errno;
	if (res)
		*res = o;
	else
		dmapeek_object_free(o);
	return 0;
}

static void dp_revoke_fill(struct dp_obj *o, const void *arg)
{
	const struct dmapeek_revoke *x = arg;

	dp_obj_set(o, DMAPEEK_A_REVOKE_BUFFER_ID, x->buffer_id);
	dp_obj_set(o, DMAPEEK_A_REVOKE_DURATION_NS, x->duration_ns);
	dp_obj_set(o, DMAPEEK_A_REVOKE_ATTACHMENTS, x->attachments);
	dp_obj_set(o, DMAPEEK_A_REVOKE_STUCK, x->stuck);
}

DMAPEEK_EXPORT int dmapeek_revoke(struct dmapeek *ctx, uint32_t buffer_id,
				  uint32_t timeout_ms,
				  struct dmapeek_revoke_result **res)
{
	struct nlmsghdr *nlh = dp_nl_msg(ctx, DMAPEEK_CMD_BUFFER_REVOKE, 0);
	struct dmapeek_revoke x = {
		.size = sizeof(x), .buffer_id = buffer_id, .timeout_ms = timeout_ms,
	};
	struct dp_obj *o;
	int err;

	mnl_attr_put_u32(nlh, DMAPEEK_A_REVOKE_BUFFER_ID, buffer_id);
	if (timeout_ms)
		mnl_attr_put_u32(nlh, DMAPEEK_A_REVOKE_TIMEOUT_MS, timeout_ms);
	err = dp_reply_op(ctx, DP_REVOKE, nlh, DMAPEEK_IOC_REVOKE, &x, dp_revoke_fill,
			  res ? &o : NULL);
	if (!err && res)
		*res = (struct dmapeek_revoke_result *)o;
	return err;
}

DMAPEEK_EXPORT unsigned int
dmapeek_revoke_nr_results(const struct dmapeek_revoke_result *r)
{
	return r->o.nr_subs;
}

DMAPEEK_EXPORT int dmapeek_revoke_result(const struct dmapeek_revoke_result *r,
					 unsigned int i, uint32_t *attachment_id,
					 uint64_t *unmap_ns, bool *stuck)
{
	const struct dp_sub *s;

	if (i >= r->o.nr_subs)
		return dp_errno(ERANGE);
	s = &r->o.subs[i];
	if (attachment_id)
		*attachment_id = (uint32_t)s->v[DMAPEEK_A_REVOKE_ATTACHMENT_ID];
	if (unmap_ns)
		*unmap_ns = s->present & (1U << DMAPEEK_A_REVOKE_ATTACHMENT_UNMAP_NS) ?
			    s->v[DMAPEEK_A_REVOKE_ATTACHMENT_UNMAP_NS] : UINT64_MAX;
	if (stuck)
		*stuck = s->v[DMAPEEK_A_REVOKE_ATTACHMENT_STUCK] != 0;
	return 0;
}

static int dp_dma(struct dmapeek *ctx, uint32_t attachment_id, uint64_t offset,
		  void *buf, size_t len, uint32_t flags)
{
	struct dmapeek_dma x = {
		.size = sizeof(x), .flags = flags,
		.attachment_id = attachment_id, .offset = offset,
		.length = len, .data = (uintptr_t)buf,
	};

	return dp_op_ioctl(ctx, DMAPEEK_IOC_DMA, &x);
}

DMAPEEK_EXPORT int dmapeek_dma_read(struct dmapeek *ctx, uint32_t attachment_id,
				    uint64_t offset, void *buf, size_t len)
{
	return dp_dma(ctx, attachment_id, offset, buf, len, 0);
}

DMAPEEK_EXPORT int dmapeek_dma_write(struct dmapeek *ctx, uint32_t attachment_id,
				     uint64_t offset, const void *buf, size_t len)
{
	return dp_dma(ctx, attachment_id, offset, (void *)buf, len,
		      DMAPEEK_DMA_TO_BUFFER);
}

static void dp_audit_fill(struct dp_obj *o, const void *arg)
{
	const struct dmapeek_audit *x = arg;

	dp_obj_set(o, DMAPEEK_A_AUDIT_MAPPING_ID, x->mapping_id);
	dp_obj_set(o, DMAPEEK_A_AUDIT_RESULT, x->result);
	dp_obj_set(o, DMAPEEK_A_AUDIT_PAGES, x->pages);
	dp_obj_set(o, DMAPEEK_A_AUDIT_MISMATCHES, x->mismatches);
	dp_obj_set(o, DMAPEEK_A_AUDIT_HOLES, x->holes);
}

DMAPEEK_EXPORT int dmapeek_audit(struct dmapeek *ctx, uint32_t mapping_id,
				 struct dmapeek_audit_report **res)
{
	struct nlmsghdr *nlh = dp_nl_msg(ctx, DMAPEEK_CMD_MAPPING_AUDIT, 0);
	struct dmapeek_audit x = { .size = sizeof(x), .mapping_id = mapping_id };
	struct dp_obj *o;
	int err;

	mnl_attr_put_u32(nlh, DMAPEEK_A_AUDIT_MAPPING_ID, mapping_id);
	err = dp_reply_op(ctx, DP_AUDIT, nlh, DMAPEEK_IOC_AUDIT, &x, dp_audit_fill,
			  res ? &o : NULL);
	if (!err && res)
		*res = (struct dmapeek_audit_report *)o;
	return err;
}

DMAPEEK_EXPORT unsigned int
dmapeek_audit_nr_samples(const struct dmapeek_audit_report *r)
{
	return r->o.nr_subs;
}

DMAPEEK_EXPORT int dmapeek_audit_sample(const struct dmapeek_audit_report *r,
					unsigned int i, uint64_t *iova,
					uint64_t *expected, uint64_t *actual)
{
	const struct dp_sub *s;

	if (i >= r->o.nr_subs)
		return dp_errno(ERANGE);
	s = &r->o.subs[i];
	if (iova)
		*iova = s->v[DMAPEEK_A_AUDIT_MISMATCH_IOVA];
	if (expected)
		*expected = s->v[DMAPEEK_A_AUDIT_MISMATCH_EXPECTED];
	if (actual)
		*actual = s->v[DMAPEEK_A_AUDIT_MISMATCH_ACTUAL];
	return 0;
}
