/*
 * test_faults_record.c - page faults end to end: `heapscope record` runs a
 * fixture (fx_faults), the trace database is queried with SQLite and
 * `heapscope faults --json` is checked against the fixture's own ranges.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/magic.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "faults_check.h"

struct rec {
    char dir[256], db_path[300], ranges_path[300], err_path[300];
    struct fx_range ranges[8];
    int n_ranges;
    int status;
    sqlite3 *db;
};

/* Runs [fx_noperf] heapscope record [flag] -o DB -- fx_faults RANGES mode [arg]. */
static void record(struct rec *r, int noperf, const char *flag, const char *mode, const char *arg)
{
    memset(r, 0, sizeof *r);
    snprintf(r->dir, sizeof r->dir, "%s/record.XXXXXX", HS_TEST_TMP);
    assert_non_null(mkdtemp(r->dir));
    snprintf(r->db_path, sizeof r->db_path, "%s/t.db", r->dir);
    snprintf(r->ranges_path, sizeof r->ranges_path, "%s/ranges", r->dir);
    snprintf(r->err_path, sizeof r->err_path, "%s/stderr", r->dir);
    const char *argv[16];
    int n = 0;
    if (noperf)
        argv[n++] = FX_NOPERF;
    argv[n++] = HEAPSCOPE;
    argv[n++] = "record";
    if (flag)
        argv[n++] = flag;
    argv[n++] = "-o";
    argv[n++] = r->db_path;
    argv[n++] = "--";
    argv[n++] = FX_FAULTS;
    argv[n++] = r->ranges_path;
    argv[n++] = mode;
    if (arg)
        argv[n++] = arg;
    argv[n] = NULL;
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        if (!freopen(r->err_path, "w", stderr) || !freopen("/dev/null", "w", stdout))
            _exit(125);
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    assert_int_equal(waitpid(pid, &r->status, 0), pid);
    r->n_ranges = fx_read_ranges(r->ranges_path, r->ranges, 8);
    assert_int_equal(sqlite3_open_v2(r->db_path, &r->db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
}

static void done(struct rec *r)
{
    sqlite3_close(r->db);
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", r->dir);
    assert_int_equal(system(cmd), 0);
}

/* The single integer a query returns (-1 for NULL or no row). */
static long long q(struct rec *r, const char *fmt, ...)
{
    char sql[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(sql, sizeof sql, fmt, ap);
    va_end(ap);
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(r->db, sql, -1, &s, NULL) != SQLITE_OK)
        fail_msg("%s: %s", sql, sqlite3_errmsg(r->db));
    long long v = -1;
    if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL)
        v = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    return v;
}

/* Output of `heapscope faults DB ARGS` (caller frees). */
static char *faults_output(struct rec *r, const char *args)
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "'%s' faults '%s' %s", HEAPSCOPE, r->db_path, args);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    n = fread(buf, 1, cap - 1, p);
    buf[n] = '\0';
    assert_int_equal(pclose(p), 0);
    return buf;
}

/* The number after `"key": ` following `"region": "name"` etc. */
static long long json_after(const char *json, const char *anchor, const char *key)
{
    const char *a = strstr(json, anchor);
    if (!a)
        return -1;
    const char *k = strstr(a, key);
    return k ? strtoll(k + strlen(key), NULL, 10) : -1;
}

#define IN_RANGE(rg)                                                                               \
    "addr >= %llu AND addr < %llu", (unsigned long long)(rg).start, (unsigned long long)(rg).end

static void test_faults_record__touch_256_pages(void **state)
{
    struct rec r;
    record(&r, 0, NULL, "touch", NULL);
    assert_true(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0);
    assert_int_equal(r.n_ranges, 1);
    char where[200];
    snprintf(where, sizeof where, IN_RANGE(r.ranges[0]));
    assert_int_equal(q(&r, "SELECT count(*) FROM faults WHERE %s", where), 256);
    assert_int_equal(q(&r,
                       "SELECT count(*) FROM faults WHERE %s AND region = 'mmap'"
                       " AND touch = 'first' AND major = 0 AND tid = %d",
                       where, r.ranges[0].tid),
                     256);
    /* Placed after the program's mmap of that range. */
    long long mmap_seq = q(&r, "SELECT seq FROM sys_events WHERE op = 15 AND ptr = %llu",
                           (unsigned long long)r.ranges[0].start);
    assert_true(mmap_seq > 0);
    assert_true(q(&r, "SELECT min(after_seq) FROM faults WHERE %s", where) >= mmap_seq);
    assert_int_equal(q(&r,
                       "SELECT count(*) FROM events WHERE op = 'page_fault' AND seq > %lld"
                       " AND ptr >= %llu AND ptr < %llu",
                       mmap_seq, (unsigned long long)r.ranges[0].start,
                       (unsigned long long)r.ranges[0].end),
                     256);
    assert_int_equal(q(&r, "SELECT value = 'perf' FROM meta WHERE key = 'faults_source'"), 1);
    char *json = faults_output(&r, "--json");
    long long total = q(&r, "SELECT count(*) FROM faults");
    assert_int_equal(json_after(json, "\"total\"", "\"total\": "), total);
    long long mmap_all = q(&r, "SELECT count(*) FROM faults WHERE region = 'mmap'");
    assert_int_equal(json_after(json, "\"region\": \"mmap\"", "\"faults\": "), mmap_all);
    assert_true(mmap_all >= 256);
    /* getrusage = samples + the pages the tracer faulted in for its log +
     * a few kernel-side faults (execve's argv copy, fork to exec, the
     * tracer's read of /proc/self/maps): about 35 here, whatever the load.
     * Ring mode (the default under record) faults its whole ring in once,
     * at start: HS_RING_PREFAULT_PAGES, exactly. A linear log (HS_RING=0)
     * populates its first segment at start (1025 pages) and the next two on
     * an io_uring worker, which getrusage counts or not depending on how far
     * the worker got before the exit snapshot: up to 2048 more pages. */
    long long ru = q(&r, "SELECT minflt + majflt FROM mallinfo WHERE kind = 'exit'");
    long long until_exit = q(&r, "SELECT count(*) FROM faults WHERE ts_ns <="
                                 " (SELECT ts_ns FROM mallinfo WHERE kind = 'exit')");
    long long lost = q(&r, "SELECT value FROM meta WHERE key = 'faults_lost'");
    assert_int_equal(json_after(json, "\"processes\"", "\"samples_at_exit\": "), until_exit);
    long long log_pages = json_after(json, "\"processes\"", "\"log_prefault_pages\": ");
    int ring = q(&r, "SELECT log_flags & %u FROM processes", HS_LOG_RING) != 0;
    assert_int_equal(log_pages, ring ? HS_RING_PREFAULT_PAGES : 1025);
    long long async_pages = ring ? 0 : 2048;
    long long kernel_side = ru - until_exit - lost - log_pages;
    /* Every sampled fault is one getrusage counted too. The log pages are
     * an upper estimate only: on some kernels (6.18 here) the ring's
     * prefault is counted as far fewer faults than it has pages, so the
     * lower bound leaves them out. */
    assert_true(ru - until_exit - lost >= 0);
    assert_true(kernel_side < 100 + async_pages);
    free(json);
    done(&r);
}

static void test_faults_record__remap_refaults(void **state)
{
    struct rec r;
    record(&r, 0, NULL, "remap", NULL);
    assert_int_equal(r.n_ranges, 2);
    char first[200], second[200];
    snprintf(first, sizeof first, IN_RANGE(r.ranges[0]));
    snprintf(second, sizeof second, IN_RANGE(r.ranges[1]));
    assert_int_equal(q(&r, "SELECT count(*) FROM faults WHERE %s AND touch = 'first'", first), 256);
    assert_int_equal(q(&r,
                       "SELECT count(*) FROM faults WHERE %s AND after_seq >="
                       " (SELECT seq FROM sys_events WHERE op = 16)",
                       second),
                     256);
    if (r.ranges[0].start == r.ranges[1].start)
        assert_int_equal(
            q(&r, "SELECT count(*) FROM faults WHERE %s AND touch = 'refault'", second), 256);
    else
        assert_int_equal(q(&r, "SELECT count(*) FROM faults WHERE %s AND touch = 'first'", second),
                         256);
    /* Faults before the first mark: exactly the first touch in 'mmap'. */
    char *json = faults_output(&r, "--json --mark first-touched");
    assert_int_equal(json_after(json, "\"by_region\"", "\"region\": \"mmap\", \"faults\": "), 256);
    free(json);
    char at[64];
    snprintf(at, sizeof at, "--json --at %lld", q(&r, "SELECT seq FROM sys_events WHERE op = 16"));
    json = faults_output(&r, at);
    assert_int_equal(json_after(json, "\"by_region\"", "\"region\": \"mmap\", \"faults\": "), 256);
    free(json);
    /* The phase between the marks holds the second touch. */
    json = faults_output(&r, "--json");
    assert_int_equal(
        json_after(json, "\"from\": \"first-touched\"", "\"region\": \"mmap\", \"faults\": "), 256);
    free(json);
    done(&r);
}

static void test_faults_record__heap_reuse_faults_once(void **state)
{
    struct rec r;
    record(&r, 0, NULL, "heap", NULL);
    assert_int_equal(r.n_ranges, 2);
    assert_true(r.ranges[0].start == r.ranges[1].start);
    char where[200];
    snprintf(where, sizeof where, IN_RANGE(r.ranges[0]));
    long long first_seq =
        q(&r, "SELECT min(alloc_seq) FROM blocks WHERE ptr = %llu AND size = 1048576",
          (unsigned long long)r.ranges[0].start);
    long long second_seq =
        q(&r, "SELECT max(alloc_seq) FROM blocks WHERE ptr = %llu AND size = 1048576",
          (unsigned long long)r.ranges[0].start);
    assert_true(first_seq > 0 && second_seq > first_seq);
    /* The chunk starts 16 bytes into a page malloc already wrote (the
     * header), so the first touch faults the other 255 pages, on the heap
     * and charged to the first block. */
    assert_int_equal(q(&r,
                       "SELECT count(*) FROM faults WHERE %s AND region = 'heap'"
                       " AND touch = 'first' AND block_seq = %lld",
                       where, first_seq),
                     255);
    /* The second malloc gets the same, already-faulted pages. */
    assert_int_equal(
        q(&r, "SELECT count(*) FROM faults WHERE %s AND after_seq >= %lld", where, second_seq), 0);
    assert_int_equal(q(&r, "SELECT count(*) FROM faults WHERE block_seq = %lld", second_seq), 0);
    done(&r);
}

static void test_faults_record__trim_refaults(void **state)
{
    struct rec r;
    record(&r, 0, NULL, "trim", NULL);
    assert_int_equal(r.n_ranges, 2);
    assert_true(r.ranges[0].start == r.ranges[1].start);
    char where[200];
    snprintf(where, sizeof where, IN_RANGE(r.ranges[0]));
    long long second_seq =
        q(&r, "SELECT max(alloc_seq) FROM blocks WHERE ptr = %llu AND size = 1048576",
          (unsigned long long)r.ranges[0].start);
    /* free() trimmed the heap: the lowest break between the two mallocs. */
    long long trimmed = q(&r,
                          "SELECT min(ptr) FROM sys_events WHERE op = 13 AND seq < %lld"
                          " AND seq > (SELECT min(alloc_seq) FROM blocks WHERE ptr = %llu)",
                          second_seq, (unsigned long long)r.ranges[0].start);
    assert_true(trimmed > (long long)r.ranges[0].start);
    assert_true(trimmed < (long long)r.ranges[0].end);
    /* The touch writes at start + 4096 k; the pages at or above the trimmed
     * break were given back and fault again, the others stayed. */
    long long expect = 0;
    for (uint64_t a = r.ranges[0].start; a < r.ranges[0].end; a += 4096)
        expect += a >= (uint64_t)trimmed;
    assert_true(expect > 200);
    assert_int_equal(
        q(&r, "SELECT count(*) FROM faults WHERE %s AND after_seq >= %lld", where, second_seq),
        expect);
    assert_int_equal(q(&r,
                       "SELECT count(*) FROM faults WHERE %s AND after_seq >= %lld"
                       " AND region = 'heap' AND touch = 'refault' AND block_seq = %lld",
                       where, second_seq, second_seq),
                     expect);
    done(&r);
}

/* The block's chunk: [ptr - 16, ptr - 16 + chunk_size), and the page size. */
struct chunk {
    long long alloc_seq, start, end, page;
};

static struct chunk chunk_of(struct rec *r, const struct fx_range *rg)
{
    struct chunk c;
    c.alloc_seq = q(r, "SELECT alloc_seq FROM blocks WHERE ptr = %llu AND size = %llu",
                    (unsigned long long)rg->start, (unsigned long long)(rg->end - rg->start));
    assert_true(c.alloc_seq > 0);
    c.start = (long long)rg->start - 16;
    c.end = c.start + q(r, "SELECT chunk_size FROM blocks WHERE alloc_seq = %lld", c.alloc_seq);
    c.page = q(r, "SELECT page_size FROM processes");
    assert_true(c.page > 0);
    return c;
}

/* malloc(1 MiB) is an mmapped chunk: malloc writes its header on the
 * mapping's first page before the tracer records the inferred mmap and
 * then the malloc. memset faults the other pages. Every page of the
 * chunk (the whole mapping) counts for the block. */
/* malloc_trim's madvise gives back the pages of a free chunk inside the
 * heap; the trace has no event per page, but the malloc_trim (returning
 * 1) makes the heap's later faults refaults, not repeats. */
static void test_faults_record__malloc_trim_refaults(void **state)
{
    struct rec r;
    record(&r, 0, NULL, "mtrim", NULL);
    assert_true(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0);
    assert_int_equal(r.n_ranges, 2);
    assert_true(r.ranges[0].start == r.ranges[1].start);
    char where[200];
    snprintf(where, sizeof where, IN_RANGE(r.ranges[0]));
    long long second_seq =
        q(&r, "SELECT max(alloc_seq) FROM blocks WHERE ptr = %llu AND size = 1048576",
          (unsigned long long)r.ranges[0].start);
    long long after = q(&r, "SELECT count(*) FROM faults WHERE %s AND after_seq >= %lld", where,
                        second_seq);
    assert_true(after > 200); /* the chunk's whole pages, but for its first */
    assert_int_equal(q(&r,
                       "SELECT count(*) FROM faults WHERE %s AND after_seq >= %lld"
                       " AND touch = 'refault'",
                       where, second_seq),
                     after);
    done(&r);
}

/* The block of chunk c (its user range r->ranges[0]) got exactly `pages`
 * faults, all in region, among them its header's, raised by the allocating
 * call before the allocator's inferred event at seq `inferred`. */
static void block_has_its_pages(struct rec *r, const struct chunk *c, const char *region,
                                long long inferred, long long pages)
{
    assert_int_equal(q(r,
                       "SELECT count(*) FROM faults WHERE addr >= %lld AND addr < %lld"
                       " AND region = '%s' AND block_seq = %lld",
                       c->start, c->end, region, c->alloc_seq),
                     pages);
    assert_int_equal(q(r,
                       "SELECT count(*) FROM faults WHERE addr >= %lld AND addr < %lld"
                       " AND after_seq < %lld AND block_seq = %lld",
                       c->start, (long long)r->ranges[0].start, inferred, c->alloc_seq),
                     1);
    assert_int_equal(q(r, "SELECT count(*) FROM faults WHERE block_seq = %lld", c->alloc_seq),
                     pages);
}

static void test_faults_record__mmapped_block_gets_its_header_page(void **state)
{
    struct rec r;
    record(&r, 0, NULL, "bigblock", NULL);
    assert_true(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0);
    assert_int_equal(r.n_ranges, 1);
    struct chunk c = chunk_of(&r, &r.ranges[0]);
    long long pages = (c.end - c.start) / c.page; /* 257 with 4 KiB pages */
    assert_int_equal(c.start % c.page, 0);
    assert_int_equal(pages * c.page, c.end - c.start);
    long long mmap_seq = q(&r,
                           "SELECT seq FROM sys_events WHERE op = 15 AND origin = 1"
                           " AND ptr = %lld",
                           c.start);
    assert_true(mmap_seq > 0 && mmap_seq < c.alloc_seq);
    assert_int_equal(
        q(&r, "SELECT count(*) FROM faults WHERE addr >= %lld AND addr < %lld", c.start, c.end),
        pages);
    block_has_its_pages(&r, &c, "mmap", mmap_seq, pages);
    done(&r);
}

/* A heap block whose chunk header sits alone at the end of a page (ptr on
 * a page boundary), in a new top chunk glibc made with the malloc that
 * returned the block: the header's fault comes before the inferred brk and
 * the malloc, and counts for the block; the new top's header, written
 * right after the chunk by the same malloc, is not the block's. */
static void test_faults_record__brk_block_gets_its_header_page(void **state)
{
    struct rec r;
    record(&r, 0, NULL, "brkhead", NULL);
    assert_true(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0);
    assert_int_equal(r.n_ranges, 1);
    struct chunk c = chunk_of(&r, &r.ranges[0]);
    assert_int_equal(r.ranges[0].start % c.page, 0);
    assert_int_equal(c.end % c.page, 0);
    long long pages = (c.end - c.start + c.page - 1) / c.page; /* 65: the header's + 64 */
    long long brk_seq = q(&r,
                          "SELECT max(seq) FROM sys_events WHERE op = 13 AND origin = 1"
                          " AND seq < %lld",
                          c.alloc_seq);
    assert_int_equal(brk_seq, c.alloc_seq - 1);
    block_has_its_pages(&r, &c, "heap", brk_seq, pages);
    assert_int_equal(q(&r,
                       "SELECT count(*) FROM faults WHERE addr >= %lld AND addr < %lld"
                       " AND block_seq IS NULL",
                       c.end, c.end + 16),
                     1);
    done(&r);
}

/* calloc, realloc and memalign: every fault in the chunk raised by the
 * call (placed after the program's event before it) counts for the block
 * the call returned, the ones raised before the inferred brk or mmap that
 * the tracer records just before the call included. */
static void test_faults_record__allocating_calls_get_their_faults(void **state)
{
    struct rec r;
    record(&r, 0, NULL, "calls", NULL);
    assert_true(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0);
    assert_int_equal(r.n_ranges, 4);
    for (int i = 1; i < 4; i++) {
        struct chunk c = chunk_of(&r, &r.ranges[i]);
        long long before = q(&r,
                             "SELECT max(seq) FROM events_traced WHERE origin = 'program'"
                             " AND seq < %lld",
                             c.alloc_seq);
        long long inferred = q(&r,
                               "SELECT min(seq) FROM events_traced WHERE origin = 'allocator'"
                               " AND seq > %lld AND seq < %lld",
                               before, c.alloc_seq);
        long long raised = q(&r,
                             "SELECT count(*) FROM faults WHERE addr >= %lld AND addr < %lld"
                             " AND after_seq >= %lld",
                             c.start, c.end, before);
        assert_int_equal(q(&r, "SELECT count(*) FROM faults WHERE block_seq = %lld", c.alloc_seq),
                         raised);
        /* the call grew the heap or mapped its chunk. (Whether one of its
         * faults lands before that inferred event depends on the clocks'
         * microseconds: the count above holds either way.) */
        assert_true(inferred > 0);
        if (q(&r, "SELECT value FROM meta WHERE key = 'faults_lost'") != 0)
            continue; /* the kernel dropped samples (a busy machine): no exact counts */
        if (strcmp(r.ranges[i].name, "realloc") == 0) /* the copy, then memset */
            assert_int_equal(raised, (c.end - c.start) / c.page);
        if (strcmp(r.ranges[i].name, "memalign") == 0) {
            /* the header's page, then memset; but when the mapping starts
             * on the chunk header's page (the leader is shorter than a
             * page: one run in sixteen or so, by where mmap put it), that
             * page faulted at the mapping's start, below the chunk, which
             * is not the block's */
            long long map_start = q(&r,
                                    "SELECT ptr FROM events_traced WHERE op = 'mmap'"
                                    " AND origin = 'allocator' AND seq > %lld AND seq < %lld",
                                    before, c.alloc_seq);
            long long pages = ((long long)r.ranges[i].end - 1) / c.page - c.start / c.page + 1;
            assert_int_equal(raised, pages - (map_start / c.page == c.start / c.page));
        }
    }
    done(&r);
}

static void test_faults_record__threads_per_tid(void **state)
{
    struct rec r;
    record(&r, 0, NULL, "threads", "40");
    assert_int_equal(r.n_ranges, 4);
    for (int i = 0; i < 4; i++) {
        char where[200];
        snprintf(where, sizeof where, IN_RANGE(r.ranges[i]));
        assert_int_equal(q(&r,
                           "SELECT count(*) FROM faults WHERE %s AND tid = %d AND region = 'mmap'",
                           where, r.ranges[i].tid),
                         40);
        assert_int_equal(q(&r, "SELECT count(*) FROM faults WHERE %s", where), 40);
    }
    done(&r);
}

static void test_faults_record__thread_heap_block(void **state)
{
    struct rec r;
    record(&r, 0, NULL, "arena", NULL);
    assert_int_equal(r.n_ranges, 1);
    char where[200];
    snprintf(where, sizeof where, IN_RANGE(r.ranges[0]));
    long long block = q(&r, "SELECT alloc_seq FROM blocks WHERE ptr = %llu AND size = 100000",
                        (unsigned long long)r.ranges[0].start);
    assert_true(block > 0);
    /* The heap of the thread's arena came from an allocator mmap of 64 MiB. */
    assert_int_equal(q(&r,
                       "SELECT count(*) FROM sys_events WHERE op = 15 AND origin = 1"
                       " AND size = 67108864 AND ptr <= %llu AND ptr + size > %llu",
                       (unsigned long long)r.ranges[0].start,
                       (unsigned long long)r.ranges[0].start),
                     1);
    /* The block's first page was already written by malloc (its header):
     * the touch faults one page per 4096 bytes after it. */
    long long pages = (100000 - 1) / 4096;
    assert_int_equal(q(&r, "SELECT count(*) FROM faults WHERE %s", where), pages);
    assert_int_equal(q(&r,
                       "SELECT count(*) FROM faults WHERE %s AND region = 'thread-heap'"
                       " AND touch = 'first' AND block_seq = %lld AND tid = %d AND by_libc = 0",
                       where, block, r.ranges[0].tid),
                     pages);
    done(&r);
}

static void test_faults_record__crash_keeps_faults(void **state)
{
    struct rec r;
    record(&r, 0, NULL, "crash", NULL);
    assert_true(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 128 + 11);
    assert_int_equal(r.n_ranges, 1);
    char where[200];
    snprintf(where, sizeof where, IN_RANGE(r.ranges[0]));
    assert_int_equal(q(&r, "SELECT count(*) FROM faults WHERE %s AND region = 'mmap'", where), 256);
    done(&r);
}

static void test_faults_record__major_faults(void **state)
{
    struct rec r;
    record(&r, 0, NULL, "major", NULL);
    assert_true(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0);
    assert_int_equal(r.n_ranges, 3);
    char where[200];
    snprintf(where, sizeof where, IN_RANGE(r.ranges[0]));
    assert_int_equal(q(&r, "SELECT count(*) FROM faults WHERE %s AND region = 'mmap'", where), 256);
    /* On tmpfs the file's pages are the page cache: nothing to read back.
     * Elsewhere the pages the fixture could evict (256 - "resident", from
     * mincore) are read from the disk: major faults, nearly all (the kernel
     * may still count a few as minor, e.g. a fault retried once the read
     * completed while another thread held mmap_lock). perf's major/minor
     * split is the kernel's own accounting: the samples must match the
     * thread's getrusage delta ("majflt") exactly. */
    struct statfs fs;
    assert_int_equal(statfs(r.dir, &fs), 0);
    assert_string_equal(r.ranges[1].name, "resident");
    assert_string_equal(r.ranges[2].name, "majflt");
    long long resident = (long long)(r.ranges[1].end - r.ranges[1].start);
    long long majflt = (long long)(r.ranges[2].end - r.ranges[2].start);
    assert_true(resident >= 0 && resident < 8);
    assert_int_equal(q(&r, "SELECT count(*) FROM faults WHERE %s AND major = 1", where), majflt);
    if (fs.f_type != TMPFS_MAGIC)
        assert_true(majflt <= 256 - resident && majflt >= 256 - 8);
    char *json = faults_output(&r, "--json");
    assert_true(json_after(json, "\"total\"", "\"major\": ") >= majflt);
    free(json);
    done(&r);
}

static void test_faults_record__kernel_mode_faults_not_sampled(void **state)
{
    struct rec r;
    record(&r, 0, NULL, "read", NULL);
    assert_int_equal(r.n_ranges, 1);
    char where[200];
    snprintf(where, sizeof where, IN_RANGE(r.ranges[0]));
    /* read() filled 256 new pages: getrusage counts them, perf does not. */
    assert_int_equal(q(&r, "SELECT count(*) FROM faults WHERE %s", where), 0);
    long long ru = q(&r, "SELECT minflt + majflt FROM mallinfo WHERE kind = 'exit'");
    long long until_exit = q(&r, "SELECT count(*) FROM faults WHERE ts_ns <="
                                 " (SELECT ts_ns FROM mallinfo WHERE kind = 'exit')");
    assert_true(ru - until_exit >= 256);
    done(&r);
}

static void test_faults_record__no_faults_flag(void **state)
{
    struct rec r;
    record(&r, 0, "--no-faults", "touch", NULL);
    assert_true(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0);
    assert_int_equal(q(&r, "SELECT count(*) FROM faults"), 0);
    assert_int_equal(q(&r, "SELECT value = 'getrusage' FROM meta WHERE key = 'faults_source'"), 1);
    long long ru = q(&r, "SELECT minflt + majflt FROM mallinfo WHERE kind = 'exit'");
    assert_true(ru >= 256);
    char *json = faults_output(&r, "--json");
    assert_non_null(strstr(json, "\"source\": \"getrusage\""));
    assert_int_equal(json_after(json, "\"total\"", "\"total\": "), ru);
    free(json);
    done(&r);
}

static void test_faults_record__perf_refused(void **state)
{
    struct rec r;
    record(&r, 1, NULL, "touch", NULL);
    assert_true(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0);
    FILE *f = fopen(r.err_path, "r");
    char line[512];
    int said = 0;
    while (f && fgets(line, sizeof line, f))
        said += strstr(line, "heapscope record: page faults not recorded: perf_event_open "
                             "refused: Permission denied") != NULL;
    if (f)
        fclose(f);
    assert_int_equal(said, 1);
    assert_int_equal(q(&r, "SELECT value = 'getrusage' FROM meta WHERE key = 'faults_source'"), 1);
    assert_int_equal(q(&r, "SELECT value LIKE '%%refused%%' FROM meta WHERE key = 'faults_note'"),
                     1);
    char *text = faults_output(&r, "");
    assert_non_null(strstr(text, "not sampled (page faults not recorded: perf_event_open refused"));
    free(text);
    done(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_faults_record__touch_256_pages),
        cmocka_unit_test(test_faults_record__remap_refaults),
        cmocka_unit_test(test_faults_record__heap_reuse_faults_once),
        cmocka_unit_test(test_faults_record__trim_refaults),
        cmocka_unit_test(test_faults_record__malloc_trim_refaults),
        cmocka_unit_test(test_faults_record__mmapped_block_gets_its_header_page),
        cmocka_unit_test(test_faults_record__brk_block_gets_its_header_page),
        cmocka_unit_test(test_faults_record__allocating_calls_get_their_faults),
        cmocka_unit_test(test_faults_record__threads_per_tid),
        cmocka_unit_test(test_faults_record__thread_heap_block),
        cmocka_unit_test(test_faults_record__crash_keeps_faults),
        cmocka_unit_test(test_faults_record__major_faults),
        cmocka_unit_test(test_faults_record__kernel_mode_faults_not_sampled),
        cmocka_unit_test(test_faults_record__no_faults_flag),
        cmocka_unit_test(test_faults_record__perf_refused),
    };
    return cmocka_run_group_tests_name("faults_record", tests, NULL, NULL);
}
