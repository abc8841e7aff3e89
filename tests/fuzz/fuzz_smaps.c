// SPDX-License-Identifier: MIT
/*
 * fuzz_smaps.c - libFuzzer target for the smaps parser (smaps.h):
 * ht_smaps_parse() on the input as the file it reads (a memfd standing
 * for /proc/PID/smaps or maps).
 *
 * Checked beyond "no crash, no leak": the documented return values,
 * every mapping handed to the callback well formed (start and path set,
 * four permission characters), and a non-zero return from the callback
 * ending the walk with that value: the first input byte chooses after
 * how many mappings it stops (0: never).
 */
#include <errno.h>
#include <string.h>

#include "fuzz.h"
#include "smaps.h"

struct walk {
	unsigned int seen, stop_at;
};

static int on_vma(const struct ht_vma *v, void *arg)
{
	struct walk *w = arg;

	FUZZ_CHECK(v->path != NULL);
	FUZZ_CHECK(strlen(v->path) < 1u << 20);
	FUZZ_CHECK(strlen(v->perms) == 4);
	FUZZ_CHECK(!(v->vmflags & ~(HT_VM_HG | HT_VM_NH | HT_VM_EX |
				    HT_VM_SH | HT_VM_LO)));
	w->seen++;
	return w->stop_at && w->seen == w->stop_at ? 1000 + w->seen : 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct walk w = { 0, size ? data[0] % 8 : 0 };
	int fd = fuzz_file(data, size);
	int ret = ht_smaps_parse(fd, on_vma, &w);

	FUZZ_CHECK(ret == 0 || ret == -EBADMSG || ret == -ENOMEM ||
		   ret == (int)(1000 + w.stop_at));
	if (ret > 0)
		FUZZ_CHECK(w.seen == w.stop_at);
	else if (w.stop_at)
		FUZZ_CHECK(w.seen < w.stop_at);
	return 0;
}
