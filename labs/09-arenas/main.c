/*
 * Lab 9 - threads and arenas.
 *
 * Article 001: "比如说线程1使用了300M内存，完成任务后glibc没有释放给操作系统，
 * 线程2开始创建了一个新的arena，但是线程1的300M却不能用了". A thread's
 * malloc uses the arena it is attached to; a second thread running at the
 * same time gets another arena (up to 8 x cores), and memory freed in one
 * arena serves only that arena. The lab lets thread 1 allocate and free
 * 32 MiB (300 MB with --full) while keeping a 32-byte block after every
 * MiB (a realistic leftover that pins its heap), then thread 2 allocates
 * the same amount; RSS tells who reused what. Each variant runs in a fresh
 * child process.
 */
#define _GNU_SOURCE
#include <malloc.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lab.h"

enum { BLOCK = 64 * 1024 };

struct variant {
    const char *prefix; /* measure key prefix */
    int pin;            /* thread 1 keeps a small block after every MiB */
    int arena_max_1;    /* mallopt(M_ARENA_MAX, 1) */
    int t1_exits;       /* thread 1 ends before thread 2 starts */
};

static struct {
    size_t total;            /* bytes each thread allocates */
    pthread_barrier_t freed; /* thread 1 has freed its memory */
    pthread_barrier_t done;  /* thread 2 has allocated */
    const struct variant *v;
    uintptr_t arena[2]; /* the arena of each thread's first block (0: main) */
} run;

/* The arena that owns the live chunk p (glibc 2.36, x86-64): a main-arena
 * chunk has the NON_MAIN_ARENA bit (4) clear in its size field; a thread
 * arena's chunk lies in a heap aligned to HEAP_MAX_SIZE (64 MiB) whose
 * first word, heap_info.ar_ptr, is the arena. */
static uintptr_t arena_of(const void *p)
{
    if (!(((const size_t *)p)[-1] & 4))
        return 0;
    return *(const uintptr_t *)((uintptr_t)p & ~(((uintptr_t)64 << 20) - 1));
}

/* [doc:thread1] */
static void *thread1(void *arg)
{
    size_t n = run.total / BLOCK;
    char **blocks = calloc(n, sizeof *blocks);
    for (size_t i = 0; i < n; i++) {
        blocks[i] = malloc(BLOCK);
        memset(blocks[i], 1, BLOCK);
        if (run.v->pin && i % 16 == 15)
            malloc(32); /* a survivor after every MiB */
    }
    run.arena[0] = arena_of(blocks[0]);
    for (size_t i = 0; i < n; i++)
        free(blocks[i]);
    free(blocks);
    if (!run.v->t1_exits) {
        pthread_barrier_wait(&run.freed);
        pthread_barrier_wait(&run.done); /* stay alive while thread 2 works */
    }
    return NULL;
}
/* [/doc] */

static void *thread2(void *arg)
{
    size_t n = run.total / BLOCK;
    for (size_t i = 0; i < n; i++) {
        char *p = malloc(BLOCK);
        memset(p, 2, BLOCK);
        if (i == 0)
            run.arena[1] = arena_of(p);
    }
    return NULL;
}

static void variant(const struct variant *v)
{
    pid_t pid = fork();
    if (pid != 0) {
        waitpid(pid, NULL, 0);
        return;
    }
    run.v = v;
    if (v->arena_max_1)
        mallopt(M_ARENA_MAX, 1);
    pthread_barrier_init(&run.freed, NULL, 2);
    pthread_barrier_init(&run.done, NULL, 2);
    uint64_t base = lab_rss_kib();
    pthread_t t1, t2;
    pthread_create(&t1, NULL, thread1, NULL);
    if (v->t1_exits)
        pthread_join(t1, NULL);
    else
        pthread_barrier_wait(&run.freed);
    uint64_t after_free = lab_rss_kib();
    pthread_create(&t2, NULL, thread2, NULL);
    pthread_join(t2, NULL);
    uint64_t after_t2 = lab_rss_kib();
    if (!v->t1_exits) {
        pthread_barrier_wait(&run.done);
        pthread_join(t1, NULL);
    }
    uint64_t half = run.total / 2048; /* half the total, in KiB */
    char key[64];
    lab_say("%s: RSS %llu KiB at start, %llu after thread 1 freed, %llu after thread 2\n",
            v->prefix, (unsigned long long)base, (unsigned long long)after_free,
            (unsigned long long)after_t2);
    snprintf(key, sizeof key, "%s_t1_memory_kept", v->prefix);
    lab_measure_u(key, after_free - base > half);
    snprintf(key, sizeof key, "%s_t2_reused_it", v->prefix);
    lab_measure_u(key, after_t2 - after_free < half);
    snprintf(key, sizeof key, "%s_same_arena", v->prefix);
    /* (comparing addresses fails for the main arena: its brk heap can
     * straddle any alignment boundary) */
    lab_measure_u(key, run.arena[0] == run.arena[1]);
    _exit(0);
}

int main(int argc, char **argv)
{
    lab_init(argc, argv, "arenas");
    run.total = (size_t)(lab_full() ? 300 : 32) << 20;
    lab_say("each thread allocates %zu MiB in %d KiB blocks\n", run.total >> 20, BLOCK / 1024);
    /* [doc:variants] */
    static const struct variant pinned = {"pinned", 1, 0, 0};
    static const struct variant freed_all = {"freed_all", 0, 0, 0};
    static const struct variant one_arena = {"arena_max_1", 1, 1, 0};
    static const struct variant t1_gone = {"t1_exited", 1, 0, 1};
    variant(&pinned);
    variant(&freed_all);
    variant(&one_arena);
    variant(&t1_gone);
    /* [/doc] */
    return 0;
}
