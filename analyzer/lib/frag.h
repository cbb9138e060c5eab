/*
 * frag.h - fragmentation figures of the model at one moment (`heapscope
 * frag`). Definitions (docs/cli/frag.md repeats them; the CSV columns are
 * stable, new ones are only appended):
 *
 *   heap_extent     main arena bytes from its first chunk to the end of top
 *   mmapped_bytes   bytes of mmapped chunks (whole mappings)
 *   live_requested  bytes the program asked for, still live (heap + mmap)
 *   chunk_overhead  bytes of live chunks beyond the request (headers,
 *                   rounding, the tcache structure), heap + mmap
 *   free_*          free bytes by where they sit: tcache, fastbin,
 *                   unsorted, smallbin, largebin, top
 *   largest_free    the largest free chunk, top included
 *   external_frag   1 - largest_free / all free bytes (0 when nothing is free)
 *   utilization     heap live requested / heap_extent (0 before the heap)
 *
 * Allocates: no. Thread safety: reads one model.
 */
#ifndef HS_FRAG_H
#define HS_FRAG_H

#include <stdint.h>

#include "glibc_model.h"

struct hs_frag {
    uint64_t heap_extent, mmapped_bytes, live_requested, chunk_overhead;
    uint64_t free_tcache, free_fastbin, free_unsorted, free_smallbin, free_largebin, free_top;
    uint64_t largest_free;
    double external_frag, utilization;
};

void hs_frag_compute(const struct hs_model *m, struct hs_frag *f);

/* The CSV header line (no newline) matching hs_frag_csv_row. */
extern const char hs_frag_csv_header[];

#endif
