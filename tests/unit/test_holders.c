// SPDX-License-Identifier: MIT
/*
 * test_holders.c - unit tests for the processes that keep a page cache
 * small (holders.h).
 *
 * A child maps 4 MiB of a file written in small folios at a 2 MiB-
 * aligned address and reads it; ht_find_holders() must name it (pid,
 * comm) for that range, not for a range it does not map, and not once
 * it is gone; ht_cache_small() says small while the cache is small and
 * not cached at all once it is dropped; ht_holders_text() formats one
 * holder, several, and more than it shows.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "helpers.h"
#include "holders.h"
#include "spans.h"
#include "text_collapse.h"

#define LEN	(4 * HT_HPAGE_SIZE)

static void fill(void *page, uint64_t off)
{
	memset(page, (int)(off >> 12) & 0xff, 4096);
}

/* A child mapping @path's first 2 MiB and reading it; its pid. */
static pid_t start_holder(const char *path)
{
	int ready[2];
	pid_t pid;
	char c;

	cr_assert_eq(pipe(ready), 0);
	pid = fork();
	cr_assert_geq(pid, 0);
	if (!pid) {
		int fd = open(path, O_RDONLY);
		volatile const char *p;
		unsigned long sum = 0;
		size_t i;

		prctl(PR_SET_NAME, "holder-test");
		p = fd < 0 ? MAP_FAILED : ht_map_aligned(fd, 0, HT_HPAGE_SIZE,
							 NULL);
		if (p == MAP_FAILED)
			_exit(1);
		for (i = 0; i < HT_HPAGE_SIZE; i += 4096)
			sum += p[i];
		if (write(ready[1], "x", 1) != 1)
			_exit(1);
		pause();
		_exit(sum == 1);
	}
	close(ready[1]);
	cr_assert_eq(read(ready[0], &c, 1), 1, "the holder did not start");
	close(ready[0]);
	return pid;
}

static void stop_holder(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

Test(holders, found_by_range_and_gone_after, .fini = scratch_teardown)
{
	struct ht_file_range mapped = { 0, HT_HPAGE_SIZE };
	struct ht_file_range other = { 2 * HT_HPAGE_SIZE, HT_HPAGE_SIZE };
	struct ht_holders h;
	char path[PATH_MAX];
	pid_t pid;
	int fd, wfd;

	scratch_setup("/var/tmp", "ht-holders");
	scratch_path(path, sizeof(path), "file");
	wfd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	cr_assert_geq(wfd, 0);
	fd = small_folio_file(wfd, path, LEN, fill);
	pid = start_holder(path);

	cr_assert_eq(ht_find_holders(fd, &mapped, 1, &h), 0);
	cr_expect_eq(h.n, 1, "%zu holders", h.n);
	cr_expect_eq(h.h[0].pid, pid);
	cr_expect_str_eq(h.h[0].comm, "holder-test");
	cr_expect_eq(ht_cache_small(fd, &mapped, 1), 1);
	/* It maps nothing of that range: no holder there. */
	cr_assert_eq(ht_find_holders(fd, &other, 1, &h), 0);
	cr_expect_eq(h.n, 0);

	stop_holder(pid);
	cr_assert_eq(ht_find_holders(fd, &mapped, 1, &h), 0);
	cr_expect_eq(h.n, 0, "a holder after it is gone: %d", h.h[0].pid);
	/* Nothing cached is not small: nothing is there to keep. */
	cr_assert_eq(posix_fadvise(fd, 0, LEN, POSIX_FADV_DONTNEED), 0);
	cr_expect_eq(ht_cache_small(fd, &other, 1), 0);
	close(fd);
}

Test(holders, text)
{
	struct ht_holders h = { 0 };
	char who[256], fix[256];
	size_t i;

	h.n = 1;
	h.h[0].pid = 1234;
	strcpy(h.h[0].comm, "ser\nver");
	ht_holders_text(&h, who, sizeof(who), fix, sizeof(fix));
	cr_expect_str_eq(who, "1234 (ser?ver)");
	cr_expect(strstr(fix, "'hugetext --pid 1234'"), "%s", fix);
	cr_expect(strstr(fix, "restart it"), "%s", fix);

	h.n = 6;
	for (i = 0; i < HT_HOLDERS_SHOWN; i++) {
		h.h[i].pid = 100 + i;
		strcpy(h.h[i].comm, "w");
	}
	ht_holders_text(&h, who, sizeof(who), fix, sizeof(fix));
	cr_expect_str_eq(who, "100 (w), 101 (w), 102 (w), 103 (w) and 2 more");
	cr_expect(strstr(fix, "restart them"), "%s", fix);
	/* Cut short, still a string. */
	ht_holders_text(&h, who, 8, fix, 8);
	cr_expect_eq(strlen(who), 7);
	cr_expect_eq(strlen(fix), 7);
}
