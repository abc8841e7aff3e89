// SPDX-License-Identifier: MIT
/* prime.c - huge page cache from a temporary mapping; see prime.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "prime.h"

int ht_prime_range(int fd, uint64_t offset, uint64_t len,
		   const struct ht_policy *pol, struct ht_target *t)
{
	void *map;
	int ret, prot;

	memset(t, 0, sizeof(*t));
	t->fd = fd;
	t->offset = offset;
	if (!len || ((offset | len) & HT_HPAGE_MASK))
		return -EINVAL;
	t->reason = ht_policy_cache_only(pol);
	if (t->reason != HT_R_NONE)
		return -EPERM;
	/*
	 * At a 2 MiB-aligned address (a PMD needs vaddr == offset mod
	 * 2 MiB), executable like the text it stands for: 6.1's file
	 * collapse (file_thp_enabled()) wants VM_EXEC.
	 */
	map = ht_map_aligned(fd, offset, len, &prot);
	if (map == MAP_FAILED)
		return -errno;
	t->start = (uintptr_t)map;
	t->end = t->start + len;
	t->prot = prot;
	ret = ht_make_huge(t, NULL, pol);
	munmap(map, len);
	return ret;
}

static int open_noatime(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NOATIME |
		      O_NONBLOCK);

	/* O_NOATIME is for the owner (or CAP_FOWNER) only. */
	if (fd < 0 && errno == EPERM)
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	return fd;
}

int ht_prime_file(const char *path, const struct ht_policy *pol,
		  struct ht_prime_result *res)
{
	uint64_t t0 = ht_now_usec();
	struct stat st;
	size_t i;
	int fd, ret = 0;

	memset(res, 0, sizeof(*res));
	fd = open_noatime(path);
	if (fd < 0) {
		ret = -errno;
		snprintf(res->err, sizeof(res->err), "%s: %s", path,
			 strerror(-ret));
		return ret;
	}
	if (fstat(fd, &st)) {
		ret = -errno;
		snprintf(res->err, sizeof(res->err), "%s: %s", path,
			 strerror(-ret));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		ret = S_ISDIR(st.st_mode) ? -EISDIR : -ENOEXEC;
		snprintf(res->err, sizeof(res->err), "%s: %s", path,
			 ret == -EISDIR ? "is a directory" :
			 "not a regular file");
		goto out;
	}
	ret = ht_elf_read_fd(fd, path, &res->elf, res->err,
			     sizeof(res->err));
	/* Segments past the end: nothing there to read (as check says). */
	if (!ret && res->elf.load_end > (uint64_t)st.st_size) {
		snprintf(res->err, sizeof(res->err), "%s: truncated: %llu "
			 "bytes, its segments need %llu", path,
			 (unsigned long long)st.st_size,
			 (unsigned long long)res->elf.load_end);
		ret = -ENOEXEC;
	}
	if (ret)
		goto out;
	res->obj.text_bytes = res->elf.text_bytes;
	res->obj.nexec = res->elf.nexec;
	res->obj.nparts = res->elf.nexec < HT_ELF_MAX_EXEC ? res->elf.nexec :
			  HT_ELF_MAX_EXEC;
	for (i = 0; i < res->obj.nparts; i++) {
		const struct ht_segment *s = &res->elf.exec[i];
		struct ht_part *p = &res->obj.parts[i];
		int r;

		p->vaddr = p->offset = s->offset;
		p->len = s->filesz;
		/*
		 * Page-cache folios sit at 2 MiB-aligned file offsets,
		 * whatever address the program will use: the spans are
		 * those of the file range mapped at its own offset.
		 */
		p->span_reason = ht_spans_page_range(s->offset, s->filesz,
						     s->offset, 4096,
						     &p->spans);
		if (p->span_reason != HT_R_NONE)
			continue;
		r = ht_prime_range(fd, p->spans.start,
				   ht_spans_bytes(&p->spans), pol, &p->target);
		p->attempted = true;
		if (r && !ret)
			ret = -EAGAIN;
	}
out:
	close(fd);
	res->usec = ht_now_usec() - t0;
	return ret;
}
