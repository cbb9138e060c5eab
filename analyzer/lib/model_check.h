/*
 * model_check.h - `heapscope check` as a library: replay one process of a
 * trace through the glibc model and count how many recorded addresses it
 * predicted, per op and per path, keep the first divergences with the
 * events around them, and compare the model's mallinfo2() with the
 * recorded one at every mark and at exit.
 *
 * Allocates: yes (hs_check_free). Errors: negative HS_E* with err filled.
 */
#ifndef HS_MODEL_CHECK_H
#define HS_MODEL_CHECK_H

#include <stdint.h>

#include "error.h"
#include "glibc_model.h"
#include "trace.h"

#define HS_CHECK_MAX_DIVERGENCES 10
#define HS_CHECK_CONTEXT 3

struct hs_check_divergence {
    struct hs_event ev;
    struct hs_model_step step;
    struct hs_event before[HS_CHECK_CONTEXT]; /* oldest first */
    unsigned n_before;
};

struct hs_check_mallinfo {
    uint64_t seq;
    char label[HS_LABEL_MAX]; /* "" for the exit snapshot */
    struct hs_mallinfo model, recorded;
    int equal;
};

struct hs_check_report {
    uint32_t pid, exec_gen;
    int forked; /* started from its parent's heap */
    uint64_t n_events;
    uint64_t n_alloc, n_predicted, n_matched, n_observed, n_unknown_free;
    uint64_t by_op[HS_OP_COUNT][2]; /* [op][0] predicted, [1] matched */
    uint64_t by_path[HS_PATH_COUNT][2];
    struct hs_check_divergence div[HS_CHECK_MAX_DIVERGENCES];
    unsigned n_div_kept;
    uint64_t n_div;
    struct hs_check_mallinfo *mallinfo;
    unsigned n_mallinfo, n_mallinfo_equal;
};

struct hs_model_images;
/* Checks process image idx of imgs (model_run.h). */
int hs_check_image(struct hs_trace *t, const struct hs_model_images *imgs, int idx,
                   struct hs_check_report *out, struct hs_error *err);
void hs_check_free(struct hs_check_report *r);

#endif
