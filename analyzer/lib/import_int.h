/*
 * import_int.h - what import.c (files, transaction, processes, meta) and
 * import_events.c (one record at a time into blocks, sys_events, marks,
 * mallinfo and the event stream) share. Not a public header.
 */
#ifndef HS_IMPORT_INT_H
#define HS_IMPORT_INT_H

#include <pthread.h>
#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "btree_build.h"
#include "chunk_codec.h"
#include "error.h"
#include "fault_place.h"
#include "import.h"
#include "log_read.h"
#include "ptrmap.h"
#include "stream.h"

#define BLOCK_ROWS_PER_MSG 512 /* rows per message: fewer thread handoffs */
#define BLOCK_COLUMNS 16       /* columns of the blocks table */
#define IMPORT_HINTS 32        /* lookups remembered (a power of two) */

/* The stream stage (import_stream.c): batches of one chunk's events. */
#define STREAM_BATCHES 4

struct stream_batch {
    struct hs_event ev[HS_STREAM_CHUNK_EVENTS];
    uint32_t n;
    /* filled in by the stream thread */
    unsigned char *packed; /* compressed chunk; handed to MSG_CHUNK */
    size_t packed_size, raw_size;
    uint64_t first_seq, last_seq;
};

struct stream_stage {
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t changed;
    struct stream_batch batches[STREAM_BATCHES];
    uint64_t filled;  /* batches handed to the thread (producer) */
    uint64_t encoded; /* batches the thread finished (under lock) */
    uint64_t posted;  /* batches posted as MSG_CHUNK (producer) */
    int stop;         /* under lock */
    int failed;       /* the thread's first error code (under lock) */
    struct hs_error err;
    struct hs_stream_writer writer; /* the thread's */
    struct hs_chunk_packer packer;  /* the thread's */
};

/* One process image: one log file. */
struct import_image {
    struct hs_log log;
    char *path;
    uint32_t pid, exec_gen;
    /* processes.proc: 1.. in the order of the images' first events (the
     * same whether imported after the run or live); 0 until its first */
    uint32_t proc;
    uint64_t n_events;          /* its events in the stream (snapshots excluded) */
    uint64_t first_ts, last_ts; /* of its events (0 if none) */
    int has_exit;               /* an exit event was seen */
    uint64_t exit_code;
};

/* A block lifetime, pending until freed or the end of the import. */
struct block_row {
    uint64_t alloc_seq, alloc_ts, ptr, size, chunk_size, caller, old_ptr;
    uint64_t free_seq, free_ts, free_caller; /* free_seq 0: still live */
    uint32_t image, tid, free_tid;
    uint32_t proc; /* processes.proc of the image */
    uint16_t flags;
    uint8_t op, free_op;
    uint8_t state;    /* ROW_* in import_events.c */
    uint8_t main_tid; /* tid is the process's main thread (stored as NULL) */
};

/* A mark or exit whose mallinfo/state records are still to come. */
struct pending_snapshot {
    uint64_t seq, ts;
    uint32_t image, tid, proc, pid;
    int64_t mark_id; /* 0 for an exit */
    uint64_t v[15];  /* mallinfo a (5), b (5), state (4) */
    unsigned have;   /* bit 0 a, bit 1 b, bit 2 state */
};

/* One batch of rows from the producer thread (import_events.c) to the
 * SQLite thread (import_write.c). */
enum import_msg_kind {
    MSG_BLOCKS,
    MSG_CHUNK,
    MSG_SYS,
    MSG_MARK,
    MSG_MALLINFO,
    MSG_STACK,        /* a call stack seen for the first time */
    MSG_ALLOC_STACKS, /* allocations and their stacks */
    MSG_END
};

/* A call stack of the `stacks` table (import_stacks.c). */
struct stack_row {
    uint64_t id;
    uint32_t proc, depth;
    uint64_t pc[HS_STACK_MAX_DEPTH];
};

/* A row of `alloc_stacks`. */
struct alloc_stack_row {
    uint64_t seq, stack;
};

struct import_msg {
    enum import_msg_kind kind;
    union {
        struct {
            unsigned n;
            struct block_row rows[BLOCK_ROWS_PER_MSG];
        } blocks;
        struct {
            uint64_t first_seq, last_seq, n_events, raw_size, size;
            unsigned char *data; /* compressed (chunk_codec.h); freed by the consumer */
        } chunk;
        struct {
            struct hs_event ev;
            uint32_t image, proc;
            char label[HS_LABEL_MAX];
            int truncated;
        } event; /* MSG_SYS, MSG_MARK (ev.ptr = mark id) */
        struct pending_snapshot snap;
        struct stack_row stack;
        struct {
            unsigned n;
            struct alloc_stack_row rows[BLOCK_ROWS_PER_MSG];
        } alloc_stacks;
        int end_rc; /* MSG_END: the producer's result */
    } u;
};

#define IMPORT_QUEUE_LEN 64
/* Hysteresis, fewer wake-ups: a consumer that emptied the queue sleeps
 * until QUEUE_WAKE_CONSUMER messages wait, a producer that filled it until
 * only QUEUE_WAKE_PRODUCER do. */
#define QUEUE_WAKE_CONSUMER 8
#define QUEUE_WAKE_PRODUCER (IMPORT_QUEUE_LEN / 2)

struct import_queue {
    pthread_mutex_t lock;
    pthread_cond_t changed;
    struct import_msg msgs[IMPORT_QUEUE_LEN];
    uint64_t head, tail; /* taken, posted */
    int failed;          /* the consumer gave up: posting fails */
    int ended;           /* MSG_END is posted */
};

struct import_state {
    const struct hs_import_options *opts;
    struct hs_import_result *result;
    struct hs_error *err;
    sqlite3 *db;

    struct import_image *images;
    uint32_t n_images;
    uint32_t n_procs; /* proc numbers given */

    /* Pending lifetimes in alloc_seq (rowid) order: a ring, row number p
     * (counting every row opened) in ring[p & ring_mask], written from
     * r_head once finished, so the blocks B-tree is filled by appends
     * (full pages) and the ring is read and written in order. */
    struct block_row *ring;
    uint64_t ring_mask; /* capacity - 1 (a power of two; 0: none yet) */
    uint64_t r_head, r_tail;
    /* Rows parked out of the ring (import_events.c); free slots listed. */
    struct block_row *parked;
    size_t n_parked, cap_parked;
    uint64_t *free_parked;
    size_t n_free_parked, cap_free_parked;
    /* Live blocks: (image, ptr) -> row number p, or PARKED_ROW | index
     * in parked[]. */
    struct hs_ptrmap live;
    /* The map slots hs__import_prefetch found for the blocks records a
     * few seqs ahead end, at [seq % IMPORT_HINTS]: close_block takes the
     * key there without a second lookup (checked: a hint may be stale). */
    struct {
        uint64_t seq;
        ptrdiff_t slot;
    } hints[IMPORT_HINTS];

    /* The MSG_BLOCKS being filled with finished rows, in the queue's slot
     * at its tail (NULL: none); n_out rows so far. It is committed before
     * any other message is begun (import_events.c). */
    struct import_msg *out;
    unsigned n_out;

    struct pending_snapshot *snaps;
    unsigned n_snaps;
    size_t cap_snaps;
    int64_t n_marks;

    /* Each fork event's child pid and forking pid: the parent of a child
     * that started tracing only once its parent was gone (getppid() said
     * 1), as the processes table's ppid. */
    struct fork_parent {
        uint32_t child, parent;
    } *forks;
    size_t n_forks, cap_forks;

    struct stream_stage *stream; /* encodes and compresses the chunks (import_stream.c) */

    struct import_stacks *stacks; /* call stacks (import_stacks.c); NULL: none seen */

    sqlite3_stmt *ins_sys, *ins_mark, *ins_mallinfo, *ins_chunk, *ins_stack;
    sqlite3_stmt *page_count; /* the database's size, hinted to the blocks builder */
    /* The blocks table is not INSERTed: its B-tree is built here and
     * spliced into the file once SQLite has closed it (btree_build.h). */
    struct hs_btree_build *blocks;
    uint32_t blocks_root; /* its root page, an empty leaf until the splice */
    /* The same for alloc_stacks, opened at its first rows (a trace with
     * call stacks has one per allocation); NULL: none. */
    struct hs_btree_build *alloc_stacks;
    uint32_t alloc_stacks_root;

    struct import_queue *queue_out; /* producer -> SQLite thread */

    struct hs_fault_place *faults; /* NULL: no page-fault samples */
};

/* import_events.c: the producer side (no SQLite calls). */
int hs__import_events_init(struct import_state *st);
/* The queue's next message, of this kind, once the blocks message being
 * filled is committed; NULL if the SQLite thread gave up. */
struct import_msg *hs__import_post_begin(struct import_state *st, enum import_msg_kind kind);

/* import_stacks.c: HS_OP_STACK records (event.h) into `stacks` (each
 * distinct stack of a process image once) and `alloc_stacks`. A record
 * whose parts are lost is dropped. */
int hs__import_stack_part(struct import_state *st, uint32_t image, const struct hs_record *rec);
/* Posts the rows still held; before the end of the import. */
int hs__import_stacks_finish(struct import_state *st);
void hs__import_stacks_release(struct import_state *st);
int hs__import_record(struct import_state *st, uint32_t image, const struct hs_record *rec);
/* The pid of the image that forked pid, by the trace's fork events, else
 * ppid (what the child's tracer read from getppid()). */
uint32_t hs__import_parent_of(const struct import_state *st, uint32_t pid, uint32_t ppid);
int hs__import_finish(struct import_state *st);
/* A hint for a record the producer will reach in a few steps: stage 0
 * prefetches the hash slot of the block it allocates or ends, stage 1
 * (later, the slot is cached by then) the pending row of the block it
 * ends. Frees hit rows written thousands of events ago, out of cache:
 * without this the lookups were a third of the producer's time. */
void hs__import_prefetch(struct import_state *st, uint32_t image, const struct hs_record *rec,
                         int stage);
/* Both stages in one call: stage 0 for rec0, stage 1 for rec1 (nearer),
 * of one image. */
void hs__import_prefetch_both(struct import_state *st, uint32_t image, const struct hs_record *rec0,
                              const struct hs_record *rec1);
void hs__import_events_release(struct import_state *st);

/* import_stream.c: the stream stage, driven by the producer thread.
 * An event is built in place in the stage's next slot (no copy of its 72
 * bytes through the stack) and appended by commit, which posts finished
 * chunks as it goes; a slot not committed is overwritten by the next one.
 * Between slot and commit the producer may post messages, but nothing
 * else of the stage. finish posts everything still in the stage, stop
 * ends the thread and frees the stage (safe after a failure, and when
 * start failed). */
int hs__stream_stage_start(struct import_state *st);
static inline struct hs_event *hs__stream_stage_slot(struct import_state *st)
{
    struct stream_batch *b = &st->stream->batches[st->stream->filled % STREAM_BATCHES];
    return &b->ev[b->n];
}
/* The batch just filled goes to the thread (internal to commit). */
int hs__stream_stage_full(struct import_state *st);
static inline int hs__stream_stage_commit(struct import_state *st)
{
    struct stream_batch *b = &st->stream->batches[st->stream->filled % STREAM_BATCHES];
    return ++b->n < HS_STREAM_CHUNK_EVENTS ? 0 : hs__stream_stage_full(st);
}
int hs__stream_stage_finish(struct import_state *st);
/* Posts the chunks the thread has finished, without waiting. pre: no
 * MSG_BLOCKS is being filled. */
int hs__stream_stage_post(struct import_state *st);
/* import_events.c: commits the MSG_BLOCKS being filled, if any (the queue
 * has one slot being filled at a time). */
void hs__import_blocks_commit(struct import_state *st);
void hs__stream_stage_stop(struct import_state *st);

/* import_write.c: statements and the SQLite thread's side of the queue. */
int hs__import_prepare(struct import_state *st);
void hs__import_release(struct import_state *st);
/* Writes the blocks B-tree into the closed database tmp, open as *fd,
 * and frees the builder (also on failure; then tmp is to be removed).
 * The builder may replace the file named tmp by its own (*fd is then
 * that file's, the old one closed). */
int hs__import_splice_blocks(struct import_state *st, const char *tmp, int *fd);
/* Reserves the next message slot (blocks while the queue is full);
 * NULL if the consumer failed. */
struct import_msg *hs__import_msg_begin(struct import_state *st);
void hs__import_msg_commit(struct import_state *st);
/* Posts MSG_END with the producer's result (waits for room even after a
 * failure: the consumer drains to it). */
void hs__import_msg_end(struct import_state *st, int rc);
/* Writes messages until MSG_END; returns the first error (its or the
 * producer's); *err is filled for its own errors. */
int hs__import_consume(struct import_state *st, struct hs_error *err);

/* import.c: formats the SQLite error into st->err. */
int hs__import_db_error(struct import_state *st, const char *what);
/* import.c, shared with import_live.c: begin creates the schema, the
 * statements, the queue and the producer's state (in the transaction);
 * end (after the threads, with their result rc) releases them and, if rc
 * is 0, writes processes, meta, views and faults and commits. */
int hs__import_begin(struct import_state *st);
int hs__import_end(struct import_state *st, int rc, uint64_t last_seq);
/* Adds each image's lost slots to the result, with a warning per image. */
void hs__import_note_losses(struct import_state *st);
/* Creates the temporary file beside opts->out_path (tmp receives its
 * name) and opens st->db on it; finish closes the database and renames
 * the file over out_path if rc is 0, else removes it. */
int hs__import_create(struct import_state *st, char *tmp, size_t tmp_size, int *fd);
int hs__import_close(struct import_state *st, const char *tmp, int fd, int rc);

#endif
