/*
 * model_check.c - the accuracy report of the glibc model over one process
 * (model_check.h). The recorded mallinfo2() snapshots are read from the
 * trace's `mallinfo` table (one row per mark and one at exit, keyed by the
 * seq of the snapshot) and compared when the replay reaches that seq.
 */
#include "model_check.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grow.h"
#include "model_run.h"

struct ctx {
    struct hs_check_report *r;
    struct hs_event ring[HS_CHECK_CONTEXT];
    unsigned n_ring;
    unsigned next_snap;
};

static void compare_snapshot(struct ctx *c, struct hs_model *m)
{
    struct hs_check_mallinfo *s = &c->r->mallinfo[c->next_snap++];
    hs_model_mallinfo(m, &s->model);
    const struct hs_mallinfo *a = &s->model, *b = &s->recorded;
    s->equal = a->arena == b->arena && a->ordblks == b->ordblks && a->smblks == b->smblks &&
               a->hblks == b->hblks && a->hblkhd == b->hblkhd && a->fsmblks == b->fsmblks &&
               a->uordblks == b->uordblks && a->fordblks == b->fordblks &&
               a->keepcost == b->keepcost;
    c->r->n_mallinfo_equal += (unsigned)s->equal;
}

static int on_step(void *vctx, const struct hs_event *ev, const struct hs_model_step *st,
                   struct hs_model *m)
{
    struct ctx *c = vctx;
    struct hs_check_report *r = c->r;
    r->n_events++;
    /* snapshots are taken by the tracer right after the mark or exit */
    while (c->next_snap < r->n_mallinfo && r->mallinfo[c->next_snap].seq <= ev->seq)
        compare_snapshot(c, m);
    if (st->unknown_free)
        r->n_unknown_free++;
    if (st->is_alloc) {
        r->n_alloc++;
        if (!st->predicted) {
            r->n_observed++;
        } else {
            unsigned op = ev->op < HS_OP_COUNT ? ev->op : 0;
            r->n_predicted++;
            r->by_op[op][0]++;
            r->by_path[st->path][0]++;
            if (st->match) {
                r->n_matched++;
                r->by_op[op][1]++;
                r->by_path[st->path][1]++;
            } else {
                if (r->n_div_kept < HS_CHECK_MAX_DIVERGENCES) {
                    struct hs_check_divergence *d = &r->div[r->n_div_kept++];
                    d->ev = *ev;
                    d->step = *st;
                    d->n_before = c->n_ring;
                    for (unsigned i = 0; i < c->n_ring; i++)
                        d->before[i] = c->ring[i];
                }
                r->n_div++;
            }
        }
    }
    if (ev->op != HS_OP_MALLINFO_A && ev->op != HS_OP_MALLINFO_B && ev->op != HS_OP_STATE) {
        if (c->n_ring == HS_CHECK_CONTEXT) {
            memmove(c->ring, c->ring + 1, (HS_CHECK_CONTEXT - 1) * sizeof c->ring[0]);
            c->n_ring--;
        }
        c->ring[c->n_ring++] = *ev;
    }
    return 0;
}

static int load_snapshots(struct hs_trace *t, uint32_t proc, struct hs_check_report *r,
                          struct hs_error *err)
{
    sqlite3_stmt *s;
    sqlite3 *db = hs_trace_db(t);
    if (sqlite3_prepare_v2(
            db,
            "SELECT i.seq, coalesce(k.label, ''), i.arena, i.ordblks, i.smblks, i.hblks,"
            " i.hblkhd, i.usmblks, i.fsmblks, i.uordblks, i.fordblks, i.keepcost"
            " FROM mallinfo i LEFT JOIN marks k ON k.id = i.mark_id"
            " WHERE i.proc = ?1 ORDER BY i.seq",
            -1, &s, NULL) != SQLITE_OK)
        return hs_error_set(err, HS_EDB, "cannot read mallinfo: %s", sqlite3_errmsg(db));
    sqlite3_bind_int64(s, 1, proc);
    size_t cap = 0;
    while (sqlite3_step(s) == SQLITE_ROW) {
        struct hs_check_mallinfo *grown =
            hs_grow(r->mallinfo, &cap, r->n_mallinfo, sizeof *grown, 16);
        if (!grown) {
            sqlite3_finalize(s);
            return hs_error_set(err, HS_ENOMEM, "out of memory");
        }
        r->mallinfo = grown;
        struct hs_check_mallinfo *x = &r->mallinfo[r->n_mallinfo++];
        memset(x, 0, sizeof *x);
        x->seq = (uint64_t)sqlite3_column_int64(s, 0);
        snprintf(x->label, sizeof x->label, "%s", (const char *)sqlite3_column_text(s, 1));
        uint64_t *f = &x->recorded.arena;
        for (int i = 0; i < 10; i++)
            f[i] = (uint64_t)sqlite3_column_int64(s, 2 + i);
    }
    sqlite3_finalize(s);
    return 0;
}

int hs_check_image(struct hs_trace *t, const struct hs_model_images *imgs, int idx,
                   struct hs_check_report *r, struct hs_error *err)
{
    const struct hs_model_image *im = &imgs->v[idx];
    memset(r, 0, sizeof *r);
    r->pid = im->pid;
    r->exec_gen = im->exec_gen;
    r->forked = im->parent >= 0;
    int rc = load_snapshots(t, im->proc, r, err);
    struct ctx c = {.r = r};
    struct hs_model *m = NULL;
    if (rc == 0)
        rc = hs_model_replay_all(t, imgs, idx, on_step, &c, &m, err);
    while (rc == 0 && c.next_snap < r->n_mallinfo)
        compare_snapshot(&c, m);
    hs_model_free(m);
    return rc;
}

void hs_check_free(struct hs_check_report *r)
{
    free(r->mallinfo);
    r->mallinfo = NULL;
}
