/*
 * record.h - reserve a slot in the mapped log, fill it, commit it.
 *
 * The hot path of the tracer: one clock_gettime (vDSO; in ring mode with
 * HS_TSC=1 one rdtsc instead), two fetch-adds (slot index in the log
 * header, a plain load and store while the process has one thread; global
 * seq in LOGDIR/seq, always locked), no system call except, in a linear
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
#include <sys/single_threaded.h>

#include "heapscope/event.h"
#include "state.h"

/* Reserves the next slot and fills seq, ts_ns, tid, origin and flags.
 * Returns NULL when not recording (inert, full or disabled). */
struct hs_record *hs__record_begin(uint8_t origin, uint16_t flags);

/* How far ahead of its slot a writer prefetches the record line. */
#define HS_PREFETCH_SLOTS 4u

/* record.c: hs__record_begin for slot i (already reserved) on every path
 * the inline fast path below does not take. */
struct hs_record *hs__record_begin_rare(uint64_t i, uint8_t origin, uint16_t flags);

/* This thread's id, cached in TLS after the first gettid. */
uint32_t hs__tid(void);

/*
 * hs__record_begin, inlined into the hooks' fast paths (each instruction
 * here runs for every event). The fast path is a ring with TSC timestamps
 * (what `heapscope record` sets up) that is neither full nor at its size
 * limit; everything else goes to hs__record_begin_rare, which does the same
 * for a linear log, a full ring, or no TSC.
 *
 * Order of the steps: reserve the slot; one compare decides the path;
 * rdtsc (microcoded: 9.7 ns apiece in a loop on the development VM,
 * docs/tracer.md, Cost) before the address arithmetic and the seq
 * fetch-add, which may overlap it; then the seq. The slot index
 * needs no locked instruction while the process has one thread (glibc
 * clears __libc_single_threaded before a second one can start): a locked
 * fetch-add is a full barrier that waits for every store still in flight,
 * the program's own included. The seq always takes one: it is shared with
 * the other processes of the trace.
 */
static inline __attribute__((always_inline)) struct hs_record *
hs__record_begin_entered(uint8_t origin, uint16_t flags);

/* The record of ring slot i (reserved, not full), for both paths. It asks
 * for a later slot's line now, for writing: the record stores then hit the
 * cache, and the next fetch-add, a full barrier, does not wait for them to
 * miss. It sets this thread's commit mark: odd laps commit op | 0x80, so
 * the drainer never has to clear a slot. */
static inline __attribute__((always_inline)) struct hs_record *hs__ring_slot(uint64_t i)
{
    uint64_t mask = hs__state.ring_mask;
    struct hs_record *records = hs__state.records;
    __builtin_prefetch(&records[(i + HS_PREFETCH_SLOTS) & mask], 1, 3);
    hs__thread.mark = (uint8_t)(((i >> hs__state.ring_shift) & 1) << 7);
    return &records[i & mask];
}

static inline __attribute__((always_inline)) struct hs_record *
hs__record_begin_inline(uint8_t origin, uint16_t flags)
{
    if (!__atomic_load_n(&hs__state.recording, __ATOMIC_RELAXED))
        return NULL;
    return hs__record_begin_entered(origin, flags);
}

/* The same without testing `recording`, for a hook whose hs__hook_enter
 * has just tested it. (Another thread may stop the recording in between:
 * then this event is still written, as it would be had it come a moment
 * earlier; a full or abandoned log is still caught by fast_limit.) */
static inline __attribute__((always_inline)) struct hs_record *
hs__record_begin_entered(uint8_t origin, uint16_t flags)
{
    struct hs_log_header *h = hs__state.header;
    uint64_t i;
    if (__libc_single_threaded) {
        i = __atomic_load_n(&h->n_reserved, __ATOMIC_RELAXED);
        __atomic_store_n(&h->n_reserved, i + 1, __ATOMIC_RELAXED);
    } else {
        i = __atomic_fetch_add(&h->n_reserved, 1, __ATOMIC_RELAXED);
    }
    /* One compare for "a TSC ring, below the size limit, not full":
     * fast_limit is 0 in a linear log or a ring without TSC. */
    if (__builtin_expect(i >= __atomic_load_n(&hs__state.fast_limit, __ATOMIC_ACQUIRE), 0))
        return hs__record_begin_rare(i, origin, flags);
    uint64_t ts = hs__sys_cycles();
    struct hs_record *r = hs__ring_slot(i);
    r->seq = __atomic_add_fetch(hs__state.seq, 1, __ATOMIC_SEQ_CST);
    uint32_t tid = hs__thread.tid;
    if (__builtin_expect(tid == 0, 0))
        tid = hs__tid();
    r->ts_ns = ts;
    r->tid = tid;
    r->origin = origin;
    r->flags = flags;
    return r;
}

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

/* Fills the `call` payload of event.h into a begun record and commits it. */
static inline __attribute__((always_inline)) void
hs__record_fill_call(struct hs_record *r, uint8_t op, uint64_t ptr, uint64_t size,
                     uint64_t old_ptr, uint64_t chunk_size, uint64_t caller)
{
    r->u.call.ptr = ptr;
    r->u.call.size = size;
    r->u.call.old_ptr = old_ptr;
    r->u.call.chunk_size = chunk_size;
    r->u.call.caller = caller;
    hs__record_commit(r, op);
}

/* One call event, inlined into a hook.
 * pre: the hook's hs__hook_enter returned 1. */
static inline __attribute__((always_inline)) void
hs__record_call_entered(uint8_t op, uint8_t origin, uint16_t flags, uint64_t ptr, uint64_t size,
                        uint64_t old_ptr, uint64_t chunk_size, uint64_t caller)
{
    struct hs_record *r = hs__record_begin_entered(origin, flags);
    if (r)
        hs__record_fill_call(r, op, ptr, size, old_ptr, chunk_size, caller);
}

/* The same, out of line (for the paths that are not hot). Returns the
 * event's seq, 0 if it was not recorded. */
uint64_t hs__record_call(uint8_t op, uint8_t origin, uint16_t flags, uint64_t ptr, uint64_t size,
                         uint64_t old_ptr, uint64_t chunk_size, uint64_t caller);

/* A record whose payload is v[0..4] (mallinfo_a/b, state, exit status). */
void hs__record_values(uint8_t op, const uint64_t v[5]);

/* A mark: label copied up to HS_LABEL_MAX-1 bytes, NUL-terminated. */
void hs__record_mark(const char *label);

/* Asks the kernel worker (hs__state.async) to fallocate and fault in the
 * slots [from, to) ahead of the writers; clamped to max_slots. Returns at
 * once; does nothing without a worker. */
void hs__record_grow_async(uint64_t from, uint64_t to);

#endif
