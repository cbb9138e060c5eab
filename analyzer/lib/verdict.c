/*
 * verdict.c - fragmentation in plain words (contract and thresholds in
 * verdict.h). Runs the timeline at every event (every = 1) to find the true
 * peak of held memory, then classifies it; for glibc traces one more replay
 * through the glibc model (from its checkpoints) gives the free chunks at
 * the end.
 */
#include "verdict.h"

#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "frag.h"
#include "model_run.h"
#include "timeline.h"

struct run {
    struct hs_verdict *v;
    int glibc;
};

/* glibc: brk heap + mmapped chunks. Other allocators carve blocks out of
 * their own mappings, which the tracer records as the allocator's mmaps. */
static void point_from(struct hs_verdict_point *p, const struct hs_timeline_row *r, int glibc)
{
    p->seq = r->seq;
    p->heap_extent = r->brk >= r->heap_start ? r->brk - r->heap_start : 0;
    p->mmapped = glibc ? r->mmapped : r->allocator_mapped;
    p->held = p->heap_extent + p->mmapped;
    p->live_requested = r->live_requested;
    p->live_chunk = r->live_chunk;
    p->utilization = p->held ? (double)p->live_requested / (double)p->held : 1.0;
    if (p->utilization > 1.0) /* live data outside the brk heap, e.g. other arenas */
        p->utilization = 1.0;
    p->overhead = p->live_chunk ? (double)(p->live_chunk - p->live_requested) / (double)p->live_chunk
                                : 0.0;
}

static int on_row(const struct hs_timeline_row *r, void *ctx)
{
    struct run *run = ctx;
    struct hs_verdict *v = run->v;
    struct hs_verdict_point p;
    point_from(&p, r, run->glibc);
    /* of the moments holding the most, the one with the most live data:
     * not the brk that made room before anything filled it */
    if (p.held > v->peak.held || v->peak.seq == 0 ||
        (p.held == v->peak.held && p.live_requested > v->peak.live_requested))
        v->peak = p;
    if (p.live_requested > v->peak_live.live_requested || v->peak_live.seq == 0)
        v->peak_live = p;
    v->end = p;
    return 0;
}

static void human(uint64_t n, char *buf, size_t size)
{
    const char *units[] = {"bytes", "KiB", "MiB", "GiB"};
    double x = (double)n;
    int u = 0;
    while (x >= 1024 && u < 3) {
        x /= 1024;
        u++;
    }
    if (u == 0)
        snprintf(buf, size, "%llu bytes", (unsigned long long)n);
    else
        snprintf(buf, size, "%.1f %s", x, units[u]);
}

/* The model's free-chunk figures at the end; best effort (no sentence if
 * the model cannot replay this trace). */
static void model_at_end(struct hs_trace *t, const struct hs_model_images *imgs, int idx,
                         struct hs_verdict_model *out)
{
    struct hs_model *m = NULL;
    struct hs_error ignored;
    if (!hs_trace_is_glibc(t) || idx < 0 || !imgs->v[idx].glibc ||
        hs_model_run_at(t, imgs, idx, 0, &m, &ignored) != HS_OK)
        return;
    struct hs_frag f;
    hs_frag_compute(m, &f);
    hs_model_free(m);
    out->has_model = 1;
    out->free_bytes = f.free_tcache + f.free_fastbin + f.free_unsorted + f.free_smallbin +
                      f.free_largebin + f.free_top;
    out->largest_free = f.largest_free;
    out->external_frag = f.external_frag;
}

/* Another allocator's mappings are address space it reserved (jemalloc
 * maps 8 MiB at once and touches a little of it); the trace does not say
 * how much is resident, so there is no honest utilization to judge. */
static void judge_other(struct hs_verdict *out)
{
    char held[32], live[32];
    human(out->peak.held, held, sizeof held);
    human(out->peak_live.live_requested, live, sizeof live);
    out->level = "unknown";
    snprintf(out->text, sizeof out->text,
             "Not judged: this trace is not of glibc's malloc, whose heap heapscope can "
             "measure. The allocator mapped up to %s of address space (only the pages it "
             "touched use memory, and the trace does not say how many), while the live data "
             "peaked at %s (event %llu).",
             held, live, (unsigned long long)out->peak_live.seq);
}

/* Blocks of image proc that glibc gave from an arena other than the main
 * one (NON_MAIN_ARENA, not mmapped): its threads' arenas. */
static uint64_t blocks_in_thread_arenas(struct hs_trace *t, uint32_t proc, uint64_t *bytes)
{
    sqlite3_stmt *s;
    uint64_t n = 0;
    *bytes = 0;
    if (sqlite3_prepare_v2(hs_trace_db(t),
                           "SELECT count(*), coalesce(sum(size), 0) FROM blocks WHERE proc = ?1"
                           " AND flags & 6 = 4",
                           -1, &s, NULL) != SQLITE_OK)
        return 0;
    sqlite3_bind_int64(s, 1, proc);
    if (sqlite3_step(s) == SQLITE_ROW) {
        n = (uint64_t)sqlite3_column_int64(s, 0);
        *bytes = (uint64_t)sqlite3_column_int64(s, 1);
    }
    sqlite3_finalize(s);
    return n;
}

/* The main arena's brk heap is measured, the threads' arenas are not (the
 * trace sees their 64 MiB reservations, not what is resident), while the
 * live data counts the blocks of every arena: no honest utilization. */
static void judge_threads(struct hs_verdict *out, uint64_t n, uint64_t bytes)
{
    char b[32];
    human(bytes, b, sizeof b);
    out->level = "unknown";
    snprintf(out->text, sizeof out->text,
             "Not judged: %llu blocks (%s requested in all) of this process came from arenas "
             "other than the main one, its threads' arenas, whose heaps the trace does not "
             "measure (it sees their 64 MiB reservations, not what is in use); the verdict "
             "judges the main arena's heap and mmapped chunks only, which would leave these "
             "out. `heapscope frag` and `heap` show the main arena.",
             (unsigned long long)n, b);
}

static void judge_glibc(struct hs_verdict *out)
{
    const struct hs_verdict_point *pk = &out->peak, *end = &out->end;
    char held[32], live[32], eheld[32], elive[32];
    human(pk->held, held, sizeof held);
    human(pk->live_requested, live, sizeof live);
    human(end->held, eheld, sizeof eheld);
    human(end->live_requested, elive, sizeof elive);
    const char *judgement;
    if (pk->held < HS_VERDICT_SMALL_HELD) {
        out->level = "small";
        judgement = "The heap stays under 1 MiB, too small for fragmentation to matter.";
    } else if (pk->utilization >= HS_VERDICT_LOW) {
        out->level = "low";
        judgement = "Fragmentation is low: at least three quarters of the memory held is live data.";
    } else if (pk->utilization >= HS_VERDICT_HIGH) {
        out->level = "moderate";
        judgement = "Fragmentation is moderate: between a quarter and a half of the memory held "
                    "is free space or chunk overhead.";
    } else {
        out->level = "high";
        judgement = "Fragmentation is high: more than half of the memory held is free space or "
                    "chunk overhead, not data.";
    }
    int n = snprintf(out->text, sizeof out->text,
                     "%s At its peak (event %llu) the process held %s for its heap "
                     "(brk heap plus mmapped chunks) and used %s of it for live data "
                     "(utilization %.0f%%; headers and rounding take %.0f%% of the live chunks).",
                     judgement, (unsigned long long)pk->seq, held, live, 100 * pk->utilization,
                     100 * pk->overhead);
    if (n <= 0 || (size_t)n >= sizeof out->text)
        return;
    if (end->held >= HS_VERDICT_SMALL_HELD && end->utilization < HS_VERDICT_NOT_RETURNED)
        snprintf(out->text + n, sizeof out->text - (size_t)n,
                 " At the end it still held %s for %s of live data: the freed memory was "
                 "not given back to the system.", eheld, elive);
    else
        snprintf(out->text + n, sizeof out->text - (size_t)n,
                 " At the end it held %s for %s of live data (utilization %.0f%%).", eheld,
                 elive, 100 * end->utilization);
}

int hs_verdict_compute(struct hs_trace *t, uint32_t pid, struct hs_verdict *out,
                       struct hs_error *err)
{
    memset(out, 0, sizeof *out);
    /* The image the timeline picks too (the busiest of pid), named. */
    struct hs_model_images imgs = {NULL, 0};
    int rc = hs_model_images_load(t, &imgs, err);
    if (rc != HS_OK)
        return rc;
    int idx = hs_model_image_of_pid(&imgs, pid);
    if (idx >= 0) {
        out->pid = imgs.v[idx].pid;
        out->exec_gen = imgs.v[idx].exec_gen;
        snprintf(out->exe, sizeof out->exe, "%s", imgs.v[idx].exe);
    }
    struct hs_timeline_opts opts = {1, pid};
    /* the image's own allocator: a trace may mix glibc and others */
    struct run run = {out, idx >= 0 ? imgs.v[idx].glibc : hs_trace_is_glibc(t)};
    if ((rc = hs_timeline_run(t, &opts, on_row, &run, err)) != HS_OK || !run.glibc) {
        if (rc == HS_OK)
            judge_other(out);
        hs_model_images_free(&imgs);
        return rc;
    }
    uint64_t arena_bytes, in_arenas = idx >= 0 ? blocks_in_thread_arenas(t, imgs.v[idx].proc,
                                                                         &arena_bytes)
                                               : 0;
    if (in_arenas) {
        judge_threads(out, in_arenas, arena_bytes);
        hs_model_images_free(&imgs);
        return HS_OK;
    }
    judge_glibc(out);
    model_at_end(t, &imgs, idx, &out->model);
    hs_model_images_free(&imgs);
    const struct hs_verdict_model *mo = &out->model;
    size_t used = strlen(out->text);
    if (mo->has_model && mo->free_bytes > 0 && used < sizeof out->text) {
        char fb[32], lf[32];
        human(mo->free_bytes, fb, sizeof fb);
        human(mo->largest_free, lf, sizeof lf);
        int scattered = mo->external_frag >= HS_VERDICT_SCATTERED &&
                        mo->free_bytes >= HS_VERDICT_SCATTERED_MIN_FREE;
        snprintf(out->text + used, sizeof out->text - used,
                 " Inside the heap at the end, %s is free and the largest free chunk is %s "
                 "(external fragmentation %.0f%%)%s", fb, lf, 100 * mo->external_frag,
                 scattered ? ": the free space is scattered, and a request larger than the "
                             "largest free chunk would still grow the heap."
                           : ".");
    }
    return HS_OK;
}
