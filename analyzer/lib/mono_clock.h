/*
 * mono_clock.h - CLOCK_MONOTONIC in ns, the clock of every ts_ns in a
 * trace (the drainer converts the tracer's TSC to it, the fault sampler's
 * perf events use it), for the library's timeouts and stamps.
 *
 * Allocates: no. Thread safety: any thread.
 */
#ifndef HS_MONO_CLOCK_H
#define HS_MONO_CLOCK_H

#include <stdint.h>
#include <time.h>

static inline uint64_t hs_mono_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

#endif
