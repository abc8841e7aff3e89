/* SPDX-License-Identifier: MIT */
/*
 * cli.h - what every hugetext command shares, after util-linux's
 * errtryhelp() and close_stdout(): usage errors said one way and
 * pointing at --help, getopt's errors in the same words everywhere, and
 * standard output checked when a command ends.  Only main() exits.
 */
#ifndef HT_CLI_H
#define HT_CLI_H

/*
 * ht_usage_error - "CMD: MESSAGE (try 'CMD --help')" on stderr, where
 * CMD is "hugetext" or "hugetext check" etc.  Returns @status, the
 * command's exit status for bad usage.
 */
int ht_usage_error(const char *cmd, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * ht_getopt_error - the message for what getopt_long() returned as @c
 * ('?' or ':', with opterr = 0 and an optstring starting with ':'):
 * unknown option '-x', unknown or ambiguous option '--xyz', option
 * '--name' takes no argument, or option '--name' needs an argument.
 * Returns @status.
 */
int ht_getopt_error(const char *cmd, int status, int c, char **argv);

/*
 * ht_close_stdout - flush and check standard output at the end of a
 * command: a write error (a full disk, an I/O error) is said and turns
 * @status into @fail; a reader that went away (EPIPE) is not an error
 * of ours.  Returns the exit status.
 */
int ht_close_stdout(const char *cmd, int status, int fail);

#endif /* HT_CLI_H */
