/*
 * Lab 7 - a tour of glibc's bins, by behaviour.
 *
 * Article 001 describes the bins (fast bins below max_fast "64b", small
 * bins below 512 B, the unsorted bin, large bins sorted by size, top). On
 * glibc 2.36 x86-64 a free chunk goes first to the per-thread tcache (7 per
 * size, LIFO, chunks up to 0x410), then fastbins (chunks up to 0x80, not
 * coalesced), otherwise it is coalesced and put in the unsorted bin, which
 * malloc sorts into small and large bins. Each scenario runs in a fresh
 * child process and leaves marks, so `heapscope bins --mark LABEL` can
 * show the bins at that moment of the trace.
 */
#define _GNU_SOURCE
#include <malloc.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lab.h"

static void in_child(void (*scenario)(void))
{
    pid_t pid = fork();
    if (pid == 0) {
        scenario();
        _exit(0);
    }
    waitpid(pid, NULL, 0);
}

/* [doc:tcache] */
static void tcache_seven_lifo(void)
{
    char *x[8];
    for (int i = 0; i < 8; i++)
        x[i] = malloc(0x28); /* 0x30-byte chunks */
    malloc(0x28);            /* guard against top */
    for (int i = 0; i < 8; i++)
        free(x[i]);
    lab_mark("tcache-full-plus-fastbin");
    int lifo = 0;
    while (lifo < 8 && malloc(0x28) == x[6 - lifo])
        lifo++;
    lab_measure_u("tcache_per_size", (uint64_t)lifo); /* x[6]..x[0], then x[7] */
}
/* [/doc] */

/* Largest chunk size whose free lands in a fastbin (mallinfo2 fsmblks). */
static void max_fast(void)
{
    size_t largest = 0;
    for (size_t chunk = 0x20; chunk <= 0x100; chunk += 0x10) {
        char *x[8];
        for (int i = 0; i < 8; i++)
            x[i] = malloc(chunk - 8);
        malloc(0x18);
        for (int i = 0; i < 7; i++)
            free(x[i]); /* fill this size's tcache */
        size_t before = mallinfo2().fsmblks;
        free(x[7]);
        if (mallinfo2().fsmblks > before)
            largest = chunk;
    }
    lab_measure_x("max_fast_chunk", largest);
}

/* [doc:coalesce] */
static void coalesce(void)
{
    char *p = malloc(0x4f8), *q = malloc(0x4f8); /* 0x500-byte chunks */
    malloc(0x18);
    free(p);
    free(q); /* merges with p: one 0xa00 chunk in the unsorted bin */
    lab_mark("coalesced");
    lab_measure_u("coalesced", malloc(0x9f8) == p);
}
/* [/doc] */

/* [doc:remainder] */
static void last_remainder(void)
{
    char *big = malloc(0xff8); /* a 0x1000 chunk */
    malloc(0x18);
    free(big);               /* unsorted */
    char *a = malloc(0x500); /* sorts big into a large bin, splits it */
    lab_mark("split-remainder");
    char *b = malloc(0x500); /* served from the last remainder */
    lab_measure_u("split_from_free_chunk", a == big);
    lab_measure_x("remainder_next_offset", (uint64_t)(b - a));
}
/* [/doc] */

/* [doc:bestfit] */
static void best_fit(void)
{
    char *p = malloc(0x5f8); /* 0x600 */
    malloc(0x18);
    char *q = malloc(0x4f8); /* 0x500 */
    malloc(0x18);
    free(p);
    free(q);
    char *r = malloc(0x4e0); /* needs 0x4f0: neither is exact */
    lab_mark("best-fit");
    lab_measure_u("best_fit_picks_smaller", r == q);
}
/* [/doc] */

static void unsorted_to_small(void)
{
    char *x[8];
    for (int i = 0; i < 8; i++) {
        x[i] = malloc(0xf8); /* 0x100-byte chunks */
        malloc(0x18);
    }
    for (int i = 0; i < 8; i++)
        free(x[i]); /* 7 to the tcache, the 8th to the unsorted bin */
    lab_mark("unsorted-holds-one");
    malloc(0x800); /* the unsorted scan moves it to small bin 0x100 */
    lab_mark("sorted-into-small-bin");
    for (int i = 0; i < 7; i++)
        malloc(0xf8); /* drain the tcache */
    lab_measure_u("small_bin_returns_it", malloc(0xf8) == x[7]);
}

int main(int argc, char **argv)
{
    lab_init(argc, argv, "bins");
    in_child(tcache_seven_lifo);
    in_child(max_fast);
    in_child(coalesce);
    in_child(last_remainder);
    in_child(best_fit);
    in_child(unsorted_to_small);
    return 0;
}
