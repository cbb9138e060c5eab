/*
 * summary.h - the figures of `heapscope summary` and `heapscope leaks`,
 * computed from a trace (never printed here).
 *
 * Live bytes are replayed from the event stream in seq order: an allocation
 * adds its request size and chunk size, a free or the old half of a
 * realloc subtracts them; frees of blocks the trace never saw allocated
 * (inherited over fork, allocated before the tracer started) change
 * nothing, and an exec drops what the image before it still had. Peaks are
 * over the sum of all processes. Leaks are the blocks
 * table's rows whose lifetime never ended (free_seq IS NULL).
 *
 * Allocates: yes (owned by the structs; release with the _free calls).
 */
#ifndef HS_SUMMARY_H
#define HS_SUMMARY_H

#include <stdint.h>

#include "error.h"
#include "trace.h"

struct hs_summary_process {
    uint32_t pid, ppid, exec_gen;
    char exe[512];
    int has_exit_code, exit_code; /* exit(code), or the waitpid status */
    int exit_signal;              /* killed by this signal (0: not) */
    uint64_t start_ts_ns, end_ts_ns;
    uint64_t n_events, n_lost;
    uint64_t n_live, live_size, live_chunk_size; /* blocks live at exit */
};

struct hs_summary {
    uint64_t n_events, n_lost, last_seq;
    uint64_t n_by_op_origin[HS_OP_COUNT][3];       /* events per op and origin */
    uint64_t peak_live_size, peak_live_size_seq;   /* requested bytes */
    uint64_t peak_live_chunk, peak_live_chunk_seq; /* chunk bytes */
    uint64_t start_ts_ns, end_ts_ns;
    struct hs_summary_process *processes;
    uint32_t n_processes;
    /* call stacks (`record --stack N`; all 0 without): allocations with
     * one, distinct stacks, the deepest */
    uint64_t n_alloc_stacks, n_stacks, max_stack_depth;
};

int hs_summary_compute(struct hs_trace *t, struct hs_summary *s, struct hs_error *err);
void hs_summary_free(struct hs_summary *s);

/* Blocks live at exit that one caller allocated (one call stack, when the
 * trace has them: `record --stack N`). */
struct hs_leak_site {
    uint32_t pid, exec_gen;
    uint64_t caller;
    uint64_t n_blocks, size, chunk_size, min_size, max_size;
    char module[256];       /* file of the mapping holding caller ("" unknown) */
    uint64_t module_offset; /* caller's offset in that file */
    uint64_t stack;         /* stacks.stack, 0: grouped by caller alone */
    char **callers;         /* stack: frames 1.. as "0xADDR (module+0xOFF)",
                               outermost last, NULL-terminated; else NULL */
};

/* Leak sites, largest total size first. Free with hs_leaks_free(). */
int hs_leaks_compute(struct hs_trace *t, struct hs_leak_site **sites, uint64_t *n,
                     struct hs_error *err);
void hs_leaks_free(struct hs_leak_site *sites, uint64_t n);

#endif
