/*
 * stream.c - encoder and decoder of the compact event stream (format in
 * stream.h). The decoder is the hot loop of every replay: one pass over the
 * bytes, no allocation, one branch per field. Checkable claim: a typical
 * malloc/free workload encodes in 9-13 bytes per event (tests/store
 * measure it through the database size) and decodes at tens of millions of
 * events per second.
 */
#include "stream.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"

enum {
    HAS_SEQ = 1u << 0,
    HAS_THREAD = 1u << 1,
    HAS_PTR = 1u << 2,
    HAS_SIZE = 1u << 3,
    HAS_OLD_PTR = 1u << 4,
    HAS_CHUNK = 1u << 5,
    HAS_CALLER = 1u << 6,
    HAS_TS = 1u << 7,
};

#define MAX_EVENT_BYTES (2 + 3 + 9 * 10)

static inline uint64_t zigzag(uint64_t delta)
{
    return (delta << 1) ^ (uint64_t)((int64_t)delta >> 63);
}

static inline uint64_t unzigzag(uint64_t v)
{
    return (v >> 1) ^ (0 - (v & 1));
}

/* The caller predictor's class of an op: 0 allocation, 1 free, 2 other. */
static inline unsigned caller_class(unsigned op)
{
    if (op == HS_OP_FREE)
        return 1;
    if ((op >= HS_OP_MALLOC && op <= HS_OP_REALLOCARRAY) ||
        (op >= HS_OP_MEMALIGN && op <= HS_OP_PVALLOC))
        return 0;
    return 2;
}

static inline uint8_t *put_varint(uint8_t *p, uint64_t v)
{
    while (v >= 0x80) {
        *p++ = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    *p++ = (uint8_t)v;
    return p;
}

void hs_stream_writer_init(struct hs_stream_writer *w)
{
    memset(w, 0, sizeof *w);
}

void hs_stream_writer_reset(struct hs_stream_writer *w)
{
    w->len = 0;
    w->n_events = 0;
    w->first_seq = w->last_seq = 0;
    memset(&w->state, 0, sizeof w->state);
}

void hs_stream_writer_free(struct hs_stream_writer *w)
{
    free(w->buf);
    hs_stream_writer_init(w);
}

/* Encodes ev at head with the delta state *s; returns the end. Inline, so
 * that a state copied to a local lives in registers (hs_stream_put_many). */
static inline uint8_t *encode(struct hs_stream_state *s, uint8_t *head, const struct hs_event *ev)
{
    uint8_t *p = head + 2;
    uint8_t present = 0;
    uint8_t b0 = (uint8_t)(ev->op | ev->origin << 5);

    if (ev->flags != s->flags) {
        b0 |= 0x80;
        p = put_varint(p, ev->flags);
        s->flags = ev->flags;
    }
    if (ev->seq != s->seq + 1) {
        present |= HAS_SEQ;
        p = put_varint(p, ev->seq - s->seq);
    }
    s->seq = ev->seq;
    if (ev->ts_ns != s->ts_ns) {
        present |= HAS_TS;
        p = put_varint(p, zigzag(ev->ts_ns - s->ts_ns));
        s->ts_ns = ev->ts_ns;
    }
    if (ev->tid != s->tid || ev->pid != s->pid) {
        present |= HAS_THREAD;
        p = put_varint(p, ev->pid);
        p = put_varint(p, ev->tid);
        s->pid = ev->pid;
        s->tid = ev->tid;
    }
    if (ev->ptr) {
        present |= HAS_PTR;
        p = put_varint(p, zigzag(ev->ptr - s->ptr));
        s->ptr = ev->ptr;
    }
    if (ev->size) {
        present |= HAS_SIZE;
        p = put_varint(p, ev->size);
    }
    if (ev->old_ptr) {
        present |= HAS_OLD_PTR;
        p = put_varint(p, zigzag(ev->old_ptr - ev->ptr));
    }
    if (ev->chunk_size) {
        present |= HAS_CHUNK;
        p = put_varint(p, zigzag(ev->chunk_size - ev->size));
    }
    uint64_t *predicted = &s->caller[caller_class(ev->op)];
    if (ev->caller != *predicted) {
        present |= HAS_CALLER;
        p = put_varint(p, zigzag(ev->caller - *predicted));
        *predicted = ev->caller;
    }
    head[0] = b0;
    head[1] = present;
    return p;
}

/* Room for n more events. */
static int reserve(struct hs_stream_writer *w, size_t n)
{
    if (w->cap - w->len >= n * MAX_EVENT_BYTES)
        return 0;
    size_t cap = w->cap ? w->cap : 64 * 1024;
    while (cap - w->len < n * MAX_EVENT_BYTES)
        cap *= 2;
    uint8_t *buf = realloc(w->buf, cap);
    if (!buf)
        return HS_ENOMEM;
    w->buf = buf;
    w->cap = cap;
    return 0;
}

int hs_stream_put(struct hs_stream_writer *w, const struct hs_event *ev)
{
    return hs_stream_put_many(w, ev, 1);
}

int hs_stream_put_many(struct hs_stream_writer *w, const struct hs_event *ev, size_t n)
{
    if (n == 0)
        return 0;
    if (reserve(w, n))
        return HS_ENOMEM;
    struct hs_stream_state s = w->state; /* in registers for the loop */
    uint8_t *p = w->buf + w->len;
    for (size_t i = 0; i < n; i++) {
        assert(ev[i].seq > (i ? ev[i - 1].seq : w->last_seq) && ev[i].op < 32 && ev[i].origin < 4);
        if (i + 12 < n) /* the events are often just written by another core */
            __builtin_prefetch(&ev[i + 12]);
        p = encode(&s, p, &ev[i]);
    }
    w->state = s;
    w->len = (size_t)(p - w->buf);
    if (w->n_events == 0)
        w->first_seq = ev[0].seq;
    w->n_events += (uint32_t)n;
    w->last_seq = ev[n - 1].seq;
    return 0;
}

void hs_stream_reader_init(struct hs_stream_reader *r, const void *data, size_t len)
{
    r->p = data;
    r->end = r->p + len;
    memset(&r->state, 0, sizeof r->state);
}

/* Reads a varint; sets *ok to 0 on a truncated or overlong one. */
static inline uint64_t get_varint(const uint8_t **pp, const uint8_t *end, int *ok)
{
    const uint8_t *p = *pp;
    if (p < end && *p < 0x80) { /* the common one-byte case */
        *pp = p + 1;
        return *p;
    }
    uint64_t v = 0;
    for (unsigned shift = 0; shift < 64; shift += 7) {
        if (p >= end)
            break;
        uint8_t b = *p++;
        v |= (uint64_t)(b & 0x7f) << shift;
        if (b < 0x80) {
            *pp = p;
            return v;
        }
    }
    *ok = 0;
    return 0;
}

int hs_stream_get(struct hs_stream_reader *r, struct hs_event *ev)
{
    const uint8_t *p = r->p, *end = r->end;
    if (p == end)
        return 0;
    if (end - p < 2)
        return HS_EFORMAT;
    struct hs_stream_state *s = &r->state;
    int ok = 1;
    uint8_t b0 = p[0], present = p[1];
    p += 2;
    ev->op = b0 & 0x1f;
    ev->origin = (b0 >> 5) & 3;
    if (ev->op == HS_OP_NONE || ev->op >= HS_OP_COUNT)
        return HS_EFORMAT;
    if (b0 & 0x80)
        s->flags = (uint16_t)get_varint(&p, end, &ok);
    ev->flags = s->flags;
    s->seq += (present & HAS_SEQ) ? get_varint(&p, end, &ok) : 1;
    ev->seq = s->seq;
    if (present & HAS_TS)
        s->ts_ns += unzigzag(get_varint(&p, end, &ok));
    ev->ts_ns = s->ts_ns;
    if (present & HAS_THREAD) {
        s->pid = (uint32_t)get_varint(&p, end, &ok);
        s->tid = (uint32_t)get_varint(&p, end, &ok);
    }
    ev->pid = s->pid;
    ev->tid = s->tid;
    ev->ptr = 0;
    if (present & HAS_PTR) {
        s->ptr += unzigzag(get_varint(&p, end, &ok));
        ev->ptr = s->ptr;
    }
    ev->size = (present & HAS_SIZE) ? get_varint(&p, end, &ok) : 0;
    ev->old_ptr = (present & HAS_OLD_PTR) ? ev->ptr + unzigzag(get_varint(&p, end, &ok)) : 0;
    ev->chunk_size = (present & HAS_CHUNK) ? ev->size + unzigzag(get_varint(&p, end, &ok)) : 0;
    uint64_t *predicted = &s->caller[caller_class(ev->op)];
    if (present & HAS_CALLER)
        *predicted += unzigzag(get_varint(&p, end, &ok));
    ev->caller = *predicted;
    if (!ok)
        return HS_EFORMAT;
    r->p = p;
    return 1;
}
