/*
 * glibc_bins.c - the free lists of the model: glibc's bins (unsorted,
 * small, large), the fastbins and the per-thread tcaches, in glibc's list
 * order.
 *
 * Order rules (malloc.c, glibc 2.36): free() and malloc_consolidate() push
 * at the head (fd side) of the unsorted bin and malloc takes from its tail
 * (bk), so the unsorted bin is FIFO; smallbins get chunks at the head and
 * give from the tail (FIFO too); a large bin is sorted by size, largest
 * first, and a chunk whose size is already present goes second in that
 * size's run, so the skip list (fd_nextsize) never needs rerouting; tcache
 * and fastbins are LIFO stacks. Only the ordering of the skip list is
 * modelled: a linear walk of the bin gives the same position.
 */
#include "glibc_model_int.h"

#include <stdlib.h>

int hs__in_smallbin_range(const struct hs_model *m, uint64_t size)
{
    return size < m->prof->min_large_size;
}

/* smallbin_index / largebin_index_64 */
unsigned hs__bin_index(const struct hs_model *m, uint64_t sz)
{
    if (hs__in_smallbin_range(m, sz))
        return (unsigned)(sz >> 4);
    if ((sz >> 6) <= 48)
        return 48 + (unsigned)(sz >> 6);
    if ((sz >> 9) <= 20)
        return 91 + (unsigned)(sz >> 9);
    if ((sz >> 12) <= 10)
        return 110 + (unsigned)(sz >> 12);
    if ((sz >> 15) <= 4)
        return 119 + (unsigned)(sz >> 15);
    if ((sz >> 18) <= 2)
        return 124 + (unsigned)(sz >> 18);
    return 126;
}

unsigned hs__fastbin_index(const struct hs_model *m, uint64_t size)
{
    return (unsigned)(size >> 4) - 2;
}

static void link_between(struct hs_model *m, uint32_t c, uint32_t bck, uint32_t fwd)
{
    m->pool[c].bk = bck;
    m->pool[c].fd = fwd;
    m->pool[fwd].bk = c;
    m->pool[bck].fd = c;
}

void hs__bin_unlink(struct hs_model *m, uint32_t c)
{
    uint32_t fd = m->pool[c].fd, bk = m->pool[c].bk;
    m->pool[fd].bk = bk;
    m->pool[bk].fd = fd;
    m->pool[c].fd = m->pool[c].bk = 0;
    m->pool[c].state = HS_CS_ALLOCATED;
}

void hs__unsorted_push(struct hs_model *m, uint32_t c)
{
    link_between(m, c, 1, m->pool[1].fd);
    m->pool[c].state = HS_CS_UNSORTED;
    m->pool[c].bin = 1;
}

void hs__bin_place(struct hs_model *m, uint32_t c)
{
    uint64_t size = m->pool[c].size;
    unsigned idx = hs__bin_index(m, size);
    uint32_t bck = idx, fwd = m->pool[bck].fd;
    if (!hs__in_smallbin_range(m, size) && fwd != bck) {
        if (size < m->pool[m->pool[bck].bk].size) {
            fwd = bck;
            bck = m->pool[bck].bk;
        } else {
            while (size < m->pool[fwd].size)
                fwd = m->pool[fwd].fd;
            if (size == m->pool[fwd].size)
                fwd = m->pool[fwd].fd; /* second of its size run */
            bck = m->pool[fwd].bk;
        }
    }
    m->binmap[idx >> 5] |= 1u << (idx & 31);
    link_between(m, c, bck, fwd);
    m->pool[c].state = hs__in_smallbin_range(m, size) ? HS_CS_SMALLBIN : HS_CS_LARGEBIN;
    m->pool[c].bin = (uint8_t)idx;
}

void hs__fastbin_push(struct hs_model *m, uint32_t c)
{
    unsigned idx = hs__fastbin_index(m, m->pool[c].size);
    m->pool[c].fd = m->fastbin[idx];
    m->fastbin[idx] = c;
    m->pool[c].state = HS_CS_FASTBIN;
    m->pool[c].bin = (uint8_t)idx;
    m->have_fastchunks = 1;
}

uint32_t hs__fastbin_pop(struct hs_model *m, unsigned idx)
{
    uint32_t c = m->fastbin[idx];
    if (c) {
        m->fastbin[idx] = m->pool[c].fd;
        m->pool[c].fd = 0;
        m->pool[c].state = HS_CS_ALLOCATED;
    }
    return c;
}

struct hs__tcache *hs__tcache_of(struct hs_model *m, uint32_t tid, int create)
{
    if (m->cur_tcache < m->n_tcaches && m->tcaches[m->cur_tcache].tid == tid)
        return &m->tcaches[m->cur_tcache];
    for (uint32_t i = 0; i < m->n_tcaches; i++)
        if (m->tcaches[i].tid == tid) {
            m->cur_tcache = i;
            return &m->tcaches[i];
        }
    if (!create)
        return NULL;
    if (m->n_tcaches == m->tcache_cap) {
        uint32_t cap = m->tcache_cap ? m->tcache_cap * 2 : 4;
        struct hs__tcache *t = realloc(m->tcaches, cap * sizeof *t);
        if (!t)
            return NULL;
        m->tcaches = t;
        m->tcache_cap = cap;
    }
    struct hs__tcache *tc = &m->tcaches[m->n_tcaches];
    *tc = (struct hs__tcache){.tid = tid};
    m->cur_tcache = m->n_tcaches++;
    return tc;
}

void hs__tcache_put(struct hs_model *m, struct hs__tcache *tc, uint32_t c, unsigned idx)
{
    m->pool[c].fd = tc->head[idx];
    tc->head[idx] = c;
    tc->count[idx]++;
    m->pool[c].state = HS_CS_TCACHE;
    m->pool[c].bin = (uint8_t)idx;
    m->pool[c].tcache = (uint16_t)(tc - m->tcaches);
}

uint32_t hs__tcache_get(struct hs_model *m, struct hs__tcache *tc, unsigned idx)
{
    uint32_t c = tc->head[idx];
    tc->head[idx] = m->pool[c].fd;
    tc->count[idx]--;
    m->pool[c].fd = 0;
    m->pool[c].state = HS_CS_ALLOCATED;
    return c;
}

/* Removes c from a singly linked list starting at *head. */
static int unlink_single(struct hs_model *m, uint32_t *head, uint32_t c)
{
    for (uint32_t *p = head; *p; p = &m->pool[*p].fd)
        if (*p == c) {
            *p = m->pool[c].fd;
            m->pool[c].fd = 0;
            return 1;
        }
    return 0;
}

void hs__detach(struct hs_model *m, uint32_t c)
{
    struct hs__chunk *k = &m->pool[c];
    switch (k->state) {
    case HS_CS_TCACHE: {
        struct hs__tcache *tc = &m->tcaches[k->tcache];
        if (unlink_single(m, &tc->head[k->bin], c))
            tc->count[k->bin]--;
        break;
    }
    case HS_CS_FASTBIN:
        unlink_single(m, &m->fastbin[k->bin], c);
        break;
    case HS_CS_UNSORTED:
    case HS_CS_SMALLBIN:
    case HS_CS_LARGEBIN:
        hs__bin_unlink(m, c);
        break;
    default:
        break;
    }
    k->state = HS_CS_ALLOCATED;
}
