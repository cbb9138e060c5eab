/*
 * fault_sampler.h - record every page fault of a traced program from the
 * outside, with perf_event_open, into LOGDIR/faults.hslog.
 *
 * `heapscope record` forks the program, which blocks before exec; the
 * recorder then calls hs_fault_sampler_start() with the child's pid, lets
 * the child exec, waits for it and calls hs_fault_sampler_stop(). Nothing
 * runs inside the traced program, so the faults of a program that crashes
 * are kept, and no tracer allocation or lock is involved.
 *
 * What is opened, per online CPU c (two events each):
 *
 *   perf_event_open(type SOFTWARE, config PAGE_FAULTS_MIN | PAGE_FAULTS_MAJ,
 *                   sample_period 1, sample_type TID|TIME|ADDR|IP,
 *                   exclude_kernel, inherit, enable_on_exec,
 *                   clockid CLOCK_MONOTONIC, pid = child, cpu = c)
 *
 * Per CPU and not cpu = -1 because the kernel refuses to mmap a ring buffer
 * of an inherited per-task event (EINVAL, measured here on Linux 6.x): all
 * threads on all CPUs would write into one buffer. With one event per CPU,
 * the events inherited by every thread and forked child write into the
 * buffer of their parent event on the CPU they run on. This works with
 * perf_event_paranoid = 2 for an unprivileged user's own child.
 *
 * What is counted: successful user-mode page faults of the child, its
 * threads and its descendants, from its exec on (so the dynamic loader's
 * faults are included). NOT counted, though getrusage's ru_minflt counts
 * them: faults taken in kernel mode on user memory (read() into fresh pages,
 * measured: 256 pages read from /dev/zero give 256 ru_minflt and 0 samples;
 * exclude_kernel hides them and paranoid 2 forbids exclude_kernel = 0), pages
 * the kernel faults in through get_user_pages (execve copying argv/env,
 * process_vm_*), and faults between fork and exec. Failed faults (SIGSEGV)
 * are in neither.
 *
 * Output: LOGDIR/faults.hslog in the tracer's format (event.h) with header
 * flag HS_LOG_FAULT_SAMPLES, pid = the child, ppid = the recorder; one
 * HS_OP_PAGE_FAULT record per sample: ptr = fault address, size = pid,
 * caller = ip, tid, ts_ns, flags HS_F_MAJOR_FAULT for a major fault, seq 0.
 * Records are in per-CPU drain order, not time order (the importer sorts).
 * header.n_reserved is rewritten after every drain, so the file is readable
 * even if the recorder itself is killed. header.complete_ns is rewritten
 * after it, every POLL_MS (10 ms) at least: every sample taken before that
 * time is in the file, so a live import can place the faults among the
 * events as they come (fault_place.h); UINT64_MAX once stopped. header.reserved0 holds the number
 * of samples lost (PERF_RECORD_LOST), written at stop.
 *
 * Allocates: yes (the sampler, the ring buffers, a reader thread).
 * Thread safety: start/stop from one thread; the reader thread is internal.
 */
#ifndef HS_FAULT_SAMPLER_H
#define HS_FAULT_SAMPLER_H

#include <stdint.h>
#include <sys/types.h>

#include "error.h"

#define HS_FAULTS_LOG_NAME "faults.hslog"
#define HS_FAULTS_NOTE_NAME "faults.unavailable" /* why there is no faults.hslog */

struct hs_fault_sampler;

struct hs_fault_stats {
    uint64_t n_minor;    /* minor-fault samples written */
    uint64_t n_major;    /* major-fault samples written */
    uint64_t n_lost;     /* samples the kernel dropped (PERF_RECORD_LOST) */
    uint64_t n_counted;  /* the events' own counts (all faults, lost or not) */
    unsigned n_cpus;     /* CPUs with an event pair */
    unsigned ring_pages; /* data pages per ring buffer */
};

/*
 * Opens the events on `child` (which must not have exec'd yet: counting
 * starts at its exec), creates LOGDIR/faults.hslog and starts the reader
 * thread.
 *   0 with *out set: sampling.
 *   0 with *out NULL: perf_event_open was refused (EACCES, EPERM, ENOENT,
 *     ENOSYS, EOPNOTSUPP); err->msg holds the one line for the user, e.g.
 *     "page faults not recorded: perf_event_open refused: Permission denied
 *      (kernel.perf_event_paranoid = 3)"; the same line is written to
 *     LOGDIR/faults.unavailable instead of a faults.hslog, and the
 *     recording goes on (the tracer's getrusage counts are the fallback).
 *   HS_EIO: another system call failed (file, mmap, thread); err says which.
 * On failure or refusal nothing is left open.
 * pre: logdir exists, child > 0
 */
int hs_fault_sampler_start(pid_t child, const char *logdir, struct hs_fault_sampler **out,
                           struct hs_error *err);

/*
 * Drains the buffers one last time (call it after the child was reaped),
 * stops the reader, finishes the file and frees the sampler. Fills *stats
 * if not NULL. s may be NULL (then it only zeroes *stats and returns 0).
 * Returns HS_EIO if a write of the log failed at any time (err says which).
 */
int hs_fault_sampler_stop(struct hs_fault_sampler *s, struct hs_fault_stats *stats,
                          struct hs_error *err);

#endif
