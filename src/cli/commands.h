/* SPDX-License-Identifier: MIT */
/*
 * commands.h - hugetext's subcommands.  Each takes the arguments after
 * its name (argv[0] is the subcommand's name) and returns the process's
 * exit status; only the launcher's main() calls exit().
 */
#ifndef HT_COMMANDS_H
#define HT_COMMANDS_H

/* Exit statuses shared by every part of the command-line tool. */
#define HT_EXIT_FAIL		2	/* a subcommand's error (and --pid's) */
#define HT_EXIT_NONE_ELIGIBLE	3	/* status, --pid: no text could be huge */
#define HT_EXIT_ERROR		125	/* hugetext's own error (env(1)) */
#define HT_EXIT_CANNOT_RUN	126
#define HT_EXIT_NOT_FOUND	127

#include <stdbool.h>
#include <sys/types.h>

#include "policy.h"

int ht_cmd_check(int argc, char **argv);
int ht_cmd_prime(int argc, char **argv);
int ht_cmd_status(int argc, char **argv);
int ht_cmd_daemon(int argc, char **argv);

/*
 * ht_cmd_pid - hugetext --pid: the routes on process @pid from outside,
 * reported on stdout (and to HUGETEXT_REPORT's file).  Returns the exit
 * status: 0 all huge, 1 some not, 2 when the process cannot be reached,
 * 3 when none of its text is eligible (nothing to make huge).
 */
int ht_cmd_pid(pid_t pid, enum ht_strategy strategy, bool dry_run,
	       bool inject);

/*
 * ht_prime_static - the launcher's run path for a statically linked
 * @path: its page cache primed before exec (its own faults then map the
 * huge folios); with @verbose one line on stderr.  Never fails.
 */
void ht_prime_static(const char *path, enum ht_strategy strategy,
		     bool dry_run, bool verbose);

/*
 * ht_find_library - the libhugetext.so that belongs to this program:
 * HUGETEXT_LIBRARY if set; the build tree's when this is the build
 * tree's launcher; else the installed one.  In @buf or static storage.
 */
const char *ht_find_library(char *buf, size_t len);

/*
 * ht_resolve_program - where execvp() would find @name (PATH searched
 * when it has no slash), or NULL; @buf holds the result.
 */
const char *ht_resolve_program(const char *name, char *buf, size_t len);

/* ht_audit_listed - is @lib one of the colon-separated @list's entries? */
bool ht_audit_listed(const char *list, const char *lib);

/* ht_is_file - does @path name a regular file (symlinks followed)? */
bool ht_is_file(const char *path);

/* ht_parse_pid - "self" (0) or a process ID.  Returns 0 or -EINVAL. */
int ht_parse_pid(const char *s, pid_t *out);
/* ht_pid_error - one line for a -errno from acting on another process. */
const char *ht_pid_error(int err);

#endif /* HT_COMMANDS_H */
