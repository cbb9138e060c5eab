/*
 * import_stacks.c - the call stacks the tracer writes under HS_STACK
 * (HS_OP_STACK records, event.h) into the tables `stacks` and
 * `alloc_stacks` (contract: import_int.h; docs/schema.md).
 *
 * A stack comes in parts of HS_STACK_PART_FRAMES frames, each its own
 * record with its own seq, written by the allocating thread right after
 * the allocation; other threads' records may come between them. Parts are
 * gathered by (image, allocation seq) until the stack's depth is reached,
 * then the stack is looked up among those seen (per process image:
 * addresses mean nothing across address spaces), given a number if new
 * (posted as MSG_STACK), and the allocation's row (seq, stack) is batched
 * into a MSG_ALLOC_STACKS.
 *
 * Check: tests/tracer/test_stacks.c.
 */
#include <stdlib.h>
#include <string.h>

#include "grow.h"
#include "import_int.h"

/* Stacks still missing parts; a thread writes its parts one after the
 * other, so this holds about one per thread allocating at that moment. A
 * stack whose thread died between its parts is pushed out by later ones. */
#define MAX_GATHERING 64

struct gathering {
    uint32_t image;
    uint64_t for_seq;
    unsigned depth, have; /* have: bit k set once part k came */
    uint64_t pc[HS_STACK_MAX_DEPTH];
};

struct known { /* a stack seen before: its number, where its frames are */
    uint64_t hash, id;
    uint32_t proc, depth;
    size_t at; /* frames[at .. at + depth) */
};

struct import_stacks {
    struct gathering gathering[MAX_GATHERING];
    unsigned n_gathering;

    struct known *known; /* open addressing, a power of two, at most half full */
    size_t mask, n_known;
    uint64_t *frames;
    size_t n_frames, cap_frames;

    struct alloc_stack_row rows[BLOCK_ROWS_PER_MSG]; /* not posted yet */
    unsigned n_rows;
};

static uint64_t stack_hash(uint32_t proc, unsigned depth, const uint64_t *pc)
{
    uint64_t h = 0x9e3779b97f4a7c15ull ^ proc ^ (uint64_t)depth << 32;
    for (unsigned i = 0; i < depth; i++)
        h = (h ^ pc[i]) * 0xff51afd7ed558ccdull;
    return h ^ h >> 29;
}

static int post_rows(struct import_state *st)
{
    struct import_stacks *s = st->stacks;
    if (!s || s->n_rows == 0)
        return 0;
    struct import_msg *m = hs__import_post_begin(st, MSG_ALLOC_STACKS);
    if (!m)
        return HS_EDB; /* the SQLite thread's message is the real one */
    m->u.alloc_stacks.n = s->n_rows;
    memcpy(m->u.alloc_stacks.rows, s->rows, s->n_rows * sizeof s->rows[0]);
    hs__import_msg_commit(st);
    s->n_rows = 0;
    return 0;
}

/* Doubles the table of known stacks. 0 or -1 out of memory. */
static int grow_known(struct import_stacks *s)
{
    size_t cap = s->known ? (s->mask + 1) * 2 : 1024;
    struct known *k = calloc(cap, sizeof *k);
    if (!k)
        return -1;
    for (size_t i = 0; s->known && i <= s->mask; i++) {
        if (!s->known[i].id)
            continue;
        size_t j = s->known[i].hash & (cap - 1);
        while (k[j].id)
            j = (j + 1) & (cap - 1);
        k[j] = s->known[i];
    }
    free(s->known);
    s->known = k;
    s->mask = cap - 1;
    return 0;
}

/* *id: the number of the stack of g in process proc, posted as a new
 * stack if it is one. 0, HS_ENOMEM, or HS_EDB if the post failed. */
static int stack_id(struct import_state *st, uint32_t proc, const struct gathering *g,
                    uint64_t *id)
{
    struct import_stacks *s = st->stacks;
    if ((s->n_known + 1) * 2 > s->mask + 1 && grow_known(s))
        return hs_error_set(st->err, HS_ENOMEM, "out of memory");
    uint64_t h = stack_hash(proc, g->depth, g->pc);
    size_t i = h & s->mask;
    for (; s->known[i].id; i = (i + 1) & s->mask) {
        const struct known *k = &s->known[i];
        if (k->hash == h && k->proc == proc && k->depth == g->depth &&
            memcmp(&s->frames[k->at], g->pc, g->depth * sizeof g->pc[0]) == 0) {
            *id = k->id;
            return 0;
        }
    }
    uint64_t *grown =
        hs_grow(s->frames, &s->cap_frames, s->n_frames + g->depth, sizeof *grown, 1024);
    if (!grown)
        return hs_error_set(st->err, HS_ENOMEM, "out of memory");
    s->frames = grown;
    memcpy(&s->frames[s->n_frames], g->pc, g->depth * sizeof g->pc[0]);
    s->known[i] = (struct known){h, ++s->n_known, proc, g->depth, s->n_frames};
    s->n_frames += g->depth;
    struct import_msg *m = hs__import_post_begin(st, MSG_STACK);
    if (!m)
        return HS_EDB; /* the SQLite thread's message is the real one */
    m->u.stack.id = *id = s->n_known;
    m->u.stack.proc = proc;
    m->u.stack.depth = g->depth;
    memcpy(m->u.stack.pc, g->pc, g->depth * sizeof g->pc[0]);
    hs__import_msg_commit(st);
    return 0;
}

/* The complete stack g: its row in alloc_stacks. */
static int finish(struct import_state *st, uint32_t image, const struct gathering *g)
{
    struct import_stacks *s = st->stacks;
    uint32_t proc = st->images[image].proc;
    if (!proc)
        return 0; /* no event of the image came before: nothing to name */
    uint64_t id = 0;
    int rc = stack_id(st, proc, g, &id);
    if (rc)
        return rc;
    s->rows[s->n_rows++] = (struct alloc_stack_row){g->for_seq, id};
    return s->n_rows == BLOCK_ROWS_PER_MSG ? post_rows(st) : 0;
}

int hs__import_stack_part(struct import_state *st, uint32_t image, const struct hs_record *rec)
{
    unsigned part = rec->flags & 0xf, depth = (rec->flags >> 4) & 0xff;
    if (depth == 0 || depth > HS_STACK_MAX_DEPTH || part * HS_STACK_PART_FRAMES >= depth) {
        st->result->n_skipped++;
        return 0;
    }
    if (!st->stacks && !(st->stacks = calloc(1, sizeof *st->stacks)))
        return hs_error_set(st->err, HS_ENOMEM, "out of memory");
    struct import_stacks *s = st->stacks;
    struct gathering *g = NULL;
    for (unsigned i = 0; i < s->n_gathering && !g; i++)
        if (s->gathering[i].image == image && s->gathering[i].for_seq == rec->u.stack.for_seq)
            g = &s->gathering[i];
    if (!g) {
        if (s->n_gathering == MAX_GATHERING) /* the oldest lost a part: drop it */
            memmove(&s->gathering[0], &s->gathering[1], --s->n_gathering * sizeof *g);
        g = &s->gathering[s->n_gathering++];
        *g = (struct gathering){.image = image, .for_seq = rec->u.stack.for_seq, .depth = depth};
    }
    for (unsigned k = 0; k < HS_STACK_PART_FRAMES && part * HS_STACK_PART_FRAMES + k < depth; k++)
        g->pc[part * HS_STACK_PART_FRAMES + k] = rec->u.stack.pc[k];
    g->have |= 1u << part;
    unsigned parts = (depth + HS_STACK_PART_FRAMES - 1) / HS_STACK_PART_FRAMES;
    if (g->have != (1u << parts) - 1)
        return 0;
    struct gathering done = *g;
    *g = s->gathering[--s->n_gathering];
    return finish(st, image, &done);
}

int hs__import_stacks_finish(struct import_state *st)
{
    return post_rows(st);
}

void hs__import_stacks_release(struct import_state *st)
{
    struct import_stacks *s = st->stacks;
    if (!s)
        return;
    free(s->known);
    free(s->frames);
    free(s);
    st->stacks = NULL;
}
