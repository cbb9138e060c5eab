/*
 * Lab 12 - nanomsg-style message buffers.
 *
 * Article 000 describes nanomsg's nn_allocmsg / nn_reallocmsg / nn_freemsg
 * ("void *buf = nn_allocmsg(12, 0); void *newbuf = nn_reallocmsg(buf, 20);
 * nn_freemsg(newbuf);") and says library-allocated buffers make large
 * messages cheap ("大消息优先：对于超过1KB的消息，使用库分配的缓冲区").
 * The lab's msg_* functions put a small header in front of the data, like
 * nanomsg's chunks, and grow with realloc. How realloc grows decides the
 * cost: in place (the next chunk is free or top), by malloc + copy + free,
 * or - for mmapped chunks - by mremap, which moves page tables, not bytes.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lab.h"

/* [doc:msg] */
struct msg_header {
    size_t size; /* bytes the user asked for */
    uint32_t type;
    uint32_t tag; /* 0xdeadcafe while valid, as nanomsg checks */
};

static void *msg_alloc(size_t size, uint32_t type)
{
    struct msg_header *h = malloc(sizeof *h + size);
    *h = (struct msg_header){size, type, 0xdeadcafe};
    return h + 1;
}

static void *msg_realloc(void *msg, size_t size)
{
    struct msg_header *h = (struct msg_header *)msg - 1;
    h = realloc(h, sizeof *h + size); /* in place, copy or mremap */
    h->size = size;
    return h + 1;
}

static void msg_free(void *msg)
{
    struct msg_header *h = (struct msg_header *)msg - 1;
    h->tag = 0;
    free(h);
}
/* [/doc] */

int main(int argc, char **argv)
{
    lab_init(argc, argv, "msg-buffers");

    /* The article's example: 12 bytes, then 20 (both fit one 48-byte chunk). */
    char *m = msg_alloc(12, 0);
    strcpy(m, "hello world");
    char *grown = msg_realloc(m, 20);
    lab_measure_u("example_12_to_20_in_place", grown == m);
    msg_free(grown);

    /* [doc:grow] */
    char *a = msg_alloc(1000, 0);
    memset(a, 'a', 1000);
    char *a2 = msg_realloc(a, 4000); /* a is next to top: top gives the room */
    lab_measure_u("grow_next_to_top_in_place", a2 == a);
    char *b = msg_alloc(1000, 0); /* now a2 has a live neighbour */
    char *a3 = msg_realloc(a2, 8000);
    lab_measure_u("grow_with_neighbour_moved", a3 != a2);
    lab_measure_u("grow_copy_kept_data", a3[999] == 'a');
    lab_mark("after-copy-growth");
    /* [/doc] */
    msg_free(a3);
    msg_free(b);

    /* [doc:mremap] */
    size_t mib = 1 << 20;
    char *big, *bigger;
    uint64_t faults;
    for (int try = 1;; try++) {
        big = msg_alloc(4 * mib, 0); /* above the threshold: mmapped */
        memset(big, 'x', 4 * mib);
        uint64_t before = lab_minflt();
        bigger = msg_realloc(big, 32 * mib);
        faults = lab_minflt() - before;
        /* A copy faults 1024 pages every time; a stray fault of the system
         * (page migration, NUMA hinting) can land in the window: retry. */
        if (faults == 0 || try == 3)
            break;
        msg_free(bigger);
    }
    lab_measure_u("large_realloc_faults", faults);
    /* A copy would fault every page of the 4 MiB it writes (1024); mremap
     * moves page-table entries and faults none. The bound leaves room for a
     * stray fault of the tracer's own bookkeeping on a loaded machine. */
    lab_measure_u("large_realloc_no_copy", faults < 64);
    lab_measure_u("large_realloc_data_ok", bigger[4 * mib - 1] == 'x');
    lab_mark("after-mremap");
    /* [/doc] */
    lab_say("4 MiB -> 32 MiB: %p -> %p, %llu page faults (a copy would fault 1024)\n", (void *)big,
            (void *)bigger, (unsigned long long)faults);
    msg_free(bigger);
    return 0;
}
