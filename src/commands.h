/* SPDX-License-Identifier: MIT */
/*
 * commands.h - hugetext's subcommands.  Each takes the arguments after
 * its name (argv[0] is the subcommand's name) and returns the process's
 * exit status; only the launcher's main() calls exit().
 */
#ifndef HT_COMMANDS_H
#define HT_COMMANDS_H

/* Exit statuses shared by every part of the command-line tool. */
#define HT_EXIT_ERROR		125	/* hugetext's own error (env(1)) */
#define HT_EXIT_CANNOT_RUN	126
#define HT_EXIT_NOT_FOUND	127

int ht_cmd_check(int argc, char **argv);
int ht_cmd_prime(int argc, char **argv);
int ht_cmd_status(int argc, char **argv);

#endif /* HT_COMMANDS_H */
