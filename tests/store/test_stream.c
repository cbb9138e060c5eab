/* test_stream.c - the compact event stream: encode then decode gives back
 * every field, for edge values and for a pseudo-random workload. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "stream.h"

static uint64_t rng = 88172645463325252ull;
static uint64_t next_rand(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static void assert_event_equal(const struct hs_event *a, const struct hs_event *b)
{
    assert_int_equal(a->seq, b->seq);
    assert_int_equal(a->ts_ns, b->ts_ns);
    assert_int_equal(a->ptr, b->ptr);
    assert_int_equal(a->size, b->size);
    assert_int_equal(a->old_ptr, b->old_ptr);
    assert_int_equal(a->chunk_size, b->chunk_size);
    assert_int_equal(a->caller, b->caller);
    assert_int_equal(a->pid, b->pid);
    assert_int_equal(a->tid, b->tid);
    assert_int_equal(a->op, b->op);
    assert_int_equal(a->origin, b->origin);
    assert_int_equal(a->flags, b->flags);
}

static void test_stream__edge_values_round_trip(void **state)
{
    (void)state;
    struct hs_event in[] = {
        {.seq = 1,
         .ts_ns = UINT64_MAX,
         .ptr = UINT64_MAX,
         .size = UINT64_MAX,
         .old_ptr = 1,
         .chunk_size = 0,
         .caller = UINT64_MAX,
         .pid = UINT32_MAX,
         .tid = UINT32_MAX,
         .op = HS_OP_MALLOC,
         .origin = 1,
         .flags = 0xffff},
        {.seq = 2,
         .ts_ns = 5,
         .ptr = 0,
         .size = 0,
         .old_ptr = 0,
         .chunk_size = 48,
         .caller = 0,
         .pid = 1,
         .tid = 1,
         .op = HS_OP_FREE,
         .origin = 0,
         .flags = 0},
        {.seq = UINT64_MAX / 2,
         .ts_ns = 3,
         .ptr = 0x7f0000001000ull,
         .size = 7,
         .old_ptr = 0x7f0000000000ull,
         .chunk_size = 3,
         .caller = 0x401000,
         .pid = 1,
         .tid = 2,
         .op = HS_OP_EXIT,
         .origin = 2,
         .flags = 1},
    };
    struct hs_stream_writer w;
    hs_stream_writer_init(&w);
    for (size_t i = 0; i < sizeof in / sizeof in[0]; i++)
        assert_int_equal(hs_stream_put(&w, &in[i]), 0);
    struct hs_stream_reader r;
    hs_stream_reader_init(&r, w.buf, w.len);
    struct hs_event out;
    for (size_t i = 0; i < sizeof in / sizeof in[0]; i++) {
        assert_int_equal(hs_stream_get(&r, &out), 1);
        assert_event_equal(&in[i], &out);
    }
    assert_int_equal(hs_stream_get(&r, &out), 0);
    /* A truncated chunk is an error, not garbage. */
    hs_stream_reader_init(&r, w.buf, w.len - 1);
    for (size_t i = 0; i < 2; i++)
        assert_int_equal(hs_stream_get(&r, &out), 1);
    assert_int_equal(hs_stream_get(&r, &out), HS_EFORMAT);
    hs_stream_writer_free(&w);
}

static void test_stream__workload_round_trip_and_size(void **state)
{
    (void)state;
    enum { N = 4096 };
    static struct hs_event in[N];
    uint64_t seq = 0, ts = 1000000000, live[64] = {0};
    for (int i = 0; i < N; i++) {
        struct hs_event *e = &in[i];
        unsigned k = (unsigned)(next_rand() % 64);
        seq += 1 + (next_rand() % 8 == 0);
        ts += 100 + next_rand() % 400;
        e->seq = seq;
        e->ts_ns = ts;
        e->pid = 4242;
        e->tid = 4242 + (next_rand() % 16 == 0);
        e->caller = 0x555555554000ull + 0x1000 + (next_rand() % 4) * 0x40;
        e->flags = HS_CHUNK_PREV_INUSE;
        if (live[k]) {
            e->op = HS_OP_FREE;
            e->ptr = live[k];
            e->chunk_size = 64;
            live[k] = 0;
        } else {
            e->op = HS_OP_MALLOC;
            e->ptr = live[k] = 0x555555560000ull + (next_rand() % 100000) * 16;
            e->size = 1 + next_rand() % 500;
            e->chunk_size = (e->size + 8 + 15) & ~15ull;
        }
    }
    struct hs_stream_writer w;
    hs_stream_writer_init(&w);
    for (int i = 0; i < N; i++)
        assert_int_equal(hs_stream_put(&w, &in[i]), 0);
    assert_int_equal(w.n_events, N);
    assert_int_equal(w.first_seq, in[0].seq);
    assert_int_equal(w.last_seq, in[N - 1].seq);
    /* The size claim of stream.h: a malloc/free mix takes under 13 bytes each. */
    assert_true(w.len < 13u * N);
    struct hs_stream_reader r;
    hs_stream_reader_init(&r, w.buf, w.len);
    struct hs_event out;
    for (int i = 0; i < N; i++) {
        assert_int_equal(hs_stream_get(&r, &out), 1);
        assert_event_equal(&in[i], &out);
    }
    assert_int_equal(hs_stream_get(&r, &out), 0);
    hs_stream_writer_free(&w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stream__edge_values_round_trip),
        cmocka_unit_test(test_stream__workload_round_trip_and_size),
    };
    return cmocka_run_group_tests_name("stream", tests, NULL, NULL);
}
