/*
 * import_events.c - the importer's per-record work, called in seq order:
 *
 *   allocation (malloc .. pvalloc)  opens a lifetime: a pending block_row
 *   free                            closes the lifetime of (image, ptr)
 *   realloc p -> q                  closes p's lifetime, opens q's
 *                                   (realloc_from = p), in the same seq
 *   mark                            a marks row; opens a pending snapshot
 *   exit                            a sys_events row; opens a snapshot
 *   mallinfo_a/b, state             fill the thread's pending snapshot
 *   anything else (brk, mmap, ...,  a sys_events row
 *     free(NULL), unmatched free,
 *     failed allocation)
 *
 * Every record except the snapshots also goes to the compact event stream
 * (stream.h), 4096 events per event_chunks row, encoded and compressed on
 * a thread of its own (import_stream.c). Lifetimes are written in
 * alloc_seq (rowid) order through a queue: a finished lifetime waits until
 * every older one has finished, so the blocks B-tree is built by appends
 * that fill its pages (btree_build.h; inserting in free order left 11% of
 * every page empty). A block that stays live while REORDER_LIMIT newer
 * ones pass is parked and written alone when it ends (the builder merges
 * such late rows in at the end). Rows go to the SQLite thread
 * BLOCK_ROWS_PER_MSG per message; lifetimes still open at the end are
 * written with free_seq NULL: the blocks live at exit.
 */
#define _GNU_SOURCE /* qsort_r */
#include "import_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grow.h"

#define REORDER_LIMIT (1u << 18)

enum { ROW_LIVE = 0, ROW_DONE = 1, ROW_PARKED = 2 };

int hs__import_events_init(struct import_state *st)
{
    hs_ptrmap_init(&st->live);
    return hs__stream_stage_start(st);
}

void hs__import_events_release(struct import_state *st)
{
    hs__stream_stage_stop(st);
    hs_ptrmap_free(&st->live);
    free(st->rows);
    free(st->free_rows);
    free(st->snaps);
    free(st->queue);
    st->queue = NULL;
    st->q_head = st->q_tail = st->q_cap = 0;
    st->rows = NULL;
    st->free_rows = NULL;
    st->snaps = NULL;
    st->n_rows = st->cap_rows = st->n_free_rows = st->cap_free_rows = 0;
    st->n_snaps = st->cap_snaps = 0;
}

static struct import_msg *begin(struct import_state *st, enum import_msg_kind kind)
{
    struct import_msg *m = hs__import_msg_begin(st);
    if (m)
        m->kind = kind;
    return m;
}

/* Error of a failed post: the SQLite thread's message is the real one. */
#define POST_FAILED HS_EDB

static int flush_blocks(struct import_state *st)
{
    if (st->n_out == 0)
        return 0;
    struct import_msg *m = begin(st, MSG_BLOCKS);
    if (!m)
        return POST_FAILED;
    m->u.blocks.n = st->n_out;
    memcpy(m->u.blocks.rows, st->out, st->n_out * sizeof st->out[0]);
    hs__import_msg_commit(st);
    st->n_out = 0;
    return 0;
}

static int emit_block(struct import_state *st, const struct block_row *b)
{
    if (st->faults)
        hs_fault_place_block(st->faults, b->image, b->ptr, b->size, b->chunk_size, b->alloc_seq,
                             b->free_seq);
    st->out[st->n_out++] = *b;
    st->result->n_blocks++;
    if (b->free_seq == 0)
        st->result->n_live++;
    return st->n_out == BLOCK_ROWS_PER_MSG ? flush_blocks(st) : 0;
}

static int stream_event(struct import_state *st, const struct hs_event *ev)
{
    st->result->n_events++;
    return hs__stream_stage_put(st, ev);
}

static int insert_sys(struct import_state *st, uint32_t image, const struct hs_event *ev)
{
    struct import_msg *m = begin(st, MSG_SYS);
    if (!m)
        return POST_FAILED;
    m->u.event.ev = *ev;
    m->u.event.image = image;
    m->u.event.proc = st->images[image].proc;
    hs__import_msg_commit(st);
    return 0;
}

static int new_row(struct import_state *st, uint64_t *index)
{
    if (st->n_free_rows) {
        *index = st->free_rows[--st->n_free_rows];
        return 0;
    }
    struct block_row *grown = hs_grow(st->rows, &st->cap_rows, st->n_rows, sizeof *grown, 4096);
    if (!grown)
        return hs_error_set(st->err, HS_ENOMEM, "out of memory");
    st->rows = grown;
    *index = st->n_rows++;
    return 0;
}

static int release_row(struct import_state *st, uint64_t index)
{
    uint64_t *grown =
        hs_grow(st->free_rows, &st->cap_free_rows, st->n_free_rows, sizeof *grown, 4096);
    if (!grown)
        return hs_error_set(st->err, HS_ENOMEM, "out of memory");
    st->free_rows = grown;
    st->free_rows[st->n_free_rows++] = index;
    return 0;
}

static int queue_push(struct import_state *st, uint64_t index)
{
    if (st->q_tail == st->q_cap) {
        if (st->q_head > st->q_cap / 2) {
            memmove(st->queue, st->queue + st->q_head,
                    (st->q_tail - st->q_head) * sizeof *st->queue);
            st->q_tail -= st->q_head;
            st->q_head = 0;
        } else {
            uint64_t *grown = hs_grow(st->queue, &st->q_cap, st->q_tail, sizeof *grown, 4096);
            if (!grown)
                return hs_error_set(st->err, HS_ENOMEM, "out of memory");
            st->queue = grown;
        }
    }
    st->queue[st->q_tail++] = index;
    return 0;
}

/* Writes finished rows from the front of the queue; parks the front if it
 * holds back too many. */
static int drain(struct import_state *st)
{
    int rc;
    while (st->q_head < st->q_tail) {
        uint64_t index = st->queue[st->q_head];
        struct block_row *b = &st->rows[index];
        if (b->state == ROW_DONE) {
            if ((rc = emit_block(st, b)) || (rc = release_row(st, index)))
                return rc;
        } else if (st->q_tail - st->q_head > REORDER_LIMIT) {
            b->state = ROW_PARKED;
        } else {
            break;
        }
        st->q_head++;
    }
    return 0;
}

/* The lifetime in rows[index] is over (free_seq set, or 0 if its end was
 * lost): write it now if parked, else when its turn in the queue comes. */
static int finish_row(struct import_state *st, uint64_t index)
{
    struct block_row *b = &st->rows[index];
    if (b->state == ROW_PARKED) {
        int rc = emit_block(st, b);
        return rc ? rc : release_row(st, index);
    }
    b->state = ROW_DONE;
    return drain(st);
}

/* Ends the lifetime of (image, ptr) at ev; 1 if there was one, 0 if not.
 * Fills ev->size with the block's request size when the record had none. */
static int close_block(struct import_state *st, uint32_t image, uint64_t ptr, struct hs_event *ev)
{
    uint64_t index;
    if (!hs_ptrmap_take(&st->live, image, ptr, &index))
        return 0;
    struct block_row *b = &st->rows[index];
    b->free_seq = ev->seq;
    b->free_ts = ev->ts_ns;
    b->free_tid = ev->tid;
    b->free_op = ev->op;
    b->free_caller = ev->caller;
    if (ev->op == HS_OP_FREE && ev->size == 0)
        ev->size = b->size;
    int rc = finish_row(st, index);
    return rc ? rc : 1;
}

static int open_block(struct import_state *st, uint32_t image, const struct hs_event *ev)
{
    uint64_t index = 0, old;
    int rc;
    /* Two allocations of one address without a free between them: the
     * free was lost. Keep the older lifetime as one never seen to end. */
    if (hs_ptrmap_take(&st->live, image, ev->ptr, &old) && (rc = finish_row(st, old)))
        return rc;
    if ((rc = new_row(st, &index)))
        return rc;
    struct block_row *b = &st->rows[index];
    memset(b, 0, sizeof *b);
    b->alloc_seq = ev->seq;
    b->alloc_ts = ev->ts_ns;
    b->ptr = ev->ptr;
    b->size = ev->size;
    b->chunk_size = ev->chunk_size;
    b->caller = ev->caller;
    b->image = image;
    b->proc = st->images[image].proc;
    b->main_tid = ev->tid == st->images[image].pid;
    b->tid = ev->tid;
    b->flags = ev->flags;
    b->op = ev->op;
    b->state = ROW_LIVE;
    b->old_ptr = ev->old_ptr;
    if (hs_ptrmap_put(&st->live, image, ev->ptr, index))
        return hs_error_set(st->err, HS_ENOMEM, "out of memory");
    if ((rc = queue_push(st, index)))
        return rc;
    return drain(st);
}

static struct pending_snapshot *find_snapshot(struct import_state *st, uint32_t image, uint32_t tid)
{
    for (unsigned i = 0; i < st->n_snaps; i++)
        if (st->snaps[i].image == image && st->snaps[i].tid == tid)
            return &st->snaps[i];
    return NULL;
}

static int write_snapshot(struct import_state *st, const struct pending_snapshot *p)
{
    struct import_msg *m = begin(st, MSG_MALLINFO);
    if (!m)
        return POST_FAILED;
    m->u.snap = *p;
    hs__import_msg_commit(st);
    return 0;
}

/* Closes the thread's pending snapshot (written if any part arrived). */
static int end_snapshot(struct import_state *st, struct pending_snapshot *p)
{
    int rc = p->have ? write_snapshot(st, p) : 0;
    *p = st->snaps[--st->n_snaps];
    return rc;
}

static int begin_snapshot(struct import_state *st, uint32_t image, const struct hs_event *ev,
                          int64_t mark_id)
{
    struct pending_snapshot *p = find_snapshot(st, image, ev->tid);
    int rc;
    if (p && (rc = end_snapshot(st, p)))
        return rc;
    struct pending_snapshot *grown =
        hs_grow(st->snaps, &st->cap_snaps, st->n_snaps, sizeof *grown, 16);
    if (!grown)
        return hs_error_set(st->err, HS_ENOMEM, "out of memory");
    st->snaps = grown;
    p = &st->snaps[st->n_snaps++];
    memset(p, 0, sizeof *p);
    p->seq = ev->seq;
    p->ts = ev->ts_ns;
    p->image = image;
    p->proc = st->images[image].proc;
    p->pid = st->images[image].pid;
    p->tid = ev->tid;
    p->mark_id = mark_id;
    return 0;
}

static int snapshot_part(struct import_state *st, uint32_t image, const struct hs_record *rec)
{
    struct pending_snapshot *p = find_snapshot(st, image, rec->tid);
    if (!p) {
        st->result->n_skipped++;
        return 0; /* a snapshot whose mark was lost: nothing to attach to */
    }
    unsigned part = rec->op == HS_OP_MALLINFO_A ? 0 : rec->op == HS_OP_MALLINFO_B ? 1 : 2;
    memcpy(&p->v[part * 5], rec->u.v, (part == 2 ? 4 : 5) * sizeof(uint64_t));
    p->have |= 1u << part;
    return p->have == 7 ? end_snapshot(st, p) : 0;
}

static int insert_mark(struct import_state *st, uint32_t image, const struct hs_record *rec,
                       struct hs_event *ev)
{
    char label[HS_LABEL_MAX];
    memcpy(label, rec->u.label, HS_LABEL_MAX);
    label[HS_LABEL_MAX - 1] = '\0';
    ev->ptr = (uint64_t)++st->n_marks;
    struct import_msg *m = begin(st, MSG_MARK);
    if (!m)
        return POST_FAILED;
    m->u.event.ev = *ev;
    m->u.event.image = image;
    m->u.event.proc = st->images[image].proc;
    memcpy(m->u.event.label, label, sizeof label);
    m->u.event.truncated = (rec->flags & HS_F_LABEL_TRUNCATED) != 0;
    hs__import_msg_commit(st);
    int rc = 0;
    return rc ? rc : begin_snapshot(st, image, ev, (int64_t)ev->ptr);
}

static int is_allocation(unsigned op)
{
    return (op >= HS_OP_MALLOC && op <= HS_OP_REALLOCARRAY) ||
           (op >= HS_OP_MEMALIGN && op <= HS_OP_PVALLOC);
}

void hs__import_prefetch(struct import_state *st, uint32_t image, const struct hs_record *rec,
                         int stage)
{
    uint64_t ends = 0, index;
    if (rec->op == HS_OP_FREE)
        ends = rec->u.call.ptr;
    else if (rec->op == HS_OP_REALLOC || rec->op == HS_OP_REALLOCARRAY)
        ends = rec->u.call.old_ptr;
    if (stage == 0) {
        if (ends)
            hs_ptrmap_prefetch(&st->live, image, ends);
        if (is_allocation(rec->op) && rec->u.call.ptr)
            hs_ptrmap_prefetch(&st->live, image, rec->u.call.ptr);
    } else if (ends && hs_ptrmap_peek(&st->live, image, ends, &index)) {
        __builtin_prefetch(&st->rows[index], 1);
        __builtin_prefetch((const char *)&st->rows[index] + 64, 1);
    }
}

int hs__import_record(struct import_state *st, uint32_t image, const struct hs_record *rec)
{
    struct import_image *img = &st->images[image];
    struct hs_event ev = {
        .seq = rec->seq,
        .ts_ns = rec->ts_ns,
        .pid = img->pid,
        .tid = rec->tid,
        .op = rec->op,
        .origin = rec->origin,
        .flags = rec->flags,
    };
    int rc = 0;
    if (rec->op >= HS_OP_COUNT || rec->origin > HS_ORIGIN_TRACER) {
        st->result->n_skipped++;
        return 0;
    }
    if (!img->first_ts)
        img->first_ts = rec->ts_ns;
    img->last_ts = rec->ts_ns;
    if (rec->op == HS_OP_MALLINFO_A || rec->op == HS_OP_MALLINFO_B || rec->op == HS_OP_STATE)
        return snapshot_part(st, image, rec);
    img->n_events++;
    if (!img->proc)
        img->proc = ++st->n_procs;
    if (st->faults)
        hs_fault_place_event(st->faults, rec->seq, rec->ts_ns, rec->tid);
    if (rec->op != HS_OP_MARK) {
        ev.ptr = rec->u.call.ptr;
        ev.size = rec->u.call.size;
        ev.old_ptr = rec->u.call.old_ptr;
        ev.chunk_size = rec->u.call.chunk_size;
        ev.caller = rec->u.call.caller;
    }
    int failed = (rec->flags & HS_F_FAILED) != 0;
    if (rec->op == HS_OP_MARK) {
        rc = insert_mark(st, image, rec, &ev);
    } else if (is_allocation(rec->op)) {
        int is_realloc = rec->op == HS_OP_REALLOC || rec->op == HS_OP_REALLOCARRAY;
        /* A failed realloc leaves the old block alive; realloc(p, 0)
         * returning NULL freed it. */
        if (is_realloc && ev.old_ptr && !failed)
            rc = close_block(st, image, ev.old_ptr, &ev);
        if (rc >= 0) {
            if (ev.ptr && !failed)
                rc = open_block(st, image, &ev);
            else
                rc = insert_sys(st, image, &ev);
        }
    } else if (rec->op == HS_OP_FREE) {
        rc = ev.ptr ? close_block(st, image, ev.ptr, &ev) : 0;
        if (rc == 0)
            rc = insert_sys(st, image, &ev); /* free(NULL) or unknown block */
    } else {
        rc = insert_sys(st, image, &ev);
        if (rc == 0 && rec->op == HS_OP_EXIT) {
            img->has_exit = 1;
            img->exit_code = ev.ptr;
            rc = begin_snapshot(st, image, &ev, 0);
        }
    }
    if (rc < 0)
        return rc;
    return stream_event(st, &ev);
}

static void collect_parked(void *ctx, uint32_t space, uint64_t addr, uint64_t value)
{
    struct import_state *st = ctx;
    if (st->rows[value].state == ROW_PARKED)
        st->free_rows[st->n_free_rows++] = value;
}

static int by_alloc_seq(const void *a, const void *b, void *rows)
{
    const struct block_row *r = rows;
    uint64_t x = r[*(const uint64_t *)a].alloc_seq, y = r[*(const uint64_t *)b].alloc_seq;
    return (x > y) - (x < y);
}

int hs__import_finish(struct import_state *st)
{
    int rc;
    if (st->faults && (rc = hs_fault_place_end(st->faults, st->err)))
        return rc;
    while (st->n_snaps)
        if ((rc = end_snapshot(st, &st->snaps[st->n_snaps - 1])))
            return rc;
    /* The queue holds, in alloc order, every row not yet written except
     * the parked ones; those still live are written after it. */
    for (uint64_t i = st->q_head; i < st->q_tail; i++)
        if ((rc = emit_block(st, &st->rows[st->queue[i]])))
            return rc;
    st->q_head = st->q_tail = 0;
    uint64_t need = st->live.count ? st->live.count : 1;
    uint64_t *list = realloc(st->free_rows, need * sizeof *list);
    if (!list)
        return hs_error_set(st->err, HS_ENOMEM, "out of memory");
    st->free_rows = list;
    st->cap_free_rows = need;
    st->n_free_rows = 0;
    hs_ptrmap_each(&st->live, collect_parked, st);
    qsort_r(list, st->n_free_rows, sizeof *list, by_alloc_seq, st->rows);
    for (uint64_t i = 0; i < st->n_free_rows; i++)
        if ((rc = emit_block(st, &st->rows[list[i]])))
            return rc;
    st->n_free_rows = 0;
    if ((rc = flush_blocks(st)))
        return rc;
    return hs__stream_stage_finish(st);
}
