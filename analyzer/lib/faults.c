/*
 * faults.c - page-fault counts of a trace (contract: faults.h). Plain SQL
 * over the `faults` table, whose rows the importer already attributed, so
 * every count here can be checked by hand with sqlite3:
 *
 *     SELECT region, count(*) FROM faults GROUP BY region;
 */
#include "faults.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grow.h"
#include "heapscope/event.h"
#include "trace.h"

static int db_fail(sqlite3 *db, struct hs_error *err, const char *what)
{
    return hs_error_set(err, HS_EDB, "%s: %s", what, sqlite3_errmsg(db));
}

static int prepare(sqlite3 *db, const char *sql, sqlite3_stmt **s, uint64_t until,
                   struct hs_error *err)
{
    if (sqlite3_prepare_v2(db, sql, -1, s, NULL) != SQLITE_OK)
        return db_fail(db, err, "cannot read the faults");
    int idx = sqlite3_bind_parameter_index(*s, ":until");
    if (idx)
        sqlite3_bind_int64(*s, idx, until ? (int64_t)until : INT64_MAX);
    return 0;
}

static void meta_text(sqlite3 *db, const char *key, char *out, size_t size)
{
    sqlite3_stmt *s;
    out[0] = '\0';
    if (sqlite3_prepare_v2(db, "SELECT value FROM meta WHERE key = ?", -1, &s, NULL) != SQLITE_OK)
        return;
    sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
    if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0))
        snprintf(out, size, "%s", (const char *)sqlite3_column_text(s, 0));
    sqlite3_finalize(s);
}

static int region_index(const char *name)
{
    for (unsigned i = 0; i < HS_REGION_COUNT; i++)
        if (name && strcmp(name, hs_fault_region_name(i)) == 0)
            return (int)i;
    return HS_REGION_OTHER;
}

static int totals(sqlite3 *db, struct hs_faults_report *r, struct hs_error *err)
{
    sqlite3_stmt *s;
    int rc = prepare(db,
                     "SELECT region, touch, major, by_libc, count(*) FROM faults"
                     " WHERE after_seq < :until GROUP BY 1, 2, 3, 4",
                     &s, r->until_seq, err);
    if (rc)
        return rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        uint64_t n = (uint64_t)sqlite3_column_int64(s, 4);
        const char *touch = (const char *)sqlite3_column_text(s, 1);
        int region = region_index((const char *)sqlite3_column_text(s, 0));
        r->total += n;
        r->by_region[region] += n;
        for (unsigned i = 0; i < HS_TOUCH_COUNT; i++)
            if (touch && strcmp(touch, hs_fault_touch_name(i)) == 0) {
                r->by_touch[i] += n;
                r->by_region_touch[region][i] += n;
            }
        if (sqlite3_column_int(s, 2))
            r->major += n;
        else
            r->minor += n;
        if (sqlite3_column_int(s, 3))
            r->by_libc += n;
    }
    sqlite3_finalize(s);
    return rc == SQLITE_DONE ? 0 : db_fail(db, err, "cannot read the faults");
}

/* rusage at the exit snapshot of pid minus at_mark; -1 if unknown. */
static int64_t exit_rusage(sqlite3 *db, int64_t pid, int64_t at_mark)
{
    sqlite3_stmt *s;
    int64_t delta = -1;
    if (pid < 0 || sqlite3_prepare_v2(db,
                                      "SELECT minflt + majflt FROM mallinfo WHERE kind = 'exit'"
                                      " AND proc = ? AND minflt IS NOT NULL",
                                      -1, &s, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_int64(s, 1, pid);
    if (sqlite3_step(s) == SQLITE_ROW)
        delta = sqlite3_column_int64(s, 0) - at_mark;
    sqlite3_finalize(s);
    return delta;
}

static int phase_counts(sqlite3 *db, struct hs_faults_report *r, struct hs_error *err);

/* Phases: from one mark to the next, the first from "start", the last to
 * "end" (or to until_seq). */
static int phases(sqlite3 *db, struct hs_faults_report *r, struct hs_error *err)
{
    sqlite3_stmt *s;
    int rc = prepare(db,
                     "SELECT m.seq, m.label, m.proc, (SELECT i.minflt + i.majflt FROM mallinfo i"
                     " WHERE i.mark_id = m.id AND i.minflt IS NOT NULL)"
                     " FROM marks m WHERE m.seq < :until ORDER BY m.seq",
                     &s, r->until_seq, err);
    if (rc)
        return rc;
    size_t cap = 8;
    r->phases = calloc(cap, sizeof *r->phases);
    if (!r->phases) {
        sqlite3_finalize(s);
        return hs_error_set(err, HS_ENOMEM, "out of memory");
    }
    struct hs_faults_phase *p = &r->phases[r->n_phases++];
    snprintf(p->from, sizeof p->from, "start");
    int64_t prev_rusage = 0, prev_pid = -1;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct hs_faults_phase *grown = hs_grow(r->phases, &cap, r->n_phases, sizeof *grown, 8);
        if (!grown) {
            sqlite3_finalize(s);
            return hs_error_set(err, HS_ENOMEM, "out of memory");
        }
        r->phases = grown;
        p = &r->phases[r->n_phases - 1];
        uint64_t seq = (uint64_t)sqlite3_column_int64(s, 0);
        const char *label = (const char *)sqlite3_column_text(s, 1);
        int64_t pid = sqlite3_column_int64(s, 2);
        int has_ru = sqlite3_column_type(s, 3) != SQLITE_NULL;
        int64_t ru = sqlite3_column_int64(s, 3);
        snprintf(p->to, sizeof p->to, "%s", label ? label : "");
        p->to_seq = seq;
        /* From process start (rusage 0) or a mark of the same process. */
        p->rusage_delta = has_ru && (prev_pid < 0 || prev_pid == pid) ? ru - prev_rusage : -1;
        prev_rusage = has_ru ? ru : 0;
        prev_pid = pid;
        struct hs_faults_phase *q = &r->phases[r->n_phases++];
        memset(q, 0, sizeof *q);
        snprintf(q->from, sizeof q->from, "%s", label ? label : "");
        q->from_seq = seq;
    }
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE)
        return db_fail(db, err, "cannot read the marks");
    p = &r->phases[r->n_phases - 1];
    snprintf(p->to, sizeof p->to, "%s", r->until_seq ? "cut" : "end");
    p->to_seq = r->until_seq ? r->until_seq : UINT64_MAX;
    p->rusage_delta = r->until_seq ? -1 : exit_rusage(db, prev_pid, prev_rusage);
    return phase_counts(db, r, err);
}

/* Faults per region in each phase. */
static int phase_counts(sqlite3 *db, struct hs_faults_report *r, struct hs_error *err)
{
    sqlite3_stmt *s;
    int rc;
    if ((rc = prepare(db,
                      "SELECT region, count(*) FROM faults WHERE after_seq >= ?1"
                      " AND after_seq < ?2 AND after_seq < :until GROUP BY region",
                      &s, r->until_seq, err)))
        return rc;
    for (uint32_t i = 0; i < r->n_phases; i++) {
        struct hs_faults_phase *p = &r->phases[i];
        sqlite3_reset(s);
        sqlite3_bind_int64(s, 1, (int64_t)p->from_seq);
        sqlite3_bind_int64(s, 2, p->to_seq > INT64_MAX ? INT64_MAX : (int64_t)p->to_seq);
        while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
            uint64_t n = (uint64_t)sqlite3_column_int64(s, 1);
            p->by_region[region_index((const char *)sqlite3_column_text(s, 0))] += n;
            p->total += n;
        }
        if (rc != SQLITE_DONE)
            break;
    }
    sqlite3_finalize(s);
    return rc == SQLITE_DONE ? 0 : db_fail(db, err, "cannot read the faults");
}

static int blocks(sqlite3 *db, struct hs_faults_report *r, struct hs_error *err)
{
    sqlite3_stmt *s;
    int rc = prepare(db,
                     "SELECT f.block_seq, b.ptr, b.size, o.name, count(*),"
                     " sum(f.touch = 'first'), sum(f.touch = 'refault'), sum(f.by_libc)"
                     " FROM faults f JOIN blocks b ON b.alloc_seq = f.block_seq"
                     " JOIN ops o ON o.op = b.op"
                     " WHERE f.after_seq < :until GROUP BY f.block_seq"
                     " ORDER BY 5 DESC, 1 LIMIT 10",
                     &s, r->until_seq, err);
    if (rc)
        return rc;
    r->blocks = calloc(10, sizeof *r->blocks);
    if (!r->blocks) {
        sqlite3_finalize(s);
        return hs_error_set(err, HS_ENOMEM, "out of memory");
    }
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct hs_faults_block *b = &r->blocks[r->n_blocks++];
        b->alloc_seq = (uint64_t)sqlite3_column_int64(s, 0);
        b->ptr = (uint64_t)sqlite3_column_int64(s, 1);
        b->size = (uint64_t)sqlite3_column_int64(s, 2);
        snprintf(b->op, sizeof b->op, "%s", (const char *)sqlite3_column_text(s, 3));
        b->faults = (uint64_t)sqlite3_column_int64(s, 4);
        b->first = (uint64_t)sqlite3_column_int64(s, 5);
        b->refault = (uint64_t)sqlite3_column_int64(s, 6);
        b->by_libc = (uint64_t)sqlite3_column_int64(s, 7);
    }
    sqlite3_finalize(s);
    return rc == SQLITE_DONE ? 0 : db_fail(db, err, "cannot read the faults");
}

static int threads(sqlite3 *db, struct hs_faults_report *r, struct hs_error *err)
{
    sqlite3_stmt *s;
    int rc = prepare(db,
                     "SELECT pid, tid, count(*) FROM faults WHERE after_seq < :until"
                     " GROUP BY pid, tid ORDER BY pid, tid",
                     &s, r->until_seq, err);
    if (rc)
        return rc;
    size_t cap = 0;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct hs_faults_thread *grown = hs_grow(r->threads, &cap, r->n_threads, sizeof *grown, 16);
        if (!grown) {
            sqlite3_finalize(s);
            return hs_error_set(err, HS_ENOMEM, "out of memory");
        }
        r->threads = grown;
        struct hs_faults_thread *t = &r->threads[r->n_threads++];
        t->pid = (uint32_t)sqlite3_column_int64(s, 0);
        t->tid = (uint32_t)sqlite3_column_int64(s, 1);
        t->faults = (uint64_t)sqlite3_column_int64(s, 2);
    }
    sqlite3_finalize(s);
    return rc == SQLITE_DONE ? 0 : db_fail(db, err, "cannot read the faults");
}

static int processes(sqlite3 *db, struct hs_faults_report *r, struct hs_error *err)
{
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(db,
                           "SELECT p.pid, p.exec_gen,"
                           " (SELECT count(*) FROM faults f WHERE f.proc = p.proc),"
                           " i.minflt, i.majflt,"
                           " (SELECT count(*) FROM faults f WHERE f.proc = p.proc"
                           "   AND f.ts_ns <= i.ts_ns),"
                           " p.n_events + p.n_lost + (SELECT count(*) FROM mallinfo m"
                           "   WHERE m.proc = p.proc), p.log_flags"
                           " FROM processes p LEFT JOIN mallinfo i ON i.proc = p.proc"
                           "   AND i.kind = 'exit'"
                           "   AND i.minflt IS NOT NULL"
                           " ORDER BY p.pid, p.exec_gen",
                           -1, &s, NULL) != SQLITE_OK)
        return db_fail(db, err, "cannot read the processes");
    int rc;
    size_t cap = 0;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct hs_faults_process *grown =
            hs_grow(r->processes, &cap, r->n_processes, sizeof *grown, 8);
        if (!grown) {
            sqlite3_finalize(s);
            return hs_error_set(err, HS_ENOMEM, "out of memory");
        }
        r->processes = grown;
        struct hs_faults_process *p = &r->processes[r->n_processes++];
        memset(p, 0, sizeof *p);
        p->pid = (uint32_t)sqlite3_column_int64(s, 0);
        p->exec_gen = (uint32_t)sqlite3_column_int64(s, 1);
        p->samples = (uint64_t)sqlite3_column_int64(s, 2);
        p->has_rusage = sqlite3_column_type(s, 3) != SQLITE_NULL;
        p->ru_minflt = (uint64_t)sqlite3_column_int64(s, 3);
        p->ru_majflt = (uint64_t)sqlite3_column_int64(s, 4);
        p->samples_at_exit = (uint64_t)sqlite3_column_int64(s, 5);
        /* The tracer's log: a header page, then segments of 65536 records
         * (64 bytes each: 1024 pages), each populated when first used. */
        uint64_t slots = (uint64_t)sqlite3_column_int64(s, 6);
        p->log_prefault_pages = 1 + 1024 * ((slots + 65535) / 65536);
        p->ring = (sqlite3_column_int64(s, 7) & HS_LOG_RING) != 0;
        if (p->ring) /* ring mode: the whole ring once, at start */
            p->log_prefault_pages = HS_RING_PREFAULT_PAGES;
    }
    sqlite3_finalize(s);
    return rc == SQLITE_DONE ? 0 : db_fail(db, err, "cannot read the processes");
}

int hs_faults_report(struct hs_trace *t, uint64_t until_seq, struct hs_faults_report *r,
                     struct hs_error *err)
{
    sqlite3 *db = hs_trace_db(t);
    char buf[64];
    memset(r, 0, sizeof *r);
    r->until_seq = until_seq;
    meta_text(db, "faults_source", r->source, sizeof r->source);
    if (!r->source[0])
        return hs_error_set(err, HS_EFORMAT,
                            "the trace has no page-fault data (imported by an older heapscope)");
    meta_text(db, "faults_note", r->note, sizeof r->note);
    meta_text(db, "faults_lost", buf, sizeof buf);
    r->lost = strtoull(buf, NULL, 10);
    int rc = totals(db, r, err);
    if (rc == 0)
        rc = phases(db, r, err);
    if (rc == 0)
        rc = blocks(db, r, err);
    if (rc == 0)
        rc = threads(db, r, err);
    if (rc == 0)
        rc = processes(db, r, err);
    if (rc)
        hs_faults_report_free(r);
    return rc;
}

void hs_faults_report_free(struct hs_faults_report *r)
{
    free(r->phases);
    free(r->blocks);
    free(r->threads);
    free(r->processes);
    r->phases = NULL;
    r->blocks = NULL;
    r->threads = NULL;
    r->processes = NULL;
    r->n_phases = r->n_blocks = r->n_threads = r->n_processes = 0;
}
