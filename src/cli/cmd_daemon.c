// SPDX-License-Identifier: MIT
/*
 * cmd_daemon.c - hugetext daemon [options]
 *
 * The loop around daemon.c: a pass over every process at start and at
 * each interval; between them, exec events from the process connector
 * bring a new program in within a moment of its exec; after each pass
 * the textfile is replaced.  SIGHUP reloads the configuration, SIGTERM
 * and SIGINT end it.  Under systemd (Type=notify) it says READY=1
 * after its first pass and STATUS= after each.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "cli.h"
#include "clock.h"
#include "commands.h"
#include "daemon.h"
#include "htpaths.h"
#include "procev.h"
#include "prom.h"

#ifndef HT_SYSCONFDIR
#define HT_SYSCONFDIR "/etc"
#endif
#define DEFAULT_CONFIG HT_SYSCONFDIR "/hugetext/daemon.conf"
/* A full rescan (those with nothing eligible too) every this many. */
#define FULL_EVERY 30

static const char *prog = "hugetext daemon";
static volatile sig_atomic_t stop_sig, reload;

static void usage(FILE *f)
{
	fprintf(f,
"Usage: hugetext daemon [options]\n"
"Keep the text of every running program on the host on 2 MiB pages.\n"
"\n"
"Each process is looked at at start, at every interval and right after\n"
"each exec: what is eligible and small is made huge from outside (as\n"
"--pid, with --inject where no route works from outside), what was split\n"
"or evicted is repaired, and what keeps failing is backed off from.\n"
"Needs root (CAP_SYS_NICE and CAP_SYS_PTRACE to act on other users'\n"
"processes, CAP_NET_ADMIN for exec events; without the last it rescans\n"
"only).\n"
"\n"
"Options:\n"
"  -f, --foreground     stay in the foreground (as under systemd)\n"
"  -i, --interval=SEC   seconds between rescans (default 10)\n"
"  -t, --textfile=PATH  write Prometheus metrics there after each pass\n"
"                       (node_exporter's textfile collector)\n"
"  -c, --config=FILE    configuration, when it exists (default\n"
"                       %s);\n"
"                       see hugetext(1), DAEMON\n"
"      --no-inject      never stop a thread of a process (no --inject)\n"
"      --once           one pass, then exit\n"
"  -v, --verbose        say every try, not only changes\n"
"  -h, --help           show this help and exit\n"
"\n"
"Exit status: 0 on a signal to stop, or with --once when all eligible\n"
"text is huge; 1 with --once when some is not; 2 error or bad usage.\n"
"See hugetext(1).\n", DEFAULT_CONFIG);
}

static void on_signal(int sig)
{
	if (sig == SIGHUP)
		reload = 1;
	else
		stop_sig = sig;
}

/*
 * sd_notify(3)'s protocol, without libsystemd: one datagram to
 * $NOTIFY_SOCKET (a path, or '@' for an abstract name).
 */
static void notify(const char *msg)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	size_t n;
	int fd;

	if (!path || (*path != '/' && *path != '@'))
		return;
	n = strlen(path);
	if (n >= sizeof(sa.sun_path))
		return;
	memcpy(sa.sun_path, path, n);
	if (*path == '@')
		sa.sun_path[0] = '\0';
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	sendto(fd, msg, strlen(msg), MSG_NOSIGNAL, (struct sockaddr *)&sa,
	       (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n));
	close(fd);
}

static int load_config(const char *path, bool given, struct ht_dconf *c)
{
	char err[512];

	ht_dconf_init(c);
	if (!path || (!given && access(path, F_OK)))
		return 0;
	if (ht_dconf_load(path, c, err, sizeof(err))) {
		fprintf(stderr, "%s: %s\n", prog, err);
		ht_dconf_free(c);
		return -EINVAL;
	}
	return 0;
}

static void write_textfile(const struct ht_daemon *d)
{
	struct ht_buf b = HT_BUF_INIT;
	int ret;

	if (!d->cfg.textfile)
		return;
	ht_daemon_metrics(d, &b);
	ret = ht_prom_write_file(d->cfg.textfile, &b);
	if (ret)
		fprintf(stderr, "%s: cannot write %s: %s\n", prog,
			d->cfg.textfile, strerror(-ret));
	ht_buf_free(&b);
}

static void status(const struct ht_daemon *d)
{
	char msg[160];
	size_t i, procs = 0;
	uint64_t elig = 0, huge = 0;

	for (i = 0; i < d->nexe; i++) {
		procs += d->exe[i].procs;
		elig += d->exe[i].eligible;
		huge += d->exe[i].huge;
	}
	snprintf(msg, sizeof(msg), "STATUS=%zu processes with eligible text:"
		 " %llu of %llu MiB huge", procs,
		 (unsigned long long)(huge >> 20),
		 (unsigned long long)(elig >> 20));
	notify(msg);
}

/* Options over the configuration: what the command line says wins. */
struct opts {
	unsigned int interval;
	const char *textfile;
	bool no_inject;
};

static void apply(struct ht_dconf *c, const struct opts *o)
{
	if (o->interval)
		c->interval = o->interval;
	if (o->textfile) {
		free(c->textfile);
		c->textfile = strdup(o->textfile);
	}
	if (o->no_inject)
		c->inject = false;
}

static int daemonize(void)
{
	pid_t pid = fork();
	int fd;

	if (pid < 0)
		return -errno;
	if (pid > 0)
		_exit(0);
	if (setsid() < 0)
		return -errno;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid > 0)
		_exit(0);
	if (chdir("/"))
		return -errno;
	fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (fd >= 0) {
		dup2(fd, STDIN_FILENO);
		dup2(fd, STDOUT_FILENO);
		/* stderr stays: a log, or the journal */
		if (fd > STDERR_FILENO)
			close(fd);
	}
	return 0;
}

int ht_cmd_daemon(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "foreground", no_argument, NULL, 'f' },
		{ "interval", required_argument, NULL, 'i' },
		{ "textfile", required_argument, NULL, 't' },
		{ "config", required_argument, NULL, 'c' },
		{ "no-inject", no_argument, NULL, 'J' },
		{ "once", no_argument, NULL, 'O' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *config = DEFAULT_CONFIG;
	bool foreground = false, once = false, given = false;
	struct sigaction sa = { .sa_handler = on_signal };
	struct opts o = { 0 };
	struct ht_daemon d;
	struct ht_dconf cfg;
	uint64_t now, next_scan;
	int c, verbose = 0, ev = -1, ret;
	unsigned long v;
	char *end;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+:fi:t:c:vh", longopts,
				NULL)) != -1) {
		switch (c) {
		case 'f':
			foreground = true;
			break;
		case 'i':
			errno = 0;
			v = strtoul(optarg, &end, 10);
			if (*optarg < '0' || *optarg > '9' || *end || errno ||
			    !v || v > 86400)
				return ht_usage_error(prog, HT_EXIT_FAIL,
					"invalid --interval '%s': seconds, 1 to 86400",
					optarg);
			o.interval = (unsigned int)v;
			break;
		case 't':
			if (!*optarg)
				return ht_usage_error(prog, HT_EXIT_FAIL,
						      "empty --textfile name");
			o.textfile = optarg;
			break;
		case 'c':
			config = optarg;
			given = true;
			break;
		case 'J':
			o.no_inject = true;
			break;
		case 'O':
			once = true;
			foreground = true;
			break;
		case 'v':
			verbose++;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			return ht_getopt_error(prog, HT_EXIT_FAIL, c, argv);
		}
	}
	if (optind < argc)
		return ht_usage_error(prog, HT_EXIT_FAIL,
				      "unexpected argument '%s'", argv[optind]);
	if (load_config(config, given, &cfg))
		return HT_EXIT_FAIL;
	apply(&cfg, &o);
	if (!foreground && (ret = daemonize())) {
		fprintf(stderr, "%s: cannot go to the background: %s\n", prog,
			strerror(-ret));
		ht_dconf_free(&cfg);
		return HT_EXIT_FAIL;
	}
	ht_daemon_init(&d, &cfg);
	d.verbose = verbose;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (!once) {
		ev = ht_procev_open();
		if (ev < 0)
			fprintf(stderr, "%s: no exec events (%s%s): a rescan "
				"every %u s only\n", prog, strerror(-ev),
				ev == -EPERM ? ", needs CAP_NET_ADMIN" : "",
				d.cfg.interval);
	}
	now = ht_now_usec();
	ret = ht_daemon_pass(&d, now, true);
	if (ret) {
		fprintf(stderr, "%s: cannot read /proc: %s\n", prog,
			strerror(-ret));
		ht_daemon_free(&d);
		return HT_EXIT_FAIL;
	}
	write_textfile(&d);
	if (once) {
		uint64_t elig = 0, huge = 0;
		size_t i;

		for (i = 0; i < d.nexe; i++) {
			elig += d.exe[i].eligible;
			huge += d.exe[i].huge;
		}
		ht_daemon_free(&d);
		return huge < elig ? 1 : 0;
	}
	notify("READY=1");
	status(&d);
	next_scan = now + (uint64_t)d.cfg.interval * 1000000;
	while (!stop_sig) {
		struct pollfd p = { .fd = ev, .events = POLLIN };
		uint64_t due = ht_daemon_next(&d), wake;
		pid_t pids[64];
		int n, i;

		wake = due < next_scan ? due : next_scan;
		now = ht_now_usec();
		n = poll(&p, ev >= 0 ? 1 : 0, wake <= now ? 0 :
			 (int)((wake - now + 999) / 1000));
		now = ht_now_usec();
		if (n > 0 && (p.revents & POLLIN)) {
			n = ht_procev_read(ev, pids, 64);
			for (i = 0; i < n; i++)
				ht_daemon_exec(&d, pids[i], now);
			if (n == -ENOBUFS)	/* lost some: look at all */
				next_scan = now;
		}
		if (reload) {
			reload = 0;
			if (load_config(config, given, &cfg) == 0) {
				apply(&cfg, &o);
				ht_dconf_free(&d.cfg);
				d.cfg = cfg;
				fprintf(stderr, "%s: configuration reloaded\n",
					prog);
			}
			next_scan = now;
		}
		if (now >= next_scan) {
			ht_daemon_pass(&d, now, d.passes % FULL_EVERY == 0);
			write_textfile(&d);
			status(&d);
			next_scan = now + (uint64_t)d.cfg.interval * 1000000;
		} else if (ht_daemon_due(&d, now)) {
			next_scan = now;	/* a shared small cache */
		}
	}
	notify("STOPPING=1");
	if (ev >= 0)
		close(ev);
	ht_daemon_free(&d);
	return 0;
}
