// SPDX-License-Identifier: MIT
/*
 * cmd_check.c - hugetext check [--json] [--deps] FILE...
 *                hugetext check [--json] --run [--] PROGRAM [ARGS...]
 *
 * Says ahead of time what of each FILE hugetext can put on 2 MiB pages:
 * reads the ELF file (elf_segments), probes this machine (probe: where
 * mmap(NULL) places the file, which kernel route works on its
 * filesystem), predicts the load (placement) and prints the verdict,
 * the reasons and the fixes.  Exit status like elfclassify: 0 all text
 * eligible, 1 some not, 2 some FILE could not be checked.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <gnu/libc-version.h>
#include <libelf.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "buf.h"
#include "check.h"
#include "cli.h"
#include "deps.h"
#include "elf_segments.h"
#include "placement.h"
#include "probe.h"
#include "text_collapse.h"


static const char *prog = "hugetext check";

static void usage(void)
{
	printf(
"Usage: hugetext check [options] FILE...\n"
"   or: hugetext check [options] --run [--] PROGRAM [ARGS...]\n"
"Tell which executable text of each ELF FILE can be on 2 MiB pages here.\n"
"\n"
"Before anything runs (with --run: after one dry run of PROGRAM, to learn\n"
"what it loads), say why the rest cannot be, and how to fix it.  Where a\n"
"file will be loaded is predicted from its headers and from mmap(2) of it;\n"
"which kernel route works is found by trying it on temporary files next\n"
"to FILE, which leave nothing behind.  A routes line says what the page\n"
"cache, a copy (hugetext -s copy) and, for a PIE, starting it through\n"
"ld.so (hugetext --via-ldso) would give.\n"
"\n"
"Options:\n"
"  -j, --json           one JSON object on standard output instead of text\n"
"  -d, --deps           also check each library every FILE needs, found\n"
"                       the way the dynamic loader finds it (each once)\n"
"      --run            run PROGRAM once, to its end, under the library in\n"
"                       a dry run (nothing made huge), and check every\n"
"                       object it and the programs it starts mapped,\n"
"                       dlopen()ed ones too; its output goes to stderr,\n"
"                       and ^C stops it, not the check\n"
"  -h, --help           show this help and exit\n"
"\n"
"Exit status: 0 all text eligible; 1 some text not eligible; 2 a FILE\n"
"could not be checked (one line each on stderr; the rest are still\n"
"checked), PROGRAM could not be started, or bad usage.  PROGRAM's\n"
"own exit status is noted on stderr, not passed on.  See hugetext(1).\n");
}

static void __attribute__((format(printf, 2, 3)))
bad(struct ctx *c, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	c->status = EXIT_BAD;
}

/* glibc 2.35 started to honour a shared object's p_align. */
static bool glibc_honours_align(void)
{
	unsigned int maj = 0, min = 0;

	if (sscanf(gnu_get_libc_version(), "%u.%u", &maj, &min) != 2)
		return true;
	return maj > 2 || (maj == 2 && min >= 35);
}


static struct result *new_result(struct ctx *c, const char *path,
				  const char *needed_by, bool dlopened)
{
	struct result *r;

	if (ht_grow(&c->res, &c->capres, c->nres, sizeof(*c->res), 16))
		return NULL;
	r = &c->res[c->nres];
	memset(r, 0, sizeof(*r));
	r->path = strdup(path);
	if (!r->path)
		return NULL;
	r->needed_by = needed_by;
	r->dlopened = dlopened;
	r->mmap_aligned = -1;
	r->fs = (size_t)-1;
	c->nres++;
	return r;
}

static void set_error(struct ctx *c, struct result *r, const char *msg)
{
	free(r->error);
	r->error = strdup(msg);
	if (r->needed_by)
		bad(c, "%s (%s by %s)", msg, r->dlopened ? "dlopened" :
		    "needed", r->needed_by);
	else
		bad(c, "%s", msg);
}

static struct fs_entry *fs_for(struct ctx *c, dev_t dev, size_t *idx)
{
	size_t i;

	for (i = 0; i < c->nfs; i++)
		if (c->fs[i].dev == dev) {
			*idx = i;
			return &c->fs[i];
		}
	if (ht_grow(&c->fs, &c->capfs, c->nfs, sizeof(*c->fs), 4))
		return NULL;
	memset(&c->fs[c->nfs], 0, sizeof(c->fs[c->nfs]));
	c->fs[c->nfs].dev = dev;
	*idx = c->nfs;
	return &c->fs[c->nfs++];
}

/* Predict @r's placement from what is known so far. */
static int place(struct ctx *c, struct result *r,
		 const struct fs_entry *fs)
{
	struct ht_place_in in = {
		.elf = &r->elf,
		.max_align = r->elf.max_load_align,
		.pie_flag = r->elf.pie_flag,
		.has_soname = r->elf.has_soname,
		.as_dependency = r->needed_by != NULL,
		.pagesz = c->pagesz,
		.ldso_align = c->ldso_align,
		.mmap_aligned = r->mmap_aligned,
		.routes = HT_ROUTES_UNKNOWN,
		.route_reason = HT_R_NONE,
		.thp_reason = c->thp.mode == HT_THP_NEVER ||
			      c->thp.mode == HT_THP_UNKNOWN ? HT_R_THP_NEVER :
			      c->thp.prctl_disabled ? HT_R_PRCTL : HT_R_NONE,
	};

	if (fs && fs->tried && fs->probe.probed) {
		const struct ht_route_probe *p = &fs->probe;

		in.routes = (p->collapse ? HT_ROUTE_BIT_COLLAPSE : 0) |
			    (p->refault ? HT_ROUTE_BIT_REFAULT : 0);
		/* Why none works is why the last route auto tries failed:
		 * refault, except on tmpfs, where collapse is the only one. */
		in.route_reason = p->tmpfs || p->refault_reason ==
				  HT_R_TMPFS_REFAULT ? p->collapse_reason :
				  p->refault_reason;
	}
	return ht_place(&in, &r->pl);
}

/*
 * Is the page cache of @r's eligible text held small by running
 * processes (page-cache-busy for every start until they go)?  Who they
 * are, for the fix.  Costs a read of every process's maps: done only
 * for files with eligible text.
 */
static void find_busy(struct result *r)
{
	struct ht_file_range fr[HT_ELF_MAX_EXEC];
	size_t i, n = 0;
	int fd;

	for (i = 0; i < r->pl.nseg; i++) {
		const struct ht_spans *e = &r->pl.seg[i].eligible;

		if (!ht_spans_bytes(e))
			continue;
		fr[n].offset = e->offset;
		fr[n++].len = ht_spans_bytes(e);
	}
	fd = open(r->path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return;
	/* Holders first: with none, the cache is nobody's to keep small. */
	if (!ht_find_holders(fd, fr, n, &r->holders) && r->holders.n)
		r->busy = ht_cache_small(fd, fr, n) == 1;
	close(fd);
}

/* Check one file into a new result; a bad file gets its line on stderr. */
static struct result *check_file(struct ctx *c, const char *path,
				 const char *needed_by, bool dlopened)
{
	char msg[HT_ELF_ERRLEN + PATH_MAX], real[PATH_MAX];
	struct fs_entry *fs;
	struct result *r;
	struct stat st;
	int fd, ret;

	r = new_result(c, path, needed_by, dlopened);
	if (!r) {
		bad(c, "%s: out of memory", path);
		return NULL;
	}
	/* O_NONBLOCK: a FIFO must not hang the check. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		snprintf(msg, sizeof(msg), "%s: %s", path, strerror(errno));
		set_error(c, r, msg);
		return r;
	}
	if (fstat(fd, &st)) {
		snprintf(msg, sizeof(msg), "%s: %s", path, strerror(errno));
		goto bad;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(msg, sizeof(msg), "%s: %s", path,
			 S_ISDIR(st.st_mode) ? "is a directory" :
			 "not a regular file");
		goto bad;
	}
	r->dev = st.st_dev;
	r->ino = st.st_ino;
	r->size = (uint64_t)st.st_size;
	if (!st.st_size) {
		snprintf(msg, sizeof(msg), "%s: empty file, not ELF", path);
		goto bad;
	}
	ret = ht_elf_read_fd(fd, path, &r->elf, msg, sizeof(msg));
	/* Say "truncated" when that is what it is, whatever failed. */
	if (r->elf.load_end > r->size) {
		snprintf(msg, sizeof(msg), "%s: truncated: %llu bytes, its "
			 "segments need %llu", path,
			 (unsigned long long)r->size,
			 (unsigned long long)r->elf.load_end);
		goto bad;
	}
	if (ret)
		goto bad;
	if (r->elf.type != ET_EXEC && r->elf.type != ET_DYN) {
		snprintf(msg, sizeof(msg), "%s: not a program or shared "
			 "object (ELF type %u)", path, r->elf.type);
		goto bad;
	}
	/* Where the filesystem places it: only ET_DYN can depend on it,
	 * and only 2 MiB of file can hold a span. */
	if (r->elf.type == ET_DYN && r->size >= HT_HPAGE_SIZE) {
		bool aligned;

		if (!ht_probe_mmap_aligned(fd, r->size, &aligned))
			r->mmap_aligned = aligned;
	}
	close(fd);

	fs = fs_for(c, st.st_dev, &r->fs);
	if (fs && !fs->have_info && realpath(path, real)) {
		ht_probe_fs(st.st_dev, real, &fs->info);
		fs->have_info = true;
	}
	ret = place(c, r, fs);
	/* The routes matter only with a span to gain: probe then, once
	 * per filesystem, and predict again with the answer. */
	if (!ret && fs && !fs->tried && r->pl.possible) {
		/* Its -errno is in fs->probe: not probed, and why. */
		ht_probe_routes(path, &fs->probe);
		fs->tried = true;
		ret = place(c, r, fs);
	}
	if (ret) {
		snprintf(msg, sizeof(msg), "%s: cannot predict its placement: "
			 "%s", path, strerror(-ret));
		set_error(c, r, msg);
	} else if (r->pl.eligible) {
		find_busy(r);
	}
	return r;
bad:
	close(fd);
	set_error(c, r, msg);
	return r;
}

/* Was the file @dev/@ino checked already (not as a bad file)? */
static bool seen(const struct ctx *c, dev_t dev, ino_t ino)
{
	size_t i;

	for (i = 0; i < c->nres; i++)
		if (!c->res[i].error && c->res[i].dev == dev &&
		    c->res[i].ino == ino)
			return true;
	return false;
}

/* What ht_list_deps() found, kept until the checks that may grow c->res. */
struct dep {
	char *path;
	bool missing;
};

struct deps_arg {
	struct dep *dep;
	size_t n, cap;
};

static void collect_dep(void *arg, const char *path, bool missing)
{
	struct deps_arg *d = arg;

	if (ht_grow(&d->dep, &d->cap, d->n, sizeof(*d->dep), 16))
		return;
	d->dep[d->n].path = strdup(path);
	d->dep[d->n].missing = missing;
	if (d->dep[d->n].path)
		d->n++;
}

/* --deps: check each library c->res[@ri] needs that was not checked yet,
 * showing each with @show (NULL: JSON, shown at the end). */
static void check_deps(struct ctx *c, size_t ri,
		       void (*show)(struct ctx *, const struct result *))
{
	struct deps_arg d = { 0 };
	char err[512], msg[PATH_MAX + 600];
	const char *file;
	size_t i;
	int ret;

	/* Static programs need nothing; a foreign file was refused. */
	if (c->res[ri].error || !c->res[ri].elf.has_dynamic)
		return;
	file = c->res[ri].path;
	ret = ht_list_deps(file, collect_dep, &d, err, sizeof(err));
	if (ret) {
		/* A second entry for @file, holding this error. */
		struct result *r = new_result(c, file, NULL, false);

		snprintf(msg, sizeof(msg), "%s: cannot list its libraries: "
			 "%s", file, err[0] ? err : strerror(-ret));
		if (r)
			set_error(c, r, msg);
		else
			bad(c, "%s", msg);
	}
	for (i = 0; i < d.n; i++) {
		struct stat st;
		struct result *r;

		/* c->res may move as it grows; @file's string does not. */
		if (d.dep[i].missing) {
			r = new_result(c, d.dep[i].path, file, false);
			snprintf(msg, sizeof(msg), "%s: needs %s: not found",
				 file, d.dep[i].path);
			if (r) {
				free(r->error);
				r->error = strdup("not found");
			}
			bad(c, "%s", msg);
		} else if (stat(d.dep[i].path, &st) == 0 &&
			   seen(c, st.st_dev, st.st_ino)) {
			/* each library once */
		} else {
			r = check_file(c, d.dep[i].path, file, false);
			if (r && !r->error && show)
				show(c, r);
		}
		free(d.dep[i].path);
	}
	free(d.dep);
}

/* Worse of the two: a bad file beats text that is not eligible. */
static void rate(struct ctx *c)
{
	size_t i;

	for (i = 0; i < c->nres; i++)
		if (!c->res[i].error && c->res[i].pl.verdict != HT_V_ELIGIBLE &&
		    c->status == EXIT_ELIGIBLE)
			c->status = EXIT_SOME_NOT;
}

/*
 * Is --run (or a prefix of it getopt takes) among the options before
 * the first operand?  Then option parsing stops at PROGRAM, whose own
 * options follow it.
 */
static bool run_mode(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		size_t n = strlen(a);

		if (a[0] != '-' || !a[1] || !strcmp(a, "--"))
			return false;
		if (n >= 3 && !strncmp("--run", a, n))
			return true;
	}
	return false;
}

/* What the run's exit says, on stderr: not the check's verdict. */
static void say_exit(const struct ht_ran *ran)
{
	if (WIFEXITED(ran->status) && WEXITSTATUS(ran->status))
		fprintf(stderr, "%s: note: %s exited with status %d; what it "
			"mapped until then is checked\n", prog, ran->prog,
			WEXITSTATUS(ran->status));
	else if (WIFSIGNALED(ran->status))
		fprintf(stderr, "%s: note: %s was killed by signal %d (%s); "
			"what it mapped until then is checked\n", prog,
			ran->prog, WTERMSIG(ran->status),
			strsignal(WTERMSIG(ran->status)));
}

/*
 * --run: each object the run's processes mapped, once, as a FILE for a
 * program (what a process exec'd) and as a library of that program
 * otherwise.  No report at all: the library did not run in it (a
 * static program, another architecture, secure execution, a seccomp
 * filter): PROGRAM alone is checked, as by "check PROGRAM".
 */
static void check_ran(struct ctx *c, const struct ht_ran *ran)
{
	struct result *r;
	struct stat st;
	size_t i;

	say_exit(ran);
	if (!ran->lines) {
		r = check_file(c, ran->prog, NULL, false);
		/* A static program's check says why: no note. */
		if (r && !r->error && r->pl.kind != HT_KIND_STATIC &&
		    r->pl.kind != HT_KIND_STATIC_PIE)
			fprintf(stderr, "%s: note: the library made no report "
				"in %s (not x86-64, set-user-ID, or under a "
				"seccomp filter): only the program itself is "
				"checked\n", prog, ran->prog);
		if (r && !c->json)
			ht_check_human(c, r);
		return;
	}
	for (i = 0; i < ran->n; i++) {
		const struct ht_ran_obj *o = &ran->obj[i];

		if (stat(o->path, &st) == 0 && seen(c, st.st_dev, st.st_ino))
			continue;
		r = check_file(c, o->path, o->prog, o->dlopened);
		if (r && !c->json)
			ht_check_human(c, r);
	}
}

int ht_cmd_check(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "deps", no_argument, NULL, 'd' },
		{ "run", no_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool run = run_mode(argc, argv);
	char err[PATH_MAX + 256];
	struct ht_ran ran = { 0 };
	struct ctx c = { 0 };
	size_t j, nfiles;
	int opt, i, ret;

	opterr = 0;
	optind = 1;
	while ((opt = getopt_long(argc, argv, run ? "+:jdh" : ":jdh", longopts,
				  NULL)) != -1) {
		switch (opt) {
		case 'j':
			c.json = true;
			break;
		case 'd':
			c.deps = true;
			break;
		case 'r':
			c.run = true;
			break;
		case 'h':
			usage();
			return 0;
		default:
			return ht_getopt_error(prog, EXIT_BAD, opt, argv);
		}
	}
	if (c.run && !run)
		return ht_usage_error(prog, EXIT_BAD, "--run must come before "
				      "PROGRAM");
	if (c.run && c.deps)
		return ht_usage_error(prog, EXIT_BAD, "--run and --deps do not "
				      "go together: --run lists what the "
				      "program mapped, dlopen()ed libraries "
				      "too");
	if (optind >= argc)
		return ht_usage_error(prog, EXIT_BAD, c.run ?
				      "--run needs a PROGRAM" :
				      "no FILE given");

	c.pagesz = (uint64_t)sysconf(_SC_PAGESIZE);
	c.ldso_align = glibc_honours_align();
	ht_thp_env_read(&c.thp);

	if (c.run) {
		ret = ht_check_run(argv + optind, &ran, err, sizeof(err));
		if (ret) {
			fprintf(stderr, "%s: %s\n", prog, err);
			ht_ran_free(&ran);
			return EXIT_BAD;
		}
		c.ran = &ran;
		check_ran(&c, &ran);
	}
	for (i = optind; !c.run && i < argc; i++) {
		struct result *r = check_file(&c, argv[i], NULL, false);

		if (r && !c.json)
			ht_check_human(&c, r);
	}
	/* Libraries after all FILEs, so that a FILE that is also needed
	 * shows once, as given. */
	nfiles = c.nres;
	for (j = 0; c.deps && j < nfiles; j++)
		check_deps(&c, j, c.json ? NULL : ht_check_human);
	rate(&c);
	if (c.json && ht_check_json(&c)) {
		fprintf(stderr, "hugetext check: out of memory\n");
		c.status = EXIT_BAD;
	}

	for (j = 0; j < c.nres; j++) {
		free(c.res[j].path);
		free(c.res[j].error);
	}
	free(c.res);
	free(c.fs);
	ht_ran_free(&ran);
	return c.status;
}
