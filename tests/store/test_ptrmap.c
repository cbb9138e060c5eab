/* test_ptrmap.c - the map of live blocks against a plain array model:
 * random puts, swaps and takes over several spaces, with addresses that
 * crowd a few groups (long probes, full groups, deleted markers and the
 * rebuilds that drop them), give the same answers and the same entries.
 * Takes use the slots find and home_slot gave at the key's last peek as
 * hints, stale by then as often as not (moves by rebuilds, keys taken and
 * put again), or a made-up one. */
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
    ptrdiff_t hint[KEYS]; /* a slot seen at the last peek, or -1 */
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

/* min_home: peeks that must find their key in its home slot. */
static void run_against_model(uint64_t addr_spread, size_t min_home)
{
    static struct model mo;
    memset(&mo, 0, sizeof mo);
    for (size_t k = 0; k < KEYS; k++) {
        mo.space[k] = (uint32_t)(k % 3); /* equal addresses in other spaces */
        mo.addr[k] = 0x10000 + (k / 3) * addr_spread;
        mo.hint[k] = -1;
    }
    size_t hinted = 0, home = 0;
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
            ptrdiff_t at = hs_ptrmap_find(&m, mo.space[k], mo.addr[k]);
            ptrdiff_t at_home = hs_ptrmap_home_slot(&m, mo.space[k], mo.addr[k]);
            assert_int_equal(at >= 0, mo.live[k]);
            if (at >= 0) {
                assert_int_equal(m.slots[at].addr, mo.addr[k]);
                assert_int_equal(m.slots[at].space, mo.space[k]);
                assert_int_equal(m.slots[at].value, mo.value[k]);
            }
            if (at_home >= 0) {
                assert_int_equal(at_home, at);
                home++;
            }
            mo.hint[k] = (r >> 40) % 8 == 0 ? (ptrdiff_t)((r >> 44) % 70000) : at;
        } else { /* take */
            int rc = (r >> 40) % 2
                         ? hs_ptrmap_take(&m, mo.space[k], mo.addr[k], &v)
                         : hs_ptrmap_take_hinted(&m, mo.space[k], mo.addr[k], mo.hint[k], &v);
            hinted += mo.hint[k] >= 0 && (r >> 40) % 2 == 0;
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
    assert_true(hinted > 10000); /* hints were used, and keys were home */
    assert_true(home >= min_home);
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
    run_against_model(16, 10000); /* most keys are home */
}

/* Addresses a power of two apart: their hashes differ only in high bits,
 * the worst case for probe lengths. */
static void test_ptrmap__matches_model_strided_addresses(void **state)
{
    (void)state;
    run_against_model(1ull << 32, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ptrmap__matches_model_heap_addresses),
        cmocka_unit_test(test_ptrmap__matches_model_strided_addresses),
    };
    return cmocka_run_group_tests_name("ptrmap", tests, NULL, NULL);
}
