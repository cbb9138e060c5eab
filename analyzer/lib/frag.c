/*
 * frag.c - fragmentation figures from the model's totals (frag.h).
 * Check: on a heap with one free chunk and top, external_frag is
 * 1 - max(chunk, top) / (chunk + top).
 */
#include "frag.h"

#include <string.h>

const char hs_frag_csv_header[] =
    "seq,label,heap_extent,mmapped_bytes,live_requested,chunk_overhead,free_tcache,free_fastbin,"
    "free_unsorted,free_smallbin,free_largebin,free_top,largest_free,external_frag,utilization";

void hs_frag_compute(const struct hs_model *m, struct hs_frag *f)
{
    struct hs_model_totals t;
    hs_model_totals(m, &t);
    memset(f, 0, sizeof *f);
    f->heap_extent = t.heap_end > t.heap_start ? t.heap_end - t.heap_start : 0;
    f->mmapped_bytes = t.mmapped_bytes;
    f->live_requested = t.requested_bytes + t.mmapped_requested;
    f->chunk_overhead =
        (t.allocated_bytes - t.requested_bytes) + (t.mmapped_bytes - t.mmapped_requested);
    f->free_tcache = t.free_bytes[HS_CS_TCACHE];
    f->free_fastbin = t.free_bytes[HS_CS_FASTBIN];
    f->free_unsorted = t.free_bytes[HS_CS_UNSORTED];
    f->free_smallbin = t.free_bytes[HS_CS_SMALLBIN];
    f->free_largebin = t.free_bytes[HS_CS_LARGEBIN];
    f->free_top = t.top_size;
    f->largest_free = t.largest_free > t.top_size ? t.largest_free : t.top_size;
    uint64_t all = f->free_tcache + f->free_fastbin + f->free_unsorted + f->free_smallbin +
                   f->free_largebin + f->free_top;
    f->external_frag = all ? 1.0 - (double)f->largest_free / (double)all : 0.0;
    f->utilization = f->heap_extent ? (double)t.requested_bytes / (double)f->heap_extent : 0.0;
}
