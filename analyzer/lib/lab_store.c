/*
 * lab_store.c - a lab's judged claims written into its trace database, as
 * the table lab_claims (docs/schema.md), so that `heapscope report` and a
 * student's sqlite3 see what `heapscope lab run` printed.
 *
 * The whole write is one transaction (BEGIN IMMEDIATE ... COMMIT, rolled
 * back on any error): a reader sees the lab's old rows or its new ones,
 * never a mix, and a crash leaves the trace as it was (SQLite's rollback
 * journal). Rows of other labs in the same file are kept.
 */
#include "lab.h"

#include <sqlite3.h>
#include <stdio.h>

static const char create_sql[] =
    "CREATE TABLE IF NOT EXISTS lab_claims("
    " lab TEXT NOT NULL,"         /* "first-malloc" */
    " number INTEGER NOT NULL,"   /* the lab's number, 2 */
    " ord INTEGER NOT NULL,"      /* the claim's place in the lab, from 1 */
    " key TEXT NOT NULL,"         /* "pool_after_malloc64" */
    " claim TEXT NOT NULL,"       /* the article's claim, in words */
    " rule TEXT NOT NULL,"        /* "==", ">=", ..., "info" */
    " article_value TEXT NOT NULL," /* the article's value ('' for info) */
    " glibc236_value TEXT NOT NULL," /* measured on Debian 12 ('' if machine-dependent) */
    " measured TEXT,"             /* as the lab printed it; 'skip'; NULL if not printed */
    " verdict TEXT NOT NULL,"     /* holds, differs, info, cannot run here, not measured */
    " reason TEXT,"               /* why it differs / cannot run; NULL otherwise */
    " as_expected INTEGER,"       /* 1/0: measured == glibc236_value; NULL: no such value */
    " PRIMARY KEY(lab, key))";

static const char *reason_of(const struct hs_lab_verdict *v)
{
    switch (v->kind) {
    case HS_VERDICT_DIFFERS:
        return v->claim->why;
    case HS_VERDICT_CANNOT_RUN:
        return v->measure->reason;
    case HS_VERDICT_MISSING:
        return "the lab printed no such measure (a bug in the lab)";
    default:
        return NULL;
    }
}

static int insert_all(sqlite3 *db, const struct hs_lab *lab, const struct hs_lab_verdict *v,
                      size_t n)
{
    sqlite3_stmt *del, *ins;
    if (sqlite3_prepare_v2(db, "DELETE FROM lab_claims WHERE lab = ?1", -1, &del, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_text(del, 1, lab->name, -1, SQLITE_STATIC);
    int rc = sqlite3_step(del) == SQLITE_DONE ? 0 : -1;
    sqlite3_finalize(del);
    if (rc != 0 || sqlite3_prepare_v2(db,
                                      "INSERT INTO lab_claims VALUES"
                                      " (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
                                      -1, &ins, NULL) != SQLITE_OK)
        return -1;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        const struct hs_lab_claim *c = v[i].claim;
        sqlite3_bind_text(ins, 1, lab->name, -1, SQLITE_STATIC);
        sqlite3_bind_int(ins, 2, lab->number);
        sqlite3_bind_int64(ins, 3, (sqlite3_int64)i + 1);
        sqlite3_bind_text(ins, 4, c->key, -1, SQLITE_STATIC);
        sqlite3_bind_text(ins, 5, c->claim, -1, SQLITE_STATIC);
        sqlite3_bind_text(ins, 6, hs_lab_rule_name(c->rule), -1, SQLITE_STATIC);
        sqlite3_bind_text(ins, 7, c->article_value, -1, SQLITE_STATIC);
        sqlite3_bind_text(ins, 8, c->glibc_value, -1, SQLITE_STATIC);
        if (v[i].measure)
            sqlite3_bind_text(ins, 9, v[i].measure->value, -1, SQLITE_STATIC);
        else
            sqlite3_bind_null(ins, 9);
        sqlite3_bind_text(ins, 10, hs_lab_verdict_name(v[i].kind), -1, SQLITE_STATIC);
        const char *reason = reason_of(&v[i]);
        if (reason)
            sqlite3_bind_text(ins, 11, reason, -1, SQLITE_STATIC);
        else
            sqlite3_bind_null(ins, 11);
        if (v[i].as_expected >= 0)
            sqlite3_bind_int(ins, 12, v[i].as_expected);
        else
            sqlite3_bind_null(ins, 12);
        rc = sqlite3_step(ins) == SQLITE_DONE ? 0 : -1;
        sqlite3_reset(ins);
        sqlite3_clear_bindings(ins);
    }
    sqlite3_finalize(ins);
    return rc;
}

int hs_lab_store_claims(const char *trace, const struct hs_lab *lab,
                        const struct hs_lab_verdict *v, size_t n, struct hs_error *err)
{
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(trace, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
        int rc = hs_error_set(err, HS_EDB, "cannot open trace '%s' to store the claims: %s",
                              trace, sqlite3_errmsg(db));
        sqlite3_close(db);
        return rc;
    }
    sqlite3_busy_timeout(db, 2000);
    int rc = 0;
    if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK ||
        sqlite3_exec(db, create_sql, NULL, NULL, NULL) != SQLITE_OK ||
        insert_all(db, lab, v, n) != 0 || sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
        rc = hs_error_set(err, HS_EDB, "cannot store the claims in trace '%s': %s", trace,
                          sqlite3_errmsg(db));
        if (!sqlite3_get_autocommit(db))
            sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    }
    sqlite3_close(db);
    return rc;
}
