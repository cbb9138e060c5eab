/*
 * infer.c - the brk and mmap calls glibc's malloc makes internally, inferred
 * from the program break and the chunk headers (glibc 2.36, x86-64).
 *
 * A glibc chunk as the program sees it:
 *
 *     chunk ─▶ +----------------------------+
 *              | prev_size (mmapped: offset  |  p - 16
 *              |  of the chunk in its map)   |
 *              +----------------------------+
 *              | size | A(0x4) M(0x2) P(0x1) |  p - 8
 *         p ─▶ +----------------------------+
 *              | user data ...               |
 *
 * (a) brk. sbrk(0) returns glibc's cached __curbrk without a system call,
 *     so comparing it with the last recorded break after each allocator
 *     call sees every move of the main heap, whether malloc grew it or free
 *     / malloc_trim shrank it.
 * (b) mmapped chunks (M set): the mapping starts prev_size bytes before
 *     the chunk and is size + prev_size long (mmap_chunk / munmap_chunk).
 * (c) non-main arenas (A set): each thread heap is a HEAP_MAX_SIZE (64 MiB)
 *     aligned mapping, so the heap base is chunk & ~(64 MiB - 1); the first
 *     chunk seen in a heap records an mmap of it.
 *
 * Limits (what this cannot see; docs/tracer.md repeats them):
 *   - growth and shrinking of a thread heap (mprotect / madvise inside its
 *     64 MiB reservation) and the deletion of a thread heap (munmap in
 *     heap_trim); glibc's first mmap of 2 * 64 MiB and the trimming of its
 *     unaligned ends are recorded as one 64 MiB mapping;
 *   - madvise(MADV_DONTNEED) from malloc_trim;
 *   - two moves of the break by different threads between two of our
 *     checks are recorded as one move (the main arena lock serializes the
 *     moves, but not our observations of them);
 *   - frees that glibc itself performs (e.g. a thread's tcache at thread
 *     exit) call the internal free, not the exported one.
 * Checkable claim: on a single-threaded program the sequence of new break
 * values and of mmapped-chunk (addr, length) pairs equals what strace shows
 * for the allocator's brk/mmap/munmap calls (tests/tracer/test_tracer.c).
 */
#include "infer.h"

#include <sys/mman.h>

#include "record.h"
#include "state.h"

#define HEAP_MAX_SIZE (64ull << 20)
#define CHUNK_FLAG_BITS 0x7ull

void hs__chunk_read(const void *p, struct hs_chunk *c)
{
    c->map_start = c->map_len = 0;
    if (!hs__state.glibc) {
        c->size =
            hs__state.real.malloc_usable_size ? hs__state.real.malloc_usable_size((void *)p) : 0;
        c->flags = HS_F_NO_CHUNK;
        return;
    }
    const uint64_t *words = p;
    uint64_t head = words[-1];
    c->size = head & ~CHUNK_FLAG_BITS;
    c->flags = (uint16_t)(head & CHUNK_FLAG_BITS);
    if (head & HS_CHUNK_IS_MMAPPED) {
        uint64_t prev_size = words[-2];
        c->map_start = (uint64_t)(uintptr_t)p - 16 - prev_size;
        c->map_len = c->size + prev_size;
    }
}

void hs__infer_brk(uint64_t caller)
{
    if (!hs__state.glibc)
        return;
    uintptr_t now = hs__cached_brk();
    if (!now)
        now = (uintptr_t)hs__state.real.sbrk(0);
    uintptr_t last = __atomic_load_n(&hs__state.last_brk, __ATOMIC_RELAXED);
    if (now == last || now == (uintptr_t)-1)
        return;
    if (!__atomic_compare_exchange_n(&hs__state.last_brk, &last, now, 0, __ATOMIC_RELAXED,
                                     __ATOMIC_RELAXED))
        return; /* another thread recorded this move */
    uint64_t delta = now > last ? now - last : last - now;
    hs__record_call(HS_OP_BRK, HS_ORIGIN_ALLOCATOR, 0, now, delta, last, 0, caller);
}

static const uint64_t anon_rw =
    ((uint64_t)(PROT_READ | PROT_WRITE) << 32) | (MAP_PRIVATE | MAP_ANONYMOUS);

/* 1 if base was not in the table (and now is). */
static int first_sight_of_heap(uintptr_t base)
{
    for (unsigned k = 0; k < HS_MAX_ARENA_HEAPS; k++) {
        uintptr_t seen = __atomic_load_n(&hs__state.arena_heaps[k], __ATOMIC_ACQUIRE);
        if (seen == base)
            return 0;
        if (seen == 0) {
            uintptr_t zero = 0;
            if (__atomic_compare_exchange_n(&hs__state.arena_heaps[k], &zero, base, 0,
                                            __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
                return 1;
            if (zero == base)
                return 0; /* another thread inserted the same base */
        }
    }
    return 0; /* table full: stop reporting new heaps */
}

void hs__infer_alloc(const struct hs_chunk *c, const void *p, uint64_t caller)
{
    if (!hs__state.glibc)
        return;
    if (c->flags & HS_CHUNK_IS_MMAPPED) {
        hs__record_call(HS_OP_MMAP, HS_ORIGIN_ALLOCATOR, 0, c->map_start, c->map_len, 0, anon_rw,
                        caller);
    } else if (c->flags & HS_CHUNK_NON_MAIN_ARENA) {
        uintptr_t base = ((uintptr_t)p - 16) & ~(uintptr_t)(HEAP_MAX_SIZE - 1);
        if (first_sight_of_heap(base))
            hs__record_call(HS_OP_MMAP, HS_ORIGIN_ALLOCATOR, 0, base, HEAP_MAX_SIZE, 0,
                            ((uint64_t)PROT_NONE << 32) |
                                (MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE),
                            caller);
    }
}

void hs__infer_free(const struct hs_chunk *c, uint64_t caller)
{
    if (hs__state.glibc && (c->flags & HS_CHUNK_IS_MMAPPED))
        hs__record_call(HS_OP_MUNMAP, HS_ORIGIN_ALLOCATOR, 0, c->map_start, c->map_len, 0, 0,
                        caller);
}

void hs__infer_realloc(const struct hs_chunk *old_c, const struct hs_chunk *new_c,
                       const void *new_p, uint64_t caller)
{
    if (!hs__state.glibc)
        return;
    int old_mm = old_c && (old_c->flags & HS_CHUNK_IS_MMAPPED);
    int new_mm = new_c && (new_c->flags & HS_CHUNK_IS_MMAPPED);
    if (old_mm && new_mm) {
        /* mremap_chunk; nothing happened if the mapping is unchanged */
        if (old_c->map_start != new_c->map_start || old_c->map_len != new_c->map_len)
            hs__record_call(HS_OP_MREMAP, HS_ORIGIN_ALLOCATOR, 0, new_c->map_start, new_c->map_len,
                            old_c->map_start, old_c->map_len, caller);
        return;
    }
    if (new_c)
        hs__infer_alloc(new_c, new_p, caller);
    if (old_mm)
        hs__infer_free(old_c, caller);
}
