/*
 * Lab 8 - chunk overhead and internal fragmentation.
 *
 * Article 001: "每个chunk至少8字节的开销很大" (each chunk costs at least 8
 * bytes). A glibc chunk stores its size word (8 bytes) in front of the user
 * block; the next chunk's prev_size field is usable by this one while it is
 * in use, so a request of n bytes gets a chunk of max(32, (n + 8 + 15) & ~15)
 * bytes and malloc_usable_size() = chunk - 8. The lab prints that curve
 * and the alignment of every block.
 */
#define _GNU_SOURCE
#include <malloc.h>
#include <stdint.h>
#include <stdlib.h>

#include "lab.h"

int main(int argc, char **argv)
{
    lab_init(argc, argv, "chunk-overhead");

    /* [doc:curve] */
    size_t min_usable = SIZE_MAX, max_waste = 0, max_waste_nonzero = 0, steps = 0, last = 0;
    uintptr_t misaligned = 0;
    for (size_t n = 0; n <= 1024; n++) {
        char *p = malloc(n);
        size_t usable = malloc_usable_size(p);
        size_t chunk = *(size_t *)(p - 8) & ~(size_t)7; /* size word minus flags */
        if (usable < min_usable)
            min_usable = usable;
        if (usable - n > max_waste)
            max_waste = usable - n; /* malloc(0) too: 24 usable bytes, none asked for */
        if (n > 0 && usable - n > max_waste_nonzero)
            max_waste_nonzero = usable - n;
        if (usable != last)
            steps++;
        last = usable;
        misaligned |= (uintptr_t)p & 15;
        if (n % 8 == 0 && n <= 64)
            lab_say("malloc(%4zu): chunk %3zu, usable %3zu, wasted %2zu\n", n, chunk, usable,
                    usable - n);
        if (n == 24 || n == 25 || n == 100)
            lab_measure_u(n == 24 ? "usable_24" : n == 25 ? "usable_25" : "usable_100", usable);
        if (n == 100) {
            lab_measure_u("chunk_100", chunk);
            lab_measure_u("chunk_minus_usable", chunk - usable);
        }
        free(p);
    }
    /* [/doc] */
    char *a24 = malloc(24), *a25 = malloc(25);
    lab_measure_u("size_step", malloc_usable_size(a25) - malloc_usable_size(a24));
    lab_measure_u("min_usable", min_usable);
    lab_measure_u("min_chunk", min_usable + 8);
    lab_measure_u("max_waste", max_waste);
    lab_measure_u("max_waste_nonzero", max_waste_nonzero);
    lab_measure_u("size_classes_0_1024", steps);
    lab_measure_u("alignment_violations", misaligned != 0);

    /* [doc:small] */
    /* 1000 blocks of 1 byte, carved one after another from top (the first
     * 100 drain the chunks the loop above left in the tcache and bins):
     * how much memory does each really take? */
    for (int i = 0; i < 100; i++)
        malloc(1);
    char *first = malloc(1), *p = first;
    for (int i = 1; i < 1000; i++)
        p = malloc(1);
    lab_measure_u("bytes_per_1_byte_block", (uint64_t)(p - first) / 999);
    /* [/doc] */
    return 0;
}
