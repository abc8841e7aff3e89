# tests/harm/dlopen.mk - harm tests (included by Makefile.am).
