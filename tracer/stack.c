/*
 * stack.c - call stacks of allocations (contract: stack.h).
 */
#include "stack.h"

#include <unwind.h>

#include "heapscope/event.h"
#include "record.h"
#include "state.h"

/* Frames walked looking for the caller before giving up: the hook, a C++
 * operator new and a glibc wrapper (strdup, ...) lie below it. */
#define CALLER_SEARCH_FRAMES 8

struct walk {
    uint64_t caller;
    uint64_t pc[HS_STACK_MAX_DEPTH];
    unsigned n, max, seen;
};

static _Unwind_Reason_Code step(struct _Unwind_Context *ctx, void *arg)
{
    struct walk *w = arg;
    uint64_t ip = (uint64_t)_Unwind_GetIP(ctx);
    if (w->n == 0 && ip != w->caller)
        return ++w->seen < CALLER_SEARCH_FRAMES ? _URC_NO_REASON : _URC_END_OF_STACK;
    w->pc[w->n++] = ip;
    return w->n < w->max ? _URC_NO_REASON : _URC_END_OF_STACK;
}

void hs__stack_warm_up(void)
{
    struct walk w = {.caller = 0, .max = 1};
    _Unwind_Backtrace(step, &w);
}

void hs__record_stack(uint64_t for_seq, uint64_t caller)
{
    struct walk w = {.caller = caller, .max = hs__state.stack_depth};
    if (w.max > HS_STACK_MAX_DEPTH)
        w.max = HS_STACK_MAX_DEPTH;
    _Unwind_Backtrace(step, &w);
    if (w.n == 0) {
        w.pc[0] = caller;
        w.n = 1;
    }
    for (unsigned part = 0; part * HS_STACK_PART_FRAMES < w.n; part++) {
        struct hs_record *r = hs__record_begin(HS_ORIGIN_TRACER, (uint16_t)(part | w.n << 4));
        if (!r)
            return;
        r->u.stack.for_seq = for_seq;
        for (unsigned k = 0; k < HS_STACK_PART_FRAMES; k++) {
            unsigned i = part * HS_STACK_PART_FRAMES + k;
            r->u.stack.pc[k] = i < w.n ? w.pc[i] : 0;
        }
        hs__record_commit(r, HS_OP_STACK);
    }
}
