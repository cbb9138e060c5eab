/*
 * verdict.h - a fragmentation verdict in plain words, from figures the
 * timeline computes (timeline.h), for reports a teacher can hand out
 * (`heapscope verdict`, and the report's "Fragmentation" section).
 *
 * Figures, for one process image (by default the one with the most events,
 * else the busiest image of the pid asked for):
 *   held   = brk heap extent + mmapped chunk bytes: what the process holds
 *            from the kernel for its heap (other allocators: brk heap
 *            extent + the allocator's mappings, timeline.h allocator_mapped)
 *   live   = requested bytes of the blocks live at that moment
 *   utilization = live / held
 *   overhead    = (live chunk bytes - live requested) / live chunk bytes:
 *            headers and rounding (internal fragmentation)
 * taken at the peak of `held` and at the last event.
 *
 * Thresholds (on utilization at the peak, the moment that sizes the
 * process; docs/cli/verdict.md explains them):
 *   held < 1 MiB at the peak     "small"     too small for fragmentation to matter
 *   utilization >= 0.75          "low"       little memory is wasted
 *   0.50 <= utilization < 0.75   "moderate"
 *   utilization < 0.50           "high"      more than half is free space or overhead
 * Other allocators (jemalloc, tcmalloc, mimalloc) are not judged (level
 * "unknown"): what they hold is address space they mapped, of which the
 * trace does not say how much is resident.
 *
 * At the end, utilization < 0.25 with held >= 1 MiB adds the sentence
 * that the heap was not given back (no trim) after the live data shrank.
 *
 * For glibc traces the glibc model's figures at the end (frag.h) add how
 * the free bytes inside the heap are split: the largest free chunk and
 * external fragmentation (1 - largest free / all free); with external
 * fragmentation >= 0.5 and at least 64 KiB free, the sentence says a
 * request larger than the largest free chunk would still grow the heap.
 *
 * Allocates: no.
 */
#ifndef HS_VERDICT_H
#define HS_VERDICT_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "trace.h"

#define HS_VERDICT_SMALL_HELD (1u << 20)
#define HS_VERDICT_LOW 0.75
#define HS_VERDICT_HIGH 0.50
#define HS_VERDICT_NOT_RETURNED 0.25

struct hs_verdict_point {
    uint64_t seq;
    uint64_t held, heap_extent, mmapped; /* mmapped: allocator_mapped if not glibc */
    uint64_t live_requested, live_chunk;
    double utilization; /* live_requested / held; 1 when held is 0 */
    double overhead;    /* (live_chunk - live_requested) / live_chunk; 0 if none */
};

#define HS_VERDICT_SCATTERED 0.5
#define HS_VERDICT_SCATTERED_MIN_FREE (64u << 10)

/* The glibc model at the last event (has_model 0: not a glibc trace, or
 * the model could not replay it). */
struct hs_verdict_model {
    int has_model;
    uint64_t free_bytes;   /* all free chunks, top included */
    uint64_t largest_free;
    double external_frag;
};

struct hs_verdict {
    struct hs_verdict_point peak, end;
    struct hs_verdict_point peak_live; /* the moment live_requested peaked */
    struct hs_verdict_model model;
    const char *level; /* "small", "low", "moderate", "high"; "unknown" if not glibc */
    char text[1024];   /* the plain-words paragraph */
    uint32_t pid, exec_gen; /* the process image judged */
    char exe[160];
};

/* The verdict of the busiest image of pid (0: of any pid). pre: a pid
 * given is in the trace (cli_check_pid). */
int hs_verdict_compute(struct hs_trace *t, uint32_t pid, struct hs_verdict *out,
                       struct hs_error *err);

#endif
