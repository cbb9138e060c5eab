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
 * guard, and finally repeats with a large M_TRIM_THRESHOLD.
 */
#define _GNU_SOURCE
#include <malloc.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lab.h"

enum { N_BLOCKS = 64, BLOCK = 16 * 1024 };

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
    char *guard = malloc(32); /* the last chunk before top: it stays live */
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

    free(guard);
    lab_mark("guard-freed");
    lab_measure_u("brk_released_after_guard_free", (char *)sbrk(0) < brk_before);

    /* [doc:threshold] */
    mallopt(M_TRIM_THRESHOLD, 4 << 20);
    allocate_all();
    brk_before = sbrk(0);
    free_all();
    lab_measure_x("brk_shrink_trim_threshold_4mib", (uint64_t)(brk_before - (char *)sbrk(0)));
    /* [/doc] */
    lab_say("span of the blocks: %zu KiB = %zu pages\n", span / 1024, span / 4096);
    return 0;
}
