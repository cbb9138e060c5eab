/*
 * sites.c - allocations grouped by (process, caller), symbolized (contract
 * in sites.h).
 *
 * One replay: a small open-addressing table maps (image, caller) to a site
 * index, where an image is a process between two execs (the pid stays,
 * the program and its maps change; events are told apart by time); a live_map remembers each live block's site so that what is still
 * live at the end is charged to the line that allocated it. Symbolization
 * then runs once per process over its sites, with the maps text the trace
 * stored for that process (processes.maps, docs/schema.md).
 *
 * Check: the sums over sites equal the totals; with a program built with
 * -g, its malloc() lines appear as "main (prog.c:12)" (tests/viz).
 */
#define _GNU_SOURCE /* qsort_r */
#include "sites.h"

#include <inttypes.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "block_events.h"
#include "grow.h"
#include "heapscope/event.h"
#include "live_map.h"
#include "ptrmap.h"
#include "symbolize.h"

struct index {
    uint64_t *slots; /* site index + 1; 0 empty */
    uint64_t n_slots;
};

/* The process images of the trace, by pid then exec_gen. */
struct images {
    uint32_t *pid, *gen;
    uint64_t *start_ts;
    uint32_t n;
};

static void images_free(struct images *im)
{
    free(im->pid);
    free(im->gen);
    free(im->start_ts);
}

static int images_load(struct hs_trace *t, struct images *im)
{
    memset(im, 0, sizeof *im);
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(hs_trace_db(t),
                           "SELECT pid, exec_gen, coalesce(start_ts_ns, 0) FROM processes"
                           " ORDER BY pid, exec_gen", -1, &st, NULL) != SQLITE_OK)
        return HS_OK; /* no processes table: one image per pid */
    uint32_t cap = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        if (im->n == cap) {
            cap = cap ? cap * 2 : 16;
            uint32_t *p = realloc(im->pid, cap * sizeof *p), *g = p ? realloc(im->gen, cap * sizeof *g) : NULL;
            if (p)
                im->pid = p;
            if (g)
                im->gen = g;
            uint64_t *ts = g ? realloc(im->start_ts, cap * sizeof *ts) : NULL;
            if (!ts) {
                sqlite3_finalize(st);
                return HS_ENOMEM;
            }
            im->start_ts = ts;
        }
        im->pid[im->n] = (uint32_t)sqlite3_column_int64(st, 0);
        im->gen[im->n] = (uint32_t)sqlite3_column_int64(st, 1);
        im->start_ts[im->n] = (uint64_t)sqlite3_column_int64(st, 2);
        im->n++;
    }
    sqlite3_finalize(st);
    return HS_OK;
}

/* The image an event of pid at ts belongs to: its exec_gen in *gen and
 * its index in im (im->n if the trace does not list it). */
static uint32_t image_of(const struct images *im, uint32_t pid, uint64_t ts, uint32_t *gen)
{
    uint32_t idx = im->n;
    *gen = 0;
    for (uint32_t i = 0; i < im->n; i++)
        if (im->pid[i] == pid && im->start_ts[i] <= ts) {
            idx = i;
            *gen = im->gen[i];
        }
    return idx;
}

static uint64_t key_hash(uint32_t pid, uint32_t gen, uint64_t caller, uint64_t stack)
{
    uint64_t h = caller ^ ((uint64_t)pid << 40) ^ pid ^ ((uint64_t)gen << 24) ^
                 stack * 0x9e3779b97f4a7c15ull;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ull;
    h ^= h >> 33;
    return h;
}

static int site_of(struct hs_sites *s, struct index *ix, uint64_t *cap, uint32_t pid,
                   uint32_t gen, uint64_t caller, uint64_t stack, uint64_t *out)
{
    if ((s->n_sites + 1) * 2 > ix->n_slots) {
        uint64_t n = ix->n_slots ? ix->n_slots * 2 : 1024;
        uint64_t *slots = calloc(n, sizeof *slots);
        if (!slots)
            return HS_ENOMEM;
        for (uint64_t i = 0; i < s->n_sites; i++) {
            const struct hs_site *x = &s->sites[i];
            uint64_t j = key_hash(x->pid, x->exec_gen, x->caller, x->stack) & (n - 1);
            while (slots[j])
                j = (j + 1) & (n - 1);
            slots[j] = i + 1;
        }
        free(ix->slots);
        ix->slots = slots;
        ix->n_slots = n;
    }
    uint64_t mask = ix->n_slots - 1;
    uint64_t j = key_hash(pid, gen, caller, stack) & mask;
    for (; ix->slots[j]; j = (j + 1) & mask) {
        struct hs_site *site = &s->sites[ix->slots[j] - 1];
        if (site->pid == pid && site->exec_gen == gen && site->caller == caller &&
            site->stack == stack) {
            *out = ix->slots[j] - 1;
            return HS_OK;
        }
    }
    if (s->n_sites == *cap) {
        uint64_t nc = *cap ? *cap * 2 : 256;
        struct hs_site *grown = realloc(s->sites, nc * sizeof *grown);
        if (!grown)
            return HS_ENOMEM;
        s->sites = grown;
        *cap = nc;
    }
    struct hs_site *site = &s->sites[s->n_sites];
    memset(site, 0, sizeof *site);
    site->pid = pid;
    site->exec_gen = gen;
    site->caller = caller;
    site->stack = stack;
    snprintf(site->where, sizeof site->where, "0x%" PRIx64, caller);
    ix->slots[j] = s->n_sites + 1;
    *out = s->n_sites++;
    return HS_OK;
}

/* The allocations' stacks in seq order (alloc_stacks), read beside the
 * cursor: stack_at() moves it up to a seq. */
struct stack_reader {
    sqlite3_stmt *st; /* NULL: no stacks */
    uint64_t seq, stack;
    int more;
};

static void stack_reader_open(struct hs_trace *t, int by_stack, struct stack_reader *r)
{
    memset(r, 0, sizeof *r);
    /* a trace older than schema 3 has no such table: prepare fails */
    if (!by_stack || sqlite3_prepare_v2(hs_trace_db(t),
                                        "SELECT seq, stack FROM alloc_stacks ORDER BY seq", -1,
                                        &r->st, NULL) != SQLITE_OK)
        return;
    r->more = 1;
}

/* The stack of the allocation `seq`, 0 if it has none. */
static uint64_t stack_at(struct stack_reader *r, uint64_t seq)
{
    while (r->more && r->seq < seq) {
        r->more = sqlite3_step(r->st) == SQLITE_ROW;
        if (r->more) {
            r->seq = (uint64_t)sqlite3_column_int64(r->st, 0);
            r->stack = (uint64_t)sqlite3_column_int64(r->st, 1);
        }
    }
    return r->more && r->seq == seq ? r->stack : 0;
}

int hs_sites_collect(struct hs_trace *t, int by_stack, struct hs_sites *out, struct hs_error *err)
{
    memset(out, 0, sizeof *out);
    struct stack_reader stacks;
    stack_reader_open(t, by_stack, &stacks);
    struct index ix = {NULL, 0};
    uint64_t cap = 0;
    struct hs_live_map live;
    struct images im;
    if (images_load(t, &im) != HS_OK)
        return hs_error_set(err, HS_ENOMEM, "out of memory reading the processes");
    if (hs_live_map_init(&live) != HS_OK) {
        images_free(&im);
        return hs_error_set(err, HS_ENOMEM, "out of memory replaying the trace");
    }
    struct hs_cursor *c = NULL;
    int rc = hs_cursor_open(t, 0, 0, &c, err);
    if (rc != HS_OK)
        goto err_free;
    struct hs_event ev;
    struct hs_live_block b;
    uint32_t last_pid = 0, last_gen = 0, last_idx = 0;
    uint64_t last_ts = 0;
    while ((rc = hs_cursor_next(c, &ev, err)) == 1) {
        uint64_t freed = hs_event_freed(&ev);
        uint64_t addr = hs_event_allocated(&ev);
        if (!freed && !addr)
            continue;
        if (ev.pid != last_pid || ev.ts_ns < last_ts || im.n > 1) {
            last_idx = image_of(&im, ev.pid, ev.ts_ns, &last_gen);
            last_pid = ev.pid;
        }
        last_ts = ev.ts_ns;
        /* Addresses of different images are different blocks: key the live
         * map by the image's index above the 47 user-address bits. An
         * unlisted pid (no processes row) shares index im.n with others. */
        uint64_t tag = ((uint64_t)last_idx + 1) << 47;
        if (freed)
            hs_live_map_take(&live, freed ^ tag, &b);
        if (!addr)
            continue;
        uint64_t idx;
        uint64_t stack = stack_at(&stacks, ev.seq);
        if (site_of(out, &ix, &cap, ev.pid, last_gen, ev.caller, stack, &idx) != HS_OK)
            goto err_nomem;
        struct hs_site *site = &out->sites[idx];
        site->n_allocs++;
        site->bytes += ev.size;
        if (ev.size > site->max_size)
            site->max_size = ev.size;
        out->n_allocs++;
        out->bytes += ev.size;
        struct hs_live_block nb = {addr ^ tag, ev.size, ev.chunk_size, ev.seq, (uint32_t)idx,
                                   ev.flags};
        if (hs_live_map_put(&live, &nb) != HS_OK)
            goto err_nomem;
    }
    if (rc < 0)
        goto err_close;
    for (uint64_t i = 0; i < live.n_slots; i++) {
        if (!live.slots[i].addr)
            continue;
        struct hs_site *site = &out->sites[live.slots[i].site];
        site->n_live++;
        site->live_bytes += live.slots[i].size;
        out->n_live++;
        out->live_bytes += live.slots[i].size;
    }
    rc = HS_OK;
    goto err_close;
err_nomem:
    rc = hs_error_set(err, HS_ENOMEM, "out of memory grouping allocation sites");
err_close:
    hs_cursor_close(c);
err_free:
    sqlite3_finalize(stacks.st);
    hs_live_map_free(&live);
    images_free(&im);
    free(ix.slots);
    if (rc != HS_OK)
        hs_sites_free(out);
    return rc;
}

/* The maps text of a process image, malloc'd, or NULL if the trace has none. */
static char *maps_text(struct hs_trace *t, uint32_t pid, uint32_t gen)
{
    sqlite3_stmt *st = NULL;
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT %s FROM processes p WHERE pid = ?1 AND exec_gen = ?2",
             hs_trace_maps_sql(t));
    if (sqlite3_prepare_v2(hs_trace_db(t), sql, -1, &st, NULL) != SQLITE_OK)
        return NULL;
    sqlite3_bind_int64(st, 1, pid);
    sqlite3_bind_int64(st, 2, gen);
    char *text = NULL;
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL) {
        const char *v = (const char *)sqlite3_column_text(st, 0);
        text = v ? strdup(v) : NULL;
    }
    sqlite3_finalize(st);
    return text;
}

/* "PATH<TAB>BUILD-ID" lines of the code files the import saw, or NULL (a
 * trace older than the `modules` table, or no file with a build-id). */
static char *recorded_build_ids(struct hs_trace *t)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(hs_trace_db(t),
                           "SELECT group_concat(path || char(9) || build_id, char(10)) FROM modules"
                           " WHERE build_id IS NOT NULL",
                           -1, &st, NULL) != SQLITE_OK)
        return NULL;
    char *text = NULL;
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
        text = strdup((const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    return text;
}

/* A symbolizer of one process image, told the build-ids recorded (ids:
 * recorded_build_ids, NULL: none); NULL when there is no map to build it
 * from (addresses stay hex). */
static struct hs_symbolizer *image_symbolizer(struct hs_trace *t, uint32_t pid, uint32_t gen,
                                              const char *ids)
{
    char *maps = maps_text(t, pid, gen);
    struct hs_symbolizer *sym = NULL;
    struct hs_error ignored;
    if (maps && hs_symbolizer_new(maps, &sym, &ignored) == HS_OK && ids &&
        hs_symbolizer_expect_build_ids(sym, ids, &ignored) != HS_OK) {
        hs_symbolizer_free(sym);
        sym = NULL;
    }
    free(maps);
    return sym;
}

/* The names of the return addresses of one process image, each looked up
 * once: sites share callers, a thousand stacks share a few hundred return
 * addresses, and a lookup in a module with a large symbol table takes up to
 * a millisecond (libdw's dwfl_module_addrinfo scans it). */
struct frame_names {
    struct hs_symbolizer *sym; /* NULL: hex addresses */
    struct hs_ptrmap index;    /* return address -> its name's place in names */
    char **names;
    size_t n, cap;
};

static void frame_names_free(struct frame_names *f)
{
    for (size_t i = 0; i < f->n; i++)
        free(f->names[i]);
    free(f->names);
    hs_ptrmap_free(&f->index);
}

/* The name of return address addr (owned by f), NULL out of memory. */
static const char *frame_name(struct frame_names *f, uint64_t addr)
{
    uint64_t at;
    if (addr && hs_ptrmap_peek(&f->index, 0, addr, &at))
        return f->names[at];
    char where[320];
    struct hs_symbol info;
    snprintf(where, sizeof where, "0x%" PRIx64, addr);
    if (f->sym && hs_symbolizer_lookup(f->sym, addr, 1, &info))
        hs_symbol_format(&info, addr, where, sizeof where);
    char **grown = hs_grow(f->names, &f->cap, f->n, sizeof *grown, 256);
    if (!grown)
        return NULL;
    f->names = grown;
    if (!(f->names[f->n] = strdup(where)))
        return NULL;
    if (addr && hs_ptrmap_put(&f->index, 0, addr, f->n) != HS_OK) { /* address 0: not kept */
        free(f->names[f->n]);
        return NULL;
    }
    return f->names[f->n++];
}

/* hs_trace_stack_lines' namer: the frame's name. */
static int name_frame(void *ctx, uint64_t addr, char *line, size_t size)
{
    const char *where = frame_name(ctx, addr);
    if (!where)
        return HS_ENOMEM;
    snprintf(line, size, "%s", where);
    return HS_OK;
}

int hs_sites_symbolize(struct hs_trace *t, struct hs_sites *s, const unsigned char *wanted,
                       struct hs_error *err)
{
    unsigned char *done = calloc(s->n_sites + 1, 1);
    if (!done)
        return hs_error_set(err, HS_ENOMEM, "out of memory symbolizing sites");
    for (uint64_t i = 0; wanted && i < s->n_sites; i++)
        done[i] = !wanted[i]; /* not wanted: as if named already */
    char *ids = recorded_build_ids(t);
    /* One symbolizer per process image, over all of its sites. */
    for (uint64_t i = 0; i < s->n_sites; i++) {
        if (done[i])
            continue;
        uint32_t pid = s->sites[i].pid, gen = s->sites[i].exec_gen;
        struct hs_symbolizer *sym = image_symbolizer(t, pid, gen, ids);
        struct frame_names names = {.sym = sym};
        hs_ptrmap_init(&names.index);
        for (uint64_t j = i; j < s->n_sites; j++) {
            struct hs_site *site = &s->sites[j];
            if (done[j] || site->pid != pid || site->exec_gen != gen)
                continue;
            done[j] = 1;
            const char *where = frame_name(&names, site->caller);
            if (where)
                snprintf(site->where, sizeof site->where, "%s", where);
            if (!where || (site->stack && !site->callers &&
                           hs_trace_stack_lines(t, site->stack, name_frame, &names,
                                                &site->callers) != HS_OK)) {
                frame_names_free(&names);
                hs_symbolizer_free(sym);
                free(ids);
                free(done);
                return hs_error_set(err, HS_ENOMEM, "out of memory symbolizing sites");
            }
        }
        frame_names_free(&names);
        hs_symbolizer_free(sym);
    }
    free(ids);
    free(done);
    return HS_OK;
}

void hs_sites_free(struct hs_sites *s)
{
    for (uint64_t i = 0; s->sites && i < s->n_sites; i++)
        hs_trace_stack_lines_free(s->sites[i].callers);
    free(s->sites);
    memset(s, 0, sizeof *s);
}

struct order_ctx {
    const struct hs_sites *s;
    enum hs_sites_order order;
};

static uint64_t sort_key(const struct order_ctx *ctx, uint64_t i)
{
    const struct hs_site *x = &ctx->s->sites[i];
    return ctx->order == HS_SITES_BY_BYTES ? x->bytes
           : ctx->order == HS_SITES_BY_COUNT ? x->n_allocs : x->live_bytes;
}

static int compare(const void *a, const void *b, void *arg)
{
    uint64_t i = *(const uint64_t *)a, j = *(const uint64_t *)b;
    uint64_t x = sort_key(arg, i), y = sort_key(arg, j);
    if (x != y)
        return x > y ? -1 : 1;
    return i < j ? -1 : i > j;
}

void hs_sites_order(const struct hs_sites *s, enum hs_sites_order order, uint64_t *idx)
{
    for (uint64_t i = 0; i < s->n_sites; i++)
        idx[i] = i;
    struct order_ctx ctx = {s, order};
    qsort_r(idx, s->n_sites, sizeof *idx, compare, &ctx);
}

/* The stack of allocation seq, 0 if none (or no such table). */
static uint64_t stack_of(struct hs_trace *t, uint64_t seq)
{
    sqlite3_stmt *st;
    uint64_t stack = 0;
    if (sqlite3_prepare_v2(hs_trace_db(t), "SELECT stack FROM alloc_stacks WHERE seq = ?1", -1,
                           &st, NULL) != SQLITE_OK)
        return 0;
    sqlite3_bind_int64(st, 1, (sqlite3_int64)seq);
    if (sqlite3_step(st) == SQLITE_ROW)
        stack = (uint64_t)sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return stack;
}

int hs_sites_describe_call(struct hs_trace *t, uint32_t pid, uint64_t ts, uint64_t seq,
                           uint64_t caller, char *out, size_t size, struct hs_error *err)
{
    struct images im;
    uint32_t gen = 0;
    if (images_load(t, &im) != HS_OK)
        return hs_error_set(err, HS_ENOMEM, "out of memory reading the processes");
    image_of(&im, pid, ts, &gen);
    images_free(&im);
    char *ids = recorded_build_ids(t);
    struct hs_symbolizer *sym = image_symbolizer(t, pid, gen, ids);
    free(ids);
    struct frame_names names = {.sym = sym};
    hs_ptrmap_init(&names.index);
    uint64_t addr[HS_STACK_MAX_DEPTH + 1] = {caller};
    unsigned n = 1 + hs_trace_stack_callers(t, stack_of(t, seq), addr + 1, HS_STACK_MAX_DEPTH);
    size_t len = 0;
    int rc = HS_OK;
    out[0] = '\0';
    for (unsigned i = 0; i < n && rc == HS_OK; i++) {
        const char *where = frame_name(&names, addr[i]);
        if (!where)
            rc = hs_error_set(err, HS_ENOMEM, "out of memory naming the call");
        else if (len < size)
            len += (size_t)snprintf(out + len, size - len, "%s%s", i ? " <- " : "", where);
    }
    frame_names_free(&names);
    hs_symbolizer_free(sym);
    return rc;
}
