// SPDX-License-Identifier: MIT
/*
 * preload_hook.c - libhugetext.so: the pass that runs inside programs.
 *
 * The library has two roles, and knows which from where it is loaded:
 *
 *   audit    LD_AUDIT (what the launcher sets): ld.so tells it of every
 *            object in every namespace (la_objopen) and calls
 *            la_activity(LA_ACT_CONSISTENT) once the objects of a load
 *            are mapped, before they are relocated or initialised.  The
 *            first such call is the start-up pass, before any
 *            constructor; later ones cover dlopen()/dlmopen(), with no
 *            caller changed: nothing is interposed.
 *   preload  LD_PRELOAD (systemd units, users): one start-up pass from
 *            the constructor, over the objects of ld.so's r_map list.
 *
 * It runs inside other people's programs, so it is best-effort
 * throughout: it never exits or aborts, prints only when asked and only
 * to a duplicate of the stderr it found at start-up, never raises
 * SIGPIPE, never touches the program's errno, loads nothing (it has no
 * libc: rt.c; objects are read from memory), and changes no mapping's
 * protection or flags.  A pass is, in steps:
 *
 *   collect   program headers in memory -> executable parts and spans
 *   gate      seccomp (left alone unless HUGETEXT_SECCOMP=try)
 *   inspect   the mapped file (device and inode), text relocations
 *   make_huge the kernel routes, verified from smaps / PAGEMAP_SCAN
 *   report    human lines and/or one JSON line
 *
 * In the audit role a pass runs under ld.so's lock, in the thread that
 * loads: so it never calls back into the loader (no dlopen, dlsym or
 * dl_iterate_phdr) and objects cannot be unloaded under it.
 */
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "clock.h"
#include "config.h"
#include "loaded.h"
#include "report.h"
#include "smaps.h"
#include "spans.h"
#include "text_collapse.h"

#define DELETED_SUFFIX " (deleted)"
#define SELF_BASE "libhugetext.so"
#define MAX_PHDRS 64

/* This library's own dynamic section (the linker defines it). */
extern ElfW(Dyn) _DYNAMIC[];

enum role {
	ROLE_UNKNOWN = 0,
	ROLE_PRELOAD,
	ROLE_AUDIT,
};

/* An object ld.so told us of (audit role), not looked at yet. */
struct pending {
	struct link_map *map;
};

struct state {
	bool set_up;		/* setup() ran */
	bool active;		/* config good, not secure, not disabled */
	bool started;		/* the start-up pass ran */
	enum role role;
	struct ht_config cfg;
	struct ht_policy pol;
	struct ht_memo memo;	/* what this process learnt of its kernel */
	uint64_t pagesz;
	uintptr_t vdso;
	uintptr_t self;		/* an address in this library's text */
	/* stderr as it was at start-up: a private close-on-exec copy */
	int err_fd;
	bool err_own;		/* an open of its own, OWN_FLAGS */
	dev_t err_dev;
	ino_t err_ino;
	/* audit role: objects opened since the last pass */
	struct pending *pend;
	size_t npend, cappend;
	/* objects whose program headers take a read (a system call) */
	struct link_map **defer;
	size_t ndefer, capdefer;
	/* the current pass */
	struct ht_run run;
	bool want_all;		/* reporting: keep objects without spans */
	bool unfiltered;	/* the launcher saw no filter at exec */
	size_t cap;
};

static struct state g = { .err_fd = -1 };

/* ------------------------------------------------------------------ */
/* Output that cannot hurt the program. */

/* The status flags of a stderr copy that is an open of its own. */
#define OWN_FLAGS	(O_WRONLY | O_APPEND | O_NONBLOCK)

/*
 * Our copy of stderr, if it still is: a program may close every fd it
 * did not open and reuse the number for a file of its own, even the
 * file it was given as stderr (a daemon reopening its log).  Ours is
 * close-on-exec, at a number programs seldom reach, the same file, and
 * for a regular file an open of its own with flags a log seldom has.
 */
static int err_fd(const struct state *s)
{
	struct stat sb;
	int fl, st;

	if (s->err_fd < 0)
		return -1;
	fl = fcntl(s->err_fd, F_GETFD);
	st = fcntl(s->err_fd, F_GETFL);
	if (fl < 0 || !(fl & FD_CLOEXEC) || st < 0 ||
	    (s->err_own && (st & (O_ACCMODE | O_APPEND | O_NONBLOCK)) !=
	     OWN_FLAGS) ||
	    fstat(s->err_fd, &sb) ||
	    sb.st_dev != s->err_dev || sb.st_ino != s->err_ino)
		return -1;
	return s->err_fd;
}

/*
 * Take the copy at start-up, when fd 2 is still what the caller gave:
 * as high as the fd limit allows (up to 1023), so that the program's
 * own fds are numbered as they would be and a lower limit it sets
 * later still leaves it the numbers it had.  Under a tight limit (fewer
 * than 64) every fd may be the program's, and ld.so has yet to open
 * its libraries: no copy, no output.  A regular file is opened again
 * (appending, non-blocking): a description no program shares, which
 * err_fd() can tell from the program's own reopening of the same log.
 */
static void open_err(struct state *s)
{
	struct rlimit rl;
	struct stat sb;
	int fd = -1, src = 2, hi = 1023;

	if (fcntl(2, F_GETFD) < 0 || fstat(2, &sb))
		return;		/* closed: nothing to write to, ever */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < 1024) {
		if (rl.rlim_cur < 64)
			return;
		hi = (int)rl.rlim_cur - 1;
	}
	if (S_ISREG(sb.st_mode)) {
		src = open("/proc/self/fd/2", OWN_FLAGS | O_CLOEXEC |
			   O_NOCTTY);
		if (src < 0)
			src = 2;
	}
	for (; fd < 0 && hi >= 3; hi = hi > 3 ? hi / 2 : 2)
		fd = fcntl(src, F_DUPFD_CLOEXEC, hi < 3 ? 3 : hi);
	if (src != 2)
		close(src);
	if (fd < 0)
		return;
	if (fstat(fd, &sb)) {
		close(fd);
		return;
	}
	s->err_fd = fd;
	s->err_own = src != 2;
	s->err_dev = sb.st_dev;
	s->err_ino = sb.st_ino;
}

/*
 * Writes with SIGPIPE blocked; a SIGPIPE our write raised is taken
 * back before the mask is restored, one already pending is left.
 */
struct quiet {
	sigset_t old;
	bool had_pipe;
};

static void quiet_begin(struct quiet *q)
{
	sigset_t pipe, pend;

	sigemptyset(&pipe);
	sigaddset(&pipe, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipe, &q->old);
	sigpending(&pend);
	q->had_pipe = sigismember(&pend, SIGPIPE);
}

static void quiet_end(struct quiet *q)
{
	static const struct timespec zero;
	sigset_t pipe, pend;

	sigemptyset(&pipe);
	sigaddset(&pipe, SIGPIPE);
	sigpending(&pend);
	if (!q->had_pipe && sigismember(&pend, SIGPIPE))
		sigtimedwait(&pipe, NULL, &zero);
	pthread_sigmask(SIG_SETMASK, &q->old, NULL);
}

static void __attribute__((format(printf, 2, 3)))
say(const struct state *s, const char *fmt, ...)
{
	struct quiet q;
	char buf[1024];
	va_list ap;
	int fd = err_fd(s), n;

	if (fd < 0)
		return;
	n = snprintf(buf, sizeof(buf), "hugetext[%d]: ", (int)getpid());
	va_start(ap, fmt);
	vsnprintf(buf + n, sizeof(buf) - n, fmt, ap);
	va_end(ap);
	quiet_begin(&q);
	if (write(fd, buf, strlen(buf)) < 0) {
		/* nowhere to say it */
	}
	quiet_end(&q);
}

/*
 * The JSON report: appended to a regular file only, never through a
 * symlink (root writing where a user pointed), never blocking (a FIFO
 * with no reader).
 */
static void write_report(struct state *s)
{
	const char *why = NULL;
	struct quiet q;
	struct stat sb;
	int fd, ret;

	fd = open(s->cfg.report_path, O_WRONLY | O_APPEND | O_CREAT |
		  O_CLOEXEC | O_NOCTTY | O_NOFOLLOW | O_NONBLOCK, 0644);
	if (fd < 0) {
		why = errno == ELOOP ? "is a symbolic link" :
		      errno == ENXIO ? "is a FIFO with no reader" :
		      ht_strerror(errno);
	} else if (fstat(fd, &sb) || !S_ISREG(sb.st_mode)) {
		why = "not a regular file";
	} else {
		quiet_begin(&q);
		ret = ht_report_json(&s->run, fd);
		quiet_end(&q);
		if (ret)
			why = ht_strerror(-ret);
	}
	if (fd >= 0)
		close(fd);
	if (why && s->cfg.verbose)
		say(s, "cannot write report %s: %s\n", s->cfg.report_path,
		    why);
}

/*
 * The main program's file, into @buf: /proc/self/exe, unless the
 * kernel ran ld.so itself (no interpreter, so AT_BASE is 0: hugetext
 * --via-ldso, or "ld.so PROG"), when that names the loader: then the
 * file mapped at the program's text.  Returns its length, or <= 0.
 */
static ssize_t main_name(const struct ht_object *o, char *buf, size_t len)
{
	struct ht_range_stat q = { 0 };
	ssize_t n = -1;

	if (getauxval(AT_BASE) || !o->nparts)
		return readlink("/proc/self/exe", buf, len - 1);
	q.start = o->parts[0].vaddr;
	q.end = q.start + g.pagesz;
	q.want_path = true;
	if (ht_smaps_query(0, &q, 1) == 0 && q.one_file && q.path) {
		n = snprintf(buf, len, "%s", q.path);
		if ((size_t)n >= len)
			n = -1;
	}
	ht_range_stat_free(&q, 1);
	return n;
}

static void report(struct state *s)
{
	struct quiet q;
	char buf[4096];
	ssize_t n;
	int fd;

	if (!s->cfg.verbose && !s->cfg.report_path)
		return;
	/* The main program's name, for the object nothing else named. */
	if (s->run.nobj && !strcmp(s->run.obj[0].path, "(main program)")) {
		n = main_name(&s->run.obj[0], buf, sizeof(buf));
		if (n > 0) {
			char *p;

			buf[n] = '\0';
			p = strdup(buf);
			if (p) {
				free(s->run.obj[0].path);
				s->run.obj[0].path = p;
			}
		}
	}
	fd = s->cfg.verbose ? err_fd(s) : -1;
	if (fd >= 0) {
		quiet_begin(&q);
		if (s->cfg.verbose >= HT_VERBOSE_ALL)
			ht_report_human(&s->run, fd);
		else
			ht_report_brief(&s->run, fd);
		quiet_end(&q);
	}
	if (s->cfg.report_path)
		write_report(s);
}

/* ------------------------------------------------------------------ */
/* Set-up, once, from whichever entry point ld.so calls first. */

static const char *env_get(const char *name)
{
	return secure_getenv(name);
}

static bool is_self(const char *entry, size_t len)
{
	const char *slash = memrchr(entry, '/', len);

	slash = slash ? slash + 1 : entry;
	return (size_t)(entry + len - slash) == sizeof(SELF_BASE) - 1 &&
	       !strncmp(slash, SELF_BASE, sizeof(SELF_BASE) - 1);
}

/* Does the list (ld.so splits at @seps) name this library? */
static bool names_self(const char *list, const char *seps)
{
	while (list && *list) {
		size_t len = strcspn(list, seps);

		if (len && is_self(list, len))
			return true;
		list += len;
		if (*list)
			list++;
	}
	return false;
}

/* Take entry @i out of the start-up environment, in place. */
static void env_remove(size_t i)
{
	for (; environ[i]; i++)
		environ[i] = environ[i + 1];
}

/*
 * Remove this library from VAR's list in the environment, so that
 * children do not load it.  Edited in place, in the one environment
 * array the program's libc and ours both point to (in the audit role
 * they are two libcs: setenv() here would change ours only).  The
 * value only ever shrinks; an empty one is removed.
 */
static void drop_self(const char *var, const char *seps)
{
	size_t vlen = strlen(var), i;
	char *val, *in, *out;

	for (i = 0; environ && environ[i]; i++) {
		if (strncmp(environ[i], var, vlen) || environ[i][vlen] != '=')
			continue;
		val = environ[i] + vlen + 1;
		if (!names_self(val, seps))
			continue;
		for (in = out = val; *in; ) {
			size_t len = strcspn(in, seps);

			if (len && !is_self(in, len)) {
				if (out != val)
					*out++ = ':';
				memmove(out, in, len);
				out += len;
			}
			in += len;
			if (*in)
				in++;
		}
		*out = '\0';
		if (out == val)
			env_remove(i--);
	}
}

/*
 * The launcher's word that no seccomp filter was on it just before it
 * exec'd this process (HT_ENV_UNFILTERED, "PID PATH"): taken out of the
 * environment at once, before any program code runs, so that no child
 * inherits it; believed only by the image exec'd from that very path
 * (AT_EXECFN) in that process.
 */
static bool take_unfiltered(void)
{
	size_t n = sizeof(HT_ENV_UNFILTERED) - 1, i;
	const char *execfn = (const char *)getauxval(AT_EXECFN);
	unsigned long pid = 0;
	bool found = false;
	char *end;

	for (i = 0; environ && environ[i]; i++) {
		if (strncmp(environ[i], HT_ENV_UNFILTERED, n) ||
		    environ[i][n] != '=')
			continue;
		pid = strtoul(environ[i] + n + 1, &end, 10);
		found = end != environ[i] + n + 1 && *end == ' ' && execfn &&
			!strcmp(end + 1, execfn);
		env_remove(i--);
	}
	/* getpid() only once the rest holds: a system call, asked last. */
	return found && pid == (unsigned long)getpid();
}

/*
 * An audit module lives in a namespace of its own: the list of the
 * program's objects (the base namespace, which ld.so publishes for
 * debuggers in _r_debug) does not hold it.
 */
static enum role own_role(void)
{
	const struct link_map *m;

	for (m = _r_debug.r_map; m; m = m->l_next)
		if (m->l_ld == _DYNAMIC)
			return ROLE_PRELOAD;
	return ROLE_AUDIT;
}

static void setup(struct state *s, enum role role)
{
	int ret;

	if (s->set_up)
		return;
	s->set_up = true;
	s->role = role;
	s->unfiltered = take_unfiltered();
	/*
	 * Secure execution (setuid, capabilities): do nothing at all.  No
	 * page size means no auxiliary vector was found: not known to be
	 * safe, so the same.
	 */
	if (getauxval(AT_SECURE) || !getauxval(AT_PAGESZ))
		return;
	ret = ht_config_load(&s->cfg, env_get);
	/*
	 * The stderr copy takes system calls a seccomp filter may kill:
	 * only where none is (the launcher's word, else /proc's).
	 */
	if (s->cfg.verbose && (s->unfiltered || s->cfg.seccomp_try ||
			       !ht_seccomp_active(NULL)))
		open_err(s);
	if (ret) {
		if (s->cfg.verbose)
			say(s, "%s=%s is not valid; doing nothing (see "
			    "hugetext(1))\n", s->cfg.bad_name,
			    s->cfg.bad_value);
		return;
	}
	if (s->cfg.no_inherit) {
		drop_self("LD_AUDIT", ":");
		drop_self("LD_PRELOAD", " :");
	}
	if (s->cfg.disabled)
		return;
	s->want_all = s->cfg.verbose || s->cfg.report_path;
	s->pagesz = (uint64_t)sysconf(_SC_PAGESIZE);
	s->vdso = (uintptr_t)getauxval(AT_SYSINFO_EHDR);
	s->self = (uintptr_t)setup;
	s->pol.strategy = s->cfg.strategy;
	s->pol.dry_run = s->cfg.dry_run;
	s->pol.seccomp_try = s->cfg.seccomp_try;
	s->pol.memo = &s->memo;
	s->active = true;
}

/* ------------------------------------------------------------------ */
/* The pass. */

static struct ht_object *new_object(struct state *s)
{
	struct ht_run *r = &s->run;

	if (ht_grow(&r->obj, &s->cap, r->nobj, sizeof(*r->obj), 8))
		return NULL;
	return &r->obj[r->nobj++];
}

/*
 * One loaded object into the run.  Objects without a whole 2 MiB span
 * cost no allocation unless they are to be reported.
 */
static void add_object(struct state *s, const struct ht_loaded *l)
{
	struct ht_object o, *slot;
	bool spans = ht_loaded_object(l, s->pagesz, &o);

	if (!spans && !(s->want_all && o.nparts))
		return;
	if (spans && ht_loaded_textrel(l))
		o.reason = HT_R_TEXTREL;
	o.path = strdup(l->name[0] ? l->name : "(main program)");
	o.name = l->name[0] ? strdup(l->name) : NULL;
	slot = o.path ? new_object(s) : NULL;
	if (!slot) {
		free(o.path);
		free(o.name);
		return;
	}
	*slot = o;
}

/*
 * One object ld.so mapped, by its link map: its program headers are the
 * kernel's for the main program (AT_PHDR), else read from memory at its
 * load address; either only when their PT_DYNAMIC is the map's l_ld.
 */
static void collect_map(struct state *s, struct link_map *m, bool reads)
{
	ElfW(Phdr) buf[MAX_PHDRS];
	struct ht_loaded l = { m->l_name ? m->l_name : "", m->l_addr,
			       NULL, 0, s->pol.strategy == HT_STRATEGY_COPY,
			       m->l_ld };
	int n;

	/* The vDSO has no file, and this library is not news to itself. */
	if ((uintptr_t)m->l_ld - s->vdso < 4 * s->pagesz ||
	    m->l_ld == _DYNAMIC)
		return;
	if (!l.name[0] && !s->started) {
		l.phdr = (const ElfW(Phdr) *)getauxval(AT_PHDR);
		l.phnum = getauxval(AT_PHNUM);
		if (l.phdr && ht_loaded_is_own(l.bias, m->l_ld, l.phdr,
					       l.phnum)) {
			add_object(s, &l);
			return;
		}
	}
	n = ht_loaded_phdrs_in_place(l.bias, m->l_ld, s->pagesz, &l.phdr);
	if (n > 0) {
		l.phnum = n;
		add_object(s, &l);
		return;
	}
	/* A read is a system call: after the seccomp check, if at all. */
	if (!reads) {
		if (!ht_grow(&s->defer, &s->capdefer, s->ndefer,
			     sizeof(*s->defer), 8))
			s->defer[s->ndefer++] = m;
		return;
	}
	n = ht_loaded_read_phdrs(l.bias, m->l_ld, buf, MAX_PHDRS);
	if (n <= 0)
		return;		/* not an ELF object we know */
	l.phdr = buf;
	l.phnum = n;
	add_object(s, &l);
}

/* Preload role: the base namespace's objects, from ld.so's list. */
static void collect_all(struct state *s)
{
	struct link_map *m;

	for (m = _r_debug.r_map; m; m = m->l_next)
		collect_map(s, m, false);
}

/* Audit role: the objects ld.so told us of since the last pass. */
static void collect_pending(struct state *s)
{
	size_t i;

	for (i = 0; i < s->npend; i++)
		collect_map(s, s->pend[i].map, false);
	s->npend = 0;
}

/* The objects whose headers take a read, once reads are allowed. */
static void collect_deferred(struct state *s)
{
	size_t i;

	for (i = 0; i < s->ndefer; i++)
		collect_map(s, s->defer[i], true);
	s->ndefer = 0;
}

static bool has_spans(const struct ht_object *o)
{
	size_t i;

	if (o->reason)
		return false;
	for (i = 0; i < o->nparts; i++)
		if (o->parts[i].span_reason == HT_R_NONE)
			return true;
	return false;
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
	size_t len, sl = sizeof(DELETED_SUFFIX) - 1;
	char *p;
	int fd;

	if (!st->one_file || st->covered != st->end - st->start) {
		object_fail(o, HT_R_NOT_FILE, NULL);
		return -1;
	}
	if (!st->path) {
		object_fail(o, HT_R_SYSCALL, ht_strerror(ENOMEM));
		return -1;
	}
	len = strlen(st->path);
	p = strdup(st->path);
	if (p) {
		free(o->path);
		o->path = p;
	}
	if (len > sl && !strcmp(st->path + len - sl, DELETED_SUFFIX)) {
		object_fail(o, HT_R_FILE_CHANGED, "file was deleted or "
			    "replaced after it was loaded");
		return -1;
	}
	fd = ht_open_mapped(st, st->path);
	if (fd == -ESTALE)
		object_fail(o, HT_R_FILE_CHANGED, "file on disk is not the "
			    "mapped file");
	else if (fd < 0)
		object_fail(o, HT_R_SYSCALL, ht_strerror(-fd));
	return fd < 0 ? -1 : fd;
}

/*
 * One object with spans: its file, then the routes per part.  @pre
 * holds an smaps query per part (same order as o->parts), taken before
 * any route ran; routes on one part leave the others' ranges as they
 * were, so it stays true for them.
 */
static void process_object(struct state *s, struct ht_object *o,
			   const struct ht_range_stat *pre)
{
	size_t i, first = 0;
	int fd;

	while (o->parts[first].span_reason != HT_R_NONE)
		first++;
	fd = open_mapped(o, &pre[first]);
	if (fd < 0)
		return;
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
	close(fd);
}

/* One smaps pass for every part of every object, then the objects. */
static void make_huge(struct state *s)
{
	struct ht_range_stat *pre;
	size_t i, j, n = 0;
	int ret;

	for (i = 0; i < s->run.nobj; i++)
		if (has_spans(&s->run.obj[i]))
			n += s->run.obj[i].nparts;
	if (!n)
		return;
	pre = calloc(n, sizeof(*pre));
	if (!pre)
		return;
	for (i = 0, n = 0; i < s->run.nobj; i++) {
		if (!has_spans(&s->run.obj[i]))
			continue;
		for (j = 0; j < s->run.obj[i].nparts; j++, n++) {
			pre[n].start = s->run.obj[i].parts[j].spans.start;
			pre[n].end = s->run.obj[i].parts[j].spans.end;
			pre[n].want_path = true;
		}
	}
	/*
	 * In the audit role the objects were mapped just now and no code
	 * has advised them: /proc/self/maps and PAGEMAP_SCAN say all that
	 * is needed without walking every page table of the process.  But
	 * after mlockall(MCL_FUTURE) what dlopen maps is locked, which
	 * only smaps' VmFlags show (exec unlocks everything, so the
	 * start-up pass need not ask).
	 */
	ret = s->role == ROLE_AUDIT && !(s->run.trigger == HT_TRIGGER_DLOPEN &&
					 ht_self_locked()) ?
	      ht_maps_query(pre, n) : -EOPNOTSUPP;
	if (ret == -EOPNOTSUPP)
		ret = ht_smaps_query(0, pre, n);
	for (i = 0, n = 0; i < s->run.nobj; i++) {
		struct ht_object *o = &s->run.obj[i];

		if (!has_spans(o))
			continue;
		if (ret)
			object_fail(o, HT_R_SYSCALL, "cannot read "
				    "/proc/self/smaps");
		else
			process_object(s, o, &pre[n]);
		n += o->nparts;
	}
	ht_range_stat_free(pre, n);
	free(pre);
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

/*
 * The pass's deadline.  Default: 500 ms, and 4 ms more per MiB to make
 * huge.  A first start reads its text from the device (0.6-0.9 ms per
 * MiB on the project's machine, bench/startup.sh; several times that on
 * a busy or emulated one), and a budget that cut ordinary first starts
 * short would cost every later start too; what it bounds is the stall
 * when huge pages are scarce (direct compaction, reclaim), which can
 * otherwise run to seconds.
 */
static uint64_t deadline(const struct state *s, uint64_t t0)
{
	uint64_t eligible = 0, ms;
	size_t i, j;

	if (s->cfg.budget_set && !s->cfg.budget_ms)
		return 0;
	for (i = 0; i < s->run.nobj; i++)
		for (j = 0; j < s->run.obj[i].nparts; j++)
			if (s->run.obj[i].parts[j].span_reason == HT_R_NONE)
				eligible += ht_spans_bytes(
					&s->run.obj[i].parts[j].spans);
	ms = s->cfg.budget_set ? s->cfg.budget_ms : 500 + 4 * (eligible >> 20);
	return t0 + ms * 1000;
}

/* One pass over the objects not seen before. */
static void run_pass(struct state *s, enum ht_trigger trigger)
{
	uint64_t t0 = ht_now_usec();
	bool gated = false;

	/* All of it: a child forked during a pass inherits it half done. */
	memset(&s->run, 0, sizeof(s->run));
	s->cap = 0;
	s->run.trigger = trigger;
	/*
	 * Collecting makes no system call: program headers are read in
	 * place (the kernel's for the program; a library's where a table
	 * ld.so has read shares their page), and an object that would
	 * take a read is kept for later.  Nothing with spans, nothing to
	 * read and nothing to say: the common case, kept free.
	 */
	s->ndefer = 0;
	if (s->role == ROLE_AUDIT)
		collect_pending(s);
	else
		collect_all(s);
	if (!s->run.nobj && !s->ndefer)
		return;
	/*
	 * Then seccomp, before any other system call: a filter can kill
	 * for a call the program itself never makes (reading a library's
	 * program headers is one: process_vm_readv).  A filter may come
	 * with the program (inherited) or be installed by it at any time,
	 * so every pass asks; one that is seen stays (none is removed).
	 * Threads come and go: asked every pass (a zap must not race with
	 * a write).
	 */
	if (s->unfiltered && !s->started && s->role == ROLE_AUDIT) {
		/*
		 * The start-up pass after the launcher's exec: no filter,
		 * and /proc is asked of threads only before a zap.
		 */
		s->pol.threads_unknown = true;
	} else {
		if (ht_seccomp_active(&s->pol.others_run))
			s->pol.thp.seccomp = true;
		s->pol.threads_unknown = false;
	}
	gated = s->pol.thp.seccomp && !s->pol.seccomp_try;
	/*
	 * Under a filter not one more system call: none to read objects,
	 * none to report (even getpid(), a write or a signal mask could
	 * be what it kills).  The launcher says so instead, with -v.
	 */
	if (gated) {
		free_run(s);
		return;
	}
	collect_deferred(s);
	if (!s->run.nobj)
		return;
	s->run.pid = getpid();
	s->run.strategy = s->pol.strategy;
	s->run.dry_run = s->pol.dry_run;
	/* THP mode: read when first needed, the same later. */
	if (!s->pol.thp.mode)
		ht_thp_env_read(&s->pol.thp);
	s->pol.deadline = deadline(s, t0);
	make_huge(s);
	s->run.thp = s->pol.thp;
	s->run.usec = ht_now_usec() - t0;
	report(s);
	free_run(s);
}

/* ------------------------------------------------------------------ */
/* Entry points. */

__attribute__((constructor)) static void hugetext_init(void)
{
	int saved_errno = errno;
	struct state *s = &g;

	if (!s->set_up)
		setup(s, own_role());
	/*
	 * Preloaded while the launcher's LD_AUDIT also names us: the
	 * audit copy, in its own namespace, has done the work already.
	 */
	if (s->active && s->role == ROLE_PRELOAD &&
	    !names_self(getenv("LD_AUDIT"), ":")) {
		run_pass(s, HT_TRIGGER_START);
		s->started = true;
	}
	errno = saved_errno;
}

/*
 * la_version - ld.so asks which audit interface version we speak.
 * 0 tells it to unload us: nothing to do (disabled, bad settings,
 * secure execution).
 */
__attribute__((visibility("default"))) unsigned int la_version(unsigned int v)
{
	int saved_errno = errno;
	struct state *s = &g;

	setup(s, ROLE_AUDIT);
	s->role = ROLE_AUDIT;
	errno = saved_errno;
	if (!s->active)
		return 0;
	return v < LAV_CURRENT ? v : LAV_CURRENT;
}

/*
 * la_objopen - an object was mapped, in namespace @lmid.  Remembered
 * for the pass at the next consistent state.  Returns no LA_FLG_BIND*
 * flags: no symbol binding goes through us.
 */
__attribute__((visibility("default"))) unsigned int
la_objopen(struct link_map *map, Lmid_t lmid, uintptr_t *cookie)
{
	int saved_errno = errno;
	struct state *s = &g;

	(void)lmid;
	*cookie = (uintptr_t)map;
	if (!s->active || (s->started && s->cfg.no_dlopen))
		goto out;
	/* The vDSO has no file. */
	if (s->vdso && (uintptr_t)map->l_ld - s->vdso < 4 * s->pagesz)
		goto out;
	if (ht_grow(&s->pend, &s->cappend, s->npend, sizeof(*s->pend), 32))
		goto out;	/* this one goes unseen */
	s->pend[s->npend++].map = map;
out:
	errno = saved_errno;
	return 0;
}

/* la_objclose - an object is being unloaded: forget it if pending. */
__attribute__((visibility("default"))) unsigned int
la_objclose(uintptr_t *cookie)
{
	struct state *s = &g;
	size_t i;

	for (i = 0; i < s->npend; i++)
		if ((uintptr_t)s->pend[i].map == *cookie) {
			s->pend[i] = s->pend[--s->npend];
			break;
		}
	return 0;
}

/*
 * la_activity - the link maps changed.  At LA_ACT_CONSISTENT the new
 * objects are mapped but not yet relocated or initialised: the first
 * time is the program's start-up, later ones are dlopen()s.
 */
__attribute__((visibility("default"))) void
la_activity(uintptr_t *cookie, unsigned int flag)
{
	int saved_errno = errno;
	struct state *s = &g;

	(void)cookie;
	if (flag != LA_ACT_CONSISTENT || !s->active || !s->npend)
		goto out;
	run_pass(s, s->started ? HT_TRIGGER_DLOPEN : HT_TRIGGER_START);
	s->started = true;
out:
	errno = saved_errno;
}
