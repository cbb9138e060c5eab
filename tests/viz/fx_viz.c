/*
 * fx_viz.c - the fixture the viz tests record: allocations of each size
 * class, one mmapped block, marks, and known leaks, so every picture has
 * something to draw and every exported number is known in advance:
 *
 *   100 x malloc(24)    chunk 0x20  (fast)   50 freed, 50 leaked
 *    50 x malloc(200)   chunk 0xd0  (small)  all freed
 *    10 x malloc(2000)  chunk 0x7e0 (large)  all leaked
 *     1 x malloc(1 MiB) mmapped              freed
 *     1 x realloc(one of the 2000-byte blocks, 4000)  chunk 0xfb0, leaked
 *
 * 162 allocations (the realloc counts), 1084976 bytes requested; 60
 * blocks, 23200 bytes live at exit. The calls are on the lines named in
 * viz_tests.sh.
 */
#include <stdlib.h>
#include <string.h>

#include "heapscope/heapscope.h"

static void *volatile keep[161]; /* volatile: the compiler may not elide them */

int main(void)
{
    HEAPSCOPE_MARK("start");
    for (int i = 0; i < 100; i++)
        keep[i] = malloc(24); /* FX_LINE_SMALL */
    for (int i = 0; i < 50; i++)
        keep[100 + i] = malloc(200); /* FX_LINE_MID */
    for (int i = 0; i < 10; i++)
        keep[150 + i] = malloc(2000); /* FX_LINE_LARGE */
    keep[160] = malloc(1 << 20); /* FX_LINE_BIG */
    memset(keep[160], 1, 1 << 20);
    HEAPSCOPE_MARK("allocated");
    for (int i = 0; i < 100; i += 2)
        free(keep[i]);
    for (int i = 100; i < 150; i++)
        free(keep[i]);
    free(keep[160]);
    keep[150] = realloc(keep[150], 4000); /* FX_LINE_REALLOC */
    HEAPSCOPE_MARK("freed, \"all\" but the leaks"); /* CSV must quote it */
    return 0;
}
