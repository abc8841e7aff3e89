// SPDX-License-Identifier: MIT
/* daemon.c - the daemon's passes over the host; see daemon.h. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "clock.h"
#include "daemon.h"
#include "fleet.h"
#include "inject.h"
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

static struct ht_dfile *file_of(struct ht_daemon *d, const char *path)
{
	size_t i;

	for (i = 0; i < d->nfile; i++)
		if (!strcmp(d->file[i].path, path))
			return &d->file[i];
	if (ht_grow(&d->file, &d->capfile, d->nfile, sizeof(*d->file), 16))
		return NULL;
	memset(&d->file[d->nfile], 0, sizeof(*d->file));
	d->file[d->nfile].path = strdup(path);
	if (!d->file[d->nfile].path)
		return NULL;
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
	/* Whatever it was before the exec, it is a new program now. */
	p->start = start_time(pid);
	p->ignore = false;
	p->huge_seen = 0;
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
static void act(struct ht_daemon *d, struct ht_dproc *p, struct ht_run *run,
		struct ht_dexe *x, const char *exe, uint64_t now)
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
	ret = ht_remote_make_huge(p->pid, run, &pol);
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
static void finish(struct ht_daemon *d, struct cand *c, uint64_t now)
{
	struct ht_dproc *p = find_proc(d, c->pid);
	struct ht_dexe *x = exe_entry(d, c->exe);
	struct ht_totals t;

	if (p && x) {
		ht_run_totals(&c->run, &t);
		if (t.huge < t.eligible)
			act(d, p, &c->run, x, c->exe, now);
		ht_run_totals(&c->run, &t);
		x->procs++;
		x->eligible += t.eligible;
		x->huge += t.huge;
		d->huge_total += t.huge;
		if (t.huge > p->huge_seen)
			p->huge_seen = t.huge;
	}
	ht_run_free(&c->run);
	free(c->exe);
}

/* One process, when it is due. */
static void look(struct ht_daemon *d, struct ht_dproc *p, uint64_t now)
{
	struct cand c;

	if (prepare(d, p, &c))
		finish(d, &c, now);
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
 * cache small for the prime made for any other.  So page them out of
 * all of them first (only where the zap from inside will follow, and
 * only spans not PMD-mapped); the first try then primes the cache, and
 * every process's own zap maps it huge.
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
			for (j = i; j < cs->n; j++)
				if (maps_small(&cs->c[j], path) &&
				    ht_inject_check(cs->c[j].pid) == 0)
					ht_remote_pageout(cs->c[j].pid,
							  &cs->c[j].run, path);
		}
}

int ht_daemon_due(struct ht_daemon *d, uint64_t now)
{
	size_t i;

	for (i = 0; i < d->nproc; i++) {
		struct ht_dproc *p = &d->proc[i];

		if (!p->due || now < p->due || p->ignore)
			continue;
		p->due = 0;
		if (start_time(p->pid) != p->start)
			continue;	/* gone, or another process now */
		look(d, p, now);
	}
	return 0;
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
		if (ht_grow(&cs.c, &cs.cap, cs.n, sizeof(*cs.c), 32))
			break;
		cs.n += prepare(d, p, &cs.c[cs.n]);
	}
	closedir(dir);
	page_out_shared(d, &cs);
	for (i = 0; i < cs.n; i++)
		finish(d, &cs.c[i], now);
	free(cs.c);
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
