/*
 * Lab 6 - trimming and the "pseudo-leak".
 *
 * Article 001: "ptmalloc 收缩内存是从 top chunk 开始,如果与 top chunk 相邻的
 * chunk 不能释放, top chunk 以下的 chunk 都无法释放" - glibc gives heap memory
 * back by lowering the break, so one live chunk near the top pins every
 * free byte below it, and the process looks as if it leaked. The lab frees
 * 1 MiB under a small live "guard" block, looks at the break and at the
 * resident pages (mincore), calls malloc_trim(0), which returns the
 * interior pages with madvise without moving the break, then frees the
 * guard and reads the break right before and right after that free, and
 * finally repeats with a large M_TRIM_THRESHOLD.
 *
 * The guard is GUARD_SIZE bytes, above the tcache (at most 1032 bytes) and
 * fastbin (at most 120 bytes) ranges: free() of a smaller guard only parks it
 * in a per-thread cache, the arena still counts it as in use, nothing
 * merges and the break stays where it is.
 */
#define _GNU_SOURCE
#include <malloc.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lab.h"

enum { N_BLOCKS = 64, BLOCK = 16 * 1024, GUARD_SIZE = 2048 };

static char *blocks[N_BLOCKS];

static void allocate_all(void)
{
    for (int i = 0; i < N_BLOCKS; i++) {
        blocks[i] = malloc(BLOCK);
        memset(blocks[i], 1, BLOCK);
    }
}

static void free_all(void)
{
    for (int i = 0; i < N_BLOCKS; i++)
        free(blocks[i]);
}

int main(int argc, char **argv)
{
    lab_init(argc, argv, "trim");

    /* [doc:pin] */
    allocate_all();
    char *guard = malloc(GUARD_SIZE); /* the last chunk before top: it stays live */
    char *first = blocks[0];
    size_t span = (size_t)(guard - first);
    lab_mark("allocated");
    char *brk_before = sbrk(0);
    free_all();
    lab_mark("freed-under-guard");
    lab_measure_x("brk_shrink_pinned", (uint64_t)(brk_before - (char *)sbrk(0)));
    lab_measure_u("resident_pages_after_free", lab_resident_pages(first, span));
    /* [/doc] */

    /* [doc:trim] */
    int released = malloc_trim(0);
    lab_mark("after-malloc-trim");
    lab_measure_u("malloc_trim_released", (uint64_t)released);
    lab_measure_x("brk_shrink_by_trim", (uint64_t)(brk_before - (char *)sbrk(0)));
    lab_measure_u("resident_pages_after_trim", lab_resident_pages(first, span));
    /* [/doc] */

    /* [doc:guard] */
    char *brk_before_guard = sbrk(0);
    free(guard); /* merges guard, the 1 MiB below it and top: free trims top */
    char *brk_after_guard = sbrk(0);
    lab_mark("guard-freed");
    lab_measure_x("brk_shrink_by_guard_free", (uint64_t)(brk_before_guard - brk_after_guard));
    /* [/doc] */

    /* [doc:threshold] */
    mallopt(M_TRIM_THRESHOLD, 4 << 20);
    allocate_all();
    brk_before = sbrk(0);
    free_all();
    lab_measure_x("brk_shrink_trim_threshold_4mib", (uint64_t)(brk_before - (char *)sbrk(0)));
    /* [/doc] */
    uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
    uintptr_t first_page = (uintptr_t)first / page, end_page = ((uintptr_t)guard + page - 1) / page;
    lab_say("span of the blocks: %zu bytes (%zu KiB), on %zu pages (it starts and ends inside a page)\n",
            span, span / 1024, (size_t)(end_page - first_page));
    return 0;
}
