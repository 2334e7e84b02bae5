// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libdmapeek built without libtracefs (configure --without-tracefs, or
 * without libtracefs-dev): the dma_buf tracepoint reader's functions
 * exist, so the library's ABI is the same, and say EOPNOTSUPP.
 */
#include <errno.h>

#include "internal.h"

DMAPEEK_EXPORT struct dmapeek_trace *dmapeek_trace_new(const struct dmapeek_trace_opts *opts)
{
	(void)opts;
	errno = EOPNOTSUPP;
	return NULL;
}

DMAPEEK_EXPORT void dmapeek_trace_free(struct dmapeek_trace *t)
{
	(void)t;
}

DMAPEEK_EXPORT const char *dmapeek_trace_dir(const struct dmapeek_trace *t)
{
	(void)t;
	return NULL;
}

DMAPEEK_EXPORT int dmapeek_trace_fd(const struct dmapeek_trace *t)
{
	(void)t;
	return dp_errno(EBADF);
}

DMAPEEK_EXPORT const struct dmapeek_trace_event *dmapeek_trace_read(struct dmapeek_trace *t)
{
	(void)t;
	errno = EOPNOTSUPP;
	return NULL;
}

DMAPEEK_EXPORT uint64_t dmapeek_trace_lost(const struct dmapeek_trace *t)
{
	(void)t;
	return 0;
}
