// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libdmapeek: what every room of the library needs from the system: a
 * file read whole (procfs, debugfs) and the monotonic clock.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "internal.h"

/*
 * The text of @path, NUL-terminated, to free(); NULL with *@err -errno
 * when it cannot be opened.  A file that reads empty or fails half way
 * gives "" (*@err -EIO for a read error, else 0).
 */
char *dp_read_file(const char *path, int *err)
{
	char *text = NULL;
	size_t cap = 0;
	ssize_t n;
	FILE *f = fopen(path, "re");

	if (!f) {
		*err = -errno;
		return NULL;
	}
	n = getdelim(&text, &cap, '\0', f);
	if (n < 0) {
		*err = ferror(f) ? -EIO : 0;
		free(text);
		text = strdup("");
		if (!text)
			*err = -ENOMEM;
	} else {
		*err = 0;
	}
	fclose(f);
	return text;
}

/* CLOCK_MONOTONIC in ns: the clock the module stamps its events with. */
uint64_t dp_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}
