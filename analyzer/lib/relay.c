/*
 * relay.c - the drainer-to-import hand-off (contract: relay.h). One mutex
 * guards everything; it is taken once per batch (8191 records), never per
 * record.
 *
 * A thread of the relay's, started with it and asleep until then, unmaps
 * every batch as soon as the relay is closed and the import has recycled
 * them all: the import then still finishes its trace (the main thread
 * copies the B-tree into the database), and freeing the memory of the
 * batches, per page (256 MiB for `make bench`: 25-30 ms), overlaps it
 * instead of adding a serial step at the very end in hs_relay_free
 * (measured: the main thread's CPU for `make bench` fell by about that).
 */
#include "relay.h"

#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "grow.h"

struct relay_image {
    struct hs_log_header header;
    uint64_t n_lost;
};

struct hs_relay {
    pthread_mutex_t lock;
    pthread_cond_t changed;
    struct hs_relay_batch *posted, **posted_tail; /* FIFO not yet taken */
    struct hs_relay_batch *spare;                 /* recycled, ready for reuse */
    unsigned n_batches;                           /* allocated */
    unsigned max_batches;                         /* the memory limit */
    struct relay_image *images;
    uint32_t n_images;
    size_t cap_images;
    uint64_t watermark, taken_watermark;
    int closed, abandoned;
    int import_waiting; /* the import waits for news: it recycles nothing meanwhile */
    unsigned n_spare;   /* batches on the spare list */
    pthread_t freer;    /* unmaps the batches once closed and all recycled */
    pthread_cond_t freer_wake;
    int has_freer, stop_freer;
};

/* Under the lock: the freer may go (it sleeps on its own condition, not
 * woken by every batch). */
static int all_back(const struct hs_relay *r)
{
    return r->closed && r->n_batches && r->n_spare == r->n_batches;
}

static void free_list(struct hs_relay_batch *b)
{
    while (b) {
        struct hs_relay_batch *next = b->next;
        munmap(b, sizeof *b);
        b = next;
    }
}

static int by_address(const void *a, const void *b)
{
    struct hs_relay_batch *const *x = a, *const *y = b;
    return ((uintptr_t)*x > (uintptr_t)*y) - ((uintptr_t)*x < (uintptr_t)*y);
}

/* free_list for n batches, with one munmap(2) per run of adjacent ones
 * (the kernel mostly maps successive batches side by side): each call
 * interrupts the other CPUs running the process to flush their TLBs. */
static void free_coalesced(struct hs_relay_batch *list, unsigned n)
{
    struct hs_relay_batch **v = malloc(n * sizeof *v);
    if (!v) {
        free_list(list);
        return;
    }
    unsigned k = 0;
    for (struct hs_relay_batch *b = list; b && k < n; b = b->next)
        v[k++] = b;
    qsort(v, k, sizeof *v, by_address);
    for (unsigned i = 0, j; i < k; i = j) {
        for (j = i + 1; j < k && v[j] == v[j - 1] + 1; j++)
            ;
        munmap(v[i], (j - i) * sizeof *v[i]);
    }
    free(v);
}

static void *freer_main(void *arg)
{
    struct hs_relay *r = arg;
    sigset_t all;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, NULL);
    pthread_mutex_lock(&r->lock);
    while (!r->stop_freer && !all_back(r))
        pthread_cond_wait(&r->freer_wake, &r->lock);
    struct hs_relay_batch *b = r->stop_freer ? NULL : r->spare;
    unsigned n = r->n_spare;
    if (b) {
        r->spare = NULL;
        r->n_spare = r->n_batches = 0;
    }
    pthread_mutex_unlock(&r->lock);
    if (b)
        free_coalesced(b, n);
    return NULL;
}

struct hs_relay *hs_relay_new(uint64_t max_bytes)
{
    struct hs_relay *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    pthread_mutex_init(&r->lock, NULL);
    pthread_cond_init(&r->changed, NULL);
    pthread_cond_init(&r->freer_wake, NULL);
    r->posted_tail = &r->posted;
    uint64_t limit = max_bytes ? max_bytes : HS_RELAY_MAX_BYTES;
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    if (!max_bytes && pages > 0 && page > 0 && (uint64_t)pages * (uint64_t)page / 8 < limit)
        limit = (uint64_t)pages * (uint64_t)page / 8;
    r->max_batches = (unsigned)(limit / sizeof(struct hs_relay_batch));
    if (r->max_batches < 2)
        r->max_batches = 2;
    r->has_freer = pthread_create(&r->freer, NULL, freer_main, r) == 0; /* else: hs_relay_free */
    return r;
}

/* A new batch, its pages faulted in by one system call: the drainer
 * takes new batches while the import lags, and one page fault per 4 KiB
 * (128 per batch) was a third of its time. NULL if out of memory.
 *
 * Not huge pages: on this project's virtual machines the kernel reports
 * free 2 MiB blocks to the host, which takes their memory back, so a huge
 * page is cold memory the host must fault in again; measured for 256 MiB
 * in 512 KiB batches: 4 KiB pages 80-90 ms, huge pages 170-250 ms (25 ms
 * only when the same memory was freed a moment before). */
static struct hs_relay_batch *new_batch(void)
{
    void *m = mmap(NULL, sizeof(struct hs_relay_batch), PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
    return m == MAP_FAILED ? NULL : m;
}

void hs_relay_free(struct hs_relay *r)
{
    if (!r)
        return;
    if (r->has_freer) {
        pthread_mutex_lock(&r->lock);
        r->stop_freer = 1;
        pthread_cond_signal(&r->freer_wake);
        pthread_mutex_unlock(&r->lock);
        pthread_join(r->freer, NULL);
    }
    free_list(r->posted);
    free_list(r->spare);
    free(r->images);
    pthread_cond_destroy(&r->changed);
    pthread_cond_destroy(&r->freer_wake);
    pthread_mutex_destroy(&r->lock);
    free(r);
}

int64_t hs_relay_add_image(struct hs_relay *r, const struct hs_log_header *h)
{
    pthread_mutex_lock(&r->lock);
    int64_t i = -1;
    struct relay_image *grown = hs_grow(r->images, &r->cap_images, r->n_images, sizeof *grown, 8);
    if (grown) {
        r->images = grown;
        i = r->n_images++;
        memcpy(&r->images[i].header, h, sizeof *h);
        r->images[i].n_lost = 0;
        pthread_cond_broadcast(&r->changed);
    }
    pthread_mutex_unlock(&r->lock);
    return i;
}

void hs_relay_end_image(struct hs_relay *r, uint32_t image, const struct hs_log_header *h,
                        uint64_t n_lost)
{
    pthread_mutex_lock(&r->lock);
    memcpy(&r->images[image].header, h, sizeof *h);
    r->images[image].n_lost = n_lost;
    pthread_mutex_unlock(&r->lock);
}

struct hs_relay_batch *hs_relay_batch_get(struct hs_relay *r)
{
    pthread_mutex_lock(&r->lock);
    /* The limit yields when the import itself waits for news: then every
     * batch holds records past the watermark, which only the drainer can
     * move (a writer was slow to commit), and waiting would deadlock. */
    while (!r->spare && !r->abandoned && !r->import_waiting && r->n_batches >= r->max_batches)
        pthread_cond_wait(&r->changed, &r->lock);
    struct hs_relay_batch *b = NULL;
    int fresh = 0;
    if (r->abandoned) {
        /* nothing */
    } else if (r->spare) {
        b = r->spare;
        r->spare = b->next;
        r->n_spare--;
    } else {
        /* counted now, mapped unlocked: faulting a fresh batch in takes
         * 0.1-0.3 ms, which the import should not wait for */
        r->n_batches++;
        fresh = 1;
    }
    pthread_mutex_unlock(&r->lock);
    if (fresh && !(b = new_batch())) {
        pthread_mutex_lock(&r->lock);
        r->n_batches--;
        pthread_mutex_unlock(&r->lock);
    }
    if (b) {
        b->n = 0;
        b->next = NULL;
    }
    return b;
}

void hs_relay_post(struct hs_relay *r, struct hs_relay_batch *b)
{
    if (b->n == 0) {
        hs_relay_recycle(r, b);
        return;
    }
    b->next = NULL;
    pthread_mutex_lock(&r->lock);
    *r->posted_tail = b;
    r->posted_tail = &b->next;
    pthread_cond_broadcast(&r->changed);
    pthread_mutex_unlock(&r->lock);
}

void hs_relay_watermark(struct hs_relay *r, uint64_t seq)
{
    pthread_mutex_lock(&r->lock);
    if (seq > r->watermark) {
        r->watermark = seq;
        pthread_cond_broadcast(&r->changed);
    }
    pthread_mutex_unlock(&r->lock);
}

int hs_relay_import_waiting(struct hs_relay *r)
{
    return __atomic_load_n(&r->import_waiting, __ATOMIC_RELAXED);
}

void hs_relay_close(struct hs_relay *r)
{
    pthread_mutex_lock(&r->lock);
    r->closed = 1;
    pthread_cond_broadcast(&r->changed);
    if (all_back(r))
        pthread_cond_signal(&r->freer_wake);
    pthread_mutex_unlock(&r->lock);
}

void hs_relay_take(struct hs_relay *r, struct hs_relay_news *news)
{
    pthread_mutex_lock(&r->lock);
    while (!r->posted && r->watermark == r->taken_watermark && !r->closed) {
        __atomic_store_n(&r->import_waiting, 1, __ATOMIC_RELAXED);
        pthread_cond_broadcast(&r->changed);
        pthread_cond_wait(&r->changed, &r->lock);
    }
    __atomic_store_n(&r->import_waiting, 0, __ATOMIC_RELAXED);
    news->batches = r->posted;
    r->posted = NULL;
    r->posted_tail = &r->posted;
    news->watermark = r->taken_watermark = r->watermark;
    news->n_images = r->n_images;
    news->closed = r->closed;
    pthread_mutex_unlock(&r->lock);
}

void hs_relay_recycle(struct hs_relay *r, struct hs_relay_batch *b)
{
    pthread_mutex_lock(&r->lock);
    b->next = r->spare;
    r->spare = b;
    r->n_spare++;
    pthread_cond_broadcast(&r->changed);
    if (all_back(r))
        pthread_cond_signal(&r->freer_wake);
    pthread_mutex_unlock(&r->lock);
}

void hs_relay_image(struct hs_relay *r, uint32_t i, struct hs_log_header *h, uint64_t *n_lost)
{
    pthread_mutex_lock(&r->lock);
    memcpy(h, &r->images[i].header, sizeof *h);
    *n_lost = r->images[i].n_lost;
    pthread_mutex_unlock(&r->lock);
}

unsigned hs_relay_max_batches(const struct hs_relay *r)
{
    return r->max_batches;
}

void hs_relay_abandon(struct hs_relay *r)
{
    pthread_mutex_lock(&r->lock);
    r->abandoned = 1;
    pthread_cond_broadcast(&r->changed);
    pthread_mutex_unlock(&r->lock);
}
