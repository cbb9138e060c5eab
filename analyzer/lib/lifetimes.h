/*
 * lifetimes.h - every block's lifetime in one process: address, sizes,
 * the seq that allocated it and the seq that freed it, for heap maps
 * (`heapscope lifetimes`).
 *
 * Downsampling: a 10-million-event trace has millions of lifetimes and a
 * picture shows a few thousand rectangles, most of them narrower than a
 * pixel. When there are more than max_rows, the max_rows lifetimes with
 * the largest chunk_size x duration (the rectangle's area, what is visible)
 * are kept; ties go to the earlier allocation. Rows come back in
 * allocation order.
 *
 * Allocates: yes (max_rows rows plus the live blocks).
 */
#ifndef HS_LIFETIMES_H
#define HS_LIFETIMES_H

#include <stdint.h>

#include "error.h"
#include "trace.h"

struct hs_lifetime {
    uint64_t addr, size, chunk_size;
    uint64_t alloc_seq;
    uint64_t free_seq; /* the freeing event; for blocks live at the end, the last seq */
    uint16_t flags;    /* HS_CHUNK_* of the allocation */
    uint8_t live;      /* never freed */
};

struct hs_lifetimes {
    struct hs_lifetime *rows; /* n_rows, by alloc_seq */
    uint64_t n_rows;
    uint64_t n_total;    /* lifetimes in the trace for this process */
    uint64_t first_seq;  /* first and last event of the process */
    uint64_t last_seq;
    uint32_t pid;
};

/* The image hs_timeline_pick_image(pid) picks (pid 0: the one with the
 * most events). max_rows 0: no limit. */
int hs_lifetimes_collect(struct hs_trace *t, uint32_t pid, uint64_t max_rows,
                         struct hs_lifetimes *out, struct hs_error *err);
void hs_lifetimes_free(struct hs_lifetimes *l);

/* "heap" (main arena), "arena" (another arena's heap), "mmap", or
 * "other" (a non-glibc allocator's own mappings: no chunk headers). */
const char *hs_lifetime_region(const struct hs_lifetime *l);

#endif
