# tests/harm/dlopen.mk - harm tests (included by Makefile.am): libraries
# loaded after start-up.  hugetext must see every late load (dlopen,
# dlmopen, concurrent ones) without changing what dlopen does: search
# paths, namespaces, unloading, and nothing foreign in the program.

DL_CC = $(CC) -O2 -Wall -Wextra -I$(srcdir)/tests/progs
DL_NEW_RUNPATH = -Wl,--enable-new-dtags -Wl,-rpath
DL_OLD_RPATH = -Wl,--disable-new-dtags -Wl,-rpath

# 4 MiB of generated text (lib_table, lib_count), for the big libraries.
tests/harm/progs/dl_lib4.S: tests/progs/gentext.sh
	$(AM_V_GEN)mkdir -p tests/harm/progs && \
		$(GENTEXT) lib 4 > $@.tmp && mv $@.tmp $@
CLEANFILES += tests/harm/progs/dl_lib4.S

# dlopen_runpath.sh: plugins found through RUNPATH, $ORIGIN, RPATH.
tests/harm/progs/libdl_plug.so: tests/harm/progs/dl_plug.c
	$(AM_V_CCLD)mkdir -p tests/harm/progs && $(DL_CC) -shared -fPIC \
		-DPLUG_FN=plug_value -DPLUG_VAL=4242 -o $@ \
		$(srcdir)/tests/harm/progs/dl_plug.c
tests/harm/progs/libdl_plugin2.so: tests/harm/progs/dl_plug.c
	$(AM_V_CCLD)mkdir -p tests/harm/progs && $(DL_CC) -shared -fPIC \
		-DPLUG_FN=plug2_value -DPLUG_VAL=2323 -o $@ \
		$(srcdir)/tests/harm/progs/dl_plug.c
tests/harm/progs/libdl_mid.so: tests/harm/progs/dl_mid.c
	$(AM_V_CCLD)mkdir -p tests/harm/progs && $(DL_CC) -shared -fPIC \
		-DMID_FN=mid_load $(DL_NEW_RUNPATH),'$$ORIGIN/plugins' -o $@ \
		$(srcdir)/tests/harm/progs/dl_mid.c -ldl
tests/harm/progs/libdl_rmid.so: tests/harm/progs/dl_mid.c
	$(AM_V_CCLD)mkdir -p tests/harm/progs && $(DL_CC) -shared -fPIC \
		-DMID_FN=rmid_load $(DL_OLD_RPATH),'$$ORIGIN/rplugins' -o $@ \
		$(srcdir)/tests/harm/progs/dl_mid.c -ldl
tests/harm/progs/dl_runpath: tests/harm/progs/dl_runpath.c tests/harm/progs/libdl_mid.so
	$(AM_V_CCLD)$(DL_CC) $(DL_NEW_RUNPATH),'$$ORIGIN/lib' -o $@ \
		$(srcdir)/tests/harm/progs/dl_runpath.c \
		-Ltests/harm/progs -ldl_mid -ldl
tests/harm/progs/dl_rpath: tests/harm/progs/dl_runpath.c tests/harm/progs/libdl_mid.so
	$(AM_V_CCLD)$(DL_CC) $(DL_OLD_RPATH),'$$ORIGIN/lib' -o $@ \
		$(srcdir)/tests/harm/progs/dl_runpath.c \
		-Ltests/harm/progs -ldl_mid -ldl

# dlopen_dlmopen.sh, dlopen_threads.sh, dlopen_foreign.sh: a 4 MiB-text
# library, 2 MiB-eligible (each test copies it to fresh files).
tests/harm/progs/libdl_big4.so: tests/harm/progs/dl_lib4.S
	$(AM_V_CCLD)$(CC) -shared -fPIC $(HT_BIG_FLAGS) -o $@ \
		tests/harm/progs/dl_lib4.S
tests/harm/progs/dl_load: tests/harm/progs/dl_load.c tests/progs/copy_smaps.h
	$(AM_V_CCLD)mkdir -p tests/harm/progs && $(DL_CC) -pthread -o $@ \
		$(srcdir)/tests/harm/progs/dl_load.c -ldl

# dlopen_dlclose.sh: the same 4 MiB of text with a destructor.
tests/harm/progs/libdl_dtor.so: tests/harm/progs/dl_dtorlib.c tests/harm/progs/dl_lib4.S
	$(AM_V_CCLD)$(DL_CC) -shared -fPIC $(HT_BIG_FLAGS) -o $@ \
		$(srcdir)/tests/harm/progs/dl_dtorlib.c tests/harm/progs/dl_lib4.S
tests/harm/progs/dl_unload: tests/harm/progs/dl_unload.c
	$(AM_V_CCLD)mkdir -p tests/harm/progs && $(DL_CC) -pthread -o $@ \
		$(srcdir)/tests/harm/progs/dl_unload.c -ldl

# dlopen_foreign.sh: a bundled "libz.so.1" that is not zlib, a plugin
# that needs it, and the program that loads them.
tests/harm/progs/libdl_fakez.so: tests/harm/progs/dl_fakez.c
	$(AM_V_CCLD)mkdir -p tests/harm/progs && $(DL_CC) -shared -fPIC \
		-Wl,-soname,libz.so.1 -o $@ $(srcdir)/tests/harm/progs/dl_fakez.c
tests/harm/progs/libdl_zplug.so: tests/harm/progs/dl_zplug.c tests/harm/progs/libdl_fakez.so
	$(AM_V_CCLD)$(DL_CC) -shared -fPIC $(DL_NEW_RUNPATH),'$$ORIGIN' \
		-o $@ $(srcdir)/tests/harm/progs/dl_zplug.c \
		tests/harm/progs/libdl_fakez.so
tests/harm/progs/dl_foreign: tests/harm/progs/dl_foreign.c
	$(AM_V_CCLD)mkdir -p tests/harm/progs && $(DL_CC) -o $@ \
		$(srcdir)/tests/harm/progs/dl_foreign.c -ldl

HARM_PROGS += tests/harm/progs/libdl_plug.so tests/harm/progs/libdl_plugin2.so \
	tests/harm/progs/libdl_mid.so tests/harm/progs/libdl_rmid.so \
	tests/harm/progs/dl_runpath tests/harm/progs/dl_rpath \
	tests/harm/progs/libdl_big4.so tests/harm/progs/dl_load \
	tests/harm/progs/libdl_dtor.so tests/harm/progs/dl_unload \
	tests/harm/progs/libdl_fakez.so tests/harm/progs/libdl_zplug.so \
	tests/harm/progs/dl_foreign
HARM_TESTS += tests/harm/dlopen_runpath.sh tests/harm/dlopen_dlmopen.sh \
	tests/harm/dlopen_threads.sh tests/harm/dlopen_dlclose.sh \
	tests/harm/dlopen_foreign.sh
EXTRA_DIST += tests/harm/progs/dl_plug.c tests/harm/progs/dl_mid.c \
	tests/harm/progs/dl_runpath.c tests/harm/progs/dl_load.c \
	tests/harm/progs/dl_dtorlib.c tests/harm/progs/dl_unload.c \
	tests/harm/progs/dl_fakez.c tests/harm/progs/dl_zplug.c \
	tests/harm/progs/dl_foreign.c

# dl_fork: children forked while another thread is inside a pass.
tests/harm/progs/dl_fork: tests/harm/progs/dl_fork.c
	$(AM_V_CCLD)mkdir -p tests/harm/progs && $(CC) -O2 $(WARN_CFLAGS) \
		-pthread -o $@ $(srcdir)/tests/harm/progs/dl_fork.c -ldl
HARM_PROGS += tests/harm/progs/dl_fork
HARM_TESTS += tests/harm/dlopen_fork.sh
EXTRA_DIST += tests/harm/progs/dl_fork.c
