/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the files of the dmapeek command line share: the exit codes, the
 * process's state (struct dp_state) and the batch's (struct batch), error
 * messages, the argument parser and prefix matcher (args.h), the command
 * tables, the printers every object uses, and the object class that gives
 * each object its "show", "list" and "find" verbs.  Internal to tools/dmapeek; the library's
 * header is <dmapeek.h>.
 */
#ifndef DMAPEEK_CLI_H
#define DMAPEEK_CLI_H

#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <dmapeek.h>

#include "fields.h"
#include "json_print.h"

/* Exit codes, documented in dmapeek(8). */
enum {
	EXIT_OK = 0,
	EXIT_FAILED = 1,
	EXIT_USAGE = 2,
	EXIT_NOMODULE = 3,
	EXIT_PERM = 4,
	EXIT_NOTSUP = 5,
	EXIT_EXPECT = 6,
};

/* A buffer exported by this process: its fd stays open until exit. */
struct held {
	uint32_t id;
	int fd;
};

/*
 * "buffer list" prints each buffer with its attachments.  Asking the
 * module once per buffer costs a round trip each; instead, while a buffer
 * dump streams, a second dump streams the attachments in buffer order
 * (ABI 1.1) and the two are merged: both are sorted by buffer id, so
 * memory stays at two netlink batches whatever the number of objects.
 * A lookup by id, or a module without that dump, asks per buffer (and
 * only for a buffer that has attachments).
 */
struct join {
	bool streaming;		/* a buffer dump is being listed */
	bool started;		/* the attachment dump was started */
	bool unsupported;	/* the module refused it: ask per buffer */
	struct dmapeek_attachment *a;	/* its current object, NULL at the end */
	int err;		/* how it ended, told after the listing */
};

struct pci_access;

/*
 * The process's state, in one place: the options, the module, and what
 * one command leaves for a later one.  The batch's own is struct batch.
 */
struct dp_state {
	bool json, pretty, numeric, force, details, timestamp;	/* the options */
	struct dmapeek *ctx;	/* the module, reached by need_ctx() */
	bool quiet_errors;	/* "expect fail" runs its command quietly */
	int last_err;		/* errno of the last failed operation */
	struct held held[256];	/* buffers exported by this process */
	unsigned int nr_held;
	/* The outcome of the last revoke, for "expect revoke ...". */
	struct dmapeek_revoke_result *last_revoke;
	struct join join;	/* "buffer list"'s merged dump (buffer.c) */
	struct pci_access *pacc;	/* libpci, for names (pci.c) */
	struct printer out;	/* where the pr_*() calls print (json_print.c) */
	/* CLOCK_REALTIME - CLOCK_MONOTONIC, the clock of the events' timestamps */
	int64_t mono_to_real_ns;
};

extern struct dp_state dp;

/*
 * Results later words may name: "$buffer" and "$attachment" (the last
 * export and import), and names a line gives its result with "$NAME =
 * COMMAND..." (export: the buffer id, import: the attachment id, find:
 * the object's id).
 */
struct var {
	char name[32];
	char val[16];
};

/* The batch's variables: where it is, and the names of its results. */
struct batch {
	const char *file;	/* the file being run (-b), for messages */
	int line;
	/* The id the last command named or made, for "$NAME = ..." in batch files. */
	char result[16];
	char last_buffer[16], last_attachment[16];
	struct var vars[64];
	unsigned int nr_vars;
};

extern struct batch batch;

/* ------------------------------------------------ errors (utils.c) */

void log_stderr(void *priv, enum dmapeek_log_level level, const char *fmt,
		va_list ap);
/* usage_err() is declared in args.h. */

/*
 * What a command knows about one errno that the table in vop_err() cannot:
 * which id it named.  @fn (else @text) gives the hint; it runs after the
 * error line is printed, so a lookup it makes cannot replace the kernel's
 * text, and it may return NULL when the lookup finds nothing to add.
 */
struct hint_for {
	int err;
	const char *text;
	const char *(*fn)(uint32_t id, char *buf, size_t len);
	uint32_t id;
};

int op_err(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* op_err() with the hint @h gives for its errno. */
int op_err_hint(int err, const struct hint_for *h, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int need_ctx(void);
/*
 * The descriptor an "fd FD|PID:FD" argument names: this process's own, or
 * a duplicate of another process's (dmapeek_pid_fd(): the right to ptrace
 * it), which *@own says the caller closes.
 */
int fd_arg(const char *s, int *fd, bool *own);

/* --------------------------------------------- arguments (args.c) */

/* matches(), parse_u32(), struct arg, parse_args(), ... */
#include "args.h"

/* The operations on one id that answer only with success: "OBJECT VERB ID". */
int id_op(const char *object, const char *verb, int (*op)(struct dmapeek *, uint32_t),
	  const char *done, int argc, char **argv);

/* ---------------------------------------------- printing (utils.c) */

/* print_flags() and print_enum() are fields.c's (fields.h) */
/* The attachments of any dma-buf with their flags (buffer.c) */
struct dmapeek_dmabuf;
void print_dmabuf_attachments(const struct dmapeek_dmabuf *d, const char *indent);
/*
 * The P2P verdict between a dma-buf's exporter device and each importer
 * (p2p.c): reset once per command, the exporter's device once per buffer,
 * then each attachment's verdict inside its object.
 */
struct exporter;
void p2p_verdicts_reset(void);
void p2p_exporter_print(const struct dmapeek_dmabuf *d, const char *indent,
			struct exporter **e);
void p2p_verdict_print(const struct exporter *e, const char *device, const char *indent);

/* The ranges of a buffer or a mapping: the @i-th in @r, 0 or -ENOENT. */
typedef int (*range_fn)(const void *obj, unsigned int i, struct dmapeek_addr_range *r);

void print_ranges(const void *obj, range_fn range, const char *indent);

/* ------------------------------------------- command tables (dmapeek.c) */

typedef int (*cmd_fn)(int argc, char **argv);

/*
 * One row of a command table, as rdma(8)'s: a word and what it runs.
 *
 * - A verb, or a command without verbs ("monitor"): @fn, and for help the
 *   words that follow it (@args; forms of their own on lines of their own).
 * - An object ("buffer"): the table of its verbs, and its fields for help.
 *   Without a verb its first verb runs; "help" as a verb prints the
 *   table's usage.
 * - An alias: a top-level word of earlier releases that runs the verb of
 *   the same name in @verbs ("dmapeek export" is "dmapeek buffer export").
 *
 * A word names a row by the whole name, else as a prefix of the first row
 * in table order that it starts: add rows at the end of a table, so that
 * a prefix typed today keeps its meaning.
 */
struct cmd {
	const char *name;
	cmd_fn fn;
	const char *args;
	const struct cmd *verbs;
	const struct field *fields;
	bool alias;
};

/*
 * The verbs of each object (in its file), for the top-level table.  New
 * verbs of an object are new rows at the end of its table.
 */
extern const struct cmd buffer_verbs[], attachment_verbs[], mapping_verbs[],
	provider_verbs[], device_verbs[], p2p_verbs[];

/* ------------------------------------------------ objects (utils.c) */

int iter_done(const char *what);

/*
 * What every object shares: its fields by name (fields.c), a lookup by
 * id, the streamed dump and the printer.  "list" and "show" take an id
 * or filters, "find" the filters a batch line needs to name an object.
 */
struct objclass {
	const char *name;
	const struct field *fields;
	void *(*get)(uint32_t id);		/* NULL: no ids (p2p) */
	void *(*next)(const void *prev);
	void (*print)(const void *obj);
	unsigned int id_attr;
};

#define MAX_CONDS	16

int parse_conds(const struct objclass *oc, int argc, char **argv,
		struct cond *conds, unsigned int *n);
int obj_list(const struct objclass *oc, int argc, char **argv);
int obj_find(const struct objclass *oc, int argc, char **argv);

/*
 * One object kind: its class, and the functions of the verbs every object
 * has, which OBJECT_VERBS() puts first in its table of verbs:
 *
 *	const struct cmd buffer_verbs[] = {
 *		OBJECT_VERBS(buffer),
 *		{ "export", cmd_export, EXPORT_ARGS },
 *		...
 *		{ NULL },
 *	};
 */
#define OBJECT(obj, ID_ATTR, print_call) \
static void *obj##_get_v(uint32_t id) { return dmapeek_##obj##_get(dp.ctx, id); } \
static void *obj##_next_v(const void *prev) { return dmapeek_##obj##_next(dp.ctx, prev); } \
static void obj##_print_v(const void *x) { print_call; } \
const struct objclass obj##_class = { \
	#obj, obj##_fields, obj##_get_v, obj##_next_v, obj##_print_v, ID_ATTR, \
}; \
static int obj##_list(int argc, char **argv) \
{ \
	return obj_list(&obj##_class, argc, argv); \
} \
static int obj##_find(int argc, char **argv) \
{ \
	return obj_find(&obj##_class, argc, argv); \
}

#define LIST_ARGS	"[ID] [FIELD [OP] VALUE]..."
#define FIND_ARGS	"FIELD [OP] VALUE..."
#define OBJECT_VERBS(obj) \
	{ "show", obj##_list, LIST_ARGS }, \
	{ "list", obj##_list, LIST_ARGS }, \
	{ "find", obj##_find, FIND_ARGS }

extern const struct objclass buffer_class, attachment_class, provider_class,
	device_class, mapping_class, p2p_class;

/* ------------------------------------------------ the objects' files */

/* provider.c, device.c: hints for ENODEV naming a provider or a device */
const char *provider_hint(uint32_t id, char *buf, size_t len);
const char *device_hint(uint32_t id, char *buf, size_t len);

/* buffer.c */
int join_end(void);
int held_fd(uint32_t id);
int buffer_fd(uint32_t id, int *fd, bool *own);
int delete_held(const char *what, int (*del)(struct dmapeek *, uint32_t, uint32_t *),
		int argc, char **argv);

/* attachment.c */
void print_attachment(const struct dmapeek_attachment *a, bool nested,
		      bool with_mappings);

/* mapping.c */
void print_mapping(const struct dmapeek_mapping *m, bool nested);
/* Audit mapping @id and print the report: an exit code. */
int audit_mapping(uint32_t id);

/* monitor.c */
#define MONITOR_ARGS	"[--all] [count N] [timeout S] [FIELD [OP] VALUE]..."
int cmd_monitor(int argc, char **argv);
/*
 * SIGINT and SIGTERM blocked and readable from the signalfd returned
 * (-1, errno set, on failure); then taken back and unblocked.
 */
int block_stop_signals(sigset_t *old);
void unblock_stop_signals(int sfd, const sigset_t *old);

/* buffer_all.c: every dma-buf of the system, its holders, leak hunting */
#define BUFFER_ALL_ARGS	"[diff SECONDS | watch SECONDS [count N]]"
int buffer_all(int argc, char **argv);

/* pci.c */
bool valid_bdf(const char *s);
const char *pci_name(const char *bdf, char *buf, size_t len);
void pci_names_free(void);
int cmd_bind(int argc, char **argv);
int cmd_unbind(int argc, char **argv);

/* batch.c: batch files, names and expect */
void where(void);
void set_result(uint32_t id);
bool valid_name(const char *s);
int var_set(const char *name, const char *val);
int substitute(int argc, char **argv);
int run_batch(const char *file);
#define EXPECT_ARGS	"OBJECT ID FIELD [OP] VALUE...\n" \
	"revoke FIELD [OP] VALUE...\n" \
	"p2p PROVIDER_BDF CLIENT_BDF FIELD [OP] VALUE...\n" \
	"count OBJECT [OP] N [FIELD [OP] VALUE]...\n" \
	"fail [ERRNO] COMMAND..."
int cmd_expect(int argc, char **argv);

/* dmapeek.c: one command line (or batch line), through the command table */
int run(int argc, char **argv);

#endif
