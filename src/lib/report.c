// SPDX-License-Identifier: MIT
/* report.c - human and JSON renderings of struct ht_run. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "json.h"
#include "report.h"

/* The report is built in memory and written with one write(). */
static void json_str(struct ht_buf *b, const char *str)
{
	ht_json_str(b, str);
}

/* Human lines stay one line each: control bytes are shown escaped. */
static void human_str(struct ht_buf *b, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;

	for (; *s; s++) {
		if (*s == '\n')
			ht_buf_put(b, "\\n", 2);
		else if (*s == '\t')
			ht_buf_put(b, "\\t", 2);
		else if (*s < 0x20 || *s == 0x7f)
			ht_buf_printf(b, "\\x%02x", *s);
		else
			ht_buf_putc(b, *s);
	}
}

static int flush(struct ht_buf *b, int fd)
{
	int ret = ht_buf_write(b, fd);

	ht_buf_free(b);
	return ret;
}

static void buf_open(struct ht_buf *b)
{
	*b = (struct ht_buf)HT_BUF_INIT;
}

void ht_object_totals(const struct ht_object *o, struct ht_totals *t)
{
	size_t i;

	memset(t, 0, sizeof(*t));
	t->text = o->text_bytes;
	for (i = 0; i < o->nparts; i++) {
		const struct ht_part *p = &o->parts[i];

		if (p->span_reason != HT_R_NONE || o->reason != HT_R_NONE)
			continue;
		t->eligible += ht_spans_bytes(&p->spans);
		if (p->attempted) {
			t->huge_before += p->target.pmd_before;
			t->huge += p->target.pmd_after;
		}
	}
}

void ht_run_totals(const struct ht_run *r, struct ht_totals *t)
{
	size_t i;

	memset(t, 0, sizeof(*t));
	for (i = 0; i < r->nobj; i++) {
		struct ht_totals o;

		ht_object_totals(&r->obj[i], &o);
		t->text += o.text;
		t->eligible += o.eligible;
		t->huge_before += o.huge_before;
		t->huge += o.huge;
	}
}

/*
 * Numbers are written with integers only: in an audit module's own libc,
 * a thread the program created has no locale tables, and printf's %f
 * (like strerror()) reads them and faults.  @num / @den to one decimal,
 * rounded, as "12.3".
 */
static void dec1(struct ht_buf *b, uint64_t num, uint64_t den)
{
	uint64_t tenths = den ? (num * 10 + den / 2) / den : 0;

	ht_buf_printf(b, "%" PRIu64 ".%" PRIu64, tenths / 10, tenths % 10);
}

static void mib(struct ht_buf *b, uint64_t bytes)
{
	dec1(b, bytes, 1024 * 1024);
}

static unsigned int pct(uint64_t part, uint64_t whole)
{
	return whole ? (unsigned int)((part * 100 + whole / 2) / whole) : 0;
}

/* The part that best explains an object: first failure, else first. */
static const struct ht_part *main_part(const struct ht_object *o)
{
	const struct ht_part *first = NULL;
	size_t i;

	for (i = 0; i < o->nparts; i++) {
		const struct ht_part *p = &o->parts[i];

		if (!p->attempted)
			continue;
		if (p->target.reason != HT_R_NONE)
			return p;
		if (!first)
			first = p;
	}
	return first;
}

static enum ht_reason part_reason(const struct ht_object *o,
				  const struct ht_part *p)
{
	if (o->reason != HT_R_NONE)
		return o->reason;
	if (p->span_reason != HT_R_NONE)
		return p->span_reason;
	return p->attempted ? p->target.reason : HT_R_NONE;
}

static void human_object(struct ht_buf *b, const struct ht_run *r,
			 const struct ht_object *o)
{
	const struct ht_part *p = main_part(o);
	struct ht_totals t;
	enum ht_reason why;

	ht_object_totals(o, &t);
	ht_buf_printf(b, "hugetext[%d]: ", (int)r->pid);
	human_str(b, o->path);
	ht_buf_printf(b, ": text ");
	mib(b, t.text);
	ht_buf_printf(b, " MiB");
	if (o->reason != HT_R_NONE) {
		ht_buf_printf(b, ": %s: ", ht_reason_name(o->reason));
		human_str(b, o->detail[0] ? o->detail :
			  ht_reason_text(o->reason));
		ht_buf_printf(b, "\n");
		return;
	}
	if (!t.eligible) {
		why = o->nparts ? o->parts[0].span_reason : HT_R_TOO_SMALL;
		ht_buf_printf(b, ", nothing eligible: %s: %s\n", ht_reason_name(why),
			ht_reason_text(why));
		return;
	}
	ht_buf_printf(b, ", eligible ");
	mib(b, t.eligible);
	ht_buf_printf(b, " MiB, huge ");
	mib(b, t.huge);
	ht_buf_printf(b, " MiB (%u%%)", pct(t.huge, t.eligible));
	if (!p) {
		ht_buf_printf(b, "\n");
		return;
	}
	/* Nothing ran (status, or a check said no): no route to name. */
	if (p->target.route != HT_ROUTE_NONE) {
		ht_buf_printf(b, " via %s in ", ht_route_name(p->target.route));
		dec1(b, p->target.usec, 1000);
		ht_buf_printf(b, " ms");
	}
	why = part_reason(o, p);
	if (why != HT_R_NONE)
		ht_buf_printf(b, ": %s: %s%s%s", ht_reason_name(why),
			ht_reason_text(why), p->target.err ? ": " : "",
			p->target.err ? ht_strerror(p->target.err) : "");
	ht_buf_printf(b, "\n");
}

int ht_report_human(const struct ht_run *r, int fd)
{
	struct ht_buf b;
	struct ht_totals t;
	size_t i;

	buf_open(&b);
	for (i = 0; i < r->nobj; i++)
		human_object(&b, r, &r->obj[i]);
	ht_run_totals(r, &t);
	ht_buf_printf(&b, "hugetext[%d]: total: %zu objects, text ", (int)r->pid,
		r->nobj);
	mib(&b, t.text);
	ht_buf_printf(&b, " MiB, eligible ");
	mib(&b, t.eligible);
	ht_buf_printf(&b, " MiB, huge ");
	mib(&b, t.huge);
	ht_buf_printf(&b, " MiB (%u%% of eligible) in ", pct(t.huge, t.eligible));
	dec1(&b, r->usec, 1000);
	ht_buf_printf(&b, " ms (strategy %s%s, THP %s)\n",
		ht_strategy_name(r->strategy), r->dry_run ? ", dry run" : "",
		ht_thp_mode_name(r->thp.mode));
	return flush(&b, fd);
}

static void json_part(struct ht_buf *b, const struct ht_object *o,
		      const struct ht_part *p)
{
	enum ht_reason why = part_reason(o, p);

	ht_buf_printf(b, "{\"vaddr\":%llu,\"bytes\":%llu,\"offset\":%llu,"
		"\"eligible_start\":%llu,\"eligible_bytes\":%llu,"
		"\"head_bytes\":%llu,\"tail_bytes\":%llu,",
		(unsigned long long)p->vaddr, (unsigned long long)p->len,
		(unsigned long long)p->offset,
		(unsigned long long)p->spans.start,
		(unsigned long long)ht_spans_bytes(&p->spans),
		(unsigned long long)p->spans.head,
		(unsigned long long)p->spans.tail);
	if (p->attempted)
		ht_buf_printf(b, "\"route\":\"%s\",\"tmpfs\":%s,"
			"\"huge_bytes_before\":%llu,\"huge_bytes\":%llu,"
			"\"errno\":%d,\"usec\":%llu,",
			ht_route_name(p->target.route),
			p->target.tmpfs ? "true" : "false",
			(unsigned long long)p->target.pmd_before,
			(unsigned long long)p->target.pmd_after, p->target.err,
			(unsigned long long)p->target.usec);
	ht_buf_printf(b, "\"reason\":");
	if (why == HT_R_NONE)
		ht_buf_printf(b, "null}");
	else
		ht_buf_printf(b, "\"%s\"}", ht_reason_name(why));
}

int ht_report_json(const struct ht_run *r, int fd)
{
	struct ht_buf b;
	struct ht_totals t;
	size_t i, j;

	buf_open(&b);
	ht_run_totals(r, &t);
	ht_buf_printf(&b, "{\"hugetext\":\"%s\",\"pid\":%d,\"trigger\":\"%s\","
		"\"strategy\":\"%s\","
		"\"dry_run\":%s,\"thp\":\"%s\",\"usec\":%llu,"
		"\"text_bytes\":%llu,\"eligible_bytes\":%llu,"
		"\"huge_bytes_before\":%llu,\"huge_bytes\":%llu,"
		"\"objects\":[", PACKAGE_VERSION, (int)r->pid,
		r->trigger ? r->trigger : "outside",
		ht_strategy_name(r->strategy), r->dry_run ? "true" : "false",
		ht_thp_mode_name(r->thp.mode), (unsigned long long)r->usec,
		(unsigned long long)t.text, (unsigned long long)t.eligible,
		(unsigned long long)t.huge_before, (unsigned long long)t.huge);
	for (i = 0; i < r->nobj; i++) {
		const struct ht_object *o = &r->obj[i];
		struct ht_totals ot;

		ht_object_totals(o, &ot);
		ht_buf_printf(&b, "%s{\"path\":", i ? "," : "");
		json_str(&b, o->path);
		ht_buf_printf(&b, ",\"text_bytes\":%llu,\"eligible_bytes\":%llu,"
			"\"huge_bytes_before\":%llu,\"huge_bytes\":%llu,"
			"\"reason\":", (unsigned long long)ot.text,
			(unsigned long long)ot.eligible,
			(unsigned long long)ot.huge_before,
			(unsigned long long)ot.huge);
		if (o->reason == HT_R_NONE) {
			ht_buf_printf(&b, "null");
		} else {
			ht_buf_printf(&b, "\"%s\",\"detail\":",
				ht_reason_name(o->reason));
			json_str(&b, o->detail);
		}
		ht_buf_printf(&b, ",\"segments\":[");
		for (j = 0; j < o->nparts; j++) {
			if (j)
				ht_buf_printf(&b, ",");
			json_part(&b, o, &o->parts[j]);
		}
		ht_buf_printf(&b, "]}");
	}
	ht_buf_printf(&b, "]}\n");
	return flush(&b, fd);
}
