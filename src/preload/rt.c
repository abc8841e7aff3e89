// SPDX-License-Identifier: MIT
/*
 * rt.c - the small C runtime libhugetext.so carries, so that it needs no
 * libc at all (no DT_NEEDED but ld.so's own name).
 *
 * Why: as an audit module the library lives in a link-map namespace of
 * its own, and a libc there is a second copy of glibc loaded, relocated
 * and initialised in every program started under hugetext: about 0.2 ms
 * on the project's machine, most of what the module cost.  A second
 * libc also brings a second malloc whose lock a child forked during a
 * pass could inherit held.  What the pass needs is a few dozen system
 * calls, string functions, a formatter and an allocator: they are here,
 * under their standard names and contracts, local to the library (the
 * version script exports la_* only), so the core in src/lib is the same
 * code the tools link against glibc.
 *
 * Conventions that differ from glibc, on purpose:
 *   - errno is the library's own variable, never the program's: the
 *     program's errno cannot be changed by a pass at all.  One variable,
 *     not one per thread: passes are serialised (ld.so's lock in the
 *     audit role, the constructor in the preload role).
 *   - environ and the auxiliary vector are the process's initial ones,
 *     read from the stack ld.so was started with (__libc_stack_end).
 *   - malloc never blocks: when its lock is held (another thread, or a
 *     fork child that inherited it held) it maps the block by itself.
 *
 * Built for x86-64 only (configure falls back to glibc elsewhere, and
 * under --enable-sanitizers).  HT_RT_TEST builds the pure functions
 * under ht_rt_* names for tests/unit/test_rt.c.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#ifdef HT_RT_TEST
/* The pure functions under other names, next to glibc's, for tests. */
#include "rt_test.h"
#define memcpy ht_rt_memcpy
#define memmove ht_rt_memmove
#define memset ht_rt_memset
#define memcmp ht_rt_memcmp
#define memchr ht_rt_memchr
#define memrchr ht_rt_memrchr
#define strlen ht_rt_strlen
#define strcmp ht_rt_strcmp
#define strncmp ht_rt_strncmp
#define strcasecmp ht_rt_strcasecmp
#define strchr ht_rt_strchr
#define strcspn ht_rt_strcspn
#define strstr ht_rt_strstr
#define strtoull ht_rt_strtoull
#define strtoul ht_rt_strtoul
#define vsnprintf ht_rt_vsnprintf
#define snprintf ht_rt_snprintf
#define strerrordesc_np ht_rt_strerrordesc_np
#define malloc ht_rt_malloc
#define free ht_rt_free
#define calloc ht_rt_calloc
#define realloc ht_rt_realloc
#define strdup ht_rt_strdup
#endif

/* ------------------------------------------------------------------ */
/* Strings and memory: what the compiler may also call by itself. */

void *memcpy(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	while (n--)
		*d++ = *s++;
	return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	if (d == s || !n)
		return dst;
	if (d < s || d >= s + n) {
		while (n--)
			*d++ = *s++;
	} else {
		while (n--)
			d[n] = s[n];
	}
	return dst;
}

void *memset(void *dst, int c, size_t n)
{
	unsigned char *d = dst;

	while (n--)
		*d++ = (unsigned char)c;
	return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;

	for (; n; n--, x++, y++)
		if (*x != *y)
			return *x - *y;
	return 0;
}

void *memchr(const void *s, int c, size_t n)
{
	const unsigned char *p = s;

	for (; n; n--, p++)
		if (*p == (unsigned char)c)
			return (void *)p;
	return NULL;
}

void *memrchr(const void *s, int c, size_t n)
{
	const unsigned char *p = s;

	while (n--)
		if (p[n] == (unsigned char)c)
			return (void *)(p + n);
	return NULL;
}

size_t strlen(const char *s)
{
	const char *p = s;

	while (*p)
		p++;
	return p - s;
}

int strcmp(const char *a, const char *b)
{
	for (; *a && *a == *b; a++, b++)
		;
	return (unsigned char)*a - (unsigned char)*b;
}

int strncmp(const char *a, const char *b, size_t n)
{
	for (; n && *a && *a == *b; n--, a++, b++)
		;
	return n ? (unsigned char)*a - (unsigned char)*b : 0;
}

static int lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

int strcasecmp(const char *a, const char *b)
{
	for (; *a && lower((unsigned char)*a) == lower((unsigned char)*b);
	     a++, b++)
		;
	return lower((unsigned char)*a) - lower((unsigned char)*b);
}

char *strchr(const char *s, int c)
{
	for (;; s++) {
		if (*s == (char)c)
			return (char *)s;
		if (!*s)
			return NULL;
	}
}

size_t strcspn(const char *s, const char *reject)
{
	const char *p = s;

	while (*p && !strchr(reject, *p))
		p++;
	return p - s;
}

char *strstr(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	for (; *hay; hay++)
		if (!strncmp(hay, needle, n))
			return (char *)hay;
	return n ? NULL : (char *)hay;
}

/* ------------------------------------------------------------------ */
/* Numbers from text: strtoul(3)'s contract (bases 0, 8, 10, 16). */

static int digit(int c, int base)
{
	int d;

	if (c >= '0' && c <= '9')
		d = c - '0';
	else if (c >= 'a' && c <= 'z')
		d = c - 'a' + 10;
	else if (c >= 'A' && c <= 'Z')
		d = c - 'A' + 10;
	else
		return -1;
	return d < base ? d : -1;
}

unsigned long long strtoull(const char *str, char **end, int base)
{
	const char *s = str, *first;
	unsigned long long v = 0;
	bool neg = false, over = false;
	int d;

	while (*s == ' ' || (*s >= '\t' && *s <= '\r'))
		s++;
	if (*s == '+' || *s == '-')
		neg = *s++ == '-';
	if ((base == 0 || base == 16) && s[0] == '0' &&
	    (s[1] == 'x' || s[1] == 'X') && digit(s[2], 16) >= 0) {
		s += 2;
		base = 16;
	} else if (base == 0) {
		base = s[0] == '0' ? 8 : 10;
	}
	if (base < 2 || base > 36) {
		if (end)
			*end = (char *)str;
		errno = EINVAL;
		return 0;
	}
	first = s;
	for (; (d = digit(*s, base)) >= 0; s++) {
		if (v > (ULLONG_MAX - d) / base)
			over = true;
		v = v * base + d;
	}
	if (end)
		*end = (char *)(s == first ? str : s);
	if (over) {
		errno = ERANGE;
		return ULLONG_MAX;
	}
	return neg ? -v : v;
}

unsigned long strtoul(const char *s, char **end, int base)
{
	return strtoull(s, end, base);
}

/* ------------------------------------------------------------------ */
/* The formatter: vsnprintf(3) for what the library writes. */

struct out {
	char *p;
	size_t size, n;
};

static void emit(struct out *o, char c)
{
	if (o->n + 1 < o->size)
		o->p[o->n] = c;
	o->n++;
}

static void emit_pad(struct out *o, char c, int n)
{
	while (n-- > 0)
		emit(o, c);
}

struct spec {
	bool left, zero, plus, space, alt;
	int width, prec;	/* prec < 0: none */
};

/* @sign: a signed conversion, where '+' and ' ' apply. */
static void emit_num(struct out *o, const struct spec *sp,
		     unsigned long long v, bool neg, bool sign_ok, int base,
		     bool upper)
{
	const char *dig = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24], sign = 0;
	int len = 0, zeros, pre = 0, pad;

	while (v) {
		tmp[len++] = dig[v % base];
		v /= base;
	}
	zeros = sp->prec > len ? sp->prec - len : 0;
	if (sp->prec < 0 && !len)
		zeros = 1;	/* "0"; precision 0 and value 0: nothing */
	/* '#' with 'o': the first digit a zero, as C says */
	if (sp->alt && base == 8 && (!len || tmp[len - 1] != '0') &&
	    zeros == 0)
		zeros = 1;
	if (neg)
		sign = '-';
	else if (sign_ok && sp->plus)
		sign = '+';
	else if (sign_ok && sp->space)
		sign = ' ';
	if (sign)
		pre = 1;
	if (sp->alt && base == 16 && len)
		pre += 2;
	pad = sp->width - (pre + zeros + len);
	if (sp->zero && !sp->left && sp->prec < 0 && pad > 0) {
		zeros += pad;
		pad = 0;
	}
	if (!sp->left)
		emit_pad(o, ' ', pad);
	if (sign)
		emit(o, sign);
	if (sp->alt && base == 16 && len) {
		emit(o, '0');
		emit(o, upper ? 'X' : 'x');
	}
	emit_pad(o, '0', zeros);
	while (len)
		emit(o, tmp[--len]);
	if (sp->left)
		emit_pad(o, ' ', pad);
}

static void emit_str(struct out *o, const struct spec *sp, const char *s)
{
	int len = 0;

	if (!s)		/* glibc's, whole or not at all */
		s = sp->prec >= 0 && sp->prec < 6 ? "" : "(null)";
	while (s[len] && (sp->prec < 0 || len < sp->prec))
		len++;
	if (!sp->left)
		emit_pad(o, ' ', sp->width - len);
	for (int i = 0; i < len; i++)
		emit(o, s[i]);
	if (sp->left)
		emit_pad(o, ' ', sp->width - len);
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out o = { buf, size, 0 };

	for (; *fmt; fmt++) {
		struct spec sp = { .prec = -1 };
		int len = 0;	/* 1 l, 2 ll, -1 h, -2 hh, 3 z/j/t */
		unsigned long long u;
		long long d;

		if (*fmt != '%') {
			emit(&o, *fmt);
			continue;
		}
		for (fmt++;; fmt++) {
			if (*fmt == '-')
				sp.left = true;
			else if (*fmt == '0')
				sp.zero = true;
			else if (*fmt == '+')
				sp.plus = true;
			else if (*fmt == ' ')
				sp.space = true;
			else if (*fmt == '#')
				sp.alt = true;
			else
				break;
		}
		if (*fmt == '*') {
			sp.width = va_arg(ap, int);
			if (sp.width < 0) {
				sp.left = true;
				sp.width = -sp.width;
			}
			fmt++;
		} else {
			for (; *fmt >= '0' && *fmt <= '9'; fmt++)
				sp.width = sp.width * 10 + (*fmt - '0');
		}
		if (*fmt == '.') {
			fmt++;
			sp.prec = 0;
			if (*fmt == '*') {
				sp.prec = va_arg(ap, int);
				fmt++;
			} else {
				for (; *fmt >= '0' && *fmt <= '9'; fmt++)
					sp.prec = sp.prec * 10 + (*fmt - '0');
			}
		}
		for (;; fmt++) {
			if (*fmt == 'l')
				len = len == 1 ? 2 : 1;
			else if (*fmt == 'h')
				len = len == -1 ? -2 : -1;
			else if (*fmt == 'z' || *fmt == 'j' || *fmt == 't')
				len = 3;
			else
				break;
		}
		switch (*fmt) {
		case 'd':
		case 'i':
			if (len == 2)
				d = va_arg(ap, long long);
			else if (len == 1 || len == 3)
				d = va_arg(ap, long);
			else
				d = va_arg(ap, int);
			if (len == -1)
				d = (short)d;
			else if (len == -2)
				d = (signed char)d;
			u = d < 0 ? -(unsigned long long)d : (unsigned long long)d;
			emit_num(&o, &sp, u, d < 0, true, 10, false);
			break;
		case 'u':
		case 'x':
		case 'X':
		case 'o':
			if (len == 2)
				u = va_arg(ap, unsigned long long);
			else if (len == 1 || len == 3)
				u = va_arg(ap, unsigned long);
			else
				u = va_arg(ap, unsigned int);
			if (len == -1)
				u = (unsigned short)u;
			else if (len == -2)
				u = (unsigned char)u;
			emit_num(&o, &sp, u, false, false,
				 *fmt == 'u' ? 10 : *fmt == 'o' ? 8 : 16,
				 *fmt == 'X');
			break;
		case 'p':
			sp.alt = true;
			emit_num(&o, &sp, (uintptr_t)va_arg(ap, void *), false,
				 false, 16, false);
			break;
		case 'c': {
			char c[2] = { (char)va_arg(ap, int), 0 };

			sp.prec = 1;
			if (!c[0]) {	/* a NUL is still one character */
				emit_pad(&o, ' ', sp.left ? 0 : sp.width - 1);
				emit(&o, 0);
				emit_pad(&o, ' ', sp.left ? sp.width - 1 : 0);
			} else {
				emit_str(&o, &sp, c);
			}
			break;
		}
		case 's':
			emit_str(&o, &sp, va_arg(ap, const char *));
			break;
		case '%':
			emit(&o, '%');
			break;
		case '\0':
			fmt--;
			break;
		default:	/* not ours: shown as written */
			emit(&o, '%');
			emit(&o, *fmt);
			break;
		}
	}
	if (size)
		buf[o.n < size ? o.n : size - 1] = '\0';
	return o.n > INT_MAX ? -1 : (int)o.n;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

/* ------------------------------------------------------------------ */
/* Error texts: the ones a pass can meet, in glibc's words. */

static const char *const errtext[] = {
	[EPERM] = "Operation not permitted",
	[ENOENT] = "No such file or directory",
	[ESRCH] = "No such process",
	[EINTR] = "Interrupted system call",
	[EIO] = "Input/output error",
	[ENXIO] = "No such device or address",
	[E2BIG] = "Argument list too long",
	[ENOEXEC] = "Exec format error",
	[EBADF] = "Bad file descriptor",
	[EAGAIN] = "Resource temporarily unavailable",
	[ENOMEM] = "Cannot allocate memory",
	[EACCES] = "Permission denied",
	[EFAULT] = "Bad address",
	[EBUSY] = "Device or resource busy",
	[EEXIST] = "File exists",
	[EXDEV] = "Invalid cross-device link",
	[ENODEV] = "No such device",
	[ENOTDIR] = "Not a directory",
	[EISDIR] = "Is a directory",
	[EINVAL] = "Invalid argument",
	[ENFILE] = "Too many open files in system",
	[EMFILE] = "Too many open files",
	[ENOTTY] = "Inappropriate ioctl for device",
	[ETXTBSY] = "Text file busy",
	[EFBIG] = "File too large",
	[ENOSPC] = "No space left on device",
	[ESPIPE] = "Illegal seek",
	[EROFS] = "Read-only file system",
	[EPIPE] = "Broken pipe",
	[ERANGE] = "Numerical result out of range",
	[ENAMETOOLONG] = "File name too long",
	[ENOSYS] = "Function not implemented",
	[ELOOP] = "Too many levels of symbolic links",
	[EBADMSG] = "Bad message",
	[EOVERFLOW] = "Value too large for defined data type",
	[EOPNOTSUPP] = "Operation not supported",
	[ETIMEDOUT] = "Connection timed out",
	[ESTALE] = "Stale file handle",
	[EHWPOISON] = "Memory page has hardware error",
};

const char *strerrordesc_np(int e)
{
	if (e >= 0 && (size_t)e < sizeof(errtext) / sizeof(errtext[0]) &&
	    errtext[e])
		return errtext[e];
	return NULL;	/* as glibc for an unknown number */
}

#ifndef HT_RT_TEST
/* ------------------------------------------------------------------ */
/* errno, environ and the auxiliary vector. */

static int rt_errno;

int *__errno_location(void)
{
	return &rt_errno;
}

/* ld.so sets it to the stack it was started with: argc, argv, envp. */
extern void *__libc_stack_end;

char **environ;
static const Elf64_auxv_t *rt_auxv;

/*
 * First of our constructors (priority 101), so before anything reads
 * them.  The auxiliary vector follows the environment's NULL, but not
 * always right after it: unsetenv() moves the entries down in place
 * and leaves a NULL more at the end for each one removed, and ld.so
 * itself does that in secure mode (LD_PRELOAD, TMPDIR, ... removed for
 * a setuid program).  No auxv entry has type 0 before AT_NULL, so the
 * first non-NULL word after them starts the vector.  A vector without
 * AT_PAGESZ (the kernel always gives it) is not one: then none is used,
 * and getauxval() answers 0 (the library then stays inactive).
 */
__attribute__((constructor(101))) static void rt_init(void)
{
	long *sp = __libc_stack_end;
	const Elf64_auxv_t *a;
	char **e;

	if (!sp)
		return;
	environ = (char **)(sp + 1 + sp[0] + 1);
	for (e = environ; *e; e++)
		;
	while (!*e)
		e++;
	for (a = (const Elf64_auxv_t *)e; a->a_type != AT_NULL; a++)
		if (a->a_type == AT_PAGESZ) {
			rt_auxv = (const Elf64_auxv_t *)e;
			break;
		}
}

unsigned long getauxval(unsigned long type)
{
	const Elf64_auxv_t *a;

	for (a = rt_auxv; a && a->a_type != AT_NULL; a++)
		if (a->a_type == type)
			return a->a_un.a_val;
	errno = ENOENT;
	return 0;
}

char *getenv(const char *name)
{
	size_t n = strlen(name);
	char **e;

	for (e = environ; e && *e; e++)
		if (!strncmp(*e, name, n) && (*e)[n] == '=')
			return *e + n + 1;
	return NULL;
}

char *secure_getenv(const char *name)
{
	return getauxval(AT_SECURE) ? NULL : getenv(name);
}

long sysconf(int name)
{
	unsigned long v;

	if (name != _SC_PAGESIZE) {
		errno = EINVAL;
		return -1;
	}
	v = getauxval(AT_PAGESZ);
	return v ? (long)v : 4096;
}

/* ------------------------------------------------------------------ */
/* System calls. */

static long sc6(long n, long a, long b, long c, long d, long e, long f)
{
	register long r10 __asm__("r10") = d;
	register long r8 __asm__("r8") = e;
	register long r9 __asm__("r9") = f;
	long ret;

	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8),
			   "r"(r9)
			 : "rcx", "r11", "memory");
	return ret;
}

#define sc0(n)			sc6(n, 0, 0, 0, 0, 0, 0)
#define sc1(n, a)		sc6(n, (long)(a), 0, 0, 0, 0, 0)
#define sc2(n, a, b)		sc6(n, (long)(a), (long)(b), 0, 0, 0, 0)
#define sc3(n, a, b, c)		sc6(n, (long)(a), (long)(b), (long)(c), 0, 0, 0)
#define sc4(n, a, b, c, d)	sc6(n, (long)(a), (long)(b), (long)(c), \
				    (long)(d), 0, 0)

/* The kernel's -errno into errno and -1, as libc's wrappers do. */
static long ret(long r)
{
	if (r < 0 && r > -4096) {
		errno = -r;
		return -1;
	}
	return r;
}

long syscall(long n, ...)
{
	long a[6];
	va_list ap;
	int i;

	va_start(ap, n);
	for (i = 0; i < 6; i++)
		a[i] = va_arg(ap, long);
	va_end(ap);
	return ret(sc6(n, a[0], a[1], a[2], a[3], a[4], a[5]));
}

ssize_t read(int fd, void *buf, size_t n)
{
	return ret(sc3(SYS_read, fd, buf, n));
}

ssize_t write(int fd, const void *buf, size_t n)
{
	return ret(sc3(SYS_write, fd, buf, n));
}

int open(const char *path, int flags, ...)
{
	mode_t mode = 0;
	va_list ap;

	if ((flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE) {
		va_start(ap, flags);
		mode = va_arg(ap, mode_t);
		va_end(ap);
	}
	return ret(sc4(SYS_openat, AT_FDCWD, path, flags, mode));
}

int close(int fd)
{
	return ret(sc1(SYS_close, fd));
}

int dup(int fd)
{
	return ret(sc1(SYS_dup, fd));
}

int fcntl(int fd, int cmd, ...)
{
	long arg;
	va_list ap;

	va_start(ap, cmd);
	arg = va_arg(ap, long);
	va_end(ap);
	return ret(sc3(SYS_fcntl, fd, cmd, arg));
}

int ioctl(int fd, unsigned long req, ...)
{
	long arg;
	va_list ap;

	va_start(ap, req);
	arg = va_arg(ap, long);
	va_end(ap);
	return ret(sc3(SYS_ioctl, fd, req, arg));
}

/* On x86-64 glibc's struct stat and statfs are the kernel's. */
int fstat(int fd, struct stat *st)
{
	return ret(sc2(SYS_fstat, fd, st));
}

int fstatfs(int fd, struct statfs *st)
{
	return ret(sc2(SYS_fstatfs, fd, st));
}

int fdatasync(int fd)
{
	return ret(sc1(SYS_fdatasync, fd));
}

int posix_fadvise(int fd, off_t off, off_t len, int advice)
{
	long r = sc4(SYS_fadvise64, fd, off, len, advice);

	return r < 0 ? (int)-r : 0;	/* an error number, not errno */
}

ssize_t readlink(const char *path, char *buf, size_t n)
{
	return ret(sc4(SYS_readlinkat, AT_FDCWD, path, buf, n));
}

/*
 * faccessat(2) has no flags; AT_EACCESS needs faccessat2 (5.8), else
 * the check glibc makes: the mode bits against the effective ids.
 */
int faccessat(int dirfd, const char *path, int mode, int flags)
{
	struct stat st;
	long r = sc4(SYS_faccessat2, dirfd, path, mode, flags);
	unsigned int bits;
	uid_t euid;

	if (r != -ENOSYS)
		return ret(r);
	if (flags & ~AT_EACCESS)
		return ret(-EINVAL);
	if (!(flags & AT_EACCESS) ||
	    (sc0(SYS_geteuid) == sc0(SYS_getuid) &&
	     sc0(SYS_getegid) == sc0(SYS_getgid)))
		return ret(sc3(SYS_faccessat, dirfd, path, mode));
	r = sc4(SYS_newfstatat, dirfd, path, &st, 0);
	if (r)
		return ret(r);
	euid = sc0(SYS_geteuid);
	if (mode == F_OK || euid == 0)
		return euid == 0 && (mode & X_OK) &&
		       !(st.st_mode & 0111) ? ret(-EACCES) : 0;
	bits = st.st_uid == euid ? st.st_mode >> 6 :
	       st.st_gid == (gid_t)sc0(SYS_getegid) ? st.st_mode >> 3 :
	       st.st_mode;
	return (bits & mode & 7) == (unsigned int)mode ? 0 : ret(-EACCES);
}

void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	long r = sc6(SYS_mmap, (long)addr, len, prot, flags, fd, off);

	if (r < 0 && r > -4096) {
		errno = -r;
		return MAP_FAILED;
	}
	return (void *)r;
}

int munmap(void *addr, size_t len)
{
	return ret(sc2(SYS_munmap, addr, len));
}

int mprotect(void *addr, size_t len, int prot)
{
	return ret(sc3(SYS_mprotect, addr, len, prot));
}

int madvise(void *addr, size_t len, int advice)
{
	return ret(sc3(SYS_madvise, addr, len, advice));
}

int mincore(void *addr, size_t len, unsigned char *vec)
{
	return ret(sc3(SYS_mincore, addr, len, vec));
}

pid_t getpid(void)
{
	return sc0(SYS_getpid);
}

uid_t geteuid(void)
{
	return sc0(SYS_geteuid);
}

int prctl(int op, ...)
{
	unsigned long a[4];
	va_list ap;
	int i;

	va_start(ap, op);
	for (i = 0; i < 4; i++)
		a[i] = va_arg(ap, unsigned long);
	va_end(ap);
	return ret(sc6(SYS_prctl, op, a[0], a[1], a[2], a[3], 0));
}

int getrlimit(__rlimit_resource_t res, struct rlimit *rl)
{
	return ret(sc2(SYS_getrlimit, res, rl));
}

int uname(struct utsname *u)
{
	return ret(sc1(SYS_uname, u));
}

/*
 * clock_gettime through the vDSO, as libc does: no system call (a pass
 * times itself before it knows whether a seccomp filter is there), and
 * a few nanoseconds instead of a trap.  Found by name in the vDSO's
 * dynamic symbols (DT_HASH gives their number), once.
 */
typedef int (*vdso_clock_fn)(clockid_t, struct timespec *);

static vdso_clock_fn vdso_clock(void)
{
	static vdso_clock_fn fn;
	static bool looked;
	const Elf64_Ehdr *eh;
	const Elf64_Phdr *ph;
	const Elf64_Dyn *d = NULL;
	const Elf64_Sym *sym = NULL;
	const Elf64_Word *hash = NULL;
	const char *str = NULL;
	uintptr_t base, bias = 0;
	size_t i;

	if (looked)
		return fn;
	looked = true;
	base = getauxval(AT_SYSINFO_EHDR);
	if (!base)
		return NULL;
	eh = (const Elf64_Ehdr *)base;
	ph = (const Elf64_Phdr *)(base + eh->e_phoff);
	for (i = 0; i < eh->e_phnum; i++) {
		if (ph[i].p_type == PT_LOAD && !bias)
			bias = base + ph[i].p_offset - ph[i].p_vaddr;
		else if (ph[i].p_type == PT_DYNAMIC)
			d = (const Elf64_Dyn *)(base + ph[i].p_offset);
	}
	for (; d && d->d_tag != DT_NULL; d++) {
		if (d->d_tag == DT_SYMTAB)
			sym = (const Elf64_Sym *)(bias + d->d_un.d_ptr);
		else if (d->d_tag == DT_STRTAB)
			str = (const char *)(bias + d->d_un.d_ptr);
		else if (d->d_tag == DT_HASH)
			hash = (const Elf64_Word *)(bias + d->d_un.d_ptr);
	}
	if (!sym || !str || !hash)
		return NULL;
	for (i = 0; i < hash[1]; i++)
		if (sym[i].st_shndx != SHN_UNDEF &&
		    ELF64_ST_TYPE(sym[i].st_info) == STT_FUNC &&
		    !strcmp(str + sym[i].st_name, "__vdso_clock_gettime"))
			fn = (vdso_clock_fn)(bias + sym[i].st_value);
	return fn;
}

int clock_gettime(clockid_t clk, struct timespec *ts)
{
	vdso_clock_fn fn = vdso_clock();

	if (fn)
		return ret(fn(clk, ts));
	return ret(sc2(SYS_clock_gettime, clk, ts));
}

ssize_t process_vm_readv(pid_t pid, const struct iovec *local,
			 unsigned long nlocal, const struct iovec *remote,
			 unsigned long nremote, unsigned long flags)
{
	return ret(sc6(SYS_process_vm_readv, pid, (long)local, nlocal,
		       (long)remote, nremote, flags));
}

/* The per-file refault lock's (filelock.c). */
int socket(int domain, int type, int proto)
{
	return ret(sc3(SYS_socket, domain, type, proto));
}

int bind(int fd, const struct sockaddr *sa, socklen_t len)
{
	return ret(sc3(SYS_bind, fd, sa, len));
}

int listen(int fd, int backlog)
{
	return ret(sc2(SYS_listen, fd, backlog));
}

int connect(int fd, const struct sockaddr *sa, socklen_t len)
{
	return ret(sc3(SYS_connect, fd, sa, len));
}

int poll(struct pollfd *fds, nfds_t n, int ms)
{
	return ret(sc3(SYS_poll, fds, n, ms));
}

/* Signals: the kernel's sigset is the first 64 bits of glibc's. */
#define KSIGSET	8

int sigemptyset(sigset_t *set)
{
	memset(set, 0, sizeof(*set));
	return 0;
}

int sigaddset(sigset_t *set, int sig)
{
	if (sig < 1 || sig > 64)
		return ret(-EINVAL);
	((unsigned long *)set)[0] |= 1UL << (sig - 1);
	return 0;
}

int sigismember(const sigset_t *set, int sig)
{
	if (sig < 1 || sig > 64)
		return ret(-EINVAL);
	return !!(((const unsigned long *)set)[0] & (1UL << (sig - 1)));
}

int pthread_sigmask(int how, const sigset_t *set, sigset_t *old)
{
	long r = sc4(SYS_rt_sigprocmask, how, set, old, KSIGSET);

	return r < 0 ? (int)-r : 0;	/* an error number, not errno */
}

int sigpending(sigset_t *set)
{
	memset(set, 0, sizeof(*set));
	return ret(sc2(SYS_rt_sigpending, set, KSIGSET));
}

int sigtimedwait(const sigset_t *set, siginfo_t *info,
		 const struct timespec *ts)
{
	return ret(sc4(SYS_rt_sigtimedwait, set, info, ts, KSIGSET));
}
#endif /* !HT_RT_TEST */

/* ------------------------------------------------------------------ */
/*
 * The allocator.  Small blocks (up to 2 KiB) in power-of-two classes
 * carved from 64 KiB chunks, with a free list per class; larger ones
 * are mappings of their own.  A header before each block says which.
 * Only ever a few hundred kilobytes: kept simple, never blocking.
 */

#define CLASSES		8		/* 16 B .. 2 KiB */
#define MIN_SHIFT	4
#define CHUNK		(64 * 1024)
#define HDR		16
#define BIG		0xffffffffu

struct hdr {
	size_t size;		/* BIG: a mapping of @map bytes */
	size_t map;
};

struct free_blk {
	struct free_blk *next;
};

/* The first chunk is in .bss: a pass that allocates little maps none. */
static char first_chunk[16384] __attribute__((aligned(16)));

static struct {
	int lock;
	struct free_blk *free[CLASSES];
	char *chunk;
	size_t left;
} heap = { 0, { NULL }, first_chunk, sizeof(first_chunk) };

static bool heap_trylock(void)
{
	return !__atomic_exchange_n(&heap.lock, 1, __ATOMIC_ACQUIRE);
}

static void heap_unlock(void)
{
	__atomic_store_n(&heap.lock, 0, __ATOMIC_RELEASE);
}

static void *map_anon(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

static void *big_alloc(size_t n)
{
	size_t len = (n + HDR + 4095) & ~(size_t)4095;
	struct hdr *h;

	if (n > SIZE_MAX / 2)
		return NULL;
	h = map_anon(len);
	if (!h)
		return NULL;
	h->size = BIG;
	h->map = len;
	return (char *)h + HDR;
}

static int class_of(size_t n)
{
	int c = 0;

	while (c < CLASSES && ((size_t)1 << (c + MIN_SHIFT)) < n)
		c++;
	return c;
}

void *malloc(size_t n)
{
	int c = class_of(n ? n : 1);
	size_t sz = (size_t)1 << (c + MIN_SHIFT);
	struct hdr *h = NULL;

	if (c == CLASSES || !heap_trylock())
		return big_alloc(n);
	if (heap.free[c]) {
		h = (struct hdr *)((char *)heap.free[c] - HDR);
		heap.free[c] = heap.free[c]->next;
	} else {
		if (heap.left < sz + HDR) {
			char *p = map_anon(CHUNK);

			if (!p) {
				heap_unlock();
				return NULL;
			}
			heap.chunk = p;	/* the rest of the old one is lost */
			heap.left = CHUNK;
		}
		h = (struct hdr *)heap.chunk;
		heap.chunk += sz + HDR;
		heap.left -= sz + HDR;
	}
	heap_unlock();
	h->size = c;
	h->map = 0;
	return (char *)h + HDR;
}

void free(void *p)
{
	struct hdr *h;
	struct free_blk *f = p;

	if (!p)
		return;
	h = (struct hdr *)((char *)p - HDR);
	if (h->size == BIG) {
		munmap(h, h->map);
		return;
	}
	if (!heap_trylock())
		return;		/* kept, rather than wait */
	f->next = heap.free[h->size];
	heap.free[h->size] = f;
	heap_unlock();
}

static size_t usable(const void *p)
{
	const struct hdr *h = (const struct hdr *)((const char *)p - HDR);

	return h->size == BIG ? h->map - HDR :
	       (size_t)1 << (h->size + MIN_SHIFT);
}

void *calloc(size_t n, size_t size)
{
	void *p;

	if (size && n > SIZE_MAX / size)
		return NULL;
	p = malloc(n * size);
	if (p)
		memset(p, 0, n * size);
	return p;
}

void *realloc(void *old, size_t n)
{
	void *p;
	size_t have;

	if (!old)
		return malloc(n);
	have = usable(old);
	if (n <= have)
		return old;
	p = malloc(n);
	if (!p)
		return NULL;
	memcpy(p, old, have);
	free(old);
	return p;
}

char *strdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = malloc(n);

	return p ? memcpy(p, s, n) : NULL;
}
