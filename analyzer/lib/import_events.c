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
 * alloc_seq (rowid) order through a ring of pending rows: a finished
 * lifetime waits until every older one has finished, so the blocks B-tree
 * is built by appends that fill its pages (btree_build.h; inserting in
 * free order left 11% of every page empty). The ring is written at its
 * tail and read at its head in order (the memory is streamed, not
 * scattered); the map of live blocks gives a block's row number. A block
 * that stays live while REORDER_LIMIT newer ones pass is parked (moved out
 * of the ring) and written alone when it ends (the builder merges such
 * late rows in at the end). Rows are written straight into the slot of
 * the MSG_BLOCKS being filled, BLOCK_ROWS_PER_MSG per message; lifetimes
 * still open at the end are written with free_seq NULL: the blocks live
 * at exit.
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
    free(st->ring);
    free(st->parked);
    free(st->free_parked);
    free(st->snaps);
    hs__import_stacks_release(st);
    st->ring = NULL;
    st->parked = NULL;
    st->free_parked = NULL;
    st->snaps = NULL;
    st->ring_mask = st->r_head = st->r_tail = 0;
    st->n_parked = st->cap_parked = st->n_free_parked = st->cap_free_parked = 0;
    st->n_snaps = st->cap_snaps = 0;
}

void hs__import_blocks_commit(struct import_state *st)
{
    if (!st->out)
        return;
    st->out->u.blocks.n = st->n_out;
    hs__import_msg_commit(st);
    st->out = NULL;
    st->n_out = 0;
}

/* Begins a message other than MSG_BLOCKS (after the one being filled). */
struct import_msg *hs__import_post_begin(struct import_state *st, enum import_msg_kind kind)
{
    hs__import_blocks_commit(st);
    struct import_msg *m = hs__import_msg_begin(st);
    if (m)
        m->kind = kind;
    return m;
}

/* Error of a failed post: the SQLite thread's message is the real one. */
#define POST_FAILED HS_EDB

/* Writes the finished row b straight into the MSG_BLOCKS being filled;
 * a full one is committed, then the chunks finished meanwhile posted. */
static inline int emit_block(struct import_state *st, const struct block_row *b)
{
    if (st->faults)
        hs_fault_place_block(st->faults, b->image, b->ptr, b->size, b->chunk_size, b->flags,
                             b->alloc_seq, b->free_seq);
    struct import_msg *m = st->out;
    if (!m) {
        if (!(m = hs__import_msg_begin(st)))
            return POST_FAILED;
        m->kind = MSG_BLOCKS;
        st->out = m;
    }
    m->u.blocks.rows[st->n_out++] = *b;
    st->result->n_blocks++;
    if (b->free_seq == 0)
        st->result->n_live++;
    if (st->n_out < BLOCK_ROWS_PER_MSG)
        return 0;
    hs__import_blocks_commit(st);
    return hs__stream_stage_post(st);
}

static int insert_sys(struct import_state *st, uint32_t image, const struct hs_event *ev)
{
    struct import_msg *m = hs__import_post_begin(st, MSG_SYS);
    if (!m)
        return POST_FAILED;
    m->u.event.ev = *ev;
    m->u.event.image = image;
    m->u.event.proc = st->images[image].proc;
    hs__import_msg_commit(st);
    return 0;
}

/* Row numbers with this bit are indices in parked[]. */
#define PARKED_ROW (1ull << 63)
/* Rows ahead of the one emitted whose memory drain starts loading. */
#define DRAIN_PREFETCH 8
/* Rows ahead of the one opened whose memory open_block starts loading. */
#define TAIL_PREFETCH 8

static inline struct block_row *ring_row(struct import_state *st, uint64_t p)
{
    return &st->ring[p & st->ring_mask];
}

/* Room for one more row at r_tail: doubles the ring when it is full (row
 * numbers stay valid: a row keeps its number, only its place moves). */
static int ring_reserve(struct import_state *st)
{
    uint64_t cap = st->ring_mask + 1;
    if (st->ring && st->r_tail - st->r_head < cap)
        return 0;
    /* First 2^16 rows (6.5 MiB of address space, its pages touched only
     * as rows are opened): a heavy trace spans tens of thousands from its
     * oldest live block to its newest, and each doubling copies them all. */
    uint64_t new_cap = st->ring ? cap * 2 : 1u << 16;
    struct block_row *ring = malloc(new_cap * sizeof *ring);
    if (!ring)
        return hs_error_set(st->err, HS_ENOMEM, "out of memory");
    for (uint64_t p = st->r_head; p < st->r_tail; p++)
        ring[p & (new_cap - 1)] = *ring_row(st, p);
    free(st->ring);
    st->ring = ring;
    st->ring_mask = new_cap - 1;
    return 0;
}

/* Moves the ring's front row (still live) out of the ring; the map then
 * finds it in parked[]. */
static int park_front(struct import_state *st)
{
    struct block_row *b = ring_row(st, st->r_head);
    uint64_t at;
    if (st->n_free_parked) {
        at = st->free_parked[--st->n_free_parked];
    } else {
        struct block_row *grown =
            hs_grow(st->parked, &st->cap_parked, st->n_parked, sizeof *grown, 64);
        if (!grown)
            return hs_error_set(st->err, HS_ENOMEM, "out of memory");
        st->parked = grown;
        at = st->n_parked++;
    }
    st->parked[at] = *b;
    st->parked[at].state = ROW_PARKED;
    if (hs_ptrmap_put(&st->live, b->image, b->ptr, PARKED_ROW | at))
        return hs_error_set(st->err, HS_ENOMEM, "out of memory");
    return 0;
}

static int unpark(struct import_state *st, uint64_t at)
{
    uint64_t *grown =
        hs_grow(st->free_parked, &st->cap_free_parked, st->n_free_parked, sizeof *grown, 64);
    if (!grown)
        return hs_error_set(st->err, HS_ENOMEM, "out of memory");
    st->free_parked = grown;
    st->parked[at].state = ROW_DONE; /* not in the map any more */
    st->free_parked[st->n_free_parked++] = at;
    return 0;
}

/* Writes finished rows from the front of the ring; parks the front if it
 * holds back too many. */
static int drain_rows(struct import_state *st)
{
    int rc;
    while (st->r_head < st->r_tail) {
        struct block_row *b = ring_row(st, st->r_head);
        if (b->state == ROW_DONE) {
            __builtin_prefetch(ring_row(st, st->r_head + DRAIN_PREFETCH));
            __builtin_prefetch((const char *)ring_row(st, st->r_head + DRAIN_PREFETCH) + 64);
            if (st->faults && st->r_head + DRAIN_PREFETCH / 2 < st->r_tail) {
                /* a row prefetched earlier: its fields are in the cache */
                const struct block_row *soon = ring_row(st, st->r_head + DRAIN_PREFETCH / 2);
                hs_fault_place_prefetch(st->faults, soon->image, soon->ptr);
            }
            if ((rc = emit_block(st, b)))
                return rc;
        } else if (st->r_tail - st->r_head > REORDER_LIMIT) {
            if ((rc = park_front(st)))
                return rc;
        } else {
            break;
        }
        st->r_head++;
    }
    return 0;
}

/* drain_rows if the front row is to go (written or parked): most events
 * leave it where it is, and then cost no call. */
static inline int drain(struct import_state *st)
{
    if (st->r_head == st->r_tail ||
        (ring_row(st, st->r_head)->state != ROW_DONE && st->r_tail - st->r_head <= REORDER_LIMIT))
        return 0;
    return drain_rows(st);
}

/* The lifetime of row number p is over (free_seq set, or 0 if its end was
 * lost): write it now if parked, else when its turn in the ring comes. */
static inline int finish_row(struct import_state *st, uint64_t p)
{
    if (p & PARKED_ROW) {
        uint64_t at = p & ~PARKED_ROW;
        int rc = emit_block(st, &st->parked[at]);
        return rc ? rc : unpark(st, at);
    }
    ring_row(st, p)->state = ROW_DONE;
    return drain(st);
}

static inline struct block_row *row_of(struct import_state *st, uint64_t p)
{
    return p & PARKED_ROW ? &st->parked[p & ~PARKED_ROW] : ring_row(st, p);
}

/* Ends the lifetime of (image, ptr) at ev; 1 if there was one, 0 if not.
 * Fills ev->size with the block's request size when the record had none. */
static int close_block(struct import_state *st, uint32_t image, uint64_t ptr, struct hs_event *ev)
{
    uint64_t p;
    const uint64_t seq = ev->seq;
    ptrdiff_t hint = st->hints[seq & (IMPORT_HINTS - 1)].seq == seq
                         ? st->hints[seq & (IMPORT_HINTS - 1)].slot
                         : -1;
    if (!hs_ptrmap_take_hinted(&st->live, image, ptr, hint, &p))
        return 0;
    struct block_row *b = row_of(st, p);
    b->free_seq = ev->seq;
    b->free_ts = ev->ts_ns;
    b->free_tid = ev->tid;
    b->free_op = ev->op;
    b->free_caller = ev->caller;
    if (ev->op == HS_OP_FREE && ev->size == 0)
        ev->size = b->size;
    int rc = finish_row(st, p);
    return rc ? rc : 1;
}

static int open_block(struct import_state *st, uint32_t image, const struct hs_event *ev)
{
    uint64_t old;
    int rc;
    if ((rc = ring_reserve(st)))
        return rc;
    uint64_t p = st->r_tail;
    int had = hs_ptrmap_swap(&st->live, image, ev->ptr, p, &old);
    if (had < 0)
        return hs_error_set(st->err, HS_ENOMEM, "out of memory");
    /* Two allocations of one address without a free between them: the
     * free was lost. Keep the older lifetime as one never seen to end. */
    if (had && (rc = finish_row(st, old)))
        return rc;
    /* Every field by name: no zeroing of the row first. */
    struct block_row *b = ring_row(st, p);
    b->alloc_seq = ev->seq;
    b->alloc_ts = ev->ts_ns;
    b->ptr = ev->ptr;
    b->size = ev->size;
    b->chunk_size = ev->chunk_size;
    b->caller = ev->caller;
    b->old_ptr = ev->old_ptr;
    b->free_seq = 0;
    b->free_ts = 0;
    b->free_caller = 0;
    b->image = image;
    b->tid = ev->tid;
    b->free_tid = 0;
    b->proc = st->images[image].proc;
    b->flags = ev->flags;
    b->op = ev->op;
    b->free_op = 0;
    b->state = ROW_LIVE;
    b->main_tid = ev->tid == st->images[image].pid;
    __builtin_prefetch(ring_row(st, p + TAIL_PREFETCH), 1);
    __builtin_prefetch((const char *)ring_row(st, p + TAIL_PREFETCH) + 64, 1);
    st->r_tail = p + 1;
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
    struct import_msg *m = hs__import_post_begin(st, MSG_MALLINFO);
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
    struct import_msg *m = hs__import_post_begin(st, MSG_MARK);
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

static int note_fork(struct import_state *st, uint32_t child, uint32_t parent)
{
    struct fork_parent *grown = hs_grow(st->forks, &st->cap_forks, st->n_forks, sizeof *grown, 16);
    if (!grown)
        return hs_error_set(st->err, HS_ENOMEM, "out of memory");
    st->forks = grown;
    st->forks[st->n_forks++] = (struct fork_parent){child, parent};
    return 0;
}

uint32_t hs__import_parent_of(const struct import_state *st, uint32_t pid, uint32_t ppid)
{
    for (size_t i = st->n_forks; i-- > 0;) /* the latest fork: pids are reused */
        if (st->forks[i].child == pid)
            return st->forks[i].parent;
    return ppid;
}

static int is_allocation(unsigned op)
{
    return (op >= HS_OP_MALLOC && op <= HS_OP_REALLOCARRAY) ||
           (op >= HS_OP_MEMALIGN && op <= HS_OP_PVALLOC);
}

static inline void prefetch(struct import_state *st, uint32_t image, const struct hs_record *rec,
                            int stage)
{
    uint64_t ends = 0;
    if (rec->op == HS_OP_FREE)
        ends = rec->u.call.ptr;
    else if (rec->op == HS_OP_REALLOC || rec->op == HS_OP_REALLOCARRAY)
        ends = rec->u.call.old_ptr;
    if (stage == 0) {
        if (ends)
            hs_ptrmap_prefetch(&st->live, image, ends);
        if (is_allocation(rec->op) && rec->u.call.ptr)
            hs_ptrmap_prefetch(&st->live, image, rec->u.call.ptr);
    } else if (ends) {
        /* Most keys sit in their home slot: an inline check, the full
         * lookup only for the others. */
        ptrdiff_t i = hs_ptrmap_home_slot(&st->live, image, ends);
        if (i < 0 && (i = hs_ptrmap_find(&st->live, image, ends)) < 0)
            return;
        st->hints[rec->seq & (IMPORT_HINTS - 1)].seq = rec->seq;
        st->hints[rec->seq & (IMPORT_HINTS - 1)].slot = i;
        /* The bytes close_block reads and writes, size to state: 80 bytes
         * in at most two cache lines (a row is 104 bytes, so b and b + 64
         * missed the state's line for half the rows). */
        const struct block_row *b = row_of(st, st->live.slots[i].value);
        __builtin_prefetch(&b->size, 1);
        __builtin_prefetch(&b->state, 1);
    }
}

void hs__import_prefetch(struct import_state *st, uint32_t image, const struct hs_record *rec,
                         int stage)
{
    prefetch(st, image, rec, stage);
}

void hs__import_prefetch_both(struct import_state *st, uint32_t image, const struct hs_record *rec0,
                              const struct hs_record *rec1)
{
    prefetch(st, image, rec0, 0);
    prefetch(st, image, rec1, 1);
}

int hs__import_record(struct import_state *st, uint32_t image, const struct hs_record *rec)
{
    struct import_image *img = &st->images[image];
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
    if (rec->op == HS_OP_STACK)
        return hs__import_stack_part(st, image, rec);
    img->n_events++;
    if (!img->proc)
        img->proc = ++st->n_procs;
    if (st->faults && hs_fault_place_event(st->faults, image, img->pid, rec->seq, rec->ts_ns,
                                           rec->tid, rec->origin)) {
        hs_fault_place_free(st->faults); /* no faults.hslog: no sampler ran */
        st->faults = NULL;
    }
    /* Built in the stream stage's slot: the event goes there at the end. */
    struct hs_event *ev = hs__stream_stage_slot(st);
    ev->seq = rec->seq;
    ev->ts_ns = rec->ts_ns;
    ev->pid = img->pid;
    ev->tid = rec->tid;
    ev->op = rec->op;
    ev->origin = rec->origin;
    ev->flags = rec->flags;
    if (rec->op != HS_OP_MARK) {
        ev->ptr = rec->u.call.ptr;
        ev->size = rec->u.call.size;
        ev->old_ptr = rec->u.call.old_ptr;
        ev->chunk_size = rec->u.call.chunk_size;
        ev->caller = rec->u.call.caller;
    } else {
        ev->ptr = ev->size = ev->old_ptr = ev->chunk_size = ev->caller = 0;
    }
    int failed = (rec->flags & HS_F_FAILED) != 0;
    if (rec->op == HS_OP_MARK) {
        rc = insert_mark(st, image, rec, ev);
    } else if (is_allocation(rec->op)) {
        int is_realloc = rec->op == HS_OP_REALLOC || rec->op == HS_OP_REALLOCARRAY;
        /* A failed realloc leaves the old block alive; realloc(p, 0)
         * returning NULL freed it. */
        if (is_realloc && ev->old_ptr && !failed)
            rc = close_block(st, image, ev->old_ptr, ev);
        if (rc >= 0) {
            if (ev->ptr && !failed)
                rc = open_block(st, image, ev);
            else
                rc = insert_sys(st, image, ev);
        }
    } else if (rec->op == HS_OP_FREE) {
        rc = ev->ptr ? close_block(st, image, ev->ptr, ev) : 0;
        if (rc == 0)
            rc = insert_sys(st, image, ev); /* free(NULL) or unknown block */
    } else {
        rc = insert_sys(st, image, ev);
        if (rc == 0 && rec->op == HS_OP_FORK && ev->ptr && !failed)
            rc = note_fork(st, (uint32_t)ev->ptr, img->pid);
        if (rc == 0 && rec->op == HS_OP_EXIT) {
            img->has_exit = 1;
            img->exit_code = ev->ptr;
            rc = begin_snapshot(st, image, ev, 0);
        }
    }
    if (rc < 0)
        return rc;
    st->result->n_events++;
    return hs__stream_stage_commit(st);
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
    if ((rc = hs__import_stacks_finish(st)))
        return rc;
    /* The ring holds, in alloc order, every row not yet written except
     * the parked ones; those still live are written after it. */
    for (; st->r_head < st->r_tail; st->r_head++)
        if ((rc = emit_block(st, ring_row(st, st->r_head))))
            return rc;
    uint64_t *list = malloc((st->n_parked ? st->n_parked : 1) * sizeof *list);
    if (!list)
        return hs_error_set(st->err, HS_ENOMEM, "out of memory");
    size_t n = 0;
    for (size_t i = 0; i < st->n_parked; i++)
        if (st->parked[i].state == ROW_PARKED)
            list[n++] = i;
    qsort_r(list, n, sizeof *list, by_alloc_seq, st->parked);
    for (size_t i = 0; i < n && rc == 0; i++)
        rc = emit_block(st, &st->parked[list[i]]);
    free(list);
    if (rc)
        return rc;
    hs__import_blocks_commit(st);
    return hs__stream_stage_finish(st);
}
