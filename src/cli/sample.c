// SPDX-License-Identifier: MIT
/*
 * sample.c - hot 2 MiB spans of a process's text, from its instruction
 * pointers sampled with perf_event_open() (sample.h).
 *
 * One event per thread (a per-task event may not be inherited by the
 * threads it starts and still be mmap'ed, and may not write into
 * another task's buffer), each with a small ring buffer read whenever
 * it is half full and once more at the end.  Every sample is counted
 * at once in a table of all the spans of the mappings read before the
 * window, so memory does not grow with the samples.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/perf_event.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "buf.h"
#include "clock.h"
#include "sample.h"
#include "smaps.h"

/* Data pages per thread's ring buffer (a power of two): 256 samples. */
#define RING_PAGES	1

struct ring {
	int fd;
	struct perf_event_mmap_page *pg;
	size_t len;		/* of the mapping */
	size_t who;		/* index of its process in the batch */
};

/* What the window fills: the span table of the mappings read before. */
struct tally {
	struct ht_heat *h;
	struct ht_heat_span *span;	/* every span of every mapping */
	size_t nspan;
	size_t *first;		/* per mapping: index of its first span */
};

const char *ht_sample_event_name(enum ht_sample_event e)
{
	switch (e) {
	case HT_SAMPLE_ITLB_MISS:
		return "itlb-misses";
	case HT_SAMPLE_CPU_CLOCK:
		return "cpu-clock";
	default:
		return "none";
	}
}

void ht_heat_free(struct ht_heat *h)
{
	size_t i;

	for (i = 0; i < h->nmap; i++)
		free(h->map[i].path);
	free(h->map);
	free(h->span);
	memset(h, 0, sizeof(*h));
}

/* ------------------------------------------------------------------ */
/* The mappings and their spans */

struct maps_ctx {
	struct ht_heat *h;
	size_t cap;
};

static int add_map(const struct ht_vma *v, void *arg)
{
	struct maps_ctx *c = arg;
	struct ht_heat *h = c->h;
	struct ht_heat_map *m;

	/* Executable file mappings only: [vdso] and JIT code have no file. */
	if (v->perms[2] != 'x' || !v->inode || v->end <= v->start)
		return 0;
	if (ht_grow(&h->map, &c->cap, h->nmap, sizeof(*h->map), 16))
		return -ENOMEM;
	m = &h->map[h->nmap];
	memset(m, 0, sizeof(*m));
	m->path = strdup(v->path);
	if (!m->path)
		return -ENOMEM;
	m->start = v->start;
	m->end = v->end;
	m->pgoff = v->pgoff;
	m->dev_major = v->dev_major;
	m->dev_minor = v->dev_minor;
	m->inode = v->inode;
	h->nmap++;
	return 0;
}

static int read_maps(pid_t pid, struct ht_heat *h)
{
	struct maps_ctx c = { .h = h };
	char path[64];
	int fd, ret;

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? -ESRCH : -errno;
	ret = ht_smaps_parse(fd, add_map, &c);
	close(fd);
	if (ret)
		return ret < 0 ? ret : -EIO;
	return h->nmap ? 0 : -ENOEXEC;
}

static int make_table(struct tally *t)
{
	const struct ht_heat *h = t->h;
	size_t i, n = 0;

	t->first = calloc(h->nmap, sizeof(*t->first));
	if (!t->first)
		return -ENOMEM;
	for (i = 0; i < h->nmap; i++) {
		const struct ht_heat_map *m = &h->map[i];

		t->first[i] = n;
		n += (((m->end - 1) >> HT_HPAGE_SHIFT) -
		      (m->start >> HT_HPAGE_SHIFT)) + 1;
	}
	t->span = calloc(n, sizeof(*t->span));
	if (!t->span)
		return -ENOMEM;
	t->nspan = n;
	for (i = 0; i < h->nmap; i++) {
		const struct ht_heat_map *m = &h->map[i];
		uint64_t a = m->start & ~HT_HPAGE_MASK;
		struct ht_heat_span *s = &t->span[t->first[i]];

		for (; a < m->end; a += HT_HPAGE_SIZE, s++) {
			uint64_t from = a > m->start ? a : m->start;

			s->start = a;
			s->offset = m->pgoff + (from - m->start);
			s->map = i;
			s->eligible = a >= m->start &&
				      m->end - a >= HT_HPAGE_SIZE &&
				      !(s->offset & HT_HPAGE_MASK);
		}
	}
	return 0;
}

static void count_ip(struct tally *t, uint64_t ip)
{
	const struct ht_heat *h = t->h;
	size_t lo = 0, hi = h->nmap, mid;

	/* maps lists mappings by address, and they do not overlap. */
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (ip < h->map[mid].start)
			hi = mid;
		else if (ip >= h->map[mid].end)
			lo = mid + 1;
		else {
			t->span[t->first[mid] +
				((ip >> HT_HPAGE_SHIFT) -
				 (h->map[mid].start >> HT_HPAGE_SHIFT))]
				.samples++;
			return;
		}
	}
	t->h->outside++;
}

/* ------------------------------------------------------------------ */
/* Events and their ring buffers */

static int open_event(pid_t tid, enum ht_sample_event ev, size_t data)
{
	struct perf_event_attr a;

	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	if (ev == HT_SAMPLE_ITLB_MISS) {
		a.type = PERF_TYPE_HW_CACHE;
		a.config = PERF_COUNT_HW_CACHE_ITLB |
			   PERF_COUNT_HW_CACHE_OP_READ << 8 |
			   PERF_COUNT_HW_CACHE_RESULT_MISS << 16;
		/* Misses come at any rate: the kernel adapts the period. */
		a.freq = 1;
		a.sample_freq = HT_SAMPLE_HZ;
	} else {
		a.type = PERF_TYPE_SOFTWARE;
		a.config = PERF_COUNT_SW_CPU_CLOCK;
		a.sample_period = 1000000000 / HT_SAMPLE_HZ;	/* ns */
	}
	a.sample_type = PERF_SAMPLE_IP;
	a.disabled = 1;
	/* User mode only: what perf_event_paranoid 2 allows anyone. */
	a.exclude_kernel = 1;
	a.exclude_hv = 1;
	a.watermark = 1;
	a.wakeup_watermark = data / 2;
	return syscall(SYS_perf_event_open, &a, tid, -1, -1,
		       PERF_FLAG_FD_CLOEXEC);
}

/* Copy @len bytes at @pos of the ring's data (of @size, a power of 2). */
static void ring_copy(const char *data, uint64_t size, uint64_t pos,
		      void *dst, size_t len)
{
	uint64_t at = pos & (size - 1);
	size_t first = size - at < len ? size - at : len;

	memcpy(dst, data + at, first);
	memcpy((char *)dst + first, data, len - first);
}

static void drain(struct ring *r, struct tally *tallies)
{
	struct tally *t = &tallies[r->who];
	struct perf_event_mmap_page *pg = r->pg;
	const char *data = (const char *)pg + pg->data_offset;
	uint64_t size = pg->data_size;
	uint64_t head, tail = pg->data_tail;
	struct perf_event_header eh;
	uint64_t v[2];

	/* The kernel publishes data_head after the records it covers. */
	head = __atomic_load_n(&pg->data_head, __ATOMIC_ACQUIRE);
	while (head - tail >= sizeof(eh)) {
		ring_copy(data, size, tail, &eh, sizeof(eh));
		if (eh.size < sizeof(eh) || eh.size > head - tail)
			break;
		if (eh.type == PERF_RECORD_SAMPLE &&
		    eh.size >= sizeof(eh) + 8) {
			ring_copy(data, size, tail + sizeof(eh), v, 8);
			t->h->samples++;
			count_ip(t, v[0]);
		} else if (eh.type == PERF_RECORD_LOST &&
			   eh.size >= sizeof(eh) + 16) {
			/* { id, lost } */
			ring_copy(data, size, tail + sizeof(eh), v, 16);
			t->h->lost += v[1];
		}
		tail += eh.size;
	}
	/* Only then may the kernel write over what was read. */
	__atomic_store_n(&pg->data_tail, tail, __ATOMIC_RELEASE);
}

static void ring_close(struct ring *r)
{
	if (r->pg)
		munmap(r->pg, r->len);
	if (r->fd >= 0)
		close(r->fd);
	r->pg = NULL;
	r->fd = -1;
}

/*
 * One event on thread @tid, mapped, into @r.  The first thread picks
 * the event for all: iTLB misses where the PMU counts them, else the
 * clock.  Returns 0 or -errno.
 */
static int open_ring(pid_t tid, enum ht_sample_event *ev, struct ring *r)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	size_t data = RING_PAGES * page;
	int err;

	r->pg = NULL;
	r->len = page + data;
	if (*ev != HT_SAMPLE_NONE) {
		r->fd = open_event(tid, *ev, data);
	} else {
		r->fd = open_event(tid, HT_SAMPLE_ITLB_MISS, data);
		if (r->fd >= 0) {
			*ev = HT_SAMPLE_ITLB_MISS;
		} else if (errno != ESRCH) {
			r->fd = open_event(tid, HT_SAMPLE_CPU_CLOCK, data);
			if (r->fd >= 0)
				*ev = HT_SAMPLE_CPU_CLOCK;
		}
	}
	if (r->fd < 0)
		return -errno;
	/* Writable: the kernel then keeps what we have not read. */
	r->pg = mmap(NULL, r->len, PROT_READ | PROT_WRITE, MAP_SHARED,
		     r->fd, 0);
	if (r->pg == MAP_FAILED) {
		err = -errno;
		r->pg = NULL;
		ring_close(r);
		return err;
	}
	return 0;
}

/* The rings of a batch, grown as threads are found. */
struct rings {
	struct ring *r;
	size_t n, cap;
};

/*
 * Events on every thread of @pid (HT_SAMPLE_MAX_THREADS at most, and
 * HT_SAMPLE_MAX_RINGS in the batch) added to @rs for process @who.
 * Returns 0 when there is at least one, else the first error (-ESRCH
 * when no thread was found).
 */
static int open_threads(pid_t pid, size_t who, struct ht_heat *h,
			struct rings *rs)
{
	size_t before = rs->n;
	char path[64];
	struct dirent *de;
	DIR *d;
	int err = 0, ret;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	d = opendir(path);
	if (!d)
		return errno == ENOENT ? -ESRCH : -errno;
	while ((de = readdir(d))) {
		char *e;
		long tid = strtol(de->d_name, &e, 10);

		if (*e || tid <= 0)
			continue;
		if (rs->n - before == HT_SAMPLE_MAX_THREADS ||
		    rs->n == HT_SAMPLE_MAX_RINGS ||
		    ht_grow(&rs->r, &rs->cap, rs->n, sizeof(*rs->r), 16)) {
			h->threads_skipped++;
			continue;
		}
		ret = open_ring((pid_t)tid, &h->event, &rs->r[rs->n]);
		if (!ret) {
			rs->r[rs->n++].who = who;
			continue;
		}
		/* Gone meanwhile: it has nothing left to run. */
		if (ret == -ESRCH)
			continue;
		/* Say, some allowed and then perf_event_mlock_kb reached. */
		if (!err)
			err = ret;
		h->threads_skipped++;
	}
	closedir(d);
	h->threads = (unsigned int)(rs->n - before);
	if (h->threads)
		return 0;
	return err ? err : -ESRCH;
}

/* Poll the buffers until @ms have passed, reading those that fill. */
static void window(struct ring *ring, struct pollfd *pfd, size_t n,
		   unsigned int ms, struct tally *t)
{
	uint64_t end = ht_now_usec() + (uint64_t)ms * 1000, now;
	size_t i, live = n;

	for (i = 0; i < n; i++) {
		pfd[i].fd = ring[i].fd;
		pfd[i].events = POLLIN;
	}
	while (live && (now = ht_now_usec()) < end) {
		int left = (int)((end - now + 999) / 1000);

		if (poll(pfd, n, left) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		for (i = 0; i < n; i++) {
			if (pfd[i].fd < 0 || !pfd[i].revents)
				continue;
			drain(&ring[i], t);
			/* The thread has exited: nothing more will come. */
			if (pfd[i].revents & (POLLHUP | POLLERR)) {
				pfd[i].fd = -1;
				live--;
			}
		}
	}
}

/* Keep only the spans of @t that were sampled, in address order. */
static void keep_sampled(struct tally *t)
{
	struct ht_heat *h = t->h;
	size_t i, k;

	for (i = 0, k = 0; i < t->nspan; i++)
		if (t->span[i].samples)
			t->span[k++] = t->span[i];
	if (k) {
		h->span = realloc(t->span, k * sizeof(*t->span));
		if (!h->span)
			h->span = t->span;
		t->span = NULL;
	}
	h->nspan = k;
}

int ht_sample_batch(const pid_t *pid, size_t n, unsigned int ms,
		    struct ht_heat *out, int *ret)
{
	struct rings rs = { 0 };
	struct tally *t;
	struct pollfd *pfd = NULL;
	size_t i;
	uint64_t t0, usec;
	int err = 0;

	for (i = 0; i < n; i++) {
		memset(&out[i], 0, sizeof(out[i]));
		ret[i] = -ENOMEM;
	}
	t = calloc(n ? n : 1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		pid_t p = pid[i] ? pid[i] : getpid();

		t[i].h = &out[i];
		ret[i] = read_maps(p, &out[i]);
		if (!ret[i])
			ret[i] = make_table(&t[i]);
		if (!ret[i])
			ret[i] = open_threads(p, i, &out[i], &rs);
	}
	if (rs.n) {
		pfd = calloc(rs.n, sizeof(*pfd));
		if (!pfd) {
			err = -ENOMEM;
			for (i = 0; i < n; i++)
				ret[i] = -ENOMEM;
			goto out;
		}
	}
	/* All at once, so that every thread is sampled for the window. */
	t0 = ht_now_usec();
	for (i = 0; i < rs.n; i++)
		ioctl(rs.r[i].fd, PERF_EVENT_IOC_ENABLE, 0);
	if (rs.n)
		window(rs.r, pfd, rs.n, ms, t);
	for (i = 0; i < rs.n; i++)
		ioctl(rs.r[i].fd, PERF_EVENT_IOC_DISABLE, 0);
	usec = ht_now_usec() - t0;
	for (i = 0; i < rs.n; i++)
		drain(&rs.r[i], t);
	for (i = 0; i < n; i++) {
		if (ret[i])
			continue;
		out[i].usec = usec;
		keep_sampled(&t[i]);
	}
out:
	for (i = 0; i < rs.n; i++)
		ring_close(&rs.r[i]);
	free(rs.r);
	free(pfd);
	for (i = 0; i < n; i++) {
		free(t[i].span);
		free(t[i].first);
	}
	free(t);
	return err;
}

int ht_sample_spans(pid_t pid, unsigned int ms, struct ht_heat *out)
{
	int ret, err;

	err = ht_sample_batch(&pid, 1, ms, out, &ret);
	return err ? err : ret;
}
/* ------------------------------------------------------------------ */
/* Ranking: pure */

/* Does span @a come before @b: more samples, or as many and lower? */
static bool hotter(const struct ht_heat_span *a, const struct ht_heat_span *b)
{
	return a->samples > b->samples ||
	       (a->samples == b->samples && a->start < b->start);
}

size_t ht_heat_hottest(const struct ht_heat *h, size_t n, uint64_t *starts)
{
	const struct ht_heat_span *prev = NULL, *best;
	size_t k, i;

	/*
	 * The k-th pick is the hottest of those after the (k-1)-th in the
	 * order: eligible spans have distinct starts (each lies inside one
	 * mapping), so the order is total and nothing needs memory.
	 */
	for (k = 0; k < n; k++) {
		best = NULL;
		for (i = 0; i < h->nspan; i++) {
			const struct ht_heat_span *s = &h->span[i];

			if (!s->eligible || !s->samples)
				continue;
			if (prev && !hotter(prev, s))
				continue;
			if (!best || hotter(s, best))
				best = s;
		}
		if (!best)
			break;
		starts[k] = best->start;
		prev = best;
	}
	return k;
}

static bool chosen(const uint64_t *starts, size_t n, uint64_t a)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (starts[i] == a)
			return true;
	return false;
}

size_t ht_heat_runs(const struct ht_spans *s, const uint64_t *starts,
		    size_t n, struct ht_spans *out, size_t max)
{
	uint64_t a = s->start, from;
	size_t k = 0;

	while (a < s->end) {
		if (!chosen(starts, n, a)) {
			a += HT_HPAGE_SIZE;
			continue;
		}
		from = a;
		while (a < s->end && chosen(starts, n, a))
			a += HT_HPAGE_SIZE;
		if (k < max) {
			out[k].start = from;
			out[k].end = a;
			out[k].offset = s->offset + (from - s->start);
			out[k].head = s->head + (from - s->start);
			out[k].tail = s->tail + (s->end - a);
		}
		k++;
	}
	return k;
}
