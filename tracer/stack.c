/*
 * stack.c - call stacks of allocations (contract: stack.h).
 */
#include "stack.h"

#include "heapscope/event.h"
#include "hooks.h"
#include "record.h"
#include "state.h"
#include "stack_walk.h"

/* Frames walked looking for the caller before giving up: the hook, a C++
 * operator new and a glibc wrapper (strdup, ...) lie below it. */
#define CALLER_SEARCH_FRAMES 8

void hs__stack_warm_up(void)
{
    uint64_t pc[1];
    hs__unwind_stack(0, 1, pc, 1);
    hs__unwind_stack_libgcc(0, 1, pc, 1);
}

void hs__record_stack(uint64_t for_seq, uint64_t caller)
{
    uint64_t pc[HS_STACK_MAX_DEPTH];
    unsigned max = hs__state.stack_depth < HS_STACK_MAX_DEPTH ? hs__state.stack_depth
                                                               : HS_STACK_MAX_DEPTH;
    int n = hs__state.stack_libgcc ? hs__unwind_stack_libgcc(caller, CALLER_SEARCH_FRAMES, pc, max)
                                   : hs__unwind_stack(caller, CALLER_SEARCH_FRAMES, pc, max);
    if (n <= 0) {
        pc[0] = caller;
        n = 1;
    }
    for (unsigned part = 0; part * HS_STACK_PART_FRAMES < (unsigned)n; part++) {
        struct hs_record *r = hs__record_begin(HS_ORIGIN_TRACER, (uint16_t)(part | (unsigned)n << 4));
        if (!r)
            return;
        r->u.stack.for_seq = for_seq;
        for (unsigned k = 0; k < HS_STACK_PART_FRAMES; k++) {
            unsigned i = part * HS_STACK_PART_FRAMES + k;
            r->u.stack.pc[k] = i < (unsigned)n ? pc[i] : 0;
        }
        hs__record_commit(r, HS_OP_STACK);
    }
}

/* A library unloaded: the walks' cached rules of its code (stack_walk.h)
 * must go, before another library can be mapped where it was. The count
 * moves before and after, so a walk that began during the call forgets
 * too. */
HS_EXPORT int dlclose(void *handle)
{
    if (!hs__state.real.dlclose)
        hs__init();
    if (!hs__state.real.dlclose)
        return -1; /* no next dlclose: nothing was ever loaded through us */
    __atomic_add_fetch(&hs__state.code_gen, 1, __ATOMIC_RELEASE);
    int rc = hs__state.real.dlclose(handle);
    __atomic_add_fetch(&hs__state.code_gen, 1, __ATOMIC_RELEASE);
    return rc;
}
