/*
 * verdict.c - fragmentation in plain words (contract and thresholds in
 * verdict.h). Runs the timeline at every event (every = 1) to find the true
 * peak of held memory, then classifies it.
 */
#include "verdict.h"

#include <stdio.h>
#include <string.h>

#include "timeline.h"

static void point_from(struct hs_verdict_point *p, const struct hs_timeline_row *r)
{
    p->seq = r->seq;
    p->heap_extent = r->brk >= r->heap_start ? r->brk - r->heap_start : 0;
    p->mmapped = r->mmapped;
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
    struct hs_verdict *v = ctx;
    struct hs_verdict_point p;
    point_from(&p, r);
    if (p.held > v->peak.held || v->peak.seq == 0)
        v->peak = p;
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

int hs_verdict_compute(struct hs_trace *t, struct hs_verdict *out, struct hs_error *err)
{
    memset(out, 0, sizeof *out);
    struct hs_timeline_opts opts = {1, 0};
    int rc = hs_timeline_run(t, &opts, on_row, out, err);
    if (rc != HS_OK)
        return rc;
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
    if (n > 0 && (size_t)n < sizeof out->text) {
        if (end->held >= HS_VERDICT_SMALL_HELD && end->utilization < HS_VERDICT_NOT_RETURNED)
            snprintf(out->text + n, sizeof out->text - (size_t)n,
                     " At the end it still held %s for %s of live data: the freed memory was "
                     "not given back to the system.", eheld, elive);
        else
            snprintf(out->text + n, sizeof out->text - (size_t)n,
                     " At the end it held %s for %s of live data (utilization %.0f%%).", eheld,
                     elive, 100 * end->utilization);
    }
    return HS_OK;
}
