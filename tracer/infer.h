/*
 * infer.h - what glibc's malloc did internally, read from its chunk headers
 * and the program break (glibc only: hs__state.glibc).
 *
 * glibc grows the heap with its internal __sbrk/__mmap, which no
 * interposed symbol sees. After (or, for free, before) each allocator call
 * the hooks ask these functions, which record HS_ORIGIN_ALLOCATOR events.
 * Allocates: no. Lock-free. Thread safety: any thread.
 */
#ifndef HS_TRACER_INFER_H
#define HS_TRACER_INFER_H

#include <stdint.h>

#include "state.h"

/* What the tracer knows about the block at p. */
struct hs_chunk {
    uint64_t size;      /* glibc chunk size without flag bits, or usable size */
    uint16_t flags;     /* HS_CHUNK_* bits, or HS_F_NO_CHUNK */
    uint64_t map_start; /* IS_MMAPPED chunks: the mapping's start and length */
    uint64_t map_len;
};

/* Reads the chunk header at p - 8 (glibc) or asks malloc_usable_size.
 * pre: p != NULL, p is a live block of the next allocator. */
void hs__chunk_read(const void *p, struct hs_chunk *c);

/* glibc's cached program break (exported, GLIBC_2.2.5); weak so that the
 * library still loads where it is missing. */
extern void *__curbrk __attribute__((weak));

/* glibc's cached program break, read without a call (what its sbrk(0)
 * returns once set); 0 if unknown (not glibc's malloc, not exported, not
 * set yet). */
static inline uintptr_t hs__cached_brk(void)
{
    void **cb = hs__state.curbrk;
    return cb ? (uintptr_t)*cb : 0;
}

/* 1 when hs__infer_brk would certainly record nothing now: the cached break
 * is known and equals the last recorded one (the hooks' fast path; any
 * other case calls hs__infer_brk). */
static inline int hs__brk_unchanged(void)
{
    uintptr_t now = hs__cached_brk();
    return now && now == __atomic_load_n(&hs__state.last_brk, __ATOMIC_RELAXED);
}

/* If the program break moved since last recorded, records one brk event
 * old → new (a CAS on hs__state.last_brk makes it one event across
 * threads). */
void hs__infer_brk(uint64_t caller);

/* Allocation side: c is the new block's chunk. Records an allocator mmap
 * for an IS_MMAPPED chunk, or for the first chunk seen in a new
 * non-main-arena heap. */
void hs__infer_alloc(const struct hs_chunk *c, const void *p, uint64_t caller);

/* Free side: records an allocator munmap for an IS_MMAPPED chunk. */
void hs__infer_free(const struct hs_chunk *c, uint64_t caller);

/* realloc: old chunk read before the call, new one after. Records mremap,
 * munmap or mmap as the chunks' IS_MMAPPED bits say. new_c NULL: the block
 * was freed (realloc(p, 0)) or realloc failed. */
void hs__infer_realloc(const struct hs_chunk *old_c, const struct hs_chunk *new_c,
                       const void *new_p, uint64_t caller);

#endif
