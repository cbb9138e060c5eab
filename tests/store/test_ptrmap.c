/* test_ptrmap.c - the map of live blocks against a plain array model:
 * random puts, swaps and takes over several spaces, with addresses that
 * crowd a few groups (long probes, full groups, deleted markers and the
 * rebuilds that drop them), give the same answers and the same entries. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "test_rand.h"

#include "error.h"
#include "ptrmap.h"

#define KEYS 3000 /* distinct (space, addr) keys the model tracks */

struct model {
    uint32_t space[KEYS];
    uint64_t addr[KEYS];
    uint64_t value[KEYS];
    int live[KEYS];
    size_t count;
};

static uint64_t rng = 0x2545f4914f6cdd1dull;
static uint64_t next_rand(void)
{
    return test_rand_next(&rng);
}

static void sum_entry(void *ctx, uint32_t space, uint64_t addr, uint64_t value)
{
    uint64_t *sum = ctx;
    sum[0]++;
    sum[1] += (space * 31 + addr) ^ value;
}

static void check_each(const struct hs_ptrmap *m, const struct model *mo)
{
    uint64_t got[2] = {0, 0}, want[2] = {0, 0};
    hs_ptrmap_each(m, sum_entry, got);
    for (size_t k = 0; k < KEYS; k++)
        if (mo->live[k])
            sum_entry(want, mo->space[k], mo->addr[k], mo->value[k]);
    assert_int_equal(got[0], want[0]);
    assert_int_equal(got[1], want[1]);
    assert_int_equal(m->count, mo->count);
}

static void run_against_model(uint64_t addr_spread)
{
    static struct model mo;
    memset(&mo, 0, sizeof mo);
    for (size_t k = 0; k < KEYS; k++) {
        mo.space[k] = (uint32_t)(k % 3); /* equal addresses in other spaces */
        mo.addr[k] = 0x10000 + (k / 3) * addr_spread;
    }
    struct hs_ptrmap m;
    hs_ptrmap_init(&m);
    uint64_t v;
    for (int step = 0; step < 400000; step++) {
        uint64_t r = next_rand();
        size_t k = (size_t)(r % KEYS);
        /* mostly a live set near 1000 keys, at times swept full or empty */
        int phase = (step / 50000) % 4;
        unsigned op = (unsigned)((r >> 20) % (phase == 1 ? 4 : phase == 3 ? 8 : 6));
        if (op < 2) { /* swap (put) */
            uint64_t val = r >> 8;
            int rc = hs_ptrmap_swap(&m, mo.space[k], mo.addr[k], val, &v);
            assert_int_equal(rc, mo.live[k]);
            if (mo.live[k])
                assert_int_equal(v, mo.value[k]);
            else
                mo.count++;
            mo.live[k] = 1;
            mo.value[k] = val;
        } else if (op < 3) { /* peek */
            int rc = hs_ptrmap_peek(&m, mo.space[k], mo.addr[k], &v);
            assert_int_equal(rc, mo.live[k]);
            if (rc)
                assert_int_equal(v, mo.value[k]);
        } else { /* take */
            int rc = hs_ptrmap_take(&m, mo.space[k], mo.addr[k], &v);
            assert_int_equal(rc, mo.live[k]);
            if (rc) {
                assert_int_equal(v, mo.value[k]);
                mo.count--;
            }
            mo.live[k] = 0;
        }
        if (step % 20000 == 0)
            check_each(&m, &mo);
    }
    check_each(&m, &mo);
    /* put replaces, take of an absent key and of address 0 find nothing */
    assert_int_equal(hs_ptrmap_put(&m, 7, 0x1234, 1), 0);
    assert_int_equal(hs_ptrmap_put(&m, 7, 0x1234, 2), 0);
    assert_int_equal(hs_ptrmap_peek(&m, 7, 0x1234, &v), 1);
    assert_int_equal(v, 2);
    assert_int_equal(hs_ptrmap_take(&m, 7, 0x1234, NULL), 1);
    assert_int_equal(hs_ptrmap_take(&m, 7, 0x1234, NULL), 0);
    assert_int_equal(hs_ptrmap_take(&m, 7, 0, NULL), 0);
    hs_ptrmap_free(&m);
}

/* Heap-like addresses, 16 bytes apart. */
static void test_ptrmap__matches_model_heap_addresses(void **state)
{
    (void)state;
    run_against_model(16);
}

/* Addresses a power of two apart: their hashes differ only in high bits,
 * the worst case for probe lengths. */
static void test_ptrmap__matches_model_strided_addresses(void **state)
{
    (void)state;
    run_against_model(1ull << 32);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ptrmap__matches_model_heap_addresses),
        cmocka_unit_test(test_ptrmap__matches_model_strided_addresses),
    };
    return cmocka_run_group_tests_name("ptrmap", tests, NULL, NULL);
}
