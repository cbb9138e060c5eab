/*
 * glibc_arena.c - which arena a thread allocates from, and where its
 * tcache structure goes: glibc 2.36's arena_get/arena_get2/reused_arena
 * (malloc/arena.c) and MAYBE_INIT_TCACHE/tcache_init (malloc/malloc.c), as
 * far as a trace can tell them.
 *
 * glibc: the main thread is attached to the main arena. Any other thread
 * is attached at its first arena_get, which is tcache_init on its first
 * malloc, calloc, realloc or free of a heap chunk (or _mid_memalign):
 * arena_get2 takes an arena from the free list (arenas whose threads all
 * exited), else creates one while there are fewer than the limit
 * (M_ARENA_MAX, else 8 x cores once more than arena_test = 8 exist), else
 * reused_arena picks the next arena round-robin from the main arena, the
 * first whose lock it gets without waiting. tcache_init then takes the
 * 0x290-byte tcache_perthread_struct from that arena, before the call
 * itself is served. So a thread allocates from the main arena, and its
 * structure is a main-arena chunk, with M_ARENA_MAX 1 or when
 * reused_arena (or the free list) hands it the main arena.
 *
 *   main arena:  | main's tcache | ... | thread T's tcache 0x290 | T's block |
 *                                        ^ tcache_init, T's first call
 *
 * The trace does not record the choice (thread exits, the free list and
 * lock contention are invisible to the tracer), so the model infers it
 * from the thread's first block that glibc took from the thread's own
 * arena: a malloc, calloc, memalign or realloc(NULL, n) result that is
 * not an mmapped chunk and not a tcache hit. Its NON_MAIN_ARENA bit names
 * the arena (a realloc stays in the old chunk's arena and a tcache may hold
 * any arena's chunks, so they tell nothing). When the thread's first call
 * does not tell (a free, an mmapped block), the structure is taken when a
 * later call tells: the same chunk unless the main arena changed in
 * between. With arena_max 1 (mallopt, tunable or MALLOC_ARENA_MAX) and no
 * thread seen in another arena, only the main arena exists: such a thread
 * is placed at once.
 *
 * Thread exits: glibc's tcache_thread_shutdown frees the exiting thread's
 * tcache chunks, then its structure, each into its own arena. A trace of
 * this heapscope has a thread_exit event right before it (the tracer's
 * thread-specific-data destructor, tracer/thread_exit.h): the model applies
 * the shutdown there. Older traces, and threads the tracer could not
 * watch, have none; then, since a tcache chunk only ever goes to its own
 * thread, when another thread gets a chunk the model has in thread T's
 * tcache, T has exited: the model applies T's shutdown first, then the
 * call. An exit that no later allocation proves this way is not seen.
 * Check: tests/model/arenas.sh (fixtures fx_arena_max1, fx_many_threads,
 * fx_thread_exits).
 */
#include "glibc_model_int.h"

/* What ev says about its thread's arena (the caller knows that glibc
 * served it from that arena, i.e. not from the tcache). */
static int arena_told(const struct hs_event *ev)
{
    switch (ev->op) {
    case HS_OP_REALLOC:
    case HS_OP_REALLOCARRAY:
        if (ev->old_ptr != 0)
            return HS__ARENA_UNKNOWN; /* arena_for_chunk(oldp), not the thread's */
        break;
    case HS_OP_MALLOC:
    case HS_OP_CALLOC:
    case HS_OP_MEMALIGN:
    case HS_OP_POSIX_MEMALIGN:
    case HS_OP_ALIGNED_ALLOC:
    case HS_OP_VALLOC:
    case HS_OP_PVALLOC:
        break;
    default:
        return HS__ARENA_UNKNOWN;
    }
    if (!ev->ptr || (ev->flags & (HS_F_FAILED | HS_F_NO_CHUNK | HS_CHUNK_IS_MMAPPED)))
        return HS__ARENA_UNKNOWN;
    return (ev->flags & HS_CHUNK_NON_MAIN_ARENA) ? HS__ARENA_OTHER : HS__ARENA_MAIN;
}

/* arena_max 1 and no other arena seen: reused_arena can only return the
 * main arena. (A limit set after other arenas exist leaves them in the
 * round-robin, so it proves nothing then.) */
static int only_main_arena(const struct hs_model *m)
{
    if (m->par.arena_max != 1)
        return 0;
    for (uint32_t i = 0; i < m->n_tcaches; i++)
        if (m->tcaches[i].arena == HS__ARENA_OTHER)
            return 0;
    return 1;
}

/* tcache_init's _int_malloc runs while the thread's tcache is still NULL:
 * no exact fit or fastbin/smallbin stash goes to the tcache then. */
static void place_struct(struct hs_model *m, struct hs__tcache *tc)
{
    tc->initialized = 0;
    uint32_t c = hs__tcache_struct_malloc(m, tc->tid);
    tc->initialized = 1;
    tc->struct_addr = c ? m->pool[c].addr : 0;
}

static struct hs__tcache *thread_of(struct hs_model *m, uint32_t tid)
{
    struct hs__tcache *tc = hs__tcache_of(m, tid, 1);
    if (tc && tc->arena == HS__ARENA_UNKNOWN) {
        if (m->main_tid == 0 || tid == m->main_tid) {
            tc->arena = HS__ARENA_MAIN; /* ptmalloc_init: thread_arena = &main_arena */
        } else if (only_main_arena(m)) {
            tc->arena = HS__ARENA_MAIN;
            hs__note(m, "thread %u: arena_max is 1, so it shares the main arena", tid);
        }
    }
    return tc;
}

void hs__arena_init_tcache(struct hs_model *m, uint32_t tid)
{
    struct hs__tcache *tc = thread_of(m, tid);
    if (!tc || tc->initialized)
        return;
    tc->initialized = 1;
    if (tc->arena == HS__ARENA_MAIN)
        place_struct(m, tc);
}

void hs__arena_learn(struct hs_model *m, const struct hs_event *ev)
{
    struct hs__tcache *tc = thread_of(m, ev->tid);
    int told = arena_told(ev);
    if (!tc || tc->arena != HS__ARENA_UNKNOWN || told == HS__ARENA_UNKNOWN)
        return;
    tc->arena = (uint8_t)told;
    hs__note(m, "thread %u is attached to %s (its block 0x%llx has NON_MAIN_ARENA %s)", ev->tid,
             told == HS__ARENA_MAIN ? "the main arena" : "another arena",
             (unsigned long long)ev->ptr, told == HS__ARENA_MAIN ? "clear" : "set");
    /* tcache_init has run, in this call or in an earlier one that did
     * not tell: its structure came from the main arena */
    if (told == HS__ARENA_MAIN && tc->initialized)
        place_struct(m, tc);
}

/* tcache_thread_shutdown at the exit of tc's thread: with its tcache
 * already off, every entry (bin by bin, each list from its head) and then
 * the structure go through __libc_free: fastbins or coalescing, each in
 * its own arena. The thread's record is retired (its tid may come back as
 * a new thread). */
static void thread_exit(struct hs_model *m, struct hs__tcache *tc)
{
    unsigned n = 0;
    tc->initialized = 0;
    for (unsigned i = 0; i < HS__MAX_TCACHE_BINS; i++)
        while (tc->head[i]) {
            uint32_t c = hs__tcache_get(m, tc, i);
            uint64_t addr = m->pool[c].addr;
            n++;
            if (hs__map_get(&m->foreign, addr) == c) {
                hs__map_del(&m->foreign, addr); /* back to its own arena */
                hs__chunk_release(m, c);
            } else {
                hs__int_free(m, c, tc->tid);
            }
        }
    uint32_t s = tc->struct_addr ? hs__map_get(&m->chunks, tc->struct_addr) : 0;
    if (s && m->pool[s].state == HS_CS_ALLOCATED)
        hs__int_free(m, s, tc->tid);
    hs__note(m, "thread %u has exited: its %u tcache chunks%s went back to their arenas", tc->tid,
             n, s ? " and its tcache structure" : "");
    tc->tid = 0;
    tc->arena = HS__ARENA_UNKNOWN;
    tc->struct_addr = 0;
}

void hs__arena_thread_exit(struct hs_model *m, uint32_t tid)
{
    struct hs__tcache *tc = hs__tcache_of(m, tid, 0);
    if (tc && tc->initialized)
        thread_exit(m, tc);
}

void hs__arena_exit_evident(struct hs_model *m, const struct hs_event *ev)
{
    if (!ev->ptr || (ev->flags & (HS_F_FAILED | HS_CHUNK_IS_MMAPPED)))
        return;
    uint64_t addr = ev->ptr - 2 * m->prof->size_sz;
    uint32_t c = hs__map_get(&m->chunks, addr);
    if (!c)
        c = hs__map_get(&m->foreign, addr);
    if (!c || m->pool[c].state != HS_CS_TCACHE)
        return;
    struct hs__tcache *owner = &m->tcaches[m->pool[c].tcache];
    if (owner->tid == ev->tid || owner->tid == 0)
        return;
    hs__note(m,
             "0x%llx is in thread %u's tcache, yet thread %u got it:", (unsigned long long)ev->ptr,
             owner->tid, ev->tid);
    thread_exit(m, owner);
}
