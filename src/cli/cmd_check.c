// SPDX-License-Identifier: MIT
/*
 * cmd_check.c - hugetext check [--json] [--deps] FILE...
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
#include <spawn.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "commands.h"
#include "cli.h"
#include "jsonout.h"
#include "elf_segments.h"
#include "placement.h"
#include "probe.h"
#include "text_collapse.h"

#define EXIT_ELIGIBLE	0
#define EXIT_SOME_NOT	1
#define EXIT_BAD	HT_EXIT_FAIL

/* The loader --deps asks; see list_deps() for why this one. */
#define LDSO		"/lib64/ld-linux-x86-64.so.2"

extern char **environ;

static const char *prog = "hugetext check";

/* One filesystem: probed once, however many files live on it. */
struct fs_entry {
	dev_t dev;
	bool have_info, tried;
	struct ht_fs_info info;
	struct ht_route_probe probe;
};

/* One file checked: a FILE or a library one of them needs. */
struct result {
	char *path;
	const char *needed_by;		/* NULL for a FILE */
	char *error;			/* bad file: the one line */
	dev_t dev;
	ino_t ino;
	uint64_t size;
	int mmap_aligned;		/* -1 not probed */
	size_t fs;			/* index into ctx.fs */
	struct ht_elf_info elf;
	struct ht_placement pl;
};

struct ctx {
	bool json, deps;
	uint64_t pagesz;
	bool ldso_align;
	struct ht_thp_env thp;
	struct result *res;
	size_t nres, capres;
	struct fs_entry *fs;
	size_t nfs, capfs;
	int status;
};


static void usage(void)
{
	printf(
"Usage: hugetext check [--json] [--deps] FILE...\n"
"Tell, before running anything, which executable text of each ELF FILE\n"
"hugetext can put on 2 MiB pages on this machine, why the rest cannot be,\n"
"and how to fix it.  Where the file will be loaded is predicted from its\n"
"headers and from mmap(2) of it; which kernel route works is found by\n"
"trying it on temporary files next to FILE, which leave nothing behind.\n"
"\n"
"Options:\n"
"      --json    one JSON object on standard output instead of text\n"
"      --deps    also check each library every FILE needs, found the way\n"
"                the dynamic loader finds it (each library once)\n"
"  -h, --help    show this help and exit\n"
"\n"
"Exit status: 0 all text eligible; 1 some text not eligible; 2 a FILE\n"
"could not be checked (one line each on stderr; the rest are still\n"
"checked), or a bad option.  See hugetext(1).\n");
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


/*
 * A file that is ELF but not for this machine, or cut inside its
 * header: say so in plain words rather than let libelf misread it (a
 * 64-bit file whose class byte says 32 has its header read at the wrong
 * offsets).  Returns true when @buf holds that message.
 */
static bool foreign(int fd, uint64_t size, char *buf, size_t len)
{
	unsigned char id[20];
	unsigned int machine;

	if (pread(fd, id, SELFMAG, 0) != SELFMAG ||
	    memcmp(id, ELFMAG, SELFMAG))
		return false;
	if (size < sizeof(Elf64_Ehdr) ||
	    pread(fd, id, sizeof(id), 0) != (ssize_t)sizeof(id)) {
		snprintf(buf, len, "truncated: %llu bytes, shorter than an "
			 "ELF header", (unsigned long long)size);
		return true;
	}
	machine = id[EI_DATA] == ELFDATA2MSB ? (id[18] << 8 | id[19]) :
		  (id[19] << 8 | id[18]);
	if (id[EI_CLASS] == ELFCLASS64 && id[EI_DATA] == ELFDATA2LSB &&
	    machine == EM_X86_64)
		return false;
	snprintf(buf, len, "not an x86-64 ELF file (%s, %s, machine %u)",
		 id[EI_CLASS] == ELFCLASS32 ? "32-bit" :
		 id[EI_CLASS] == ELFCLASS64 ? "64-bit" : "unknown class",
		 id[EI_DATA] == ELFDATA2LSB ? "little-endian" :
		 id[EI_DATA] == ELFDATA2MSB ? "big-endian" : "unknown order",
		 machine);
	return true;
}

static struct result *new_result(struct ctx *c, const char *path,
				  const char *needed_by)
{
	struct result *r;

	if (c->nres == c->capres) {
		size_t cap = c->capres ? 2 * c->capres : 16;
		struct result *n = realloc(c->res, cap * sizeof(*n));

		if (!n)
			return NULL;
		c->res = n;
		c->capres = cap;
	}
	r = &c->res[c->nres];
	memset(r, 0, sizeof(*r));
	r->path = strdup(path);
	if (!r->path)
		return NULL;
	r->needed_by = needed_by;
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
		bad(c, "%s (needed by %s)", msg, r->needed_by);
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
	if (c->nfs == c->capfs) {
		size_t cap = c->capfs ? 2 * c->capfs : 4;
		struct fs_entry *n = realloc(c->fs, cap * sizeof(*n));

		if (!n)
			return NULL;
		c->fs = n;
		c->capfs = cap;
	}
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

/* Check one file into a new result; a bad file gets its line on stderr. */
static struct result *check_file(struct ctx *c, const char *path,
				 const char *needed_by)
{
	char msg[HT_ELF_ERRLEN + PATH_MAX], real[PATH_MAX], why[128];
	struct fs_entry *fs;
	struct result *r;
	struct stat st;
	int fd, ret;

	r = new_result(c, path, needed_by);
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
	if (foreign(fd, r->size, why, sizeof(why))) {
		snprintf(msg, sizeof(msg), "%s: %s", path, why);
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

/*
 * The libraries @file needs, as ld.so resolves them: runs the system's
 * loader in trace mode (LD_TRACE_LOADED_OBJECTS=1 ld.so FILE, what ldd
 * does; "ld.so --list" stops at the first missing library instead of
 * listing it as not found).  Asking the loader itself is the one way to
 * get every rule right -- DT_RPATH vs DT_RUNPATH and their inheritance,
 * $ORIGIN/$LIB/$PLATFORM, LD_LIBRARY_PATH, glibc-hwcaps subdirectories,
 * /etc/ld.so.cache, the default directories -- where reimplementing
 * them from `ldconfig -p` would drift.  The system loader is named
 * explicitly rather than the file's PT_INTERP, so the file cannot
 * choose what runs; in trace mode ld.so maps the objects but runs none
 * of their code.
 *
 * Calls @fn for each path found and for each "not found"; returns 0 or
 * -errno (@err then says what went wrong).
 */
static int list_deps(const char *file,
		     void (*fn)(void *arg, const char *path, bool missing),
		     void *arg, char *err, size_t errlen)
{
	char arg0[] = LDSO, trace[] = "LD_TRACE_LOADED_OBJECTS=1";
	char *argv[3], **envp, *line = NULL, *target = NULL, real[PATH_MAX];
	posix_spawn_file_actions_t fa;
	size_t cap = 0, n = 0, i;
	int pfd[2], ret, wst, nlines = 0;
	bool any_missing = false;
	pid_t pid;
	FILE *f;

	err[0] = '\0';
	/*
	 * $ORIGIN of a program is where /proc/self/exe points, symlinks
	 * resolved (clang-14 -> llvm-14/bin/clang finds its libraries by
	 * RUNPATH $ORIGIN/../lib); and without a slash ld.so would search
	 * for the name.
	 */
	if (realpath(file, real))
		file = real;
	while (environ[n])
		n++;
	envp = calloc(n + 2, sizeof(*envp));
	if (!envp || asprintf(&target, "%s%s", strchr(file, '/') ? "" :
			      "./", file) < 0) {
		free(envp);
		return -ENOMEM;
	}
	/* The environment ld.so would see, LD_LIBRARY_PATH included. */
	for (i = n = 0; environ[i]; i++)
		if (strncmp(environ[i], "LD_TRACE_", 9))
			envp[n++] = environ[i];
	envp[n] = trace;
	if (pipe2(pfd, O_CLOEXEC)) {
		ret = -errno;
		free(target);
		free(envp);
		return ret;
	}
	argv[0] = arg0;
	argv[1] = target;
	argv[2] = NULL;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, pfd[1], 1);
	posix_spawn_file_actions_adddup2(&fa, pfd[1], 2);
	ret = -posix_spawn(&pid, LDSO, &fa, NULL, argv, envp);
	posix_spawn_file_actions_destroy(&fa);
	close(pfd[1]);
	free(target);
	free(envp);
	if (ret) {
		close(pfd[0]);
		snprintf(err, errlen, "cannot run %s: %s", LDSO,
			 strerror(-ret));
		return ret;
	}
	f = fdopen(pfd[0], "r");
	while (f && getline(&line, &cap, f) > 0) {
		char *p = line + strspn(line, " \t"), *arrow, *end;

		p[strcspn(p, "\n")] = '\0';
		if (!nlines++)
			snprintf(err, errlen, "%s", p);
		arrow = strstr(p, " => ");
		if (arrow) {
			*arrow = '\0';
			if (!strncmp(arrow + 4, "not found", 9)) {
				fn(arg, p, true);
				any_missing = true;
				continue;
			}
			p = arrow + 4;
		}
		/* "/path (0x...)": the vDSO has no path. */
		end = strstr(p, " (0x");
		if (*p != '/' || !end)
			continue;
		*end = '\0';
		fn(arg, p, false);
	}
	free(line);
	if (f)
		fclose(f);
	else
		close(pfd[0]);
	while (waitpid(pid, &wst, 0) < 0)
		if (errno != EINTR)
			return -errno;
	if ((WIFEXITED(wst) && WEXITSTATUS(wst) == 0) || any_missing) {
		err[0] = '\0';
		return 0;
	}
	return -ENOEXEC;
}

/* What list_deps() found, kept until the checks that may grow c->res. */
struct deps_arg {
	char **paths;
	bool *missing;
	size_t n, cap;
};

static void collect_dep(void *arg, const char *path, bool missing)
{
	struct deps_arg *d = arg;

	if (d->n == d->cap) {
		size_t cap = d->cap ? 2 * d->cap : 16;
		char **p = realloc(d->paths, cap * sizeof(*p));
		bool *m;

		if (!p)
			return;
		d->paths = p;
		m = realloc(d->missing, cap * sizeof(*m));
		if (!m)
			return;
		d->missing = m;
		d->cap = cap;
	}
	d->paths[d->n] = strdup(path);
	if (d->paths[d->n])
		d->missing[d->n++] = missing;
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
	ret = list_deps(file, collect_dep, &d, err, sizeof(err));
	if (ret) {
		/* A second entry for @file, holding this error. */
		struct result *r = new_result(c, file, NULL);

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
		if (d.missing[i]) {
			r = new_result(c, d.paths[i], file);
			snprintf(msg, sizeof(msg), "%s: needs %s: not found",
				 file, d.paths[i]);
			if (r) {
				free(r->error);
				r->error = strdup("not found");
			}
			bad(c, "%s", msg);
		} else if (stat(d.paths[i], &st) == 0 &&
			   seen(c, st.st_dev, st.st_ino)) {
			/* each library once */
		} else {
			r = check_file(c, d.paths[i], file);
			if (r && !r->error && show)
				show(c, r);
		}
		free(d.paths[i]);
	}
	free(d.paths);
	free(d.missing);
}

/* ---------------------------------------------------------------------
 * Human output.
 */

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

static void show_human(struct ctx *c, const struct result *r)
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
		fputs(" needed by ", f);
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
	if (p->kind == HT_KIND_STATIC || p->kind == HT_KIND_STATIC_PIE)
		fputs("  note: statically linked: no preload reaches it, so "
		      "the launcher primes its page cache before exec\n", f);
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
	show_kernel(f, c, fs);
	fputc('\n', f);
	fflush(f);
}

/* ---------------------------------------------------------------------
 * JSON output: one object, built whole, printed at the end.
 */



static void json_reason(struct ht_jw *w, const char *key, enum ht_reason r)
{
	ht_jw_str(w, key, r == HT_R_NONE ? NULL : ht_reason_name(r));
}

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
		json_reason(w, "collapse_reason", p->collapse_reason);
		ht_jw_bool(w, "refault", p->refault);
		json_reason(w, "refault_reason", p->refault_reason);
	}
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
	json_reason(w, "reason", s->reason);
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
	ht_jw_str(w, "needed_by", r->needed_by);
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
	ht_jw_u64(w, "text_bytes", p->text);
	ht_jw_u64(w, "span_bytes", p->span_bytes);
	ht_jw_u64(w, "eligible_bytes", p->eligible);
	ht_jw_u64(w, "possible_bytes", p->possible);
	ht_jw_str(w, "verdict", ht_verdict_token(p->verdict));
	json_reason(w, "reason", p->reason);
	ht_jw_str(w, "why", p->reason == HT_R_NONE ? NULL :
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
	json_kernel(w, fs);
	ht_jw_close(w);
}

static int show_json(const struct ctx *c)
{
	struct ht_buf b = HT_BUF_INIT;
	struct ht_jw w;
	size_t i;
	int ret;

	ht_jw_init(&w, &b);
	ht_jw_open(&w, NULL);
	ht_jw_str(&w, "hugetext", PACKAGE_VERSION);
	ht_jw_str(&w, "thp", ht_thp_mode_name(c->thp.mode));
	ht_jw_bool(&w, "thp_disabled_prctl", c->thp.prctl_disabled);
	ht_jw_int(&w, "status", c->status);
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

/* Worse of the two: a bad file beats text that is not eligible. */
static void rate(struct ctx *c)
{
	size_t i;

	for (i = 0; i < c->nres; i++)
		if (!c->res[i].error && c->res[i].pl.verdict != HT_V_ELIGIBLE &&
		    c->status == EXIT_ELIGIBLE)
			c->status = EXIT_SOME_NOT;
}

int ht_cmd_check(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "deps", no_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct ctx c = { 0 };
	size_t j, nfiles;
	int opt, i;

	opterr = 0;
	optind = 1;
	while ((opt = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'j':
			c.json = true;
			break;
		case 'd':
			c.deps = true;
			break;
		case 'h':
			usage();
			return 0;
		default:
			return ht_getopt_error(prog, EXIT_BAD, opt, argv);
		}
	}
	if (optind >= argc)
		return ht_usage_error(prog, EXIT_BAD, "no FILE given");

	c.pagesz = (uint64_t)sysconf(_SC_PAGESIZE);
	c.ldso_align = glibc_honours_align();
	ht_thp_env_read(&c.thp);

	for (i = optind; i < argc; i++) {
		struct result *r = check_file(&c, argv[i], NULL);

		if (r && !c.json)
			show_human(&c, r);
	}
	/* Libraries after all FILEs, so that a FILE that is also needed
	 * shows once, as given. */
	nfiles = c.nres;
	for (j = 0; c.deps && j < nfiles; j++)
		check_deps(&c, j, c.json ? NULL : show_human);
	rate(&c);
	if (c.json && show_json(&c)) {
		fprintf(stderr, "hugetext check: out of memory\n");
		c.status = EXIT_BAD;
	}

	for (j = 0; j < c.nres; j++) {
		free(c.res[j].path);
		free(c.res[j].error);
	}
	free(c.res);
	free(c.fs);
	return c.status;
}
