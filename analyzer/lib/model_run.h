/*
 * model_run.h - replaying a trace (trace.h) through the glibc model
 * (glibc_model.h): which process image, which settings, the pairing of the
 * tracer's inferred brk events with the calls that caused them, fork
 * inheritance, and checkpoints for fast random access.
 *
 * Images: a heap belongs to one process image, i.e. one (pid, exec_gen)
 * row of the processes table. An exec starts a fresh heap; the events of an
 * image are those of its pid with start_ts <= ts_ns < the next image's
 * start. A child made by fork() starts with its parent's heap as it was at
 * the fork event (and the forking thread's tcache becomes its main
 * thread's); an image that starts with exec starts empty.
 *
 * Pairing: the tracer records an allocation's inferred brk (and mmap) just
 * before the allocation (which may have grown or, through realloc's or
 * memalign's internal frees, trimmed the heap) and a free's just after it.
 * A brk the model already did (a predicted trim) is skipped; any other is
 * handed to the next non-free call of the same thread, or applied as an
 * observed fact if another event comes first.
 *
 * Checkpoints: hs_model_run_at() stores model images every
 * HS_MODEL_CHECKPOINT_EVERY events of an image in the trace's cache table
 *     model_checkpoints(pid INTEGER, exec_gen INTEGER, seq INTEGER,
 *                       image BLOB, PRIMARY KEY(pid, exec_gen, seq))
 * created on first use by a full replay of that image (a read-only trace
 * just gets no cache), so later random access replays at most that many
 * events. Dropping the table is always safe.
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

struct hs_model_image {
    uint32_t proc; /* processes.proc */
    uint32_t pid, exec_gen, ppid;
    uint64_t start_ts, end_ts; /* events: start_ts <= ts_ns < end_ts */
    uint64_t n_events;
    int glibc;                     /* chunk headers were glibc's */
    struct hs_glibc_params params; /* defaults + its GLIBC_TUNABLES/MALLOC_* */
    int parent;                    /* image it was forked from, -1 if none */
    uint64_t fork_seq;             /* the parent's fork event */
    uint32_t fork_tid;             /* the parent thread that forked */
    char exe[160];
};

struct hs_model_images {
    struct hs_model_image *v;
    uint32_t n;
};

int hs_model_images_load(struct hs_trace *t, struct hs_model_images *out, struct hs_error *err);
void hs_model_images_free(struct hs_model_images *imgs);

/* The image commands show by default: pid's (or, for pid 0, any pid's)
 * image with the most events. -1 if there is none. */
int hs_model_image_of_pid(const struct hs_model_images *imgs, uint32_t pid);
/* The image event seq belongs to (pid 0: any). -1 and err if none. */
int hs_model_image_of_seq(struct hs_trace *t, const struct hs_model_images *imgs, uint64_t seq,
                          uint32_t pid, struct hs_error *err);

/* The model as the image starts: empty, or its parent's at the fork. */
int hs_model_image_start(struct hs_trace *t, const struct hs_model_images *imgs, int idx,
                         struct hs_model **out, struct hs_error *err);

/* Called after each event is applied; non-zero stops the replay. */
typedef int (*hs_model_step_fn)(void *ctx, const struct hs_event *ev,
                                const struct hs_model_step *step, struct hs_model *m);

/* Replays the image's events with from_seq <= seq <= to_seq (0: to the
 * end) into m. */
int hs_model_replay(struct hs_trace *t, const struct hs_model_images *imgs, int idx,
                    struct hs_model *m, uint64_t from_seq, uint64_t to_seq, hs_model_step_fn fn,
                    void *ctx, struct hs_error *err);

/* The whole image from its start (fn as for hs_model_replay, may be NULL),
 * filling the checkpoint cache on the way if the image is big enough and
 * has none yet. *out (if out is not NULL) gets the model at the end. */
int hs_model_replay_all(struct hs_trace *t, const struct hs_model_images *imgs, int idx,
                        hs_model_step_fn fn, void *ctx, struct hs_model **out,
                        struct hs_error *err);

/* The image's model right after event seq (0: its end), through the
 * checkpoint cache. */
int hs_model_run_at(struct hs_trace *t, const struct hs_model_images *imgs, int idx, uint64_t seq,
                    struct hs_model **out, struct hs_error *err);

#endif
