/*
 * cpu_share.h - keeps `heapscope record`'s own threads off one CPU while
 * the traced program runs.
 *
 * On a machine with few cores the recorder's threads (the drainer, the live
 * import, the fault sampler) compete with the traced program for its CPU:
 * whenever the scheduler runs one of them there, the program loses that
 * time and finds its caches cold afterwards. hs_cpu_share_begin confines
 * the calling thread, and so every thread it starts afterwards, to the CPUs
 * this process may use except the lowest one. The program gets the whole
 * set back before it execs (hs_cpu_share_release_child), and the scheduler
 * then places it on the CPU left free. Once the program has ended,
 * hs_cpu_share_end gives every thread of this process the whole set back,
 * so that the rest of the import may use every CPU.
 *
 * The traced program's affinity is exactly what `heapscope record` had: it
 * is never narrowed. Nothing is confined when the process may use a single
 * CPU. Best effort: a sched_setaffinity that fails leaves that thread as
 * it was.
 *
 * Allocates: hs_cpu_share_end does (a directory stream). Thread safety:
 * call begin, release_child and end from one thread.
 */
#ifndef HS_CPU_SHARE_H
#define HS_CPU_SHARE_H

#include <sys/types.h>

struct hs_cpu_share {
    /* a cpu_set_t (GNU, so not in this header): what this process could
     * use before begin */
    _Alignas(8) unsigned char all[128];
    int confined; /* 1 between a begin that confined and end */
};

void hs_cpu_share_begin(struct hs_cpu_share *s);

/* Gives the (forked, not yet exec'd) child the whole set back. */
void hs_cpu_share_release_child(const struct hs_cpu_share *s, pid_t child);

/* Gives every thread of this process the whole set back (two walks of
 * /proc/self/task, so that threads started meanwhile are not missed). */
void hs_cpu_share_end(struct hs_cpu_share *s);

#endif
