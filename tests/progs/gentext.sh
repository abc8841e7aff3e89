#!/bin/sh
# gentext.sh PREFIX MIB [ALIGN] - write to stdout an x86-64 assembly file
# with MIB MiB of text: functions PREFIX_f<i> (each returns 3x+i) 2^ALIGN
# bytes apart (default 14: 16 KiB), and a table PREFIX_table of their
# addresses with PREFIX_count entries.  The linker gives the text
# segment at least that alignment (p_align): 12 keeps it at 4 KiB, as
# most distributions' programs have it.
set -eu
prefix=$1
mib=$2
align=${3:-14}
n=$((mib * (1048576 >> align)))
awk -v p="$prefix" -v n="$n" -v a="$align" 'BEGIN {
	printf "\t.text\n"
	for (i = 0; i < n; i++) {
		printf "\t.p2align %d, 0xcc\n\t.type %s_f%d, @function\n", a, p, i
		printf "%s_f%d:\n\tlea %d(%%rdi,%%rdi,2), %%rax\n\tret\n", p, i, i
		printf "\t.size %s_f%d, .-%s_f%d\n", p, i, p, i
	}
	printf "\t.section .data.rel.ro,\"aw\"\n\t.p2align 3\n"
	printf "\t.globl %s_table\n\t.type %s_table, @object\n", p, p
	printf "%s_table:\n", p
	for (i = 0; i < n; i++)
		printf "\t.quad %s_f%d\n", p, i
	printf "\t.size %s_table, .-%s_table\n", p, p
	printf "\t.section .rodata\n\t.p2align 3\n"
	printf "\t.globl %s_count\n\t.type %s_count, @object\n", p, p
	printf "%s_count:\n\t.quad %d\n\t.size %s_count, 8\n", p, n, p
	printf "\t.section .note.GNU-stack,\"\",@progbits\n"
}'
