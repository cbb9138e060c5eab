/*
 * lab_trace.c - measurements read from a lab's trace database
 * (labs/trace_measures.def): one SQL query per key, its first column of
 * its first row taken as the value. Read-only; the trace is not modified.
 */
#include "lab.h"

#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

static const struct {
    const char *lab, *key, *sql;
} queries[] = {
#define HS_TRACE_MEASURE(lab, key, sql) {lab, key, sql},
#include "../../labs/trace_measures.def"
#undef HS_TRACE_MEASURE
};

static int add(struct hs_lab_results *r, const char *key, const char *value, struct hs_error *err)
{
    char line[512];
    snprintf(line, sizeof line, "measure: %s %s\n", key, value);
    struct hs_lab_results one;
    int rc = hs_lab_parse_results(line, &one, err);
    if (rc != 0)
        return rc;
    rc = hs_lab_results_add(r, &one.measures[0], err);
    hs_lab_results_free(&one);
    return rc;
}

int hs_lab_trace_measures(const struct hs_lab *lab, const char *trace, struct hs_lab_results *r,
                          struct hs_error *err)
{
    sqlite3 *db = NULL;
    if (trace && sqlite3_open_v2(trace, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        int rc = hs_error_set(err, HS_EDB, "cannot open trace '%s': %s", trace, sqlite3_errmsg(db));
        sqlite3_close(db);
        return rc;
    }
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < sizeof queries / sizeof queries[0]; i++) {
        if (strcmp(queries[i].lab, lab->name) != 0)
            continue;
        if (!db) {
            rc = add(r, queries[i].key, "skip needs the trace; run without --native", err);
            continue;
        }
        sqlite3_stmt *stmt;
        if (sqlite3_prepare_v2(db, queries[i].sql, -1, &stmt, NULL) != SQLITE_OK) {
            rc = hs_error_set(err, HS_EDB, "trace '%s', measure '%s': %s", trace, queries[i].key,
                              sqlite3_errmsg(db));
            break;
        }
        if (sqlite3_step(stmt) == SQLITE_ROW && sqlite3_column_type(stmt, 0) != SQLITE_NULL)
            rc = add(r, queries[i].key, (const char *)sqlite3_column_text(stmt, 0), err);
        else
            rc = add(r, queries[i].key,
                     "skip the trace holds no value for it (the run failed, or the data was not "
                     "recorded here)",
                     err);
        sqlite3_finalize(stmt);
    }
    sqlite3_close(db);
    return rc;
}
