// SPDX-License-Identifier: MIT
/*
 * gen_corpus.c - write the fuzzers' seed corpus (tests/fuzz/corpus) into
 * the directory given: small hand-made ELF files for the reader, the
 * placement and the in-memory reader, with the placement's parameters
 * in front for its own; smaps and maps text for the smaps parser.
 *
 * The ELF files hold headers and a dynamic section only, a kilobyte or
 * so: what a segment says of the file beyond that is as far as the
 * reader goes (it reads no section contents).  Built and run by
 * tests/fuzz/gen-corpus.sh; its output is committed.
 */
#include <elf.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define KiB	((uint64_t)1024)
#define MiB	(1024 * KiB)
#define IMG	1024		/* bytes of every image */
#define DYNOFF	0x300		/* where the dynamic section goes */

struct image {
	unsigned char b[IMG];
	Elf64_Ehdr *eh;
	Elf64_Phdr *ph;
	size_t ndyn;
	size_t len;		/* written length (truncated images) */
};

static const char *out;

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static void put(const char *dir, const char *name, const void *buf,
		size_t len)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", out, dir);
	if (mkdir(path, 0755) && errno != EEXIST)
		die(path);
	snprintf(path, sizeof(path), "%s/%s/%s", out, dir, name);
	f = fopen(path, "wb");
	if (!f || fwrite(buf, 1, len, f) != len || fclose(f))
		die(path);
}

static void img_init(struct image *im, uint16_t type)
{
	memset(im, 0, sizeof(*im));
	im->eh = (Elf64_Ehdr *)im->b;
	im->ph = (Elf64_Phdr *)(im->b + sizeof(Elf64_Ehdr));
	memcpy(im->eh->e_ident, ELFMAG, SELFMAG);
	im->eh->e_ident[EI_CLASS] = ELFCLASS64;
	im->eh->e_ident[EI_DATA] = ELFDATA2LSB;
	im->eh->e_ident[EI_VERSION] = EV_CURRENT;
	im->eh->e_type = type;
	im->eh->e_machine = EM_X86_64;
	im->eh->e_version = EV_CURRENT;
	im->eh->e_phoff = sizeof(Elf64_Ehdr);
	im->eh->e_ehsize = sizeof(Elf64_Ehdr);
	im->eh->e_phentsize = sizeof(Elf64_Phdr);
	im->len = IMG;
}

static Elf64_Phdr *phdr(struct image *im, uint32_t type, uint32_t flags)
{
	Elf64_Phdr *ph = &im->ph[im->eh->e_phnum++];

	if ((unsigned char *)(ph + 1) > im->b + DYNOFF) {
		fprintf(stderr, "gen_corpus: too many program headers\n");
		exit(1);
	}
	ph->p_type = type;
	ph->p_flags = flags;
	return ph;
}

static void load(struct image *im, uint32_t flags, uint64_t off,
		 uint64_t vaddr, uint64_t filesz, uint64_t align)
{
	Elf64_Phdr *ph = phdr(im, PT_LOAD, flags);

	ph->p_offset = off;
	ph->p_vaddr = ph->p_paddr = vaddr;
	ph->p_filesz = filesz;
	ph->p_memsz = filesz + (flags & PF_W ? 0x1000 : 0);
	ph->p_align = align;
}

static void interp(struct image *im, uint64_t base)
{
	static const char ld[] = "/lib64/ld-linux-x86-64.so.2";
	Elf64_Phdr *ph = phdr(im, PT_INTERP, PF_R);

	memcpy(im->b + 0x380, ld, sizeof(ld));
	ph->p_offset = 0x380;
	ph->p_vaddr = ph->p_paddr = base + 0x380;
	ph->p_filesz = ph->p_memsz = sizeof(ld);
	ph->p_align = 1;
}

/* A dynamic entry; the section (and its DT_NULL) is closed by dynamic(). */
static void dyn(struct image *im, int64_t tag, uint64_t val)
{
	Elf64_Dyn *d = (Elf64_Dyn *)(im->b + DYNOFF) + im->ndyn++;

	d->d_tag = tag;
	d->d_un.d_val = val;
}

/* The tables ld.so reads, in the first page: so are the headers. */
static void dynamic(struct image *im, uint64_t base)
{
	Elf64_Phdr *ph;

	dyn(im, DT_HASH, base + 0x3c0);
	dyn(im, DT_STRTAB, base + 0x3a0);
	dyn(im, DT_SYMTAB, base + 0x3c0);
	dyn(im, DT_NULL, 0);
	ph = phdr(im, PT_DYNAMIC, PF_R | PF_W);
	ph->p_offset = DYNOFF;
	ph->p_vaddr = ph->p_paddr = base + DYNOFF;
	ph->p_filesz = ph->p_memsz = im->ndyn * sizeof(Elf64_Dyn);
	ph->p_align = 8;
}

/*
 * What the placement target reads before the file (fuzz_placement.c):
 * the size of the file the headers stand for, and the probes' answers.
 */
struct place_prefix {
	uint64_t file_size;
	uint8_t flags, pageshift, mmap, routes, route_reason, pad[3];
};

static void emit(const struct image *im, const char *name,
		 uint64_t file_size, uint8_t flags, uint8_t mmap,
		 uint8_t routes)
{
	unsigned char b[sizeof(struct place_prefix) + IMG];
	struct place_prefix p = { file_size, flags, 0, mmap, routes, 0,
				  { 0 } };

	put("elf", name, im->b, im->len);
	put("loaded", name, im->b, im->len);
	memcpy(b, &p, sizeof(p));
	memcpy(b + sizeof(p), im->b, im->len);
	put("placement", name, b, sizeof(p) + im->len);
}

/* A PIE as tests/progs/bigtext is linked: 2 MiB p_align, separate code. */
static void pie(struct image *im, uint64_t align, uint64_t text_off)
{
	img_init(im, ET_DYN);
	phdr(im, PT_PHDR, PF_R)->p_offset = sizeof(Elf64_Ehdr);
	interp(im, 0);
	load(im, PF_R, 0, 0, 0x13000, align);
	load(im, PF_R | PF_X, text_off, text_off, 48 * MiB + 0x123, align);
	load(im, PF_R | PF_W, text_off + 50 * MiB, text_off + 50 * MiB,
	     0x2000, align);
	dynamic(im, 0);
}

static void elf_seeds(void)
{
	static struct image im;
	unsigned int i;

	pie(&im, 2 * MiB, 2 * MiB);
	emit(&im, "pie-2m", 64 * MiB, 0x2, 1, 3);

	/* The default 4 KiB p_align: random base, 1 in 512. */
	pie(&im, 4 * KiB, 0x1000);
	emit(&im, "pie-4k", 64 * MiB, 0x2, 1, 3);

	/* 64 KiB p_align (as some distributions link for arm64). */
	pie(&im, 64 * KiB, 0x10000);
	emit(&im, "pie-64k", 64 * MiB, 0x2, 0, 2);

	/* A non-PIE executable at 0x400000, as Debian's node. */
	img_init(&im, ET_EXEC);
	interp(&im, 0x400000);
	load(&im, PF_R, 0, 0x400000, 0x1000, 2 * MiB);
	load(&im, PF_R | PF_X, 0x1000, 0x401000, 40 * MiB, 2 * MiB);
	load(&im, PF_R | PF_W, 41 * MiB, 0x2a00000, 0x1000, 2 * MiB);
	dynamic(&im, 0x400000);
	emit(&im, "exec", 48 * MiB, 0x0, 2, 0);

	/* Static, no interpreter, no dynamic section. */
	img_init(&im, ET_EXEC);
	load(&im, PF_R | PF_X, 0, 0x400000, 24 * MiB, 4 * KiB);
	load(&im, PF_R | PF_W, 25 * MiB, 0x2000000, 0x1000, 4 * KiB);
	emit(&im, "static", 26 * MiB, 0x4, 0, 1);

	/* static-pie: ET_DYN, DF_1_PIE, no interpreter. */
	img_init(&im, ET_DYN);
	load(&im, PF_R | PF_X, 0, 0, 8 * MiB, 16 * KiB);
	load(&im, PF_R | PF_W, 9 * MiB, 9 * MiB, 0x1000, 16 * KiB);
	dyn(&im, DT_FLAGS_1, DF_1_PIE);
	dynamic(&im, 0);
	emit(&im, "static-pie", 10 * MiB, 0x2, 2, 3);

	/* A shared object, page p_align: placed by its filesystem. */
	img_init(&im, ET_DYN);
	load(&im, PF_R, 0, 0, 0x1000, 4 * KiB);
	load(&im, PF_R | PF_X, 0x1000, 0x1000, 16 * MiB, 4 * KiB);
	dyn(&im, DT_SONAME, 1);
	dynamic(&im, 0);
	emit(&im, "shared-4k", 20 * MiB, 0x3, 1, 3);

	/* Text relocations, two ways of saying so. */
	img_init(&im, ET_DYN);
	load(&im, PF_R | PF_X, 0, 0, 4 * MiB, 2 * MiB);
	dyn(&im, DT_TEXTREL, 0);
	dyn(&im, DT_FLAGS, DF_TEXTREL);
	dynamic(&im, 0);
	emit(&im, "textrel", 6 * MiB, 0x3, 1, 3);

	/* libc.so.6: runnable (PT_INTERP) but a library (DT_SONAME). */
	img_init(&im, ET_DYN);
	interp(&im, 0);
	load(&im, PF_R | PF_X, 0x26000, 0x26000, 0x155000, 4 * KiB);
	dyn(&im, DT_SONAME, 1);
	dynamic(&im, 0);
	emit(&im, "libc-like", 2 * MiB, 0x0, 1, 3);

	/* Text off 2 MiB congruence: vaddr and offset differ. */
	img_init(&im, ET_EXEC);
	interp(&im, 0x400000);
	load(&im, PF_R | PF_X, 0x1000, 0x602000, 12 * MiB, 2 * MiB);
	emit(&im, "incongruent", 16 * MiB, 0x0, 2, 0);

	/* A p_align that is not a power of two, and a writable text. */
	img_init(&im, ET_DYN);
	interp(&im, 0);
	load(&im, PF_R | PF_X | PF_W, 0, 0, 6 * MiB, 0x3000);
	load(&im, PF_R | PF_W, 7 * MiB, 7 * MiB, 0x1000, 0x300000);
	emit(&im, "odd-align", 8 * MiB, 0x2, 1, 3);

	/* More executable segments than are kept (HT_ELF_MAX_EXEC). */
	img_init(&im, ET_EXEC);
	for (i = 0; i < 10; i++)
		load(&im, PF_R | PF_X, i * 4 * MiB, 0x400000 + i * 4 * MiB,
		     3 * MiB, 2 * MiB);
	emit(&im, "many-exec", 48 * MiB, 0x0, 2, 3);

	/* The dynamic section said to lie past the end of the file. */
	pie(&im, 2 * MiB, 2 * MiB);
	im.ph[im.eh->e_phnum - 1].p_offset = 1 << 30;
	emit(&im, "dyn-outside", 64 * MiB, 0x2, 1, 3);

	/* More than 0xfffe headers: the count in section header 0. */
	pie(&im, 2 * MiB, 2 * MiB);
	{
		Elf64_Shdr *sh = (Elf64_Shdr *)(im.b + 0x3c0);

		sh->sh_info = im.eh->e_phnum;
		im.eh->e_phnum = PN_XNUM;
		im.eh->e_shoff = 0x3c0;
		im.eh->e_shentsize = sizeof(*sh);
		im.eh->e_shnum = 1;
	}
	emit(&im, "phnum-xnum", 64 * MiB, 0x2, 1, 3);

	/* Cut inside the program headers, and inside the ELF header. */
	pie(&im, 2 * MiB, 2 * MiB);
	im.len = sizeof(Elf64_Ehdr) + 100;
	emit(&im, "cut-phdrs", 64 * MiB, 0x2, 1, 3);
	im.len = 40;
	emit(&im, "cut-ehdr", 64 * MiB, 0x2, 1, 3);

	/* Foreign files: 32-bit i386, 64-bit arm64, big-endian ppc64. */
	pie(&im, 2 * MiB, 2 * MiB);
	im.eh->e_machine = EM_AARCH64;
	emit(&im, "aarch64", 64 * MiB, 0x2, 1, 3);
	pie(&im, 2 * MiB, 2 * MiB);
	im.eh->e_ident[EI_DATA] = ELFDATA2MSB;
	im.eh->e_machine = EM_PPC64 << 8;	/* as a big-endian reads */
	emit(&im, "ppc64-be", 64 * MiB, 0x2, 1, 3);
	{
		Elf32_Ehdr *e = (Elf32_Ehdr *)im.b;
		Elf32_Phdr *p = (Elf32_Phdr *)(im.b + sizeof(*e));

		memset(&im.b, 0, sizeof(im.b));
		memcpy(e->e_ident, ELFMAG, SELFMAG);
		e->e_ident[EI_CLASS] = ELFCLASS32;
		e->e_ident[EI_DATA] = ELFDATA2LSB;
		e->e_ident[EI_VERSION] = EV_CURRENT;
		e->e_type = ET_DYN;
		e->e_machine = EM_386;
		e->e_version = EV_CURRENT;
		e->e_phoff = sizeof(*e);
		e->e_ehsize = sizeof(*e);
		e->e_phentsize = sizeof(*p);
		e->e_phnum = 1;
		p->p_type = PT_LOAD;
		p->p_flags = PF_R | PF_X;
		p->p_filesz = p->p_memsz = 4 * MiB;
		p->p_align = 0x1000;
		im.len = IMG;
		emit(&im, "i386", 8 * MiB, 0x2, 1, 3);
	}
}

static const char smaps_text[] =
"555555554000-555555556000 r--p 00000000 08:01 1234567"
"                    /usr/bin/prog\n"
"Size:                  8 kB\n"
"Rss:                   8 kB\n"
"Anonymous:             0 kB\n"
"FilePmdMapped:         0 kB\n"
"VmFlags: rd mr mw me sd\n"
"555555600000-555558600000 r-xp 00200000 08:01 1234567"
"                    /usr/bin/prog\n"
"Size:              49152 kB\n"
"Rss:               49152 kB\n"
"Pss:               49152 kB\n"
"Anonymous:             4 kB\n"
"AnonHugePages:         0 kB\n"
"ShmemPmdMapped:        0 kB\n"
"FilePmdMapped:     49152 kB\n"
"VmFlags: rd ex mr mw me hg sd\n"
"7ffff7a00000-7ffff7c00000 r-xp 00000000 00:1a 42"
"                         /dev/shm/lib (deleted)\n"
"Rss:                2048 kB\n"
"ShmemPmdMapped:     2048 kB\n"
"VmFlags: rd ex sh mr mw me nh\n"
"7ffffffde000-7ffffffff000 rw-p 00000000 00:00 0"
"                          [stack]\n"
"Rss:                  12 kB\n"
"Anonymous:            12 kB\n"
"VmFlags: rd wr mr mw me gd ac\n";

static const char maps_text[] =
"00400000-00452000 r-xp 00000000 08:02 173521      /usr/bin/dbus-daemon\n"
"00651000-00652000 r--p 00051000 08:02 173521      /usr/bin/dbus-daemon\n"
"00e03000-00e24000 rw-p 00000000 00:00 0           [heap]\n"
"ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0"
"                  [vsyscall]\n";

static void smaps_seeds(void)
{
	static const char bad[] =
		"555555554000-555555556000 r--p 0000000g 08:01 1 /x\n";
	static const char nonl[] =
		"7f0000000000-7f0000200000 r-xp 00000000 fd:00 99 /a b\n"
		"FilePmdMapped:  2048 kB";

	put("smaps", "smaps", smaps_text, sizeof(smaps_text) - 1);
	put("smaps", "maps", maps_text, sizeof(maps_text) - 1);
	put("smaps", "bad-header", bad, sizeof(bad) - 1);
	put("smaps", "no-newline", nonl, sizeof(nonl) - 1);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: gen_corpus DIR\n");
		return 2;
	}
	out = argv[1];
	if (mkdir(out, 0755) && errno != EEXIST)
		die(out);
	elf_seeds();
	smaps_seeds();
	return 0;
}
