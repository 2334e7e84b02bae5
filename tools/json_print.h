/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * One printing path for text and JSON, after iproute2's json_print: each
 * call names a JSON key and a text format; in text mode the format is
 * used, in JSON mode the key and the exact value.
 */
#ifndef DMAPEEK_JSON_PRINT_H
#define DMAPEEK_JSON_PRINT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define PR_MAX_DEPTH 32

/*
 * Where and how the pr_*() calls print, and how deep in the JSON document
 * they are.  The caller owns it (dmapeek's is dp.out); pr_init() binds it
 * and every pr_*() call after it writes through it.
 */
struct printer {
	FILE *out;
	bool json, pretty;
	int depth;
	bool first[PR_MAX_DEPTH];	/* nothing printed yet at this depth */
};

void pr_init(struct printer *p, FILE *out, bool json, bool pretty);
/*
 * The printer the pr_*() calls use now, and a return to one as it stands
 * (to print into another stream for a while: pr_init() a second printer,
 * then pr_use() the first again).
 */
struct printer *pr_current(void);
void pr_use(struct printer *p);
bool pr_is_json(void);
/* Objects and arrays; @key is NULL inside an array (and at the top). */
void pr_open_obj(const char *key);
void pr_close_obj(void);
void pr_open_arr(const char *key);
void pr_close_arr(void);
void pr_str(const char *key, const char *fmt, const char *s);
void pr_u64(const char *key, const char *fmt, uint64_t v);
void pr_s64(const char *key, const char *fmt, int64_t v);
void pr_bool(const char *key, const char *fmt, bool v);
void pr_null(const char *key, const char *fmt);
/* A size: "64MiB" in text (after "fmt"'s %s), exact bytes in JSON. */
void pr_size(const char *key, const char *fmt, uint64_t v);
/* A duration in ns: "1.5ms" in text, exact ns in JSON. */
void pr_ns(const char *key, const char *fmt, uint64_t ns);
/* Text only. */
void pr_text(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* End a text line (a no-op in JSON). */
void pr_nl(void);
/* Finish output; returns 0 or -EIO if the stream had an error. */
int pr_done(void);
void pr_buffer_stdout(void);

/* Helpers shared with the tests. */
void fmt_size(char *buf, size_t len, uint64_t v);
void fmt_ns(char *buf, size_t len, uint64_t ns);
int parse_size(const char *s, uint64_t *v);

#endif
