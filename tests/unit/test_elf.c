// SPDX-License-Identifier: MIT
/*
 * test_elf.c - unit tests for the ELF reader (elf_segments.h).
 *
 * ht_elf_read() and ht_elf_read_fd() on real files, each cross-checked
 * against the program headers read here with <elf.h>: this test binary,
 * libc.so.6, and
 * programs compiled at test time with cc into a mkdtemp directory (static,
 * static-pie, non-PIE, 2 MiB max-page-size, a shared object with and one
 * without text relocations).  Hand-made ELF files for exact values: more
 * executable segments than are kept, DF_TEXTREL.
 * Corrupt inputs (empty, random, truncated, text, bad class), a
 * directory, /dev/null and a missing file must fail with the documented
 * -errno and a message that starts with the path, also with err NULL.
 */
#include <criterion/criterion.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <link.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "elf_segments.h"
#include "helpers.h"
#include "spans.h"

#define SELF	"/proc/self/exe"
#define LIBC	"/lib/x86_64-linux-gnu/libc.so.6"

/* ------------------------------------------------------------------ */
/* A scratch directory per test. */

static const char *dir;

static void dir_setup(void)
{
	dir = scratch_setup("/tmp", "ht-elf");
}

/* Copy the first @n bytes of @src (all of it if shorter) to @dst. */
static void copy_head(const char *src, const char *dst, size_t n)
{
	char *buf = malloc(n ? n : 1);
	ssize_t got;
	int fd;

	cr_assert_not_null(buf);
	fd = open(src, O_RDONLY | O_CLOEXEC);
	cr_assert_geq(fd, 0, "%s: %s", src, strerror(errno));
	got = pread(fd, buf, n, 0);
	cr_assert_geq(got, 0);
	close(fd);
	write_file(dst, buf, got, 0644);
	free(buf);
}

/* ------------------------------------------------------------------ */
/* Compiling fixtures. */

static const char prog_c[] = "int main(void) { return 0; }\n";

/* ------------------------------------------------------------------ */
/* What the file says, read here without libelf. */

struct expect {
	uint16_t type;
	bool has_interp, has_dynamic;
	size_t nexec;
	struct ht_segment exec[HT_ELF_MAX_EXEC];
	uint64_t text_bytes;
};

static void read_expect(const char *path, struct expect *e)
{
	Elf64_Ehdr eh;
	Elf64_Phdr ph;
	int fd, i;

	memset(e, 0, sizeof(*e));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	cr_assert_geq(fd, 0, "%s: %s", path, strerror(errno));
	cr_assert_eq(pread(fd, &eh, sizeof(eh), 0), (ssize_t)sizeof(eh));
	cr_assert_eq(memcmp(eh.e_ident, ELFMAG, SELFMAG), 0);
	cr_assert_eq(eh.e_ident[EI_CLASS], ELFCLASS64);
	cr_assert_eq(eh.e_phentsize, sizeof(ph));
	e->type = eh.e_type;
	for (i = 0; i < eh.e_phnum; i++) {
		cr_assert_eq(pread(fd, &ph, sizeof(ph),
				   eh.e_phoff + i * sizeof(ph)),
			     (ssize_t)sizeof(ph));
		if (ph.p_type == PT_INTERP)
			e->has_interp = true;
		if (ph.p_type == PT_DYNAMIC)
			e->has_dynamic = true;
		if (ph.p_type != PT_LOAD || !(ph.p_flags & PF_X))
			continue;
		e->text_bytes += ph.p_filesz;
		if (e->nexec < HT_ELF_MAX_EXEC) {
			struct ht_segment *s = &e->exec[e->nexec];

			s->offset = ph.p_offset;
			s->vaddr = ph.p_vaddr;
			s->filesz = ph.p_filesz;
			s->memsz = ph.p_memsz;
			s->align = ph.p_align;
			s->flags = ph.p_flags;
		}
		e->nexec++;
	}
	close(fd);
}

static void check_against(const struct ht_elf_info *info,
			  const struct expect *e, const char *what)
{
	size_t i, n;

	cr_assert_eq(info->type, e->type, "%s: type", what);
	cr_assert_eq(info->has_interp, e->has_interp, "%s: interp", what);
	cr_assert_eq(info->has_dynamic, e->has_dynamic, "%s: dynamic",
		     what);
	cr_assert_eq(info->nexec, e->nexec, "%s: nexec", what);
	cr_assert_eq(info->text_bytes, e->text_bytes, "%s: text", what);
	n = e->nexec < HT_ELF_MAX_EXEC ? e->nexec : HT_ELF_MAX_EXEC;
	for (i = 0; i < n; i++) {
		const struct ht_segment *a = &info->exec[i], *b = &e->exec[i];

		cr_assert_eq(a->offset, b->offset, "%s: %zu", what, i);
		cr_assert_eq(a->vaddr, b->vaddr, "%s: %zu", what, i);
		cr_assert_eq(a->filesz, b->filesz, "%s: %zu", what, i);
		cr_assert_eq(a->memsz, b->memsz, "%s: %zu", what, i);
		cr_assert_eq(a->align, b->align, "%s: %zu", what, i);
		cr_assert_eq(a->flags, b->flags, "%s: %zu", what, i);
		cr_assert(a->flags & PF_X, "%s: %zu", what, i);
	}
}

/* Read @path both ways, check they agree, return the info. */
static void read_both(const char *path, struct ht_elf_info *info)
{
	static struct ht_elf_info other;
	char err[HT_ELF_ERRLEN];
	int fd;

	memset(info, 0xa5, sizeof(*info));
	memset(err, 'x', sizeof(err));
	cr_assert_eq(ht_elf_read(path, info, err, sizeof(err)), 0,
		     "%s: %s", path, err);
	cr_assert_str_eq(err, "");

	fd = open(path, O_RDONLY | O_CLOEXEC);
	cr_assert_geq(fd, 0);
	/* The descriptor's offset does not matter. */
	cr_assert_eq(lseek(fd, 17, SEEK_SET), 17);
	memset(&other, 0x5a, sizeof(other));
	cr_assert_eq(ht_elf_read_fd(fd, path, &other, NULL, 0), 0);
	close(fd);
	cr_assert_eq(memcmp(info, &other, sizeof(other)), 0,
		     "%s: read and read_fd differ", path);
}

/* ------------------------------------------------------------------ */
/* Real files. */

struct bias {
	uint64_t bias;
	bool found;
};

static int main_bias(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct bias *b = arg;

	(void)size;
	/* The first object is the main program. */
	b->bias = info->dlpi_addr;
	b->found = true;
	return 1;
}

static __attribute__((noinline)) int elf_marker(int x)
{
	return x ^ 0x5a;
}

Test(elf_real, self)
{
	static struct ht_elf_info info;
	static struct expect e;
	struct bias b = { 0 };
	uintptr_t a = (uintptr_t)&elf_marker;
	bool inside = false;
	size_t i;

	read_both(SELF, &info);
	read_expect(SELF, &e);
	check_against(&info, &e, SELF);

	cr_assert_eq(info.has_interp, true);
	cr_assert_eq(info.has_dynamic, true);
	cr_assert_eq(info.textrel, false);
	cr_assert_geq(info.nexec, 1);
	cr_assert(info.exec[0].flags & PF_X);
	if (info.type == ET_DYN)
		cr_assert(ht_elf_is_pie(&info));
	else
		cr_assert_eq(info.type, ET_EXEC);

	/* A function of this file lies in one of its exec segments. */
	cr_assert_eq(elf_marker(0), 0x5a);
	cr_assert_eq(dl_iterate_phdr(main_bias, &b), 1);
	cr_assert(b.found);
	for (i = 0; i < info.nexec && i < HT_ELF_MAX_EXEC; i++) {
		uint64_t v = info.exec[i].vaddr + b.bias;

		if (a >= v && a - v < info.exec[i].memsz)
			inside = true;
	}
	cr_assert(inside, "elf_marker at %#lx outside the text",
		  (unsigned long)a);
}

Test(elf_real, libc)
{
	static struct ht_elf_info info;
	static struct expect e;

	if (access(LIBC, R_OK))
		cr_skip_test("%s not found", LIBC);
	read_both(LIBC, &info);
	read_expect(LIBC, &e);
	check_against(&info, &e, LIBC);
	cr_assert_eq(info.type, ET_DYN);
	cr_assert_eq(info.has_dynamic, true);
	cr_assert_eq(info.textrel, false);
	cr_assert_geq(info.nexec, 1);
	cr_assert_gt(info.text_bytes, 0);
}

/* The loader this program names is the one that runs it (PT_INTERP). */
Test(elf_real, interp)
{
	char buf[PATH_MAX], small[4];
	struct stat a, b;
	int fd = open(SELF, O_RDONLY | O_CLOEXEC);

	cr_assert_geq(fd, 0);
	cr_assert_eq(ht_elf_interp(fd, buf, sizeof(buf)), 0);
	cr_assert_eq(buf[0], '/', "interp %s", buf);
	cr_assert_eq(stat(buf, &a), 0, "%s: %s", buf, strerror(errno));
	cr_assert_eq(ht_elf_interp(fd, small, sizeof(small)), -ENAMETOOLONG);
	close(fd);
	/* libc names no interpreter for itself... */
	fd = open(LIBC, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		int r = ht_elf_interp(fd, buf, sizeof(buf));

		/* ...or, as glibc's, the loader: it can be run. */
		cr_assert(r == -ENOENT || (r == 0 && stat(buf, &b) == 0 &&
					   b.st_ino == a.st_ino),
			  "libc: %d %s", r, buf);
		close(fd);
	}
	/* Not ELF at all. */
	fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
	cr_assert_geq(fd, 0);
	cr_assert_eq(ht_elf_interp(fd, buf, sizeof(buf)), -ENOEXEC);
	close(fd);
}

/* ------------------------------------------------------------------ */
/* Compiled fixtures. */

TestSuite(elf_cc, .init = dir_setup, .fini = scratch_teardown);

static void read_fixture(const char *name, struct ht_elf_info *info)
{
	static struct expect e;
	char path[128];

	scratch_path(path, sizeof(path), name);
	read_both(path, info);
	read_expect(path, &e);
	check_against(info, &e, path);
	cr_assert_geq(info->nexec, 1, "%s", path);
}

Test(elf_cc, static_program)
{
	static struct ht_elf_info info;

	need_cc("ELF fixtures");
	scratch_write("prog.c", prog_c);
	if (!try_cc("-static", "static", "prog.c")) {
		show_cc_log();
		cr_skip_test("cc -static failed (no static libc?)");
	}
	read_fixture("static", &info);
	cr_assert_eq(info.has_interp, false);
	{
		char path[128], buf[256];
		int fd;

		scratch_path(path, sizeof(path), "static");
		fd = open(path, O_RDONLY | O_CLOEXEC);
		cr_assert_geq(fd, 0);
		cr_assert_eq(ht_elf_interp(fd, buf, sizeof(buf)), -ENOENT);
		close(fd);
	}
	cr_assert_eq(info.type, ET_EXEC);
	cr_assert_eq(ht_elf_is_pie(&info), false);
	cr_assert_eq(info.textrel, false);
}

Test(elf_cc, static_pie_is_not_pie)
{
	static struct ht_elf_info info;

	need_cc("ELF fixtures");
	scratch_write("prog.c", prog_c);
	if (!try_cc("-static-pie -fPIE", "static-pie", "prog.c")) {
		show_cc_log();
		cr_skip_test("cc -static-pie failed");
	}
	read_fixture("static-pie", &info);
	cr_assert_eq(info.type, ET_DYN);
	cr_assert_eq(info.has_interp, false);
	cr_assert_eq(info.has_dynamic, true);
	/* No interpreter: ht_elf_is_pie() says no, as documented. */
	cr_assert_eq(ht_elf_is_pie(&info), false);
}

Test(elf_cc, non_pie)
{
	static struct ht_elf_info info;

	need_cc("ELF fixtures");
	scratch_write("prog.c", prog_c);
	must_cc("-no-pie", "nopie", "prog.c");
	read_fixture("nopie", &info);
	cr_assert_eq(info.type, ET_EXEC);
	cr_assert_eq(info.type, 2);
	cr_assert_eq(info.has_interp, true);
	cr_assert_eq(ht_elf_is_pie(&info), false);
	cr_assert_neq(info.exec[0].vaddr, 0);
}

Test(elf_cc, pie)
{
	static struct ht_elf_info info;

	need_cc("ELF fixtures");
	scratch_write("prog.c", prog_c);
	must_cc("-fPIE -pie", "pie", "prog.c");
	read_fixture("pie", &info);
	cr_assert_eq(info.type, ET_DYN);
	cr_assert_eq(info.has_interp, true);
	cr_assert(ht_elf_is_pie(&info));
}

Test(elf_cc, max_page_size_2m)
{
	static struct ht_elf_info info;
	const struct ht_segment *s;
	struct ht_spans sp;

	need_cc("ELF fixtures");
	scratch_write("prog.c", prog_c);
	must_cc("-Wl,-z,max-page-size=0x200000", "big", "prog.c");
	read_fixture("big", &info);
	s = &info.exec[0];
	cr_assert_eq(s->align, 0x200000);
	cr_assert_eq((s->vaddr - s->offset) & HT_HPAGE_MASK, 0);
	/* What the linker promised, the span arithmetic accepts. */
	cr_assert_eq(ht_spans_find(s->vaddr, 4 * HT_HPAGE_SIZE, s->offset,
				   &sp), HT_R_NONE);
}

#ifdef __x86_64__
/* A 64-bit absolute address in .text: a text relocation in a DSO. */
static const char textrel_s[] =
	"\t.text\n"
	"\t.globl f\n"
	"\t.type f, @function\n"
	"f:\tmovabs $g, %rax\n"
	"\tret\n"
	"\t.data\n"
	"g:\t.quad 0\n"
	"\t.section .note.GNU-stack,\"\",@progbits\n";

static const char plain_s[] =
	"\t.text\n"
	"\t.globl f\n"
	"\t.type f, @function\n"
	"f:\tret\n"
	"\t.section .note.GNU-stack,\"\",@progbits\n";

/* Does readelf -d list TEXTREL?  -1 when readelf is missing. */
static int readelf_textrel(const char *path)
{
	char cmd[512];

	if (system("command -v readelf >/dev/null 2>&1"))
		return -1;
	snprintf(cmd, sizeof(cmd), "readelf -d '%s' | grep -q TEXTREL",
		 path);
	return system(cmd) == 0;
}

Test(elf_cc, shared_object_with_textrel)
{
	static struct ht_elf_info info;
	char path[128];

	need_cc("ELF fixtures");
	scratch_write("textrel.s", textrel_s);
	must_cc("-shared -Wl,-z,notext", "textrel.so", "textrel.s");
	scratch_path(path, sizeof(path), "textrel.so");
	cr_assert_neq(readelf_textrel(path), 0,
		      "the fixture has no DT_TEXTREL");
	read_fixture("textrel.so", &info);
	cr_assert_eq(info.type, ET_DYN);
	cr_assert_eq(info.has_interp, false);
	cr_assert_eq(info.has_dynamic, true);
	cr_assert_eq(info.textrel, true);
	cr_assert_eq(ht_elf_is_pie(&info), false);
}

Test(elf_cc, shared_object_without_textrel)
{
	static struct ht_elf_info info;
	char path[128];

	need_cc("ELF fixtures");
	scratch_write("plain.s", plain_s);
	must_cc("-shared", "plain.so", "plain.s");
	scratch_path(path, sizeof(path), "plain.so");
	cr_assert_neq(readelf_textrel(path), 1);
	read_fixture("plain.so", &info);
	cr_assert_eq(info.type, ET_DYN);
	cr_assert_eq(info.has_dynamic, true);
	cr_assert_eq(info.textrel, false);
}
#endif /* __x86_64__ */

/* ------------------------------------------------------------------ */
/* Hand-made files, for exact values. */

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define HOST_DATA ELFDATA2LSB
#else
#define HOST_DATA ELFDATA2MSB
#endif

#define IMG_SIZE	4096
#define IMG_PAYLOAD	2048	/* dynamic section */

struct image {
	unsigned char b[IMG_SIZE];
	Elf64_Ehdr *eh;
	Elf64_Phdr *ph;
	size_t payload;		/* next free byte */
};

static void img_init(struct image *im, uint16_t type)
{
	memset(im, 0, sizeof(*im));
	im->eh = (Elf64_Ehdr *)im->b;
	im->ph = (Elf64_Phdr *)(im->b + sizeof(Elf64_Ehdr));
	memcpy(im->eh->e_ident, ELFMAG, SELFMAG);
	im->eh->e_ident[EI_CLASS] = ELFCLASS64;
	im->eh->e_ident[EI_DATA] = HOST_DATA;
	im->eh->e_ident[EI_VERSION] = EV_CURRENT;
	im->eh->e_type = type;
	im->eh->e_machine = EM_X86_64;
	im->eh->e_version = EV_CURRENT;
	im->eh->e_phoff = sizeof(Elf64_Ehdr);
	im->eh->e_ehsize = sizeof(Elf64_Ehdr);
	im->eh->e_phentsize = sizeof(Elf64_Phdr);
	im->payload = IMG_PAYLOAD;
}

static Elf64_Phdr *img_phdr(struct image *im, uint32_t type)
{
	Elf64_Phdr *ph = &im->ph[im->eh->e_phnum++];

	cr_assert_lt((unsigned char *)(ph + 1) - im->b, IMG_PAYLOAD);
	ph->p_type = type;
	return ph;
}

static void img_load(struct image *im, uint32_t flags, uint64_t off,
		     uint64_t vaddr, uint64_t filesz, uint64_t memsz,
		     uint64_t align)
{
	Elf64_Phdr *ph = img_phdr(im, PT_LOAD);

	ph->p_flags = flags;
	ph->p_offset = off;
	ph->p_vaddr = vaddr;
	ph->p_paddr = vaddr;
	ph->p_filesz = filesz;
	ph->p_memsz = memsz;
	ph->p_align = align;
}

/* Add @len bytes at an 8-byte aligned offset; returns the offset. */
static size_t img_put(struct image *im, const void *data, size_t len)
{
	size_t off = (im->payload + 7) & ~(size_t)7;

	cr_assert_leq(off + len, IMG_SIZE);
	memcpy(im->b + off, data, len);
	im->payload = off + len;
	return off;
}

static void img_dynamic(struct image *im, const Elf64_Dyn *d, size_t n)
{
	Elf64_Phdr *ph;
	size_t off = img_put(im, d, n * sizeof(*d));

	ph = img_phdr(im, PT_DYNAMIC);
	ph->p_flags = PF_R | PF_W;
	ph->p_offset = off;
	ph->p_vaddr = off;
	ph->p_filesz = n * sizeof(*d);
	ph->p_memsz = n * sizeof(*d);
	ph->p_align = 8;
}

static void img_write(const struct image *im, const char *name,
		      char *path, size_t size)
{
	scratch_path(path, size, name);
	write_file(path, im->b, IMG_SIZE, 0644);
}

TestSuite(elf_made, .init = dir_setup, .fini = scratch_teardown);

Test(elf_made, exact_segments)
{
	static struct image im;
	static struct ht_elf_info info;
	char path[128], err[HT_ELF_ERRLEN];

	img_init(&im, ET_DYN);
	img_phdr(&im, PT_INTERP);
	img_load(&im, PF_R, 0, 0, 0x1000, 0x1000, 0x200000);
	img_load(&im, PF_R | PF_X, 0x200000, 0x200000, 0x3000123,
		 0x3000123, 0x200000);
	img_load(&im, PF_R | PF_W, 0x3400000, 0x3600000, 0x100, 0x2000,
		 0x200000);
	img_write(&im, "exact", path, sizeof(path));

	cr_assert_eq(ht_elf_read(path, &info, err, sizeof(err)), 0, "%s",
		     err);
	cr_assert_eq(info.type, ET_DYN);
	cr_assert_eq(info.has_interp, true);
	cr_assert_eq(info.has_dynamic, false);
	cr_assert_eq(info.textrel, false);
	cr_assert(ht_elf_is_pie(&info));
	cr_assert_eq(info.nexec, 1);
	cr_assert_eq(info.text_bytes, 0x3000123);
	cr_assert_eq(info.exec[0].offset, 0x200000);
	cr_assert_eq(info.exec[0].vaddr, 0x200000);
	cr_assert_eq(info.exec[0].filesz, 0x3000123);
	cr_assert_eq(info.exec[0].memsz, 0x3000123);
	cr_assert_eq(info.exec[0].align, 0x200000);
	cr_assert_eq(info.exec[0].flags, PF_R | PF_X);
}

Test(elf_made, more_exec_segments_than_kept)
{
	static struct image im;
	static struct ht_elf_info info;
	const unsigned int n = HT_ELF_MAX_EXEC + 3;
	char path[128], err[HT_ELF_ERRLEN];
	uint64_t sum = 0;
	unsigned int i;

	img_init(&im, ET_EXEC);
	for (i = 0; i < n; i++) {
		uint64_t sz = 0x1000 * (i + 1);

		img_load(&im, PF_R | PF_X, 0x1000 * i, 0x400000 + 0x100000 * i,
			 sz, sz + 8, 0x1000);
		sum += sz;
	}
	img_write(&im, "many", path, sizeof(path));

	cr_assert_eq(ht_elf_read(path, &info, err, sizeof(err)), 0, "%s",
		     err);
	cr_assert_eq(info.type, ET_EXEC);
	cr_assert_eq(info.has_interp, false);
	cr_assert_eq(info.nexec, n);
	cr_assert_eq(info.text_bytes, sum);
	for (i = 0; i < HT_ELF_MAX_EXEC; i++) {
		cr_assert_eq(info.exec[i].offset, 0x1000 * i);
		cr_assert_eq(info.exec[i].vaddr, 0x400000 + 0x100000 * i);
		cr_assert_eq(info.exec[i].filesz, 0x1000 * (i + 1));
		cr_assert_eq(info.exec[i].memsz, 0x1000 * (i + 1) + 8);
	}
}

Test(elf_made, textrel_forms)
{
	static struct image im;
	static struct ht_elf_info info;
	const Elf64_Dyn flags[] = {
		{ .d_tag = DT_FLAGS, .d_un.d_val = DF_BIND_NOW | DF_TEXTREL },
		{ .d_tag = DT_NULL },
	};
	const Elf64_Dyn tag[] = {
		{ .d_tag = DT_FLAGS, .d_un.d_val = DF_BIND_NOW },
		{ .d_tag = DT_TEXTREL },
		{ .d_tag = DT_NULL },
	};
	const Elf64_Dyn none[] = {
		{ .d_tag = DT_FLAGS, .d_un.d_val = DF_BIND_NOW },
		{ .d_tag = DT_NULL },
		/* Past DT_NULL: not part of the array. */
		{ .d_tag = DT_TEXTREL },
	};
	char path[128], err[HT_ELF_ERRLEN];

	img_init(&im, ET_DYN);
	img_load(&im, PF_R | PF_X, 0, 0, 0x1000, 0x1000, 0x1000);
	img_dynamic(&im, flags, 2);
	img_write(&im, "df_textrel", path, sizeof(path));
	cr_assert_eq(ht_elf_read(path, &info, err, sizeof(err)), 0, "%s",
		     err);
	cr_assert_eq(info.has_dynamic, true);
	cr_assert_eq(info.textrel, true, "DF_TEXTREL in DT_FLAGS");

	img_init(&im, ET_DYN);
	img_load(&im, PF_R | PF_X, 0, 0, 0x1000, 0x1000, 0x1000);
	img_dynamic(&im, tag, 3);
	img_write(&im, "dt_textrel", path, sizeof(path));
	cr_assert_eq(ht_elf_read(path, &info, err, sizeof(err)), 0, "%s",
		     err);
	cr_assert_eq(info.textrel, true, "DT_TEXTREL");

	img_init(&im, ET_DYN);
	img_load(&im, PF_R | PF_X, 0, 0, 0x1000, 0x1000, 0x1000);
	img_dynamic(&im, none, 3);
	img_write(&im, "no_textrel", path, sizeof(path));
	cr_assert_eq(ht_elf_read(path, &info, err, sizeof(err)), 0, "%s",
		     err);
	cr_assert_eq(info.has_dynamic, true);
	cr_assert_eq(info.textrel, false);
}

/*
 * A segment whose p_offset + p_filesz wraps past 2^64 ends past any
 * file's end: load_end must say so, or check and prime, which compare
 * it with the file's size, take it for a short file that holds its
 * segments (found by tests/fuzz/fuzz_elf.c).
 */
Test(elf_made, load_end_wraps)
{
	static struct image im;
	static struct ht_elf_info info;
	char path[128], err[HT_ELF_ERRLEN];

	img_init(&im, ET_EXEC);
	img_load(&im, PF_R | PF_X, 0x2000, 0x402000, UINT64_MAX - 0xfff,
		 0x1000, 0x1000);
	img_write(&im, "wraps", path, sizeof(path));
	cr_assert_eq(ht_elf_read(path, &info, err, sizeof(err)), 0, "%s",
		     err);
	cr_assert_eq(info.nexec, 1);
	cr_assert_gt(info.load_end, IMG_SIZE, "load_end %#llx",
		     (unsigned long long)info.load_end);
	cr_assert_eq(info.load_end, UINT64_MAX);
}

/* ------------------------------------------------------------------ */
/* Bad inputs. */

TestSuite(elf_bad, .init = dir_setup, .fini = scratch_teardown);

/*
 * ht_elf_read(@path) must return @want, say why after "@path: ", leave
 * @info zeroed, and behave the same without an error buffer; so must
 * ht_elf_read_fd() when @fd_too.
 */
static void expect_fail(const char *path, int want, bool fd_too)
{
	static struct ht_elf_info info;
	char err[HT_ELF_ERRLEN], prefix[256];
	int ret;

	memset(&info, 0xa5, sizeof(info));
	memset(err, 'x', sizeof(err));
	ret = ht_elf_read(path, &info, err, sizeof(err));
	cr_assert_eq(ret, want, "%s: got %d (%s), want %d", path, ret,
		     strerror(-ret), want);
	cr_assert_lt(strlen(err), sizeof(err));
	snprintf(prefix, sizeof(prefix), "%s: ", path);
	cr_assert_eq(strncmp(err, prefix, strlen(prefix)), 0,
		     "message \"%s\" does not start with \"%s\"", err,
		     prefix);
	cr_assert_gt(strlen(err), strlen(prefix), "empty message: %s", err);
	cr_assert_null(strchr(err, '\n'));
	cr_assert_eq(info.nexec, 0);
	cr_assert_eq(info.text_bytes, 0);
	cr_assert_eq(info.has_interp, false);

	cr_assert_eq(ht_elf_read(path, &info, NULL, 0), want, "%s", path);
	cr_assert_eq(ht_elf_read(path, &info, NULL, sizeof(err)), want);
	memset(err, 'x', sizeof(err));
	cr_assert_eq(ht_elf_read(path, &info, err, 0), want);
	cr_assert_eq(err[0], 'x', "errlen 0 but err written");

	if (fd_too) {
		int fd = open(path, O_RDONLY | O_CLOEXEC);

		cr_assert_geq(fd, 0);
		memset(err, 'x', sizeof(err));
		cr_assert_eq(ht_elf_read_fd(fd, path, &info, err,
					    sizeof(err)), want, "%s", path);
		cr_assert_eq(strncmp(err, prefix, strlen(prefix)), 0, "%s",
			     err);
		cr_assert_gt(strlen(err), strlen(prefix));
		cr_assert_eq(ht_elf_read_fd(fd, path, &info, NULL, 0), want);
		close(fd);
	}
}

Test(elf_bad, empty_file)
{
	char path[128];

	scratch_path(path, sizeof(path), "empty");
	write_file(path, "", 0, 0644);
	expect_fail(path, -ENOEXEC, true);
}

Test(elf_bad, random_bytes)
{
	unsigned char buf[8192];
	uint32_t x = 0x2545f491;
	char path[128];
	size_t i;

	for (i = 0; i < sizeof(buf); i++) {
		/* xorshift32, fixed seed */
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		buf[i] = (unsigned char)x;
	}
	cr_assert_neq(memcmp(buf, ELFMAG, SELFMAG), 0);
	scratch_path(path, sizeof(path), "random");
	write_file(path, buf, sizeof(buf), 0644);
	expect_fail(path, -ENOEXEC, true);
}

Test(elf_bad, truncated)
{
	static const size_t sizes[] = { 4, 16, 40, 63, 64, 64 + 56,
					64 + 2 * 56 + 10 };
	char path[128], name[32];
	size_t i;

	for (i = 0; i < sizeof(sizes) / sizeof(*sizes); i++) {
		snprintf(name, sizeof(name), "trunc%zu", sizes[i]);
		scratch_path(path, sizeof(path), name);
		copy_head(SELF, path, sizes[i]);
		expect_fail(path, -ENOEXEC, true);
	}
}

/*
 * Cut inside the first program header.  libelf (0.188) then reports
 * fewer program headers than e_phnum says, here none, and the file reads
 * as a valid ELF without segments or interpreter, unless
 * ht_elf_read_fd() checks the count against e_phnum, as it does.
 */
Test(elf_bad, truncated_in_first_phdr)
{
	char path[128];

	scratch_path(path, sizeof(path), "trunc84");
	copy_head(SELF, path, 64 + 20);
	expect_fail(path, -ENOEXEC, true);
}

Test(elf_bad, program_headers_cut)
{
	char path[128];
	Elf64_Ehdr eh;
	int fd;

	/* Keep the header and the first program header, not the rest. */
	fd = open(SELF, O_RDONLY | O_CLOEXEC);
	cr_assert_geq(fd, 0);
	cr_assert_eq(pread(fd, &eh, sizeof(eh), 0), (ssize_t)sizeof(eh));
	close(fd);
	cr_assert_gt(eh.e_phnum, 2);
	scratch_path(path, sizeof(path), "cut");
	copy_head(SELF, path, eh.e_phoff + sizeof(Elf64_Phdr) + 10);
	expect_fail(path, -ENOEXEC, true);
}

Test(elf_bad, text_file)
{
	static const char text[] = "#!/bin/sh\necho 'not ELF'\n";
	char path[128];

	scratch_path(path, sizeof(path), "script.sh");
	write_file(path, text, strlen(text), 0644);
	expect_fail(path, -ENOEXEC, true);

	/* Just the magic, then nothing. */
	scratch_path(path, sizeof(path), "magic");
	write_file(path, ELFMAG, SELFMAG, 0644);
	expect_fail(path, -ENOEXEC, true);
}

Test(elf_bad, bad_class)
{
	static struct ht_elf_info info;
	unsigned char hdr[64];
	char path[128], err[HT_ELF_ERRLEN];
	int ret;
	int fd;

	/* A real file whose EI_CLASS names no class at all. */
	fd = open(SELF, O_RDONLY | O_CLOEXEC);
	cr_assert_eq(pread(fd, hdr, sizeof(hdr), 0), (ssize_t)sizeof(hdr));
	close(fd);
	cr_assert_eq(hdr[EI_CLASS], ELFCLASS64);
	scratch_path(path, sizeof(path), "class");
	copy_head(SELF, path, 65536);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	cr_assert_geq(fd, 0);
	hdr[EI_CLASS] = ELFCLASSNUM;
	cr_assert_eq(pwrite(fd, hdr, 8, 0), 8);
	close(fd);
	ret = ht_elf_read(path, &info, err, sizeof(err));
	/* Documented as -EINVAL ("unsupported class"); -ENOEXEC is
	 * what corrupt content gets.  Either way a message. */
	cr_assert(ret == -ENOEXEC || ret == -EINVAL, "got %d", ret);
	cr_assert_eq(strncmp(err, path, strlen(path)), 0, "%s", err);
	cr_assert_gt(strlen(err), strlen(path) + 2);
}

Test(elf_bad, directory)
{
	expect_fail(dir, -EISDIR, false);
	expect_fail("/", -EISDIR, false);
}

Test(elf_bad, not_regular)
{
	expect_fail("/dev/null", -ENOEXEC, false);
}

Test(elf_bad, missing_file)
{
	char path[128];

	scratch_path(path, sizeof(path), "no-such-file");
	expect_fail(path, -ENOENT, false);
	scratch_path(path, sizeof(path), "no-such-dir/file");
	expect_fail(path, -ENOENT, false);
}

Test(elf_bad, short_error_buffer)
{
	static struct ht_elf_info info;
	char path[128], err[8];

	scratch_path(path, sizeof(path), "missing");
	memset(err, 'x', sizeof(err));
	cr_assert_eq(ht_elf_read(path, &info, err, sizeof(err)), -ENOENT);
	cr_assert_lt(strlen(err), sizeof(err));
	cr_assert_eq(strncmp(err, path, strlen(err)), 0, "%s", err);

	memset(err, 'x', sizeof(err));
	cr_assert_eq(ht_elf_read(path, &info, err, 1), -ENOENT);
	cr_assert_eq(err[0], '\0');
}
