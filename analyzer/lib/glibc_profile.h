/*
 * glibc_profile.h - the constants of one glibc malloc version, and the
 * tunable parameters (mallopt, GLIBC_TUNABLES, MALLOC_*_ variables) that a
 * run starts from.
 *
 * The replay model (glibc_model.h) reads every size limit from here, never
 * from a literal, so another glibc version is another profile, not another
 * model. Only glibc 2.36 on x86-64 exists today (hs_glibc_profile_236()).
 *
 * Allocates: no. Thread safety: profiles are immutable; params belong to
 * one model.
 */
#ifndef HS_GLIBC_PROFILE_H
#define HS_GLIBC_PROFILE_H

#include <stdint.h>

/* Fixed by the glibc build: these never change during a run. */
struct hs_glibc_profile {
    const char *name;                 /* "glibc-2.36 x86-64" */
    uint64_t size_sz;                 /* SIZE_SZ: 8 */
    uint64_t alignment;               /* MALLOC_ALIGNMENT: 16 */
    uint64_t min_size;                /* MINSIZE: 0x20 */
    uint64_t page_size;               /* 4096 */
    unsigned n_tcache_bins;           /* TCACHE_MAX_BINS: 64 */
    unsigned tcache_fill_count;       /* TCACHE_FILL_COUNT: 7 */
    unsigned tcache_max_count;        /* MAX_TCACHE_COUNT: 65535 */
    uint64_t tcache_struct_size;      /* sizeof(tcache_perthread_struct): 0x280 */
    uint64_t default_mxfast;          /* DEFAULT_MXFAST request bytes: 128 */
    uint64_t max_fast_size;           /* MAX_FAST_SIZE: 160 (mallopt limit) */
    unsigned n_fastbins;              /* NFASTBINS: 10 */
    uint64_t min_large_size;          /* MIN_LARGE_SIZE: 0x400 (smallbins below) */
    uint64_t mmap_threshold;          /* DEFAULT_MMAP_THRESHOLD: 128 KiB */
    uint64_t mmap_threshold_max;      /* DEFAULT_MMAP_THRESHOLD_MAX: 32 MiB */
    uint64_t top_pad;                 /* DEFAULT_TOP_PAD: 128 KiB */
    uint64_t trim_threshold;          /* DEFAULT_TRIM_THRESHOLD: 128 KiB */
    int64_t n_mmaps_max;              /* DEFAULT_MMAP_MAX: 65536 */
    uint64_t consolidation_threshold; /* FASTBIN_CONSOLIDATION_THRESHOLD: 64 KiB */
    unsigned max_iters;               /* unsorted scan limit per malloc: 10000 */
};

/* What mallopt and the tunables change; starts from the profile defaults. */
struct hs_glibc_params {
    uint64_t max_fast; /* global_max_fast (chunk size): 0x80 */
    uint64_t mmap_threshold;
    uint64_t trim_threshold;
    uint64_t top_pad;
    int64_t n_mmaps_max;
    unsigned tcache_bins;  /* mp_.tcache_bins */
    unsigned tcache_count; /* mp_.tcache_count */
    uint64_t tcache_unsorted_limit;
    int no_dyn_threshold; /* set by any explicit threshold setting */
    uint64_t arena_max;   /* mp_.arena_max: 0 unset (8 x cores), 1 main arena only */
};

/* mallopt parameter numbers (malloc.h). */
enum {
    HS_M_MXFAST = 1,
    HS_M_TRIM_THRESHOLD = -1,
    HS_M_TOP_PAD = -2,
    HS_M_MMAP_THRESHOLD = -3,
    HS_M_MMAP_MAX = -4,
    HS_M_CHECK_ACTION = -5,
    HS_M_PERTURB = -6,
    HS_M_ARENA_TEST = -7,
    HS_M_ARENA_MAX = -8,
};

/* "M_ARENA_MAX" for HS_M_ARENA_MAX, and the others of malloc.h; NULL for a
 * number malloc.h does not name. */
const char *hs_mallopt_param_name(int param);

const struct hs_glibc_profile *hs_glibc_profile_236(void);

/* The parameters glibc starts with, before tunables. */
void hs_glibc_params_init(struct hs_glibc_params *p, const struct hs_glibc_profile *prof);

/* Applies GLIBC_TUNABLES=glibc.malloc.X=V:... and the MALLOC_*_ aliases found
 * in env, a block of "NAME=value\0" strings of env_len bytes (the tracer's
 * header format). Unknown names are ignored. Returns the number applied. */
int hs_glibc_params_apply_env(struct hs_glibc_params *p, const struct hs_glibc_profile *prof,
                              const char *env, uint64_t env_len);

/* mallopt(param, value) as glibc 2.36 applies it (the caller consolidates
 * fastbins first, as glibc does). Returns glibc's result (1 ok, 0 refused). */
int hs_glibc_params_mallopt(struct hs_glibc_params *p, const struct hs_glibc_profile *prof,
                            int param, int64_t value);


/* request2size(): the chunk size malloc(req) uses. */
static inline uint64_t hs_glibc_request2size(const struct hs_glibc_profile *prof, uint64_t req)
{
    uint64_t mask = prof->alignment - 1;
    if (req + prof->size_sz + mask < prof->min_size)
        return prof->min_size;
    return (req + prof->size_sz + mask) & ~mask;
}

/* csize2tidx(): the tcache bin of a chunk size. */
static inline uint64_t hs_glibc_tcache_index(const struct hs_glibc_profile *prof, uint64_t csize)
{
    return (csize - prof->min_size + prof->alignment - 1) / prof->alignment;
}

#endif
