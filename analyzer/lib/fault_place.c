/*
 * fault_place.c - place page faults among the events and find their blocks
 * during the importer's pass (contract: fault_place.h).
 *
 *   faults by time   --- each event: place those older than M, enqueue on
 *   [0 1 2 3 ...]        their thread; the thread's event resolves its queue
 *   faults by addr   --- each block lifetime: the faults in its range
 *   (fault_index.h)      (a lookup per page), keep those whose moment
 *                        falls in it
 *
 * The log is read in steps (feed): records come in per-CPU drain order, so
 * each step sorts the faults older than the sampler's complete_ns and
 * appends them (all older than every later step's), adds them to the
 * address index, and keeps the younger ones pending for the next step.
 *
 * Check: tests/faults/ (a thread-heap block charged with its 24 first
 * touches; 256 faults of a 1 MiB mapping placed between its mmap and exit;
 * a filled malloc(1 MiB) charged with the 257 pages of its mapping, the
 * header's, faulted before the inferred mmap, included).
 */
#include "fault_place.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fault_index.h"
#include "fault_sampler.h"
#include "grow.h"
#include "heapscope/event.h"
#include "mono_clock.h"

#define NONE UINT32_MAX
#define CHUNK_HEADER 16 /* glibc: the chunk starts 16 bytes before the pointer */

enum { UNPLACED = 0, WAITING = 1, RESOLVED = 2 };

struct aux {
    uint32_t next; /* next fault waiting on the same thread */
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
    uint64_t ptr, start, end; /* the block's bytes: [start, end) */
    uint64_t alloc_seq, free_seq;
};

struct lifetimes {
    struct lifetime *v;
    size_t n, cap;
};

/* A process image seen in the events. */
struct image {
    uint32_t pid;
    uint64_t end_seq; /* the seq before the pid's next image, UINT64_MAX: none yet */
};

struct hs_fault_place {
    struct hs_fault *f; /* by time (= place order) */
    struct aux *aux;
    struct hs_fault_index *by_addr; /* the faults by (pid, address) */
    uint64_t n, cap, lost;

    /* the log, read in steps */
    char path[PATH_MAX];
    int fd;           /* -1: not open (yet) */
    int live;         /* the sampler may still be writing it */
    int stalled;      /* live, the sampler's complete_ns stood still too long */
    int no_log;       /* there is none: nothing to place */
    uint64_t n_read;  /* its records read so far */
    uint64_t fed;     /* every fault older than this is in f */
    struct hs_fault *pending; /* read, not older than fed */
    size_t n_pending, cap_pending;
    int rc;           /* the first failure, reported by hs_fault_place_end */
    struct hs_error err;

    struct image *images;
    size_t n_images, cap_images;

    uint64_t next;                  /* first fault not placed yet */
    uint64_t max_ts, seq, prev_seq; /* M, the current event, the one before */
    uint64_t last_moment;           /* the latest after_seq or next_seq given to a fault */
    int ended;

    struct waiters *w; /* open addressing by tid */
    size_t w_cap, w_used;
    uint64_t n_waiting;
    size_t w_last; /* slot of the last thread looked up */

    struct lifetimes now;  /* ended by the current event: checked at the next */
    struct lifetimes open; /* not seen to end (a lost free): checked at the end */
};

static void fail(struct hs_fault_place *p, int rc, const char *what)
{
    if (p->rc)
        return;
    p->rc = hs_error_set(&p->err, rc, "%s", what);
}

/* Room for `need` elements in *v (hs_grow's doubling, as often as it
 * takes): 0, or -1 out of memory (*v then still valid, *cap its room). */
static int grow(void **v, size_t *cap, size_t need, size_t size)
{
    while (*cap < need) {
        void *g = hs_grow(*v, cap, *cap, size, 64);
        if (!g)
            return -1;
        *v = g;
    }
    return 0;
}

/* ---- reading the samples ---- */

/* Opens the log and checks its header: 0, HS_E*, or 0 with no_log set. */
static int open_log(struct hs_fault_place *p)
{
    struct hs_log_header h;
    p->fd = open(p->path, O_RDONLY | O_CLOEXEC);
    if (p->fd < 0) {
        if (errno == ENOENT) {
            p->no_log = 1;
            return 0;
        }
        return hs_error_set(&p->err, HS_EIO, "cannot open '%s': %s", p->path, strerror(errno));
    }
    if (pread(p->fd, &h, sizeof h, 0) != (ssize_t)sizeof h ||
        memcmp(h.magic, HS_LOG_MAGIC, 8) != 0 || h.record_size != HS_RECORD_SIZE ||
        !(h.flags & HS_LOG_FAULT_SAMPLES))
        return hs_error_set(&p->err, HS_EFORMAT, "'%s' is not a heapscope page-fault log",
                            p->path);
    if (h.format_version > HS_FORMAT_VERSION)
        return hs_error_set(&p->err, HS_EVERSION,
                            "'%s' is log format %u, this heapscope reads up to %u", p->path,
                            h.format_version, HS_FORMAT_VERSION);
    return 0;
}

/* Appends the page-fault records of the log from n_read on, up to what its
 * header counts, to pending. *complete: the header's complete_ns. */
static int read_more(struct hs_fault_place *p, uint64_t *complete)
{
    struct hs_log_header h;
    struct stat sb;
    if (pread(p->fd, &h, sizeof h, 0) != (ssize_t)sizeof h || fstat(p->fd, &sb) != 0)
        return hs_error_set(&p->err, HS_EIO, "cannot read '%s': %s", p->path, strerror(errno));
    *complete = h.complete_ns;
    p->lost = h.reserved0;
    uint64_t n = h.n_reserved;
    if ((uint64_t)sb.st_size < HS_LOG_HEADER_SIZE + n * HS_RECORD_SIZE)
        n = ((uint64_t)sb.st_size - HS_LOG_HEADER_SIZE) / HS_RECORD_SIZE;
    struct hs_record recs[256];
    while (p->n_read < n) {
        uint64_t want = n - p->n_read < 256 ? n - p->n_read : 256;
        ssize_t got = pread(p->fd, recs, want * sizeof *recs,
                            (off_t)(HS_LOG_HEADER_SIZE + p->n_read * HS_RECORD_SIZE));
        if (got < (ssize_t)sizeof *recs)
            break; /* a short file: what it holds is all there is */
        uint64_t k = (uint64_t)got / sizeof *recs;
        if (p->n_read + k >= NONE)
            return hs_error_set(&p->err, HS_EFORMAT, "'%s' has too many samples", p->path);
        if (grow((void **)&p->pending, &p->cap_pending, p->n_pending + k, sizeof *p->pending))
            return hs_error_set(&p->err, HS_ENOMEM, "out of memory reading '%s'", p->path);
        for (uint64_t i = 0; i < k; i++) {
            if (recs[i].op != HS_OP_PAGE_FAULT)
                continue;
            struct hs_fault *f = &p->pending[p->n_pending++];
            memset(f, 0, sizeof *f);
            f->ts_ns = recs[i].ts_ns;
            f->tid = recs[i].tid;
            f->pid = (uint32_t)recs[i].u.call.size;
            f->addr = recs[i].u.call.ptr;
            f->ip = recs[i].u.call.caller;
            f->major = (recs[i].flags & HS_F_MAJOR_FAULT) != 0;
            f->next_seq = p->n_read + i; /* the drain order, to sort stably (reset below) */
        }
        p->n_read += k;
    }
    return 0;
}

static int by_time(const void *a, const void *b)
{
    const struct hs_fault *x = a, *y = b;
    if (x->ts_ns != y->ts_ns)
        return (x->ts_ns > y->ts_ns) - (x->ts_ns < y->ts_ns);
    return (x->next_seq > y->next_seq) - (x->next_seq < y->next_seq);
}

/* Moves the pending faults older than `upto` into f (in time order, after
 * the older ones) and into the address index. */
static int admit(struct hs_fault_place *p, uint64_t upto)
{
    size_t k = 0, first = p->n, add = 0;
    for (size_t i = 0; i < p->n_pending; i++)
        add += p->pending[i].ts_ns < upto;
    if (add == 0)
        return 0;
    /* f and aux share one capacity: grow the first, follow it */
    size_t cap_aux = p->cap;
    if (grow((void **)&p->f, &p->cap, p->n + add, sizeof *p->f) ||
        grow((void **)&p->aux, &cap_aux, p->cap, sizeof *p->aux))
        return hs_error_set(&p->err, HS_ENOMEM, "out of memory reading the page faults");
    for (size_t i = 0; i < p->n_pending; i++) {
        if (p->pending[i].ts_ns < upto)
            p->f[p->n++] = p->pending[i];
        else
            p->pending[k++] = p->pending[i];
    }
    p->n_pending = k;
    qsort(p->f + first, add, sizeof *p->f, by_time);
    for (size_t i = first; i < p->n; i++) {
        p->f[i].next_seq = 0;
        p->aux[i] = (struct aux){.next = NONE};
        if (hs_fault_index_add(p->by_addr, p->f[i].pid, p->f[i].addr, (uint32_t)i))
            return hs_error_set(&p->err, HS_ENOMEM, "out of memory reading the page faults");
    }
    return 0;
}

/*
 * Makes f hold every fault older than `need` (all of them: UINT64_MAX).
 * After the run one read does it. Live, it reads what the sampler wrote
 * and naps until complete_ns passes need; a sampler stalled for
 * HS_FAULT_PLACE_STALL_MS ends the waiting for good.
 */
static void feed(struct hs_fault_place *p, uint64_t need)
{
    if (p->no_log || p->rc || need <= p->fed)
        return;
    int rc = p->fd < 0 ? open_log(p) : 0;
    if (rc == 0 && p->no_log) {
        p->fed = UINT64_MAX; /* nothing will come */
        return;
    }
    uint64_t complete = 0, seen = 0, since = 0;
    while (rc == 0 && (rc = read_more(p, &complete)) == 0) {
        if (!p->live || complete == UINT64_MAX)
            complete = UINT64_MAX;
        if (complete >= need)
            break;
        uint64_t now = hs_mono_ns() / 1000000u;
        if (complete != seen || !since) {
            seen = complete;
            since = now;
        } else if (now - since >= HS_FAULT_PLACE_STALL_MS) {
            p->live = 0; /* the sampler is gone: use what it wrote */
            p->stalled = 1;
            complete = UINT64_MAX;
            break;
        }
        nanosleep(&(struct timespec){0, 1000000}, NULL);
    }
    if (rc == 0)
        rc = admit(p, complete);
    if (rc)
        p->rc = rc;
    p->fed = rc ? UINT64_MAX : complete; /* after a failure, stop reading */
}

int hs_fault_place_open(const char *logdir, int live, struct hs_fault_place **out,
                        struct hs_error *err)
{
    *out = NULL;
    struct hs_fault_place *p = calloc(1, sizeof *p);
    if (!p)
        return hs_error_set(err, HS_ENOMEM, "out of memory");
    p->fd = -1;
    p->live = live;
    if (!(p->by_addr = hs_fault_index_new())) {
        free(p);
        return hs_error_set(err, HS_ENOMEM, "out of memory");
    }
    snprintf(p->path, sizeof p->path, "%s/%s", logdir, HS_FAULTS_LOG_NAME);
    if (!live) {
        feed(p, UINT64_MAX);
        if (p->rc || p->no_log) {
            int rc = p->rc ? hs_error_set(err, p->rc, "%s", p->err.msg) : 0;
            hs_fault_place_free(p);
            return rc;
        }
    }
    *out = p;
    return 0;
}

void hs_fault_place_free(struct hs_fault_place *p)
{
    if (!p)
        return;
    if (p->fd >= 0)
        close(p->fd);
    free(p->f);
    free(p->aux);
    hs_fault_index_free(p->by_addr);
    free(p->pending);
    free(p->images);
    free(p->w);
    free(p->now.v);
    free(p->open.v);
    free(p);
}

int hs_fault_place_has_log(const struct hs_fault_place *p)
{
    return p && !p->no_log;
}

int hs_fault_place_stalled(const struct hs_fault_place *p)
{
    return p && p->stalled;
}

struct hs_fault *hs_fault_place_faults(struct hs_fault_place *p, uint64_t *n, uint64_t *lost)
{
    *n = p->no_log ? 0 : p->n;
    *lost = p->lost;
    return p->no_log ? NULL : p->f;
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
            fail(p, HS_ENOMEM, "out of memory placing the page faults");
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

/* Fault i has its moment m (its place, then its thread's next event): a
 * lifetime allocated after m cannot hold it (offer), so its page is
 * stamped with the latest and lifetimes pass over pages stamped before
 * they began (check). */
static void moment(struct hs_fault_place *p, uint32_t i, uint64_t m)
{
    if (m > p->last_moment)
        p->last_moment = m;
    hs_fault_index_stamp(p->by_addr, p->f[i].pid, p->f[i].addr, m);
}

static void place_until(struct hs_fault_place *p, uint64_t max_ts)
{
    while (p->next < p->n && (p->ended || p->f[p->next].ts_ns < max_ts)) {
        uint32_t i = (uint32_t)p->next++;
        p->f[i].after_seq = p->ended ? p->seq : p->prev_seq;
        moment(p, i, p->f[i].after_seq);
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

/* Offers lifetime b (ending at `end`) to fault k, whose address is in it. */
static void offer(struct hs_fault_place *p, const struct lifetime *b, uint64_t end, uint32_t k)
{
    struct hs_fault *f = &p->f[k];
    struct aux *x = &p->aux[k];
    if (x->state == UNPLACED)
        return;
    /* At its thread's next event if it has one (known or to come), else
     * at its place. A fault still waiting whose next event comes later
     * than this lifetime cannot be in it: next_seq > the current seq >=
     * end, unless the lifetime never ended, which is only offered after
     * the end. */
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
}

/* What check() hands to offer() for each fault the index finds. */
struct offering {
    struct hs_fault_place *p;
    const struct lifetime *b;
    uint64_t end;
};

static void offer_found(void *ctx, uint32_t k)
{
    struct offering *o = ctx;
    offer(o->p, o->b, o->end, k);
}

/* Offers the lifetime to the faults inside its range. */
static void check(struct hs_fault_place *p, const struct lifetime *b)
{
    /* A fault lies in a lifetime only if its moment does: none can when
     * every fault had its moments before the block was allocated (most
     * blocks of a program that faults early and then runs steady; the
     * index asks the same of each page: moment()). An image without
     * events has no blocks. */
    if (p->last_moment < b->alloc_seq || b->image >= p->n_images || !p->images[b->image].pid)
        return;
    /* Never seen to end: it lasts until the pid's next image (exec). */
    struct offering o = {p, b, b->free_seq ? b->free_seq : p->images[b->image].end_seq};
    hs_fault_index_each(p->by_addr, p->images[b->image].pid, b->start, b->end, b->alloc_seq,
                        offer_found, &o);
}

static void flush(struct hs_fault_place *p, struct lifetimes *l)
{
    for (size_t i = 0; i < l->n; i++)
        check(p, &l->v[i]);
    l->n = 0;
}

/* Notes the first event of an image; an earlier image of the same pid
 * (it exec'd) ends with the event before it. */
static void see_image(struct hs_fault_place *p, uint32_t image, uint32_t pid, uint64_t seq)
{
    if (grow((void **)&p->images, &p->cap_images, (size_t)image + 1, sizeof *p->images)) {
        fail(p, HS_ENOMEM, "out of memory placing the page faults");
        return;
    }
    while (p->n_images <= image)
        p->images[p->n_images++] = (struct image){0, UINT64_MAX};
    for (size_t i = 0; i < p->n_images; i++)
        if (p->images[i].pid == pid && p->images[i].end_seq == UINT64_MAX)
            p->images[i].end_seq = seq - 1;
    p->images[image].pid = pid;
}

int hs_fault_place_event(struct hs_fault_place *p, uint32_t image, uint32_t pid, uint64_t seq,
                         uint64_t ts_ns, uint32_t tid, uint8_t origin)
{
    if (image >= p->n_images || !p->images[image].pid)
        see_image(p, image, pid, seq);
    p->prev_seq = p->seq;
    p->seq = seq;
    if (ts_ns > p->max_ts) {
        p->max_ts = ts_ns;
        if (ts_ns > p->fed)
            feed(p, ts_ns); /* every fault older than M is needed now */
        if (p->no_log)
            return 1;
    }
    if (p->next < p->n && p->f[p->next].ts_ns < p->max_ts)
        place_until(p, p->max_ts);
    if (p->now.n)
        flush(p, &p->now); /* every fault placed up to the previous event is in */
    /* The tracer records the brk/mmap it infers for a call after the call
     * returned, just before the call itself: malloc's writes into the new
     * memory (a header, calloc's zeroing, realloc's copy) fault before both
     * and belong to the call, so an allocator event does not end the
     * thread's wait for its next event. */
    if (!p->n_waiting || origin == HS_ORIGIN_ALLOCATOR)
        return 0;
    size_t h = p->w_last;
    if (h >= p->w_cap || p->w[h].tid != tid) {
        h = tid_slot(p, tid);
        if (!p->w[h].tid)
            return 0;
        p->w_last = h;
    }
    struct waiters *w = &p->w[h];
    while (w->head != NONE && p->f[w->head].ts_ns < ts_ns) {
        uint32_t i = w->head;
        p->f[i].next_seq = seq;
        moment(p, i, seq);
        p->aux[i].state = RESOLVED;
        w->head = p->aux[i].next;
        p->n_waiting--;
    }
    if (w->head == NONE)
        w->tail = NONE;
    return 0;
}

void hs_fault_place_prefetch(const struct hs_fault_place *p, uint32_t image, uint64_t ptr)
{
    if (image < p->n_images && ptr >= CHUNK_HEADER)
        hs_fault_index_prefetch(p->by_addr, p->images[image].pid, ptr - CHUNK_HEADER);
}

void hs_fault_place_block(struct hs_fault_place *p, uint32_t image, uint64_t ptr, uint64_t size,
                          uint64_t chunk_size, uint16_t flags, uint64_t alloc_seq,
                          uint64_t free_seq)
{
    if (ptr < CHUNK_HEADER || p->no_log)
        return;
    /* Another allocator's chunk_size is malloc_usable_size() and its
     * layout unknown: the 16 bytes before ptr may be another block's. */
    struct lifetime b = {image, ptr, ptr, ptr + size, alloc_seq, free_seq};
    if (!(flags & HS_F_NO_CHUNK)) {
        b.start = ptr - CHUNK_HEADER;
        b.end = b.start + (chunk_size ? chunk_size : size + CHUNK_HEADER);
    }
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
            fail(p, HS_ENOMEM, "out of memory placing the page faults");
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
        feed(p, UINT64_MAX); /* live: once the sampler stopped */
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
    return p->rc ? hs_error_set(err, p->rc, "%s", p->err.msg) : 0;
}
