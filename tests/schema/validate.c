// SPDX-License-Identifier: MIT
/*
 * validate.c - json-validate SCHEMA DEF [FILE]: check that every line
 * of FILE (standard input by default) is a JSON document valid against
 * the definition DEF ("#/$defs/DEF") of the JSON Schema SCHEMA.  For
 * tests/integration/schema.sh: a dependency-free check that runs in
 * any CI.  It knows the part of JSON Schema (2020-12) that
 * docs/report.schema.json uses: type (a name or a list), properties,
 * required, additionalProperties, items, enum, const, minimum, $ref
 * to "#/$defs/NAME", anyOf, and the "date-time" format in the one
 * shape hugetext writes ("2026-12-01T17:45:03Z").  Anything else in a
 * schema is an error, so that the schema cannot say more than is
 * checked.  Exit status 0: all valid; 1: a document is not; 2: usage,
 * a file or the schema is wrong.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum kind { J_NULL, J_BOOL, J_NUM, J_STR, J_ARR, J_OBJ };

struct val {
	enum kind k;
	bool b, integer;
	double n;
	char *s;		/* J_STR */
	size_t len;		/* J_ARR, J_OBJ: elements */
	char **keys;		/* J_OBJ */
	struct val **v;
};

static const char *src;		/* parse position */
static const char *err;

static void *xmalloc(size_t n)
{
	void *p = calloc(1, n ? n : 1);

	if (!p) {
		perror("json-validate");
		exit(2);
	}
	return p;
}

static void ws(void)
{
	while (*src == ' ' || *src == '\t' || *src == '\n' || *src == '\r')
		src++;
}

static struct val *parse(int depth);

static char *parse_str(void)
{
	size_t cap = 16, n = 0;
	char *s = xmalloc(cap);

	if (*src++ != '"')
		return err = "string expected", s;
	while (*src != '"') {
		char c = *src++;

		if (!c || (unsigned char)c < 0x20)
			return err = "unterminated string", s;
		if (c == '\\') {
			c = *src++;
			if (c == 'u') {
				unsigned int i;

				for (i = 0; i < 4; i++)
					if (!isxdigit((unsigned char)*src++))
						return err = "bad \\u", s;
				c = '?';	/* code points are not compared */
			} else if (c == 'n') {
				c = '\n';
			} else if (c == 't') {
				c = '\t';
			} else if (c == 'r') {
				c = '\r';
			} else if (c == 'b') {
				c = '\b';
			} else if (c == 'f') {
				c = '\f';
			} else if (c != '"' && c != '\\' && c != '/') {
				return err = "bad escape", s;
			}
		}
		if (n + 2 > cap)
			s = realloc(s, cap *= 2);
		if (!s)
			exit(2);
		s[n++] = c;
	}
	src++;
	s[n] = '\0';
	return s;
}

static struct val *parse(int depth)
{
	struct val *v = xmalloc(sizeof(*v));
	size_t cap = 0;

	ws();
	if (depth > 64)
		return err = "too deep", v;
	if (*src == '{' || *src == '[') {
		bool obj = *src++ == '{';

		v->k = obj ? J_OBJ : J_ARR;
		ws();
		if (*src == (obj ? '}' : ']')) {
			src++;
			return v;
		}
		for (;;) {
			if (v->len == cap) {
				cap = cap ? cap * 2 : 8;
				v->v = realloc(v->v, cap * sizeof(*v->v));
				v->keys = realloc(v->keys, cap * sizeof(char *));
				if (!v->v || !v->keys)
					exit(2);
			}
			if (obj) {
				ws();
				v->keys[v->len] = parse_str();
				ws();
				if (err || *src++ != ':')
					return err = err ? err : "':' expected", v;
			}
			v->v[v->len++] = parse(depth + 1);
			if (err)
				return v;
			ws();
			if (*src == ',') {
				src++;
				continue;
			}
			if (*src++ != (obj ? '}' : ']'))
				err = "',' or a close expected";
			return v;
		}
	}
	if (*src == '"') {
		v->k = J_STR;
		v->s = parse_str();
	} else if (!strncmp(src, "true", 4) || !strncmp(src, "false", 5)) {
		v->k = J_BOOL;
		v->b = *src == 't';
		src += v->b ? 4 : 5;
	} else if (!strncmp(src, "null", 4)) {
		v->k = J_NULL;
		src += 4;
	} else if (*src == '-' || isdigit((unsigned char)*src)) {
		const char *p = src;
		char *end;

		v->k = J_NUM;
		v->n = strtod(src, &end);
		src = end;
		v->integer = !memchr(p, '.', (size_t)(end - p)) &&
			     !memchr(p, 'e', (size_t)(end - p)) &&
			     !memchr(p, 'E', (size_t)(end - p));
		if (end == p)
			err = "bad number";
	} else {
		err = "value expected";
	}
	return v;
}

static struct val *get(const struct val *o, const char *key)
{
	size_t i;

	if (!o || o->k != J_OBJ)
		return NULL;
	for (i = 0; i < o->len; i++)
		if (!strcmp(o->keys[i], key))
			return o->v[i];
	return NULL;
}

static struct val *root;	/* the schema */
static char where[4096];	/* the path to the value being checked */
static int bad;

static void __attribute__((noreturn)) schema_error(const char *what)
{
	fprintf(stderr, "json-validate: schema: %s (at %s)\n", what, where);
	exit(2);
}

static bool quiet;		/* inside anyOf: failures are not final */

static bool invalid(const char *fmt, ...)
{
	va_list ap;

	if (!quiet) {
		va_start(ap, fmt);
		fprintf(stderr, "json-validate: %s: ", where[0] ? where : "/");
		vfprintf(stderr, fmt, ap);
		fputc('\n', stderr);
		va_end(ap);
		bad = 1;
	}
	return false;
}

static const char *kind_name(const struct val *v)
{
	static const char *const n[] = { "null", "boolean", "number",
					 "string", "array", "object" };

	return v->k == J_NUM && v->integer ? "integer" : n[v->k];
}

static bool is_type(const struct val *v, const char *t)
{
	if (!strcmp(t, "number"))
		return v->k == J_NUM;
	if (!strcmp(t, "integer"))
		return v->k == J_NUM && v->integer;
	return !strcmp(kind_name(v), t) ||
	       (v->k == J_NUM && !strcmp(t, "number"));
}

static bool equal(const struct val *a, const struct val *b)
{
	size_t i;

	if (a->k != b->k)
		return false;
	switch (a->k) {
	case J_NULL:
		return true;
	case J_BOOL:
		return a->b == b->b;
	case J_NUM:
		return a->n == b->n;
	case J_STR:
		return !strcmp(a->s, b->s);
	default:
		if (a->len != b->len)
			return false;
		for (i = 0; i < a->len; i++)
			if ((a->k == J_OBJ && strcmp(a->keys[i], b->keys[i])) ||
			    !equal(a->v[i], b->v[i]))
				return false;
		return true;
	}
}

/* The one date-time shape hugetext writes: "YYYY-MM-DDTHH:MM:SSZ". */
static bool date_time(const char *s)
{
	static const char shape[] = "dddd-dd-ddTdd:dd:ddZ";
	size_t i;

	for (i = 0; shape[i]; i++)
		if (shape[i] == 'd' ? !isdigit((unsigned char)s[i]) :
		    s[i] != shape[i])
			return false;
	return !s[i] && atoi(s + 5) >= 1 && atoi(s + 5) <= 12 &&
	       atoi(s + 8) >= 1 && atoi(s + 8) <= 31 &&
	       atoi(s + 11) <= 23 && atoi(s + 14) <= 59 && atoi(s + 17) <= 60;
}

static const char *const known[] = {
	"type", "properties", "required", "additionalProperties", "items",
	"enum", "const", "minimum", "$ref", "anyOf", "format",
	"description", "title", "$schema", "$id", "$defs", "$comment", NULL
};

static bool check(const struct val *v, const struct val *s);

static bool check_object(const struct val *v, const struct val *s)
{
	const struct val *props = get(s, "properties");
	const struct val *req = get(s, "required");
	const struct val *add = get(s, "additionalProperties");
	size_t n = strlen(where), i;
	bool ok = true;

	for (i = 0; req && i < req->len; i++)
		if (!get(v, req->v[i]->s))
			ok = invalid("no \"%s\"", req->v[i]->s);
	for (i = 0; i < v->len; i++) {
		const struct val *ps = get(props, v->keys[i]);

		snprintf(where + n, sizeof(where) - n, "/%s", v->keys[i]);
		if (!ps && add && add->k == J_BOOL && !add->b)
			ok = invalid("not in the schema");
		else if (!ps && add && add->k == J_OBJ)
			ok &= check(v->v[i], add);
		else if (ps)
			ok &= check(v->v[i], ps);
		where[n] = '\0';
	}
	return ok;
}

static bool check(const struct val *v, const struct val *s)
{
	const struct val *x;
	size_t i, j;
	bool ok = true;

	if (!s || s->k == J_BOOL)
		return !s || s->b || invalid("nothing is allowed here");
	if (s->k != J_OBJ)
		schema_error("a schema is an object or a boolean");
	for (i = 0; i < s->len; i++) {
		for (j = 0; known[j] && strcmp(known[j], s->keys[i]); j++)
			;
		if (!known[j])
			schema_error(s->keys[i]);
	}
	if ((x = get(s, "$ref"))) {
		if (x->k != J_STR || strncmp(x->s, "#/$defs/", 8) ||
		    !(x = get(get(root, "$defs"), x->s + 8)))
			schema_error("$ref");
		ok &= check(v, x);
	}
	if ((x = get(s, "anyOf"))) {
		bool was = quiet, any = false;

		quiet = true;
		for (i = 0; i < x->len && !any; i++)
			any = check(v, x->v[i]);
		quiet = was;
		if (!any)
			ok = invalid("matches none of anyOf");
	}
	if ((x = get(s, "type"))) {
		bool any = false;

		if (x->k == J_STR)
			any = is_type(v, x->s);
		for (i = 0; x->k == J_ARR && i < x->len; i++)
			any |= is_type(v, x->v[i]->s);
		if (!any)
			return invalid("a %s, not of the type the schema says",
				       kind_name(v));
	}
	if ((x = get(s, "const")) && !equal(v, x))
		ok = invalid("not the constant the schema says");
	if ((x = get(s, "enum"))) {
		bool any = false;

		for (i = 0; i < x->len; i++)
			any |= equal(v, x->v[i]);
		if (!any)
			ok = invalid("%s: not one of the enum",
				     v->k == J_STR ? v->s : kind_name(v));
	}
	if ((x = get(s, "minimum")) && v->k == J_NUM && v->n < x->n)
		ok = invalid("%g is below %g", v->n, x->n);
	if ((x = get(s, "format")) && v->k == J_STR) {
		if (strcmp(x->s, "date-time"))
			schema_error("only format date-time is known");
		if (!date_time(v->s))
			ok = invalid("\"%s\" is not a date-time", v->s);
	}
	if (v->k == J_OBJ)
		ok &= check_object(v, s);
	if (v->k == J_ARR && (x = get(s, "items"))) {
		size_t n = strlen(where);

		for (i = 0; i < v->len; i++) {
			snprintf(where + n, sizeof(where) - n, "/%zu", i);
			ok &= check(v->v[i], x);
			where[n] = '\0';
		}
	}
	return ok;
}

static char *slurp(FILE *f)
{
	size_t cap = 1 << 16, n = 0, r;
	char *s = xmalloc(cap);

	while ((r = fread(s + n, 1, cap - n - 1, f)) > 0) {
		n += r;
		if (n + 1 == cap && !(s = realloc(s, cap *= 2)))
			exit(2);
	}
	s[n] = '\0';
	return s;
}

int main(int argc, char **argv)
{
	struct val *def;
	FILE *f;
	char *text, *line, *next;
	unsigned int lineno = 0, docs = 0;

	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: json-validate SCHEMA DEF [FILE]\n");
		return 2;
	}
	f = fopen(argv[1], "r");
	if (!f) {
		perror(argv[1]);
		return 2;
	}
	src = text = slurp(f);
	fclose(f);
	root = parse(0);
	ws();
	if (err || *src) {
		fprintf(stderr, "json-validate: %s: %s\n", argv[1],
			err ? err : "trailing bytes");
		return 2;
	}
	def = get(get(root, "$defs"), argv[2]);
	if (!def) {
		fprintf(stderr, "json-validate: %s: no $defs/%s\n", argv[1],
			argv[2]);
		return 2;
	}
	f = argc == 4 ? fopen(argv[3], "r") : stdin;
	if (!f) {
		perror(argv[3]);
		return 2;
	}
	text = slurp(f);
	for (line = text; line && *line; line = next) {
		struct val *v;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		lineno++;
		src = line;
		err = NULL;
		v = parse(0);
		ws();
		if (err || *src) {
			fprintf(stderr, "json-validate: line %u: not JSON: "
				"%s at byte %zu\n", lineno, err ? err :
				"trailing bytes", (size_t)(src - line));
			return 1;
		}
		snprintf(where, sizeof(where), "line %u: ", lineno);
		where[strlen(where) - 1] = '\0';
		check(v, def);
		docs++;
	}
	if (!docs) {
		fprintf(stderr, "json-validate: no document\n");
		return 1;
	}
	return bad;
}
