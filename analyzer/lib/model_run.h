/*
 * model_run.h - replaying a trace (trace.h) through the glibc model
 * (glibc_model.h): which process, which settings, the pairing of the
 * tracer's inferred brk events with the calls that caused them, and
 * checkpoints for fast random access.
 *
 * Pairing: the tracer records an allocation's inferred brk just before the
 * allocation and a free's just after it, so a growing break is handed to
 * the next call of the same thread and a shrinking one is applied as an
 * observed fact after the call that shrank the heap.
 *
 * Checkpoints: hs_model_run_at() stores model images every
 * HS_MODEL_CHECKPOINT_EVERY events in the trace's cache table
 *     model_checkpoints(pid INTEGER, seq INTEGER, image BLOB,
 *                       PRIMARY KEY(pid, seq))
 * created on first use (a trace opened read-only just gets no cache), so
 * a later `heap --at` replays at most that many events.
 *
 * Allocates: yes. Thread safety: one run per thread. Errors: negative
 * HS_E* with err filled.
 */
#ifndef HS_MODEL_RUN_H
#define HS_MODEL_RUN_H

#include <stdint.h>

#include "error.h"
#include "glibc_model.h"
#include "trace.h"

#define HS_MODEL_CHECKPOINT_EVERY 262144u

/* The process whose heap commands show by default: the first one (lowest
 * pid among those with events) if pid is 0. Fills the model's settings:
 * profile defaults + GLIBC_TUNABLES / MALLOC_*_ of that process. */
int hs_model_for_process(struct hs_trace *t, uint32_t pid, struct hs_model **out,
                         uint32_t *pid_out, struct hs_error *err);

/* Called after each event is applied; non-zero stops the replay. */
typedef int (*hs_model_step_fn)(void *ctx, const struct hs_event *ev,
                                const struct hs_model_step *step, struct hs_model *m);

/* Replays events from_seq..to_seq (0: to the end) of pid into m. */
int hs_model_replay(struct hs_trace *t, uint32_t pid, struct hs_model *m, uint64_t from_seq,
                    uint64_t to_seq, hs_model_step_fn fn, void *ctx, struct hs_error *err);

/* The model of process pid (0: default) right after event `seq` (0: the
 * end), using and filling the checkpoint cache. */
int hs_model_run_at(struct hs_trace *t, uint32_t pid, uint64_t seq, struct hs_model **out,
                    struct hs_error *err);

/* The list of processes (pids with events), ascending. *pids is malloc'd. */
int hs_model_processes(struct hs_trace *t, uint32_t **pids, uint32_t *n, struct hs_error *err);

#endif
