// SPDX-License-Identifier: MIT
/* procev.c - process exec events from the connector; see procev.h. */
#include <errno.h>
#include <linux/cn_proc.h>
#include <linux/connector.h>
#include <linux/netlink.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "procev.h"

/* One netlink message carrying one connector message. */
struct cn_req {
	struct nlmsghdr nl;
	struct cn_msg cn;
	enum proc_cn_mcast_op op;
} __attribute__((packed));

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
	req.nl.nlmsg_len = sizeof(req);
	req.nl.nlmsg_type = NLMSG_DONE;
	req.cn.id.idx = CN_IDX_PROC;
	req.cn.id.val = CN_VAL_PROC;
	req.cn.len = sizeof(req.op);
	req.op = PROC_CN_MCAST_LISTEN;
	if (send(fd, &req, sizeof(req), 0) != sizeof(req))
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
			struct proc_event *ev = (struct proc_event *)cn->data;

			if (nl->nlmsg_type == NLMSG_ERROR ||
			    nl->nlmsg_type == NLMSG_NOOP)
				continue;
			if (cn->id.idx != CN_IDX_PROC ||
			    ev->what != PROC_EVENT_EXEC || n >= max)
				continue;
			/* The thread group: an exec replaces all threads. */
			pids[n++] = ev->event_data.exec.process_tgid;
		}
	}
	return (int)n;
}
