/* test_async_vfs.c - the "hs-async" VFS (async_vfs.h): a database written
 * through it, with a cache small enough that pages are written and read
 * back in the middle of the transaction, reads back exactly through the
 * default VFS; a failed write is reported, not lost. */
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

#include "async_vfs.h"

#define ROWS 20000

static void exec_ok(sqlite3 *db, const char *sql)
{
    char *msg = NULL;
    int rc = sqlite3_exec(db, sql, NULL, NULL, &msg);
    if (rc != SQLITE_OK)
        fail_msg("%s: %s", sql, msg ? msg : "?");
}

static int64_t query_int(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *s;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    int64_t v = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    return v;
}

/* SQLite's own check of the whole file says ok. */
static void assert_integrity_ok(sqlite3 *db)
{
    sqlite3_stmt *s;
    assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &s, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(s, 0), "ok");
    sqlite3_finalize(s);
}

static void test_async_vfs__round_trip_with_spills(void **state)
{
    (void)state;
    char path[] = "test-async-vfs-XXXXXX"; /* in the working directory */
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(hs_async_vfs_register(), SQLITE_OK);
    assert_int_equal(hs_async_vfs_register(), SQLITE_OK); /* idempotent */
    sqlite3 *db;
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, HS_ASYNC_VFS), SQLITE_OK);
    exec_ok(db, "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA cache_size=8;"
                "BEGIN; CREATE TABLE t(id INTEGER PRIMARY KEY, v INTEGER, pad BLOB);"
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000)"
                "  INSERT INTO t SELECT i, i * 7, zeroblob(300) FROM n;"
                /* rewrites pages long evicted from the 8-page cache */
                "UPDATE t SET v = v + 1 WHERE id % 97 = 0;"
                "COMMIT;");
    assert_int_equal(sqlite3_close(db), SQLITE_OK);

    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_integrity_ok(db);
    assert_int_equal(query_int(db, "SELECT count(*) FROM t"), ROWS);
    /* sum of 7i over 1..20000, plus one per multiple of 97 (206 of them) */
    assert_int_equal(query_int(db, "SELECT sum(v) FROM t"), 7LL * ROWS * (ROWS + 1) / 2 + 206);
    assert_int_equal(query_int(db, "SELECT v FROM t WHERE id = 9700"), 7 * 9700 + 1);
    assert_int_equal(sqlite3_close(db), SQLITE_OK);
    unlink(path);
}

/* Large blobs: overflow pages written in long runs of consecutive pages
 * (queued as one write each, up to its room), for small and 64 KiB pages;
 * every byte read back where it belongs. */
static void test_async_vfs__runs_of_consecutive_pages(void **state)
{
    (void)state;
    static const unsigned page_sizes[] = {1024, 4096, 65536};
    assert_int_equal(hs_async_vfs_register(), SQLITE_OK);
    for (size_t k = 0; k < sizeof page_sizes / sizeof *page_sizes; k++) {
        char path[] = "test-async-vfs-XXXXXX";
        int fd = mkstemp(path);
        assert_true(fd >= 0);
        close(fd);
        sqlite3 *db;
        assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, HS_ASYNC_VFS),
                         SQLITE_OK);
        char sql[1024];
        /* row i: 300 000 bytes of its own 8-digit number, repeated */
        snprintf(sql, sizeof sql,
                 "PRAGMA page_size=%u; PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;"
                 "PRAGMA cache_size=16; BEGIN; CREATE TABLE t(id INTEGER PRIMARY KEY, b BLOB);"
                 "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 40)"
                 "  INSERT INTO t SELECT i, CAST(replace(hex(zeroblob(37500)), '00',"
                 "  printf('%%08d', i)) AS BLOB) FROM n;"
                 "COMMIT;",
                 page_sizes[k]);
        exec_ok(db, sql);
        assert_int_equal(sqlite3_close(db), SQLITE_OK);
        assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
        assert_integrity_ok(db);
        assert_int_equal(query_int(db, "PRAGMA page_size"), page_sizes[k]);
        assert_int_equal(query_int(db, "SELECT count(*) FROM t WHERE length(b) = 300000"), 40);
        assert_int_equal(query_int(db, "SELECT count(*) FROM t WHERE b = CAST(replace("
                                       "hex(zeroblob(37500)), '00', printf('%08d', id)) AS BLOB)"),
                         40);
        assert_int_equal(sqlite3_close(db), SQLITE_OK);
        unlink(path);
    }
}

static void test_async_vfs__write_error_is_reported(void **state)
{
    (void)state;
    if (access("/dev/full", W_OK) != 0)
        skip();
    assert_int_equal(hs_async_vfs_register(), SQLITE_OK);
    sqlite3 *db;
    assert_int_equal(sqlite3_open_v2("/dev/full", &db, SQLITE_OPEN_READWRITE, HS_ASYNC_VFS),
                     SQLITE_OK);
    int rc = sqlite3_exec(db,
                          "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; BEGIN;"
                          "CREATE TABLE t(x); INSERT INTO t VALUES(zeroblob(100000)); COMMIT;",
                          NULL, NULL, NULL);
    assert_int_not_equal(rc, SQLITE_OK);
    sqlite3_close(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_async_vfs__round_trip_with_spills),
        cmocka_unit_test(test_async_vfs__runs_of_consecutive_pages),
        cmocka_unit_test(test_async_vfs__write_error_is_reported),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
