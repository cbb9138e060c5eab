/*
 * test_symbolize.c - symbolize.c against this very test binary: the return
 * address of a call made on a known line must resolve to this function and
 * that line, read from this process's own /proc/self/maps text.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "symbolize.h"

static char *read_maps(void)
{
    FILE *f = fopen("/proc/self/maps", "r");
    assert_non_null(f);
    size_t cap = 1 << 20, n = 0;
    char *buf = malloc(cap);
    assert_non_null(buf);
    size_t got;
    while ((got = fread(buf + n, 1, cap - 1 - n, f)) > 0)
        n += got;
    buf[n] = '\0';
    fclose(f);
    return buf;
}

/* A symbolizer of maps_text, which must be accepted. */
static struct hs_symbolizer *symbolizer_of(const char *maps_text)
{
    struct hs_symbolizer *s = NULL;
    struct hs_error err = {{0}};
    assert_int_equal(hs_symbolizer_new(maps_text, &s, &err), HS_OK);
    return s;
}

static __attribute__((noinline)) uint64_t return_address(void)
{
    return (uint64_t)(uintptr_t)__builtin_extract_return_addr(__builtin_return_address(0));
}

static void test_symbolize__caller_line(void **state)
{
    (void)state;
    uint64_t ra = return_address(); int expected_line = __LINE__;
    char *maps = read_maps();
    struct hs_symbolizer *s = symbolizer_of(maps);
    struct hs_symbol sym;
    assert_int_equal(hs_symbolizer_lookup(s, ra, 1, &sym), 1);
    assert_string_equal(sym.function, "test_symbolize__caller_line");
    assert_non_null(strstr(sym.file, "test_symbolize.c"));
    assert_int_equal(sym.line, expected_line);
    assert_non_null(strstr(sym.module, "test_symbolize"));
    char text[512];
    hs_symbol_format(&sym, ra, text, sizeof text);
    assert_non_null(strstr(text, "test_symbolize__caller_line ("));
    hs_symbol_format(&sym, ra, text, 16); /* too long: cut, and says so */
    assert_string_equal(text, "test_symboli...");
    hs_symbolizer_free(s);
    free(maps);
}

static void test_symbolize__libc_function(void **state)
{
    (void)state;
    char *maps = read_maps();
    struct hs_symbolizer *s = symbolizer_of(maps);
    struct hs_symbol sym;
    assert_int_equal(hs_symbolizer_lookup(s, (uint64_t)(uintptr_t)&qsort, 0, &sym), 1);
    assert_string_equal(sym.function, "qsort");
    assert_non_null(strstr(sym.module, "libc.so.6"));
    hs_symbolizer_free(s);
    free(maps);
}

static void test_symbolize__unknown_address(void **state)
{
    (void)state;
    char *maps = read_maps();
    struct hs_symbolizer *s = symbolizer_of(maps);
    struct hs_symbol sym;
    assert_int_equal(hs_symbolizer_lookup(s, 0x10, 1, &sym), 0);
    char text[64];
    hs_symbol_format(&sym, 0x10, text, sizeof text);
    assert_string_equal(text, "0x10");
    hs_symbolizer_free(s);
    free(maps);
}

/* No address in a gap of the maps text resolves: dlopen may put code
 * there later, and libdwfl alone gives a module (libc's, here) an extent
 * reaching into the gap after it. The first 64 pages of every gap of this
 * process's own maps are probed. */
static void test_symbolize__gaps_are_unknown(void **state)
{
    (void)state;
    char *maps = read_maps();
    struct hs_symbolizer *s = symbolizer_of(maps);
    unsigned long long prev_hi = 0;
    int gaps = 0;
    for (char *line = maps; line && *line;) {
        char *nl = strchr(line, '\n');
        unsigned long long lo, hi;
        if (sscanf(line, "%llx-%llx", &lo, &hi) == 2) {
            if (prev_hi && lo > prev_hi) {
                gaps++;
                for (unsigned long long a = prev_hi; a < lo && a < prev_hi + 64 * 0x1000; a += 0x1000) {
                    struct hs_symbol sym;
                    if (hs_symbolizer_lookup(s, a + 0x1e7, 1, &sym) != 0)
                        fail_msg("unmapped 0x%llx resolved to %s", a + 0x1e7, sym.module);
                }
            }
            prev_hi = hi;
        }
        line = nl ? nl + 1 : NULL;
    }
    assert_true(gaps > 0);
    hs_symbolizer_free(s);
    free(maps);
}

/* A map at start followed by a map at exit (trace.h, hs_trace_maps_sql):
 * the lines both hold are taken once, in address order. */
static void test_symbolize__two_maps_one_after_the_other(void **state)
{
    (void)state;
    char *maps = read_maps();
    size_t len = strlen(maps);
    char *twice = malloc(2 * len + 2);
    assert_non_null(twice);
    memcpy(twice, maps, len);
    twice[len] = '\n';
    memcpy(twice + len + 1, maps, len + 1);
    struct hs_symbolizer *s = symbolizer_of(twice);
    struct hs_symbol sym;
    assert_int_equal(hs_symbolizer_lookup(s, (uint64_t)(uintptr_t)&qsort, 0, &sym), 1);
    assert_string_equal(sym.function, "qsort");
    hs_symbolizer_free(s);
    free(twice);
    free(maps);
}

/* libc's path as the maps text names it, into path. */
static void libc_path(const char *maps, char *path, size_t size)
{
    const char *at = strstr(maps, "/libc.so.6");
    assert_non_null(at);
    const char *start = at;
    while (start > maps && start[-1] != ' ')
        start--;
    snprintf(path, size, "%.*s", (int)(at - start) + (int)strlen("/libc.so.6"), start);
}

/* With the build-ids recorded, a file of another build gives no names (they
 * would be that build's), only its module and offset, marked changed; the
 * same build is looked up as usual. */
static void test_symbolize__rebuilt_file_gives_no_names(void **state)
{
    (void)state;
    char *maps = read_maps(), path[4096], id[129], recorded[8192];
    libc_path(maps, path, sizeof path);
    assert_int_equal(hs_build_id_of_file(path, id, sizeof id), 1);
    assert_int_equal(strlen(id), 40); /* Debian's: a SHA-1 */
    assert_int_equal(hs_build_id_of_file("/proc/self/maps", id + 50, 20), 0); /* not ELF */
    uint64_t qsort_at = (uint64_t)(uintptr_t)&qsort;
    struct hs_error err = {{0}};
    struct hs_symbol sym;
    char text[512];

    struct hs_symbolizer *s = symbolizer_of(maps);
    snprintf(recorded, sizeof recorded, "/no/such\tabcd\n%s\t%s\n", path, id);
    assert_int_equal(hs_symbolizer_expect_build_ids(s, recorded, &err), HS_OK);
    assert_int_equal(hs_symbolizer_lookup(s, qsort_at, 0, &sym), 1);
    assert_string_equal(sym.function, "qsort");
    assert_int_equal(sym.changed, 0);
    hs_symbolizer_free(s);

    s = symbolizer_of(maps);
    id[0] = id[0] == '0' ? '1' : '0'; /* another build */
    snprintf(recorded, sizeof recorded, "%s\t%s", path, id);
    assert_int_equal(hs_symbolizer_expect_build_ids(s, recorded, &err), HS_OK);
    assert_int_equal(hs_symbolizer_lookup(s, qsort_at, 0, &sym), 1);
    assert_string_equal(sym.function, "");
    assert_int_equal(sym.changed, 1);
    assert_non_null(strstr(sym.module, "libc.so.6"));
    hs_symbol_format(&sym, qsort_at, text, sizeof text);
    assert_non_null(strstr(text, "libc.so.6+0x"));
    assert_non_null(strstr(text, " (rebuilt since the recording)"));
    /* a path recorded without a build-id: not checked */
    assert_int_equal(hs_symbolizer_expect_build_ids(s, "", &err), HS_OK);
    assert_int_equal(hs_symbolizer_lookup(s, qsort_at, 0, &sym), 1);
    assert_string_equal(sym.function, "qsort");
    hs_symbolizer_free(s);
    free(maps);
}

/* The map at exit after an empty line, starting with a mapping the map at
 * start does not have (mimalloc reserves its arenas low): every line is
 * kept, and names are found (the empty line took that first mapping's
 * range and made libdwfl refuse the whole text). */
static void test_symbolize__blank_line_then_new_mapping(void **state)
{
    (void)state;
    char *maps = read_maps();
    size_t len = strlen(maps);
    const char *low = "10000000000-10000600000 rw-p 00000000 00:00 0 \n";
    char *text = malloc(2 * len + strlen(low) + 2);
    assert_non_null(text);
    snprintf(text, 2 * len + strlen(low) + 2, "%s\n%s%s", maps, low, maps);
    struct hs_symbolizer *s = symbolizer_of(text);
    struct hs_symbol sym;
    assert_int_equal(hs_symbolizer_lookup(s, (uint64_t)(uintptr_t)&qsort, 0, &sym), 1);
    assert_string_equal(sym.function, "qsort");
    hs_symbolizer_free(s);
    free(text);
    free(maps);
}

static void test_symbolize__empty_maps(void **state)
{
    (void)state;
    struct hs_symbolizer *s = NULL;
    struct hs_error err = {{0}};
    assert_int_equal(hs_symbolizer_new("", &s, &err), HS_EARG);
    assert_null(s);
    assert_string_equal(err.msg, "empty maps text: nothing to symbolize with");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_symbolize__caller_line),
        cmocka_unit_test(test_symbolize__libc_function),
        cmocka_unit_test(test_symbolize__unknown_address),
        cmocka_unit_test(test_symbolize__gaps_are_unknown),
        cmocka_unit_test(test_symbolize__two_maps_one_after_the_other),
        cmocka_unit_test(test_symbolize__rebuilt_file_gives_no_names),
        cmocka_unit_test(test_symbolize__blank_line_then_new_mapping),
        cmocka_unit_test(test_symbolize__empty_maps),
    };
    return cmocka_run_group_tests_name("symbolize", tests, NULL, NULL);
}
