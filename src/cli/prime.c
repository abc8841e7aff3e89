// SPDX-License-Identifier: MIT
/* prime.c - huge page cache from a temporary mapping; see prime.h. */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "placement.h"
#include "prime.h"
#include "probe.h"

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

/*
 * Open @path and read its ELF headers into @res (a file cut short is
 * refused, as check refuses it).  Returns the fd, or -errno with
 * @res->err set.
 */
static int open_elf(const char *path, struct ht_prime_result *res,
		    uint64_t *size)
{
	struct stat st;
	int fd, ret;

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
		goto bad;
	}
	if (!S_ISREG(st.st_mode)) {
		ret = S_ISDIR(st.st_mode) ? -EISDIR : -ENOEXEC;
		snprintf(res->err, sizeof(res->err), "%s: %s", path,
			 ret == -EISDIR ? "is a directory" :
			 "not a regular file");
		goto bad;
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
		goto bad;
	res->obj.text_bytes = res->elf.text_bytes;
	res->obj.nexec = res->elf.nexec;
	res->obj.nparts = res->elf.nexec < HT_ELF_MAX_EXEC ? res->elf.nexec :
			  HT_ELF_MAX_EXEC;
	*size = (uint64_t)st.st_size;
	return fd;
bad:
	close(fd);
	return ret;
}

/* Prime @p's spans (file offsets at spans.offset); -EAGAIN if not all. */
static int prime_part(int fd, struct ht_part *p, const struct ht_policy *pol)
{
	int r = ht_prime_range(fd, p->spans.offset, ht_spans_bytes(&p->spans),
			       pol, &p->target);

	p->attempted = true;
	return r ? -EAGAIN : 0;
}

int ht_prime_file(const char *path, const struct ht_policy *pol,
		  struct ht_prime_result *res)
{
	uint64_t t0 = ht_now_usec(), size;
	size_t i;
	int fd, ret = 0;

	memset(res, 0, sizeof(*res));
	fd = open_elf(path, res, &size);
	if (fd < 0) {
		ret = fd;
		goto out;
	}
	for (i = 0; i < res->obj.nparts; i++) {
		const struct ht_segment *s = &res->elf.exec[i];
		struct ht_part *p = &res->obj.parts[i];

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
		if (p->span_reason == HT_R_NONE && prime_part(fd, p, pol))
			ret = -EAGAIN;
	}
	close(fd);
out:
	res->usec = ht_now_usec() - t0;
	return ret;
}

int ht_prime_program(const char *path, const struct ht_policy *pol,
		     struct ht_prime_result *res, struct ht_placement *pl)
{
	uint64_t t0 = ht_now_usec(), size;
	struct ht_place_in in = { 0 };
	bool aligned;
	size_t i;
	int fd, ret;

	memset(res, 0, sizeof(*res));
	memset(pl, 0, sizeof(*pl));
	fd = open_elf(path, res, &size);
	if (fd < 0) {
		ret = fd;
		goto out;
	}
	/* Where the kernel will put it: check's prediction, not guessed. */
	in.elf = &res->elf;
	in.max_align = res->elf.max_load_align;
	in.pie_flag = res->elf.pie_flag;
	in.has_soname = res->elf.has_soname;
	in.pagesz = (uint64_t)sysconf(_SC_PAGESIZE);
	in.ldso_align = true;
	in.mmap_aligned = -1;
	in.routes = HT_ROUTES_UNKNOWN;
	if (res->elf.type == ET_DYN && size >= HT_HPAGE_SIZE &&
	    !ht_probe_mmap_aligned(fd, size, &aligned))
		in.mmap_aligned = aligned;
	ret = ht_place(&in, pl);
	if (ret) {
		snprintf(res->err, sizeof(res->err), "%s: cannot predict its "
			 "placement: %s", path, strerror(-ret));
		close(fd);
		goto out;
	}
	for (i = 0; i < res->obj.nparts && i < pl->nseg; i++) {
		const struct ht_seg_place *s = &pl->seg[i];
		struct ht_part *p = &res->obj.parts[i];

		/* The process's view: its addresses, its spans alone. */
		p->vaddr = s->vaddr;
		p->offset = s->offset;
		p->len = s->len;
		p->spans = s->eligible;
		p->span_reason = ht_spans_bytes(&s->eligible) ? HT_R_NONE :
				 s->reason != HT_R_NONE ? s->reason :
				 HT_R_TOO_SMALL;
		if (p->span_reason == HT_R_NONE && prime_part(fd, p, pol))
			ret = -EAGAIN;
	}
	close(fd);
out:
	res->usec = ht_now_usec() - t0;
	return ret;
}
