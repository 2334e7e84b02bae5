// SPDX-License-Identifier: GPL-2.0-only
/*
 * The one prefix matcher and the one argument parser of dmapeek (see
 * args.h): command tables, arguments' keywords and values, all looked up
 * by the same rule.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <dmapeek.h>

#include "args.h"
#include "json_print.h"

bool matches(const char *arg, const char *word)
{
	size_t n = strlen(arg);

	return n && n <= strlen(word) && !strncmp(arg, word, n);
}

static const char *row_name(const char *row)
{
	const char *name;

	memcpy(&name, row, sizeof(name));
	return name;
}

const void *table_find(const void *table, size_t stride, const char *word)
{
	const char *row;

	for (row = table; row_name(row); row += stride)
		if (!strcmp(word, row_name(row)))
			return row;
	for (row = table; row_name(row); row += stride)
		if (matches(word, row_name(row)))
			return row;
	return NULL;
}

int word_find(const char *const *words, const char *word)
{
	const char *const *w = table_find(words, sizeof(*words), word);

	return w ? (int)(w - words) : -1;
}

int parse_u32(const char *s, uint32_t *v)
{
	char *end;
	unsigned long x;

	if (!s || !isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	x = strtoul(s, &end, 0);
	if (errno || *end || x > UINT32_MAX)
		return -EINVAL;
	*v = (uint32_t)x;
	return 0;
}

/* A decimal number up to INT32_MAX, all of @s up to @end. */
static int parse_dec(const char *s, const char *end, uint32_t *v)
{
	uint64_t x = 0;

	if (s == end)
		return -EINVAL;
	for (; s < end; s++) {
		if (!isdigit((unsigned char)*s))
			return -EINVAL;
		x = x * 10 + (uint64_t)(*s - '0');
		if (x > INT32_MAX)
			return -EINVAL;
	}
	*v = (uint32_t)x;
	return 0;
}

int parse_pid_fd(const char *s, uint32_t *pid, uint32_t *fd)
{
	const char *colon = strchr(s, ':'), *num = s;
	uint32_t p = 0, f;

	if (colon) {
		if (parse_dec(s, colon, &p) || !p)
			return -EINVAL;
		num = colon + 1;
	}
	if (parse_dec(num, num + strlen(num), &f))
		return -EINVAL;
	*pid = p;
	*fd = f;
	return 0;
}

const struct arg no_args[] = { { NULL, A_U32, NULL, 0, NULL } };

/*
 * @word's keyword: without the dashes of an option spelling, up to an
 * "=" that gives its value; *@value points after that "=" (else NULL).
 */
static const char *keyword(const char *word, char *buf, size_t len,
			   const char **value)
{
	const char *eq;
	size_t n;

	*value = NULL;
	if (word[0] != '-')
		return word;
	word += word[1] == '-' ? 2 : 1;
	eq = strchr(word, '=');
	if (!eq)
		return word;
	n = (size_t)(eq - word);
	if (n >= len)
		n = len - 1;
	memcpy(buf, word, n);
	buf[n] = '\0';
	*value = eq + 1;
	return buf;
}

static const struct arg *find_arg_value(const struct arg *args, const char *word,
					const char **value)
{
	char buf[64];
	const char *k = keyword(word, buf, sizeof(buf), value);
	const struct arg *a = *k ? TABLE_FIND(args, k) : NULL;

	/* "--dynamic=x" is no flag, "dynamic=x" no keyword */
	if (a && *value && a->type == A_FLAG)
		return NULL;
	return a;
}

const struct arg *find_arg(const struct arg *args, const char *word)
{
	const char *value;

	return find_arg_value(args, word, &value);
}

int arg_words(const struct arg *args, const char *word)
{
	const char *value;
	const struct arg *a = find_arg_value(args, word, &value);

	if (!a)
		return 0;
	return a->type == A_FLAG || value ? 1 : 2;
}

static int parse_arg(const struct arg *a, const char *s)
{
	uint32_t *u = a->dst;
	int i;

	switch (a->type) {
	case A_U32:
		return parse_u32(s, u);
	case A_BYTE:
		return parse_u32(s, u) || *u > 255 ? -EINVAL : 0;
	case A_SIZE:
		return parse_size(s, a->dst);
	case A_STR:
		*(const char **)a->dst = s;
		return 0;
	case A_MODEL:
		return dmapeek_model_parse(s, u);
	case A_BEHAVIOUR:
		return dmapeek_behaviour_parse(s, u);
	case A_WORD:
		i = word_find(a->words, s);
		if (i < 0)
			return -EINVAL;
		*u = (uint32_t)i;
		return 0;
	case A_FLAG:
		break;
	}
	return -EINVAL;
}

int parse_args(const char *cmd, const struct arg *args, int argc, char **argv)
{
	while (argc > 0) {
		const char *value;
		const struct arg *a = find_arg_value(args, argv[0], &value);
		int used = 2;

		if (!a)
			return usage_err("unknown %s argument \"%s\"", cmd, argv[0]);
		if (a->type == A_FLAG) {
			*(uint32_t *)a->dst |= a->bit;
			argc--;
			argv++;
			continue;
		}
		if (value)
			used = 1;
		else if (argc < 2)
			return usage_err("\"%s\" needs a value", argv[0]);
		else
			value = argv[1];
		if (parse_arg(a, value))
			return usage_err("bad %s \"%s\"", a->name, value);
		argc -= used;
		argv += used;
	}
	return 0;
}

int parse_id_args(const char *cmd, const char *usage, uint32_t *id,
		  const struct arg *args, int argc, char **argv)
{
	if (argc < 1 || parse_u32(argv[0], id))
		return usage_err("usage: dmapeek %s %s", cmd, usage);
	return parse_args(cmd, args, argc - 1, argv + 1);
}
