/*
 * lab.h - what every lab program shares: measurement output, timing,
 * page-fault and RSS counters, marks.
 *
 * Output protocol (read by `heapscope lab run`, see analyzer/lib/lab.h):
 *
 *     measure: <key> <value>          one measured number (decimal, 0x-hex
 *                                     or floating point)
 *     measure: <key> skip <reason>    the measurement cannot run here
 *     mark: <label>                   a HEAPSCOPE_MARK was placed
 *
 * Everything else on stdout is friendly text for the student. The lines are
 * also appended to the file named by $HEAPSCOPE_LAB_RESULTS when it is set,
 * so the lab command gets them even when the program runs under
 * `heapscope record`.
 *
 * Allocates: no. Every helper formats into a stack buffer and calls write(2),
 * because stdio would malloc its buffer on first use and move the very heap
 * the labs measure. Thread safety: each line is one write(2).
 */
#ifndef HS_LAB_H
#define HS_LAB_H

#include <stdint.h>

#include "heapscope/heapscope.h"

/* Reads --full (the long version of a lab) and remembers the lab's name.
 * Call first thing in main(), before any allocation. */
void lab_init(int argc, char **argv, const char *name);

/* 1 if --full was given. */
int lab_full(void);

/* Friendly text, printf-style, written to stdout at once. */
void lab_say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

void lab_measure_u(const char *key, uint64_t value); /* decimal */
void lab_measure_x(const char *key, uint64_t value); /* 0x-hex */
void lab_measure_f(const char *key, double value);   /* %.6g */
void lab_measure_skip(const char *key, const char *reason);

/* HEAPSCOPE_MARK(label) (a no-op when not traced) and a "mark:" line. */
void lab_mark(const char *label);

/* CLOCK_MONOTONIC in nanoseconds. */
uint64_t lab_now_ns(void);

/* Nanoseconds per operation for n operations started at t0 (lab_now_ns()). */
double lab_ns_per(uint64_t t0, uint64_t n);

/* Minor faults of the calling thread so far (getrusage RUSAGE_THREAD);
 * peak RSS of the process in KiB (RUSAGE_SELF). */
uint64_t lab_minflt(void);
uint64_t lab_maxrss_kib(void);

/* Current RSS in KiB from /proc/self/statm (0 if unreadable). */
uint64_t lab_rss_kib(void);

/* Pages of [addr, addr+len) resident in memory, by mincore(2). */
uint64_t lab_resident_pages(const void *addr, uint64_t len);

/* Keeps the compiler from deleting a store into memory we only touch. */
static inline void lab_touch(void *p)
{
    __asm__ volatile("" : : "r"(p) : "memory");
}

#endif
