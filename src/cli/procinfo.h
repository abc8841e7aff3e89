/* SPDX-License-Identifier: MIT */
/*
 * procinfo.h - what /proc says about one process besides its mappings:
 * its start time (a PID with another start time is another process),
 * its executable, its command name, its cgroup v2 path and systemd
 * unit; and fields of /proc/meminfo.  For the daemon and `status --all`.
 */
#ifndef HT_PROCINFO_H
#define HT_PROCINFO_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * ht_proc_start_time - field 22 of /proc/PID/stat: when @pid started,
 * in clock ticks after boot.  Returns it, or 0 when @pid is gone (or
 * its stat cannot be read).
 */
uint64_t ht_proc_start_time(pid_t pid);

/*
 * ht_proc_exe - the path of @pid's executable into @buf (@len bytes),
 * without readlink's " (deleted)" suffix.  Returns 0; -ENOENT for a
 * kernel thread or a zombie, -EACCES for a process we may not look
 * into, -ESRCH when it is gone, -ENAMETOOLONG when @buf is too short,
 * or another -errno.
 */
int ht_proc_exe(pid_t pid, char *buf, size_t len);

/*
 * ht_proc_comm - @pid's command name (/proc/PID/comm, 15 bytes at most)
 * into @buf.  Returns 0, or -errno (@buf then empty).
 */
int ht_proc_comm(pid_t pid, char *buf, size_t len);

/*
 * ht_proc_cgroup - @pid's cgroup v2 path ("/system.slice/x.service",
 * from the "0::" line of /proc/PID/cgroup) into @cg, and the innermost
 * component of it that is a systemd unit (ends in ".service" or
 * ".scope") into @unit.  Returns 0 with both filled (@unit may be
 * empty: no unit), -ENOENT when the process is in no cgroup v2
 * hierarchy (both empty), -ENAMETOOLONG when the path does not fit in
 * @cg, or another -errno (both empty).
 */
int ht_proc_cgroup(pid_t pid, char *cg, size_t len, char *unit,
		   size_t ulen);

/*
 * ht_meminfo - the field @key ("FilePmdMapped:", with its colon) of
 * /proc/meminfo, in bytes.  Returns it, or 0 when the kernel has no
 * such field.
 */
uint64_t ht_meminfo(const char *key);

#endif /* HT_PROCINFO_H */
