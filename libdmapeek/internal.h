/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libdmapeek internals: the context and the netlink transport.
 */
#ifndef LIBDMAPEEK_INTERNAL_H
#define LIBDMAPEEK_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <libmnl/libmnl.h>

#include "dmapeek.h"

#define DMAPEEK_EXPORT __attribute__((visibility("default")))

struct dmapeek {
	struct mnl_socket *nl;
	uint16_t family_id;
	uint32_t mcgrp_events;
	uint32_t seq;
	uint32_t portid;
	int dev_fd;			/* /dev/dmapeek, opened on first use */
	char *buf;			/* one netlink batch */
	size_t buf_size;
	char extack[256];
	dmapeek_log_fn log_fn;
	void *log_priv;
	enum dmapeek_log_level log_level;
};

void dmapeek_log(struct dmapeek *ctx, enum dmapeek_log_level level,
		 const char *fmt, ...) __attribute__((format(printf, 3, 4)));
#define dp_err(ctx, ...) dmapeek_log(ctx, DMAPEEK_LOG_ERR, __VA_ARGS__)
#define dp_dbg(ctx, ...) dmapeek_log(ctx, DMAPEEK_LOG_DEBUG, __VA_ARGS__)

/* Return -err with errno set, the library's error convention. */
static inline int dp_errno(int err)
{
	if (err > 0)
		err = -err;
	errno = -err;
	return err;
}

/* Netlink transport (nl.c) */
int dp_nl_open(struct dmapeek *ctx);
struct nlmsghdr *dp_nl_msg(struct dmapeek *ctx, uint8_t cmd, uint16_t flags);
int dp_nl_talk(struct dmapeek *ctx, struct nlmsghdr *nlh,
	       mnl_cb_t cb, void *data);
int dp_nl_error_msg(struct dmapeek *ctx, const struct nlmsghdr *nlh);

/* /dev/dmapeek (ctx.c) */
int dp_dev_fd(struct dmapeek *ctx);
int dp_ioctl(struct dmapeek *ctx, unsigned long cmd, void *arg);

#endif /* LIBDMAPEEK_INTERNAL_H */
