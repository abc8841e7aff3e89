// SPDX-License-Identifier: MIT
/* procev.c - process exec events from the connector; see procev.h. */
#include <errno.h>
#include <linux/cn_proc.h>
#include <linux/connector.h>
#include <linux/netlink.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <sys/socket.h>
#include <unistd.h>

#include "procev.h"

/*
 * Since 6.6 a listener may name the events it wants, and the kernel
 * drops the others before they are sent (struct proc_input; not in
 * older headers); before, the message must be the operation alone.
 */
struct ht_proc_input {
	uint32_t mcast_op;	/* enum proc_cn_mcast_op */
	uint32_t event_type;	/* a mask of PROC_EVENT_* */
};

/*
 * One netlink message carrying one connector message: struct cn_msg's
 * header spelled out, since a struct ending in a flexible array may not
 * sit inside another (ISO C; clang warns).
 */
struct cn_req {
	struct nlmsghdr nl;
	struct {
		struct cb_id id;
		uint32_t seq;
		uint32_t ack;
		uint16_t len;
		uint16_t flags;
	} cn;
	struct ht_proc_input in;
} __attribute__((packed));
_Static_assert(sizeof(((struct cn_req *)0)->cn) == sizeof(struct cn_msg),
	       "cn_req.cn is struct cn_msg's header");

static bool kernel_filters(void)
{
	struct utsname u;
	unsigned long major, minor;
	char *end;

	if (uname(&u))
		return false;
	major = strtoul(u.release, &end, 10);
	minor = *end == '.' ? strtoul(end + 1, NULL, 10) : 0;
	return major > 6 || (major == 6 && minor >= 6);
}

int ht_procev_open(void)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK,
				  .nl_groups = CN_IDX_PROC };
	struct cn_req req;
	int fd, err;

	fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
		    NETLINK_CONNECTOR);
	if (fd < 0)
		return -errno;
	sa.nl_pid = 0;		/* the kernel picks ours */
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)))
		goto fail;
	memset(&req, 0, sizeof(req));
	req.cn.id.idx = CN_IDX_PROC;
	req.cn.id.val = CN_VAL_PROC;
	req.in.mcast_op = PROC_CN_MCAST_LISTEN;
	/* Exec events only: a busy host forks and exits all the time. */
	req.in.event_type = PROC_EVENT_EXEC;
	req.cn.len = kernel_filters() ? sizeof(req.in) :
		     sizeof(req.in.mcast_op);
	req.nl.nlmsg_len = (uint32_t)(offsetof(struct cn_req, in) +
				      req.cn.len);
	req.nl.nlmsg_type = NLMSG_DONE;
	if (send(fd, &req, req.nl.nlmsg_len, 0) != (ssize_t)req.nl.nlmsg_len)
		goto fail;
	return fd;
fail:
	err = errno;
	close(fd);
	return -err;
}

int ht_procev_read(int fd, pid_t *pids, size_t max)
{
	char buf[8192] __attribute__((aligned(NLMSG_ALIGNTO)));
	size_t n = 0;

	while (n < max) {
		struct nlmsghdr *nl;
		ssize_t len = recv(fd, buf, sizeof(buf), 0);

		if (len < 0) {
			if (errno == EAGAIN || errno == EINTR)
				break;
			return -errno;
		}
		for (nl = (struct nlmsghdr *)buf; NLMSG_OK(nl, (size_t)len);
		     nl = NLMSG_NEXT(nl, len)) {
			struct cn_msg *cn = NLMSG_DATA(nl);
			const char *ev = (const char *)cn->data;
			__kernel_pid_t tgid;
			__u32 what;

			if (nl->nlmsg_type == NLMSG_ERROR ||
			    nl->nlmsg_type == NLMSG_NOOP)
				continue;
			/*
			 * The event sits 4 bytes past an 8-byte boundary of the
			 * datagram, and holds a 64-bit timestamp: copied out,
			 * not read in place.
			 */
			memcpy(&what, ev + offsetof(struct proc_event, what),
			       sizeof(what));
			if (cn->id.idx != CN_IDX_PROC || what != PROC_EVENT_EXEC ||
			    n >= max)
				continue;
			/* The thread group: an exec replaces all threads. */
			memcpy(&tgid, ev + offsetof(struct proc_event,
						    event_data.exec.process_tgid),
			       sizeof(tgid));
			pids[n++] = tgid;
		}
	}
	return (int)n;
}
