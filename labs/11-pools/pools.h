/*
 * pools.h - the four pools of article 001 ("内存池"), in C:
 *
 *   fixed_pool  one static array cut into equal blocks, a free list through them
 *   ring        kfifo-style byte ring: size a power of two, free-running
 *               read/write counters masked with size - 1, two-part memcpy
 *   ptr_ring    multi-producer/multi-consumer ring of 65536 pointers with
 *               16-bit counters, a CAS spinlock and sched_yield
 *   yqueue      ZeroMQ's yqueue_t: a list of chunks of N items with one
 *               "spare" chunk kept for reuse
 *
 * Allocates: only yqueue (its chunks, counted in yqueue.n_mallocs).
 * Thread safety: ptr_ring only; the others are single-threaded (kfifo and
 * yqueue are single-producer/single-consumer designs).
 */
#ifndef HS_LAB_POOLS_H
#define HS_LAB_POOLS_H

#include <stddef.h>

/* fixed_pool: blocks of FIXED_BLOCK bytes. */
enum { FIXED_BLOCK = 1024, FIXED_COUNT = 1024 };
void fixed_pool_init(void);
void *fixed_pool_alloc(void);
void fixed_pool_free(void *p);

struct ring {
    char *data;
    unsigned size;     /* a power of two */
    unsigned read_pos; /* free-running; masked on use */
    unsigned write_pos;
    unsigned n_wraps; /* copies that needed two memcpys */
};
int ring_init(struct ring *r, char *data, unsigned size); /* -1 unless 2^k */
unsigned ring_put(struct ring *r, const char *buf, unsigned len);
unsigned ring_get(struct ring *r, char *buf, unsigned len);

enum { PTR_RING_SIZE = 65536 };
struct ptr_ring {
    unsigned short write, read; /* wrap at 65536 by themselves */
    volatile int lock;
    void *array[PTR_RING_SIZE];
};
int ptr_ring_push(struct ptr_ring *r, void *p); /* 0, or -1 when full */
void *ptr_ring_pop(struct ptr_ring *r);         /* NULL when empty */

enum { YQ_N = 256 };
struct yq_chunk {
    void *values[YQ_N];
    struct yq_chunk *prev, *next;
};
struct yqueue {
    struct yq_chunk *begin_chunk, *back_chunk, *end_chunk;
    int begin_pos, back_pos, end_pos;
    struct yq_chunk *spare_chunk; /* atomic in ZeroMQ; one thread here */
    int use_spare;                /* 0: free chunks at once (for comparison) */
    unsigned n_mallocs;
};
void yqueue_init(struct yqueue *q, int use_spare);
void yqueue_push(struct yqueue *q, void *v);
void *yqueue_pop(struct yqueue *q); /* pre: not empty */
void yqueue_destroy(struct yqueue *q);

#endif
