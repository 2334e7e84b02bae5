/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The fields of dmapeek's objects by name, for the words that test them:
 * list filters ("buffer list model revocable state revoked"), "find" and
 * "expect" lines.  A field is named by its JSON key or a shorter alias and
 * read from the object by its netlink attribute, so one table per object
 * serves every command.  The tables of the module's objects are generated
 * from the netlink spec (fields-gen.c, by gen-fields.py); the JSON
 * printers emit every field of them (field_print(), fields_print_rest()).
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
	F_FLAGS,	/* bits of the spec's flags: a name tests one is set */
};

struct field {
	const char *key;		/* as in the JSON output */
	const char *alias;		/* a shorter word, or NULL */
	unsigned int attr;		/* DMAPEEK_A_<SET>_* */
	enum field_type type;
	const char *(*ename)(uint32_t);	/* F_ENUM */
	const char *(*fname)(unsigned int);	/* F_FLAGS: a bit's name */
	const char *label;		/* a text label; NULL: the key in capitals */
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
/* A value of @f as text (not F_STR). */
void field_fmt_value(const struct field *f, uint64_t v, char *buf, size_t len);
/* What @c asks for, as text ("revoked", "<= 10ms"). */
void cond_fmt(const struct cond *c, char *buf, size_t len);

/* Comparison words: "=", "!=", "<", "<=" ("within"), ">", ">=", ... */
int cond_op_parse(const char *word, enum cond_op *op);
const char *cond_op_str(enum cond_op op);	/* "" for =, "<= " ... */
/* Does @op hold for a comparison result @cmp (<0, 0, >0)? */
bool op_holds(enum cond_op op, int cmp);

int parse_ns(const char *s, uint64_t *v);

/* How many fields @fields has. */
unsigned int fields_count(const struct field *fields);

/*
 * Printing an object field by field: field_print() prints the field @key
 * of @obj as its kind says (pr_u64(), pr_size(), pr_ns(), an enum's name,
 * flags, yes/no, a string) with the text format @fmt (NULL: JSON only),
 * and notes it printed; a printer that prints a field its own way notes
 * it with field_done().  fields_print_rest() then prints every field the
 * object carries that nobody printed: its key in JSON, "key value" in
 * text.  So an attribute added to the spec shows with no printer changed.
 * @key is a string literal: a field is looked up once per call site and
 * then found by the key's address.
 */
struct field_printer {
	const struct field *fields;
	const void *obj;
	uint64_t done;			/* by index in @fields */
};
void fields_print_start(struct field_printer *p, const struct field *fields,
			const void *obj);
void field_print(struct field_printer *p, const char *key, const char *fmt);
/* As field_print(), only when the object carries the field. */
void field_print_opt(struct field_printer *p, const char *key, const char *fmt);
void field_done(struct field_printer *p, const char *key);
/* @sep: text before each field printed ("" in JSON). */
void fields_print_rest(struct field_printer *p, const char *sep);
/* "key a,b,c " in text, ["a","b","c"] in JSON. */
void print_flags(const char *key, uint32_t flags, const char *(*name)(unsigned int));
/* An enum's value by name (its number when it has none). */
void print_enum(const char *key, const char *fmt, uint32_t v,
		const char *(*name)(uint32_t));
/* The column label of @f: its label, else its key in capitals. */
void field_label(const struct field *f, char *buf, size_t len);

#endif
