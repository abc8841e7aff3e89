// SPDX-License-Identifier: MIT
/*
 * cmd_status.c - hugetext status [--json] [PID|self], and
 * hugetext status --all [--json|--prom] [--cgroup GLOB] [--unit GLOB]
 *
 * For a running process: every executable file mapping, its size, the
 * bytes eligible for 2 MiB pages, the bytes PMD-mapped now, and why not
 * for the rest, with the reason codes of the core report.  Reads
 * /proc/PID/smaps directly: it already names each mapping's file and
 * offset, which is all the span arithmetic needs.
 *
 * With --all, the same for every process of the host (the fleet view):
 * one line per process with eligible text, the report's object per
 * process with --json, or per executable the daemon's gauges with
 * --prom (fleet.c: the same names and meanings as its textfile).
 *
 * Exit status: 0 all eligible text is huge, 1 some is not, 2 error, 3
 * none of its text is eligible (so nothing was checked).
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "cli.h"
#include "commands.h"
#include "daemon.h"
#include "fleet.h"
#include "header.h"
#include "json.h"
#include "procinfo.h"
#include "remote.h"

static const char *prog = "hugetext status";

static void usage(FILE *f)
{
	fprintf(f,
"Usage: hugetext status [options] PID|self\n"
"   or: hugetext status --all [options]\n"
"Show how much of a process's executable text is on 2 MiB pages.\n"
"\n"
"For each executable file mapping of process PID (self: this command\n"
"itself), how much of its text is eligible for 2 MiB pages and how much\n"
"is on them now; with --all, for every process of the host, one line\n"
"each.\n"
"\n"
"Options:\n"
"  -a, --all            every process (those it may read), not one\n"
"  -j, --json           one JSON object (the format of --report; with\n"
"                       --all, one object holding one such per process)\n"
"      --prom           with --all: Prometheus text format, per\n"
"                       executable (the gauges of the daemon's textfile)\n"
"      --cgroup=GLOB    with --all: only processes whose cgroup v2 path\n"
"                       matches GLOB (\"/system.slice/*\")\n"
"      --unit=GLOB      with --all: only processes of a matching systemd\n"
"                       unit (\"nginx.service\", \"*.scope\")\n"
"  -h, --help           show this help and exit\n"
"\n"
"Exit status: 0 all eligible text is huge, 1 some is not, 2 error or bad\n"
"usage, 3 none of its text (with --all: of any process's) is eligible.\n"
"See hugetext(1).\n");
}

/* "self" or a positive decimal number; 0 means self. */
int ht_parse_pid(const char *s, pid_t *out)
{
	char *end;
	long v;

	if (!strcmp(s, "self")) {
		*out = 0;
		return 0;
	}
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v <= 0 || v > 0x3fffffff)
		return -EINVAL;
	*out = (pid_t)v;
	return 0;
}

/* One line for why another process cannot be looked at. */
const char *ht_pid_error(int err)
{
	switch (err) {
	case -ESRCH:
		return "no such process";
	case -EACCES:
		return "not allowed to read its memory maps (needs the same "
		       "user and ptrace read access, or CAP_SYS_PTRACE)";
	case -EPERM:
		return "not allowed to advise its memory (needs "
		       "CAP_SYS_NICE and ptrace read access)";
	case -ENOEXEC:
		return "maps no executable file (a kernel thread or a "
		       "zombie): nothing to check";
	}
	return strerror(-err);
}

/* What `status --all` was asked for. */
struct fleet_opts {
	bool json, prom;
	const char *cgroup, *unit;	/* fnmatch() globs, or NULL */
};

/* What it found. */
struct fleet {
	struct ht_buf out;
	struct ht_jw w;
	struct ht_dexe *exe;	/* per executable, for --prom */
	size_t nexe, capexe;
	unsigned int listed;	/* with eligible text */
	unsigned int none;	/* executable mappings, nothing eligible */
	unsigned int denied;	/* not ours to read */
	unsigned int failed;	/* could not be read for another reason */
	struct ht_totals t;
};

/* Human lines stay one line each: control bytes are shown escaped. */
static void put_name(struct ht_buf *b, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;

	for (; *s; s++)
		if (*s < 0x20 || *s == 0x7f)
			ht_buf_printf(b, "\\x%02x", *s);
		else
			ht_buf_putc(b, *s);
}

static unsigned int pct(uint64_t part, uint64_t whole)
{
	return whole ? (unsigned int)((part * 100 + whole / 2) / whole) : 0;
}

static double mib(uint64_t bytes)
{
	return (double)bytes / (1024 * 1024);
}

/* The per-executable figures: one entry per path, summed. */
static int add_exe(struct fleet *f, const char *exe,
		   const struct ht_totals *t)
{
	struct ht_dexe *x = NULL;
	size_t i;

	for (i = 0; i < f->nexe && !x; i++)
		if (!strcmp(f->exe[i].exe, exe))
			x = &f->exe[i];
	if (!x) {
		if (ht_grow(&f->exe, &f->capexe, f->nexe, sizeof(*f->exe), 16))
			return -ENOMEM;
		x = &f->exe[f->nexe];
		memset(x, 0, sizeof(*x));
		x->exe = strdup(exe);
		if (!x->exe)
			return -ENOMEM;
		f->nexe++;
	}
	x->procs++;
	x->eligible += t->eligible;
	x->huge += t->huge;
	return 0;
}

/* Is @pid one the filters let through? */
static bool wanted(const struct fleet_opts *o, pid_t pid)
{
	char cg[4096], unit[256];

	if (!o->cgroup && !o->unit)
		return true;
	if (ht_proc_cgroup(pid, cg, sizeof(cg), unit, sizeof(unit)))
		return false;	/* no cgroup v2 path: none to match */
	if (o->cgroup && fnmatch(o->cgroup, cg, 0))
		return false;
	return !o->unit || (*unit && !fnmatch(o->unit, unit, 0));
}

/*
 * One process: scanned and added to @f.  Kernel threads, zombies and
 * processes gone meanwhile are passed over quietly; those we may not
 * read are counted.  Returns 0, or -ENOMEM.
 */
static int look_at(const struct fleet_opts *o, struct fleet *f, pid_t pid)
{
	char exe[4096], comm[64];
	struct ht_run run;
	struct ht_totals t;
	enum ht_reason why;
	int ret;

	if (!wanted(o, pid))
		return 0;
	ret = ht_proc_exe(pid, exe, sizeof(exe));
	if (ret == -ENOENT || ret == -ESRCH)
		return 0;	/* a kernel thread or a zombie, or gone */
	if (!ret)
		ret = ht_remote_scan(pid, &run);
	if (ret == -ENOEXEC || ret == -ESRCH || ret == -ENOENT)
		return 0;
	if (ret == -EACCES || ret == -EPERM) {
		f->denied++;
		return 0;
	}
	if (ret == -ENOMEM)
		return ret;
	if (ret) {
		f->failed++;
		fprintf(stderr, "%s: %d: %s\n", prog, (int)pid,
			ht_pid_error(ret));
		return 0;
	}
	ht_run_totals(&run, &t);
	f->t.text += t.text;
	f->t.eligible += t.eligible;
	f->t.huge += t.huge;
	if (t.eligible) {
		f->listed++;
		ret = add_exe(f, exe, &t);
	} else {
		f->none++;
	}
	if (o->json) {
		ht_report_jw(&f->w, NULL, &run);
	} else if (!o->prom && t.eligible) {
		ht_proc_comm(pid, comm, sizeof(comm));
		ht_buf_printf(&f->out, "hugetext[%d]: ", (int)pid);
		put_name(&f->out, comm);
		ht_buf_printf(&f->out, " (");
		put_name(&f->out, exe);
		ht_buf_printf(&f->out, "): eligible %.1f MiB, huge %.1f MiB "
			      "(%u%%)", mib(t.eligible), mib(t.huge),
			      pct(t.huge, t.eligible));
		why = ht_run_reason(&run);
		if (why != HT_R_NONE)
			ht_buf_printf(&f->out, ": %s: %s", ht_reason_name(why),
				      ht_reason_text(why));
		ht_buf_putc(&f->out, '\n');
	}
	ht_run_free(&run);
	return ret;
}

static void fleet_human_end(struct fleet *f)
{
	struct ht_buf *b = &f->out;

	if (f->none)
		ht_buf_printf(b, "hugetext: %u process%s with executable "
			      "mappings but nothing eligible\n", f->none,
			      f->none == 1 ? "" : "es");
	if (f->denied)
		ht_buf_printf(b, "hugetext: %u process%s not read (needs "
			      "ptrace read access, or CAP_SYS_PTRACE)\n",
			      f->denied, f->denied == 1 ? "" : "es");
	ht_buf_printf(b, "hugetext: total: %u process%s with eligible text, "
		      "eligible %.1f MiB, huge %.1f MiB (%u%% of eligible)\n",
		      f->listed, f->listed == 1 ? "" : "es",
		      mib(f->t.eligible), mib(f->t.huge),
		      pct(f->t.huge, f->t.eligible));
}

static void fleet_json_end(struct fleet *f)
{
	struct ht_jw *w = &f->w;

	ht_jw_array_close(w);
	ht_jw_open(w, "totals");
	ht_jw_u64(w, "processes", f->listed + f->none);
	ht_jw_u64(w, "with_eligible", f->listed);
	ht_jw_u64(w, "nothing_eligible", f->none);
	ht_jw_u64(w, "unreadable", f->denied + f->failed);
	ht_jw_u64(w, "text_bytes", f->t.text);
	ht_jw_u64(w, "eligible_bytes", f->t.eligible);
	ht_jw_u64(w, "huge_bytes", f->t.huge);
	ht_jw_u64(w, "host_file_pmd_mapped_bytes",
		  ht_meminfo("FilePmdMapped:"));
	ht_jw_u64(w, "host_shmem_pmd_mapped_bytes",
		  ht_meminfo("ShmemPmdMapped:"));
	ht_jw_close(w);
	ht_jw_close(w);
	ht_buf_putc(&f->out, '\n');
}

static int status_all(const struct fleet_opts *o)
{
	struct fleet f = { .out = HT_BUF_INIT };
	pid_t self = getpid();
	struct dirent *de;
	size_t i;
	DIR *dir;
	int ret = 0;

	dir = opendir("/proc");
	if (!dir) {
		fprintf(stderr, "%s: /proc: %s\n", prog, strerror(errno));
		return HT_EXIT_FAIL;
	}
	ht_jw_init(&f.w, &f.out);
	if (o->json) {
		struct ht_who who;

		/* About many processes: the header names this command. */
		ht_who_read(0, &who);
		ht_jw_open(&f.w, NULL);
		ht_jw_header(&f.w, &who);
		ht_jw_str(&f.w, "cgroup_filter", o->cgroup);
		ht_jw_str(&f.w, "unit_filter", o->unit);
		ht_jw_array_open(&f.w, "processes");
	}
	while (!ret && (de = readdir(dir))) {
		pid_t pid;

		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		pid = (pid_t)strtol(de->d_name, NULL, 10);
		/* This command's own text says nothing about the host. */
		if (pid != self)
			ret = look_at(o, &f, pid);
	}
	closedir(dir);
	if (o->json) {
		fleet_json_end(&f);
	} else if (o->prom) {
		ht_fleet_prom_exes(&f.out, f.exe, f.nexe);
		ht_fleet_prom_host(&f.out);
	} else {
		fleet_human_end(&f);
	}
	if (!ret)
		ret = ht_buf_write(&f.out, STDOUT_FILENO);
	ht_buf_free(&f.out);
	for (i = 0; i < f.nexe; i++)
		free(f.exe[i].exe);
	free(f.exe);
	if (ret == -ENOMEM) {
		fprintf(stderr, "%s: %s\n", prog, strerror(-ret));
		return HT_EXIT_FAIL;
	}
	if (ret && ret != -EPIPE) {
		fprintf(stderr, "%s: write error on standard output: %s\n",
			prog, strerror(-ret));
		return HT_EXIT_FAIL;
	}
	if (!f.t.eligible)
		return HT_EXIT_NONE_ELIGIBLE;
	return f.t.huge < f.t.eligible ? 1 : 0;
}

int ht_cmd_status(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "all", no_argument, NULL, 'a' },
		{ "json", no_argument, NULL, 'j' },
		{ "prom", no_argument, NULL, 'P' },
		{ "cgroup", required_argument, NULL, 'C' },
		{ "unit", required_argument, NULL, 'U' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct fleet_opts fo = { 0 };
	struct ht_run run;
	struct ht_totals t;
	bool json = false, all = false;
	pid_t pid = 0;
	int c, ret;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+:ajh", longopts, NULL)) != -1) {
		switch (c) {
		case 'a':
			all = true;
			break;
		case 'j':
			json = true;
			break;
		case 'P':
			fo.prom = true;
			break;
		case 'C':
			fo.cgroup = optarg;
			break;
		case 'U':
			fo.unit = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			return ht_getopt_error(prog, HT_EXIT_FAIL, c, argv);
		}
	}
	if (all && optind < argc)
		return ht_usage_error(prog, HT_EXIT_FAIL, "--all or a PID, "
				      "not both");
	if (!all && (fo.prom || fo.cgroup || fo.unit))
		return ht_usage_error(prog, HT_EXIT_FAIL, "--%s needs --all",
				      fo.prom ? "prom" : fo.cgroup ? "cgroup" :
				      "unit");
	if (json && fo.prom)
		return ht_usage_error(prog, HT_EXIT_FAIL, "--json or --prom, "
				      "not both");
	if (all) {
		fo.json = json;
		return status_all(&fo);
	}
	/* Not self by default: this command's own text is never asked for. */
	if (optind >= argc)
		return ht_usage_error(prog, HT_EXIT_FAIL, "no PID given (a PID, "
				      "self, or --all)");
	if (argc - optind > 1)
		return ht_usage_error(prog, HT_EXIT_FAIL, "one PID at a time");
	if (optind < argc && ht_parse_pid(argv[optind], &pid))
		return ht_usage_error(prog, HT_EXIT_FAIL,
				      "invalid process ID '%s'", argv[optind]);
	ret = ht_remote_scan(pid, &run);
	if (ret) {
		fprintf(stderr, "%s: %s: %s\n", prog,
			optind < argc ? argv[optind] : "self",
			ht_pid_error(ret));
		return HT_EXIT_FAIL;
	}
	fflush(stdout);
	ret = json ? ht_report_json(&run, STDOUT_FILENO) :
		     ht_report_human(&run, STDOUT_FILENO);
	ht_run_totals(&run, &t);
	ht_run_free(&run);
	if (ret && ret != -EPIPE) {
		fprintf(stderr, "%s: write error on standard output: %s\n",
			prog, strerror(-ret));
		return HT_EXIT_FAIL;
	}
	/* Nothing eligible is not "all huge": nothing was checked. */
	if (!t.eligible)
		return HT_EXIT_NONE_ELIGIBLE;
	return t.huge < t.eligible ? 1 : 0;
}
