/* SPDX-License-Identifier: MIT */
/*
 * filelock.h - one refault of a file at a time, host-wide (per network
 * namespace), so that simultaneous starts of one program cooperate
 * instead of dropping each other's freshly built huge folios.
 *
 * The lock is an abstract AF_UNIX name made of the file's device and
 * inode, bound by the holder: no file is created, nothing on the file
 * itself is locked (the program, or another, may lock its executable
 * for its own ends), and a holder that dies releases it at once.
 * Waiters connect to it and sleep until it closes.
 */
#ifndef HT_FILELOCK_H
#define HT_FILELOCK_H

#include <stdint.h>

/*
 * ht_file_lock - take the refault lock of the file open as @fd, waiting
 * while another process holds it, until @deadline (ht_now_usec(); 0:
 * at most HT_LOCK_WAIT_MAX_USEC).  *@waited gets the microseconds spent
 * waiting (0 when it was free).
 * Returns the lock (a descriptor, >= 0) to give to ht_file_unlock(),
 * -ETIME when the deadline came first, or another -errno when no lock
 * can be had here (no AF_UNIX, a filter): callers then go on without
 * one, as before the lock existed.
 */
int ht_file_lock(int fd, uint64_t deadline, uint64_t *waited);

/* ht_file_unlock - release a lock ht_file_lock() returned; wakes waiters. */
void ht_file_unlock(int lock);

/* The longest wait when the caller has no deadline of its own. */
#define HT_LOCK_WAIT_MAX_USEC	(10 * 1000000ULL)

#endif /* HT_FILELOCK_H */
