/*
 * stack.h - the call stack of an allocation, when the program's environment
 * has HS_STACK=N (2..HS_STACK_MAX_DEPTH; `heapscope record --stack N`): up
 * to N return addresses, the allocation's caller first, written as
 * HS_OP_STACK records (event.h) by the allocating thread right after the
 * allocation's own record, which they name by its seq.
 *
 * The walk (stack_walk.h) follows the .eh_frame unwind tables, so it
 * needs no frame pointers: through a shared cache of frame rules,
 * checked against libgcc's _Unwind_Backtrace, which does the walks the
 * cache cannot. It skips the tracer's own frames (and a C++ operator
 * new's) up to the frame of the recorded caller. Off unless asked for
 * (docs/tracer.md, Call stacks).
 *
 * Allocates: no. Locks: no. Called only from the hooks, inside
 * hs__hook_enter/leave.
 */
#ifndef HS_TRACER_STACK_H
#define HS_TRACER_STACK_H

#include <stdint.h>

/* The tracer also exports dlclose: it makes the walks forget
 * the cached frame rules (stack_walk.h), then calls the next one. */

/* Walks the stack once at init, off the recording path, so that the
 * unwinder's symbols are bound and its first-use work done before any
 * hook needs it. */
void hs__stack_warm_up(void);

/* Records the call stack of the allocation event for_seq, whose caller
 * (frame 0) is `caller`, as ceil(depth / HS_STACK_PART_FRAMES) records.
 * A caller the walk does not meet within a few frames (code without
 * unwind tables) gives a stack of the caller alone. */
void hs__record_stack(uint64_t for_seq, uint64_t caller);

#endif
