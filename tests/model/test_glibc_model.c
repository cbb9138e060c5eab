/*
 * test_glibc_model.c - the replay model against addresses computed by hand
 * from glibc 2.36's rules (heap at H = 0x555555559000, page 4096).
 *
 * First malloc: the heap grows from H by 0x21000; the tcache structure
 * takes [H, H+0x290); chunks follow in order from H+0x290 (user pointer
 * +0x10), top is what remains.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "glibc_model.h"

#define H 0x555555559000ull
#define TID 100

struct run {
    struct hs_model *m;
    uint64_t seq;
    struct hs_model_step step;
};

static void start(struct run *r, const struct hs_glibc_params *par)
{
    r->m = hs_model_new(hs_glibc_profile_236(), par);
    assert_non_null(r->m);
    hs_model_set_main_tid(r->m, TID);
    r->seq = 0;
}

static struct hs_event ev(struct run *r, unsigned op, uint64_t ptr, uint64_t size, uint64_t old)
{
    struct hs_event e = {.seq = ++r->seq,
                         .op = (uint8_t)op,
                         .tid = TID,
                         .pid = TID,
                         .ptr = ptr,
                         .size = size,
                         .old_ptr = old};
    if (op != HS_OP_FREE && ptr)
        e.chunk_size = hs_glibc_request2size(hs_glibc_profile_236(), size);
    return e;
}

/* Records op returning ptr; asserts the model predicted exactly ptr. */
static void alloc_at(struct run *r, unsigned op, uint64_t size, uint64_t ptr, int path)
{
    struct hs_event e = ev(r, op, ptr, size, 0);
    assert_int_equal(hs_model_apply(r->m, &e, NULL, &r->step), 0);
    assert_true(r->step.is_alloc);
    assert_int_equal(r->step.predicted_ptr, ptr);
    assert_true(r->step.match);
    if (path)
        assert_string_equal(hs_path_name(r->step.path), hs_path_name(path));
}

static void first_malloc(struct run *r, uint64_t size, uint64_t ptr)
{
    struct hs_event b = ev(r, HS_OP_BRK, H + 0x21000, 0x21000, H);
    b.origin = HS_ORIGIN_ALLOCATOR;
    struct hs_event e = ev(r, HS_OP_MALLOC, ptr, size, 0);
    assert_int_equal(hs_model_apply(r->m, &e, &b, &r->step), 0);
    assert_int_equal(r->step.predicted_ptr, ptr);
    assert_true(r->step.match);
}

/* Applies op by thread tid (no brk before it); r->step has the result. */
static void apply_on(struct run *r, uint32_t tid, unsigned op, uint64_t ptr, uint64_t size)
{
    struct hs_event e = ev(r, op, ptr, size, 0);
    e.tid = tid;
    assert_int_equal(hs_model_apply(r->m, &e, NULL, &r->step), 0);
}

static void do_free(struct run *r, uint64_t ptr)
{
    apply_on(r, TID, HS_OP_FREE, ptr, 0);
    assert_false(r->step.unknown_free);
}

static void test_glibc_model__first_malloc_after_tcache(void **state)
{
    struct run r;
    start(&r, NULL);
    first_malloc(&r, 64, H + 0x2a0);
    /* tcache_init's malloc grew the heap; malloc(64) then split top */
    assert_int_equal(r.step.path, HS_PATH_TOP);
    assert_int_equal(r.step.grown, 0x21000);
    struct hs_mallinfo mi;
    hs_model_mallinfo(r.m, &mi);
    assert_int_equal(mi.arena, 0x21000);
    assert_int_equal(mi.ordblks, 1);
    assert_int_equal(mi.uordblks, 0x290 + 0x50);
    assert_int_equal(mi.fordblks, 0x21000 - 0x2e0);
    assert_int_equal(mi.keepcost, 0x21000 - 0x2e0);
    /* the top split comes next, and the model's break is the grown one */
    alloc_at(&r, HS_OP_MALLOC, 24, H + 0x2f0, HS_PATH_TOP);
    struct hs_model_totals t;
    hs_model_totals(r.m, &t);
    assert_int_equal(t.brk, H + 0x21000);
    hs_model_free(r.m);
}

static void test_glibc_model__tcache_is_lifo(void **state)
{
    struct run r;
    start(&r, NULL);
    first_malloc(&r, 0x18, H + 0x2a0);              /* chunk 0x20 at H+0x290 */
    alloc_at(&r, HS_OP_MALLOC, 0x18, H + 0x2c0, 0); /* H+0x2b0 */
    do_free(&r, H + 0x2a0);
    do_free(&r, H + 0x2c0);
    alloc_at(&r, HS_OP_MALLOC, 0x10, H + 0x2c0, HS_PATH_TCACHE);
    alloc_at(&r, HS_OP_MALLOC, 0x18, H + 0x2a0, HS_PATH_TCACHE);
    /* calloc never uses the tcache */
    do_free(&r, H + 0x2a0);
    alloc_at(&r, HS_OP_CALLOC, 0x18, H + 0x2e0, HS_PATH_TOP);
    hs_model_free(r.m);
}

static void test_glibc_model__fastbin_after_full_tcache(void **state)
{
    struct run r;
    start(&r, NULL);
    uint64_t p[9];
    first_malloc(&r, 0x28, H + 0x2a0); /* 0x30 chunks */
    p[0] = H + 0x2a0;
    for (int i = 1; i < 9; i++) {
        p[i] = H + 0x2a0 + 0x30 * (uint64_t)i;
        alloc_at(&r, HS_OP_MALLOC, 0x28, p[i], HS_PATH_TOP);
    }
    for (int i = 0; i < 8; i++)
        do_free(&r, p[i]); /* 7 to tcache, p[7] to the fastbin */
    struct hs_mallinfo mi;
    hs_model_mallinfo(r.m, &mi);
    assert_int_equal(mi.smblks, 1);
    assert_int_equal(mi.fsmblks, 0x30);
    for (int i = 6; i >= 0; i--)
        alloc_at(&r, HS_OP_MALLOC, 0x28, p[i], HS_PATH_TCACHE);
    alloc_at(&r, HS_OP_MALLOC, 0x28, p[7], HS_PATH_FASTBIN);
    hs_model_free(r.m);
}

static void test_glibc_model__unsorted_sorted_into_smallbin(void **state)
{
    struct hs_glibc_params par;
    hs_glibc_params_init(&par, hs_glibc_profile_236());
    par.tcache_count = 0;
    struct run r;
    start(&r, &par);
    /* tcache struct still exists: it is allocated at init. */
    first_malloc(&r, 0x100, H + 0x2a0);              /* A: 0x110 at H+0x290 */
    alloc_at(&r, HS_OP_MALLOC, 0x18, H + 0x3b0, 0);  /* guard */
    alloc_at(&r, HS_OP_MALLOC, 0x100, H + 0x3d0, 0); /* B at H+0x3c0 */
    alloc_at(&r, HS_OP_MALLOC, 0x18, H + 0x4e0, 0);  /* guard */
    do_free(&r, H + 0x2a0);
    do_free(&r, H + 0x3d0);
    /* 0x200 bytes: nothing fits; both are sorted into smallbin 17 */
    alloc_at(&r, HS_OP_MALLOC, 0x200, H + 0x500, HS_PATH_TOP);
    /* the smallbin is FIFO: A went in first and comes out first */
    alloc_at(&r, HS_OP_MALLOC, 0x100, H + 0x2a0, HS_PATH_SMALLBIN);
    alloc_at(&r, HS_OP_MALLOC, 0x100, H + 0x3d0, HS_PATH_SMALLBIN);
    hs_model_free(r.m);
}

static void test_glibc_model__free_next_to_top_merges(void **state)
{
    struct hs_glibc_params par;
    hs_glibc_params_init(&par, hs_glibc_profile_236());
    par.tcache_count = 0;
    struct run r;
    start(&r, &par);
    first_malloc(&r, 0x400, H + 0x2a0);
    do_free(&r, H + 0x2a0);
    struct hs_mallinfo mi;
    hs_model_mallinfo(r.m, &mi);
    assert_int_equal(mi.ordblks, 1);
    assert_int_equal(mi.keepcost, 0x21000 - 0x290);
    alloc_at(&r, HS_OP_MALLOC, 0x500, H + 0x2a0, HS_PATH_TOP);
    /* last remainder: a 0x1000 free chunk split twice */
    hs_model_free(r.m);
}

static void test_glibc_model__mmap_threshold_rises(void **state)
{
    struct run r;
    start(&r, NULL);
    first_malloc(&r, 64, H + 0x2a0);
    struct hs_event e = ev(&r, HS_OP_MALLOC, 0x7ffff7d00010, 200000, 0);
    e.flags = HS_CHUNK_IS_MMAPPED;
    e.chunk_size = 0x31000;
    assert_int_equal(hs_model_apply(r.m, &e, NULL, &r.step), 0);
    assert_int_equal(r.step.path, HS_PATH_MMAP);
    assert_true(r.step.match);
    struct hs_mallinfo mi;
    hs_model_mallinfo(r.m, &mi);
    assert_int_equal(mi.hblks, 1);
    assert_int_equal(mi.hblkhd, 0x31000);
    do_free(&r, 0x7ffff7d00010);
    struct hs_model_totals t;
    hs_model_totals(r.m, &t);
    assert_int_equal(t.mmap_threshold, 0x31000);
    assert_int_equal(t.trim_threshold, 0x62000);
    /* now the heap grows instead: top 0x20d20 < 0x30d50 + MINSIZE */
    struct hs_event b = ev(&r, HS_OP_BRK, H + 0x21000 + 0x31000, 0x31000, H + 0x21000);
    b.origin = HS_ORIGIN_ALLOCATOR;
    e = ev(&r, HS_OP_MALLOC, H + 0x2f0, 200000, 0);
    assert_int_equal(hs_model_apply(r.m, &e, &b, &r.step), 0);
    assert_int_equal(r.step.path, HS_PATH_SYSMALLOC_BRK);
    assert_true(r.step.match);
    /* grown by 0x30d50 + 0x20000 + 0x20 - 0x20d20 rounded up = 0x31000 */
    assert_int_equal(r.step.grown, 0x31000);
    hs_model_free(r.m);
}

static void test_glibc_model__divergence_resyncs(void **state)
{
    struct run r;
    start(&r, NULL);
    first_malloc(&r, 0x18, H + 0x2a0);
    /* glibc returned something else than the model's H+0x2c0 */
    struct hs_event e = ev(&r, HS_OP_MALLOC, H + 0x300, 0x18, 0);
    assert_int_equal(hs_model_apply(r.m, &e, NULL, &r.step), 0);
    assert_false(r.step.match);
    assert_int_equal(r.step.predicted_ptr, H + 0x2c0);
    /* glibc cuts top from its start: [H+0x2b0, H+0x2f0) went to something
     * the trace does not show, stays allocated, and top resumes after
     * H+0x300 (made free, it would serve the next requests wrongly) */
    alloc_at(&r, HS_OP_MALLOC, 0x18, H + 0x320, HS_PATH_TOP);
    alloc_at(&r, HS_OP_MALLOC, 0x18, H + 0x340, HS_PATH_TOP);
    hs_model_free(r.m);
}

/* Thread 200 on the main arena (a reused arena, or M_ARENA_MAX 1): its
 * first malloc takes its tcache structure from the main arena first. */
static void test_glibc_model__thread_on_main_arena(void **state)
{
    struct run r;
    start(&r, NULL);
    first_malloc(&r, 0x18, H + 0x2a0);
    apply_on(&r, 200, HS_OP_MALLOC, H + 0x2b0 + 0x290 + 0x10, 0x18);
    assert_true(r.step.match);
    /* in another arena: observed, and nothing taken from the main arena */
    struct hs_event e = ev(&r, HS_OP_MALLOC, 0x7ffff0000b20, 0x18, 0);
    e.tid = 201;
    e.flags = HS_CHUNK_NON_MAIN_ARENA;
    assert_int_equal(hs_model_apply(r.m, &e, NULL, &r.step), 0);
    assert_int_equal(r.step.path, HS_PATH_OTHER_ARENA);
    alloc_at(&r, HS_OP_MALLOC, 0x18, H + 0x570, HS_PATH_TOP);
    hs_model_free(r.m);
}

/* Thread 200's first call is a free, which does not tell its arena: the
 * structure is taken when its first malloc shows the main arena, which is
 * the same chunk when nothing took from the arena in between. */
static void test_glibc_model__arena_learned_after_free(void **state)
{
    struct run r;
    start(&r, NULL);
    first_malloc(&r, 0x18, H + 0x2a0);
    alloc_at(&r, HS_OP_MALLOC, 0x18, H + 0x2c0, HS_PATH_TOP);
    apply_on(&r, 200, HS_OP_FREE, H + 0x2c0, 0);
    /* [H+0x2d0, H+0x560) is thread 200's structure, then its block */
    apply_on(&r, 200, HS_OP_MALLOC, H + 0x570, 0x28);
    assert_true(r.step.match);
    /* and its tcache holds the freed chunk */
    apply_on(&r, 200, HS_OP_MALLOC, H + 0x2c0, 0x18);
    assert_int_equal(r.step.path, HS_PATH_TCACHE);
    assert_true(r.step.match);
    hs_model_free(r.m);
}

/* Main's first block, then thread 200 on the main arena (its structure at
 * H+0x2b0 .. H+0x540) mallocs H+0x550 and frees it into its tcache. */
static void thread_200_keeps_one(struct run *r)
{
    start(r, NULL);
    first_malloc(r, 0x18, H + 0x2a0);
    apply_on(r, 200, HS_OP_MALLOC, H + 0x550, 0x18);
    assert_true(r->step.match);
    apply_on(r, 200, HS_OP_FREE, H + 0x550, 0);
}

/* Thread 201 gets the chunk thread 200 left in its tcache: thread 200 has
 * exited, and tcache_thread_shutdown freed that chunk (to its fastbin) and
 * then 200's tcache structure (to the unsorted bin), which 201's
 * tcache_init takes back, an exact fit. */
static void test_glibc_model__exit_proven_by_tcache_chunk(void **state)
{
    struct run r;
    thread_200_keeps_one(&r);
    apply_on(&r, 201, HS_OP_MALLOC, H + 0x550, 0x18);
    assert_true(r.step.match);
    assert_int_equal(r.step.path, HS_PATH_FASTBIN);
    /* 201's structure is at H+0x2b0 again, so top is untouched */
    apply_on(&r, 201, HS_OP_MALLOC, H + 0x570, 0x18);
    assert_true(r.step.match);
    assert_int_equal(r.step.path, HS_PATH_TOP);
    /* the image of a model with an exited thread survives a round trip */
    uint8_t *a, *b;
    size_t na, nb;
    struct hs_model *m2;
    assert_int_equal(hs_model_save(r.m, &a, &na), 0);
    assert_int_equal(hs_model_load(hs_glibc_profile_236(), a, na, &m2), 0);
    assert_int_equal(hs_model_save(m2, &b, &nb), 0);
    assert_int_equal(na, nb);
    assert_memory_equal(a, b, na);
    free(a);
    free(b);
    hs_model_free(m2);
    hs_model_free(r.m);
}

/* A thread_exit event gives the thread's tcache chunks and its tcache
 * structure back to the arena at once, without a later call to prove it. */
static void test_glibc_model__thread_exit_event(void **state)
{
    struct run r;
    thread_200_keeps_one(&r);
    hs_model_set_notes(r.m, 1);
    apply_on(&r, 200, HS_OP_THREAD_EXIT, 0, 0);
    assert_non_null(strstr(hs_model_notes(r.m), "thread 200 has exited"));
    /* the structure (0x290) and the block (0x20, a fastbin now) are free:
     * mallinfo counts the main thread's structure and block only */
    struct hs_mallinfo mi;
    hs_model_mallinfo(r.m, &mi);
    assert_int_equal(mi.uordblks, 0x290 + 0x20);
    hs_model_free(r.m);
}

/* A second free of a block in the thread's own tcache: the note says
 * glibc aborts there, with its message. */
static void test_glibc_model__double_free_noted(void **state)
{
    struct run r;
    start(&r, NULL);
    first_malloc(&r, 0x18, H + 0x2a0);
    hs_model_set_notes(r.m, 1);
    do_free(&r, H + 0x2a0);
    assert_null(strstr(hs_model_notes(r.m), "double free"));
    do_free(&r, H + 0x2a0);
    assert_non_null(strstr(hs_model_notes(r.m),
                           "a double free, unless the model is wrong; glibc 2.36 detects it and "
                           "aborts the program with \"free(): double free detected in tcache 2\""));
    hs_model_free(r.m);
}

static struct hs_glibc_params no_tcache(void)
{
    struct hs_glibc_params par;
    hs_glibc_params_init(&par, hs_glibc_profile_236());
    par.tcache_count = 0;
    return par;
}

static void test_glibc_model__large_bin_order_and_best_fit(void **state)
{
    struct hs_glibc_params par = no_tcache();
    struct run r;
    start(&r, &par);
    first_malloc(&r, 0x4f8, H + 0x2a0);              /* A 0x500 at H+0x290 */
    alloc_at(&r, HS_OP_MALLOC, 0x18, H + 0x7a0, 0);  /* guard */
    alloc_at(&r, HS_OP_MALLOC, 0x518, H + 0x7c0, 0); /* B 0x520 at H+0x7b0 */
    alloc_at(&r, HS_OP_MALLOC, 0x18, H + 0xce0, 0);  /* guard */
    alloc_at(&r, HS_OP_MALLOC, 0x4f8, H + 0xd00, 0); /* C 0x500 at H+0xcf0 */
    alloc_at(&r, HS_OP_MALLOC, 0x18, H + 0x1200, 0); /* guard */
    do_free(&r, H + 0x2a0);
    do_free(&r, H + 0x7c0);
    do_free(&r, H + 0xd00);
    /* sorting A, B, C into large bin 68 gives B(0x520), A, C: C went
     * second in the 0x500 run */
    alloc_at(&r, HS_OP_MALLOC, 0x1000, H + 0x1220, HS_PATH_TOP);
    /* best fit avoids the run's first chunk (A): C comes out */
    alloc_at(&r, HS_OP_MALLOC, 0x4f8, H + 0xd00, HS_PATH_LARGE_BEST_FIT);
    alloc_at(&r, HS_OP_MALLOC, 0x4f8, H + 0x2a0, HS_PATH_LARGE_BEST_FIT);
    /* B is split: its 0x20 tail goes to the unsorted bin */
    alloc_at(&r, HS_OP_MALLOC, 0x4f8, H + 0x7c0, HS_PATH_LARGE_BEST_FIT);
    struct hs_mallinfo mi;
    hs_model_mallinfo(r.m, &mi);
    assert_int_equal(mi.ordblks, 2);
    hs_model_free(r.m);
}

static void test_glibc_model__last_remainder_split(void **state)
{
    struct hs_glibc_params par = no_tcache();
    struct run r;
    start(&r, &par);
    first_malloc(&r, 0xff8, H + 0x2a0);              /* X 0x1000 */
    alloc_at(&r, HS_OP_MALLOC, 0x18, H + 0x12a0, 0); /* guard */
    do_free(&r, H + 0x2a0);
    alloc_at(&r, HS_OP_MALLOC, 0x100, H + 0x2a0, HS_PATH_BINMAP);
    alloc_at(&r, HS_OP_MALLOC, 0x100, H + 0x3b0, HS_PATH_LAST_REMAINDER);
    alloc_at(&r, HS_OP_MALLOC, 0x100, H + 0x4c0, HS_PATH_LAST_REMAINDER);
    hs_model_free(r.m);
}

static void test_glibc_model__consolidate_before_large_request(void **state)
{
    struct run r;
    start(&r, NULL);
    first_malloc(&r, 0x28, H + 0x2a0);
    for (uint64_t i = 1; i < 9; i++)
        alloc_at(&r, HS_OP_MALLOC, 0x28, H + 0x2a0 + 0x30 * i, HS_PATH_TOP);
    alloc_at(&r, HS_OP_MALLOC, 0x18, H + 0x450, HS_PATH_TOP); /* guard */
    for (uint64_t i = 0; i < 9; i++)
        do_free(&r, H + 0x2a0 + 0x30 * i); /* 7 to tcache, 2 to the fastbin */
    struct hs_mallinfo mi;
    hs_model_mallinfo(r.m, &mi);
    assert_int_equal(mi.smblks, 2);
    alloc_at(&r, HS_OP_MALLOC, 0x4f8, H + 0x470, HS_PATH_TOP);
    assert_true(r.step.consolidated);
    hs_model_mallinfo(r.m, &mi);
    assert_int_equal(mi.smblks, 0);
    assert_int_equal(mi.ordblks, 2); /* top + the merged 0x60 chunk */
    assert_int_equal(mi.fordblks - mi.keepcost, 0x60);
    hs_model_free(r.m);
}

static void test_glibc_model__free_trims_top(void **state)
{
    struct run r;
    start(&r, NULL);
    first_malloc(&r, 64, H + 0x2a0);
    struct hs_event opt =
        ev(&r, HS_OP_MALLOPT, 0, 0x100000, (uint64_t)(int64_t)HS_M_MMAP_THRESHOLD);
    opt.chunk_size = 0;
    assert_int_equal(hs_model_apply(r.m, &opt, NULL, &r.step), 0);
    struct hs_event b = ev(&r, HS_OP_BRK, H + 0x51000, 0x30000, H + 0x21000);
    b.origin = HS_ORIGIN_ALLOCATOR;
    struct hs_event e = ev(&r, HS_OP_MALLOC, H + 0x2f0, 0x2fff8, 0);
    assert_int_equal(hs_model_apply(r.m, &e, &b, &r.step), 0);
    assert_true(r.step.match);
    assert_int_equal(r.step.grown, 0x30000);
    do_free(&r, H + 0x2f0);
    assert_true(r.step.trimmed);
    struct hs_model_totals t;
    hs_model_totals(r.m, &t);
    assert_int_equal(t.brk, H + 0x21000);
    struct hs_mallinfo mi;
    hs_model_mallinfo(r.m, &mi);
    assert_int_equal(mi.arena, 0x21000);
    assert_int_equal(mi.keepcost, 0x21000 - 0x2e0);
    hs_model_free(r.m);
}

static void test_glibc_model__realloc_in_place(void **state)
{
    struct run r;
    start(&r, NULL);
    first_malloc(&r, 0x18, H + 0x2a0);
    struct hs_event e = ev(&r, HS_OP_REALLOC, H + 0x2a0, 0x100, H + 0x2a0);
    assert_int_equal(hs_model_apply(r.m, &e, NULL, &r.step), 0);
    assert_true(r.step.match);
    assert_int_equal(r.step.path, HS_PATH_REALLOC_IN_PLACE);
    e = ev(&r, HS_OP_REALLOC, H + 0x2a0, 0x10, H + 0x2a0);
    assert_int_equal(hs_model_apply(r.m, &e, NULL, &r.step), 0);
    assert_true(r.step.match);
    /* the freed 0xf0 tail went to the tcache */
    alloc_at(&r, HS_OP_MALLOC, 0xe8, H + 0x2c0, HS_PATH_TCACHE);
    hs_model_free(r.m);
}

static void test_glibc_model__memalign_gives_back_both_ends(void **state)
{
    struct run r;
    start(&r, NULL);
    first_malloc(&r, 0x18, H + 0x2a0);
    struct hs_event e = ev(&r, HS_OP_MEMALIGN, H + 0x300, 0x40, 0x100);
    assert_int_equal(hs_model_apply(r.m, &e, NULL, &r.step), 0);
    assert_true(r.step.match);
    alloc_at(&r, HS_OP_MALLOC, 0x38, H + 0x2c0, HS_PATH_TCACHE); /* the 0x40 leader */
    alloc_at(&r, HS_OP_MALLOC, 0xe8, H + 0x350, HS_PATH_TCACHE); /* the 0xf0 tail */
    hs_model_free(r.m);
}

static void test_glibc_model__tunables_from_env(void **state)
{
    static const char env[] = "GLIBC_TUNABLES=glibc.malloc.tcache_count=0:glibc.malloc.mxfast=0:"
                              "glibc.malloc.tcache_max=128\0MALLOC_TOP_PAD_=4096\0OTHER=1";
    const struct hs_glibc_profile *prof = hs_glibc_profile_236();
    struct hs_glibc_params p;
    hs_glibc_params_init(&p, prof);
    assert_int_equal(p.max_fast, 0x80);
    assert_int_equal(hs_glibc_params_apply_env(&p, prof, env, sizeof env - 1), 4);
    assert_int_equal(p.tcache_count, 0);
    assert_int_equal(p.max_fast, 0x10);
    assert_int_equal(p.tcache_bins, 8);
    assert_int_equal(p.top_pad, 4096);
    assert_true(p.no_dyn_threshold);
}

static void test_glibc_model__snapshot_roundtrip(void **state)
{
    struct run r;
    start(&r, NULL);
    first_malloc(&r, 0x28, H + 0x2a0);
    alloc_at(&r, HS_OP_MALLOC, 0x500, H + 0x2d0, 0);
    alloc_at(&r, HS_OP_MALLOC, 0x28, H + 0x7e0, 0);
    do_free(&r, H + 0x2a0);
    do_free(&r, H + 0x2d0);
    uint8_t *a, *b;
    size_t na, nb;
    assert_int_equal(hs_model_save(r.m, &a, &na), 0);
    struct hs_model *m2;
    assert_int_equal(hs_model_load(hs_glibc_profile_236(), a, na, &m2), 0);
    assert_int_equal(hs_model_save(m2, &b, &nb), 0);
    assert_int_equal(na, nb);
    assert_memory_equal(a, b, na);
    free(a);
    free(b);
    hs_model_free(m2);
    hs_model_free(r.m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_glibc_model__first_malloc_after_tcache),
        cmocka_unit_test(test_glibc_model__tcache_is_lifo),
        cmocka_unit_test(test_glibc_model__fastbin_after_full_tcache),
        cmocka_unit_test(test_glibc_model__unsorted_sorted_into_smallbin),
        cmocka_unit_test(test_glibc_model__free_next_to_top_merges),
        cmocka_unit_test(test_glibc_model__mmap_threshold_rises),
        cmocka_unit_test(test_glibc_model__divergence_resyncs),
        cmocka_unit_test(test_glibc_model__thread_on_main_arena),
        cmocka_unit_test(test_glibc_model__arena_learned_after_free),
        cmocka_unit_test(test_glibc_model__exit_proven_by_tcache_chunk),
        cmocka_unit_test(test_glibc_model__snapshot_roundtrip),
        cmocka_unit_test(test_glibc_model__thread_exit_event),
        cmocka_unit_test(test_glibc_model__double_free_noted),
        cmocka_unit_test(test_glibc_model__large_bin_order_and_best_fit),
        cmocka_unit_test(test_glibc_model__last_remainder_split),
        cmocka_unit_test(test_glibc_model__consolidate_before_large_request),
        cmocka_unit_test(test_glibc_model__free_trims_top),
        cmocka_unit_test(test_glibc_model__realloc_in_place),
        cmocka_unit_test(test_glibc_model__memalign_gives_back_both_ends),
        cmocka_unit_test(test_glibc_model__tunables_from_env),
    };
    return cmocka_run_group_tests_name("glibc_model", tests, NULL, NULL);
}
