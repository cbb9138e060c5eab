/*
 * ptrmap.h - a hash map from (space, address) to a 64-bit value, for the
 * blocks that are live while a trace is replayed or imported. `space`
 * separates address spaces (a process image), so equal addresses in two
 * processes never collide.
 *
 * Open addressing in groups of HS_PTRMAP_GROUP slots, each slot with a
 * control byte (empty, deleted, or 7 bits of the key's hash): a lookup
 * compares its hash bits with a whole group's control bytes at once (one
 * SSE2 compare) and looks at a slot only where they match, so it takes
 * about one branch that is always taken the same way, whatever the
 * address (linear probing's loops mispredicted on every other lookup).
 * Probing moves group by group and stops at a group with an empty slot; a
 * deleted slot in a group that has an empty one becomes empty again, so
 * deleted markers (tombstones) stay rare and a map that sees millions of
 * alloc/free pairs only rebuilds when they pile up. Grows at 50% load.
 * Key address 0 is not storable (it is never a live block), which suits
 * heap addresses.
 *
 * Allocates: yes (the table). Thread safety: none.
 */
#ifndef HS_PTRMAP_H
#define HS_PTRMAP_H

#include <stddef.h>
#include <stdint.h>

#define HS_PTRMAP_GROUP 16 /* slots per group: one SSE2 compare */

struct hs_ptrmap_slot {
    uint64_t addr;
    uint64_t value;
    uint32_t space;
};

struct hs_ptrmap {
    uint8_t *ctrl; /* per slot: HS__PTRMAP_EMPTY, _DELETED or a 7-bit tag */
    struct hs_ptrmap_slot *slots;
    size_t mask;  /* capacity - 1 (capacity: a power of two, >= a group) */
    size_t count; /* entries */
    size_t used;  /* entries and deleted slots */
};

void hs_ptrmap_init(struct hs_ptrmap *m);
void hs_ptrmap_free(struct hs_ptrmap *m);

/* Sets (space, addr) to value, replacing any old value.
 * pre: addr != 0. Returns 0 or HS_ENOMEM. */
int hs_ptrmap_put(struct hs_ptrmap *m, uint32_t space, uint64_t addr, uint64_t value);

/* Sets (space, addr) to value like put, in one probe; 1 and *old (may be
 * NULL) if the key had a value, which value replaced, 0 if it was new,
 * HS_ENOMEM (negative) if out of memory. pre: addr != 0. */
int hs_ptrmap_swap(struct hs_ptrmap *m, uint32_t space, uint64_t addr, uint64_t value,
                   uint64_t *old);

/* Removes the key; 1 and *value (may be NULL) if it was present, else 0. */
int hs_ptrmap_take(struct hs_ptrmap *m, uint32_t space, uint64_t addr, uint64_t *value);

/* Finds the key without removing it: 1 and *value if present, else 0. */
int hs_ptrmap_peek(const struct hs_ptrmap *m, uint32_t space, uint64_t addr, uint64_t *value);

/* The key's hash (internal to ptrmap.c and the prefetch below): its home
 * slot is (h >> 20) & mask, its control tag h >> 57. */
static inline uint64_t hs__ptrmap_hash(uint32_t space, uint64_t addr)
{
    return (addr ^ ((uint64_t)space << 47)) * 0x9e3779b97f4a7c15ull;
}

/* Starts loading the key's home slot and its group's control bytes into
 * the cache (a hint: a caller that will look the key up soon hides the
 * memory latency). Inline: the importer calls it for every record. */
static inline void hs_ptrmap_prefetch(const struct hs_ptrmap *m, uint32_t space, uint64_t addr)
{
    if (m->slots) {
        size_t i = (size_t)(hs__ptrmap_hash(space, addr) >> 20) & m->mask;
        __builtin_prefetch(&m->ctrl[i]);
        __builtin_prefetch(&m->slots[i], 1);
    }
}

/* The slot holding the key if it sits in its home slot (where most keys
 * are: see ptrmap.c), else -1 (absent, or elsewhere: hs_ptrmap_find
 * tells). Inline and without a loop: the importer asks for every free a
 * few records ahead, to prefetch what the value points to. */
static inline ptrdiff_t hs_ptrmap_home_slot(const struct hs_ptrmap *m, uint32_t space,
                                            uint64_t addr)
{
    if (!m->slots)
        return -1;
    uint64_t h = hs__ptrmap_hash(space, addr);
    size_t i = (size_t)(h >> 20) & m->mask;
    if (m->ctrl[i] == (uint8_t)(h >> 57) && m->slots[i].addr == addr && m->slots[i].space == space)
        return (ptrdiff_t)i;
    return -1;
}

/* The slot holding the key, or -1 if absent. A slot number stays valid
 * until the next put or swap (which may rebuild the table). */
ptrdiff_t hs_ptrmap_find(const struct hs_ptrmap *m, uint32_t space, uint64_t addr);

/* take with a hint: the slot where the key was seen (from
 * hs_ptrmap_home_slot or hs_ptrmap_find, maybe since outdated, or -1). A
 * hint is checked (the slot must hold this very key) before it is used,
 * else the key is looked up as by take; the result is take's. */
int hs_ptrmap_take_hinted(struct hs_ptrmap *m, uint32_t space, uint64_t addr, ptrdiff_t hint,
                          uint64_t *value);

/* Calls fn for every entry (order unspecified); the map must not change. */
void hs_ptrmap_each(const struct hs_ptrmap *m,
                    void (*fn)(void *ctx, uint32_t space, uint64_t addr, uint64_t value),
                    void *ctx);

#endif
