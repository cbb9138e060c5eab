/*
 * Lab 11 - memory pools against malloc/free.
 *
 * Article 001 ("内存池"): general allocators must serve every size, so a
 * pool designed for one workload does better - "节省了很多 malloc, new 和
 * free, delete这些频繁的对内存操作造成的消耗". The lab times each pool of
 * pools.h against plain malloc/free doing the same job, and counts the
 * allocator calls each one makes (the trace shows the same numbers).
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lab.h"
#include "pools.h"

enum { OPS = 1 << 17, MSG = 100, BATCH = 64, MPMC_ITEMS = 1 << 17 };

/* [doc:fixed] */
static void fixed_vs_malloc(void)
{
    void *held[BATCH];
    fixed_pool_init();
    uint64_t t0 = lab_now_ns();
    for (int i = 0; i < OPS / BATCH; i++) {
        for (int k = 0; k < BATCH; k++)
            held[k] = fixed_pool_alloc();
        for (int k = 0; k < BATCH; k++)
            fixed_pool_free(held[k]);
    }
    double pool = lab_ns_per(t0, OPS);
    t0 = lab_now_ns();
    for (int i = 0; i < OPS / BATCH; i++) {
        for (int k = 0; k < BATCH; k++)
            held[k] = malloc(FIXED_BLOCK);
        for (int k = 0; k < BATCH; k++)
            free(held[k]);
    }
    double libc = lab_ns_per(t0, OPS);
    lab_measure_f("fixed_pool_ns", pool);
    lab_measure_f("fixed_malloc_ns", libc);
    lab_measure_f("fixed_speedup", libc / pool);
}
/* [/doc] */

static void ring_vs_malloc(void)
{
    static char data[4096];
    char msg[MSG], out[MSG];
    struct ring r;
    ring_init(&r, data, sizeof data);
    lab_measure_u("ring_rejects_4000", ring_init(&(struct ring){0}, data, 4000) == -1);
    int ok = 1;
    uint64_t t0 = lab_now_ns();
    for (int i = 0; i < OPS; i++) {
        memset(msg, i & 0xff, 8);
        ring_put(&r, msg, MSG);
        ring_get(&r, out, MSG);
        ok &= out[7] == (char)(i & 0xff);
    }
    double ring = lab_ns_per(t0, OPS);
    t0 = lab_now_ns();
    for (int i = 0; i < OPS; i++) {
        char *m = malloc(MSG);
        memcpy(m, msg, MSG);
        memcpy(out, m, MSG);
        free(m);
    }
    lab_measure_u("ring_data_ok", ok);
    lab_measure_u("ring_two_part_copies", r.n_wraps);
    lab_measure_f("ring_ns", ring);
    lab_measure_f("ring_malloc_ns", lab_ns_per(t0, OPS));
}

static struct ptr_ring mpmc;
static uint64_t consumed_sum[2];

static void *producer(void *arg)
{
    for (uintptr_t i = 1; i <= MPMC_ITEMS; i++)
        while (ptr_ring_push(&mpmc, (void *)i) != 0)
            ;
    return arg;
}

static void *consumer(void *arg)
{
    uint64_t *sum = arg;
    for (unsigned got = 0; got < MPMC_ITEMS;) {
        void *p = ptr_ring_pop(&mpmc);
        if (p) {
            *sum += (uintptr_t)p;
            got++;
        }
    }
    return NULL;
}

static void mpmc_ring(void)
{
    pthread_t t[4];
    uint64_t t0 = lab_now_ns();
    pthread_create(&t[0], NULL, producer, NULL);
    pthread_create(&t[1], NULL, producer, NULL);
    pthread_create(&t[2], NULL, consumer, &consumed_sum[0]);
    pthread_create(&t[3], NULL, consumer, &consumed_sum[1]);
    for (int i = 0; i < 4; i++)
        pthread_join(t[i], NULL);
    uint64_t expected = 2 * (uint64_t)MPMC_ITEMS * (MPMC_ITEMS + 1) / 2;
    lab_measure_u("mpmc_items_ok", consumed_sum[0] + consumed_sum[1] == expected);
    lab_measure_f("mpmc_ns", lab_ns_per(t0, 2 * MPMC_ITEMS));
}

/* [doc:yqueue_run] */
/* The queue breathes: 300 items in, 300 out, 4096 times. */
static unsigned yqueue_chunks(int use_spare)
{
    struct yqueue q;
    yqueue_init(&q, use_spare);
    for (int round = 0; round < 4096; round++) {
        for (uintptr_t i = 0; i < 300; i++)
            yqueue_push(&q, (void *)i);
        for (int i = 0; i < 300; i++)
            yqueue_pop(&q);
    }
    yqueue_destroy(&q);
    return q.n_mallocs;
}
/* [/doc] */

int main(int argc, char **argv)
{
    lab_init(argc, argv, "pools");
    lab_mark("fixed-pool");
    fixed_vs_malloc();
    lab_mark("ring");
    ring_vs_malloc();
    lab_mark("mpmc");
    mpmc_ring();
    lab_mark("yqueue");
    lab_measure_u("yqueue_chunk_mallocs_spare", yqueue_chunks(1));
    lab_measure_u("yqueue_chunk_mallocs_no_spare", yqueue_chunks(0));
    return 0;
}
