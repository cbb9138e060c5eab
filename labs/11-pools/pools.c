/*
 * pools.c - the pools of article 001 (see pools.h), written from the
 * article's descriptions and code fragments.
 */
#define _GNU_SOURCE
#include "pools.h"

#include <sched.h>
#include <stdlib.h>
#include <string.h>

static struct {
    _Alignas(16) char memory[FIXED_COUNT][FIXED_BLOCK];
    void *free_list;
} fixed;

void fixed_pool_init(void)
{
    fixed.free_list = NULL;
    for (int i = FIXED_COUNT - 1; i >= 0; i--) {
        *(void **)fixed.memory[i] = fixed.free_list;
        fixed.free_list = fixed.memory[i];
    }
}

void *fixed_pool_alloc(void)
{
    void *p = fixed.free_list;
    if (p)
        fixed.free_list = *(void **)p;
    return p;
}

void fixed_pool_free(void *p)
{
    *(void **)p = fixed.free_list;
    fixed.free_list = p;
}

int ring_init(struct ring *r, char *data, unsigned size)
{
    if (size == 0 || (size & (size - 1)) != 0) /* is_power_of_2 */
        return -1;
    *r = (struct ring){data, size, 0, 0, 0};
    return 0;
}

/* [doc:ring_put] */
unsigned ring_put(struct ring *r, const char *buf, unsigned len)
{
    unsigned space = r->size - (r->write_pos - r->read_pos);
    if (len > space)
        len = space;
    unsigned offset = r->write_pos & (r->size - 1);
    unsigned first = len < r->size - offset ? len : r->size - offset;
    memcpy(r->data + offset, buf, first);      /* up to the end of the buffer */
    memcpy(r->data, buf + first, len - first); /* the rest from the start */
    r->n_wraps += first < len;
    r->write_pos += len;
    return len;
}
/* [/doc] */

unsigned ring_get(struct ring *r, char *buf, unsigned len)
{
    unsigned avail = r->write_pos - r->read_pos;
    if (len > avail)
        len = avail;
    unsigned offset = r->read_pos & (r->size - 1);
    unsigned first = len < r->size - offset ? len : r->size - offset;
    memcpy(buf, r->data + offset, first);
    memcpy(buf + first, r->data, len - first);
    r->read_pos += len;
    return len;
}

/* [doc:spinlock] */
static void spin_lock(volatile int *lock)
{
    while (!__sync_bool_compare_and_swap(lock, 0, 1))
        sched_yield();
}

static void spin_unlock(volatile int *lock)
{
    __sync_lock_release(lock);
}
/* [/doc] */

int ptr_ring_push(struct ptr_ring *r, void *p)
{
    spin_lock(&r->lock);
    int full = (unsigned short)(r->write + 1) == r->read;
    if (!full)
        r->array[r->write++] = p;
    spin_unlock(&r->lock);
    return full ? -1 : 0;
}

void *ptr_ring_pop(struct ptr_ring *r)
{
    void *p = NULL;
    spin_lock(&r->lock);
    if (r->read != r->write)
        p = r->array[r->read++];
    spin_unlock(&r->lock);
    return p;
}

static struct yq_chunk *new_chunk(struct yqueue *q)
{
    q->n_mallocs++;
    return malloc(sizeof(struct yq_chunk));
}

void yqueue_init(struct yqueue *q, int use_spare)
{
    memset(q, 0, sizeof *q);
    q->use_spare = use_spare;
    q->begin_chunk = q->back_chunk = q->end_chunk = new_chunk(q);
    q->back_pos = -1;
}

/* [doc:yqueue] */
void yqueue_push(struct yqueue *q, void *v)
{
    q->back_chunk = q->end_chunk;
    q->back_pos = q->end_pos;
    q->back_chunk->values[q->back_pos] = v;
    if (++q->end_pos != YQ_N)
        return;
    struct yq_chunk *spare = q->spare_chunk; /* reuse the last freed chunk */
    q->spare_chunk = NULL;
    q->end_chunk->next = spare ? spare : new_chunk(q);
    q->end_chunk->next->prev = q->end_chunk;
    q->end_chunk = q->end_chunk->next;
    q->end_pos = 0;
}

void *yqueue_pop(struct yqueue *q)
{
    void *v = q->begin_chunk->values[q->begin_pos];
    if (++q->begin_pos == YQ_N) {
        struct yq_chunk *old = q->begin_chunk;
        q->begin_chunk = old->next;
        q->begin_chunk->prev = NULL;
        q->begin_pos = 0;
        if (q->use_spare) {
            free(q->spare_chunk); /* keep only the most recent one */
            q->spare_chunk = old;
        } else {
            free(old);
        }
    }
    return v;
}
/* [/doc] */

void yqueue_destroy(struct yqueue *q)
{
    for (struct yq_chunk *c = q->begin_chunk, *next; c; c = next) {
        next = c->next;
        int last = c == q->end_chunk;
        free(c);
        if (last)
            break;
    }
    free(q->spare_chunk);
}
