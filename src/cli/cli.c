// SPDX-License-Identifier: MIT
/* cli.c - usage errors and a checked stdout; see cli.h. */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

int ht_usage_error(const char *cmd, int status, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (try '%s --help')\n", cmd);
	return status;
}

int ht_getopt_error(const char *cmd, int status, int c, char **argv)
{
	const char *arg = argv[optind - 1];
	const char *eq;

	if (c == ':' && strncmp(arg, "--", 2) && optopt)
		return ht_usage_error(cmd, status, "option '-%c' needs an "
				      "argument", optopt);
	if (c == ':')
		return ht_usage_error(cmd, status, "option '%s' needs an "
				      "argument", arg);
	if (strncmp(arg, "--", 2)) {
		/* A short option leaves its letter in optopt. */
		if (optopt && optopt != '?' && optopt != ':')
			return ht_usage_error(cmd, status, "unknown option "
					      "'-%c'", optopt);
		return ht_usage_error(cmd, status, "unknown option '%s'",
				      arg);
	}
	/*
	 * A long one known but given a value it does not take leaves its
	 * value in optopt (getopt's 'h' for --help=foo): name it, not -h.
	 */
	eq = strchr(arg, '=');
	if (eq && optopt)
		return ht_usage_error(cmd, status, "option '%.*s' takes no "
				      "argument", (int)(eq - arg), arg);
	return ht_usage_error(cmd, status, "unknown or ambiguous option "
			      "'%.*s'", eq ? (int)(eq - arg) : (int)strlen(arg),
			      arg);
}

int ht_close_stdout(const char *cmd, int status, int fail)
{
	int err = 0;

	errno = 0;
	if (fflush(stdout) || ferror(stdout))
		err = errno ? errno : EIO;
	if (fclose(stdout) && !err)
		err = errno ? errno : EIO;
	if (!err || err == EPIPE)
		return status;
	fprintf(stderr, "%s: write error on standard output: %s\n", cmd,
		strerror(err));
	return fail;
}
