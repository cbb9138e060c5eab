/*
 * fault_index.c - the page faults by (pid, page) and (pid, 2 MiB region)
 * (contract: fault_index.h).
 *
 * Check: tests/faults/test_fault_index.c asks ranges of every size of an
 * index built in steps and compares with a scan of all the faults.
 */
#include "fault_index.h"

#include <stdlib.h>

#include "grow.h"

#define PAGE_SHIFT 12
#define REGION_SHIFT 21
#define NONE UINT32_MAX

struct node { /* one fault */
    uint64_t addr;
    uint32_t id;
    uint32_t next; /* the next fault on the same page, NONE: last */
};

struct slot { /* pages: head of the page's list; regions: how many faults */
    uint32_t pid;
    uint32_t value; /* pages: a node, NONE: empty slot; regions: 0: empty slot */
    uint64_t key;   /* addr >> PAGE_SHIFT or addr >> REGION_SHIFT */
    uint64_t stamp; /* the largest stamp given to its faults */
};

struct table {
    struct slot *v;
    size_t mask, used;
    uint32_t empty; /* the value of an empty slot */
};

struct hs_fault_index {
    struct node *nodes;
    size_t n, cap;
    struct table pages, regions;
};

static size_t home(const struct table *t, uint32_t pid, uint64_t key)
{
    return (size_t)((key * 0x9e3779b97f4a7c15ull) ^ pid) & t->mask;
}

static struct slot *find(const struct table *t, uint32_t pid, uint64_t key)
{
    for (size_t h = home(t, pid, key);; h = (h + 1) & t->mask) {
        struct slot *s = &t->v[h];
        if (s->value == t->empty)
            return NULL;
        if (s->key == key && s->pid == pid)
            return s;
    }
}

static int table_init(struct table *t, uint32_t empty)
{
    t->mask = 63;
    t->used = 0;
    t->empty = empty;
    t->v = malloc((t->mask + 1) * sizeof *t->v);
    if (!t->v)
        return -1;
    for (size_t i = 0; i <= t->mask; i++)
        t->v[i].value = empty;
    return 0;
}

/* The empty slot where (pid, key), known absent, goes. */
static struct slot *free_slot(const struct table *t, uint32_t pid, uint64_t key)
{
    size_t h = home(t, pid, key);
    while (t->v[h].value != t->empty)
        h = (h + 1) & t->mask;
    return &t->v[h];
}

/* The slot of (pid, key), made (value: empty) if there is none; NULL out
 * of memory. Doubles the table when it would be more than half full. */
static struct slot *find_or_make(struct table *t, uint32_t pid, uint64_t key)
{
    struct slot *s = find(t, pid, key);
    if (s)
        return s;
    if ((t->used + 1) * 2 > t->mask + 1) {
        struct table bigger = {NULL, t->mask * 2 + 1, t->used, t->empty};
        if (!(bigger.v = malloc((bigger.mask + 1) * sizeof *bigger.v)))
            return NULL;
        for (size_t i = 0; i <= bigger.mask; i++)
            bigger.v[i].value = t->empty;
        for (size_t i = 0; i <= t->mask; i++)
            if (t->v[i].value != t->empty)
                *free_slot(&bigger, t->v[i].pid, t->v[i].key) = t->v[i];
        free(t->v);
        *t = bigger;
    }
    t->used++;
    s = free_slot(t, pid, key);
    *s = (struct slot){pid, t->empty, key, 0};
    return s;
}

struct hs_fault_index *hs_fault_index_new(void)
{
    struct hs_fault_index *x = calloc(1, sizeof *x);
    if (x && table_init(&x->pages, NONE) == 0 && table_init(&x->regions, 0) == 0)
        return x;
    hs_fault_index_free(x);
    return NULL;
}

void hs_fault_index_free(struct hs_fault_index *x)
{
    if (!x)
        return;
    free(x->nodes);
    free(x->pages.v);
    free(x->regions.v);
    free(x);
}

int hs_fault_index_add(struct hs_fault_index *x, uint32_t pid, uint64_t addr, uint32_t id)
{
    struct node *grown = hs_grow(x->nodes, &x->cap, x->n, sizeof *grown, 1024);
    if (!grown || x->n >= NONE)
        return -1;
    x->nodes = grown;
    /* Both slots first: a failure leaves the index as it was (at most an
     * empty slot more, which a search passes over like any other). */
    struct slot *region = find_or_make(&x->regions, pid, addr >> REGION_SHIFT);
    if (!region)
        return -1;
    region->value++; /* counted now: a failure below leaves it one too high, harmless */
    struct slot *page = find_or_make(&x->pages, pid, addr >> PAGE_SHIFT);
    if (!page)
        return -1;
    x->nodes[x->n] = (struct node){addr, id, page->value};
    page->value = (uint32_t)x->n++;
    return 0;
}

void hs_fault_index_stamp(struct hs_fault_index *x, uint32_t pid, uint64_t addr, uint64_t stamp)
{
    struct slot *page = find(&x->pages, pid, addr >> PAGE_SHIFT);
    if (!page)
        return;
    if (page->stamp < stamp)
        page->stamp = stamp;
    struct slot *region = find(&x->regions, pid, addr >> REGION_SHIFT);
    if (region->stamp < stamp) /* there is one: the page has faults */
        region->stamp = stamp;
}

void hs_fault_index_prefetch(const struct hs_fault_index *x, uint32_t pid, uint64_t addr)
{
    __builtin_prefetch(&x->pages.v[home(&x->pages, pid, addr >> PAGE_SHIFT)]);
}

/* A question's range, its bound and what to call. */
struct ask {
    uint32_t pid;
    uint64_t lo, hi, min_stamp;
    void (*visit)(void *, uint32_t);
    void *ctx;
};

/* The faults of one page within the range, if it is stamped high enough. */
static void each_on_page(const struct hs_fault_index *x, const struct ask *a, uint64_t page)
{
    const struct slot *s = find(&x->pages, a->pid, page);
    if (!s || s->stamp < a->min_stamp)
        return;
    for (uint32_t i = s->value; i != NONE; i = x->nodes[i].next)
        if (x->nodes[i].addr >= a->lo && x->nodes[i].addr < a->hi)
            a->visit(a->ctx, x->nodes[i].id);
}

void hs_fault_index_each(const struct hs_fault_index *x, uint32_t pid, uint64_t lo, uint64_t hi,
                         uint64_t min_stamp, void (*visit)(void *ctx, uint32_t id), void *ctx)
{
    if (hi <= lo || x->n == 0)
        return;
    const struct ask a = {pid, lo, hi, min_stamp, visit, ctx};
    const uint64_t first = lo >> PAGE_SHIFT, last = (hi - 1) >> PAGE_SHIFT;
    const uint64_t per_region = 1ull << (REGION_SHIFT - PAGE_SHIFT);
    /* Region by region (most blocks lie in one), the pages of a region
     * only if it holds faults stamped high enough: a small table that
     * stays in the cache answers most questions. */
    for (uint64_t r = lo >> REGION_SHIFT; r <= (hi - 1) >> REGION_SHIFT; r++) {
        const struct slot *region = find(&x->regions, pid, r);
        if (!region || region->stamp < min_stamp)
            continue;
        uint64_t from = r * per_region > first ? r * per_region : first;
        uint64_t to = (r + 1) * per_region - 1 < last ? (r + 1) * per_region - 1 : last;
        for (uint64_t page = from; page <= to; page++)
            each_on_page(x, &a, page);
    }
}
