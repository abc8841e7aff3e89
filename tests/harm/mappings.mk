# tests/harm/mappings.mk - harm tests (included by Makefile.am).
# The "mappings" family (issue 9, items 5 and 6): hugetext keeps every
# mapping as the program made it (protection, keys, madvise flags, the
# layout of its files) and never loses a page the program wrote.

# 16 MiB of generated functions mt_f<i> (table mt_table, mt_count).
tests/harm/progs/map_text16.S: tests/progs/gentext.sh
	$(AM_V_GEN)mkdir -p tests/harm/progs && \
		$(GENTEXT) mt 16 > $@.tmp && mv $@.tmp $@
CLEANFILES += tests/harm/progs/map_text16.S

HARM_MAP_DEPS = tests/harm/progs/map_common.h tests/progs/copy_smaps.h \
	tests/harm/progs/map_text16.S
HARM_MAP_CC = $(CC) -O2 -fPIE -pie -pthread $(HT_BIG_FLAGS) \
	-I$(srcdir)/tests/progs

# rwx text from .preinit_array, patched in main().
tests/harm/progs/map_rwx: tests/harm/progs/map_rwx.c $(HARM_MAP_DEPS)
	$(AM_V_CCLD)$(HARM_MAP_CC) -o $@ \
		$(srcdir)/tests/harm/progs/map_rwx.c \
		tests/harm/progs/map_text16.S

# MADV_DONTDUMP, MADV_NOHUGEPAGE, MADV_DONTFORK, a protection key on text.
tests/harm/progs/map_flags: tests/harm/progs/map_flags.c $(HARM_MAP_DEPS)
	$(AM_V_CCLD)$(HARM_MAP_CC) -o $@ \
		$(srcdir)/tests/harm/progs/map_flags.c \
		tests/harm/progs/map_text16.S -ldl

# a thread patching text while a pass runs; a patch before the pass.
tests/harm/progs/map_race: tests/harm/progs/map_race.c $(HARM_MAP_DEPS)
	$(AM_V_CCLD)$(HARM_MAP_CC) -o $@ \
		$(srcdir)/tests/harm/progs/map_race.c \
		tests/harm/progs/map_text16.S -ldl

HARM_PROGS += tests/harm/progs/map_rwx tests/harm/progs/map_flags \
	tests/harm/progs/map_race
HARM_TESTS += tests/harm/map_rwx.sh tests/harm/map_flags.sh \
	tests/harm/map_patch_race.sh tests/harm/map_layout.sh
EXTRA_DIST += tests/harm/map_lib.sh tests/harm/progs/map_common.h \
	tests/harm/progs/map_rwx.c tests/harm/progs/map_flags.c \
	tests/harm/progs/map_race.c
