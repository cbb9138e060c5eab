/*
 * fault_place.c - place page faults among the events and find their blocks
 * during the importer's pass (contract: fault_place.h).
 *
 *   faults by time   --- each event: place those older than M, enqueue on
 *   [0 1 2 3 ...]        their thread; the thread's event resolves its queue
 *   faults by addr   --- each block lifetime: binary search its range,
 *   [i j k ...]          keep the faults whose moment falls in it
 *
 * Check: tests/faults/ (a thread-heap block charged with its 24 first
 * touches; 256 faults of a 1 MiB mapping placed between its mmap and exit).
 */
#define _GNU_SOURCE /* qsort_r */
#include "fault_place.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fault_sampler.h"
#include "heapscope/event.h"

#define NONE UINT32_MAX
#define CHUNK_HEADER 16 /* glibc: the chunk starts 16 bytes before the pointer */

enum { UNPLACED = 0, WAITING = 1, RESOLVED = 2 };

struct aux {
    uint32_t next;  /* next fault waiting on the same thread */
    uint32_t image; /* NONE: a process the tracer never saw */
    uint8_t state;
    uint64_t block_ptr;      /* ptr of the block found at next_seq */
    uint64_t fb_seq, fb_ptr; /* the block at after_seq (used if no next_seq) */
};

struct waiters {
    uint32_t tid; /* 0: empty slot */
    uint32_t head, tail;
};

struct lifetime {
    uint32_t image;
    uint64_t ptr, chunk, alloc_seq, free_seq;
};

struct lifetimes {
    struct lifetime *v;
    size_t n, cap;
};

struct hs_fault_place {
    struct hs_fault *f; /* by time (= place order) */
    struct aux *aux;
    uint32_t *by_addr; /* indices sorted by (image, addr) */
    uint64_t n, lost;

    uint64_t next;                  /* first fault not placed yet */
    uint64_t max_ts, seq, prev_seq; /* M, the current event, the one before */
    int ended;
    int oom;

    struct waiters *w; /* open addressing by tid */
    size_t w_cap, w_used;
    uint64_t n_waiting;
    size_t w_last; /* slot of the last thread looked up */

    struct lifetimes now;  /* ended by the current event: checked at the next */
    struct lifetimes open; /* not seen to end (a lost free): checked at the end */
};

/* ---- reading the samples ---- */

static int read_samples(const char *path, struct hs_fault_place *p, struct hs_error *err)
{
    struct hs_log_header h;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return errno == ENOENT
                   ? 1
                   : hs_error_set(err, HS_EIO, "cannot open '%s': %s", path, strerror(errno));
    int rc = 0;
    struct hs_record *recs = NULL;
    if (read(fd, &h, sizeof h) != (ssize_t)sizeof h || memcmp(h.magic, HS_LOG_MAGIC, 8) != 0 ||
        h.record_size != HS_RECORD_SIZE || !(h.flags & HS_LOG_FAULT_SAMPLES)) {
        rc = hs_error_set(err, HS_EFORMAT, "'%s' is not a heapscope page-fault log", path);
        goto out_close;
    }
    if (h.format_version > HS_FORMAT_VERSION) {
        rc = hs_error_set(err, HS_EVERSION, "'%s' is log format %u, this heapscope reads up to %u",
                          path, h.format_version, HS_FORMAT_VERSION);
        goto out_close;
    }
    struct stat sb;
    uint64_t n = h.n_reserved;
    if (fstat(fd, &sb) == 0 && (uint64_t)sb.st_size < HS_LOG_HEADER_SIZE + n * HS_RECORD_SIZE)
        n = ((uint64_t)sb.st_size - HS_LOG_HEADER_SIZE) / HS_RECORD_SIZE;
    if (n >= NONE) {
        rc = hs_error_set(err, HS_EFORMAT, "'%s' has too many samples", path);
        goto out_close;
    }
    recs = malloc((n ? n : 1) * sizeof *recs);
    p->f = calloc(n ? n : 1, sizeof *p->f);
    if (!recs || !p->f) {
        rc = hs_error_set(err, HS_ENOMEM, "out of memory reading '%s'", path);
        goto out_close;
    }
    ssize_t want = (ssize_t)(n * sizeof *recs), got = 0;
    while (got < want) {
        ssize_t r = pread(fd, (char *)recs + got, (size_t)(want - got), HS_LOG_HEADER_SIZE + got);
        if (r <= 0)
            break;
        got += r;
    }
    n = (uint64_t)got / sizeof *recs;
    for (uint64_t i = 0; i < n; i++) {
        if (recs[i].op != HS_OP_PAGE_FAULT)
            continue;
        struct hs_fault *f = &p->f[p->n++];
        f->ts_ns = recs[i].ts_ns;
        f->tid = recs[i].tid;
        f->pid = (uint32_t)recs[i].u.call.size;
        f->addr = recs[i].u.call.ptr;
        f->ip = recs[i].u.call.caller;
        f->major = (recs[i].flags & HS_F_MAJOR_FAULT) != 0;
        f->next_seq = i; /* the drain order, to sort stably (reset below) */
    }
    p->lost = h.reserved0;
out_close:
    free(recs);
    close(fd);
    return rc;
}

static int by_time(const void *a, const void *b)
{
    const struct hs_fault *x = a, *y = b;
    if (x->ts_ns != y->ts_ns)
        return (x->ts_ns > y->ts_ns) - (x->ts_ns < y->ts_ns);
    return (x->next_seq > y->next_seq) - (x->next_seq < y->next_seq);
}

static int by_addr(const void *a, const void *b, void *ctx)
{
    const struct hs_fault_place *sort_ctx = ctx;
    uint32_t i = *(const uint32_t *)a, j = *(const uint32_t *)b;
    const struct aux *x = &sort_ctx->aux[i], *y = &sort_ctx->aux[j];
    if (x->image != y->image)
        return (x->image > y->image) - (x->image < y->image);
    uint64_t u = sort_ctx->f[i].addr, v = sort_ctx->f[j].addr;
    return (u > v) - (u < v);
}

/* The image of pid whose start is the latest at or before ts; the first
 * image of pid if ts is earlier. */
static uint32_t find_image(const struct hs_fault_place_image *im, uint32_t n, uint32_t pid,
                           uint64_t ts)
{
    uint32_t found = NONE;
    for (uint32_t i = 0; i < n; i++)
        if (im[i].pid == pid && (found == NONE || im[i].start_ts <= ts))
            found = i;
    return found;
}

int hs_fault_place_open(const char *logdir, const struct hs_fault_place_image *images,
                        uint32_t n_images, struct hs_fault_place **out, struct hs_error *err)
{
    char path[PATH_MAX];
    *out = NULL;
    struct hs_fault_place *p = calloc(1, sizeof *p);
    if (!p)
        return hs_error_set(err, HS_ENOMEM, "out of memory");
    snprintf(path, sizeof path, "%s/%s", logdir, HS_FAULTS_LOG_NAME);
    int rc = read_samples(path, p, err);
    if (rc == 0) {
        p->aux = calloc(p->n ? p->n : 1, sizeof *p->aux);
        p->by_addr = malloc((p->n ? p->n : 1) * sizeof *p->by_addr);
        if (!p->aux || !p->by_addr)
            rc = hs_error_set(err, HS_ENOMEM, "out of memory reading the page faults");
    }
    if (rc) {
        hs_fault_place_free(p);
        return rc > 0 ? 0 : rc; /* 1: no log */
    }
    /* Per-CPU drain order -> time order, which is also the place order. */
    qsort(p->f, p->n, sizeof *p->f, by_time);
    for (uint64_t i = 0; i < p->n; i++) {
        struct hs_fault *f = &p->f[i];
        f->next_seq = 0;
        p->aux[i].image = find_image(images, n_images, f->pid, f->ts_ns);
        p->aux[i].next = NONE;
        p->by_addr[i] = (uint32_t)i;
    }
    qsort_r(p->by_addr, p->n, sizeof *p->by_addr, by_addr, p);
    *out = p;
    return 0;
}

void hs_fault_place_free(struct hs_fault_place *p)
{
    if (!p)
        return;
    free(p->f);
    free(p->aux);
    free(p->by_addr);
    free(p->w);
    free(p->now.v);
    free(p->open.v);
    free(p);
}

struct hs_fault *hs_fault_place_faults(struct hs_fault_place *p, uint64_t *n, uint64_t *lost)
{
    *n = p->n;
    *lost = p->lost;
    return p->f;
}

/* ---- threads waiting for their next event ---- */

static size_t tid_slot(const struct hs_fault_place *p, uint32_t tid)
{
    size_t h = (tid * 0x9e3779b1u) & (p->w_cap - 1);
    while (p->w[h].tid && p->w[h].tid != tid)
        h = (h + 1) & (p->w_cap - 1);
    return h;
}

static struct waiters *waiters_of(struct hs_fault_place *p, uint32_t tid)
{
    if ((p->w_used + 1) * 2 > p->w_cap) {
        size_t cap = p->w_cap ? p->w_cap * 2 : 64;
        struct waiters *old = p->w;
        size_t old_cap = p->w_cap;
        p->w = calloc(cap, sizeof *p->w);
        if (!p->w) {
            p->w = old;
            p->oom = 1;
            return NULL;
        }
        p->w_cap = cap;
        for (size_t i = 0; i < old_cap; i++)
            if (old[i].tid)
                p->w[tid_slot(p, old[i].tid)] = old[i];
        free(old);
        p->w_last = 0;
    }
    size_t h = tid_slot(p, tid);
    if (!p->w[h].tid) {
        p->w[h] = (struct waiters){tid, NONE, NONE};
        p->w_used++;
    }
    return &p->w[h];
}

static void place_until(struct hs_fault_place *p, uint64_t max_ts)
{
    while (p->next < p->n && (p->ended || p->f[p->next].ts_ns < max_ts)) {
        uint32_t i = (uint32_t)p->next++;
        p->f[i].after_seq = p->ended ? p->seq : p->prev_seq;
        if (p->ended) {
            p->aux[i].state = RESOLVED; /* no next event */
            continue;
        }
        struct waiters *w = waiters_of(p, p->f[i].tid);
        if (!w)
            continue;
        p->aux[i].state = WAITING;
        if (w->tail == NONE)
            w->head = i;
        else
            p->aux[w->tail].next = i;
        w->tail = i;
        p->n_waiting++;
    }
}

/* ---- blocks ---- */

/* Offers the lifetime to the faults inside its range. */
static void check(struct hs_fault_place *p, const struct lifetime *b)
{
    uint64_t lo = b->ptr - CHUNK_HEADER, hi = lo + b->chunk;
    size_t a = 0, z = p->n; /* first fault with (image, addr) >= (b->image, lo) */
    while (a < z) {
        size_t mid = (a + z) / 2;
        uint32_t k = p->by_addr[mid];
        if (p->aux[k].image < b->image || (p->aux[k].image == b->image && p->f[k].addr < lo))
            a = mid + 1;
        else
            z = mid;
    }
    uint64_t end = b->free_seq ? b->free_seq : UINT64_MAX;
    for (; a < p->n; a++) {
        uint32_t k = p->by_addr[a];
        struct hs_fault *f = &p->f[k];
        struct aux *x = &p->aux[k];
        if (x->image != b->image || f->addr >= hi)
            break;
        if (x->state == UNPLACED)
            continue;
        /* At its thread's next event if it has one (known or to come),
         * else at its place. */
        if (f->next_seq) {
            if (f->next_seq >= b->alloc_seq && f->next_seq <= end && b->ptr > x->block_ptr) {
                f->block_seq = b->alloc_seq;
                x->block_ptr = b->ptr;
            }
        } else if (f->after_seq >= b->alloc_seq && f->after_seq <= end && b->ptr > x->fb_ptr) {
            x->fb_seq = b->alloc_seq;
            x->fb_ptr = b->ptr;
            if (p->ended) /* no next event will come: final */
                f->block_seq = b->alloc_seq;
        }
        /* A fault still waiting whose next event comes later than this
         * lifetime cannot be in it: next_seq > the current seq >= end,
         * unless the lifetime never ended, which is only offered after
         * the end. */
    }
}

static void flush(struct hs_fault_place *p, struct lifetimes *l)
{
    for (size_t i = 0; i < l->n; i++)
        check(p, &l->v[i]);
    l->n = 0;
}

void hs_fault_place_event(struct hs_fault_place *p, uint64_t seq, uint64_t ts_ns, uint32_t tid)
{
    p->prev_seq = p->seq;
    p->seq = seq;
    if (ts_ns > p->max_ts)
        p->max_ts = ts_ns;
    place_until(p, p->max_ts);
    if (p->now.n)
        flush(p, &p->now); /* every fault placed up to the previous event is in */
    if (!p->n_waiting)
        return;
    size_t h = p->w_last;
    if (h >= p->w_cap || p->w[h].tid != tid) {
        h = tid_slot(p, tid);
        if (!p->w[h].tid)
            return;
        p->w_last = h;
    }
    struct waiters *w = &p->w[h];
    while (w->head != NONE && p->f[w->head].ts_ns < ts_ns) {
        uint32_t i = w->head;
        p->f[i].next_seq = seq;
        p->aux[i].state = RESOLVED;
        w->head = p->aux[i].next;
        p->n_waiting--;
    }
    if (w->head == NONE)
        w->tail = NONE;
}

void hs_fault_place_block(struct hs_fault_place *p, uint32_t image, uint64_t ptr, uint64_t size,
                          uint64_t chunk_size, uint64_t alloc_seq, uint64_t free_seq)
{
    if (ptr < CHUNK_HEADER || p->n == 0)
        return;
    struct lifetime b = {image, ptr, chunk_size ? chunk_size : size + CHUNK_HEADER, alloc_seq,
                         free_seq};
    if (p->ended || (free_seq && free_seq < p->seq)) {
        check(p, &b);
        return;
    }
    /* Ended by the current event (a fault placed right after it may lie
     * in it: at most two such lifetimes) or not seen to end yet (a lost
     * free, rare): wait. */
    struct lifetimes *l = free_seq ? &p->now : &p->open;
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        struct lifetime *v = realloc(l->v, cap * sizeof *v);
        if (!v) {
            p->oom = 1;
            return;
        }
        l->v = v;
        l->cap = cap;
    }
    l->v[l->n++] = b;
}

int hs_fault_place_end(struct hs_fault_place *p, struct hs_error *err)
{
    if (!p->ended) {
        p->ended = 1;
        p->prev_seq = p->seq;
        place_until(p, UINT64_MAX);
        flush(p, &p->now);
        flush(p, &p->open);
        /* Faults that never saw their thread again: the block at their place. */
        for (uint64_t i = 0; i < p->n; i++)
            if (!p->f[i].next_seq)
                p->f[i].block_seq = p->aux[i].fb_seq;
    }
    return p->oom ? hs_error_set(err, HS_ENOMEM, "out of memory placing the page faults") : 0;
}
