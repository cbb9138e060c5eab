/*
 * cli_faults.h - page-fault sampling for `heapscope record`: the spawn hook
 * that attaches the perf sampler (analyzer/lib/fault_sampler.h) to the
 * blocked child, and the stop after the child was reaped. Messages go to
 * stderr as "heapscope record: ...": the refusal of perf_event_open once,
 * and lost samples if any.
 */
#ifndef HS_CLI_FAULTS_H
#define HS_CLI_FAULTS_H

#include <sys/types.h>

#include "error.h"

struct hs_fault_sampler;

struct cli_faults {
    const char *logdir;               /* where faults.hslog goes */
    struct hs_fault_sampler *sampler; /* NULL: not sampling */
};

/* struct hs_spawn_hook.before_exec; ctx is a struct cli_faults. Never
 * cancels the run because of perf: a refusal is reported and recording
 * goes on with the tracer's getrusage counts. */
int cli_faults_before_exec(void *ctx, pid_t child, struct hs_error *err);

/* Drains and stops the sampler, if one runs. Safe to call twice. */
void cli_faults_stop(struct cli_faults *f);

#endif
