/*
 * glibc_profile.c - glibc 2.36's malloc constants and its tunables.
 *
 * Values are those of malloc/malloc.c and elf/dl-tunables.list at tag
 * glibc-2.36 for x86-64 (SIZE_SZ 8). The tunables are applied in the order
 * ptmalloc_init() reads them (top_pad, mmap_threshold, trim_threshold,
 * mmap_max, arena_max, arena_test, tcache_max, tcache_count,
 * tcache_unsorted_limit, mxfast); each setter mirrors do_set_*().
 * Check: `GLIBC_TUNABLES=glibc.malloc.mxfast=0` makes every fastbin test
 * fail, because set_max_fast(0) gives 0x10, below MINSIZE.
 */
#include "glibc_profile.h"

#include <stdlib.h>
#include <string.h>

static const struct hs_glibc_profile profile_236 = {
    .name = "glibc-2.36 x86-64",
    .size_sz = 8,
    .alignment = 16,
    .min_size = 0x20,
    .page_size = 4096,
    .n_tcache_bins = 64,
    .tcache_fill_count = 7,
    .tcache_max_count = 65535,
    .tcache_struct_size = 0x280,
    .default_mxfast = 128,
    .max_fast_size = 160,
    .n_fastbins = 10,
    .min_large_size = 0x400,
    .mmap_threshold = 128 * 1024,
    .mmap_threshold_max = 32ull * 1024 * 1024,
    .top_pad = 128 * 1024,
    .trim_threshold = 128 * 1024,
    .n_mmaps_max = 65536,
    .consolidation_threshold = 65536,
    .max_iters = 10000,
};

const struct hs_glibc_profile *hs_glibc_profile_236(void)
{
    return &profile_236;
}

/* set_max_fast(): the largest fastbin chunk size for an mxfast request. */
static uint64_t max_fast_for(const struct hs_glibc_profile *prof, uint64_t request)
{
    uint64_t mask = prof->alignment - 1;
    if (request <= mask - prof->size_sz)
        return prof->min_size / 2;
    return (request + prof->size_sz) & ~mask;
}

void hs_glibc_params_init(struct hs_glibc_params *p, const struct hs_glibc_profile *prof)
{
    memset(p, 0, sizeof *p);
    p->max_fast = max_fast_for(prof, prof->default_mxfast);
    p->mmap_threshold = prof->mmap_threshold;
    p->trim_threshold = prof->trim_threshold;
    p->top_pad = prof->top_pad;
    p->n_mmaps_max = prof->n_mmaps_max;
    p->tcache_bins = prof->n_tcache_bins;
    p->tcache_count = prof->tcache_fill_count;
}

/* The largest request the tcache serves: tidx2usize(TCACHE_MAX_BINS - 1). */
static uint64_t max_tcache_size(const struct hs_glibc_profile *prof)
{
    return (uint64_t)(prof->n_tcache_bins - 1) * prof->alignment + prof->min_size - prof->size_sz;
}

/* One tunable or alias by its short name ("tcache_count"). */
static int set_one(struct hs_glibc_params *p, const struct hs_glibc_profile *prof, const char *name,
                   size_t name_len, uint64_t v)
{
#define IS(s) (name_len == sizeof(s) - 1 && memcmp(name, s, name_len) == 0)
    if (IS("top_pad")) {
        p->top_pad = v;
        p->no_dyn_threshold = 1;
    } else if (IS("mmap_threshold")) {
        p->mmap_threshold = v;
        p->no_dyn_threshold = 1;
    } else if (IS("trim_threshold")) {
        p->trim_threshold = v;
        p->no_dyn_threshold = 1;
    } else if (IS("mmap_max")) {
        p->n_mmaps_max = (int64_t)v;
        p->no_dyn_threshold = 1;
    } else if (IS("arena_max")) {
        /* do_set_arena_max: 0 leaves the default; only the arena choice
         * reads it (glibc_arena.c) */
        if (v == 0)
            return 0;
        p->arena_max = v;
    } else if (IS("tcache_max")) {
        if (v > max_tcache_size(prof))
            return 0;
        p->tcache_bins = (unsigned)hs_glibc_tcache_index(prof, hs_glibc_request2size(prof, v)) + 1;
    } else if (IS("tcache_count")) {
        if (v > prof->tcache_max_count)
            return 0;
        p->tcache_count = (unsigned)v;
    } else if (IS("tcache_unsorted_limit")) {
        p->tcache_unsorted_limit = v;
    } else if (IS("mxfast")) {
        if (v > prof->max_fast_size)
            return 0;
        p->max_fast = max_fast_for(prof, v);
    } else {
        return 0;
    }
    return 1;
#undef IS
}

static uint64_t parse_number(const char *s, size_t len)
{
    char buf[32];
    if (len >= sizeof buf)
        len = sizeof buf - 1;
    memcpy(buf, s, len);
    buf[len] = '\0';
    return strtoull(buf, NULL, 0);
}

/* GLIBC_TUNABLES value: "glibc.malloc.a=1:glibc.malloc.b=2". */
static int apply_tunables(struct hs_glibc_params *p, const struct hs_glibc_profile *prof,
                          const char *s, const char *end)
{
    static const char prefix[] = "glibc.malloc.";
    int n = 0;
    while (s < end) {
        const char *colon = memchr(s, ':', (size_t)(end - s));
        const char *item_end = colon ? colon : end;
        const char *eq = memchr(s, '=', (size_t)(item_end - s));
        if (eq && (size_t)(eq - s) > sizeof prefix - 1 &&
            memcmp(s, prefix, sizeof prefix - 1) == 0) {
            const char *name = s + sizeof prefix - 1;
            n += set_one(p, prof, name, (size_t)(eq - name),
                         parse_number(eq + 1, (size_t)(item_end - eq - 1)));
        }
        s = item_end + 1;
    }
    return n;
}

int hs_glibc_params_apply_env(struct hs_glibc_params *p, const struct hs_glibc_profile *prof,
                              const char *env, uint64_t env_len)
{
    static const struct {
        const char *var, *name;
    } aliases[] = {
        {"MALLOC_TOP_PAD_=", "top_pad"},
        {"MALLOC_MMAP_THRESHOLD_=", "mmap_threshold"},
        {"MALLOC_TRIM_THRESHOLD_=", "trim_threshold"},
        {"MALLOC_MMAP_MAX_=", "mmap_max"},
        {"MALLOC_ARENA_MAX=", "arena_max"},
    };
    int n = 0;
    const char *end = env + env_len;
    /* Aliases first: glibc lets GLIBC_TUNABLES override them. */
    for (int pass = 0; pass < 2; pass++) {
        for (const char *s = env; s < end;) {
            size_t len = strnlen(s, (size_t)(end - s));
            if (pass == 0) {
                for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++) {
                    size_t vl = strlen(aliases[i].var);
                    if (len > vl && memcmp(s, aliases[i].var, vl) == 0)
                        n += set_one(p, prof, aliases[i].name, strlen(aliases[i].name),
                                     parse_number(s + vl, len - vl));
                }
            } else if (len > 15 && memcmp(s, "GLIBC_TUNABLES=", 15) == 0) {
                n += apply_tunables(p, prof, s + 15, s + len);
            }
            s += len + 1;
        }
    }
    return n;
}

const char *hs_mallopt_param_name(int param)
{
    switch (param) {
    case HS_M_MXFAST: return "M_MXFAST";
    case HS_M_TRIM_THRESHOLD: return "M_TRIM_THRESHOLD";
    case HS_M_TOP_PAD: return "M_TOP_PAD";
    case HS_M_MMAP_THRESHOLD: return "M_MMAP_THRESHOLD";
    case HS_M_MMAP_MAX: return "M_MMAP_MAX";
    case HS_M_CHECK_ACTION: return "M_CHECK_ACTION";
    case HS_M_PERTURB: return "M_PERTURB";
    case HS_M_ARENA_TEST: return "M_ARENA_TEST";
    case HS_M_ARENA_MAX: return "M_ARENA_MAX";
    default: return NULL;
    }
}

int hs_glibc_params_mallopt(struct hs_glibc_params *p, const struct hs_glibc_profile *prof,
                            int param, int64_t value)
{
    uint64_t v = (uint64_t)value;
    switch (param) {
    case HS_M_MXFAST:
        if (v > prof->max_fast_size)
            return 0;
        p->max_fast = max_fast_for(prof, v);
        return 1;
    case HS_M_TRIM_THRESHOLD:
        return set_one(p, prof, "trim_threshold", 14, v);
    case HS_M_TOP_PAD:
        return set_one(p, prof, "top_pad", 7, v);
    case HS_M_MMAP_THRESHOLD:
        return set_one(p, prof, "mmap_threshold", 14, v);
    case HS_M_MMAP_MAX:
        p->n_mmaps_max = (int32_t)value;
        p->no_dyn_threshold = 1;
        return 1;
    case HS_M_ARENA_MAX:
        if (value > 0)
            p->arena_max = v;
        return 1;
    default:
        return 1; /* arena_test and debugging settings: no effect on the main arena */
    }
}
