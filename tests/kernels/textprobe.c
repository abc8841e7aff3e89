// SPDX-License-Identifier: MIT
/*
 * textprobe - map the text of an ELF file a second time, 2 MiB-aligned,
 * and watch what the kernel makes of it.  Linked with generated text
 * (gentext.sh), so by default it probes its own file.
 *
 *   textprobe [-f FILE] [-t all|first|none] [-c CAP_S] [-i MS]   (wait)
 *   textprobe [-f FILE] [-t all|first|none] -C|-S                (collapse)
 *   textprobe [-f FILE] [-t all|first|none] -R [-M]              (refault)
 *   textprobe -o [-t all|first|none] -C|-S              (own text, in place)
 *
 * The whole 2 MiB blocks of the largest executable PT_LOAD of FILE
 * (default /proc/self/exe) are mapped read-only and executable,
 * MAP_PRIVATE, at a 2 MiB-aligned address, so that virtual address and
 * file offset agree modulo 2 MiB, as the loader maps a program linked
 * with -z max-page-size=0x200000.  -t says which pages are read before
 * anything else: every page (all, the default), the first page of each
 * 2 MiB span (first), or none.
 *
 * wait (default): MADV_HUGEPAGE on the mapping, then every MS (100)
 * milliseconds read every page and look up FilePmdMapped+ShmemPmdMapped
 * of the mapping in /proc/self/smaps, until all of it is PMD-mapped or
 * CAP_S (120) seconds have passed: how long khugepaged takes by itself.
 * Pages are read again on each round because a collapse removes the page
 * table under the range; the next access maps the 2 MiB folio with a PMD.
 * Last line: "textprobe: result=huge|timeout ms=N huge_kb=N want_kb=N";
 * exit status 0 when all of it became PMD-mapped, else 1.
 *
 * -C: one MADV_COLLAPSE on the whole mapping, as hugetext does.  -S: one
 * MADV_COLLAPSE per 2 MiB span, in order.  Each call prints its result
 * and the PMD-mapped kB of the mapping right after it; then every page
 * is read and the PMD-mapped kB printed again ("after faults"), which
 * shows what the page cache holds even where the calling process was not
 * given a PMD.  Exit status 0 when the mapping ends up wholly PMD-mapped.
 *
 * -R: the refault route by hand: MADV_HUGEPAGE, MADV_DONTNEED (zap the
 * PTEs), POSIX_FADV_DONTNEED (drop the cache), MADV_POPULATE_READ; the
 * PMD-mapped kB after it.  -M then maps the same file range again over
 * it (MAP_FIXED), which frees the page tables under it, and reads every
 * page: a PMD can only be installed where no page table is left.
 *
 * -o: instead of a second mapping, use the whole 2 MiB blocks of the
 * program's own text as the loader mapped it (the program must be
 * linked 2 MiB-aligned, or be non-PIE), the way a program would call
 * MADV_COLLAPSE on itself.
 *
 * Exit status 2: the probe could not set itself up.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22
#endif
#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE 25
#endif

#define HPAGE (2UL << 20)

enum touch { TOUCH_ALL, TOUCH_FIRST, TOUCH_NONE };

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* The largest executable PT_LOAD of @fd: file offset and size. */
static int find_text(int fd, uint64_t *off, uint64_t *size)
{
	Elf64_Ehdr eh;
	Elf64_Phdr ph;
	int i;

	*size = 0;
	if (pread(fd, &eh, sizeof(eh), 0) != sizeof(eh) ||
	    memcmp(eh.e_ident, ELFMAG, SELFMAG) ||
	    eh.e_ident[EI_CLASS] != ELFCLASS64)
		return -1;
	for (i = 0; i < eh.e_phnum; i++) {
		if (pread(fd, &ph, sizeof(ph), eh.e_phoff +
			  (uint64_t)i * eh.e_phentsize) != sizeof(ph))
			return -1;
		if (ph.p_type == PT_LOAD && (ph.p_flags & PF_X) &&
		    ph.p_filesz > *size) {
			*off = ph.p_offset;
			*size = ph.p_filesz;
		}
	}
	return *size ? 0 : -1;
}

/* PMD-mapped kB (file or shmem) of the mapping holding @start; -1 if none. */
static long pmd_kb(uintptr_t start)
{
	unsigned long lo, hi;
	char line[512], dash;
	FILE *f = fopen("/proc/self/smaps", "r");
	long kb = -1;
	int in = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		/* a mapping's header: "lo-hi perms offset dev inode path" */
		if (sscanf(line, "%lx%c%lx ", &lo, &dash, &hi) == 3 &&
		    dash == '-') {
			in = lo <= start && start < hi;
			continue;
		}
		if (in && (!strncmp(line, "FilePmdMapped:", 14) ||
			   !strncmp(line, "ShmemPmdMapped:", 15)))
			kb = (kb < 0 ? 0 : kb) +
			     strtol(strchr(line, ':') + 1, NULL, 10);
	}
	fclose(f);
	return kb;
}

static unsigned long touch(const volatile unsigned char *p, uint64_t len,
			   enum touch how)
{
	uint64_t i, step = how == TOUCH_FIRST ? HPAGE : 4096;
	unsigned long sum = 0;

	if (how == TOUCH_NONE)
		return 0;
	for (i = 0; i < len; i += step)
		sum += p[i];
	return sum;
}

/*
 * Map the text of @path at a 2 MiB-aligned address; sets *len, *fileoff
 * and *fdp (left open for the refault route).
 */
static unsigned char *map_text(const char *path, uint64_t *len,
			       uint64_t *fileoff, int *fdp)
{
	uint64_t off, size, start, end;
	unsigned char *res, *text;
	int fd;

	*fdp = fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || find_text(fd, &off, &size)) {
		fprintf(stderr, "textprobe: %s: cannot read ELF headers\n",
			path);
		return NULL;
	}
	start = (off + HPAGE - 1) & ~(HPAGE - 1);
	end = (off + size) & ~(HPAGE - 1);
	if (end <= start) {
		fprintf(stderr, "textprobe: %s: no whole 2 MiB block\n", path);
		return NULL;
	}
	*len = end - start;
	*fileoff = start;

	/* Reserve len + 2 MiB, then map the file at the aligned address. */
	res = mmap(NULL, *len + HPAGE, PROT_NONE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (res == MAP_FAILED)
		return NULL;
	text = (unsigned char *)(((uintptr_t)res + HPAGE - 1) & ~(HPAGE - 1));
	if (text > res)
		munmap(res, text - res);
	munmap(text + *len, res + *len + HPAGE - (text + *len));
	text = mmap(text, *len, PROT_READ | PROT_EXEC,
		    MAP_PRIVATE | MAP_FIXED, fd, (off_t)start);
	if (text == MAP_FAILED) {
		perror("textprobe: mmap");
		return NULL;
	}
	return text;
}

/* The whole 2 MiB blocks of the program's own text, where it runs. */
static unsigned char *own_text(uint64_t *len, uint64_t *fileoff)
{
	const Elf64_Phdr *ph = (const Elf64_Phdr *)getauxval(AT_PHDR);
	unsigned long n = getauxval(AT_PHNUM), i;
	uintptr_t base = 0, lo = 0, hi = 0;
	uint64_t off = 0;

	if (!ph)
		return NULL;
	for (i = 0; i < n; i++)
		if (ph[i].p_type == PT_PHDR)
			base = (uintptr_t)ph - ph[i].p_vaddr;
	for (i = 0; i < n; i++)
		if (ph[i].p_type == PT_LOAD && (ph[i].p_flags & PF_X) &&
		    ph[i].p_filesz > hi - lo) {
			lo = base + ph[i].p_vaddr;
			hi = lo + ph[i].p_filesz;
			off = ph[i].p_offset;
		}
	*fileoff = off + (((lo + HPAGE - 1) & ~(HPAGE - 1)) - lo);
	lo = (lo + HPAGE - 1) & ~(HPAGE - 1);
	hi &= ~(HPAGE - 1);
	if (hi <= lo) {
		fprintf(stderr, "textprobe: own text has no whole 2 MiB block\n");
		return NULL;
	}
	*len = hi - lo;
	return (unsigned char *)lo;
}

static int wait_khugepaged(unsigned char *text, uint64_t len, long cap,
			   long interval)
{
	uint64_t t0 = now_ms(), t;
	long kb, last = -2;

	if (madvise(text, len, MADV_HUGEPAGE)) {
		perror("textprobe: madvise(MADV_HUGEPAGE)");
		return 2;
	}
	for (;;) {
		touch(text, len, TOUCH_ALL);
		kb = pmd_kb((uintptr_t)text);
		t = now_ms() - t0;
		if (kb != last) {
			printf("textprobe: t=%llums huge_kb=%ld\n",
			       (unsigned long long)t, kb);
			fflush(stdout);
			last = kb;
		}
		if (kb >= 0 && (uint64_t)kb * 1024 >= len) {
			printf("textprobe: result=huge ms=%llu huge_kb=%ld "
			       "want_kb=%llu\n", (unsigned long long)t, kb,
			       (unsigned long long)len / 1024);
			return 0;
		}
		if (t >= (uint64_t)cap * 1000)
			break;
		usleep(interval * 1000);
	}
	printf("textprobe: result=timeout ms=%llu huge_kb=%ld want_kb=%llu\n",
	       (unsigned long long)(now_ms() - t0), kb,
	       (unsigned long long)len / 1024);
	return 1;
}

static const char *errname(int err)
{
	switch (err) {
	case 0:
		return "ok";
	case EINVAL:
		return "EINVAL";
	case EAGAIN:
		return "EAGAIN";
	case ENOMEM:
		return "ENOMEM";
	case EBUSY:
		return "EBUSY";
	case EPERM:
		return "EPERM";
	}
	return "other";
}

static void step(unsigned char *base, unsigned char *at, uint64_t len,
		 int advice, const char *what)
{
	int ret = madvise(at, len, advice);
	int err = ret ? errno : 0;

	printf("textprobe: %s: %s (%s); PMD-mapped now %ld kB\n", what,
	       errname(err), err ? strerror(err) : "done",
	       pmd_kb((uintptr_t)base));
}

static void refault(unsigned char *text, uint64_t len, int fd,
		    uint64_t fileoff, int remap)
{
	int err;

	step(text, text, len, MADV_HUGEPAGE, "MADV_HUGEPAGE");
	step(text, text, len, MADV_DONTNEED, "MADV_DONTNEED");
	err = posix_fadvise(fd, (off_t)fileoff, (off_t)len,
			    POSIX_FADV_DONTNEED);
	printf("textprobe: POSIX_FADV_DONTNEED: %s\n",
	       err ? strerror(err) : "ok");
	step(text, text, len, MADV_POPULATE_READ, "MADV_POPULATE_READ");
	if (!remap)
		return;
	if (mmap(text, len, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_FIXED,
		 fd, (off_t)fileoff) == MAP_FAILED) {
		perror("textprobe: mmap again");
		return;
	}
	step(text, text, len, MADV_HUGEPAGE, "mapped again, MADV_HUGEPAGE");
}

int main(int argc, char **argv)
{
	const char *path = "/proc/self/exe";
	enum touch how = TOUCH_ALL;
	long cap = 120, interval = 100, kb;
	uint64_t len, fileoff, i;
	unsigned char *text;
	int mode = 0, remap = 0, own = 0, fd, c;

	while ((c = getopt(argc, argv, "c:i:f:t:CSRMo")) != -1) {
		switch (c) {
		case 'c':
			cap = atol(optarg);
			break;
		case 'i':
			interval = atol(optarg);
			break;
		case 'f':
			path = optarg;
			break;
		case 't':
			how = !strcmp(optarg, "none") ? TOUCH_NONE :
			      !strcmp(optarg, "first") ? TOUCH_FIRST :
			      TOUCH_ALL;
			break;
		case 'C':
		case 'S':
		case 'R':
			mode = c;
			break;
		case 'M':
			remap = 1;
			break;
		case 'o':
			own = 1;
			break;
		default:
			return 2;
		}
	}
	fd = -1;
	text = own ? own_text(&len, &fileoff) :
	       map_text(path, &len, &fileoff, &fd);
	if (!text)
		return 2;
	touch(text, len, how);
	printf("textprobe: %llu kB of text at %p (file offset 0x%llx), "
	       "PMD-mapped %ld kB\n", (unsigned long long)len / 1024,
	       (void *)text, (unsigned long long)fileoff,
	       pmd_kb((uintptr_t)text));
	fflush(stdout);
	if (!mode)
		return wait_khugepaged(text, len, cap, interval);

	if (mode == 'R') {
		refault(text, len, fd, fileoff, remap);
	} else if (mode == 'C') {
		step(text, text, len, MADV_COLLAPSE,
		     "MADV_COLLAPSE whole range");
	} else {
		for (i = 0; i < len; i += HPAGE) {
			char what[40];

			snprintf(what, sizeof(what), "MADV_COLLAPSE span %llu",
				 (unsigned long long)(i / HPAGE));
			step(text, text + i, HPAGE, MADV_COLLAPSE, what);
		}
	}
	touch(text, len, TOUCH_ALL);
	kb = pmd_kb((uintptr_t)text);
	printf("textprobe: after faults: PMD-mapped %ld of %llu kB\n", kb,
	       (unsigned long long)len / 1024);
	return kb >= 0 && (uint64_t)kb * 1024 >= len ? 0 : 1;
}
