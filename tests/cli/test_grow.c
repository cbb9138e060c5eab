/* test_grow.c - hs_grow (analyzer/lib/grow.h): doubling from first_cap,
 * no move while there is room, refusal (array and cap kept) on overflow. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "grow.h"

static void test_grow__doubles_from_first_cap(void **state)
{
    (void)state;
    int *v = NULL;
    size_t cap = 0, n = 0;
    size_t caps[] = {4, 4, 4, 4, 8, 8, 8, 8, 16};
    for (size_t i = 0; i < sizeof caps / sizeof caps[0]; i++) {
        int *grown = hs_grow(v, &cap, n, sizeof *grown, 4);
        assert_non_null(grown);
        v = grown;
        v[n] = (int)n;
        n++;
        assert_int_equal(cap, caps[i]);
    }
    for (size_t i = 0; i < n; i++)
        assert_int_equal(v[i], (int)i);
    free(v);
}

static void test_grow__keeps_the_array_while_there_is_room(void **state)
{
    (void)state;
    size_t cap = 0;
    char *v = hs_grow(NULL, &cap, 0, 1, 16);
    assert_non_null(v);
    assert_int_equal(cap, 16);
    for (size_t n = 1; n < 16; n++)
        assert_ptr_equal(hs_grow(v, &cap, n, 1, 16), v);
    assert_int_equal(cap, 16);
    free(v);
}

static void test_grow__refuses_an_overflowing_size(void **state)
{
    (void)state;
    size_t cap = 0;
    char *v = hs_grow(NULL, &cap, 0, 1, 8);
    assert_non_null(v);
    cap = SIZE_MAX / 2 + 1; /* pretend: doubling would wrap */
    assert_null(hs_grow(v, &cap, cap, 1, 8));
    assert_int_equal(cap, SIZE_MAX / 2 + 1);
    cap = 8;
    assert_null(hs_grow(v, &cap, 8, SIZE_MAX / 8, 8)); /* 16 * elem overflows */
    assert_int_equal(cap, 8);
    free(v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_grow__doubles_from_first_cap),
        cmocka_unit_test(test_grow__keeps_the_array_while_there_is_room),
        cmocka_unit_test(test_grow__refuses_an_overflowing_size),
    };
    return cmocka_run_group_tests_name("grow", tests, NULL, NULL);
}
