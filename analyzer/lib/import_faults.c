/*
 * import_faults.c - LOGDIR/faults.hslog into the `faults` table, placed in
 * the event order by time and attributed (contract: import_faults.h).
 *
 * Steps: read the samples; read (seq, ts, tid) of every event from the
 * importer's tables; place each fault (binary search on the running maximum
 * of ts in seq order) and find its thread's next event (binary search in
 * that thread's events by ts); sort the faults by place; attribute them
 * (fault_attr.c); insert; add them to the `events` view; write meta.
 *
 * Check: the fault samples of tests/faults/fx_faults touch land between the
 * fixture's mmap event and its exit event, 256 of them in region 'mmap'.
 */
#include "import_faults.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fault_attr.h"
#include "fault_sampler.h"
#include "heapscope/event.h"

struct ev {
    uint64_t seq, ts;
    uint32_t tid;
};

struct samples {
    struct hs_fault *v;
    uint64_t n;
    uint64_t lost;
};

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

/* Reads faults.hslog. 1 if it does not exist, 0 if read, negative on error. */
static int read_samples(const char *path, struct samples *out, struct hs_error *err)
{
    struct hs_log_header h;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return errno == ENOENT
                   ? 1
                   : hs_error_set(err, HS_EIO, "cannot open '%s': %s", path, strerror(errno));
    int rc = 0;
    struct hs_record *recs = NULL;
    if (read(fd, &h, sizeof h) != (ssize_t)sizeof h || memcmp(h.magic, HS_LOG_MAGIC, 8) != 0 ||
        h.record_size != HS_RECORD_SIZE || !(h.flags & HS_LOG_FAULT_SAMPLES)) {
        rc = hs_error_set(err, HS_EFORMAT, "'%s' is not a heapscope page-fault log", path);
        goto out_close;
    }
    if (h.format_version > HS_FORMAT_VERSION) {
        rc = hs_error_set(err, HS_EVERSION, "'%s' is log format %u, this heapscope reads up to %u",
                          path, h.format_version, HS_FORMAT_VERSION);
        goto out_close;
    }
    struct stat sb;
    uint64_t n = h.n_reserved;
    if (fstat(fd, &sb) == 0 && (uint64_t)sb.st_size < HS_LOG_HEADER_SIZE + n * HS_RECORD_SIZE)
        n = ((uint64_t)sb.st_size - HS_LOG_HEADER_SIZE) / HS_RECORD_SIZE;
    recs = malloc((n ? n : 1) * sizeof *recs);
    out->v = calloc(n ? n : 1, sizeof *out->v);
    if (!recs || !out->v) {
        rc = hs_error_set(err, HS_ENOMEM, "out of memory reading '%s'", path);
        goto out_close;
    }
    ssize_t want = (ssize_t)(n * sizeof *recs), got = 0;
    while (got < want) {
        ssize_t r = pread(fd, (char *)recs + got, (size_t)(want - got), HS_LOG_HEADER_SIZE + got);
        if (r <= 0)
            break;
        got += r;
    }
    n = (uint64_t)got / sizeof *recs;
    for (uint64_t i = 0; i < n; i++) {
        if (recs[i].op != HS_OP_PAGE_FAULT)
            continue;
        struct hs_fault *f = &out->v[out->n++];
        f->ts_ns = recs[i].ts_ns;
        f->tid = recs[i].tid;
        f->pid = (uint32_t)recs[i].u.call.size;
        f->addr = recs[i].u.call.ptr;
        f->ip = recs[i].u.call.caller;
        f->major = (recs[i].flags & HS_F_MAJOR_FAULT) != 0;
    }
    out->lost = h.reserved0;
out_close:
    free(recs);
    close(fd);
    return rc;
}

static int add_events(sqlite3 *db, const char *sql, struct ev **v, uint64_t *n, uint64_t *cap,
                      struct hs_error *err)
{
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
        return db_fail(db, err, "cannot read the events");
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        if (*n == *cap) {
            *cap = *cap ? *cap * 2 : 4096;
            struct ev *nv = realloc(*v, *cap * sizeof *nv);
            if (!nv) {
                sqlite3_finalize(s);
                return hs_error_set(err, HS_ENOMEM, "out of memory reading the events");
            }
            *v = nv;
        }
        (*v)[*n].seq = (uint64_t)sqlite3_column_int64(s, 0);
        (*v)[*n].ts = (uint64_t)sqlite3_column_int64(s, 1);
        (*v)[*n].tid = (uint32_t)sqlite3_column_int64(s, 2);
        (*n)++;
    }
    sqlite3_finalize(s);
    return rc == SQLITE_DONE ? 0 : db_fail(db, err, "cannot read the events");
}

static int by_seq(const void *a, const void *b)
{
    const struct ev *x = a, *y = b;
    return (x->seq > y->seq) - (x->seq < y->seq);
}

static int by_tid_ts(const void *a, const void *b)
{
    const struct ev *x = a, *y = b;
    if (x->tid != y->tid)
        return (x->tid > y->tid) - (x->tid < y->tid);
    return (x->ts > y->ts) - (x->ts < y->ts);
}

static int by_place(const void *a, const void *b)
{
    const struct hs_fault *x = a, *y = b;
    if (x->after_seq != y->after_seq)
        return (x->after_seq > y->after_seq) - (x->after_seq < y->after_seq);
    return (x->ts_ns > y->ts_ns) - (x->ts_ns < y->ts_ns);
}

/* Fills after_seq and next_seq of every fault. */
static int place(sqlite3 *db, struct samples *sm, struct hs_error *err)
{
    static const char *const sources[] = {
        /* The main thread's tid is NULL in some tables: it is the pid. */
        "SELECT b.alloc_seq, b.alloc_ts_ns, coalesce(b.tid, p.pid)"
        " FROM blocks b JOIN processes p ON p.proc = b.proc",
        "SELECT b.free_seq, b.free_ts_ns, coalesce(b.free_tid, b.tid, p.pid)"
        " FROM blocks b JOIN processes p ON p.proc = b.proc WHERE b.free_seq IS NOT NULL",
        "SELECT seq, ts_ns, coalesce(tid, pid) FROM sys_events",
        "SELECT seq, ts_ns, coalesce(tid, pid) FROM marks",
        "SELECT seq, ts_ns, coalesce(tid, pid) FROM mallinfo",
    };
    struct ev *ev = NULL;
    uint64_t n = 0, cap = 0;
    int rc = 0;
    for (size_t i = 0; i < sizeof sources / sizeof sources[0] && rc == 0; i++)
        rc = add_events(db, sources[i], &ev, &n, &cap, err);
    uint64_t *max_ts = rc == 0 ? malloc((n ? n : 1) * sizeof *max_ts) : NULL;
    if (rc == 0 && !max_ts)
        rc = hs_error_set(err, HS_ENOMEM, "out of memory placing the faults");
    if (rc) {
        free(ev);
        return rc;
    }
    qsort(ev, n, sizeof *ev, by_seq);
    for (uint64_t i = 0; i < n; i++)
        max_ts[i] = i && max_ts[i - 1] > ev[i].ts ? max_ts[i - 1] : ev[i].ts;
    for (uint64_t k = 0; k < sm->n; k++) {
        struct hs_fault *f = &sm->v[k];
        uint64_t lo = 0, hi = n; /* first i with max_ts[i] > t */
        while (lo < hi) {
            uint64_t mid = (lo + hi) / 2;
            if (max_ts[mid] <= f->ts_ns)
                lo = mid + 1;
            else
                hi = mid;
        }
        f->after_seq = lo ? ev[lo - 1].seq : 0;
    }
    /* A thread's own events are in time order: its next event after the
     * fault is the first one later than the fault. */
    qsort(ev, n, sizeof *ev, by_tid_ts);
    for (uint64_t k = 0; k < sm->n; k++) {
        struct hs_fault *f = &sm->v[k];
        uint64_t lo = 0, hi = n;
        while (lo < hi) {
            uint64_t mid = (lo + hi) / 2;
            if (ev[mid].tid < f->tid || (ev[mid].tid == f->tid && ev[mid].ts <= f->ts_ns))
                lo = mid + 1;
            else
                hi = mid;
        }
        f->next_seq = lo < n && ev[lo].tid == f->tid ? ev[lo].seq : 0;
    }
    free(max_ts);
    free(ev);
    qsort(sm->v, sm->n, sizeof *sm->v, by_place);
    return 0;
}

static int insert_faults(sqlite3 *db, const struct samples *sm, struct hs_error *err)
{
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(db,
                           "INSERT INTO faults(id, seq, after_seq, ts_ns, pid, exec_gen, tid,"
                           " addr, ip, major, region, touch, block_seq, by_libc, proc)"
                           " VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                           -1, &s, NULL) != SQLITE_OK)
        return db_fail(db, err, "cannot write the faults table");
    uint64_t first = 0, last = 0; /* the run of faults after the same event */
    for (uint64_t i = 0; i < sm->n; i++) {
        const struct hs_fault *f = &sm->v[i];
        if (i == 0 || f->after_seq != sm->v[i - 1].after_seq) {
            first = last = i;
            while (last + 1 < sm->n && sm->v[last + 1].after_seq == f->after_seq)
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

int hs_import_faults(sqlite3 *db, const char *logdir, struct hs_error *err)
{
    char path[PATH_MAX], note[512];
    struct samples sm = {0};
    snprintf(path, sizeof path, "%s/%s", logdir, HS_FAULTS_LOG_NAME);
    int rc = exec(db,
                  "CREATE TABLE faults(\n"
                  "  id INTEGER PRIMARY KEY, seq REAL, after_seq INTEGER, ts_ns INTEGER,\n"
                  "  pid INTEGER, exec_gen INTEGER, tid INTEGER, addr INTEGER, ip INTEGER,\n"
                  "  major INTEGER, region TEXT, touch TEXT, block_seq INTEGER,\n"
                  "  by_libc INTEGER, proc INTEGER);\n",
                  err);
    int missing = rc ? 0 : read_samples(path, &sm, err);
    if (rc || missing < 0) {
        free(sm.v);
        return rc ? rc : missing;
    }
    read_note(logdir, note, sizeof note);
    const char *source = !missing ? "perf" : has_getrusage(db) ? "getrusage" : "none";
    if (!missing && sm.n > 0) {
        if ((rc = place(db, &sm, err)) == 0 &&
            (rc = exec(db, "CREATE INDEX IF NOT EXISTS blocks_by_ptr ON blocks(proc, ptr);",
                       err)) == 0 &&
            (rc = hs_fault_attr_run(db, sm.v, sm.n, err)) == 0)
            rc = insert_faults(db, &sm, err);
    }
    free(sm.v);
    if (rc == 0)
        rc = exec(db, "CREATE INDEX faults_by_after_seq ON faults(after_seq);", err);
    if (rc == 0)
        rc = extend_events_view(db, err);
    if (rc == 0)
        rc = put_meta(db, "faults_source", source, 0, err);
    if (rc == 0)
        rc = put_meta(db, "faults_samples", NULL, (int64_t)sm.n, err);
    if (rc == 0)
        rc = put_meta(db, "faults_lost", NULL, (int64_t)sm.lost, err);
    if (rc == 0 && note[0])
        rc = put_meta(db, "faults_note", note, 0, err);
    return rc;
}
