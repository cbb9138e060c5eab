/*
 * test_fault_index.c - the address index of the page faults
 * (analyzer/lib/fault_index.h): built in steps, as the live import builds
 * it, it must answer every range as a scan of all the faults does, for
 * ranges of one page, a few pages (the page path) and many (the region
 * path), across pids, and pass over the pages stamped below the bound
 * asked (a page's stamp is the largest given to it; stamping a page
 * without faults does nothing).
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

/* The stamp every fault of a page is given (1..1000); each also gets a
 * lower one, which must not lower the page's. */
static uint64_t page_stamp(uint32_t pid, uint64_t addr)
{
    uint64_t h = ((addr >> 12) ^ ((uint64_t)pid << 40)) * 0x9e3779b97f4a7c15ull;
    return h % 1000 + 1;
}

static void visit(void *ctx, uint32_t id)
{
    (void)ctx;
    assert_true(id < N);
    seen[id]++;
}

/* Asks [lo, hi) of pid, pages stamped min_stamp or more, and compares
 * with a scan of the first n faults. */
static void ask(const struct hs_fault_index *x, size_t n, uint32_t pid, uint64_t lo, uint64_t hi,
                uint64_t min_stamp)
{
    memset(seen, 0, sizeof seen);
    hs_fault_index_each(x, pid, lo, hi, min_stamp, visit, NULL);
    for (size_t i = 0; i < N; i++) {
        int want = i < n && faults[i].pid == pid && faults[i].addr >= lo && faults[i].addr < hi &&
                   page_stamp(pid, faults[i].addr) >= min_stamp;
        if (seen[i] != want)
            fail_msg("fault %zu (pid %u, 0x%llx): found %d times in pid %u [0x%llx, 0x%llx) "
                     "stamped >= %llu",
                     i, faults[i].pid, (unsigned long long)faults[i].addr, seen[i], pid,
                     (unsigned long long)lo, (unsigned long long)hi,
                     (unsigned long long)min_stamp);
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
    /* a page without faults yet: its stamp must not stay for later faults */
    hs_fault_index_stamp(x, 100, faults[0].addr, 5000);
    hs_fault_index_stamp(x, faults[0].pid, faults[0].addr, 5000);
    uint64_t bounds[] = {0, 1, 2, 500, 1000, 1001};
    uint64_t sizes[] = {1, 64, 4096, 5000, 3 * 4096, 9 * 4096, 1 << 21, 5ull << 21, 1ull << 30};
    size_t n = 0;
    for (size_t step = 1; step <= 8; step++) {
        size_t to = N * step / 8; /* steps of unequal sizes, as the sampler's */
        for (; n < to; n++) {
            const struct fault *f = &faults[n];
            assert_int_equal(hs_fault_index_add(x, f->pid, f->addr, (uint32_t)n), 0);
            uint64_t stamp = page_stamp(f->pid, f->addr);
            hs_fault_index_stamp(x, f->pid, f->addr, stamp);
            hs_fault_index_stamp(x, f->pid, f->addr, stamp / 2);
        }
        for (int q = 0; q < 60; q++) {
            uint64_t size = sizes[rnd(&s) % (sizeof sizes / sizeof sizes[0])];
            uint64_t bound = bounds[rnd(&s) % (sizeof bounds / sizeof bounds[0])];
            const struct fault *f = &faults[rnd(&s) % n];
            /* around a fault: its own page, or straddling it */
            uint64_t lo = f->addr - (rnd(&s) % (size < 8192 ? size : 8192));
            ask(x, n, f->pid, lo, lo + size, bound);
            ask(x, n, f->pid == 100 ? 101 : 100, lo, lo + size, bound);
        }
    }
    uint64_t heap = 0x10000000;
    ask(x, n, 100, heap - 4096, heap + (65ull << 20), 0); /* the whole heap at once */
    ask(x, n, 100, heap - 4096, heap + (65ull << 20), 700);
    ask(x, n, 7, heap, heap + (64ull << 20), 0); /* a pid without faults */
    ask(x, n, 100, 0x1000, 0x1000, 0); /* empty range */
    hs_fault_index_free(x);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fault_index__matches_a_scan),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
