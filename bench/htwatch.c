// SPDX-License-Identifier: MIT
/*
 * htwatch - run a command and watch, from outside, how much of its
 * executable text is mapped with huge pages, from exec on.
 *
 *   htwatch [-e KB] [-f] [-c CAP_MS] [-1 MS] [-o TIMELINE] [-r RESULT]
 *           [VAR=VALUE...] CMD [ARGS...]
 *
 * The clock starts just before fork.  CMD's standard input is a pipe
 * that htwatch holds open; closing it tells a program waiting for end of
 * input (calls -w, bigtext -w) to exit.  Every sample reads
 * /proc/PID/smaps and sums FilePmdMapped + ShmemPmdMapped +
 * AnonHugePages over the executable mappings: the text on huge pages,
 * whichever way it got there.
 *
 *   -e KB     the eligible text, in kB: the target of -f
 *   -f        poll until the huge text reaches KB (or CAP_MS passes),
 *             then close CMD's input and wait for it
 *   -c MS     the cap for -f (default 120000)
 *   -1 MS     take a single sample MS ms after the start instead
 *   -o FILE   write the samples, "MS KB" per line, whenever KB changes
 *   -r FILE   append the result line there instead of to stderr
 *
 * Polling starts every millisecond and slows down as time passes (one
 * sample per 2% of the elapsed time, at most every 250 ms), so a log
 * time axis is evenly covered.  The result line is
 *
 *   WALL_US FULL_US HUGE_KB TEXT_KB STATUS
 *
 * FULL_US is when the huge text first reached KB (-1 if never), HUGE_KB
 * and TEXT_KB the last sample (or the single one), STATUS CMD's exit
 * status (128 + signal).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
}

static void sleep_us(long long us)
{
	struct timespec ts = { us / 1000000, (us % 1000000) * 1000 };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* Huge and total kB of the executable mappings of pid; -1 if gone. */
static int sample(pid_t pid, long *huge, long *text)
{
	static char buf[1 << 16];
	char path[64], *line, *end;
	size_t have = 0;
	ssize_t n;
	int fd, exec = 0;

	*huge = *text = 0;
	snprintf(path, sizeof(path), "/proc/%d/smaps", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	for (;;) {
		n = read(fd, buf + have, sizeof(buf) - 1 - have);
		if (n <= 0)
			break;
		have += n;
		buf[have] = '\0';
		line = buf;
		while ((end = strchr(line, '\n'))) {
			unsigned long lo, hi;
			char perm[8];
			long kb;

			*end = '\0';
			if (sscanf(line, "%lx-%lx %7s", &lo, &hi, perm) == 3) {
				exec = perm[2] == 'x';
				if (exec)
					*text += (hi - lo) >> 10;
			} else if (exec &&
				   (sscanf(line, "FilePmdMapped: %ld", &kb) == 1 ||
				    sscanf(line, "ShmemPmdMapped: %ld", &kb) == 1 ||
				    sscanf(line, "AnonHugePages: %ld", &kb) == 1)) {
				*huge += kb;
			}
			line = end + 1;
		}
		have = buf + have - line;
		memmove(buf, line, have);
	}
	close(fd);
	return *text ? 0 : -1;
}

static void usage(void)
{
	fputs("usage: htwatch [-e KB] [-f] [-c CAP_MS] [-1 MS] [-o TIMELINE]\n"
	      "               [-r RESULT] [VAR=VALUE...] CMD [ARGS...]\n",
	      stderr);
	exit(2);
}

int main(int argc, char **argv)
{
	long eligible = 0, cap_ms = 120000, once_ms = -1, huge = 0, text = 0;
	long last = -1, h, t;
	long long t0, now, full = -1, next;
	const char *tl_path = NULL, *res_path = NULL;
	FILE *tl = NULL, *res = stderr;
	int follow = 0, pipefd[2], st = 0, c, cmd, reaped = 0;
	pid_t pid;

	while ((c = getopt(argc, argv, "+e:fc:1:o:r:")) != -1) {
		switch (c) {
		case 'e':
			eligible = atol(optarg);
			break;
		case 'f':
			follow = 1;
			break;
		case 'c':
			cap_ms = atol(optarg);
			break;
		case '1':
			once_ms = atol(optarg);
			break;
		case 'o':
			tl_path = optarg;
			break;
		case 'r':
			res_path = optarg;
			break;
		default:
			usage();
		}
	}
	cmd = optind;
	while (cmd < argc && strchr(argv[cmd], '=') && argv[cmd][0] != '=')
		cmd++;
	if (cmd >= argc || (follow && eligible <= 0))
		usage();
	if (tl_path && !(tl = fopen(tl_path, "w"))) {
		perror(tl_path);
		return 2;
	}
	if (res_path && !(res = fopen(res_path, "a"))) {
		perror(res_path);
		return 2;
	}
	if (pipe2(pipefd, O_CLOEXEC)) {
		perror("htwatch: pipe");
		return 2;
	}
	t0 = now_us();
	pid = fork();
	if (pid < 0) {
		perror("htwatch: fork");
		return 2;
	}
	if (pid == 0) {
		int i;

		dup2(pipefd[0], 0);
		for (i = optind; i < cmd; i++)
			putenv(argv[i]);
		execvp(argv[cmd], argv + cmd);
		perror("htwatch: exec");
		_exit(127);
	}
	close(pipefd[0]);

	next = t0;
	while (follow || once_ms >= 0) {
		long long step;

		if (once_ms >= 0)
			next = t0 + once_ms * 1000LL;
		now = now_us();
		if (next > now)
			sleep_us(next - now);
		now = now_us();
		if (waitpid(pid, &st, WNOHANG) == pid) {
			reaped = 1;
			break;
		}
		if (sample(pid, &h, &t) == 0) {
			huge = h;
			text = t;
		}
		if (tl && huge != last)
			fprintf(tl, "%.3f %ld\n", (now - t0) / 1000.0, huge);
		last = huge;
		if (once_ms >= 0)
			break;
		if (huge >= eligible) {
			full = now - t0;
			break;
		}
		if (now - t0 >= cap_ms * 1000LL)
			break;
		step = (now - t0) / 50;
		if (step < 1000)
			step = 1000;
		if (step > 250000)
			step = 250000;
		next = now + step;
	}
	if (tl && (follow || once_ms >= 0))
		fprintf(tl, "%.3f %ld\n", (now_us() - t0) / 1000.0, huge);
	if (follow) {
		int i;

		/* a program that ignores its input gets 10 s, then SIGKILL */
		close(pipefd[1]);
		for (i = 0; !reaped && i < 10000; i++) {
			reaped = waitpid(pid, &st, WNOHANG) == pid;
			if (!reaped)
				sleep_us(1000);
		}
		if (!reaped)
			kill(pid, SIGKILL);
	}
	if (!reaped)
		waitpid(pid, &st, 0);
	close(pipefd[1]);
	now = now_us();
	fprintf(res, "%lld %lld %ld %ld %d\n", now - t0, full, huge, text,
		WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
	if (tl)
		fclose(tl);
	return res == stderr ? 0 : fclose(res) != 0;
}
