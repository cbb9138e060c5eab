/*
 * fault_index.h - the page faults of a trace by address, as they come: which
 * faults of pid lie in [lo, hi)?
 *
 * fault_place.c asks it once for every block lifetime, so a question must
 * cost little when the answer is "none", and faults are added in steps
 * while the live import runs (hundreds of steps over a long run), so an
 * addition must not cost what the index already holds.
 *
 *   pages:   (pid, addr >> 12) -> the faults on that page, a chained list
 *   regions: (pid, addr >> 21) -> how many faults lie in that 2 MiB
 *
 * Both are open-addressing hash tables that double when half full, so an
 * addition costs O(1) amortized. A question goes region by region, and
 * looks at the pages of the regions that hold faults only: a 1 GiB block
 * costs 512 region lookups plus its faults.
 *
 * Pages and regions also keep a stamp, the largest their faults were given
 * (hs_fault_index_stamp; the placer stamps a fault with its moment in the
 * event order), and a question may pass over the regions and pages
 * stamped below a bound: most lifetimes begin after every fault of their
 * region had its moment, and then cost one lookup in the small region
 * table, without reading the pages or the faults.
 *
 * Allocates: yes. Thread safety: one thread at a time.
 */
#ifndef HS_FAULT_INDEX_H
#define HS_FAULT_INDEX_H

#include <stddef.h>
#include <stdint.h>

struct hs_fault_index;

/* NULL when out of memory. */
struct hs_fault_index *hs_fault_index_new(void);
void hs_fault_index_free(struct hs_fault_index *x);

/* Adds fault `id` of pid at addr. 0, or -1 out of memory (the index is
 * then unchanged). */
int hs_fault_index_add(struct hs_fault_index *x, uint32_t pid, uint64_t addr, uint32_t id);

/* Raises the stamps of the page and the region holding addr (a page of
 * pid with faults) to stamp where they are below; a page without faults is
 * left alone. Stamps start at 0. */
void hs_fault_index_stamp(struct hs_fault_index *x, uint32_t pid, uint64_t addr, uint64_t stamp);

/* Starts loading what a question about pid's page at addr reads first (a
 * hint, as __builtin_prefetch: a caller that asks soon hides the cache
 * miss of the page table). */
void hs_fault_index_prefetch(const struct hs_fault_index *x, uint32_t pid, uint64_t addr);

/* Calls visit(ctx, id) for every fault of pid with lo <= addr < hi on a
 * page stamped at least min_stamp (0: every fault), in no particular
 * order. */
void hs_fault_index_each(const struct hs_fault_index *x, uint32_t pid, uint64_t lo, uint64_t hi,
                         uint64_t min_stamp, void (*visit)(void *ctx, uint32_t id), void *ctx);

#endif
