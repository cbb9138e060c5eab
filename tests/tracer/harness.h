/*
 * harness.h - run a fixture program under the tracer and read its logs.
 *
 * The checker (a cmocka binary, never preloaded itself) forks, sets
 * LD_PRELOAD and HS_LOGDIR only in the child, and execs the fixture. The
 * logs the run left are then read with analyzer/lib/log_read.h and merged
 * into one array in seq order.
 *
 * Allocates: yes (test code). Aborts the test (cmocka assert) on errors.
 */
#ifndef HS_TEST_HARNESS_H
#define HS_TEST_HARNESS_H

#include <stddef.h>
#include <stdint.h>

#include "log_read.h"

#define HS_MAX_LOGS 16

struct run {
    char dir[256];  /* fresh HS_LOGDIR of this run */
    int status;     /* waitpid status of the fixture */
    char out[4096]; /* the fixture's stdout */
    char err[4096]; /* the fixture's stderr */
    size_t n_logs;
    struct hs_log logs[HS_MAX_LOGS]; /* sorted by (pid, gen) */
    size_t n_events;
    const struct hs_record **events; /* committed records of all logs, by seq */
    uint32_t *event_pid;             /* pid of each event's log */
    uint64_t t_start, t_end;         /* CLOCK_MONOTONIC before the fork, after the drain */
    size_t n_rings_left;             /* .ring files in the directory after the run */
};

/* Ring mode (analyzer/lib/drain.h): when harness_ring is set, run_fixture*
 * start a drain thread on the run's directory before the fixture starts,
 * give the fixture HS_RING=1 (HS_TSC=1 if the TSC is invariant) and
 * HS_RING_RECORDS=harness_ring_records (if not 0), and finish the drain
 * after the fixture was reaped, before the logs are read. */
extern int harness_ring;
extern unsigned harness_ring_records;

/* Runs FX_DIR/<fixture> argv... with the tracer preloaded (preload: the
 * full LD_PRELOAD value, NULL = the tracer alone); strace_out non-NULL runs
 * it under `strace -f -o strace_out`. Then loads the logs. */
void run_fixture(struct run *r, const char *preload, const char *strace_out, const char *fixture,
                 const char *const *args);

/* The same with extra "NAME=value" entries (NULL-terminated) put into the
 * fixture's environment after HS_LOGDIR and LD_PRELOAD (so they may
 * override them). */
void run_fixture_env(struct run *r, const char *preload, const char *fixture,
                     const char *const *args, const char *const *env);

/* Frees the run and deletes its directory. */
void run_free(struct run *r);

/* Number of events with this op (and origin, or any if origin < 0). */
size_t count_op(const struct run *r, int op, int origin);

/* Index of the first mark with this label, or (size_t)-1. */
size_t find_mark(const struct run *r, const char *label);

/* Value printed by the fixture as "name=value" on its stdout. */
uint64_t fixture_value(const struct run *r, const char *name);

#endif
