/*
 * timeline.h - the memory of one traced process over time, sampled: live
 * requested bytes, live chunk bytes, the brk heap's start and break, the
 * mmapped chunk bytes and page faults so far (`heapscope timeline`).
 *
 * One pass over the event stream; no glibc model, so it applies to every
 * allocator (chunk bytes are malloc_usable_size() for non-glibc traces).
 *
 * Rows: after every `every`-th event of the process (every = 0 picks
 * n_events / 2000, at least 1, so a 10-million-event trace gives about
 * 2000 rows), after each mark, after each change of the program break
 * (at most HS_TIMELINE_MAX_BRK_ROWS of those; later changes still show in
 * the sampled rows) and after the last event.
 *
 * Allocates: yes (internally; nothing the caller frees).
 */
#ifndef HS_TIMELINE_H
#define HS_TIMELINE_H

#include <stdint.h>

#include "error.h"
#include "trace.h"

#define HS_TIMELINE_MAX_BRK_ROWS 20000u

struct hs_timeline_row {
    uint64_t seq, ts_ns;
    uint64_t live_requested; /* sum of requested sizes of live blocks */
    uint64_t live_chunk;     /* sum of their chunk sizes */
    uint64_t n_live;
    uint64_t heap_start;     /* break before the first brk/sbrk (0: none yet) */
    uint64_t brk;            /* current break (0: none yet) */
    uint64_t mmapped;        /* chunk bytes of live mmapped chunks */
    uint64_t page_faults;    /* page-fault samples placed at or before seq (faults table) */
    uint64_t allocator_mapped; /* bytes the allocator mapped with mmap/mremap
                                  and has not unmapped (origin "allocator") */
    const char *mark;        /* label if this row is a mark, else NULL */
};

struct hs_timeline_opts {
    uint64_t every; /* 0: automatic */
    uint32_t pid;   /* 0: any; the image is hs_timeline_pick_image(pid) */
};

/*
 * One process image: a pid from one exec to the next (an exec'd program
 * keeps its pid; its events are told apart by time, as the glibc model
 * commands do: an image ends where the next exec of its pid starts).
 */
struct hs_image_span {
    uint32_t pid;      /* 0: unknown (then every event of the first pid) */
    uint64_t start_ts; /* events with start_ts <= ts_ns < end_ts */
    uint64_t end_ts;
};

/*
 * The image the viz exports show: of process pid (0: any), the image with
 * the most events, so a `sh -c 'prog'` trace shows prog, not sh (lower
 * pid, then earlier exec, on a tie). A trace listing no processes gives
 * pid 0 and the whole time range.
 */
void hs_timeline_pick_image(struct hs_trace *t, uint32_t pid, struct hs_image_span *out);

/* 1 if ev belongs to the image (pid 0 in span: adopts ev's pid). */
int hs_image_span_has(struct hs_image_span *span, const struct hs_event *ev);

typedef int (*hs_timeline_cb)(const struct hs_timeline_row *row, void *ctx);

/* Calls cb for each row in seq order; a non-zero cb return stops and is
 * returned. 0 or a negative HS_E* code (err filled). */
int hs_timeline_run(struct hs_trace *t, const struct hs_timeline_opts *opts,
                    hs_timeline_cb cb, void *ctx, struct hs_error *err);

#endif
