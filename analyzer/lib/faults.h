/*
 * faults.h - the page faults of a trace, counted the ways `heapscope
 * faults` shows them: by region, by touch, libc or not, by phase between
 * marks, by block, by thread, and per process against getrusage.
 *
 * Reads the `faults` table the importer wrote (import_faults.h; region and
 * touch definitions in fault_attr.h) and, for the reconciliation, the
 * tracer's `state` snapshots (table mallinfo: minflt, majflt).
 *
 * source is meta.faults_source: "perf" (sampled: every count below is
 * filled), "getrusage" (no samples: only the processes' rusage counts and
 * the per-phase rusage deltas are), "none".
 *
 * Allocates: yes (free with hs_faults_report_free). Never prints.
 */
#ifndef HS_FAULTS_H
#define HS_FAULTS_H

#include <stdint.h>

#include "error.h"
#include "fault_attr.h"
#include "heapscope/event.h"

struct hs_trace;

struct hs_faults_phase {
    char from[HS_LABEL_MAX];   /* mark label, or "start" */
    char to[HS_LABEL_MAX];     /* mark label, or "end" */
    uint64_t from_seq, to_seq; /* faults placed in [from_seq, to_seq) */
    uint64_t total;
    uint64_t by_region[HS_REGION_COUNT];
    int64_t rusage_delta; /* minflt+majflt between the two snapshots of
                             the marks' process; -1 if unknown */
};

struct hs_faults_block {
    uint64_t alloc_seq, ptr, size;
    char op[16]; /* "malloc", ... */
    uint64_t faults, first, refault, by_libc;
};

struct hs_faults_thread {
    uint32_t pid, tid;
    uint64_t faults;
};

struct hs_faults_process {
    uint32_t pid, exec_gen;
    uint64_t samples;              /* all samples of this image */
    int has_rusage;                /* a state snapshot at exit exists */
    uint64_t ru_minflt, ru_majflt; /* at the exit snapshot */
    uint64_t samples_at_exit;      /* samples until the exit snapshot */
    int ring;                      /* the tracer wrote a ring (record's
                                      default), not a linear log */
    uint64_t log_prefault_pages;   /* the pages the tracer faulted in for its
                                      log with MADV_POPULATE_WRITE (kernel
                                      side: in getrusage, not sampled). Ring:
                                      HS_RING_PREFAULT_PAGES, once at start,
                                      exact for the default ring size.
                                      Linear log: 1 + 1024 per 65536-record
                                      segment used (the segments populated
                                      ahead on an io_uring worker may add up
                                      to 2048 more, or not) */
};

struct hs_faults_report {
    char source[16];    /* "perf", "getrusage", "none" */
    char note[256];     /* why perf was not used, if known */
    uint64_t until_seq; /* 0: whole trace; else faults before it */
    uint64_t total, minor, major, lost;
    uint64_t by_region[HS_REGION_COUNT];
    uint64_t by_touch[HS_TOUCH_COUNT];
    uint64_t by_region_touch[HS_REGION_COUNT][HS_TOUCH_COUNT];
    uint64_t by_libc; /* ip inside libc.so */
    struct hs_faults_phase *phases;
    uint32_t n_phases;
    struct hs_faults_block *blocks; /* most faulted first, at most 10 */
    uint32_t n_blocks;
    struct hs_faults_thread *threads; /* by pid, tid */
    uint32_t n_threads;
    struct hs_faults_process *processes;
    uint32_t n_processes;
};

/*
 * Fills *r for the faults placed before until_seq (0: all).
 * Returns 0, HS_EDB, HS_ENOMEM, or HS_EFORMAT if the trace has no faults
 * table (imported by a heapscope without page-fault support).
 */
int hs_faults_report(struct hs_trace *t, uint64_t until_seq, struct hs_faults_report *r,
                     struct hs_error *err);
void hs_faults_report_free(struct hs_faults_report *r);

#endif
