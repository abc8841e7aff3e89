# tests/harm/output.mk - harm tests (included by Makefile.am).
