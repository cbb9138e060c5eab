/*
 * test_lab.c - the lab library (analyzer/lib/lab.h): the catalogue, the
 * claims table, parsing of "measure:" lines and the verdict rules.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "lab.h"

static void test_lab__catalog_has_fifteen_labs_in_order(void **state)
{
    size_t n;
    const struct hs_lab *labs = hs_lab_catalog(&n);
    assert_int_equal(n, 15);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(labs[i].number, (int)i + 1);
    char prog[64];
    hs_lab_program_name(hs_lab_find("first-malloc"), prog, sizeof prog);
    assert_string_equal(prog, "lab_02_first_malloc");
    assert_ptr_equal(hs_lab_find("2"), hs_lab_find("02-first-malloc"));
    assert_null(hs_lab_find("22"));
    assert_null(hs_lab_find(""));
}

static void test_lab__every_claim_names_a_known_lab(void **state)
{
    size_t n;
    const struct hs_lab_claim *claims = hs_lab_claims(&n);
    size_t n_labs;
    const struct hs_lab *labs = hs_lab_catalog(&n_labs);
    for (size_t l = 0; l < n_labs; l++) { /* every lab judges at least one claim */
        int found = 0;
        for (size_t i = 0; i < n; i++)
            found |= strcmp(claims[i].lab, labs[l].name) == 0;
        assert_true(found);
    }
    for (size_t i = 0; i < n; i++) {
        assert_non_null(hs_lab_find(claims[i].lab));
        double v;
        if (claims[i].rule != HS_RULE_INFO)
            assert_int_equal(hs_lab_parse_number(claims[i].article_value, &v), 0);
    }
}

static void test_lab__parse_measures_marks_and_skips(void **state)
{
    const char *text = "== lab x ==\nfriendly text\nmeasure: a 0x20d60\nmark: m1\n"
                       "measure: b 1.5e-3\nmeasure: c skip io_uring refused here\n"
                       "measure: a 0x21000\n";
    struct hs_lab_results r;
    struct hs_error err;
    assert_int_equal(hs_lab_parse_results(text, &r, &err), 0);
    assert_int_equal(r.n_measures, 3);
    assert_int_equal(r.n_marks, 1);
    assert_true(hs_lab_results_get(&r, "a")->number == 0x21000);
    assert_true(hs_lab_results_get(&r, "b")->number == 1.5e-3);
    assert_true(hs_lab_results_get(&r, "c")->skipped);
    assert_string_equal(hs_lab_results_get(&r, "c")->reason, "io_uring refused here");
    hs_lab_results_free(&r);
}

static void test_lab__bad_measure_line_names_the_line(void **state)
{
    struct hs_lab_results r;
    struct hs_error err;
    assert_int_equal(hs_lab_parse_results("x\nmeasure: a zz\n", &r, &err), HS_EFORMAT);
    assert_string_equal(err.msg, "line 2: measure 'a': 'zz' is not a number");
    assert_int_equal(hs_lab_parse_results("measure: lonely\n", &r, &err), HS_EFORMAT);
    assert_string_equal(err.msg, "line 1: measure without a value: ' lonely'");
}

static void test_lab__verdicts(void **state)
{
    struct hs_lab_claim eq = {"first-malloc", "pool", HS_RULE_EQ, "0x20ff0", "0x20d60", "c", "w"};
    struct hs_lab_claim ge = {"first-malloc", "ratio", HS_RULE_GE, "10", "", "c", "w"};
    struct hs_lab_claim info = {"first-malloc", "ns", HS_RULE_INFO, "", "", "c", "w"};
    struct hs_lab_claim skip = {"first-malloc", "skipped", HS_RULE_EQ, "1", "1", "c", "w"};
    struct hs_lab_claim gone = {"first-malloc", "absent", HS_RULE_EQ, "1", "1", "c", "w"};
    struct hs_lab_results r;
    struct hs_error err;
    assert_int_equal(hs_lab_parse_results("measure: pool 0x20d60\nmeasure: ratio 10\n"
                                          "measure: ns 3.5\nmeasure: skipped skip no\n",
                                          &r, &err),
                     0);
    struct hs_lab_verdict v = hs_lab_judge(&eq, &r);
    assert_int_equal(v.kind, HS_VERDICT_DIFFERS);
    assert_int_equal(v.as_expected, 1);
    v = hs_lab_judge(&ge, &r);
    assert_int_equal(v.kind, HS_VERDICT_HOLDS);
    assert_int_equal(v.as_expected, -1);
    assert_int_equal(hs_lab_judge(&info, &r).kind, HS_VERDICT_INFO);
    assert_int_equal(hs_lab_judge(&skip, &r).kind, HS_VERDICT_CANNOT_RUN);
    assert_int_equal(hs_lab_judge(&gone, &r).kind, HS_VERDICT_MISSING);
    assert_string_equal(hs_lab_verdict_name(HS_VERDICT_CANNOT_RUN), "cannot run here");
    hs_lab_results_free(&r);
}

static int count_rows(const char *path, const char *where)
{
    sqlite3 *db;
    sqlite3_stmt *s;
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM lab_claims WHERE %s", where);
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    int n = sqlite3_column_int(s, 0);
    sqlite3_finalize(s);
    sqlite3_close(db);
    return n;
}

/* The claims go into lab_claims in one transaction: a failure half-way
 * (here a trigger refusing the second row) leaves the earlier rows. */
static void test_lab__store_claims_is_atomic(void **state)
{
    char path[] = "test_lab_store_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    const struct hs_lab *lab = hs_lab_find("first-malloc");
    struct hs_lab_claim eq = {"first-malloc", "pool", HS_RULE_EQ, "0x20ff0", "0x20d60", "c", "w"};
    struct hs_lab_claim info = {"first-malloc", "ns", HS_RULE_INFO, "", "", "c", "w"};
    struct hs_lab_results r;
    struct hs_error err;
    assert_int_equal(hs_lab_parse_results("measure: pool 0x20d60\nmeasure: ns 3.5\n", &r, &err), 0);
    struct hs_lab_verdict v[2] = {hs_lab_judge(&eq, &r), hs_lab_judge(&info, &r)};
    assert_int_equal(hs_lab_store_claims(path, lab, v, 2, &err), 0);
    assert_int_equal(hs_lab_store_claims(path, lab, v, 2, &err), 0); /* replaces */
    assert_int_equal(count_rows(path, "1"), 2);
    assert_int_equal(count_rows(path, "ord = 1 AND key = 'pool' AND measured = '0x20d60' AND "
                                      "verdict = 'differs' AND reason = 'w' AND as_expected = 1"),
                     1);
    assert_int_equal(count_rows(path, "ord = 2 AND verdict = 'info' AND reason IS NULL AND "
                                      "as_expected IS NULL"),
                     1);

    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db,
                                  "CREATE TRIGGER refuse BEFORE INSERT ON lab_claims WHEN NEW.ord = 2"
                                  " BEGIN SELECT RAISE(ABORT, 'refused'); END",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(db);
    struct hs_lab_results r2;
    assert_int_equal(hs_lab_parse_results("measure: pool 0x1\nmeasure: ns 1\n", &r2, &err), 0);
    struct hs_lab_verdict v2[2] = {hs_lab_judge(&eq, &r2), hs_lab_judge(&info, &r2)};
    assert_int_equal(hs_lab_store_claims(path, lab, v2, 2, &err), HS_EDB);
    assert_non_null(strstr(err.msg, "refused"));
    assert_int_equal(count_rows(path, "1"), 2);
    assert_int_equal(count_rows(path, "measured = '0x20d60'"), 1);
    hs_lab_results_free(&r);
    hs_lab_results_free(&r2);
    unlink(path);
    (void)state;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lab__catalog_has_fifteen_labs_in_order),
        cmocka_unit_test(test_lab__every_claim_names_a_known_lab),
        cmocka_unit_test(test_lab__parse_measures_marks_and_skips),
        cmocka_unit_test(test_lab__bad_measure_line_names_the_line),
        cmocka_unit_test(test_lab__verdicts),
        cmocka_unit_test(test_lab__store_claims_is_atomic),
    };
    return cmocka_run_group_tests_name("lab", tests, NULL, NULL);
}
