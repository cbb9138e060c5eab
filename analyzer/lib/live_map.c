/*
 * live_map.c - address-keyed hash table of live blocks (see live_map.h).
 *
 * Linear probing with backward-shift deletion (Knuth vol. 3, 6.4,
 * algorithm R): removing a block moves later members of its probe run
 * back, so lookups never cross tombstones. Load factor is kept <= 1/2.
 */
#include "live_map.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"

static uint64_t hash(uint64_t addr)
{
    /* Pointers are 16-byte aligned and clustered: mix all bits. */
    addr ^= addr >> 33;
    addr *= 0xff51afd7ed558ccdull;
    addr ^= addr >> 33;
    return addr;
}

int hs_live_map_init(struct hs_live_map *m)
{
    m->n_slots = 1024;
    m->n_live = 0;
    m->slots = calloc(m->n_slots, sizeof *m->slots);
    return m->slots ? HS_OK : HS_ENOMEM;
}

void hs_live_map_free(struct hs_live_map *m)
{
    free(m->slots);
    m->slots = NULL;
    m->n_slots = m->n_live = 0;
}

static struct hs_live_block *find(const struct hs_live_map *m, uint64_t addr)
{
    uint64_t mask = m->n_slots - 1;
    for (uint64_t i = hash(addr) & mask;; i = (i + 1) & mask) {
        if (m->slots[i].addr == addr || m->slots[i].addr == 0)
            return &m->slots[i];
    }
}

static int grow(struct hs_live_map *m)
{
    struct hs_live_map bigger = {calloc(m->n_slots * 2, sizeof *m->slots), m->n_slots * 2, 0};
    if (!bigger.slots)
        return HS_ENOMEM;
    for (uint64_t i = 0; i < m->n_slots; i++)
        if (m->slots[i].addr)
            *find(&bigger, m->slots[i].addr) = m->slots[i];
    bigger.n_live = m->n_live;
    free(m->slots);
    *m = bigger;
    return HS_OK;
}

int hs_live_map_put(struct hs_live_map *m, const struct hs_live_block *b)
{
    assert(b->addr != 0);
    if ((m->n_live + 1) * 2 > m->n_slots && grow(m) != HS_OK)
        return HS_ENOMEM;
    struct hs_live_block *slot = find(m, b->addr);
    if (slot->addr == 0)
        m->n_live++;
    *slot = *b;
    return HS_OK;
}

int hs_live_map_take(struct hs_live_map *m, uint64_t addr, struct hs_live_block *out)
{
    struct hs_live_block *slot = find(m, addr);
    if (slot->addr == 0)
        return 0;
    *out = *slot;
    uint64_t mask = m->n_slots - 1;
    uint64_t hole = (uint64_t)(slot - m->slots);
    for (uint64_t j = (hole + 1) & mask; m->slots[j].addr; j = (j + 1) & mask) {
        uint64_t home = hash(m->slots[j].addr) & mask;
        /* Move j back into the hole unless its home lies in (hole, j]. */
        int stays = hole <= j ? (hole < home && home <= j) : (hole < home || home <= j);
        if (!stays) {
            m->slots[hole] = m->slots[j];
            hole = j;
        }
    }
    memset(&m->slots[hole], 0, sizeof m->slots[hole]);
    m->n_live--;
    return 1;
}
