/*
 * drain.c - the ring drainer (contract: drain.h; ring format: event.h).
 *
 * One thread loops over the known rings:
 *
 *   ring[s % cap]:  [ copied ][ committed ][ committed ][ reserved: old lap's op ] ...
 *                   ^ consumed ^ copy while op carries this lap's bit (acquire);
 *                                store consumed (release) past them; write(2)
 *                                the records to <pid>.<gen>.hslog in batches
 *
 * The writers wait for `consumed` only when the ring is full, so a batch is
 * published (consumed stored) before the slow write(2), not after. When a
 * ring's image is over (pidfd readable, or a later gen of the pid exists)
 * the ring is swept once more: every committed slot of the last lap window
 * [consumed, min(n_reserved, consumed + cap)) is copied, the others are
 * written as op 0 and the .hslog's n_reserved is the ring's, so the reader
 * counts the uncommitted slots lost, as it does for a crashed linear log.
 *
 * Timestamps: calibration pairs (TSC, CLOCK_MONOTONIC) are taken at start
 * and whenever a record is newer than the newest pair (the TSC read twice
 * around clock_gettime, best of 3); records are converted as they are
 * copied, so each lies between two pairs and is mapped by the line through
 * them: the mapping is continuous and increasing, and ts_ns keeps the
 * order of the TSC. Check: tests/tracer's ring cases find every ts_ns
 * non-decreasing in seq order within the run's CLOCK_MONOTONIC interval.
 */
#define _GNU_SOURCE
#include "drain.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "heapscope/event.h"
#include "mono_clock.h"
#include "relay.h"
#include "text_file.h"

#define BATCH 8192u            /* records per write(2): 512 KiB */
#define RESCAN_NS 50000000ull  /* rescan the directory at least this often */
#define STUCK_NS 1000000000ull /* a disabled ring whose head stays empty this long is swept */
#define PASS_NS 20000ull       /* a pass that found little waits this long */
#define PASS_FEW 256u          /* "little" */
#define CAL_KEEP 8192u         /* pairs kept (a ring buffer) */
#define FLUSH_NS 100000000ull  /* buffered records wait at most this long */
#define MAPS_NS 100000000ull   /* a live image's memory map is copied this often */
#define MARK_NS 5000000ull     /* relay mode: a watermark at least this often */

struct ring {
    uint32_t pid, gen;
    char name[300]; /* <pid>.<gen>.ring */
    int log_fd;     /* <pid>.<gen>.hslog */
    int pidfd;      /* -1: none (the process was already gone) */
    void *map;
    size_t map_size;
    struct hs_log_header *h;
    struct hs_ring_control *ctl;
    struct hs_record *rec;
    uint64_t mask;
    unsigned shift;    /* log2(capacity) */
    uint64_t consumed; /* our cursor: slots below were copied */
    int tsc;           /* ts_ns holds raw TSC */
    int dead;          /* the process is gone */
    int over;          /* a later image of the pid exists */
    int closed;        /* swept and forgotten */
    uint64_t stuck_since;
    struct hs_record *out; /* copied, not yet written: cap_out records */
    size_t n_out, cap_out; /* cap_out: BATCH, or HS_RELAY_BATCH in relay mode */
    uint64_t last_flush;   /* mono ns of the last write(2) */
    uint64_t header_at;    /* n_reserved the .hslog header says */
    /* relay mode: out is batch->rec; the .hslog stays a header-only
     * placeholder (it keeps the tracer's gen numbering and marks the image) */
    struct hs_relay_batch *batch;
    uint32_t relay_image;
    uint64_t reserved_seen; /* n_reserved loaded before the pass (watermark) */
    uint64_t maps_at;       /* mono ns of the last copy of its memory map */
};

struct cal {
    uint64_t tsc, ns;
};

struct hs_drain {
    char *dir;
    int dir_fd, inotify_fd;
    pthread_t thread;
    int stop;          /* atomic: finish() asked the thread to end */
    uint64_t deadline; /* atomic: when stopping, detach live rings after this */
    struct ring *rings;
    size_t n_rings, cap_rings;
    struct cal cal[CAL_KEEP];
    uint64_t n_cal;                     /* pairs taken; the newest is cal[(n_cal - 1) % CAL_KEEP] */
    uint64_t seg;                       /* cached segment [seg, seg + 1] of the last conversion */
    uint64_t seg_mult;                  /* its ns per TSC tick, 32.32 fixed point */
    uint64_t seg_tsc, seg_span, seg_ns; /* it maps [seg_tsc, seg_tsc + seg_span):
                                           pair seg's tsc, the next's minus it, ns */
    const char *env[3];
    int failed;
    struct hs_error err; /* the first error of the thread */
    struct hs_drain_stats stats;
    uint64_t last_scan;
    struct hs_relay *relay; /* NULL: records go to the .hslog files */
    const uint64_t *seq;    /* LOGDIR/seq, mapped once it exists (relay mode) */
    /* Pids of the fork records copied whose ring did not show up yet: a
     * child whose parent ended at once (`prog &` in a shell) may make its
     * ring only after the program's end, and finishing must wait for it. */
    uint32_t *children;
    size_t n_children, cap_children;
};

#if defined(__x86_64__)
static uint64_t cycles(void)
{
    return __builtin_ia32_rdtsc();
}
#define HAVE_CYCLES 1
#else
static uint64_t cycles(void)
{
    return 0;
}
#define HAVE_CYCLES 0
#endif

int hs_drain_tsc_invariant(void)
{
    if (!HAVE_CYCLES)
        return 0;
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (!f)
        return 0;
    char line[4096];
    int n_cpus = 0, n_ok = 0;
    while (fgets(line, sizeof line, f))
        if (strncmp(line, "flags", 5) == 0) {
            n_cpus++;
            n_ok += strstr(line, " constant_tsc") && strstr(line, " nonstop_tsc");
        }
    fclose(f);
    return n_cpus > 0 && n_ok == n_cpus;
}

/* ---- TSC -> CLOCK_MONOTONIC ---- */

static void calibrate(struct hs_drain *d)
{
    struct cal best = {0, 0};
    uint64_t best_gap = UINT64_MAX;
    for (int k = 0; k < 3; k++) {
        uint64_t t1 = cycles(), ns = hs_mono_ns(), t2 = cycles();
        if (t2 - t1 < best_gap) {
            best_gap = t2 - t1;
            best = (struct cal){t1 + (t2 - t1) / 2, ns};
        }
    }
    if (d->n_cal && best.tsc <= d->cal[(d->n_cal - 1) % CAL_KEEP].tsc)
        return;
    d->cal[d->n_cal % CAL_KEEP] = best;
    d->n_cal++;
}

static const struct cal *cal_at(const struct hs_drain *d, uint64_t k)
{
    return &d->cal[k % CAL_KEEP];
}

static void use_segment(struct hs_drain *d, uint64_t k)
{
    const struct cal *p = cal_at(d, k), *q = cal_at(d, k + 1);
    d->seg = k;
    d->seg_mult = (uint64_t)(((unsigned __int128)(q->ns - p->ns) << 32) / (q->tsc - p->tsc));
    d->seg_tsc = p->tsc;
    d->seg_span = q->tsc - p->tsc;
    d->seg_ns = p->ns;
}

/* ns of TSC value t: interpolated between the pairs around t, extrapolated
 * from the nearest two at either end. pre: d->n_cal >= 1. */
static uint64_t tsc_to_ns(struct hs_drain *d, uint64_t t)
{
    uint64_t hi = d->n_cal - 1;
    if (t >= cal_at(d, hi)->tsc) {
        calibrate(d);
        hi = d->n_cal - 1;
        if (hi >= 1)
            use_segment(d, hi - 1);
    }
    if (d->n_cal < 2)
        return cal_at(d, hi)->ns; /* not reached: start and the first record are apart */
    uint64_t k = d->seg;
    if (k + 1 > hi || t < cal_at(d, k)->tsc || (k + 1 < hi && t >= cal_at(d, k + 1)->tsc)) {
        /* find the segment [k, k+1] holding t; records are mostly in the newest */
        uint64_t lo = d->n_cal > CAL_KEEP ? d->n_cal - CAL_KEEP : 0;
        if (t >= cal_at(d, hi - 1)->tsc) {
            k = hi - 1;
        } else if (t < cal_at(d, lo)->tsc) {
            k = lo; /* older than every pair kept: extrapolate */
        } else {
            uint64_t a = lo, b = hi; /* cal(a) <= t < cal(b) */
            while (b - a > 1) {
                uint64_t m = a + (b - a) / 2;
                if (cal_at(d, m)->tsc <= t)
                    a = m;
                else
                    b = m;
            }
            k = a;
        }
        use_segment(d, k);
    }
    const struct cal *p = cal_at(d, k);
    if (t >= p->tsc)
        return p->ns + (uint64_t)(((unsigned __int128)(t - p->tsc) * d->seg_mult) >> 32);
    return p->ns - (uint64_t)(((unsigned __int128)(p->tsc - t) * d->seg_mult) >> 32);
}

/* ---- rings ---- */

static int fail(struct hs_drain *d, const char *fmt, const char *name, int e)
{
    if (!d->failed) {
        char what[300];
        snprintf(what, sizeof what, fmt, d->dir, name);
        hs_error_set(&d->err, HS_EIO, "%s: %s", what, strerror(e));
        d->failed = 1;
    }
    return HS_EIO;
}

static int write_all(int fd, const void *buf, size_t n)
{
    const char *p = buf;
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* The .hslog header: the ring's, with the log magic, n_reserved and flags. */
static void log_header(const struct ring *r, uint64_t n_reserved, struct hs_log_header *h)
{
    memcpy(h, r->h, sizeof *h);
    memcpy(h->magic, HS_LOG_MAGIC, sizeof h->magic);
    h->flags = __atomic_load_n(&r->h->flags, __ATOMIC_ACQUIRE) | HS_LOG_RING;
    h->n_reserved = n_reserved;
}

static int write_header(struct ring *r, uint64_t n_reserved)
{
    struct hs_log_header h;
    log_header(r, n_reserved, &h);
    return pwrite(r->log_fd, &h, sizeof h, 0) == (ssize_t)sizeof h ? 0 : -1;
}

static void mark_over(struct hs_drain *d, uint32_t pid, uint32_t gen)
{
    for (size_t i = 0; i < d->n_rings; i++)
        if (d->rings[i].pid == pid && d->rings[i].gen < gen)
            d->rings[i].over = 1;
}

/* Gives back adopt's buffer for a ring's records: a relay batch (relay
 * mode, mapped by the relay: never free(3) it) or its own allocation. */
static void drop_out(struct hs_drain *d, struct hs_relay_batch *batch, struct hs_record *out)
{
    if (batch)
        hs_relay_recycle(d->relay, batch);
    else
        free(out);
}

/* Opens, checks and maps a ring found in the directory. 1 if adopted, 0 if
 * not ready yet (the tracer is still filling its header), -1 on error. */
static int adopt(struct hs_drain *d, const char *name, uint32_t pid, uint32_t gen)
{
    int fd = openat(d->dir_fd, name, O_RDWR | O_CLOEXEC);
    if (fd < 0)
        return errno == ENOENT ? 0 : fail(d, "cannot open '%s/%s'", name, errno);
    struct stat st;
    char magic[8];
    struct hs_ring_control ctl;
    if (fstat(fd, &st) != 0 || st.st_size < (off_t)HS_RING_PREFIX_SIZE ||
        pread(fd, magic, sizeof magic, 0) != (ssize_t)sizeof magic ||
        memcmp(magic, HS_RING_MAGIC, sizeof magic) != 0 ||
        pread(fd, &ctl, sizeof ctl, HS_LOG_HEADER_SIZE) != (ssize_t)sizeof ctl ||
        ctl.capacity == 0 || (ctl.capacity & (ctl.capacity - 1)) ||
        (uint64_t)st.st_size < HS_RING_PREFIX_SIZE + ctl.capacity * HS_RECORD_SIZE) {
        close(fd);
        return 0;
    }
    size_t size = HS_RING_PREFIX_SIZE + ctl.capacity * HS_RECORD_SIZE;
    void *map = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    close(fd);
    if (map == MAP_FAILED)
        return fail(d, "cannot map '%s/%s'", name, errno);
    struct hs_relay_batch *batch = d->relay ? hs_relay_batch_get(d->relay) : NULL;
    struct hs_record *out = batch ? batch->rec : d->relay ? NULL : malloc(BATCH * sizeof *out);
    if (!out) {
        munmap(map, size);
        return fail(d, "cannot drain '%s/%s'", name, ENOMEM);
    }
    if (d->n_rings == d->cap_rings) {
        size_t cap = d->cap_rings ? 2 * d->cap_rings : 16;
        struct ring *v = realloc(d->rings, cap * sizeof *v);
        if (!v) {
            drop_out(d, batch, out);
            munmap(map, size);
            return fail(d, "cannot drain '%s/%s'", name, ENOMEM);
        }
        d->rings = v;
        d->cap_rings = cap;
    }
    struct ring *r = &d->rings[d->n_rings];
    memset(r, 0, sizeof *r);
    r->pid = pid;
    r->gen = gen;
    snprintf(r->name, sizeof r->name, "%s", name);
    r->map = map;
    r->map_size = size;
    r->out = out;
    r->cap_out = d->relay ? HS_RELAY_BATCH : BATCH;
    r->batch = batch;
    r->last_flush = hs_mono_ns();
    r->h = map;
    r->ctl = (struct hs_ring_control *)((char *)map + HS_LOG_HEADER_SIZE);
    r->rec = (struct hs_record *)((char *)map + HS_RING_PREFIX_SIZE);
    r->mask = ctl.capacity - 1;
    r->shift = (unsigned)__builtin_ctzll(ctl.capacity);
    r->tsc = (ctl.ring_flags & HS_RING_TSC) != 0;
    r->consumed = __atomic_load_n(&r->ctl->consumed, __ATOMIC_ACQUIRE);
    long pfd = syscall(SYS_pidfd_open, (pid_t)pid, 0);
    r->pidfd = pfd >= 0 ? (int)pfd : -1; /* -1: kill(pid, 0) instead (Linux < 5.3) */
    if (pfd < 0 && errno == ESRCH)
        r->dead = 1;
    char log_name[80];
    snprintf(log_name, sizeof log_name, "%u.%u.hslog", pid, gen);
    r->log_fd = openat(d->dir_fd, log_name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (r->log_fd < 0 || write_header(r, 0) != 0) {
        int e = errno;
        if (r->log_fd >= 0)
            close(r->log_fd);
        if (r->pidfd >= 0)
            close(r->pidfd);
        drop_out(d, batch, out);
        munmap(map, size);
        return fail(d, "cannot write '%s/%s'", log_name, e);
    }
    if (d->relay) {
        struct hs_log_header h;
        log_header(r, 0, &h);
        int64_t image = hs_relay_add_image(d->relay, &h);
        if (image < 0) {
            close(r->log_fd);
            if (r->pidfd >= 0)
                close(r->pidfd);
            drop_out(d, batch, out);
            munmap(map, size);
            return fail(d, "cannot drain '%s/%s'", name, ENOMEM);
        }
        r->relay_image = (uint32_t)image;
        batch->image = r->relay_image;
    }
    /* Seek past the header: records are appended with write(2). */
    lseek(r->log_fd, HS_LOG_HEADER_SIZE, SEEK_SET);
    __atomic_store_n(&r->ctl->drain_state, HS_DRAIN_ACTIVE, __ATOMIC_RELEASE);
    d->n_rings++;
    d->stats.n_rings++;
    mark_over(d, pid, gen);
    return 1;
}

static int known_ring(const struct hs_drain *d, uint32_t pid, uint32_t gen)
{
    for (size_t i = 0; i < d->n_rings; i++)
        if (d->rings[i].pid == pid && d->rings[i].gen == gen)
            return 1;
    return 0;
}

/* Adopts the rings not known yet; notes exec'd images. 1 if a ring was
 * seen that is not ready yet (scan again soon). */
static int scan(struct hs_drain *d)
{
    int pending = 0;
    DIR *dir = fdopendir(dup(d->dir_fd));
    if (!dir)
        return 1;
    rewinddir(dir); /* the dup shares its offset with dir_fd: start over */
    struct dirent *de;
    while ((de = readdir(dir))) {
        unsigned pid, gen;
        int end = 0;
        if (sscanf(de->d_name, "%u.%u.ring%n", &pid, &gen, &end) == 2 && !de->d_name[end]) {
            int known = known_ring(d, pid, gen);
            /* Not ready yet: the tracer is still filling its header, unless
             * its process died first (then no event of it can come, and
             * waiting for it would hold the relay's watermark forever). */
            if (!known && adopt(d, de->d_name, pid, gen) == 0 &&
                !(kill((pid_t)pid, 0) != 0 && errno == ESRCH))
                pending = 1;
        } else if (sscanf(de->d_name, "%u.%u.hslog%n", &pid, &gen, &end) == 2 && !de->d_name[end]) {
            mark_over(d, pid, gen); /* an image that fell back to a linear log */
            if (d->relay && !d->failed && !known_ring(d, pid, gen)) {
                /* Not one of our placeholders: its records never reach the relay. */
                hs_error_set(&d->err, HS_EIO,
                             "process %u could not make a ring and wrote a linear log, which "
                             "the live import cannot read (rerun with HS_LIVE_IMPORT=0)",
                             pid);
                d->failed = 1;
            }
        }
    }
    closedir(dir);
    return pending;
}

/* Writes the ring's buffered records to its .hslog (and the header if
 * n_reserved changed). Small batches wait until the buffer is full, the
 * ring is swept, or for at most FLUSH_NS: write(2) per record is what a
 * drainer that keeps up with its writer would otherwise do. */
static int flush(struct hs_drain *d, struct ring *r, uint64_t n_reserved)
{
    if (d->relay) {
        if (r->n_out == 0)
            return 0;
        /* hand the batch over and take an empty one (may wait for the import) */
        r->batch->n = (uint32_t)r->n_out;
        hs_relay_post(d->relay, r->batch);
        d->stats.n_records += r->n_out;
        r->n_out = 0;
        r->last_flush = hs_mono_ns();
        r->batch = hs_relay_batch_get(d->relay);
        if (!r->batch)
            return fail(d, "cannot pass the records of '%s/%s' to the import", r->name, ENOMEM);
        r->batch->image = r->relay_image;
        r->out = r->batch->rec;
        return 0;
    }
    if (r->n_out) {
        if (write_all(r->log_fd, r->out, r->n_out * HS_RECORD_SIZE) != 0)
            return fail(d, "cannot write the log of '%s/%s'", r->name, errno);
        d->stats.n_records += r->n_out;
        r->n_out = 0;
    }
    r->last_flush = hs_mono_ns();
    if (n_reserved != r->header_at) {
        if (write_header(r, n_reserved) != 0)
            return fail(d, "cannot write the log of '%s/%s'", r->name, errno);
        r->header_at = n_reserved;
    }
    return 0;
}

static void close_ring(struct hs_drain *d, struct ring *r, int detach)
{
    if (detach)
        __atomic_store_n(&r->ctl->drain_state, HS_DRAIN_DETACHED, __ATOMIC_RELEASE);
    d->stats.full_waits += __atomic_load_n(&r->ctl->full_waits, __ATOMIC_RELAXED);
    d->stats.full_wait_ns += __atomic_load_n(&r->ctl->full_wait_ns, __ATOMIC_RELAXED);
    munmap(r->map, r->map_size);
    close(r->log_fd);
    if (r->pidfd >= 0)
        close(r->pidfd);
    unlinkat(d->dir_fd, r->name, 0);
    drop_out(d, r->batch, r->out);
    r->batch = NULL;
    r->out = NULL;
    r->closed = 1;
    d->stats.n_detached += detach;
}

/* A record of lap L is committed with op | 0x80 when L is odd, so a slot
 * still holding lap L-1's record (or nothing) reads as not committed, and
 * the drainer never writes to the ring. lap_mark: the mark of slot s;
 * unmarked: the op of a slot read as `raw` whose mark is `mark` if it is
 * committed, else 0. */
static uint8_t lap_mark(const struct ring *r, uint64_t s)
{
    return (uint8_t)(((s >> r->shift) & 1) << 7);
}

static uint8_t unmarked(uint8_t raw, uint8_t mark)
{
    uint8_t x = raw ^ mark;
    return x < 0x80 ? x : 0;
}

static uint8_t committed_op(const struct ring *r, uint64_t s)
{
    return unmarked(__atomic_load_n(&r->rec[s & r->mask].op, __ATOMIC_ACQUIRE), lap_mark(r, s));
}

/* Copies the committed records from slot c on, at most n_max of them and
 * none past the ring's end (so every slot has the same lap parity), to
 * dst, converting ts_ns if the ring holds TSC values. Returns how many.
 * The segment the newest records fall in (use_segment) is held in
 * registers: within it a record costs one multiply; outside, tsc_to_ns
 * finds (or takes) the pairs around it. */
/* A fork record: its child's ring is awaited (children_pending). */
static void note_child(struct hs_drain *d, const struct hs_record *rec)
{
    uint32_t pid = (uint32_t)rec->u.call.ptr;
    if (!pid || (rec->flags & HS_F_FAILED))
        return;
    if (d->n_children == d->cap_children) {
        size_t cap = d->cap_children ? 2 * d->cap_children : 16;
        uint32_t *grown = realloc(d->children, cap * sizeof *grown);
        if (!grown)
            return; /* not awaited: at worst its first records are missed */
        d->children = grown;
        d->cap_children = cap;
    }
    d->children[d->n_children++] = pid;
}

/* 1 while a child named by a fork record runs without a ring yet (it is
 * starting); children whose ring exists or that are gone are forgotten. */
static int children_pending(struct hs_drain *d)
{
    size_t kept = 0;
    for (size_t i = 0; i < d->n_children; i++) {
        uint32_t pid = d->children[i];
        int adopted = 0;
        for (size_t k = 0; k < d->n_rings && !adopted; k++)
            adopted = d->rings[k].pid == pid;
        char path[64], state = 0;
        snprintf(path, sizeof path, "/proc/%u/stat", pid);
        FILE *f = adopted ? NULL : fopen(path, "r");
        /* "pid (comm) S ...": comm may hold spaces and parentheses */
        if (f) {
            char line[512];
            const char *close = fgets(line, sizeof line, f) ? strrchr(line, ')') : NULL;
            state = close && close[1] == ' ' ? close[2] : 0;
            fclose(f);
        }
        if (!adopted && state && state != 'Z' && state != 'X')
            d->children[kept++] = pid;
    }
    d->n_children = kept;
    return kept > 0;
}

static size_t copy_run(struct hs_drain *d, const struct ring *r, uint64_t c, size_t n_max,
                       struct hs_record *dst)
{
    uint64_t at = c & r->mask;
    if (n_max > r->mask + 1 - at)
        n_max = r->mask + 1 - at;
    const struct hs_record *src = &r->rec[at];
    uint8_t mark = lap_mark(r, c);
    uint64_t seg_tsc = d->seg_tsc, seg_span = d->seg_span, seg_ns = d->seg_ns;
    uint64_t mult = d->seg_mult;
    size_t i = 0;
    for (; i < n_max; i++) {
        uint8_t op = unmarked(__atomic_load_n(&src[i].op, __ATOMIC_ACQUIRE), mark);
        if (!op)
            break;
        memcpy(&dst[i], &src[i], sizeof dst[i]);
        dst[i].op = op;
        if (__builtin_expect(op == HS_OP_FORK, 0))
            note_child(d, &dst[i]);
        if (!r->tsc)
            continue;
        uint64_t t = src[i].ts_ns, dt = t - seg_tsc;
        if (dt < seg_span) {
            dst[i].ts_ns = seg_ns + (uint64_t)(((unsigned __int128)dt * mult) >> 32);
        } else {
            dst[i].ts_ns = tsc_to_ns(d, t);
            seg_tsc = d->seg_tsc;
            seg_span = d->seg_span;
            seg_ns = d->seg_ns;
            mult = d->seg_mult;
        }
    }
    return i;
}

/* Copies committed records in slot order into the ring's buffer, and
 * frees their slots at once (consumed), whether or not they were written
 * out yet. Returns the number copied. */
static size_t drain_ring(struct hs_drain *d, struct ring *r)
{
    size_t total = 0;
    for (;;) {
        uint64_t c = r->consumed;
        size_t n = r->n_out;
        while (n < r->cap_out) {
            size_t got = copy_run(d, r, c, r->cap_out - n, &r->out[n]);
            c += got;
            n += got;
            if (!got || (c & r->mask) != 0)
                break; /* an uncommitted slot (not just the ring's end) */
        }
        size_t got = n - r->n_out;
        r->n_out = n;
        if (got) {
            r->consumed = c;
            __atomic_store_n(&r->ctl->consumed, c, __ATOMIC_RELEASE);
            total += got;
        }
        if (n < r->cap_out)
            break;
        if (flush(d, r, r->consumed) != 0) {
            close_ring(d, r, 1);
            return total;
        }
    }
    if (r->n_out && hs_mono_ns() - r->last_flush > FLUSH_NS && flush(d, r, r->consumed) != 0) {
        close_ring(d, r, 1);
        return total;
    }
    __atomic_store_n(&r->ctl->drain_beat, r->ctl->drain_beat + 1, __ATOMIC_RELAXED);
    return total;
}

/* The last pass over a ring whose image is over (or that is detached):
 * every committed slot of the window, op 0 for the others, n_reserved as
 * the tracer left it. */
static void sweep(struct hs_drain *d, struct ring *r, int detach)
{
    if (detach)
        __atomic_store_n(&r->ctl->drain_state, HS_DRAIN_DETACHED, __ATOMIC_RELEASE);
    uint64_t n_reserved = __atomic_load_n(&r->h->n_reserved, __ATOMIC_ACQUIRE);
    uint64_t cap = r->mask + 1, end = n_reserved;
    if (end > r->consumed + cap)
        end = r->consumed + cap;
    uint64_t last = r->consumed; /* one past the last committed slot */
    for (uint64_t s = r->consumed; s < end; s++)
        if (committed_op(r, s))
            last = s + 1;
    int rc = 0;
    uint64_t lost = 0;
    for (uint64_t s = r->consumed; s < last && rc == 0; s++) {
        if (r->n_out == r->cap_out)
            rc = flush(d, r, r->header_at);
        struct hs_record *src = &r->rec[s & r->mask];
        uint8_t op = committed_op(r, s);
        if (op) {
            memcpy(&r->out[r->n_out], src, sizeof *src);
            r->out[r->n_out].op = op;
            if (op == HS_OP_FORK)
                note_child(d, &r->out[r->n_out]);
            if (r->tsc)
                r->out[r->n_out].ts_ns = tsc_to_ns(d, r->out[r->n_out].ts_ns);
            r->n_out++;
        } else if (d->relay) {
            lost++; /* the relay carries committed records only */
        } else {
            memset(&r->out[r->n_out++], 0, sizeof *src);
        }
    }
    uint64_t final = n_reserved > last ? n_reserved : last;
    if (rc == 0)
        flush(d, r, final);
    if (d->relay) {
        struct hs_log_header h;
        log_header(r, final, &h);
        hs_relay_end_image(d->relay, r->relay_image, &h, lost + (final - last));
    }
    close_ring(d, r, detach);
}

/*
 * Copies /proc/PID/maps of a live image to <pid>.<gen>.maps.seen, for the
 * image that never writes its map at exit (<pid>.<gen>.maps.end: the
 * tracer's exit record), because it crashed or was killed: the importer
 * then names the call sites of code it dlopen'd from this copy. A copy is
 * kept only if it still maps the image's own ring file: after an exec the
 * pid's map is the next image's.
 */
static void copy_maps(struct hs_drain *d, struct ring *r)
{
    char path[64], own[320], name[64];
    snprintf(path, sizeof path, "/proc/%u/maps", r->pid);
    char *text = hs_read_text_file(path);
    snprintf(own, sizeof own, "/%s\n", r->name);
    snprintf(name, sizeof name, "%u.%u.maps.seen", r->pid, r->gen);
    int out = text && strstr(text, own) /* else another image's */
                  ? openat(d->dir_fd, name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)
                  : -1;
    if (out >= 0) {
        if (write_all(out, text, strlen(text)) != 0)
            unlinkat(d->dir_fd, name, 0);
        close(out);
    }
    free(text);
}

static int process_gone(struct ring *r)
{
    if (r->dead)
        return 1;
    if (r->pidfd >= 0) {
        struct pollfd p = {r->pidfd, POLLIN, 0};
        r->dead = poll(&p, 1, 0) == 1;
    } else {
        r->dead = kill((pid_t)r->pid, 0) != 0 && errno == ESRCH;
    }
    return r->dead;
}

/* One pass over every ring. Returns the records copied. */
static size_t pass(struct hs_drain *d, int detach_live)
{
    size_t total = 0;
    for (size_t i = 0; i < d->n_rings; i++) {
        struct ring *r = &d->rings[i];
        if (r->closed)
            continue;
        size_t n = drain_ring(d, r);
        total += n;
        if (r->closed)
            continue;
        /* Liveness only when idle (a system call per ring), and then one
         * more drain: a process found dead has committed its last. */
        if (!n && (r->over || process_gone(r))) {
            total += drain_ring(d, r);
            if (!r->closed)
                sweep(d, r, 0);
            continue;
        }
        if (detach_live) {
            sweep(d, r, 1);
            continue;
        }
        /* A writer gave up (HS_LOG_DISABLED) and the head slot stays
         * empty: nobody may still write it; sweep after a grace time. */
        if (!n && (__atomic_load_n(&r->h->flags, __ATOMIC_ACQUIRE) & HS_LOG_DISABLED) &&
            __atomic_load_n(&r->h->n_reserved, __ATOMIC_ACQUIRE) > r->consumed) {
            uint64_t now = hs_mono_ns();
            if (!r->stuck_since)
                r->stuck_since = now;
            else if (now - r->stuck_since > STUCK_NS)
                sweep(d, r, 1);
        } else {
            r->stuck_since = 0;
        }
    }
    return total;
}

static int all_closed(const struct hs_drain *d)
{
    for (size_t i = 0; i < d->n_rings; i++)
        if (!d->rings[i].closed)
            return 0;
    return 1;
}

/* ---- relay mode: the watermark (relay.h) ---- */

/* LOGDIR/seq, the counter every traced process takes its seqs from; 0
 * while it does not exist (no seq was taken yet). */
static uint64_t seq_now(struct hs_drain *d)
{
    if (!d->seq) {
        int fd = openat(d->dir_fd, "seq", O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            return 0;
        struct stat st;
        void *m = fstat(fd, &st) == 0 && st.st_size >= (off_t)sizeof(uint64_t)
                      ? mmap(NULL, sizeof(uint64_t), PROT_READ, MAP_SHARED, fd, 0)
                      : MAP_FAILED;
        close(fd);
        if (m == MAP_FAILED)
            return 0;
        d->seq = m;
    }
    return __atomic_load_n(d->seq, __ATOMIC_SEQ_CST);
}

/* Notes each ring's n_reserved (after the seq counter was read). */
static void note_reserved(struct hs_drain *d)
{
    for (size_t i = 0; i < d->n_rings; i++)
        if (!d->rings[i].closed)
            d->rings[i].reserved_seen =
                __atomic_load_n(&d->rings[i].h->n_reserved, __ATOMIC_ACQUIRE);
}

/*
 * Publishes seq g as the watermark if it holds: g was read before the
 * directory scan and the n_reserved loads, and a writer reserves its slot
 * before it takes its seq, so every record with seq <= g is in a ring
 * that was adopted, in a slot below what note_reserved saw. Once every
 * open ring is drained past that, each such record is posted (the partial
 * batches are posted here first).
 */
static void publish_watermark(struct hs_drain *d, uint64_t g)
{
    for (size_t i = 0; i < d->n_rings; i++)
        if (!d->rings[i].closed && d->rings[i].consumed < d->rings[i].reserved_seen)
            return;
    for (size_t i = 0; i < d->n_rings; i++) {
        struct ring *r = &d->rings[i];
        if (!r->closed && r->n_out && flush(d, r, r->consumed) != 0)
            close_ring(d, r, 1);
    }
    hs_relay_watermark(d->relay, g);
}

static void *drain_main(void *arg)
{
    struct hs_drain *d = arg;
    sigset_t all;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, NULL);
    /* SCHED_BATCH: a batch thread never preempts the running one when it
     * wakes up, so on a busy machine our frequent wakeups do not keep
     * interrupting the traced program (measured: ~1000 involuntary switches
     * of the program per 4 M events without it, ~60 with it); it still gets
     * its fair share of CPU. Best effort. */
    struct sched_param batch = {0};
    pthread_setschedparam(pthread_self(), SCHED_BATCH, &batch);
    int pending = 1, idle = 0;
    uint64_t last_mark = 0;
    for (;;) {
        int stopping = __atomic_load_n(&d->stop, __ATOMIC_ACQUIRE);
        /* relay mode: the seq counter first, then the scan (see
         * publish_watermark); without inotify, a scan every pass */
        uint64_t g = d->relay ? seq_now(d) : 0;
        uint64_t now = hs_mono_ns();
        char ev[4096];
        int notified = d->inotify_fd >= 0 && read(d->inotify_fd, ev, sizeof ev) > 0;
        if (pending || notified || stopping || now - d->last_scan > RESCAN_NS ||
            (d->relay && d->inotify_fd < 0)) {
            d->last_scan = now;
            pending = scan(d);
        }
        if (d->relay)
            note_reserved(d);
        int late = stopping && now > __atomic_load_n(&d->deadline, __ATOMIC_RELAXED);
        size_t n = pass(d, late);
        /* Full batches go out by themselves. A watermark posts the partial
         * ones, and each then takes a fresh batch: marks every 0.5 ms or
         * at each lull made `make bench` map 10-25% more batches than it
         * filled. So mark when the import waits for news (it may need the
         * watermark to go on), or at least every MARK_NS. */
        if (d->relay && !pending &&
            (hs_relay_import_waiting(d->relay) || now - last_mark > MARK_NS)) {
            publish_watermark(d, g);
            last_mark = now;
        }
        for (size_t i = 0; i < d->n_rings; i++) {
            struct ring *r = &d->rings[i];
            if (!r->closed && !r->over && !r->dead && now - r->maps_at > MAPS_NS) {
                r->maps_at = now;
                copy_maps(d, r);
            }
        }
        if (stopping && ((all_closed(d) && !children_pending(d)) || late))
            break;
        if (n >= PASS_FEW) {
            idle = 0;
            continue;
        }
        if (n) {
            /* a trickle: let it gather instead of chasing single records */
            idle = 0;
            struct timespec ts = {0, PASS_NS};
            nanosleep(&ts, NULL);
            continue;
        }
        /* Nothing to copy: sleep a little longer each time (50 us to 1 ms),
         * or until a new file appears. */
        idle = idle < 20 ? idle + 1 : 20;
        if (d->inotify_fd >= 0) {
            struct pollfd p = {d->inotify_fd, POLLIN, 0};
            struct timespec ts = {0, idle * 50000L};
            ppoll(&p, 1, &ts, NULL);
        } else {
            usleep((useconds_t)idle * 50);
        }
    }
    return NULL;
}

int hs_drain_start(const char *logdir, struct hs_drain **out, struct hs_error *err)
{
    return hs_drain_start_relay(logdir, NULL, out, err);
}

int hs_drain_start_relay(const char *logdir, struct hs_relay *relay, struct hs_drain **out,
                         struct hs_error *err)
{
    struct hs_drain *d = calloc(1, sizeof *d);
    if (!d || !(d->dir = strdup(logdir))) {
        free(d);
        return hs_error_set(err, HS_ENOMEM, "out of memory");
    }
    d->relay = relay;
    d->dir_fd = open(logdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (d->dir_fd < 0) {
        int e = errno;
        free(d->dir);
        free(d);
        return hs_error_set(err, HS_EIO, "cannot open log directory '%s': %s", logdir, strerror(e));
    }
    d->inotify_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (d->inotify_fd >= 0 && inotify_add_watch(d->inotify_fd, logdir, IN_CREATE) < 0) {
        close(d->inotify_fd);
        d->inotify_fd = -1; /* the periodic rescan still finds the rings */
    }
    int tsc = hs_drain_tsc_invariant();
    d->env[0] = "HS_RING=1";
    d->env[1] = tsc ? "HS_TSC=1" : NULL;
    d->env[2] = NULL;
    calibrate(d);
    int rc = pthread_create(&d->thread, NULL, drain_main, d);
    if (rc != 0) {
        if (d->inotify_fd >= 0)
            close(d->inotify_fd);
        close(d->dir_fd);
        free(d->dir);
        free(d);
        return hs_error_set(err, HS_EIO, "cannot start the drain thread: %s", strerror(rc));
    }
    *out = d;
    return 0;
}

const char *const *hs_drain_env(const struct hs_drain *d)
{
    return d->env;
}

int hs_drain_finish(struct hs_drain *d, unsigned linger_ms, struct hs_drain_stats *stats,
                    struct hs_error *err)
{
    __atomic_store_n(&d->deadline, hs_mono_ns() + (uint64_t)linger_ms * 1000000u, __ATOMIC_RELAXED);
    __atomic_store_n(&d->stop, 1, __ATOMIC_RELEASE);
    pthread_join(d->thread, NULL);
    if (d->relay)
        hs_relay_close(d->relay); /* every ring is closed: all is posted */
    if (d->seq)
        munmap((void *)d->seq, sizeof *d->seq);
    if (stats)
        *stats = d->stats;
    int rc = 0;
    if (d->failed)
        rc = hs_error_set(err, HS_EIO, "%s", d->err.msg);
    if (d->inotify_fd >= 0)
        close(d->inotify_fd);
    close(d->dir_fd);
    free(d->rings);
    free(d->children);
    free(d->dir);
    free(d);
    return rc;
}
