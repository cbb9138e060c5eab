/*
 * timeline.c - sampled memory figures of one process over time (contract in
 * timeline.h).
 *
 * One replay of the event stream with a live_map: each allocation adds its
 * requested and chunk bytes, each free (or the old half of a realloc)
 * subtracts the figures recorded at allocation time, so the sums are exact
 * at every row. The program break comes from brk/sbrk events (ptr is the
 * new break, old_ptr the one before), whether the allocator (inferred) or
 * the program made them.
 *
 * Check: at a mark, live_chunk + (free chunks) + top equals mallinfo2's
 * arena for a glibc single-arena trace; live_requested equals the sum of
 * `heapscope leaks` at the last event.
 */
#include "timeline.h"

#include <sqlite3.h>
#include <string.h>

#include "block_events.h"
#include "live_map.h"

struct state {
    struct hs_timeline_row row;
    struct hs_live_map live;
    const struct hs_mark *marks;
    uint64_t n_marks, next_mark;
    uint64_t n_brk_rows;
    sqlite3_stmt *faults; /* after_seq of this process's faults, ascending */
    int64_t next_fault;   /* after_seq of the next unread fault; -1 at the end */
};

/* Page faults come from the `faults` table (one row per kernel sample,
 * placed after the event `after_seq`; written at import), not from the
 * event stream. No table (an older trace or --no-faults): no faults. */
static void faults_open(struct state *s, struct hs_trace *t, const struct hs_image_span *span)
{
    s->next_fault = -1;
    if (sqlite3_prepare_v2(hs_trace_db(t),
                           "SELECT after_seq FROM faults WHERE pid = ?1 AND ts_ns >= ?2"
                           " AND ts_ns < ?3 ORDER BY after_seq", -1,
                           &s->faults, NULL) != SQLITE_OK) {
        s->faults = NULL;
        return;
    }
    sqlite3_bind_int64(s->faults, 1, span->pid);
    sqlite3_bind_int64(s->faults, 2, (int64_t)span->start_ts);
    sqlite3_bind_int64(s->faults, 3, span->end_ts > INT64_MAX ? INT64_MAX : (int64_t)span->end_ts);
    if (sqlite3_step(s->faults) == SQLITE_ROW)
        s->next_fault = sqlite3_column_int64(s->faults, 0);
}

static void faults_until(struct state *s, uint64_t seq)
{
    while (s->next_fault >= 0 && (uint64_t)s->next_fault <= seq) {
        s->row.page_faults++;
        s->next_fault = sqlite3_step(s->faults) == SQLITE_ROW ? sqlite3_column_int64(s->faults, 0) : -1;
    }
}

static void apply(struct state *s, const struct hs_event *ev)
{
    struct hs_live_block b;
    uint64_t freed = hs_event_freed(ev);
    if (freed && hs_live_map_take(&s->live, freed, &b)) {
        s->row.live_requested -= b.size;
        s->row.live_chunk -= b.chunk_size;
        s->row.n_live--;
        if (b.flags & HS_CHUNK_IS_MMAPPED)
            s->row.mmapped -= b.chunk_size;
    }
    if (ev->origin == HS_ORIGIN_ALLOCATOR && !(ev->flags & HS_F_FAILED)) {
        /* What another allocator (jemalloc...) holds is in its mappings. */
        uint64_t *m = &s->row.allocator_mapped;
        if (ev->op == HS_OP_MMAP)
            *m += ev->size;
        else if (ev->op == HS_OP_MUNMAP)
            *m -= ev->size < *m ? ev->size : *m;
        else if (ev->op == HS_OP_MREMAP) /* size: new length, chunk_size: old */
            *m = *m - (ev->chunk_size < *m ? ev->chunk_size : *m) + ev->size;
    }
    if (ev->op == HS_OP_BRK || ev->op == HS_OP_SBRK) {
        if (!(ev->flags & HS_F_FAILED)) {
            if (s->row.heap_start == 0)
                s->row.heap_start = ev->old_ptr;
            s->row.brk = ev->ptr;
        }
    }
}

static int allocate(struct state *s, const struct hs_event *ev)
{
    uint64_t addr = hs_event_allocated(ev);
    if (!addr)
        return HS_OK;
    struct hs_live_block b = {addr, ev->size, ev->chunk_size, ev->seq, 0, ev->flags};
    struct hs_live_block old;
    /* An address handed out twice without a free in between means a lost
     * free event: replace, keeping the sums right. */
    if (hs_live_map_take(&s->live, addr, &old)) {
        s->row.live_requested -= old.size;
        s->row.live_chunk -= old.chunk_size;
        s->row.n_live--;
        if (old.flags & HS_CHUNK_IS_MMAPPED)
            s->row.mmapped -= old.chunk_size;
    }
    if (hs_live_map_put(&s->live, &b) != HS_OK)
        return HS_ENOMEM;
    s->row.live_requested += b.size;
    s->row.live_chunk += b.chunk_size;
    s->row.n_live++;
    if (b.flags & HS_CHUNK_IS_MMAPPED)
        s->row.mmapped += b.chunk_size;
    return HS_OK;
}

void hs_timeline_pick_image(struct hs_trace *t, uint32_t pid, struct hs_image_span *out)
{
    out->pid = pid;
    out->start_ts = 0;
    out->end_ts = UINT64_MAX;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(hs_trace_db(t),
                           "SELECT p.pid, coalesce(p.start_ts_ns, 0),"
                           " (SELECT q.start_ts_ns FROM processes q"
                           "   WHERE q.pid = p.pid AND q.exec_gen = p.exec_gen + 1)"
                           " FROM processes p WHERE ?1 = 0 OR p.pid = ?1"
                           " ORDER BY coalesce(p.n_events, 0) DESC, p.pid, p.exec_gen LIMIT 1",
                           -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_int64(st, 1, pid);
        if (sqlite3_step(st) == SQLITE_ROW) {
            out->pid = (uint32_t)sqlite3_column_int64(st, 0);
            out->start_ts = (uint64_t)sqlite3_column_int64(st, 1);
            if (sqlite3_column_type(st, 2) != SQLITE_NULL)
                out->end_ts = (uint64_t)sqlite3_column_int64(st, 2);
        }
    }
    sqlite3_finalize(st);
}

int hs_image_span_has(struct hs_image_span *span, const struct hs_event *ev)
{
    if (span->pid == 0)
        span->pid = ev->pid;
    return ev->pid == span->pid && ev->ts_ns >= span->start_ts && ev->ts_ns < span->end_ts;
}

int hs_timeline_run(struct hs_trace *t, const struct hs_timeline_opts *opts,
                    hs_timeline_cb cb, void *ctx, struct hs_error *err)
{
    struct state s;
    memset(&s, 0, sizeof s);
    int rc = hs_trace_marks(t, &s.marks, &s.n_marks, err);
    if (rc != HS_OK)
        return rc;
    uint64_t every = opts->every;
    if (every == 0) {
        every = hs_trace_n_events(t) / 2000;
        if (every == 0)
            every = 1;
    }
    if (hs_live_map_init(&s.live) != HS_OK)
        return hs_error_set(err, HS_ENOMEM, "out of memory replaying the trace");
    struct hs_cursor *c = NULL;
    rc = hs_cursor_open(t, 0, 0, &c, err);
    if (rc != HS_OK)
        goto err_free_map;
    struct hs_image_span span;
    hs_timeline_pick_image(t, opts->pid, &span);
    uint64_t n = 0;
    int pending = 0; /* a row describes events not yet reported */
    struct hs_event ev;
    while ((rc = hs_cursor_next(c, &ev, err)) == 1) {
        if (!hs_image_span_has(&span, &ev))
            continue;
        if (!s.faults && s.next_fault == 0)
            faults_open(&s, t, &span);
        uint64_t old_brk = s.row.brk;
        apply(&s, &ev);
        if ((rc = allocate(&s, &ev)) != HS_OK) {
            hs_error_set(err, rc, "out of memory replaying the trace at event %llu",
                         (unsigned long long)ev.seq);
            goto err_close_cursor;
        }
        s.row.seq = ev.seq;
        s.row.ts_ns = ev.ts_ns;
        s.row.mark = NULL;
        while (s.next_mark < s.n_marks && s.marks[s.next_mark].seq < ev.seq)
            s.next_mark++;
        if (ev.op == HS_OP_MARK && s.next_mark < s.n_marks && s.marks[s.next_mark].seq == ev.seq)
            s.row.mark = s.marks[s.next_mark].label;
        n++;
        int brk_row = s.row.brk != old_brk && s.n_brk_rows < HS_TIMELINE_MAX_BRK_ROWS;
        if (brk_row)
            s.n_brk_rows++;
        faults_until(&s, ev.seq);
        if (n % every == 0 || s.row.mark || brk_row) {
            if ((rc = cb(&s.row, ctx)) != 0)
                goto err_close_cursor;
            pending = 0;
        } else {
            pending = 1;
        }
    }
    if (rc < 0)
        goto err_close_cursor;
    rc = pending ? cb(&s.row, ctx) : HS_OK;
err_close_cursor:
    hs_cursor_close(c);
    sqlite3_finalize(s.faults);
err_free_map:
    hs_live_map_free(&s.live);
    return rc;
}
