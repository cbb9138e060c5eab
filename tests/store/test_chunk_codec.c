/* test_chunk_codec.c - event chunk compression: new chunks are zstd and
 * decompress to the same bytes; zlib chunks of older traces still read;
 * damaged data or a wrong size is refused, never read past. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <zlib.h>

#include "chunk_codec.h"
#include "error.h"

#define RAW_SIZE 40000

/* Bytes shaped like an encoded stream: small varints with some noise. */
static void fill(unsigned char *raw)
{
    uint64_t x = 0x9e3779b97f4a7c15ull;
    for (size_t i = 0; i < RAW_SIZE; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        raw[i] = (unsigned char)(i % 11 == 0 ? x : x % 5);
    }
}

static void test_chunk_codec__zstd_round_trip(void **state)
{
    (void)state;
    static unsigned char raw[RAW_SIZE], back[RAW_SIZE];
    fill(raw);
    struct hs_chunk_packer p;
    assert_int_equal(hs_chunk_packer_init(&p), 0);
    size_t cap = hs_chunk_bound(RAW_SIZE);
    unsigned char *packed = malloc(cap);
    assert_non_null(packed);
    for (int round = 0; round < 2; round++) { /* the context is reused */
        size_t n = hs_chunk_pack(&p, raw, RAW_SIZE, packed, cap);
        assert_true(n > 4 && n < RAW_SIZE);
        assert_memory_equal(packed, "\x28\xb5\x2f\xfd", 4);
        memset(back, 0, sizeof back);
        assert_int_equal(hs_chunk_unpack(packed, n, back, RAW_SIZE), 0);
        assert_memory_equal(back, raw, RAW_SIZE);
        /* the size the row claims must be the real one */
        assert_int_equal(hs_chunk_unpack(packed, n, back, RAW_SIZE - 1), HS_EFORMAT);
        /* a truncated frame is refused */
        assert_int_equal(hs_chunk_unpack(packed, n / 2, back, RAW_SIZE), HS_EFORMAT);
    }
    free(packed);
    hs_chunk_packer_free(&p);
}

static void test_chunk_codec__zlib_chunks_of_older_traces_read(void **state)
{
    (void)state;
    static unsigned char raw[RAW_SIZE], back[RAW_SIZE];
    fill(raw);
    uLongf n = compressBound(RAW_SIZE);
    unsigned char *packed = malloc(n);
    assert_non_null(packed);
    assert_int_equal(compress2(packed, &n, raw, RAW_SIZE, 1), Z_OK);
    assert_int_equal(hs_chunk_unpack(packed, n, back, RAW_SIZE), 0);
    assert_memory_equal(back, raw, RAW_SIZE);
    assert_int_equal(hs_chunk_unpack(packed, n, back, RAW_SIZE + 1), HS_EFORMAT);
    packed[n / 2] ^= 0xff;
    assert_int_equal(hs_chunk_unpack(packed, n, back, RAW_SIZE), HS_EFORMAT);
    assert_int_equal(hs_chunk_unpack(NULL, 0, back, RAW_SIZE), HS_EFORMAT);
    free(packed);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_chunk_codec__zstd_round_trip),
        cmocka_unit_test(test_chunk_codec__zlib_chunks_of_older_traces_read),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
