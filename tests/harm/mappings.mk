# tests/harm/mappings.mk - harm tests (included by Makefile.am).
