/* test_stream.c - the compact event stream: encode then decode gives back
 * every field, for edge values and for a pseudo-random workload, and the
 * encoder's bytes are those of the format in stream.h, written out here
 * independently, for values of every varint length. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "test_rand.h"

#include "stream.h"

static uint64_t rng = 88172645463325252ull;
static uint64_t next_rand(void)
{
    return test_rand_next(&rng);
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

/* The format of stream.h spelled out byte by byte, independently of
 * stream.c (whose encoder is tuned for speed): the bytes must agree. */
struct ref_state {
    uint64_t seq, ts, ptr, caller[3];
    uint32_t pid, tid;
    uint16_t flags;
};

static uint8_t *ref_varint(uint8_t *p, uint64_t v)
{
    do {
        uint8_t b = v & 0x7f;
        v >>= 7;
        *p++ = (uint8_t)(b | (v ? 0x80 : 0));
    } while (v);
    return p;
}

static uint64_t ref_zigzag(uint64_t d)
{
    return (d << 1) ^ ((d >> 63) ? ~0ull : 0);
}

static uint8_t *ref_put(struct ref_state *s, uint8_t *p, const struct hs_event *e)
{
    uint8_t *head = p;
    p += 2;
    uint8_t b0 = (uint8_t)(e->op | e->origin << 5), present = 0;
    if (e->flags != s->flags) {
        b0 |= 0x80;
        p = ref_varint(p, e->flags);
        s->flags = e->flags;
    }
    if (e->seq != s->seq + 1) {
        present |= 1;
        p = ref_varint(p, e->seq - s->seq);
    }
    s->seq = e->seq;
    if (e->ts_ns != s->ts) {
        present |= 0x80;
        p = ref_varint(p, ref_zigzag(e->ts_ns - s->ts));
        s->ts = e->ts_ns;
    }
    if (e->pid != s->pid || e->tid != s->tid) {
        present |= 2;
        p = ref_varint(p, e->pid);
        p = ref_varint(p, e->tid);
        s->pid = e->pid;
        s->tid = e->tid;
    }
    if (e->ptr) {
        present |= 4;
        p = ref_varint(p, ref_zigzag(e->ptr - s->ptr));
        s->ptr = e->ptr;
    }
    if (e->size) {
        present |= 8;
        p = ref_varint(p, e->size);
    }
    if (e->old_ptr) {
        present |= 0x10;
        p = ref_varint(p, ref_zigzag(e->old_ptr - e->ptr));
    }
    if (e->chunk_size) {
        present |= 0x20;
        p = ref_varint(p, ref_zigzag(e->chunk_size - e->size));
    }
    unsigned cls = e->op == HS_OP_FREE ? 1
                   : (e->op >= HS_OP_MALLOC && e->op <= HS_OP_REALLOCARRAY) ||
                           (e->op >= HS_OP_MEMALIGN && e->op <= HS_OP_PVALLOC)
                       ? 0
                       : 2;
    if (e->caller != s->caller[cls]) {
        present |= 0x40;
        p = ref_varint(p, ref_zigzag(e->caller - s->caller[cls]));
        s->caller[cls] = e->caller;
    }
    head[0] = b0;
    head[1] = present;
    return p;
}

/* A value of any varint length (1..10 bytes), often 0 or a neighbour of
 * a length boundary. */
static uint64_t any_value(void)
{
    uint64_t r = next_rand();
    switch (r % 8) {
    case 0:
        return 0;
    case 1: {
        unsigned k = 7 * (unsigned)(1 + (r >> 8) % 9); /* 7, 14, .. 63 */
        return (1ull << k) - 1 + (r >> 20) % 3;        /* 2^k - 1, 2^k, 2^k + 1 */
    }
    case 2:
        return ~0ull - (r >> 8) % 4;
    default:
        return next_rand() >> (next_rand() % 64);
    }
}

/* put (and put_many) against a reference encoder of the format. */
static void test_stream__bytes_follow_the_format(void **state)
{
    (void)state;
    enum { N = 20000 };
    static struct hs_event in[N];
    static const uint8_t ops[] = {HS_OP_MALLOC, HS_OP_FREE,     HS_OP_REALLOC,
                                  HS_OP_CALLOC, HS_OP_MEMALIGN, HS_OP_BRK,
                                  HS_OP_MMAP,   HS_OP_MARK,     HS_OP_EXIT};
    uint64_t seq = 0;
    for (int i = 0; i < N; i++) {
        struct hs_event *e = &in[i];
        uint64_t r = next_rand();
        seq += r % 4 == 0 ? 1 + any_value() % 1000000 : 1;
        e->seq = seq;
        e->ts_ns = r % 3 == 0 ? (i ? in[i - 1].ts_ns : 0) : any_value();
        e->ptr = r % 5 == 0 ? 0 : any_value();
        e->size = any_value();
        e->old_ptr = r % 7 == 0 ? any_value() : 0;
        e->chunk_size = any_value();
        e->caller = r % 6 == 0 && i ? in[i - 1].caller : any_value();
        e->pid = r % 9 == 0 ? (uint32_t)any_value() : 100;
        e->tid = r % 10 == 0 ? (uint32_t)any_value() : 101;
        e->op = ops[(r >> 8) % sizeof ops];
        e->origin = (uint8_t)((r >> 16) % 3);
        e->flags = r % 11 == 0 ? (uint16_t)any_value() : 1;
    }
    static uint8_t ref[N * 100];
    struct hs_stream_writer w;
    hs_stream_writer_init(&w);
    /* Two chunks: the writer's reset must restart the delta state. */
    for (int half = 0; half < 2; half++) {
        struct ref_state s = {0};
        uint8_t *p = ref;
        hs_stream_writer_reset(&w);
        for (int i = half * N / 2; i < (half + 1) * N / 2; i++) {
            assert_int_equal(hs_stream_put(&w, &in[i]), 0);
            p = ref_put(&s, p, &in[i]);
            assert_int_equal(w.len, (size_t)(p - ref));
        }
        assert_memory_equal(w.buf, ref, w.len);
        struct hs_stream_reader rd;
        hs_stream_reader_init(&rd, w.buf, w.len);
        struct hs_event out;
        for (int i = half * N / 2; i < (half + 1) * N / 2; i++) {
            assert_int_equal(hs_stream_get(&rd, &out), 1);
            assert_event_equal(&in[i], &out);
        }
        assert_int_equal(hs_stream_get(&rd, &out), 0);
        /* put_many, in pieces of 0 to 40 events, writes the same bytes. */
        struct hs_stream_writer wm;
        hs_stream_writer_init(&wm);
        for (int i = half * N / 2, end = (half + 1) * N / 2; i < end;) {
            int k = (int)(next_rand() % 41);
            k = k < end - i ? k : end - i;
            assert_int_equal(hs_stream_put_many(&wm, &in[i], (size_t)k), 0);
            i += k;
        }
        assert_int_equal(wm.len, w.len);
        assert_memory_equal(wm.buf, w.buf, w.len);
        assert_int_equal(wm.n_events, w.n_events);
        assert_int_equal(wm.first_seq, w.first_seq);
        assert_int_equal(wm.last_seq, w.last_seq);
        hs_stream_writer_free(&wm);
    }
    hs_stream_writer_free(&w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stream__edge_values_round_trip),
        cmocka_unit_test(test_stream__workload_round_trip_and_size),
        cmocka_unit_test(test_stream__bytes_follow_the_format),
    };
    return cmocka_run_group_tests_name("stream", tests, NULL, NULL);
}
