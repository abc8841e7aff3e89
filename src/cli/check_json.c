// SPDX-License-Identifier: MIT
/* check_json.c - hugetext check --json; see check.h. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "check.h"
#include "header.h"
#include "jsonout.h"

static void json_kernel(struct ht_jw *w, const struct fs_entry *fs)
{
	const struct ht_route_probe *p = fs ? &fs->probe : NULL;
	bool known = fs && fs->tried && p->probed;

	ht_jw_open(w, "kernel");
	ht_jw_str(w, "fs", fs && fs->info.type[0] ? fs->info.type : NULL);
	ht_jw_str(w, "mount", fs && fs->info.mount[0] ? fs->info.mount : NULL);
	ht_jw_bool(w, "probed", known);
	ht_jw_str(w, "detail", !fs || !fs->tried ?
		  "not probed: no 2 MiB of text" : known ? NULL : p->why);
	if (!known) {
		ht_jw_null(w, "tmpfs");
		ht_jw_null(w, "collapse");
		ht_jw_null(w, "collapse_reason");
		ht_jw_null(w, "refault");
		ht_jw_null(w, "refault_reason");
	} else {
		ht_jw_bool(w, "tmpfs", p->tmpfs);
		ht_jw_bool(w, "collapse", p->collapse);
		ht_jw_reason(w, "collapse_reason", p->collapse_reason);
		ht_jw_bool(w, "refault", p->refault);
		ht_jw_reason(w, "refault_reason", p->refault_reason);
	}
	ht_jw_close(w);
}

/* "page_cache_busy": null, or who keeps the page cache small. */
static void json_busy(struct ht_jw *w, const struct result *r)
{
	size_t i;

	if (!r->busy) {
		ht_jw_null(w, "page_cache_busy");
		return;
	}
	ht_jw_open(w, "page_cache_busy");
	ht_jw_u64(w, "processes", r->holders.n);
	ht_jw_array_open(w, "shown");
	for (i = 0; i < r->holders.n && i < HT_HOLDERS_SHOWN; i++) {
		ht_jw_open(w, NULL);
		ht_jw_int(w, "pid", r->holders.h[i].pid);
		ht_jw_str(w, "comm", r->holders.h[i].comm);
		ht_jw_close(w);
	}
	ht_jw_array_close(w);
	ht_jw_close(w);
}

static void json_segment(struct ht_jw *w, const struct ht_seg_place *s)
{
	ht_jw_open(w, NULL);
	ht_jw_u64(w, "offset", s->offset);
	ht_jw_u64(w, "vaddr", s->vaddr);
	ht_jw_u64(w, "bytes", s->len);
	ht_jw_u64(w, "file_bytes", s->filesz);
	ht_jw_u64(w, "span_bytes", s->span_bytes);
	ht_jw_u64(w, "eligible_start", s->eligible.start);
	ht_jw_u64(w, "eligible_bytes", ht_spans_bytes(&s->eligible));
	ht_jw_u64(w, "head_bytes", s->eligible.head);
	ht_jw_u64(w, "tail_bytes", s->eligible.tail);
	ht_jw_u64(w, "possible_bytes", s->possible);
	ht_jw_reason(w, "reason", s->reason);
	ht_jw_close(w);
}

static void json_result(struct ht_jw *w, const struct ctx *c,
			const struct result *r)
{
	const struct ht_placement *p = &r->pl;
	const struct fs_entry *fs = r->fs < c->nfs ? &c->fs[r->fs] : NULL;
	char why[256];
	unsigned int i;

	ht_jw_open(w, NULL);
	ht_jw_str(w, "path", r->path);
	ht_jw_str(w, "needed_by", r->dlopened ? NULL : r->needed_by);
	ht_jw_str(w, "dlopened_by", r->dlopened ? r->needed_by : NULL);
	ht_jw_str(w, "error", r->error);
	if (r->error) {
		ht_jw_close(w);
		return;
	}
	ht_jw_str(w, "kind", ht_kind_token(p->kind));
	ht_jw_str(w, "made_huge_by", p->kind == HT_KIND_STATIC ||
		  p->kind == HT_KIND_STATIC_PIE ? "prime" : "preload");
	ht_jw_u64(w, "p_align", p->align);
	ht_jw_str(w, "placement", ht_base_token(p->base));
	ht_jw_u64(w, "random_odds", p->odds);
	ht_jw_bool(w, "textrel", p->textrel);
	ht_jw_u64(w, "file_bytes", p->text);
	ht_jw_u64(w, "span_bytes", p->span_bytes);
	ht_jw_u64(w, "eligible_bytes", p->eligible);
	ht_jw_u64(w, "possible_bytes", p->possible);
	ht_jw_str(w, "verdict", ht_verdict_token(p->verdict));
	ht_jw_reason(w, "reason", p->reason);
	ht_jw_str(w, "detail", p->reason == HT_R_NONE ? NULL :
		  ht_place_reason_text(p, p->reason, why, sizeof(why)));
	ht_jw_array_open(w, "segments");
	for (i = 0; i < p->nseg; i++)
		json_segment(w, &p->seg[i]);
	ht_jw_array_close(w);
	ht_jw_array_open(w, "fixes");
	for (i = 0; i < HT_FIX__COUNT; i++) {
		if (!(p->fixes & (1u << i)))
			continue;
		ht_jw_open(w, NULL);
		ht_jw_str(w, "fix", ht_fix_token(i));
		ht_jw_str(w, "text", ht_fix_text(i));
		ht_jw_str(w, "tradeoff", ht_fix_tradeoff(i));
		ht_jw_close(w);
	}
	ht_jw_array_close(w);
	/* The other ways of running it: a private copy, through ld.so. */
	ht_jw_open(w, "copy");
	ht_jw_u64(w, "min_bytes", p->copy_min);
	ht_jw_u64(w, "max_bytes", p->copy_max);
	ht_jw_reason(w, "reason", p->copy_reason);
	ht_jw_close(w);
	ht_jw_open(w, "via_ldso");
	ht_jw_str(w, "verdict", ht_ldso_token(p->ldso));
	ht_jw_u64(w, "eligible_bytes", p->ldso_eligible);
	ht_jw_reason(w, "reason", p->ldso_reason);
	ht_jw_bool(w, "guess", p->ldso_guess);
	ht_jw_close(w);
	json_kernel(w, fs);
	json_busy(w, r);
	ht_jw_close(w);
}

int ht_check_json(const struct ctx *c)
{
	struct ht_buf b = HT_BUF_INIT;
	struct ht_who who;
	struct ht_jw w;
	size_t i;
	int ret;

	ht_who_read(0, &who);
	ht_jw_init(&w, &b);
	ht_jw_open(&w, NULL);
	ht_jw_header(&w, &who);
	ht_jw_str(&w, "thp", ht_thp_mode_name(c->thp.mode));
	ht_jw_bool(&w, "thp_disabled_prctl", c->thp.prctl_disabled);
	ht_jw_int(&w, "status", c->status);
	if (c->ran) {
		const struct ht_ran *ran = c->ran;

		ht_jw_open(&w, "run");
		ht_jw_str(&w, "program", ran->prog);
		ht_jw_u64(&w, "programs", ran->programs);
		ht_jw_u64(&w, "reports", ran->lines);
		if (WIFEXITED(ran->status))
			ht_jw_int(&w, "exit_status", WEXITSTATUS(ran->status));
		else
			ht_jw_null(&w, "exit_status");
		if (WIFSIGNALED(ran->status))
			ht_jw_int(&w, "signal", WTERMSIG(ran->status));
		else
			ht_jw_null(&w, "signal");
		ht_jw_close(&w);
	}
	ht_jw_array_open(&w, "files");
	for (i = 0; i < c->nres; i++)
		json_result(&w, c, &c->res[i]);
	ht_jw_array_close(&w);
	ht_jw_close(&w);
	ht_buf_putc(&b, '\n');
	ret = ht_json_print(&b, stdout);
	ht_buf_free(&b);
	return ret;
}

