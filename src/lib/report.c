// SPDX-License-Identifier: MIT
/* report.c - human and JSON renderings of struct ht_run. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "header.h"
#include "json.h"
#include "report.h"

/* The report is built in memory and written with one write(). */
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

const struct ht_part *ht_object_main_part(const struct ht_object *o)
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
	const struct ht_part *p = ht_object_main_part(o);
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

/*
 * Why an object is not all huge: its own reason, else that of the part
 * that explains it (a busy page cache says so at the object too).
 */
static enum ht_reason object_reason(const struct ht_object *o,
				    const struct ht_totals *t)
{
	const struct ht_part *p;

	if (o->reason != HT_R_NONE || t->huge >= t->eligible)
		return o->reason;
	p = ht_object_main_part(o);
	return p ? p->target.reason : HT_R_NONE;
}

/* Why an object has no span at all (human_object's "nothing eligible"). */
static enum ht_reason none_reason(const struct ht_object *o)
{
	if (o->reason != HT_R_NONE)
		return o->reason;
	return o->nparts ? o->parts[0].span_reason : HT_R_TOO_SMALL;
}

/*
 * The one reason a summary names: that of the object which lost the
 * most, counting eligible text left small when some is eligible, else
 * the text of objects with nothing eligible.
 */
static enum ht_reason run_reason(const struct ht_run *r, bool eligible)
{
	enum ht_reason why = HT_R_NONE, w;
	uint64_t most = 0, lost;
	size_t i;

	for (i = 0; i < r->nobj; i++) {
		const struct ht_object *o = &r->obj[i];
		struct ht_totals t;

		ht_object_totals(o, &t);
		if (eligible) {
			lost = t.eligible - (t.huge < t.eligible ? t.huge :
					     t.eligible);
			w = object_reason(o, &t);
		} else {
			lost = t.text;
			w = none_reason(o);
		}
		if (w != HT_R_NONE && lost > most) {
			most = lost;
			why = w;
		}
	}
	return why;
}

enum ht_reason ht_run_reason(const struct ht_run *r)
{
	struct ht_totals t;
	enum ht_reason why;

	ht_run_totals(r, &t);
	if (t.eligible)
		return t.huge < t.eligible ? run_reason(r, true) : HT_R_NONE;
	why = run_reason(r, false);
	return why == HT_R_NONE ? HT_R_TOO_SMALL : why;
}

/* The program's name: the base name of the object ld.so left unnamed. */
static const char *run_name(const struct ht_run *r)
{
	const char *base = NULL, *p;
	size_t i;

	for (i = 0; i < r->nobj && !base; i++)
		if (!r->obj[i].name && r->obj[i].path)
			base = r->obj[i].path;
	if (!base)
		return "?";
	for (p = base; *p; p++)
		if (*p == '/' && p[1])
			base = p + 1;
	return base;
}

/*
 * One line for the whole process, the first thing a user reads:
 * "huge H of E MiB eligible (P%[, reason]), N objects, T MiB text,
 * U ms", or "nothing eligible (reason), ..." when no object has a span.
 */
static void summary_line(struct ht_buf *b, const struct ht_run *r)
{
	struct ht_totals t;
	enum ht_reason why;

	ht_run_totals(r, &t);
	ht_buf_printf(b, "hugetext[%d]: ", (int)r->pid);
	human_str(b, run_name(r));
	if (t.eligible) {
		ht_buf_printf(b, ": huge ");
		mib(b, t.huge);
		ht_buf_printf(b, " of ");
		mib(b, t.eligible);
		ht_buf_printf(b, " MiB eligible (%u%%", pct(t.huge,
							     t.eligible));
	} else {
		ht_buf_printf(b, ": nothing eligible (");
	}
	why = ht_run_reason(r);
	if (why != HT_R_NONE)
		ht_buf_printf(b, "%s%s", t.eligible ? ", " : "",
			      ht_reason_name(why));
	ht_buf_printf(b, "), %zu object%s, ", r->nobj, r->nobj == 1 ? "" :
		      "s");
	mib(b, t.text);
	ht_buf_printf(b, " MiB text, ");
	dec1(b, r->usec, 1000);
	ht_buf_printf(b, " ms%s\n", r->dry_run ? ", dry run" : "");
}

int ht_report_brief(const struct ht_run *r, int fd)
{
	struct ht_buf b;
	size_t i;

	buf_open(&b);
	if (r->trigger != HT_TRIGGER_DLOPEN)
		summary_line(&b, r);
	for (i = 0; i < r->nobj; i++)
		if (r->obj[i].text_bytes >= HT_BRIEF_MIN_TEXT)
			human_object(&b, r, &r->obj[i]);
	return flush(&b, fd);
}

static void json_part(struct ht_jw *w, const struct ht_object *o,
		      const struct ht_part *p)
{
	ht_jw_open(w, NULL);
	ht_jw_u64(w, "vaddr", p->vaddr);
	ht_jw_u64(w, "bytes", p->len);
	ht_jw_u64(w, "offset", p->offset);
	ht_jw_u64(w, "eligible_start", p->spans.start);
	ht_jw_u64(w, "eligible_bytes", ht_spans_bytes(&p->spans));
	ht_jw_u64(w, "head_bytes", p->spans.head);
	ht_jw_u64(w, "tail_bytes", p->spans.tail);
	if (p->attempted) {
		ht_jw_str(w, "route", ht_route_name(p->target.route));
		ht_jw_bool(w, "tmpfs", p->target.tmpfs);
		ht_jw_u64(w, "huge_bytes_before", p->target.pmd_before);
		ht_jw_u64(w, "huge_bytes", p->target.pmd_after);
		ht_jw_int(w, "errno", p->target.err);
		ht_jw_u64(w, "usec", p->target.usec);
		ht_jw_u64(w, "wait_usec", p->target.wait_usec);
	}
	ht_jw_reason(w, "reason", part_reason(o, p));
	ht_jw_close(w);
}

void ht_report_jw(struct ht_jw *w, const char *key, const struct ht_run *r)
{
	struct ht_totals t;
	struct ht_who who;
	size_t i, j;

	/* Inside the program, itself; from outside, through its PID. */
	ht_who_read(r->trigger == HT_TRIGGER_OUTSIDE ? r->pid : 0, &who);
	who.pid = r->pid;
	ht_run_totals(r, &t);
	ht_jw_open(w, key);
	ht_jw_header(w, &who);
	ht_jw_str(w, "trigger", r->trigger == HT_TRIGGER_START ? "start" :
		  r->trigger == HT_TRIGGER_DLOPEN ? "dlopen" : "outside");
	ht_jw_str(w, "strategy", ht_strategy_name(r->strategy));
	ht_jw_bool(w, "dry_run", r->dry_run);
	ht_jw_str(w, "thp", ht_thp_mode_name(r->thp.mode));
	ht_jw_u64(w, "usec", r->usec);
	if (r->stops) {		/* --pid --inject stopped it */
		ht_jw_u64(w, "stops", r->stops);
		ht_jw_u64(w, "stop_usec", r->stop_usec);
	}
	ht_jw_u64(w, "text_bytes", t.text);
	ht_jw_u64(w, "eligible_bytes", t.eligible);
	ht_jw_u64(w, "huge_bytes_before", t.huge_before);
	ht_jw_u64(w, "huge_bytes", t.huge);
	ht_jw_array_open(w, "objects");
	for (i = 0; i < r->nobj; i++) {
		const struct ht_object *o = &r->obj[i];
		struct ht_totals ot;

		ht_object_totals(o, &ot);
		ht_jw_open(w, NULL);
		ht_jw_str(w, "path", o->path);
		ht_jw_u64(w, "text_bytes", ot.text);
		ht_jw_u64(w, "eligible_bytes", ot.eligible);
		ht_jw_u64(w, "huge_bytes_before", ot.huge_before);
		ht_jw_u64(w, "huge_bytes", ot.huge);
		ht_jw_reason(w, "reason", object_reason(o, &ot));
		if (o->reason != HT_R_NONE)
			ht_jw_str(w, "detail", o->detail);
		ht_jw_array_open(w, "segments");
		for (j = 0; j < o->nparts; j++)
			json_part(w, o, &o->parts[j]);
		ht_jw_array_close(w);
		ht_jw_close(w);
	}
	ht_jw_array_close(w);
	ht_jw_close(w);
}

int ht_report_json(const struct ht_run *r, int fd)
{
	struct ht_buf b;
	struct ht_jw w;

	buf_open(&b);
	ht_jw_init(&w, &b);
	ht_report_jw(&w, NULL, r);
	ht_buf_putc(&b, '\n');
	return flush(&b, fd);
}
