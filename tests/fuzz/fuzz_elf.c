// SPDX-License-Identifier: MIT
/*
 * fuzz_elf.c - libFuzzer target for the ELF reader (elf_segments.h):
 * ht_elf_read_fd() and ht_elf_peek() on the input as a file.
 *
 * Beyond "no crash, no leak, no undefined behaviour", what the reader
 * promises its callers (check, prime) is checked: the documented return
 * values, a one-line message that starts with the path exactly when it
 * fails, the same answer with a short message buffer or none, and
 * segments that describe the file: each kept one executable and inside
 * load_end, which check and prime compare with the file's size to call
 * it truncated.
 */
#include <elf.h>
#include <errno.h>
#include <string.h>

#include "elf_segments.h"
#include "fuzz.h"

#define PATH	"fuzz"

static void check_info(const struct ht_elf_info *info)
{
	size_t i, n = info->nexec < HT_ELF_MAX_EXEC ? info->nexec :
		      HT_ELF_MAX_EXEC;

	FUZZ_CHECK(!info->max_load_align || fuzz_pow2(info->max_load_align));
	for (i = 0; i < n; i++) {
		const struct ht_segment *s = &info->exec[i];

		FUZZ_CHECK(s->flags & PF_X);
		/*
		 * What the file must hold for this segment to be there;
		 * UINT64_MAX where offset + size wraps: past any end.
		 */
		FUZZ_CHECK(info->load_end == UINT64_MAX ||
			   (s->offset <= info->load_end &&
			    s->filesz <= info->load_end - s->offset));
	}
	for (i = n; i < HT_ELF_MAX_EXEC; i++)
		FUZZ_CHECK(info->exec[i].flags == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ht_elf_info info, again;
	char err[HT_ELF_ERRLEN], small[12];
	enum ht_elf_kind kind;
	int fd = fuzz_file(data, size);
	int ret, ret2;

	kind = ht_elf_peek(fd);
	FUZZ_CHECK(kind >= HT_ELF_NOT_ELF && kind <= HT_ELF_DYNAMIC);

	memset(err, 'x', sizeof(err));
	ret = ht_elf_read_fd(fd, PATH, &info, err, sizeof(err));
	FUZZ_CHECK(ret == 0 || ret == -ENOEXEC || ret == -EINVAL ||
		   ret == -ENOMEM);
	FUZZ_CHECK(memchr(err, '\0', sizeof(err)));
	FUZZ_CHECK(!strchr(err, '\n'));
	if (ret) {
		FUZZ_CHECK(!strncmp(err, PATH ": ", strlen(PATH ": ")));
		FUZZ_CHECK(strlen(err) > strlen(PATH ": "));
	} else {
		FUZZ_CHECK(err[0] == '\0');
		check_info(&info);
	}

	/* The same answer, however little room the message has. */
	memset(small, 'x', sizeof(small));
	ret2 = ht_elf_read_fd(fd, PATH, &again, small,
			      size % (sizeof(small) + 1));
	FUZZ_CHECK(ret2 == ret);
	if (size % (sizeof(small) + 1))
		FUZZ_CHECK(memchr(small, '\0', size % (sizeof(small) + 1)));
	else
		FUZZ_CHECK(small[0] == 'x');
	FUZZ_CHECK(!memcmp(&info, &again, sizeof(info)));
	return 0;
}
