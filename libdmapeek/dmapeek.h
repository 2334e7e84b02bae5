/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libdmapeek: the C library over dmapeek.ko's ioctl and netlink surface.
 *
 * Conventions: functions return 0 or a negative errno (and set errno);
 * functions returning a pointer return NULL and set errno on failure.  The
 * library never prints and never exits: diagnostics go to the log callback
 * (dmapeek_set_log_fn()), and the kernel's extended-ack message of the last
 * failed request is available from dmapeek_extack().
 */
#ifndef LIBDMAPEEK_DMAPEEK_H
#define LIBDMAPEEK_DMAPEEK_H

#include <stdarg.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** An opaque library context: one netlink socket, /dev/dmapeek when needed. */
struct dmapeek;

/** Log priorities, as syslog's. */
enum dmapeek_log_level {
	DMAPEEK_LOG_ERR = 3,
	DMAPEEK_LOG_WARNING = 4,
	DMAPEEK_LOG_INFO = 6,
	DMAPEEK_LOG_DEBUG = 7,
};

typedef void (*dmapeek_log_fn)(void *priv, enum dmapeek_log_level level,
			       const char *fmt, va_list ap);

struct dmapeek *dmapeek_new(void);
void dmapeek_free(struct dmapeek *ctx);

void dmapeek_set_log_fn(struct dmapeek *ctx, dmapeek_log_fn fn, void *priv);
void dmapeek_set_log_level(struct dmapeek *ctx, enum dmapeek_log_level level);

/** The kernel's extended-ack message for the last failed request, or NULL. */
const char *dmapeek_extack(const struct dmapeek *ctx);

/** The library's own ABI version (what it was built against). */
void dmapeek_lib_abi_version(unsigned int *major, unsigned int *minor);

/** The module's ABI version, through the netlink family. */
int dmapeek_abi_version(struct dmapeek *ctx, unsigned int *major,
			unsigned int *minor);

/** The module's ABI version, through /dev/dmapeek (needs access to it). */
int dmapeek_dev_abi_version(struct dmapeek *ctx, unsigned int *major,
			    unsigned int *minor);

#ifdef __cplusplus
}
#endif

#endif /* LIBDMAPEEK_DMAPEEK_H */
