/*
 * Lab 2 - the first malloc's pool.
 *
 * Article 001 prints sbrk(0) - ptr after the first malloc(64) and finds a
 * pool of 0x20ff0 bytes; it says requests above 0x20ff8 go to mmap. On glibc
 * with a tcache (2.26+) the first malloc first allocates the 0x290-byte
 * tcache structure, so the pointer lands at heap start + 0x2a0 and the pool
 * above it is 0x20d60 bytes. Each probe runs in a fresh child process
 * (forked before the parent ever calls malloc), so every probe sees the
 * heap exactly as a new program does.
 */
#define _DEFAULT_SOURCE
#include <stdint.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lab.h"

/* [doc:probe] */
/* In a new child: is the process's first malloc(request) served by mmap?
 * glibc marks such chunks IS_MMAPPED (bit 0x2 of the size word at p - 8). */
static int first_malloc_is_mmapped(size_t request)
{
    pid_t pid = fork();
    if (pid == 0) {
        char *p = malloc(request);
        size_t size_word = *(size_t *)(p - sizeof(size_t));
        _exit((size_word & 0x2) ? 1 : 0);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) && WEXITSTATUS(status) == 1;
}
/* [/doc] */

/* In a new child: sbrk(0) - ptr after the first malloc(request). */
static void child_pool(size_t request, const char *key)
{
    pid_t pid = fork();
    if (pid == 0) {
        char *p = malloc(request);
        lab_measure_x(key, (uint64_t)((char *)sbrk(0) - p));
        _exit(0);
    }
    waitpid(pid, NULL, 0);
}

int main(int argc, char **argv)
{
    lab_init(argc, argv, "first-malloc");

    child_pool(1, "pool_after_malloc1");

    /* [doc:bisect] */
    /* Smallest first request that glibc hands to mmap: bisect [lo, hi). */
    size_t lo = 0x10000, hi = 0x40000;
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (first_malloc_is_mmapped(mid))
            hi = mid;
        else
            lo = mid;
    }
    lab_measure_x("first_mmap_request", hi);
    /* [/doc] */
    lab_measure_u("first_malloc_128k_plus1_mmapped", (uint64_t)first_malloc_is_mmapped(0x20001));
    lab_say("the first request served by mmap is 0x%zx bytes (128 KiB = 0x20000)\n", hi);

    /* [doc:pool] */
    char *heap_start = sbrk(0);
    char *p = malloc(64);
    char *heap_end = sbrk(0);
    lab_say("heap start %p, malloc(64) = %p, heap end %p\n", (void *)heap_start, (void *)p,
            (void *)heap_end);
    lab_measure_x("heap_growth", (uint64_t)(heap_end - heap_start));
    lab_measure_x("ptr_offset", (uint64_t)(p - heap_start));
    lab_measure_x("pool_after_malloc64", (uint64_t)(heap_end - p));
    /* [/doc] */
    lab_mark("after-first-malloc");

    /* A second small malloc is carved from the same pool: no growth. */
    char *q = malloc(64);
    lab_measure_x("growth_second_malloc", (uint64_t)((char *)sbrk(0) - heap_end));
    free(q);
    free(p);

    return 0;
}
