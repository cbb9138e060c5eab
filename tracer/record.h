/*
 * record.h - reserve a slot in the mapped log, fill it, commit it.
 *
 * The hot path of the tracer: one clock_gettime (vDSO; in ring mode with
 * HS_TSC=1 one rdtsc instead), two atomic fetch-adds (slot index in the log
 * header, global seq in LOGDIR/seq), no system call except, in a linear
 * log, one fallocate() per HS_SEGMENT_RECORDS slots. In ring mode a slot
 * lives at records[slot % capacity] and a writer that finds the ring full
 * waits for the recorder's drainer (spin, yield, nap; bounded: see
 * record.c) before writing it.
 * Lock-free; callable from any thread, from signal handlers too.
 * Allocates: no. Never calls hooked symbols.
 *
 * A record is visible to readers only once hs__record_commit stored its op
 * (release); a thread that dies between begin and commit leaves op 0, which
 * the reader counts as lost.
 */
#ifndef HS_TRACER_RECORD_H
#define HS_TRACER_RECORD_H

#include <stdint.h>

#include "heapscope/event.h"
#include "state.h"

/* Reserves the next slot and fills seq, ts_ns, tid, origin and flags.
 * Returns NULL when not recording (inert, full or disabled). */
struct hs_record *hs__record_begin(uint8_t origin, uint16_t flags);

/* The commit mark of the slot the calling thread's last hs__record_begin
 * reserved: a ring's lap bit (event.h), 0 in a linear log. A caller that
 * may record other events before committing (fork, munmap) keeps it. */
static inline uint8_t hs__record_mark_of_last(void)
{
    return hs__thread.mark;
}

/* Publishes r: stores op (with the slot's lap bit) last, with release
 * semantics. */
static inline void hs__record_commit_marked(struct hs_record *r, uint8_t op, uint8_t mark)
{
    __atomic_store_n(&r->op, (uint8_t)(op | mark), __ATOMIC_RELEASE);
}

/* The same right after this thread's hs__record_begin. */
static inline void hs__record_commit(struct hs_record *r, uint8_t op)
{
    hs__record_commit_marked(r, op, hs__thread.mark);
}

/* One call event (the `call` payload of event.h). */
void hs__record_call(uint8_t op, uint8_t origin, uint16_t flags, uint64_t ptr, uint64_t size,
                     uint64_t old_ptr, uint64_t chunk_size, uint64_t caller);

/* A record whose payload is v[0..4] (mallinfo_a/b, state, exit status). */
void hs__record_values(uint8_t op, const uint64_t v[5]);

/* A mark: label copied up to HS_LABEL_MAX-1 bytes, NUL-terminated. */
void hs__record_mark(const char *label);

/* Asks the kernel worker (hs__state.async) to fallocate and fault in the
 * slots [from, to) ahead of the writers; clamped to max_slots. Returns at
 * once; does nothing without a worker. */
void hs__record_grow_async(uint64_t from, uint64_t to);

/* This thread's id, cached in TLS after the first gettid. */
uint32_t hs__tid(void);

#endif
