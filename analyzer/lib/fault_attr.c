/*
 * fault_attr.c - attribute page faults to regions, touches and blocks by
 * replaying each process's brk/mmap/munmap/mremap events over the maps it
 * started with (contract and definitions: fault_attr.h).
 *
 * The algorithm is a single sweep in event order. Faults arrive sorted by
 * their place (after_seq); before classifying a fault, its process applies
 * every one of its own address-space events with seq <= after_seq. State per
 * process image: the break, an ordered set of address intervals each
 * labelled with a region, and the libc code ranges. State for all images:
 * one hash of page -> {faulted, released} for the touch kinds.
 *
 *     maps at start           events replayed up to the fault
 *   [heap] [stack] libs  +  brk moves, mmap inserts, munmap/mremap remove
 *        \___________________________/
 *                     |
 *             classify(addr) -> region, touch, block
 *
 * Check: tests/faults/ finds 256 'mmap' first touches in a 1 MiB mapping,
 * and 256 'refault' ones when the same range is mapped again.
 */
#include "fault_attr.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grow.h"
#include "heapscope/event.h"

#define PAGE_SHIFT 12
#define THREAD_HEAP_SIZE (64ull << 20) /* glibc HEAP_MAX_SIZE on 64-bit */
#define STACK_GROWTH (8ull << 20)      /* default RLIMIT_STACK */

struct interval {
    uint64_t start, end; /* [start, end) */
    uint8_t region;
    uint8_t allocator; /* mapped by the allocator: may hold blocks */
};

/* Non-overlapping intervals sorted by start. */
struct ivset {
    struct interval *v;
    size_t n, cap;
};

struct sys_ev {
    uint64_t seq, ptr, size, old_ptr, old_size;
    uint8_t op, origin;
    uint16_t flags;
};

struct image {
    int64_t proc; /* processes.proc */
    uint32_t pid, exec_gen;
    uint64_t start_ts;
    uint64_t heap_start, brk;
    uint64_t stack_start, stack_end;
    struct ivset regions;
    struct ivset libc_code;
    struct sys_ev *events;
    size_t n_events, cap_events, next_event;
};

/* Open addressing, key 0 = empty; linear probing; grows at 50% load. */
struct pageset {
    uint64_t *keys;
    uint8_t *vals;
    size_t cap, n;
};

enum { PAGE_FAULTED = 1, PAGE_RELEASED = 2 };

struct attr {
    sqlite3 *db;
    struct hs_error *err;
    struct image *images;
    size_t n_images;
    struct pageset pages;
};

const char *hs_fault_region_name(unsigned region)
{
    static const char *const names[HS_REGION_COUNT] = {"heap",  "mmap",    "thread-heap",
                                                       "stack", "library", "other"};
    return region < HS_REGION_COUNT ? names[region] : "?";
}

const char *hs_fault_touch_name(unsigned touch)
{
    static const char *const names[HS_TOUCH_COUNT] = {"first", "refault", "repeat"};
    return touch < HS_TOUCH_COUNT ? names[touch] : "?";
}

/* ---- interval sets ---- */

static size_t iv_upper(const struct ivset *s, uint64_t addr)
{
    size_t lo = 0, hi = s->n; /* first index with start > addr */
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (s->v[mid].start <= addr)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static const struct interval *iv_find(const struct ivset *s, uint64_t addr)
{
    size_t i = iv_upper(s, addr);
    if (i > 0 && addr < s->v[i - 1].end)
        return &s->v[i - 1];
    return NULL;
}

static int iv_reserve(struct ivset *s, size_t extra)
{
    if (s->n + extra <= s->cap)
        return 0;
    size_t cap = s->cap ? s->cap * 2 : 64;
    while (cap < s->n + extra)
        cap *= 2;
    struct interval *v = realloc(s->v, cap * sizeof *v);
    if (!v)
        return -1;
    s->v = v;
    s->cap = cap;
    return 0;
}

/* Removes [a, b) from every interval, splitting the one that straddles. */
static int iv_remove(struct ivset *s, uint64_t a, uint64_t b)
{
    if (a >= b || iv_reserve(s, 1))
        return a >= b ? 0 : -1;
    size_t i = iv_upper(s, a);
    if (i > 0 && s->v[i - 1].end > a) {
        struct interval *left = &s->v[i - 1];
        if (left->end > b) { /* [a, b) strictly inside: split in two */
            memmove(&s->v[i + 1], &s->v[i], (s->n - i) * sizeof *s->v);
            s->v[i] = (struct interval){b, left->end, left->region, left->allocator};
            left->end = a;
            s->n++;
            return 0;
        }
        left->end = a;
    }
    size_t j = i;
    while (j < s->n && s->v[j].end <= b && s->v[j].start < b)
        j++;
    if (j < s->n && s->v[j].start < b)
        s->v[j].start = b; /* straddles b: keep its upper part */
    memmove(&s->v[i], &s->v[j], (s->n - j) * sizeof *s->v);
    s->n -= j - i;
    /* Drop intervals emptied by the cut on the left. */
    if (i > 0 && s->v[i - 1].start >= s->v[i - 1].end) {
        memmove(&s->v[i - 1], &s->v[i], (s->n - i) * sizeof *s->v);
        s->n--;
    }
    return 0;
}

static int iv_insert(struct ivset *s, uint64_t a, uint64_t b, uint8_t region, uint8_t allocator)
{
    if (a >= b)
        return 0;
    if (iv_remove(s, a, b) || iv_reserve(s, 1))
        return -1;
    size_t i = iv_upper(s, a);
    memmove(&s->v[i + 1], &s->v[i], (s->n - i) * sizeof *s->v);
    s->v[i] = (struct interval){a, b, region, allocator};
    s->n++;
    return 0;
}

/* ---- page states ---- */

static uint64_t hash64(uint64_t k)
{
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdull;
    k ^= k >> 33;
    return k;
}

static uint8_t *page_slot(struct pageset *p, uint64_t key, int create)
{
    if (create && (p->n + 1) * 2 > p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 4096;
        uint64_t *keys = calloc(cap, sizeof *keys);
        uint8_t *vals = calloc(cap, 1);
        if (!keys || !vals) {
            free(keys);
            free(vals);
            return NULL;
        }
        for (size_t i = 0; i < p->cap; i++) {
            if (!p->keys[i])
                continue;
            size_t h = hash64(p->keys[i]) & (cap - 1);
            while (keys[h])
                h = (h + 1) & (cap - 1);
            keys[h] = p->keys[i];
            vals[h] = p->vals[i];
        }
        free(p->keys);
        free(p->vals);
        p->keys = keys;
        p->vals = vals;
        p->cap = cap;
    }
    if (!p->cap)
        return NULL;
    size_t h = hash64(key) & (p->cap - 1);
    while (p->keys[h] && p->keys[h] != key)
        h = (h + 1) & (p->cap - 1);
    if (!p->keys[h]) {
        if (!create)
            return NULL;
        p->keys[h] = key;
        p->vals[h] = 0;
        p->n++;
    }
    return &p->vals[h];
}

static uint64_t page_key(size_t image, uint64_t addr)
{
    return ((uint64_t)(image + 1) << 44) | (addr >> PAGE_SHIFT);
}

/* Marks the faulted pages of [a, b) released (munmap, trim, remap). */
static void release_pages(struct attr *at, size_t image, uint64_t a, uint64_t b)
{
    uint64_t first = a >> PAGE_SHIFT, last = (b + (1u << PAGE_SHIFT) - 1) >> PAGE_SHIFT;
    if (a >= b || at->pages.n == 0)
        return;
    if (last - first > at->pages.cap) { /* walk the table, not the range */
        for (size_t i = 0; i < at->pages.cap; i++) {
            uint64_t k = at->pages.keys[i];
            if (k && k >> 44 == image + 1 && (k & ((1ull << 44) - 1)) >= first &&
                (k & ((1ull << 44) - 1)) < last && at->pages.vals[i] == PAGE_FAULTED)
                at->pages.vals[i] = PAGE_RELEASED;
        }
        return;
    }
    for (uint64_t pg = first; pg < last; pg++) {
        uint8_t *v = page_slot(&at->pages, page_key(image, pg << PAGE_SHIFT), 0);
        if (v && *v == PAGE_FAULTED)
            *v = PAGE_RELEASED;
    }
}

/* ---- loading ---- */

static int db_fail(struct attr *at, const char *what)
{
    return hs_error_set(at->err, HS_EDB, "%s: %s", what, sqlite3_errmsg(at->db));
}

static int is_shared_object(const char *path)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    return strstr(base, ".so") != NULL;
}

/* Fills the image's regions from its maps text ("start-end perms off dev
 * inode path" per line, as in /proc/PID/maps). */
static int load_maps(struct image *im, const char *maps, const char *exe)
{
    uint8_t prev_region = HS_REGION_OTHER;
    uint64_t prev_end = 0;
    for (const char *line = maps; line && *line;) {
        const char *nl = strchr(line, '\n');
        size_t len = nl ? (size_t)(nl - line) : strlen(line);
        char buf[1024], perms[8] = "", path[900] = "";
        unsigned long start, end;
        if (len >= sizeof buf)
            len = sizeof buf - 1;
        memcpy(buf, line, len);
        buf[len] = '\0';
        line = nl ? nl + 1 : NULL;
        if (sscanf(buf, "%lx-%lx %7s %*s %*s %*s %899[^\n]", &start, &end, perms, path) < 3)
            continue;
        uint8_t region = HS_REGION_OTHER;
        if (strcmp(path, "[heap]") == 0) {
            region = HS_REGION_HEAP;
            if (!im->heap_start || start < im->heap_start)
                im->heap_start = start;
            if (end > im->brk)
                im->brk = end;
        } else if (strcmp(path, "[stack]") == 0) {
            region = HS_REGION_STACK;
            im->stack_start = start;
            im->stack_end = end;
        } else if (path[0] == '/' && (!exe || strcmp(path, exe) != 0) && is_shared_object(path)) {
            region = HS_REGION_LIBRARY;
            const char *base = strrchr(path, '/') + 1;
            if (strncmp(base, "libc.so", 7) == 0 && strchr(perms, 'x') &&
                iv_insert(&im->libc_code, start, end, HS_REGION_LIBRARY, 0))
                return -1;
        } else if (path[0] == '\0' && prev_region == HS_REGION_LIBRARY && start == prev_end) {
            region = HS_REGION_LIBRARY; /* the .bss right after a library */
        }
        if (iv_insert(&im->regions, start, end, region, 0))
            return -1;
        prev_region = region;
        prev_end = end;
    }
    return 0;
}

/* The address-space events of every image, in one pass over sys_events
 * (seq order), each appended to its image's list. */
static int load_events(struct attr *at)
{
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(at->db,
                           "SELECT seq, op, origin, flags, ptr, size, old_ptr, chunk_size, proc"
                           " FROM sys_events WHERE op IN (11, 13, 14, 15, 16, 17) ORDER BY seq",
                           -1, &s, NULL) != SQLITE_OK)
        return db_fail(at, "cannot read sys_events");
    /* proc -> image (procs are 1..n, but look them up anyway) */
    int64_t max_proc = 0;
    for (size_t i = 0; i < at->n_images; i++)
        if (at->images[i].proc > max_proc)
            max_proc = at->images[i].proc;
    struct image **by_proc = calloc((size_t)max_proc + 1, sizeof *by_proc);
    if (!by_proc) {
        sqlite3_finalize(s);
        return hs_error_set(at->err, HS_ENOMEM, "out of memory reading sys_events");
    }
    for (size_t i = 0; i < at->n_images; i++)
        if (at->images[i].proc > 0)
            by_proc[at->images[i].proc] = &at->images[i];
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        int64_t proc = sqlite3_column_int64(s, 8);
        struct image *im = proc > 0 && proc <= max_proc ? by_proc[proc] : NULL;
        if (!im)
            continue;
        struct sys_ev *grown =
            hs_grow(im->events, &im->cap_events, im->n_events, sizeof *grown, 256);
        if (!grown) {
            sqlite3_finalize(s);
            free(by_proc);
            return hs_error_set(at->err, HS_ENOMEM, "out of memory reading sys_events");
        }
        im->events = grown;
        struct sys_ev *e = &im->events[im->n_events++];
        e->seq = (uint64_t)sqlite3_column_int64(s, 0);
        e->op = (uint8_t)sqlite3_column_int(s, 1);
        e->origin = (uint8_t)sqlite3_column_int(s, 2);
        e->flags = (uint16_t)sqlite3_column_int(s, 3);
        e->ptr = (uint64_t)sqlite3_column_int64(s, 4);
        e->size = (uint64_t)sqlite3_column_int64(s, 5);
        e->old_ptr = (uint64_t)sqlite3_column_int64(s, 6);
        e->old_size = (uint64_t)sqlite3_column_int64(s, 7);
    }
    sqlite3_finalize(s);
    free(by_proc);
    return rc == SQLITE_DONE ? 0 : db_fail(at, "cannot read sys_events");
}

static int load_images(struct attr *at)
{
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(at->db,
                           "SELECT pid, exec_gen, start_ts_ns, initial_brk, maps, exe, proc"
                           " FROM processes ORDER BY pid, exec_gen",
                           -1, &s, NULL) != SQLITE_OK)
        return db_fail(at, "cannot read processes");
    size_t cap = 0;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct image *grown = hs_grow(at->images, &cap, at->n_images, sizeof *grown, 8);
        if (!grown) {
            sqlite3_finalize(s);
            return hs_error_set(at->err, HS_ENOMEM, "out of memory reading processes");
        }
        at->images = grown;
        struct image *im = &at->images[at->n_images++];
        memset(im, 0, sizeof *im);
        im->pid = (uint32_t)sqlite3_column_int64(s, 0);
        im->exec_gen = (uint32_t)sqlite3_column_int64(s, 1);
        im->proc = sqlite3_column_int64(s, 6);
        im->start_ts = (uint64_t)sqlite3_column_int64(s, 2);
        uint64_t initial_brk = (uint64_t)sqlite3_column_int64(s, 3);
        if (load_maps(im, (const char *)sqlite3_column_text(s, 4),
                      (const char *)sqlite3_column_text(s, 5))) {
            sqlite3_finalize(s);
            return hs_error_set(at->err, HS_ENOMEM, "out of memory reading maps");
        }
        if (initial_brk) {
            if (!im->heap_start)
                im->heap_start = initial_brk;
            if (initial_brk > im->brk)
                im->brk = initial_brk;
        }
    }
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE)
        return db_fail(at, "cannot read processes");
    return load_events(at);
}

/* ---- the sweep ---- */

static int apply_event(struct attr *at, size_t idx, const struct sys_ev *e)
{
    struct image *im = &at->images[idx];
    if (e->flags & HS_F_FAILED)
        return 0;
    uint64_t page = 1u << PAGE_SHIFT;
    switch (e->op) {
    case HS_OP_MALLOC_TRIM:
        /* glibc's mtrim gave back (madvise MADV_DONTNEED) every whole page
         * of the free chunks of the heap, which only its model knows: a
         * page of the heap that faults again was one of them (a page in
         * use is not touched by the madvise and does not fault). */
        if ((e->flags & 1) && im->heap_start) /* it returned 1: something was released */
            release_pages(at, idx, im->heap_start, im->brk);
        return 0;
    case HS_OP_BRK:
    case HS_OP_SBRK:
        if (!im->heap_start)
            im->heap_start = e->old_ptr ? e->old_ptr : e->ptr;
        if (e->ptr < im->brk) /* a trim or a program's brk down */
            release_pages(at, idx, (e->ptr + page - 1) & ~(page - 1), im->brk);
        im->brk = e->ptr;
        return 0;
    case HS_OP_MMAP: {
        uint64_t end = e->ptr + ((e->size + page - 1) & ~(page - 1));
        uint8_t region = e->origin == HS_ORIGIN_ALLOCATOR && e->size == THREAD_HEAP_SIZE &&
                                 e->ptr % THREAD_HEAP_SIZE == 0
                             ? HS_REGION_THREAD_HEAP
                             : HS_REGION_MMAP;
        release_pages(at, idx, e->ptr, end);
        return iv_insert(&im->regions, e->ptr, end, region, e->origin == HS_ORIGIN_ALLOCATOR);
    }
    case HS_OP_MUNMAP: {
        uint64_t end = e->ptr + ((e->size + page - 1) & ~(page - 1));
        release_pages(at, idx, e->ptr, end);
        return iv_remove(&im->regions, e->ptr, end);
    }
    case HS_OP_MREMAP: {
        const struct interval *old = iv_find(&im->regions, e->old_ptr);
        uint8_t region = old ? old->region : HS_REGION_MMAP;
        uint8_t allocator = old ? old->allocator : e->origin == HS_ORIGIN_ALLOCATOR;
        uint64_t old_end = e->old_ptr + ((e->old_size + page - 1) & ~(page - 1));
        uint64_t end = e->ptr + ((e->size + page - 1) & ~(page - 1));
        if (e->ptr != e->old_ptr)
            release_pages(at, idx, e->old_ptr, old_end);
        if (iv_remove(&im->regions, e->old_ptr, old_end))
            return -1;
        return iv_insert(&im->regions, e->ptr, end, region, allocator);
    }
    }
    return 0;
}

/* The image of pid whose start is the latest at or before ts; the first
 * image of pid if ts is earlier (faults before the tracer started). */
static long find_image(const struct attr *at, uint32_t pid, uint64_t ts)
{
    long found = -1;
    for (size_t i = 0; i < at->n_images; i++) {
        const struct image *im = &at->images[i];
        if (im->pid != pid)
            continue;
        if (found < 0 || im->start_ts <= ts)
            found = (long)i;
    }
    return found;
}

/* The region of addr; *blocks set if the allocator owns that memory (so a
 * block may hold addr). */
/* The tracer records the allocator's brk/mmap after the malloc that made
 * them returns, so malloc's own first writes to new memory (the chunk
 * header, the top chunk, a new arena) fault before the event that maps it.
 * Look ahead, up to the faulting thread's next event, for one that covers
 * addr. */
static int lookahead(const struct image *im, uint64_t addr, uint64_t until_seq, uint8_t *region)
{
    for (size_t j = im->next_event; j < im->n_events && im->events[j].seq <= until_seq; j++) {
        const struct sys_ev *e = &im->events[j];
        if (e->flags & HS_F_FAILED)
            continue;
        if ((e->op == HS_OP_BRK || e->op == HS_OP_SBRK) && im->heap_start &&
            addr >= im->heap_start && addr < e->ptr) {
            *region = HS_REGION_HEAP;
            return 1;
        }
        if (e->op == HS_OP_MMAP && addr >= e->ptr && addr < e->ptr + e->size) {
            *region = e->origin == HS_ORIGIN_ALLOCATOR && e->size == THREAD_HEAP_SIZE &&
                              e->ptr % THREAD_HEAP_SIZE == 0
                          ? HS_REGION_THREAD_HEAP
                          : HS_REGION_MMAP;
            return e->origin == HS_ORIGIN_ALLOCATOR;
        }
    }
    return -1;
}

static uint8_t classify(const struct image *im, const struct hs_fault *f, int *blocks)
{
    uint64_t addr = f->addr;
    uint8_t region;
    *blocks = 1;
    if (im->heap_start && addr >= im->heap_start && addr < im->brk)
        return HS_REGION_HEAP;
    const struct interval *iv = iv_find(&im->regions, addr);
    *blocks = iv && (iv->allocator || iv->region == HS_REGION_HEAP);
    if (iv)
        return iv->region;
    if (f->next_seq && (*blocks = lookahead(im, addr, f->next_seq, &region)) >= 0)
        return region;
    *blocks = 0;
    if (im->stack_end && addr < im->stack_end && addr + STACK_GROWTH >= im->stack_start)
        return HS_REGION_STACK;
    return HS_REGION_OTHER;
}

static void free_attr(struct attr *at)
{
    for (size_t i = 0; i < at->n_images; i++) {
        free(at->images[i].regions.v);
        free(at->images[i].libc_code.v);
        free(at->images[i].events);
    }
    free(at->images);
    free(at->pages.keys);
    free(at->pages.vals);
}

int hs_fault_attr_run(sqlite3 *db, struct hs_fault *faults, uint64_t n, struct hs_error *err)
{
    struct attr at = {.db = db, .err = err};
    int rc = load_images(&at);
    for (uint64_t i = 0; i < n && rc == 0; i++) {
        struct hs_fault *f = &faults[i];
        long idx = find_image(&at, f->pid, f->ts_ns);
        uint64_t block_seq = f->block_seq;
        f->region = HS_REGION_OTHER;
        f->touch = HS_TOUCH_FIRST;
        f->block_seq = 0;
        f->by_libc = 0;
        f->exec_gen = 0;
        f->proc = 0;
        if (idx < 0)
            continue; /* a process the tracer never saw */
        struct image *im = &at.images[idx];
        f->exec_gen = im->exec_gen;
        f->proc = im->proc;
        while (im->next_event < im->n_events && im->events[im->next_event].seq <= f->after_seq)
            if (apply_event(&at, (size_t)idx, &im->events[im->next_event++]))
                rc = hs_error_set(err, HS_ENOMEM, "out of memory replaying mappings");
        int blocks;
        f->region = classify(im, f, &blocks);
        f->by_libc = iv_find(&im->libc_code, f->ip) != NULL;
        uint8_t *state = page_slot(&at.pages, page_key((size_t)idx, f->addr), 1);
        if (!state) {
            rc = hs_error_set(err, HS_ENOMEM, "out of memory tracking pages");
            break;
        }
        f->touch = *state == PAGE_RELEASED  ? HS_TOUCH_REFAULT
                   : *state == PAGE_FAULTED ? HS_TOUCH_REPEAT
                                            : HS_TOUCH_FIRST;
        *state = PAGE_FAULTED;
        if (blocks)
            f->block_seq = block_seq;
    }
    free_attr(&at);
    return rc;
}
