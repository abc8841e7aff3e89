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

	if (c == ':')
		return ht_usage_error(cmd, status, "option '%s' needs an "
				      "argument", arg);
	/* A short option leaves its letter in optopt; a long one not. */
	if (optopt && optopt != '?' && optopt != ':' && strncmp(arg, "--", 2))
		return ht_usage_error(cmd, status, "invalid option '-%c'",
				      optopt);
	return ht_usage_error(cmd, status, "unrecognized or incomplete "
			      "option '%s'", arg);
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
