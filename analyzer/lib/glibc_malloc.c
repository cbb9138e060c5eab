/*
 * glibc_malloc.c - the allocation paths of the model: _int_malloc,
 * sysmalloc, _int_memalign, _int_realloc and tcache_init of glibc 2.36
 * (malloc/malloc.c), replayed on the chunk map instead of on memory.
 *
 * _int_malloc tries, in order: the fastbin of the size (stashing the rest
 * of that fastbin into the tcache), the smallbin (same stashing), then for
 * large requests malloc_consolidate if fastbins are in use; then it sorts
 * the unsorted bin oldest first (the last remainder split for small
 * requests, exact fits go to the tcache until it is full, the rest into
 * their bins), the best fit of the request's large bin, the next non-empty
 * larger bin (binmap), the top chunk, one consolidation and retry, and
 * finally sysmalloc: mmap above the threshold, else grow the heap by brk
 * (request + top_pad + MINSIZE - old top, page-rounded).
 * Check: the first malloc(64) of a process with the tcache on returns heap
 * start + 0x2a0 after growing the heap by 0x21000 (DESIGN.md).
 */
#include "glibc_model_int.h"

static uint64_t align_up(uint64_t v, uint64_t a)
{
    return (v + a - 1) & ~(a - 1);
}

static struct hs__tcache *tcache_for(struct hs_model *m, uint32_t tid)
{
    struct hs__tcache *tc = hs__tcache_of(m, tid, 0);
    return tc && tc->initialized ? tc : NULL;
}

/* Splits the front nb bytes off free chunk c (already unlinked); the rest
 * goes to the head of the unsorted bin. Returns the remainder. */
static uint32_t split_to_unsorted(struct hs_model *m, uint32_t c, uint64_t nb)
{
    uint32_t r = hs__phys_split(m, c, nb);
    if (r)
        hs__unsorted_push(m, r);
    return r;
}

/* An mmapped chunk: its address is the kernel's, filled in by the caller. */
static uint32_t new_mmapped(struct hs_model *m, uint64_t map_size)
{
    uint32_t c = hs__chunk_new(m);
    if (!c)
        return 0;
    m->pool[c].size = map_size;
    m->pool[c].state = HS_CS_ALLOCATED;
    m->n_mmaps++;
    m->mmapped_mem += map_size;
    return c;
}

/* Splits nb bytes off top if it keeps at least MINSIZE: returns the
 * allocated chunk (the old top), the rest becoming top; 0 otherwise. */
static uint32_t cut_top(struct hs_model *m, uint64_t nb)
{
    uint32_t top = m->top;
    if (!top || m->pool[top].size < nb + m->prof->min_size)
        return 0;
    uint32_t r = hs__phys_split(m, top, nb);
    if (!r)
        return 0;
    m->pool[top].state = HS_CS_ALLOCATED;
    m->pool[r].state = HS_CS_TOP;
    m->top = r;
    return top;
}

static uint32_t sysmalloc(struct hs_model *m, uint64_t nb, uint32_t tid, int *path)
{
    const struct hs_glibc_profile *pr = m->prof;
    if (nb >= m->par.mmap_threshold && (int64_t)m->n_mmaps < m->par.n_mmaps_max) {
        uint64_t size = align_up(nb + pr->size_sz, pr->page_size);
        *path = HS_PATH_MMAP;
        hs__note(m,
                 "sysmalloc: request 0x%llx >= mmap threshold 0x%llx: own mapping of 0x%llx bytes",
                 (unsigned long long)nb, (unsigned long long)m->par.mmap_threshold,
                 (unsigned long long)size);
        return new_mmapped(m, size);
    }
    uint32_t old_top = m->top;
    uint64_t old_size = old_top ? m->pool[old_top].size : 0;
    uint64_t old_end = old_top ? m->pool[old_top].addr + old_size : 0;
    uint64_t size = align_up(nb + m->par.top_pad + pr->min_size - old_size, pr->page_size);
    uint64_t brk = m->brk;
    *path = HS_PATH_SYSMALLOC_BRK;
    if (m->step)
        m->step->grown = size;
    m->system_mem += size;
    if (old_top && brk == old_end) {
        m->pool[old_top].size += size;
        m->brk = brk + size;
        hs__note(m,
                 "sysmalloc: top 0x%llx bytes < request 0x%llx + MINSIZE: brk grows the heap by "
                 "0x%llx (request + top_pad 0x%llx + MINSIZE - old top, page-rounded)",
                 (unsigned long long)old_size, (unsigned long long)nb, (unsigned long long)size,
                 (unsigned long long)m->par.top_pad);
    } else {
        /* First growth, or someone else moved the break (foreign sbrk). */
        if (!m->sbrk_base)
            m->sbrk_base = brk;
        if (old_size)
            m->system_mem += brk - old_end;
        uint64_t front = (brk + 2 * pr->size_sz) & (pr->alignment - 1);
        uint64_t correction = front ? pr->alignment - front : 0;
        uint64_t aligned = brk + correction;
        correction += old_size;
        uint64_t end = brk + size + correction;
        correction += align_up(end, pr->page_size) - end;
        uint64_t top_size = brk + size - aligned + correction;
        m->system_mem += correction;
        m->brk = brk + size + correction;
        uint32_t last = old_top;
        if (old_size) {
            uint64_t keep = (old_size - 4 * pr->size_sz) & ~(pr->alignment - 1);
            uint64_t fence_at = m->pool[old_top].addr + (keep >= pr->min_size ? keep : 0);
            uint32_t fence = old_top;
            if (keep >= pr->min_size) {
                fence = hs__phys_split(m, old_top, keep);
                last = fence;
            }
            if (fence) {
                m->pool[fence].state = HS_CS_FENCE;
                m->pool[fence].size = old_end - fence_at;
            }
        }
        uint32_t t = hs__phys_insert_after(m, last, aligned, top_size);
        if (!t)
            return 0;
        m->top = t;
        m->pool[t].state = HS_CS_TOP;
        if (old_size) {
            hs__note(m,
                     "sysmalloc: the break moved (foreign sbrk): fenceposts at the old top, new "
                     "top at 0x%llx",
                     (unsigned long long)aligned);
            if (m->pool[old_top].state != HS_CS_FENCE) {
                m->pool[old_top].state = HS_CS_ALLOCATED;
                hs__int_free(m, old_top, tid);
            }
        } else {
            hs__note(m,
                     "sysmalloc: first use of the heap: brk from 0x%llx by 0x%llx (request 0x%llx "
                     "+ top_pad 0x%llx + MINSIZE, page-rounded)",
                     (unsigned long long)brk, (unsigned long long)(size + correction),
                     (unsigned long long)nb, (unsigned long long)m->par.top_pad);
        }
    }
    if (m->system_mem > m->max_system_mem)
        m->max_system_mem = m->system_mem;
    return cut_top(m, nb); /* 0: ENOMEM */
}

/* Moves up to the tcache's free room of chunks from fastbin idx. */
static void stash_fastbin(struct hs_model *m, struct hs__tcache *tc, unsigned tc_idx, unsigned idx)
{
    while (tc->count[tc_idx] < m->par.tcache_count && m->fastbin[idx]) {
        uint32_t c = hs__fastbin_pop(m, idx);
        hs__tcache_put(m, tc, c, tc_idx);
        hs__note(m, "chunk 0x%llx stashed fastbin -> tcache", (unsigned long long)m->pool[c].addr);
    }
}

static void stash_smallbin(struct hs_model *m, struct hs__tcache *tc, unsigned tc_idx, unsigned idx)
{
    while (tc->count[tc_idx] < m->par.tcache_count && m->pool[idx].bk != idx) {
        uint32_t c = m->pool[idx].bk;
        hs__bin_unlink(m, c);
        hs__tcache_put(m, tc, c, tc_idx);
        hs__note(m, "chunk 0x%llx stashed smallbin -> tcache", (unsigned long long)m->pool[c].addr);
    }
}

/* Takes victim (unlinked, size >= nb) and splits off the remainder. */
static uint32_t take_split(struct hs_model *m, uint32_t victim, uint64_t nb, int set_lr)
{
    if (m->pool[victim].size - nb >= m->prof->min_size) {
        uint32_t r = split_to_unsorted(m, victim, nb);
        if (r && set_lr)
            m->last_remainder = m->pool[r].addr;
        if (r)
            hs__note(m, "split 0x%llx: remainder 0x%llx (0x%llx bytes) -> unsorted",
                     (unsigned long long)m->pool[victim].addr, (unsigned long long)m->pool[r].addr,
                     (unsigned long long)m->pool[r].size);
    }
    return victim;
}

/* Best fit in large bin idx, or 0. */
static uint32_t large_best_fit(struct hs_model *m, unsigned idx, uint64_t nb)
{
    uint32_t first = m->pool[idx].fd;
    if (first == idx || m->pool[first].size < nb)
        return 0;
    uint32_t c = m->pool[idx].bk;
    while (m->pool[c].size < nb)
        c = m->pool[c].bk;
    /* c is the last of the smallest fitting size run; go to its first */
    while (m->pool[c].bk != idx && m->pool[m->pool[c].bk].size == m->pool[c].size)
        c = m->pool[c].bk;
    /* glibc avoids the run's first chunk (the skip-list node) if it can */
    if (c != m->pool[idx].bk && m->pool[m->pool[c].fd].size == m->pool[c].size)
        c = m->pool[c].fd;
    hs__bin_unlink(m, c);
    return take_split(m, c, nb, 0);
}

/* The next non-empty bin above idx (glibc's binmap walk), split. */
static uint32_t binmap_search(struct hs_model *m, unsigned idx, uint64_t nb)
{
    for (unsigned i = idx + 1; i < HS__NBINS - 1; i++) {
        uint32_t word = m->binmap[i >> 5] >> (i & 31);
        if (word == 0) {
            i |= 31;
            continue;
        }
        i += (unsigned)__builtin_ctz(word);
        if (i >= HS__NBINS - 1)
            break;
        if (m->pool[i].bk == i) {
            m->binmap[i >> 5] &= ~(1u << (i & 31)); /* false alarm, as glibc clears */
            continue;
        }
        uint32_t c = m->pool[i].bk;
        hs__bin_unlink(m, c);
        hs__note(m,
                 "binmap: bin %u is the first non-empty bin above %u: its last chunk 0x%llx "
                 "(0x%llx bytes)",
                 i, idx, (unsigned long long)m->pool[c].addr, (unsigned long long)m->pool[c].size);
        return take_split(m, c, nb, hs__in_smallbin_range(m, nb));
    }
    return 0;
}

/* The exact-size fast paths: the fastbin, then the smallbin of nb. */
static uint32_t from_fast_or_small(struct hs_model *m, uint64_t nb, struct hs__tcache *tc,
                                   unsigned tc_idx, int *path)
{
    if (nb <= m->par.max_fast) {
        unsigned idx = hs__fastbin_index(m, nb);
        if (m->fastbin[idx]) {
            uint32_t c = hs__fastbin_pop(m, idx);
            hs__note(m, "fastbin %u: head chunk 0x%llx", idx, (unsigned long long)m->pool[c].addr);
            if (tc)
                stash_fastbin(m, tc, tc_idx, idx);
            *path = HS_PATH_FASTBIN;
            return c;
        }
    }
    if (hs__in_smallbin_range(m, nb)) {
        unsigned idx = hs__bin_index(m, nb);
        if (m->pool[idx].bk != idx) {
            uint32_t c = m->pool[idx].bk;
            hs__bin_unlink(m, c);
            hs__note(m, "smallbin %u: oldest chunk 0x%llx", idx,
                     (unsigned long long)m->pool[c].addr);
            if (tc)
                stash_smallbin(m, tc, tc_idx, idx);
            *path = HS_PATH_SMALLBIN;
            return c;
        }
    }
    return 0;
}

/* State of one malloc across its unsorted-bin passes. */
struct unsorted_scan {
    uint64_t nb;
    struct hs__tcache *tc; /* NULL if exact fits may not be cached */
    unsigned tc_idx;
    int return_cached; /* an exact fit went to the tcache */
    uint64_t count;    /* chunks binned while caching */
};

/* Sorts the unsorted bin oldest first; returns a chunk if the scan itself
 * serves the request (last remainder, exact fit), else 0. */
static uint32_t scan_unsorted(struct hs_model *m, struct unsorted_scan *u, int *path)
{
    uint64_t nb = u->nb;
    unsigned iters = 0;
    uint32_t victim;
    while ((victim = m->pool[1].bk) != 1) {
        uint64_t size = m->pool[victim].size;
        if (hs__in_smallbin_range(m, nb) && m->pool[victim].bk == 1 &&
            m->pool[victim].addr == m->last_remainder && size > nb + m->prof->min_size) {
            hs__bin_unlink(m, victim);
            uint32_t r = split_to_unsorted(m, victim, nb);
            if (r)
                m->last_remainder = m->pool[r].addr;
            hs__note(m,
                     "unsorted: the only chunk is the last remainder 0x%llx (0x%llx bytes): "
                     "split, rest stays in unsorted",
                     (unsigned long long)m->pool[victim].addr, (unsigned long long)size);
            *path = HS_PATH_LAST_REMAINDER;
            return victim;
        }
        hs__bin_unlink(m, victim);
        if (size == nb) {
            if (u->tc && u->tc->count[u->tc_idx] < m->par.tcache_count) {
                hs__tcache_put(m, u->tc, victim, u->tc_idx);
                hs__note(m, "unsorted: exact fit 0x%llx -> tcache (filling it first)",
                         (unsigned long long)m->pool[victim].addr);
                u->return_cached = 1;
                continue;
            }
            hs__note(m, "unsorted: exact fit 0x%llx", (unsigned long long)m->pool[victim].addr);
            *path = HS_PATH_UNSORTED_EXACT;
            return victim;
        }
        hs__bin_place(m, victim);
        hs__note(m, "unsorted: chunk 0x%llx (0x%llx bytes) -> %s %u",
                 (unsigned long long)m->pool[victim].addr, (unsigned long long)size,
                 hs_chunk_state_name(m->pool[victim].state), m->pool[victim].bin);
        ++u->count;
        if (u->return_cached && m->par.tcache_unsorted_limit > 0 &&
            u->count > m->par.tcache_unsorted_limit) {
            *path = HS_PATH_UNSORTED_EXACT;
            return hs__tcache_get(m, u->tc, u->tc_idx);
        }
        if (++iters >= m->prof->max_iters)
            break;
    }
    if (u->return_cached) {
        *path = HS_PATH_UNSORTED_EXACT;
        hs__note(m, "unsorted: returning the last exact fit from the tcache");
        return hs__tcache_get(m, u->tc, u->tc_idx);
    }
    return 0;
}

/* cut_top, told in the notes. */
static uint32_t split_top(struct hs_model *m, uint64_t nb)
{
    uint32_t top = cut_top(m, nb);
    if (!top)
        return 0;
    uint32_t r = m->top;
    hs__note(m, "top: split 0x%llx bytes off the top chunk at 0x%llx; top is now 0x%llx bytes",
             (unsigned long long)nb, (unsigned long long)m->pool[top].addr,
             (unsigned long long)m->pool[r].size);
    return top;
}

uint32_t hs__int_malloc(struct hs_model *m, uint64_t bytes, uint32_t tid, int *path)
{
    uint64_t nb = hs_glibc_request2size(m->prof, bytes);
    struct hs__tcache *tc = tcache_for(m, tid);
    unsigned tc_idx = (unsigned)hs_glibc_tcache_index(m->prof, nb);
    if (tc && tc_idx >= m->par.tcache_bins)
        tc = NULL;
    uint32_t c = from_fast_or_small(m, nb, tc, tc_idx, path);
    if (c)
        return c;
    unsigned idx = hs__bin_index(m, nb);
    if (!hs__in_smallbin_range(m, nb) && m->have_fastchunks) {
        hs__note(m, "large request with fastbins in use: malloc_consolidate");
        hs__malloc_consolidate(m);
    }
    struct unsorted_scan u = {.nb = nb, .tc = tc, .tc_idx = tc_idx};
    for (;;) {
        if ((c = scan_unsorted(m, &u, path)) != 0)
            return c;
        if (!hs__in_smallbin_range(m, nb) && (c = large_best_fit(m, idx, nb)) != 0) {
            hs__note(m, "large bin %u: best fit 0x%llx", idx, (unsigned long long)m->pool[c].addr);
            *path = HS_PATH_LARGE_BEST_FIT;
            return c;
        }
        if ((c = binmap_search(m, idx, nb)) != 0) {
            *path = HS_PATH_BINMAP;
            return c;
        }
        if ((c = split_top(m, nb)) != 0) {
            *path = HS_PATH_TOP;
            return c;
        }
        if (!m->have_fastchunks)
            return sysmalloc(m, nb, tid, path);
        /* glibc retries once everything small has been merged */
        hs__note(m, "top too small and fastbins in use: malloc_consolidate and retry");
        hs__malloc_consolidate(m);
    }
}

uint32_t hs__tcache_struct_malloc(struct hs_model *m, uint32_t tid)
{
    int path;
    uint32_t c = hs__int_malloc(m, m->prof->tcache_struct_size, tid, &path);
    if (c) {
        /* glibc's own: nothing the program requested (frag counts it
         * as overhead, docs/cli/frag.md) */
        m->pool[c].req = 0;
        hs__note(m, "tcache_init: thread %u's tcache structure takes chunk 0x%llx (0x%llx bytes)",
                 tid, (unsigned long long)m->pool[c].addr, (unsigned long long)m->pool[c].size);
    }
    return c;
}

uint32_t hs__int_memalign(struct hs_model *m, uint64_t alignment, uint64_t bytes, uint32_t tid,
                          int *path)
{
    const struct hs_glibc_profile *pr = m->prof;
    uint64_t nb = hs_glibc_request2size(pr, bytes);
    uint32_t p = hs__int_malloc(m, nb + alignment + pr->min_size, tid, path);
    if (!p || *path == HS_PATH_MMAP)
        return p;
    uint64_t mem = m->pool[p].addr + 2 * pr->size_sz;
    if (mem % alignment) {
        uint64_t brk = ((mem + alignment - 1) & ~(alignment - 1)) - 2 * pr->size_sz;
        if (brk - m->pool[p].addr < pr->min_size)
            brk += alignment;
        uint32_t newp = hs__phys_split(m, p, brk - m->pool[p].addr);
        if (!newp)
            return 0;
        hs__note(m, "memalign: leading 0x%llx bytes at 0x%llx given back",
                 (unsigned long long)m->pool[p].size, (unsigned long long)m->pool[p].addr);
        hs__int_free(m, p, tid);
        p = newp;
    }
    if (m->pool[p].size > nb + pr->min_size) {
        uint32_t r = hs__phys_split(m, p, nb);
        if (r) {
            hs__note(m, "memalign: trailing 0x%llx bytes at 0x%llx given back",
                     (unsigned long long)m->pool[r].size, (unsigned long long)m->pool[r].addr);
            hs__int_free(m, r, tid);
        }
    }
    return p;
}

int hs__int_realloc(struct hs_model *m, uint32_t oldc, uint64_t nb, uint32_t tid, uint32_t *out,
                    int *path)
{
    const struct hs_glibc_profile *pr = m->prof;
    uint64_t oldsize = m->pool[oldc].size;
    uint32_t next = m->pool[oldc].phys_next;
    uint32_t newp = oldc;
    uint64_t newsize = oldsize;
    *path = HS_PATH_REALLOC_IN_PLACE;
    if (oldsize < nb) {
        if (next && next == m->top && oldsize + m->pool[next].size >= nb + pr->min_size) {
            uint64_t total = oldsize + m->pool[next].size;
            hs__map_del(&m->chunks, m->pool[next].addr);
            m->pool[oldc].size = nb;
            m->pool[next].addr = m->pool[oldc].addr + nb;
            m->pool[next].size = total - nb;
            hs__map_put(&m->chunks, m->pool[next].addr, next);
            hs__note(m, "realloc: grows into the top chunk in place");
            *out = oldc;
            return 0;
        }
        int st = next ? m->pool[next].state : HS_CS_ALLOCATED;
        if (next && next != m->top &&
            (st == HS_CS_UNSORTED || st == HS_CS_SMALLBIN || st == HS_CS_LARGEBIN) &&
            oldsize + m->pool[next].size >= nb) {
            hs__note(m, "realloc: absorbs the free chunk after it (0x%llx, %s)",
                     (unsigned long long)m->pool[next].addr, hs_chunk_state_name(st));
            hs__bin_unlink(m, next);
            hs__phys_absorb_next(m, oldc);
            newsize = m->pool[oldc].size;
        } else {
            uint32_t c = hs__int_malloc(m, nb - (pr->alignment - 1), tid, path);
            if (!c)
                return -1;
            if (*path != HS_PATH_MMAP && m->pool[c].addr == m->pool[oldc].addr + oldsize &&
                c == m->pool[oldc].phys_next) {
                hs__note(m, "realloc: the new chunk is the next one: merged, no copy");
                hs__phys_absorb_next(m, oldc);
                newsize = m->pool[oldc].size;
                *path = HS_PATH_REALLOC_IN_PLACE;
            } else {
                hs__note(m, "realloc: malloc, copy, free the old chunk 0x%llx",
                         (unsigned long long)m->pool[oldc].addr);
                hs__int_free(m, oldc, tid);
                *out = c;
                return 0;
            }
        }
    }
    if (newsize - nb >= pr->min_size) {
        uint32_t r = hs__phys_split(m, newp, nb);
        if (r) {
            hs__note(m, "realloc: the spare 0x%llx bytes at 0x%llx are freed",
                     (unsigned long long)m->pool[r].size, (unsigned long long)m->pool[r].addr);
            hs__int_free(m, r, tid);
        }
    }
    *out = newp;
    return 0;
}
