/*
 * test_log_read.c - unit tests of analyzer/lib/log_read.c on synthetic logs.
 *
 * Each case writes a log file by hand (header + records, exactly as the
 * tracer lays them out), opens it with hs_log_open and checks the counts or
 * the exact error line.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "log_read.h"

/* Created in the working directory ctest gives the test (the build tree). */
static char dir[] = "hs-test-log-read-XXXXXX";
static char path[256];

static int group_setup(void **state)
{
    (void)state;
    if (!mkdtemp(dir))
        return -1;
    snprintf(path, sizeof path, "%s/1.0.hslog", dir);
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    rmdir(dir);
    return 0;
}

static int setup(void **state)
{
    (void)state;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    unlink(path);
    return 0;
}

static void make_header(struct hs_log_header *h, uint64_t n_reserved)
{
    memset(h, 0, sizeof *h);
    memcpy(h->magic, HS_LOG_MAGIC, 8);
    h->format_version = HS_FORMAT_VERSION;
    h->record_size = HS_RECORD_SIZE;
    h->header_size = HS_LOG_HEADER_SIZE;
    h->endian_mark = HS_ENDIAN_MARK;
    h->pid = 1;
    h->n_reserved = n_reserved;
    h->page_size = 4096;
}

/* Writes the header, then n_records records (seq i+1, op malloc unless
 * uncommitted[i]), then `tail` extra zero bytes. */
static void write_log(const struct hs_log_header *h, uint64_t n_records, const int *uncommitted,
                      size_t cut, size_t tail)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    size_t total = sizeof *h + n_records * sizeof(struct hs_record);
    char *buf = calloc(1, total + tail);
    memcpy(buf, h, sizeof *h);
    struct hs_record *r = (struct hs_record *)(buf + sizeof *h);
    for (uint64_t i = 0; i < n_records; i++) {
        r[i].seq = i + 1;
        r[i].op = (uncommitted && uncommitted[i]) ? HS_OP_NONE : HS_OP_MALLOC;
        r[i].u.call.ptr = 0x1000 + 0x20 * i;
        r[i].u.call.size = 24;
        r[i].u.call.chunk_size = 0x20;
    }
    size_t len = total + tail - cut;
    assert_int_equal(fwrite(buf, 1, len, f), len);
    fclose(f);
    free(buf);
}

static void test_log_read__valid(void **state)
{
    struct hs_log_header h;
    make_header(&h, 5);
    write_log(&h, 5, NULL, 0, 3 * 64); /* file holds 3 spare slots */
    struct hs_log log;
    struct hs_error err = {""};
    assert_int_equal(hs_log_open(&log, path, &err), HS_OK);
    assert_int_equal(log.n_slots, 5);
    assert_int_equal(log.n_committed, 5);
    assert_int_equal(log.n_lost, 0);
    assert_int_equal(log.header->pid, 1);
    for (uint64_t i = 0; i < 5; i++) {
        const struct hs_record *r = hs_log_record(&log, i);
        assert_non_null(r);
        assert_int_equal(r->seq, i + 1);
        assert_int_equal(r->u.call.ptr, 0x1000 + 0x20 * i);
    }
    hs_log_close(&log);
    assert_null(log.map);
}

static void test_log_read__uncommitted_slot(void **state)
{
    struct hs_log_header h;
    make_header(&h, 4);
    int unc[4] = {0, 1, 0, 0};
    write_log(&h, 4, unc, 0, 0);
    struct hs_log log;
    struct hs_error err = {""};
    assert_int_equal(hs_log_open(&log, path, &err), HS_OK);
    assert_int_equal(log.n_slots, 4);
    assert_int_equal(log.n_committed, 3);
    assert_int_equal(log.n_lost, 1);
    assert_non_null(hs_log_record(&log, 0));
    assert_null(hs_log_record(&log, 1));
    assert_non_null(hs_log_record(&log, 2));
    hs_log_close(&log);
}

static void test_log_read__truncated_records(void **state)
{
    /* 10 reserved, the file ends in the middle of slot 6. */
    struct hs_log_header h;
    make_header(&h, 10);
    write_log(&h, 10, NULL, 3 * 64 + 40, 0);
    struct hs_log log;
    struct hs_error err = {""};
    assert_int_equal(hs_log_open(&log, path, &err), HS_OK);
    assert_int_equal(log.n_slots, 6);
    assert_int_equal(log.n_committed, 6);
    assert_int_equal(log.n_lost, 4);
    hs_log_close(&log);
}

static void test_log_read__truncated_header(void **state)
{
    struct hs_log_header h;
    make_header(&h, 0);
    write_log(&h, 0, NULL, 4096 - 100, 0);
    struct hs_log log;
    struct hs_error err = {""};
    assert_int_equal(hs_log_open(&log, path, &err), HS_EFORMAT);
    char want[512];
    snprintf(want, sizeof want, "'%s': truncated log: 100 bytes, shorter than its 4096-byte header",
             path);
    assert_string_equal(err.msg, want);
    assert_null(log.map);
}

static void test_log_read__empty_file(void **state)
{
    FILE *f = fopen(path, "wb");
    fclose(f);
    struct hs_log log;
    struct hs_error err = {""};
    assert_int_equal(hs_log_open(&log, path, &err), HS_EFORMAT);
    assert_non_null(strstr(err.msg, "truncated log: 0 bytes"));
}

static void test_log_read__wrong_magic(void **state)
{
    struct hs_log_header h;
    make_header(&h, 1);
    memcpy(h.magic, "SQLite f", 8);
    write_log(&h, 1, NULL, 0, 0);
    struct hs_log log;
    struct hs_error err = {""};
    assert_int_equal(hs_log_open(&log, path, &err), HS_EFORMAT);
    char want[512];
    snprintf(want, sizeof want, "'%s' is not a heapscope log: bad magic", path);
    assert_string_equal(err.msg, want);
}

static void test_log_read__newer_version(void **state)
{
    struct hs_log_header h;
    make_header(&h, 1);
    h.format_version = HS_FORMAT_VERSION + 1;
    write_log(&h, 1, NULL, 0, 0);
    struct hs_log log;
    struct hs_error err = {""};
    assert_int_equal(hs_log_open(&log, path, &err), HS_EVERSION);
    char want[512];
    snprintf(want, sizeof want, "'%s': log format version %u is newer than this build's %u", path,
             HS_FORMAT_VERSION + 1, HS_FORMAT_VERSION);
    assert_string_equal(err.msg, want);
}

static void test_log_read__other_endian(void **state)
{
    struct hs_log_header h;
    make_header(&h, 1);
    h.endian_mark = __builtin_bswap32(HS_ENDIAN_MARK);
    write_log(&h, 1, NULL, 0, 0);
    struct hs_log log;
    struct hs_error err = {""};
    assert_int_equal(hs_log_open(&log, path, &err), HS_EFORMAT);
    assert_non_null(
        strstr(err.msg, "other byte order (endian mark 0x04030201, expected 0x01020304)"));
}

static void test_log_read__bad_record_size(void **state)
{
    struct hs_log_header h;
    make_header(&h, 1);
    h.record_size = 48;
    write_log(&h, 1, NULL, 0, 0);
    struct hs_log log;
    struct hs_error err = {""};
    assert_int_equal(hs_log_open(&log, path, &err), HS_EFORMAT);
    char want[512];
    snprintf(want, sizeof want, "'%s': record size 48 (expected 64)", path);
    assert_string_equal(err.msg, want);
}

static void test_log_read__bad_header_size(void **state)
{
    struct hs_log_header h;
    make_header(&h, 1);
    h.header_size = 8192;
    write_log(&h, 1, NULL, 0, 0);
    struct hs_log log;
    struct hs_error err = {""};
    assert_int_equal(hs_log_open(&log, path, &err), HS_EFORMAT);
    char want[512];
    snprintf(want, sizeof want, "'%s': header size 8192 (expected 4096)", path);
    assert_string_equal(err.msg, want);
}

static void test_log_read__missing_file(void **state)
{
    struct hs_log log;
    struct hs_error err = {""};
    char missing[300];
    snprintf(missing, sizeof missing, "%s/none.hslog", dir);
    assert_int_equal(hs_log_open(&log, missing, &err), HS_EIO);
    char want[512];
    snprintf(want, sizeof want, "cannot open log '%s': No such file or directory", missing);
    assert_string_equal(err.msg, want);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_log_read__valid, setup, teardown),
        cmocka_unit_test_setup_teardown(test_log_read__uncommitted_slot, setup, teardown),
        cmocka_unit_test_setup_teardown(test_log_read__truncated_records, setup, teardown),
        cmocka_unit_test_setup_teardown(test_log_read__truncated_header, setup, teardown),
        cmocka_unit_test_setup_teardown(test_log_read__empty_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_log_read__wrong_magic, setup, teardown),
        cmocka_unit_test_setup_teardown(test_log_read__newer_version, setup, teardown),
        cmocka_unit_test_setup_teardown(test_log_read__other_endian, setup, teardown),
        cmocka_unit_test_setup_teardown(test_log_read__bad_record_size, setup, teardown),
        cmocka_unit_test_setup_teardown(test_log_read__bad_header_size, setup, teardown),
        cmocka_unit_test_setup_teardown(test_log_read__missing_file, setup, teardown),
    };
    return cmocka_run_group_tests_name("log_read", tests, group_setup, group_teardown);
}
