/*
 * fault_place.h - place the page-fault samples of LOGDIR/faults.hslog in
 * the event order and find the block each one fell in, while the importer
 * makes its one pass over the events (import_events.c calls the hooks), so
 * nothing is read back from the database and no index is needed.
 *
 * Placement (as documented in import_faults.h): with M(i) the largest ts_ns
 * of the events up to seq i, a fault at time t goes after the last event
 * with M(i) <= t (after_seq; 0 before every event). Its thread's next event
 * (next_seq; 0 if none) is the first event of the same tid later than t.
 * The faults are sorted by time once; as M only grows, each event places
 * the faults older than the new M, and resolves the faults of its own
 * thread waiting for their next event (a list per thread).
 *
 * Blocks: the block of a fault is the lifetime (image, [ptr - 16, ptr - 16
 * + chunk_size), alloc_seq..free_seq) holding addr at its thread's next
 * event (at its place when there is none), as fault_attr.h defines it.
 * Every block lifetime is offered once, when the importer writes its row
 * (hs_fault_place_block); the faults are also kept sorted by (image, addr),
 * so a lifetime finds the faults inside its range by a binary search, and
 * takes those whose moment lies in the lifetime. A lifetime is checked when
 * every fault that can match it has its moment known: at once if it ended
 * before the current event, at the next event if the current event ended
 * it, after hs_fault_place_end() if it never ended.
 *
 * Memory: 124 bytes per fault, plus the threads with a waiting fault and the
 * lifetimes ending at the current event or not seen to end before the end:
 * nothing proportional to the number of events.
 *
 * Thread safety: one thread at a time (the importer's producer thread
 * during the pass, then the importer's main thread).
 */
#ifndef HS_FAULT_PLACE_H
#define HS_FAULT_PLACE_H

#include <stdint.h>

#include "error.h"
#include "fault_attr.h"

struct hs_fault_place;

/* A process image of the import: faults of pid at or after start_ts (or
 * before the first image of pid starts) belong to it. Indices are the
 * `image` numbers given to hs_fault_place_block(). */
struct hs_fault_place_image {
    uint32_t pid;
    uint64_t start_ts;
};

/*
 * Reads LOGDIR/faults.hslog (HS_FAULTS_LOG_NAME, fault_sampler.h).
 * *out = NULL and 0 if there is no such file; HS_EIO, HS_EFORMAT,
 * HS_EVERSION (a damaged or newer log), HS_ENOMEM.
 */
int hs_fault_place_open(const char *logdir, const struct hs_fault_place_image *images,
                        uint32_t n_images, struct hs_fault_place **out, struct hs_error *err);

/* The next event of the trace, in seq order (every event of the `events`
 * view once, snapshots excluded). */
void hs_fault_place_event(struct hs_fault_place *p, uint64_t seq, uint64_t ts_ns, uint32_t tid);

/* A block lifetime (free_seq 0: never seen to end). chunk_size 0: size + 16. */
void hs_fault_place_block(struct hs_fault_place *p, uint32_t image, uint64_t ptr, uint64_t size,
                          uint64_t chunk_size, uint64_t alloc_seq, uint64_t free_seq);

/* After the last event: places the remaining faults; lifetimes offered
 * from now on are checked at once. Returns 0 or HS_ENOMEM (a hook that ran
 * out of memory earlier). */
int hs_fault_place_end(struct hs_fault_place *p, struct hs_error *err);

/*
 * The faults in place order (after_seq, then time), with after_seq,
 * next_seq, ts_ns, addr, ip, pid, tid, major and block_seq (the block
 * holding addr, 0 if none, before fault_attr decides whether the region
 * can hold blocks) filled. Valid until hs_fault_place_free(). *lost: the
 * samples the kernel dropped.
 */
struct hs_fault *hs_fault_place_faults(struct hs_fault_place *p, uint64_t *n, uint64_t *lost);

void hs_fault_place_free(struct hs_fault_place *p);

#endif
