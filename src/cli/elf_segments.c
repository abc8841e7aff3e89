// SPDX-License-Identifier: MIT
/* elf_segments.c - read executable segments and flags with libelf. */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "elf_segments.h"

/*
 * HT_ELF_LAZY (the hugetext program): libelf, and libz behind it, are
 * opened when a file is first read, so that the run path (hugetext
 * PROG, which reads no ELF file but a program's headers, see
 * ht_elf_peek()) execs without loading them.  The calls below then go
 * through a table filled by dlsym(); the unit tests link libelf.
 */
#ifdef HT_ELF_LAZY
#include <dlfcn.h>

static struct {
	unsigned int (*elf_version)(unsigned int);
	Elf *(*elf_begin)(int, Elf_Cmd, Elf *);
	int (*elf_errno)(void);
	const char *(*elf_errmsg)(int);
	Elf_Kind (*elf_kind)(Elf *);
	GElf_Ehdr *(*gelf_getehdr)(Elf *, GElf_Ehdr *);
	int (*elf_getphdrnum)(Elf *, size_t *);
	GElf_Phdr *(*gelf_getphdr)(Elf *, int, GElf_Phdr *);
	Elf_Data *(*elf_getdata_rawchunk)(Elf *, int64_t, size_t, Elf_Type);
	size_t (*gelf_fsize)(Elf *, Elf_Type, size_t, unsigned int);
	GElf_Dyn *(*gelf_getdyn)(Elf_Data *, int, GElf_Dyn *);
	int (*elf_end)(Elf *);
} lazy;

/* 1 loaded, -1 cannot be (a single-threaded program: no once needed) */
static int lazy_load(void)
{
	static int state;
	void *h;

	if (state)
		return state;
	state = -1;
	h = dlopen("libelf.so.1", RTLD_NOW | RTLD_LOCAL);
	if (!h)
		return state;
#define LOAD(fn) \
	do { \
		*(void **)&lazy.fn = dlsym(h, #fn); \
		if (!lazy.fn) \
			return state; \
	} while (0)
	LOAD(elf_version);
	LOAD(elf_begin);
	LOAD(elf_errno);
	LOAD(elf_errmsg);
	LOAD(elf_kind);
	LOAD(gelf_getehdr);
	LOAD(elf_getphdrnum);
	LOAD(gelf_getphdr);
	LOAD(elf_getdata_rawchunk);
	LOAD(gelf_fsize);
	LOAD(gelf_getdyn);
	LOAD(elf_end);
#undef LOAD
	state = 1;
	return state;
}

#define elf_version		lazy.elf_version
#define elf_begin		lazy.elf_begin
#define elf_errno		lazy.elf_errno
#define elf_errmsg		lazy.elf_errmsg
#define elf_kind		lazy.elf_kind
#define gelf_getehdr		lazy.gelf_getehdr
#define elf_getphdrnum		lazy.elf_getphdrnum
#define gelf_getphdr		lazy.gelf_getphdr
#define elf_getdata_rawchunk	lazy.elf_getdata_rawchunk
#define gelf_fsize		lazy.gelf_fsize
#define gelf_getdyn		lazy.gelf_getdyn
#define elf_end			lazy.elf_end
#else
static int lazy_load(void)
{
	return 1;
}
#endif

static int fail(char *err, size_t errlen, int ret, const char *path,
		const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static int fail(char *err, size_t errlen, int ret, const char *path,
		const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!err || !errlen)
		return ret;
	n = snprintf(err, errlen, "%s: ", path);
	if (n < 0 || (size_t)n >= errlen)
		return ret;
	va_start(ap, fmt);
	vsnprintf(err + n, errlen - n, fmt, ap);
	va_end(ap);
	return ret;
}

/* Returns false when the segment lies outside the file. */
static bool read_dynamic(Elf *elf, const GElf_Phdr *ph,
			 struct ht_elf_info *info)
{
	Elf_Data *data;
	size_t i, n;

	/* Raw bytes of the segment, converted to host order by libelf. */
	data = elf_getdata_rawchunk(elf, ph->p_offset, ph->p_filesz,
				    ELF_T_DYN);
	if (!data)
		return ph->p_filesz == 0;
	n = data->d_size / gelf_fsize(elf, ELF_T_DYN, 1, EV_CURRENT);
	for (i = 0; i < n; i++) {
		GElf_Dyn dyn;

		if (!gelf_getdyn(data, (int)i, &dyn) || dyn.d_tag == DT_NULL)
			break;
		if (dyn.d_tag == DT_TEXTREL)
			info->textrel = true;
		else if (dyn.d_tag == DT_SONAME)
			info->has_soname = true;
		else if (dyn.d_tag == DT_FLAGS_1 &&
			 (dyn.d_un.d_val & DF_1_PIE))
			info->pie_flag = true;
		else if (dyn.d_tag == DT_FLAGS && (dyn.d_un.d_val & DF_TEXTREL))
			info->textrel = true;
	}
	return true;
}

/*
 * A file that is ELF but not for this machine, or cut inside its
 * header: said in plain words before libelf can misread it (a 64-bit
 * file whose class byte says 32 has its header read at the wrong
 * offsets).  Returns 0 for a native header or a file that is not ELF
 * at all (libelf says so), else -ENOEXEC with @err set.
 */
static int native(int fd, const char *path, char *err, size_t errlen)
{
	unsigned char id[20];
	unsigned int machine;
	ssize_t n = pread(fd, id, sizeof(id), 0);

	if (n < SELFMAG || memcmp(id, ELFMAG, SELFMAG))
		return 0;
	if (n < (ssize_t)sizeof(id) || lseek(fd, 0, SEEK_END) <
	    (off_t)sizeof(Elf64_Ehdr))
		return fail(err, errlen, -ENOEXEC, path, "truncated: shorter "
			    "than an ELF header");
	machine = id[EI_DATA] == ELFDATA2MSB ? (id[18] << 8 | id[19]) :
		  (id[19] << 8 | id[18]);
	if (id[EI_CLASS] == ELFCLASS64 && id[EI_DATA] == ELFDATA2LSB &&
	    machine == EM_X86_64)
		return 0;
	return fail(err, errlen, -ENOEXEC, path, "not an x86-64 ELF file "
		    "(%s, %s, machine %u)",
		    id[EI_CLASS] == ELFCLASS32 ? "32-bit" :
		    id[EI_CLASS] == ELFCLASS64 ? "64-bit" : "unknown class",
		    id[EI_DATA] == ELFDATA2LSB ? "little-endian" :
		    id[EI_DATA] == ELFDATA2MSB ? "big-endian" :
		    "unknown order", machine);
}

int ht_elf_read_fd(int fd, const char *path, struct ht_elf_info *info,
		   char *err, size_t errlen)
{
	GElf_Ehdr eh;
	size_t phnum, i;
	Elf *elf;
	int ret = 0;

	memset(info, 0, sizeof(*info));
	if (err && errlen)
		err[0] = '\0';
	ret = native(fd, path, err, errlen);
	if (ret)
		return ret;
	if (lazy_load() < 0)
		return fail(err, errlen, -ELIBACC, path,
			    "cannot load libelf.so.1");
	if (elf_version(EV_CURRENT) == EV_NONE)
		return fail(err, errlen, -EINVAL, path,
			    "libelf out of date: %s", elf_errmsg(-1));

	elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!elf) {
		int e = elf_errno();

		return fail(err, errlen, -ENOEXEC, path, "%s",
			    elf_errmsg(e));
	}
	if (elf_kind(elf) != ELF_K_ELF) {
		ret = fail(err, errlen, -ENOEXEC, path, "not an ELF file");
		goto out;
	}
	if (!gelf_getehdr(elf, &eh)) {
		ret = fail(err, errlen, -ENOEXEC, path,
			   "bad ELF header: %s", elf_errmsg(-1));
		goto out;
	}
	info->type = eh.e_type;
	if (elf_getphdrnum(elf, &phnum)) {
		ret = fail(err, errlen, -ENOEXEC, path,
			   "bad program header count: %s", elf_errmsg(-1));
		goto out;
	}
	/* libelf quietly counts only the headers that fit in the file. */
	if (eh.e_phnum != PN_XNUM && phnum < eh.e_phnum) {
		ret = fail(err, errlen, -ENOEXEC, path,
			   "truncated program headers (%zu of %u)", phnum,
			   (unsigned int)eh.e_phnum);
		goto out;
	}

	for (i = 0; i < phnum; i++) {
		GElf_Phdr ph;
		uint64_t end;

		if (!gelf_getphdr(elf, (int)i, &ph)) {
			ret = fail(err, errlen, -ENOEXEC, path,
				   "truncated program header %zu: %s", i,
				   elf_errmsg(-1));
			goto out;
		}
		switch (ph.p_type) {
		case PT_INTERP:
			info->has_interp = true;
			break;
		case PT_DYNAMIC:
			info->has_dynamic = true;
			if (!read_dynamic(elf, &ph, info)) {
				ret = fail(err, errlen, -ENOEXEC, path,
					   "dynamic segment outside the file: "
					   "%s", elf_errmsg(-1));
				goto out;
			}
			break;
		case PT_LOAD:
			if (ph.p_align && !(ph.p_align & (ph.p_align - 1)) &&
			    ph.p_align > info->max_load_align)
				info->max_load_align = ph.p_align;
			/* A sum that wraps must not pass for a short file. */
			end = ph.p_filesz > UINT64_MAX - ph.p_offset ?
			      UINT64_MAX : ph.p_offset + ph.p_filesz;
			if (end > info->load_end)
				info->load_end = end;
			if (!(ph.p_flags & PF_X))
				break;
			info->text_bytes += ph.p_filesz;
			if (info->nexec < HT_ELF_MAX_EXEC) {
				struct ht_segment *s = &info->exec[info->nexec];

				s->offset = ph.p_offset;
				s->vaddr = ph.p_vaddr;
				s->filesz = ph.p_filesz;
				s->memsz = ph.p_memsz;
				s->align = ph.p_align;
				s->flags = ph.p_flags;
			}
			info->nexec++;
			break;
		}
	}
out:
	elf_end(elf);
	return ret;
}

int ht_elf_read(const char *path, struct ht_elf_info *info,
		char *err, size_t errlen)
{
	struct stat st;
	int fd, ret;

	/* O_NONBLOCK: a FIFO must not hang us before fstat() says no. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		ret = -errno;
		memset(info, 0, sizeof(*info));
		return fail(err, errlen, ret, path, "%s", strerror(-ret));
	}
	if (fstat(fd, &st) == 0 && !S_ISREG(st.st_mode)) {
		ret = S_ISDIR(st.st_mode) ? -EISDIR : -ENOEXEC;
		memset(info, 0, sizeof(*info));
		close(fd);
		return fail(err, errlen, ret, path, "%s",
			    S_ISDIR(st.st_mode) ? "is a directory" :
			    "not a regular file");
	}
	ret = ht_elf_read_fd(fd, path, info, err, errlen);
	close(fd);
	return ret;
}

enum ht_elf_kind ht_elf_peek(int fd)
{
	Elf64_Ehdr eh;
	Elf64_Phdr ph;
	size_t i;

	if (pread(fd, eh.e_ident, SELFMAG, 0) != SELFMAG ||
	    memcmp(eh.e_ident, ELFMAG, SELFMAG))
		return HT_ELF_NOT_ELF;
	if (pread(fd, &eh, sizeof(eh), 0) != (ssize_t)sizeof(eh) ||
	    eh.e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh.e_ident[EI_DATA] != ELFDATA2LSB ||
	    eh.e_machine != EM_X86_64 || eh.e_phentsize != sizeof(ph))
		return HT_ELF_FOREIGN;
	for (i = 0; i < eh.e_phnum; i++) {
		if (pread(fd, &ph, sizeof(ph), eh.e_phoff + i * sizeof(ph)) !=
		    (ssize_t)sizeof(ph))
			return HT_ELF_NOT_ELF;	/* cut short: exec decides */
		if (ph.p_type == PT_INTERP)
			return HT_ELF_DYNAMIC;
	}
	return HT_ELF_STATIC;
}

int ht_elf_interp(int fd, char *buf, size_t len)
{
	Elf64_Ehdr eh;
	Elf64_Phdr ph;
	size_t i;

	if (pread(fd, &eh, sizeof(eh), 0) != (ssize_t)sizeof(eh) ||
	    memcmp(eh.e_ident, ELFMAG, SELFMAG) ||
	    eh.e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh.e_ident[EI_DATA] != ELFDATA2LSB ||
	    eh.e_machine != EM_X86_64 || eh.e_phentsize != sizeof(ph))
		return -ENOEXEC;
	for (i = 0; i < eh.e_phnum; i++) {
		if (pread(fd, &ph, sizeof(ph), eh.e_phoff + i * sizeof(ph)) !=
		    (ssize_t)sizeof(ph))
			return -ENOEXEC;
		if (ph.p_type != PT_INTERP)
			continue;
		/* The kernel's rule: a NUL-terminated path, 2 to PATH_MAX. */
		if (ph.p_filesz < 2 || ph.p_filesz > len)
			return ph.p_filesz < 2 ? -ENOEXEC : -ENAMETOOLONG;
		if (pread(fd, buf, ph.p_filesz, ph.p_offset) !=
		    (ssize_t)ph.p_filesz || buf[ph.p_filesz - 1] ||
		    strlen(buf) != ph.p_filesz - 1)
			return -ENOEXEC;
		return 0;
	}
	return -ENOENT;
}
