/*
 * sizes.h - the distribution of allocation sizes over a whole trace (all
 * processes): requested sizes in power-of-two buckets and chunk sizes by
 * size class (`heapscope sizes`).
 *
 * Request buckets: 0, 1-16, 17-32, 33-64, ..., (2^(k-1), 2^k]; every
 * successful allocation event (realloc included) counts once.
 * Chunk classes (block_events.h): fast (chunk <= 0x80), small (< 0x400),
 * large, mmapped, unknown (non-glibc allocator).
 *
 * Allocates: no.
 */
#ifndef HS_SIZES_H
#define HS_SIZES_H

#include <stdint.h>

#include "error.h"
#include "trace.h"

#define HS_SIZES_BUCKETS 62 /* bucket 61 holds (2^63, 2^64) */

struct hs_sizes {
    uint64_t request_count[HS_SIZES_BUCKETS];
    uint64_t request_bytes[HS_SIZES_BUCKETS];
    uint64_t class_count[5]; /* by enum hs_size_class */
    uint64_t class_bytes[5]; /* chunk bytes */
    uint64_t n_allocs;
};

int hs_sizes_collect(struct hs_trace *t, struct hs_sizes *out, struct hs_error *err);

/* Bucket of a request size, and the bucket's bounds (lo..hi inclusive). */
unsigned hs_sizes_bucket(uint64_t size);
void hs_sizes_bucket_bounds(unsigned bucket, uint64_t *lo, uint64_t *hi);

#endif
