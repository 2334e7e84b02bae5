/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * dmapeek.ko internals shared between its files.
 */
#ifndef _DMAPEEK_H
#define _DMAPEEK_H

#include <linux/types.h>

/**
 * struct dmapeek_file - one open file of /dev/dmapeek
 *
 * Owns what was created through it that has no file of its own (imports);
 * closing it releases them.
 */
struct dmapeek_file {
	u32 reserved;
};

#endif /* _DMAPEEK_H */
