/*
 * ptrmap.c - open-addressing hash map of live blocks (see ptrmap.h).
 * Deletion shifts later members of the probe run back into the hole
 * (Knuth vol. 3, 6.4, Algorithm R), so lookups never scan tombstones.
 */
#include "ptrmap.h"

#include <assert.h>
#include <stdlib.h>

#include "error.h"

static inline size_t hash(uint32_t space, uint64_t addr)
{
    return hs__ptrmap_hash(space, addr);
}

void hs_ptrmap_init(struct hs_ptrmap *m)
{
    m->slots = NULL;
    m->mask = 0;
    m->count = 0;
}

void hs_ptrmap_free(struct hs_ptrmap *m)
{
    free(m->slots);
    hs_ptrmap_init(m);
}

static int grow(struct hs_ptrmap *m)
{
    size_t cap = m->slots ? (m->mask + 1) * 2 : 1024;
    struct hs_ptrmap_slot *slots = calloc(cap, sizeof *slots);
    if (!slots)
        return HS_ENOMEM;
    if (m->slots) {
        for (size_t i = 0; i <= m->mask; i++) {
            struct hs_ptrmap_slot *s = &m->slots[i];
            if (!s->addr)
                continue;
            size_t j = hash(s->space, s->addr) & (cap - 1);
            while (slots[j].addr)
                j = (j + 1) & (cap - 1);
            slots[j] = *s;
        }
        free(m->slots);
    }
    m->slots = slots;
    m->mask = cap - 1;
    return 0;
}

int hs_ptrmap_swap(struct hs_ptrmap *m, uint32_t space, uint64_t addr, uint64_t value,
                   uint64_t *old)
{
    assert(addr != 0);
    if (!m->slots || (m->count + 1) * 2 > m->mask + 1) {
        int rc = grow(m);
        if (rc)
            return rc;
    }
    size_t i = hash(space, addr) & m->mask;
    for (;;) {
        struct hs_ptrmap_slot *s = &m->slots[i];
        if (!s->addr) {
            s->addr = addr;
            s->space = space;
            s->value = value;
            m->count++;
            return 0;
        }
        if (s->addr == addr && s->space == space) {
            if (old)
                *old = s->value;
            s->value = value;
            return 1;
        }
        i = (i + 1) & m->mask;
    }
}

int hs_ptrmap_put(struct hs_ptrmap *m, uint32_t space, uint64_t addr, uint64_t value)
{
    int rc = hs_ptrmap_swap(m, space, addr, value, NULL);
    return rc < 0 ? rc : 0;
}

static struct hs_ptrmap_slot *find(const struct hs_ptrmap *m, uint32_t space, uint64_t addr)
{
    if (!m->slots || !addr)
        return NULL;
    size_t i = hash(space, addr) & m->mask;
    for (;;) {
        struct hs_ptrmap_slot *s = &m->slots[i];
        if (!s->addr)
            return NULL;
        if (s->addr == addr && s->space == space)
            return s;
        i = (i + 1) & m->mask;
    }
}

int hs_ptrmap_take(struct hs_ptrmap *m, uint32_t space, uint64_t addr, uint64_t *value)
{
    struct hs_ptrmap_slot *s = find(m, space, addr);
    if (!s)
        return 0;
    if (value)
        *value = s->value;
    size_t hole = (size_t)(s - m->slots);
    size_t i = hole;
    for (;;) {
        i = (i + 1) & m->mask;
        struct hs_ptrmap_slot *t = &m->slots[i];
        if (!t->addr)
            break;
        size_t home = hash(t->space, t->addr) & m->mask;
        /* t may move into the hole if its home is not in (hole, i]. */
        if (((i - home) & m->mask) >= ((i - hole) & m->mask)) {
            m->slots[hole] = *t;
            hole = i;
        }
    }
    m->slots[hole].addr = 0;
    m->count--;
    return 1;
}

int hs_ptrmap_peek(const struct hs_ptrmap *m, uint32_t space, uint64_t addr, uint64_t *value)
{
    const struct hs_ptrmap_slot *s = find(m, space, addr);
    if (s)
        *value = s->value;
    return s != NULL;
}

void hs_ptrmap_each(const struct hs_ptrmap *m,
                    void (*fn)(void *ctx, uint32_t space, uint64_t addr, uint64_t value), void *ctx)
{
    if (!m->slots)
        return;
    for (size_t i = 0; i <= m->mask; i++)
        if (m->slots[i].addr)
            fn(ctx, m->slots[i].space, m->slots[i].addr, m->slots[i].value);
}
