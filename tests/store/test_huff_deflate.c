/* test_huff_deflate.c - streams of huff_deflate.c read back by zlib's
 * uncompress(): sizes around the block size, one byte value, all values,
 * a skewed distribution that needs the length limit, and the sizes it
 * reaches on a stream-like input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <zlib.h>

#include "huff_deflate.h"

/* Compresses in, uncompresses, compares; returns the compressed size. */
static size_t round_trip(const uint8_t *in, size_t n)
{
    size_t bound = hs_huff_deflate_bound(n);
    uint8_t *packed = malloc(bound), *back = malloc(n ? n : 1);
    size_t size = hs_huff_deflate(in, n, packed);
    assert_true(size <= bound);
    uLongf back_size = n;
    assert_int_equal(uncompress(back, &back_size, packed, size), Z_OK);
    assert_int_equal(back_size, n);
    assert_memory_equal(back, in, n);
    free(packed);
    free(back);
    return size;
}

static void test_huff_deflate__sizes_around_the_block(void **state)
{
    (void)state;
    static const size_t sizes[] = {1, 2, 3, 100, 65535, 65536, 65537, 131072, 200001};
    uint32_t x = 12345;
    for (size_t k = 0; k < sizeof sizes / sizeof *sizes; k++) {
        uint8_t *in = malloc(sizes[k]);
        for (size_t i = 0; i < sizes[k]; i++) {
            x = x * 1103515245 + 12345;
            in[i] = (uint8_t)(x >> 16);
        }
        round_trip(in, sizes[k]);
        free(in);
    }
}

static void test_huff_deflate__one_value_and_all_values(void **state)
{
    (void)state;
    uint8_t same[70000], all[256 * 300];
    memset(same, 0x5a, sizeof same);
    /* one literal (1 bit) and end-of-block: about an eighth of the input */
    assert_true(round_trip(same, sizeof same) < sizeof same / 8 + 200);
    for (size_t i = 0; i < sizeof all; i++)
        all[i] = (uint8_t)i;
    /* 256 equally frequent values: 8 bits each, nothing saved */
    assert_true(round_trip(all, sizeof all) <= sizeof all + 400);
}

/* Byte k appearing fib(k) times makes a Huffman tree 25 levels deep:
 * the coder must limit it to deflate's 15 bits. */
static void test_huff_deflate__deep_tree_is_limited(void **state)
{
    (void)state;
    size_t fib[26] = {1, 1}, n = 0;
    for (int k = 2; k < 26; k++)
        fib[k] = fib[k - 1] + fib[k - 2];
    for (int k = 0; k < 26; k++)
        n += fib[k];
    uint8_t *in = malloc(n), *p = in;
    for (int k = 0; k < 26; k++)
        for (size_t i = 0; i < fib[k]; i++)
            *p++ = (uint8_t)(k * 7);
    /* shuffle so the blocks see the same mix */
    uint32_t x = 1;
    for (size_t i = n - 1; i > 0; i--) {
        x = x * 1103515245 + 12345;
        size_t j = (x >> 8) % (i + 1);
        uint8_t t = in[i];
        in[i] = in[j];
        in[j] = t;
    }
    round_trip(in, n);
    free(in);
}

/* zlib's own Huffman-only deflate as the yardstick: within 1% of it. */
static void test_huff_deflate__as_small_as_zlib_huffman_only(void **state)
{
    (void)state;
    size_t n = 40000;
    uint8_t *in = malloc(n);
    uint32_t x = 7;
    for (size_t i = 0; i < n; i++) {
        x = x * 1103515245 + 12345;
        unsigned r = (x >> 16) & 0xff;
        in[i] = (uint8_t)(r < 128 ? r & 3 : r < 200 ? r & 31 : r); /* skewed, stream-like */
    }
    size_t ours = round_trip(in, n);
    uLongf zsize = compressBound(n);
    uint8_t *z = malloc(zsize);
    z_stream zs = {0};
    assert_int_equal(deflateInit2(&zs, 1, Z_DEFLATED, 15, 8, Z_HUFFMAN_ONLY), Z_OK);
    zs.next_in = in;
    zs.avail_in = (uInt)n;
    zs.next_out = z;
    zs.avail_out = (uInt)zsize;
    assert_int_equal(deflate(&zs, Z_FINISH), Z_STREAM_END);
    assert_true(ours <= zs.total_out + zs.total_out / 100);
    deflateEnd(&zs);
    free(z);
    free(in);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_huff_deflate__sizes_around_the_block),
        cmocka_unit_test(test_huff_deflate__one_value_and_all_values),
        cmocka_unit_test(test_huff_deflate__deep_tree_is_limited),
        cmocka_unit_test(test_huff_deflate__as_small_as_zlib_huffman_only),
    };
    return cmocka_run_group_tests_name("huff_deflate", tests, NULL, NULL);
}
