/*
 * test_model_checkpoints.c - random access through the model_checkpoints
 * cache gives exactly the model a replay from the start gives.
 * Usage: test_model_checkpoints TRACE (a trace of more than 262144 events
 * of one process, recorded by checkpoints.sh).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "model_run.h"

static const char *trace_path;

static void image_at(struct hs_trace *t, const struct hs_model_images *imgs, int idx, uint64_t seq,
                     int cached, uint8_t **img, size_t *len)
{
    struct hs_error err;
    struct hs_model *m;
    if (cached) {
        assert_int_equal(hs_model_run_at(t, imgs, idx, seq, &m, &err), 0);
    } else {
        assert_int_equal(hs_model_image_start(t, imgs, idx, &m, &err), 0);
        assert_int_equal(hs_model_replay(t, imgs, idx, m, 0, seq, NULL, NULL, &err), 0);
    }
    assert_int_equal(hs_model_save(m, img, len), 0);
    hs_model_free(m);
}

static void test_model_checkpoints__same_as_full_replay(void **state)
{
    struct hs_trace *t;
    struct hs_error err;
    assert_int_equal(hs_trace_open(trace_path, &t, &err), 0);
    struct hs_model_images imgs;
    assert_int_equal(hs_model_images_load(t, &imgs, &err), 0);
    int idx = hs_model_image_of_pid(&imgs, 0);
    assert_true(idx >= 0);
    assert_true(imgs.v[idx].n_events > HS_MODEL_CHECKPOINT_EVERY);
    uint64_t last = hs_trace_last_seq(t);
    for (int k = 1; k <= 3; k++) {
        uint64_t seq = last * (uint64_t)k / 4;
        uint8_t *a, *b;
        size_t na, nb;
        image_at(t, &imgs, idx, seq, 1, &a, &na);
        image_at(t, &imgs, idx, seq, 0, &b, &nb);
        assert_int_equal(na, nb);
        assert_memory_equal(a, b, na);
        free(a);
        free(b);
    }
    hs_model_images_free(&imgs);
    hs_trace_close(t);
    /* the cache was written */
    sqlite3 *db;
    sqlite3_stmt *s;
    assert_int_equal(sqlite3_open_v2(trace_path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT count(*) FROM model_checkpoints", -1, &s, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    assert_true(sqlite3_column_int(s, 0) >= 1);
    sqlite3_finalize(s);
    sqlite3_close(db);
}

/* Checkpoints in another image layout (an older heapscope's) are dropped
 * and the cache built again: run after the test above wrote it. */
static void test_model_checkpoints__stale_images_rebuilt(void **state)
{
    (void)state;
    sqlite3 *db;
    sqlite3_stmt *s;
    assert_int_equal(sqlite3_open_v2(trace_path, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db,
                                  "UPDATE model_checkpoints SET image = "
                                  "CAST('HSMODEL2' AS BLOB) || substr(image, 9)",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    struct hs_trace *t;
    struct hs_error err;
    assert_int_equal(hs_trace_open(trace_path, &t, &err), 0);
    struct hs_model_images imgs;
    assert_int_equal(hs_model_images_load(t, &imgs, &err), 0);
    int idx = hs_model_image_of_pid(&imgs, 0);
    struct hs_model *m;
    assert_int_equal(hs_model_run_at(t, &imgs, idx, hs_trace_last_seq(t) / 2, &m, &err), 0);
    hs_model_free(m);
    hs_model_images_free(&imgs);
    hs_trace_close(t);
    int n = 0, current = 0;
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT image FROM model_checkpoints", -1, &s, NULL),
                     SQLITE_OK);
    while (sqlite3_step(s) == SQLITE_ROW) {
        n++;
        current += hs_model_image_is_current(sqlite3_column_blob(s, 0),
                                             (size_t)sqlite3_column_bytes(s, 0));
    }
    sqlite3_finalize(s);
    sqlite3_close(db);
    assert_true(n >= 1);
    assert_int_equal(current, n);
}

int main(int argc, char **argv)
{
    if (argc != 2)
        return 2;
    trace_path = argv[1];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_model_checkpoints__same_as_full_replay),
        cmocka_unit_test(test_model_checkpoints__stale_images_rebuilt),
    };
    return cmocka_run_group_tests_name("model_checkpoints", tests, NULL, NULL);
}
