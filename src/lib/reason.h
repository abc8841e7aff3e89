/* SPDX-License-Identifier: MIT */
/*
 * reason.h - why a piece of text is, or is not, on huge pages.
 *
 * One code space shared by the span arithmetic, the kernel routes, the
 * preload report and the command-line tools, so that every consumer names
 * the same cause the same way.
 */
#ifndef HT_REASON_H
#define HT_REASON_H

enum ht_reason {
	HT_R_NONE = 0,		/* nothing to explain: it worked */
	HT_R_TOO_SMALL,		/* segment shorter than 2 MiB */
	HT_R_INCONGRUENT,	/* vaddr and file offset differ mod 2 MiB */
	HT_R_NO_WHOLE_SPAN,	/* >= 2 MiB, but no aligned 2 MiB inside */
	HT_R_NOT_FILE,		/* the range is not a plain file mapping */
	HT_R_FILE_CHANGED,	/* file on disk is not the one mapped */
	HT_R_TEXTREL,		/* text relocations: text holds private pages */
	HT_R_PRIVATE_PAGES,	/* anonymous (COW) pages found in the range */
	HT_R_THP_NEVER,		/* transparent_hugepage/enabled is never */
	HT_R_PRCTL,		/* prctl(PR_SET_THP_DISABLE) is in force */
	HT_R_NOHUGEPAGE,	/* MADV_NOHUGEPAGE (VM_NOHUGEPAGE) on range */
	HT_R_STRATEGY_NONE,	/* the user chose strategy none */
	HT_R_DRY_RUN,		/* the user asked to change nothing */
	HT_R_NO_COLLAPSE,	/* MADV_COLLAPSE unsupported for this file */
	HT_R_NO_POPULATE,	/* kernel lacks MADV_POPULATE_READ (< 5.14) */
	HT_R_NO_LARGE_FOLIOS,	/* refault kept small folios (fs lacks them) */
	HT_R_CACHE_BUSY,	/* small folios pinned: mapped elsewhere, dirty */
	HT_R_REFAULT_SMALL,	/* busy or no large folios: cannot tell which */
	HT_R_TMPFS_REFAULT,	/* refault route does not apply to tmpfs */
	HT_R_SYSCALL,		/* a system call failed; see the errno */
	HT_R_ELF,		/* the file could not be read as ELF */
	HT_R_PARTIAL,		/* the route ran; only part became huge */
	HT_R_SMALL_PAGES,	/* eligible, on small pages now (status) */
	HT_R_NO_PRIVILEGE,	/* acting on another process needs more */
	HT_R_EXITED,		/* the process exited meanwhile */
	HT_R_REMOTE_PTE,	/* cache huge; the process keeps its PTEs */
	HT_R_UNALIGNED_START,	/* segment starts off 2 MiB: a span lost */
	HT_R_WRITABLE_TEXT,	/* text mapped writable: self-modifying code */
	HT_R_SECCOMP,		/* a seccomp filter: calls could kill the process */
	HT_R_TABLES_KEPT,	/* cache huge; an emptied page table stays (< 6.14) */
	HT_R_BUDGET,		/* the pass's time budget ran out first */
	HT_R_OTHER_THREADS,	/* mapped while other threads run: not zapped */
	HT_R_COPY_NO_CACHE,	/* copy asked where a page cache is the aim */
	HT_R_TRACED,		/* --inject: another tracer has the process */
	HT_R_STOPPED,		/* --inject: the process is stopped (SIGSTOP) */
	HT_R_INTERRUPTED,	/* --inject: a signal for it came first */
	HT_R_NEEDS_INJECT,	/* --pid: it maps them small; --inject would do */
	HT_R_LOCKED,		/* mlock'ed: no zap, no page-out, no copy */
	HT_R_NOT_FAULTED,	/* status: eligible, no page of it mapped yet */
	HT_R_COLD,		/* daemon: not among the hottest, pages scarce */
	HT_R__COUNT
};

/*
 * ht_reason_name - stable token for @r ("too-small"), used in JSON and
 * in scripts.  Never NULL.
 */
const char *ht_reason_name(enum ht_reason r);

/*
 * ht_reason_text - one-line human explanation of @r.  Never NULL.
 */
const char *ht_reason_text(enum ht_reason r);

/*
 * ht_strerror - @err's description, in English, never translated:
 * unlike strerror() it reads no locale, so it is safe in any thread of
 * an audit module (whose libc has set up locales only in its own
 * threads).  Never NULL.
 */
const char *ht_strerror(int err);

#endif /* HT_REASON_H */
