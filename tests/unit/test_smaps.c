// SPDX-License-Identifier: MIT
/*
 * test_smaps.c - unit tests for the /proc/PID/smaps parser (smaps.h).
 *
 * ht_smaps_parse() on text written here in the kernel's exact format
 * (a memfd): kB to bytes, header fields, paths with spaces, anonymous
 * and [heap]-style mappings, VmFlags bits, the callback's stop value,
 * malformed headers and empty input.  ht_smaps_walk() and
 * ht_smaps_query() on this live process: the page of a function in the
 * test binary, anonymous and file mappings made here, a hole, and two
 * ranges in one pass.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <link.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "smaps.h"

#define KiB ((uint64_t)1024)

/* ------------------------------------------------------------------ */
/* smaps text in the format of Linux 6.x fs/proc/task_mmu.c. */

struct text {
	char buf[16384];
	size_t len;
};

static void text_add(struct text *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void text_add(struct text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(t->buf + t->len, sizeof(t->buf) - t->len, fmt, ap);
	va_end(ap);
	cr_assert(n >= 0 && (size_t)n < sizeof(t->buf) - t->len);
	t->len += n;
}

/* "Rss:                  16 kB": name padded to 16, value to 8. */
static void text_kb(struct text *t, const char *name, unsigned long kb)
{
	text_add(t, "%-16s%8lu kB\n", name, kb);
}

struct sizes {
	unsigned long rss, anon, anon_huge, shmem_pmd, file_pmd;
};

/*
 * One mapping: @header as the kernel pads it (the caller writes it
 * whole), the fields in the kernel's order, then VmFlags, each flag
 * followed by a space as the kernel prints them.
 */
static void text_vma(struct text *t, const char *header,
		     unsigned long size_kb, const struct sizes *z,
		     const char *flags)
{
	text_add(t, "%s\n", header);
	text_kb(t, "Size:", size_kb);
	text_kb(t, "KernelPageSize:", 4);
	text_kb(t, "MMUPageSize:", 4);
	text_kb(t, "Rss:", z->rss);
	text_kb(t, "Pss:", z->rss);
	text_kb(t, "Pss_Dirty:", z->anon);
	text_kb(t, "Shared_Clean:", 0);
	text_kb(t, "Shared_Dirty:", 0);
	text_kb(t, "Private_Clean:", z->rss - z->anon);
	text_kb(t, "Private_Dirty:", z->anon);
	text_kb(t, "Referenced:", z->rss);
	text_kb(t, "Anonymous:", z->anon);
	text_kb(t, "KSM:", 0);
	text_kb(t, "LazyFree:", 0);
	text_kb(t, "AnonHugePages:", z->anon_huge);
	text_kb(t, "ShmemPmdMapped:", z->shmem_pmd);
	text_kb(t, "FilePmdMapped:", z->file_pmd);
	text_kb(t, "Shared_Hugetlb:", 0);
	text_kb(t, "Private_Hugetlb:", 0);
	text_kb(t, "Swap:", 0);
	text_kb(t, "SwapPss:", 0);
	text_kb(t, "Locked:", 0);
	text_add(t, "%-16s%8d\n", "THPeligible:", 1);
	text_add(t, "VmFlags: %s\n", flags);
}

/* What the callback saw, copied while it was valid. */
#define MAX_RECS 16

struct rec {
	struct ht_vma v;
	char path[PATH_MAX];
};

struct recs {
	size_t n;
	struct rec r[MAX_RECS];
	size_t stop_at;		/* 1-based call that returns @stop_with */
	int stop_with;
};

static int record(const struct ht_vma *v, void *arg)
{
	struct recs *rs = arg;
	struct rec *r;

	cr_assert_lt(rs->n, MAX_RECS);
	cr_assert_not_null(v->path);
	r = &rs->r[rs->n++];
	r->v = *v;
	snprintf(r->path, sizeof(r->path), "%s", v->path);
	r->v.path = r->path;
	if (rs->stop_at && rs->n == rs->stop_at)
		return rs->stop_with;
	return 0;
}

static int parse_text(const char *s, size_t len, struct recs *rs)
{
	int fd = memfd_create("smaps", MFD_CLOEXEC), ret;

	cr_assert_geq(fd, 0, "memfd_create: %s", strerror(errno));
	cr_assert_eq(write(fd, s, len), (ssize_t)len);
	cr_assert_eq(lseek(fd, 0, SEEK_SET), 0);
	ret = ht_smaps_parse(fd, record, rs);
	close(fd);
	return ret;
}

static int parse_str(const char *s, struct recs *rs)
{
	return parse_text(s, strlen(s), rs);
}

/* ------------------------------------------------------------------ */

Test(smaps_parse, three_mappings)
{
	static struct text t;
	static struct recs rs;
	const struct sizes text_sz = { 49152, 0, 0, 0, 49152 };
	const struct sizes anon_sz = { 2064, 2064, 2048, 0, 0 };
	const struct sizes heap_sz = { 16, 16, 0, 0, 0 };
	const struct ht_vma *v;

	text_vma(&t, "55d0c8a00000-55d0cba00000 r-xp 00200000 fe:00 1234567"
		 "                    /tmp/bt", 49152, &text_sz,
		 "rd ex mr mw me hg ");
	text_vma(&t, "7f26a8de3000-7f26a8e05000 rw-p 00000000 00:00 0 ",
		 136, &anon_sz, "rd wr mr mw me ac ");
	text_vma(&t, "561101db4000-561101dd5000 rw-p 00000000 00:00 0"
		 "                          [heap]", 132, &heap_sz,
		 "rd wr mr mw me ac ");
	cr_assert_eq(parse_text(t.buf, t.len, &rs), 0);
	cr_assert_eq(rs.n, 3);

	v = &rs.r[0].v;
	cr_assert_eq(v->start, 0x55d0c8a00000);
	cr_assert_eq(v->end, 0x55d0cba00000);
	cr_assert_eq(v->pgoff, 0x200000);
	cr_assert_eq(v->dev_major, 0xfe);
	cr_assert_eq(v->dev_minor, 0);
	cr_assert_eq(v->inode, 1234567);
	cr_assert_str_eq(v->perms, "r-xp");
	cr_assert_str_eq(v->path, "/tmp/bt");
	cr_assert_eq(v->rss, 49152 * KiB);
	cr_assert_eq(v->anonymous, 0);
	cr_assert_eq(v->file_pmd, 48 * 1024 * KiB);
	cr_assert_eq(v->shmem_pmd, 0);
	cr_assert_eq(v->anon_huge, 0);
	cr_assert_eq(v->vmflags, HT_VM_EX | HT_VM_HG);

	v = &rs.r[1].v;
	cr_assert_eq(v->start, 0x7f26a8de3000);
	cr_assert_eq(v->end, 0x7f26a8e05000);
	cr_assert_eq(v->pgoff, 0);
	cr_assert_eq(v->dev_major, 0);
	cr_assert_eq(v->dev_minor, 0);
	cr_assert_eq(v->inode, 0);
	cr_assert_str_eq(v->perms, "rw-p");
	cr_assert_str_eq(v->path, "");
	cr_assert_eq(v->rss, 2064 * KiB);
	cr_assert_eq(v->anonymous, 2064 * KiB);
	cr_assert_eq(v->anon_huge, 2048 * KiB);
	cr_assert_eq(v->file_pmd, 0);
	cr_assert_eq(v->vmflags, 0);

	v = &rs.r[2].v;
	cr_assert_eq(v->start, 0x561101db4000);
	cr_assert_eq(v->end, 0x561101dd5000);
	cr_assert_str_eq(v->path, "[heap]");
	cr_assert_eq(v->inode, 0);
	cr_assert_eq(v->rss, 16 * KiB);
	cr_assert_eq(v->anonymous, 16 * KiB);
	cr_assert_eq(v->anon_huge, 0);
	cr_assert_eq(v->vmflags, 0);
}

/* The sample as this machine prints it, verbatim, fields and all. */
Test(smaps_parse, verbatim_sample)
{
	static const char sample[] =
"558dd408c000-558dd4092000 r-xp 00002000 fe:00 247498"
"                     /usr/bin/head\n"
"Size:                 24 kB\n"
"KernelPageSize:        4 kB\n"
"MMUPageSize:           4 kB\n"
"Rss:                  24 kB\n"
"Pss:                  24 kB\n"
"Pss_Dirty:             0 kB\n"
"Shared_Clean:          0 kB\n"
"Shared_Dirty:          0 kB\n"
"Private_Clean:        24 kB\n"
"Private_Dirty:         0 kB\n"
"Referenced:           24 kB\n"
"Anonymous:             0 kB\n"
"KSM:                   0 kB\n"
"LazyFree:              0 kB\n"
"AnonHugePages:         0 kB\n"
"ShmemPmdMapped:        0 kB\n"
"FilePmdMapped:         0 kB\n"
"Shared_Hugetlb:        0 kB\n"
"Private_Hugetlb:       0 kB\n"
"Swap:                  0 kB\n"
"SwapPss:               0 kB\n"
"Locked:                0 kB\n"
"THPeligible:           0\n"
"VmFlags: rd ex mr mw me \n"
"ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0"
"                  [vsyscall]\n"
"Size:                  4 kB\n"
"Rss:                   0 kB\n"
"VmFlags: ex \n";
	static struct recs rs;

	cr_assert_eq(parse_str(sample, &rs), 0);
	cr_assert_eq(rs.n, 2);
	cr_assert_eq(rs.r[0].v.start, 0x558dd408c000);
	cr_assert_eq(rs.r[0].v.end, 0x558dd4092000);
	cr_assert_eq(rs.r[0].v.pgoff, 0x2000);
	cr_assert_eq(rs.r[0].v.inode, 247498);
	cr_assert_str_eq(rs.r[0].v.path, "/usr/bin/head");
	cr_assert_eq(rs.r[0].v.rss, 24 * KiB);
	cr_assert_eq(rs.r[0].v.vmflags, HT_VM_EX);
	cr_assert_eq(rs.r[1].v.start, 0xffffffffff600000);
	cr_assert_eq(rs.r[1].v.end, 0xffffffffff601000);
	cr_assert_str_eq(rs.r[1].v.perms, "--xp");
	cr_assert_str_eq(rs.r[1].v.path, "[vsyscall]");
	cr_assert_eq(rs.r[1].v.rss, 0);
	cr_assert_eq(rs.r[1].v.vmflags, HT_VM_EX);
}

Test(smaps_parse, paths)
{
	static struct text t;
	static struct recs rs;
	const struct sizes z = { 8, 0, 0, 0, 0 };
	static const char *const want[] = {
		"/tmp/my dir/lib with  spaces.so",
		"/tmp/bt (deleted)",
		"[stack]",
		"[anon:glibc malloc]",
		"/memfd:jit (deleted)",
		"",
	};

	text_vma(&t, "7f0000000000-7f0000002000 r-xp 00001000 08:02 42"
		 "                         /tmp/my dir/lib with  spaces.so",
		 8, &z, "rd ex mr mw me ");
	text_vma(&t, "7f0000002000-7f0000004000 r-xp 00000000 08:02 43"
		 "                         /tmp/bt (deleted)", 8, &z,
		 "rd ex mr mw me ");
	text_vma(&t, "7ffe87f37000-7ffe87f58000 rw-p 00000000 00:00 0"
		 "                          [stack]", 8, &z,
		 "rd wr mr mw me gd ac ");
	text_vma(&t, "7f0000004000-7f0000006000 rw-p 00000000 00:00 0"
		 "                          [anon:glibc malloc]", 8, &z,
		 "rd wr mr mw me ac ");
	text_vma(&t, "7f0000006000-7f0000008000 r-xs 00000000 00:01 2048"
		 "                       /memfd:jit (deleted)", 8, &z,
		 "rd ex sh mr mw me ms ");
	/* Anonymous without the kernel's trailing space. */
	text_vma(&t, "7f0000008000-7f000000a000 rw-p 00000000 00:00 0", 8,
		 &z, "rd wr mr mw me ac ");
	cr_assert_eq(parse_text(t.buf, t.len, &rs), 0);
	cr_assert_eq(rs.n, 6);
	for (size_t i = 0; i < rs.n; i++)
		cr_assert_str_eq(rs.r[i].v.path, want[i], "mapping %zu", i);
	cr_assert_eq(rs.r[0].v.pgoff, 0x1000);
	cr_assert_eq(rs.r[0].v.dev_major, 8);
	cr_assert_eq(rs.r[0].v.dev_minor, 2);
	cr_assert_eq(rs.r[0].v.inode, 42);
	cr_assert_eq(rs.r[4].v.inode, 2048);
	cr_assert_str_eq(rs.r[4].v.perms, "r-xs");
	cr_assert_eq(rs.r[4].v.vmflags, HT_VM_EX | HT_VM_SH);
}

Test(smaps_parse, header_forms)
{
	/* Short addresses as in proc(5), a wide device, a huge inode. */
	static const char s[] =
		"00400000-00452000 r-xp 00000000 08:02 173521"
		"      /usr/bin/dbus-daemon\n"
		"Rss:                 328 kB\n"
		"7f0000000000-7f0000200000 r--p 7fffffffff000 103:0a "
		"18446744073709551615 /x\n"
		"Rss:                   4 kB\n";
	static struct recs rs;

	cr_assert_eq(parse_str(s, &rs), 0);
	cr_assert_eq(rs.n, 2);
	cr_assert_eq(rs.r[0].v.start, 0x400000);
	cr_assert_eq(rs.r[0].v.end, 0x452000);
	cr_assert_eq(rs.r[0].v.inode, 173521);
	cr_assert_str_eq(rs.r[0].v.path, "/usr/bin/dbus-daemon");
	cr_assert_eq(rs.r[0].v.rss, 328 * KiB);
	cr_assert_eq(rs.r[1].v.pgoff, 0x7fffffffff000);
	cr_assert_eq(rs.r[1].v.dev_major, 0x103);
	cr_assert_eq(rs.r[1].v.dev_minor, 0xa);
	cr_assert_eq(rs.r[1].v.inode, UINT64_MAX);
	cr_assert_str_eq(rs.r[1].v.perms, "r--p");
	cr_assert_str_eq(rs.r[1].v.path, "/x");
	cr_assert_eq(rs.r[1].v.rss, 4 * KiB);
}

Test(smaps_parse, fields_reset_per_mapping)
{
	static const char s[] =
		"1000-3000 r-xp 00000000 08:02 7 /a\n"
		"Rss:                   8 kB\n"
		"Anonymous:             4 kB\n"
		"AnonHugePages:         2 kB\n"
		"ShmemPmdMapped:        6 kB\n"
		"FilePmdMapped:        10 kB\n"
		"VmFlags: rd ex hg \n"
		"3000-5000 r--p 00002000 08:02 7 /a\n"
		"Size:                  8 kB\n";
	static struct recs rs;

	cr_assert_eq(parse_str(s, &rs), 0);
	cr_assert_eq(rs.n, 2);
	cr_assert_eq(rs.r[0].v.rss, 8 * KiB);
	cr_assert_eq(rs.r[0].v.anonymous, 4 * KiB);
	cr_assert_eq(rs.r[0].v.anon_huge, 2 * KiB);
	cr_assert_eq(rs.r[0].v.shmem_pmd, 6 * KiB);
	cr_assert_eq(rs.r[0].v.file_pmd, 10 * KiB);
	cr_assert_eq(rs.r[0].v.vmflags, HT_VM_EX | HT_VM_HG);
	cr_assert_eq(rs.r[1].v.rss, 0);
	cr_assert_eq(rs.r[1].v.anonymous, 0);
	cr_assert_eq(rs.r[1].v.anon_huge, 0);
	cr_assert_eq(rs.r[1].v.shmem_pmd, 0);
	cr_assert_eq(rs.r[1].v.file_pmd, 0);
	cr_assert_eq(rs.r[1].v.vmflags, 0);
	cr_assert_eq(rs.r[1].v.pgoff, 0x2000);
}

Test(smaps_parse, large_values)
{
	/* 4 TiB of Rss does not overflow the conversion to bytes. */
	static const char s[] =
		"7f0000000000-7f4000000000 rw-p 00000000 00:00 0 \n"
		"Rss:            4294967296 kB\n"
		"Anonymous:      4294967296 kB\n"
		"AnonHugePages:  4294967296 kB\n";
	static struct recs rs;

	cr_assert_eq(parse_str(s, &rs), 0);
	cr_assert_eq(rs.n, 1);
	cr_assert_eq(rs.r[0].v.rss, (uint64_t)1 << 42);
	cr_assert_eq(rs.r[0].v.anonymous, (uint64_t)1 << 42);
	cr_assert_eq(rs.r[0].v.anon_huge, (uint64_t)1 << 42);
}

Test(smaps_parse, vmflags)
{
	static const struct {
		const char *line;
		unsigned int want;
	} cases[] = {
		{ "VmFlags: rd ex mr mw me \n", HT_VM_EX },
		{ "VmFlags: rd mr mw me hg \n", HT_VM_HG },
		{ "VmFlags: rd mr mw me nh \n", HT_VM_NH },
		{ "VmFlags: rd wr sh mr mw me ms \n", HT_VM_SH },
		{ "VmFlags: rd ex sh mr mw me ms hg \n",
		  HT_VM_EX | HT_VM_SH | HT_VM_HG },
		{ "VmFlags: hg nh ex sh\n",
		  HT_VM_HG | HT_VM_NH | HT_VM_EX | HT_VM_SH },
		{ "VmFlags: rd wr mr mw me ac sd dd \n", 0 },
		{ "VmFlags: \n", 0 },
		{ "VmFlags:\n", 0 },
		/* Last line of input, no newline. */
		{ "VmFlags: rd ex hg", HT_VM_EX | HT_VM_HG },
		{ "VmFlags:\tex\tnh", HT_VM_EX | HT_VM_NH },
		/* mlock: "lo"; lock-on-fault adds "lf", which is not it */
		{ "VmFlags: rd ex mr mw me lo \n", HT_VM_EX | HT_VM_LO },
		{ "VmFlags: rd ex mr mw me lf \n", HT_VM_EX },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		static struct recs rs;
		char s[256];

		memset(&rs, 0, sizeof(rs));
		snprintf(s, sizeof(s), "1000-2000 r-xp 00000000 08:02 7 /a\n"
			 "Rss:                   4 kB\n%s", cases[i].line);
		cr_assert_eq(parse_str(s, &rs), 0, "case %zu", i);
		cr_assert_eq(rs.n, 1, "case %zu", i);
		cr_assert_eq(rs.r[0].v.vmflags, cases[i].want,
			     "case %zu: %#x, want %#x", i, rs.r[0].v.vmflags,
			     cases[i].want);
		cr_assert_eq(rs.r[0].v.rss, 4 * KiB, "case %zu", i);
	}
}

Test(smaps_parse, callback_stops_the_walk)
{
	static struct text t;
	static struct recs rs;
	const struct sizes z = { 4, 0, 0, 0, 0 };
	int i;

	for (i = 0; i < 4; i++) {
		char h[128];

		snprintf(h, sizeof(h), "7f00000%02x000-7f00000%02x000 r--p "
			 "00000000 08:02 %d /lib%d.so", i * 2, i * 2 + 2,
			 100 + i, i);
		text_vma(&t, h, 8, &z, "rd mr mw me ");
	}

	memset(&rs, 0, sizeof(rs));
	cr_assert_eq(parse_text(t.buf, t.len, &rs), 0);
	cr_assert_eq(rs.n, 4);
	cr_assert_str_eq(rs.r[3].v.path, "/lib3.so");
	cr_assert_eq(rs.r[3].v.inode, 103);

	memset(&rs, 0, sizeof(rs));
	rs.stop_at = 2;
	rs.stop_with = 42;
	cr_assert_eq(parse_text(t.buf, t.len, &rs), 42);
	cr_assert_eq(rs.n, 2);
	cr_assert_str_eq(rs.r[1].v.path, "/lib1.so");

	memset(&rs, 0, sizeof(rs));
	rs.stop_at = 1;
	rs.stop_with = -ECANCELED;
	cr_assert_eq(parse_text(t.buf, t.len, &rs), -ECANCELED);
	cr_assert_eq(rs.n, 1);

	/* The last mapping is delivered at the end of input. */
	memset(&rs, 0, sizeof(rs));
	rs.stop_at = 4;
	rs.stop_with = 7;
	cr_assert_eq(parse_text(t.buf, t.len, &rs), 7);
	cr_assert_eq(rs.n, 4);
}

Test(smaps_parse, malformed_header)
{
	static const char *const bad[] = {
		"55d0c8a00000-zz r-xp 00200000 fe:00 1234567 /tmp/bt\n",
		"55d0c8a00000-55d0cba00000 r-xp 00200000\n",
		"55d0c8a00000-55d0cba00000 r-xp 00200000 fe:00\n",
		"55d0c8a00000 r-xp 00200000 fe:00 1234567 /tmp/bt\n",
		"deadbeef\n",
		"1\n",
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		static struct recs rs;

		memset(&rs, 0, sizeof(rs));
		cr_assert_eq(parse_str(bad[i], &rs), -EBADMSG, "\"%s\"",
			     bad[i]);
		cr_assert_eq(rs.n, 0, "\"%s\"", bad[i]);
	}
}

Test(smaps_parse, malformed_after_good)
{
	static const char s[] =
		"1000-3000 r-xp 00000000 08:02 7 /a\n"
		"Rss:                   8 kB\n"
		"3000-zzzz r--p 00002000 08:02 7 /a\n"
		"Rss:                   8 kB\n"
		"5000-6000 r--p 00004000 08:02 7 /a\n";
	static struct recs rs;

	cr_assert_eq(parse_str(s, &rs), -EBADMSG);
	cr_assert_eq(rs.n, 1);
	cr_assert_eq(rs.r[0].v.rss, 8 * KiB);
}

Test(smaps_parse, empty_input)
{
	static struct recs rs;

	cr_assert_eq(parse_text("", 0, &rs), 0);
	cr_assert_eq(rs.n, 0);
	/* Fields before any header are ignored. */
	cr_assert_eq(parse_str("Rss:                   4 kB\n"
			       "VmFlags: rd ex \n\n", &rs), 0);
	cr_assert_eq(rs.n, 0);
	cr_assert_eq(parse_str("\n\n", &rs), 0);
	cr_assert_eq(rs.n, 0);
}

/* ------------------------------------------------------------------ */
/* The live process. */

static long page_size(void)
{
	long p = sysconf(_SC_PAGESIZE);

	cr_assert_gt(p, 0);
	return p;
}

/* A function of the test binary itself; noinline keeps it there. */
static __attribute__((noinline)) int smaps_marker(int x)
{
	return x * 3 + 1;
}

struct exe_seg {
	uintptr_t addr;
	uint64_t bias, vaddr, offset;
	bool found;
};

static int find_main_seg(struct dl_phdr_info *info, size_t size,
			 void *arg)
{
	struct exe_seg *s = arg;
	int i;

	(void)size;
	for (i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		uint64_t a = info->dlpi_addr + ph->p_vaddr;

		if (ph->p_type != PT_LOAD || !(ph->p_flags & PF_X))
			continue;
		if (s->addr >= a && s->addr - a < ph->p_memsz) {
			s->bias = info->dlpi_addr;
			s->vaddr = ph->p_vaddr;
			s->offset = ph->p_offset;
			s->found = true;
			return 1;
		}
	}
	return 0;
}

static void fill_text_query(struct ht_range_stat *q)
{
	uintptr_t a = (uintptr_t)&smaps_marker;
	long p = page_size();

	cr_assert_eq(smaps_marker(2), 7);
	memset(q, 0x3c, sizeof(*q));
	q->start = a & ~((uintptr_t)p - 1);
	q->end = q->start + p;
	q->want_path = true;
}

static void check_text_query(const struct ht_range_stat *q)
{
	struct exe_seg seg = { .addr = (uintptr_t)&smaps_marker };
	char exe[PATH_MAX];
	struct stat st;
	uint64_t want_off;

	cr_assert_not_null(realpath("/proc/self/exe", exe));
	cr_assert_eq(stat(exe, &st), 0);
	cr_assert_eq(dl_iterate_phdr(find_main_seg, &seg), 1);
	cr_assert(seg.found);
	want_off = q->start - seg.bias - seg.vaddr + seg.offset;

	cr_assert_eq(q->nvma, 1);
	cr_assert_eq(q->covered, (uint64_t)page_size());
	cr_assert(q->one_file);
	cr_assert_str_eq(q->path, exe);
	cr_assert_eq(q->inode, (uint64_t)st.st_ino);
	cr_assert_eq(q->dev_major, major(st.st_dev));
	cr_assert_eq(q->dev_minor, minor(st.st_dev));
	cr_assert_eq(q->offset, want_off, "offset %#" PRIx64 ", want %#"
		     PRIx64, q->offset, want_off);
	cr_assert(q->vmflags_or & HT_VM_EX);
	cr_assert_eq(q->vmflags_or & HT_VM_SH, 0);
	cr_assert_gt(q->rss, 0);
}

Test(smaps_live, walk_self)
{
	static struct recs rs;
	int ret;

	/* Stop at the first mapping: there always is one. */
	rs.stop_at = 1;
	rs.stop_with = 5;
	ret = ht_smaps_walk(0, record, &rs);
	cr_assert_eq(ret, 5);
	cr_assert_eq(rs.n, 1);
	cr_assert_lt(rs.r[0].v.start, rs.r[0].v.end);

	memset(&rs, 0, sizeof(rs));
	rs.stop_at = 1;
	rs.stop_with = 6;
	cr_assert_eq(ht_smaps_walk(getpid(), record, &rs), 6);

	/* No such process: pid_max is at most 2^22. */
	memset(&rs, 0, sizeof(rs));
	cr_assert_eq(ht_smaps_walk(INT_MAX, record, &rs), -ENOENT);
	cr_assert_eq(rs.n, 0);
}

Test(smaps_live, text_of_test_binary)
{
	struct ht_range_stat q;

	fill_text_query(&q);
	cr_assert_eq(ht_smaps_query(0, &q, 1), 0);
	check_text_query(&q);
	cr_assert_eq(q.start & (page_size() - 1), 0);
	ht_range_stat_free(&q, 1);
	cr_assert_null(q.path);
}

Test(smaps_live, anonymous_region)
{
	size_t p = page_size(), len = 3 * p;
	struct ht_range_stat q;
	char *m;

	m = mmap(NULL, len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	cr_assert_neq(m, MAP_FAILED);
	memset(m, 1, len);
	memset(&q, 0x3c, sizeof(q));
	q.start = (uintptr_t)m;
	q.end = q.start + len;
	q.want_path = true;
	cr_assert_eq(ht_smaps_query(0, &q, 1), 0);
	cr_assert_eq(q.start, (uintptr_t)m);
	cr_assert_eq(q.end, (uintptr_t)m + len);
	cr_assert_eq(q.nvma, 1);
	cr_assert_eq(q.covered, len);
	cr_assert_eq(q.one_file, false);
	cr_assert_eq(q.inode, 0);
	cr_assert_str_eq(q.path, "");
	ht_range_stat_free(&q, 1);
	/* The mapping may have merged with a neighbour: at least ours. */
	cr_assert_geq(q.anonymous, len);
	cr_assert_geq(q.rss, len);
	cr_assert_eq(q.pmd, 0);
	cr_assert_eq(q.vmflags_or & HT_VM_EX, 0);

	/* A hole in the middle: two mappings, two thirds covered. */
	cr_assert_eq(munmap(m + p, p), 0);
	q.want_path = false;
	cr_assert_eq(ht_smaps_query(0, &q, 1), 0);
	cr_assert_eq(q.nvma, 2);
	cr_assert_eq(q.covered, 2 * p);
	cr_assert_eq(q.one_file, false);

	/* Nothing mapped at all. */
	q.start = (uintptr_t)m + p;
	q.end = q.start + p;
	cr_assert_eq(ht_smaps_query(0, &q, 1), 0);
	cr_assert_eq(q.nvma, 0);
	cr_assert_eq(q.covered, 0);
	cr_assert_eq(q.rss, 0);
	cr_assert_eq(q.one_file, false);
	munmap(m, len);
}

/* A file of @pages pages under /tmp, named in @path; returns its fd. */
static int make_file(char *path, size_t size, size_t pages)
{
	char *buf;
	int fd;

	snprintf(path, size, "/tmp/ht-smaps-XXXXXX");
	fd = mkstemp(path);
	cr_assert_geq(fd, 0, "mkstemp: %s", strerror(errno));
	buf = malloc(pages * page_size());
	cr_assert_not_null(buf);
	memset(buf, 'x', pages * page_size());
	cr_assert_eq(write(fd, buf, pages * page_size()),
		     (ssize_t)(pages * page_size()));
	free(buf);
	return fd;
}

Test(smaps_live, file_mappings)
{
	size_t p = page_size();
	struct ht_range_stat q;
	char path[64], real[PATH_MAX];
	struct stat st;
	char *m, *r;
	int fd;

	fd = make_file(path, sizeof(path), 4);
	cr_assert_not_null(realpath(path, real));
	cr_assert_eq(fstat(fd, &st), 0);

	/* Private, read-only, from the second page of the file. */
	m = mmap(NULL, 3 * p, PROT_READ, MAP_PRIVATE, fd, p);
	cr_assert_neq(m, MAP_FAILED);
	cr_assert_eq(m[0], 'x');
	q.start = (uintptr_t)m + p;
	q.end = (uintptr_t)m + 3 * p;
	q.want_path = true;
	cr_assert_eq(ht_smaps_query(0, &q, 1), 0);
	cr_assert_eq(q.nvma, 1);
	cr_assert_eq(q.covered, 2 * p);
	cr_assert(q.one_file);
	cr_assert_eq(q.offset, 2 * p);
	cr_assert_eq(q.inode, (uint64_t)st.st_ino);
	cr_assert_str_eq(q.path, real);
	cr_assert_eq(q.anonymous, 0);
	ht_range_stat_free(&q, 1);

	/* Remap the last page from file offset 0: offsets disagree. */
	r = mmap(m + 2 * p, p, PROT_READ, MAP_PRIVATE | MAP_FIXED, fd, 0);
	cr_assert_eq(r, m + 2 * p);
	q.want_path = false;
	cr_assert_eq(ht_smaps_query(0, &q, 1), 0);
	cr_assert_null(q.path);
	cr_assert_eq(q.nvma, 2);
	cr_assert_eq(q.covered, 2 * p);
	cr_assert_eq(q.one_file, false);
	cr_assert_eq(q.offset, 2 * p);
	munmap(m, 3 * p);

	/* Shared: not a plain file mapping. */
	m = mmap(NULL, 2 * p, PROT_READ, MAP_SHARED, fd, 0);
	cr_assert_neq(m, MAP_FAILED);
	q.start = (uintptr_t)m;
	q.end = (uintptr_t)m + 2 * p;
	q.want_path = true;
	cr_assert_eq(ht_smaps_query(0, &q, 1), 0);
	cr_assert_eq(q.nvma, 1);
	cr_assert_eq(q.one_file, false);
	cr_assert(q.vmflags_or & HT_VM_SH);
	cr_assert_str_eq(q.path, real);
	ht_range_stat_free(&q, 1);
	munmap(m, 2 * p);

	close(fd);
	unlink(path);
}

Test(smaps_live, two_ranges_in_one_pass)
{
	size_t p = page_size();
	struct ht_range_stat q[2];
	char *m;

	m = mmap(NULL, 2 * p, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	cr_assert_neq(m, MAP_FAILED);
	m[0] = 1;
	fill_text_query(&q[0]);
	memset(&q[1], 0x3c, sizeof(q[1]));
	q[1].start = (uintptr_t)m;
	q[1].end = (uintptr_t)m + 2 * p;
	q[1].want_path = true;
	cr_assert_eq(ht_smaps_query(0, q, 2), 0);

	check_text_query(&q[0]);
	cr_assert_eq(q[1].start, (uintptr_t)m);
	cr_assert_eq(q[1].nvma, 1);
	cr_assert_eq(q[1].covered, 2 * p);
	cr_assert_eq(q[1].one_file, false);
	cr_assert_str_eq(q[1].path, "");
	cr_assert_geq(q[1].anonymous, p);
	ht_range_stat_free(q, 2);
	munmap(m, 2 * p);
}

Test(smaps_live, reset_keeps_range)
{
	struct ht_range_stat q;

	memset(&q, 0x77, sizeof(q));
	q.start = 0x1000;
	q.end = 0x5000;
	q.want_path = true;
	ht_range_stat_reset(&q);
	cr_assert(q.want_path);
	cr_assert_eq(q.start, 0x1000);
	cr_assert_eq(q.end, 0x5000);
	cr_assert_eq(q.nvma, 0);
	cr_assert_eq(q.covered, 0);
	cr_assert_eq(q.rss, 0);
	cr_assert_eq(q.anonymous, 0);
	cr_assert_eq(q.pmd, 0);
	cr_assert_eq(q.vmflags_or, 0);
	cr_assert_eq(q.one_file, false);
	cr_assert_eq(q.offset, 0);
	cr_assert_eq(q.inode, 0);
	cr_assert_null(q.path);
}

/* The file opened is the one mapped, or the answer says it is not. */
Test(open_mapped, same_file_or_stale)
{
	char dir[] = "/tmp/ht-open-mapped.XXXXXX", a[64], b[64];
	struct ht_range_stat q;
	struct stat sb;
	int fd;

	cr_assert_not_null(mkdtemp(dir));
	snprintf(a, sizeof(a), "%s/a", dir);
	snprintf(b, sizeof(b), "%s/b", dir);
	fd = open(a, O_WRONLY | O_CREAT, 0644);
	cr_assert_geq(fd, 0);
	cr_assert_eq(fstat(fd, &sb), 0);
	close(fd);
	memset(&q, 0, sizeof(q));
	q.inode = sb.st_ino;
	q.dev_major = major(sb.st_dev);
	q.dev_minor = minor(sb.st_dev);

	fd = ht_open_mapped(&q, a);
	cr_assert_geq(fd, 0, "same file: %d", fd);
	cr_assert(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	close(fd);
	/* replaced on disk since: another inode under the same name */
	fd = open(b, O_WRONLY | O_CREAT, 0644);
	cr_assert_geq(fd, 0);
	close(fd);
	cr_assert_eq(rename(b, a), 0);
	cr_assert_eq(ht_open_mapped(&q, a), -ESTALE);
	/* the same inode number on another device is another file */
	cr_assert_eq(fstat(fd = open(a, O_RDONLY), &sb), 0);
	close(fd);
	q.inode = sb.st_ino;
	q.dev_minor++;
	cr_assert_eq(ht_open_mapped(&q, a), -ESTALE);
	cr_assert_eq(unlink(a), 0);
	cr_assert_eq(ht_open_mapped(&q, a), -ENOENT);
	cr_assert_eq(rmdir(dir), 0);
}

/* The device maps shows: the mount's superblock's, from mountinfo. */
Test(open_mapped, mapped_dev_of_own_file)
{
	unsigned int maj = ~0u, min = ~0u;
	char line[512], want[32];
	struct stat sb;
	bool found = false;
	FILE *f;
	int fd;

	fd = open("/proc/self/exe", O_RDONLY);
	cr_assert_geq(fd, 0);
	cr_assert_eq(ht_mapped_dev(fd, &maj, &min), 0);
	cr_assert_eq(fstat(fd, &sb), 0);
	close(fd);
	/* what this process's own maps says for its program */
	snprintf(want, sizeof(want), "%02x:%02x", maj, min);
	f = fopen("/proc/self/maps", "r");
	cr_assert_not_null(f);
	while (fgets(line, sizeof(line), f))
		if (strstr(line, " r-xp ") && strstr(line, want) &&
		    strtoull(strstr(line, want) + strlen(want), NULL, 10) ==
		    sb.st_ino)
			found = true;
	fclose(f);
	cr_assert(found, "no text mapping on %s, inode %llu", want,
		  (unsigned long long)sb.st_ino);
	cr_assert_eq(ht_mapped_dev(-1, &maj, &min), -ENOENT);
}
