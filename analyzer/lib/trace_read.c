/*
 * trace_read.c - open a trace database and replay its event stream
 * (trace.h). The cursor reads event_chunks in first_seq order, decompresses
 * each BLOB (zlib) and decodes it with stream.c; SQLite only hands over one
 * ~30 KiB blob per 4096 events, so replay runs at the decoder's speed
 * rather than at SQLite's ~1.6 M rows/s.
 */
#include "trace.h"

#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "chunk_codec.h"
#include "grow.h"
#include "schema.h"
#include "stream.h"

struct hs_trace {
    sqlite3 *db;
    char *path;
    uint64_t n_events, last_seq;
    int glibc;
    int64_t schema_version;
    struct hs_mark *marks; /* loaded on first use */
    uint64_t n_marks;
    int marks_loaded;
};

struct hs_cursor {
    struct hs_trace *trace;
    sqlite3_stmt *chunks;
    struct hs_stream_reader reader;
    unsigned char *raw; /* the current chunk, inflated */
    size_t raw_cap;
    uint64_t from_seq;
    uint32_t pid;
    int done;
};

static const char *const op_names[HS_OP_COUNT] = {
    [HS_OP_NONE] = "none",
    [HS_OP_MALLOC] = "malloc",
    [HS_OP_CALLOC] = "calloc",
    [HS_OP_REALLOC] = "realloc",
    [HS_OP_REALLOCARRAY] = "reallocarray",
    [HS_OP_FREE] = "free",
    [HS_OP_MEMALIGN] = "memalign",
    [HS_OP_POSIX_MEMALIGN] = "posix_memalign",
    [HS_OP_ALIGNED_ALLOC] = "aligned_alloc",
    [HS_OP_VALLOC] = "valloc",
    [HS_OP_PVALLOC] = "pvalloc",
    [HS_OP_MALLOC_TRIM] = "malloc_trim",
    [HS_OP_MALLOPT] = "mallopt",
    [HS_OP_BRK] = "brk",
    [HS_OP_SBRK] = "sbrk",
    [HS_OP_MMAP] = "mmap",
    [HS_OP_MUNMAP] = "munmap",
    [HS_OP_MREMAP] = "mremap",
    [HS_OP_MARK] = "mark",
    [HS_OP_MALLINFO_A] = "mallinfo_a",
    [HS_OP_MALLINFO_B] = "mallinfo_b",
    [HS_OP_STATE] = "state",
    [HS_OP_FORK] = "fork",
    [HS_OP_EXIT] = "exit",
    [HS_OP_PAGE_FAULT] = "page_fault",
    [HS_OP_STACK] = "stack",
    [HS_OP_THREAD_EXIT] = "thread_exit",
};

const char *hs_op_name(unsigned op)
{
    return op < HS_OP_COUNT ? op_names[op] : "unknown";
}

const char *hs_origin_name(unsigned origin)
{
    switch (origin) {
    case HS_ORIGIN_PROGRAM:
        return "program";
    case HS_ORIGIN_ALLOCATOR:
        return "allocator";
    case HS_ORIGIN_TRACER:
        return "tracer";
    default:
        return "unknown";
    }
}

static int meta_int(sqlite3 *db, const char *key, int64_t *value)
{
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(db, "SELECT value FROM meta WHERE key = ?", -1, &s, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
    int found = sqlite3_step(s) == SQLITE_ROW;
    if (found)
        *value = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    return found ? 0 : -1;
}

/* The bytes a SQLite file says it has (its header's page count times its
 * page size), or 0 when that is not known (not SQLite, or a header from
 * a SQLite too old to keep the count). */
static uint64_t sqlite_declared_size(const char *path)
{
    unsigned char h[100];
    FILE *f = fopen(path, "rb");
    size_t got = f ? fread(h, 1, sizeof h, f) : 0;
    if (f)
        fclose(f);
    if (got != sizeof h || memcmp(h, "SQLite format 3", 16) != 0)
        return 0;
    uint32_t page = (uint32_t)h[16] << 8 | h[17];
    if (page == 1)
        page = 65536;
    uint32_t pages = (uint32_t)h[28] << 24 | (uint32_t)h[29] << 16 | (uint32_t)h[30] << 8 | h[31];
    /* the count is valid when the change counter equals "version-valid-for" */
    return memcmp(h + 24, h + 92, 4) == 0 ? (uint64_t)pages * page : 0;
}

int hs_trace_open(const char *path, struct hs_trace **out, struct hs_error *err)
{
    struct stat sb;
    *out = NULL;
    if (stat(path, &sb) != 0)
        return hs_error_set(err, HS_EIO, "cannot open trace '%s': %s", path, strerror(errno));
    if (S_ISDIR(sb.st_mode))
        return hs_error_set(err, HS_EIO, "cannot open trace '%s': Is a directory", path);
    uint64_t declared = sqlite_declared_size(path);
    if (declared > (uint64_t)sb.st_size)
        return hs_error_set(
            err, HS_EFORMAT,
            "'%s' is truncated: it holds %llu of its %llu bytes (a copy cut short?)", path,
            (unsigned long long)sb.st_size, (unsigned long long)declared);
    struct hs_trace *t = calloc(1, sizeof *t);
    if (!t || !(t->path = strdup(path))) {
        free(t);
        return hs_error_set(err, HS_ENOMEM, "out of memory");
    }
    int rc;
    if (sqlite3_open_v2(path, &t->db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        rc = hs_error_set(err, HS_EDB, "cannot open trace '%s': %s", path,
                          t->db ? sqlite3_errmsg(t->db) : "out of memory");
        goto err_close;
    }
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(t->db, "SELECT value FROM meta WHERE key = 'schema_version'", -1, &s,
                           NULL) != SQLITE_OK) {
        int code = sqlite3_errcode(t->db);
        rc = hs_error_set(err, HS_EFORMAT, "'%s' is not a heapscope trace (%s)", path,
                          code == SQLITE_NOTADB ? "not a SQLite database" : "no table meta");
        goto err_close;
    }
    int64_t version = -1;
    if (sqlite3_step(s) == SQLITE_ROW)
        version = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    if (version < 1) {
        rc = hs_error_set(err, HS_EFORMAT, "'%s' is not a heapscope trace (no schema_version)",
                          path);
        goto err_close;
    }
    if (version > HS_SCHEMA_VERSION) {
        rc = hs_error_set(err, HS_EVERSION,
                          "'%s' is trace format %lld, this heapscope reads up to %d", path,
                          (long long)version, HS_SCHEMA_VERSION);
        goto err_close;
    }
    int64_t n_events = 0, last_seq = 0, glibc = 0;
    if (meta_int(t->db, "n_events", &n_events) || meta_int(t->db, "last_seq", &last_seq) ||
        meta_int(t->db, "glibc_malloc", &glibc)) {
        rc = hs_error_set(err, HS_EFORMAT,
                          "'%s' is not a complete heapscope trace (meta lacks n_events)", path);
        goto err_close;
    }
    t->n_events = (uint64_t)n_events;
    t->last_seq = (uint64_t)last_seq;
    t->schema_version = version;
    t->glibc = glibc != 0;
    *out = t;
    return 0;

err_close:
    sqlite3_close(t->db);
    free(t->path);
    free(t);
    return rc;
}

void hs_trace_close(struct hs_trace *t)
{
    if (!t)
        return;
    sqlite3_close(t->db);
    free(t->marks);
    free(t->path);
    free(t);
}

struct sqlite3 *hs_trace_db(struct hs_trace *t)
{
    return t->db;
}

const char *hs_trace_maps_sql(const struct hs_trace *t)
{
    return t->schema_version >= 2
               ? "nullif(coalesce(p.maps, '') || coalesce(char(10) || p.maps_end, ''), '')"
               : "p.maps";
}

unsigned hs_trace_stack_callers(struct hs_trace *t, uint64_t stack, uint64_t *addr,
                                unsigned max)
{
    sqlite3_stmt *st;
    unsigned n = 0;
    if (sqlite3_prepare_v2(t->db,
                           "SELECT addr FROM stacks WHERE stack = ?1 AND level > 0 ORDER BY level",
                           -1, &st, NULL) != SQLITE_OK)
        return 0; /* schema < 3: no stacks */
    sqlite3_bind_int64(st, 1, (sqlite3_int64)stack);
    while (n < max && sqlite3_step(st) == SQLITE_ROW)
        addr[n++] = (uint64_t)sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return n;
}

int hs_trace_stack_lines(struct hs_trace *t, uint64_t stack,
                         int (*name)(void *ctx, uint64_t addr, char *line, size_t size), void *ctx,
                         char ***out)
{
    uint64_t addr[HS_STACK_MAX_DEPTH];
    unsigned n = hs_trace_stack_callers(t, stack, addr, HS_STACK_MAX_DEPTH);
    *out = NULL;
    if (n == 0)
        return HS_OK;
    char **lines = calloc(n + 1, sizeof *lines);
    for (unsigned i = 0; lines && i < n; i++) {
        char line[400];
        if (name(ctx, addr[i], line, sizeof line) != HS_OK || !(lines[i] = strdup(line))) {
            hs_trace_stack_lines_free(lines);
            return HS_ENOMEM;
        }
    }
    *out = lines;
    return lines ? HS_OK : HS_ENOMEM;
}

void hs_trace_stack_lines_free(char **lines)
{
    for (size_t i = 0; lines && lines[i]; i++)
        free(lines[i]);
    free(lines);
}

uint64_t hs_trace_n_events(const struct hs_trace *t)
{
    return t->n_events;
}

uint64_t hs_trace_last_seq(const struct hs_trace *t)
{
    return t->last_seq;
}

int hs_trace_is_glibc(const struct hs_trace *t)
{
    return t->glibc;
}

static int load_marks(struct hs_trace *t, struct hs_error *err)
{
    static const char sql[] =
        "SELECT m.id, m.seq, m.pid, m.tid, m.label, i.seq IS NOT NULL AND i.arena IS NOT NULL,"
        " i.arena, i.ordblks, i.smblks, i.hblks, i.hblkhd, i.usmblks, i.fsmblks, i.uordblks,"
        " i.fordblks, i.keepcost, i.brk"
        " FROM marks m LEFT JOIN mallinfo i ON i.mark_id = m.id ORDER BY m.seq";
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(t->db, sql, -1, &s, NULL) != SQLITE_OK)
        return hs_error_set(err, HS_EDB, "cannot read marks of '%s': %s", t->path,
                            sqlite3_errmsg(t->db));
    size_t cap = 0;
    int rc = 0;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct hs_mark *grown = hs_grow(t->marks, &cap, t->n_marks, sizeof *grown, 16);
        if (!grown) {
            sqlite3_finalize(s);
            return hs_error_set(err, HS_ENOMEM, "out of memory");
        }
        t->marks = grown;
        struct hs_mark *m = &t->marks[t->n_marks++];
        memset(m, 0, sizeof *m);
        m->seq = (uint64_t)sqlite3_column_int64(s, 1);
        m->pid = (uint32_t)sqlite3_column_int64(s, 2);
        m->tid = (uint32_t)sqlite3_column_int64(s, 3);
        const unsigned char *label = sqlite3_column_text(s, 4);
        if (label)
            snprintf(m->label, sizeof m->label, "%s", (const char *)label);
        m->has_mallinfo = sqlite3_column_int(s, 5);
        uint64_t *f = &m->mallinfo.arena;
        for (int i = 0; i < 10; i++)
            f[i] = (uint64_t)sqlite3_column_int64(s, 6 + i);
        m->brk = (uint64_t)sqlite3_column_int64(s, 16);
    }
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE)
        return hs_error_set(err, HS_EDB, "cannot read marks of '%s': %s", t->path,
                            sqlite3_errmsg(t->db));
    t->marks_loaded = 1;
    return 0;
}

int hs_trace_marks(struct hs_trace *t, const struct hs_mark **marks, uint64_t *n,
                   struct hs_error *err)
{
    if (!t->marks_loaded) {
        int rc = load_marks(t, err);
        if (rc)
            return rc;
    }
    *marks = t->marks;
    *n = t->n_marks;
    return 0;
}

const struct hs_mark *hs_trace_find_mark(struct hs_trace *t, const char *label)
{
    if (!t->marks_loaded && load_marks(t, NULL) != 0)
        return NULL;
    for (uint64_t i = 0; i < t->n_marks; i++)
        if (strcmp(t->marks[i].label, label) == 0)
            return &t->marks[i];
    return NULL;
}

int hs_cursor_open(struct hs_trace *t, uint64_t from_seq, uint32_t pid, struct hs_cursor **out,
                   struct hs_error *err)
{
    *out = NULL;
    struct hs_cursor *c = calloc(1, sizeof *c);
    if (!c)
        return hs_error_set(err, HS_ENOMEM, "out of memory");
    c->trace = t;
    c->from_seq = from_seq;
    c->pid = pid;
    /* Start at the chunk holding from_seq: the last one starting at or
     * before it. */
    static const char sql[] = "SELECT raw_size, data FROM event_chunks WHERE first_seq >= coalesce("
                              "(SELECT max(first_seq) FROM event_chunks WHERE first_seq <= ?1), 0)"
                              " ORDER BY first_seq";
    if (sqlite3_prepare_v2(t->db, sql, -1, &c->chunks, NULL) != SQLITE_OK) {
        int rc = hs_error_set(err, HS_EDB, "cannot read the events of '%s': %s", t->path,
                              sqlite3_errmsg(t->db));
        free(c);
        return rc;
    }
    sqlite3_bind_int64(c->chunks, 1, (sqlite3_int64)from_seq);
    hs_stream_reader_init(&c->reader, NULL, 0);
    *out = c;
    return 0;
}

int hs_cursor_next(struct hs_cursor *c, struct hs_event *ev, struct hs_error *err)
{
    for (;;) {
        if (c->done)
            return 0;
        int rc = hs_stream_get(&c->reader, ev);
        if (rc == 1) {
            if (ev->seq < c->from_seq || (c->pid && ev->pid != c->pid))
                continue;
            return 1;
        }
        if (rc < 0)
            return hs_error_set(err, HS_EFORMAT, "'%s': corrupt event stream after seq %llu",
                                c->trace->path, (unsigned long long)c->reader.state.seq);
        rc = sqlite3_step(c->chunks);
        if (rc == SQLITE_DONE) {
            c->done = 1;
            return 0;
        }
        if (rc != SQLITE_ROW)
            return hs_error_set(err, HS_EDB, "cannot read the events of '%s': %s", c->trace->path,
                                sqlite3_errmsg(c->trace->db));
        size_t raw_size = (size_t)sqlite3_column_int64(c->chunks, 0);
        if (raw_size > c->raw_cap) {
            unsigned char *raw = realloc(c->raw, raw_size);
            if (!raw)
                return hs_error_set(err, HS_ENOMEM, "out of memory");
            c->raw = raw;
            c->raw_cap = raw_size;
        }
        const void *data = sqlite3_column_blob(c->chunks, 1);
        size_t data_size = (size_t)sqlite3_column_bytes(c->chunks, 1);
        if (hs_chunk_unpack(data, data_size, c->raw, raw_size) != 0)
            return hs_error_set(err, HS_EFORMAT, "'%s': corrupt event stream after seq %llu",
                                c->trace->path, (unsigned long long)c->reader.state.seq);
        hs_stream_reader_init(&c->reader, c->raw, raw_size);
    }
}

void hs_cursor_close(struct hs_cursor *c)
{
    if (!c)
        return;
    sqlite3_finalize(c->chunks);
    free(c->raw);
    free(c);
}
