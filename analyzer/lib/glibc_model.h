/*
 * glibc_model.h - a replay model of glibc 2.36 malloc's main arena.
 *
 * Feed it a process's events in seq order (hs_model_apply); for every call
 * that returns an address it predicts that address the way glibc would
 * (tcache, fastbins, unsorted, small and large bins in list order,
 * last_remainder, top, sysmalloc by brk, mmap with the dynamic threshold,
 * malloc_consolidate, trimming, realloc and memalign paths) and compares it
 * with the recorded one. A mismatch is a divergence: the step says so, and
 * the model adopts the recorded address (the chunk is carved out of
 * wherever the model had that memory) so that one error does not cascade.
 *
 * Observed facts, never predicted: addresses the kernel chooses (mmap,
 * mremap, where the heap starts: the break before the first growth comes
 * from the trace's allocator brk events), and chunks of other arenas
 * (HS_CHUNK_NON_MAIN_ARENA), which other threads own. Tcaches are per
 * thread (keyed by tid) and are modelled for every thread; a thread's
 * tcache structure is a main-arena chunk when the thread is on the main
 * arena, which the model infers from the thread's blocks (glibc_arena.c).
 *
 * Ground truth: hs_model_mallinfo() gives what mallinfo2() would return if
 * only the main arena existed; at every mark it must equal the recorded one.
 *
 * Memory: proportional to the live chunks (a hash of chunks by address),
 * never to the trace length. Allocates: yes. Thread safety: one model per
 * thread. Errors: hs_model_new returns NULL when out of memory; apply
 * returns HS_ENOMEM, nothing else fails (bad input is a divergence).
 */
#ifndef HS_GLIBC_MODEL_H
#define HS_GLIBC_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "glibc_profile.h"
#include "trace.h"

struct hs_model;

/* Where a chunk is, as `heapscope heap` prints it. */
enum hs_chunk_state {
    HS_CS_ALLOCATED = 0,
    HS_CS_TCACHE,
    HS_CS_FASTBIN,
    HS_CS_UNSORTED,
    HS_CS_SMALLBIN,
    HS_CS_LARGEBIN,
    HS_CS_TOP,
    HS_CS_FENCE, /* sysmalloc's fenceposts after a foreign sbrk */
    HS_CS_COUNT
};
const char *hs_chunk_state_name(int state);

/* Which way glibc served an allocation (the model's prediction). */
enum hs_path {
    HS_PATH_NONE = 0, /* not an allocation */
    HS_PATH_TCACHE,   /* tcache hit */
    HS_PATH_FASTBIN,
    HS_PATH_SMALLBIN,
    HS_PATH_UNSORTED_EXACT,   /* exact fit while sorting the unsorted bin */
    HS_PATH_LAST_REMAINDER,   /* split of the last remainder */
    HS_PATH_LARGE_BEST_FIT,   /* best fit in the request's large bin */
    HS_PATH_BINMAP,           /* next non-empty larger bin, split */
    HS_PATH_TOP,              /* split of the top chunk */
    HS_PATH_SYSMALLOC_BRK,    /* heap grown (or first created) by brk */
    HS_PATH_MMAP,             /* own mapping: request >= mmap threshold */
    HS_PATH_REALLOC_IN_PLACE, /* realloc kept the address (shrink, grow
                                 into top or into the next free chunk) */
    HS_PATH_MREMAP,           /* realloc of an mmapped chunk */
    HS_PATH_OTHER_ARENA,      /* another arena's chunk: observed, not predicted */
    HS_PATH_COUNT
};
const char *hs_path_name(int path);

/* What one event did. */
struct hs_model_step {
    int is_alloc;           /* the event returned an address */
    int predicted;          /* the model predicted it (0: observed fact) */
    int match;              /* prediction equals the recorded address */
    int path;               /* enum hs_path */
    uint64_t predicted_ptr; /* user pointer the model predicted */
    uint64_t recorded_ptr;
    int consolidated; /* malloc_consolidate ran */
    int trimmed;      /* the heap shrank (systrim) */
    uint64_t grown;   /* bytes the heap grew by brk */
    int unknown_free; /* free of an address the model never saw */
    char why[160];    /* on a mismatch: the model's explanation */
};

/* pre: prof != NULL. params NULL means the profile's defaults. */
struct hs_model *hs_model_new(const struct hs_glibc_profile *prof,
                              const struct hs_glibc_params *params);
void hs_model_free(struct hs_model *m);

/* The thread that is the process's main thread (its pid). Its tcache
 * structure is the first chunk of the main arena. */
void hs_model_set_main_tid(struct hs_model *m, uint32_t tid);

/* After fork(): the child's heap is this model; the forking thread's
 * tcache becomes the child's main thread's (child_pid). */
void hs_model_fork(struct hs_model *m, uint32_t fork_tid, uint32_t child_pid);

/*
 * Applies one event. brk is the allocator brk event recorded for this call
 * (the tracer's inference of glibc's own sbrk), or NULL. Events of other
 * kinds (marks, mmap, state...) are accepted and ignored or used as facts.
 */
int hs_model_apply(struct hs_model *m, const struct hs_event *ev, const struct hs_event *brk,
                   struct hs_model_step *step);

/* The program break as the model has it; 0 while unknown. */
uint64_t hs_model_brk(const struct hs_model *m);

/* mallinfo2() of the main arena plus mmapped chunks. */
void hs_model_mallinfo(const struct hs_model *m, struct hs_mallinfo *out);

/* Chunks of the main arena in address order, top included. */
typedef void (*hs_model_chunk_fn)(void *ctx, uint64_t addr, uint64_t size, int state,
                                  uint64_t requested);
void hs_model_each_chunk(const struct hs_model *m, hs_model_chunk_fn fn, void *ctx);
/* mmapped chunks (unordered); state is HS_CS_ALLOCATED. */
void hs_model_each_mmapped(const struct hs_model *m, hs_model_chunk_fn fn, void *ctx);

/* One non-empty bin with its chunks in list order (the order malloc
 * would take them: tcache and fastbins from the head, the others from the
 * bk end, i.e. for large bins the smallest first). */
enum hs_bin_kind { HS_BIN_TCACHE, HS_BIN_FAST, HS_BIN_UNSORTED, HS_BIN_SMALL, HS_BIN_LARGE };
struct hs_bin_view {
    int kind;              /* enum hs_bin_kind */
    unsigned index;        /* glibc's index in its array */
    uint32_t tid;          /* tcache only: owning thread */
    uint64_t size_lo;      /* smallest chunk size the bin holds */
    uint64_t size_hi;      /* largest (inclusive); ~0 for the last large bin */
    size_t n;              /* chunks listed */
    const uint64_t *addrs; /* chunk addresses */
    const uint64_t *sizes;
};
typedef void (*hs_model_bin_fn)(void *ctx, const struct hs_bin_view *bin);
/* Lists chunks in list order: tcache and fastbins from the head (next out
 * first), unsorted/small/large from the head (fd) side, as glibc links them. */
int hs_model_each_bin(const struct hs_model *m, hs_model_bin_fn fn, void *ctx);

/* Summary figures. */
struct hs_model_totals {
    uint64_t heap_start, heap_end; /* main arena extent (0, 0 before) */
    uint64_t brk;                  /* the model's program break */
    uint64_t top_addr, top_size;
    uint64_t n_allocated, allocated_bytes, requested_bytes;
    uint64_t n_mmapped, mmapped_bytes, mmapped_requested;
    uint64_t free_bytes[HS_CS_COUNT]; /* by state: tcache, fastbin... top */
    uint64_t n_free[HS_CS_COUNT];
    uint64_t largest_free; /* largest free chunk, top excluded */
    uint64_t mmap_threshold, trim_threshold;
};
void hs_model_totals(const struct hs_model *m, struct hs_model_totals *out);

/* Explanations: when on, apply() appends one line per thing it does
 * ("chunk 0x55..0 (0x90) moved unsorted -> smallbin 9"). */
void hs_model_set_notes(struct hs_model *m, int on);
const char *hs_model_notes(const struct hs_model *m);

/* Snapshots (checkpoints): a self-contained byte image of the model. */
int hs_model_save(const struct hs_model *m, uint8_t **buf, size_t *len);
/* pre: the profile is the one the image was saved with. */
int hs_model_load(const struct hs_glibc_profile *prof, const uint8_t *buf, size_t len,
                  struct hs_model **out);
/* 1 if an image of len bytes is of this build's layout (its magic), so
 * hs_model_load may read it; 0 for an older heapscope's. */
int hs_model_image_is_current(const uint8_t *buf, size_t len);

#endif
