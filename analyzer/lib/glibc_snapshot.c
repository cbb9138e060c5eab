/*
 * glibc_snapshot.c - the model as data: listing its bins for `heapscope
 * bins`, and saving/loading a byte image of it for checkpoints.
 *
 * Image layout (native endian; a cache, never exchanged between machines):
 *
 *   "HSMODEL3"  8-byte magic (2: before the threads' arenas)
 *   params      struct hs_glibc_params
 *   scalars     u64 × 12 (system_mem, max_system_mem, sbrk_base, brk,
 *               brk_known, n_mmaps, mmapped_mem, have_fastchunks,
 *               last_remainder, main_tid, binmap[0..1] as 2 × u64)
 *   chunks      u64 n, then n × (addr, size, req, state) in address order
 *   mmapped     u64 n, then n × (addr, size, req)
 *   foreign     u64 n, then n × (addr, size, req, state)
 *   tcaches     u64 n, then per thread (exited ones left out): tid,
 *               initialized, arena, the address of its tcache structure
 *               (0: none), and per bin u64 count + count addresses, head
 *               first
 *   fastbins    per fastbin: u64 count + addresses, head first
 *   bins        per bin 1..126: u64 count + addresses, fd order
 *
 * Loading rebuilds the lists by address, so the image is proportional to
 * the live chunks. Check: save, load, save again gives identical bytes
 * (tests/model).
 */
#include "glibc_model_int.h"

#include <stdlib.h>
#include <string.h>

static const char magic[8] = "HSMODEL3";

int hs_model_image_is_current(const uint8_t *buf, size_t len)
{
    return buf && len >= sizeof magic && memcmp(buf, magic, sizeof magic) == 0;
}

struct buf {
    uint8_t *p;
    size_t len, cap;
    int failed;
};

static void put(struct buf *b, const void *data, size_t n)
{
    if (b->failed)
        return;
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 4096;
        while (cap < b->len + n)
            cap *= 2;
        uint8_t *p = realloc(b->p, cap);
        if (!p) {
            b->failed = 1;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, data, n);
    b->len += n;
}

static void put64(struct buf *b, uint64_t v)
{
    put(b, &v, sizeof v);
}

static void put_list(struct buf *b, const struct hs_model *m, uint32_t head, uint32_t sentinel,
                     int dbl)
{
    uint64_t n = 0;
    for (uint32_t c = head; c && c != sentinel; c = m->pool[c].fd)
        n++;
    put64(b, n);
    for (uint32_t c = head; c && c != sentinel; c = m->pool[c].fd)
        put64(b, m->pool[c].addr);
    (void)dbl;
}

/* A record of an exited thread (glibc_arena.c) holds nothing: not saved,
 * so that loading, which finds threads by tid, never merges two of them. */
static int retired(const struct hs__tcache *tc)
{
    if (tc->tid != 0)
        return 0;
    for (unsigned i = 0; i < HS__MAX_TCACHE_BINS; i++)
        if (tc->head[i])
            return 0;
    return 1;
}

int hs_model_save(const struct hs_model *m, uint8_t **out, size_t *len)
{
    struct buf b = {0};
    put(&b, magic, sizeof magic);
    put(&b, &m->par, sizeof m->par);
    uint64_t sc[12] = {m->system_mem,
                       m->max_system_mem,
                       m->sbrk_base,
                       m->brk,
                       (uint64_t)m->brk_known,
                       m->n_mmaps,
                       m->mmapped_mem,
                       (uint64_t)m->have_fastchunks,
                       m->last_remainder,
                       m->main_tid,
                       (uint64_t)m->binmap[0] | (uint64_t)m->binmap[1] << 32,
                       (uint64_t)m->binmap[2] | (uint64_t)m->binmap[3] << 32};
    put(&b, sc, sizeof sc);
    put64(&b, m->chunks.n);
    for (uint32_t c = m->first; c; c = m->pool[c].phys_next) {
        const struct hs__chunk *k = &m->pool[c];
        uint64_t rec[4] = {k->addr, k->size, k->req, k->state};
        put(&b, rec, sizeof rec);
    }
    put64(&b, m->mmapped.n);
    for (uint64_t i = 0; i < m->mmapped.cap; i++)
        if (m->mmapped.keys[i]) {
            const struct hs__chunk *k = &m->pool[m->mmapped.vals[i]];
            uint64_t rec[3] = {k->addr, k->size, k->req};
            put(&b, rec, sizeof rec);
        }
    put64(&b, m->foreign.n);
    for (uint64_t i = 0; i < m->foreign.cap; i++)
        if (m->foreign.keys[i]) {
            const struct hs__chunk *k = &m->pool[m->foreign.vals[i]];
            uint64_t rec[4] = {k->addr, k->size, k->req, k->state};
            put(&b, rec, sizeof rec);
        }
    uint64_t n_kept = 0;
    for (uint32_t t = 0; t < m->n_tcaches; t++)
        n_kept += !retired(&m->tcaches[t]);
    put64(&b, n_kept);
    for (uint32_t t = 0; t < m->n_tcaches; t++) {
        if (retired(&m->tcaches[t]))
            continue;
        put64(&b, m->tcaches[t].tid);
        put64(&b, m->tcaches[t].initialized);
        put64(&b, m->tcaches[t].arena);
        put64(&b, m->tcaches[t].struct_addr);
        for (unsigned i = 0; i < HS__MAX_TCACHE_BINS; i++)
            put_list(&b, m, m->tcaches[t].head[i], 0, 0);
    }
    for (unsigned i = 0; i < HS__MAX_FASTBINS; i++)
        put_list(&b, m, m->fastbin[i], 0, 0);
    for (uint32_t i = 1; i < HS__NBINS - 1; i++)
        put_list(&b, m, m->pool[i].fd, i, 1);
    if (b.failed) {
        free(b.p);
        return HS_ENOMEM;
    }
    *out = b.p;
    *len = b.len;
    return 0;
}

struct rd {
    const uint8_t *p, *end;
    int bad;
};

static uint64_t get64(struct rd *r)
{
    uint64_t v = 0;
    if (r->end - r->p < 8) {
        r->bad = 1;
        return 0;
    }
    memcpy(&v, r->p, 8);
    r->p += 8;
    return v;
}

static uint32_t lookup_any(const struct hs_model *m, uint64_t addr)
{
    uint32_t c = hs__map_get(&m->chunks, addr);
    return c ? c : hs__map_get(&m->foreign, addr);
}

int hs_model_load(const struct hs_glibc_profile *prof, const uint8_t *data, size_t len,
                  struct hs_model **out)
{
    struct rd r = {data, data + len, 0};
    if (len < sizeof magic + sizeof(struct hs_glibc_params) || memcmp(data, magic, sizeof magic))
        return HS_EFORMAT;
    r.p += sizeof magic;
    struct hs_glibc_params par;
    memcpy(&par, r.p, sizeof par);
    r.p += sizeof par;
    struct hs_model *m = hs_model_new(prof, &par);
    if (!m)
        return HS_ENOMEM;
    m->system_mem = get64(&r);
    m->max_system_mem = get64(&r);
    m->sbrk_base = get64(&r);
    m->brk = get64(&r);
    m->brk_known = (int)get64(&r);
    m->n_mmaps = get64(&r);
    m->mmapped_mem = get64(&r);
    m->have_fastchunks = (int)get64(&r);
    m->last_remainder = get64(&r);
    m->main_tid = (uint32_t)get64(&r);
    uint64_t bm = get64(&r);
    m->binmap[0] = (uint32_t)bm, m->binmap[1] = (uint32_t)(bm >> 32);
    bm = get64(&r);
    m->binmap[2] = (uint32_t)bm, m->binmap[3] = (uint32_t)(bm >> 32);
    uint64_t n = get64(&r);
    uint32_t last = 0;
    for (uint64_t i = 0; i < n && !r.bad; i++) {
        uint64_t addr = get64(&r), size = get64(&r), req = get64(&r), st = get64(&r);
        uint32_t c = hs__phys_insert_after(m, last, addr, size);
        if (!c)
            goto err_free;
        m->pool[c].req = req;
        m->pool[c].state = (uint8_t)st;
        if (st == HS_CS_TOP)
            m->top = c;
        last = c;
    }
    for (int pass = 0; pass < 2; pass++) {
        n = get64(&r);
        for (uint64_t i = 0; i < n && !r.bad; i++) {
            uint32_t c = hs__chunk_new(m);
            if (!c)
                goto err_free;
            m->pool[c].addr = get64(&r);
            m->pool[c].size = get64(&r);
            m->pool[c].req = get64(&r);
            m->pool[c].state = pass ? (uint8_t)get64(&r) : HS_CS_ALLOCATED;
            hs__map_put(pass ? &m->foreign : &m->mmapped, m->pool[c].addr, c);
        }
    }
    n = get64(&r);
    for (uint64_t t = 0; t < n && !r.bad; t++) {
        struct hs__tcache *tc = hs__tcache_of(m, (uint32_t)get64(&r), 1);
        if (!tc)
            goto err_free;
        tc->initialized = (uint8_t)get64(&r);
        tc->arena = (uint8_t)get64(&r);
        tc->struct_addr = get64(&r);
        for (unsigned i = 0; i < HS__MAX_TCACHE_BINS && !r.bad; i++) {
            uint64_t cnt = get64(&r);
            uint32_t prev = 0;
            for (uint64_t j = 0; j < cnt && !r.bad; j++) {
                uint32_t c = lookup_any(m, get64(&r));
                if (!c)
                    goto err_format;
                m->pool[c].state = HS_CS_TCACHE;
                m->pool[c].bin = (uint8_t)i;
                m->pool[c].tcache = (uint16_t)(tc - m->tcaches);
                m->pool[c].fd = 0;
                if (prev)
                    m->pool[prev].fd = c;
                else
                    tc->head[i] = c;
                prev = c;
            }
            tc->count[i] = (uint16_t)cnt;
        }
    }
    for (unsigned i = 0; i < HS__MAX_FASTBINS && !r.bad; i++) {
        uint64_t cnt = get64(&r);
        uint32_t prev = 0;
        for (uint64_t j = 0; j < cnt && !r.bad; j++) {
            uint32_t c = hs__map_get(&m->chunks, get64(&r));
            if (!c)
                goto err_format;
            m->pool[c].state = HS_CS_FASTBIN;
            m->pool[c].bin = (uint8_t)i;
            m->pool[c].fd = 0;
            if (prev)
                m->pool[prev].fd = c;
            else
                m->fastbin[i] = c;
            prev = c;
        }
    }
    for (uint32_t b = 1; b < HS__NBINS - 1 && !r.bad; b++) {
        uint64_t cnt = get64(&r);
        for (uint64_t j = 0; j < cnt && !r.bad; j++) {
            uint32_t c = hs__map_get(&m->chunks, get64(&r));
            if (!c)
                goto err_format;
            /* append at the bk end keeps fd order */
            uint32_t bk = m->pool[b].bk;
            m->pool[c].fd = b;
            m->pool[c].bk = bk;
            m->pool[bk].fd = c;
            m->pool[b].bk = c;
            m->pool[c].bin = (uint8_t)b;
        }
    }
    if (r.bad)
        goto err_format;
    *out = m;
    return 0;
err_format:
    hs_model_free(m);
    return HS_EFORMAT;
err_free:
    hs_model_free(m);
    return HS_ENOMEM;
}

int hs_model_each_bin(const struct hs_model *m, hs_model_bin_fn fn, void *ctx)
{
    size_t cap = 64;
    uint64_t *addrs = malloc(cap * sizeof *addrs), *sizes = malloc(cap * sizeof *sizes);
    if (!addrs || !sizes)
        goto err_nomem;
    for (int kind = HS_BIN_TCACHE; kind <= HS_BIN_LARGE; kind++) {
        unsigned n_lists = kind == HS_BIN_TCACHE ? m->n_tcaches * HS__MAX_TCACHE_BINS
                           : kind == HS_BIN_FAST ? m->prof->n_fastbins
                                                 : HS__NBINS - 1;
        for (unsigned l = 0; l < n_lists; l++) {
            struct hs_bin_view v = {.kind = kind};
            uint32_t head, sentinel = 0;
            if (kind == HS_BIN_TCACHE) {
                const struct hs__tcache *tc = &m->tcaches[l / HS__MAX_TCACHE_BINS];
                v.index = l % HS__MAX_TCACHE_BINS;
                v.tid = tc->tid;
                head = tc->head[v.index];
                v.size_lo = v.size_hi = m->prof->min_size + v.index * m->prof->alignment;
            } else if (kind == HS_BIN_FAST) {
                v.index = l;
                head = m->fastbin[l];
                v.size_lo = v.size_hi = (l + 2) * 16;
            } else {
                if (l == 0)
                    continue;
                int want = l == 1 ? HS_BIN_UNSORTED : l < 64 ? HS_BIN_SMALL : HS_BIN_LARGE;
                if (want != kind)
                    continue;
                v.index = l;
                head = m->pool[l].fd;
                sentinel = l;
                if (kind == HS_BIN_UNSORTED) {
                    v.size_lo = m->prof->min_size;
                    v.size_hi = UINT64_MAX;
                } else if (kind == HS_BIN_SMALL) {
                    v.size_lo = v.size_hi = (uint64_t)l * 16;
                } else {
                    uint64_t lo = m->prof->min_large_size;
                    while (hs__bin_index(m, lo) < l)
                        lo += 16;
                    uint64_t hi = lo;
                    if (l == HS__NBINS - 2) {
                        hi = UINT64_MAX;
                    } else {
                        uint64_t step = 16;
                        while (hs__bin_index(m, hi + step) == l)
                            step *= 2;
                        /* binary search the last size of this bin */
                        uint64_t a = hi, z = hi + step;
                        while (z - a > 16) {
                            uint64_t mid = a + ((z - a) / 2 & ~(uint64_t)15);
                            if (hs__bin_index(m, mid) == l)
                                a = mid;
                            else
                                z = mid;
                        }
                        hi = a;
                    }
                    v.size_lo = lo;
                    v.size_hi = hi;
                }
            }
            size_t n = 0;
            for (uint32_t c = head; c && c != sentinel; c = m->pool[c].fd) {
                if (n == cap) {
                    cap *= 2;
                    uint64_t *a2 = realloc(addrs, cap * sizeof *a2);
                    if (!a2)
                        goto err_nomem;
                    addrs = a2;
                    uint64_t *s2 = realloc(sizes, cap * sizeof *s2);
                    if (!s2)
                        goto err_nomem;
                    sizes = s2;
                }
                addrs[n] = m->pool[c].addr;
                sizes[n] = m->pool[c].size;
                n++;
            }
            if (n == 0)
                continue;
            v.n = n;
            v.addrs = addrs;
            v.sizes = sizes;
            fn(ctx, &v);
        }
    }
    free(addrs);
    free(sizes);
    return 0;
err_nomem:
    free(addrs);
    free(sizes);
    return HS_ENOMEM;
}
