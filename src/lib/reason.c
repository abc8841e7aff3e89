// SPDX-License-Identifier: MIT
/* reason.c - names and explanations for enum ht_reason. */
#include <string.h>

#include "reason.h"

static const struct {
	const char *name;
	const char *text;
} reasons[HT_R__COUNT] = {
	[HT_R_NONE] = { "none", "no problem" },
	[HT_R_TOO_SMALL] = { "too-small",
		"text segment is smaller than 2 MiB" },
	[HT_R_INCONGRUENT] = { "incongruent",
		"load address and file offset differ modulo 2 MiB "
		"(link with -Wl,-z,max-page-size=0x200000)" },
	[HT_R_NO_WHOLE_SPAN] = { "no-whole-span",
		"no whole aligned 2 MiB span inside the segment" },
	[HT_R_NOT_FILE] = { "not-file",
		"range is not mapped from a regular file" },
	[HT_R_FILE_CHANGED] = { "file-changed",
		"file on disk is not the file that is mapped" },
	[HT_R_TEXTREL] = { "textrel",
		"object has text relocations (private copies of text)" },
	[HT_R_PRIVATE_PAGES] = { "private-pages",
		"range holds private (anonymous) copies of pages" },
	[HT_R_THP_NEVER] = { "thp-never",
		"transparent_hugepage/enabled is set to never" },
	[HT_R_PRCTL] = { "thp-disabled-prctl",
		"huge pages disabled for this process (PR_SET_THP_DISABLE)" },
	[HT_R_NOHUGEPAGE] = { "nohugepage",
		"range is marked MADV_NOHUGEPAGE" },
	[HT_R_STRATEGY_NONE] = { "strategy-none",
		"strategy none: nothing attempted" },
	[HT_R_DRY_RUN] = { "dry-run", "dry run: nothing changed" },
	[HT_R_NO_COLLAPSE] = { "collapse-unsupported",
		"MADV_COLLAPSE not supported for this file by this kernel" },
	[HT_R_NO_POPULATE] = { "populate-unsupported",
		"kernel lacks MADV_POPULATE_READ (needs Linux 5.14)" },
	[HT_R_NO_LARGE_FOLIOS] = { "no-large-folios",
		"filesystem did not give 2 MiB folios on refault" },
	[HT_R_CACHE_BUSY] = { "page-cache-busy",
		"small page-cache pages could not be dropped (mapped by "
		"other processes, or dirty; 'hugetext check FILE' names "
		"the processes and the fix)" },
	[HT_R_REFAULT_SMALL] = { "refault-small",
		"refault kept small folios: they are mapped elsewhere or "
		"dirty, or the filesystem lacks large folios (which one is "
		"hidden from users who cannot write the file)" },
	[HT_R_TMPFS_REFAULT] = { "refault-on-tmpfs",
		"the refault route does not apply to tmpfs files" },
	[HT_R_SYSCALL] = { "syscall-failed", "a system call failed" },
	[HT_R_ELF] = { "elf-error", "file could not be read as ELF" },
	[HT_R_PARTIAL] = { "partial", "only part of the range became huge" },
	[HT_R_SMALL_PAGES] = { "small-pages",
		"eligible, but mapped with small pages now" },
	[HT_R_NO_PRIVILEGE] = { "no-privilege",
		"acting on another process needs CAP_SYS_NICE and ptrace "
		"read access" },
	[HT_R_EXITED] = { "exited", "the process exited meanwhile" },
	[HT_R_UNALIGNED_START] = { "unaligned-start",
		"the segment does not start on a 2 MiB boundary, which costs "
		"a whole span (link with -Wl,-z,separate-code and a 2 MiB "
		"max-page-size)" },
	[HT_R_REMOTE_PTE] = { "remote-small-mappings",
		"the page cache is huge now, but this kernel cannot remap the "
		"running process's text with 2 MiB pages from outside "
		"(MADV_COLLAPSE needs tmpfs or CONFIG_READ_ONLY_THP_FOR_FS): "
		"--inject does it from inside the process; new processes and "
		"restarts map it huge" },
	[HT_R_WRITABLE_TEXT] = { "writable-text",
		"the text is mapped writable (self-modifying or patched "
		"code): left as the program made it" },
	[HT_R_SECCOMP] = { "seccomp",
		"the process runs under a seccomp filter, which may kill it "
		"for a call it does not make itself (HUGETEXT_SECCOMP=try, "
		"--seccomp=try to try anyway)" },
	[HT_R_TABLES_KEPT] = { "page-tables-kept",
		"the page cache is huge, but the process had faulted these "
		"spans and this kernel keeps their emptied page tables "
		"(before 6.14): later starts map them huge" },
	[HT_R_BUDGET] = { "budget-exhausted",
		"the pass's time budget ran out first (HUGETEXT_BUDGET_MS, "
		"--budget): the rest is left as it was" },
	[HT_R_OTHER_THREADS] = { "other-threads",
		"pages of the range were mapped already while other threads "
		"ran, which could write a private copy (a patcher, a JIT) "
		"between a look and a zap: left as they were; later starts "
		"map the text huge" },
	[HT_R_LOCKED] = { "locked",
		"the range is locked in memory (mlock, mlockall): its pages "
		"cannot be zapped or paged out, only collapsed (tmpfs, or "
		"CONFIG_READ_ONLY_THP_FOR_FS); left as they are: prime the "
		"file (hugetext prime) before the program locks it" },
	[HT_R_NOT_FAULTED] = { "not-faulted",
		"eligible, but no page of it is mapped yet (that code has "
		"not run): its first use maps it with 2 MiB pages if the "
		"page cache is huge then (hugetext prime)" },
	[HT_R_COPY_NO_CACHE] = { "copy-no-page-cache",
		"the copy route makes private copies inside the program at "
		"its start; it cannot make a file's page cache huge (prime, "
		"--pid, static programs)" },
	[HT_R_TRACED] = { "traced",
		"the process is traced by another program (a debugger, "
		"strace): left alone" },
	[HT_R_STOPPED] = { "stopped",
		"the process is stopped (job control, SIGSTOP): left alone, "
		"to resume as it was" },
	[HT_R_INTERRUPTED] = { "interrupted",
		"a signal for the process came while it was stopped, and "
		"was delivered first: the rest is left as it was (run it "
		"again)" },
	[HT_R_NEEDS_INJECT] = { "needs-inject",
		"the process maps this text with small pages, and on this "
		"kernel only a zap made inside the process lets it map 2 MiB "
		"pages: --inject does that (one thread stopped for a moment)" },
	[HT_R_COLD] = { "cold",
		"huge pages are scarce or capped (max_huge_text_mib), and "
		"this text was not among the hottest sampled: left on small "
		"pages for hotter code" },
};

const char *ht_reason_name(enum ht_reason r)
{
	if ((unsigned int)r >= HT_R__COUNT)
		return "unknown";
	return reasons[r].name;
}

const char *ht_reason_text(enum ht_reason r)
{
	if ((unsigned int)r >= HT_R__COUNT)
		return "unknown reason";
	return reasons[r].text;
}

const char *ht_strerror(int err)
{
	const char *s = strerrordesc_np(err);

	return s ? s : "unknown error";
}
