/* SPDX-License-Identifier: MIT */
/*
 * procev.h - exec events from the kernel's process-events connector
 * (netlink, NETLINK_CONNECTOR / CN_IDX_PROC): the daemon learns of a new
 * program within moments of its execve(), instead of at its next rescan.
 * Needs CAP_NET_ADMIN; without it (or without the connector) the daemon
 * rescans only.
 */
#ifndef HT_PROCEV_H
#define HT_PROCEV_H

#include <stddef.h>
#include <sys/types.h>

/*
 * ht_procev_open - a non-blocking socket subscribed to process events.
 * Returns the descriptor, or -errno (-EPERM without CAP_NET_ADMIN).
 */
int ht_procev_open(void);

/*
 * ht_procev_read - the process IDs of exec events waiting on @fd, at
 * most @max into @pids.  Returns how many (0: none now), or -errno;
 * -ENOBUFS when events were lost (the caller rescans).
 */
int ht_procev_read(int fd, pid_t *pids, size_t max);

#endif /* HT_PROCEV_H */
