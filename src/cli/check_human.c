// SPDX-License-Identifier: MIT
/* check_human.c - hugetext check's lines for people; see check.h. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "check.h"

/* A file name on a terminal: control bytes become '?'. */
static void put_name(FILE *f, const char *s)
{
	for (; *s; s++)
		fputc((unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s, f);
}

/*
 * Sizes in a segment line: exact KiB below 4 MiB (all are page-
 * granular), so that a 2040 KiB tail does not read as a whole 2 MiB
 * span; MiB with one decimal above.
 */
static const char *size_str(char *buf, size_t len, uint64_t b)
{
	if (b < 1024)
		snprintf(buf, len, "%llu B", (unsigned long long)b);
	else if (b < 4 * 1024 * 1024)
		snprintf(buf, len, "%llu KiB", (unsigned long long)(b >> 10));
	else
		snprintf(buf, len, "%.1f MiB", b / 1048576.0);
	return buf;
}

/* Alignments are powers of two: "4 KiB", "2 MiB". */
static const char *align_str(char *buf, size_t len, uint64_t a)
{
	if (a >= 1024 * 1024 && !(a & (1024 * 1024 - 1)))
		snprintf(buf, len, "%llu MiB", (unsigned long long)(a >> 20));
	else if (a >= 1024 && !(a & 1023))
		snprintf(buf, len, "%llu KiB", (unsigned long long)(a >> 10));
	else
		snprintf(buf, len, "%llu B", (unsigned long long)a);
	return buf;
}

static double mib(uint64_t b)
{
	return b / 1048576.0;
}

static void show_placement(FILE *f, const struct result *r,
			   const struct fs_entry *fs)
{
	const struct ht_placement *p = &r->pl;
	const char *who = p->kind == HT_KIND_SHARED ? "ld.so" : "the kernel";
	const char *fst = fs && fs->info.type[0] ? fs->info.type : "its "
			  "filesystem";
	char a[32];

	align_str(a, sizeof(a), p->align);
	fputs("  placement: ", f);
	switch (p->base) {
	case HT_BASE_FIXED:
		fputs("at the addresses it was linked for", f);
		break;
	case HT_BASE_ALIGNED:
		fprintf(f, "%s aligns its base to p_align (%s)", who, a);
		break;
	case HT_BASE_RANDOM:
		fprintf(f, "%s aligns a random base to p_align (%s): "
			"2 MiB-congruent in 1 of %llu starts", who, a,
			(unsigned long long)p->odds);
		break;
	case HT_BASE_MMAP_ALIGNED:
		fprintf(f, "%s maps it with mmap(NULL), which %s places "
			"2 MiB-aligned (probed)", who, fst);
		break;
	case HT_BASE_MMAP_UNALIGNED:
		fprintf(f, "%s maps it with mmap(NULL), which %s does not "
			"place 2 MiB-aligned (probed)", who, fst);
		break;
	case HT_BASE_MMAP_UNKNOWN:
		fprintf(f, "%s maps it with mmap(NULL); not probed (%s), "
			"assumed 2 MiB-aligned as on ext4 and xfs", who,
			r->size < HT_HPAGE_SIZE ? "file under 2 MiB" :
			"mmap failed");
		break;
	}
	fputc('\n', f);
}

/* "12.0 MiB", or "no (reason)". */
static void route_bytes(FILE *f, uint64_t bytes, enum ht_reason why)
{
	if (bytes)
		fprintf(f, "%.1f MiB", mib(bytes));
	else
		fprintf(f, "no (%s)", ht_reason_name(why));
}

/*
 * Which way of running the file would put how much on huge pages: the
 * shared page cache as it is started now, a private copy (-s copy), and
 * for a PIE the page cache once ld.so maps it (--via-ldso).
 */
static void show_routes(FILE *f, const struct ctx *c,
			const struct ht_placement *p)
{
	char a[32];

	fputs("  routes: page cache: ", f);
	route_bytes(f, p->eligible, p->reason);
	fputs("; copy (-s copy): ", f);
	if (p->copy_max && p->copy_min != p->copy_max)
		fprintf(f, "%.1f-%.1f MiB (depending on the random base)",
			mib(p->copy_min), mib(p->copy_max));
	else if (p->copy_reason == HT_R_COPY_NO_CACHE)
		fputs("no (statically linked: no preload runs in it)", f);
	else
		route_bytes(f, p->copy_max, p->copy_reason);
	switch (p->ldso) {
	case HT_LDSO_NA:
		break;
	case HT_LDSO_NOT_NEEDED:
		fputs("; via ld.so (--via-ldso): not needed", f);
		break;
	case HT_LDSO_YES:
	case HT_LDSO_NO:
		fputs("; via ld.so (--via-ldso): ", f);
		if (p->ldso_reason == HT_R_INCONGRUENT &&
		    p->align > c->pagesz)
			fprintf(f, "no (ld.so aligns its base to p_align, %s, "
				"not to 2 MiB)",
				align_str(a, sizeof(a), p->align));
		else if (p->ldso_reason == HT_R_INCONGRUENT)
			fputs("no (mmap(NULL) of it is not 2 MiB-aligned "
			      "here)", f);
		else
			route_bytes(f, p->ldso_eligible, p->ldso_reason);
		if (p->ldso_guess)
			fputs(" if mmap(NULL) places it 2 MiB-aligned (not "
			      "probed: a guess)", f);
		break;
	}
	fputc('\n', f);
}

static void show_kernel(FILE *f, const struct ctx *c,
			const struct fs_entry *fs)
{
	const struct ht_route_probe *p = fs ? &fs->probe : NULL;

	fprintf(f, "  kernel: THP %s%s", ht_thp_mode_name(c->thp.mode),
		c->thp.prctl_disabled ? " (disabled for this process)" : "");
	if (fs && fs->info.type[0]) {
		fputs("; ", f);
		put_name(f, fs->info.type);
		fputs(" at ", f);
		put_name(f, fs->info.mount);
	}
	if (!fs || !fs->tried) {
		fputs(": routes not probed (no 2 MiB of text)\n", f);
		return;
	}
	if (!p->probed) {
		fprintf(f, ": routes unknown: %s\n", p->why);
		return;
	}
	if (p->collapse && p->refault)
		fputs(": collapse and refault work\n", f);
	else if (p->collapse)
		fprintf(f, ": collapse works; refault: %s\n",
			ht_reason_name(p->refault_reason));
	else if (p->refault)
		fprintf(f, ": refault works; collapse: %s\n",
			ht_reason_name(p->collapse_reason));
	else
		fprintf(f, ": no route works (collapse: %s, refault: %s)\n",
			ht_reason_name(p->collapse_reason),
			ht_reason_name(p->refault_reason));
}

void ht_check_human(struct ctx *c, const struct result *r)
{
	const struct ht_placement *p = &r->pl;
	const struct fs_entry *fs = r->fs < c->nfs ? &c->fs[r->fs] : NULL;
	char a[32], b[32], d[32], e[32], why[256];
	FILE *f = stdout;
	unsigned int i;

	if (r->error)
		return;
	put_name(f, r->path);
	fprintf(f, ": %s", ht_kind_name(p->kind));
	if (r->needed_by) {
		fputs(r->dlopened ? " dlopened by " : " needed by ", f);
		put_name(f, r->needed_by);
	}
	fprintf(f, ", p_align %s, text %.1f MiB, eligible %.1f MiB: %s",
		align_str(a, sizeof(a), p->align), mib(p->text),
		mib(p->eligible), ht_verdict_name(p->verdict));
	if (p->reason != HT_R_NONE)
		fprintf(f, " (%s)", ht_reason_name(p->reason));
	fputc('\n', f);

	/* Nothing to gain under 2 MiB of text: the verdict says enough. */
	if (!p->possible) {
		fprintf(f, "  why: %s\n\n",
			ht_place_reason_text(p, p->reason, why, sizeof(why)));
		fflush(f);
		return;
	}
	fprintf(f, "  %10s %12s %10s %10s %10s %10s  %s\n", "offset", "vaddr",
		"size", "eligible", "lost head", "lost tail", "reason");
	for (i = 0; i < p->nseg; i++) {
		const struct ht_seg_place *s = &p->seg[i];
		uint64_t el = ht_spans_bytes(&s->eligible);
		char off[24], va[24];

		snprintf(off, sizeof(off), "%#llx",
			 (unsigned long long)s->offset);
		snprintf(va, sizeof(va), "%#llx",
			 (unsigned long long)s->vaddr);
		fprintf(f, "  %10s %12s %10s %10s %10s %10s  %s\n", off, va,
			size_str(a, sizeof(a), s->len),
			size_str(b, sizeof(b), el),
			el ? size_str(d, sizeof(d), s->eligible.head) : "-",
			el ? size_str(e, sizeof(e), s->eligible.tail) : "-",
			s->reason == HT_R_NONE ? "-" :
			ht_reason_name(s->reason));
	}
	if (p->nexec > p->nseg)
		fprintf(f, "  (%zu more executable segments not shown)\n",
			p->nexec - p->nseg);
	show_placement(f, r, fs);
	if ((p->kind == HT_KIND_STATIC || p->kind == HT_KIND_STATIC_PIE) &&
	    p->eligible)
		fputs("  note: statically linked: no preload reaches it, so "
		      "the launcher primes its page cache before exec\n", f);
	else if (p->kind == HT_KIND_STATIC || p->kind == HT_KIND_STATIC_PIE)
		fputs("  note: statically linked: no preload reaches it, and "
		      "with nothing eligible the launcher does not prime it "
		      "either\n", f);
	/* An incongruent base is what the placement line just said. */
	if (p->reason != HT_R_NONE && !(p->reason == HT_R_INCONGRUENT &&
					(p->base == HT_BASE_RANDOM ||
					 p->base == HT_BASE_MMAP_UNALIGNED)))
		fprintf(f, "  why: %s\n",
			ht_place_reason_text(p, p->reason, why, sizeof(why)));
	for (i = 0; i < HT_FIX__COUNT; i++)
		if (p->fixes & (1u << i))
			fprintf(f, "  fix: %s (%s)\n", ht_fix_text(i),
				ht_fix_tradeoff(i));
	if (r->busy) {
		char who[256], fix[256];

		ht_holders_text(&r->holders, who, sizeof(who), fix,
				sizeof(fix));
		fprintf(f, "  page cache: small, and kept so by %zu process%s "
			"mapping it with small pages: %s: no start can drop "
			"those (page-cache-busy)\n", r->holders.n,
			r->holders.n == 1 ? "" : "es", who);
		fprintf(f, "  fix: %s\n", fix);
	}
	show_routes(f, c, p);
	show_kernel(f, c, fs);
	fputc('\n', f);
	fflush(f);
}

