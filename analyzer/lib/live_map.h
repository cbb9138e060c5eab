/*
 * live_map.h - the blocks live at a moment of a replay, keyed by address:
 * an open-addressing hash table (linear probing, backward-shift deletion,
 * so no tombstones build up over 10-million-event traces).
 *
 * Used by the timeline, lifetimes, sizes and sites exports, which replay
 * the event stream once and need each live block's allocation facts when
 * it is freed. Memory is proportional to the live blocks, not the trace.
 *
 * Allocates: yes. Thread safety: none (one map per replay).
 */
#ifndef HS_LIVE_MAP_H
#define HS_LIVE_MAP_H

#include <stdint.h>

struct hs_live_block {
    uint64_t addr;       /* user pointer; 0 marks an empty slot */
    uint64_t size;       /* requested bytes */
    uint64_t chunk_size; /* chunk bytes (flags stripped) */
    uint64_t alloc_seq;  /* seq of the allocating event */
    uint32_t site;       /* caller's index, for sites.c; else 0 */
    uint16_t flags;      /* the allocating event's HS_CHUNK_* / HS_F_* */
};

struct hs_live_map {
    struct hs_live_block *slots;
    uint64_t n_slots; /* a power of two */
    uint64_t n_live;
};

/* 0 or HS_ENOMEM. */
int hs_live_map_init(struct hs_live_map *m);
void hs_live_map_free(struct hs_live_map *m);

/* Inserts or replaces the block at b->addr. 0 or HS_ENOMEM.
 * pre: b->addr != 0 (0 marks empty slots). */
int hs_live_map_put(struct hs_live_map *m, const struct hs_live_block *b);

/* Removes the block at addr into *out; 1 if it was there, 0 if not. */
int hs_live_map_take(struct hs_live_map *m, uint64_t addr, struct hs_live_block *out);

#endif
