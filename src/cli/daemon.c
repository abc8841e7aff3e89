// SPDX-License-Identifier: MIT
/* daemon.c - the daemon's passes over the host; see daemon.h. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "clock.h"
#include "daemon.h"
#include "fleet.h"
#include "inject.h"
#include "pagemap.h"
#include "sample.h"
#include "procinfo.h"
#include "prom.h"
#include "remote.h"
#include "smaps.h"
#include "spans.h"

/* A new program's loader maps its libraries in well under this. */
#define EXEC_SETTLE_USEC	200000
/* The longest back-off, in rescans: a file that keeps failing. */
#define MAX_BACKOFF_SHIFT	7

void ht_daemon_init(struct ht_daemon *d, const struct ht_dconf *cfg)
{
	memset(d, 0, sizeof(*d));
	d->cfg = *cfg;
	d->self = getpid();
}

void ht_daemon_free(struct ht_daemon *d)
{
	size_t i;

	for (i = 0; i < d->nfile; i++)
		free(d->file[i].path);
	for (i = 0; i < d->nexe; i++)
		free(d->exe[i].exe);
	free(d->proc);
	free(d->file);
	free(d->exe);
	ht_dconf_free(&d->cfg);
	memset(d, 0, sizeof(*d));
}

/* What /proc says of a process: procinfo.c, shared with `status --all`. */
static uint64_t start_time(pid_t pid)
{
	return ht_proc_start_time(pid);
}

static int exe_of(pid_t pid, char *buf, size_t len)
{
	return ht_proc_exe(pid, buf, len);
}

/* The cgroup v2 path ("/system.slice/x.service"), and its unit. */
static void cgroup_of(pid_t pid, char *cg, size_t len, char *unit,
		      size_t ulen)
{
	/* In no cgroup v2 hierarchy: no path, no unit, still wanted. */
	(void)ht_proc_cgroup(pid, cg, len, unit, ulen);
}

/* Eligible bytes of @pid's executable file mappings, from its maps. */
struct elig {
	uint64_t bytes;
};

static int add_eligible(const struct ht_vma *v, void *arg)
{
	struct elig *e = arg;
	struct ht_spans s;

	if (!v->inode || !strchr(v->perms, 'x'))
		return 0;
	if (ht_spans_find(v->start, v->end - v->start, v->pgoff, &s) ==
	    HT_R_NONE)
		e->bytes += ht_spans_bytes(&s);
	return 0;
}

static uint64_t maps_eligible(pid_t pid)
{
	struct elig e = { 0 };
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	ht_smaps_parse(fd, add_eligible, &e);
	close(fd);
	return e.bytes;
}

static struct ht_dproc *proc_of(struct ht_daemon *d, pid_t pid)
{
	size_t i;

	for (i = 0; i < d->nproc; i++)
		if (d->proc[i].pid == pid)
			return &d->proc[i];
	if (ht_grow(&d->proc, &d->capproc, d->nproc, sizeof(*d->proc), 64))
		return NULL;
	memset(&d->proc[d->nproc], 0, sizeof(*d->proc));
	d->proc[d->nproc].pid = pid;
	return &d->proc[d->nproc++];
}

/*
 * The state of the file at @path, by device and inode: a file replaced
 * at the same path (a package upgrade, a rebuild) is a new file, with
 * no back-off of the old one's.
 */
static struct ht_dfile *file_of(struct ht_daemon *d, const char *path)
{
	struct stat st;
	size_t i;

	if (stat(path, &st))
		st.st_dev = st.st_ino = 0;
	for (i = 0; i < d->nfile; i++)
		if (!strcmp(d->file[i].path, path) &&
		    d->file[i].dev == st.st_dev && d->file[i].ino == st.st_ino)
			return &d->file[i];
	/* The same path's old file: forget it. */
	for (i = 0; i < d->nfile; i++)
		if (!strcmp(d->file[i].path, path)) {
			d->file[i].dev = st.st_dev;
			d->file[i].ino = st.st_ino;
			d->file[i].fails = 0;
			d->file[i].not_before = 0;
			d->file[i].last = HT_R_NONE;
			d->file[i].huge = 0;
			return &d->file[i];
		}
	if (ht_grow(&d->file, &d->capfile, d->nfile, sizeof(*d->file), 16))
		return NULL;
	memset(&d->file[d->nfile], 0, sizeof(*d->file));
	d->file[d->nfile].path = strdup(path);
	if (!d->file[d->nfile].path)
		return NULL;
	d->file[d->nfile].dev = st.st_dev;
	d->file[d->nfile].ino = st.st_ino;
	return &d->file[d->nfile++];
}

static struct ht_dexe *exe_entry(struct ht_daemon *d, const char *exe)
{
	size_t i;

	for (i = 0; i < d->nexe; i++)
		if (!strcmp(d->exe[i].exe, exe))
			return &d->exe[i];
	if (ht_grow(&d->exe, &d->capexe, d->nexe, sizeof(*d->exe), 16))
		return NULL;
	memset(&d->exe[d->nexe], 0, sizeof(*d->exe));
	d->exe[d->nexe].exe = strdup(exe);
	if (!d->exe[d->nexe].exe)
		return NULL;
	return &d->exe[d->nexe++];
}

void ht_daemon_exec(struct ht_daemon *d, pid_t pid, uint64_t now)
{
	struct ht_dproc *p = proc_of(d, pid);

	if (!p)
		return;
	/*
	 * Whatever it was before the exec, it is a new program now.  Its
	 * start time is read when it is due: most programs a busy host
	 * execs are gone by then, and cost no more than this.
	 */
	p->start = 0;
	p->ignore = false;
	p->huge_seen = 0;
	p->nrng = 0;
	p->due = now + EXEC_SETTLE_USEC;
}

uint64_t ht_daemon_next(const struct ht_daemon *d)
{
	uint64_t next = UINT64_MAX;
	size_t i;

	for (i = 0; i < d->nproc; i++)
		if (!d->proc[i].ignore && d->proc[i].due &&
		    d->proc[i].due < next)
			next = d->proc[i].due;
	return next;
}

static void say(const struct ht_daemon *d, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void say(const struct ht_daemon *d, const char *fmt, ...)
{
	va_list ap;

	(void)d;
	va_start(ap, fmt);
	fputs("hugetext daemon: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

/* Why an object of a run is not all huge: its main part's reason. */
static enum ht_reason object_why(const struct ht_object *o)
{
	const struct ht_part *p = ht_object_main_part(o);

	if (o->reason != HT_R_NONE)
		return o->reason;
	return p && p->target.reason != HT_R_NONE ? p->target.reason :
	       HT_R_PARTIAL;
}

/*
 * Make @pid's text huge where it is due: objects whose file is backing
 * off are left out of this try.  Then the verdict per object, from the
 * process's own smaps, feeds the back-off and the counters.
 */
/*
 * With huge pages scarce or capped: the routes on the chosen spans
 * alone, run by run (ht_heat_runs() cuts each part's spans down to
 * them), then one scan for the verdict.  Parts with no chosen span are
 * left as they are.
 */
static int make_hot_huge(struct ht_daemon *d, pid_t pid, struct ht_run *run,
			 const struct ht_policy *pol, const uint64_t *hot,
			 size_t nhot)
{
	struct ht_spans runs[HT_ELF_MAX_EXEC];
	bool tried[64] = { false };	/* by part, in order */
	size_t i, j, k, l, m, nr, idx = 0;
	struct ht_run after;
	int ret = 0;

	(void)d;
	/* Which parts were to be tried at all (act() said), by index. */
	for (i = 0; i < run->nobj; i++)
		for (j = 0; j < run->obj[i].nparts; j++, idx++)
			if (idx < 64)
				tried[idx] = run->obj[i].parts[j].attempted;
	idx = 0;
	for (i = 0; i < run->nobj && ret != -ESRCH; i++)
		for (j = 0; j < run->obj[i].nparts && ret != -ESRCH;
		     j++, idx++) {
			struct ht_part *p = &run->obj[i].parts[j];
			struct ht_target keep = p->target;

			if (idx >= 64 || !tried[idx])
				continue;
			nr = ht_heat_runs(&p->spans, hot, nhot, runs,
					  HT_ELF_MAX_EXEC);
			for (k = 0; k < nr && k < HT_ELF_MAX_EXEC; k++) {
				/* This run of this part alone. */
				for (l = 0; l < run->nobj; l++)
					for (m = 0; m < run->obj[l].nparts; m++)
						run->obj[l].parts[m].attempted =
							l == i && m == j;
				p->target.start = runs[k].start;
				p->target.end = runs[k].end;
				p->target.offset = runs[k].offset;
				p->target.pmd_before = 0;
				ret = ht_remote_make_huge(pid, run, pol);
				if (ret == -ESRCH)
					break;
			}
			p->target = keep;
		}
	/* Restore what act() marked, and read the verdict whole. */
	idx = 0;
	for (i = 0; i < run->nobj; i++)
		for (j = 0; j < run->obj[i].nparts; j++, idx++)
			run->obj[i].parts[j].attempted = idx < 64 && tried[idx];
	if (ret == -ESRCH || ht_remote_scan(pid, &after))
		return -ESRCH;
	for (i = 0; i < run->nobj && i < after.nobj; i++)
		for (j = 0; j < run->obj[i].nparts &&
		     j < after.obj[i].nparts; j++)
			run->obj[i].parts[j].target.pmd_after =
				after.obj[i].parts[j].target.pmd_after;
	ht_run_free(&after);
	return 0;
}

static void act(struct ht_daemon *d, struct ht_dproc *p, struct ht_run *run,
		struct ht_dexe *x, const char *exe, uint64_t now,
		const uint64_t *hot, size_t nhot)
{
	struct ht_policy pol = { .strategy = HT_STRATEGY_AUTO,
				 .inject = d->cfg.inject, .thp = run->thp };
	struct ht_totals before, after;
	struct ht_dfile *f;
	size_t i, j;
	bool any = false;
	int ret;

	ht_run_totals(run, &before);
	for (i = 0; i < run->nobj; i++) {
		struct ht_object *o = &run->obj[i];
		struct ht_totals t;

		ht_object_totals(o, &t);
		f = file_of(d, o->path);
		if (t.huge >= t.eligible || (f && now < f->not_before)) {
			for (j = 0; j < o->nparts; j++)
				o->parts[j].attempted = false;
			continue;
		}
		any = true;
	}
	if (!any)
		return;
	ret = hot ? make_hot_huge(d, p->pid, run, &pol, hot, nhot) :
		    ht_remote_make_huge(p->pid, run, &pol);
	if (ret == -ESRCH)
		return;
	ht_run_totals(run, &after);
	for (i = 0; i < run->nobj; i++) {
		struct ht_object *o = &run->obj[i];
		struct ht_totals t;
		bool tried = false;

		for (j = 0; j < o->nparts; j++)
			tried |= o->parts[j].attempted;
		if (!tried || !(f = file_of(d, o->path)))
			continue;
		ht_object_totals(o, &t);
		if (t.huge >= t.eligible) {
			f->fails = 0;
			f->not_before = 0;
			f->last = HT_R_NONE;
			continue;
		}
		f->last = object_why(o);
		/*
		 * Another process maps it small too: a pass zaps it in all
		 * of them first.  Looked at alone (an exec event), ask for
		 * that pass now instead of backing off.
		 */
		if (f->last == HT_R_CACHE_BUSY && !d->in_pass) {
			d->want_pass = true;
			continue;
		}
		x->fails[f->last]++;
		if (f->fails < MAX_BACKOFF_SHIFT)
			f->fails++;
		/* 1, 2, 4 ... 128 rescans: what keeps failing costs nothing. */
		f->not_before = now + ((uint64_t)d->cfg.interval * 1000000 <<
				       (f->fails - 1));
		if (d->verbose || f->fails == 1)
			say(d, "%d %s: %s: %s: %s (next try in %u s)",
			    (int)p->pid, exe, o->path,
			    ht_reason_name(f->last), ht_reason_text(f->last),
			    d->cfg.interval << (f->fails - 1));
	}
	if (after.huge > before.huge) {
		x->made_huge += after.huge - before.huge;
		if (p->huge_seen && before.huge < p->huge_seen)
			x->repairs++;
		say(d, "%d %s: huge %" PRIu64 " of %" PRIu64 " MiB%s",
		    (int)p->pid, exe, after.huge >> 20, after.eligible >> 20,
		    p->huge_seen && before.huge < p->huge_seen ?
		    " (repaired)" : "");
	}
	p->huge_seen = after.huge;
}

/*
 * A process to act on in this pass, with its scan.  By PID and name,
 * not by pointer: the tables grow while the pass collects.
 */
struct cand {
	pid_t pid;
	char *exe;
	struct ht_run run;
	bool limited;		/* huge pages scarce or capped: only @hot */
	size_t nhot;
	uint64_t *hot;		/* the chosen spans' starts */
};

struct cands {
	struct cand *c;
	size_t n, cap;
};

/*
 * Look at one process: NULL-equivalent (0) when it is not one to act on
 * (@p is then marked so), 1 with @c filled when it is.
 */
static int prepare(struct ht_daemon *d, struct ht_dproc *p, struct cand *c)
{
	char exe[4096], cg[1024], unit[256];

	if (exe_of(p->pid, exe, sizeof(exe))) {
		p->ignore = true;	/* a kernel thread, or not ours */
		return 0;
	}
	cgroup_of(p->pid, cg, sizeof(cg), unit, sizeof(unit));
	if (!ht_dconf_wants(&d->cfg, exe, cg, unit) ||
	    maps_eligible(p->pid) < d->cfg.min_eligible) {
		p->ignore = true;
		return 0;
	}
	memset(c, 0, sizeof(*c));
	c->pid = p->pid;
	c->exe = strdup(exe);
	if (!c->exe || ht_remote_scan(p->pid, &c->run)) {
		free(c->exe);
		return 0;
	}
	return 1;
}

static struct ht_dproc *find_proc(struct ht_daemon *d, pid_t pid)
{
	size_t i;

	for (i = 0; i < d->nproc; i++)
		if (d->proc[i].pid == pid)
			return &d->proc[i];
	return NULL;
}

/* Act on one prepared process, count it, and free its scan. */
/* Remember where @run's eligible text is, when it is all huge. */
static void keep_ranges(struct ht_daemon *d, struct ht_dproc *p,
			const struct ht_run *run, const struct ht_dexe *x)
{
	struct ht_totals t;
	size_t i, j;

	p->nrng = 0;
	ht_run_totals(run, &t);
	if (!t.eligible || t.huge < t.eligible)
		return;
	for (i = 0; i < run->nobj; i++)
		for (j = 0; j < run->obj[i].nparts; j++) {
			const struct ht_spans *s = &run->obj[i].parts[j].spans;

			if (!ht_spans_bytes(s))
				continue;
			if (p->nrng == HT_DPROC_RANGES) {
				p->nrng = 0;	/* too many: smaps each time */
				return;
			}
			p->rng[p->nrng].start = s->start;
			p->rng[p->nrng].end = s->end;
			p->nrng++;
		}
	p->rng_eligible = t.eligible;
	p->exe = (size_t)(x - d->exe);
}

/*
 * Still all huge where it was?  One PAGEMAP_SCAN of /proc/PID/pagemap
 * over those ranges, instead of a read of its whole smaps: what makes
 * an idle daemon cheap on a host of big processes.  Counts it in the
 * figures when so.
 */
static bool still_huge(struct ht_daemon *d, struct ht_dproc *p)
{
	uint64_t present, huge, anon, sum = 0;
	char path[64];
	unsigned int i;
	int fd;

	if (!p->nrng || p->exe >= d->nexe)
		return false;
	snprintf(path, sizeof(path), "/proc/%d/pagemap", (int)p->pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	for (i = 0; i < p->nrng; i++) {
		present = huge = anon = 0;
		if (ht_pagemap_walk(fd, p->rng[i].start, p->rng[i].end,
				    &present, &huge, &anon))
			break;
		sum += huge;
	}
	close(fd);
	if (i < p->nrng || sum < p->rng_eligible) {
		p->nrng = 0;	/* split or evicted, or it changed */
		return false;
	}
	d->exe[p->exe].procs++;
	d->exe[p->exe].eligible += p->rng_eligible;
	d->exe[p->exe].huge += sum;
	d->huge_total += sum;
	return true;
}

/* Each file's eligible bytes PMD-mapped, as this process shows them. */
static void file_huge(struct ht_daemon *d, const struct ht_run *run)
{
	struct ht_dfile *f;
	struct ht_totals t;
	size_t i;

	for (i = 0; i < run->nobj; i++) {
		ht_object_totals(&run->obj[i], &t);
		if (t.eligible && (f = file_of(d, run->obj[i].path)))
			f->huge = t.huge;
	}
}

static void finish(struct ht_daemon *d, struct cand *c, uint64_t now)
{
	struct ht_dproc *p = find_proc(d, c->pid);
	struct ht_dexe *x = exe_entry(d, c->exe);
	struct ht_totals t;

	if (p && x) {
		ht_run_totals(&c->run, &t);
		if (t.huge < t.eligible && (!c->limited || c->nhot))
			act(d, p, &c->run, x, c->exe, now,
			    c->limited ? c->hot : NULL, c->nhot);
		else if (t.huge < t.eligible)
			x->fails[HT_R_COLD]++;
		ht_run_totals(&c->run, &t);
		x->procs++;
		x->eligible += t.eligible;
		x->huge += t.huge;
		d->huge_total += t.huge;
		if (t.huge > p->huge_seen)
			p->huge_seen = t.huge;
		keep_ranges(d, p, &c->run, x);
		file_huge(d, &c->run);
	}
	ht_run_free(&c->run);
	free(c->hot);
	free(c->exe);
}

/*
 * Free 2 MiB blocks (order 9 and above) in /proc/buddyinfo, in blocks
 * of 2 MiB; UINT64_MAX when it cannot be read.
 */
static uint64_t free_huge_blocks(void)
{
	char buf[8192], *line, *save;
	uint64_t n = 0;
	bool any = false;

	if (ht_proc_read("/proc/buddyinfo", buf, sizeof(buf)) <= 0)
		return UINT64_MAX;
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *p = strstr(line, "zone");
		unsigned long long v;
		int order = 0, used;

		if (!p)
			continue;
		p += 4;
		while (*p == ' ')
			p++;
		p = strchr(p, ' ');	/* past the zone's name */
		while (p && sscanf(p, "%llu%n", &v, &used) == 1) {
			if (order >= 9)
				n += v << (order - 9);
			order++;
			p += used;
			any = true;
		}
	}
	return any ? n : UINT64_MAX;
}

/* Blocks kept free for everything else when they are scarce: 256 MiB. */
#define HT_RESERVE_BLOCKS	128

struct hot {
	size_t cand;
	uint64_t start, samples;
};

static int by_samples(const void *a, const void *b)
{
	const struct hot *x = a, *y = b;

	if (x->samples != y->samples)
		return x->samples < y->samples ? 1 : -1;
	if (x->cand != y->cand)
		return x->cand < y->cand ? -1 : 1;
	return x->start < y->start ? -1 : x->start > y->start;
}

/*
 * Huge pages scarce (order-9 blocks below what the candidates need plus
 * a reserve) or capped (max_huge_text): sample the candidates in one
 * window and give each only its share of the hottest spans host-wide,
 * the ones that are not PMD-mapped yet.  Nothing to do when there is
 * room for all.
 */
static void choose_hot(struct ht_daemon *d, struct cands *cs)
{
	uint64_t need = 0, budget = UINT64_MAX, used = 0, blocks;
	struct ht_heat *heat;
	struct hot *all = NULL;
	size_t i, j, n = 0, cap = 0;
	pid_t *pids;
	int *rets;

	d->limited = false;
	for (i = 0; i < cs->n; i++) {
		struct ht_totals t;

		ht_run_totals(&cs->c[i].run, &t);
		need += (t.eligible - t.huge) >> 21;
	}
	if (!need)
		return;
	if (d->cfg.max_huge_text) {
		for (i = 0; i < d->nfile; i++)
			used += d->file[i].huge;
		budget = used >= d->cfg.max_huge_text ? 0 :
			 (d->cfg.max_huge_text - used) >> 21;
	}
	blocks = free_huge_blocks();
	if (blocks != UINT64_MAX && blocks < need + HT_RESERVE_BLOCKS) {
		uint64_t b = blocks > HT_RESERVE_BLOCKS ?
			     blocks - HT_RESERVE_BLOCKS : 0;

		budget = b < budget ? b : budget;
	}
	if (budget >= need)
		return;
	d->limited = true;
	d->budget_spans = budget;
	for (i = 0; i < cs->n; i++)
		cs->c[i].limited = true;
	if (!budget || !d->cfg.sample_ms)
		return;
	pids = calloc(cs->n, sizeof(*pids));
	rets = calloc(cs->n, sizeof(*rets));
	heat = calloc(cs->n, sizeof(*heat));
	if (!pids || !rets || !heat)
		goto out;
	for (i = 0; i < cs->n; i++)
		pids[i] = cs->c[i].pid;
	ht_sample_batch(pids, cs->n, d->cfg.sample_ms, heat, rets);
	for (i = 0; i < cs->n; i++) {
		char path[64];
		int pm;

		if (rets[i])
			continue;
		snprintf(path, sizeof(path), "/proc/%d/pagemap", (int)pids[i]);
		pm = open(path, O_RDONLY | O_CLOEXEC);
		for (j = 0; j < heat[i].nspan; j++) {
			const struct ht_heat_span *s = &heat[i].span[j];
			uint64_t pr = 0, hu = 0, an = 0;

			if (!s->eligible || !s->samples)
				continue;
			if (pm >= 0 && !ht_pagemap_walk(pm, s->start,
							s->start + (2 << 20),
							&pr, &hu, &an) &&
			    hu == (2 << 20))
				continue;	/* huge already */
			if (ht_grow(&all, &cap, n, sizeof(*all), 64))
				break;
			all[n].cand = i;
			all[n].start = s->start;
			all[n].samples = s->samples;
			n++;
		}
		if (pm >= 0)
			close(pm);
	}
	qsort(all, n, sizeof(*all), by_samples);
	for (i = 0; i < n && i < budget; i++) {
		struct cand *c = &cs->c[all[i].cand];
		uint64_t *h = realloc(c->hot, (c->nhot + 1) * sizeof(*h));

		if (!h)
			break;
		c->hot = h;
		c->hot[c->nhot++] = all[i].start;
		if (d->verbose)
			fprintf(stderr, "hugetext daemon: %d: hot span %#llx "
				"(%llu samples)\n", (int)c->pid,
				(unsigned long long)all[i].start,
				(unsigned long long)all[i].samples);
	}
out:
	for (i = 0; heat && i < cs->n; i++)
		ht_heat_free(&heat[i]);
	free(all);
	free(heat);
	free(rets);
	free(pids);
}


/* Does @c map @path with eligible text not all huge? */
static bool maps_small(const struct cand *c, const char *path)
{
	size_t i;

	for (i = 0; i < c->run.nobj; i++) {
		const struct ht_object *o = &c->run.obj[i];
		struct ht_totals t;

		if (strcmp(o->path, path))
			continue;
		ht_object_totals(o, &t);
		return t.huge < t.eligible;
	}
	return false;
}

/*
 * Files several processes map small: each one's small pages keep the
 * cache small for the prime made for any other, and a page-out passes
 * over folios mapped more than once.  So zap them in all of them first
 * (a short stop of one thread each, only spans not PMD-mapped); the
 * first try then primes the cache, and every process's own try maps
 * it huge.
 */
static void page_out_shared(struct ht_daemon *d, struct cands *cs)
{
	size_t i, j, k, users;

	if (!d->cfg.inject)
		return;
	for (i = 0; i < cs->n; i++)
		for (k = 0; k < cs->c[i].run.nobj; k++) {
			const char *path = cs->c[i].run.obj[k].path;
			struct ht_dfile *f;
			bool first = true;

			if (!maps_small(&cs->c[i], path))
				continue;
			/* Once per file: at its first process only. */
			for (j = 0; j < i && first; j++)
				if (maps_small(&cs->c[j], path))
					first = false;
			f = file_of(d, path);
			if (!first || (f && ht_now_usec() < f->not_before))
				continue;
			for (users = 0, j = i; j < cs->n; j++)
				users += maps_small(&cs->c[j], path);
			if (users < 2)
				continue;
			for (j = i; j < cs->n; j++) {
				uint64_t stopped;

				if (maps_small(&cs->c[j], path) &&
				    ht_inject_check(cs->c[j].pid) == 0)
					ht_remote_zap(cs->c[j].pid,
						      &cs->c[j].run, path,
						      &stopped);
			}
		}
}

int ht_daemon_due(struct ht_daemon *d, uint64_t now)
{
	struct cands cs = { 0 };
	uint64_t st;
	size_t i;

	d->want_pass = false;
	for (i = 0; i < d->nproc; i++) {
		struct ht_dproc *p = &d->proc[i];

		if (!p->due || now < p->due || p->ignore)
			continue;
		p->due = 0;
		st = start_time(p->pid);
		if (!st || (p->start && st != p->start))
			continue;	/* gone, or another process now */
		p->start = st;
		if (ht_grow(&cs.c, &cs.cap, cs.n, sizeof(*cs.c), 8))
			break;
		cs.n += prepare(d, p, &cs.c[cs.n]);
	}
	/* The same limits as a pass: scarce or capped, hottest first. */
	choose_hot(d, &cs);
	for (i = 0; i < cs.n; i++)
		finish(d, &cs.c[i], now);
	free(cs.c);
	return d->want_pass;
}

int ht_daemon_pass(struct ht_daemon *d, uint64_t now, bool all)
{
	struct cands cs = { 0 };
	struct dirent *de;
	size_t i, k;
	DIR *dir;

	dir = opendir("/proc");
	if (!dir)
		return -errno;
	d->in_pass = true;
	for (i = 0; i < d->nproc; i++)
		d->proc[i].seen = false;
	for (i = 0; i < d->nexe; i++) {
		d->exe[i].procs = 0;
		d->exe[i].eligible = d->exe[i].huge = 0;
	}
	d->huge_total = 0;
	while ((de = readdir(dir))) {
		struct ht_dproc *p;
		uint64_t st;
		pid_t pid;

		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		pid = (pid_t)strtol(de->d_name, NULL, 10);
		if (pid == d->self)
			continue;
		st = start_time(pid);
		if (!st || !(p = proc_of(d, pid)))
			continue;
		if (!p->start && p->due)	/* exec'd, settling */
			p->start = st;
		if (p->start != st) {		/* a new process */
			memset(p, 0, sizeof(*p));
			p->pid = pid;
			p->start = st;
		}
		p->seen = true;
		if ((p->ignore && !all) || now < p->due)
			continue;
		p->due = 0;
		p->ignore = false;
		if (!all && still_huge(d, p))
			continue;
		if (ht_grow(&cs.c, &cs.cap, cs.n, sizeof(*cs.c), 32))
			break;
		cs.n += prepare(d, p, &cs.c[cs.n]);
	}
	closedir(dir);
	choose_hot(d, &cs);
	page_out_shared(d, &cs);
	for (i = 0; i < cs.n; i++)
		finish(d, &cs.c[i], now);
	free(cs.c);
	d->in_pass = false;
	/* Forget what is gone. */
	for (i = k = 0; i < d->nproc; i++)
		if (d->proc[i].seen || d->proc[i].due)
			d->proc[k++] = d->proc[i];
	d->nproc = k;
	d->passes++;
	d->pass_usec = ht_now_usec() - now;
	d->last_pass_usec = now;
	return 0;
}

void ht_daemon_metrics(const struct ht_daemon *d, struct ht_buf *b)
{
	static const struct {
		const char *name, *help;
	} fam[] = {
		{ "hugetext_made_huge_bytes_total",
		  "Bytes of text the daemon brought onto 2 MiB pages." },
		{ "hugetext_repairs_total",
		  "Times text that had been huge was found split or evicted "
		  "and made huge again." },
	};
	size_t i, f;
	unsigned int r;

	ht_fleet_prom_exes(b, d->exe, d->nexe);
	for (f = 0; f < sizeof(fam) / sizeof(*fam); f++) {
		ht_prom_family(b, fam[f].name, "counter", fam[f].help);
		for (i = 0; i < d->nexe; i++) {
			const struct ht_dexe *x = &d->exe[i];
			const char *l[] = { "exe", x->exe };
			uint64_t v[] = { x->made_huge, x->repairs };

			ht_prom_sample(b, fam[f].name, l, 1, v[f]);
		}
	}
	ht_prom_family(b, "hugetext_failures_total", "counter",
		       "Tries that left eligible text on small pages, by "
		       "reason.");
	for (i = 0; i < d->nexe; i++)
		for (r = 0; r < HT_R__COUNT; r++) {
			const char *l[] = { "exe", d->exe[i].exe, "reason",
					    ht_reason_name((enum ht_reason)r) };

			if (d->exe[i].fails[r])
				ht_prom_sample(b, "hugetext_failures_total", l,
					       2, d->exe[i].fails[r]);
		}
	ht_fleet_prom_host(b);
	ht_prom_family(b, "hugetext_daemon_passes_total", "counter",
		       "Passes over the host's processes.");
	ht_prom_sample(b, "hugetext_daemon_passes_total", NULL, 0, d->passes);
	ht_prom_family(b, "hugetext_daemon_pass_microseconds", "gauge",
		       "How long the last pass took.");
	ht_prom_sample(b, "hugetext_daemon_pass_microseconds", NULL, 0,
		       d->pass_usec);
}
