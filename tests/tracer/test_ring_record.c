/*
 * test_ring_record.c - ring mode end to end: `heapscope record` (which sets
 * HS_RING=1 and drains the rings while the program runs) on the tracer's
 * fixtures, with rings of 256 records so that every run wraps many times.
 * Exact counts in the SQLite trace afterwards: every crash mode, threads,
 * fork, exec. The heapscope command is forked; this runner is never
 * preloaded.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "heapscope/event.h"
#include "sql_int.h"

struct rec {
    char dir[256], db[300];
    int code;
    char err[8192];
};

/* heapscope record -o DIR/t.db -- FX_DIR/fixture args... */
static void record(struct rec *r, const char *fixture, const char *const *args)
{
    char cwd[200];
    assert_non_null(getcwd(cwd, sizeof cwd));
    snprintf(r->dir, sizeof r->dir, "%s/hs-ring-%s-XXXXXX", cwd, fixture);
    assert_non_null(mkdtemp(r->dir));
    snprintf(r->db, sizeof r->db, "%s/t.db", r->dir);
    char exe[512], errpath[300];
    snprintf(exe, sizeof exe, "%s/%s", FX_DIR, fixture);
    snprintf(errpath, sizeof errpath, "%s/stderr", r->dir);
    const char *argv[32] = {HEAPSCOPE_BIN, "record", "--no-faults", "-o", r->db, "--", exe};
    size_t a = 7;
    for (size_t i = 0; args && args[i]; i++)
        argv[a++] = args[i];
    argv[a] = NULL;
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        FILE *e = freopen(errpath, "w", stderr);
        (void)e;
        setenv("HS_TRACER", HS_TRACER_PATH, 1);
        setenv("HS_RING_RECORDS", "256", 1);
        unsetenv("HS_RING");
        execv(argv[0], (char *const *)argv);
        _exit(99);
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    r->code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    FILE *f = fopen(errpath, "r");
    size_t n = f ? fread(r->err, 1, sizeof r->err - 1, f) : 0;
    r->err[n] = '\0';
    if (f)
        fclose(f);
}

/* One integer from the trace this run wrote (tests/common/sql_int.h). */
#define q(r, ...) test_sql_int((r)->db, (r)->err, __VA_ARGS__)

static void done(struct rec *r)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", r->dir);
    assert_int_equal(system(cmd), 0);
}

/* Every process log came from a ring and lost nothing. */
static void assert_ring_logs(const struct rec *r, long long n_processes)
{
    assert_int_equal(q(r, "SELECT count(*) FROM processes"), n_processes);
    assert_int_equal(q(r, "SELECT count(*) FROM processes WHERE log_flags & %u", HS_LOG_RING),
                     n_processes);
    assert_int_equal(q(r, "SELECT sum(n_lost) FROM processes"), 0);
}

static void crash_case(const char *mode, int want_code)
{
    struct rec r;
    const char *args[] = {mode, "1000", NULL};
    record(&r, "fx_crash", args);
    assert_int_equal(r.code, want_code);
    assert_ring_logs(&r, 1);
    assert_int_equal(q(&r, "SELECT count(*) FROM events WHERE op = 'malloc' AND size = 32"), 1000);
    assert_int_equal(q(&r, "SELECT count(*) FROM events WHERE op = 'free'"), 500);
    assert_int_equal(q(&r, "SELECT count(*) FROM marks"), 2);
    /* the snapshot after the last mark made it too; no exit record */
    assert_int_equal(q(&r, "SELECT count(*) FROM mallinfo"), 2);
    assert_int_equal(q(&r, "SELECT count(*) FROM events WHERE op = 'exit'"), 0);
    done(&r);
}

static void test_ring_record__segv(void **state)
{
    crash_case("segv", 128 + 11);
}

static void test_ring_record__abort(void **state)
{
    crash_case("abort", 128 + 6);
}

static void test_ring_record__exit(void **state)
{
    crash_case("_exit", 3);
}

static void test_ring_record__kill(void **state)
{
    crash_case("kill", 128 + 9);
}

static void test_ring_record__threads(void **state)
{
    struct rec r;
    const char *args[] = {"20000", NULL};
    record(&r, "fx_threads", args);
    assert_int_equal(r.code, 0);
    assert_ring_logs(&r, 1);
    assert_int_equal(q(&r, "SELECT count(*) FROM events WHERE op = 'malloc' AND size = 77"), 80000);
    assert_int_equal(
        q(&r, "SELECT count(DISTINCT seq) FROM events WHERE op = 'malloc' AND size = 77"), 80000);
    assert_int_equal(
        q(&r, "SELECT count(DISTINCT tid) FROM events WHERE op = 'malloc' AND size = 77"), 4);
    /* each size-77 block freed exactly once, after its malloc */
    assert_int_equal(q(&r, "SELECT count(*) FROM blocks WHERE size = 77 AND free_seq > alloc_seq"),
                     80000);
    /* 160000 events through 256 slots: the writers found the ring full and
     * waited, and record says how often and how long */
    assert_non_null(strstr(r.err, "heapscope record: the program waited "));
    assert_non_null(strstr(r.err, " ms in all, for the recorder to empty a full ring"));
    done(&r);
}

static void test_ring_record__fork(void **state)
{
    struct rec r;
    record(&r, "fx_fork", NULL);
    assert_int_equal(r.code, 0);
    assert_ring_logs(&r, 2);
    assert_int_equal(q(&r, "SELECT count(*) FROM events WHERE op = 'malloc' AND size = 111"), 3);
    assert_int_equal(q(&r, "SELECT count(*) FROM events WHERE op = 'malloc' AND size = 222"), 5);
    assert_int_equal(q(&r, "SELECT count(*) FROM events WHERE op = 'malloc' AND size = 333"), 1);
    assert_int_equal(q(&r, "SELECT count(DISTINCT pid) FROM events WHERE op = 'malloc'"
                           " AND size IN (111, 222)"),
                     2);
    assert_int_equal(q(&r, "SELECT count(*) FROM events WHERE op = 'exit'"), 2);
    done(&r);
}

static void test_ring_record__exec(void **state)
{
    struct rec r;
    record(&r, "fx_exec", NULL);
    assert_int_equal(r.code, 0);
    assert_ring_logs(&r, 2);
    assert_int_equal(q(&r, "SELECT count(DISTINCT pid) FROM processes"), 1);
    assert_int_equal(q(&r, "SELECT max(exec_gen) FROM processes"), 1);
    assert_int_equal(q(&r, "SELECT count(*) FROM events e JOIN processes p ON e.pid = p.pid"
                           " WHERE e.op = 'malloc' AND e.size = 4441 AND p.exec_gen = 0"
                           " AND e.seq < (SELECT min(seq) FROM events WHERE size = 4442)"),
                     1);
    assert_int_equal(q(&r, "SELECT count(*) FROM events WHERE op = 'malloc' AND size = 4442"), 1);
    done(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ring_record__segv),    cmocka_unit_test(test_ring_record__abort),
        cmocka_unit_test(test_ring_record__exit),    cmocka_unit_test(test_ring_record__kill),
        cmocka_unit_test(test_ring_record__threads), cmocka_unit_test(test_ring_record__fork),
        cmocka_unit_test(test_ring_record__exec),
    };
    return cmocka_run_group_tests_name("ring-record", tests, NULL, NULL);
}
