/*
 * import_int.h - what import.c (files, transaction, processes, meta) and
 * import_events.c (one record at a time into blocks, sys_events, marks,
 * mallinfo and the event stream) share. Not a public header.
 */
#ifndef HS_IMPORT_INT_H
#define HS_IMPORT_INT_H

#include <sqlite3.h>
#include <stdint.h>

#include "error.h"
#include "import.h"
#include "log_read.h"
#include "ptrmap.h"
#include "stream.h"

#define BLOCK_ROWS_PER_INSERT 64

/* One process image: one log file. */
struct import_image {
    struct hs_log log;
    char *path;
    uint32_t pid, exec_gen;
    uint64_t n_events;           /* its events in the stream (snapshots excluded) */
    uint64_t first_ts, last_ts;  /* of its events (0 if none) */
    int has_exit;                /* an exit event was seen */
    uint64_t exit_code;
};

/* A block lifetime, pending until freed or the end of the import. */
struct block_row {
    uint64_t alloc_seq, alloc_ts, ptr, size, chunk_size, caller, old_ptr;
    uint64_t free_seq, free_ts, free_caller; /* free_seq 0: still live */
    uint32_t image, tid, free_tid;
    uint16_t flags;
    uint8_t op, free_op;
    uint8_t state; /* ROW_* in import_events.c */
};

/* A mark or exit whose mallinfo/state records are still to come. */
struct pending_snapshot {
    uint64_t seq, ts;
    uint32_t image, tid;
    int64_t mark_id;      /* 0 for an exit */
    uint64_t v[15];       /* mallinfo a (5), b (5), state (4) */
    unsigned have;        /* bit 0 a, bit 1 b, bit 2 state */
};

struct import_state {
    const struct hs_import_options *opts;
    struct hs_import_result *result;
    struct hs_error *err;
    sqlite3 *db;

    struct import_image *images;
    uint32_t n_images;

    /* Live blocks: (image, ptr) -> index in rows[]; free slots chained. */
    struct hs_ptrmap live;
    struct block_row *rows;
    uint64_t n_rows, cap_rows;
    uint64_t *free_rows;
    uint64_t n_free_rows, cap_free_rows;
    /* Rows in alloc_seq order, written from the front once finished, so
     * the blocks B-tree is filled by appends (full pages). */
    uint64_t *queue;
    uint64_t q_head, q_tail, q_cap;

    /* Finished block rows waiting for a multi-row INSERT. */
    struct block_row out[BLOCK_ROWS_PER_INSERT];
    unsigned n_out;

    struct pending_snapshot *snaps;
    unsigned n_snaps, cap_snaps;
    int64_t n_marks;

    struct hs_stream_writer stream;
    uint64_t n_chunks;
    unsigned char *packed; /* deflated chunk */
    unsigned long packed_cap;

    sqlite3_stmt *ins_blocks_multi, *ins_block, *ins_sys, *ins_mark, *ins_mallinfo,
        *ins_chunk;
};

/* import_events.c */
int hs__import_prepare(struct import_state *st);
int hs__import_record(struct import_state *st, uint32_t image, const struct hs_record *rec);
int hs__import_finish(struct import_state *st);
void hs__import_release(struct import_state *st);

/* import.c: formats the SQLite error into st->err. */
int hs__import_db_error(struct import_state *st, const char *what);

#endif
