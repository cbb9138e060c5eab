/*
 * ptrmap.c - group-probed hash map of live blocks (see ptrmap.h).
 *
 * A key's home slot i = (h >> 20) & mask lies in the group i & ~(G - 1);
 * probing visits that group, then the next ones (wrapping), and stops at
 * the first group with an empty slot. Within a group a new key takes the
 * free slot (empty or deleted) nearest at or after its home, so at the
 * map's load most keys sit in their home slot, the one the prefetch
 * loads. Groups are aligned, so a lookup only ever passed a group that had
 * no empty slot: removing a key from a group with an empty slot can make
 * its slot empty without cutting anyone's probe; in a full group it
 * becomes deleted (counted in used until the next rebuild).
 */
#include "ptrmap.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "error.h"

#define G HS_PTRMAP_GROUP
#define EMPTY 0x80
#define DELETED 0xfe
#define FIRST_CAP 1024

static inline size_t home(uint64_t h, size_t mask)
{
    return (size_t)(h >> 20) & mask;
}

static inline uint8_t tag(uint64_t h)
{
    return (uint8_t)(h >> 57); /* 0..127: never EMPTY or DELETED */
}

/* Bit j set where group byte j equals b. */
static inline unsigned match(const uint8_t *group, uint8_t b)
{
#if defined(__SSE2__)
    __m128i c = _mm_load_si128((const __m128i *)group);
    return (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(c, _mm_set1_epi8((char)b)));
#else
    unsigned bits = 0;
    for (unsigned j = 0; j < G; j++)
        bits |= (unsigned)(group[j] == b) << j;
    return bits;
#endif
}

/* Bit j set where group byte j is empty or deleted (high bit set). */
static inline unsigned free_slots(const uint8_t *group)
{
#if defined(__SSE2__)
    return (unsigned)_mm_movemask_epi8(_mm_load_si128((const __m128i *)group));
#else
    unsigned bits = 0;
    for (unsigned j = 0; j < G; j++)
        bits |= (unsigned)(group[j] >> 7) << j;
    return bits;
#endif
}

/* The lowest set bit of bits at or after position off, wrapping. pre: bits. */
static inline unsigned first_from(unsigned bits, unsigned off)
{
    unsigned rot = ((bits >> off) | (bits << (G - off))) & ((1u << G) - 1);
    return (off + (unsigned)__builtin_ctz(rot)) & (G - 1);
}

void hs_ptrmap_init(struct hs_ptrmap *m)
{
    memset(m, 0, sizeof *m);
}

void hs_ptrmap_free(struct hs_ptrmap *m)
{
    free(m->ctrl);
    free(m->slots);
    hs_ptrmap_init(m);
}

/* The slot of the key, or -1. */
static ptrdiff_t find(const struct hs_ptrmap *m, uint32_t space, uint64_t addr)
{
    if (!m->slots || !addr)
        return -1;
    uint64_t h = hs__ptrmap_hash(space, addr);
    size_t g = home(h, m->mask) & ~(size_t)(G - 1);
    uint8_t t = tag(h);
    for (;;) {
        const uint8_t *group = &m->ctrl[g];
        for (unsigned bits = match(group, t); bits; bits &= bits - 1) {
            size_t i = g + (unsigned)__builtin_ctz(bits);
            if (m->slots[i].addr == addr && m->slots[i].space == space)
                return (ptrdiff_t)i;
        }
        if (match(group, EMPTY))
            return -1;
        g = (g + G) & m->mask;
    }
}

/* Places a key known to be absent. pre: the map has a free slot. */
static size_t place(struct hs_ptrmap *m, uint64_t h)
{
    size_t i0 = home(h, m->mask), g = i0 & ~(size_t)(G - 1);
    unsigned off = (unsigned)(i0 & (G - 1));
    for (;;) {
        unsigned bits = free_slots(&m->ctrl[g]);
        if (bits) {
            size_t i = g + first_from(bits, off);
            if (m->ctrl[i] == EMPTY)
                m->used++;
            m->ctrl[i] = tag(h);
            return i;
        }
        g = (g + G) & m->mask;
        off = 0;
    }
}

/* Rebuilds the table with cap slots (dropping the deleted markers). */
static int rebuild(struct hs_ptrmap *m, size_t cap)
{
    uint8_t *ctrl = aligned_alloc(G, cap);
    struct hs_ptrmap_slot *slots = malloc(cap * sizeof *slots);
    if (!ctrl || !slots) {
        free(ctrl);
        free(slots);
        return HS_ENOMEM;
    }
    struct hs_ptrmap old = *m;
    memset(ctrl, EMPTY, cap);
    m->ctrl = ctrl;
    m->slots = slots;
    m->mask = cap - 1;
    m->used = 0;
    for (size_t i = 0; old.slots && i <= old.mask; i++)
        if (!(old.ctrl[i] & 0x80)) {
            struct hs_ptrmap_slot *s = &old.slots[i];
            m->slots[place(m, hs__ptrmap_hash(s->space, s->addr))] = *s;
        }
    free(old.ctrl);
    free(old.slots);
    return 0;
}

/* Fills slot i, just placed, with the entry. */
static inline int fill(struct hs_ptrmap *m, size_t i, uint32_t space, uint64_t addr, uint64_t value)
{
    m->slots[i].addr = addr;
    m->slots[i].value = value;
    m->slots[i].space = space;
    m->count++;
    return 0;
}

/* One pass: the probe that finds no key has found its place too when it
 * stopped at the home group (nearly always) and no rebuild is due: there
 * place() would choose the same slot. */
int hs_ptrmap_swap(struct hs_ptrmap *m, uint32_t space, uint64_t addr, uint64_t value,
                   uint64_t *old)
{
    assert(addr != 0);
    uint64_t h = hs__ptrmap_hash(space, addr);
    if (m->slots) {
        size_t i0 = home(h, m->mask), g0 = i0 & ~(size_t)(G - 1), g = g0;
        uint8_t t = tag(h);
        for (;;) {
            const uint8_t *group = &m->ctrl[g];
            for (unsigned bits = match(group, t); bits; bits &= bits - 1) {
                size_t i = g + (unsigned)__builtin_ctz(bits);
                if (m->slots[i].addr == addr && m->slots[i].space == space) {
                    if (old)
                        *old = m->slots[i].value;
                    m->slots[i].value = value;
                    return 1;
                }
            }
            if (match(group, EMPTY))
                break;
            g = (g + G) & m->mask;
        }
        if (g == g0 && (m->used + 1) * 2 <= m->mask + 1) {
            size_t i = g + first_from(free_slots(&m->ctrl[g]), (unsigned)(i0 & (G - 1)));
            if (m->ctrl[i] == EMPTY)
                m->used++;
            m->ctrl[i] = t;
            return fill(m, i, space, addr, value);
        }
    }
    if (!m->slots || (m->used + 1) * 2 > m->mask + 1) {
        /* Full of entries: double; full of deleted markers: rebuild. */
        size_t cap = !m->slots                          ? FIRST_CAP
                     : (m->count + 1) * 4 > m->mask + 1 ? (m->mask + 1) * 2
                                                        : m->mask + 1;
        int rc = rebuild(m, cap);
        if (rc)
            return rc;
    }
    return fill(m, place(m, h), space, addr, value);
}

int hs_ptrmap_put(struct hs_ptrmap *m, uint32_t space, uint64_t addr, uint64_t value)
{
    int rc = hs_ptrmap_swap(m, space, addr, value, NULL);
    return rc < 0 ? rc : 0;
}

ptrdiff_t hs_ptrmap_find(const struct hs_ptrmap *m, uint32_t space, uint64_t addr)
{
    return find(m, space, addr);
}

/* Removes the entry in slot at. */
static void remove_at(struct hs_ptrmap *m, size_t i)
{
    if (match(&m->ctrl[i & ~(size_t)(G - 1)], EMPTY)) {
        m->ctrl[i] = EMPTY;
        m->used--;
    } else {
        m->ctrl[i] = DELETED;
    }
    m->count--;
}

int hs_ptrmap_take_hinted(struct hs_ptrmap *m, uint32_t space, uint64_t addr, ptrdiff_t hint,
                          uint64_t *value)
{
    size_t i = (size_t)hint;
    if (hint < 0 || !m->slots || i > m->mask || (m->ctrl[i] & 0x80) || m->slots[i].addr != addr ||
        m->slots[i].space != space)
        return hs_ptrmap_take(m, space, addr, value);
    if (value)
        *value = m->slots[i].value;
    remove_at(m, i);
    return 1;
}

int hs_ptrmap_take(struct hs_ptrmap *m, uint32_t space, uint64_t addr, uint64_t *value)
{
    ptrdiff_t at = find(m, space, addr);
    if (at < 0)
        return 0;
    if (value)
        *value = m->slots[at].value;
    remove_at(m, (size_t)at);
    return 1;
}

int hs_ptrmap_peek(const struct hs_ptrmap *m, uint32_t space, uint64_t addr, uint64_t *value)
{
    ptrdiff_t at = find(m, space, addr);
    if (at >= 0)
        *value = m->slots[at].value;
    return at >= 0;
}

void hs_ptrmap_each(const struct hs_ptrmap *m,
                    void (*fn)(void *ctx, uint32_t space, uint64_t addr, uint64_t value), void *ctx)
{
    if (!m->slots)
        return;
    for (size_t i = 0; i <= m->mask; i++)
        if (!(m->ctrl[i] & 0x80))
            fn(ctx, m->slots[i].space, m->slots[i].addr, m->slots[i].value);
}
