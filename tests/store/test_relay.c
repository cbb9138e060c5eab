/* test_relay.c - the drainer-to-import hand-off (analyzer/lib/relay.h):
 * batches arrive in order with the images and the watermark, are reused
 * once recycled, the batch limit makes the drainer wait, and an abandoned
 * relay never makes it wait. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include <cmocka.h>

#include "relay.h"

#define SMALL (8 * sizeof(struct hs_relay_batch)) /* a relay of 8 batches */

static struct hs_relay_batch *batch_of(struct hs_relay *r, uint32_t image, uint64_t first_seq,
                                       uint32_t n)
{
    struct hs_relay_batch *b = hs_relay_batch_get(r);
    assert_non_null(b);
    assert_int_equal(b->n, 0);
    b->image = image;
    for (uint32_t i = 0; i < n; i++)
        b->rec[i].seq = first_seq + i;
    b->n = n;
    return b;
}

static void test_relay__batches_images_and_watermark_in_order(void **state)
{
    (void)state;
    struct hs_relay *r = hs_relay_new(SMALL);
    assert_non_null(r);
    struct hs_log_header h;
    memset(&h, 0, sizeof h);
    h.pid = 41;
    assert_int_equal(hs_relay_add_image(r, &h), 0);
    h.pid = 42;
    assert_int_equal(hs_relay_add_image(r, &h), 1);
    struct hs_relay_batch *a = batch_of(r, 0, 1, 3), *b = batch_of(r, 1, 4, 2);
    hs_relay_post(r, a);
    hs_relay_post(r, b);
    hs_relay_watermark(r, 5);
    hs_relay_watermark(r, 4); /* never goes back */
    struct hs_relay_news news;
    hs_relay_take(r, &news);
    assert_ptr_equal(news.batches, a);
    assert_ptr_equal(news.batches->next, b);
    assert_null(b->next);
    assert_int_equal(news.watermark, 5);
    assert_int_equal(news.n_images, 2);
    assert_false(news.closed);
    /* an image's final header replaces the first one */
    h.pid = 42;
    h.n_reserved = 9;
    hs_relay_end_image(r, 1, &h, 4);
    struct hs_log_header got;
    uint64_t lost;
    hs_relay_image(r, 1, &got, &lost);
    assert_int_equal(got.pid, 42);
    assert_int_equal(got.n_reserved, 9);
    assert_int_equal(lost, 4);
    /* recycled batches are handed out again, emptied */
    hs_relay_recycle(r, a);
    hs_relay_recycle(r, b);
    struct hs_relay_batch *c = hs_relay_batch_get(r);
    assert_true(c == a || c == b);
    assert_int_equal(c->n, 0);
    hs_relay_post(r, c); /* an empty post is a recycle: no news */
    hs_relay_close(r);
    hs_relay_take(r, &news);
    assert_null(news.batches);
    assert_true(news.closed);
    hs_relay_free(r);
}

struct getter {
    struct hs_relay *r;
    struct hs_relay_batch *got;
    int done;
};

static void *get_one(void *arg)
{
    struct getter *g = arg;
    g->got = hs_relay_batch_get(g->r);
    __atomic_store_n(&g->done, 1, __ATOMIC_RELEASE);
    return NULL;
}

static void nap_ms(long ms)
{
    struct timespec ts = {0, ms * 1000000L};
    nanosleep(&ts, NULL);
}

static void test_relay__limit_waits_for_a_recycled_batch(void **state)
{
    (void)state;
    struct hs_relay *r = hs_relay_new(SMALL);
    struct hs_relay_batch *first = NULL;
    unsigned max = hs_relay_max_batches(r);
    assert_int_equal(max, 8);
    for (unsigned i = 0; i < max; i++) {
        struct hs_relay_batch *b = batch_of(r, 0, i + 1, 1);
        if (!first)
            first = b;
        hs_relay_post(r, b);
    }
    struct getter g = {r, NULL, 0};
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, get_one, &g), 0);
    nap_ms(50);
    assert_false(__atomic_load_n(&g.done, __ATOMIC_ACQUIRE)); /* waits: the limit is reached */
    struct hs_relay_news news;
    hs_relay_take(r, &news);
    assert_ptr_equal(news.batches, first);
    struct hs_relay_batch *rest = first->next;
    hs_relay_recycle(r, first);
    pthread_join(t, NULL);
    assert_ptr_equal(g.got, first);
    while (rest) {
        struct hs_relay_batch *next = rest->next;
        hs_relay_recycle(r, rest);
        rest = next;
    }
    hs_relay_recycle(r, g.got);
    hs_relay_free(r);
}

static void test_relay__abandoned_relay_never_waits(void **state)
{
    (void)state;
    struct hs_relay *r = hs_relay_new(SMALL);
    for (unsigned i = 0; i < hs_relay_max_batches(r); i++)
        hs_relay_post(r, batch_of(r, 0, i + 1, 1));
    struct getter g = {r, NULL, 0};
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, get_one, &g), 0);
    nap_ms(20);
    hs_relay_abandon(r); /* the import failed: the drainer must not hang */
    pthread_join(t, NULL);
    assert_null(g.got);
    assert_null(hs_relay_batch_get(r));
    hs_relay_free(r); /* frees the posted batches */
}

static void test_relay__batches_are_whole_cache_lines(void **state)
{
    (void)state;
    struct hs_relay *r = hs_relay_new(SMALL);
    struct hs_relay_batch *b[8];
    for (unsigned i = 0; i < 8; i++) {
        b[i] = hs_relay_batch_get(r);
        assert_non_null(b[i]);
        /* each record fills one cache line, and the batch is written whole */
        assert_int_equal((uintptr_t)b[i]->rec % 64, 0);
        memset(b[i]->rec, 0xa5, sizeof b[i]->rec);
        for (unsigned j = 0; j < i; j++) /* no two batches overlap */
            assert_true((char *)b[j] + sizeof *b[j] <= (char *)b[i] ||
                        (char *)b[i] + sizeof *b[i] <= (char *)b[j]);
    }
    for (unsigned i = 0; i < 8; i++)
        hs_relay_recycle(r, b[i]);
    hs_relay_free(r);
}

static int mapped(const void *p)
{
    unsigned char v;
    return mincore((void *)p, 1, &v) == 0; /* ENOMEM: not mapped */
}

static void test_relay__closed_relay_unmaps_its_batches_once_all_are_back(void **state)
{
    (void)state;
    struct hs_relay *r = hs_relay_new(SMALL);
    struct hs_relay_batch *a = batch_of(r, 0, 1, 1), *b = batch_of(r, 0, 2, 1);
    hs_relay_post(r, a);
    hs_relay_post(r, b);
    hs_relay_close(r);
    struct hs_relay_news news;
    hs_relay_take(r, &news);
    hs_relay_recycle(r, a);
    nap_ms(50);
    assert_true(mapped(a) && mapped(b)); /* b is still the import's */
    hs_relay_recycle(r, b);
    for (int i = 0; i < 2000 && (mapped(a) || mapped(b)); i++)
        nap_ms(5);
    assert_false(mapped(a));
    assert_false(mapped(b));
    hs_relay_free(r);
}

static void test_relay__default_limit_is_bounded(void **state)
{
    (void)state;
    struct hs_relay *r = hs_relay_new(0);
    unsigned max = hs_relay_max_batches(r);
    assert_true(max >= 2 && max * sizeof(struct hs_relay_batch) <= HS_RELAY_MAX_BYTES);
    hs_relay_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_relay__batches_images_and_watermark_in_order),
        cmocka_unit_test(test_relay__limit_waits_for_a_recycled_batch),
        cmocka_unit_test(test_relay__abandoned_relay_never_waits),
        cmocka_unit_test(test_relay__batches_are_whole_cache_lines),
        cmocka_unit_test(test_relay__closed_relay_unmaps_its_batches_once_all_are_back),
        cmocka_unit_test(test_relay__default_limit_is_bounded),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
