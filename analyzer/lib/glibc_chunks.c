/*
 * glibc_chunks.c - the chunk map of the model: a pool of chunk records, a
 * hash from address to chunk, and the physical (address-order) list of the
 * main arena's chunks, with split and merge.
 *
 * The hash is open addressing with linear probing and backward-shift
 * deletion (Knuth 6.4, algorithm R), keyed by chunk address; addresses are
 * multiples of 16, so the key is multiplied by a 64-bit odd constant
 * (Fibonacci hashing) before taking the top bits. Check: every chunk of the
 * physical list is in the map and vice versa (hs_model_each_chunk walks the
 * list; tests compare the count with the map).
 */
#include "glibc_model_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t slot_of(const struct hs__map *map, uint64_t key)
{
    return (key * 0x9E3779B97F4A7C15ull) >> 20 & (map->cap - 1);
}

int hs__map_init(struct hs__map *map, uint64_t cap)
{
    map->cap = cap;
    map->n = 0;
    map->keys = calloc(cap, sizeof *map->keys);
    map->vals = calloc(cap, sizeof *map->vals);
    return map->keys && map->vals ? 0 : -1;
}

void hs__map_free(struct hs__map *map)
{
    free(map->keys);
    free(map->vals);
    memset(map, 0, sizeof *map);
}

uint32_t hs__map_get(const struct hs__map *map, uint64_t key)
{
    for (uint64_t i = slot_of(map, key);; i = (i + 1) & (map->cap - 1)) {
        if (map->keys[i] == key)
            return map->vals[i];
        if (map->keys[i] == 0)
            return 0;
    }
}

static int grow(struct hs__map *map)
{
    struct hs__map bigger;
    if (hs__map_init(&bigger, map->cap * 2) != 0) {
        hs__map_free(&bigger);
        return -1;
    }
    for (uint64_t i = 0; i < map->cap; i++)
        if (map->keys[i])
            hs__map_put(&bigger, map->keys[i], map->vals[i]);
    hs__map_free(map);
    *map = bigger;
    return 0;
}

int hs__map_put(struct hs__map *map, uint64_t key, uint32_t val)
{
    if ((map->n + 1) * 2 > map->cap && grow(map) != 0)
        return -1;
    uint64_t i = slot_of(map, key);
    while (map->keys[i] != 0 && map->keys[i] != key)
        i = (i + 1) & (map->cap - 1);
    if (map->keys[i] == 0)
        map->n++;
    map->keys[i] = key;
    map->vals[i] = val;
    return 0;
}

void hs__map_del(struct hs__map *map, uint64_t key)
{
    uint64_t mask = map->cap - 1, i = slot_of(map, key);
    while (map->keys[i] != key) {
        if (map->keys[i] == 0)
            return;
        i = (i + 1) & mask;
    }
    map->n--;
    /* Backward shift: pull later entries of the probe run into the hole. */
    for (uint64_t j = i;;) {
        map->keys[i] = 0;
        for (;;) {
            j = (j + 1) & mask;
            if (map->keys[j] == 0)
                return;
            uint64_t home = slot_of(map, map->keys[j]);
            /* j may move to i only if its home is not in (i, j]. */
            if (i <= j ? (home <= i || home > j) : (home <= i && home > j))
                break;
        }
        map->keys[i] = map->keys[j];
        map->vals[i] = map->vals[j];
        i = j;
    }
}

uint32_t hs__chunk_new(struct hs_model *m)
{
    uint32_t c = m->free_slot;
    if (c) {
        m->free_slot = m->pool[c].fd;
    } else {
        if (m->pool_used == m->pool_cap) {
            uint32_t cap = m->pool_cap * 2;
            struct hs__chunk *p = realloc(m->pool, (size_t)cap * sizeof *p);
            if (!p)
                return 0;
            m->pool = p;
            m->pool_cap = cap;
        }
        c = m->pool_used++;
    }
    memset(&m->pool[c], 0, sizeof m->pool[c]);
    return c;
}

void hs__chunk_release(struct hs_model *m, uint32_t c)
{
    m->pool[c].state = HS_CS_COUNT;
    m->pool[c].fd = m->free_slot;
    m->free_slot = c;
}

uint32_t hs__phys_insert_after(struct hs_model *m, uint32_t after, uint64_t addr, uint64_t size)
{
    uint32_t c = hs__chunk_new(m);
    if (!c || hs__map_put(&m->chunks, addr, c) != 0)
        return 0;
    struct hs__chunk *k = &m->pool[c];
    k->addr = addr;
    k->size = size;
    k->state = HS_CS_ALLOCATED;
    uint32_t next = after ? m->pool[after].phys_next : m->first;
    k->phys_prev = after;
    k->phys_next = next;
    if (after)
        m->pool[after].phys_next = c;
    else
        m->first = c;
    if (next)
        m->pool[next].phys_prev = c;
    return c;
}

/* Removes c from the physical list and the map, frees the slot. */
static void phys_remove(struct hs_model *m, uint32_t c)
{
    struct hs__chunk *k = &m->pool[c];
    if (k->phys_prev)
        m->pool[k->phys_prev].phys_next = k->phys_next;
    else
        m->first = k->phys_next;
    if (k->phys_next)
        m->pool[k->phys_next].phys_prev = k->phys_prev;
    hs__map_del(&m->chunks, k->addr);
    hs__chunk_release(m, c);
}

uint32_t hs__phys_split(struct hs_model *m, uint32_t c, uint64_t nb)
{
    uint64_t addr = m->pool[c].addr, size = m->pool[c].size;
    uint32_t r = hs__phys_insert_after(m, c, addr + nb, size - nb);
    if (r)
        m->pool[c].size = nb;
    return r;
}

void hs__phys_absorb_next(struct hs_model *m, uint32_t c)
{
    uint32_t n = m->pool[c].phys_next;
    m->pool[c].size += m->pool[n].size;
    if (m->top == n)
        m->top = c;
    phys_remove(m, n);
}

uint32_t hs__phys_find(const struct hs_model *m, uint64_t addr)
{
    uint32_t c = hs__map_get(&m->chunks, addr);
    if (c)
        return c;
    for (c = m->first; c; c = m->pool[c].phys_next)
        if (addr >= m->pool[c].addr && addr < m->pool[c].addr + m->pool[c].size)
            return c;
    return 0;
}

void hs__note(struct hs_model *m, const char *fmt, ...)
{
    if (!m->notes_on)
        return;
    char line[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n >= sizeof line)
        n = sizeof line - 1;
    if (m->notes_len + (size_t)n + 2 > m->notes_cap) {
        size_t cap = (m->notes_cap ? m->notes_cap * 2 : 1024) + (size_t)n;
        char *p = realloc(m->notes, cap);
        if (!p)
            return;
        m->notes = p;
        m->notes_cap = cap;
    }
    memcpy(m->notes + m->notes_len, line, (size_t)n);
    m->notes_len += (size_t)n;
    m->notes[m->notes_len++] = '\n';
    m->notes[m->notes_len] = '\0';
}
