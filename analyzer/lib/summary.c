/*
 * summary.c - counts, peak live bytes and leaks of a trace (summary.h).
 * One pass of the event stream for the counts and peaks, SQL over the
 * processes and blocks tables for the per-process figures.
 */
#define _GNU_SOURCE
#include "summary.h"

#include <inttypes.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grow.h"
#include "heapscope/event.h"
#include "ptrmap.h"

/* A live block's sizes packed in the map value: request size in the low
 * 44 bits, chunk_size - size (header and rounding, < 1 MiB) above. */
#define SIZE_BITS 44

static uint64_t pack(uint64_t size, uint64_t chunk)
{
    uint64_t extra = chunk > size ? chunk - size : 0;
    if (extra >= (1u << 20))
        extra = (1u << 20) - 1;
    return (size & ((1ull << SIZE_BITS) - 1)) | extra << SIZE_BITS;
}

static int is_allocation(unsigned op)
{
    return (op >= HS_OP_MALLOC && op <= HS_OP_REALLOCARRAY) ||
           (op >= HS_OP_MEMALIGN && op <= HS_OP_PVALLOC);
}

/* A process image, for replay: exec replaces a process's heap, so the
 * blocks of the image before it stop counting when the next one starts. */
struct image {
    uint32_t proc, pid;
    uint64_t start_ts;
    uint64_t size, chunk; /* its live bytes */
    int gone;             /* a later image of the pid has started */
};

struct images {
    struct image *v;
    uint32_t n;
    uint32_t lo, hi; /* images of the last pid looked up: [lo, hi) */
};

static int load_images(struct hs_trace *t, struct images *im, struct hs_error *err)
{
    sqlite3_stmt *st;
    memset(im, 0, sizeof *im);
    if (sqlite3_prepare_v2(hs_trace_db(t),
                           "SELECT proc, pid, start_ts_ns FROM processes ORDER BY pid, exec_gen",
                           -1, &st, NULL) != SQLITE_OK)
        return hs_error_set(err, HS_EDB, "cannot read trace: %s", sqlite3_errmsg(hs_trace_db(t)));
    size_t cap = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        struct image *grown = hs_grow(im->v, &cap, im->n, sizeof *grown, 8);
        if (!grown) {
            sqlite3_finalize(st);
            return hs_error_set(err, HS_ENOMEM, "out of memory");
        }
        im->v = grown;
        struct image *m = &im->v[im->n++];
        memset(m, 0, sizeof *m);
        m->proc = (uint32_t)sqlite3_column_int64(st, 0);
        m->pid = (uint32_t)sqlite3_column_int64(st, 1);
        m->start_ts = (uint64_t)sqlite3_column_int64(st, 2);
    }
    sqlite3_finalize(st);
    return 0;
}

/* The image ev belongs to: the pid's last image started by ev's time. */
static struct image *image_of(struct images *im, const struct hs_event *ev)
{
    if (im->lo >= im->hi || im->v[im->lo].pid != ev->pid) {
        uint32_t lo = 0;
        while (lo < im->n && im->v[lo].pid != ev->pid)
            lo++;
        if (lo == im->n)
            return NULL;
        uint32_t hi = lo;
        while (hi < im->n && im->v[hi].pid == ev->pid)
            hi++;
        im->lo = lo;
        im->hi = hi;
    }
    uint32_t k = im->lo;
    while (k + 1 < im->hi && im->v[k + 1].start_ts <= ev->ts_ns)
        k++;
    return &im->v[k];
}

static int replay(struct hs_trace *t, struct hs_summary *s, struct hs_error *err)
{
    struct images im;
    int rc = load_images(t, &im, err);
    struct hs_cursor *c = NULL;
    if (rc == 0)
        rc = hs_cursor_open(t, 0, 0, &c, err);
    if (rc) {
        free(im.v);
        return rc;
    }
    struct hs_ptrmap live;
    hs_ptrmap_init(&live);
    uint64_t size = 0, chunk = 0, v;
    struct hs_event ev;
    while ((rc = hs_cursor_next(c, &ev, err)) == 1) {
        s->n_events++;
        s->n_by_op_origin[ev.op][ev.origin < 3 ? ev.origin : 0]++;
        if (ev.flags & HS_F_FAILED)
            continue;
        struct image *img = image_of(&im, &ev);
        if (!img)
            continue;
        for (struct image *old = &im.v[im.lo]; old < img; old++)
            if (!old->gone) { /* exec'd: its heap is gone */
                size -= old->size;
                chunk -= old->chunk;
                old->gone = 1;
            }
        int realloc_op = ev.op == HS_OP_REALLOC || ev.op == HS_OP_REALLOCARRAY;
        uint64_t gone = ev.op == HS_OP_FREE ? ev.ptr : realloc_op ? ev.old_ptr : 0;
        int lost = is_allocation(ev.op) && ev.ptr; /* its earlier free was lost */
        for (int pass = 0; pass < 2; pass++) {
            uint64_t addr = pass == 0 ? gone : lost ? ev.ptr : 0;
            if (addr && hs_ptrmap_take(&live, img->proc, addr, &v)) {
                uint64_t b = v & ((1ull << SIZE_BITS) - 1), cb = b + (v >> SIZE_BITS);
                size -= b;
                chunk -= cb;
                img->size -= b;
                img->chunk -= cb;
            }
        }
        if (is_allocation(ev.op) && ev.ptr) {
            v = pack(ev.size, ev.chunk_size);
            if (hs_ptrmap_put(&live, img->proc, ev.ptr, v)) {
                rc = hs_error_set(err, HS_ENOMEM, "out of memory");
                break;
            }
            uint64_t b = v & ((1ull << SIZE_BITS) - 1), cb = b + (v >> SIZE_BITS);
            size += b;
            chunk += cb;
            img->size += b;
            img->chunk += cb;
            if (size > s->peak_live_size) {
                s->peak_live_size = size;
                s->peak_live_size_seq = ev.seq;
            }
            if (chunk > s->peak_live_chunk) {
                s->peak_live_chunk = chunk;
                s->peak_live_chunk_seq = ev.seq;
            }
        }
    }
    hs_ptrmap_free(&live);
    hs_cursor_close(c);
    free(im.v);
    return rc < 0 ? rc : 0;
}

static int db_error(struct hs_trace *t, struct hs_error *err)
{
    return hs_error_set(err, HS_EDB, "cannot read trace: %s", sqlite3_errmsg(hs_trace_db(t)));
}

static int load_processes(struct hs_trace *t, struct hs_summary *s, struct hs_error *err)
{
    static const char sql[] =
        "SELECT p.pid, p.ppid, p.exec_gen, p.exe, p.exit_code, p.exit_signal, p.start_ts_ns,"
        " p.end_ts_ns, p.n_events, p.n_lost, count(b.alloc_seq), coalesce(sum(b.size), 0),"
        " coalesce(sum(b.chunk_size), 0)"
        " FROM processes p LEFT JOIN blocks b ON b.proc = p.proc AND b.free_seq IS NULL"
        " GROUP BY p.proc ORDER BY p.proc";
    sqlite3 *db = hs_trace_db(t);
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        return db_error(t, err);
    size_t cap = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct hs_summary_process *grown =
            hs_grow(s->processes, &cap, s->n_processes, sizeof *grown, 8);
        if (!grown) {
            sqlite3_finalize(st);
            return hs_error_set(err, HS_ENOMEM, "out of memory");
        }
        s->processes = grown;
        struct hs_summary_process *p = &s->processes[s->n_processes++];
        memset(p, 0, sizeof *p);
        p->pid = (uint32_t)sqlite3_column_int64(st, 0);
        p->ppid = (uint32_t)sqlite3_column_int64(st, 1);
        p->exec_gen = (uint32_t)sqlite3_column_int64(st, 2);
        const unsigned char *exe = sqlite3_column_text(st, 3);
        snprintf(p->exe, sizeof p->exe, "%s", exe ? (const char *)exe : "");
        p->has_exit_code = sqlite3_column_type(st, 4) != SQLITE_NULL;
        p->exit_code = sqlite3_column_int(st, 4);
        p->exit_signal = sqlite3_column_int(st, 5);
        p->start_ts_ns = (uint64_t)sqlite3_column_int64(st, 6);
        p->end_ts_ns = (uint64_t)sqlite3_column_int64(st, 7);
        p->n_events = (uint64_t)sqlite3_column_int64(st, 8);
        p->n_lost = (uint64_t)sqlite3_column_int64(st, 9);
        p->n_live = (uint64_t)sqlite3_column_int64(st, 10);
        p->live_size = (uint64_t)sqlite3_column_int64(st, 11);
        p->live_chunk_size = (uint64_t)sqlite3_column_int64(st, 12);
        s->n_lost += p->n_lost;
        if (!s->start_ts_ns || p->start_ts_ns < s->start_ts_ns)
            s->start_ts_ns = p->start_ts_ns;
        if (p->end_ts_ns > s->end_ts_ns)
            s->end_ts_ns = p->end_ts_ns;
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : db_error(t, err);
}

/* The call stacks' counts (a trace older than schema 3 has none). */
static void count_stacks(struct hs_trace *t, struct hs_summary *s)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(hs_trace_db(t),
                           "SELECT (SELECT count(*) FROM alloc_stacks), count(DISTINCT stack),"
                           " coalesce(max(level) + 1, 0) FROM stacks",
                           -1, &st, NULL) != SQLITE_OK)
        return;
    if (sqlite3_step(st) == SQLITE_ROW) {
        s->n_alloc_stacks = (uint64_t)sqlite3_column_int64(st, 0);
        s->n_stacks = (uint64_t)sqlite3_column_int64(st, 1);
        s->max_stack_depth = (uint64_t)sqlite3_column_int64(st, 2);
    }
    sqlite3_finalize(st);
}

int hs_summary_compute(struct hs_trace *t, struct hs_summary *s, struct hs_error *err)
{
    memset(s, 0, sizeof *s);
    s->last_seq = hs_trace_last_seq(t);
    int rc = replay(t, s, err);
    if (rc == 0)
        rc = load_processes(t, s, err);
    if (rc == 0)
        count_stacks(t, s);
    if (rc)
        hs_summary_free(s);
    return rc;
}

void hs_summary_free(struct hs_summary *s)
{
    free(s->processes);
    s->processes = NULL;
    s->n_processes = 0;
}

/* Finds addr in a /proc/<pid>/maps text: the mapped file and the offset of
 * addr in it. 1 if found in a file mapping, 0 if not. */
static int maps_lookup(const char *maps, uint64_t addr, char *module, unsigned module_size,
                       uint64_t *offset)
{
    const char *line = maps;
    while (line && *line) {
        uint64_t start, end, off;
        int path_at = 0;
        if (sscanf(line, "%" SCNx64 "-%" SCNx64 " %*s %" SCNx64 " %*s %*s %n", &start, &end, &off,
                   &path_at) == 3 &&
            addr >= start && addr < end && path_at && line[path_at] == '/') {
            const char *nl = strchr(line + path_at, '\n');
            int len = nl ? (int)(nl - line - path_at) : (int)strlen(line + path_at);
            snprintf(module, module_size, "%.*s", len, line + path_at);
            *offset = addr - start + off;
            return 1;
        }
        line = strchr(line, '\n');
        if (line)
            line++;
    }
    return 0;
}

/* hs_trace_stack_lines' namer for leaks: "0xADDR (module+0xOFF)" from the
 * image's maps text (ctx, may be NULL), else the address. */
static int leak_frame(void *ctx, uint64_t addr, char *line, size_t size)
{
    uint64_t off = 0;
    char module[256] = "";
    if (ctx && maps_lookup(ctx, addr, module, sizeof module, &off))
        snprintf(line, size, "0x%" PRIx64 " (%s+0x%" PRIx64 ")", addr, module, off);
    else
        snprintf(line, size, "0x%" PRIx64, addr);
    return HS_OK;
}

int hs_leaks_compute(struct hs_trace *t, struct hs_leak_site **sites, uint64_t *n,
                     struct hs_error *err)
{
    /* by call stack where the trace has them (schema 3; the table may be
     * empty: then every stack is NULL) */
    sqlite3_stmt *st;
    int stacks = sqlite3_prepare_v2(hs_trace_db(t), "SELECT 1 FROM alloc_stacks LIMIT 1", -1, &st,
                                    NULL) == SQLITE_OK;
    sqlite3_finalize(st);
    char sql[768];
    snprintf(sql, sizeof sql,
             "SELECT p.pid, p.exec_gen, b.caller, count(*), sum(b.size), sum(b.chunk_size),"
             " min(b.size), max(b.size), %s, %s"
             " FROM blocks b JOIN processes p ON p.proc = b.proc%s"
             " WHERE b.free_seq IS NULL GROUP BY b.proc, b.caller%s"
             " ORDER BY sum(b.size) DESC, b.proc, b.caller%s",
             hs_trace_maps_sql(t), stacks ? "a.stack" : "NULL",
             stacks ? " LEFT JOIN alloc_stacks a ON a.seq = b.alloc_seq" : "",
             stacks ? ", a.stack" : "", stacks ? ", a.stack" : "");
    *sites = NULL;
    *n = 0;
    if (sqlite3_prepare_v2(hs_trace_db(t), sql, -1, &st, NULL) != SQLITE_OK)
        return db_error(t, err);
    size_t cap = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct hs_leak_site *grown = hs_grow(*sites, &cap, *n, sizeof *grown, 16);
        if (!grown) {
            sqlite3_finalize(st);
            hs_leaks_free(*sites, *n);
            *sites = NULL;
            *n = 0;
            return hs_error_set(err, HS_ENOMEM, "out of memory");
        }
        *sites = grown;
        struct hs_leak_site *l = &(*sites)[(*n)++];
        memset(l, 0, sizeof *l);
        l->pid = (uint32_t)sqlite3_column_int64(st, 0);
        l->exec_gen = (uint32_t)sqlite3_column_int64(st, 1);
        l->caller = (uint64_t)sqlite3_column_int64(st, 2);
        l->n_blocks = (uint64_t)sqlite3_column_int64(st, 3);
        l->size = (uint64_t)sqlite3_column_int64(st, 4);
        l->chunk_size = (uint64_t)sqlite3_column_int64(st, 5);
        l->min_size = (uint64_t)sqlite3_column_int64(st, 6);
        l->max_size = (uint64_t)sqlite3_column_int64(st, 7);
        const char *maps = (const char *)sqlite3_column_text(st, 8);
        if (maps && l->caller)
            maps_lookup(maps, l->caller, l->module, sizeof l->module, &l->module_offset);
        l->stack = (uint64_t)sqlite3_column_int64(st, 9);
        if (l->stack &&
            hs_trace_stack_lines(t, l->stack, leak_frame, (void *)maps, &l->callers) != HS_OK) {
            sqlite3_finalize(st);
            hs_leaks_free(*sites, *n);
            *sites = NULL;
            *n = 0;
            return hs_error_set(err, HS_ENOMEM, "out of memory");
        }
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        hs_leaks_free(*sites, *n);
        *sites = NULL;
        *n = 0;
        return db_error(t, err);
    }
    return 0;
}

void hs_leaks_free(struct hs_leak_site *sites, uint64_t n)
{
    for (uint64_t i = 0; sites && i < n; i++)
        hs_trace_stack_lines_free(sites[i].callers);
    free(sites);
}
