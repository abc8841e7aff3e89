#!/bin/sh
# tests/fuzz/gen-corpus.sh - rewrite the committed seed corpus
# (tests/fuzz/corpus/TARGET/) from gen_corpus.c.  Run it after changing
# the generator and commit what changed; tests/fuzz/run.sh only reads
# the corpus.
set -eu
cd "$(dirname "$0")"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
${CC:-cc} -O1 -Wall -Wextra -o "$tmp/gen_corpus" gen_corpus.c
rm -rf corpus
"$tmp/gen_corpus" corpus
du -sb corpus
