/*
 * import_stream.c - the event stream's own thread (the stream stage of
 * import_int.h).
 *
 * Encoding every event (stream.h) and compressing each chunk
 * (chunk_codec.h) took about 45 ns per event: almost half of the
 * producer's time, and the producer is the importer's critical path. The
 * work needs only the events in seq order, so it runs on a thread of its
 * own: the producer fills a batch of exactly one chunk's events and hands
 * it over; the thread encodes and compresses it; the producer posts the
 * finished chunk to the SQLite thread as MSG_CHUNK (only the producer posts
 * messages: the queue has one writer). Batches are reused in a ring of
 * STREAM_BATCHES, so the memory stays warm in the cache:
 *
 *   batch b:  [ posted ][ encoded, to post ][ handed over ][ filling ]
 *                       ^ posted           ^ encoded      ^ filled
 */
#include "import_int.h"

#include <stdlib.h>
#include <string.h>

/* Encodes and compresses one handed-over batch. */
static int encode(struct stream_stage *s, struct stream_batch *b)
{
    hs_stream_writer_reset(&s->writer);
    /* (put_many prefetches the events, written on the producer's core) */
    if (hs_stream_put_many(&s->writer, b->ev, b->n))
        return hs_error_set(&s->err, HS_ENOMEM, "out of memory");
    size_t cap = hs_chunk_bound(s->writer.len);
    b->packed = malloc(cap);
    if (!b->packed)
        return hs_error_set(&s->err, HS_ENOMEM, "out of memory");
    b->packed_size = hs_chunk_pack(&s->packer, s->writer.buf, s->writer.len, b->packed, cap);
    if (b->packed_size == 0) {
        free(b->packed);
        b->packed = NULL;
        return hs_error_set(&s->err, HS_ENOMEM, "cannot compress the event stream");
    }
    b->raw_size = s->writer.len;
    b->first_seq = s->writer.first_seq;
    b->last_seq = s->writer.last_seq;
    return 0;
}

static void *stream_main(void *arg)
{
    struct stream_stage *s = arg;
    pthread_mutex_lock(&s->lock);
    for (;;) {
        while (s->encoded == s->filled && !s->stop)
            pthread_cond_wait(&s->changed, &s->lock);
        if (s->encoded == s->filled)
            break; /* stopped, everything encoded */
        struct stream_batch *b = &s->batches[s->encoded % STREAM_BATCHES];
        pthread_mutex_unlock(&s->lock);
        int rc = s->failed ? 0 : encode(s, b);
        pthread_mutex_lock(&s->lock);
        if (rc)
            s->failed = rc;
        s->encoded++;
        pthread_cond_broadcast(&s->changed);
    }
    pthread_mutex_unlock(&s->lock);
    return NULL;
}

int hs__stream_stage_start(struct import_state *st)
{
    struct stream_stage *s = calloc(1, sizeof *s);
    if (!s)
        return hs_error_set(st->err, HS_ENOMEM, "out of memory");
    hs_stream_writer_init(&s->writer);
    if (hs_chunk_packer_init(&s->packer) != 0) {
        free(s);
        return hs_error_set(st->err, HS_ENOMEM, "out of memory");
    }
    pthread_mutex_init(&s->lock, NULL);
    pthread_cond_init(&s->changed, NULL);
    if (pthread_create(&s->thread, NULL, stream_main, s) != 0) {
        hs_chunk_packer_free(&s->packer);
        free(s);
        return hs_error_set(st->err, HS_EIO, "cannot start the stream thread");
    }
    st->stream = s;
    return 0;
}

/* Posts the encoded batches as MSG_CHUNK, oldest first; with wait, first
 * waits until at least one more is encoded. pre: lock not held. */
static int post_encoded(struct import_state *st, int wait)
{
    struct stream_stage *s = st->stream;
    pthread_mutex_lock(&s->lock);
    if (wait)
        while (s->encoded == s->posted)
            pthread_cond_wait(&s->changed, &s->lock);
    uint64_t encoded = s->encoded;
    int failed = s->failed;
    pthread_mutex_unlock(&s->lock);
    if (failed)
        return hs_error_set(st->err, failed, "%s", s->err.msg);
    for (; s->posted < encoded; s->posted++) {
        struct stream_batch *b = &s->batches[s->posted % STREAM_BATCHES];
        struct import_msg *m = hs__import_msg_begin(st);
        if (!m)
            return HS_EDB; /* the SQLite thread failed: its message is the real one */
        m->kind = MSG_CHUNK;
        m->u.chunk.first_seq = b->first_seq;
        m->u.chunk.last_seq = b->last_seq;
        m->u.chunk.n_events = b->n;
        m->u.chunk.raw_size = b->raw_size;
        m->u.chunk.size = b->packed_size;
        m->u.chunk.data = b->packed; /* the consumer frees it */
        b->packed = NULL;
        hs__import_msg_commit(st);
        b->n = 0;
    }
    return 0;
}

/* Hands the filling batch to the thread. */
static void hand_over(struct stream_stage *s)
{
    pthread_mutex_lock(&s->lock);
    s->filled++;
    pthread_cond_broadcast(&s->changed);
    pthread_mutex_unlock(&s->lock);
}

int hs__stream_stage_full(struct import_state *st)
{
    struct stream_stage *s = st->stream;
    hand_over(s);
    /* The next batch to fill must be posted (free): wait for it if not.
     * Else the encoded ones are posted now if no MSG_BLOCKS is being
     * filled, or after it (hs__stream_stage_post): a partly filled one is
     * committed only to wait. */
    if (s->filled - s->posted == STREAM_BATCHES) {
        hs__import_blocks_commit(st);
        return post_encoded(st, 1);
    }
    return st->out ? 0 : post_encoded(st, 0);
}

int hs__stream_stage_post(struct import_state *st)
{
    return post_encoded(st, 0);
}

int hs__stream_stage_finish(struct import_state *st)
{
    struct stream_stage *s = st->stream;
    hs__import_blocks_commit(st);
    if (s->batches[s->filled % STREAM_BATCHES].n)
        hand_over(s);
    int rc = 0;
    while (rc == 0 && s->posted < s->filled)
        rc = post_encoded(st, 1);
    return rc;
}

void hs__stream_stage_stop(struct import_state *st)
{
    struct stream_stage *s = st->stream;
    if (!s)
        return;
    pthread_mutex_lock(&s->lock);
    s->stop = 1;
    pthread_cond_broadcast(&s->changed);
    pthread_mutex_unlock(&s->lock);
    pthread_join(s->thread, NULL);
    for (unsigned i = 0; i < STREAM_BATCHES; i++)
        free(s->batches[i].packed);
    hs_stream_writer_free(&s->writer);
    hs_chunk_packer_free(&s->packer);
    pthread_cond_destroy(&s->changed);
    pthread_mutex_destroy(&s->lock);
    free(s);
    st->stream = NULL;
}
