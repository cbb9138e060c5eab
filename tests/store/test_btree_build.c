/* test_btree_build.c - tables written by btree_build.c against the same
 * rows INSERTed by SQLite into a twin table of the same database: equal
 * rows both ways, PRAGMA integrity_check ok, exact page counts and tree
 * depths, and SQLite's own inserts and deletes afterwards. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "btree_build.h"
#include "import.h"
#include "synth_log.h"

#define N_COLUMNS 6 /* id INTEGER PRIMARY KEY (stored as NULL) and a..e */

struct twin {
    char *dir;
    char path[4096];
    sqlite3 *db;
    sqlite3 *rdb; /* r's database: db, or r.db beside it (separate_r) */
    char rpath[4096];
    sqlite3_stmt *ins;
    struct hs_btree_build *b;
    uint32_t root;     /* of t, the built table */
    long long n_pages; /* of the database before the splice */
    long long n_free;  /* of its freelist pages */
};

static long long sql_int(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
        fail_msg("%s: %s", sql, sqlite3_errmsg(db));
    if (sqlite3_step(s) != SQLITE_ROW)
        fail_msg("%s: no row: %s", sql, sqlite3_errmsg(db));
    long long v = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    return v;
}

static void exec(sqlite3 *db, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
        fail_msg("%s: %s", sql, msg);
}

#define TWIN_COLUMNS                                                                               \
    "(id INTEGER PRIMARY KEY, a INTEGER, b INTEGER, c INTEGER, d INTEGER, e INTEGER)"

/* A database of page_size bytes per page with the tables t and r; with
 * separate_r, r is in r.db beside it until the splice, so the database
 * holds only t's root and schema (SQLite's part small, as the importer's
 * is next to its blocks table), plus filler_pages of a table `filler`. */
static void twin_open_in(struct twin *w, unsigned page_size, int separate_r, int filler_pages)
{
    memset(w, 0, sizeof *w);
    w->dir = synth_tmpdir();
    snprintf(w->path, sizeof w->path, "%s/t.db", w->dir);
    snprintf(w->rpath, sizeof w->rpath, "%s/r.db", w->dir);
    assert_int_equal(sqlite3_open(w->path, &w->db), SQLITE_OK);
    char sql[512];
    snprintf(sql, sizeof sql, "PRAGMA page_size=%u; CREATE TABLE t" TWIN_COLUMNS ";", page_size);
    exec(w->db, sql);
    w->rdb = w->db;
    if (separate_r) {
        assert_int_equal(sqlite3_open(w->rpath, &w->rdb), SQLITE_OK);
        exec(w->rdb, sql);
    }
    exec(w->rdb, "CREATE TABLE r" TWIN_COLUMNS);
    if (filler_pages) {
        snprintf(sql, sizeof sql,
                 "CREATE TABLE filler(x);"
                 "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n LIMIT %d)"
                 " INSERT INTO filler SELECT zeroblob(%u) FROM n;",
                 filler_pages, page_size - 40);
        exec(w->db, sql);
    }
    exec(w->rdb, "BEGIN");
    assert_int_equal(
        sqlite3_prepare_v2(w->rdb, "INSERT INTO r VALUES(?,?,?,?,?,?)", -1, &w->ins, NULL),
        SQLITE_OK);
    w->root = (uint32_t)sql_int(w->db, "SELECT rootpage FROM sqlite_schema WHERE name = 't'");
    struct hs_error err;
    if (hs_btree_build_open(&w->b, w->path, page_size, 0, &err))
        fail_msg("%s", err.msg);
}

static void twin_open(struct twin *w, unsigned page_size)
{
    twin_open_in(w, page_size, 0, 0);
}

/* Row `rowid`: column i+1 is values[i], or NULL where bit i+1 of nulls is set. */
static void twin_row(struct twin *w, int64_t rowid, const int64_t *values, uint64_t nulls)
{
    int64_t v[N_COLUMNS] = {0};
    memcpy(v + 1, values, (N_COLUMNS - 1) * sizeof *v);
    struct hs_error err;
    if (hs_btree_build_row(w->b, rowid, v, nulls | 1, N_COLUMNS, &err))
        fail_msg("%s", err.msg);
    sqlite3_bind_int64(w->ins, 1, rowid);
    for (int i = 1; i < N_COLUMNS; i++)
        if (nulls >> i & 1)
            sqlite3_bind_null(w->ins, i + 1);
        else
            sqlite3_bind_int64(w->ins, i + 1, v[i]);
    assert_int_equal(sqlite3_step(w->ins), SQLITE_DONE);
    sqlite3_reset(w->ins);
}

/* Commits, closes, finishes as `how` says; returns 0 or the finish's
 * error code (message in *err), the database reopened in w->db either
 * way (r copied into it from r.db with separate_r); *adopted tells
 * whether the file at w->path is a new one (NULL: not asked). */
static int twin_finish(struct twin *w, enum hs_btree_how how, int *adopted, struct hs_error *err)
{
    sqlite3_finalize(w->ins);
    exec(w->rdb, "COMMIT");
    if (w->rdb != w->db)
        assert_int_equal(sqlite3_close(w->rdb), SQLITE_OK);
    w->rdb = NULL;
    w->n_pages = sql_int(w->db, "PRAGMA page_count");
    w->n_free = sql_int(w->db, "PRAGMA freelist_count");
    assert_int_equal(sqlite3_close(w->db), SQLITE_OK);
    int fd = open(w->path, O_RDWR);
    assert_true(fd >= 0);
    struct stat before, after;
    assert_int_equal(fstat(fd, &before), 0);
    int db_fd = -1;
    int rc = hs_btree_build_finish(w->b, fd, w->path, w->root, how, &db_fd, err);
    if (rc == 0) {
        assert_int_equal(fstat(db_fd, &after), 0);
        assert_int_equal(stat(w->path, &before), 0); /* the name is db_fd's file */
        assert_true(before.st_ino == after.st_ino);
    }
    if (adopted)
        *adopted = rc == 0 && db_fd != fd;
    if (db_fd != fd && db_fd >= 0)
        close(db_fd);
    close(fd);
    hs_btree_build_free(w->b);
    w->b = NULL;
    assert_int_equal(sqlite3_open(w->path, &w->db), SQLITE_OK);
    if (rc == 0 && access(w->rpath, F_OK) == 0) {
        char sql[4400];
        snprintf(sql, sizeof sql,
                 "ATTACH '%s' AS o; CREATE TABLE r" TWIN_COLUMNS ";"
                 " INSERT INTO r SELECT * FROM o.r; DETACH o;",
                 w->rpath);
        exec(w->db, sql);
    }
    return rc;
}

static int twin_splice(struct twin *w, struct hs_error *err)
{
    return twin_finish(w, HS_BTREE_COPY, NULL, err);
}

static void assert_integrity(sqlite3 *db)
{
    sqlite3_stmt *s;
    assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &s, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    const char *text = (const char *)sqlite3_column_text(s, 0);
    if (strcmp(text, "ok") != 0)
        fail_msg("integrity_check: %s", text);
    sqlite3_finalize(s);
}

static void assert_twins_equal(sqlite3 *db, long long n_rows)
{
    assert_int_equal(sql_int(db, "SELECT count(*) FROM t"), n_rows);
    assert_int_equal(sql_int(db, "SELECT count(*) FROM (SELECT * FROM t EXCEPT SELECT * FROM r)"),
                     0);
    assert_int_equal(sql_int(db, "SELECT count(*) FROM (SELECT * FROM r EXCEPT SELECT * FROM t)"),
                     0);
    /* same storage classes, not only equal values */
    assert_int_equal(sql_int(db, "SELECT count(*) FROM t JOIN r USING(id) WHERE"
                                 " typeof(t.a) != typeof(r.a) OR typeof(t.e) != typeof(r.e)"),
                     0);
    /* byte for byte the records SQLite wrote: the same serial types */
    assert_int_equal(sql_int(db, "SELECT sum(payload) FROM dbstat WHERE name = 't'"),
                     sql_int(db, "SELECT sum(payload) FROM dbstat WHERE name = 'r'"));
}

/* Depth of t's tree: 1 for a lone leaf. */
static long long depth(sqlite3 *db)
{
    return sql_int(db, "SELECT max(length(path) - length(replace(path, '/', ''))) FROM dbstat"
                       " WHERE name = 't'");
}

/* SQLite's own changes to both tables afterwards keep them equal and ok. */
static void assert_sqlite_can_change_it(struct twin *w, long long n_rows)
{
    exec(w->db, "BEGIN;"
                "INSERT INTO t VALUES(1000000000, 1, 2, 3, 4, 5);"
                "INSERT INTO r VALUES(1000000000, 1, 2, 3, 4, 5);"
                "INSERT INTO t SELECT id + 1, a, b, c, d, e FROM t WHERE id % 5 = 0 AND"
                " id + 1 NOT IN (SELECT id FROM t);"
                "INSERT INTO r SELECT id + 1, a, b, c, d, e FROM r WHERE id % 5 = 0 AND"
                " id + 1 NOT IN (SELECT id FROM r);"
                "DELETE FROM t WHERE id % 3 = 1; DELETE FROM r WHERE id % 3 = 1;"
                "COMMIT;");
    assert_integrity(w->db);
    long long n = sql_int(w->db, "SELECT count(*) FROM r");
    assert_twins_equal(w->db, n);
    (void)n_rows;
}

static void twin_close(struct twin *w)
{
    sqlite3_close(w->db);
    hs_btree_build_free(w->b);
    synth_rmtree(w->dir);
    free(w->dir);
}

static void splice_ok(struct twin *w)
{
    struct hs_error err = {""};
    if (twin_splice(w, &err))
        fail_msg("%s", err.msg);
    assert_integrity(w->db);
}

static void test_btree_build__no_rows_leaves_the_table_empty(void **state)
{
    (void)state;
    struct twin w;
    twin_open(&w, 512);
    splice_ok(&w);
    assert_twins_equal(w.db, 0);
    assert_int_equal(sql_int(w.db, "PRAGMA page_count"), w.n_pages);
    assert_sqlite_can_change_it(&w, 0);
    twin_close(&w);
}

static void test_btree_build__one_row(void **state)
{
    (void)state;
    struct twin w;
    twin_open(&w, 4096);
    twin_row(&w, 42, (int64_t[]){7, -7, 0, 1, 1ll << 40}, 0);
    splice_ok(&w);
    assert_twins_equal(w.db, 1);
    assert_int_equal(sql_int(w.db, "PRAGMA page_count"), w.n_pages);
    assert_int_equal(depth(w.db), 1);
    assert_sqlite_can_change_it(&w, 1);
    twin_close(&w);
}

/* Rows of constants 0 take 9-byte cells (size, rowid < 128, 7-byte
 * record) and 2-byte pointers: 45 fill a 512-byte leaf (9 bytes left),
 * the 46th needs a second leaf and a root above them. */
static void test_btree_build__exactly_one_full_page(void **state)
{
    (void)state;
    for (int n = 45; n <= 46; n++) {
        struct twin w;
        twin_open(&w, 512);
        for (int i = 1; i <= n; i++)
            twin_row(&w, i, (int64_t[]){0, 0, 0, 0, 0}, 0);
        splice_ok(&w);
        assert_twins_equal(w.db, n);
        assert_int_equal(sql_int(w.db, "PRAGMA page_count"), w.n_pages + (n == 45 ? 0 : 2));
        assert_int_equal(depth(w.db), n == 45 ? 1 : 2);
        assert_sqlite_can_change_it(&w, n);
        twin_close(&w);
    }
}

/* Every serial-type boundary, in values and in rowids (1- to 9-byte
 * varints, negative rowids), and NULLs in every column. */
static void test_btree_build__serial_type_boundaries(void **state)
{
    (void)state;
    static const int64_t edges[] = {0,
                                    1,
                                    2,
                                    -1,
                                    127,
                                    128,
                                    -128,
                                    -129,
                                    255,
                                    256,
                                    32767,
                                    32768,
                                    -32768,
                                    -32769,
                                    (1ll << 23) - 1,
                                    1ll << 23,
                                    -(1ll << 23),
                                    -(1ll << 23) - 1,
                                    (1ll << 31) - 1,
                                    1ll << 31,
                                    -(1ll << 31),
                                    -(1ll << 31) - 1,
                                    (1ll << 47) - 1,
                                    1ll << 47,
                                    -(1ll << 47),
                                    -(1ll << 47) - 1,
                                    INT64_MAX,
                                    INT64_MIN,
                                    INT64_MIN + 1,
                                    0x7fffdeadbeefll,
                                    0x555555559000ll};
    static const int64_t rowids[] = {INT64_MIN,   -(1ll << 40),
                                     -1,          0,
                                     1,           127,
                                     128,         16383,
                                     16384,       (1ll << 21) - 1,
                                     1ll << 21,   (1ll << 28),
                                     (1ll << 35), (1ll << 42),
                                     (1ll << 49), (1ll << 56) - 1,
                                     1ll << 56,   INT64_MAX - 1000};
    size_t n_edges = sizeof edges / sizeof *edges, n_rowids = sizeof rowids / sizeof *rowids;
    struct twin w;
    twin_open(&w, 512);
    long long n = 0;
    for (size_t r = 0; r < n_rowids; r++) {
        twin_row(&w, rowids[r], (int64_t[]){edges[r % n_edges], 0, 1, 0, 0}, 0);
        n++;
        if (rowids[r] != -(1ll << 40))
            continue;
        /* the value edges, between rowids -2^40 and -1 */
        for (size_t e = 0; e < n_edges; e++) {
            int64_t v[5];
            for (int c = 0; c < 5; c++)
                v[c] = edges[(e + (size_t)c * 7) % n_edges];
            /* NULLs: one column each, none, or all of them */
            uint64_t nulls = e % 7 == 6 ? 0x3e : (e % 7) < 5 ? 1ull << (e % 7 + 1) : 0;
            twin_row(&w, -(1ll << 39) + (int64_t)e, v, nulls);
            n++;
        }
    }
    splice_ok(&w);
    assert_twins_equal(w.db, n);
    assert_sqlite_can_change_it(&w, n);
    twin_close(&w);
}

/* 16 columns, the importer's width (an unrolled path of its own): rows
 * of every serial type in every column, NULLs in patterns, compared with
 * SQLite's INSERTs of the same rows, value by value and type by type. */
static void test_btree_build__sixteen_columns_like_blocks(void **state)
{
    (void)state;
    static const int64_t edges[] = {0,
                                    1,
                                    2,
                                    -1,
                                    127,
                                    128,
                                    -129,
                                    32767,
                                    -32769,
                                    1ll << 23,
                                    1ll << 31,
                                    -(1ll << 31) - 1,
                                    1ll << 47,
                                    INT64_MAX,
                                    INT64_MIN,
                                    0x555555559000ll,
                                    0x7fffdeadbeefll};
    enum { W = 16 };
    size_t n_edges = sizeof edges / sizeof *edges;
    char *dir = synth_tmpdir(), path[4096], sql[1024];
    snprintf(path, sizeof path, "%s/w.db", dir);
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    char cols[512] = "id INTEGER PRIMARY KEY", marks[64] = "?";
    for (int c = 1; c < W; c++) {
        size_t len = strlen(cols);
        snprintf(cols + len, sizeof cols - len, ", c%d INTEGER", c);
        strcat(marks, ",?");
    }
    snprintf(sql, sizeof sql, "PRAGMA page_size=1024; CREATE TABLE t(%s); CREATE TABLE r(%s);",
             cols, cols);
    exec(db, sql);
    exec(db, "BEGIN");
    sqlite3_stmt *ins;
    snprintf(sql, sizeof sql, "INSERT INTO r VALUES(%s)", marks);
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &ins, NULL), SQLITE_OK);
    uint32_t root = (uint32_t)sql_int(db, "SELECT rootpage FROM sqlite_schema WHERE name = 't'");
    struct hs_btree_build *b;
    struct hs_error err = {""};
    if (hs_btree_build_open(&b, path, 1024, 0, &err))
        fail_msg("%s", err.msg);
    long long n = 3000;
    for (long long r = 0; r < n; r++) {
        int64_t v[W] = {0};
        uint64_t nulls = 1; /* the rowid column */
        for (int c = 1; c < W; c++) {
            v[c] = edges[((size_t)r * 3 + (size_t)c * 5 + (size_t)(r / 7)) % n_edges];
            if ((r + c) % 11 == 0 || (r % 13 == 0 && c > 10))
                nulls |= 1ull << c;
        }
        int64_t rowid = 5 + r * 977; /* 1- to 4-byte varints */
        if (hs_btree_build_row(b, rowid, v, nulls, W, &err))
            fail_msg("%s", err.msg);
        sqlite3_bind_int64(ins, 1, rowid);
        for (int c = 1; c < W; c++)
            if (nulls >> c & 1)
                sqlite3_bind_null(ins, c + 1);
            else
                sqlite3_bind_int64(ins, c + 1, v[c]);
        assert_int_equal(sqlite3_step(ins), SQLITE_DONE);
        sqlite3_reset(ins);
    }
    sqlite3_finalize(ins);
    exec(db, "COMMIT");
    assert_int_equal(sqlite3_close(db), SQLITE_OK);
    int fd = open(path, O_RDWR), db_fd = -1;
    assert_true(fd >= 0);
    if (hs_btree_build_finish(b, fd, path, root, HS_BTREE_COPY, &db_fd, &err))
        fail_msg("%s", err.msg);
    close(fd);
    hs_btree_build_free(b);
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_integrity(db);
    assert_int_equal(sql_int(db, "SELECT count(*) FROM t"), n);
    assert_int_equal(sql_int(db, "SELECT count(*) FROM (SELECT * FROM t EXCEPT SELECT * FROM r)"),
                     0);
    assert_int_equal(sql_int(db, "SELECT count(*) FROM (SELECT * FROM r EXCEPT SELECT * FROM t)"),
                     0);
    /* the records themselves: same sizes as SQLite's (same serial types) */
    assert_int_equal(sql_int(db, "SELECT sum(payload) FROM dbstat WHERE name = 't'"),
                     sql_int(db, "SELECT sum(payload) FROM dbstat WHERE name = 'r'"));
    assert_int_equal(sql_int(db, "SELECT count(*) FROM t WHERE c15 IS NULL"),
                     sql_int(db, "SELECT count(*) FROM r WHERE c15 IS NULL"));
    sqlite3_close(db);
    synth_rmtree(dir);
    free(dir);
}

/* Enough rows of 512-byte pages for three interior levels above the
 * leaves (4445 leaves of 45 rows; 55-62 children per interior page). */
static void test_btree_build__many_rows_three_interior_levels(void **state)
{
    (void)state;
    struct twin w;
    twin_open(&w, 512);
    long long n = 200000;
    for (long long i = 1; i <= n; i++)
        twin_row(&w, i, (int64_t[]){0, 0, 0, i % 2, 0}, 0);
    splice_ok(&w);
    assert_twins_equal(w.db, n);
    assert_int_equal(depth(w.db), 4);
    /* no page is wasted: the pages SQLite's twin needs, or fewer */
    assert_true(sql_int(w.db, "SELECT count(*) FROM dbstat WHERE name = 't'") <=
                sql_int(w.db, "SELECT count(*) FROM dbstat WHERE name = 'r'"));
    assert_sqlite_can_change_it(&w, n);
    twin_close(&w);
}

/* Rows out of rowid order: single late rows spread over the table, a
 * dense late range, late rows before the first and inside the last leaf. */
static void test_btree_build__late_rows_are_merged(void **state)
{
    (void)state;
    struct twin w;
    twin_open(&w, 1024);
    long long n = 0;
    for (long long i = 1; i <= 30000; i++) {
        int late = i % 97 == 0 || (i >= 5000 && i < 9000) || i < 3 || i == 29999;
        if (!late) {
            twin_row(&w, i, (int64_t[]){i, i * 1000, -i, 0, 1}, i % 11 == 0 ? 0x10 : 0);
            n++;
        }
    }
    /* the late ones, in a scrambled order */
    for (long long k = 0; k < 30000; k++) {
        long long i = 1 + (k * 7919) % 30000;
        int late = i % 97 == 0 || (i >= 5000 && i < 9000) || i < 3 || i == 29999;
        if (late) {
            twin_row(&w, i, (int64_t[]){i, i * 1000, -i, 1, 0}, 0);
            n++;
        }
    }
    splice_ok(&w);
    assert_twins_equal(w.db, n);
    assert_true(sql_int(w.db, "SELECT count(*) FROM dbstat WHERE name = 't'") <=
                sql_int(w.db, "SELECT count(*) FROM dbstat WHERE name = 'r'"));
    assert_sqlite_can_change_it(&w, n);
    twin_close(&w);
}

static void test_btree_build__duplicate_rowids_fail(void **state)
{
    (void)state;
    /* a late row equal to a packed one */
    struct twin w;
    twin_open(&w, 512);
    struct hs_error err = {""};
    int64_t v[N_COLUMNS] = {0};
    for (int i = 1; i <= 100; i++)
        twin_row(&w, i, v, 0);
    assert_int_equal(hs_btree_build_row(w.b, 50, v, 1, N_COLUMNS, &err), 0);
    assert_int_equal(twin_splice(&w, &err), HS_EARG);
    char expected[4200];
    snprintf(expected, sizeof expected, "cannot splice a table into '%s': rowid 50 given twice",
             w.path);
    assert_string_equal(err.msg, expected);
    twin_close(&w);
}

/* Pages on the freelist (a scratch table's, deleted) are taken first;
 * those left over stay on the freelist. */
static void test_btree_build__freelist_pages_are_reused(void **state)
{
    (void)state;
    struct {
        int rows_in_t, scratch_rows;
    } cases[] = {{3, 200}, {2000, 200}, {20000, 200}, {5000, 3000}};
    for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
        struct twin w;
        twin_open(&w, 512);
        for (int i = 1; i <= cases[c].rows_in_t; i++)
            twin_row(&w, i, (int64_t[]){i, -i, (int64_t)i << 20, 0, 1}, 0);
        /* a scratch table's pages, freed: the freelist */
        exec(w.db, "CREATE TABLE scratch(x);"
                   "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n LIMIT 3000)"
                   " INSERT INTO scratch SELECT randomblob(100) FROM n;");
        char sql[128];
        snprintf(sql, sizeof sql, "DELETE FROM scratch WHERE rowid <= %d", cases[c].scratch_rows);
        exec(w.db, sql);
        splice_ok(&w);
        assert_twins_equal(w.db, cases[c].rows_in_t);
        long long n_t = sql_int(w.db, "SELECT count(*) FROM dbstat WHERE name = 't'");
        long long beyond_root = n_t == 1 ? 0 : n_t - 1;
        long long taken = beyond_root < w.n_free ? beyond_root : w.n_free;
        assert_true(w.n_free > 0);
        assert_int_equal(sql_int(w.db, "PRAGMA freelist_count"), w.n_free - taken);
        assert_int_equal(sql_int(w.db, "PRAGMA page_count"), w.n_pages + beyond_root - taken);
        assert_sqlite_can_change_it(&w, cases[c].rows_in_t);
        twin_close(&w);
    }
}

/* Rows 1..n of a fixed pattern (every serial type size turns up). */
static void pattern_rows(struct twin *w, long long n)
{
    for (long long i = 1; i <= n; i++)
        twin_row(w, i, (int64_t[]){i, i * 1000003, -i, i % 2, (int64_t)i << 33},
                 i % 13 == 0 ? 0x8 : 0);
}

static void finish_ok(struct twin *w, enum hs_btree_how how, int expect_adopted)
{
    struct hs_error err = {""};
    int adopted = -1;
    if (twin_finish(w, how, &adopted, &err))
        fail_msg("%s", err.msg);
    assert_int_equal(adopted, expect_adopted);
    assert_integrity(w->db);
}

/* Pages of t: leaves and interior pages. */
static long long t_pages(sqlite3 *db)
{
    return sql_int(db, "SELECT count(*) FROM dbstat WHERE name = 't'");
}

/* SQLite's part small next to the leaves: auto adopts the spill file
 * (SQLite's pages copied in, the few leaves below them moved); forced,
 * the copy gives the same table. Either way: page 1..N SQLite's, no page
 * unused, the file's permission bits kept. */
static void test_btree_build__auto_adopts_when_sqlite_part_is_small(void **state)
{
    (void)state;
    for (int how = 0; how < 2; how++) {
        struct twin w;
        twin_open_in(&w, 512, 1, 0);
        assert_int_equal(chmod(w.path, 0640), 0);
        pattern_rows(&w, 20000);
        finish_ok(&w, how ? HS_BTREE_COPY : HS_BTREE_AUTO, !how);
        assert_twins_equal(w.db, 20000);
        assert_int_equal(depth(w.db), 3);
        /* page_count before the copy of r: SQLite's, t's beyond its root */
        long long r_pages = sql_int(w.db, "SELECT count(*) FROM dbstat WHERE name = 'r'");
        assert_int_equal(sql_int(w.db, "PRAGMA page_count") - r_pages,
                         w.n_pages + t_pages(w.db) - 1);
        struct stat sb;
        assert_int_equal(stat(w.path, &sb), 0);
        assert_int_equal(sb.st_mode & 07777, 0640);
        assert_sqlite_can_change_it(&w, 20000);
        twin_close(&w);
    }
}

/* SQLite's part as large as the leaves (the twin table in the same
 * database): auto copies; adopt, forced, moves every leaf and is right
 * too. */
static void test_btree_build__auto_copies_when_sqlite_part_is_large(void **state)
{
    (void)state;
    for (int how = 0; how < 2; how++) {
        struct twin w;
        twin_open(&w, 1024);
        pattern_rows(&w, 5000);
        finish_ok(&w, how ? HS_BTREE_ADOPT : HS_BTREE_AUTO, how);
        assert_twins_equal(w.db, 5000);
        assert_int_equal(sql_int(w.db, "PRAGMA page_count"), w.n_pages + t_pages(w.db) - 1);
        assert_sqlite_can_change_it(&w, 5000);
        twin_close(&w);
    }
}

/* Adopting one leaf: it goes to the root, the file keeps N pages. */
static void test_btree_build__adopt_one_leaf(void **state)
{
    (void)state;
    struct twin w;
    twin_open_in(&w, 4096, 1, 0);
    pattern_rows(&w, 3);
    finish_ok(&w, HS_BTREE_ADOPT, 1);
    assert_twins_equal(w.db, 3);
    assert_int_equal(depth(w.db), 1);
    assert_sqlite_can_change_it(&w, 3);
    twin_close(&w);
}

/* Late rows or a freelist: adopt falls back to the copy. */
static void test_btree_build__adopt_needs_in_order_rows_and_no_freelist(void **state)
{
    (void)state;
    for (int c = 0; c < 2; c++) {
        struct twin w;
        twin_open_in(&w, 512, 1, c ? 50 : 0);
        if (c)
            exec(w.db, "DELETE FROM filler WHERE rowid % 2 = 0");
        pattern_rows(&w, 3000);
        if (!c)
            twin_row(&w, 0, (int64_t[]){1, 2, 3, 4, 5}, 0); /* late */
        finish_ok(&w, HS_BTREE_ADOPT, 0);
        assert_twins_equal(w.db, 3000 + !c);
        twin_close(&w);
    }
}

/* The lock-byte page (moved to offset 64 KiB: page 129 of 512 bytes)
 * holds no page of the tree, whoever's pages straddle it: leaves staying
 * or moved in an adopt (SQLite's part below it or across it), leaves
 * copied. PRAGMA integrity_check reports a reference to it. */
static void test_btree_build__lock_byte_page_is_skipped(void **state)
{
    (void)state;
    unsigned pending = 0x10000;
    sqlite3_test_control(SQLITE_TESTCTRL_PENDING_BYTE, pending);
    struct {
        enum hs_btree_how how;
        int filler, rows, adopted;
    } cases[] = {
        {HS_BTREE_AUTO, 0, 20000, 1},    /* the leaf on page 129 moves */
        {HS_BTREE_AUTO, 10, 20000, 1},   /* and the ones below N ~ 14 */
        {HS_BTREE_ADOPT, 140, 20000, 1}, /* SQLite's own pages span it */
        {HS_BTREE_ADOPT, 100, 1500, 1},  /* moved leaves run into it */
        {HS_BTREE_COPY, 10, 20000, 0},
    };
    for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
        struct twin w;
        twin_open_in(&w, 512, 1, cases[c].filler);
        hs_btree_build_set_lock_byte(w.b, pending);
        pattern_rows(&w, cases[c].rows);
        finish_ok(&w, cases[c].how, cases[c].adopted);
        assert_twins_equal(w.db, cases[c].rows);
        assert_true(sql_int(w.db, "PRAGMA page_count") > pending / 512 + 1);
        assert_sqlite_can_change_it(&w, cases[c].rows);
        twin_close(&w);
    }
    sqlite3_test_control(SQLITE_TESTCTRL_PENDING_BYTE, 0x40000000);
}

/* An adopt that fails at its end (here: the file's name is gone) leaves
 * no file behind: not the spill file, not its temporary name. */
static void test_btree_build__failed_adopt_leaves_nothing(void **state)
{
    (void)state;
    struct twin w;
    twin_open_in(&w, 512, 1, 0);
    pattern_rows(&w, 20000);
    sqlite3_finalize(w.ins);
    exec(w.rdb, "COMMIT");
    sqlite3_close(w.rdb);
    assert_int_equal(sqlite3_close(w.db), SQLITE_OK);
    w.db = NULL;
    int fd = open(w.path, O_RDWR);
    assert_true(fd >= 0);
    char moved[4200];
    snprintf(moved, sizeof moved, "%s/moved.db", w.dir);
    assert_int_equal(rename(w.path, moved), 0);
    struct hs_error err = {""};
    int db_fd = -1;
    assert_int_equal(hs_btree_build_finish(w.b, fd, w.path, w.root, HS_BTREE_AUTO, &db_fd, &err),
                     HS_EIO);
    char expected[4200];
    snprintf(expected, sizeof expected, "cannot write database '%s': No such file or directory",
             w.path);
    assert_string_equal(err.msg, expected);
    close(fd);
    hs_btree_build_free(w.b);
    w.b = NULL;
    /* the directory: r.db and moved.db only */
    char cmd[4300];
    snprintf(cmd, sizeof cmd, "ls -a '%s' | tr '\\n' ' '", w.dir);
    FILE *p = popen(cmd, "r");
    char listing[256] = "";
    assert_non_null(fgets(listing, sizeof listing, p));
    pclose(p);
    assert_string_equal(listing, ". .. moved.db r.db ");
    twin_close(&w);
}

/* Hints of the database's size while rows come (as the importer gives
 * after each event chunk): the leaves below it move to the spill file's
 * end early, and the finish still puts every leaf once past SQLite's
 * pages, with hints that were right, too large (the positions vacated
 * past the final size are filled), followed by a late row (then the copy
 * reads the leaves where they moved), or around the lock-byte page. */
static void test_btree_build__hinted_leaves_move_early(void **state)
{
    (void)state;
    unsigned pending = 0x10000;
    struct {
        int overshoot, late, lock;
        enum hs_btree_how how;
        int adopted;
    } cases[] = {
        {1, 0, 0, HS_BTREE_AUTO, 1}, {3, 0, 0, HS_BTREE_AUTO, 1}, {1, 1, 0, HS_BTREE_AUTO, 0},
        {1, 0, 0, HS_BTREE_COPY, 0}, {1, 0, 1, HS_BTREE_AUTO, 1}, {2, 0, 1, HS_BTREE_ADOPT, 1},
    };
    for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
        if (cases[c].lock)
            sqlite3_test_control(SQLITE_TESTCTRL_PENDING_BYTE, pending);
        struct twin w;
        twin_open_in(&w, 512, 1, 0);
        if (cases[c].lock)
            hs_btree_build_set_lock_byte(w.b, pending);
        exec(w.db, "CREATE TABLE filler(x)");
        long long n = 30000;
        for (long long i = 1; i <= n; i++) {
            twin_row(&w, i + 1, (int64_t[]){i, i * 1000003, -i, i % 2, (int64_t)i << 33},
                     i % 13 == 0 ? 0x8 : 0);
            if (i % 1000)
                continue;
            /* SQLite's part grows a page per 5 leaves or so: 360 pages */
            exec(w.db, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n LIMIT 12)"
                       " INSERT INTO filler SELECT zeroblob(400) FROM n;");
            long long pages = sql_int(w.db, "PRAGMA page_count") * cases[c].overshoot;
            struct hs_error err = {""};
            if (hs_btree_build_hint_pages(w.b, (uint64_t)pages, &err))
                fail_msg("%s", err.msg);
        }
        if (cases[c].late)
            twin_row(&w, 1, (int64_t[]){1, 2, 3, 4, 5}, 0);
        finish_ok(&w, cases[c].how, cases[c].adopted);
        assert_twins_equal(w.db, n + cases[c].late);
        long long r_pages = sql_int(w.db, "SELECT count(*) FROM dbstat WHERE name = 'r'");
        assert_int_equal(sql_int(w.db, "PRAGMA page_count") - r_pages,
                         w.n_pages + t_pages(w.db) - 1 +
                             (cases[c].lock && w.n_pages < (long long)pending / 512 + 1));
        assert_sqlite_can_change_it(&w, n + cases[c].late);
        twin_close(&w);
        if (cases[c].lock)
            sqlite3_test_control(SQLITE_TESTCTRL_PENDING_BYTE, 0x40000000);
    }
}

/* The importer's close over an existing trace: the new one takes the name
 * (the names are exchanged and the old file removed, which a rename over
 * it would also do, less the write-back ext4 starts then), the old
 * file's other links keep it, and nothing else is left. */
static void test_btree_build__import_replaces_an_existing_trace(void **state)
{
    (void)state;
    char *dir = synth_tmpdir(), logs[4200], out[4200], other[4200];
    snprintf(logs, sizeof logs, "%s/logs", dir);
    snprintf(out, sizeof out, "%s/t.db", dir);
    snprintf(other, sizeof other, "%s/other-link.db", dir);
    assert_int_equal(mkdir(logs, 0755), 0);
    struct synth_log l;
    synth_init(&l, 100, 0, 1, "/usr/bin/prog");
    uint64_t seq = 1;
    for (uint64_t i = 0; i < 20000; i++) {
        uint64_t p = 0x555555559000ull + (i % 64) * 0x40;
        synth_call(&l, seq++, 100, HS_OP_MALLOC, 0, 1, p, 24 + i % 7, 0, 48, 0x401000);
        synth_call(&l, seq++, 100, HS_OP_FREE, 0, 1, p, 0, 0, 48, 0x401100);
    }
    synth_write(&l, logs, 0);
    FILE *f = fopen(out, "w");
    assert_non_null(f);
    fputs("previous", f);
    fclose(f);
    assert_int_equal(link(out, other), 0);

    struct hs_import_options o = {.logdir = logs, .out_path = out};
    struct hs_import_result res;
    struct hs_error err = {""};
    if (hs_import(&o, &res, &err))
        fail_msg("%s", err.msg);
    sqlite3 *db;
    assert_int_equal(sqlite3_open(out, &db), SQLITE_OK);
    assert_integrity(db);
    assert_int_equal(sql_int(db, "SELECT count(*) FROM blocks"), 20000);
    assert_int_equal(sql_int(db, "SELECT count(*) FROM blocks WHERE free_seq = alloc_seq + 1"),
                     20000);
    sqlite3_close(db);
    char text[16] = "";
    f = fopen(other, "r");
    assert_non_null(f);
    assert_non_null(fgets(text, sizeof text, f));
    fclose(f);
    assert_string_equal(text, "previous");
    struct stat a, b;
    assert_int_equal(stat(other, &a), 0);
    assert_int_equal(a.st_nlink, 1);
    assert_int_equal(stat(out, &b), 0);
    assert_true(a.st_ino != b.st_ino);
    struct dirent **names;
    int n = scandir(dir, &names, NULL, alphasort);
    char listing[1024] = "";
    for (int i = 0; i < n; i++) {
        if (strlen(listing) + strlen(names[i]->d_name) + 2 < sizeof listing) {
            strcat(listing, names[i]->d_name);
            strcat(listing, " ");
        }
        free(names[i]);
    }
    free(names);
    assert_string_equal(listing, ". .. logs other-link.db t.db ");
    synth_rmtree(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_btree_build__no_rows_leaves_the_table_empty),
        cmocka_unit_test(test_btree_build__one_row),
        cmocka_unit_test(test_btree_build__exactly_one_full_page),
        cmocka_unit_test(test_btree_build__serial_type_boundaries),
        cmocka_unit_test(test_btree_build__sixteen_columns_like_blocks),
        cmocka_unit_test(test_btree_build__many_rows_three_interior_levels),
        cmocka_unit_test(test_btree_build__late_rows_are_merged),
        cmocka_unit_test(test_btree_build__duplicate_rowids_fail),
        cmocka_unit_test(test_btree_build__freelist_pages_are_reused),
        cmocka_unit_test(test_btree_build__auto_adopts_when_sqlite_part_is_small),
        cmocka_unit_test(test_btree_build__auto_copies_when_sqlite_part_is_large),
        cmocka_unit_test(test_btree_build__adopt_one_leaf),
        cmocka_unit_test(test_btree_build__adopt_needs_in_order_rows_and_no_freelist),
        cmocka_unit_test(test_btree_build__lock_byte_page_is_skipped),
        cmocka_unit_test(test_btree_build__failed_adopt_leaves_nothing),
        cmocka_unit_test(test_btree_build__hinted_leaves_move_early),
        cmocka_unit_test(test_btree_build__import_replaces_an_existing_trace),
    };
    return cmocka_run_group_tests_name("btree_build", tests, NULL, NULL);
}
