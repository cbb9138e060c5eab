/*
 * ptrmap.h - a hash map from (space, address) to a 64-bit value, for the
 * blocks that are live while a trace is replayed or imported. `space`
 * separates address spaces (a process image), so equal addresses in two
 * processes never collide.
 *
 * Open addressing with linear probing and backward-shift deletion (no
 * tombstones, so a map that sees millions of alloc/free pairs never needs
 * rebuilding); grows at 50% load. Key address 0 is not storable (it is the
 * empty-slot marker), which suits heap addresses.
 *
 * Allocates: yes (the table). Thread safety: none.
 */
#ifndef HS_PTRMAP_H
#define HS_PTRMAP_H

#include <stddef.h>
#include <stdint.h>

struct hs_ptrmap_slot {
    uint64_t addr; /* 0 = empty */
    uint64_t value;
    uint32_t space;
};

struct hs_ptrmap {
    struct hs_ptrmap_slot *slots;
    size_t mask; /* capacity - 1 (capacity is a power of two) */
    size_t count;
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

/* The home slot of a key (internal to ptrmap.c and the prefetch below). */
static inline size_t hs__ptrmap_hash(uint32_t space, uint64_t addr)
{
    uint64_t h = (addr ^ ((uint64_t)space << 47)) * 0x9e3779b97f4a7c15ull;
    return (size_t)(h >> 20);
}

/* Starts loading the key's home slot into the cache (a hint: a caller
 * that will look the key up soon hides the memory latency). Inline: the
 * importer calls it for every record. */
static inline void hs_ptrmap_prefetch(const struct hs_ptrmap *m, uint32_t space, uint64_t addr)
{
    if (m->slots)
        __builtin_prefetch(&m->slots[hs__ptrmap_hash(space, addr) & m->mask], 1);
}

/* Calls fn for every entry (order unspecified); the map must not change. */
void hs_ptrmap_each(const struct hs_ptrmap *m,
                    void (*fn)(void *ctx, uint32_t space, uint64_t addr, uint64_t value),
                    void *ctx);

#endif
