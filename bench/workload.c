/*
 * workload.c - the `make bench` program: N allocator operations of mixed
 * sizes over a window of 4096 live blocks, the way a busy program churns its
 * heap. Most requests are 16-1024 bytes, 1 in 16 is 1-64 KiB, and 1 in 4096
 * is 160 KiB-1 MiB (above glibc's initial 128 KiB mmap threshold). Every
 * block gets its first 64 bytes written, so pages are really touched.
 *
 * Usage: bench_workload [N_OPS]   (default 2000000: about 2 M mallocs and
 * as many frees, 4 M traced events). Prints one line on stdout:
 *     loop_ns=<wall time of the loop> ops=<N> maxrss_kib=<peak RSS>
 * Deterministic: a fixed xorshift seed, so every run makes the same calls.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#define WINDOW 4096

static uint64_t state = 0x2545f4914f6cdd1dull;

static uint64_t next_rand(void)
{
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
}

static size_t pick_size(void)
{
    uint64_t r = next_rand();
    if (r % 4096 == 0)
        return 160 * 1024 + (size_t)(r >> 20) % (864 * 1024);
    if (r % 16 == 1)
        return 1024 + (size_t)(r >> 20) % (63 * 1024);
    return 16 + (size_t)(r >> 20) % 1009;
}

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 2000000;
    static void *live[WINDOW];
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (long i = 0; i < n; i++) {
        size_t k = (size_t)(next_rand() % WINDOW);
        free(live[k]);
        size_t size = pick_size();
        char *p = malloc(size);
        if (!p)
            return 1;
        memset(p, (int)i, size < 64 ? size : 64);
        live[k] = p;
    }
    for (size_t k = 0; k < WINDOW; k++)
        free(live[k]);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("loop_ns=%lld ops=%ld maxrss_kib=%ld\n",
           (long long)(t1.tv_sec - t0.tv_sec) * 1000000000LL + (t1.tv_nsec - t0.tv_nsec), n,
           ru.ru_maxrss);
    return 0;
}
