/*
 * lifetimes.c - block lifetimes of one process, downsampled to the most
 * visible (contract in lifetimes.h).
 *
 * One replay with a live_map pairs each allocation with its free. Kept
 * rows live in a min-heap ordered by area (chunk_size x duration): once it
 * holds max_rows, a new lifetime replaces the smallest only if it is
 * larger, so the pass is O(n log max_rows) and memory O(max_rows + live).
 */
#include "lifetimes.h"

#include <stdlib.h>
#include <string.h>

#include "block_events.h"
#include "live_map.h"
#include "timeline.h"

struct keeper {
    struct hs_lifetime *heap;
    uint64_t n, cap, max; /* max 0: keep all (heap is then a plain array) */
};

static double area(const struct hs_lifetime *l)
{
    return (double)(l->chunk_size ? l->chunk_size : l->size) * (double)(l->free_seq - l->alloc_seq + 1);
}

/* a is "smaller" (evicted first) than b. */
static int less(const struct hs_lifetime *a, const struct hs_lifetime *b)
{
    double x = area(a), y = area(b);
    if (x != y)
        return x < y;
    return a->alloc_seq > b->alloc_seq;
}

static void sift_down(struct keeper *k, uint64_t i)
{
    for (;;) {
        uint64_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < k->n && less(&k->heap[l], &k->heap[m]))
            m = l;
        if (r < k->n && less(&k->heap[r], &k->heap[m]))
            m = r;
        if (m == i)
            return;
        struct hs_lifetime tmp = k->heap[i];
        k->heap[i] = k->heap[m];
        k->heap[m] = tmp;
        i = m;
    }
}

static int keep(struct keeper *k, const struct hs_lifetime *l)
{
    if (k->max && k->n == k->max) {
        if (less(&k->heap[0], l)) {
            k->heap[0] = *l;
            sift_down(k, 0);
        }
        return HS_OK;
    }
    if (k->n == k->cap) {
        uint64_t cap = k->cap ? k->cap * 2 : 1024;
        if (k->max && cap > k->max)
            cap = k->max;
        struct hs_lifetime *h = realloc(k->heap, cap * sizeof *h);
        if (!h)
            return HS_ENOMEM;
        k->heap = h;
        k->cap = cap;
    }
    uint64_t i = k->n++;
    k->heap[i] = *l;
    if (k->max) {
        while (i > 0 && less(&k->heap[i], &k->heap[(i - 1) / 2])) {
            struct hs_lifetime tmp = k->heap[i];
            k->heap[i] = k->heap[(i - 1) / 2];
            k->heap[(i - 1) / 2] = tmp;
            i = (i - 1) / 2;
        }
    }
    return HS_OK;
}

static int by_alloc_seq(const void *a, const void *b)
{
    const struct hs_lifetime *x = a, *y = b;
    return x->alloc_seq < y->alloc_seq ? -1 : x->alloc_seq > y->alloc_seq;
}

static struct hs_lifetime from_block(const struct hs_live_block *b, uint64_t end, int live)
{
    struct hs_lifetime l = {b->addr, b->size, b->chunk_size, b->alloc_seq, end, b->flags,
                            (uint8_t)live};
    return l;
}

/* One more lifetime (b ended at end): counted, and kept if among the largest. */
static int count_and_keep(struct hs_lifetimes *out, struct keeper *k, const struct hs_live_block *b,
                          uint64_t end, int live)
{
    struct hs_lifetime l = from_block(b, end, live);
    out->n_total++;
    return keep(k, &l);
}

int hs_lifetimes_collect(struct hs_trace *t, uint32_t pid, uint64_t max_rows,
                         struct hs_lifetimes *out, struct hs_error *err)
{
    memset(out, 0, sizeof *out);
    struct keeper k = {NULL, 0, 0, max_rows};
    struct hs_live_map live;
    if (hs_live_map_init(&live) != HS_OK)
        return hs_error_set(err, HS_ENOMEM, "out of memory replaying the trace");
    struct hs_image_span span;
    hs_timeline_pick_image(t, pid, &span);
    struct hs_cursor *c = NULL;
    int rc = hs_cursor_open(t, 0, 0, &c, err);
    if (rc != HS_OK)
        goto err_free_map;
    struct hs_event ev;
    struct hs_live_block b;
    while ((rc = hs_cursor_next(c, &ev, err)) == 1) {
        if (!hs_image_span_has(&span, &ev))
            continue;
        if (out->first_seq == 0)
            out->first_seq = ev.seq;
        out->last_seq = ev.seq;
        uint64_t freed = hs_event_freed(&ev);
        uint64_t addr = hs_event_allocated(&ev);
        int nomem = 0;
        if (freed && hs_live_map_take(&live, freed, &b))
            nomem |= count_and_keep(out, &k, &b, ev.seq, 0) != HS_OK;
        if (addr && hs_live_map_take(&live, addr, &b)) /* lost free: close it here */
            nomem |= count_and_keep(out, &k, &b, ev.seq, 0) != HS_OK;
        if (addr) {
            struct hs_live_block nb = {addr, ev.size, ev.chunk_size, ev.seq, 0, ev.flags};
            nomem |= hs_live_map_put(&live, &nb) != HS_OK;
        }
        if (nomem) {
            rc = hs_error_set(err, HS_ENOMEM, "out of memory at event %llu",
                              (unsigned long long)ev.seq);
            goto err_close_cursor;
        }
    }
    if (rc < 0)
        goto err_close_cursor;
    for (uint64_t i = 0; i < live.n_slots; i++) {
        if (!live.slots[i].addr)
            continue;
        if (count_and_keep(out, &k, &live.slots[i], out->last_seq, 1) != HS_OK) {
            rc = hs_error_set(err, HS_ENOMEM, "out of memory collecting lifetimes");
            goto err_close_cursor;
        }
    }
    qsort(k.heap, k.n, sizeof *k.heap, by_alloc_seq);
    out->rows = k.heap;
    out->n_rows = k.n;
    out->pid = span.pid;
    k.heap = NULL;
    rc = HS_OK;
err_close_cursor:
    hs_cursor_close(c);
err_free_map:
    hs_live_map_free(&live);
    free(k.heap);
    return rc;
}

void hs_lifetimes_free(struct hs_lifetimes *l)
{
    free(l->rows);
    memset(l, 0, sizeof *l);
}

const char *hs_lifetime_region(const struct hs_lifetime *l)
{
    /* Other allocators (jemalloc...) carve blocks out of their own mappings. */
    if (l->flags & HS_F_NO_CHUNK)
        return "other";
    if (l->flags & HS_CHUNK_IS_MMAPPED)
        return "mmap";
    if (l->flags & HS_CHUNK_NON_MAIN_ARENA)
        return "arena";
    return "heap";
}
