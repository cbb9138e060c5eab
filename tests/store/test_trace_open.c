/* test_trace_open.c - hs_trace_open refuses what is not a trace it can
 * read, with the documented one-line messages. */
#define _GNU_SOURCE
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

#include "synth_log.h"
#include "trace.h"

static void make_db(const char *path, const char *sql)
{
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
}

static void expect(const char *path, int code, const char *fmt)
{
    struct hs_trace *t = (struct hs_trace *)1;
    struct hs_error err;
    char msg[8192];
    snprintf(msg, sizeof msg, fmt, path);
    assert_int_equal(hs_trace_open(path, &t, &err), code);
    assert_null(t);
    assert_string_equal(err.msg, msg);
}

static void test_trace_open__refuses_non_traces(void **state)
{
    (void)state;
    char *dir = synth_tmpdir(), path[4096];

    snprintf(path, sizeof path, "%s/missing.db", dir);
    expect(path, HS_EIO, "cannot open trace '%s': No such file or directory");

    snprintf(path, sizeof path, "%s/text.db", dir);
    FILE *f = fopen(path, "w");
    fputs("this is not a database, but it is long enough to have a header of sorts.......", f);
    fclose(f);
    expect(path, HS_EFORMAT, "'%s' is not a heapscope trace (not a SQLite database)");

    snprintf(path, sizeof path, "%s/other.db", dir);
    make_db(path, "CREATE TABLE t(x);");
    expect(path, HS_EFORMAT, "'%s' is not a heapscope trace (no table meta)");

    snprintf(path, sizeof path, "%s/newer.db", dir);
    make_db(path, "CREATE TABLE meta(key TEXT PRIMARY KEY, value);"
                  "INSERT INTO meta VALUES('schema_version', 5);");
    expect(path, HS_EVERSION, "'%s' is trace format 5, this heapscope reads up to 4");

    /* A trace cut short (5 pages: the schema, meta and its index, a, b) reads as
     * truncated, whatever table the cut removed. */
    snprintf(path, sizeof path, "%s/cut.db", dir);
    make_db(path, "PRAGMA page_size = 4096; CREATE TABLE meta(key TEXT PRIMARY KEY, value);"
                  "CREATE TABLE a(x); CREATE TABLE b(x);");
    assert_int_equal(truncate(path, 5000), 0);
    expect(path, HS_EFORMAT,
           "'%s' is truncated: it holds 5000 of its 20480 bytes (a copy cut short?)");
    synth_rmtree(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_trace_open__refuses_non_traces),
    };
    return cmocka_run_group_tests_name("trace_open", tests, NULL, NULL);
}
