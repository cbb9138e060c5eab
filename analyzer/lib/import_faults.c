/*
 * import_faults.c - LOGDIR/faults.hslog into the `faults` table, placed in
 * the event order by time and attributed (contract: import_faults.h).
 *
 * Steps: the faults arrive placed, with their next event and block, from
 * the importer's pass (fault_place.h); attribute them (fault_attr.c);
 * insert; add them to the `events` view; write meta.
 *
 * Check: the fault samples of tests/faults/fx_faults touch land between the
 * fixture's mmap event and its exit event, 256 of them in region 'mmap'.
 */
#include "import_faults.h"

#include <limits.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fault_attr.h"
#include "fault_sampler.h"

static int db_fail(sqlite3 *db, struct hs_error *err, const char *what)
{
    return hs_error_set(err, HS_EDB, "%s: %s", what, sqlite3_errmsg(db));
}

static int exec(sqlite3 *db, const char *sql, struct hs_error *err)
{
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) == SQLITE_OK)
        return 0;
    hs_error_set(err, HS_EDB, "cannot write the faults table: %s", msg ? msg : "?");
    sqlite3_free(msg);
    return HS_EDB;
}

static int insert_faults(sqlite3 *db, const struct hs_fault *v, uint64_t n, struct hs_error *err)
{
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(db,
                           "INSERT INTO faults(id, seq, after_seq, ts_ns, pid, exec_gen, tid,"
                           " addr, ip, major, region, touch, block_seq, by_libc, proc)"
                           " VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                           -1, &s, NULL) != SQLITE_OK)
        return db_fail(db, err, "cannot write the faults table");
    uint64_t first = 0, last = 0; /* the run of faults after the same event */
    for (uint64_t i = 0; i < n; i++) {
        const struct hs_fault *f = &v[i];
        if (i == 0 || f->after_seq != v[i - 1].after_seq) {
            first = last = i;
            while (last + 1 < n && v[last + 1].after_seq == f->after_seq)
                last++;
        }
        double seq = (double)f->after_seq + (double)(i - first + 1) / (double)(last - first + 2);
        sqlite3_reset(s);
        sqlite3_bind_int64(s, 1, (int64_t)(i + 1));
        sqlite3_bind_double(s, 2, seq);
        sqlite3_bind_int64(s, 3, (int64_t)f->after_seq);
        sqlite3_bind_int64(s, 4, (int64_t)f->ts_ns);
        sqlite3_bind_int64(s, 5, f->pid);
        sqlite3_bind_int64(s, 6, f->exec_gen);
        sqlite3_bind_int64(s, 7, f->tid);
        sqlite3_bind_int64(s, 8, (int64_t)f->addr);
        sqlite3_bind_int64(s, 9, (int64_t)f->ip);
        sqlite3_bind_int(s, 10, f->major);
        sqlite3_bind_text(s, 11, hs_fault_region_name(f->region), -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 12, hs_fault_touch_name(f->touch), -1, SQLITE_STATIC);
        if (f->block_seq)
            sqlite3_bind_int64(s, 13, (int64_t)f->block_seq);
        else
            sqlite3_bind_null(s, 13);
        sqlite3_bind_int(s, 14, f->by_libc);
        if (f->proc)
            sqlite3_bind_int64(s, 15, f->proc);
        else
            sqlite3_bind_null(s, 15);
        if (sqlite3_step(s) != SQLITE_DONE) {
            sqlite3_finalize(s);
            return db_fail(db, err, "cannot write the faults table");
        }
    }
    sqlite3_finalize(s);
    return 0;
}

/* Redefines `events` as the importer's view plus the faults, matching its
 * columns by name (unknown ones are NULL for a fault). */
static int extend_events_view(sqlite3 *db, struct hs_error *err)
{
    static const struct {
        const char *column, *expr;
    } map[] = {
        {"seq", "f.seq"},           {"proc", "f.proc"},         {"pid", "f.pid"},
        {"exec_gen", "f.exec_gen"}, {"tid", "f.tid"},           {"ts_ns", "f.ts_ns"},
        {"op", "'page_fault'"},     {"ptr", "f.addr"},          {"caller", "f.ip"},
        {"origin", "'program'"},    {"flags", "f.major << 11"}, {"label", "f.region"},
    };
    sqlite3_stmt *s;
    int rc = 0;
    if (sqlite3_prepare_v2(db,
                           "SELECT sql FROM sqlite_master WHERE type = 'view' AND name = 'events'",
                           -1, &s, NULL) != SQLITE_OK)
        return db_fail(db, err, "cannot read the events view");
    char *base = NULL;
    if (sqlite3_step(s) == SQLITE_ROW) {
        const char *sql = (const char *)sqlite3_column_text(s, 0);
        const char *as = sql ? strstr(sql, " AS") : NULL;
        if (as)
            base = sqlite3_mprintf("CREATE VIEW events_traced AS%s", as + 3);
    }
    sqlite3_finalize(s);
    if (!base)
        return 0; /* no view to extend */
    if ((rc = exec(db, "DROP VIEW events;", err)) || (rc = exec(db, base, err))) {
        sqlite3_free(base);
        return rc;
    }
    sqlite3_free(base);
    char cols[2048] = "";
    size_t len = 0;
    if (sqlite3_prepare_v2(db, "SELECT name FROM pragma_table_info('events_traced')", -1, &s,
                           NULL) != SQLITE_OK)
        return db_fail(db, err, "cannot read the events view");
    while (sqlite3_step(s) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(s, 0);
        const char *expr = "NULL";
        for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
            if (strcmp(name, map[i].column) == 0)
                expr = map[i].expr;
        len += (size_t)snprintf(cols + len, sizeof cols - len, "%s%s", len ? ", " : "", expr);
        if (len >= sizeof cols) {
            sqlite3_finalize(s);
            return hs_error_set(err, HS_EDB, "the events view has too many columns");
        }
    }
    sqlite3_finalize(s);
    char *sql = sqlite3_mprintf("CREATE VIEW events AS SELECT * FROM events_traced"
                                " UNION ALL SELECT %s FROM faults f;",
                                cols);
    rc = sql ? exec(db, sql, err) : hs_error_set(err, HS_ENOMEM, "out of memory");
    sqlite3_free(sql);
    return rc;
}

static int put_meta(sqlite3 *db, const char *key, const char *text, int64_t value,
                    struct hs_error *err)
{
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(db, "INSERT OR REPLACE INTO meta(key, value) VALUES(?, ?)", -1, &s,
                           NULL) != SQLITE_OK)
        return db_fail(db, err, "cannot write meta");
    sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
    if (text)
        sqlite3_bind_text(s, 2, text, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_int64(s, 2, value);
    int rc = sqlite3_step(s);
    sqlite3_finalize(s);
    return rc == SQLITE_DONE ? 0 : db_fail(db, err, "cannot write meta");
}

static int has_getrusage(sqlite3 *db)
{
    sqlite3_stmt *s;
    int yes = 0;
    if (sqlite3_prepare_v2(db, "SELECT 1 FROM mallinfo WHERE minflt IS NOT NULL LIMIT 1", -1, &s,
                           NULL) == SQLITE_OK) {
        yes = sqlite3_step(s) == SQLITE_ROW;
        sqlite3_finalize(s);
    }
    return yes;
}

static void read_note(const char *logdir, char *note, size_t size)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/%s", logdir, HS_FAULTS_NOTE_NAME);
    note[0] = '\0';
    FILE *f = fopen(path, "re");
    if (f) {
        if (fgets(note, (int)size, f))
            note[strcspn(note, "\n")] = '\0';
        fclose(f);
    }
}

int hs_import_faults(sqlite3 *db, const char *logdir, struct hs_fault_place *placed,
                     struct hs_error *err)
{
    char note[512];
    uint64_t n = 0, lost = 0;
    struct hs_fault *v = placed ? hs_fault_place_faults(placed, &n, &lost) : NULL;
    int rc = exec(db,
                  "CREATE TABLE faults(\n"
                  "  id INTEGER PRIMARY KEY, seq REAL, after_seq INTEGER, ts_ns INTEGER,\n"
                  "  pid INTEGER, exec_gen INTEGER, tid INTEGER, addr INTEGER, ip INTEGER,\n"
                  "  major INTEGER, region TEXT, touch TEXT, block_seq INTEGER,\n"
                  "  by_libc INTEGER, proc INTEGER);\n",
                  err);
    if (rc)
        return rc;
    read_note(logdir, note, sizeof note);
    const char *source = placed ? "perf" : has_getrusage(db) ? "getrusage" : "none";
    if (n > 0 && (rc = hs_fault_attr_run(db, v, n, err)) == 0)
        rc = insert_faults(db, v, n, err);
    if (rc == 0)
        rc = exec(db, "CREATE INDEX faults_by_after_seq ON faults(after_seq);", err);
    if (rc == 0)
        rc = extend_events_view(db, err);
    if (rc == 0)
        rc = put_meta(db, "faults_source", source, 0, err);
    if (rc == 0)
        rc = put_meta(db, "faults_samples", NULL, (int64_t)n, err);
    if (rc == 0)
        rc = put_meta(db, "faults_lost", NULL, (int64_t)lost, err);
    if (rc == 0 && note[0])
        rc = put_meta(db, "faults_note", note, 0, err);
    return rc;
}
