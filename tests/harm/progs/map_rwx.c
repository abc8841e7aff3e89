// SPDX-License-Identifier: MIT
/*
 * map_rwx - self-modifying code.  Its .preinit_array function, which
 * runs before any constructor (an LD_PRELOAD library's included), makes
 * the program's whole text rwx; main() then rewrites one function as
 * "mov $42,%eax; ret" and calls it.  A library inside the process that
 * maps the text again r-x (issue 9, item 5) kills it with SIGSEGV; one
 * that zaps the patched page loses the patch.  It prints the patched
 * function's result, a checksum over all its functions, and how its
 * text is mapped in /proc/self/maps (protection, and whether the file).
 *
 *   map_rwx [-s SMAPS_OUT]   patch, call, print, copy smaps
 *   map_rwx -w               read every text page, print "ready", wait
 *                            for end of input: keeps the page cache busy
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "map_common.h"

extern const fn_t mt_table[];
extern const long mt_count;

static struct map_text text;
static int rwx_errno = -1;

static void make_rwx(int argc, char **argv, char **envp)
{
	(void)argc;
	(void)argv;
	(void)envp;
	if (map_text_of(mt_table[0], &text)) {
		rwx_errno = ENOENT;
		return;
	}
	rwx_errno = mprotect((void *)text.start, text.end - text.start,
			     PROT_READ | PROT_WRITE | PROT_EXEC) ? errno : 0;
}

__attribute__((section(".preinit_array"), used))
static void (*const preinit)(int, char **, char **) = make_rwx;

/* "text PERMS WHAT" per run of /proc/self/maps lines over the text. */
static void print_text_maps(void)
{
	char line[4096], exe[4096], last[64] = "";
	FILE *f = fopen("/proc/self/maps", "r");
	uintptr_t covered = text.start;
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	exe[n > 0 ? n : 0] = '\0';
	if (!f) {
		printf("text maps unreadable\n");
		return;
	}
	while (fgets(line, sizeof(line), f)) {
		unsigned long s, e;
		char perms[8], what[64], *path;
		int pos = 0;

		line[strcspn(line, "\n")] = '\0';
		if (sscanf(line, "%lx-%lx %7s %*s %*s %*s%n", &s, &e, perms,
			   &pos) < 3 || e <= text.start || s >= text.end)
			continue;
		path = line + pos;
		while (*path == ' ')
			path++;
		if (s > covered)
			printf("text hole at +%#lx\n",
			       (unsigned long)(covered - text.start));
		covered = e;
		snprintf(what, sizeof(what), "%s %s", perms,
			 strcmp(path, exe) ? "not-the-file" : "file");
		if (strcmp(what, last))
			printf("text %s\n", what);
		snprintf(last, sizeof(last), "%s", what);
	}
	if (covered < text.end)
		printf("text hole at +%#lx\n",
		       (unsigned long)(covered - text.start));
	fclose(f);
}

int main(int argc, char **argv)
{
	const char *smaps = NULL;
	long k = mt_count / 2, sum = 0, i;
	int c, wait_input = 0;

	while ((c = getopt(argc, argv, "s:w")) != -1) {
		switch (c) {
		case 's':
			smaps = optarg;
			break;
		case 'w':
			wait_input = 1;
			break;
		default:
			return 2;
		}
	}
	if (rwx_errno) {
		printf("cannot make the text rwx: %s\n",
		       rwx_errno > 0 ? strerror(rwx_errno) : "no preinit");
		return 4;
	}
	if (wait_input) {
		char b;

		map_touch(text.start, text.end);
		printf("ready\n");
		fflush(stdout);
		while (read(0, &b, 1) > 0)
			;
		return 0;
	}
	map_patch((void *)mt_table[k], 42);
	printf("patched f%ld returns %ld\n", k, mt_table[k](7));
	for (i = 0; i < mt_count; i++)
		sum += mt_table[i](sum & 0xffff);
	printf("functions %ld checksum %lx\n", mt_count, (unsigned long)sum);
	print_text_maps();
	fflush(stdout);
	if (smaps && copy_smaps(smaps))
		return 3;
	return 0;
}
