/*
 * glibc_model_int.h - the model's state, shared by glibc_chunks.c,
 * glibc_bins.c, glibc_malloc.c, glibc_free.c and glibc_replay.c only.
 *
 * Chunks live in one pool (struct hs__chunk, index 0 = none). Pool entries
 * 1..HS__NBINS are the sentinels of glibc's bins (bin i at index i: 1 the
 * unsorted bin, 2..63 small, 64..126 large), linked circularly through
 * fd/bk exactly like glibc's bins, so "first" is fd and "last" is bk.
 * Tcache and fastbin lists are singly linked through fd (0 ends them).
 *
 * Every main-arena chunk is also on the physical list (phys_prev/phys_next,
 * address order, top last) and in the hash by address, so neighbours are
 * O(1) and memory is proportional to the number of chunks:
 *
 *   heap_start                                               brk
 *   | tcache 0x290 | chunk | chunk | ... | top ............. |
 *     phys_next -->        -->         -->
 */
#ifndef HS_GLIBC_MODEL_INT_H
#define HS_GLIBC_MODEL_INT_H

#include "glibc_model.h"

#include <stdint.h>

#define HS__NBINS 128
#define HS__MAX_TCACHE_BINS 64
#define HS__MAX_FASTBINS 10
#define HS__MAX_THREADS 256

struct hs__chunk {
    uint64_t addr;      /* chunk address (user pointer - 16) */
    uint64_t size;      /* chunk size, flags excluded */
    uint64_t req;       /* requested bytes if allocated */
    uint32_t phys_prev; /* address-order neighbours (main arena) */
    uint32_t phys_next;
    uint32_t fd, bk;     /* list links */
    uint8_t state;       /* enum hs_chunk_state */
    uint8_t bin;         /* bin / fastbin / tcache index */
    uint16_t tcache;     /* tcache slot owning it (state TCACHE) */
    uint32_t map_offset; /* mmapped: chunk address - mapping start */
};

/* The arena a thread is attached to, as far as the trace tells
 * (glibc_arena.c). */
enum hs__arena {
    HS__ARENA_UNKNOWN = 0, /* no call of the thread has told yet */
    HS__ARENA_MAIN,        /* the main arena: the model's own */
    HS__ARENA_OTHER,       /* another arena: its chunks are observed */
};

/* One thread: its tcache and its arena. */
struct hs__tcache {
    uint32_t tid;
    uint8_t initialized;  /* MAYBE_INIT_TCACHE has run */
    uint8_t arena;        /* enum hs__arena */
    uint64_t struct_addr; /* its tcache structure's main-arena chunk, 0 if none */
    uint32_t head[HS__MAX_TCACHE_BINS];
    uint16_t count[HS__MAX_TCACHE_BINS];
};

/* Address -> pool index, open addressing with linear probing. */
struct hs__map {
    uint64_t *keys; /* 0 = empty */
    uint32_t *vals;
    uint64_t cap; /* power of two */
    uint64_t n;
};

struct hs_model {
    const struct hs_glibc_profile *prof;
    struct hs_glibc_params par;

    struct hs__chunk *pool;
    uint32_t pool_cap, pool_used;
    uint32_t free_slot; /* singly linked through fd */

    struct hs__map chunks;  /* main-arena chunks by address */
    struct hs__map mmapped; /* mmapped chunks: addr -> pool index */
    struct hs__map foreign; /* other arenas' chunks: addr -> pool index */

    uint32_t top;            /* pool index of the top chunk, 0 before the heap */
    uint32_t first;          /* lowest chunk of the main arena */
    uint64_t last_remainder; /* address, as glibc compares it */
    uint32_t fastbin[HS__MAX_FASTBINS];
    uint32_t binmap[4]; /* glibc's binmap (advisory, as in glibc) */
    int have_fastchunks;

    uint64_t system_mem; /* av->system_mem */
    uint64_t max_system_mem;
    uint64_t sbrk_base;
    uint64_t brk; /* the program break as the model knows it */
    int brk_known;
    uint64_t n_mmaps, mmapped_mem;

    struct hs__tcache *tcaches;
    uint32_t n_tcaches, tcache_cap;
    uint32_t main_tid;
    uint32_t cur_tcache; /* tcache slot of the calling thread */

    /* explanations */
    int notes_on;
    char *notes;
    size_t notes_len, notes_cap;

    /* per-call results */
    struct hs_model_step *step;
    uint32_t last_path;
};

/* glibc_chunks.c: pool, map, physical list */
int hs__map_init(struct hs__map *map, uint64_t cap);
void hs__map_free(struct hs__map *map);
uint32_t hs__map_get(const struct hs__map *map, uint64_t key);
int hs__map_put(struct hs__map *map, uint64_t key, uint32_t val);
void hs__map_del(struct hs__map *map, uint64_t key);
uint32_t hs__chunk_new(struct hs_model *m); /* 0 when out of memory */
void hs__chunk_release(struct hs_model *m, uint32_t c);
/* new chunk [addr, addr+size) inserted right after `after` (0: at the
 * start) in the physical list and the map */
uint32_t hs__phys_insert_after(struct hs_model *m, uint32_t after, uint64_t addr, uint64_t size);
/* splits c at offset nb: c keeps [addr, addr+nb), returns the rest */
uint32_t hs__phys_split(struct hs_model *m, uint32_t c, uint64_t nb);
/* merges c's physical successor into c (the successor must be unlinked) */
void hs__phys_absorb_next(struct hs_model *m, uint32_t c);
/* the chunk containing addr, 0 if none (linear: divergences only) */
uint32_t hs__phys_find(const struct hs_model *m, uint64_t addr);
void hs__note(struct hs_model *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* glibc_bins.c: bins, fastbins, tcache */
unsigned hs__bin_index(const struct hs_model *m, uint64_t size);
int hs__in_smallbin_range(const struct hs_model *m, uint64_t size);
void hs__bin_unlink(struct hs_model *m, uint32_t c);
void hs__unsorted_push(struct hs_model *m, uint32_t c); /* at the head */
void hs__bin_place(struct hs_model *m, uint32_t c);     /* sorted into its bin */
void hs__fastbin_push(struct hs_model *m, uint32_t c);
uint32_t hs__fastbin_pop(struct hs_model *m, unsigned idx);
unsigned hs__fastbin_index(const struct hs_model *m, uint64_t size);
struct hs__tcache *hs__tcache_of(struct hs_model *m, uint32_t tid, int create);
/* The bin of tcache tc (hs__tcache_of, may be NULL) a freed chunk of
 * `size` goes to (as _int_free's tcache_put), or -1: no tcache yet, too
 * large, or that bin full. */
int hs__tcache_room(const struct hs_model *m, const struct hs__tcache *tc, uint64_t size);
void hs__tcache_put(struct hs_model *m, struct hs__tcache *tc, uint32_t c, unsigned idx);
uint32_t hs__tcache_get(struct hs_model *m, struct hs__tcache *tc, unsigned idx);
/* removes c from whatever list holds it (any state but allocated/top) */
void hs__detach(struct hs_model *m, uint32_t c);

/* glibc_malloc.c */
uint32_t hs__int_malloc(struct hs_model *m, uint64_t bytes, uint32_t tid, int *path);
uint32_t hs__int_memalign(struct hs_model *m, uint64_t alignment, uint64_t bytes, uint32_t tid,
                          int *path);
int hs__int_realloc(struct hs_model *m, uint32_t oldc, uint64_t nb, uint32_t tid, uint32_t *out,
                    int *path);
/* tcache_init's _int_malloc of the tcache structure in the main arena;
 * returns its chunk, 0 if none */
uint32_t hs__tcache_struct_malloc(struct hs_model *m, uint32_t tid);

/* glibc_arena.c: a thread's arena and its tcache structure */
/* MAYBE_INIT_TCACHE for thread tid; the structure is taken from the main
 * arena if the thread is known to be on it, else when hs__arena_learn
 * finds out. */
void hs__arena_init_tcache(struct hs_model *m, uint32_t tid);
/* pre: glibc served ev from its thread's arena (_int_malloc, not the
 * tcache). Records that arena if the thread's is not known yet. */
void hs__arena_learn(struct hs_model *m, const struct hs_event *ev);
/* If ev's result is a chunk another thread's tcache holds, that thread has
 * exited (tcache chunks go to no other thread): its exit is applied first. */
void hs__arena_exit_evident(struct hs_model *m, const struct hs_event *ev);
/* A thread_exit event: tcache_thread_shutdown of thread tid. */
void hs__arena_thread_exit(struct hs_model *m, uint32_t tid);

/* glibc_free.c */
void hs__int_free(struct hs_model *m, uint32_t c, uint32_t tid);
void hs__free_to_bins(struct hs_model *m, uint32_t c); /* no tcache, no fastbin */
void hs__malloc_consolidate(struct hs_model *m);
void hs__mtrim(struct hs_model *m, uint64_t pad);

#endif
