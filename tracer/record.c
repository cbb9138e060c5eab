/*
 * record.c - the recording hot path: reserve a slot, fill it, commit it.
 *
 * Slot reservation is an atomic fetch-add on header->n_reserved, which
 * lives in the shared file mapping, so the cursor itself survives a crash
 * and tells the reader how many slots were handed out. The file is grown
 * ahead of the writers in whole segments:
 *
 *     covered (atomic)           slot i wanted
 *         |                          |
 *   [ committed | committed | ... ][ hole ...................... ]
 *   ^ fallocated: writes are safe   ^ beyond EOF: a write would SIGBUS
 *
 * A writer whose slot i >= covered fallocates [covered, end of i's segment)
 * and then CASes covered upward. fallocate mode 0 only ever extends and
 * re-allocating an allocated range is a no-op, so racing writers are
 * harmless; the invariant "every slot below covered has disk blocks" holds
 * because a writer only raises covered over a range it has itself
 * fallocated from a covered value it observed. Blocks are allocated (not a
 * sparse ftruncate) so a full disk shows up as ENOSPC here, where we can
 * stop cleanly, instead of as SIGBUS inside the program.
 *
 * Ring mode (HS_RING=1, event.h "Ring files"): no file growth at all; slot
 * i is written at records[i & mask] once the drainer's `consumed` cursor is
 * within one ring of it (ring_wait), and committed with the lap bit.
 *
 * Checkable claim: in a log of a run that did not crash, n_reserved equals
 * the number of committed records (tests/tracer checks n_lost == 0, in both
 * modes).
 */
#include "record.h"

#include <errno.h>
#include <sys/single_threaded.h>

#include "state.h"
#include "sys.h"
#include "thread_exit.h"

uint32_t hs__tid(void)
{
    uint32_t tid = hs__thread.tid;
    if (__builtin_expect(tid == 0, 0)) {
        tid = hs__sys_gettid();
        hs__thread.tid = tid;
        hs__thread_exit_watch(); /* its first event: see it end */
    }
    return tid;
}

static void stop_recording(uint32_t flag, const char *why, int err)
{
    __atomic_store_n(&hs__state.recording, 0, __ATOMIC_RELAXED);
    __atomic_fetch_or(&hs__state.header->flags, flag, __ATOMIC_RELAXED);
    hs__complain(why, err < 0 ? "later events dropped)"
                      : err   ? "(write failed: no space or I/O error; later events dropped)"
                              : "(later events dropped)");
}

/* Faults in the pages of slots [from, to) in one system call. */
static void prefault(uint64_t from, uint64_t to)
{
    uintptr_t page = 4096;
    uintptr_t start = (uintptr_t)&hs__state.records[from] & ~(page - 1);
    uintptr_t end = (uintptr_t)&hs__state.records[to];
    hs__sys_prefault((void *)start, end - start);
}

void hs__record_grow_async(uint64_t from, uint64_t to)
{
    if (hs__state.async.fd < 0)
        return;
    if (to > hs__state.max_slots)
        to = hs__state.max_slots;
    if (from >= to)
        return;
    hs__sys_async_prefault(&hs__state.async, hs__state.log_fd,
                           HS_LOG_HEADER_SIZE + from * HS_RECORD_SIZE, (to - from) * HS_RECORD_SIZE,
                           &hs__state.records[from]);
}

/* Makes slot i writable. 0, or -1 when the log had to be disabled. */
static int cover(uint64_t i)
{
    uint64_t covered = __atomic_load_n(&hs__state.covered, __ATOMIC_ACQUIRE);
    /* A program that closed our descriptor may have reused its number:
     * never fallocate someone else's file. One fstat per segment. */
    if (i >= covered && !hs__sys_fd_is(hs__state.log_fd, &hs__state.log_id)) {
        stop_recording(HS_LOG_DISABLED, "the program closed the log's file descriptor", 0);
        return -1;
    }
    while (i >= covered) {
        uint64_t end = (i / HS_SEGMENT_RECORDS + 1) * HS_SEGMENT_RECORDS;
        if (end > hs__state.max_slots)
            end = hs__state.max_slots;
        int rc = hs__sys_fallocate(hs__state.log_fd, HS_LOG_HEADER_SIZE + covered * HS_RECORD_SIZE,
                                   (end - covered) * HS_RECORD_SIZE);
        if (rc != 0) {
            stop_recording(HS_LOG_DISABLED, "cannot grow the log", -rc);
            return -1;
        }
        prefault(covered, end);
        if (__atomic_compare_exchange_n(&hs__state.covered, &covered, end, 0, __ATOMIC_RELEASE,
                                        __ATOMIC_ACQUIRE)) {
            /* The kernel worker already did [end, end + SEG) (asked one
             * segment ago, or at open); ask for the one after it. */
            hs__record_grow_async(end + HS_SEGMENT_RECORDS, end + 2 * HS_SEGMENT_RECORDS);
            break;
        }
        /* lost the race: covered was reloaded; loop if still short */
    }
    return 0;
}

/*
 * Ring mode: slot i may be written once the drainer has copied slot
 * i - capacity out of the same place, i.e. once i - consumed < capacity.
 * The fast path compares with the last consumed value any thread saw
 * (hs__state.ring_consumed); only a writer that finds the ring full reads
 * the shared control page, and waits: spinning, then yielding, then
 * napping. If consumed stands still for ring_wait_ns, or the drainer has
 * detached, it gives up: the recorder is gone or hung, and the program
 * must not hang with it. 0 when slot i may be written, -1 when not.
 */
static __attribute__((noinline)) int ring_wait(uint64_t i)
{
    struct hs_ring_control *ctl = hs__state.ring_ctl;
    uint64_t cap = hs__state.ring_mask + 1;
    uint64_t last = UINT64_MAX, since = 0, began = 0;
    for (unsigned k = 0;; k++) {
        uint64_t c = __atomic_load_n(&ctl->consumed, __ATOMIC_ACQUIRE);
        if (i - c < cap) {
            if (began) /* counted so that `record` can say what the wait cost */
                __atomic_fetch_add(&ctl->full_wait_ns, hs__sys_clock_mono_ns() - began,
                                   __ATOMIC_RELAXED);
            uint64_t seen = __atomic_load_n(&hs__state.ring_consumed, __ATOMIC_RELAXED);
            while (seen < c && !__atomic_compare_exchange_n(&hs__state.ring_consumed, &seen, c, 1,
                                                            __ATOMIC_RELEASE, __ATOMIC_RELAXED))
                ;
            if (hs__state.tsc) {
                uint64_t lim = c + cap < hs__state.max_slots ? c + cap : hs__state.max_slots;
                uint64_t was = __atomic_load_n(&hs__state.fast_limit, __ATOMIC_RELAXED);
                while (was < lim &&
                       !__atomic_compare_exchange_n(&hs__state.fast_limit, &was, lim, 1,
                                                    __ATOMIC_RELEASE, __ATOMIC_RELAXED))
                    ;
            }
            return 0;
        }
        if (!began) {
            began = hs__sys_clock_mono_ns();
            __atomic_fetch_add(&ctl->full_waits, 1, __ATOMIC_RELAXED);
        }
        int gone = __atomic_load_n(&ctl->drain_state, __ATOMIC_ACQUIRE) == HS_DRAIN_DETACHED ||
                   (__atomic_load_n(&hs__state.header->flags, __ATOMIC_RELAXED) & HS_LOG_DISABLED);
        if (!gone && (k & 63) == 0) {
            uint64_t now = hs__sys_clock_mono_ns();
            if (c != last) {
                last = c;
                since = now;
            } else if (now - since > hs__state.ring_wait_ns) {
                gone = 1;
            }
        }
        if (gone) {
            uint64_t a = __atomic_load_n(&ctl->abandoned, __ATOMIC_RELAXED);
            while (i < a && !__atomic_compare_exchange_n(&ctl->abandoned, &a, i, 1,
                                                         __ATOMIC_RELEASE, __ATOMIC_RELAXED))
                ;
            stop_recording(HS_LOG_DISABLED,
                           "the recorder does not drain the ring (heapscope record gone or hung;",
                           -1);
            return -1;
        }
        if (k < 256)
            hs__sys_relax();
        else if (k < 512)
            hs__sys_yield();
        else
            hs__sys_nap(50000);
    }
}

/*
 * Everything hs__record_begin_inline (record.h) leaves out of its fast path,
 * for slot i already reserved: the size limit, a full ring, a linear log
 * (file growth, clock_gettime), a ring without TSC. The same steps as the
 * fast path otherwise.
 */
struct hs_record *hs__record_begin_rare(uint64_t i, uint8_t origin, uint16_t flags)
{
    if (i >= hs__state.max_slots) {
        stop_recording(HS_LOG_FULL, "log reached HS_LOG_MAX_EVENTS or its size limit", 0);
        return NULL;
    }
    struct hs_record *r;
    uint64_t ts;
    if (hs__state.ring) {
        if (i - __atomic_load_n(&hs__state.ring_consumed, __ATOMIC_ACQUIRE) > hs__state.ring_mask &&
            ring_wait(i) != 0)
            return NULL;
        ts = hs__state.tsc ? hs__sys_cycles() : 0; /* after the wait, not before it */
        r = hs__ring_slot(i);
        r->seq = __atomic_add_fetch(hs__state.seq, 1, __ATOMIC_SEQ_CST);
        if (!hs__state.tsc)
            ts = hs__sys_clock_mono_ns();
    } else {
        if (i >= __atomic_load_n(&hs__state.covered, __ATOMIC_ACQUIRE) && cover(i) != 0)
            return NULL;
        r = &hs__state.records[i];
        if (i + HS_PREFETCH_SLOTS < hs__state.covered)
            __builtin_prefetch(&hs__state.records[i + HS_PREFETCH_SLOTS], 1, 3);
        hs__thread.mark = 0;
        r->seq = __atomic_add_fetch(hs__state.seq, 1, __ATOMIC_SEQ_CST);
        ts = hs__sys_clock_mono_ns();
    }
    r->ts_ns = ts;
    r->tid = hs__tid();
    r->origin = origin;
    r->flags = flags;
    return r;
}

struct hs_record *hs__record_begin(uint8_t origin, uint16_t flags)
{
    return hs__record_begin_inline(origin, flags);
}

uint64_t hs__record_call(uint8_t op, uint8_t origin, uint16_t flags, uint64_t ptr, uint64_t size,
                         uint64_t old_ptr, uint64_t chunk_size, uint64_t caller)
{
    struct hs_record *r = hs__record_begin_inline(origin, flags);
    if (!r)
        return 0;
    uint64_t seq = r->seq; /* read before the commit: then the drainer may reuse the slot */
    hs__record_fill_call(r, op, ptr, size, old_ptr, chunk_size, caller);
    return seq;
}

void hs__record_values(uint8_t op, const uint64_t v[5])
{
    struct hs_record *r = hs__record_begin(HS_ORIGIN_TRACER, 0);
    if (!r)
        return;
    for (int k = 0; k < 5; k++)
        r->u.v[k] = v[k];
    hs__record_commit(r, op);
}

void hs__record_mark(const char *label)
{
    size_t n = 0;
    uint16_t flags = 0;
    if (label)
        while (label[n] && n < HS_LABEL_MAX - 1)
            n++;
    if (label && label[n])
        flags |= HS_F_LABEL_TRUNCATED;
    struct hs_record *r = hs__record_begin(HS_ORIGIN_PROGRAM, flags);
    if (!r)
        return;
    for (size_t k = 0; k < HS_LABEL_MAX; k++)
        r->u.label[k] = k < n ? label[k] : '\0';
    hs__record_commit(r, HS_OP_MARK);
}
