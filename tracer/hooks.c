/*
 * hooks.c - the interposed malloc family (exported; everything else in the
 * library is hidden).
 *
 * Every hook follows one pattern:
 *   - hs__hook_enter initializes the tracer on the first call; while that
 *     runs on this thread (dlsym may allocate), serve from the bootstrap
 *     pool (recording is off then, so no hook_leave is owed);
 *   - nested or untraced: call the next definition and return;
 *   - free: record the free (with the chunk it frees) and any inferred
 *     munmap BEFORE the real free, so no other thread can be handed the
 *     address before the free is in the order;
 *   - allocation: call the real function, then record the inferred brk /
 *     mmap events and the call itself.
 * Nothing here allocates, locks, or calls stdio/getenv/dlsym.
 */
#include <errno.h>
#include <string.h>

#include "heapscope/event.h"
#include "hooks.h"
#include "infer.h"
#include "record.h"
#include "stack.h"

/* Records an allocation that returned p for a request of `size` bytes. */
void hs__record_alloc(uint8_t op, void *p, uint64_t size, uint64_t align, uint64_t caller)
{
    struct hs_chunk c = {0};
    uint16_t flags = 0;
    hs__infer_brk(caller);
    if (p) {
        hs__chunk_read(p, &c);
        hs__infer_alloc(&c, p, caller);
        flags = c.flags;
    } else {
        flags = HS_F_FAILED;
    }
    uint64_t seq = hs__record_call(op, HS_ORIGIN_PROGRAM, flags, (uint64_t)(uintptr_t)p, size,
                                   align, c.size, caller);
    if (hs__state.stack_depth && seq)
        hs__record_stack(seq, caller);
}

/*
 * The fast path of hs__record_alloc, inlined into the hooks: a glibc chunk
 * of the main arena, not mmapped, with the break where it was, and no call
 * stacks asked for. Then hs__infer_brk and hs__infer_alloc would record
 * nothing, and the chunk header gives the size and flags directly.
 * Anything else (another allocator, a failed call, an mmapped chunk, a
 * thread arena, a moved break, HS_STACK) takes hs__record_alloc, which
 * records the same, the inferred events and the stack.
 */
static inline __attribute__((always_inline)) void record_alloc(uint8_t op, void *p, uint64_t size,
                                                               uint64_t align, uint64_t caller)
{
    /* hs__brk_unchanged() implies hs__state.glibc */
    if (__builtin_expect(p && hs__brk_unchanged() && !hs__state.stack_depth, 1)) {
        uint64_t head = ((const uint64_t *)p)[-1];
        if (__builtin_expect(!(head & (HS_CHUNK_IS_MMAPPED | HS_CHUNK_NON_MAIN_ARENA)), 1)) {
            hs__record_call_entered(op, HS_ORIGIN_PROGRAM, (uint16_t)(head & 0x7u),
                                    (uint64_t)(uintptr_t)p, size, align, head & ~(uint64_t)0x7u,
                                    caller);
            return;
        }
    }
    hs__record_alloc(op, p, size, align, caller);
}

HS_EXPORT void *malloc(size_t size)
{
    uint64_t caller = HS_PROGRAM_CALLER;
    int traced = hs__hook_enter(HS_BUSY_ALLOCATOR);
    if (!hs__state.real.malloc)
        return hs__pool_alloc(size, 16);
    if (!traced)
        return hs__state.real.malloc(size);
    void *p = hs__state.real.malloc(size);
    record_alloc(HS_OP_MALLOC, p, size, 0, caller);
    hs__hook_leave();
    return p;
}

HS_EXPORT void *calloc(size_t n, size_t size)
{
    uint64_t caller = HS_PROGRAM_CALLER;
    int traced = hs__hook_enter(HS_BUSY_ALLOCATOR);
    if (!hs__state.real.calloc) {
        size_t total;
        if (__builtin_mul_overflow(n, size, &total))
            return NULL;
        return hs__pool_alloc(total, 16);
    }
    if (!traced)
        return hs__state.real.calloc(n, size);
    void *p = hs__state.real.calloc(n, size);
    size_t total;
    if (__builtin_mul_overflow(n, size, &total))
        total = SIZE_MAX;
    record_alloc(HS_OP_CALLOC, p, total, 0, caller);
    hs__hook_leave();
    return p;
}

/* Records the free of p (and its inferred munmap), before the real call. */
void hs__record_free(void *p, uint64_t caller)
{
    struct hs_chunk c;
    hs__chunk_read(p, &c);
    hs__record_call(HS_OP_FREE, HS_ORIGIN_PROGRAM, c.flags, (uint64_t)(uintptr_t)p, 0, 0, c.size,
                    caller);
    hs__infer_free(&c, caller);
}

HS_EXPORT void free(void *p)
{
    uint64_t caller = HS_PROGRAM_CALLER;
    if (!p || hs__pool_owns(p))
        return; /* free(NULL) does nothing; pool blocks are never reused */
    if (!hs__hook_enter(HS_BUSY_ALLOCATOR)) {
        if (hs__state.real.free) /* else: mid-init on this thread; leak it */
            hs__state.real.free(p);
        return;
    }
    if (__builtin_expect(hs__state.glibc, 1)) {
        /* What hs__record_free records, inlined, in an order that matters:
         * the slot and its seq first, then the chunk header. The header of
         * a block the program frees is often a cache miss (it was written
         * long ago); the seq's locked fetch-add, a full barrier, would wait
         * for that miss if the load came first, while after it the miss
         * overlaps the real free that needs the same line. The free stays
         * before the real free in the order either way. */
        struct hs_record *r = hs__record_begin_entered(HS_ORIGIN_PROGRAM, 0);
        uint64_t head = ((const uint64_t *)p)[-1];
        if (r) {
            r->flags = (uint16_t)(head & 0x7u); /* known only now */
            hs__record_fill_call(r, HS_OP_FREE, (uint64_t)(uintptr_t)p, 0, 0,
                                 head & ~(uint64_t)0x7u, caller);
        }
        if (__builtin_expect(head & HS_CHUNK_IS_MMAPPED, 0)) {
            struct hs_chunk c;
            hs__chunk_read(p, &c);
            hs__infer_free(&c, caller); /* its munmap, after the free */
        }
    } else {
        hs__record_free(p, caller);
    }
    hs__state.real.free(p);
    if (!hs__brk_unchanged())
        hs__infer_brk(caller); /* free may trim the top of the heap */
    hs__hook_leave();
}

/* realloc and reallocarray share everything but the call itself. */
static void *realloc_common(uint8_t op, void *old, size_t n, size_t size, uint64_t caller)
{
    int traced = hs__hook_enter(HS_BUSY_ALLOCATOR);
    if (!hs__state.real.realloc || (old && hs__pool_owns(old))) {
        if (traced)
            hs__hook_leave();
        /* A pool block (or no allocator yet): move it to a fresh block. */
        size_t total;
        if (__builtin_mul_overflow(n, size, &total))
            return NULL;
        void *p = hs__state.real.malloc ? malloc(total) : hs__pool_alloc(total, 16);
        if (p && old) {
            size_t old_size = hs__pool_size(old);
            memcpy(p, old, old_size < total ? old_size : total);
        }
        return p;
    }
    if (!traced)
        return op == HS_OP_REALLOC ? hs__state.real.realloc(old, size)
                                   : hs__state.real.reallocarray(old, n, size);
    struct hs_chunk old_c, new_c = {0};
    if (old)
        hs__chunk_read(old, &old_c);
    void *p = op == HS_OP_REALLOC ? hs__state.real.realloc(old, size)
                                  : hs__state.real.reallocarray(old, n, size);
    size_t total;
    if (__builtin_mul_overflow(n, size, &total))
        total = SIZE_MAX;
    uint16_t flags = 0;
    hs__infer_brk(caller);
    if (p) {
        hs__chunk_read(p, &new_c);
        hs__infer_realloc(old ? &old_c : NULL, &new_c, p, caller);
        flags = new_c.flags;
    } else if (total == 0 && old) {
        hs__infer_realloc(&old_c, NULL, NULL, caller); /* realloc(p, 0) freed p */
    } else {
        flags = HS_F_FAILED;
    }
    uint64_t seq = hs__record_call(op, HS_ORIGIN_PROGRAM, flags, (uint64_t)(uintptr_t)p, total,
                                   (uint64_t)(uintptr_t)old, new_c.size, caller);
    if (hs__state.stack_depth && seq && p)
        hs__record_stack(seq, caller);
    hs__hook_leave();
    return p;
}

HS_EXPORT void *realloc(void *old, size_t size)
{
    return realloc_common(HS_OP_REALLOC, old, 1, size, HS_PROGRAM_CALLER);
}

HS_EXPORT void *reallocarray(void *old, size_t n, size_t size)
{
    uint64_t caller = HS_PROGRAM_CALLER;
    if (hs__state.real.realloc && !hs__state.real.reallocarray)
        return realloc_common(HS_OP_REALLOC, old, 1, n * size, caller);
    return realloc_common(HS_OP_REALLOCARRAY, old, n, size, caller);
}

HS_EXPORT void *memalign(size_t align, size_t size)
{
    uint64_t caller = HS_PROGRAM_CALLER;
    int traced = hs__hook_enter(HS_BUSY_ALLOCATOR);
    if (!hs__state.real.memalign)
        return hs__pool_alloc(size, align);
    if (!traced)
        return hs__state.real.memalign(align, size);
    void *p = hs__state.real.memalign(align, size);
    record_alloc(HS_OP_MEMALIGN, p, size, align, caller);
    hs__hook_leave();
    return p;
}

HS_EXPORT void *aligned_alloc(size_t align, size_t size)
{
    uint64_t caller = HS_PROGRAM_CALLER;
    int traced = hs__hook_enter(HS_BUSY_ALLOCATOR);
    if (!hs__state.real.aligned_alloc)
        return hs__pool_alloc(size, align);
    if (!traced)
        return hs__state.real.aligned_alloc(align, size);
    void *p = hs__state.real.aligned_alloc(align, size);
    record_alloc(HS_OP_ALIGNED_ALLOC, p, size, align, caller);
    hs__hook_leave();
    return p;
}

HS_EXPORT int posix_memalign(void **out, size_t align, size_t size)
{
    uint64_t caller = HS_PROGRAM_CALLER;
    int traced = hs__hook_enter(HS_BUSY_ALLOCATOR);
    if (!hs__state.real.posix_memalign) {
        *out = hs__pool_alloc(size, align);
        return *out ? 0 : ENOMEM;
    }
    if (!traced)
        return hs__state.real.posix_memalign(out, align, size);
    int rc = hs__state.real.posix_memalign(out, align, size);
    record_alloc(HS_OP_POSIX_MEMALIGN, rc == 0 ? *out : NULL, size, align, caller);
    hs__hook_leave();
    return rc;
}

HS_EXPORT void *valloc(size_t size)
{
    uint64_t caller = HS_PROGRAM_CALLER;
    int traced = hs__hook_enter(HS_BUSY_ALLOCATOR);
    if (!hs__state.real.valloc)
        return hs__pool_alloc(size, 4096);
    if (!traced)
        return hs__state.real.valloc(size);
    void *p = hs__state.real.valloc(size);
    record_alloc(HS_OP_VALLOC, p, size, 0, caller);
    hs__hook_leave();
    return p;
}

HS_EXPORT void *pvalloc(size_t size)
{
    uint64_t caller = HS_PROGRAM_CALLER;
    int traced = hs__hook_enter(HS_BUSY_ALLOCATOR);
    if (!hs__state.real.pvalloc)
        return hs__pool_alloc(size, 4096);
    if (!traced)
        return hs__state.real.pvalloc(size);
    void *p = hs__state.real.pvalloc(size);
    record_alloc(HS_OP_PVALLOC, p, size, 0, caller);
    hs__hook_leave();
    return p;
}

HS_EXPORT int malloc_trim(size_t pad)
{
    int traced = hs__hook_enter(HS_BUSY_ALLOCATOR);
    if (!hs__state.real.malloc_trim)
        return 0;
    if (!traced)
        return hs__state.real.malloc_trim(pad);
    int rc = hs__state.real.malloc_trim(pad);
    uint64_t caller = HS_CALLER;
    hs__infer_brk(caller);
    hs__record_call(HS_OP_MALLOC_TRIM, HS_ORIGIN_PROGRAM, rc ? 1 : 0, 0, pad, 0, 0, caller);
    hs__hook_leave();
    return rc;
}

HS_EXPORT int mallopt(int param, int value)
{
    int traced = hs__hook_enter(HS_BUSY_ALLOCATOR);
    if (!hs__state.real.mallopt)
        return 0;
    if (!traced)
        return hs__state.real.mallopt(param, value);
    int rc = hs__state.real.mallopt(param, value);
    hs__record_call(HS_OP_MALLOPT, HS_ORIGIN_PROGRAM, rc ? 0 : HS_F_FAILED, 0,
                    (uint64_t)(int64_t)value, (uint64_t)(int64_t)param, 0, HS_CALLER);
    hs__hook_leave();
    return rc;
}
