// SPDX-License-Identifier: MIT
/*
 * preload_hook.c - libhugetext.so's one constructor.
 *
 * Runs inside other people's programs, so it is best-effort throughout:
 * it never exits or aborts, prints only when asked, keeps errno, and
 * every step tolerates the one before having failed.  The steps:
 *
 *   load_config      HUGETEXT_* into struct ht_config (secure_getenv)
 *   stop_inheritance drop ourselves from LD_PRELOAD if asked
 *   collect_objects  dl_iterate_phdr: executable PT_LOADs and their spans
 *   inspect_files    for objects with spans: the mapped file, its ELF
 *   make_huge        the kernel routes, verified from smaps
 *   report           human lines and/or one JSON line
 *
 * Objects loaded later with dlopen()/dlmopen() get the same pass, from
 * wrappers of those two functions (the only symbols this library
 * exports), unless HUGETEXT_DLOPEN=0.
 */
#include <errno.h>
#include <fcntl.h>
#include <dlfcn.h>
#include <link.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "config.h"
#include "elf_segments.h"
#include "report.h"
#include "smaps.h"
#include "spans.h"
#include "text_collapse.h"

#define DELETED_SUFFIX " (deleted)"

/* Read once by the constructor; one pass at a time after that. */
struct state {
	struct ht_config cfg;
	struct ht_policy pol;
	uint64_t pagesz;
	uintptr_t vdso;
	uintptr_t self;		/* an address inside this library */
	uintptr_t *seen;	/* program headers of objects looked at */
	size_t nseen, capseen;
	uintptr_t seen_fixed[64];
	/* the current pass */
	struct ht_run run;
	bool want_all;		/* reporting: keep objects without spans */
	size_t cap;
};

typedef void *(*dlopen_fn)(const char *, int);
typedef void *(*dlmopen_fn)(Lmid_t, const char *, int);

static dlopen_fn real_dlopen(void);

static struct state g;
static atomic_bool g_ready;		/* constructor done, dlopen on */
static atomic_bool g_pending;		/* a dlopen pass is wanted */
static pthread_mutex_t g_pass_lock = PTHREAD_MUTEX_INITIALIZER;

static const char *env_get(const char *name)
{
	return secure_getenv(name);
}

static int load_config(struct state *s)
{
	int ret = ht_config_load(&s->cfg, env_get);

	if (ret && s->cfg.verbose)
		dprintf(2, "hugetext[%d]: %s=%s is not valid; doing nothing "
			"(see hugetext(1))\n", (int)getpid(),
			s->cfg.bad_name, s->cfg.bad_value);
	return ret;
}

static bool is_self(const char *entry, size_t len, const char *self)
{
	static const char base[] = "libhugetext.so";
	const char *slash;

	if (self && strlen(self) == len && !strncmp(entry, self, len))
		return true;
	slash = memrchr(entry, '/', len);
	slash = slash ? slash + 1 : entry;
	return (size_t)(entry + len - slash) == sizeof(base) - 1 &&
	       !strncmp(slash, base, sizeof(base) - 1);
}

/* Remove this library from LD_PRELOAD so that children do not load it. */
static void stop_inheritance(struct state *s)
{
	const char *old = getenv("LD_PRELOAD"), *p = old, *self = NULL;
	Dl_info info;
	char *out;
	size_t n = 0;

	if (!s->cfg.no_inherit || !old)
		return;
	if (dladdr((void *)stop_inheritance, &info) && info.dli_fname)
		self = info.dli_fname;
	out = malloc(strlen(old) + 1);
	if (!out)
		return;
	/* ld.so splits LD_PRELOAD at spaces and colons. */
	while (*p) {
		size_t len = strcspn(p, " :");

		if (len && !is_self(p, len, self)) {
			if (n)
				out[n++] = ':';
			memcpy(out + n, p, len);
			n += len;
		}
		p += len;
		if (*p)
			p++;
	}
	out[n] = '\0';
	if (n)
		setenv("LD_PRELOAD", out, 1);
	else
		unsetenv("LD_PRELOAD");
	free(out);
}

static struct ht_object *new_object(struct state *s)
{
	struct ht_run *r = &s->run;

	if (r->nobj == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 8;
		struct ht_object *o = realloc(r->obj, cap * sizeof(*o));

		if (!o)
			return NULL;
		r->obj = o;
		s->cap = cap;
	}
	return &r->obj[r->nobj++];
}

static bool has_spans(const struct ht_object *o)
{
	size_t i;

	for (i = 0; i < o->nparts; i++)
		if (o->parts[i].span_reason == HT_R_NONE)
			return true;
	return false;
}

/*
 * Has this object been looked at in an earlier pass?  Records it if not.
 * (An object unloaded by dlclose() and another loaded at the same
 * address are not told apart: the newcomer is skipped, never harmed.)
 */
static bool first_sight(struct state *s, uintptr_t phdr)
{
	size_t i;

	for (i = 0; i < s->nseen; i++)
		if (s->seen[i] == phdr)
			return false;
	/*
	 * A fixed array first: most programs load a few dozen objects, and
	 * a process that never calls malloc should not pay for its set-up.
	 */
	if (!s->seen) {
		s->seen = s->seen_fixed;
		s->capseen = sizeof(s->seen_fixed) / sizeof(*s->seen_fixed);
	}
	if (s->nseen == s->capseen) {
		size_t cap = s->capseen * 2;
		uintptr_t *n;

		if (s->seen == s->seen_fixed) {
			n = malloc(cap * sizeof(*n));
			if (n)
				memcpy(n, s->seen, s->nseen * sizeof(*n));
		} else {
			n = realloc(s->seen, cap * sizeof(*n));
		}
		if (!n)
			return false;
		s->seen = n;
		s->capseen = cap;
	}
	s->seen[s->nseen++] = phdr;
	return true;
}

/*
 * Called by ld.so for each loaded object.  Works from the program
 * headers in memory alone; objects without a whole 2 MiB span cost no
 * allocation unless they are to be reported.
 */
static int collect_one(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct state *s = arg;
	struct ht_object o, *slot;
	int i;

	(void)size;
	/* The vDSO has no file; this library holds no 2 MiB of text. */
	if ((uintptr_t)info->dlpi_phdr - s->vdso < 4 * s->pagesz)
		return 0;
	if (!first_sight(s, (uintptr_t)info->dlpi_phdr))
		return 0;
	memset(&o, 0, sizeof(o));
	for (i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		uint64_t a = info->dlpi_addr + ph->p_vaddr;
		struct ht_part *p;

		if (ph->p_type != PT_LOAD || !(ph->p_flags & PF_X))
			continue;
		if (s->self - a < ph->p_memsz)
			return 0;
		o.text_bytes += ph->p_filesz;
		o.nexec++;
		if (o.nparts == HT_ELF_MAX_EXEC)
			continue;
		p = &o.parts[o.nparts++];
		p->span_reason = ht_spans_page_range(a, ph->p_filesz,
						     ph->p_offset, s->pagesz,
						     &p->spans);
		p->vaddr = a & ~(s->pagesz - 1);
		p->offset = ph->p_offset & ~(s->pagesz - 1);
		p->len = p->spans.head + ht_spans_bytes(&p->spans) +
			 p->spans.tail;
	}
	if (!o.nparts || (!s->want_all && !has_spans(&o)))
		return 0;
	o.path = strdup(info->dlpi_name[0] ? info->dlpi_name :
			"(main program)");
	o.name = info->dlpi_name[0] ? strdup(info->dlpi_name) : NULL;
	slot = o.path ? new_object(s) : NULL;
	if (!slot) {
		free(o.path);
		free(o.name);
		return 1;
	}
	*slot = o;
	return 0;
}

static int mark_seen(struct dl_phdr_info *info, size_t size, void *arg)
{
	(void)size;
	first_sight(arg, (uintptr_t)info->dlpi_phdr);
	return 0;
}

static void collect_objects(struct state *s)
{
	dl_iterate_phdr(collect_one, s);
}

static void set_path(struct ht_object *o, const char *path)
{
	char *p = strdup(path);

	if (p) {
		free(o->path);
		o->path = p;
	}
}

static void object_fail(struct ht_object *o, enum ht_reason why,
			const char *detail)
{
	o->reason = why;
	snprintf(o->detail, sizeof(o->detail), "%s", detail ? detail : "");
}

/*
 * The mapped file, opened by the name smaps gives and checked against
 * the mapping's device and inode, so that a file replaced on disk since
 * it was loaded is never touched.  Returns an fd or -1 (reason set).
 */
static int open_mapped(struct ht_object *o, const struct ht_range_stat *st)
{
	size_t len = strlen(st->path), sl = sizeof(DELETED_SUFFIX) - 1;
	struct stat sb;
	int fd;

	if (!st->one_file || st->covered != st->end - st->start) {
		object_fail(o, HT_R_NOT_FILE, NULL);
		return -1;
	}
	set_path(o, st->path);
	if (len > sl && !strcmp(st->path + len - sl, DELETED_SUFFIX)) {
		object_fail(o, HT_R_FILE_CHANGED, "file was deleted or "
			    "replaced after it was loaded");
		return -1;
	}
	fd = open(st->path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		object_fail(o, HT_R_SYSCALL, strerror(errno));
		return -1;
	}
	if (fstat(fd, &sb) || sb.st_ino != st->inode ||
	    major(sb.st_dev) != st->dev_major ||
	    minor(sb.st_dev) != st->dev_minor) {
		object_fail(o, HT_R_FILE_CHANGED, "file on disk is not the "
			    "mapped file");
		close(fd);
		return -1;
	}
	return fd;
}

/* The ELF on disk must agree with what ld.so mapped. */
static bool elf_matches(const struct state *s, const struct ht_object *o,
			const struct ht_elf_info *e)
{
	size_t i;

	if (e->nexec != o->nexec)
		return false;
	for (i = 0; i < o->nparts; i++)
		if ((e->exec[i].offset & ~(s->pagesz - 1)) != o->parts[i].offset)
			return false;
	return true;
}

/*
 * One object with spans: check its file, then run the routes.  @pre
 * holds an smaps query per part (same order as o->parts), taken before
 * any route ran; routes on one part leave the others' ranges as they
 * were, so it stays true for them.
 */
static void process_object(struct state *s, struct ht_object *o,
			   const struct ht_range_stat *pre)
{
	struct ht_elf_info *e;
	char err[HT_ELF_ERRLEN];
	size_t i, first = 0;
	void *hold = NULL;
	int fd;

	/*
	 * After start-up another thread may dlclose() the object while we
	 * work on its text: hold a reference for the duration (RTLD_NOLOAD
	 * finds it by name or file, or tells us it is gone already).
	 */
	if (s->run.trigger && strcmp(s->run.trigger, "start") &&
	    o->name && o->name[0]) {
		dlopen_fn fn = real_dlopen();

		hold = fn ? fn(o->name, RTLD_LAZY | RTLD_NOLOAD) : NULL;
		if (!hold)
			return;
	}
	e = malloc(sizeof(*e));
	if (!e) {
		if (hold)
			dlclose(hold);
		return;
	}
	while (o->parts[first].span_reason != HT_R_NONE)
		first++;
	fd = open_mapped(o, &pre[first]);
	if (fd < 0)
		goto out;
	if (ht_elf_read_fd(fd, o->path, e, err, sizeof(err))) {
		object_fail(o, HT_R_ELF, err);
	} else if (e->textrel) {
		object_fail(o, HT_R_TEXTREL, NULL);
	} else if (!elf_matches(s, o, e)) {
		object_fail(o, HT_R_FILE_CHANGED, "ELF on disk does not "
			    "match the mapped segments");
	} else {
		for (i = 0; i < o->nparts; i++) {
			struct ht_part *p = &o->parts[i];

			if (p->span_reason != HT_R_NONE)
				continue;
			p->target.start = p->spans.start;
			p->target.end = p->spans.end;
			p->target.offset = p->spans.offset;
			p->target.fd = fd;
			ht_make_huge(&p->target, &pre[i], &s->pol);
			p->attempted = true;
		}
	}
	close(fd);
out:
	free(e);
	if (hold)
		dlclose(hold);
}

/* One smaps pass for every part of every object, then the objects. */
static void make_huge(struct state *s)
{
	struct ht_range_stat *pre;
	size_t i, j, n = 0;
	int ret;

	for (i = 0; i < s->run.nobj; i++)
		n += s->run.obj[i].nparts;
	if (!n)
		return;
	pre = calloc(n, sizeof(*pre));
	if (!pre)
		return;
	for (i = 0, n = 0; i < s->run.nobj; i++)
		for (j = 0; j < s->run.obj[i].nparts; j++, n++) {
			pre[n].start = s->run.obj[i].parts[j].spans.start;
			pre[n].end = s->run.obj[i].parts[j].spans.end;
		}
	ret = ht_smaps_query(0, pre, n);
	for (i = 0, n = 0; i < s->run.nobj; i++) {
		struct ht_object *o = &s->run.obj[i];

		if (ret && has_spans(o))
			object_fail(o, HT_R_SYSCALL, "cannot read "
				    "/proc/self/smaps");
		else if (has_spans(o))
			process_object(s, o, &pre[n]);
		n += o->nparts;
	}
	free(pre);
}

/* The main program's name, for objects nothing else named. */
static void name_main(struct state *s)
{
	char buf[4096];
	ssize_t n;

	if (!s->run.nobj || strcmp(s->run.obj[0].path, "(main program)"))
		return;
	n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
	if (n > 0) {
		buf[n] = '\0';
		set_path(&s->run.obj[0], buf);
	}
}

static void report(struct state *s)
{
	int fd;

	if (!s->cfg.verbose && !s->cfg.report_path)
		return;
	name_main(s);
	if (s->cfg.verbose)
		ht_report_human(&s->run, 2);
	if (s->cfg.report_path) {
		fd = open(s->cfg.report_path,
			  O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY,
			  0644);
		if (fd >= 0) {
			ht_report_json(&s->run, fd);
			close(fd);
		} else if (s->cfg.verbose) {
			dprintf(2, "hugetext[%d]: cannot write report %s: "
				"%s\n", (int)s->run.pid, s->cfg.report_path,
				strerror(errno));
		}
	}
}

static void free_run(struct state *s)
{
	size_t i;

	for (i = 0; i < s->run.nobj; i++) {
		free(s->run.obj[i].path);
		free(s->run.obj[i].name);
	}
	free(s->run.obj);
	s->run.obj = NULL;
	s->run.nobj = 0;
	s->cap = 0;
}

/* libc's dlopen, not the wrapper below. */
static dlopen_fn real_dlopen(void)
{
	static _Atomic(dlopen_fn) real;
	dlopen_fn fn = atomic_load(&real);

	if (!fn) {
		fn = (dlopen_fn)dlsym(RTLD_NEXT, "dlopen");
		atomic_store(&real, fn);
	}
	return fn;
}

/* One pass over the objects not seen before. */
static void run_pass(struct state *s, const char *trigger)
{
	uint64_t t0 = ht_now_usec();

	memset(&s->run, 0, sizeof(s->run));
	s->run.trigger = trigger;
	collect_objects(s);
	/* Nothing to do and nothing to say: the common case, kept cheap. */
	if (!s->run.nobj)
		return;
	s->run.pid = getpid();
	s->run.strategy = s->pol.strategy;
	s->run.dry_run = s->pol.dry_run;
	/* THP mode: read when first needed, the same for every pass. */
	if (!s->pol.thp.mode)
		ht_thp_env_read(&s->pol.thp);
	s->run.thp = s->pol.thp;
	make_huge(s);
	s->run.usec = ht_now_usec() - t0;
	report(s);
	free_run(s);
	/* libelf, loaded just now to read the objects, is not news later. */
	dl_iterate_phdr(mark_seen, s);
}

__attribute__((constructor)) static void hugetext_init(void)
{
	int saved_errno = errno;
	struct state *s = &g;

	/* Secure execution (setuid, capabilities): do nothing at all. */
	if (getauxval(AT_SECURE))
		goto out;
	if (load_config(s))
		goto out;
	stop_inheritance(s);
	if (s->cfg.disabled)
		goto out;
	s->want_all = s->cfg.verbose || s->cfg.report_path;
	s->pagesz = (uint64_t)sysconf(_SC_PAGESIZE);
	s->vdso = (uintptr_t)getauxval(AT_SYSINFO_EHDR);
	s->self = (uintptr_t)hugetext_init;
	s->pol.strategy = s->cfg.strategy;
	s->pol.dry_run = s->cfg.dry_run;
	run_pass(s, "start");
	if (!s->cfg.no_dlopen)
		atomic_store(&g_ready, true);
out:
	errno = saved_errno;
}

/*
 * After a dlopen: a pass over what is new, never blocking the caller on
 * another thread's pass (the lock is only tried; the thread holding it
 * sees g_pending and runs once more before it lets go).  No loader lock
 * is held here, and a pass takes none but dl_iterate_phdr's own.
 */
static void after_dlopen(void)
{
	int saved_errno = errno;

	atomic_store(&g_pending, true);
	while (atomic_load(&g_pending)) {
		if (pthread_mutex_trylock(&g_pass_lock))
			break;
		atomic_store(&g_pending, false);
		run_pass(&g, "dlopen");
		pthread_mutex_unlock(&g_pass_lock);
	}
	errno = saved_errno;
}

__attribute__((visibility("default"))) void *dlopen(const char *file,
						     int mode)
{
	dlopen_fn fn = real_dlopen();
	void *h;

	if (!fn)
		return NULL;
	h = fn(file, mode);
	if (h && atomic_load(&g_ready))
		after_dlopen();
	return h;
}

__attribute__((visibility("default"))) void *dlmopen(Lmid_t lmid,
						      const char *file,
						      int mode)
{
	static _Atomic(dlmopen_fn) real;
	dlmopen_fn fn = atomic_load(&real);
	void *h;

	if (!fn) {
		fn = (dlmopen_fn)dlsym(RTLD_NEXT, "dlmopen");
		if (!fn)
			return NULL;
		atomic_store(&real, fn);
	}
	h = fn(lmid, file, mode);
	if (h && atomic_load(&g_ready))
		after_dlopen();
	return h;
}
