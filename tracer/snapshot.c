/*
 * snapshot.c - marks and the exit record, each followed by the ground
 * truth the analyzer is checked against: glibc's mallinfo2() (all ten
 * fields, in mallinfo_a and mallinfo_b), then a state record (program
 * break, minor and major faults, max RSS), all from the same thread so they
 * follow the mark in seq order.
 *
 * mallinfo2() takes the arena locks: acceptable at a mark or at exit, never
 * on the per-call path.
 */
#include <malloc.h>
#include <stdlib.h>

#include "heapscope/event.h"
#include "hooks.h"
#include "record.h"
#include "sink.h"
#include "sys.h"

static void snapshot(void)
{
    struct mallinfo2 mi = mallinfo2();
    const uint64_t a[5] = {mi.arena, mi.ordblks, mi.smblks, mi.hblks, mi.hblkhd};
    const uint64_t b[5] = {mi.usmblks, mi.fsmblks, mi.uordblks, mi.fordblks, mi.keepcost};
    hs__record_values(HS_OP_MALLINFO_A, a);
    hs__record_values(HS_OP_MALLINFO_B, b);
    uint64_t ru[3];
    hs__sys_rusage(ru);
    const uint64_t st[5] = {(uint64_t)(uintptr_t)hs__state.real.sbrk(0), ru[0], ru[1], ru[2], 0};
    hs__record_values(HS_OP_STATE, st);
}

HS_EXPORT void heapscope_mark(const char *label)
{
    if (!hs__hook_enter(HS_BUSY_TRACER))
        return;
    hs__record_mark(label);
    snapshot();
    hs__hook_leave();
}

/* The exit record, its snapshot, and the memory map at exit. */
static void record_exit(int status)
{
    if (!hs__hook_enter(HS_BUSY_TRACER))
        return;
    hs__record_call(HS_OP_EXIT, HS_ORIGIN_PROGRAM, 0, (uint64_t)(uint32_t)status, 0, 0, 0, 0);
    snapshot();
    /* the code dlopen'd since start, for the call sites' names */
    hs__sink_copy_maps_at_exit();
    hs__hook_leave();
}

static int exit_handler_set; /* on_exit took at_exit: it records the exit */

/* exit() runs the handlers of atexit and on_exit, then (last, since the
 * loader registered it before any constructor ran) the shared objects'
 * destructors, and ours among them, then handlers registered before
 * that: ours, registered by our constructor. So this runs after every
 * destructor's frees, and knows the status also when main returned it
 * (exit() called from inside libc, where no hook sees it). */
static void at_exit(int status, void *arg)
{
    (void)arg;
    record_exit(status);
}

__attribute__((constructor)) static void watch_exit(void)
{
    exit_handler_set = on_exit(at_exit, NULL) == 0;
}

/* Without the handler: from exit() (and from a return from main, whose
 * status is then unknown: 0), after the program's own atexit handlers;
 * destructors of libraries loaded before us may still free afterwards, and
 * are still recorded. */
__attribute__((destructor)) static void tracer_unload(void)
{
    if (!exit_handler_set)
        record_exit(hs__state.exit_status);
}
