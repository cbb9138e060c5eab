/* test_import.c - the importer on hand-made logs: exact rows in every
 * table, the events view, the cursor, lost slots, and bad input leaving no
 * file behind. */
#define _GNU_SOURCE
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "import.h"
#include "summary.h"
#include "synth_log.h"
#include "trace.h"

/* All rows of sql, columns joined by '|', rows ended by '\n'. */
static char *query(const char *db_path, const char *sql)
{
    sqlite3 *db;
    assert_int_equal(sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
        fail_msg("%s: %s", sql, sqlite3_errmsg(db));
    size_t size = 0;
    char *out = NULL;
    FILE *f = open_memstream(&out, &size);
    while (sqlite3_step(s) == SQLITE_ROW) {
        for (int c = 0; c < sqlite3_column_count(s); c++) {
            const unsigned char *t = sqlite3_column_text(s, c);
            fprintf(f, "%s%s", c ? "|" : "", t ? (const char *)t : "NULL");
        }
        fputc('\n', f);
    }
    fclose(f);
    sqlite3_finalize(s);
    sqlite3_close(db);
    return out;
}

static void assert_query(const char *db, const char *sql, const char *expected)
{
    char *got = query(db, sql);
    if (strcmp(got, expected) != 0)
        fail_msg("%s\n--- expected\n%s--- got\n%s", sql, expected, got);
    free(got);
}

struct warnings {
    char text[2048];
};

static void collect(void *ctx, const char *line)
{
    struct warnings *w = ctx;
    strncat(w->text, line, sizeof w->text - strlen(w->text) - 2);
    strcat(w->text, "\n");
}

static int run_import(const char *logdir, const char *out, struct hs_import_result *res,
                      struct warnings *w, struct hs_error *err)
{
    struct hs_import_options o = {.logdir = logdir, .out_path = out, .warn = collect, .ctx = w};
    memset(w, 0, sizeof *w);
    return hs_import(&o, res, err);
}

/* Imports the logs in dir into dir/t.db, whose path goes to out (4096
 * bytes); an import error fails the test. */
static void import_ok(const char *dir, char *out, struct hs_import_result *res, struct warnings *w)
{
    snprintf(out, 4096, "%s/t.db", dir);
    struct hs_error err;
    if (run_import(dir, out, res, w, &err))
        fail_msg("%s", err.msg);
}

/* Names in dir, sorted, joined by ' '. */
static char *dir_listing(const char *dir)
{
    struct dirent **names;
    int n = scandir(dir, &names, NULL, alphasort);
    assert_true(n >= 0);
    char *out = calloc(1, 4096);
    for (int i = 0; i < n; i++) {
        if (names[i]->d_name[0] != '.') {
            strcat(out, names[i]->d_name);
            strcat(out, " ");
        }
        free(names[i]);
    }
    free(names);
    return out;
}

#define A 0x555555559000ull
#define CALLER 0x555555555100ull

/* One process, two threads, slots out of seq order (see the seq list). */
static void write_one_process(const char *dir)
{
    struct synth_log l;
    synth_init(&l, 100, 0, 1, "/usr/bin/prog");
    synth_call(&l, 1, 100, HS_OP_MALLOC, 0, 1, A + 0x10, 100, 0, 112, CALLER);
    synth_call(&l, 2, 100, HS_OP_BRK, 1, 0, A + 0x21000, 0x21000, A, 0, CALLER);
    synth_call(&l, 3, 101, HS_OP_MALLOC, 0, 1, A + 0x100, 200, 0, 208, CALLER + 0x10);
    /* seq 5 reserved a slot before seq 4 did: slot order != seq order */
    synth_call(&l, 5, 101, HS_OP_REALLOC, 0, 1, A + 0x200, 300, A + 0x100, 320, CALLER + 0x20);
    synth_call(&l, 4, 100, HS_OP_FREE, 0, 1, A + 0x10, 0, 0, 112, CALLER + 0x30);
    synth_mark(&l, 6, 100, "phase-1");
    synth_snapshot(&l, 7, 100, 0);
    synth_call(&l, 10, 100, HS_OP_FREE, 0, 0, 0, 0, 0, 0, CALLER + 0x40);
    synth_call(&l, 11, 100, HS_OP_FREE, 0, 1, 0x9999990, 0, 0, 32, CALLER + 0x50);
    synth_call(&l, 12, 100, HS_OP_MALLOC, 0, 1, A + 0x400, 50, 0, 64, CALLER + 0x60);
    synth_call(&l, 13, 100, HS_OP_CALLOC, 0, HS_F_FAILED, 0, 1ull << 50, 0, 0, CALLER + 0x70);
    synth_call(&l, 14, 100, HS_OP_EXIT, 0, 0, 3, 0, 0, 0, 0);
    synth_snapshot(&l, 15, 100, 100);
    synth_write(&l, dir, 0);
    char maps_path[4096];
    snprintf(maps_path, sizeof maps_path, "%s/100.0.maps", dir);
    FILE *maps = fopen(maps_path, "w");
    fputs("555555554000-555555556000 r-xp 00001000 08:01 42 /usr/bin/prog\n"
          "7ffff7dd0000-7ffff7df0000 r-xp 00000000 08:01 43 /usr/lib/libc.so.6\n",
          maps);
    fclose(maps);
}

static void test_import__one_process_exact_rows(void **state)
{
    (void)state;
    char *dir = synth_tmpdir(), out[4096];
    write_one_process(dir);
    struct hs_import_result res;
    struct warnings w;
    import_ok(dir, out, &res, &w);
    assert_string_equal(w.text, "");
    assert_int_equal(res.n_events, 11);
    assert_int_equal(res.n_records, 17);
    assert_int_equal(res.n_lost, 0);
    assert_int_equal(res.n_processes, 1);
    assert_int_equal(res.n_blocks, 4);
    assert_int_equal(res.n_live, 2);

    assert_query(
        out,
        "SELECT alloc_seq, proc, tid, alloc_ts_ns, op, printf('%x', ptr),"
        " size, chunk_size, flags, printf('%x', caller), printf('%x', old_ptr),"
        " free_seq, free_ts_ns, free_tid, free_op, printf('%x', free_caller)"
        " FROM blocks ORDER BY alloc_seq",
        "1|1|NULL|1000|1|555555559010|100|112|1|555555555100|0|4|4000|NULL|5|555555555130\n"
        "3|1|101|3000|1|555555559100|200|208|1|555555555110|0|5|5000|NULL|3|555555555120\n"
        "5|1|101|5000|3|555555559200|300|320|1|555555555120|555555559100|NULL|NULL|NULL|NULL|0\n"
        "12|1|NULL|12000|1|555555559400|50|64|1|555555555160|0|NULL|NULL|NULL|NULL|0\n");
    assert_query(out,
                 "SELECT seq, op, origin, flags, printf('%x', ptr), size, printf('%x', old_ptr),"
                 " chunk_size FROM sys_events",
                 "2|13|1|0|55555557a000|135168|555555559000|0\n"
                 "10|5|0|0|0|0|0|0\n"
                 "11|5|0|1|9999990|0|0|32\n"
                 "13|2|0|256|0|1125899906842624|0|0\n"
                 "14|23|0|0|3|0|0|0\n");
    assert_query(out, "SELECT * FROM marks", "1|6|1|100|100|6000|phase-1|0\n");
    assert_query(
        out, "SELECT * FROM mallinfo ORDER BY seq",
        "6|mark|1|1|100|100|6000|1|2|3|4|5|6|7|8|9|10|11|12|13|14\n"
        "14|exit|NULL|1|100|100|14000|101|102|103|104|105|106|107|108|109|110|111|112|113|114\n");
    assert_query(out,
                 "SELECT seq, pid, tid, ts_ns, op, printf('%x', ptr), size,"
                 " iif(old_ptr IS NULL, 'NULL', printf('%x', old_ptr)),"
                 " chunk_size, origin, label FROM events ORDER BY seq",
                 "1|100|100|1000|malloc|555555559010|100|NULL|112|program|NULL\n"
                 "2|100|100|2000|brk|55555557a000|135168|555555559000|0|allocator|NULL\n"
                 "3|100|101|3000|malloc|555555559100|200|NULL|208|program|NULL\n"
                 "4|100|100|4000|free|555555559010|100|NULL|112|program|NULL\n"
                 "5|100|101|5000|realloc|555555559200|300|555555559100|320|program|NULL\n"
                 "6|100|100|6000|mark|1|NULL|NULL|NULL|program|phase-1\n"
                 "10|100|100|10000|free|0|0|0|0|program|NULL\n"
                 "11|100|100|11000|free|9999990|0|0|32|program|NULL\n"
                 "12|100|100|12000|malloc|555555559400|50|NULL|64|program|NULL\n"
                 "13|100|100|13000|calloc|0|1125899906842624|0|0|program|NULL\n"
                 "14|100|100|14000|exit|3|0|0|0|program|NULL\n");
    assert_query(
        out,
        "SELECT proc, pid, exec_gen, ppid, exe, argv, env, start_ts_ns, end_ts_ns, exit_code,"
        " exit_signal, glibc_malloc, n_events, n_lost, length(maps) FROM processes",
        "1|100|0|1|/usr/bin/prog|[\"prog\",\"arg 1\"]|MALLOC_ARENA_MAX=2\n"
        "GLIBC_TUNABLES=glibc.malloc.tcache_count=0|500|17000|3|NULL|1|11|0|131\n");
    assert_query(
        out,
        "SELECT key || '=' || value FROM meta WHERE key IN ('schema_version', 'format_version',"
        " 'n_events', 'last_seq', 'n_lost', 'glibc_malloc', 'start_ts_ns') ORDER BY key",
        "format_version=1\nglibc_malloc=1\nlast_seq=17\nn_events=11\nn_lost=0\n"
        "schema_version=4\nstart_ts_ns=500\n");
    assert_query(out, "SELECT count(*), sum(n_events) FROM event_chunks", "1|11\n");

    /* The cursor gives the same events, with the free's size filled in. */
    struct hs_error err;
    struct hs_trace *t;
    if (hs_trace_open(out, &t, &err))
        fail_msg("%s", err.msg);
    assert_int_equal(hs_trace_n_events(t), 11);
    assert_int_equal(hs_trace_last_seq(t), 17);
    assert_int_equal(hs_trace_is_glibc(t), 1);
    struct hs_cursor *c;
    assert_int_equal(hs_cursor_open(t, 4, 0, &c, &err), 0);
    struct hs_event ev;
    assert_int_equal(hs_cursor_next(c, &ev, &err), 1);
    assert_int_equal(ev.seq, 4);
    assert_int_equal(ev.op, HS_OP_FREE);
    assert_int_equal(ev.size, 100);
    assert_int_equal(ev.chunk_size, 112);
    assert_int_equal(ev.ptr, A + 0x10);
    assert_int_equal(ev.caller, CALLER + 0x30);
    assert_int_equal(ev.flags, 1);
    assert_int_equal(hs_cursor_next(c, &ev, &err), 1);
    assert_int_equal(ev.seq, 5);
    assert_int_equal(ev.old_ptr, A + 0x100);
    assert_int_equal(ev.tid, 101);
    assert_int_equal(hs_cursor_next(c, &ev, &err), 1);
    assert_int_equal(ev.op, HS_OP_MARK);
    assert_int_equal(ev.ptr, 1);
    int n = 3;
    while (hs_cursor_next(c, &ev, &err) == 1)
        n++;
    assert_int_equal(n, 8);
    hs_cursor_close(c);

    const struct hs_mark *marks;
    uint64_t n_marks;
    assert_int_equal(hs_trace_marks(t, &marks, &n_marks, &err), 0);
    assert_int_equal(n_marks, 1);
    assert_string_equal(marks[0].label, "phase-1");
    assert_int_equal(marks[0].seq, 6);
    assert_int_equal(marks[0].has_mallinfo, 1);
    assert_int_equal(marks[0].mallinfo.arena, 1);
    assert_int_equal(marks[0].mallinfo.keepcost, 10);
    assert_int_equal(marks[0].brk, 11);
    assert_ptr_equal(hs_trace_find_mark(t, "phase-1"), &marks[0]);
    assert_null(hs_trace_find_mark(t, "phase-2"));

    struct hs_summary s;
    assert_int_equal(hs_summary_compute(t, &s, &err), 0);
    assert_int_equal(s.n_events, 11);
    assert_int_equal(s.n_by_op_origin[HS_OP_MALLOC][0], 3);
    assert_int_equal(s.n_by_op_origin[HS_OP_FREE][0], 3);
    assert_int_equal(s.n_by_op_origin[HS_OP_BRK][1], 1);
    assert_int_equal(s.peak_live_size, 350);
    assert_int_equal(s.peak_live_size_seq, 12);
    assert_int_equal(s.peak_live_chunk, 384);
    assert_int_equal(s.n_processes, 1);
    assert_int_equal(s.processes[0].n_live, 2);
    assert_int_equal(s.processes[0].live_size, 350);
    assert_int_equal(s.processes[0].live_chunk_size, 384);
    assert_int_equal(s.processes[0].exit_code, 3);
    hs_summary_free(&s);

    struct hs_leak_site *sites;
    uint64_t n_sites;
    assert_int_equal(hs_leaks_compute(t, &sites, &n_sites, &err), 0);
    assert_int_equal(n_sites, 2);
    assert_int_equal(sites[0].caller, CALLER + 0x20);
    assert_int_equal(sites[0].size, 300);
    assert_string_equal(sites[0].module, "/usr/bin/prog");
    assert_int_equal(sites[0].module_offset, 0x1000 + 0x1120);
    assert_int_equal(sites[1].size, 50);
    free(sites);
    hs_trace_close(t);
    synth_rmtree(dir);
    free(dir);
}

/* A parent, its fork child, and the child after exec: equal addresses in
 * different process images never match each other. */
static void test_import__processes_keep_addresses_apart(void **state)
{
    (void)state;
    char *dir = synth_tmpdir(), out[4096];
    struct synth_log p, c0, c1;
    synth_init(&p, 100, 0, 1, "/bin/parent");
    synth_init(&c0, 200, 0, 100, "/bin/parent");
    synth_init(&c1, 200, 1, 100, "/bin/child");
    synth_call(&p, 1, 100, HS_OP_MALLOC, 0, 1, A, 10, 0, 32, CALLER);
    synth_call(&p, 2, 100, HS_OP_FORK, 0, 0, 200, 0, 0, 0, CALLER);
    synth_call(&c0, 3, 200, HS_OP_MALLOC, 0, 1, A, 20, 0, 32, CALLER);
    synth_call(&c0, 4, 200, HS_OP_FREE, 0, 1, A, 0, 0, 32, CALLER);
    synth_call(&c1, 5, 200, HS_OP_FREE, 0, 1, A, 0, 0, 32, CALLER);
    synth_call(&p, 6, 100, HS_OP_FREE, 0, 1, A, 0, 0, 32, CALLER);
    synth_write(&p, dir, 0);
    synth_write(&c0, dir, 0);
    synth_write(&c1, dir, 0);
    struct hs_import_result res;
    struct warnings w;
    import_ok(dir, out, &res, &w);
    assert_int_equal(res.n_processes, 3);
    assert_query(out,
                 "SELECT alloc_seq, pid, exec_gen, size, free_seq FROM blocks"
                 " JOIN processes USING (proc)",
                 "1|100|0|10|6\n3|200|0|20|4\n");
    assert_query(out,
                 "SELECT seq, pid, exec_gen, op FROM sys_events JOIN processes USING (proc, pid)",
                 "2|100|0|22\n5|200|1|5\n");
    assert_query(out,
                 "SELECT pid, exec_gen, ppid, exe, n_events FROM processes ORDER BY pid, exec_gen",
                 "100|0|1|/bin/parent|3\n200|0|100|/bin/parent|2\n200|1|100|/bin/child|1\n");
    assert_query(out, "SELECT group_concat(op, ' ') FROM (SELECT op FROM events ORDER BY seq)",
                 "malloc fork malloc free free free\n");
    synth_rmtree(dir);
    free(dir);
}

/* After an exec the old image's blocks no longer count as live. */
static void test_import__summary_forgets_the_heap_at_exec(void **state)
{
    (void)state;
    char *dir = synth_tmpdir(), out[4096];
    struct synth_log g0, g1;
    synth_init(&g0, 200, 0, 1, "/bin/before");
    synth_init(&g1, 200, 1, 1, "/bin/after");
    g1.header.start_mono_ns = 1500; /* after seq 1 (ts 1000), before seq 2 */
    synth_call(&g0, 1, 200, HS_OP_MALLOC, 0, 1, A, 100, 0, 112, CALLER);
    synth_call(&g1, 2, 200, HS_OP_MALLOC, 0, 1, A + 0x1000, 50, 0, 64, CALLER);
    synth_write(&g0, dir, 0);
    synth_write(&g1, dir, 0);
    struct hs_import_result res;
    struct warnings w;
    import_ok(dir, out, &res, &w);
    struct hs_error err;
    struct hs_trace *t;
    assert_int_equal(hs_trace_open(out, &t, &err), 0);
    struct hs_summary s;
    assert_int_equal(hs_summary_compute(t, &s, &err), 0);
    assert_int_equal(s.peak_live_size, 100);
    assert_int_equal(s.peak_live_size_seq, 1);
    assert_int_equal(s.peak_live_chunk, 112);
    assert_int_equal(s.n_processes, 2);
    assert_int_equal(s.processes[0].live_size, 100);
    assert_int_equal(s.processes[1].live_size, 50);
    hs_summary_free(&s);
    hs_trace_close(t);
    synth_rmtree(dir);
    free(dir);
}

static void test_import__lost_slots_are_reported(void **state)
{
    (void)state;
    char *dir = synth_tmpdir(), out[4096];
    struct synth_log l;
    synth_init(&l, 100, 0, 1, "/bin/crash");
    synth_call(&l, 1, 100, HS_OP_MALLOC, 0, 1, A, 10, 0, 32, CALLER);
    synth_lost(&l);
    synth_call(&l, 3, 100, HS_OP_MALLOC, 0, 1, A + 32, 10, 0, 32, CALLER);
    synth_write(&l, dir, 2); /* two more reserved than the file holds */
    struct hs_import_result res;
    struct warnings w;
    import_ok(dir, out, &res, &w);
    assert_string_equal(
        w.text, "process 100: 3 reserved slots never committed (the program died mid-write)\n");
    assert_int_equal(res.n_lost, 3);
    assert_int_equal(res.n_events, 2);
    assert_query(out, "SELECT n_lost FROM processes", "3\n");
    assert_query(out, "SELECT value FROM meta WHERE key = 'n_lost'", "3\n");
    synth_rmtree(dir);
    free(dir);
}

/* A full log (HS_LOG_MAX_EVENTS reached): the slot reserved past the limit
 * is named as such, not as a program that died mid-write. */
static void test_import__full_log_names_its_lost_slot(void **state)
{
    (void)state;
    char *dir = synth_tmpdir(), out[4096];
    struct synth_log l;
    synth_init(&l, 100, 0, 1, "/bin/full");
    synth_call(&l, 1, 100, HS_OP_MALLOC, 0, 1, A, 10, 0, 32, CALLER);
    synth_call(&l, 2, 100, HS_OP_MALLOC, 0, 1, A + 32, 10, 0, 32, CALLER);
    l.header.flags |= HS_LOG_FULL;
    synth_write(&l, dir, 1);
    struct hs_import_result res;
    struct warnings w;
    import_ok(dir, out, &res, &w);
    assert_string_equal(
        w.text, "process 100: 1 reserved slot never committed (reserved past the log's limit)\n"
                "process 100: the log reached its size limit; later events were dropped\n");
    assert_int_equal(res.n_lost, 1);
    assert_int_equal(res.n_events, 2);
    synth_rmtree(dir);
    free(dir);
}

/* A log cut mid-record is read to its last whole record; a log too short
 * for its header is skipped with a warning. */
static void test_import__truncated_logs(void **state)
{
    (void)state;
    char *dir = synth_tmpdir(), out[4096], path[4096], expected[8192];
    struct synth_log l;
    synth_init(&l, 300, 0, 1, "/bin/cut");
    for (unsigned i = 0; i < 4; i++)
        synth_call(&l, 1 + i, 300, HS_OP_MALLOC, 0, 1, A + 64 * i, 10, 0, 32, CALLER);
    synth_write(&l, dir, 0);
    snprintf(path, sizeof path, "%s/300.0.hslog", dir);
    assert_int_equal(truncate(path, HS_LOG_HEADER_SIZE + 2 * HS_RECORD_SIZE + 10), 0);
    snprintf(path, sizeof path, "%s/301.0.hslog", dir);
    FILE *f = fopen(path, "w");
    fputs("HSLOG", f);
    fclose(f);
    struct hs_import_result res;
    struct warnings w;
    import_ok(dir, out, &res, &w);
    snprintf(
        expected, sizeof expected,
        "'%s/301.0.hslog': truncated log: 5 bytes, shorter than its 4096-byte header; skipped it\n"
        "process 300: 2 reserved slots never committed (the program died mid-write)\n",
        dir);
    assert_string_equal(w.text, expected);
    assert_int_equal(res.n_events, 2);
    assert_int_equal(res.n_lost, 2);
    assert_int_equal(res.n_skipped, 0);
    assert_int_equal(res.n_skipped_logs, 1);
    assert_query(out, "SELECT count(*), sum(free_seq IS NULL) FROM blocks", "2|2\n");
    synth_rmtree(dir);
    free(dir);
}

static void expect_failure(const char *dir, const char *out, const char *message,
                           const char *listing)
{
    struct hs_import_result res;
    struct warnings w;
    struct hs_error err;
    assert_true(run_import(dir, out, &res, &w, &err) < 0);
    assert_string_equal(err.msg, message);
    char *got = dir_listing(dir);
    assert_string_equal(got, listing);
    free(got);
}

static void test_import__bad_input_leaves_nothing(void **state)
{
    (void)state;
    char *dir = synth_tmpdir(), out[4096], msg[8192];
    snprintf(out, sizeof out, "%s/t.db", dir);

    snprintf(msg, sizeof msg, "'%s' holds no readable heapscope log (<pid>.<gen>.hslog)", dir);
    expect_failure(dir, out, msg, "");

    struct synth_log l;
    synth_init(&l, 100, 0, 1, "/bin/x");
    synth_call(&l, 1, 100, HS_OP_MALLOC, 0, 1, A, 10, 0, 32, CALLER);
    synth_call(&l, 1, 100, HS_OP_FREE, 0, 1, A, 0, 0, 32, CALLER);
    synth_write(&l, dir, 0);
    snprintf(msg, sizeof msg,
             "%s/100.0.hslog: record 1 has seq 1, which another record already has", dir);
    expect_failure(dir, out, msg, "100.0.hslog ");

    synth_init(&l, 100, 0, 1, "/bin/x");
    synth_call(&l, 1ull << 40, 100, HS_OP_MALLOC, 0, 1, A, 10, 0, 32, CALLER);
    synth_write(&l, dir, 0);
    snprintf(msg, sizeof msg,
             "'%s': a record has seq 1099511627776, but all logs together reserved only 1 slots",
             dir);
    expect_failure(dir, out, msg, "100.0.hslog ");

    synth_init(&l, 100, 0, 1, "/bin/x");
    l.header.format_version = HS_FORMAT_VERSION + 1;
    synth_write(&l, dir, 0);
    snprintf(msg, sizeof msg,
             "'%s/100.0.hslog': log format version %u is newer than this build's %u", dir,
             HS_FORMAT_VERSION + 1, HS_FORMAT_VERSION);
    expect_failure(dir, out, msg, "100.0.hslog ");

    snprintf(out, sizeof out, "%s/no/such/dir/t.db", dir);
    snprintf(msg, sizeof msg, "cannot write trace '%s': No such file or directory", out);
    expect_failure(dir, out, msg, "100.0.hslog ");

    /* A failed import leaves an existing trace as it was. */
    snprintf(out, sizeof out, "%s/old.db", dir);
    FILE *f = fopen(out, "w");
    fputs("previous", f);
    fclose(f);
    snprintf(msg, sizeof msg,
             "'%s/100.0.hslog': log format version %u is newer than this build's %u", dir,
             HS_FORMAT_VERSION + 1, HS_FORMAT_VERSION);
    expect_failure(dir, out, msg, "100.0.hslog old.db ");
    synth_rmtree(dir);
    free(dir);
}

/* Blocks that stay live while more than 2^18 newer ones come and go are
 * parked: their rows reach the blocks B-tree out of rowid order, when
 * freed or at the end, and are merged into the leaves they belong to. */
static void test_import__parked_rows_merge_into_blocks(void **state)
{
    (void)state;
    char *dir = synth_tmpdir(), out[4096];
    struct synth_log l;
    synth_init(&l, 100, 0, 1, "/usr/bin/prog");
    uint64_t seq = 1, pairs = 300000;
    synth_call(&l, seq++, 100, HS_OP_MALLOC, 0, 1, A, 10, 0, 32, CALLER);        /* live at exit */
    synth_call(&l, seq++, 101, HS_OP_MALLOC, 0, 1, A + 0x20, 20, 0, 32, CALLER); /* freed last */
    for (uint64_t i = 0; i < pairs; i++) {
        uint64_t p = A + 0x1000 + (i % 64) * 0x40;
        if (i == 1000) /* one more long-lived block, freed by another thread */
            synth_call(&l, seq++, 100, HS_OP_MALLOC, 0, 1, A + 0x40, 30, 0, 48, CALLER + 1);
        synth_call(&l, seq++, 100, HS_OP_MALLOC, 0, 1, p, 24 + i % 7, 0, 48, CALLER + 2);
        synth_call(&l, seq++, 100, HS_OP_FREE, 0, 1, p, 0, 0, 48, CALLER + 3);
    }
    uint64_t free_b = seq, free_c = seq + 1;
    synth_call(&l, seq++, 100, HS_OP_FREE, 0, 1, A + 0x20, 0, 0, 32, CALLER + 4);
    synth_call(&l, seq++, 102, HS_OP_FREE, 0, 1, A + 0x40, 0, 0, 48, CALLER + 5);
    synth_call(&l, seq++, 100, HS_OP_EXIT, 0, 0, 0, 0, 0, 0, 0);
    synth_write(&l, dir, 0);
    struct hs_import_result res;
    struct warnings w;
    import_ok(dir, out, &res, &w);
    assert_int_equal(res.n_blocks, pairs + 3);
    assert_int_equal(res.n_live, 1);
    char expected[512];
    snprintf(expected, sizeof expected,
             "1|1|NULL|1000|1|%llu|10|32|1|%llu|NULL|NULL|NULL|NULL|NULL|NULL\n"
             "2|1|101|2000|1|%llu|20|32|1|%llu|NULL|%llu|%llu|100|5|%llu\n"
             "2003|1|NULL|2003000|1|%llu|30|48|1|%llu|NULL|%llu|%llu|102|5|%llu\n",
             A, CALLER, A + 0x20, CALLER, (unsigned long long)free_b,
             (unsigned long long)free_b * 1000, CALLER + 4, A + 0x40, CALLER + 1,
             (unsigned long long)free_c, (unsigned long long)free_c * 1000, CALLER + 5);
    assert_query(out, "SELECT * FROM blocks WHERE alloc_seq IN (1, 2, 2003) ORDER BY 1", expected);
    assert_query(out,
                 "SELECT count(*), count(DISTINCT alloc_seq), min(alloc_seq), max(alloc_seq)"
                 " FROM blocks",
                 "300003|300003|1|600002\n");
    /* rowid order is SQLite's own traversal: every row after its predecessor */
    assert_query(out, "PRAGMA integrity_check", "ok\n");
    synth_rmtree(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_import__one_process_exact_rows),
        cmocka_unit_test(test_import__processes_keep_addresses_apart),
        cmocka_unit_test(test_import__summary_forgets_the_heap_at_exec),
        cmocka_unit_test(test_import__lost_slots_are_reported),
        cmocka_unit_test(test_import__full_log_names_its_lost_slot),
        cmocka_unit_test(test_import__bad_input_leaves_nothing),
        cmocka_unit_test(test_import__truncated_logs),
        cmocka_unit_test(test_import__parked_rows_merge_into_blocks),
    };
    return cmocka_run_group_tests_name("import", tests, NULL, NULL);
}
