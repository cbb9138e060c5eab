/*
 * sys.h - every kernel touchpoint of the tracer (implemented per platform:
 * sys_linux.c). A port adds a sys_<os>.c, not #ifdefs.
 *
 * Why wrappers: the tracer exports mmap, munmap, brk, sbrk, so a plain call
 * to those from inside the library would bind to our own hooks. These
 * wrappers issue raw system calls instead. None of them allocates, locks or
 * touches stdio; all are async-signal-safe (fork child handler uses them).
 * Errors are returned as -errno (or NULL for the mapping calls).
 */
#ifndef HS_TRACER_SYS_H
#define HS_TRACER_SYS_H

#include <stddef.h>
#include <stdint.h>

int hs__sys_open_dir(const char *path);                       /* fd or -errno */
int hs__sys_open_at(int dir_fd, const char *name, int flags); /* fd or -errno; mode 0644 */
int hs__sys_open_read(const char *path);                      /* fd or -errno */
void hs__sys_close(int fd);
long hs__sys_read(int fd, void *buf, size_t n);           /* bytes or -errno */
int hs__sys_write_all(int fd, const void *buf, size_t n); /* 0 or -errno */
long hs__sys_readlink(const char *path, char *buf, size_t n);
int hs__sys_fallocate(int fd, uint64_t offset, uint64_t len); /* 0 or -errno; extends only */
void *hs__sys_map_shared(int fd, size_t len);                 /* NULL on failure; NORESERVE */
void hs__sys_unmap(void *addr, size_t len);
/* Faults in [addr, addr+len) of a shared mapping for writing in one system
 * call (MADV_POPULATE_WRITE, Linux 5.14+), instead of one page fault per
 * page later on the hot path. Best effort: errors are ignored (the pages
 * then fault in one by one). pre: addr page aligned. */
void hs__sys_prefault(void *addr, size_t len);
/* The raw mmap system call, for a program mmap that arrives while the real
 * mmap is not resolved yet (returns MAP_FAILED-style (void *)-1 on error). */
void *hs__sys_mmap(void *addr, size_t len, int prot, int flags, int fd, long offset);
/* The same for munmap and mremap (-1 / (void *)-1 with errno on error). */
int hs__sys_munmap(void *addr, size_t len);
void *hs__sys_mremap(void *old, size_t old_len, size_t new_len, int flags, void *new_addr);
uint32_t hs__sys_gettid(void);
uint32_t hs__sys_getpid(void);
uint32_t hs__sys_getppid(void);
uint64_t hs__sys_clock_mono_ns(void); /* vDSO, no system call */
uint64_t hs__sys_clock_real_ns(void);
uint32_t hs__sys_page_size(void);
/* ru_minflt, ru_majflt, ru_maxrss (KiB) of this process. */
void hs__sys_rusage(uint64_t out[3]);
/* Which file an fd refers to, to notice that a program closed one of our
 * descriptors and reused its number (daemons close all fds). */
struct hs_file_id {
    uint64_t dev, ino;
};
/* Fills *id; 0 or -errno. */
int hs__sys_fd_identity(int fd, struct hs_file_id *id);
/* 1 if fd still refers to the file *id, else 0. */
int hs__sys_fd_is(int fd, const struct hs_file_id *id);
/* Moves fd to a high number (>= 900, away from the numbers programs close
 * or dup2 over) if the limit allows; returns the fd to use. */
int hs__sys_fd_move_high(int fd);

/*
 * Asynchronous prefault: queue "fallocate this range of the log, then fault
 * its pages in" to a kernel worker (Linux: io_uring, IORING_OP_FALLOCATE
 * linked to IORING_OP_MADVISE(MADV_POPULATE_WRITE)), so that the page-cache
 * work of growing the log runs on another CPU, off the program's thread.
 * Purely an optimization: the synchronous path in record.c still covers
 * every segment, and finds the work done.
 */
struct hs_async {
    int fd;      /* io_uring instance, -1 if none */
    int lock;    /* submission try-lock (atomic); never waited on */
    void *rings; /* SQ and CQ rings (one mapping) */
    size_t rings_size;
    void *sqes; /* submission queue entries */
    size_t sqes_size;
    uint32_t sq_head, sq_tail, sq_mask, sq_array; /* offsets into rings */
    uint32_t cq_head, cq_tail;
    uint32_t entries;
};
/* Sets *a up; on failure (no io_uring, blocked by seccomp...) a->fd = -1
 * and the tracer simply grows the log synchronously. */
void hs__sys_async_open(struct hs_async *a);
/* Releases *a (also an inherited one in a fork child). */
void hs__sys_async_close(struct hs_async *a);
/* Queues fallocate(fd, off, len) then MADV_POPULATE_WRITE of
 * [addr, addr + len). 0 if queued; -1 if not (no ring, queue full, or
 * another thread submitting right now): the caller does nothing else.
 * Never blocks. pre: addr page aligned, len <= 4 GiB. */
int hs__sys_async_prefault(struct hs_async *a, int fd, uint64_t off, uint64_t len, void *addr);

/* RLIMIT_FSIZE soft limit in bytes, or UINT64_MAX if unlimited. Growing
 * a file past it would kill the program with SIGXFSZ. */
uint64_t hs__sys_file_size_limit(void);
/* sched_yield: lets the initializing thread finish. */
void hs__sys_yield(void);
/* Sleeps about ns nanoseconds (a writer waiting for the ring drainer). */
void hs__sys_nap(uint64_t ns);

/*
 * The CPU's time-stamp counter, for ring mode's timestamps (the recorder
 * converts it to CLOCK_MONOTONIC and says, through HS_TSC=1, that the
 * counter is invariant). An architecture without one has
 * hs__sys_has_cycles() == 0 and never calls hs__sys_cycles().
 */
#if defined(__x86_64__)
static inline int hs__sys_has_cycles(void)
{
    return 1;
}
static inline uint64_t hs__sys_cycles(void)
{
    return __builtin_ia32_rdtsc();
}
static inline void hs__sys_relax(void)
{
    __builtin_ia32_pause();
}
#else
static inline int hs__sys_has_cycles(void)
{
    return 0;
}
static inline uint64_t hs__sys_cycles(void)
{
    return 0;
}
static inline void hs__sys_relax(void)
{
}
#endif

#endif
