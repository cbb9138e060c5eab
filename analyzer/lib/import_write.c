/*
 * import_write.c - the SQLite side of the importer. The importer runs as
 * two threads joined by a bounded queue of row batches (struct
 * import_msg): the producer (import_events.c) orders, matches and encodes
 * the records; this side binds and steps the prepared INSERTs, except for
 * `blocks`, whose rows it encodes into B-tree pages itself (btree_build.h:
 * about 30 ns a row instead of SQLite's 500), spliced into the file after
 * SQLite has closed it (the file of leaves usually becomes the database:
 * SQLite's page count, hinted after each chunk, lets the leaves in the
 * way of its pages move while the import runs). The stream chunks arrive
 * compressed (import_stream.c).
 *
 * Only this file (and import.c, before and after the threads) touches the
 * connection.
 */
#include "import_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int prepare(struct import_state *st, sqlite3_stmt **stmt, const char *sql)
{
    if (sqlite3_prepare_v2(st->db, sql, -1, stmt, NULL) != SQLITE_OK)
        return hs__import_db_error(st, "cannot prepare an insert");
    return 0;
}

static int query_int(struct import_state *st, const char *sql, int64_t *out)
{
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)
        return hs__import_db_error(st, "cannot read the schema");
    int rc = sqlite3_step(s) == SQLITE_ROW ? 0 : hs__import_db_error(st, "cannot read the schema");
    *out = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    return rc;
}

/* A builder for table `name`, for the database's page size and reserved
 * bytes; *root: the table's root page. */
static int open_builder(struct import_state *st, const char *name, struct hs_btree_build **b,
                        uint32_t *root)
{
    int64_t page = 0, page_size = 0;
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT rootpage FROM sqlite_schema WHERE name = '%s'", name);
    int rc;
    if ((rc = query_int(st, sql, &page)) || (rc = query_int(st, "PRAGMA page_size", &page_size)))
        return rc;
    int reserved = -1; /* -1: only tell */
    if (sqlite3_file_control(st->db, "main", SQLITE_FCNTL_RESERVE_BYTES, &reserved) != SQLITE_OK)
        reserved = 0;
    *root = (uint32_t)page;
    return hs_btree_build_open(b, st->opts->out_path, (unsigned)page_size, (unsigned)reserved,
                               st->err);
}

int hs__import_prepare(struct import_state *st)
{
    int rc;
    if ((rc = open_builder(st, "blocks", &st->blocks, &st->blocks_root)) ||
        (rc = prepare(st, &st->ins_sys,
                      "INSERT INTO sys_events VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?)")) ||
        (rc = prepare(st, &st->ins_mark, "INSERT INTO marks VALUES(?,?,?,?,?,?,?,?)")) ||
        (rc = prepare(st, &st->ins_mallinfo,
                      "INSERT INTO mallinfo VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")) ||
        (rc = prepare(st, &st->ins_chunk, "INSERT INTO event_chunks VALUES(?,?,?,?,?)")) ||
        (rc = prepare(st, &st->ins_stack, "INSERT INTO stacks VALUES(?,?,?,?)")) ||

        (rc = prepare(st, &st->page_count, "PRAGMA page_count")))
        return rc;
    return 0;
}

int hs__import_splice_blocks(struct import_state *st, const char *tmp, int *fd)
{
    int db_fd = *fd;
    int rc = hs_btree_build_finish(st->blocks, *fd, tmp, st->blocks_root, HS_BTREE_AUTO, &db_fd,
                                   st->err);
    hs_btree_build_free(st->blocks);
    st->blocks = NULL;
    if (db_fd != *fd) { /* adopted: tmp names the builder's file now */
        close(*fd);
        *fd = db_fd;
    }
    /* then alloc_stacks, copied after everything else */
    if (rc == 0 && st->alloc_stacks)
        rc = hs_btree_build_finish(st->alloc_stacks, *fd, tmp, st->alloc_stacks_root,
                                   HS_BTREE_COPY, &db_fd, st->err);
    hs_btree_build_free(st->alloc_stacks);
    st->alloc_stacks = NULL;
    return rc;
}

void hs__import_release(struct import_state *st)
{
    sqlite3_finalize(st->ins_sys);
    sqlite3_finalize(st->ins_mark);
    sqlite3_finalize(st->ins_mallinfo);
    sqlite3_finalize(st->ins_chunk);
    sqlite3_finalize(st->page_count);
    sqlite3_finalize(st->ins_stack);
    st->ins_sys = st->ins_mark = st->ins_mallinfo = st->ins_chunk = st->page_count = NULL;
    st->ins_stack = NULL;
}

/* Binds v, or NULL when is_null. */
static void bind_u64(sqlite3_stmt *s, int i, uint64_t v, int is_null)
{
    if (is_null)
        sqlite3_bind_null(s, i);
    else
        sqlite3_bind_int64(s, i, (sqlite3_int64)v);
}

/* One blocks row as a record, NULLs exactly where docs/schema.md puts
 * them; column 0, alloc_seq, is the rowid (stored as NULL). */
static int write_block(struct import_state *st, const struct block_row *b, struct hs_error *err)
{
    int live = b->free_seq == 0;
    int64_t v[BLOCK_COLUMNS] = {
        0,
        b->proc,
        b->tid,
        (int64_t)b->alloc_ts,
        b->op,
        (int64_t)b->ptr,
        (int64_t)b->size,
        (int64_t)b->chunk_size,
        b->flags,
        (int64_t)b->caller,
        (int64_t)b->old_ptr,
        (int64_t)b->free_seq,
        (int64_t)b->free_ts,
        b->free_tid,
        b->free_op,
        (int64_t)b->free_caller,
    };
    uint64_t nulls = 1;
    /* NULL thread ids mean "the process's main thread" (tid == pid) and,
     * for free_tid, "the thread that allocated it": 4 bytes less per row. */
    if (b->main_tid)
        nulls |= 1u << 2;
    if (b->old_ptr == 0)
        nulls |= 1u << 10;
    if (live)
        nulls |= 1u << 11 | 1u << 12 | 1u << 13 | 1u << 14 | 1u << 15;
    else if (b->free_tid == b->tid)
        nulls |= 1u << 13;
    return hs_btree_build_row(st->blocks, (int64_t)b->alloc_seq, v, nulls, BLOCK_COLUMNS, err);
}

static int step(struct import_state *st, sqlite3_stmt *s, const char *what, struct hs_error *err)
{
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE)
        return hs_error_set(err, HS_EDB, "%s in '%s': %s", what, st->opts->out_path,
                            sqlite3_errmsg(st->db));
    return 0;
}

static int write_blocks(struct import_state *st, const struct import_msg *m, struct hs_error *err)
{
    for (unsigned r = 0; r < m->u.blocks.n; r++) {
        int rc = write_block(st, &m->u.blocks.rows[r], err);
        if (rc)
            return rc;
    }
    return 0;
}

static int write_chunk(struct import_state *st, struct import_msg *m, struct hs_error *err)
{
    sqlite3_stmt *s = st->ins_chunk;
    sqlite3_bind_int64(s, 1, (sqlite3_int64)m->u.chunk.first_seq);
    sqlite3_bind_int64(s, 2, (sqlite3_int64)m->u.chunk.last_seq);
    sqlite3_bind_int64(s, 3, (sqlite3_int64)m->u.chunk.n_events);
    sqlite3_bind_int64(s, 4, (sqlite3_int64)m->u.chunk.raw_size);
    sqlite3_bind_blob(s, 5, m->u.chunk.data, (int)m->u.chunk.size, SQLITE_STATIC);
    int rc = step(st, s, "cannot insert the event stream", err);
    free(m->u.chunk.data);
    m->u.chunk.data = NULL;
    /* The chunks are most of SQLite's pages: the blocks leaves below its
     * size can move out of the way now rather than at the close. */
    if (rc == 0 && sqlite3_step(st->page_count) == SQLITE_ROW)
        rc = hs_btree_build_hint_pages(st->blocks,
                                       (uint64_t)sqlite3_column_int64(st->page_count, 0), err);
    sqlite3_reset(st->page_count);
    return rc;
}

static int write_sys(struct import_state *st, const struct import_msg *m, struct hs_error *err)
{
    const struct hs_event *ev = &m->u.event.ev;
    sqlite3_stmt *s = st->ins_sys;
    bind_u64(s, 1, ev->seq, 0);
    bind_u64(s, 2, m->u.event.proc, 0);
    bind_u64(s, 3, ev->pid, 0);
    bind_u64(s, 4, ev->tid, 0);
    bind_u64(s, 5, ev->ts_ns, 0);
    bind_u64(s, 6, ev->op, 0);
    bind_u64(s, 7, ev->origin, 0);
    bind_u64(s, 8, ev->flags, 0);
    bind_u64(s, 9, ev->ptr, 0);
    bind_u64(s, 10, ev->size, 0);
    bind_u64(s, 11, ev->old_ptr, 0);
    bind_u64(s, 12, ev->chunk_size, 0);
    bind_u64(s, 13, ev->caller, 0);
    return step(st, s, "cannot insert sys_events", err);
}

static int write_mark(struct import_state *st, const struct import_msg *m, struct hs_error *err)
{
    const struct hs_event *ev = &m->u.event.ev;
    sqlite3_stmt *s = st->ins_mark;
    bind_u64(s, 1, ev->ptr, 0);
    bind_u64(s, 2, ev->seq, 0);
    bind_u64(s, 3, m->u.event.proc, 0);
    bind_u64(s, 4, ev->pid, 0);
    bind_u64(s, 5, ev->tid, 0);
    bind_u64(s, 6, ev->ts_ns, 0);
    sqlite3_bind_text(s, 7, m->u.event.label, -1, SQLITE_TRANSIENT);
    bind_u64(s, 8, (uint64_t)m->u.event.truncated, 0);
    return step(st, s, "cannot insert marks", err);
}

static int write_mallinfo(struct import_state *st, const struct import_msg *m, struct hs_error *err)
{
    const struct pending_snapshot *p = &m->u.snap;
    sqlite3_stmt *s = st->ins_mallinfo;
    bind_u64(s, 1, p->seq, 0);
    sqlite3_bind_text(s, 2, p->mark_id ? "mark" : "exit", -1, SQLITE_STATIC);
    bind_u64(s, 3, (uint64_t)p->mark_id, p->mark_id == 0);
    bind_u64(s, 4, p->proc, 0);
    bind_u64(s, 5, p->pid, 0);
    bind_u64(s, 6, p->tid, 0);
    bind_u64(s, 7, p->ts, 0);
    for (int i = 0; i < 14; i++) {
        unsigned part = i < 5 ? 1 : i < 10 ? 2 : 4;
        bind_u64(s, 8 + i, p->v[i], !(p->have & part));
    }
    return step(st, s, "cannot insert mallinfo", err);
}

static int write_stack(struct import_state *st, const struct import_msg *m, struct hs_error *err)
{
    const struct stack_row *r = &m->u.stack;
    sqlite3_stmt *s = st->ins_stack;
    int rc = 0;
    for (uint32_t level = 0; level < r->depth && rc == 0; level++) {
        bind_u64(s, 1, r->id, 0);
        bind_u64(s, 2, level, 0);
        bind_u64(s, 3, r->proc, 0);
        bind_u64(s, 4, r->pc[level], 0);
        rc = step(st, s, "cannot insert stacks", err);
    }
    return rc;
}

/* alloc_stacks rows, a row per allocation of a trace with call stacks:
 * built like blocks (btree_build.h), not INSERTed (a `record --stack 16`
 * of a Python script making 800 K of them: 1.38 s with one INSERT a row,
 * 1.10 s with 32 rows an INSERT, 0.75-0.90 s built). */
static int write_alloc_stacks(struct import_state *st, const struct import_msg *m,
                              struct hs_error *err)
{
    int rc = 0;
    if (!st->alloc_stacks &&
        (rc = open_builder(st, "alloc_stacks", &st->alloc_stacks, &st->alloc_stacks_root)))
        return rc;
    for (unsigned i = 0; i < m->u.alloc_stacks.n && rc == 0; i++) {
        const int64_t v[2] = {0, (int64_t)m->u.alloc_stacks.rows[i].stack};
        /* column 0, the INTEGER PRIMARY KEY, is the rowid: NULL in the record */
        rc = hs_btree_build_row(st->alloc_stacks, (int64_t)m->u.alloc_stacks.rows[i].seq, v, 1, 2,
                                err);
    }
    return rc;
}

struct import_msg *hs__import_msg_begin(struct import_state *st)
{
    struct import_queue *q = st->queue_out;
    pthread_mutex_lock(&q->lock);
    /* Full: wait until the consumer is down to QUEUE_WAKE_PRODUCER (one
     * wake-up per half queue, not per message). */
    if (q->tail - q->head == IMPORT_QUEUE_LEN)
        while (!q->failed && q->tail - q->head > QUEUE_WAKE_PRODUCER)
            pthread_cond_wait(&q->changed, &q->lock);
    int failed = q->failed;
    pthread_mutex_unlock(&q->lock);
    /* The slot at tail is the producer's until it commits it. */
    return failed ? NULL : &q->msgs[q->tail % IMPORT_QUEUE_LEN];
}

void hs__import_msg_commit(struct import_state *st)
{
    struct import_queue *q = st->queue_out;
    pthread_mutex_lock(&q->lock);
    q->tail++;
    if (q->tail - q->head == QUEUE_WAKE_CONSUMER)
        pthread_cond_broadcast(&q->changed);
    pthread_mutex_unlock(&q->lock);
}

int hs__import_consume(struct import_state *st, struct hs_error *err)
{
    struct import_queue *q = st->queue_out;
    int rc = 0;
    for (;;) {
        pthread_mutex_lock(&q->lock);
        /* Empty: wait until QUEUE_WAKE_CONSUMER wait or the end is posted. */
        if (q->head == q->tail)
            while (!q->ended && q->tail - q->head < QUEUE_WAKE_CONSUMER)
                pthread_cond_wait(&q->changed, &q->lock);
        pthread_mutex_unlock(&q->lock);
        struct import_msg *m = &q->msgs[q->head % IMPORT_QUEUE_LEN];
        if (m->kind == MSG_END) {
            int end_rc = m->u.end_rc;
            pthread_mutex_lock(&q->lock);
            q->head++;
            pthread_mutex_unlock(&q->lock);
            return rc ? rc : end_rc;
        }
        switch (m->kind) {
        case MSG_BLOCKS:
            rc = write_blocks(st, m, err);
            break;
        case MSG_CHUNK:
            rc = write_chunk(st, m, err);
            break;
        case MSG_SYS:
            rc = write_sys(st, m, err);
            break;
        case MSG_MARK:
            rc = write_mark(st, m, err);
            break;
        case MSG_MALLINFO:
            rc = write_mallinfo(st, m, err);
            break;
        case MSG_STACK:
            rc = write_stack(st, m, err);
            break;
        case MSG_ALLOC_STACKS:
            rc = write_alloc_stacks(st, m, err);
            break;
        case MSG_END:
            break;
        }
        pthread_mutex_lock(&q->lock);
        q->head++;
        if (rc)
            q->failed = 1; /* the producer stops at its next message */
        if (rc || q->tail - q->head == QUEUE_WAKE_PRODUCER)
            pthread_cond_broadcast(&q->changed);
        pthread_mutex_unlock(&q->lock);
        if (rc) {
            /* Drain to MSG_END so the producer can finish and be joined. */
            for (;;) {
                pthread_mutex_lock(&q->lock);
                while (q->head == q->tail)
                    pthread_cond_wait(&q->changed, &q->lock);
                struct import_msg *d = &q->msgs[q->head % IMPORT_QUEUE_LEN];
                int end = d->kind == MSG_END;
                if (d->kind == MSG_CHUNK)
                    free(d->u.chunk.data);
                q->head++;
                pthread_cond_broadcast(&q->changed);
                pthread_mutex_unlock(&q->lock);
                if (end)
                    return rc;
            }
        }
    }
}

void hs__import_msg_end(struct import_state *st, int rc)
{
    struct import_queue *q = st->queue_out;
    pthread_mutex_lock(&q->lock);
    /* Even after a failure the consumer keeps taking messages until this one. */
    while (q->tail - q->head == IMPORT_QUEUE_LEN)
        pthread_cond_wait(&q->changed, &q->lock);
    struct import_msg *m = &q->msgs[q->tail % IMPORT_QUEUE_LEN];
    m->kind = MSG_END;
    m->u.end_rc = rc;
    q->tail++;
    q->ended = 1;
    pthread_cond_broadcast(&q->changed);
    pthread_mutex_unlock(&q->lock);
}
