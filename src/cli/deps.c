// SPDX-License-Identifier: MIT
/* deps.c - the libraries a file needs, as ld.so says; see deps.h. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "deps.h"

/* The loader asked; see ht_list_deps() for why this one. */
#define LDSO		"/lib64/ld-linux-x86-64.so.2"

extern char **environ;

/*
 * The system's loader in trace mode (LD_TRACE_LOADED_OBJECTS=1 ld.so
 * FILE, what ldd does; "ld.so --list" stops at the first missing
 * library instead of listing it as not found).  Asking the loader
 * itself is the one way to get every rule right -- DT_RPATH vs
 * DT_RUNPATH and their inheritance, $ORIGIN/$LIB/$PLATFORM,
 * LD_LIBRARY_PATH, glibc-hwcaps subdirectories, /etc/ld.so.cache, the
 * default directories -- where reimplementing them from `ldconfig -p`
 * would drift.  The system loader is named explicitly rather than the
 * file's PT_INTERP, so the file cannot choose what runs; in trace mode
 * ld.so maps the objects but runs none of their code.
 */
int ht_list_deps(const char *file, ht_dep_fn fn, void *arg, char *err,
		 size_t errlen)
{
	char arg0[] = LDSO, trace[] = "LD_TRACE_LOADED_OBJECTS=1";
	char *argv[3], **envp, *line = NULL, *target = NULL, real[PATH_MAX];
	posix_spawn_file_actions_t fa;
	size_t cap = 0, n = 0, i;
	int pfd[2], ret, wst, nlines = 0;
	bool any_missing = false;
	pid_t pid;
	FILE *f;

	err[0] = '\0';
	/*
	 * $ORIGIN of a program is where /proc/self/exe points, symlinks
	 * resolved (clang-14 -> llvm-14/bin/clang finds its libraries by
	 * RUNPATH $ORIGIN/../lib); and without a slash ld.so would search
	 * for the name.
	 */
	if (realpath(file, real))
		file = real;
	while (environ[n])
		n++;
	envp = calloc(n + 2, sizeof(*envp));
	if (!envp || asprintf(&target, "%s%s", strchr(file, '/') ? "" :
			      "./", file) < 0) {
		free(envp);
		return -ENOMEM;
	}
	/* The environment ld.so would see, LD_LIBRARY_PATH included. */
	for (i = n = 0; environ[i]; i++)
		if (strncmp(environ[i], "LD_TRACE_", 9))
			envp[n++] = environ[i];
	envp[n] = trace;
	if (pipe2(pfd, O_CLOEXEC)) {
		ret = -errno;
		free(target);
		free(envp);
		return ret;
	}
	argv[0] = arg0;
	argv[1] = target;
	argv[2] = NULL;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, pfd[1], 1);
	posix_spawn_file_actions_adddup2(&fa, pfd[1], 2);
	ret = -posix_spawn(&pid, LDSO, &fa, NULL, argv, envp);
	posix_spawn_file_actions_destroy(&fa);
	close(pfd[1]);
	free(target);
	free(envp);
	if (ret) {
		close(pfd[0]);
		snprintf(err, errlen, "cannot run %s: %s", LDSO,
			 strerror(-ret));
		return ret;
	}
	f = fdopen(pfd[0], "r");
	while (f && getline(&line, &cap, f) > 0) {
		char *p = line + strspn(line, " \t"), *arrow, *end;

		p[strcspn(p, "\n")] = '\0';
		if (!nlines++)
			snprintf(err, errlen, "%s", p);
		arrow = strstr(p, " => ");
		if (arrow) {
			*arrow = '\0';
			if (!strncmp(arrow + 4, "not found", 9)) {
				fn(arg, p, true);
				any_missing = true;
				continue;
			}
			p = arrow + 4;
		}
		/* "/path (0x...)": the vDSO has no path. */
		end = strstr(p, " (0x");
		if (*p != '/' || !end)
			continue;
		*end = '\0';
		fn(arg, p, false);
	}
	free(line);
	if (f)
		fclose(f);
	else
		close(pfd[0]);
	while (waitpid(pid, &wst, 0) < 0)
		if (errno != EINTR)
			return -errno;
	if ((WIFEXITED(wst) && WEXITSTATUS(wst) == 0) || any_missing) {
		err[0] = '\0';
		return 0;
	}
	return -ENOEXEC;
}

