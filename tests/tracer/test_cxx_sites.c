/*
 * test_cxx_sites.c - C++ call sites: `heapscope record` on fx_cxx (a C++
 * program doing new/delete from functions at known lines) and exact checks
 * in the SQLite trace that the tracer's operator new/delete hooks give each
 * malloc/free the program's call site, not libstdc++'s: every caller lies
 * in the fixture executable's mapping (processes.maps), `heapscope sites
 * --json` names fx_cxx.cpp:LINE, and a throwing new leaves the next
 * allocations attributed correctly. The same code as a plugin that a C
 * program dlopens after the tracer started (fx_dlopen_cxx, libstdc++ found
 * late) gets the same attribution and names, and its huge new still
 * throws. The
 * heapscope command is forked; this runner is never preloaded.
 */
#define _GNU_SOURCE
#include <inttypes.h>
#include <setjmp.h>
#include <signal.h>
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
    uint64_t lo, hi;     /* the fixture executable's mapping: [lo, hi) */
    const char *preload; /* LD_PRELOAD for heapscope record (another allocator) */
};

/* Runs ARGV (NULL-terminated) with stdout to DIR/NAME; returns its status. */
static int run(const struct rec *r, const char *const *argv, const char *out_name)
{
    char out[400];
    snprintf(out, sizeof out, "%s/%s", r->dir, out_name);
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        if (!freopen(out, "w", stdout))
            _exit(98);
        char errpath[400];
        snprintf(errpath, sizeof errpath, "%s/stderr", r->dir);
        if (!freopen(errpath, "a", stderr))
            _exit(98);
        setenv("HS_TRACER", HS_TRACER_PATH, 1);
        if (r->preload)
            setenv("LD_PRELOAD", r->preload, 1);
        else
            unsetenv("LD_PRELOAD");
        execv(argv[0], (char *const *)argv);
        _exit(99);
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static size_t slurp(const struct rec *r, const char *name, char *buf, size_t cap)
{
    char path[400];
    snprintf(path, sizeof path, "%s/%s", r->dir, name);
    FILE *f = fopen(path, "r");
    size_t n = f ? fread(buf, 1, cap - 1, f) : 0;
    buf[n] = '\0';
    if (f)
        fclose(f);
    return n;
}

/* One integer from the trace this run wrote (tests/common/sql_int.h). */
#define q(r, ...) test_sql_int((r)->db, (r)->err, __VA_ARGS__)

/* [lo, hi) of the lines of processes.maps that map the fixture. */
static void fixture_range(struct rec *r)
{
    sqlite3 *db;
    sqlite3_stmt *s;
    assert_int_equal(sqlite3_open_v2(r->db, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT maps FROM processes", -1, &s, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    const char *maps = (const char *)sqlite3_column_text(s, 0);
    assert_non_null(maps);
    r->lo = UINT64_MAX;
    r->hi = 0;
    for (const char *line = maps; line && *line;) {
        const char *nl = strchr(line, '\n');
        size_t len = nl ? (size_t)(nl - line) : strlen(line);
        uint64_t a, b;
        if (len > 7 && memcmp(line + len - 7, "/fx_cxx", 7) == 0 &&
            sscanf(line, "%" SCNx64 "-%" SCNx64, &a, &b) == 2) {
            r->lo = a < r->lo ? a : r->lo;
            r->hi = b > r->hi ? b : r->hi;
        }
        line = nl ? nl + 1 : NULL;
    }
    sqlite3_finalize(s);
    sqlite3_close(db);
    assert_true(r->lo < r->hi);
}

/* Records PROGRAM [ARG [ARG2]] into a new directory's t.db; fails the test
 * unless record exits with `expect` (PROGRAM's status). Its stdout is left
 * in DIR/record.out. */
static void record_as(struct rec *r, const char *program, const char *arg, const char *arg2,
                      int expect)
{
    char cwd[200];
    assert_non_null(getcwd(cwd, sizeof cwd));
    snprintf(r->dir, sizeof r->dir, "%s/hs-cxx-XXXXXX", cwd);
    assert_non_null(mkdtemp(r->dir));
    snprintf(r->db, sizeof r->db, "%s/t.db", r->dir);
    const char *rec_argv[] = {HEAPSCOPE_BIN, "record", "--no-faults", "-o", r->db, "--",
                              program,       arg,      arg2,          NULL};
    r->code = run(r, rec_argv, "record.out");
    slurp(r, "stderr", r->err, sizeof r->err);
    if (r->code != expect)
        fail_msg("heapscope record: status %d, not %d: %s", r->code, expect, r->err);
}

static void record(struct rec *r, const char *program, const char *arg)
{
    record_as(r, program, arg, NULL, 0);
}

static void remove_dir(const struct rec *r)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", r->dir);
    assert_int_equal(system(cmd), 0);
}

/* Every block fx_cxx.cpp's code news has its caller (and, freed, its free
 * caller) in [r->lo, r->hi), at six distinct sites. */
#define IN_FX(col) #col " >= %" PRIu64 " AND " #col " < %" PRIu64
static void check_program_sites(const struct rec *r)
{
    assert_int_equal(q(r, "SELECT count(*) FROM events WHERE op = 'aligned_alloc' AND size = 192"),
                     1);
    assert_int_equal(q(r,
                       "SELECT count(*) FROM blocks WHERE size IN (4, 100, 40, 192, 333, 28) "
                       "AND " IN_FX(caller),
                       r->lo, r->hi),
                     6);
    assert_int_equal(q(r,
                       "SELECT count(*) FROM blocks WHERE size IN (4, 100, 40, 192, 28) "
                       "AND free_seq IS NOT NULL AND " IN_FX(free_caller),
                       r->lo, r->hi),
                     5);
    assert_int_equal(q(r, "SELECT count(*) FROM blocks WHERE size = 333 AND free_seq IS NULL"), 1);
    /* six distinct call sites, not one inside libstdc++ */
    assert_int_equal(q(r, "SELECT count(DISTINCT caller) FROM blocks "
                          "WHERE size IN (4, 100, 40, 192, 333, 28)"),
                     6);
}

/* heapscope sites names fx_cxx.cpp's lines (the file keeps them), the
 * leak's among the live bytes. */
static void check_sites_json(const struct rec *r)
{
    const char *sites_argv[] = {HEAPSCOPE_BIN, "sites", r->db, "--top", "30", "--json", NULL};
    assert_int_equal(run(r, sites_argv, "sites.json"), 0);
    static char json[65536];
    slurp(r, "sites.json", json, sizeof json);
    static const char *const lines[] = {"fx_cxx.cpp:22", "fx_cxx.cpp:23", "fx_cxx.cpp:24",
                                        "fx_cxx.cpp:25", "fx_cxx.cpp:26", "fx_cxx.cpp:40"};
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++)
        if (!strstr(json, lines[i]))
            fail_msg("sites --json lacks %s: %s", lines[i], json);
    /* C++ names demangled: static int *new_int() is _ZL7new_intv */
    static const char *const names[] = {"\"new_int() (", "\"new_chars() (", "\"leak() ("};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (!strstr(json, names[i]))
            fail_msg("sites --json lacks the demangled %s: %s", names[i], json);
    const char *live = strstr(json, "\"by_live\"");
    assert_non_null(live);
    if (!strstr(live, "fx_cxx.cpp:26)\""))
        fail_msg("the leak is not attributed to fx_cxx.cpp:26: %s", live);
}

/* Records fx_cxx (under PRELOAD, an allocator that defines operator new
 * itself, when not NULL) and checks its call sites. */
static void check_fixture(const char *preload)
{
    struct rec r = {.preload = preload};
    record(&r, FX_DIR "/fx_cxx", NULL);
    fixture_range(&r);

    if (!preload) {
        /* Exact counts. mallocs: 4, 100, 40 (nothrow), 333 (leak), the
         * failed 2^62, 28, plus libstdc++'s own two (its emergency
         * exception pool at startup, and the bad_alloc object); the
         * aligned new is aligned_alloc(64, 192); frees: the five deletes
         * and the exception object. */
        assert_int_equal(q(&r, "SELECT count(*) FROM events WHERE op = 'malloc'"), 8);
        assert_int_equal(q(&r, "SELECT count(*) FROM events WHERE op = 'free'"), 6);
        assert_int_equal(q(&r, "SELECT count(*) FROM events WHERE op IN ('calloc', 'realloc')"), 0);
    } else {
        /* Direct mode: the allocator's operator new never calls malloc;
         * the hooks record the blocks themselves (no glibc chunk). */
        assert_int_equal(q(&r,
                           "SELECT count(*) FROM events WHERE op IN ('malloc', 'aligned_alloc') "
                           "AND size IN (4, 100, 40, 192, 333, 28) AND flags & %u",
                           HS_F_NO_CHUNK),
                         6);
    }
    check_program_sites(&r);
    /* The throwing new: the failed malloc is the program's; the bad_alloc
     * object that follows is libstdc++'s own (the override did not leak to
     * it), and so is the startup pool: exactly two mallocs outside. A
     * throwing new of another allocator is not recorded (it never returns). */
    if (!preload) {
        assert_int_equal(q(&r,
                           "SELECT count(*) FROM events WHERE op = 'malloc' AND flags & %u "
                           "AND size = %llu AND " IN_FX(caller),
                           HS_F_FAILED, 1ull << 62, r.lo, r.hi),
                         1);
        assert_int_equal(
            q(&r, "SELECT count(*) FROM events WHERE op = 'malloc' AND NOT (" IN_FX(caller) ")",
              r.lo, r.hi),
            2);
    } else {
        assert_int_equal(
            q(&r, "SELECT count(*) FROM events WHERE op = 'malloc' AND " IN_FX(caller), r.lo, r.hi),
            5);
    }

    check_sites_json(&r);

    remove_dir(&r);
}

static void test_cxx_sites__glibc(void **state)
{
    (void)state;
    check_fixture(NULL);
}

/* jemalloc defines operator new/delete itself (the tracer's direct mode). */
static void test_cxx_sites__jemalloc(void **state)
{
    (void)state;
#ifdef HS_JEMALLOC_PATH
    check_fixture(HS_JEMALLOC_PATH);
#else
    skip();
#endif
}

/* A C program dlopens the C++ plugin after the tracer started: every new
 * and delete of the plugin is recorded with the plugin's call site, and its
 * huge new throws std::bad_alloc as it would without the tracer (the
 * program exits 0 only if the plugin caught it; an abort would be 134). */
/* Records fx_dlopen_cxx loading PLUGIN (then killed, if `killed`);
 * r->lo/hi: the plugin's range. */
static void record_plugin(struct rec *r, const char *plugin, int killed)
{
    record_as(r, FX_DIR "/fx_dlopen_cxx", plugin, killed ? "killed" : NULL,
              killed ? 128 + SIGKILL : 0);
    char out[256];
    slurp(r, "record.out", out, sizeof out);
    if (sscanf(out, "plugin=%" SCNx64 "-%" SCNx64, &r->lo, &r->hi) != 2 || r->lo >= r->hi)
        fail_msg("fx_dlopen_cxx printed no plugin range: '%s'", out);
}

static void test_cxx_sites__libstdcxx_dlopened_late(void **state)
{
    (void)state;
    struct rec r = {.preload = NULL};
    record_plugin(&r, FX_PLUGIN_PATH, 0);
    check_program_sites(&r);
    /* the plugin is named from the map at exit (processes.maps_end) */
    check_sites_json(&r);
    assert_int_equal(q(&r,
                       "SELECT count(*) FROM events WHERE op = 'malloc' AND flags & %u "
                       "AND size = %llu AND " IN_FX(caller),
                       HS_F_FAILED, 1ull << 62, r.lo, r.hi),
                     1);
    remove_dir(&r);
}

/* A plugin with libstdc++ linked in: no libstdc++ to find, so the hooks
 * serve and record its new/delete themselves (without its huge new: that
 * one would abort, the one case the tracer cannot keep as it is). */
static void test_cxx_sites__libstdcxx_linked_into_plugin(void **state)
{
    (void)state;
    struct rec r = {.preload = NULL};
    record_plugin(&r, FX_PLUGIN_STATIC_PATH, 0);
    check_program_sites(&r);
    remove_dir(&r);
}

/* The same program killed after the plugin ran: no exit record, so no map
 * at exit; the recorder's last copy of its map (drain.c) names the
 * plugin's call sites instead. */
static void test_cxx_sites__plugin_of_a_killed_program(void **state)
{
    (void)state;
    struct rec r = {.preload = NULL};
    record_plugin(&r, FX_PLUGIN_PATH, 1);
    assert_int_equal(q(&r, "SELECT count(*) FROM events WHERE op = 'exit'"), 0);
    check_program_sites(&r);
    check_sites_json(&r);
    remove_dir(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cxx_sites__glibc),
        cmocka_unit_test(test_cxx_sites__jemalloc),
        cmocka_unit_test(test_cxx_sites__libstdcxx_dlopened_late),
        cmocka_unit_test(test_cxx_sites__libstdcxx_linked_into_plugin),
        cmocka_unit_test(test_cxx_sites__plugin_of_a_killed_program),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
