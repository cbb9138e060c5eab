/*
 * trace.h - read a heapscope trace database (schema: docs/schema.md).
 *
 * This is how every analyzer module sees a trace: an opened database plus a
 * cursor over the event stream in seq order, decoded from the compact event
 * stream stored in the database (not from the per-row tables, which exist
 * for people using sqlite3 and are too slow to replay from).
 *
 * Opening checks that the file is a heapscope trace of a format this build
 * reads; otherwise one line in err:
 *     'x.db' is not a heapscope trace (no table meta)
 *     'x.db' is trace format 5, this heapscope reads up to 4
 *     'x.db' is truncated: it holds 5000 of its 176128 bytes (a copy cut short?)
 *
 * Allocates: yes (the caller owns nothing but the handles it closes).
 * Thread safety: one handle per thread.
 */
#ifndef HS_TRACE_H
#define HS_TRACE_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "heapscope/event.h"

struct sqlite3;

/* One decoded event. Field meanings per op are those of struct hs_record
 * (event.h); for a mark, `ptr` is the mark's id in the marks table. */
struct hs_event {
    uint64_t seq;
    uint64_t ts_ns;
    uint64_t ptr;
    uint64_t size;
    uint64_t old_ptr;
    uint64_t chunk_size;
    uint64_t caller;
    uint32_t pid;
    uint32_t tid;
    uint8_t op;     /* enum hs_op */
    uint8_t origin; /* enum hs_origin */
    uint16_t flags; /* HS_CHUNK_*, HS_F_* */
};

/* glibc mallinfo2() as the tracer recorded it at a mark or at exit. */
struct hs_mallinfo {
    uint64_t arena, ordblks, smblks, hblks, hblkhd, usmblks, fsmblks,
        uordblks, fordblks, keepcost;
};

struct hs_mark {
    uint64_t seq;
    uint32_t pid;
    uint32_t tid;
    char label[HS_LABEL_MAX];
    int has_mallinfo;          /* the tracer's snapshot followed the mark */
    struct hs_mallinfo mallinfo;
    uint64_t brk;              /* program break at the mark (0 if unknown) */
};

struct hs_trace;
struct hs_cursor;

int hs_trace_open(const char *path, struct hs_trace **out, struct hs_error *err);
void hs_trace_close(struct hs_trace *t);

/* The underlying connection, for modules that run their own queries. */
struct sqlite3 *hs_trace_db(struct hs_trace *t);

/* An SQL expression, over `processes` aliased p, for the maps text to
 * symbolize that process image's addresses with (symbolize.h): its map at
 * start, followed by its map at exit where the trace has one (schema 2 on:
 * the code dlopen'd meanwhile). */
const char *hs_trace_maps_sql(const struct hs_trace *t);

/* The callers of call stack `stack` (table `stacks`: levels 1 and up,
 * outermost last) into addr[0..max): how many, 0 for a trace without
 * stacks. */
unsigned hs_trace_stack_callers(struct hs_trace *t, uint64_t stack, uint64_t *addr,
                                unsigned max);

/* The callers of call stack `stack` as text, one malloc'd line per frame
 * as name(ctx, addr, line, size) writes it, in a NULL-terminated malloc'd
 * array (free with hs_trace_stack_lines_free); *out NULL for a stack
 * without callers. 0, or HS_ENOMEM (*out NULL). */
int hs_trace_stack_lines(struct hs_trace *t, uint64_t stack,
                         int (*name)(void *ctx, uint64_t addr, char *line, size_t size), void *ctx,
                         char ***out);
void hs_trace_stack_lines_free(char **lines);

uint64_t hs_trace_n_events(const struct hs_trace *t);
uint64_t hs_trace_last_seq(const struct hs_trace *t);

/* 1 if every traced process used glibc's malloc (chunk headers valid). */
int hs_trace_is_glibc(const struct hs_trace *t);

/* Marks in seq order. *marks points into the trace; valid until close. */
int hs_trace_marks(struct hs_trace *t, const struct hs_mark **marks, uint64_t *n,
                   struct hs_error *err);
/* The first mark with this label, or NULL. */
const struct hs_mark *hs_trace_find_mark(struct hs_trace *t, const char *label);

/* Events with seq >= from_seq, in seq order, one process or all (pid 0). */
int hs_cursor_open(struct hs_trace *t, uint64_t from_seq, uint32_t pid,
                   struct hs_cursor **out, struct hs_error *err);
/* 1 and *ev filled, 0 at the end, negative HS_E* on error. */
int hs_cursor_next(struct hs_cursor *c, struct hs_event *ev, struct hs_error *err);
void hs_cursor_close(struct hs_cursor *c);

/* Text names used in the database and in output: "malloc", "program". */
const char *hs_op_name(unsigned op);
const char *hs_origin_name(unsigned origin);

#endif
