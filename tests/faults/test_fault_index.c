/*
 * test_fault_index.c - the address index of the page faults
 * (analyzer/lib/fault_index.h): built in steps, as the live import builds
 * it, it must answer every range as a scan of all the faults does, for
 * ranges of one page, a few pages (the page path) and many (the region
 * path), across pids.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fault_index.h"

#define N 20000

struct fault {
    uint32_t pid;
    uint64_t addr;
};

static struct fault faults[N];
static unsigned char seen[N];

static uint64_t rnd(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static void visit(void *ctx, uint32_t id)
{
    (void)ctx;
    assert_true(id < N);
    seen[id]++;
}

/* Asks [lo, hi) of pid and compares with a scan of the first n faults. */
static void ask(const struct hs_fault_index *x, size_t n, uint32_t pid, uint64_t lo, uint64_t hi)
{
    memset(seen, 0, sizeof seen);
    hs_fault_index_each(x, pid, lo, hi, visit, NULL);
    for (size_t i = 0; i < N; i++) {
        int want = i < n && faults[i].pid == pid && faults[i].addr >= lo && faults[i].addr < hi;
        if (seen[i] != want)
            fail_msg("fault %zu (pid %u, 0x%llx): found %d times in pid %u [0x%llx, 0x%llx)", i,
                     faults[i].pid, (unsigned long long)faults[i].addr, seen[i], pid,
                     (unsigned long long)lo, (unsigned long long)hi);
    }
}

static void test_fault_index__matches_a_scan(void **state)
{
    (void)state;
    uint64_t s = 0x9e3779b97f4a7c15ull;
    /* Two pids sharing addresses; faults dense in a 64 MiB heap (several on
     * a page, as when a page refaults) and sparse over 64 GiB. */
    for (size_t i = 0; i < N; i++) {
        faults[i].pid = 100 + (uint32_t)(rnd(&s) % 2);
        faults[i].addr = i % 3 ? 0x10000000 + rnd(&s) % (64ull << 20)
                               : 0x7f0000000000ull + rnd(&s) % (64ull << 30);
    }
    struct hs_fault_index *x = hs_fault_index_new();
    assert_non_null(x);
    uint64_t sizes[] = {1, 64, 4096, 5000, 3 * 4096, 9 * 4096, 1 << 21, 5ull << 21, 1ull << 30};
    size_t n = 0;
    for (size_t step = 1; step <= 8; step++) {
        size_t to = N * step / 8; /* steps of unequal sizes, as the sampler's */
        for (; n < to; n++)
            assert_int_equal(hs_fault_index_add(x, faults[n].pid, faults[n].addr, (uint32_t)n), 0);
        for (int q = 0; q < 60; q++) {
            uint64_t size = sizes[rnd(&s) % (sizeof sizes / sizeof sizes[0])];
            const struct fault *f = &faults[rnd(&s) % n];
            /* around a fault: its own page, or straddling it */
            uint64_t lo = f->addr - (rnd(&s) % (size < 8192 ? size : 8192));
            ask(x, n, f->pid, lo, lo + size);
            ask(x, n, f->pid == 100 ? 101 : 100, lo, lo + size);
        }
    }
    ask(x, n, 100, 0x10000000 - 4096, 0x10000000 + (65ull << 20)); /* the whole heap at once */
    ask(x, n, 7, 0x10000000, 0x10000000 + (64ull << 20)); /* a pid without faults */
    ask(x, n, 100, 0x1000, 0x1000); /* empty range */
    hs_fault_index_free(x);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fault_index__matches_a_scan),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
