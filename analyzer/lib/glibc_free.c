/*
 * glibc_free.c - the freeing paths of the model: _int_free,
 * malloc_consolidate, systrim and malloc_trim's mtrim (glibc 2.36).
 *
 * _int_free puts a chunk in the calling thread's tcache if its bin has room
 * (7 by default), else in its fastbin if it is at most global_max_fast
 * (0x80), else it coalesces with free neighbours (never with tcache or
 * fastbin chunks: glibc counts those as in use) and goes to the head of the
 * unsorted bin, or into top if it borders top. A coalesced chunk of at
 * least 64 KiB (FASTBIN_CONSOLIDATION_THRESHOLD) consolidates the fastbins
 * and, if top then reaches the trim threshold, trims the heap to top_pad.
 * Check: malloc(0x20000 - 8) then free gives back everything above
 * top_pad + MINSIZE page-wise: the break drops by the page-rounded excess.
 */
#include "glibc_model_int.h"

static int free_in_bins(const struct hs_model *m, uint32_t c)
{
    int s = m->pool[c].state;
    return s == HS_CS_UNSORTED || s == HS_CS_SMALLBIN || s == HS_CS_LARGEBIN;
}

/* Coalesces c (not on any list) with free neighbours into unsorted or
 * top; returns the merged chunk. */
static uint32_t coalesce(struct hs_model *m, uint32_t c)
{
    uint32_t prev = m->pool[c].phys_prev;
    if (prev && free_in_bins(m, prev) &&
        m->pool[prev].addr + m->pool[prev].size == m->pool[c].addr) {
        hs__note(m, "coalesce backward with free chunk 0x%llx (%s)",
                 (unsigned long long)m->pool[prev].addr, hs_chunk_state_name(m->pool[prev].state));
        hs__bin_unlink(m, prev);
        hs__phys_absorb_next(m, prev);
        c = prev;
    }
    uint32_t next = m->pool[c].phys_next;
    if (next && next == m->top) {
        hs__phys_absorb_next(m, c);
        m->pool[c].state = HS_CS_TOP;
        m->top = c;
        hs__note(m, "chunk borders top: merged into top at 0x%llx (0x%llx bytes)",
                 (unsigned long long)m->pool[c].addr, (unsigned long long)m->pool[c].size);
        return c;
    }
    if (next && free_in_bins(m, next)) {
        hs__note(m, "coalesce forward with free chunk 0x%llx (%s)",
                 (unsigned long long)m->pool[next].addr, hs_chunk_state_name(m->pool[next].state));
        hs__bin_unlink(m, next);
        hs__phys_absorb_next(m, c);
    }
    hs__unsorted_push(m, c);
    hs__note(m, "chunk 0x%llx (0x%llx bytes) -> unsorted", (unsigned long long)m->pool[c].addr,
             (unsigned long long)m->pool[c].size);
    return c;
}

void hs__free_to_bins(struct hs_model *m, uint32_t c)
{
    m->pool[c].state = HS_CS_ALLOCATED;
    coalesce(m, c);
}

void hs__malloc_consolidate(struct hs_model *m)
{
    m->have_fastchunks = 0;
    if (m->step)
        m->step->consolidated = 1;
    for (unsigned i = 0; i < m->prof->n_fastbins; i++) {
        uint32_t c = m->fastbin[i];
        m->fastbin[i] = 0;
        while (c) {
            uint32_t next = m->pool[c].fd;
            m->pool[c].fd = 0;
            m->pool[c].state = HS_CS_ALLOCATED;
            hs__note(m, "consolidate: fastbin chunk 0x%llx", (unsigned long long)m->pool[c].addr);
            coalesce(m, c);
            c = next;
        }
    }
}

static int systrim(struct hs_model *m, uint64_t pad)
{
    uint32_t top = m->top;
    if (!top)
        return 0;
    int64_t top_size = (int64_t)m->pool[top].size;
    int64_t top_area = top_size - (int64_t)m->prof->min_size - 1;
    if (top_area <= (int64_t)pad)
        return 0;
    uint64_t extra = (uint64_t)(top_area - (int64_t)pad) & ~(m->prof->page_size - 1);
    if (extra == 0)
        return 0;
    if (m->brk != m->pool[top].addr + m->pool[top].size)
        return 0; /* foreign sbrk: glibc leaves the break alone */
    m->pool[top].size -= extra;
    m->brk -= extra;
    m->system_mem -= extra;
    if (m->step)
        m->step->trimmed = 1;
    hs__note(m, "systrim: top 0x%llx bytes exceeds the trim threshold: break lowered by 0x%llx",
             (unsigned long long)top_size, (unsigned long long)extra);
    return 1;
}

void hs__mtrim(struct hs_model *m, uint64_t pad)
{
    hs__malloc_consolidate(m);
    systrim(m, pad);
}

int hs__tcache_room(const struct hs_model *m, const struct hs__tcache *tc, uint64_t size)
{
    unsigned tc_idx = (unsigned)hs_glibc_tcache_index(m->prof, size);
    return tc && tc->initialized && tc_idx < m->par.tcache_bins &&
                   tc->count[tc_idx] < m->par.tcache_count
               ? (int)tc_idx
               : -1;
}

void hs__int_free(struct hs_model *m, uint32_t c, uint32_t tid)
{
    uint64_t size = m->pool[c].size;
    struct hs__tcache *tc = hs__tcache_of(m, tid, 0);
    int tc_idx = hs__tcache_room(m, tc, size);
    m->pool[c].req = 0;
    if (tc_idx >= 0) {
        hs__tcache_put(m, tc, c, (unsigned)tc_idx);
        hs__note(m, "chunk 0x%llx (0x%llx bytes) -> tcache %u of thread %u (now %u)",
                 (unsigned long long)m->pool[c].addr, (unsigned long long)size, tc_idx, tid,
                 tc->count[tc_idx]);
        return;
    }
    if (size <= m->par.max_fast) {
        hs__fastbin_push(m, c);
        hs__note(m, "chunk 0x%llx (0x%llx bytes) -> fastbin %u",
                 (unsigned long long)m->pool[c].addr, (unsigned long long)size, m->pool[c].bin);
        return;
    }
    c = coalesce(m, c);
    if (m->pool[c].size >= m->prof->consolidation_threshold) {
        if (m->have_fastchunks)
            hs__malloc_consolidate(m);
        if (m->top && m->pool[m->top].size >= m->par.trim_threshold)
            systrim(m, m->par.top_pad);
    }
}
