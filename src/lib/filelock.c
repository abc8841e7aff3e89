// SPDX-License-Identifier: MIT
/*
 * filelock.c - the per-file refault lock (filelock.h).
 */
#include <errno.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "clock.h"
#include "filelock.h"

/* The abstract name of @st's file: "\0hugetext-refault-DEV-INO". */
static socklen_t lock_name(const struct stat *st, struct sockaddr_un *sa)
{
	int n;

	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	n = snprintf(sa->sun_path + 1, sizeof(sa->sun_path) - 1,
		     "hugetext-refault-%llx-%llx",
		     (unsigned long long)st->st_dev,
		     (unsigned long long)st->st_ino);
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n);
}

static int new_socket(void)
{
	int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);

	return s < 0 ? -errno : s;
}

/*
 * Sleep until the holder of @sa closes (a connection queued on its
 * listening socket is then reset) or @until passes.  A full queue or a
 * holder between bind() and listen() cannot be waited on: a short
 * sleep instead.
 */
static void wait_holder(const struct sockaddr_un *sa, socklen_t len,
			uint64_t until)
{
	struct pollfd p = { .events = POLLIN };
	uint64_t now = ht_now_usec();
	long ms;

	if (now >= until)
		return;
	ms = (long)((until - now + 999) / 1000);
	p.fd = new_socket();
	if (p.fd < 0)
		return;
	if (connect(p.fd, (const struct sockaddr *)sa, len) == 0)
		poll(&p, 1, (int)ms);	/* EINTR too: the caller looks again */
	else
		poll(NULL, 0, ms < 2 ? (int)ms : 2);
	close(p.fd);
}

int ht_file_lock(int fd, uint64_t deadline, uint64_t *waited)
{
	struct sockaddr_un sa;
	struct stat st;
	uint64_t t0 = ht_now_usec(), until;
	socklen_t len;
	int s, err;

	*waited = 0;
	if (fstat(fd, &st))
		return -errno;
	until = deadline ? deadline : t0 + HT_LOCK_WAIT_MAX_USEC;
	if (until > t0 + HT_LOCK_WAIT_MAX_USEC)
		until = t0 + HT_LOCK_WAIT_MAX_USEC;
	len = lock_name(&st, &sa);
	for (;;) {
		s = new_socket();
		if (s < 0)
			return s;
		if (bind(s, (struct sockaddr *)&sa, len) == 0) {
			/* Waiters may queue; the queue is never accepted. */
			listen(s, SOMAXCONN);
			*waited = ht_now_usec() - t0;
			return s;
		}
		err = errno;
		close(s);
		if (err != EADDRINUSE)
			return -err;
		if (ht_now_usec() >= until) {
			*waited = ht_now_usec() - t0;
			return -ETIME;
		}
		wait_holder(&sa, len, until);
	}
}

void ht_file_unlock(int lock)
{
	if (lock >= 0)
		close(lock);
}
