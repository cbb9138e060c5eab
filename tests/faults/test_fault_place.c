/*
 * test_fault_place.c - placing page faults among the events and finding
 * their blocks during the importer's pass (analyzer/lib/fault_place.h), on
 * a faults.hslog written here and events fed the way import_events.c does:
 * every event in seq order, every block lifetime when its row is written.
 *
 * The scenario (pid 100; threads 100 and 101 have events, 102 to 104 do
 * not; pid 999 is a process the tracer never saw):
 *
 *   seq ts  tid  event                  block lifetime offered
 *   1   100 100  malloc A 0x1010/0x100
 *   2   200 101  malloc B 0x2010/0x1000
 *   3   150 100  free A  (ts goes back)  A 1..3 (ended by this event)
 *   4   400 100  malloc C 0x1010/0x100   (A's address again)
 *   5   500 101  free B                  B 2..5 (ended by this event)
 *   6   600 100  malloc D 0x5010/0x100
 *   7   800 100  malloc E 0x7010/0x100
 *   8   900 100  malloc E' 0x7010        E 7..never (its free was lost)
 *   end                                  C 4.., D 6.., E' 8.. (live)
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "fault_place.h"
#include "fault_sampler.h"
#include "heapscope/event.h"

struct sample {
    uint64_t ts;
    uint32_t pid, tid;
    uint64_t addr;
    /* expected */
    uint64_t after_seq, next_seq, block_seq;
};

/* In file order (not time order: the sampler drains per CPU). */
static const struct sample samples[] = {
    {550, 100, 102, 0x2300, 5, 0, 2}, /* no next event: B at its place (5) */
    {50, 100, 100, 0x1020, 0, 1, 1},  /* before every event; A at seq 1 */
    {150, 100, 101, 0x2100, 1, 2, 2}, /* B, allocated by its next event */
    {120, 100, 100, 0x9000, 1, 3, 0}, /* in no block */
    {250, 100, 100, 0x1050, 3, 4, 4}, /* C, not A (A ended at 3) */
    {450, 100, 101, 0x2200, 4, 5, 2}, /* B, freed by its next event */
    {700, 100, 100, 0x5020, 6, 7, 6}, /* D, never freed */
    {710, 999, 999, 0x1020, 6, 0, 0}, /* unknown process: no block */
    {850, 100, 103, 0x7020, 7, 0, 7}, /* E, whose end was lost; not E' */
    {950, 100, 104, 0x5030, 8, 0, 6}, /* after every event: D, live at exit */
};
#define N_SAMPLES (sizeof samples / sizeof samples[0])

static char dir[256];

static void log_path(char *path, size_t size)
{
    snprintf(path, size, "%s/%s", dir, HS_FAULTS_LOG_NAME);
}

/* The header of a faults.hslog: n records, every sample before `complete`
 * in the file. */
static void write_header(FILE *f, size_t n, uint64_t complete)
{
    struct hs_log_header h;
    memset(&h, 0, sizeof h);
    memcpy(h.magic, HS_LOG_MAGIC, 8);
    h.format_version = HS_FORMAT_VERSION;
    h.record_size = HS_RECORD_SIZE;
    h.header_size = HS_LOG_HEADER_SIZE;
    h.flags = HS_LOG_FAULT_SAMPLES;
    h.n_reserved = n;
    h.reserved0 = 3; /* lost */
    h.complete_ns = complete;
    assert_int_equal(fseek(f, 0, SEEK_SET), 0);
    assert_int_equal(fwrite(&h, sizeof h, 1, f), 1);
    assert_int_equal(fflush(f), 0);
}

static void write_samples(FILE *f, const struct sample *v, size_t from, size_t to)
{
    assert_int_equal(fseek(f, (long)(HS_LOG_HEADER_SIZE + from * HS_RECORD_SIZE), SEEK_SET), 0);
    for (size_t i = from; i < to; i++) {
        struct hs_record r;
        memset(&r, 0, sizeof r);
        r.op = HS_OP_PAGE_FAULT;
        r.ts_ns = v[i].ts;
        r.tid = v[i].tid;
        r.u.call.size = v[i].pid;
        r.u.call.ptr = v[i].addr;
        r.u.call.caller = 0x400000 + i;
        assert_int_equal(fwrite(&r, sizeof r, 1, f), 1);
    }
    assert_int_equal(fflush(f), 0);
}

static void write_log(const struct sample *v, size_t n)
{
    char path[300];
    log_path(path, sizeof path);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    write_header(f, n, UINT64_MAX);
    write_samples(f, v, 0, n);
    assert_int_equal(fclose(f), 0);
}

static int setup(void **state)
{
    snprintf(dir, sizeof dir, "%s/place.XXXXXX", HS_TEST_TMP);
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static void test_fault_place__no_log(void **state)
{
    struct hs_fault_place *p = (struct hs_fault_place *)1;
    struct hs_error err;
    char empty[300];
    snprintf(empty, sizeof empty, "%s/none", dir);
    assert_int_equal(hs_fault_place_open(empty, 0, &p, &err), 0);
    assert_null(p);
    /* live, the placer exists and finds nothing */
    assert_int_equal(hs_fault_place_open(empty, 1, &p, &err), 0);
    assert_non_null(p);
    assert_int_equal(hs_fault_place_event(p, 0, 100, 1, 100, 100, HS_ORIGIN_PROGRAM),
                     1); /* "free me" */
    assert_int_equal(hs_fault_place_end(p, &err), 0);
    assert_false(hs_fault_place_has_log(p));
    uint64_t n, lost;
    assert_null(hs_fault_place_faults(p, &n, &lost));
    assert_int_equal(n, 0);
    hs_fault_place_free(p);
}

/* Feeds the scenario's events and lifetimes, as import_events.c does
 * (image 0, pid 100), and checks every sample's place and block. */
static void run_scenario(struct hs_fault_place *p)
{
    struct hs_error err;
    hs_fault_place_event(p, 0, 100, 1, 100, 100, HS_ORIGIN_PROGRAM);
    hs_fault_place_event(p, 0, 100, 2, 200, 101, HS_ORIGIN_PROGRAM);
    hs_fault_place_event(p, 0, 100, 3, 150, 100, HS_ORIGIN_PROGRAM);
    hs_fault_place_block(p, 0, 0x1010, 200, 0x100, 0, 1, 3); /* A */
    hs_fault_place_event(p, 0, 100, 4, 400, 100, HS_ORIGIN_PROGRAM);
    hs_fault_place_event(p, 0, 100, 5, 500, 101, HS_ORIGIN_PROGRAM);
    hs_fault_place_block(p, 0, 0x2010, 4000, 0x1000, 0, 2, 5); /* B */
    hs_fault_place_event(p, 0, 100, 6, 600, 100, HS_ORIGIN_PROGRAM);
    hs_fault_place_event(p, 0, 100, 7, 800, 100, HS_ORIGIN_PROGRAM);
    hs_fault_place_event(p, 0, 100, 8, 900, 100, HS_ORIGIN_PROGRAM);
    hs_fault_place_block(p, 0, 0x7010, 200, 0x100, 0, 7, 0); /* E, end lost */
    assert_int_equal(hs_fault_place_end(p, &err), 0);
    hs_fault_place_block(p, 0, 0x1010, 200, 0x100, 0, 4, 0); /* C */
    hs_fault_place_block(p, 0, 0x5010, 200, 0, 0, 6, 0);     /* D: chunk from size */
    hs_fault_place_block(p, 0, 0x7010, 200, 0x100, 0, 8, 0); /* E' */

    uint64_t n, lost;
    assert_true(hs_fault_place_has_log(p));
    const struct hs_fault *f = hs_fault_place_faults(p, &n, &lost);
    assert_int_equal(n, N_SAMPLES);
    assert_int_equal(lost, 3);
    /* In place order = time order; each checked against its sample. */
    for (uint64_t i = 0; i < n; i++) {
        const struct sample *s = NULL;
        for (size_t j = 0; j < N_SAMPLES; j++)
            if (samples[j].ts == f[i].ts_ns)
                s = &samples[j];
        assert_non_null(s);
        if (i > 0)
            assert_true(f[i - 1].ts_ns < f[i].ts_ns);
        assert_int_equal(f[i].addr, s->addr);
        assert_int_equal(f[i].pid, s->pid);
        assert_int_equal(f[i].tid, s->tid);
        assert_int_equal(f[i].after_seq, s->after_seq);
        assert_int_equal(f[i].next_seq, s->next_seq);
        assert_int_equal(f[i].block_seq, s->block_seq);
    }
}

static void test_fault_place__scenario(void **state)
{
    struct hs_fault_place *p;
    struct hs_error err;
    write_log(samples, N_SAMPLES);
    assert_int_equal(hs_fault_place_open(dir, 0, &p, &err), 0);
    assert_non_null(p);
    run_scenario(p);
    hs_fault_place_free(p);
}

/* The tracer records the mmap it infers for a malloc (origin allocator)
 * after malloc returned, just before the malloc: malloc's write of the
 * header (at the mapping's start, ptr - 16) faults before both. Its next
 * event is the malloc, so the block holds it; a fault after the malloc
 * with no program event to follow keeps its place.
 *
 *   seq ts  tid  event
 *   1   100 100  mmap 0x10000 (allocator)
 *   2   110 100  malloc 0x10010/0x1000, chunk 0x2000
 *   3   200 100  brk (allocator), no program event after it
 */
static const struct sample inferred[] = {
    {90, 100, 100, 0x10000, 0, 2, 2},  /* the header, before the mmap event */
    {105, 100, 100, 0x11000, 1, 2, 2}, /* between the two: still the malloc's */
    {150, 100, 100, 0x11800, 2, 0, 2}, /* no program event after: at its place */
};

static void test_fault_place__inferred_events_belong_to_the_call(void **state)
{
    struct hs_fault_place *p;
    struct hs_error err;
    size_t n_inferred = sizeof inferred / sizeof inferred[0];
    write_log(inferred, n_inferred);
    assert_int_equal(hs_fault_place_open(dir, 0, &p, &err), 0);
    assert_non_null(p);
    hs_fault_place_event(p, 0, 100, 1, 100, 100, HS_ORIGIN_ALLOCATOR);
    hs_fault_place_event(p, 0, 100, 2, 110, 100, HS_ORIGIN_PROGRAM);
    hs_fault_place_event(p, 0, 100, 3, 200, 100, HS_ORIGIN_ALLOCATOR);
    assert_int_equal(hs_fault_place_end(p, &err), 0);
    hs_fault_place_block(p, 0, 0x10010, 0x1000, 0x2000, 0, 2, 0);
    uint64_t n, lost;
    const struct hs_fault *f = hs_fault_place_faults(p, &n, &lost);
    assert_int_equal(n, n_inferred);
    for (uint64_t i = 0; i < n; i++) {
        assert_int_equal(f[i].addr, inferred[i].addr);
        assert_int_equal(f[i].after_seq, inferred[i].after_seq);
        assert_int_equal(f[i].next_seq, inferred[i].next_seq);
        assert_int_equal(f[i].block_seq, inferred[i].block_seq);
    }
    hs_fault_place_free(p);
}

/* Under another allocator (HS_F_NO_CHUNK) nothing is known of the bytes
 * around a block: its range is [ptr, ptr + size), not a glibc chunk's.
 * A 0x20010 (0x10 bytes) and B 0x20020 (0x10) touch each other.
 *
 *   seq ts  tid  event
 *   1   100 100  malloc A
 *   2   200 100  malloc B
 *   3   300 100  malloc elsewhere
 */
static const struct sample other_allocator[] = {
    {250, 100, 100, 0x2000f, 2, 3, 0}, /* before A: not A's */
    {260, 100, 100, 0x20018, 2, 3, 1}, /* A's, though 16 bytes before B */
    {270, 100, 100, 0x2002f, 2, 3, 2}, /* B's last byte */
};

static void test_fault_place__other_allocator_blocks_from_ptr(void **state)
{
    struct hs_fault_place *p;
    struct hs_error err;
    size_t n_other = sizeof other_allocator / sizeof other_allocator[0];
    write_log(other_allocator, n_other);
    assert_int_equal(hs_fault_place_open(dir, 0, &p, &err), 0);
    assert_non_null(p);
    hs_fault_place_event(p, 0, 100, 1, 100, 100, HS_ORIGIN_PROGRAM);
    hs_fault_place_event(p, 0, 100, 2, 200, 100, HS_ORIGIN_PROGRAM);
    hs_fault_place_event(p, 0, 100, 3, 300, 100, HS_ORIGIN_PROGRAM);
    assert_int_equal(hs_fault_place_end(p, &err), 0);
    /* chunk_size is malloc_usable_size() there */
    hs_fault_place_block(p, 0, 0x20010, 0x10, 0x18, HS_F_NO_CHUNK, 1, 0);
    hs_fault_place_block(p, 0, 0x20020, 0x10, 0x18, HS_F_NO_CHUNK, 2, 0);
    uint64_t n, lost;
    const struct hs_fault *f = hs_fault_place_faults(p, &n, &lost);
    assert_int_equal(n, n_other);
    for (uint64_t i = 0; i < n; i++) {
        assert_int_equal(f[i].addr, other_allocator[i].addr);
        assert_int_equal(f[i].next_seq, other_allocator[i].next_seq);
        assert_int_equal(f[i].block_seq, other_allocator[i].block_seq);
    }
    hs_fault_place_free(p);
}

/* A sampler writing beside the live import: the first half of the file
 * (in file order), complete up to `mid`, then after a pause the rest and
 * complete_ns at its end (UINT64_MAX, or left at `mid` for a sampler
 * that died). */
struct sampler {
    uint64_t mid, last;
    pthread_t thread;
};

static void *sampler_main(void *arg)
{
    struct sampler *w = arg;
    char path[300];
    log_path(path, sizeof path);
    FILE *f = fopen(path, "r+");
    if (!f)
        return NULL;
    size_t half = N_SAMPLES / 2;
    usleep(50000);
    write_samples(f, samples, 0, half);
    write_header(f, half, w->mid);
    usleep(100000);
    write_samples(f, samples, half, N_SAMPLES);
    write_header(f, N_SAMPLES, w->last);
    fclose(f);
    return NULL;
}

static void start_sampler(struct sampler *w)
{
    char path[300];
    log_path(path, sizeof path);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    write_header(f, 0, 0);
    assert_int_equal(fclose(f), 0);
    assert_int_equal(pthread_create(&w->thread, NULL, sampler_main, w), 0);
}

/* Live, the placer waits for the sampler: the result is the same as after
 * the run. The first half holds samples up to ts 250 and 550 (per-CPU
 * order), so complete_ns = 100 covers only part of it; events up to ts 900
 * have to wait for the second half. */
static void test_fault_place__live(void **state)
{
    struct hs_fault_place *p;
    struct hs_error err;
    struct sampler w = {.mid = 100, .last = UINT64_MAX};
    start_sampler(&w);
    assert_int_equal(hs_fault_place_open(dir, 1, &p, &err), 0);
    assert_non_null(p);
    run_scenario(p);
    assert_false(hs_fault_place_stalled(p));
    hs_fault_place_free(p);
    pthread_join(w.thread, NULL);
}

/* A sampler that stops moving complete_ns: the placer waits
 * HS_FAULT_PLACE_STALL_MS at most, then uses what was written. */
static void test_fault_place__stalled_sampler(void **state)
{
    struct hs_fault_place *p;
    struct hs_error err;
    struct sampler w = {.mid = 100, .last = 100};
    start_sampler(&w);
    assert_int_equal(hs_fault_place_open(dir, 1, &p, &err), 0);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    hs_fault_place_event(p, 0, 100, 1, 100, 100, HS_ORIGIN_PROGRAM);
    hs_fault_place_event(p, 0, 100, 2, 1000, 100, HS_ORIGIN_PROGRAM);
    assert_int_equal(hs_fault_place_end(p, &err), 0);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double waited_ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
    assert_true(waited_ms >= HS_FAULT_PLACE_STALL_MS * 0.9);
    uint64_t n, lost;
    hs_fault_place_faults(p, &n, &lost);
    assert_int_equal(n, N_SAMPLES); /* all of them, placed as they came */
    assert_true(hs_fault_place_stalled(p)); /* the importer warns */
    hs_fault_place_free(p);
    pthread_join(w.thread, NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fault_place__no_log),
        cmocka_unit_test(test_fault_place__scenario),
        cmocka_unit_test(test_fault_place__inferred_events_belong_to_the_call),
        cmocka_unit_test(test_fault_place__other_allocator_blocks_from_ptr),
        cmocka_unit_test(test_fault_place__live),
        cmocka_unit_test(test_fault_place__stalled_sampler),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
