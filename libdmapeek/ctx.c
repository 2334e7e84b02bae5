// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libdmapeek: the context, logging and /dev/dmapeek.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>

#include <linux/dmapeek.h>

#include "internal.h"

void dmapeek_log(struct dmapeek *ctx, enum dmapeek_log_level level,
		 const char *fmt, ...)
{
	va_list ap;

	if (!ctx->log_fn || level > ctx->log_level)
		return;
	va_start(ap, fmt);
	ctx->log_fn(ctx->log_priv, level, fmt, ap);
	va_end(ap);
}

DMAPEEK_EXPORT struct dmapeek *dmapeek_new(void)
{
	struct dmapeek *ctx;
	int err;

	ctx = calloc(1, sizeof(*ctx));
	if (!ctx)
		return NULL;
	ctx->dev_fd = -1;
	ctx->log_level = DMAPEEK_LOG_WARNING;
	ctx->buf_size = MNL_SOCKET_BUFFER_SIZE;
	ctx->buf = malloc(ctx->buf_size);
	if (!ctx->buf) {
		free(ctx);
		errno = ENOMEM;
		return NULL;
	}
	err = dp_nl_open(ctx);
	if (err) {
		dmapeek_free(ctx);
		errno = -err;
		return NULL;
	}
	return ctx;
}

DMAPEEK_EXPORT void dmapeek_free(struct dmapeek *ctx)
{
	int saved = errno;

	if (!ctx)
		return;
	dp_cursors_free(ctx);
	dp_events_close(ctx);
	if (ctx->nl)
		mnl_socket_close(ctx->nl);
	if (ctx->dev_fd >= 0)
		close(ctx->dev_fd);
	free(ctx->buf);
	free(ctx);
	errno = saved;
}

DMAPEEK_EXPORT void dmapeek_set_log_fn(struct dmapeek *ctx, dmapeek_log_fn fn,
				       void *priv)
{
	ctx->log_fn = fn;
	ctx->log_priv = priv;
}

DMAPEEK_EXPORT void dmapeek_set_log_level(struct dmapeek *ctx,
					  enum dmapeek_log_level level)
{
	ctx->log_level = level;
}

DMAPEEK_EXPORT const char *dmapeek_extack(const struct dmapeek *ctx)
{
	return ctx->extack[0] ? ctx->extack : NULL;
}

int dp_dev_fd(struct dmapeek *ctx)
{
	if (ctx->dev_fd >= 0)
		return ctx->dev_fd;
	ctx->dev_fd = open("/dev/" DMAPEEK_DEVICE_NAME, O_RDWR | O_CLOEXEC);
	if (ctx->dev_fd < 0) {
		int err = errno;

		dp_dbg(ctx, "open /dev/%s: %s", DMAPEEK_DEVICE_NAME, strerror(err));
		return dp_errno(err);
	}
	return ctx->dev_fd;
}

int dp_ioctl(struct dmapeek *ctx, unsigned long cmd, void *arg)
{
	int fd = dp_dev_fd(ctx);

	if (fd < 0)
		return fd;
	ctx->extack[0] = '\0';
	if (ioctl(fd, cmd, arg) < 0)
		return dp_errno(errno);
	return 0;
}

DMAPEEK_EXPORT void dmapeek_lib_abi_version(unsigned int *major,
					    unsigned int *minor)
{
	*major = DMAPEEK_ABI_MAJOR;
	*minor = DMAPEEK_ABI_MINOR;
}

DMAPEEK_EXPORT int dmapeek_dev_abi_version(struct dmapeek *ctx,
					   unsigned int *major,
					   unsigned int *minor)
{
	struct dmapeek_abi_version v = { .size = sizeof(v) };
	int err;

	err = dp_ioctl(ctx, DMAPEEK_IOC_ABI_VERSION, &v);
	if (err)
		return err;
	*major = v.major;
	*minor = v.minor;
	return 0;
}
