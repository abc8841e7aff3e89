// SPDX-License-Identifier: MIT
/*
 * test_rt.c - the library's own runtime (src/preload/rt.c) held against
 * glibc, function by function.
 *
 * libhugetext.so carries rt.c instead of a libc, so the core in src/lib
 * runs on glibc in the tools and on rt.c in the library: wherever the
 * two disagree, the library does something the tools (and their tests)
 * never did.  So these are differential tests: each ht_rt_* function is
 * called on the same inputs as glibc's own and must give the same answer
 * (for comparisons, the same sign).
 *
 * Covers vsnprintf/snprintf (conversions, flags, widths, precisions,
 * length modifiers, limits, NULL strings, truncation at every interesting
 * size with the return value, the NUL and the bytes past the size),
 * strtoull/strtoul (bases 0, 2, 8, 10, 16, 36, spaces, signs, "0x",
 * overflow, end pointer, errno), the string and memory functions,
 * strerrordesc_np, and the allocator (sizes, alignment, realloc, calloc,
 * strdup, and a seeded random stress against shadow copies).
 *
 * Not tested, on purpose: what rt.c leaves out (floating point, %n,
 * positional arguments, errnos it has no text for), and what C leaves
 * undefined or to the implementation where the code base does not
 * depend on glibc's choice (%p of NULL, a NULL %s with a precision below
 * 6, realloc to 0, the end pointer for an invalid strtoul base).
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "rt_test.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* ------------------------------------------------------------------ */
/* Helpers: bounded reporting, escaping, a seeded generator. */

/*
 * Loops make thousands of comparisons: report the first few mismatches
 * of a test in detail, count the rest (each test runs in a process of
 * its own, so the count starts at 0).
 */
#define MAX_REPORTS	25
static int fails;

#define EXPECT(cond, ...)						\
	do {								\
		if (!(cond) && ++fails <= MAX_REPORTS)			\
			cr_expect_fail(__VA_ARGS__);			\
	} while (0)

static int sgn(int v)
{
	return (v > 0) - (v < 0);
}

/* @n bytes of @s, printable (up to 4 of these live at a time). */
static const char *esc(const void *s, size_t n)
{
	static char out[4][4 * 600 + 1];
	static int k;
	const unsigned char *b = s;
	char *o = out[k++ % 4], *p = o;
	size_t i;

	for (i = 0; i < n && p < o + sizeof(out[0]) - 5; i++) {
		if (b[i] >= 0x20 && b[i] < 0x7f && b[i] != '\\')
			*p++ = b[i];
		else
			p += sprintf(p, "\\x%02x", b[i]);
	}
	*p = '\0';
	return o;
}

static const char *escs(const char *s)
{
	return s ? esc(s, strlen(s)) : "(NULL)";
}

/* xorshift64*: fixed seeds, so that a failure reproduces. */
static uint64_t rng_state;

static void rng_seed(uint64_t s)
{
	rng_state = s ? s : 1;
}

static uint64_t rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

/* A random value with a random number of significant bits. */
static unsigned long long rng_bits(void)
{
	return rng() >> (rng() % 64);
}

/* ------------------------------------------------------------------ */
/* The formatter: every call made at many buffer sizes. */

#define BUF	600
#define CANARY	0x5a

/*
 * fmt with ap through glibc's vsnprintf and rt's, into buffers of the
 * same sizes (all, 0, 1, 2, half, one short, exact, one over; then 0
 * with NULL), prefilled with a canary: same return value, same bytes up to
 * the size (so the same truncation and NUL, and nothing after the NUL),
 * nothing past the size touched.  The first difference is reported.
 */
static void vcheck(const char *fmt, va_list ap)
{
	char want[BUF], got[BUF];
	size_t sizes[9], s, i, shown;
	int wn, gn, full;
	va_list a;
	unsigned int k;

	va_copy(a, ap);
	full = vsnprintf(want, sizeof(want), fmt, a);
	va_end(a);
	cr_assert(full >= 0 && full < BUF - 2, "test input \"%s\": %d",
		  escs(fmt), full);

	sizes[0] = BUF;				/* first: all of it */
	sizes[1] = 0;
	sizes[2] = 1;
	sizes[3] = 2;
	sizes[4] = full / 2;
	sizes[5] = full > 0 ? full : 0;		/* one short */
	sizes[6] = full + 1;			/* exact */
	sizes[7] = full + 2;
	sizes[8] = full + 20 < BUF ? full + 20 : BUF;
	for (k = 0; k < ARRAY_SIZE(sizes); k++) {
		s = sizes[k];
		memset(want, CANARY, sizeof(want));
		memset(got, CANARY, sizeof(got));
		va_copy(a, ap);
		wn = vsnprintf(want, s, fmt, a);
		va_end(a);
		va_copy(a, ap);
		gn = ht_rt_vsnprintf(got, s, fmt, a);
		va_end(a);
		for (i = s; i < BUF; i++)
			if (got[i] != CANARY)
				break;
		if (i < BUF) {
			EXPECT(0, "\"%s\" size %zu: byte %zu past the size "
			       "written", escs(fmt), s, i);
			return;
		}
		if (gn == wn && !memcmp(got, want, s))
			continue;
		/* one report per format: the first size that differs */
		shown = (size_t)(wn > gn ? wn : gn) + 1;
		if (shown > s)
			shown = s;
		EXPECT(0, "\"%s\" size %zu: \"%s\" returning %d, glibc "
		       "\"%s\" returning %d", escs(fmt), s, esc(got, shown),
		       gn, esc(want, shown), wn);
		return;
	}

	va_copy(a, ap);
	gn = ht_rt_vsnprintf(NULL, 0, fmt, a);
	va_end(a);
	EXPECT(gn == full, "\"%s\" (NULL, 0): returns %d, glibc %d",
	       escs(fmt), gn, full);
}

/* For literal formats: checked by the compiler too. */
static void check(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void check(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vcheck(fmt, ap);
	va_end(ap);
}

/*
 * For formats from tables and loops, and for those the compiler would
 * warn about though they are valid C (a '+' flag on %u, say).
 */
static void check_nl(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vcheck(fmt, ap);
	va_end(ap);
}

/* The type an argument is passed as. */
enum kind {
	K_NONE, K_INT, K_UINT, K_LONG, K_ULONG, K_LLONG, K_ULLONG,
	K_SSIZE, K_SIZE, K_INTMAX, K_UINTMAX, K_PTRDIFF, K_PTR, K_STR,
};

struct fcase {
	const char *fmt;
	enum kind k;
	long long i;		/* the signed kinds, and K_INT for %c */
	unsigned long long u;	/* the unsigned kinds */
	const void *p;		/* K_PTR, K_STR */
};

static void check_arg(const char *fmt, enum kind k, long long i,
		      unsigned long long u, const void *p)
{
	switch (k) {
	case K_NONE:
		check_nl(fmt);
		break;
	case K_INT:
		check_nl(fmt, (int)i);
		break;
	case K_UINT:
		check_nl(fmt, (unsigned int)u);
		break;
	case K_LONG:
		check_nl(fmt, (long)i);
		break;
	case K_ULONG:
		check_nl(fmt, (unsigned long)u);
		break;
	case K_LLONG:
		check_nl(fmt, i);
		break;
	case K_ULLONG:
		check_nl(fmt, u);
		break;
	case K_SSIZE:
		check_nl(fmt, (ssize_t)i);
		break;
	case K_SIZE:
		check_nl(fmt, (size_t)u);
		break;
	case K_INTMAX:
		check_nl(fmt, (intmax_t)i);
		break;
	case K_UINTMAX:
		check_nl(fmt, (uintmax_t)u);
		break;
	case K_PTRDIFF:
		check_nl(fmt, (ptrdiff_t)i);
		break;
	case K_PTR:
	case K_STR:
		check_nl(fmt, p);
		break;
	}
}

static void check_case(const struct fcase *c)
{
	check_arg(c->fmt, c->k, c->i, c->u, c->p);
}

#define N_(f)		{ f, K_NONE, 0, 0, NULL }
#define I_(f, v)	{ f, K_INT, (v), 0, NULL }
#define U_(f, v)	{ f, K_UINT, 0, (v), NULL }
#define L_(f, v)	{ f, K_LONG, (v), 0, NULL }
#define UL_(f, v)	{ f, K_ULONG, 0, (v), NULL }
#define LL_(f, v)	{ f, K_LLONG, (v), 0, NULL }
#define ULL_(f, v)	{ f, K_ULLONG, 0, (v), NULL }
#define SS_(f, v)	{ f, K_SSIZE, (v), 0, NULL }
#define SZ_(f, v)	{ f, K_SIZE, 0, (v), NULL }
#define J_(f, v)	{ f, K_INTMAX, (v), 0, NULL }
#define UJ_(f, v)	{ f, K_UINTMAX, 0, (v), NULL }
#define T_(f, v)	{ f, K_PTRDIFF, (v), 0, NULL }
#define P_(f, v)	{ f, K_PTR, 0, 0, (const void *)(v) }
#define S_(f, v)	{ f, K_STR, 0, 0, (v) }

static const char long_str[] =
	"the quick brown fox jumps over the lazy dog, "
	"THE QUICK BROWN FOX JUMPS OVER THE LAZY DOG; 0123456789";
static int some_object;

static const struct fcase fcases[] = {
	/* No conversion at all. */
	N_(""),
	N_("hello"),
	N_("hello world\n"),
	N_("\x80\xff high bytes \x7f"),
	N_("%%"),
	N_("100%%"),
	N_("%%d"),
	N_("a%%b%%c%%"),

	/* %s */
	S_("%s", "hello"),
	S_("%s", ""),
	S_("[%s]", "x"),
	S_("%10s", "hello"),
	S_("%-10s|", "hello"),
	S_("%10s", ""),
	S_("%1s", "hello"),
	S_("%.3s", "hello"),
	S_("%.0s", "hello"),
	S_("%.10s", "hello"),
	S_("%.5s", "hello"),
	S_("%10.3s", "hello"),
	S_("%-10.3s|", "hello"),
	S_("%12s", "hello"),
	S_("%31s", "hello"),
	S_("%s", long_str),
	S_("%.20s", long_str),
	S_("%s", "\xc3\xa9t\xc3\xa9 \x80\xff"),
	/* NULL: glibc's "(null)", whenever it fits the precision. */
	S_("%s", NULL),
	S_("[%s]", NULL),
	S_("%10s", NULL),
	S_("%-10s|", NULL),
	S_("%.6s", NULL),
	S_("%.10s", NULL),
	S_("%8.7s", NULL),

	/* %d %i */
	I_("%d", 0),
	I_("%d", 42),
	I_("%d", -42),
	I_("%d", INT_MAX),
	I_("%d", INT_MIN),
	I_("%i", 0),
	I_("%i", -7),
	I_("%i", INT_MIN),
	I_("%5d", 42),
	I_("%5d", -42),
	I_("%-5d|", 42),
	I_("%-5d|", -42),
	I_("%05d", 42),
	I_("%05d", -42),
	I_("%+d", 42),
	I_("%+d", -42),
	I_("%+d", 0),
	I_("% d", 42),
	I_("% d", -42),
	I_("% d", 0),
	I_("%+ d", 42),
	I_("%+05d", 42),
	I_("% 05d", 42),
	I_("%-05d|", 42),
	I_("%.3d", 7),
	I_("%.3d", -7),
	I_("%.3d", 12345),
	I_("%8.3d", -7),
	I_("%-8.3d|", -7),
	I_("%08.3d", -7),
	I_("%.0d", 0),
	I_("%.0d", 1),
	I_("%5.0d", 0),
	I_("%-5.0d|", 0),
	I_("%+.0d", 0),
	I_("% .0d", 0),
	I_("%.d", 0),
	I_("%.10d", INT_MIN),
	I_("%20d", INT_MIN),
	I_("%-20d|", INT_MIN),
	I_("%020d", INT_MIN),
	I_("%1d", 12345),

	/* %u */
	U_("%u", 0),
	U_("%u", 1),
	U_("%u", UINT_MAX),
	U_("%u", (unsigned int)-1),
	U_("%u", 0x80000000u),
	U_("%10u", 42),
	U_("%-10u|", 42),
	U_("%010u", 42),
	U_("%.0u", 0),
	U_("%.5u", 42),

	/* %x %X %o */
	U_("%x", 0),
	U_("%x", 255),
	U_("%x", 0xdeadbeef),
	U_("%x", UINT_MAX),
	U_("%X", 0xdeadbeef),
	U_("%02x", 5),
	U_("%02x", 0xab),
	U_("%08x", 0x1234),
	U_("%-8x|", 0x1234),
	U_("%#x", 0),
	U_("%#x", 255),
	U_("%#X", 255),
	U_("%#08x", 255),
	U_("%#-8x|", 255),
	U_("%#.4x", 255),
	U_("%#10.4x", 255),
	U_("%#.0x", 0),
	U_("%#5.0x", 0),
	U_("%.0x", 0),
	U_("%o", 0),
	U_("%o", 8),
	U_("%o", 0777),
	U_("%o", UINT_MAX),
	U_("%5o", 8),
	U_("%-5o|", 8),
	U_("%05o", 8),
	U_("%.4o", 8),
	U_("%.0o", 0),

	/* hh h */
	I_("%hhd", 127),
	I_("%hhd", 128),
	I_("%hhd", 255),
	I_("%hhd", -128),
	I_("%hhd", -129),
	I_("%hhd", 0x1ff),
	I_("%hhi", 200),
	U_("%hhu", 255),
	U_("%hhu", 256),
	U_("%hhu", UINT_MAX),
	U_("%hhx", 0xabc),
	U_("%hhX", 0xabc),
	U_("%hho", 0x1ff),
	I_("%hd", 32767),
	I_("%hd", 32768),
	I_("%hd", -32768),
	I_("%hd", -32769),
	I_("%hd", 65535),
	I_("%hi", 0x12345),
	U_("%hu", 65535),
	U_("%hu", 65536 + 7),
	U_("%hu", UINT_MAX),
	U_("%hx", 0x12345),
	U_("%ho", 0x12345),
	I_("%6hd", -1),

	/* l ll */
	L_("%ld", 0),
	L_("%ld", LONG_MIN),
	L_("%ld", LONG_MAX),
	L_("%li", -1),
	UL_("%lu", ULONG_MAX),
	UL_("%lx", ULONG_MAX),
	UL_("%lX", 0xfedcba9876543210ul),
	UL_("%lo", ULONG_MAX),
	UL_("%#lx", 0x7fff00001234ul),
	LL_("%lld", 0),
	LL_("%lld", LLONG_MIN),
	LL_("%lld", LLONG_MAX),
	LL_("%lli", -1),
	LL_("%25lld", LLONG_MIN),
	LL_("%-25lld|", LLONG_MIN),
	LL_("%.25lld", LLONG_MIN),
	LL_("%+lld", LLONG_MAX),
	ULL_("%llu", 0),
	ULL_("%llu", ULLONG_MAX),
	ULL_("%llx", ULLONG_MAX),
	ULL_("%llX", ULLONG_MAX),
	ULL_("%llo", ULLONG_MAX),
	ULL_("%#llx", 0x400000ull),
	ULL_("%#llx", 0),
	ULL_("%#18llx", 0x1234ull),
	ULL_("%#018llx", 0x1234ull),
	ULL_("%30llu", ULLONG_MAX),
	ULL_("%.30llu", ULLONG_MAX),
	ULL_("%.0llu", 0),

	/* z j t */
	SZ_("%zu", 0),
	SZ_("%zu", SIZE_MAX),
	SZ_("%zx", SIZE_MAX),
	SZ_("%8zu", 4096),
	SS_("%zd", -1),
	SS_("%zd", SSIZE_MAX),
	SS_("%zi", -SSIZE_MAX - 1),
	J_("%jd", INTMAX_MIN),
	J_("%jd", INTMAX_MAX),
	UJ_("%ju", UINTMAX_MAX),
	UJ_("%jx", UINTMAX_MAX),
	T_("%td", PTRDIFF_MIN),
	T_("%td", PTRDIFF_MAX),
	T_("%ti", -12345),

	/* %c */
	I_("%c", 'a'),
	I_("[%c]", 'Z'),
	I_("%3c", 'a'),
	I_("%-3c|", 'a'),
	I_("%c", 0xe9),
	I_("%c", 0x100 + 'A'),
	I_("%c", 0),
	I_("a%cb", 0),
	I_("%3c", 0),
	I_("%-3c|", 0),

	/* %p (not NULL: glibc's "(nil)" is its own choice) */
	P_("%p", &some_object),
	P_("%p", fcases),
	P_("%p", 1),
	P_("%p", 0x7fffffffe000ul),
	P_("%p", UINTPTR_MAX),
	P_("%20p", 0x1234),
	P_("%-20p|", 0x1234),
};

Test(snprintf, table)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(fcases); i++)
		check_case(&fcases[i]);
}

/* Several conversions, '*' arguments, formats the code base writes. */
Test(snprintf, combined_and_star)
{
	const char *path = "/usr/lib/x86_64-linux-gnu/libc.so.6";
	int i;

	check("%s=%d", "key", -5);
	check("%d %s %c %x %u %%", 1, "two", '3', 4, 5u);
	check("%s: %s (%d)", "hugetext", "Invalid argument", EINVAL);
	check("%-16s%8lu kB\n", "Rss:", 123456ul);
	check("%10s %12s %10s", "a", "bb", "ccc");
	check("%llu..%llu %#llx", 0ull, ULLONG_MAX, 0x400000ull);
	check("%zu of %zu", (size_t)3, (size_t)7);
	check("%.*s%s%s", 4, path, "/", "name");
	check("%.*s|", 0, path);
	check("%.*s|", -1, path);
	check("%.*s|", 1000, path);
	check("%*s|", 20, "right");
	check("%*s|", -20, "left");
	check("%-*s|", 20, "left");
	check("%-*s|", -20, "left");
	check("%*u|", 8, 42u);
	check("%*u|", 0, 42u);
	check("%*d|", -5, 42);
	check("%.*d|", 5, 42);
	check("%.*d|", 0, 0);
	check("%.*d|", -1, 0);
	check("%.*d|", -3, 42);
	check("%*.*d|", 10, 4, -42);
	check("%-*.*d|", 10, 4, -42);
	check("%0*d|", 6, -42);
	check("%*.*s|", 8, 3, "abcdef");
	check("%*c|", 4, 'x');
	check("%02x%02x%02x", 0xde, 0xad, 0x0f);
	check("%c%c%c", 'a', 0, 'b');
	check("%s%s%s", "", "", "");
	for (i = -30; i <= 30; i++) {
		check("[%*d]", i, i * 1001);
		check("[%.*x]", i, (unsigned int)i * 77u);
		check("[%*.*s]", i, i, long_str);
	}
}

/* snprintf itself (the wrapper), besides vsnprintf. */
Test(snprintf, wrapper)
{
	char want[64], got[64];
	size_t s;
	int wn, gn;

	for (s = 0; s <= sizeof(got); s++) {
		memset(want, CANARY, sizeof(want));
		memset(got, CANARY, sizeof(got));
		wn = snprintf(want, s, "%s:%d:%#x:%c", "file.c", -123, 255,
			      'q');
		gn = ht_rt_snprintf(got, s, "%s:%d:%#x:%c", "file.c", -123,
				    255, 'q');
		cr_expect_eq(gn, wn, "size %zu: returns %d, glibc %d", s, gn,
			     wn);
		cr_expect(!memcmp(got, want, sizeof(got)),
			  "size %zu: \"%s\", glibc \"%s\"", s,
			  esc(got, s < 20 ? s : 20),
			  esc(want, s < 20 ? s : 20));
	}
	cr_expect_eq(ht_rt_snprintf(NULL, 0, "%d", 12345), 5);
}

/* Values spread over the ranges, and the boundaries of each type. */
static const long long special[] = {
	0, 1, -1, 2, 7, 8, 9, 10, -10, 15, 16, 99, 100, 127, 128, -128,
	-129, 255, 256, 1000, 32767, 32768, -32768, -32769, 65535, 65536,
	999999, 1000000, INT_MAX, INT_MIN, (long long)INT_MAX + 1,
	(long long)INT_MIN - 1, UINT_MAX, (long long)UINT_MAX + 1,
	0x123456789abcdefll, LLONG_MAX, LLONG_MIN, LLONG_MIN + 1,
};

#define N_RANDOM	40

struct conv {
	const char *s;
	enum kind k;
};

static void loop_convs(const struct conv *convs, unsigned int nconv,
		       const char *const *flagsets, unsigned int nflags)
{
	static const char *const widths[] = { "", "1", "6", "25" };
	static const char *const precs[] = { "", ".", ".0", ".1", ".5",
					     ".22" };
	unsigned long long vals[ARRAY_SIZE(special) + N_RANDOM];
	unsigned int c, f, w, p, v;
	char fmt[32];

	for (v = 0; v < ARRAY_SIZE(special); v++)
		vals[v] = special[v];
	rng_seed(0x5eed0001);
	for (; v < ARRAY_SIZE(vals); v++)
		vals[v] = rng_bits() * (rng() & 1 ? 1 : -1ull);

	for (c = 0; c < nconv; c++)
		for (f = 0; f < nflags; f++)
			for (w = 0; w < ARRAY_SIZE(widths); w++)
				for (p = 0; p < ARRAY_SIZE(precs); p++) {
					snprintf(fmt, sizeof(fmt), "%%%s%s%s%s",
						 flagsets[f], widths[w],
						 precs[p], convs[c].s);
					for (v = 0; v < ARRAY_SIZE(vals); v++)
						check_arg(fmt, convs[c].k,
							  (long long)vals[v],
							  vals[v], NULL);
				}
}

Test(snprintf, loop_signed)
{
	static const struct conv convs[] = {
		{ "d", K_INT }, { "i", K_INT }, { "hhd", K_INT },
		{ "hd", K_INT }, { "ld", K_LONG }, { "lld", K_LLONG },
		{ "lli", K_LLONG }, { "zd", K_SSIZE }, { "jd", K_INTMAX },
		{ "td", K_PTRDIFF },
	};
	static const char *const flags[] = {
		"", "-", "0", "+", " ", "-0", "-+", "- ", "0+", "0 ", "+ ",
		"-0+", "-0 ", "-+ ", "0+ ", "-0+ ",
	};

	loop_convs(convs, ARRAY_SIZE(convs), flags, ARRAY_SIZE(flags));
}

/*
 * No '+' or ' ' here (they do not apply to unsigned conversions) and no
 * '#' with o or u: those are in snprintf.unsigned_flags below.
 */
Test(snprintf, loop_unsigned)
{
	static const struct conv convs[] = {
		{ "u", K_UINT }, { "o", K_UINT }, { "hhu", K_UINT },
		{ "hu", K_UINT }, { "ho", K_UINT }, { "lu", K_ULONG },
		{ "lo", K_ULONG }, { "llu", K_ULLONG }, { "llo", K_ULLONG },
		{ "zu", K_SIZE }, { "ju", K_UINTMAX },
	};
	static const struct conv hex[] = {
		{ "x", K_UINT }, { "X", K_UINT }, { "hhx", K_UINT },
		{ "hX", K_UINT }, { "lx", K_ULONG }, { "llx", K_ULLONG },
		{ "llX", K_ULLONG }, { "zx", K_SIZE }, { "jX", K_UINTMAX },
		{ "tx", K_PTRDIFF },
	};
	static const char *const flags[] = { "", "-", "0", "-0" };
	static const char *const hexflags[] = {
		"", "-", "0", "-0", "#", "#-", "#0", "#-0",
	};

	loop_convs(convs, ARRAY_SIZE(convs), flags, ARRAY_SIZE(flags));
	loop_convs(hex, ARRAY_SIZE(hex), hexflags, ARRAY_SIZE(hexflags));
}

Test(snprintf, loop_strings)
{
	static const char *const strs[] = {
		"", "a", "ab", "hello", "hello world", "\x80\xff",
		long_str, NULL,
	};
	static const char *const specs[] = {
		"%s", "%1s", "%5s", "%-5s|", "%20s", "%-20s|", "%.0s",
		"%.1s", "%.5s", "%.6s", "%.50s", "%3.1s", "%-3.1s|",
		"%20.6s", "%-20.10s|", "[%s]",
	};
	unsigned int i, j;

	for (i = 0; i < ARRAY_SIZE(strs); i++)
		for (j = 0; j < ARRAY_SIZE(specs); j++) {
			/* glibc prints "" for NULL below precision 6 */
			if (!strs[i] && strchr(specs[j], '.') &&
			    atoi(strchr(specs[j], '.') + 1) < 6)
				continue;
			check_nl(specs[j], strs[i]);
		}
	for (i = 0; i < 256; i++) {
		check_nl("%c", (int)i);
		check_nl("%4c|", (int)i);
		check_nl("%-4c|", (int)i);
	}
}

/*
 * Flags C defines for unsigned conversions too: '+' and ' ' apply to
 * signed conversions only (so change nothing here), '#' with o forces a
 * leading 0 (C11 7.21.6.1p6).
 */
static const struct fcase unsigned_flag_cases[] = {
	U_("%+u", 5),
	U_("% u", 5),
	U_("%+u", 0),
	U_("%+5u|", 5),
	U_("% 05u|", 5),
	ULL_("%+llu", ULLONG_MAX),
	U_("%+x", 255),
	U_("% x", 255),
	U_("%+#x", 255),
	U_("% X", 255),
	U_("%+o", 8),
	U_("% o", 8),
	U_("%#o", 8),
	U_("%#o", 0),
	U_("%#o", 0777),
	U_("%#.0o", 0),
	U_("%#5o|", 8),
	U_("%#-5o|", 8),
	U_("%#05o|", 8),
	U_("%#.3o", 8),
	U_("%#.2o", 8),
	ULL_("%#llo", ULLONG_MAX),
};

Test(snprintf, unsigned_flags)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(unsigned_flag_cases); i++)
		check_case(&unsigned_flag_cases[i]);
}

/* ------------------------------------------------------------------ */
/* strtoull / strtoul. */

/*
 * Same value, end pointer and errno as glibc: errno preset to 0 and to
 * another value (neither sets it on success), with and without @end.
 */
static void check_strto(const char *s, int base)
{
	static const int presets[] = { 0, EDOM };
	unsigned long long w, g;
	unsigned long wl, gl;
	char *we, *ge;
	int werr, gerr;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(presets); i++) {
		we = ge = (char *)"unset";
		errno = presets[i];
		w = strtoull(s, &we, base);
		werr = errno;
		errno = presets[i];
		g = ht_rt_strtoull(s, &ge, base);
		gerr = errno;
		EXPECT(g == w && ge == we && gerr == werr,
		       "strtoull(\"%s\", %d), errno %d before: %llu end +%td "
		       "errno %d, glibc %llu end +%td errno %d", escs(s), base,
		       presets[i], g, ge - s, gerr, w, we - s, werr);

		we = ge = (char *)"unset";
		errno = presets[i];
		wl = strtoul(s, &we, base);
		werr = errno;
		errno = presets[i];
		gl = ht_rt_strtoul(s, &ge, base);
		gerr = errno;
		EXPECT(gl == wl && ge == we && gerr == werr,
		       "strtoul(\"%s\", %d), errno %d before: %lu end +%td "
		       "errno %d, glibc %lu end +%td errno %d", escs(s), base,
		       presets[i], gl, ge - s, gerr, wl, we - s, werr);
	}

	errno = 0;
	w = strtoull(s, NULL, base);
	werr = errno;
	errno = 0;
	g = ht_rt_strtoull(s, NULL, base);
	gerr = errno;
	EXPECT(g == w && gerr == werr,
	       "strtoull(\"%s\", NULL, %d): %llu errno %d, glibc %llu errno %d",
	       escs(s), base, g, gerr, w, werr);
}

static const int bases[] = { 0, 2, 8, 10, 16, 36 };

static const char *const strto_inputs[] = {
	/* empty, no digits */
	"", " ", "\t\n", "-", "+", "--1", "-+1", "+-1", "- 1", "+ 1",
	"abc", "xyz", "!", "\x80", "\xff" "1", ".5", "_1",
	/* plain */
	"0", "00", "000", "1", "7", "8", "9", "10", "42", "0755", "0777",
	"08", "09", "019", "123456789", "1010", "z", "Z", "zz", "ZZ",
	"azAZ09", "1z", "9a", "1f", "1F", "fF",
	/* spaces and signs */
	"  42", "\t\n\v\f\r 42", "   -42", "  +42", "-1", "+1", "-0",
	"+0", " - 42", "42 ", "4 2", "\x85" "1", "\xa0" "1",
	/* trailing junk */
	"42abc", "42 abc", "42\n", "0x", "0X", "0x ", "0xg", "0Xg",
	"0x1f", "0X1F", "0x1fz", "0xFFffG", "0x0", "0x00", "0x0x1",
	"00x1", "-0x10", "+0x10", " 0x", "  0x1", "0x 1", "0x-1", "0x+1",
	"-0x", "x1", "X1", "0b101", "010x", "1e5", "1.5", "1,5",
	/* around the limits */
	"4294967295", "4294967296", "-4294967296", "2147483648",
	"9223372036854775807", "9223372036854775808",
	"-9223372036854775808", "-9223372036854775809",
	"18446744073709551614", "18446744073709551615",
	"18446744073709551616", "18446744073709551620",
	"-18446744073709551615", "-18446744073709551616",
	"99999999999999999999", "184467440737095516150",
	"123456789012345678901234567890", "000000000000000000000000000001",
	"0xffffffffffffffff", "0x10000000000000000", "0xfffffffffffffffff",
	"-0xffffffffffffffff", "-0x10000000000000000",
	"0x00000000000000000000001", "ffffffffffffffff", "10000000000000000",
	"01777777777777777777777", "02000000000000000000000",
	"1777777777777777777777", "2000000000000000000000",
	"3w5e11264sgsf", "3w5e11264sgsg", "3W5E11264SGSF", "zzzzzzzzzzzzz",
	"1111111111111111111111111111111111111111111111111111111111111111",
	"11111111111111111111111111111111111111111111111111111111111111111",
	"10000000000000000000000000000000000000000000000000000000000000000",
	"99999999999999999999abc", "  -99999999999999999999 x",
};

Test(strtoull, table)
{
	unsigned int i, b;

	for (i = 0; i < ARRAY_SIZE(strto_inputs); i++)
		for (b = 0; b < ARRAY_SIZE(bases); b++)
			check_strto(strto_inputs[i], bases[b]);
}

/* @v in @base, lower or upper case digits. */
static void to_base(char *out, unsigned long long v, int base, bool upper)
{
	const char *dig = upper ? "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ" :
				  "0123456789abcdefghijklmnopqrstuvwxyz";
	char tmp[70];
	int n = 0;

	do {
		tmp[n++] = dig[v % base];
		v /= base;
	} while (v);
	while (n)
		*out++ = tmp[--n];
	*out = '\0';
}

/* Add one to the digit string @s in @base (it may grow by a digit). */
static void incr(char *s, int base)
{
	static const char dig[] = "0123456789abcdefghijklmnopqrstuvwxyz";
	size_t n = strlen(s);

	while (n--) {
		int d = strchr(dig, s[n] | 0x20) - dig;

		if (d + 1 < base) {
			s[n] = dig[d + 1];
			return;
		}
		s[n] = '0';
	}
	memmove(s + 1, s, strlen(s) + 1);
	s[0] = '1';
}

/* ULLONG_MAX and one more, written in every base. */
Test(strtoull, limits_every_base)
{
	char s[80], t[90];
	int base;

	for (base = 2; base <= 36; base++) {
		to_base(s, ULLONG_MAX, base, false);
		check_strto(s, base);
		snprintf(t, sizeof(t), "-%s", s);
		check_strto(t, base);
		incr(s, base);
		check_strto(s, base);
		snprintf(t, sizeof(t), " -%s!", s);
		check_strto(t, base);
		to_base(s, ULLONG_MAX / base, base, true);
		check_strto(s, base);
	}
}

/* Random numbers in random dress: spaces, signs, prefixes, junk. */
Test(strtoull, random)
{
	static const char *const pre[] = { "", "", " ", "\t ", "\n" };
	static const char *const sign[] = { "", "", "-", "+" };
	static const char *const post[] = { "", "", " ", "x", "z", "9", "." };
	static const int rbases[] = { 2, 8, 10, 16, 36 };
	char num[80], s[120];
	unsigned int i;
	int base;

	rng_seed(0x5eed0002);
	for (i = 0; i < 5000; i++) {
		base = rbases[rng() % ARRAY_SIZE(rbases)];
		to_base(num, rng_bits(), base, rng() & 1);
		snprintf(s, sizeof(s), "%s%s%s%s%s",
			 pre[rng() % ARRAY_SIZE(pre)],
			 sign[rng() % ARRAY_SIZE(sign)],
			 base == 16 && rng() % 2 ? (rng() & 1 ? "0x" : "0X") :
			 base == 8 && rng() % 2 ? "0" : "",
			 num, post[rng() % ARRAY_SIZE(post)]);
		check_strto(s, base);
		check_strto(s, 0);
	}
}

/* ------------------------------------------------------------------ */
/* Strings and memory. */

static const char *const strs[] = {
	"", "a", "b", "A", "B", "ab", "abc", "abd", "abcd", "ABC", "aBc",
	"abC", "ABD", "\x80", "\xff", "\x7f", "\x01", "a\x80", "a\x7f",
	"a\xff", "a\x01", "[", "`", "{", "@", "_", "^", "Z", "z", "zz",
	"hello", "hello world", "Hello World", "hELLO", "hello\x80",
	"\xc3\xa9t\xc3\xa9", "\xc3\x89T\xc3\x89", "0123456789", "lo", "o w",
	"aaab", "aab", "ababab", "abab", "ababc", long_str,
	"THE QUICK", "lazy dog", "lazy cat", "dog;",
};

Test(string, strlen)
{
	char big[5000];
	unsigned int i;
	size_t n;

	for (i = 0; i < ARRAY_SIZE(strs); i++)
		cr_expect_eq(ht_rt_strlen(strs[i]), strlen(strs[i]),
			     "strlen(\"%s\")", escs(strs[i]));
	memset(big, 'x', sizeof(big));
	for (n = 0; n < sizeof(big); n += 97) {
		big[n] = '\0';
		cr_expect_eq(ht_rt_strlen(big), n);
		cr_expect_eq(ht_rt_strlen(big + n / 2), n - n / 2);
		big[n] = 'x';
	}
}

Test(string, compare)
{
	static const size_t ns[] = { 0, 1, 2, 3, 4, 5, 6, 8, 100, SIZE_MAX };
	unsigned int i, j, k;
	const char *a, *b;

	for (i = 0; i < ARRAY_SIZE(strs); i++)
		for (j = 0; j < ARRAY_SIZE(strs); j++) {
			a = strs[i];
			b = strs[j];
			EXPECT(sgn(ht_rt_strcmp(a, b)) == sgn(strcmp(a, b)),
			       "strcmp(\"%s\", \"%s\"): %d, glibc %d", escs(a),
			       escs(b), ht_rt_strcmp(a, b), strcmp(a, b));
			EXPECT(sgn(ht_rt_strcasecmp(a, b)) ==
			       sgn(strcasecmp(a, b)),
			       "strcasecmp(\"%s\", \"%s\"): %d, glibc %d",
			       escs(a), escs(b), ht_rt_strcasecmp(a, b),
			       strcasecmp(a, b));
			for (k = 0; k < ARRAY_SIZE(ns); k++)
				EXPECT(sgn(ht_rt_strncmp(a, b, ns[k])) ==
				       sgn(strncmp(a, b, ns[k])),
				       "strncmp(\"%s\", \"%s\", %zu): %d, "
				       "glibc %d", escs(a), escs(b), ns[k],
				       ht_rt_strncmp(a, b, ns[k]),
				       strncmp(a, b, ns[k]));
		}
	cr_expect_eq(fails, 0, "%d mismatches", fails);
}

/* Every pair of single characters, for strcasecmp's case folding. */
Test(string, strcasecmp_all_bytes)
{
	char a[3] = "", b[3] = "";
	int i, j;

	for (i = 1; i < 256; i++)
		for (j = 1; j < 256; j++) {
			a[0] = (char)i;
			b[0] = (char)j;
			a[1] = 'x';
			b[1] = 'X';
			EXPECT(sgn(ht_rt_strcasecmp(a, b)) ==
			       sgn(strcasecmp(a, b)),
			       "strcasecmp(\"%s\", \"%s\"): %d, glibc %d",
			       escs(a), escs(b), ht_rt_strcasecmp(a, b),
			       strcasecmp(a, b));
			EXPECT(sgn(ht_rt_strcmp(a, b)) == sgn(strcmp(a, b)),
			       "strcmp(\"%s\", \"%s\")", escs(a), escs(b));
			EXPECT(sgn(ht_rt_strncmp(a, b, 1)) ==
			       sgn(strncmp(a, b, 1)),
			       "strncmp(\"%s\", \"%s\", 1)", escs(a), escs(b));
		}
	cr_expect_eq(fails, 0, "%d mismatches", fails);
}

Test(memory, memcmp)
{
	unsigned char a[40], b[40];
	unsigned int r, n;

	rng_seed(0x5eed0003);
	for (r = 0; r < 2000; r++) {
		unsigned int at = rng() % sizeof(a);

		for (n = 0; n < sizeof(a); n++)
			a[n] = rng();
		memcpy(b, a, sizeof(b));
		/* one differing byte, often a high-bit one */
		b[at] = rng() & 1 ? (unsigned char)(a[at] ^ 0x80) :
				    (unsigned char)rng();
		for (n = 0; n <= sizeof(a); n++)
			EXPECT(sgn(ht_rt_memcmp(a, b, n)) ==
			       sgn(memcmp(a, b, n)),
			       "memcmp(%s, %s, %u): %d, glibc %d",
			       esc(a, n), esc(b, n), n, ht_rt_memcmp(a, b, n),
			       memcmp(a, b, n));
	}
	cr_expect_eq(ht_rt_memcmp(NULL, NULL, 0), 0);
	cr_expect_eq(ht_rt_memcmp("ab\0c", "ab\0d", 3), 0);
	cr_expect_lt(ht_rt_memcmp("ab\0c", "ab\0d", 4), 0);
	cr_expect_gt(ht_rt_memcmp("\x80", "\x7f", 1), 0);
	cr_expect_eq(fails, 0, "%d mismatches", fails);
}

Test(string, strchr)
{
	unsigned int i;
	int c;

	for (i = 0; i < ARRAY_SIZE(strs); i++)
		for (c = -300; c < 600; c++)
			EXPECT(ht_rt_strchr(strs[i], c) == strchr(strs[i], c),
			       "strchr(\"%s\", %d): %p, glibc %p",
			       escs(strs[i]), c,
			       (void *)ht_rt_strchr(strs[i], c),
			       (void *)strchr(strs[i], c));
	cr_expect_eq(fails, 0, "%d mismatches", fails);
}

Test(string, strcspn)
{
	static const char *const rejects[] = {
		"", "a", "abc", "\x80", "\xff\x80", "xyz", " ", "lo", "Z",
		"0123456789", ";,", "zyxwvutsrqponmlkjihgfedcba",
	};
	unsigned int i, j;

	for (i = 0; i < ARRAY_SIZE(strs); i++)
		for (j = 0; j < ARRAY_SIZE(rejects); j++)
			EXPECT(ht_rt_strcspn(strs[i], rejects[j]) ==
			       strcspn(strs[i], rejects[j]),
			       "strcspn(\"%s\", \"%s\"): %zu, glibc %zu",
			       escs(strs[i]), escs(rejects[j]),
			       ht_rt_strcspn(strs[i], rejects[j]),
			       strcspn(strs[i], rejects[j]));
	cr_expect_eq(fails, 0, "%d mismatches", fails);
}

Test(string, strstr)
{
	unsigned int i, j;
	const char *w, *g;

	/* every string in every other, the empty needle included */
	for (i = 0; i < ARRAY_SIZE(strs); i++)
		for (j = 0; j < ARRAY_SIZE(strs); j++) {
			w = strstr(strs[i], strs[j]);
			g = ht_rt_strstr(strs[i], strs[j]);
			EXPECT(g == w,
			       "strstr(\"%s\", \"%s\"): +%td, glibc +%td",
			       escs(strs[i]), escs(strs[j]),
			       g ? g - strs[i] : -1, w ? w - strs[i] : -1);
		}
	/* and every substring of a long one */
	for (i = 0; i < sizeof(long_str) - 1; i += 3)
		for (j = 0; j < 12 && i + j < sizeof(long_str); j++) {
			char needle[16];

			memcpy(needle, long_str + i, j);
			needle[j] = '\0';
			w = strstr(long_str, needle);
			g = ht_rt_strstr(long_str, needle);
			EXPECT(g == w, "strstr(long, \"%s\"): +%td, glibc +%td",
			       escs(needle), g ? g - long_str : -1,
			       w ? w - long_str : -1);
		}
	cr_expect_eq(fails, 0, "%d mismatches", fails);
}

Test(memory, memchr_memrchr)
{
	static const unsigned char few[] = { 0, 'a', 0x80, 0xff, 'z' };
	unsigned char buf[80];
	unsigned int i, n;
	int c;

	/* a few values, repeated, and every 7th byte another one */
	rng_seed(0x5eed0004);
	for (i = 0; i < sizeof(buf); i++)
		buf[i] = few[rng() % sizeof(few)] + (i % 7 == 3 ? i : 0);
	for (c = -300; c < 600; c++)
		for (n = 0; n <= sizeof(buf); n++) {
			EXPECT(ht_rt_memchr(buf, c, n) == memchr(buf, c, n),
			       "memchr(buf, %d, %u): %p, glibc %p", c, n,
			       ht_rt_memchr(buf, c, n), memchr(buf, c, n));
			EXPECT(ht_rt_memrchr(buf, c, n) == memrchr(buf, c, n),
			       "memrchr(buf, %d, %u): %p, glibc %p", c, n,
			       ht_rt_memrchr(buf, c, n), memrchr(buf, c, n));
		}
	cr_expect_null(ht_rt_memchr(NULL, 'a', 0));
	cr_expect_null(ht_rt_memrchr(NULL, 'a', 0));
	cr_expect_null(ht_rt_memchr("abc", 'd', 3));
	cr_expect_null(ht_rt_memrchr("abc", 'd', 3));
	cr_expect_null(ht_rt_memchr("abcd", 'd', 3));
	cr_expect_eq(fails, 0, "%d mismatches", fails);
}

#define MBUF	400

Test(memory, memcpy_memset)
{
	static const int cs[] = { 0, 0x5a, 0x80, 0xff, -1, 0x1ab, 'x' };
	unsigned char src[MBUF], want[MBUF], got[MBUF];
	unsigned int off, soff, n, k;
	void *r;

	rng_seed(0x5eed0005);
	for (n = 0; n < MBUF; n++)
		src[n] = rng();
	for (off = 0; off < 8; off++)
		for (soff = 0; soff < 8; soff++)
			for (n = 0; n + 8 < MBUF; n += n < 40 ? 1 : 37) {
				memset(want, CANARY, MBUF);
				memset(got, CANARY, MBUF);
				memcpy(want + off, src + soff, n);
				r = ht_rt_memcpy(got + off, src + soff, n);
				EXPECT(r == got + off, "memcpy returns %p",
				       r);
				EXPECT(!memcmp(got, want, MBUF),
				       "memcpy(+%u, +%u, %u)", off, soff, n);
			}
	for (off = 0; off < 8; off++)
		for (k = 0; k < ARRAY_SIZE(cs); k++)
			for (n = 0; n + 8 < MBUF; n += n < 40 ? 1 : 37) {
				memset(want, CANARY, MBUF);
				memset(got, CANARY, MBUF);
				memset(want + off, cs[k], n);
				r = ht_rt_memset(got + off, cs[k], n);
				EXPECT(r == got + off, "memset returns %p",
				       r);
				EXPECT(!memcmp(got, want, MBUF),
				       "memset(+%u, %d, %u)", off, cs[k], n);
			}
	cr_expect_eq(fails, 0, "%d mismatches", fails);
}

/* Overlap both ways, and no overlap, at every distance. */
Test(memory, memmove)
{
	unsigned char base[128], want[128], got[128];
	unsigned int s, d, n;
	void *r;

	rng_seed(0x5eed0006);
	for (n = 0; n < sizeof(base); n++)
		base[n] = rng();
	for (s = 0; s < 48; s++)
		for (d = 0; d < 48; d++)
			for (n = 0; n <= 64; n++) {
				memcpy(want, base, sizeof(base));
				memcpy(got, base, sizeof(base));
				memmove(want + d, want + s, n);
				r = ht_rt_memmove(got + d, got + s, n);
				EXPECT(r == got + d, "memmove returns %p", r);
				EXPECT(!memcmp(got, want, sizeof(got)),
				       "memmove(+%u, +%u, %u)", d, s, n);
			}
	cr_expect_eq(fails, 0, "%d mismatches", fails);
}

/* ------------------------------------------------------------------ */
/* strerrordesc_np. */

Test(strerrordesc_np, glibc_words)
{
	static const int needed[] = {
		EINVAL, ENOMEM, ENOENT, EACCES, EPERM, ESTALE, ELOOP, ENXIO,
	};
	const char *g, *w;
	unsigned int i;
	int e;

	for (e = 0; e <= 133; e++) {
		g = ht_rt_strerrordesc_np(e);
		w = strerrordesc_np(e);
		if (g)
			cr_expect(w && !strcmp(g, w),
				  "errno %d: \"%s\", glibc \"%s\"", e, g,
				  w ? w : "(NULL)");
	}
	for (i = 0; i < ARRAY_SIZE(needed); i++)
		cr_expect_not_null(ht_rt_strerrordesc_np(needed[i]),
				   "errno %d (%s) has no text", needed[i],
				   strerrordesc_np(needed[i]));
	cr_expect_null(ht_rt_strerrordesc_np(-1));
	cr_expect_null(ht_rt_strerrordesc_np(INT_MIN));
	cr_expect_null(ht_rt_strerrordesc_np(4096));
	cr_expect_null(ht_rt_strerrordesc_np(INT_MAX));
}

/* ------------------------------------------------------------------ */
/* The allocator. */

/* A pattern particular to a block (@seed) and offset. */
static unsigned char pat(size_t seed, size_t i)
{
	return (unsigned char)(seed * 131 + i * 7 + (i >> 8));
}

static void fill(void *p, size_t n, size_t seed)
{
	unsigned char *b = p;
	size_t i;

	for (i = 0; i < n; i++)
		b[i] = pat(seed, i);
}

/* The first offset in [0, n) that is not the pattern, or n. */
static size_t check_fill(const void *p, size_t n, size_t seed)
{
	const unsigned char *b = p;
	size_t i;

	for (i = 0; i < n; i++)
		if (b[i] != pat(seed, i))
			break;
	return i;
}

static bool all_zero(const void *p, size_t n)
{
	const unsigned char *b = p;
	size_t i;

	for (i = 0; i < n; i++)
		if (b[i])
			return false;
	return true;
}

#define ALIGNED(p)	(((uintptr_t)(p) & 15) == 0)

/* Every size to 5000 live at once: no block overlaps another. */
Test(malloc, sizes)
{
	enum { N = 5001 };
	static void *ps[N];
	size_t n, at;

	for (n = 0; n < N; n++) {
		ps[n] = ht_rt_malloc(n);
		cr_assert_not_null(ps[n], "malloc(%zu)", n);
		cr_expect(ALIGNED(ps[n]), "malloc(%zu) = %p, not 16-aligned",
			  n, ps[n]);
		fill(ps[n], n, n);
	}
	for (n = 0; n < N; n++) {
		at = check_fill(ps[n], n, n);
		cr_expect_eq(at, n, "malloc(%zu): byte %zu overwritten", n,
			     at);
	}
	for (n = 0; n < N; n++)
		ht_rt_free(ps[n]);
	/* and again, from the free lists */
	for (n = 0; n < N; n += 3) {
		ps[n] = ht_rt_malloc(n);
		cr_assert_not_null(ps[n], "malloc(%zu) again", n);
		fill(ps[n], n, n + 1);
	}
	for (n = 0; n < N; n += 3) {
		cr_expect_eq(check_fill(ps[n], n, n + 1), n,
			     "malloc(%zu) again: overwritten", n);
		ht_rt_free(ps[n]);
	}
}

Test(malloc, large)
{
	static const size_t sizes[] = {
		2047, 2048, 2049, 4096 - 16, 4096, 4097, 65536 - 16, 65536,
		65537, 1 << 20, (1 << 20) + 1, (1 << 20) - 1, 3 << 20,
		16 << 20,
	};
	void *ps[ARRAY_SIZE(sizes)];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		ps[i] = ht_rt_malloc(sizes[i]);
		cr_assert_not_null(ps[i], "malloc(%zu)", sizes[i]);
		cr_expect(ALIGNED(ps[i]), "malloc(%zu) = %p", sizes[i],
			  ps[i]);
		fill(ps[i], sizes[i], i);
	}
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		cr_expect_eq(check_fill(ps[i], sizes[i], i), sizes[i],
			     "malloc(%zu): overwritten", sizes[i]);
		ht_rt_free(ps[i]);
	}
}

Test(malloc, impossible)
{
	void *p;

	cr_expect_null(ht_rt_malloc(SIZE_MAX));
	cr_expect_null(ht_rt_malloc(SIZE_MAX - 15));
	cr_expect_null(ht_rt_malloc(SIZE_MAX / 2 + 1));
	cr_expect_null(ht_rt_calloc(SIZE_MAX / 2, 4));
	cr_expect_null(ht_rt_calloc(4, SIZE_MAX / 2));
	cr_expect_null(ht_rt_calloc(SIZE_MAX, 2));
	cr_expect_null(ht_rt_calloc((size_t)1 << 32, (size_t)1 << 32));
	cr_expect_null(ht_rt_calloc(SIZE_MAX, SIZE_MAX));
	/* a failed realloc leaves the block as it was */
	p = ht_rt_malloc(100);
	cr_assert_not_null(p);
	fill(p, 100, 9);
	cr_expect_null(ht_rt_realloc(p, SIZE_MAX));
	cr_expect_null(ht_rt_realloc(p, SIZE_MAX / 2 + 1));
	cr_expect_eq(check_fill(p, 100, 9), 100);
	ht_rt_free(p);
}

Test(malloc, free_null)
{
	ht_rt_free(NULL);
	ht_rt_free(NULL);
	cr_expect_not_null(ht_rt_malloc(1));
}

/* Up and down through the classes and the mappings, contents kept. */
Test(realloc, grow_shrink)
{
	static const size_t steps[] = {
		1, 10, 16, 17, 20, 32, 100, 255, 256, 1000, 2048, 2049, 4000,
		5000, 70000, 1 << 20, 3 << 20, 3000, 100, 5, 1, 4000, 17,
		1 << 20, 64, 2048, 8, 0 + 3,
	};
	unsigned char *p, *q;
	size_t have, keep, at;
	unsigned int i;

	p = ht_rt_realloc(NULL, steps[0]);	/* as malloc */
	cr_assert_not_null(p);
	have = steps[0];
	fill(p, have, 0);
	for (i = 1; i < ARRAY_SIZE(steps); i++) {
		q = ht_rt_realloc(p, steps[i]);
		cr_assert_not_null(q, "realloc(%zu -> %zu)", have, steps[i]);
		cr_expect(ALIGNED(q));
		keep = have < steps[i] ? have : steps[i];
		at = check_fill(q, keep, i - 1);
		cr_expect_eq(at, keep, "realloc(%zu -> %zu): byte %zu lost",
			     have, steps[i], at);
		p = q;
		have = steps[i];
		fill(p, have, i);
	}
	ht_rt_free(p);
}

/* Many blocks resized in turn, so that moves land among live ones. */
Test(realloc, interleaved)
{
	enum { N = 64 };
	unsigned char *ps[N];
	size_t ns[N], nn, keep;
	unsigned int i, r;

	for (i = 0; i < N; i++) {
		ns[i] = i * 3;
		ps[i] = ht_rt_malloc(ns[i]);
		cr_assert_not_null(ps[i]);
		fill(ps[i], ns[i], i);
	}
	for (r = 1; r <= 6; r++)
		for (i = 0; i < N; i++) {
			nn = (i * 37 + r * 101) % (r & 1 ? 3000 : 300);
			ps[i] = ht_rt_realloc(ps[i], nn ? nn : 1);
			cr_assert_not_null(ps[i]);
			nn = nn ? nn : 1;
			keep = ns[i] < nn ? ns[i] : nn;
			cr_expect_eq(check_fill(ps[i], keep, i + (r - 1) * N),
				     keep, "block %u round %u: lost", i, r);
			ns[i] = nn;
			fill(ps[i], nn, i + r * N);
		}
	for (i = 0; i < N; i++) {
		cr_expect_eq(check_fill(ps[i], ns[i], i + 6 * N), ns[i]);
		ht_rt_free(ps[i]);
	}
}

Test(calloc, zeroed)
{
	static const size_t dims[][2] = {
		{ 0, 0 }, { 0, 8 }, { 8, 0 }, { 1, 1 }, { 3, 5 }, { 16, 1 },
		{ 1, 16 }, { 17, 1 }, { 100, 7 }, { 2048, 1 }, { 1, 2049 },
		{ 1000, 1000 }, { 1 << 20, 1 }, { 4, 1 << 18 },
	};
	unsigned char *p;
	size_t n;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(dims); i++) {
		n = dims[i][0] * dims[i][1];
		p = ht_rt_calloc(dims[i][0], dims[i][1]);
		cr_assert_not_null(p, "calloc(%zu, %zu)", dims[i][0],
				   dims[i][1]);
		cr_expect(ALIGNED(p));
		cr_expect(all_zero(p, n), "calloc(%zu, %zu) not zeroed",
			  dims[i][0], dims[i][1]);
		memset(p, 0xff, n);
		ht_rt_free(p);
	}
}

/* Blocks dirtied and freed, then taken again by calloc: still zeros. */
Test(calloc, after_reuse)
{
	enum { N = 50 };
	static const size_t sizes[] = {
		1, 8, 15, 16, 17, 31, 32, 33, 100, 512, 1000, 2047, 2048,
		2049, 3000, 70000,
	};
	unsigned char *ps[N], *q;
	unsigned int i, j;
	size_t s;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		s = sizes[i];
		/* one block, at once */
		q = ht_rt_malloc(s);
		cr_assert_not_null(q);
		memset(q, 0xff, s);
		ht_rt_free(q);
		q = ht_rt_calloc(1, s);
		cr_assert_not_null(q);
		cr_expect(all_zero(q, s), "calloc(1, %zu) after reuse", s);
		memset(q, 0xee, s);
		ht_rt_free(q);
		q = ht_rt_calloc(s, 1);
		cr_assert_not_null(q);
		cr_expect(all_zero(q, s), "calloc(%zu, 1) after reuse", s);
		ht_rt_free(q);
		/* a batch */
		for (j = 0; j < N; j++) {
			ps[j] = ht_rt_malloc(s);
			cr_assert_not_null(ps[j]);
			memset(ps[j], 0xa5 ^ j, s);
		}
		for (j = 0; j < N; j++)
			ht_rt_free(ps[j]);
		for (j = 0; j < N; j++) {
			ps[j] = ht_rt_calloc(1, s);
			cr_assert_not_null(ps[j]);
			cr_expect(all_zero(ps[j], s),
				  "calloc(1, %zu) #%u after reuse", s, j);
		}
		for (j = 0; j < N; j++)
			ht_rt_free(ps[j]);
	}
}

Test(strdup, copies)
{
	static const size_t lens[] = {
		0, 1, 2, 14, 15, 16, 17, 31, 32, 2046, 2047, 2048, 3000,
		100000,
	};
	char *src, *d;
	unsigned int i, k;

	for (i = 0; i < ARRAY_SIZE(strs); i++) {
		d = ht_rt_strdup(strs[i]);
		cr_assert_not_null(d);
		cr_expect_neq((void *)d, (void *)strs[i]);
		cr_expect_str_eq(d, strs[i]);
		ht_rt_free(d);
	}
	src = malloc(100001);
	cr_assert_not_null(src);
	for (i = 0; i < ARRAY_SIZE(lens); i++) {
		for (k = 0; k < lens[i]; k++)
			src[k] = (char)(1 + (k * 13 + i) % 255);
		src[lens[i]] = '\0';
		d = ht_rt_strdup(src);
		cr_assert_not_null(d, "strdup of %zu bytes", lens[i]);
		cr_expect(!memcmp(d, src, lens[i] + 1),
			  "strdup of %zu bytes differs", lens[i]);
		ht_rt_free(d);
	}
	free(src);
}

/*
 * 10000 random malloc, calloc, realloc and free on 128 slots, with a
 * glibc-allocated shadow of what each block must hold, checked before
 * every free or realloc and, every 1000 operations, for every block.
 */
struct slot {
	unsigned char *p;	/* rt's block */
	unsigned char *shadow;	/* glibc's copy of what it must hold */
	size_t n;
};

static size_t stress_size(void)
{
	uint64_t r = rng() % 100;

	if (r < 60)
		return rng() % 300;
	if (r < 90)
		return rng() % 2100;
	if (r < 98)
		return rng() % 20000;
	return rng() % 300000;
}

static void stress_fill(struct slot *s, size_t from)
{
	size_t i;

	for (i = from; i < s->n; i++)
		s->p[i] = s->shadow[i] = (unsigned char)rng();
}

static void stress_verify(const struct slot *s, unsigned int slot,
			  unsigned int op)
{
	size_t i;

	if (!s->p || !memcmp(s->p, s->shadow, s->n))
		return;
	for (i = 0; s->p[i] == s->shadow[i]; i++)
		;
	cr_assert_fail("op %u: slot %u (%zu bytes at %p): byte %zu is %#x, "
		       "want %#x", op, slot, s->n, (void *)s->p, i, s->p[i],
		       s->shadow[i]);
}

Test(malloc, stress)
{
	enum { SLOTS = 128, OPS = 10000 };
	static struct slot slots[SLOTS];
	unsigned int op, i;
	struct slot *s;
	size_t n, old;

	rng_seed(0x5eed0007);
	for (op = 0; op < OPS; op++) {
		i = rng() % SLOTS;
		s = &slots[i];
		if (!s->p) {
			n = stress_size();
			if (rng() % 4 == 0) {
				s->p = ht_rt_calloc(1, n);
				cr_assert_not_null(s->p, "op %u: calloc(%zu)",
						   op, n);
				cr_assert(all_zero(s->p, n),
					  "op %u: calloc(%zu) not zeroed", op,
					  n);
			} else {
				s->p = ht_rt_malloc(n);
				cr_assert_not_null(s->p, "op %u: malloc(%zu)",
						   op, n);
			}
			cr_assert(ALIGNED(s->p), "op %u: %p", op, s->p);
			s->shadow = malloc(n ? n : 1);
			cr_assert_not_null(s->shadow);
			s->n = n;
			stress_fill(s, 0);
			continue;
		}
		stress_verify(s, i, op);
		switch (rng() % 3) {
		case 0:
			ht_rt_free(s->p);
			free(s->shadow);
			s->p = NULL;
			s->shadow = NULL;
			s->n = 0;
			break;
		case 1:
			n = stress_size();
			old = s->n;
			s->p = ht_rt_realloc(s->p, n ? n : 1);
			cr_assert_not_null(s->p, "op %u: realloc(%zu -> %zu)",
					   op, old, n);
			cr_assert(ALIGNED(s->p), "op %u: %p", op, s->p);
			s->shadow = realloc(s->shadow, n ? n : 1);
			cr_assert_not_null(s->shadow);
			s->n = n < old ? n : old;
			stress_verify(s, i, op);
			s->n = n;
			stress_fill(s, old < n ? old : n);
			break;
		default:	/* rewrite part of it */
			if (s->n) {
				size_t from = rng() % s->n;
				size_t keep = s->n;

				s->n = from + rng() % (s->n - from) + 1;
				stress_fill(s, from);
				s->n = keep;
			}
			break;
		}
		if (op % 1000 == 999)
			for (i = 0; i < SLOTS; i++)
				stress_verify(&slots[i], i, op);
	}
	for (i = 0; i < SLOTS; i++) {
		stress_verify(&slots[i], i, OPS);
		ht_rt_free(slots[i].p);
		free(slots[i].shadow);
	}
}
