/*
 * glibc_replay.c - hs_model_apply(): one traced event through the model,
 * the comparison with the recorded address, and resynchronisation.
 *
 * The public calls map to glibc's entry points: malloc (tcache first, then
 * _int_malloc), calloc (_int_malloc, never the tcache), realloc
 * (_int_realloc, or mremap for mmapped chunks), memalign and friends
 * (_mid_memalign: alignment <= 16 is plain malloc), free (munmap for
 * mmapped chunks with the dynamic threshold, else _int_free), mallopt
 * (malloc_consolidate, then the parameter) and malloc_trim (mtrim). The
 * first malloc, calloc, realloc or free of a thread creates its tcache
 * (MAYBE_INIT_TCACHE), whose structure is a main-arena chunk for the main
 * thread and for the threads glibc_arena.c finds on the main arena; an
 * allocation that proves a thread's exit applies that exit first.
 *
 * Resynchronisation: when the recorded address differs, the predicted
 * chunk is given back to the bins (coalescing, no tcache or fastbin) and
 * the recorded chunk is carved out of whatever the model had there (a free
 * chunk, top, or even a chunk it thought allocated), so later predictions
 * start from the real layout again. Carved out of top above top's start,
 * the memory below it is kept as one allocated chunk (glibc only cuts top
 * from its start, so something unseen took it), never made free.
 */
#include "glibc_model_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const state_names[HS_CS_COUNT] = {
    "allocated", "tcache", "fastbin", "unsorted", "smallbin", "largebin", "top", "fence",
};

const char *hs_chunk_state_name(int state)
{
    return state >= 0 && state < HS_CS_COUNT ? state_names[state] : "?";
}

static const char *const path_names[HS_PATH_COUNT] = {
    "none",           "tcache",           "fastbin", "smallbin",    "unsorted-exact",
    "last-remainder", "large-best-fit",   "binmap",  "top",         "sysmalloc-brk",
    "mmap",           "realloc-in-place", "mremap",  "other-arena",
};

const char *hs_path_name(int path)
{
    return path >= 0 && path < HS_PATH_COUNT ? path_names[path] : "?";
}

struct hs_model *hs_model_new(const struct hs_glibc_profile *prof,
                              const struct hs_glibc_params *params)
{
    struct hs_model *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    m->prof = prof;
    if (params)
        m->par = *params;
    else
        hs_glibc_params_init(&m->par, prof);
    m->pool_cap = 1024;
    m->pool = calloc(m->pool_cap, sizeof *m->pool);
    if (!m->pool || hs__map_init(&m->chunks, 1024) || hs__map_init(&m->mmapped, 64) ||
        hs__map_init(&m->foreign, 64)) {
        hs_model_free(m);
        return NULL;
    }
    m->pool_used = HS__NBINS;
    for (uint32_t i = 0; i < HS__NBINS; i++)
        m->pool[i].fd = m->pool[i].bk = i;
    return m;
}

void hs_model_free(struct hs_model *m)
{
    if (!m)
        return;
    free(m->pool);
    hs__map_free(&m->chunks);
    hs__map_free(&m->mmapped);
    hs__map_free(&m->foreign);
    free(m->tcaches);
    free(m->notes);
    free(m);
}

void hs_model_set_main_tid(struct hs_model *m, uint32_t tid)
{
    m->main_tid = tid;
}

void hs_model_fork(struct hs_model *m, uint32_t fork_tid, uint32_t child_pid)
{
    for (uint32_t i = 0; i < m->n_tcaches; i++) {
        if (m->tcaches[i].tid == fork_tid)
            m->tcaches[i].tid = child_pid;
        else if (m->tcaches[i].tid == child_pid)
            m->tcaches[i].tid = 0; /* a thread of the parent that has the same number */
    }
    m->main_tid = child_pid;
}

void hs_model_set_notes(struct hs_model *m, int on)
{
    m->notes_on = on;
}

const char *hs_model_notes(const struct hs_model *m)
{
    return m->notes ? m->notes : "";
}

static int is_free_state(int s)
{
    return s != HS_CS_ALLOCATED && s != HS_CS_FENCE && s != HS_CS_COUNT;
}

/* Makes the heap reach at least `end` (the model missed a growth). */
static void extend_heap(struct hs_model *m, uint64_t end)
{
    uint64_t page = m->prof->page_size;
    end = (end + page - 1) & ~(page - 1);
    uint32_t t = m->top;
    uint64_t top_end = m->pool[t].addr + m->pool[t].size;
    if (end > top_end) {
        m->pool[t].size += end - top_end;
        m->system_mem += end - top_end;
        if (m->system_mem > m->max_system_mem)
            m->max_system_mem = m->system_mem;
        if (m->brk < end)
            m->brk = end;
    }
}

/* Makes [a, a+size) one allocated main-arena chunk, whatever the model had
 * there. Returns it, or 0 if the address is not in the main arena. */
static uint32_t carve(struct hs_model *m, uint64_t a, uint64_t size)
{
    uint64_t min = m->prof->min_size;
    if (!m->top) {
        /* No heap yet: it starts here (the break the model did not know). */
        uint32_t t = hs__phys_insert_after(m, 0, a, 0);
        if (!t)
            return 0;
        m->top = t;
        m->pool[t].state = HS_CS_TOP;
        m->brk = a;
        m->brk_known = 1;
        if (!m->sbrk_base)
            m->sbrk_base = a;
        extend_heap(m, a + size + min);
    }
    uint32_t top = m->top;
    if (a >= m->pool[top].addr + m->pool[top].size)
        extend_heap(m, a + size + min);
    else if (a >= m->pool[top].addr && a + size + min > m->pool[top].addr + m->pool[top].size)
        extend_heap(m, a + size + min);
    uint32_t k = hs__phys_find(m, a);
    if (!k)
        return 0;
    int st = m->pool[k].state;
    if (st != HS_CS_TOP)
        hs__detach(m, k);
    if (m->pool[k].addr < a) {
        uint32_t lead = k;
        k = hs__phys_split(m, lead, a - m->pool[lead].addr);
        if (!k)
            return 0;
        if (st == HS_CS_TOP) {
            /* glibc cuts top from its low end only, so the memory below
             * the recorded chunk was handed out by calls the model did not
             * see (glibc's own, like a tcache structure) or mispredicted.
             * It stays allocated: as a free chunk it would be taken by the
             * next requests that fit, and the one error would cascade. */
            m->top = k;
            m->pool[k].state = HS_CS_TOP;
            m->pool[lead].state = HS_CS_ALLOCATED;
            m->pool[lead].req = 0;
            hs__note(m,
                     "adopting 0x%llx: the 0x%llx bytes of top below it were handed out unseen: "
                     "kept allocated",
                     (unsigned long long)a, (unsigned long long)m->pool[lead].size);
        } else if (is_free_state(st)) {
            hs__unsorted_push(m, lead);
        }
    }
    while (m->pool[k].size < size && m->pool[k].phys_next) {
        uint32_t n = m->pool[k].phys_next;
        if (n == m->top) {
            st = HS_CS_TOP;
        } else {
            int ns = m->pool[n].state;
            hs__detach(m, n);
            if (!is_free_state(st))
                st = ns;
        }
        hs__phys_absorb_next(m, k);
    }
    if (m->pool[k].size > size) {
        uint32_t r = hs__phys_split(m, k, size);
        if (r) {
            if (k == m->top || st == HS_CS_TOP) {
                m->top = r;
                m->pool[r].state = HS_CS_TOP;
            } else if (is_free_state(st)) {
                hs__unsorted_push(m, r);
            } else if (m->pool[r].phys_next && m->pool[r].phys_next == m->top) {
                /* The model had cut this chunk from top, but glibc handed
                 * out the recorded one there instead (e.g. a tcache
                 * structure the model placed here was elsewhere): the rest
                 * is still top in glibc. */
                hs__phys_absorb_next(m, r);
                m->pool[r].state = HS_CS_TOP;
                m->top = r;
                hs__note(m,
                         "adopting 0x%llx: the rest of the chunk the model had there is top again",
                         (unsigned long long)a);
            }
        }
    }
    if (m->top == k)
        m->top = 0; /* cannot happen with the extension above */
    m->pool[k].state = HS_CS_ALLOCATED;
    return k;
}

static uint64_t recorded_chunk_size(const struct hs_model *m, const struct hs_event *ev,
                                    uint64_t request)
{
    if (ev->chunk_size && !(ev->flags & HS_F_NO_CHUNK))
        return ev->chunk_size;
    return hs_glibc_request2size(m->prof, request);
}

/* Gives a wrongly predicted chunk back. */
static void undo(struct hs_model *m, uint32_t c, int path)
{
    if (path == HS_PATH_MMAP) {
        m->n_mmaps--;
        m->mmapped_mem -= m->pool[c].size;
        hs__chunk_release(m, c);
    } else if (hs__map_get(&m->chunks, m->pool[c].addr) == c) {
        hs__free_to_bins(m, c);
    }
}

static void adopt_mmapped(struct hs_model *m, uint64_t addr, uint64_t size)
{
    uint32_t c = hs__chunk_new(m);
    if (!c)
        return;
    m->pool[c].addr = addr;
    m->pool[c].size = size;
    m->pool[c].state = HS_CS_ALLOCATED;
    m->n_mmaps++;
    m->mmapped_mem += size;
    hs__map_put(&m->mmapped, addr, c);
}

/* Compares the predicted chunk c (path) with the recorded call. */
static void finish_alloc(struct hs_model *m, const struct hs_event *ev, uint32_t c, int path,
                         uint64_t request)
{
    struct hs_model_step *s = m->step;
    uint64_t rec = ev->ptr - 2 * m->prof->size_sz;
    int rec_mmapped = (ev->flags & HS_CHUNK_IS_MMAPPED) != 0;
    s->is_alloc = 1;
    s->predicted = 1;
    s->path = path;
    s->recorded_ptr = ev->ptr;
    if (!c) {
        snprintf(s->why, sizeof s->why, "the model found no memory for the request (ENOMEM)");
    } else if (path == HS_PATH_MMAP) {
        s->predicted_ptr = ev->ptr; /* the kernel chooses where */
        if (rec_mmapped) {
            s->match = 1;
            m->pool[c].addr = rec;
            m->pool[c].req = request;
            hs__map_put(&m->mmapped, rec, c);
            return;
        }
        s->predicted_ptr = 0;
        snprintf(s->why, sizeof s->why,
                 "model: mmap (request >= threshold 0x%llx); glibc used the heap",
                 (unsigned long long)m->par.mmap_threshold);
    } else {
        s->predicted_ptr = m->pool[c].addr + 2 * m->prof->size_sz;
        if (s->predicted_ptr == ev->ptr && !rec_mmapped) {
            s->match = 1;
            m->pool[c].req = request;
            return;
        }
        snprintf(s->why, sizeof s->why,
                 "model took %s at 0x%llx (chunk 0x%llx); glibc returned %s0x%llx",
                 hs_path_name(path), (unsigned long long)s->predicted_ptr,
                 (unsigned long long)m->pool[c].size, rec_mmapped ? "an mmapped " : "",
                 (unsigned long long)ev->ptr);
    }
    if (c)
        undo(m, c, path);
    uint64_t size = recorded_chunk_size(m, ev, request);
    if (rec_mmapped) {
        adopt_mmapped(m, rec, size);
        return;
    }
    uint32_t k = carve(m, rec, size);
    if (k)
        m->pool[k].req = request;
}

/* An allocation served by another arena: kept as an observed chunk. */
static void observe_foreign(struct hs_model *m, const struct hs_event *ev, uint64_t request)
{
    uint32_t c = hs__chunk_new(m);
    if (!c)
        return;
    uint64_t addr = ev->ptr - 2 * m->prof->size_sz;
    m->pool[c].addr = addr;
    m->pool[c].size = recorded_chunk_size(m, ev, request);
    m->pool[c].req = request;
    m->pool[c].state = HS_CS_ALLOCATED;
    hs__map_put(&m->foreign, addr, c);
    m->step->is_alloc = 1;
    m->step->path = HS_PATH_OTHER_ARENA;
    m->step->recorded_ptr = ev->ptr;
}

/* __libc_malloc: tcache, then _int_malloc. */
static void do_malloc(struct hs_model *m, const struct hs_event *ev, uint64_t bytes)
{
    hs__arena_init_tcache(m, ev->tid);
    uint64_t nb = hs_glibc_request2size(m->prof, bytes);
    unsigned idx = (unsigned)hs_glibc_tcache_index(m->prof, nb);
    struct hs__tcache *tc = hs__tcache_of(m, ev->tid, 0);
    if (tc && tc->initialized && idx < m->par.tcache_bins && tc->count[idx] > 0) {
        uint32_t c = hs__tcache_get(m, tc, idx);
        hs__note(
            m, "tcache hit: bin %u (chunk size 0x%llx) of thread %u gives its newest chunk 0x%llx",
            idx, (unsigned long long)nb, ev->tid, (unsigned long long)m->pool[c].addr);
        if (hs__map_get(&m->foreign, m->pool[c].addr) == c) {
            m->step->is_alloc = m->step->predicted = 1;
            m->step->path = HS_PATH_TCACHE;
            m->step->recorded_ptr = ev->ptr;
            m->step->predicted_ptr = m->pool[c].addr + 2 * m->prof->size_sz;
            m->step->match = m->step->predicted_ptr == ev->ptr;
            m->pool[c].req = bytes;
            return;
        }
        finish_alloc(m, ev, c, HS_PATH_TCACHE, bytes);
        return;
    }
    hs__arena_learn(m, ev);
    if ((ev->flags & HS_CHUNK_NON_MAIN_ARENA) && !(ev->flags & HS_CHUNK_IS_MMAPPED)) {
        observe_foreign(m, ev, bytes);
        return;
    }
    int path = HS_PATH_NONE;
    uint32_t c = hs__int_malloc(m, bytes, ev->tid, &path);
    finish_alloc(m, ev, c, path, bytes);
}

static void do_calloc(struct hs_model *m, const struct hs_event *ev)
{
    hs__arena_init_tcache(m, ev->tid);
    hs__arena_learn(m, ev);
    if ((ev->flags & HS_CHUNK_NON_MAIN_ARENA) && !(ev->flags & HS_CHUNK_IS_MMAPPED)) {
        observe_foreign(m, ev, ev->size);
        return;
    }
    int path = HS_PATH_NONE;
    uint32_t c = hs__int_malloc(m, ev->size, ev->tid, &path);
    finish_alloc(m, ev, c, path, ev->size);
}

static void do_memalign(struct hs_model *m, const struct hs_event *ev)
{
    uint64_t alignment = ev->old_ptr, bytes = ev->size, page = m->prof->page_size;
    if (ev->op == HS_OP_VALLOC || ev->op == HS_OP_PVALLOC)
        alignment = page;
    if (ev->op == HS_OP_PVALLOC)
        bytes = (bytes + page - 1) & -(page - 1); /* glibc 2.36's own rounding */
    if (alignment <= m->prof->alignment) {
        do_malloc(m, ev, bytes);
        return;
    }
    if (alignment < m->prof->min_size)
        alignment = m->prof->min_size;
    if (alignment & (alignment - 1)) {
        uint64_t a = 2 * m->prof->alignment;
        while (a < alignment)
            a <<= 1;
        alignment = a;
    }
    hs__arena_learn(m, ev); /* _mid_memalign's arena_get: no tcache yet */
    if ((ev->flags & HS_CHUNK_NON_MAIN_ARENA) && !(ev->flags & HS_CHUNK_IS_MMAPPED)) {
        observe_foreign(m, ev, bytes);
        return;
    }
    int path = HS_PATH_NONE;
    uint32_t c = hs__int_memalign(m, alignment, bytes, ev->tid, &path);
    if (c && path == HS_PATH_MMAP && (ev->flags & HS_CHUNK_IS_MMAPPED)) {
        /* The leader stays in the mapping: the chunk is where the kernel
         * and the alignment put it. */
        m->step->is_alloc = m->step->predicted = m->step->match = 1;
        m->step->path = path;
        m->step->predicted_ptr = m->step->recorded_ptr = ev->ptr;
        m->pool[c].addr = ev->ptr - 2 * m->prof->size_sz;
        m->pool[c].req = bytes;
        if (ev->chunk_size && ev->chunk_size < m->pool[c].size)
            m->pool[c].map_offset = (uint32_t)(m->pool[c].size - ev->chunk_size);
        hs__map_put(&m->mmapped, m->pool[c].addr, c);
        return;
    }
    finish_alloc(m, ev, c, path, bytes);
}

/* What glibc 2.36's free says of a chunk that is free already (a double
 * free: it aborts with that message), or NULL where its checks let it
 * pass: a chunk in another thread's tcache, or one the thread's tcache
 * has room for (it goes in, twice), or a fastbin chunk below its head. */
static const char *double_free_message(struct hs_model *m, uint32_t c, uint32_t tid)
{
    if (m->pool[c].state == HS_CS_TCACHE)
        /* the entry's key marks it; free then looks through its own tcache */
        return m->tcaches[m->pool[c].tcache].tid == tid
                   ? "free(): double free detected in tcache 2"
                   : NULL;
    if (hs__tcache_room(m, hs__tcache_of(m, tid, 0), m->pool[c].size) >= 0)
        return NULL;
    switch (m->pool[c].state) {
    case HS_CS_FASTBIN:
        return m->fastbin[hs__fastbin_index(m, m->pool[c].size)] == c
                   ? "double free or corruption (fasttop)"
                   : NULL;
    case HS_CS_UNSORTED:
    case HS_CS_SMALLBIN:
    case HS_CS_LARGEBIN:
        return "double free or corruption (!prev)"; /* the next chunk's PREV_INUSE is clear */
    default:
        return NULL;
    }
}

static void do_free_addr(struct hs_model *m, const struct hs_event *ev, uint64_t ptr)
{
    uint64_t addr = ptr - 2 * m->prof->size_sz;
    uint32_t c = hs__map_get(&m->chunks, addr);
    if (c) {
        hs__arena_init_tcache(m, ev->tid);
        if (m->pool[c].state != HS_CS_ALLOCATED) {
            const char *abort_message = double_free_message(m, c, ev->tid);
            if (abort_message)
                hs__note(m,
                         "free of 0x%llx, which is free already (%s): a double free, unless "
                         "the model is wrong; glibc 2.36 detects it and aborts the program "
                         "with \"%s\"",
                         (unsigned long long)ptr, hs_chunk_state_name(m->pool[c].state),
                         abort_message);
            hs__note(m, "free of 0x%llx, which the model has as %s: taken off that list first",
                     (unsigned long long)ptr, hs_chunk_state_name(m->pool[c].state));
            if (m->pool[c].state == HS_CS_TOP)
                return;
            hs__detach(m, c);
        }
        hs__int_free(m, c, ev->tid);
        return;
    }
    c = hs__map_get(&m->mmapped, addr);
    if (c) {
        uint64_t size = m->pool[c].size;
        uint64_t nomask = size | 2; /* chunksize_nomask: IS_MMAPPED is set */
        if (!m->par.no_dyn_threshold && nomask > m->par.mmap_threshold &&
            nomask <= m->prof->mmap_threshold_max) {
            m->par.mmap_threshold = size;
            m->par.trim_threshold = 2 * size;
            hs__note(m,
                     "free of an mmapped chunk of 0x%llx bytes: mmap threshold rises to it, trim "
                     "threshold to 0x%llx",
                     (unsigned long long)size, (unsigned long long)(2 * size));
        }
        hs__note(m, "munmap 0x%llx (0x%llx bytes)", (unsigned long long)addr,
                 (unsigned long long)size);
        m->n_mmaps--;
        m->mmapped_mem -= size;
        hs__map_del(&m->mmapped, addr);
        hs__chunk_release(m, c);
        return;
    }
    c = hs__map_get(&m->foreign, addr);
    if (c) {
        hs__arena_init_tcache(m, ev->tid);
        struct hs__tcache *tc = hs__tcache_of(m, ev->tid, 0);
        unsigned idx = (unsigned)hs_glibc_tcache_index(m->prof, m->pool[c].size);
        if (m->pool[c].state != HS_CS_ALLOCATED)
            return;
        if (tc && tc->initialized && idx < m->par.tcache_bins &&
            tc->count[idx] < m->par.tcache_count) {
            hs__tcache_put(m, tc, c, idx);
            hs__note(m,
                     "chunk 0x%llx (0x%llx bytes, another arena) -> tcache %u of thread %u "
                     "(now %u)",
                     (unsigned long long)m->pool[c].addr, (unsigned long long)m->pool[c].size, idx,
                     ev->tid, tc->count[idx]);
            return;
        }
        hs__note(m, "chunk 0x%llx (0x%llx bytes) goes back to its own arena (not modelled)",
                 (unsigned long long)m->pool[c].addr, (unsigned long long)m->pool[c].size);
        hs__map_del(&m->foreign, addr);
        hs__chunk_release(m, c);
        return;
    }
    m->step->unknown_free = 1;
}

static void do_realloc(struct hs_model *m, const struct hs_event *ev)
{
    if (ev->old_ptr == 0) {
        do_malloc(m, ev, ev->size);
        return;
    }
    if (ev->size == 0) {
        do_free_addr(m, ev, ev->old_ptr);
        return;
    }
    uint64_t old = ev->old_ptr - 2 * m->prof->size_sz;
    uint64_t nb = hs_glibc_request2size(m->prof, ev->size);
    uint32_t c = hs__map_get(&m->mmapped, old);
    if (c) {
        uint64_t off = m->pool[c].map_offset;
        uint64_t new_size =
            (nb + off + m->prof->size_sz + m->prof->page_size - 1) & ~(m->prof->page_size - 1);
        struct hs_model_step *s = m->step;
        s->is_alloc = 1;
        s->path = HS_PATH_MREMAP;
        s->recorded_ptr = ev->ptr;
        if (new_size == m->pool[c].size) {
            s->predicted = 1;
            s->predicted_ptr = ev->old_ptr;
            s->match = ev->ptr == ev->old_ptr;
        }
        hs__map_del(&m->mmapped, old);
        if (!(ev->flags & HS_CHUNK_IS_MMAPPED) && ev->chunk_size) {
            /* glibc could not mremap and copied: mmapped chunk gone */
            m->n_mmaps--;
            m->mmapped_mem -= m->pool[c].size;
            hs__chunk_release(m, c);
            uint32_t k =
                carve(m, ev->ptr - 2 * m->prof->size_sz, recorded_chunk_size(m, ev, ev->size));
            if (k)
                m->pool[k].req = ev->size;
            return;
        }
        m->mmapped_mem += new_size - m->pool[c].size;
        m->pool[c].size = new_size;
        m->pool[c].addr = ev->ptr - 2 * m->prof->size_sz;
        m->pool[c].req = ev->size;
        hs__map_put(&m->mmapped, m->pool[c].addr, c);
        return;
    }
    c = hs__map_get(&m->chunks, old);
    if (!c || m->pool[c].state != HS_CS_ALLOCATED) {
        uint32_t f = hs__map_get(&m->foreign, old);
        if (f) {
            hs__map_del(&m->foreign, old);
            hs__chunk_release(m, f);
            if (ev->flags & HS_CHUNK_IS_MMAPPED) {
                m->step->is_alloc = 1;
                m->step->path = HS_PATH_OTHER_ARENA;
                m->step->recorded_ptr = ev->ptr;
                adopt_mmapped(m, ev->ptr - 2 * m->prof->size_sz,
                              recorded_chunk_size(m, ev, ev->size));
            } else {
                observe_foreign(m, ev, ev->size);
            }
            return;
        }
        /* A block the model never saw allocated: treat as a malloc. */
        m->step->unknown_free = 1;
        do_malloc(m, ev, ev->size);
        return;
    }
    hs__arena_init_tcache(m, ev->tid);
    uint32_t out = 0;
    int path = HS_PATH_NONE;
    if (hs__int_realloc(m, c, nb, ev->tid, &out, &path) != 0)
        out = 0;
    finish_alloc(m, ev, out, path, ev->size);
}

/* Moves the model's break to `to`, which the trace says glibc set: if
 * top ends at the model's break, top follows (a growth or trim the model
 * did not predict). */
static void adjust_brk(struct hs_model *m, uint64_t to)
{
    if (!m->brk_known || !m->top) {
        m->brk = to;
        m->brk_known = 1;
        return;
    }
    if (m->brk == to)
        return;
    uint32_t t = m->top;
    uint64_t top_end = m->pool[t].addr + m->pool[t].size;
    if (top_end == m->brk && to > m->pool[t].addr + m->prof->min_size) {
        int64_t delta = (int64_t)(to - m->brk);
        m->pool[t].size += (uint64_t)delta;
        m->system_mem += (uint64_t)delta;
        if (m->system_mem > m->max_system_mem)
            m->max_system_mem = m->system_mem;
    }
    m->brk = to;
}

/* The allocator's own brk recorded for this call: the break before the
 * call was its old value, after the call its new one. */
static void brk_before(struct hs_model *m, const struct hs_event *brk)
{
    if (brk)
        adjust_brk(m, brk->old_ptr);
}

static void brk_after(struct hs_model *m, const struct hs_event *brk)
{
    if (brk)
        adjust_brk(m, brk->ptr);
}

/* Fallback when no brk event tells where the heap starts: the first
 * main-arena chunk returned shows it (after the main tcache structure). */
static void guess_heap_start(struct hs_model *m, const struct hs_event *ev)
{
    if (m->brk_known || m->top || ev->ptr == 0 ||
        (ev->flags & (HS_CHUNK_IS_MMAPPED | HS_CHUNK_NON_MAIN_ARENA | HS_F_FAILED)))
        return;
    uint64_t start = ev->ptr - 2 * m->prof->size_sz;
    /* a thread's first main-arena block follows its tcache structure,
     * whichever thread it is (glibc_arena.c) */
    struct hs__tcache *tc = hs__tcache_of(m, ev->tid, 0);
    if ((!tc || !tc->initialized || tc->arena == HS__ARENA_UNKNOWN) && m->par.tcache_count > 0 &&
        ev->op != HS_OP_MEMALIGN)
        start -= hs_glibc_request2size(m->prof, m->prof->tcache_struct_size);
    m->brk = start;
    m->brk_known = 1;
}

int hs_model_apply(struct hs_model *m, const struct hs_event *ev, const struct hs_event *brk,
                   struct hs_model_step *step)
{
    memset(step, 0, sizeof *step);
    m->step = step;
    int is_call = ev->op >= HS_OP_MALLOC && ev->op <= HS_OP_MALLOPT;
    if (is_call) {
        brk_before(m, brk);
        if (!brk && ev->op != HS_OP_FREE)
            guess_heap_start(m, ev);
    }
    int failed = (ev->flags & HS_F_FAILED) != 0;
    if (is_call && ev->op != HS_OP_FREE && ev->op < HS_OP_MALLOC_TRIM && !failed)
        hs__arena_exit_evident(m, ev);
    switch (ev->op) {
    case HS_OP_MALLOC:
        if (!failed && ev->ptr)
            do_malloc(m, ev, ev->size);
        break;
    case HS_OP_CALLOC:
        if (!failed && ev->ptr)
            do_calloc(m, ev);
        break;
    case HS_OP_REALLOC:
    case HS_OP_REALLOCARRAY:
        if (!failed && (ev->ptr || ev->size == 0))
            do_realloc(m, ev);
        break;
    case HS_OP_FREE:
        if (ev->ptr)
            do_free_addr(m, ev, ev->ptr);
        break;
    case HS_OP_MEMALIGN:
    case HS_OP_POSIX_MEMALIGN:
    case HS_OP_ALIGNED_ALLOC:
    case HS_OP_VALLOC:
    case HS_OP_PVALLOC:
        if (!failed && ev->ptr)
            do_memalign(m, ev);
        break;
    case HS_OP_MALLOC_TRIM:
        hs__mtrim(m, ev->size);
        break;
    case HS_OP_MALLOPT:
        hs__malloc_consolidate(m);
        hs_glibc_params_mallopt(&m->par, m->prof, (int)(int64_t)ev->old_ptr,
                                (int64_t)(int32_t)ev->size);
        break;
    case HS_OP_THREAD_EXIT:
        hs__arena_thread_exit(m, ev->tid);
        break;
    case HS_OP_BRK:
    case HS_OP_SBRK:
        if (failed)
            break;
        if (ev->origin == HS_ORIGIN_ALLOCATOR && m->brk_known) {
            adjust_brk(m, ev->ptr); /* glibc's own move the model did not pair */
        } else {
            m->brk = ev->ptr; /* the program's own: a foreign sbrk */
            m->brk_known = 1;
        }
        break;
    default:
        break;
    }
    if (is_call)
        brk_after(m, brk);
    m->step = NULL;
    return 0;
}

uint64_t hs_model_brk(const struct hs_model *m)
{
    return m->brk_known ? m->brk : 0;
}

void hs_model_mallinfo(const struct hs_model *m, struct hs_mallinfo *out)
{
    memset(out, 0, sizeof *out);
    uint64_t avail = 0, fast = 0, nfast = 0, nblocks = 1;
    if (m->top)
        avail = m->pool[m->top].size;
    for (unsigned i = 0; i < m->prof->n_fastbins; i++)
        for (uint32_t c = m->fastbin[i]; c; c = m->pool[c].fd) {
            nfast++;
            fast += m->pool[c].size;
        }
    avail += fast;
    for (uint32_t b = 1; b < HS__NBINS - 1; b++)
        for (uint32_t c = m->pool[b].bk; c != b; c = m->pool[c].bk) {
            nblocks++;
            avail += m->pool[c].size;
        }
    out->arena = m->system_mem;
    out->ordblks = nblocks;
    out->smblks = nfast;
    out->hblks = m->n_mmaps;
    out->hblkhd = m->mmapped_mem;
    out->fsmblks = fast;
    out->uordblks = m->system_mem - avail;
    out->fordblks = avail;
    out->keepcost = m->top ? m->pool[m->top].size : 0;
}

void hs_model_each_chunk(const struct hs_model *m, hs_model_chunk_fn fn, void *ctx)
{
    for (uint32_t c = m->first; c; c = m->pool[c].phys_next)
        fn(ctx, m->pool[c].addr, m->pool[c].size, m->pool[c].state, m->pool[c].req);
}

void hs_model_each_mmapped(const struct hs_model *m, hs_model_chunk_fn fn, void *ctx)
{
    for (uint64_t i = 0; i < m->mmapped.cap; i++)
        if (m->mmapped.keys[i]) {
            uint32_t c = m->mmapped.vals[i];
            fn(ctx, m->pool[c].addr, m->pool[c].size, HS_CS_ALLOCATED, m->pool[c].req);
        }
}

void hs_model_totals(const struct hs_model *m, struct hs_model_totals *t)
{
    memset(t, 0, sizeof *t);
    t->brk = m->brk;
    t->mmap_threshold = m->par.mmap_threshold;
    t->trim_threshold = m->par.trim_threshold;
    if (m->first) {
        t->heap_start = m->pool[m->first].addr;
        t->heap_end = m->top ? m->pool[m->top].addr + m->pool[m->top].size : 0;
    }
    for (uint32_t c = m->first; c; c = m->pool[c].phys_next) {
        const struct hs__chunk *k = &m->pool[c];
        if (k->state == HS_CS_ALLOCATED) {
            t->n_allocated++;
            t->allocated_bytes += k->size;
            t->requested_bytes += k->req;
        } else if (k->state < HS_CS_COUNT) {
            t->n_free[k->state]++;
            t->free_bytes[k->state] += k->size;
            if (k->state != HS_CS_TOP && k->state != HS_CS_FENCE && k->size > t->largest_free)
                t->largest_free = k->size;
        }
        if (k->state == HS_CS_TOP)
            t->top_addr = k->addr, t->top_size = k->size;
    }
    t->n_mmapped = m->n_mmaps;
    t->mmapped_bytes = m->mmapped_mem;
    for (uint64_t i = 0; i < m->mmapped.cap; i++)
        if (m->mmapped.keys[i])
            t->mmapped_requested += m->pool[m->mmapped.vals[i]].req;
}
