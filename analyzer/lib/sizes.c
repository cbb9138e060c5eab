/*
 * sizes.c - request-size histogram and chunk-size classes (contract in
 * sizes.h). One pass over the event stream; counts only.
 *
 * Check: the counts sum to the number of successful allocation events,
 * which `heapscope summary` also reports.
 */
#include "sizes.h"

#include <string.h>

#include "block_events.h"

unsigned hs_sizes_bucket(uint64_t size)
{
    if (size == 0)
        return 0;
    if (size <= 16)
        return 1;
    /* ceil(log2(size)) - 3: 17..32 -> 2, 33..64 -> 3 */
    unsigned log = 64 - (unsigned)__builtin_clzll(size - 1);
    unsigned b = log - 3;
    return b < HS_SIZES_BUCKETS ? b : HS_SIZES_BUCKETS - 1;
}

void hs_sizes_bucket_bounds(unsigned bucket, uint64_t *lo, uint64_t *hi)
{
    if (bucket == 0) {
        *lo = *hi = 0;
    } else if (bucket == 1) {
        *lo = 1;
        *hi = 16;
    } else {
        *lo = (1ull << (bucket + 2)) + 1;
        *hi = bucket + 3 >= 64 ? UINT64_MAX : 1ull << (bucket + 3);
    }
}

int hs_sizes_collect(struct hs_trace *t, struct hs_sizes *out, struct hs_error *err)
{
    memset(out, 0, sizeof *out);
    struct hs_cursor *c = NULL;
    int rc = hs_cursor_open(t, 0, 0, &c, err);
    if (rc != HS_OK)
        return rc;
    struct hs_event ev;
    while ((rc = hs_cursor_next(c, &ev, err)) == 1) {
        if (!hs_event_allocated(&ev))
            continue;
        unsigned b = hs_sizes_bucket(ev.size);
        out->request_count[b]++;
        out->request_bytes[b] += ev.size;
        enum hs_size_class k = hs_size_class_of(ev.chunk_size, ev.flags);
        out->class_count[k]++;
        out->class_bytes[k] += ev.chunk_size;
        out->n_allocs++;
    }
    hs_cursor_close(c);
    return rc < 0 ? rc : HS_OK;
}
