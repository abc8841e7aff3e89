// SPDX-License-Identifier: MIT
/*
 * cmd_pid.c - hugetext --pid PID: the routes on a running process from
 * outside (remote.c), reported like the library's own run.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "config.h"
#include "inject.h"
#include "remote.h"
#include "report.h"

static const char *prog = "hugetext";

/*
 * --pid: the routes from outside, reported like the preload's own run
 * (stdout, and --report's file).
 */
int ht_cmd_pid(pid_t pid, enum ht_strategy strategy, bool dry_run,
	       bool inject)
{
	struct ht_policy pol = { .strategy = strategy, .dry_run = dry_run,
				 .inject = inject };
	const char *report = getenv(HT_ENV_REPORT);
	struct ht_totals t;
	struct ht_run run;
	bool io_fail = false;
	int ret, err, fd;

	ret = ht_remote_scan(pid, &run);
	if (ret) {
		fprintf(stderr, "%s: --pid %d: %s\n", prog, (int)pid,
			ht_pid_error(ret));
		return HT_EXIT_FAIL;
	}
	pol.thp = run.thp;
	if (inject && !dry_run && ht_inject_check(pid) == -EPERM) {
		fprintf(stderr, "%s: --pid %d --inject: not allowed to trace "
			"it (needs the same user and Yama's ptrace_scope "
			"allowing it, or CAP_SYS_PTRACE)\n", prog, (int)pid);
		ht_run_free(&run);
		return HT_EXIT_FAIL;
	}
	ret = ht_remote_make_huge(pid, &run, &pol);
	if (ret && ret != -EAGAIN && ret != -ECANCELED) {
		fprintf(stderr, "%s: --pid %d: %s\n", prog, (int)pid,
			ret == -ESRCH ? "the process exited meanwhile" :
			ht_pid_error(ret));
		ht_run_free(&run);
		return HT_EXIT_FAIL;
	}
	fflush(stdout);
	err = ht_report_human(&run, STDOUT_FILENO);
	if (err && err != -EPIPE) {
		fprintf(stderr, "%s: write error on standard output: %s\n",
			prog, strerror(-err));
		io_fail = true;
	}
	if (report) {
		fd = open(report, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC,
			  0644);
		err = fd < 0 ? -errno : ht_report_json(&run, fd);
		if (err) {
			fprintf(stderr, "%s: cannot write %s: %s\n", prog,
				report, strerror(-err));
			io_fail = true;
		}
		if (fd >= 0)
			close(fd);
	}
	ht_run_totals(&run, &t);
	ht_run_free(&run);
	if (io_fail)
		return HT_EXIT_FAIL;
	/* Nothing eligible is not "all huge": nothing was checked. */
	if (!t.eligible)
		return HT_EXIT_NONE_ELIGIBLE;
	return ret ? 1 : 0;
}
