/*
 * test_live_map.c - live_map.c (the address-keyed table behind the viz
 * exports) against a plain array, over random puts and takes that force
 * growth and long probe runs; and sizes.c's bucket bounds.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "block_events.h"
#include "live_map.h"
#include "sizes.h"

#define N_ADDRS 5000

static void test_live_map__matches_reference(void **state)
{
    (void)state;
    static uint64_t ref[N_ADDRS]; /* ref[i]: alloc_seq of address i, 0 if not live */
    memset(ref, 0, sizeof ref);
    struct hs_live_map m;
    assert_int_equal(hs_live_map_init(&m), 0);
    uint64_t x = 88172645463325252ull, n_live = 0;
    for (uint64_t seq = 1; seq <= 200000; seq++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        uint64_t i = x % N_ADDRS;
        /* Clustered, 16-byte aligned addresses like a heap's. */
        uint64_t addr = 0x55550000a000ull + i * 0x20;
        struct hs_live_block b;
        if (ref[i]) {
            assert_int_equal(hs_live_map_take(&m, addr, &b), 1);
            assert_int_equal(b.addr, addr);
            assert_int_equal(b.alloc_seq, ref[i]);
            assert_int_equal(b.size, i + 1);
            ref[i] = 0;
            n_live--;
        } else {
            assert_int_equal(hs_live_map_take(&m, addr, &b), 0);
            struct hs_live_block nb = {addr, i + 1, 0, seq, (uint32_t)i, 0};
            assert_int_equal(hs_live_map_put(&m, &nb), 0);
            ref[i] = seq;
            n_live++;
        }
        assert_int_equal(m.n_live, n_live);
    }
    uint64_t seen = 0;
    for (uint64_t s = 0; s < m.n_slots; s++) {
        if (!m.slots[s].addr)
            continue;
        uint64_t i = (m.slots[s].addr - 0x55550000a000ull) / 0x20;
        assert_int_equal(m.slots[s].alloc_seq, ref[i]);
        seen++;
    }
    assert_int_equal(seen, n_live);
    hs_live_map_free(&m);
}

static void test_live_map__put_replaces(void **state)
{
    (void)state;
    struct hs_live_map m;
    assert_int_equal(hs_live_map_init(&m), 0);
    struct hs_live_block a = {0x1000, 10, 32, 1, 0, 0}, b = {0x1000, 20, 32, 2, 0, 0}, out;
    assert_int_equal(hs_live_map_put(&m, &a), 0);
    assert_int_equal(hs_live_map_put(&m, &b), 0);
    assert_int_equal(m.n_live, 1);
    assert_int_equal(hs_live_map_take(&m, 0x1000, &out), 1);
    assert_int_equal(out.size, 20);
    assert_int_equal(m.n_live, 0);
    hs_live_map_free(&m);
}

static void test_sizes__bucket_bounds(void **state)
{
    (void)state;
    uint64_t lo, hi;
    assert_int_equal(hs_sizes_bucket(0), 0);
    assert_int_equal(hs_sizes_bucket(1), 1);
    assert_int_equal(hs_sizes_bucket(16), 1);
    assert_int_equal(hs_sizes_bucket(17), 2);
    assert_int_equal(hs_sizes_bucket(32), 2);
    assert_int_equal(hs_sizes_bucket(33), 3);
    assert_int_equal(hs_sizes_bucket(1 << 20), 17);
    hs_sizes_bucket_bounds(17, &lo, &hi);
    assert_int_equal(lo, 524289);
    assert_int_equal(hi, 1048576);
    /* Every size falls inside its bucket's bounds. */
    for (uint64_t s = 1; s < 70000; s += 7) {
        hs_sizes_bucket_bounds(hs_sizes_bucket(s), &lo, &hi);
        assert_true(lo <= s && s <= hi);
    }
    assert_int_equal(hs_sizes_bucket(UINT64_MAX), HS_SIZES_BUCKETS - 1);
}

static void test_sizes__chunk_classes(void **state)
{
    (void)state;
    assert_int_equal(hs_size_class_of(0x20, 0), HS_CLASS_FAST);
    assert_int_equal(hs_size_class_of(0x80, 0), HS_CLASS_FAST);
    assert_int_equal(hs_size_class_of(0x90, 0), HS_CLASS_SMALL);
    assert_int_equal(hs_size_class_of(0x3f0, 0), HS_CLASS_SMALL);
    assert_int_equal(hs_size_class_of(0x400, 0), HS_CLASS_LARGE);
    assert_int_equal(hs_size_class_of(0x21000, HS_CHUNK_IS_MMAPPED), HS_CLASS_MMAPPED);
    assert_int_equal(hs_size_class_of(0x20, HS_F_NO_CHUNK), HS_CLASS_UNKNOWN);
    assert_string_equal(hs_size_class_name(HS_CLASS_LARGE), "large");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_live_map__matches_reference),
        cmocka_unit_test(test_live_map__put_replaces),
        cmocka_unit_test(test_sizes__bucket_bounds),
        cmocka_unit_test(test_sizes__chunk_classes),
    };
    return cmocka_run_group_tests_name("live_map", tests, NULL, NULL);
}
