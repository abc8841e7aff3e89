// SPDX-License-Identifier: MIT
/*
 * test_filelock.c - filelock.c: the per-file refault lock is free, is
 * waited for while another process holds it and taken as soon as that
 * one lets go or dies, is per file, and gives up at the deadline.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clock.h"
#include "filelock.h"

static int open_tmp(char *path)
{
	int fd = mkstemp(path);

	cr_assert_geq(fd, 0, "mkstemp: %s", strerror(errno));
	unlink(path);
	return fd;
}

/*
 * A child that takes @fd's lock, tells the parent over a pipe, then
 * holds it for @ms (or until killed) and lets go.
 */
static pid_t holder(int fd, int ms)
{
	uint64_t waited;
	int p[2], lock;
	pid_t pid;
	char c;

	cr_assert_eq(pipe(p), 0);
	pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		close(p[0]);
		lock = ht_file_lock(fd, 0, &waited);
		if (lock < 0)
			_exit(1);
		if (write(p[1], "x", 1) != 1)
			_exit(1);
		usleep((useconds_t)ms * 1000);
		ht_file_unlock(lock);
		_exit(0);
	}
	close(p[1]);
	cr_assert_eq(read(p[0], &c, 1), 1, "the holder took no lock");
	close(p[0]);
	return pid;
}

static void reap(pid_t pid, bool killed)
{
	int st;

	cr_assert_eq(waitpid(pid, &st, 0), pid);
	if (killed)
		cr_assert(WIFSIGNALED(st));
	else
		cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

Test(filelock, free_lock_is_taken_at_once)
{
	char path[] = "/tmp/ht-lock-XXXXXX";
	int fd = open_tmp(path), lock, again;
	uint64_t waited = 99;

	lock = ht_file_lock(fd, 0, &waited);
	cr_assert_geq(lock, 0, "%s", strerror(-lock));
	cr_assert_lt(waited, 50000, "waited %llu us for a free lock",
		     (unsigned long long)waited);
	/* Released: free again, at once. */
	ht_file_unlock(lock);
	again = ht_file_lock(fd, ht_now_usec() + 100000, &waited);
	cr_assert_geq(again, 0);
	ht_file_unlock(again);
	close(fd);
}

Test(filelock, waits_for_the_holder)
{
	char path[] = "/tmp/ht-lock-XXXXXX";
	int fd = open_tmp(path), lock;
	uint64_t waited, t0;
	pid_t pid;

	pid = holder(fd, 300);
	t0 = ht_now_usec();
	lock = ht_file_lock(fd, t0 + 5000000, &waited);
	cr_assert_geq(lock, 0, "%s", strerror(-lock));
	/* It came when the holder let go, not at a poll interval. */
	cr_assert_geq(waited, 200000, "waited only %llu us",
		      (unsigned long long)waited);
	cr_assert_lt(ht_now_usec() - t0, 1500000);
	ht_file_unlock(lock);
	reap(pid, false);
	close(fd);
}

Test(filelock, holder_that_dies_releases_it)
{
	char path[] = "/tmp/ht-lock-XXXXXX";
	int fd = open_tmp(path), lock;
	uint64_t waited, t0;
	pid_t pid;

	pid = holder(fd, 60000);
	kill(pid, SIGKILL);
	t0 = ht_now_usec();
	lock = ht_file_lock(fd, t0 + 5000000, &waited);
	cr_assert_geq(lock, 0, "%s", strerror(-lock));
	cr_assert_lt(ht_now_usec() - t0, 1000000);
	ht_file_unlock(lock);
	reap(pid, true);
	close(fd);
}

Test(filelock, deadline_ends_the_wait)
{
	char path[] = "/tmp/ht-lock-XXXXXX";
	int fd = open_tmp(path), lock;
	uint64_t waited, t0;
	pid_t pid;

	pid = holder(fd, 60000);
	t0 = ht_now_usec();
	lock = ht_file_lock(fd, t0 + 150000, &waited);
	cr_assert_eq(lock, -ETIME, "got %d", lock);
	cr_assert_geq(waited, 140000);
	cr_assert_lt(ht_now_usec() - t0, 1000000, "overran the deadline");
	kill(pid, SIGKILL);
	reap(pid, true);
	close(fd);
}

Test(filelock, per_file_and_same_file_by_any_descriptor)
{
	char a[] = "/tmp/ht-lock-XXXXXX", b[] = "/tmp/ht-lock-XXXXXX";
	int fa = open_tmp(a), fb = open_tmp(b), la, lb, dupa;
	char self[64];
	uint64_t waited;
	pid_t pid;

	pid = holder(fa, 60000);
	/* Another file: free. */
	lb = ht_file_lock(fb, ht_now_usec() + 100000, &waited);
	cr_assert_geq(lb, 0);
	ht_file_unlock(lb);
	/* The same file opened again (another open file): held. */
	snprintf(self, sizeof(self), "/proc/self/fd/%d", fa);
	dupa = open(self, O_RDONLY);
	cr_assert_geq(dupa, 0, "%s: %s", self, strerror(errno));
	la = ht_file_lock(dupa, ht_now_usec() + 50000, &waited);
	cr_assert_eq(la, -ETIME);
	kill(pid, SIGKILL);
	reap(pid, true);
	close(dupa);
	close(fa);
	close(fb);
}
