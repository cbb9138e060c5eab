/*
 * fault_place.h - place the page-fault samples of LOGDIR/faults.hslog in
 * the event order and find the block each one fell in, while the importer
 * makes its one pass over the events (import_events.c calls the hooks), so
 * nothing is read back from the database and no index is needed.
 *
 * Placement (as documented in import_faults.h): with M(i) the largest ts_ns
 * of the events up to seq i, a fault at time t goes after the last event
 * with M(i) <= t (after_seq; 0 before every event). Its thread's next event
 * (next_seq; 0 if none) is the first event of the same tid later than t
 * that the program called (origin program). Events of origin allocator
 * happen within a call: the brk/mmap/munmap the tracer infers for a call
 * are recorded after it returned, just before the call's own event, and
 * another allocator's own mmap calls are made inside it. So a fault inside
 * malloc (its header, calloc's memset, realloc's copy) has the call as its
 * next event, not the inferred mmap or brk that precedes it.
 * The faults are sorted by time once; as M only grows, each event places
 * the faults older than the new M, and resolves the faults of its own
 * thread waiting for their next event (a list per thread).
 *
 * Blocks: the block of a fault is the lifetime (pid, [ptr - 16, ptr - 16
 * + chunk_size) or, under another allocator, [ptr, ptr + size),
 * alloc_seq..free_seq, or until the pid's next image if it never ended)
 * holding addr at its thread's next event (at its place when
 * there is none), as fault_attr.h defines it. As the next event skips
 * the inferred ones, the allocating call's own writes (the header at
 * ptr - 16, perhaps on the page before ptr or at the start of an mmapped
 * chunk's mapping) count for the block it returns (docs/cli/faults.md,
 * "by block"). Every block lifetime is offered once, when the importer
 * writes its row (hs_fault_place_block); the faults are also kept in an
 * address index (fault_index.h), so a lifetime finds the faults inside
 * its range with a lookup per page, and takes those whose moment lies in
 * the lifetime. A lifetime is checked when
 * every fault that can match it has its moment known: at once if it ended
 * before the current event, at the next event if the current event ended
 * it, after hs_fault_place_end() if it never ended.
 *
 * Live (the import that runs beside the program, import_live.h): the
 * sampler is still writing faults.hslog. The placer reads what it wrote
 * whenever an event's time passes what was read, and waits, if need be,
 * until the sampler's header.complete_ns (fault_sampler.h) passes that
 * time: then every fault older than the event is known when the event is
 * placed, and the result is the same as after the run. A sampler whose
 * complete_ns stands still for HS_FAULT_PLACE_STALL_MS is taken as dead:
 * from then on what it wrote is used as it is (faults read late are placed
 * where they are read).
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

#define HS_FAULT_PLACE_STALL_MS 5000

/*
 * Opens LOGDIR/faults.hslog (HS_FAULTS_LOG_NAME, fault_sampler.h).
 * After the run (live 0) it is read at once: *out = NULL and 0 if there
 * is no such file. Live, it is read as the events come (see above): *out
 * is always set, and a missing file (no sampler) means no faults.
 * Errors: HS_EIO, HS_EFORMAT, HS_EVERSION (a damaged or newer log),
 * HS_ENOMEM; live, these come from hs_fault_place_end() instead.
 */
int hs_fault_place_open(const char *logdir, int live, struct hs_fault_place **out,
                        struct hs_error *err);

/* The next event of the trace, in seq order (every event of the `events`
 * view once, snapshots excluded), of process image `image` (the numbers
 * given to hs_fault_place_block(), dense from 0) of pid; origin is its
 * enum hs_origin. Live, it may wait for the sampler (see above). Returns 1
 * when there is no log (a live placer learns it at the first event): the
 * caller may then free p and go on as without faults. */
int hs_fault_place_event(struct hs_fault_place *p, uint32_t image, uint32_t pid, uint64_t seq,
                         uint64_t ts_ns, uint32_t tid, uint8_t origin);

/* The lifetime of (image, ptr) will soon be given to
 * hs_fault_place_block(): starts loading what it reads (a hint). */
void hs_fault_place_prefetch(const struct hs_fault_place *p, uint32_t image, uint64_t ptr);

/* A block lifetime of an image that had events (free_seq 0: never seen to
 * end); flags: the block's HS_CHUNK_* and HS_F_* bits. Its bytes: a glibc
 * chunk, [ptr - 16, ptr - 16 + chunk_size) (chunk_size 0: size + 16);
 * with HS_F_NO_CHUNK (another allocator) [ptr, ptr + size). */
void hs_fault_place_block(struct hs_fault_place *p, uint32_t image, uint64_t ptr, uint64_t size,
                          uint64_t chunk_size, uint16_t flags, uint64_t alloc_seq,
                          uint64_t free_seq);

/* After the last event: reads the rest of the log (live: once the sampler
 * stopped), places the remaining faults; lifetimes offered from now on are
 * checked at once. Returns 0 or the first failure of a hook (HS_ENOMEM;
 * live, also the errors of hs_fault_place_open). */
int hs_fault_place_end(struct hs_fault_place *p, struct hs_error *err);

/* 1 if p is a placer (not NULL) that found a faults.hslog: the trace's
 * faults come from perf. */
int hs_fault_place_has_log(const struct hs_fault_place *p);

/* 1 if the live placer stopped waiting for a sampler that stood still
 * for HS_FAULT_PLACE_STALL_MS: faults it wrote later were placed where
 * they were read, perhaps after their events (the importer warns). */
int hs_fault_place_stalled(const struct hs_fault_place *p);

/*
 * The faults in place order (after_seq, then time), with after_seq,
 * next_seq, ts_ns, addr, ip, pid, tid, major and block_seq (the block
 * holding addr, 0 if none, before fault_attr decides whether the region
 * can hold blocks) filled. Valid until hs_fault_place_free(). *lost: the
 * samples the kernel dropped. NULL (and *n = 0) when there was no log.
 */
struct hs_fault *hs_fault_place_faults(struct hs_fault_place *p, uint64_t *n, uint64_t *lost);

void hs_fault_place_free(struct hs_fault_place *p);

#endif
