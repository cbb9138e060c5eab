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
 * Checkable claim: in a log of a run that did not crash, n_reserved equals
 * the number of committed records (tests/tracer checks n_lost == 0).
 */
#include "record.h"

#include <errno.h>

#include "state.h"
#include "sys.h"

uint32_t hs__tid(void)
{
    uint32_t tid = hs__thread.tid;
    if (__builtin_expect(tid == 0, 0)) {
        tid = hs__sys_gettid();
        hs__thread.tid = tid;
    }
    return tid;
}

static void stop_recording(uint32_t flag, const char *why, int err)
{
    __atomic_store_n(&hs__state.recording, 0, __ATOMIC_RELAXED);
    __atomic_fetch_or(&hs__state.header->flags, flag, __ATOMIC_RELAXED);
    hs__complain(why, err ? "(write failed: no space or I/O error; later events dropped)"
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

struct hs_record *hs__record_begin(uint8_t origin, uint16_t flags)
{
    if (!__atomic_load_n(&hs__state.recording, __ATOMIC_RELAXED))
        return NULL;
    uint64_t i = __atomic_fetch_add(&hs__state.header->n_reserved, 1, __ATOMIC_RELAXED);
    if (__builtin_expect(i >= hs__state.max_slots, 0)) {
        stop_recording(HS_LOG_FULL, "log reached HS_LOG_MAX_EVENTS or its size limit", 0);
        return NULL;
    }
    if (__builtin_expect(i >= __atomic_load_n(&hs__state.covered, __ATOMIC_ACQUIRE), 0) &&
        cover(i) != 0)
        return NULL;

    struct hs_record *r = &hs__state.records[i];
    r->seq = __atomic_add_fetch(hs__state.seq, 1, __ATOMIC_SEQ_CST);
    r->ts_ns = hs__sys_clock_mono_ns();
    r->tid = hs__tid();
    r->origin = origin;
    r->flags = flags;
    return r;
}

void hs__record_call(uint8_t op, uint8_t origin, uint16_t flags, uint64_t ptr, uint64_t size,
                     uint64_t old_ptr, uint64_t chunk_size, uint64_t caller)
{
    struct hs_record *r = hs__record_begin(origin, flags);
    if (!r)
        return;
    r->u.call.ptr = ptr;
    r->u.call.size = size;
    r->u.call.old_ptr = old_ptr;
    r->u.call.chunk_size = chunk_size;
    r->u.call.caller = caller;
    hs__record_commit(r, op);
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
