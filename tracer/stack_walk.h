/*
 * stack_walk.h - the return addresses of the calling thread's stack, for
 * stack.c: a fast x86-64 walk, checked against libgcc's.
 *
 * libgcc's _Unwind_Backtrace finds, reads and interprets the .eh_frame
 * entry of every frame on every walk: about 190 ns a frame. A program's
 * allocations come from a few hundred code addresses, so this walk keeps
 * the rule of each code address it met (its frame's CFA is rsp or rbp
 * plus an offset, the return address lies just below the CFA, rbp was
 * saved at an offset from it or not at all), read once from the entry
 * libgcc finds for it (_Unwind_Find_FDE: lock-free through glibc's
 * _dl_find_object), in a cache all threads share (lock-free), and then
 * follows the frames with two loads each.
 *
 * A rule is used only once it was checked against libgcc on a real frame.
 * A walk that meets an address without a checked rule is done by
 * _Unwind_Backtrace instead, and that walk checks the rules of the frames
 * it passes: the CFA each gives, the return address below it and the rbp
 * it restores must be libgcc's. An entry this file does not read (a CFA
 * computed by a DWARF expression or from another register, a signal frame,
 * an unusual pointer encoding) gets the rule "unsupported", as does a rule
 * that failed its check: walks through it are libgcc's, always. So the
 * fast walk only ever follows a path libgcc followed before. A dlclose
 * anywhere in the process (hs__state.code_gen, stack.c) empties every
 * thread's cache at its next walk: another library may be mapped where
 * the code was.
 *
 * Allocates: no (the cache is 64 KiB of static zero pages, touched only
 * when stacks are recorded; not thread-local: glibc carves a thread's
 * static TLS out of its stack, so a large one would shrink every thread's
 * stack, stacks asked for or not). Locks: no. Elsewhere than x86-64 every
 * walk is libgcc's.
 */
#ifndef HS_TRACER_STACK_WALK_H
#define HS_TRACER_STACK_WALK_H

#include <stdint.h>

/* Up to max return addresses into pc: that of the frame `caller` returns
 * into (met within `search` frames of this call), then its callers'
 * outwards. Returns how many (0: the caller was not met). */
int hs__unwind_stack(uint64_t caller, unsigned search, uint64_t *pc, unsigned max);

/* libgcc's walk alone, as hs__unwind_stack does it when its cache cannot
 * (HS_STACK_UNWIND=libgcc has stack.c use it for every walk: the check of
 * tests/tracer/record_stacks.sh). */
int hs__unwind_stack_libgcc(uint64_t caller, unsigned search, uint64_t *pc, unsigned max);

#endif
