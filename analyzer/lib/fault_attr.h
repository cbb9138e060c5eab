/*
 * fault_attr.h - say where each page fault of a trace happened: which kind
 * of memory (region), whether the page was touched for the first time or
 * again after it was given back, which block it belongs to, and whether
 * glibc's code or the program's took it.
 *
 * Used once by the importer (import_faults.c), which stores the answers in
 * the `faults` table, so every later query is plain SQL.
 *
 * Regions, decided at the fault's place in the event order by replaying
 * that process's own events over the /proc/PID/maps text the tracer saved
 * at start (processes.maps):
 *
 *   heap         [initial break, current break) of the main arena, moved by
 *                the brk/sbrk events (the allocator's and the program's)
 *   thread-heap  a non-main arena heap: an allocator mmap of 64 MiB at a
 *                64 MiB-aligned address (how the tracer records them)
 *   mmap         any other mmap/mremap event: mmapped chunks (allocator)
 *                and the program's own mappings
 *   stack        [stack] of the maps, and up to 8 MiB below it (growth)
 *   library      file mappings of shared objects in the maps, and the
 *                anonymous mapping right after one (its .bss)
 *   other        the rest: the executable's own image, [vdso], the tracer's
 *                log, and mappings made inside glibc that no event shows
 *                (thread stacks, the loader's, thread-heap growth beyond
 *                what the tracer inferred)
 *
 * munmap (and mremap's source) removes a range from whatever region held
 * it; a brk that lowers the break (a trim) removes pages from the heap.
 * A fault outside every known region is looked up again in the process's
 * brk/mmap events up to its thread's next call (next_seq): the tracer
 * records the allocator's inferred brk/mmap after the malloc returns, just
 * before the malloc, and malloc's own writes into the new memory fault
 * before both.
 *
 * Touch, per page of a process:
 *   first    never faulted before in this trace
 *   refault  faulted before, and an munmap, mremap or trim since released it
 *            (a malloc_trim that returned 1 counts for the whole brk heap:
 *            its madvise released the free pages, which the trace does not
 *            list)
 *   repeat   faulted before with no release in the events (copy-on-write
 *            after fork, a write after a read of the zero page, madvise
 *            from inside glibc, swap)
 *
 * by_libc: the faulting instruction is inside libc.so (from the maps). It is
 * the proxy for "memory glibc wrote for its own metadata" (chunk headers,
 * free-list links, the tcache and arena structures) versus the program's
 * own writes; memset/memcpy called by the program also run in libc, so a
 * program's first touch through memset counts as libc's.
 *
 * Allocates: yes. Thread safety: one struct hs_fault_attr per thread.
 */
#ifndef HS_FAULT_ATTR_H
#define HS_FAULT_ATTR_H

#include <stdint.h>

#include "error.h"

struct sqlite3;

enum hs_fault_region {
    HS_REGION_HEAP,
    HS_REGION_MMAP,
    HS_REGION_THREAD_HEAP,
    HS_REGION_STACK,
    HS_REGION_LIBRARY,
    HS_REGION_OTHER,
    HS_REGION_COUNT
};

enum hs_fault_touch { HS_TOUCH_FIRST, HS_TOUCH_REFAULT, HS_TOUCH_REPEAT, HS_TOUCH_COUNT };

/* One fault, in event order. The importer fills the first group
 * (fault_place.h, block_seq: the block holding addr, whatever the region);
 * the attribution fills the second and keeps block_seq only where the
 * region can hold blocks. */
struct hs_fault {
    uint64_t after_seq; /* seq of the last event before it (0: before all) */
    uint64_t next_seq;  /* its thread's next event of origin program (0: none) */
    uint64_t ts_ns;
    uint64_t addr;
    uint64_t ip;
    uint32_t pid;
    uint32_t tid;
    uint8_t major;

    int64_t proc; /* the process image it belongs to: processes.proc, 0 if none */
    uint32_t exec_gen;
    uint8_t region; /* enum hs_fault_region */
    uint8_t touch;  /* enum hs_fault_touch */
    uint8_t by_libc;
    uint64_t block_seq; /* alloc_seq of the block holding addr, 0 if none */
};

/* "heap", "mmap", "thread-heap", "stack", "library", "other". */
const char *hs_fault_region_name(unsigned region);
/* "first", "refault", "repeat". */
const char *hs_fault_touch_name(unsigned touch);

/*
 * Attributes faults[0..n), sorted by (after_seq, ts_ns), using the tables
 * processes and sys_events of db (docs/schema.md; sys_events read once,
 * its brk/sbrk/mmap/munmap/mremap rows only).
 * Returns 0, HS_EDB or HS_ENOMEM.
 */
int hs_fault_attr_run(struct sqlite3 *db, struct hs_fault *faults, uint64_t n,
                      struct hs_error *err);

#endif
