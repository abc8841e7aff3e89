// SPDX-License-Identifier: MIT
/*
 * launcher.c - hugetext [options] [--] PROGRAM [ARGS...]
 *
 * Turns options into HUGETEXT_* variables, prepends libhugetext.so to
 * LD_AUDIT (an rtld-audit module sees every object loaded, in every
 * namespace, without interposing on anything) and execs PROGRAM, like
 * numactl or taskset.  Exit statuses
 * follow env(1): 125 for hugetext's own errors, 126 when PROGRAM cannot
 * be run, 127 when it is not found; otherwise PROGRAM's own.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <gnu/libc-version.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "cli.h"
#include "commands.h"
#include "config.h"
#include "elf_segments.h"
#include "htpaths.h"
#include "text_collapse.h"

#define EXIT_HT_ERROR	HT_EXIT_ERROR
#define EXIT_CANNOT_RUN	HT_EXIT_CANNOT_RUN
#define EXIT_NOT_FOUND	HT_EXIT_NOT_FOUND

#define LIB_NAME	"libhugetext.so"

static const char *prog = "hugetext";

static void usage(void)
{
	printf(
"Usage: %s [options] [--] PROGRAM [ARGS...]\n"
"   or: %s [options] --pid PID\n"
"   or: %s COMMAND [options] [ARGS...]\n"
"Run PROGRAM with its executable text on 2 MiB pages.\n"
"\n"
"The text of PROGRAM and of its shared libraries is backed by huge pages\n"
"of the shared page cache (not private copies).\n"
"\n"
"Commands ('%s help COMMAND' or '%s COMMAND --help' for each):\n"
"  check                tell which text can be huge here, and why not\n"
"  prime                make files' page cache huge before they run\n"
"  status               show how much of a process's text is huge\n"
"  daemon               keep the text of every process on the host huge\n"
"  help                 show this help, or a COMMAND's\n"
"\n"
"Options:\n"
"  -v, --verbose        say on stderr what was done: one line per\n"
"                       process, and one per object of 2 MiB of text\n"
"                       or more; twice (-vv) for every object\n"
"  -n, --dry-run        change nothing; report what would be done\n"
"                       (on stderr, unless --report is given)\n"
"  -s, --strategy=NAME  auto (default), collapse, refault, none, or copy\n"
"  -r, --report=FILE    append one JSON object per process to FILE\n"
"  -p, --pid=PID        act on a running process instead (needs\n"
"                       CAP_SYS_NICE and ptrace read access)\n"
"      --inject         with --pid: stop one of its threads for a moment\n"
"                       and make the calls that remap its text from\n"
"                       inside it, where no route can from outside\n"
"                       (needs ptrace attach rights)\n"
"      --no-inherit     do not pass the library on to child processes\n"
"      --no-dlopen      leave libraries loaded later by dlopen alone\n"
"      --budget=MS      stop a pass after MS milliseconds (0: never;\n"
"                       default 500 + 4 per MiB of eligible text)\n"
"      --via-ldso       start PROGRAM through its dynamic loader (ld.so\n"
"                       --argv0 PROGRAM PATH ARGS), which maps a PIE\n"
"                       2 MiB-aligned on ext4 and xfs: its text can then\n"
"                       share huge page cache; /proc/self/exe and the\n"
"                       process name are the loader's, not PROGRAM's\n"
"      --seccomp=try    act even in a process under a seccomp filter\n"
"                       (default skip: a filter may kill the process\n"
"                       for a call it does not make itself)\n"
"  -h, --help           show this help and exit\n"
"  -V, --version        show the version and exit\n"
"\n"
"Strategies: collapse uses MADV_COLLAPSE (tmpfs, or kernels with\n"
"CONFIG_READ_ONLY_THP_FOR_FS); refault drops small page-cache pages and\n"
"faults them back as 2 MiB folios (ext4 from Linux 6.16, xfs); auto\n"
"tries collapse, then, for regular files, refault; none changes nothing.\n"
"copy (never chosen by auto) gives each process a private anonymous copy\n"
"of its text on huge pages (shared with children it forks after): no\n"
"page-cache sharing, and perf or gdb no longer see the file behind it;\n"
"for kernels where no file route works, and for PIEs linked with 4 KiB\n"
"pages, whose text the page cache cannot map huge where the kernel puts\n"
"it (a copy needs no congruence; or try --via-ldso).\n"
"\n"
"Exit status: PROGRAM's own; 125 hugetext failed; 126 PROGRAM found but\n"
"not runnable; 127 PROGRAM not found.  With --pid: 0 all eligible text\n"
"is huge, 1 some is not, 2 the process cannot be reached, 3 none of its\n"
"text is eligible.  See hugetext(1).\n", prog, prog, prog, prog, prog);
}

static void __attribute__((noreturn, format(printf, 2, 3)))
die(int status, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(status);
}

static void set(const char *name, const char *value)
{
	if (setenv(name, value, 1))
		die(EXIT_HT_ERROR, "cannot set %s: %s", name, strerror(errno));
}

bool ht_is_file(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

const char *ht_find_library(char *buf, size_t len)
{
	const char *env = getenv(HT_ENV_LIBRARY);
	char self[PATH_MAX];
	ssize_t n;

	if (env && *env)
		return env;
	/*
	 * In the build tree the launcher sits next to libhugetext.la and
	 * the library is in .libs: found from where it runs, so that no
	 * build directory is compiled in (reproducible, relocatable).
	 */
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n > 0) {
		char *slash;

		self[n] = '\0';
		slash = strrchr(self, '/');
		if (slash) {
			*slash = '\0';
			snprintf(buf, len, "%s/libhugetext.la", self);
			if (ht_is_file(buf)) {
				snprintf(buf, len, "%s/.libs/%s", self,
					 LIB_NAME);
				if (ht_is_file(buf))
					return buf;
			}
		}
	}
	snprintf(buf, len, "%s/%s", HT_PKGLIBDIR, LIB_NAME);
	return buf;
}

bool ht_audit_listed(const char *list, const char *lib)
{
	size_t len = strlen(lib);
	const char *p = list;

	while (*p) {
		size_t n = strcspn(p, ":");

		if (n == len && !strncmp(p, lib, len))
			return true;
		p += n;
		if (*p)
			p++;
	}
	return false;
}

/* LD_AUDIT=lib[:what was there], never overwriting another module. */
static void prepend_audit(const char *lib)
{
	const char *old = getenv("LD_AUDIT");
	char *val;

	/* ld.so splits LD_AUDIT at colons: such a path cannot be used. */
	if (strchr(lib, ':'))
		die(EXIT_HT_ERROR, "library path '%s' contains a colon, "
		    "which LD_AUDIT cannot carry", lib);
	if (!old || !*old) {
		set("LD_AUDIT", lib);
		return;
	}
	if (ht_audit_listed(old, lib))
		return;
	if (asprintf(&val, "%s:%s", lib, old) < 0)
		die(EXIT_HT_ERROR, "out of memory");
	set("LD_AUDIT", val);
	free(val);
}

const char *ht_resolve_program(const char *name, char *buf, size_t len)
{
	const char *path = getenv("PATH"), *p;

	if (strchr(name, '/'))
		return name;
	if (!path) {
		/* execvp's own default search path. */
		static char def[256];

		if (!confstr(_CS_PATH, def, sizeof(def)))
			return NULL;
		path = def;
	}
	for (p = path; ; ) {
		size_t n = strcspn(p, ":");

		snprintf(buf, len, "%.*s%s%s", (int)n, p, n ? "/" : "", name);
		if (access(buf, X_OK) == 0 && ht_is_file(buf))
			return buf;
		p += n;
		if (!*p)
			break;
		p++;
	}
	return NULL;
}

static enum ht_elf_kind peek(const char *path)
{
	enum ht_elf_kind kind;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return HT_ELF_NOT_ELF;
	kind = ht_elf_peek(fd);
	close(fd);
	return kind;
}

/*
 * No filter on us now means none on the program at its start-up pass:
 * filters pass through exec and nothing runs in between but ld.so.  The
 * library then need not read /proc to know (HT_ENV_UNFILTERED, "PID
 * PATH": believed only in this process, by an image exec'd from that
 * very path, so that a program the library does not load (static, not
 * x86-64) cannot hand it on to what it execs under a filter of its
 * own).  Under a filter the library stays silent, so this says why.
 */
static void unfiltered_claim(enum ht_elf_kind kind, const char *path,
			     bool verbose)
{
	const char *sc = getenv(HT_ENV_SECCOMP);
	char buf[PATH_MAX + 32];

	unsetenv(HT_ENV_UNFILTERED);
	if (ht_seccomp_active(NULL)) {
		if (verbose && !(sc && !strcmp(sc, "try")))
			fprintf(stderr, "%s: %s runs under a seccomp filter: "
				"its text is left alone (--seccomp=try to act "
				"anyway)\n", prog, path ? path : "the program");
		return;
	}
	if (!path || (kind != HT_ELF_DYNAMIC && kind != HT_ELF_NOT_ELF))
		return;
	snprintf(buf, sizeof(buf), "%d %s", (int)getpid(), path);
	set(HT_ENV_UNFILTERED, buf);
}

/*
 * glibc's ld.so takes --argv0 since 2.33.  Asked of the launcher's own
 * libc: the system's, whose loader programs name in PT_INTERP.
 */
static bool ldso_has_argv0(void)
{
	unsigned int maj = 0, min = 0;

	if (sscanf(gnu_get_libc_version(), "%u.%u", &maj, &min) != 2)
		return false;
	return maj > 2 || (maj == 2 && min >= 33);
}

/*
 * --via-ldso: the loader that @path names (PT_INTERP) into @buf, when
 * starting @path through it keeps its meaning; else NULL, and with
 * @verbose one line why it runs as usual.  A set-user-ID, set-group-ID
 * or file-capability program would lose its privileges (ld.so has
 * none of its own), so it is run as it is.
 */
static const char *via_ldso(const char *path, enum ht_elf_kind kind,
			    bool verbose, char *buf, size_t len)
{
	const char *why = NULL;
	struct stat st;
	int fd, ret;

	if (kind != HT_ELF_DYNAMIC) {
		why = "not a dynamically linked x86-64 program";
	} else if (stat(path, &st) || (st.st_mode & (S_ISUID | S_ISGID)) ||
		   getxattr(path, "security.capability", NULL, 0) >= 0) {
		why = "set-user-ID, set-group-ID or with file capabilities "
		      "(ld.so would run it without its privileges)";
	} else if (!ldso_has_argv0()) {
		why = "this glibc's ld.so has no --argv0 (glibc < 2.33)";
	} else {
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
		ret = fd < 0 ? -errno : ht_elf_interp(fd, buf, len);
		if (fd >= 0)
			close(fd);
		if (ret)
			why = "its program interpreter cannot be read";
		else if (!ht_is_file(buf) || access(buf, X_OK))
			why = "its program interpreter is not an executable "
			      "file";
	}
	if (!why)
		return buf;
	if (verbose)
		fprintf(stderr, "%s: --via-ldso: %s: %s: run as it is\n",
			prog, path, why);
	return NULL;
}

/*
 * Run @path (@argv as given) as "@loader --argv0 ARGV0 PATH ARGS": the
 * program keeps its argv[0], and the loader maps it like a library.
 * Returns only by dying.
 */
static void __attribute__((noreturn))
exec_via(const char *loader, const char *path, int argc, char **argv)
{
	char **args = calloc(argc + 4, sizeof(*args));
	char *where = (char *)path;
	int i;

	if (!args)
		die(EXIT_HT_ERROR, "out of memory");
	/* ld.so searches no PATH: a name needs a slash. */
	if (!strchr(path, '/') && asprintf(&where, "./%s", path) < 0)
		die(EXIT_HT_ERROR, "out of memory");
	args[0] = (char *)loader;
	args[1] = "--argv0";
	args[2] = argv[0];
	args[3] = where;
	for (i = 1; i < argc; i++)
		args[i + 3] = argv[i];
	execv(loader, args);
	die(errno == ENOENT || errno == ENOTDIR ? EXIT_NOT_FOUND :
	    EXIT_CANNOT_RUN, "cannot run '%s' through %s: %s", argv[0],
	    loader, strerror(errno));
}

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
} commands[] = {
	{ "check", ht_cmd_check },
	{ "prime", ht_cmd_prime },
	{ "status", ht_cmd_status },
	{ "daemon", ht_cmd_daemon },
};

/*
 * The library can only append to a report file, and inside the
 * program it has nowhere to say it could not (-v aside): a report
 * whose directory is missing would lose every line without a word.
 * Returns 0, or -errno (-ENOTDIR: a component is not a directory).
 */
static int report_dir_ok(const char *path)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	struct stat sb;
	size_t n;

	if (!slash)
		return 0;	/* the working directory, which exists */
	n = slash == path ? 1 : (size_t)(slash - path);
	if (n >= sizeof(dir))
		return -ENAMETOOLONG;
	memcpy(dir, path, n);
	dir[n] = '\0';
	if (stat(dir, &sb))
		return -errno;
	return S_ISDIR(sb.st_mode) ? 0 : -ENOTDIR;
}

/*
 * hugetext help [COMMAND]: the top usage, or COMMAND's (its own --help,
 * so that there is one text for each).
 */
static int help(int argc, char **argv)
{
	char *hargv[] = { NULL, (char *)"--help", NULL };
	size_t i;

	if (argc > 2)
		return ht_usage_error(prog, EXIT_HT_ERROR, "help: one "
				      "COMMAND at a time");
	if (argc < 2 || !strcmp(argv[1], "help") ||
	    !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		usage();
		return 0;
	}
	for (i = 0; i < sizeof(commands) / sizeof(*commands); i++)
		if (!strcmp(argv[1], commands[i].name)) {
			hargv[0] = argv[1];
			return commands[i].fn(2, hargv);
		}
	return ht_usage_error(prog, EXIT_HT_ERROR, "help: unknown COMMAND "
			      "'%s' (check, prime, status, daemon or help)",
			      argv[1]);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "verbose", no_argument, NULL, 'v' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "strategy", required_argument, NULL, 's' },
		{ "report", required_argument, NULL, 'r' },
		{ "pid", required_argument, NULL, 'p' },
		{ "no-inherit", no_argument, NULL, 'I' },
		{ "no-dlopen", no_argument, NULL, 'D' },
		{ "seccomp", required_argument, NULL, 'S' },
		{ "budget", required_argument, NULL, 'B' },
		{ "inject", no_argument, NULL, 'J' },
		{ "via-ldso", no_argument, NULL, 'L' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	char libbuf[PATH_MAX], pathbuf[PATH_MAX], ldbuf[PATH_MAX];
	bool dry_run = false, report = false, inject = false, ldso = false;
	int verbose = 0;
	pid_t pid = 0;
	enum ht_strategy strategy = HT_STRATEGY_AUTO;
	const char *lib, *path, *loader = NULL;
	enum ht_elf_kind kind;
	int c, ret;

	/* A subcommand only as the very first word: "hugetext -- check"
	 * runs a program called check, "hugetext -- help" one called help. */
	if (argc > 1) {
		size_t i;

		for (i = 0; i < sizeof(commands) / sizeof(*commands); i++)
			if (!strcmp(argv[1], commands[i].name)) {
				char name[32];

				snprintf(name, sizeof(name), "%s %s", prog,
					 commands[i].name);
				return ht_close_stdout(name, commands[i].fn(
					argc - 1, argv + 1), HT_EXIT_FAIL);
			}
		if (!strcmp(argv[1], "help"))
			return ht_close_stdout("hugetext help",
					       help(argc - 1, argv + 1),
					       EXIT_HT_ERROR);
	}

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:vns:r:p:hV", longopts,
				NULL)) != -1) {
		switch (c) {
		case 'v':
			/* -vv: every object, as HUGETEXT_VERBOSE=2 */
			if (verbose < 2)
				verbose++;
			set(HT_ENV_VERBOSE, verbose > 1 ? "2" : "1");
			break;
		case 'n':
			dry_run = true;
			set(HT_ENV_DRY_RUN, "1");
			break;
		case 's':
			if (ht_strategy_parse(optarg, &strategy))
				return ht_usage_error(prog, EXIT_HT_ERROR,
					"invalid --strategy '%s': use auto, collapse, refault, none or copy", optarg);
			set(HT_ENV_STRATEGY, optarg);
			break;
		case 'r':
			report = true;
			if (!*optarg)
				return ht_usage_error(prog, EXIT_HT_ERROR,
					"empty --report name");
			ret = report_dir_ok(optarg);
			if (ret)
				return ht_usage_error(prog, EXIT_HT_ERROR,
					"report file '%s': its directory: %s",
					optarg, strerror(-ret));
			set(HT_ENV_REPORT, optarg);
			break;
		case 'p':
			if (ht_parse_pid(optarg, &pid) || !pid)
				return ht_usage_error(prog, EXIT_HT_ERROR,
					"invalid process ID '%s'", optarg);
			break;
		case 'D':
			set(HT_ENV_DLOPEN, "0");
			break;
		case 'J':
			inject = true;
			break;
		case 'L':
			ldso = true;
			break;
		case 'I':
			set(HT_ENV_NO_INHERIT, "1");
			break;
		case 'B': {
			char *end;
			unsigned long ms;

			errno = 0;
			ms = strtoul(optarg, &end, 10);
			if (*optarg < '0' || *optarg > '9' || *end || errno ||
			    ms > 3600000)
				return ht_usage_error(prog, EXIT_HT_ERROR,
					"invalid --budget '%s': milliseconds, 0 for none", optarg);
			set(HT_ENV_BUDGET, optarg);
			break;
		}
		case 'S':
			if (strcmp(optarg, "try") && strcmp(optarg, "skip"))
				return ht_usage_error(prog, EXIT_HT_ERROR,
					"invalid --seccomp '%s': use try or skip", optarg);
			set(HT_ENV_SECCOMP, optarg);
			break;
		case 'h':
			usage();
			return ht_close_stdout(prog, 0, EXIT_HT_ERROR);
		case 'V':
			printf("hugetext %s\n", PACKAGE_VERSION);
			return ht_close_stdout(prog, 0, EXIT_HT_ERROR);
		default:
			return ht_getopt_error(prog, EXIT_HT_ERROR, c, argv);
		}
	}
	if (pid) {
		if (optind < argc)
			return ht_usage_error(prog, EXIT_HT_ERROR,
				"--pid takes no PROGRAM");
		if (ldso)
			return ht_usage_error(prog, EXIT_HT_ERROR,
				"--via-ldso starts a program: not with --pid");
		if (strategy == HT_STRATEGY_COPY)
			return ht_usage_error(prog, EXIT_HT_ERROR, "%s",
				ht_reason_text(HT_R_COPY_NO_CACHE));
		return ht_close_stdout(prog, ht_cmd_pid(pid, strategy, dry_run,
							inject), HT_EXIT_FAIL);
	}
	if (inject)
		return ht_usage_error(prog, EXIT_HT_ERROR,
			"--inject acts on a running process: use it with --pid");
	if (optind >= argc)
		return ht_usage_error(prog, EXIT_HT_ERROR, "no program given");
	/* A dry run exists to be read: show it unless it goes to a file. */
	if (dry_run && !report && !verbose) {
		verbose = 1;
		set(HT_ENV_VERBOSE, "1");
	}

	lib = ht_find_library(libbuf, sizeof(libbuf));
	if (!ht_is_file(lib))
		die(EXIT_HT_ERROR, "library %s not found (set %s or "
		    "reinstall)", lib, HT_ENV_LIBRARY);

	path = ht_resolve_program(argv[optind], pathbuf, sizeof(pathbuf));
	/*
	 * Only the headers are read, so the run path never loads libelf.
	 * Not ELF (a script: its interpreter takes the library); static:
	 * primed instead; not x86-64: nothing of ours can run in it, and
	 * ld.so would complain of the library.
	 */
	kind = path ? peek(path) : HT_ELF_NOT_ELF;
	if (kind == HT_ELF_STATIC)
		ht_prime_static(path, strategy, dry_run, verbose);
	if (kind == HT_ELF_FOREIGN) {
		if (verbose)
			fprintf(stderr, "%s: %s is not an x86-64 program: run "
				"as it is\n", prog, path);
	} else {
		prepend_audit(lib);
	}
	if (ldso && path)
		loader = via_ldso(path, kind, verbose, ldbuf, sizeof(ldbuf));
	unfiltered_claim(kind, loader ? loader : path, verbose);
	if (loader)
		exec_via(loader, path, argc - optind, argv + optind);

	/*
	 * Where PATH search already found it, exec that: execvp() would
	 * try every PATH entry before it again.  Anything odd (a script
	 * without #!, a race) gets execvp()'s own semantics.
	 */
	if (path)
		execv(path, argv + optind);
	execvp(argv[optind], argv + optind);
	die(errno == ENOENT || errno == ENOTDIR ? EXIT_NOT_FOUND :
	    EXIT_CANNOT_RUN, "cannot run '%s': %s", argv[optind],
	    strerror(errno));
}
