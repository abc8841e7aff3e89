// SPDX-License-Identifier: MIT
/*
 * cmd_status.c - hugetext status [--json] [PID|self]
 *
 * For a running process: every executable file mapping, its size, the
 * bytes eligible for 2 MiB pages, the bytes PMD-mapped now, and why not
 * for the rest, with the reason codes of the core report.  Reads
 * /proc/PID/smaps directly: it already names each mapping's file and
 * offset, which is all the span arithmetic needs.
 *
 * Exit status: 0 all eligible text is huge, 1 some is not, 2 error, 3
 * none of its text is eligible (so nothing was checked).
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "commands.h"
#include "remote.h"

static const char *prog = "hugetext status";

static void usage(FILE *f)
{
	fprintf(f,
"Usage: hugetext status [options] [PID|self]\n"
"Show, for each executable file mapping of a process, how much of its\n"
"text is eligible for 2 MiB pages and how much is on them now.\n"
"\n"
"  -j, --json   one JSON object (the format of --report)\n"
"  -h, --help   show this help\n"
"\n"
"Exit status: 0 all eligible text is huge, 1 some is not, 2 error, 3 none\n"
"of its text is eligible (each object's reason says why).\n");
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

int ht_cmd_status(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct ht_run run;
	struct ht_totals t;
	bool json = false;
	pid_t pid = 0;
	int c, ret;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+:jh", longopts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			return ht_getopt_error(prog, HT_EXIT_FAIL, c, argv);
		}
	}
	if (argc - optind > 1)
		return ht_usage_error(prog, HT_EXIT_FAIL, "one PID at a time");
	if (optind < argc && ht_parse_pid(argv[optind], &pid))
		return ht_usage_error(prog, HT_EXIT_FAIL,
				      "'%s' is not a process ID", argv[optind]);
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
