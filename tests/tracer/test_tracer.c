/*
 * test_tracer.c - integration tests of the tracer on real fixture programs.
 *
 * Each case runs a fixture from tests/tracer/fixtures with the tracer
 * preloaded (harness.c: only the child is preloaded) and asserts exact
 * counts, sizes and orders on the logs it left, read with log_read.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <malloc.h>

#include "harness.h"

/* Every run: records in strictly increasing seq, nothing lost. */
static void assert_log_sane(const struct run *r)
{
    for (size_t i = 0; i < r->n_logs; i++)
        assert_int_equal(r->logs[i].n_lost, 0);
    for (size_t i = 1; i < r->n_events; i++)
        assert_true(r->events[i - 1]->seq < r->events[i]->seq);
    assert_true(r->n_events > 0);
}

/* Count of events with op (program origin) and request size in [from, to). */
static size_t count_between(const struct run *r, size_t from, size_t to, int op, int64_t size)
{
    size_t n = 0;
    for (size_t i = from; i < to; i++) {
        const struct hs_record *e = r->events[i];
        if (e->op == op && e->origin == HS_ORIGIN_PROGRAM &&
            (size < 0 || e->u.call.size == (uint64_t)size))
            n++;
    }
    return n;
}

static const struct hs_record *nth_op(const struct run *r, size_t from, int op, size_t nth)
{
    for (size_t i = from; i < r->n_events; i++)
        if (r->events[i]->op == op && nth-- == 0)
            return r->events[i];
    fail_msg("no op %d number %zu after event %zu", op, nth, from);
    return NULL;
}

static void test_tracer__basic(void **state)
{
    struct run r;
    run_fixture(&r, NULL, NULL, "fx_basic", NULL);
    assert_true(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0);
    assert_int_equal(r.n_logs, 1);
    assert_log_sane(&r);
    assert_true(r.logs[0].header->flags & HS_LOG_GLIBC_MALLOC);

    size_t start = find_mark(&r, "start"), alloc = find_mark(&r, "after-alloc"),
           freed = find_mark(&r, "after-free");
    assert_true(start < alloc && alloc < freed && freed < r.n_events);

    /* allocation phase: exact counts per op */
    assert_int_equal(count_between(&r, start, alloc, HS_OP_MALLOC, 24), 10);
    assert_int_equal(count_between(&r, start, alloc, HS_OP_MALLOC, -1), 11);
    assert_int_equal(count_between(&r, start, alloc, HS_OP_CALLOC, 100), 5);
    assert_int_equal(count_between(&r, start, alloc, HS_OP_REALLOC, -1), 2);
    assert_int_equal(count_between(&r, start, alloc, HS_OP_POSIX_MEMALIGN, 200), 1);
    assert_int_equal(count_between(&r, start, alloc, HS_OP_ALIGNED_ALLOC, 256), 1);
    assert_int_equal(count_between(&r, start, alloc, HS_OP_MEMALIGN, 300), 1);
    assert_int_equal(count_between(&r, start, alloc, HS_OP_VALLOC, 500), 1);
    assert_int_equal(count_between(&r, start, alloc, HS_OP_REALLOCARRAY, 40), 1);
    assert_int_equal(count_between(&r, start, alloc, HS_OP_FREE, -1), 0);
    /* the first malloc grew the heap once by 0x21000 (DESIGN.md facts) */
    assert_int_equal(count_op(&r, HS_OP_BRK, HS_ORIGIN_ALLOCATOR), 1);
    const struct hs_record *grow = nth_op(&r, 0, HS_OP_BRK, 0);
    assert_int_equal(grow->u.call.size, 0x21000);
    assert_int_equal(grow->u.call.old_ptr, r.logs[0].header->initial_brk);

    /* sizes and chunk sizes */
    const struct hs_record *m = nth_op(&r, start, HS_OP_MALLOC, 0);
    assert_int_equal(m->u.call.size, 24);
    assert_int_equal(m->u.call.chunk_size, 0x20);
    assert_int_equal(m->flags & (HS_CHUNK_IS_MMAPPED | HS_CHUNK_NON_MAIN_ARENA | HS_F_NO_CHUNK), 0);
    assert_int_equal(m->u.call.ptr, fixture_value(&r, "a0"));
    assert_int_equal(nth_op(&r, start, HS_OP_CALLOC, 0)->u.call.chunk_size, 0x70);
    const struct hs_record *m10 = nth_op(&r, start, HS_OP_MALLOC, 10);
    const struct hs_record *re1 = nth_op(&r, start, HS_OP_REALLOC, 0);
    const struct hs_record *re2 = nth_op(&r, start, HS_OP_REALLOC, 1);
    assert_int_equal(m10->u.call.size, 10);
    assert_int_equal(re1->u.call.old_ptr, m10->u.call.ptr);
    assert_int_equal(re1->u.call.size, 100);
    assert_int_equal(re1->u.call.chunk_size, 0x70);
    assert_int_equal(re2->u.call.old_ptr, re1->u.call.ptr);
    assert_int_equal(re2->u.call.size, 1000);
    assert_int_equal(re2->u.call.chunk_size, 0x3f0);
    const struct hs_record *pm = nth_op(&r, start, HS_OP_POSIX_MEMALIGN, 0);
    assert_int_equal(pm->u.call.old_ptr, 64);
    assert_int_equal(pm->u.call.ptr % 64, 0);
    assert_int_equal(nth_op(&r, start, HS_OP_REALLOCARRAY, 0)->u.call.chunk_size, 0x30);
    assert_true(m->u.call.caller != 0);

    /* free phase: 21 frees, each with the chunk size of its allocation */
    assert_int_equal(count_between(&r, alloc, freed, HS_OP_FREE, -1), 21);
    for (size_t i = alloc; i < freed; i++) {
        const struct hs_record *f = r.events[i];
        if (f->op != HS_OP_FREE)
            continue;
        size_t k = i;
        while (k-- > start) {
            const struct hs_record *a = r.events[k];
            if (a->op != HS_OP_FREE && a->op != HS_OP_MARK && a->origin == HS_ORIGIN_PROGRAM &&
                a->u.call.ptr == f->u.call.ptr)
                break;
        }
        assert_true(k >= start && k < i);
        assert_int_equal(f->u.call.chunk_size, r.events[k]->u.call.chunk_size);
    }

    /* ground truth at marks equals what the fixture saw */
    assert_int_equal(r.events[alloc + 1]->op, HS_OP_MALLINFO_A);
    assert_int_equal(r.events[alloc + 2]->op, HS_OP_MALLINFO_B);
    assert_int_equal(r.events[alloc + 3]->op, HS_OP_STATE);
    assert_int_equal(r.events[alloc + 2]->u.v[2], fixture_value(&r, "uordblks_alloc"));
    assert_int_equal(r.events[freed + 2]->u.v[2], fixture_value(&r, "uordblks_free"));
    assert_int_equal(r.events[alloc + 3]->u.v[0], grow->u.call.ptr); /* program break */

    /* long label: truncated to 39 bytes and flagged */
    size_t lm = find_mark(&r, "a-label-that-is-much-longer-than-thirty");
    assert_true(lm < r.n_events);
    assert_true(r.events[lm]->flags & HS_F_LABEL_TRUNCATED);

    /* exit record, then its snapshot, at the end */
    const struct hs_record *ex = nth_op(&r, 0, HS_OP_EXIT, 0);
    assert_int_equal(ex->u.call.ptr, 0);
    assert_int_equal(count_op(&r, HS_OP_EXIT, -1), 1);
    assert_int_equal(count_op(&r, HS_OP_MALLINFO_A, HS_ORIGIN_TRACER), 5); /* 4 marks + exit */
    run_free(&r);
}

/* ---- inferred brk/mmap versus strace on the same run ---- */

struct sys_event {
    char op;            /* 'b' brk, 'm' mmap, 'u' munmap, 'r' mremap */
    uint64_t addr, len; /* new break / mapping */
    uint64_t old_addr, old_len;
};

#define MAX_SYS 256
#define MMAP_MIN (128u * 1024u) /* glibc's smallest mmap threshold */

static size_t parse_strace(const char *path, struct sys_event *ev)
{
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char line[1024];
    size_t n = 0;
    uint64_t anon[MAX_SYS];
    size_t n_anon = 0;
    while (fgets(line, sizeof line, f) && n < MAX_SYS) {
        char *call = strchr(line, ' '); /* after the pid, which strace pads */
        if (!call)
            continue;
        while (*call == ' ')
            call++;
        char *eq = strrchr(call, '='); /* strace pads ")" and "= result" */
        if (!eq)
            continue;
        uint64_t ret = strtoull(eq + 1, NULL, 0);
        unsigned long long a, b, c;
        if (strncmp(call, "brk(0x", 6) == 0) {
            ev[n++] = (struct sys_event){'b', ret, 0, 0, 0};
        } else if (strncmp(call, "mmap(NULL, ", 11) == 0 &&
                   strstr(call, ", PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)") &&
                   sscanf(call + 11, "%llu", &a) == 1 && a >= MMAP_MIN) {
            ev[n++] = (struct sys_event){'m', ret, a, 0, 0};
            anon[n_anon++] = ret;
        } else if (sscanf(call, "munmap(%llx, %llu)", &a, &b) == 2) {
            for (size_t k = 0; k < n_anon; k++)
                if (anon[k] == a) { /* only mappings the allocator made */
                    ev[n++] = (struct sys_event){'u', a, b, 0, 0};
                    break;
                }
        } else if (sscanf(call, "mremap(%llx, %llu, %llu", &a, &b, &c) == 3) {
            ev[n++] = (struct sys_event){'r', ret, c, a, b};
            anon[n_anon++] = ret;
        }
    }
    fclose(f);
    return n;
}

static size_t inferred(const struct run *r, struct sys_event *ev)
{
    size_t n = 0;
    for (size_t i = 0; i < r->n_events && n < MAX_SYS; i++) {
        const struct hs_record *e = r->events[i];
        if (e->origin != HS_ORIGIN_ALLOCATOR)
            continue;
        if (e->op == HS_OP_BRK)
            ev[n++] = (struct sys_event){'b', e->u.call.ptr, 0, 0, 0};
        else if (e->op == HS_OP_MMAP)
            ev[n++] = (struct sys_event){'m', e->u.call.ptr, e->u.call.size, 0, 0};
        else if (e->op == HS_OP_MUNMAP)
            ev[n++] = (struct sys_event){'u', e->u.call.ptr, e->u.call.size, 0, 0};
        else if (e->op == HS_OP_MREMAP)
            ev[n++] = (struct sys_event){'r', e->u.call.ptr, e->u.call.size, e->u.call.old_ptr,
                                         e->u.call.chunk_size};
    }
    return n;
}

static void test_tracer__inferred_equals_strace(void **state)
{
    char trace[300], cwd[200];
    assert_non_null(getcwd(cwd, sizeof cwd));
    snprintf(trace, sizeof trace, "%s/strace-fx_infer.txt", cwd);
    struct run r;
    run_fixture(&r, NULL, trace, "fx_infer", NULL);
    assert_true(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0);
    assert_log_sane(&r);

    struct sys_event want[MAX_SYS], got[MAX_SYS];
    size_t n_want = parse_strace(trace, want);
    size_t n_got = inferred(&r, got);
    for (size_t i = 0; i < n_want || i < n_got; i++) {
        if (i < n_want && i < n_got && want[i].op == got[i].op && want[i].addr == got[i].addr &&
            want[i].len == got[i].len && want[i].old_addr == got[i].old_addr &&
            want[i].old_len == got[i].old_len)
            continue;
        for (size_t k = 0; k < n_want || k < n_got; k++)
            print_message(
                "%zu: strace %c %#llx %#llx | inferred %c %#llx %#llx\n", k,
                k < n_want ? want[k].op : '-', k < n_want ? (unsigned long long)want[k].addr : 0ull,
                k < n_want ? (unsigned long long)want[k].len : 0ull, k < n_got ? got[k].op : '-',
                k < n_got ? (unsigned long long)got[k].addr : 0ull,
                k < n_got ? (unsigned long long)got[k].len : 0ull);
        fail_msg("inferred event %zu differs from strace", i);
    }
    /* the fixture exercises every kind: several brk moves both ways, three
     * mmapped chunks, two mremaps (grow; shrink to one page, the chunk stays
     * mmapped), three munmaps */
    size_t kinds[128] = {0};
    for (size_t i = 0; i < n_got; i++)
        kinds[(int)got[i].op]++;
    assert_true(kinds['b'] >= 3);
    assert_int_equal(kinds['m'], 3);
    assert_int_equal(kinds['r'], 2);
    assert_int_equal(kinds['u'], 3);
    unlink(trace);
    run_free(&r);
}

/* ---- crash modes ---- */

static void crash_case(const char *mode, int want_signal, int want_exit)
{
    const char *args[] = {mode, "1000", NULL};
    struct run r;
    run_fixture(&r, NULL, NULL, "fx_crash", args);
    if (want_signal) {
        assert_true(WIFSIGNALED(r.status));
        assert_int_equal(WTERMSIG(r.status), want_signal);
    } else {
        assert_true(WIFEXITED(r.status));
        assert_int_equal(WEXITSTATUS(r.status), want_exit);
    }
    assert_int_equal(r.n_logs, 1);
    assert_log_sane(&r);
    size_t start = find_mark(&r, "start"), dying = find_mark(&r, "dying");
    assert_true(start < dying && dying < r.n_events);
    assert_int_equal(count_between(&r, start, dying, HS_OP_MALLOC, 32), 1000);
    assert_int_equal(count_between(&r, start, dying, HS_OP_FREE, -1), 500);
    /* the snapshot after the last mark made it too; no exit record */
    assert_int_equal(r.events[r.n_events - 1]->op, HS_OP_STATE);
    assert_int_equal(count_op(&r, HS_OP_EXIT, -1), 0);
    run_free(&r);
}

/* The exit record carries the status, also when main returns it (exit()
 * is then called inside libc, where no hook sees it), and comes last but
 * for its snapshot. */
static void exit_status_case(const char *mode, int want)
{
    const char *args[] = {mode, "10", NULL};
    struct run r;
    run_fixture(&r, NULL, NULL, "fx_crash", args);
    assert_true(WIFEXITED(r.status));
    assert_int_equal(WEXITSTATUS(r.status), want);
    assert_log_sane(&r);
    assert_int_equal(count_op(&r, HS_OP_EXIT, -1), 1);
    const struct hs_record *ex = nth_op(&r, 0, HS_OP_EXIT, 0);
    assert_int_equal(ex->u.call.ptr, want);
    assert_ptr_equal(ex, r.events[r.n_events - 4]); /* then mallinfo_a, _b, state */
    run_free(&r);
}

static void test_tracer__exit_status_returned_from_main(void **state)
{
    exit_status_case("return", 4);
}

static void test_tracer__exit_status_of_exit(void **state)
{
    exit_status_case("exit", 5);
}

static void test_tracer__crash_segv(void **state)
{
    crash_case("segv", SIGSEGV, 0);
}

static void test_tracer__crash_abort(void **state)
{
    crash_case("abort", SIGABRT, 0);
}

static void test_tracer__crash_exit(void **state)
{
    crash_case("_exit", 0, 3);
}

static void test_tracer__crash_kill(void **state)
{
    crash_case("kill", SIGKILL, 0);
}

/* ---- threads ---- */

#define LIVE_SLOTS (1u << 20)

static void threads_case(const char *const *env)
{
    const int per_thread = 20000;
    char arg[16];
    snprintf(arg, sizeof arg, "%d", per_thread);
    const char *args[] = {arg, NULL};
    struct run r;
    run_fixture_env(&r, NULL, "fx_threads", args, env);
    assert_true(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0);
    assert_log_sane(&r);
    size_t start = find_mark(&r, "start"), end = find_mark(&r, "end");
    assert_true(start < end && end < r.n_events);

    /* open-addressing set of live size-77 blocks, walked in seq order */
    uint64_t *live = calloc(LIVE_SLOTS, sizeof *live);
    size_t n_malloc = 0, n_free = 0, n_live = 0;
    uint32_t tids[8] = {0};
    for (size_t i = start; i < end; i++) {
        const struct hs_record *e = r.events[i];
        if (e->op == HS_OP_MALLOC && e->u.call.size == 77) {
            uint64_t h = (e->u.call.ptr >> 4) & (LIVE_SLOTS - 1);
            while (live[h] && live[h] != e->u.call.ptr)
                h = (h + 1) & (LIVE_SLOTS - 1);
            assert_int_equal(live[h], 0); /* handed out while still live? */
            live[h] = e->u.call.ptr;
            n_malloc++;
            n_live++;
            for (int t = 0; t < 8; t++)
                if (tids[t] == e->tid || tids[t] == 0) {
                    tids[t] = e->tid;
                    break;
                }
        } else if (e->op == HS_OP_FREE) {
            uint64_t h = (e->u.call.ptr >> 4) & (LIVE_SLOTS - 1);
            while (live[h] && live[h] != e->u.call.ptr)
                h = (h + 1) & (LIVE_SLOTS - 1);
            if (live[h] == e->u.call.ptr) {
                /* delete with backward-shift to keep probe chains intact */
                size_t hole = h, j = h;
                for (;;) {
                    j = (j + 1) & (LIVE_SLOTS - 1);
                    if (!live[j])
                        break;
                    size_t home = (live[j] >> 4) & (LIVE_SLOTS - 1);
                    if (((j - home) & (LIVE_SLOTS - 1)) >= ((j - hole) & (LIVE_SLOTS - 1))) {
                        live[hole] = live[j];
                        hole = j;
                    }
                }
                live[hole] = 0;
                n_free++;
                n_live--;
            }
        }
    }
    free(live);
    assert_int_equal(n_malloc, 4 * per_thread);
    assert_int_equal(n_free, 4 * per_thread);
    assert_int_equal(n_live, 0);
    assert_int_equal(count_between(&r, start, end, HS_OP_MALLOC, 77), 4 * per_thread);
    assert_true(tids[3] != 0 && tids[4] == 0); /* four threads allocated */
    /* each thread's end, once, after its last call and before the join
     * returned (the "end" mark): tracer/thread_exit.h */
    int exits[4] = {0};
    for (size_t i = start; i < end; i++) {
        const struct hs_record *e = r.events[i];
        if (e->op != HS_OP_THREAD_EXIT)
            continue;
        int t = 0;
        while (t < 4 && tids[t] != e->tid)
            t++;
        assert_true(t < 4);
        exits[t]++;
        for (size_t j = i + 1; j < end; j++)
            assert_true(r.events[j]->tid != e->tid);
    }
    for (int t = 0; t < 4; t++)
        assert_int_equal(exits[t], 1);
    run_free(&r);
}

/* 160000 events: the log grows over three segments while four threads
 * write, with the kernel worker growing it ahead... */
static void test_tracer__threads(void **state)
{
    threads_case(NULL);
}

/* ...and with the writers growing it themselves. */
static void test_tracer__threads_without_async(void **state)
{
    const char *env[] = {"HS_ASYNC=0", NULL};
    threads_case(env);
}

/* Thread heaps: each inferred arena-heap mmap lies inside a PROT_NONE,
 * MAP_NORESERVE mapping glibc's new_heap made (strace, same run). */
static void test_tracer__arena_heaps_vs_strace(void **state)
{
    char trace[300], cwd[200];
    assert_non_null(getcwd(cwd, sizeof cwd));
    snprintf(trace, sizeof trace, "%s/strace-fx_threads.txt", cwd);
    const char *args[] = {"2000", NULL};
    struct run r;
    run_fixture(&r, NULL, trace, "fx_threads", args);
    assert_true(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0);
    assert_log_sane(&r);

    uint64_t start[64], len[64];
    size_t n_maps = 0;
    FILE *f = fopen(trace, "r");
    assert_non_null(f);
    char line[1024];
    /* with several threads strace splits a call into "<unfinished ...>"
     * and "<... mmap resumed>) = result" lines of the same pid */
    unsigned pending_pid[64];
    uint64_t pending_len[64];
    size_t n_pending = 0;
    while (fgets(line, sizeof line, f) && n_maps < 64) {
        unsigned pid = (unsigned)strtoul(line, NULL, 10);
        char *call = strstr(line, "mmap(");
        char *eq = strrchr(line, '=');
        unsigned long long l;
        if (call && strstr(call, "PROT_NONE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_NORESERVE") &&
            sscanf(strchr(call, ',') + 1, "%llu", &l) == 1) {
            if (strstr(line, "<unfinished ...>")) {
                if (n_pending < 64) {
                    pending_pid[n_pending] = pid;
                    pending_len[n_pending++] = l;
                }
            } else if (eq) {
                start[n_maps] = strtoull(eq + 1, NULL, 0);
                len[n_maps++] = l;
            }
        } else if (strstr(line, "<... mmap resumed>") && eq) {
            for (size_t k = 0; k < n_pending; k++)
                if (pending_pid[k] == pid) {
                    start[n_maps] = strtoull(eq + 1, NULL, 0);
                    len[n_maps++] = pending_len[k];
                    pending_pid[k] = pending_pid[--n_pending];
                    pending_len[k] = pending_len[n_pending];
                    break;
                }
        }
    }
    fclose(f);

    size_t n_heaps = 0;
    for (size_t i = 0; i < r.n_events; i++) {
        const struct hs_record *e = r.events[i];
        if (e->op != HS_OP_MMAP || e->origin != HS_ORIGIN_ALLOCATOR || e->u.call.size != 64u << 20)
            continue;
        n_heaps++;
        assert_int_equal(e->u.call.ptr % (64u << 20), 0);
        size_t k;
        for (k = 0; k < n_maps; k++)
            if (start[k] <= e->u.call.ptr && e->u.call.ptr + e->u.call.size <= start[k] + len[k])
                break;
        if (k == n_maps)
            fail_msg("inferred heap %#llx is in no mapping strace saw",
                     (unsigned long long)e->u.call.ptr);
    }
    assert_true(n_heaps >= 1 && n_heaps <= 4);
    assert_true(n_heaps <= n_maps);
    unlink(trace);
    run_free(&r);
}

/* ---- fork and exec ---- */

static void test_tracer__fork(void **state)
{
    struct run r;
    run_fixture(&r, NULL, NULL, "fx_fork", NULL);
    assert_true(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0);
    assert_log_sane(&r);
    uint32_t parent = (uint32_t)fixture_value(&r, "parent");
    uint32_t child = (uint32_t)fixture_value(&r, "child");
    assert_int_equal(r.n_logs, 2);
    const struct hs_log *pl = NULL, *cl = NULL;
    for (size_t i = 0; i < 2; i++) {
        if (r.logs[i].header->pid == parent)
            pl = &r.logs[i];
        if (r.logs[i].header->pid == child)
            cl = &r.logs[i];
    }
    assert_non_null(pl);
    assert_non_null(cl);
    assert_int_equal(cl->header->ppid, parent);
    assert_int_equal(cl->header->exec_gen, 0);
    assert_int_equal(pl->header->exec_gen, 0);

    size_t fork_at = (size_t)-1, n[2][4] = {{0}}; /* [parent/child][111,222,333,exit] */
    for (size_t i = 0; i < r.n_events; i++) {
        const struct hs_record *e = r.events[i];
        int who = r.event_pid[i] == child;
        if (e->op == HS_OP_FORK) {
            assert_int_equal(who, 0);
            assert_int_equal(e->u.call.ptr, child);
            fork_at = i;
        }
        if (who)
            assert_true(fork_at < i); /* the fork precedes all child events */
        if (e->op == HS_OP_MALLOC)
            for (int k = 0; k < 3; k++)
                if (e->u.call.size == 111u * (k + 1))
                    n[who][k]++;
        if (e->op == HS_OP_EXIT) {
            n[who][3]++;
            assert_int_equal(e->u.call.ptr, who ? 7 : 0);
        }
    }
    assert_int_equal(n[0][0], 3);
    assert_int_equal(n[0][1], 0);
    assert_int_equal(n[0][2], 1);
    assert_int_equal(n[1][0], 0);
    assert_int_equal(n[1][1], 5);
    assert_int_equal(n[1][2], 0);
    assert_int_equal(n[0][3], 1);
    assert_int_equal(n[1][3], 1);
    run_free(&r);
}

static void test_tracer__exec(void **state)
{
    struct run r;
    run_fixture(&r, NULL, NULL, "fx_exec", NULL);
    assert_true(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0);
    assert_log_sane(&r);
    assert_int_equal(r.n_logs, 2);
    assert_int_equal(r.logs[0].header->pid, r.logs[1].header->pid);
    assert_int_equal(r.logs[0].header->exec_gen, 0);
    assert_int_equal(r.logs[1].header->exec_gen, 1);
    uint64_t last_seq_gen0 = 0;
    size_t n4441 = 0, n4442 = 0;
    for (uint64_t s = 0; s < r.logs[0].n_slots; s++) {
        const struct hs_record *e = hs_log_record(&r.logs[0], s);
        last_seq_gen0 = e->seq > last_seq_gen0 ? e->seq : last_seq_gen0;
        n4441 += e->op == HS_OP_MALLOC && e->u.call.size == 4441;
        n4442 += e->op == HS_OP_MALLOC && e->u.call.size == 4442;
    }
    assert_int_equal(n4441, 1);
    assert_int_equal(n4442, 0);
    n4441 = n4442 = 0;
    for (uint64_t s = 0; s < r.logs[1].n_slots; s++) {
        const struct hs_record *e = hs_log_record(&r.logs[1], s);
        assert_true(e->seq > last_seq_gen0); /* the shared seq file continues */
        n4441 += e->op == HS_OP_MALLOC && e->u.call.size == 4441;
        n4442 += e->op == HS_OP_MALLOC && e->u.call.size == 4442;
    }
    assert_int_equal(n4441, 0);
    assert_int_equal(n4442, 1);
    run_free(&r);
}

/* ---- constructor before main ---- */

static void test_tracer__constructor(void **state)
{
    struct run r;
    run_fixture(&r, NULL, NULL, "fx_ctor", NULL);
    assert_true(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0);
    assert_log_sane(&r);
    size_t main_at = find_mark(&r, "main"), m = (size_t)-1, f = (size_t)-1;
    for (size_t i = 0; i < r.n_events; i++) {
        if (r.events[i]->op == HS_OP_MALLOC && r.events[i]->u.call.size == 4242)
            m = i;
        if (m != (size_t)-1 && r.events[i]->op == HS_OP_FREE &&
            r.events[i]->u.call.ptr == r.events[m]->u.call.ptr)
            f = i;
    }
    assert_true(m < main_at);
    assert_true(main_at < f && f < r.n_events);
    run_free(&r);
}

/* ---- another allocator preloaded after the tracer ---- */

static void other_allocator(const char *lib)
{
    char preload[1024];
    snprintf(preload, sizeof preload, "%s:%s", HS_TRACER_PATH, lib);
    const char *args[] = {"1000", NULL};
    struct run r;
    run_fixture(&r, preload, NULL, "fx_jemalloc", args);
    assert_true(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0);
    assert_log_sane(&r);
    assert_int_equal(r.logs[0].header->flags & HS_LOG_GLIBC_MALLOC, 0);
    size_t start = find_mark(&r, "start"), end = find_mark(&r, "end");
    assert_true(start < end && end < r.n_events);
    assert_int_equal(count_between(&r, start, end, HS_OP_MALLOC, 24), 1000);
    assert_int_equal(count_between(&r, start, end, HS_OP_FREE, -1), 1000);
    uint64_t usable = fixture_value(&r, "usable");
    for (size_t i = start; i < end; i++) {
        const struct hs_record *e = r.events[i];
        if (e->op == HS_OP_MALLOC || e->op == HS_OP_FREE) {
            assert_true(e->flags & HS_F_NO_CHUNK);
            assert_int_equal(e->u.call.chunk_size, usable);
        }
    }
    /* nothing is inferred from glibc chunk headers for another allocator */
    assert_int_equal(count_op(&r, HS_OP_BRK, HS_ORIGIN_ALLOCATOR), 0);
    run_free(&r);
}

/* Each library is found at configure time; CMake names the package of a
 * missing one and the case is skipped. */
static void test_tracer__jemalloc(void **state)
{
#ifdef HS_JEMALLOC_PATH
    other_allocator(HS_JEMALLOC_PATH);
#else
    skip();
#endif
}

static void test_tracer__tcmalloc(void **state)
{
#ifdef HS_TCMALLOC_PATH
    other_allocator(HS_TCMALLOC_PATH);
#else
    skip();
#endif
}

static void test_tracer__mimalloc(void **state)
{
#ifdef HS_MIMALLOC_PATH
    other_allocator(HS_MIMALLOC_PATH);
#else
    skip();
#endif
}

/* ---- a malloc that re-enters ---- */

static void test_tracer__reentrant_hook(void **state)
{
    char preload[1024];
    snprintf(preload, sizeof preload, "%s:%s", HS_TRACER_PATH, HS_REENTER_SHIM_PATH);
    const char *args[] = {"500", NULL};
    struct run r;
    run_fixture(&r, preload, NULL, "fx_reenter", args);
    assert_true(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0);
    assert_log_sane(&r);
    size_t start = find_mark(&r, "start"), end = find_mark(&r, "end");
    assert_true(start < end && end < r.n_events);
    assert_int_equal(count_between(&r, start, end, HS_OP_MALLOC, 55), 500);
    /* the shim's own nested malloc(48)/free pass through unrecorded */
    assert_int_equal(count_between(&r, start, end, HS_OP_MALLOC, 48), 0);
    assert_int_equal(count_between(&r, start, end, HS_OP_FREE, -1), 500);
    run_free(&r);
}

/* ---- calls the program makes itself ---- */

static void test_tracer__program_calls(void **state)
{
    struct run r;
    run_fixture(&r, NULL, NULL, "fx_sys", NULL);
    assert_true(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0);
    assert_log_sane(&r);
    size_t start = find_mark(&r, "start"), end = find_mark(&r, "end");
    assert_true(start < end && end < r.n_events);
    uint64_t m = fixture_value(&r, "m"), re = fixture_value(&r, "r");
    uint64_t b0 = fixture_value(&r, "b0"), b1 = fixture_value(&r, "b1");

    /* the sequence of program calls, in order (allocator events skipped) */
    const struct hs_record *e[16];
    size_t n = 0;
    for (size_t i = start + 4; i < end && n < 16; i++) /* after the mark's snapshot */
        if (r.events[i]->origin == HS_ORIGIN_PROGRAM)
            e[n++] = r.events[i];
    assert_int_equal(n, 13);
    assert_int_equal(e[0]->op, HS_OP_MMAP);
    assert_int_equal(e[0]->u.call.ptr, m);
    assert_int_equal(e[0]->u.call.size, 1 << 20);
    assert_int_equal(e[0]->u.call.chunk_size, (3ull << 32) | 0x22); /* RW, PRIVATE|ANON */
    assert_int_equal(e[1]->op, HS_OP_MREMAP);
    assert_int_equal(e[1]->u.call.ptr, re);
    assert_int_equal(e[1]->u.call.old_ptr, m);
    assert_int_equal(e[1]->u.call.size, 2 << 20);
    assert_int_equal(e[1]->u.call.chunk_size, 1 << 20);
    assert_int_equal(e[2]->op, HS_OP_MUNMAP);
    assert_int_equal(e[2]->u.call.ptr, re);
    assert_int_equal(e[2]->u.call.size, 2 << 20);
    assert_int_equal(e[3]->op, HS_OP_SBRK); /* sbrk(0) */
    assert_int_equal(e[3]->u.call.ptr, b0);
    assert_int_equal(e[3]->u.call.size, 0);
    assert_int_equal(e[4]->op, HS_OP_SBRK); /* sbrk(8192) */
    assert_int_equal(e[4]->u.call.old_ptr, b0);
    assert_int_equal(e[4]->u.call.ptr, b0 + 8192);
    assert_int_equal(e[4]->u.call.size, 8192);
    assert_int_equal(e[5]->op, HS_OP_SBRK); /* sbrk(0) */
    assert_int_equal(e[5]->u.call.ptr, b1);
    assert_int_equal(e[6]->op, HS_OP_BRK);
    assert_int_equal(e[6]->u.call.old_ptr, b1);
    assert_int_equal(e[6]->u.call.ptr, b0);
    assert_int_equal(e[7]->op, HS_OP_MALLOPT);
    assert_int_equal(e[7]->u.call.old_ptr, M_MMAP_THRESHOLD);
    assert_int_equal(e[7]->u.call.size, 1 << 20);
    assert_int_equal(e[8]->op, HS_OP_MALLOC);
    assert_int_equal(e[8]->u.call.size, 300000);
    assert_int_equal(e[8]->flags & HS_CHUNK_IS_MMAPPED, 0); /* the threshold took */
    assert_int_equal(e[9]->op, HS_OP_FREE);
    assert_int_equal(e[10]->op, HS_OP_MALLOC_TRIM);
    assert_int_equal(e[10]->flags & 1, fixture_value(&r, "trimmed") ? 1 : 0);
    assert_int_equal(e[11]->op, HS_OP_PVALLOC);
    assert_int_equal(e[11]->u.call.ptr % 4096, 0);
    assert_int_equal(e[11]->u.call.chunk_size, 4096 + 0x10); /* a page plus the header */
    assert_int_equal(e[12]->op, HS_OP_FREE);

    /* the program's own break moves are not inferred a second time; the
     * 300000-byte malloc grew the heap, and its free (or the trim) shrank it */
    size_t n_brk = 0;
    for (size_t i = start; i < end; i++)
        if (r.events[i]->op == HS_OP_BRK && r.events[i]->origin == HS_ORIGIN_ALLOCATOR) {
            assert_true(r.events[i]->u.call.ptr != b0 + 8192);
            n_brk++;
        }
    assert_true(n_brk >= 2);
    assert_int_equal(count_between(&r, start, end, HS_OP_MMAP, -1), 1);
    run_free(&r);
}

/* ---- configuration: inert, unusable directory, event limit ---- */

static void test_tracer__inert_without_logdir(void **state)
{
    const char *env[] = {"HS_LOGDIR=", NULL};
    const char *args[] = {"100", NULL};
    struct run r;
    run_fixture_env(&r, NULL, "fx_reenter", args, env);
    assert_true(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0);
    assert_int_equal(r.n_logs, 0);
    assert_string_equal(r.err, ""); /* not asked to trace: silent */
    run_free(&r);
}

static void test_tracer__unusable_logdir(void **state)
{
    const char *env[] = {"HS_LOGDIR=/nonexistent-heapscope-dir", NULL};
    const char *args[] = {"100", NULL};
    struct run r;
    run_fixture_env(&r, NULL, "fx_reenter", args, env);
    assert_true(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0);
    assert_int_equal(r.n_logs, 0);
    assert_string_equal(r.err, "heapscope-tracer: cannot open HS_LOGDIR "
                               "'/nonexistent-heapscope-dir': No such file or directory "
                               "(tracing disabled)\n");
    run_free(&r);
}

/* Under heapscope record (HS_RING=1) a missing directory means the recorder
 * finished and removed it: a process left behind runs untraced, silently. */
static void test_tracer__recorder_gone_is_silent(void **state)
{
    const char *env[] = {"HS_LOGDIR=/nonexistent-heapscope-dir", "HS_RING=1", NULL};
    const char *args[] = {"100", NULL};
    struct run r;
    run_fixture_env(&r, NULL, "fx_reenter", args, env);
    assert_true(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0);
    assert_int_equal(r.n_logs, 0);
    assert_string_equal(r.err, "");
    run_free(&r);
}

static void test_tracer__event_limit(void **state)
{
    const char *env[] = {"HS_LOG_MAX_EVENTS=50", NULL};
    const char *args[] = {"1000", NULL};
    struct run r;
    run_fixture_env(&r, NULL, "fx_reenter", args, env);
    assert_true(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0);
    assert_int_equal(r.n_logs, 1);
    assert_int_equal(r.logs[0].n_committed, 50);
    assert_int_equal(r.n_events, 50);
    assert_true(r.logs[0].header->flags & HS_LOG_FULL);
    assert_int_equal(r.logs[0].header->n_reserved, 51); /* the slot that hit the limit */
    assert_string_equal(r.err, "heapscope-tracer: log reached HS_LOG_MAX_EVENTS or its size "
                               "limit (later events dropped)\n");
    run_free(&r);
}

static void test_tracer__program_closes_log_fd(void **state)
{
    const char *args[] = {"70000", NULL};
    struct run r;
    run_fixture(&r, NULL, NULL, "fx_closefds", args);
    assert_true(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0);
    assert_int_equal(fixture_value(&r, "fd"), 3); /* the lowest number, reused */
    char path[600];
    snprintf(path, sizeof path, "%s/user.txt", r.dir);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_size, 5); /* never fallocated by the tracer */
    assert_int_equal(r.n_logs, 1);
    assert_true(r.logs[0].header->flags & HS_LOG_DISABLED);
    assert_int_equal(r.logs[0].n_committed, 65536); /* the first segment, full */
    assert_string_equal(r.err, "heapscope-tracer: the program closed the log's file descriptor "
                               "(later events dropped)\n");
    run_free(&r);
}

/* ---- ring mode (HS_RING=1: the recorder drains a fixed-size ring) ---- */

/* A single-threaded run in a ring of 1024 records: 150 laps. Every event
 * arrives once, in order; converted timestamps are CLOCK_MONOTONIC,
 * non-decreasing in seq order and inside the run. */
static void test_tracer_ring__wraps_exact(void **state)
{
    const char *args[] = {"none", "100000", NULL};
    const char *env[] = {"HS_RING_RECORDS=1024", NULL};
    struct run r;
    run_fixture_env(&r, NULL, "fx_crash", args, env);
    assert_true(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 4);
    assert_log_sane(&r);
    assert_int_equal(r.n_logs, 1);
    assert_int_equal(r.n_rings_left, 0);
    size_t start = find_mark(&r, "start"), dying = find_mark(&r, "dying");
    assert_true(start < dying && dying < r.n_events);
    assert_int_equal(count_between(&r, start, dying, HS_OP_MALLOC, 32), 100000);
    assert_int_equal(count_between(&r, start, dying, HS_OP_FREE, -1), 50000);
    assert_int_equal(count_op(&r, HS_OP_EXIT, -1), 1);
    assert_int_equal(r.logs[0].header->n_reserved, r.n_events);
    assert_memory_equal(r.logs[0].header->magic, HS_LOG_MAGIC, 8);
    for (size_t i = 0; i < r.n_events; i++) {
        assert_int_equal(r.events[i]->seq, r.events[0]->seq + i); /* one process: no gaps */
        assert_true(r.events[i]->ts_ns >= r.t_start && r.events[i]->ts_ns <= r.t_end);
        if (i)
            assert_true(r.events[i]->ts_ns >= r.events[i - 1]->ts_ns);
    }
    assert_true(r.logs[0].header->start_mono_ns <= r.events[0]->ts_ns);
    run_free(&r);
}

/* Timestamps are CLOCK_MONOTONIC: each malloc(48) of fx_clock lies between
 * the clock readings the fixture took 2 us before and after it (in ring
 * mode: raw TSC converted by the drainer). */
static void test_tracer__timestamps_are_monotonic_clock(void **state)
{
    const char *args[] = {"60", NULL}; /* 120 lines: within struct run's stdout */
    struct run r;
    run_fixture(&r, NULL, NULL, "fx_clock", args);
    assert_true(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0);
    assert_log_sane(&r);
    size_t k = 0;
    for (size_t i = 0; i < r.n_events; i++) {
        const struct hs_record *e = r.events[i];
        if (e->op != HS_OP_MALLOC || e->u.call.size != 48)
            continue;
        char before[16], after[16];
        snprintf(before, sizeof before, "t%zu", 2 * k);
        snprintf(after, sizeof after, "t%zu", 2 * k + 1);
        uint64_t t0 = fixture_value(&r, before), t1 = fixture_value(&r, after);
        if (e->ts_ns < t0 || e->ts_ns > t1)
            fail_msg("malloc %zu at %llu ns, outside [%llu, %llu]", k, (unsigned long long)e->ts_ns,
                     (unsigned long long)t0, (unsigned long long)t1);
        k++;
    }
    assert_int_equal(k, 60);
    run_free(&r);
}

/* No recorder drains the ring (HS_RING=1 set by hand): the writer waits
 * HS_RING_WAIT_MS for room, then gives up; the program runs to its end. */
static void test_tracer_ring__no_recorder(void **state)
{
    const char *args[] = {"none", "5000", NULL};
    const char *env[] = {"HS_RING=1", "HS_RING_RECORDS=1024", "HS_RING_WAIT_MS=300", NULL};
    struct run r;
    run_fixture_env(&r, NULL, "fx_crash", args, env);
    assert_true(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 4);
    assert_int_equal(r.n_logs, 0);
    assert_int_equal(r.n_rings_left, 1);
    assert_string_equal(r.err, "heapscope-tracer: the recorder does not drain the ring "
                               "(heapscope record gone or hung; later events dropped)\n");
    char path[600] = "";
    DIR *dir = opendir(r.dir);
    for (struct dirent *e; dir && (e = readdir(dir));)
        if (strstr(e->d_name, ".0.ring"))
            snprintf(path, sizeof path, "%s/%s", r.dir, e->d_name);
    closedir(dir);
    int fd = open(path, O_RDONLY);
    assert_true(fd >= 0);
    struct hs_log_header h;
    struct hs_ring_control ctl;
    struct hs_record last;
    assert_int_equal(pread(fd, &h, sizeof h, 0), sizeof h);
    assert_int_equal(pread(fd, &ctl, sizeof ctl, HS_LOG_HEADER_SIZE), sizeof ctl);
    assert_int_equal(pread(fd, &last, sizeof last, HS_RING_PREFIX_SIZE + 1023 * HS_RECORD_SIZE),
                     sizeof last);
    close(fd);
    assert_memory_equal(h.magic, HS_RING_MAGIC, 8);
    assert_true(h.flags & HS_LOG_DISABLED);
    assert_int_equal(h.n_reserved, 1025); /* slot 1024 waited, then was abandoned */
    assert_int_equal(ctl.capacity, 1024);
    assert_int_equal(ctl.abandoned, 1024);
    assert_int_equal(ctl.drain_state, HS_DRAIN_NONE);
    assert_int_equal(ctl.consumed, 0);
    assert_int_not_equal(last.op, 0); /* the ring itself was filled */
    run_free(&r);
}

static int ring_setup(void **state)
{
    (void)state;
    harness_ring = 1;
    harness_ring_records = 512; /* every case below wraps the ring */
    return 0;
}

static int ring_teardown(void **state)
{
    (void)state;
    harness_ring = 0;
    harness_ring_records = 0;
    return 0;
}

static int no_ring(void **state)
{
    (void)state;
    harness_ring = 0;
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tracer__basic),
        cmocka_unit_test(test_tracer__inferred_equals_strace),
        cmocka_unit_test(test_tracer__exit_status_returned_from_main),
        cmocka_unit_test(test_tracer__exit_status_of_exit),
        cmocka_unit_test(test_tracer__crash_segv),
        cmocka_unit_test(test_tracer__crash_abort),
        cmocka_unit_test(test_tracer__crash_exit),
        cmocka_unit_test(test_tracer__crash_kill),
        cmocka_unit_test(test_tracer__threads),
        cmocka_unit_test(test_tracer__threads_without_async),
        cmocka_unit_test(test_tracer__arena_heaps_vs_strace),
        cmocka_unit_test(test_tracer__fork),
        cmocka_unit_test(test_tracer__exec),
        cmocka_unit_test(test_tracer__constructor),
        cmocka_unit_test(test_tracer__jemalloc),
        cmocka_unit_test(test_tracer__tcmalloc),
        cmocka_unit_test(test_tracer__mimalloc),
        cmocka_unit_test(test_tracer__reentrant_hook),
        cmocka_unit_test(test_tracer__program_calls),
        cmocka_unit_test(test_tracer__inert_without_logdir),
        cmocka_unit_test(test_tracer__unusable_logdir),
        cmocka_unit_test(test_tracer__recorder_gone_is_silent),
        cmocka_unit_test(test_tracer__event_limit),
        cmocka_unit_test(test_tracer__program_closes_log_fd),
        cmocka_unit_test(test_tracer__timestamps_are_monotonic_clock),
    };
    /* The same cases in ring mode, drained by analyzer/lib/drain.c. */
    const struct CMUnitTest ring_tests[] = {
        cmocka_unit_test(test_tracer__basic),
        cmocka_unit_test(test_tracer__crash_segv),
        cmocka_unit_test(test_tracer__crash_abort),
        cmocka_unit_test(test_tracer__crash_exit),
        cmocka_unit_test(test_tracer__crash_kill),
        cmocka_unit_test(test_tracer__threads),
        cmocka_unit_test(test_tracer__fork),
        cmocka_unit_test(test_tracer__exec),
        cmocka_unit_test(test_tracer__constructor),
        cmocka_unit_test(test_tracer__jemalloc),
        cmocka_unit_test(test_tracer__reentrant_hook),
        cmocka_unit_test(test_tracer__program_calls),
        cmocka_unit_test(test_tracer__event_limit),
        cmocka_unit_test(test_tracer_ring__wraps_exact),
        cmocka_unit_test(test_tracer__timestamps_are_monotonic_clock),
        cmocka_unit_test_setup(test_tracer_ring__no_recorder, no_ring),
    };
    int failed = cmocka_run_group_tests_name("tracer", tests, NULL, NULL);
    return failed +
           cmocka_run_group_tests_name("tracer-ring", ring_tests, ring_setup, ring_teardown);
}
