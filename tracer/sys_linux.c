/*
 * sys_linux.c - Linux implementation of sys.h.
 *
 * The mapping calls go through syscall(2) because our own exported mmap and
 * munmap would otherwise catch them. The file calls (openat, read, write,
 * fallocate) use the libc wrappers: they neither allocate nor are hooked.
 * clock_gettime goes through the vDSO: no kernel entry on the hot path.
 */
#include "sys.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/io_uring.h>
#include <sched.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/auxv.h>
#include <time.h>
#include <unistd.h>

int hs__sys_open_dir(const char *path)
{
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    return fd < 0 ? -errno : fd;
}

int hs__sys_open_at(int dir_fd, const char *name, int flags)
{
    int fd = openat(dir_fd, name, flags | O_CLOEXEC, 0644);
    return fd < 0 ? -errno : fd;
}

int hs__sys_open_read(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    return fd < 0 ? -errno : fd;
}

void hs__sys_close(int fd)
{
    close(fd);
}

long hs__sys_read(int fd, void *buf, size_t n)
{
    for (;;) {
        ssize_t r = read(fd, buf, n);
        if (r >= 0)
            return r;
        if (errno != EINTR)
            return -errno;
    }
}

int hs__sys_write_all(int fd, const void *buf, size_t n)
{
    const char *p = buf;
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -errno;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

long hs__sys_readlink(const char *path, char *buf, size_t n)
{
    ssize_t r = readlink(path, buf, n);
    return r < 0 ? -errno : r;
}

int hs__sys_fallocate(int fd, uint64_t offset, uint64_t len)
{
    /* mode 0: allocate blocks and extend the file size if needed; it never
     * shrinks, so racing callers cannot undo each other. */
    for (;;) {
        if (fallocate(fd, 0, (off_t)offset, (off_t)len) == 0)
            return 0;
        if (errno != EINTR)
            return -errno;
    }
}

void *hs__sys_map_shared(int fd, size_t len)
{
    long r =
        syscall(SYS_mmap, NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_NORESERVE, fd, 0L);
    if (r == -1) /* syscall(2) returns -1 and sets errno on failure */
        return NULL;
    return (void *)r;
}

void *hs__sys_mmap(void *addr, size_t len, int prot, int flags, int fd, long offset)
{
    return (void *)syscall(SYS_mmap, addr, len, prot, flags, fd, offset);
}

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23 /* Linux 5.14; older headers lack it */
#endif

void hs__sys_prefault(void *addr, size_t len)
{
    madvise(addr, len, MADV_POPULATE_WRITE);
}

int hs__sys_munmap(void *addr, size_t len)
{
    return (int)syscall(SYS_munmap, addr, len);
}

void *hs__sys_mremap(void *old, size_t old_len, size_t new_len, int flags, void *new_addr)
{
    return (void *)syscall(SYS_mremap, old, old_len, new_len, flags, new_addr);
}

void hs__sys_unmap(void *addr, size_t len)
{
    syscall(SYS_munmap, addr, len);
}

uint32_t hs__sys_gettid(void)
{
    return (uint32_t)syscall(SYS_gettid);
}

uint32_t hs__sys_getpid(void)
{
    return (uint32_t)getpid();
}

uint32_t hs__sys_getppid(void)
{
    return (uint32_t)getppid();
}

static uint64_t clock_ns(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t hs__sys_clock_mono_ns(void)
{
    return clock_ns(CLOCK_MONOTONIC);
}

uint64_t hs__sys_clock_real_ns(void)
{
    return clock_ns(CLOCK_REALTIME);
}

uint32_t hs__sys_page_size(void)
{
    return (uint32_t)getauxval(AT_PAGESZ);
}

void hs__sys_rusage(uint64_t out[3])
{
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) != 0) {
        out[0] = out[1] = out[2] = 0;
        return;
    }
    out[0] = (uint64_t)ru.ru_minflt;
    out[1] = (uint64_t)ru.ru_majflt;
    out[2] = (uint64_t)ru.ru_maxrss;
}

int hs__sys_fd_identity(int fd, struct hs_file_id *id)
{
    struct stat st;
    if (fstat(fd, &st) != 0)
        return -errno;
    id->dev = (uint64_t)st.st_dev;
    id->ino = (uint64_t)st.st_ino;
    return 0;
}

int hs__sys_fd_is(int fd, const struct hs_file_id *id)
{
    struct hs_file_id now;
    return hs__sys_fd_identity(fd, &now) == 0 && now.dev == id->dev && now.ino == id->ino;
}

int hs__sys_fd_move_high(int fd)
{
    int high = fcntl(fd, F_DUPFD_CLOEXEC, 900);
    if (high < 0)
        return fd;
    close(fd);
    return high;
}

void hs__sys_async_open(struct hs_async *a)
{
    memset(a, 0, sizeof *a);
    a->fd = -1;
    /* A program already confined by seccomp may be killed for io_uring. */
    if (prctl(PR_GET_SECCOMP, 0, 0, 0, 0) != 0)
        return;
    struct io_uring_params p;
    memset(&p, 0, sizeof p);
    long fd = syscall(SYS_io_uring_setup, 8, &p);
    if (fd < 0)
        return;
    if (!(p.features & IORING_FEAT_SINGLE_MMAP)) {
        close((int)fd);
        return;
    }
    size_t sq_size = p.sq_off.array + p.sq_entries * sizeof(uint32_t);
    size_t cq_size = p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe);
    size_t rings_size = sq_size > cq_size ? sq_size : cq_size;
    size_t sqes_size = p.sq_entries * sizeof(struct io_uring_sqe);
    void *rings = hs__sys_mmap(NULL, rings_size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE,
                               (int)fd, (long)IORING_OFF_SQ_RING);
    void *sqes = hs__sys_mmap(NULL, sqes_size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE,
                              (int)fd, (long)IORING_OFF_SQES);
    if (rings == MAP_FAILED || sqes == MAP_FAILED) {
        if (rings != MAP_FAILED)
            hs__sys_unmap(rings, rings_size);
        if (sqes != MAP_FAILED)
            hs__sys_unmap(sqes, sqes_size);
        close((int)fd);
        return;
    }
    int high = hs__sys_fd_move_high((int)fd);
    a->rings = rings;
    a->rings_size = rings_size;
    a->sqes = sqes;
    a->sqes_size = sqes_size;
    a->sq_head = p.sq_off.head;
    a->sq_tail = p.sq_off.tail;
    a->sq_mask = p.sq_off.ring_mask;
    a->sq_array = p.sq_off.array;
    a->cq_head = p.cq_off.head;
    a->cq_tail = p.cq_off.tail;
    a->entries = p.sq_entries;
    a->fd = high;
}

void hs__sys_async_close(struct hs_async *a)
{
    if (a->fd < 0)
        return;
    hs__sys_unmap(a->rings, a->rings_size);
    hs__sys_unmap(a->sqes, a->sqes_size);
    close(a->fd);
    a->fd = -1;
}

#define RING_U32(a, off) ((uint32_t *)((char *)(a)->rings + (off)))

int hs__sys_async_prefault(struct hs_async *a, int fd, uint64_t off, uint64_t len, void *addr)
{
    int unlocked = 0;
    if (a->fd < 0 ||
        !__atomic_compare_exchange_n(&a->lock, &unlocked, 1, 0, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
        return -1;
    /* Completions carry nothing we need: consume them all. */
    uint32_t cq_tail = __atomic_load_n(RING_U32(a, a->cq_tail), __ATOMIC_ACQUIRE);
    __atomic_store_n(RING_U32(a, a->cq_head), cq_tail, __ATOMIC_RELEASE);

    /* A program that confined itself with seccomp since start may forbid
     * io_uring_enter (and kill for it): stop using the ring. */
    if (prctl(PR_GET_SECCOMP, 0, 0, 0, 0) != 0) {
        __atomic_store_n(&a->lock, 0, __ATOMIC_RELEASE);
        return -1;
    }
    uint32_t head = __atomic_load_n(RING_U32(a, a->sq_head), __ATOMIC_ACQUIRE);
    uint32_t tail = *RING_U32(a, a->sq_tail);
    int rc = -1;
    if (tail - head + 2 <= a->entries) {
        uint32_t mask = *RING_U32(a, a->sq_mask);
        struct io_uring_sqe *sqes = a->sqes;
        uint32_t i1 = tail & mask, i2 = (tail + 1) & mask;
        memset(&sqes[i1], 0, sizeof sqes[i1]);
        sqes[i1].opcode = IORING_OP_FALLOCATE;
        sqes[i1].flags = IOSQE_IO_LINK | IOSQE_ASYNC; /* madvise only if this succeeded */
        sqes[i1].fd = fd;
        sqes[i1].off = off;
        sqes[i1].addr = len; /* io_uring's fallocate takes the length in addr */
        sqes[i1].len = 0;    /* mode 0: allocate, extend */
        memset(&sqes[i2], 0, sizeof sqes[i2]);
        sqes[i2].opcode = IORING_OP_MADVISE;
        sqes[i2].flags = IOSQE_ASYNC;
        sqes[i2].addr = (uint64_t)(uintptr_t)addr;
        sqes[i2].len = (uint32_t)len;
        sqes[i2].fadvise_advice = MADV_POPULATE_WRITE;
        RING_U32(a, a->sq_array)[i1] = i1;
        RING_U32(a, a->sq_array)[i2] = i2;
        __atomic_store_n(RING_U32(a, a->sq_tail), tail + 2, __ATOMIC_RELEASE);
        rc = syscall(SYS_io_uring_enter, a->fd, 2, 0, 0, NULL, 0) == 2 ? 0 : -1;
    }
    __atomic_store_n(&a->lock, 0, __ATOMIC_RELEASE);
    return rc;
}

uint64_t hs__sys_file_size_limit(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_FSIZE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY)
        return UINT64_MAX;
    return (uint64_t)rl.rlim_cur;
}

void hs__sys_yield(void)
{
    sched_yield();
}

void hs__sys_nap(uint64_t ns)
{
    struct timespec ts = {(time_t)(ns / 1000000000u), (long)(ns % 1000000000u)};
    nanosleep(&ts, NULL);
}
