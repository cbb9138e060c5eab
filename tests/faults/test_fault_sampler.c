/*
 * test_fault_sampler.c - the perf page-fault sampler on real programs,
 * spawned the way `heapscope record` spawns them (fork, the child blocks on
 * a pipe, the sampler attaches, the child execs).
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "fault_sampler.h"
#include "faults_check.h"

struct run {
    char dir[256];
    char ranges_path[300];
    struct fx_range ranges[8];
    int n_ranges;
    struct hs_record *faults;
    uint64_t n_faults;
    uint32_t log_flags;
    struct hs_fault_stats stats;
    int status;
};

/* Runs fx_faults ARGS under the sampler; fills r. */
static void run_fixture(struct run *r, const char *mode, const char *arg)
{
    memset(r, 0, sizeof *r);
    snprintf(r->dir, sizeof r->dir, "%s/sampler.XXXXXX", HS_TEST_TMP);
    assert_non_null(mkdtemp(r->dir));
    snprintf(r->ranges_path, sizeof r->ranges_path, "%s/ranges", r->dir);

    int gate[2];
    assert_int_equal(pipe(gate), 0);
    pid_t child = fork();
    assert_true(child >= 0);
    if (child == 0) {
        char c;
        close(gate[1]);
        if (read(gate[0], &c, 1) != 1)
            _exit(126);
        execl(FX_FAULTS, "fx_faults", r->ranges_path, mode, arg, (char *)NULL);
        _exit(127);
    }
    close(gate[0]);
    struct hs_fault_sampler *s;
    struct hs_error err = {{0}};
    int rc = hs_fault_sampler_start(child, r->dir, &s, &err);
    assert_int_equal(rc, 0);
    if (!s)
        fail_msg("%s", err.msg);
    assert_int_equal(write(gate[1], "x", 1), 1);
    close(gate[1]);
    assert_int_equal(waitpid(child, &r->status, 0), child);
    assert_int_equal(hs_fault_sampler_stop(s, &r->stats, &err), 0);

    r->n_ranges = fx_read_ranges(r->ranges_path, r->ranges, 8);
    r->faults = fx_read_faults(r->dir, &r->n_faults, &r->log_flags);
    assert_non_null(r->faults);
    assert_int_equal(r->log_flags & HS_LOG_FAULT_SAMPLES, HS_LOG_FAULT_SAMPLES);
    assert_int_equal(r->stats.n_lost, 0);
    assert_int_equal(r->n_faults, r->stats.n_minor + r->stats.n_major);
    /* Every fault the kernel counted was sampled. */
    assert_int_equal(r->stats.n_counted, r->n_faults);
}

static void free_run(struct run *r)
{
    free(r->faults);
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", r->dir);
    assert_int_equal(system(cmd), 0);
}

static void test_fault_sampler__touch_256_pages(void **state)
{
    struct run r;
    run_fixture(&r, "touch", NULL);
    assert_true(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0);
    assert_int_equal(r.n_ranges, 1);
    assert_int_equal(fx_count(r.faults, r.n_faults, r.ranges[0].start, r.ranges[0].end, 0), 256);
    /* The fault address is the byte written, and the pid is the child's. */
    for (uint64_t i = 0; i < r.n_faults; i++) {
        const struct hs_record *f = &r.faults[i];
        assert_int_equal(f->op, HS_OP_PAGE_FAULT);
        assert_int_equal(f->seq, 0);
        assert_true(f->ts_ns > 0);
        if (f->u.call.ptr >= r.ranges[0].start && f->u.call.ptr < r.ranges[0].end) {
            assert_int_equal((f->u.call.ptr - r.ranges[0].start) % 4096, 0);
            assert_int_equal(f->tid, r.ranges[0].tid);
            assert_int_equal(f->u.call.size, (uint64_t)r.ranges[0].tid);
            assert_int_equal(f->flags & HS_F_MAJOR_FAULT, 0);
        }
    }
    free_run(&r);
}

static void test_fault_sampler__remap_refaults(void **state)
{
    struct run r;
    run_fixture(&r, "remap", NULL);
    assert_int_equal(r.n_ranges, 2);
    uint64_t in_first = fx_count(r.faults, r.n_faults, r.ranges[0].start, r.ranges[0].end, 0);
    uint64_t in_second = fx_count(r.faults, r.n_faults, r.ranges[1].start, r.ranges[1].end, 0);
    if (r.ranges[0].start == r.ranges[1].start) {
        /* The kernel gave the same address back: every page faults twice. */
        assert_int_equal(in_first, 512);
    } else {
        assert_int_equal(in_first, 256);
        assert_int_equal(in_second, 256);
    }
    free_run(&r);
}

static void test_fault_sampler__threads_per_tid(void **state)
{
    struct run r;
    run_fixture(&r, "threads", "40");
    assert_int_equal(r.n_ranges, 4);
    for (int i = 0; i < 4; i++) {
        assert_int_equal(
            fx_count(r.faults, r.n_faults, r.ranges[i].start, r.ranges[i].end, r.ranges[i].tid),
            40);
        assert_int_equal(fx_count(r.faults, r.n_faults, r.ranges[i].start, r.ranges[i].end, 0), 40);
    }
    free_run(&r);
}

static void test_fault_sampler__survives_crash(void **state)
{
    struct run r;
    run_fixture(&r, "crash", NULL);
    assert_true(WIFSIGNALED(r.status) && WTERMSIG(r.status) == SIGSEGV);
    assert_int_equal(r.n_ranges, 1);
    assert_int_equal(fx_count(r.faults, r.n_faults, r.ranges[0].start, r.ranges[0].end, 0), 256);
    free_run(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fault_sampler__touch_256_pages),
        cmocka_unit_test(test_fault_sampler__remap_refaults),
        cmocka_unit_test(test_fault_sampler__threads_per_tid),
        cmocka_unit_test(test_fault_sampler__survives_crash),
    };
    return cmocka_run_group_tests_name("fault_sampler", tests, NULL, NULL);
}
