/*
 * stream.h - the compact event stream stored in a trace database.
 *
 * The importer encodes every event (except the tracer's mallinfo and state
 * snapshots, which go to the `mallinfo` table) into chunks of at most
 * HS_STREAM_CHUNK_EVENTS events, stored as BLOBs in the `event_chunks`
 * table; trace_read.c decodes them for hs_cursor_next(). A chunk decodes on
 * its own: the delta state below starts at zero in every chunk, so a cursor
 * can start at any chunk.
 *
 * Encoding of one event (all integers are LEB128 varints: 7 bits per byte,
 * least significant group first, high bit = "more bytes follow"; "zigzag"
 * maps a signed delta d to (d << 1) ^ (d >> 63) so small negative deltas
 * stay small):
 *
 *   byte 0   bits 0-4 op (enum hs_op), bits 5-6 origin,
 *            bit 7: flags differ from the previous event's flags
 *   byte 1   presence bits, one per field below that follows:
 *              bit 0  seq delta is not 1       varint(seq - prev_seq)
 *              bit 7  ts delta is not 0        zigzag(ts_ns - prev_ts)
 *              bit 1  thread differs           varint(pid), varint(tid)
 *              bit 2  ptr != 0                 zigzag(ptr - prev_ptr)
 *              bit 3  size != 0                varint(size)
 *              bit 4  old_ptr != 0             zigzag(old_ptr - ptr)
 *              bit 5  chunk_size != 0          zigzag(chunk_size - size)
 *              bit 6  caller != predicted      zigzag(caller - predicted)
 *   then, in this order: varint(flags) if byte 0 bit 7, then the fields
 *   in the order seq, ts, thread, ptr, size, old_ptr, chunk_size, caller.
 *
 * prev_ptr is the last non-zero ptr seen in the chunk; prev_seq, prev_ts,
 * prev flags and the thread are the previous event's. The predicted caller
 * is the caller of the previous event of the same class (frees,
 * allocations, anything else; 0 at the start of a chunk): a loop calling
 * malloc and free from two places costs no caller bytes at all. An absent
 * field is zero (seq: prev_seq + 1; ts: prev_ts; thread: the previous
 * event's; caller: the predicted one). A typical malloc or free takes 8-12
 * bytes.
 *
 * Allocates: the writer grows its buffer with realloc; the reader never.
 * Thread safety: none (one writer or reader per thread).
 */
#ifndef HS_STREAM_H
#define HS_STREAM_H

#include <stddef.h>
#include <stdint.h>

#include "trace.h"

#define HS_STREAM_CHUNK_EVENTS 4096u

/* Delta state shared by the encoder and the decoder. */
struct hs_stream_state {
    uint64_t seq, ts_ns, ptr;
    uint64_t caller[3]; /* predicted caller per class: allocation, free, other */
    uint32_t pid, tid;
    uint16_t flags;
};

struct hs_stream_writer {
    uint8_t *buf;                 /* encoded bytes of the current chunk (owned) */
    size_t len, cap;              /* bytes used / allocated */
    uint32_t n_events;            /* events in the current chunk */
    uint64_t first_seq, last_seq; /* of the current chunk (0 if empty) */
    struct hs_stream_state state;
};

struct hs_stream_reader {
    const uint8_t *p, *end; /* the chunk being decoded (not owned) */
    struct hs_stream_state state;
};

/* Zeroes *w; the first put allocates. */
void hs_stream_writer_init(struct hs_stream_writer *w);
/* Starts a new chunk (keeps the buffer). */
void hs_stream_writer_reset(struct hs_stream_writer *w);
/* Appends ev. pre: ev->seq > w->last_seq, ev->op < 32, ev->origin < 4.
 * Returns 0 or HS_ENOMEM. */
int hs_stream_put(struct hs_stream_writer *w, const struct hs_event *ev);
/* Appends ev[0..n-1], the same bytes as n puts, faster (the delta state
 * stays in registers). pre: as put's, for each event in turn. Returns 0 or
 * HS_ENOMEM (then nothing was appended). */
int hs_stream_put_many(struct hs_stream_writer *w, const struct hs_event *ev, size_t n);
void hs_stream_writer_free(struct hs_stream_writer *w);

/* Starts decoding one chunk of len bytes. */
void hs_stream_reader_init(struct hs_stream_reader *r, const void *data, size_t len);
/* 1 and *ev filled, 0 at the end of the chunk, HS_EFORMAT if the bytes are
 * not a valid encoding (truncated varint, op out of range). */
int hs_stream_get(struct hs_stream_reader *r, struct hs_event *ev);

#endif
