/*
 * import_live.c - the live import (contract: import_live.h).
 *
 * Threads, as in hs_import(): the producer (here), SQLite's
 * (hs__import_consume), the stream stage's and the page writer's, all at
 * nice IMPORT_NICE beside the traced program. The producer takes what the
 * relay has, batch by batch: a record whose seq is the next one runs at
 * once (hs__import_record), any other waits in a window indexed by seq
 * until the seqs before it have run; seqs missing below the watermark are
 * lost slots. One process with one thread only ever takes the first path:
 * its ring delivers its records in seq order. Each batch counts its records
 * not yet run (in b->n) and goes back to the relay with its last one, so
 * the drainer reuses warm memory.
 *
 *   window[seq & mask]:  [ run ][ next .. watermark: run now ][ beyond: wait ]
 *
 * The window grows (doubling) when a record lies more than its size ahead
 * of `next`; a seq before `next`, or seen twice, is a corrupt record.
 */
#include "import_live.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "grow.h"
#include "import_int.h"
#include "relay.h"

#define WINDOW_MIN (1u << 16)
#define WINDOW_MAX (1ull << 32) /* slots: a seq this far ahead is corrupt */
#define PREFETCH_AHEAD 16       /* as in import.c: see hs__import_prefetch */
#define RECORD_AHEAD 48         /* records: loaded before PREFETCH_AHEAD reads them */
#define IMPORT_NICE 10          /* the import's threads, beside the program */

struct slot {
    const struct hs_record *rec; /* NULL: no record (yet) */
    struct hs_relay_batch *batch;
};

struct hs_live_import {
    struct import_state st;
    struct hs_import_options opts;
    struct hs_import_result result;
    struct hs_error err, producer_err, db_err;
    struct hs_relay *relay;
    char tmp[4096];
    int fd;
    pthread_t producer, consumer;
    pthread_mutex_t lock; /* set_up_* */
    pthread_cond_t changed;
    int set_up_done, set_up_rc;
    int producer_rc, consumer_rc;
    int rc;         /* the producer's first failure */
    uint64_t total; /* once the relay is closed: about the last seq (progress) */
    struct slot *window;
    uint64_t mask, next, last_seq;
    uint64_t n_waiting; /* records placed in the window, not yet run */
    size_t cap_images;
    struct hs_log_header *headers; /* the images' final headers (finish) */
};

static int grow_window(struct hs_live_import *li, uint64_t seq)
{
    uint64_t need = (seq - li->next + 1) * 2, cap = li->mask + 1;
    while (cap < need)
        cap *= 2;
    if (cap > WINDOW_MAX)
        return hs_error_set(li->st.err, HS_EFORMAT,
                            "a record has seq %llu, %llu past the import's position: corrupt ring",
                            (unsigned long long)seq, (unsigned long long)(seq - li->next));
    struct slot *w = calloc(cap, sizeof *w);
    if (!w)
        return hs_error_set(li->st.err, HS_ENOMEM, "out of memory");
    for (uint64_t s = li->next; s <= li->next + li->mask; s++)
        w[s & (cap - 1)] = li->window[s & li->mask];
    free(li->window);
    li->window = w;
    li->mask = cap - 1;
    return 0;
}

static int place(struct hs_live_import *li, struct hs_relay_batch *b, const struct hs_record *r)
{
    int rc;
    if (r->seq - li->next > li->mask && r->seq >= li->next && (rc = grow_window(li, r->seq)))
        return rc;
    struct slot *s = &li->window[r->seq & li->mask];
    if (r->seq < li->next || s->rec)
        return hs_error_set(li->st.err, HS_EFORMAT,
                            "process %u: a record has seq %llu, which another record already has",
                            li->st.images[b->image].pid, (unsigned long long)r->seq);
    s->rec = r;
    s->batch = b;
    li->n_waiting++;
    return 0;
}

/* Images the drainer announced since the last take. */
static int add_images(struct hs_live_import *li, uint32_t n)
{
    struct import_state *st = &li->st;
    while (st->n_images < n) {
        struct import_image *grown =
            hs_grow(st->images, &li->cap_images, st->n_images, sizeof *grown, 8);
        if (!grown)
            return hs_error_set(st->err, HS_ENOMEM, "out of memory");
        st->images = grown;
        struct import_image *img = &st->images[st->n_images];
        memset(img, 0, sizeof *img);
        struct hs_log_header h;
        uint64_t lost;
        hs_relay_image(li->relay, st->n_images, &h, &lost);
        img->pid = h.pid;
        img->exec_gen = h.exec_gen;
        st->n_images++;
    }
    return 0;
}

/* Runs one record, or after a failure only lets go of it; the batch goes
 * back to the relay with its last record. */
static void run_record(struct hs_live_import *li, struct hs_relay_batch *b,
                       const struct hs_record *r)
{
    if (li->rc == 0)
        li->rc = hs__import_record(&li->st, b->image, r);
    if (--b->n == 0)
        hs_relay_recycle(li->relay, b);
}

static void prefetch_window(struct hs_live_import *li, uint64_t seq, int stage)
{
    if (seq - li->next > li->mask || li->rc)
        return;
    const struct slot *s = &li->window[seq & li->mask];
    if (s->rec && s->rec->seq == seq)
        hs__import_prefetch(&li->st, s->batch->image, s->rec, stage);
}

/* Runs the window's records from next on while there is one for next and,
 * up to limit, skips the seqs without one (lost slots). */
static void run_window(struct hs_live_import *li, uint64_t limit)
{
    for (;; li->next++) {
        struct slot *s = &li->window[li->next & li->mask];
        if (!s->rec) {
            if (li->next > limit)
                return;
            continue; /* a lost slot */
        }
        prefetch_window(li, li->next + PREFETCH_AHEAD, 0);
        prefetch_window(li, li->next + PREFETCH_AHEAD / 2, 1);
        struct slot x = *s;
        s->rec = NULL;
        li->n_waiting--;
        run_record(li, x.batch, x.rec);
    }
}

/* A batch as it comes: the record of the next seq runs at once (then any
 * that follow it in the window), any other waits in the window. One
 * process with one thread never uses the window: its ring holds its
 * records in seq order. b->n counts the records not yet run. */
static void take_batch(struct hs_live_import *li, struct hs_relay_batch *b)
{
    uint32_t n = b->n;
    for (uint32_t i = 0; i < n; i++) {
        const struct hs_record *r = &b->rec[i];
        if (r->seq > li->last_seq)
            li->last_seq = r->seq;
        /* The drainer wrote the batch on another core: its records are
         * loaded ahead of the prefetches below, which read them. */
        __builtin_prefetch(&b->rec[i + RECORD_AHEAD < n ? i + RECORD_AHEAD : n - 1]);
        if (li->rc == 0 && i + PREFETCH_AHEAD < n)
            hs__import_prefetch_both(&li->st, b->image, &b->rec[i + PREFETCH_AHEAD],
                                     &b->rec[i + PREFETCH_AHEAD / 2]);
        if (r->seq == li->next) {
            if (li->total && (li->next & 0xfffff) == 0 && li->opts.progress)
                li->opts.progress(li->opts.ctx, li->next, li->total);
            li->next++;
            run_record(li, b, r); /* may recycle b: only with its last record */
            if (li->n_waiting)    /* else window[next] is empty: nothing to run */
                run_window(li, 0);
        } else if (li->rc || (li->rc = place(li, b, r))) {
            run_record(li, b, r); /* not run: let go of it */
        }
    }
}

/* Takes what the drainer posts until it closes the relay. After a
 * failure it goes on taking, without running anything, so the drainer
 * never waits for it. */
static int produce_live(struct hs_live_import *li)
{
    for (;;) {
        struct hs_relay_news news;
        hs_relay_take(li->relay, &news);
        if (li->rc == 0)
            li->rc = add_images(li, news.n_images);
        /* The program has ended: what is left is the import's tail, whose
         * progress a terminal shows for long imports (import.h). */
        for (struct hs_relay_batch *b = news.batches; news.closed && b; b = b->next)
            if (b->n && b->rec[b->n - 1].seq > li->total)
                li->total = b->rec[b->n - 1].seq;
        if (news.closed && li->total < li->last_seq)
            li->total = li->last_seq;
        for (struct hs_relay_batch *b = news.batches, *next; b; b = next) {
            next = b->next;
            take_batch(li, b);
        }
        run_window(li, news.closed ? li->last_seq : news.watermark);
        if (li->rc)
            hs_relay_abandon(li->relay);
        if (news.closed) {
            if (li->rc == 0 && li->opts.progress)
                li->opts.progress(li->opts.ctx, li->total, li->total);
            return li->rc ? li->rc : hs__import_finish(&li->st);
        }
    }
}

static void *consumer_main(void *arg)
{
    struct hs_live_import *li = arg;
    li->consumer_rc = hs__import_consume(&li->st, &li->db_err);
    return NULL;
}

/* The import's own start, on its producer thread: the database, the
 * schema and the other threads, which inherit the thread's lower priority. */
static int set_up(struct hs_live_import *li)
{
    struct import_state *st = &li->st;
    int rc = hs__import_create(st, li->tmp, sizeof li->tmp, &li->fd);
    if (rc)
        return rc;
    /* The page faults, read as the sampler writes them (fault_place.h). */
    if ((rc = hs__import_begin(st)) == 0 &&
        (rc = hs_fault_place_open(li->opts.logdir, 1, &st->faults, st->err)) == 0 &&
        pthread_create(&li->consumer, NULL, consumer_main, li) != 0)
        rc = hs_error_set(st->err, HS_EIO, "cannot start the import thread");
    if (rc)
        hs__import_close(st, li->tmp, li->fd, hs__import_end(st, rc, 0));
    return rc;
}

static void *producer_main(void *arg)
{
    struct hs_live_import *li = arg;
    /* The traced program comes first: on a machine with few cores the
     * import's threads (this one and those it starts) must not take the
     * program's CPU; they catch up once it has ended. Linux keeps nice
     * values per thread and new threads inherit them. */
    setpriority(PRIO_PROCESS, 0, IMPORT_NICE);
    int rc = set_up(li);
    pthread_mutex_lock(&li->lock);
    li->set_up_rc = rc;
    li->set_up_done = 1;
    pthread_cond_signal(&li->changed);
    pthread_mutex_unlock(&li->lock);
    if (rc)
        return NULL;
    /* From here each thread reports into its own hs_error. */
    li->st.err = &li->producer_err;
    li->producer_rc = produce_live(li);
    hs__import_msg_end(&li->st, li->producer_rc);
    return NULL;
}

static void free_live(struct hs_live_import *li)
{
    free(li->st.images);
    free(li->headers);
    free(li->window);
    hs_relay_free(li->relay);
    pthread_cond_destroy(&li->changed);
    pthread_mutex_destroy(&li->lock);
    free(li);
}

int hs_import_live_start(const struct hs_import_options *opts, struct hs_live_import **out,
                         struct hs_error *err)
{
    struct hs_live_import *li = calloc(1, sizeof *li);
    if (!li)
        return hs_error_set(err, HS_ENOMEM, "out of memory");
    pthread_mutex_init(&li->lock, NULL);
    pthread_cond_init(&li->changed, NULL);
    li->opts = *opts;
    struct import_state *st = &li->st;
    st->opts = &li->opts;
    st->result = &li->result;
    st->err = &li->err;
    li->mask = WINDOW_MIN - 1;
    li->next = 1;
    int rc = hs_import_check_output(opts->out_path, err);
    if (rc == 0 &&
        (!(li->relay = hs_relay_new(getenv("HS_RELAY_CAP") ? strtoull(getenv("HS_RELAY_CAP"), 0, 0) : 0)) || !(li->window = calloc(WINDOW_MIN, sizeof(struct slot)))))
        rc = hs_error_set(err, HS_ENOMEM, "out of memory");
    else if (rc == 0 && pthread_create(&li->producer, NULL, producer_main, li) != 0)
        rc = hs_error_set(err, HS_EIO, "cannot start the import thread");
    if (rc == 0) {
        pthread_mutex_lock(&li->lock);
        while (!li->set_up_done)
            pthread_cond_wait(&li->changed, &li->lock);
        pthread_mutex_unlock(&li->lock);
        if ((rc = li->set_up_rc)) {
            pthread_join(li->producer, NULL);
            hs_error_set(err, rc, "%s", li->err.msg);
        }
    }
    if (rc) {
        free_live(li);
        return rc;
    }
    *out = li;
    return 0;
}

void hs_import_live_abandon(struct hs_live_import *li)
{
    if (!li)
        return;
    hs_relay_close(li->relay); /* again if the drainer closed it: harmless */
    struct hs_import_result result;
    struct hs_error err;
    hs_import_live_finish(li, li->opts.out_path, NULL, 0, 1, &result, &err);
}

struct hs_relay *hs_import_live_relay(struct hs_live_import *li)
{
    return li->relay;
}

int hs_import_live_finish(struct hs_live_import *li, const char *out_path,
                          const struct hs_exit_status *exits, size_t n_exits, int drain_failed,
                          struct hs_import_result *result, struct hs_error *err)
{
    struct import_state *st = &li->st;
    pthread_join(li->producer, NULL);
    pthread_join(li->consumer, NULL);
    /* only now: the import's threads read opts until they end */
    li->opts.out_path = out_path;
    li->opts.exits = exits;
    li->opts.n_exits = n_exits;
    st->err = err;
    int rc = li->consumer_rc ? li->consumer_rc : li->producer_rc;
    if (rc)
        hs_error_set(err, rc, "%s", li->db_err.msg[0] ? li->db_err.msg : li->producer_err.msg);
    else if (drain_failed)
        rc = hs_error_set(err, HS_EIO,
                          "cannot write trace '%s': records were lost between the rings and the "
                          "import",
                          li->opts.out_path);
    else if (st->n_images == 0)
        rc = hs_error_set(err, HS_EFORMAT, "no traced process recorded anything");
    if (rc == 0 && !(li->headers = calloc(st->n_images, sizeof *li->headers)))
        rc = hs_error_set(err, HS_ENOMEM, "out of memory");
    for (uint32_t i = 0; rc == 0 && i < st->n_images; i++) {
        hs_relay_image(li->relay, i, &li->headers[i], &st->images[i].log.n_lost);
        st->images[i].log.header = &li->headers[i];
    }
    if (rc == 0)
        hs__import_note_losses(st);
    rc = hs__import_close(st, li->tmp, li->fd, hs__import_end(st, rc, li->last_seq));
    *result = li->result;
    free_live(li);
    return rc;
}
