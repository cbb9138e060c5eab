/*
 * report_bench_prog.c - the workload of bench/report_bench.sh: N
 * allocator events (default 10 million) of mixed sizes with a sliding
 * window of live blocks, so the trace has millions of block lifetimes,
 * heap growth and reuse, and a few marks.
 */
#include <stdlib.h>

#include "heapscope/heapscope.h"

#define WINDOW 4096

int main(int argc, char **argv)
{
    long n_events = argc > 1 ? atol(argv[1]) : 10000000;
    static void *volatile slot[WINDOW];
    unsigned x = 12345;
    long pairs = n_events / 2;
    for (long i = 0; i < pairs; i++) {
        x = x * 1103515245u + 12345u;
        unsigned k = (x >> 8) % WINDOW;
        free(slot[k]);
        size_t size = (x >> 20) % 8 == 0 ? 1024 + (x >> 16) % 8192 : 16 + (x >> 12) % 240;
        slot[k] = malloc(size);
        if (i % (pairs / 4 + 1) == 0)
            HEAPSCOPE_MARK("quarter");
    }
    return 0;
}
