/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The fields of dmapeek's objects by name, for the words that test them:
 * list filters ("buffer list model revocable state revoked"), "find" and
 * "expect" lines.  A field is named by its JSON key or a shorter alias and
 * read from the object by its netlink attribute, so one table per object
 * serves every command.
 */
#ifndef DMAPEEK_FIELDS_H
#define DMAPEEK_FIELDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum field_type {
	F_NUM,		/* unsigned integer */
	F_S32,		/* signed (distance) */
	F_SIZE,		/* bytes: K, M, G, T suffixes */
	F_NS,		/* nanoseconds: ns, us, ms, s suffixes */
	F_BOOL,		/* yes/no */
	F_ENUM,		/* a name of the spec's enum */
	F_STR,
};

struct field {
	const char *key;		/* as in the JSON output */
	const char *alias;		/* a shorter word, or NULL */
	unsigned int attr;		/* DMAPEEK_A_<SET>_* */
	enum field_type type;
	const char *(*ename)(uint32_t);	/* F_ENUM */
};

enum cond_op { OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE };

/* "FIELD [OP] VALUE": one test of one field. */
struct cond {
	const struct field *f;
	enum cond_op op;
	uint64_t num;
	const char *str;		/* F_STR */
};

/* Tables end with a NULL key. */
extern const struct field provider_fields[], device_fields[], buffer_fields[],
	attachment_fields[], mapping_fields[], p2p_fields[], revoke_fields[],
	event_fields[], trace_fields[];

/* The field @word names: a key or alias, else a prefix of one; or NULL. */
const struct field *field_find(const struct field *fields, const char *word);

/*
 * Parse "FIELD [OP] VALUE" from @argv: returns the number of words used,
 * or -EINVAL with the reason in @why.
 */
int cond_parse(const struct field *fields, int argc, char **argv,
	       struct cond *c, char *why, size_t len);
bool cond_match(const struct cond *c, const void *obj);
/* Does @obj pass every one of @n conditions? */
bool conds_match(const struct cond *c, unsigned int n, const void *obj);

/* The value of @f in @obj as text ("revoked", "1.5ms", "4096"). */
void field_fmt(const struct field *f, const void *obj, char *buf, size_t len);
/* What @c asks for, as text ("revoked", "<= 10ms"). */
void cond_fmt(const struct cond *c, char *buf, size_t len);

/* Comparison words: "=", "!=", "<", "<=" ("within"), ">", ">=", ... */
int cond_op_parse(const char *word, enum cond_op *op);
const char *cond_op_str(enum cond_op op);	/* "" for =, "<= " ... */
/* Does @op hold for a comparison result @cmp (<0, 0, >0)? */
bool op_holds(enum cond_op op, int cmp);

int parse_ns(const char *s, uint64_t *v);

#endif
