/*
 * fault_sampler.c - page-fault samples of a traced program, read from perf
 * ring buffers by a thread of `heapscope record` (contract: fault_sampler.h).
 *
 * Per online CPU there are two events (minor, major) on the child, each with
 * its own ring buffer: the kernel will not mmap an inherited event opened
 * with cpu = -1, so per-CPU events are the only way to follow every thread
 * and forked child with inherit. A reader thread polls all buffers and turns
 * each PERF_RECORD_SAMPLE into one struct hs_record (HS_OP_PAGE_FAULT),
 * appended to LOGDIR/faults.hslog with write(2); the recorder is not the
 * program being traced, so plain buffered writes are crash-safe enough: the
 * program may die, the recorder keeps draining.
 *
 * Ring buffer protocol (linux/perf_event.h, "struct perf_event_mmap_page"):
 * the kernel advances data_head; we read records in [data_tail, data_head)
 * of the 2^n data pages after the control page, a record possibly wrapping
 * around the end, then publish data_tail so the kernel may reuse the space.
 *
 * Check: tests/faults/ touch 256 pages of a 1 MiB mapping and find exactly
 * 256 samples whose address lies in it.
 */
#define _GNU_SOURCE
#include "fault_sampler.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <limits.h>
#include <linux/perf_event.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "heapscope/event.h"
#include "mono_clock.h"

enum {
    MINOR_RING_PAGES = 256, /* data pages of a minor-fault ring; halved on EPERM */
    MAJOR_RING_PAGES = 8,   /* major faults are rare */
    MIN_RING_PAGES = 8,
    BATCH_RECORDS = 512, /* records per write(2) */
    POLL_MS = 10, /* how often complete_ns moves on without new samples */
    WAKEUP_BYTES = 64 * 1024, /* wake the reader when this much is pending */
};
#define COMPLETE_MARGIN_NS 1000000ull /* complete_ns: 1 ms before a drain starts */

struct ring {
    int fd;
    int major;                         /* 1: PAGE_FAULTS_MAJ */
    struct perf_event_mmap_page *meta; /* control page, then the data pages */
    size_t data_size;                  /* bytes, a power of two */
};

/* One sample as the kernel lays it out for sample_type IP|TID|TIME|ADDR. */
struct sample {
    struct perf_event_header header;
    uint64_t ip;
    uint32_t pid, tid;
    uint64_t time;
    uint64_t addr;
};

struct hs_fault_sampler {
    struct ring *rings; /* 2 per CPU: minor, major */
    unsigned n_rings;
    int log_fd;
    int wake_fd; /* eventfd: stop() wakes the reader */
    pthread_t reader;
    int reader_started;
    int stop; /* atomic: the reader exits at the next wake */
    struct hs_log_header header;
    struct hs_record batch[BATCH_RECORDS];
    unsigned n_batch;
    int write_errno; /* first failed write, 0 if none */
    struct hs_fault_stats stats;
};

static long perf_event_open(struct perf_event_attr *attr, pid_t pid, int cpu)
{
    return syscall(SYS_perf_event_open, attr, pid, cpu, -1, PERF_FLAG_FD_CLOEXEC);
}

static int refused_errno(int e)
{
    return e == EACCES || e == EPERM || e == ENOENT || e == ENOSYS || e == EOPNOTSUPP ||
           e == ENODEV;
}

static int read_paranoid(void)
{
    int v = -99;
    FILE *f = fopen("/proc/sys/kernel/perf_event_paranoid", "re");
    if (f) {
        if (fscanf(f, "%d", &v) != 1)
            v = -99;
        fclose(f);
    }
    return v;
}

/* Online CPUs from /sys ("0-3,6"), else 0..nprocs-1. Returns the count. */
static unsigned online_cpus(int *cpus, unsigned max)
{
    unsigned n = 0;
    FILE *f = fopen("/sys/devices/system/cpu/online", "re");
    if (f) {
        int a, b;
        char sep;
        while (n < max && fscanf(f, "%d", &a) == 1) {
            b = a;
            if (fscanf(f, "%c", &sep) == 1 && sep == '-') {
                if (fscanf(f, "%d", &b) != 1)
                    break;
                if (fscanf(f, "%c", &sep) != 1)
                    sep = '\n';
            }
            for (int c = a; c <= b && n < max; c++)
                cpus[n++] = c;
            if (sep != ',')
                break;
        }
        fclose(f);
    }
    if (n == 0) {
        long np = sysconf(_SC_NPROCESSORS_ONLN);
        for (long c = 0; c < np && n < max; c++)
            cpus[n++] = (int)c;
    }
    return n;
}

static void flush_batch(struct hs_fault_sampler *s)
{
    if (s->n_batch == 0)
        return;
    size_t len = s->n_batch * sizeof(struct hs_record);
    const char *p = (const char *)s->batch;
    while (len > 0 && s->write_errno == 0) {
        ssize_t w = write(s->log_fd, p, len);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            s->write_errno = w < 0 ? errno : EIO;
            break;
        }
        p += w;
        len -= (size_t)w;
    }
    if (s->write_errno == 0) {
        s->header.n_reserved += s->n_batch;
        /* Publish the count after the records, so a reader of a file whose
         * recorder died never sees slots that were not written. */
        if (pwrite(s->log_fd, &s->header.n_reserved, sizeof s->header.n_reserved,
                   offsetof(struct hs_log_header, n_reserved)) != sizeof s->header.n_reserved)
            s->write_errno = errno ? errno : EIO;
    }
    s->n_batch = 0;
}

/* Rewrites header.complete_ns (fault_sampler.h), after the records and
 * n_reserved it vouches for. After a failed write it vouches for nothing
 * more, except UINT64_MAX at the stop: the file is then all there is (the
 * header lies below any RLIMIT_FSIZE that stopped the records), and a live
 * import need not wait for a sampler that will never write again. */
static void publish_complete(struct hs_fault_sampler *s, uint64_t complete_ns)
{
    if (s->write_errno && complete_ns != UINT64_MAX)
        return;
    s->header.complete_ns = complete_ns;
    if (pwrite(s->log_fd, &s->header.complete_ns, sizeof s->header.complete_ns,
               offsetof(struct hs_log_header, complete_ns)) != sizeof s->header.complete_ns &&
        !s->write_errno)
        s->write_errno = errno ? errno : EIO;
}

static void add_sample(struct hs_fault_sampler *s, const struct sample *smp, int major)
{
    struct hs_record *r = &s->batch[s->n_batch++];
    memset(r, 0, sizeof *r);
    r->seq = 0;
    r->ts_ns = smp->time;
    r->tid = smp->tid;
    r->op = HS_OP_PAGE_FAULT;
    r->origin = HS_ORIGIN_PROGRAM;
    r->flags = major ? HS_F_MAJOR_FAULT : 0;
    r->u.call.ptr = smp->addr;
    r->u.call.size = smp->pid;
    r->u.call.caller = smp->ip;
    if (major)
        s->stats.n_major++;
    else
        s->stats.n_minor++;
    if (s->n_batch == BATCH_RECORDS)
        flush_batch(s);
}

/* Reads every complete record of one ring. Only the reader thread (or stop,
 * after joining it) calls this. */
static void drain_ring(struct hs_fault_sampler *s, struct ring *rg)
{
    const unsigned char *data = (const unsigned char *)rg->meta + rg->meta->data_offset;
    uint64_t head = __atomic_load_n(&rg->meta->data_head, __ATOMIC_ACQUIRE);
    uint64_t tail = rg->meta->data_tail;
    size_t mask = rg->data_size - 1;

    while (tail < head) {
        union {
            struct perf_event_header h;
            struct sample smp;
            unsigned char bytes[256];
        } rec;
        size_t off = tail & mask;
        struct perf_event_header h;
        /* A header is 8 bytes and records are 8-aligned, so it never wraps. */
        memcpy(&h, data + off, sizeof h);
        if (h.size < sizeof h)
            break; /* cannot happen; do not spin on it */
        size_t len = h.size < sizeof rec ? h.size : sizeof rec;
        size_t first = rg->data_size - off < len ? rg->data_size - off : len;
        memcpy(rec.bytes, data + off, first);
        memcpy(rec.bytes + first, data, len - first);
        if (h.type == PERF_RECORD_SAMPLE && h.size >= sizeof(struct sample))
            add_sample(s, &rec.smp, rg->major);
        else if (h.type == PERF_RECORD_LOST && h.size >= sizeof h + 16) {
            uint64_t lost;
            memcpy(&lost, rec.bytes + sizeof h + 8, sizeof lost);
            s->stats.n_lost += lost;
        }
        tail += h.size;
    }
    __atomic_store_n(&rg->meta->data_tail, tail, __ATOMIC_RELEASE);
}

static void drain_all(struct hs_fault_sampler *s)
{
    for (unsigned i = 0; i < s->n_rings; i++)
        drain_ring(s, &s->rings[i]);
    flush_batch(s);
}

static void *reader_main(void *arg)
{
    struct hs_fault_sampler *s = arg;
    struct pollfd *pfd = calloc(s->n_rings + 1, sizeof *pfd);
    if (!pfd)
        return NULL; /* stop() still drains everything once */
    for (unsigned i = 0; i < s->n_rings; i++)
        pfd[i] = (struct pollfd){.fd = s->rings[i].fd, .events = POLLIN};
    pfd[s->n_rings] = (struct pollfd){.fd = s->wake_fd, .events = POLLIN};

    while (!__atomic_load_n(&s->stop, __ATOMIC_ACQUIRE)) {
        int n = poll(pfd, s->n_rings + 1, POLL_MS);
        if (n < 0 && errno != EINTR)
            break;
        for (unsigned i = 0; i < s->n_rings; i++)
            /* The event reports POLLHUP for good once the child has exited;
             * stop polling it (poll ignores negative fds), keep draining. */
            if (pfd[i].revents & (POLLHUP | POLLERR))
                pfd[i].fd = -1;
        /* A sample is in its ring once the fault that took it returns (the
         * kernel writes it with preemption off), so every sample older
         * than this pass's start, less a margin, is read by the drain. */
        uint64_t complete = hs_mono_ns() - COMPLETE_MARGIN_NS;
        drain_all(s);
        publish_complete(s, complete);
    }
    free(pfd);
    return NULL;
}

static void close_rings(struct hs_fault_sampler *s)
{
    for (unsigned i = 0; i < s->n_rings; i++) {
        struct ring *rg = &s->rings[i];
        if (rg->meta)
            munmap(rg->meta, rg->data_size + (size_t)sysconf(_SC_PAGESIZE));
        if (rg->fd >= 0)
            close(rg->fd);
    }
    free(s->rings);
    s->rings = NULL;
    s->n_rings = 0;
}

static void free_sampler(struct hs_fault_sampler *s)
{
    close_rings(s);
    if (s->wake_fd >= 0)
        close(s->wake_fd);
    if (s->log_fd >= 0)
        close(s->log_fd);
    free(s);
}

/* 0, or the errno of the failed perf_event_open / mmap (*what says which). */
static int open_ring(struct ring *rg, pid_t child, int cpu, int major, unsigned pages,
                     const char **what)
{
    struct perf_event_attr a;
    memset(&a, 0, sizeof a);
    a.size = sizeof a;
    a.type = PERF_TYPE_SOFTWARE;
    a.config = major ? PERF_COUNT_SW_PAGE_FAULTS_MAJ : PERF_COUNT_SW_PAGE_FAULTS_MIN;
    a.sample_period = 1;
    a.sample_type = PERF_SAMPLE_IP | PERF_SAMPLE_TID | PERF_SAMPLE_TIME | PERF_SAMPLE_ADDR;
    a.disabled = 1;
    a.enable_on_exec = 1;
    a.inherit = 1;
    a.exclude_kernel = 1; /* paranoid 2 requires it; see fault_sampler.h */
    a.exclude_hv = 1;
    a.use_clockid = 1;
    a.clockid = CLOCK_MONOTONIC; /* the tracer's ts_ns clock */
    a.watermark = 1;
    a.wakeup_watermark = WAKEUP_BYTES; /* the kernel clamps it to the ring */
    size_t page = (size_t)sysconf(_SC_PAGESIZE);

    *what = "perf_event_open";
    rg->major = major;
    rg->fd = (int)perf_event_open(&a, child, cpu);
    if (rg->fd < 0)
        return errno;
    *what = "mmap of the perf ring buffer";
    for (; pages >= MIN_RING_PAGES; pages /= 2) {
        void *m = mmap(NULL, (pages + 1) * page, PROT_READ | PROT_WRITE, MAP_SHARED, rg->fd, 0);
        if (m != MAP_FAILED) {
            rg->meta = m;
            rg->data_size = pages * page;
            return 0;
        }
        /* EPERM: over perf_event_mlock_kb and RLIMIT_MEMLOCK; try smaller. */
        if (errno != EPERM && errno != ENOMEM)
            break;
    }
    return errno;
}

static void init_header(struct hs_fault_sampler *s, pid_t child)
{
    struct hs_log_header *h = &s->header;
    struct timespec real;
    memset(h, 0, sizeof *h);
    memcpy(h->magic, HS_LOG_MAGIC, sizeof h->magic);
    h->format_version = HS_FORMAT_VERSION;
    h->record_size = HS_RECORD_SIZE;
    h->header_size = HS_LOG_HEADER_SIZE;
    h->endian_mark = HS_ENDIAN_MARK;
    h->pid = (uint32_t)child;
    h->ppid = (uint32_t)getpid();
    h->flags = HS_LOG_FAULT_SAMPLES;
    clock_gettime(CLOCK_REALTIME, &real);
    h->start_mono_ns = hs_mono_ns();
    h->start_real_ns = (uint64_t)real.tv_sec * 1000000000u + (uint64_t)real.tv_nsec;
    h->complete_ns = h->start_mono_ns; /* the child has not exec'd: no sample yet */
    h->page_size = (uint32_t)sysconf(_SC_PAGESIZE);
    static const char exe[] = "heapscope record (page-fault sampler)";
    memcpy(h->exe, exe, sizeof exe - 1);
    h->exe_len = sizeof exe - 1;
}

/* LOGDIR/faults.unavailable: why there is no faults.hslog (the importer
 * stores it as meta.faults_note). Best effort. */
static void write_note(const char *logdir, const char *msg)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/%s", logdir, HS_FAULTS_NOTE_NAME);
    FILE *f = fopen(path, "we");
    if (f) {
        fprintf(f, "%s\n", msg);
        fclose(f);
    }
}

int hs_fault_sampler_start(pid_t child, const char *logdir, struct hs_fault_sampler **out,
                           struct hs_error *err)
{
    assert(child > 0 && logdir);
    *out = NULL;
    struct hs_fault_sampler *s = calloc(1, sizeof *s);
    if (!s)
        return hs_error_set(err, HS_ENOMEM, "out of memory starting the fault sampler");
    s->log_fd = -1;
    s->wake_fd = -1;

    int cpus[1024];
    unsigned n_cpus = online_cpus(cpus, sizeof cpus / sizeof cpus[0]);
    s->rings = calloc(2 * (size_t)n_cpus, sizeof *s->rings);
    if (!s->rings) {
        free(s);
        return hs_error_set(err, HS_ENOMEM, "out of memory starting the fault sampler");
    }
    for (unsigned i = 0; i < 2 * n_cpus; i++)
        s->rings[i].fd = -1;
    unsigned pages = MINOR_RING_PAGES;
    for (unsigned c = 0; c < n_cpus; c++) {
        for (int major = 0; major <= 1; major++) {
            struct ring *rg = &s->rings[s->n_rings++];
            const char *what;
            int e = open_ring(rg, child, cpus[c], major, major ? MAJOR_RING_PAGES : pages, &what);
            if (e != 0) {
                close_rings(s);
                free_sampler(s);
                if (refused_errno(e)) {
                    struct hs_error note;
                    hs_error_set(&note, HS_OK,
                                 "page faults not recorded: %s refused: %s "
                                 "(kernel.perf_event_paranoid = %d)",
                                 what, strerror(e), read_paranoid());
                    write_note(logdir, note.msg);
                    if (err)
                        *err = note;
                    return 0;
                }
                return hs_error_set(err, HS_EIO, "fault sampler: %s on cpu %d failed: %s", what,
                                    cpus[c], strerror(e));
            }
            if (!major)
                pages = (unsigned)(rg->data_size / (size_t)sysconf(_SC_PAGESIZE));
        }
    }
    s->stats.n_cpus = n_cpus;
    s->stats.ring_pages = pages;

    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/%s", logdir, HS_FAULTS_LOG_NAME);
    s->log_fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (s->log_fd < 0) {
        int e = errno;
        free_sampler(s);
        return hs_error_set(err, HS_EIO, "cannot create '%s': %s", path, strerror(e));
    }
    init_header(s, child);
    if (write(s->log_fd, &s->header, sizeof s->header) != (ssize_t)sizeof s->header) {
        int e = errno;
        free_sampler(s);
        return hs_error_set(err, HS_EIO, "cannot write '%s': %s", path, strerror(e));
    }
    s->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    /* The reader blocks every signal, so the recorder's SIGINT/SIGTERM
     * handlers (spawn.c forwards them to the child) run on its main thread
     * and interrupt its waitpid(), never this thread's poll(). */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &old);
    int started = s->wake_fd >= 0 && pthread_create(&s->reader, NULL, reader_main, s) == 0;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (!started) {
        free_sampler(s);
        return hs_error_set(err, HS_EIO, "cannot start the fault sampler's reader thread");
    }
    s->reader_started = 1;
    *out = s;
    return 0;
}

int hs_fault_sampler_stop(struct hs_fault_sampler *s, struct hs_fault_stats *stats,
                          struct hs_error *err)
{
    if (stats)
        memset(stats, 0, sizeof *stats);
    if (!s)
        return 0;
    if (s->reader_started) {
        uint64_t one = 1;
        __atomic_store_n(&s->stop, 1, __ATOMIC_RELEASE);
        if (write(s->wake_fd, &one, sizeof one) < 0) {
            /* the reader still sees stop at its next poll timeout */
        }
        pthread_join(s->reader, NULL);
    }
    drain_all(s);
    for (unsigned i = 0; i < s->n_rings; i++) {
        uint64_t count;
        if (read(s->rings[i].fd, &count, sizeof count) == sizeof count)
            s->stats.n_counted += count;
    }
    publish_complete(s, UINT64_MAX);
    s->header.reserved0 = s->stats.n_lost;
    if (s->write_errno == 0 &&
        pwrite(s->log_fd, &s->header.reserved0, sizeof s->header.reserved0,
               offsetof(struct hs_log_header, reserved0)) != sizeof s->header.reserved0)
        s->write_errno = errno ? errno : EIO;
    if (stats)
        *stats = s->stats;
    int rc = 0;
    if (s->write_errno)
        rc = hs_error_set(err, HS_EIO, "cannot write the page-fault log: %s",
                          strerror(s->write_errno));
    free_sampler(s);
    return rc;
}
