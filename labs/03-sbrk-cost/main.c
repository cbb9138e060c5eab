/*
 * Lab 3 - what a brk system call costs.
 *
 * Article 001 grows the heap by 1 KiB with sbrk and shrinks it back with
 * brk, 0x5fffff times, and reports 22 s: a system call per allocation is
 * far too slow, so malloc keeps a pool. This lab runs the same loop
 * (scaled down by 64 unless --full), the same size through malloc/free and
 * through mmap/munmap, and prints the cost per iteration and the ratios.
 */
#define _DEFAULT_SOURCE
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "lab.h"

enum { FULL_ITERATIONS = 0x5fffff, BLOCK = 1024 };

/* [doc:loops] */
static double brk_loop(unsigned n)
{
    uint64_t t0 = lab_now_ns();
    void *begin = sbrk(0);
    for (unsigned i = 0; i < n; ++i) {
        int *p = sbrk(BLOCK);
        *p = (int)i; /* the article's loop also uses the block */
        brk(begin);
    }
    return (double)(lab_now_ns() - t0) / n;
}

static double malloc_loop(unsigned n)
{
    uint64_t t0 = lab_now_ns();
    for (unsigned i = 0; i < n; ++i) {
        int *p = malloc(BLOCK);
        *p = (int)i;
        lab_touch(p);
        free(p);
    }
    return (double)(lab_now_ns() - t0) / n;
}

static double mmap_loop(unsigned n)
{
    uint64_t t0 = lab_now_ns();
    for (unsigned i = 0; i < n; ++i) {
        int *p = mmap(NULL, BLOCK, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        *p = (int)i; /* first touch: a page fault each time */
        munmap(p, BLOCK);
    }
    return (double)(lab_now_ns() - t0) / n;
}
/* [/doc] */

int main(int argc, char **argv)
{
    lab_init(argc, argv, "sbrk-cost");
    unsigned n = lab_full() ? FULL_ITERATIONS : FULL_ITERATIONS / 64;
    lab_say("%u iterations of %d bytes (the article: 0x5fffff = %u)\n", n, BLOCK, FULL_ITERATIONS);

    double brk_ns = brk_loop(n);
    double malloc_ns = malloc_loop(n);
    double mmap_ns = mmap_loop(n);
    lab_measure_u("iterations", n);
    lab_measure_f("brk_ns_per_iteration", brk_ns);
    lab_measure_f("malloc_ns_per_iteration", malloc_ns);
    lab_measure_f("mmap_ns_per_iteration", mmap_ns);
    lab_measure_f("brk_full_loop_seconds", brk_ns * FULL_ITERATIONS / 1e9);
    lab_measure_f("brk_over_malloc", brk_ns / malloc_ns);
    lab_measure_f("mmap_over_malloc", mmap_ns / malloc_ns);
    return 0;
}
