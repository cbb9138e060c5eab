/*
 * sql_int.h - one integer out of a trace database, for the integration tests.
 *
 * test_sql_int() opens the database at db_path read-only, runs the SQL
 * (printf-formatted), and returns the first column of the first row. It
 * fails the cmocka test on an SQL error or an empty result, naming the SQL
 * and `context` (e.g. the stderr of the heapscope run that wrote the
 * database; NULL for none).
 */
#ifndef HS_TEST_SQL_INT_H
#define HS_TEST_SQL_INT_H

long long test_sql_int(const char *db_path, const char *context, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
