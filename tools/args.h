/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The one prefix matcher and the one argument parser of dmapeek: every
 * word a user types (an object, a verb, an argument's keyword, one of its
 * values, a field) is looked up here, by the same rule: the whole word
 * first, else the first name in table order that it is a prefix of.
 *
 * A bad word is reported with usage_err() (utils.c), before anything is
 * asked of the module.
 */
#ifndef DMAPEEK_ARGS_H
#define DMAPEEK_ARGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* "dmapeek: [FILE:LINE: ]MESSAGE" on stderr; returns EXIT_USAGE (utils.c). */
int usage_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Is @arg a prefix of @word (or @word itself)?  Never for an empty @arg. */
bool matches(const char *arg, const char *word);

/*
 * The row of @table that @word names.  Rows are @stride bytes apart and
 * each starts with its name (const char *); the last row's name is NULL.
 * The whole name wins ("map" is not "mapping"), else the first row in
 * table order whose name @word is a prefix of; NULL if none.
 */
const void *table_find(const void *table, size_t stride, const char *word);
#define TABLE_FIND(table, word) \
	((__typeof__(&(table)[0]))table_find((table), sizeof((table)[0]), (word)))

/* The index of the word of @words (NULL-terminated) @word names, or -1. */
int word_find(const char *const *words, const char *word);

int parse_u32(const char *s, uint32_t *v);

/*
 * A descriptor, "FD" (this process's) or "PID:FD" (another's), in decimal
 * as /proc names them: 0 with *@pid 0 for "FD", or -EINVAL.  Both numbers
 * fit an int; a PID is not 0.
 */
int parse_pid_fd(const char *s, uint32_t *pid, uint32_t *fd);

/*
 * A command's arguments: "KEYWORD VALUE" pairs and bare flag words, in any
 * order, as a table.  A keyword may also be written as an option, for the
 * scripts that spell it so: "-KEYWORD VALUE", "--KEYWORD VALUE",
 * "--KEYWORD=VALUE".
 */
enum arg_type {
	A_U32,		/* uint32_t */
	A_BYTE,		/* uint32_t below 256 */
	A_SIZE,		/* uint64_t, K/M/G/T suffixes */
	A_STR,		/* const char * */
	A_MODEL,	/* uint32_t, enum dmapeek_model by name */
	A_BEHAVIOUR,	/* uint32_t, enum dmapeek_behaviour by name */
	A_FLAG,		/* a bare word: ORs @bit into the uint32_t */
	A_WORD,		/* uint32_t: the index of one of @words (a prefix will do) */
};

struct arg {
	const char *name;
	enum arg_type type;
	void *dst;
	uint32_t bit;			/* A_FLAG */
	const char *const *words;	/* A_WORD, NULL-terminated */
};

extern const struct arg no_args[];

/* The argument @word names (a keyword, with or without dashes), or NULL. */
const struct arg *find_arg(const struct arg *args, const char *word);
/* How many words the argument @word names takes: 1 or 2 (0: none). */
int arg_words(const struct arg *args, const char *word);
/*
 * Every word of @argv as an argument of @args: 0, or EXIT_USAGE with the
 * error told ("unknown CMD argument", "bad KEYWORD", "needs a value").
 */
int parse_args(const char *cmd, const struct arg *args, int argc, char **argv);
/* An id first, then the arguments of @args; @usage is told on a bad id. */
int parse_id_args(const char *cmd, const char *usage, uint32_t *id,
		  const struct arg *args, int argc, char **argv);

#endif
