// SPDX-License-Identifier: MIT
/*
 * check_run.c - hugetext check --run: which objects a program maps when
 * it runs, dlopen()ed ones included, learnt from one dry run of it under
 * the library.  The library's own JSON report (HUGETEXT_REPORT) is the
 * channel: a private temporary file, read back and removed here.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "buf.h"
#include "check.h"
#include "config.h"

static int __attribute__((format(printf, 4, 5)))
fail(int ret, char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return ret;
}

/* ------------------------------------------------------------------ */
/* The report lines, as report.c writes them (json.c's escapes). */

static void put_utf8(struct ht_buf *b, unsigned int cp)
{
	if (cp < 0x80) {
		ht_buf_putc(b, (char)cp);
	} else if (cp < 0x800) {
		ht_buf_putc(b, (char)(0xc0 | cp >> 6));
		ht_buf_putc(b, (char)(0x80 | (cp & 0x3f)));
	} else {
		ht_buf_putc(b, (char)(0xe0 | cp >> 12));
		ht_buf_putc(b, (char)(0x80 | (cp >> 6 & 0x3f)));
		ht_buf_putc(b, (char)(0x80 | (cp & 0x3f)));
	}
}

/*
 * The string that starts after the quote at @p, unescaped into @b (NUL
 * terminated).  Returns the character after the closing quote, or NULL
 * for a string that does not end on the line.
 */
static const char *json_string(const char *p, struct ht_buf *b)
{
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";

	b->len = 0;
	for (; *p && *p != '"'; p++) {
		const char *e;

		if (*p != '\\') {
			ht_buf_putc(b, *p);
			continue;
		}
		p++;
		if (*p == 'u') {
			unsigned int cp = 0;
			int i;

			for (i = 1; i <= 4; i++) {
				char h = p[i];

				if (h >= '0' && h <= '9')
					cp = cp * 16 + (unsigned int)(h - '0');
				else if ((h | 0x20) >= 'a' && (h | 0x20) <= 'f')
					cp = cp * 16 + (unsigned int)
					     ((h | 0x20) - 'a' + 10);
				else
					return NULL;
			}
			put_utf8(b, cp);
			p += 4;
			continue;
		}
		e = *p ? strchr(from, *p) : NULL;
		if (!e)
			return NULL;
		ht_buf_putc(b, to[e - from]);
	}
	if (*p != '"')
		return NULL;
	ht_buf_putc(b, '\0');
	b->len--;
	return p + 1;
}

static const char *skip_space(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\r')
		p++;
	return p;
}

static int add_object(struct ht_ran *r, const char *path, const char *prog,
		      bool dlopened)
{
	struct ht_ran_obj *o;
	size_t i;

	/* Each path once: the first process to map it names it. */
	for (i = 0; i < r->n; i++)
		if (!strcmp(r->obj[i].path, path))
			return 0;
	if (ht_grow(&r->obj, &r->cap, r->n, sizeof(*r->obj), 16))
		return -ENOMEM;
	o = &r->obj[r->n];
	o->path = strdup(path);
	o->prog = prog ? strdup(prog) : NULL;
	o->dlopened = dlopened;
	if (!o->path || (prog && !o->prog)) {
		free(o->path);
		free(o->prog);
		return -ENOMEM;
	}
	r->n++;
	return 0;
}

/* Each process's program, for the passes after its start-up one. */
struct procs {
	struct proc {
		long pid;
		char *prog;
	} *p;
	size_t n, cap;
};

static struct proc *proc_of(struct procs *ps, long pid)
{
	size_t i;

	for (i = 0; i < ps->n; i++)
		if (ps->p[i].pid == pid)
			return &ps->p[i];
	return NULL;
}

/*
 * One object of a report line.  The first object of a start-up pass is
 * the program (ld.so lists it first); the rest are its libraries, and
 * a dlopen pass's objects are all libraries of the program that process
 * runs now (an exec keeps the PID: its last start-up pass names it).
 */
static int line_object(struct ht_ran *r, struct procs *ps, long pid,
		       bool dlopened, bool *first, const char *path)
{
	struct proc *pr = proc_of(ps, pid);
	char *dup;

	if (!dlopened && *first) {
		*first = false;
		r->programs++;
		dup = strdup(path);
		if (!dup)
			return -ENOMEM;
		if (!pr) {
			if (ht_grow(&ps->p, &ps->cap, ps->n, sizeof(*ps->p),
				    8)) {
				free(dup);
				return -ENOMEM;
			}
			pr = &ps->p[ps->n++];
			pr->pid = pid;
		} else {
			free(pr->prog);
		}
		pr->prog = dup;
		return add_object(r, path, NULL, false);
	}
	return add_object(r, path, pr ? pr->prog : r->prog, dlopened);
}

/*
 * One report line: "hugetext", "pid" and "trigger" at the top (the
 * writer puts them before "objects"), then the "path" of each member of
 * "objects" (depth 3; their segments have none).  Returns 0, -EINVAL
 * for a line that is not one of the library's reports, or -ENOMEM.
 */
static int parse_line(struct ht_ran *r, struct procs *ps, const char *line)
{
	struct ht_buf key = HT_BUF_INIT, val = HT_BUF_INIT;
	bool dlopened = false, first = true, is_report = false;
	const char *p = line, *q;
	long pid = -1;
	int depth = 0, ret = 0;

	while (*p && !ret) {
		if (*p == '{' || *p == '[')
			depth++;
		else if (*p == '}' || *p == ']')
			depth--;
		if (*p != '"') {
			p++;
			continue;
		}
		q = json_string(p + 1, &key);
		if (!q || !ht_buf_ok(&key)) {
			ret = q ? -ENOMEM : -EINVAL;
			break;
		}
		p = q = skip_space(q);
		if (*q != ':')
			continue;	/* a string in an array */
		p = q = skip_space(q + 1);
		if (depth == 1 && !strcmp(key.s, "hugetext"))
			is_report = true;
		else if (depth == 1 && !strcmp(key.s, "pid"))
			pid = strtol(q, NULL, 10);
		if (*q != '"')
			continue;
		q = json_string(q + 1, &val);
		if (!q || !ht_buf_ok(&val)) {
			ret = q ? -ENOMEM : -EINVAL;
			break;
		}
		p = q;
		if (depth == 1 && !strcmp(key.s, "trigger"))
			dlopened = !strcmp(val.s, "dlopen");
		else if (depth == 3 && is_report && !strcmp(key.s, "path"))
			ret = line_object(r, ps, pid, dlopened, &first, val.s);
	}
	if (!ret && !is_report)
		ret = -EINVAL;
	ht_buf_free(&key);
	ht_buf_free(&val);
	return ret;
}

/* The whole report file, line by line; it is removed by the caller. */
static int read_report(struct ht_ran *r, int fd, char *err, size_t errlen)
{
	struct ht_buf b = HT_BUF_INIT;
	struct procs ps = { 0 };
	char chunk[65536], *line, *nl;
	ssize_t n;
	size_t i;
	int ret = 0;

	while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = fail(-errno, err, errlen, "cannot read the "
				   "report: %s", strerror(errno));
			goto out;
		}
		ht_buf_put(&b, chunk, (size_t)n);
	}
	ht_buf_putc(&b, '\0');
	if (!ht_buf_ok(&b)) {
		ret = fail(-ENOMEM, err, errlen, "out of memory");
		goto out;
	}
	for (line = b.s; *line && !ret; line = nl ? nl + 1 : line +
	     strlen(line)) {
		nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		if (!*line)
			continue;
		r->lines++;
		ret = parse_line(r, &ps, line);
		if (ret == -EINVAL)
			ret = fail(ret, err, errlen, "report line %zu is not "
				   "the library's", r->lines);
		else if (ret)
			ret = fail(ret, err, errlen, "out of memory");
	}
out:
	for (i = 0; i < ps.n; i++)
		free(ps.p[i].prog);
	free(ps.p);
	ht_buf_free(&b);
	return ret;
}

/* ------------------------------------------------------------------ */
/* The run. */

/* In the child: the environment of a dry run reporting to @report. */
static int child_env(const char *lib, const char *report)
{
	const char *old = getenv("LD_AUDIT");
	char *val = NULL;
	int ret;

	if (old && *old && !ht_audit_listed(old, lib)) {
		if (asprintf(&val, "%s:%s", lib, old) < 0)
			return -ENOMEM;
	}
	ret = setenv("LD_AUDIT", val ? val : old && *old ? old : lib, 1);
	free(val);
	/*
	 * What --run is for: nothing changed, every object reported,
	 * dlopen()s too.  The user's other settings (a strategy, the
	 * seccomp choice, --no-inherit's) stay, as under the launcher.
	 */
	if (!ret)
		ret = setenv(HT_ENV_DRY_RUN, "1", 1);
	if (!ret)
		ret = setenv(HT_ENV_REPORT, report, 1);
	if (!ret)
		ret = setenv(HT_ENV_DLOPEN, "1", 1);
	if (!ret)
		ret = unsetenv(HT_ENV_DISABLE);
	if (!ret)
		ret = unsetenv(HT_ENV_UNFILTERED);
	return ret ? -errno : 0;
}

int ht_check_run(char **argv, struct ht_ran *r, char *err, size_t errlen)
{
	char libbuf[PATH_MAX], path[PATH_MAX], report[PATH_MAX];
	struct sigaction ign = { .sa_handler = SIG_IGN }, oint, oquit;
	const char *lib, *found, *tmp = getenv("TMPDIR");
	int fd, pfd[2], cerr = 0, ret = 0, st;
	ssize_t n;
	pid_t pid;

	memset(r, 0, sizeof(*r));
	lib = ht_find_library(libbuf, sizeof(libbuf));
	if (!ht_is_file(lib))
		return fail(-ENOENT, err, errlen, "library %s not found (set "
			    "%s or reinstall)", lib, HT_ENV_LIBRARY);
	if (strchr(lib, ':'))
		return fail(-EINVAL, err, errlen, "library path '%s' contains "
			    "a colon, which LD_AUDIT cannot carry", lib);
	found = ht_resolve_program(argv[0], path, sizeof(path));
	r->prog = strdup(found ? found : argv[0]);
	if (!r->prog)
		return fail(-ENOMEM, err, errlen, "out of memory");
	/* The report file: ours, private, named only while it runs. */
	snprintf(report, sizeof(report), "%s/hugetext-check-XXXXXX",
		 tmp && *tmp == '/' ? tmp : "/tmp");
	fd = mkstemp(report);
	if (fd < 0)
		return fail(-errno, err, errlen, "cannot create a report file "
			    "in %s: %s", tmp && *tmp == '/' ? tmp : "/tmp",
			    strerror(errno));
	if (pipe2(pfd, O_CLOEXEC)) {
		ret = fail(-errno, err, errlen, "pipe: %s", strerror(errno));
		goto out;
	}
	/* Like time(1): ^C stops the program, and the check goes on. */
	sigaction(SIGINT, &ign, &oint);
	sigaction(SIGQUIT, &ign, &oquit);
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		close(pfd[0]);
		sigaction(SIGINT, &oint, NULL);
		sigaction(SIGQUIT, &oquit, NULL);
		close(fd);
		/* Standard output is the check's: the program's goes to
		 * standard error. */
		cerr = dup2(2, 1) < 0 ? errno : 0;
		if (!cerr)
			cerr = -child_env(lib, report);
		if (!cerr) {
			execvp(argv[0], argv);
			cerr = errno;
		}
		if (write(pfd[1], &cerr, sizeof(cerr)) < 0) {
			/* the parent then sees a failed run */
		}
		_exit(HT_EXIT_CANNOT_RUN);
	}
	close(pfd[1]);
	if (pid < 0) {
		ret = fail(-errno, err, errlen, "fork: %s", strerror(errno));
		close(pfd[0]);
		goto sig;
	}
	do
		n = read(pfd[0], &cerr, sizeof(cerr));
	while (n < 0 && errno == EINTR);
	close(pfd[0]);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (n != 0) {
		if (n != sizeof(cerr))
			cerr = EIO;
		ret = fail(-cerr, err, errlen, "cannot run '%s': %s", argv[0],
			   strerror(cerr));
		goto sig;
	}
	r->status = st;
	ret = read_report(r, fd, err, errlen);
sig:
	sigaction(SIGINT, &oint, NULL);
	sigaction(SIGQUIT, &oquit, NULL);
out:
	close(fd);
	unlink(report);
	return ret;
}

void ht_ran_free(struct ht_ran *r)
{
	size_t i;

	for (i = 0; i < r->n; i++) {
		free(r->obj[i].path);
		free(r->obj[i].prog);
	}
	free(r->obj);
	free(r->prog);
	memset(r, 0, sizeof(*r));
}
