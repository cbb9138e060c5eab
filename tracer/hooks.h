/*
 * hooks.h - the entry sequence every interposed function shares.
 *
 * hs__hook_enter() makes sure the tracer is initialized and decides whether
 * this call is recorded: not when the thread is already inside the tracer
 * or inside another hooked call (reentrancy: dlsym, printf from a hook, an
 * allocator calling malloc internally), and not when there is no log.
 * When it returns 1 it has set hs__thread.busy to `as`; the hook must call
 * hs__hook_leave() before returning.
 */
#ifndef HS_TRACER_HOOKS_H
#define HS_TRACER_HOOKS_H

#include "state.h"

static inline int hs__hook_enter(int as)
{
    /* The common case first: recording (set only once initialization has
     * resolved everything a hook needs) and not nested. */
    if (__builtin_expect(
            __atomic_load_n(&hs__state.recording, __ATOMIC_ACQUIRE) && !hs__thread.busy, 1)) {
        hs__thread.busy = as;
        return 1;
    }
    if (__builtin_expect(__atomic_load_n(&hs__state.init_phase, __ATOMIC_ACQUIRE) != HS_INIT_DONE,
                         0))
        hs__init();
    if (hs__thread.busy || !__atomic_load_n(&hs__state.recording, __ATOMIC_RELAXED))
        return 0;
    hs__thread.busy = as;
    return 1;
}

static inline void hs__hook_leave(void)
{
    hs__thread.busy = HS_BUSY_NO;
}

#define HS_CALLER ((uint64_t)(uintptr_t)__builtin_return_address(0))

/* The caller of a malloc-family hook: the program's call site that a C++
 * operator new/delete hook (hooks_cxx.c) left in hs__thread.caller_override,
 * else `ra`. Takes the override (clears it), so exactly one allocator call
 * inherits it: the one operator new/delete makes, not, say, the
 * __cxa_allocate_exception malloc of a bad_alloc that follows. */
static inline uint64_t hs__caller_take(uint64_t ra)
{
    uint64_t o = hs__thread.caller_override;
    if (__builtin_expect(o != 0, 0)) {
        hs__thread.caller_override = 0;
        return o;
    }
    return ra;
}

/* Evaluate at the top of the hook, before any early return or nested call. */
#define HS_PROGRAM_CALLER hs__caller_take(HS_CALLER)

/* hooks.c, for hooks_cxx.c too (pre: inside hs__hook_enter/leave). Record
 * an allocation that returned p (NULL: failed) with its inferred events;
 * record the free of p (and its inferred munmap) before the real call. */
void hs__record_alloc(uint8_t op, void *p, uint64_t size, uint64_t align, uint64_t caller);
void hs__record_free(void *p, uint64_t caller);

#endif
