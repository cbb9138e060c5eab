/*
 * import.c - hs_import(): find the logs, order their records by seq, write
 * the database in one transaction into a temporary file, rename it.
 *
 * Ordering: seq comes from one counter shared by every process of the run
 * (LOGDIR/seq), so the seqs of a run are dense: 1..last, with holes only
 * where a slot was lost. Each record is therefore placed directly at
 * index[seq] (8 bytes per event: log number and slot), an O(n) merge with
 * no sorting however the threads interleaved.
 *
 * Four threads: a producer orders the records and turns them into rows
 * (import_events.c) and hands the events to the stream thread, which
 * encodes and compresses the event_chunks (import_stream.c); this thread
 * inserts the rows and chunks (import_write.c), through a bounded queue;
 * the database file's pages are written to disk by the hs-async VFS's
 * thread (async_vfs.h). The blocks table is not INSERTed but built page by
 * page (btree_build.h) and spliced into the file once SQLite has closed
 * it, before the rename (or its file of leaves, with SQLite's pages
 * copied in, replaces the temporary file: hs_btree_build_finish).
 *
 * The database is written with journal_mode=OFF and synchronous=OFF: the
 * temporary file is worthless until the rename, so the journal would only
 * protect what we throw away on failure anyway. The page cache is 2 MiB:
 * the appends only need the right edge of each B-tree, and whatever is
 * dirty at COMMIT is written after the threads are done (16 MiB made that
 * tail 0.025 s instead of 0.003 s, 64 MiB 0.1 s).
 */
#define _GNU_SOURCE
#include "import.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <gnu/libc-version.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "async_vfs.h"
#include "grow.h"
#include "import_faults.h"
#include "import_int.h"
#include "schema.h"
#include "symbolize.h"
#include "text_file.h"
#include "trace.h"

#ifndef HS_VERSION
#define HS_VERSION "unknown"
#endif

#define SLOT_BITS 40
#define PREFETCH_AHEAD 16 /* records: see hs__import_prefetch */

int hs__import_db_error(struct import_state *st, const char *what)
{
    return hs_error_set(st->err, HS_EDB, "%s in '%s': %s", what, st->opts->out_path,
                        sqlite3_errmsg(st->db));
}

static void warn(struct import_state *st, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void warn(struct import_state *st, const char *fmt, ...)
{
    if (!st->opts->warn)
        return;
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    st->opts->warn(st->opts->ctx, line);
}

/* Process images in start order (their proc numbers follow their first
 * events, which for a process tree is the same order). */
static int by_start(const void *a, const void *b)
{
    const struct import_image *x = a, *y = b;
    uint64_t sx = x->log.header->start_mono_ns, sy = y->log.header->start_mono_ns;
    if (sx != sy)
        return sx < sy ? -1 : 1;
    if (x->pid != y->pid)
        return x->pid < y->pid ? -1 : 1;
    return (x->exec_gen > y->exec_gen) - (x->exec_gen < y->exec_gen);
}

/* Opens every <pid>.<gen>.hslog of the directory. */
static int open_logs(struct import_state *st)
{
    const char *dir = st->opts->logdir;
    DIR *d = opendir(dir);
    if (!d)
        return hs_error_set(st->err, HS_EIO, "cannot open log directory '%s': %s", dir,
                            strerror(errno));
    struct dirent *de;
    size_t cap = 0;
    int rc = 0;
    int rings = 0; /* <pid>.<gen>.ring: HS_RING=1 with no recorder to drain it */
    while ((de = readdir(d))) {
        unsigned pid, gen;
        int end = 0;
        if (sscanf(de->d_name, "%u.%u.ring%n", &pid, &gen, &end) == 2 && !de->d_name[end])
            rings++;
        end = 0;
        if (sscanf(de->d_name, "%u.%u.hslog%n", &pid, &gen, &end) != 2 || de->d_name[end])
            continue;
        struct import_image *grown = hs_grow(st->images, &cap, st->n_images, sizeof *grown, 16);
        if (!grown) {
            rc = hs_error_set(st->err, HS_ENOMEM, "out of memory");
            break;
        }
        st->images = grown;
        struct import_image *img = &st->images[st->n_images];
        memset(img, 0, sizeof *img);
        if (asprintf(&img->path, "%s/%s", dir, de->d_name) < 0) {
            rc = hs_error_set(st->err, HS_ENOMEM, "out of memory");
            break;
        }
        struct hs_error lerr;
        int lrc = hs_log_open(&img->log, img->path, &lerr);
        if (lrc == HS_EFORMAT || lrc == HS_EIO) {
            warn(st, "%s; skipped it", lerr.msg);
            st->result->n_skipped_logs++;
            free(img->path);
            continue;
        }
        if (lrc < 0) {
            free(img->path);
            rc = hs_error_set(st->err, lrc, "%s", lerr.msg);
            break;
        }
        img->pid = img->log.header->pid;
        img->exec_gen = img->log.header->exec_gen;
        st->n_images++;
    }
    closedir(d);
    if (rc == 0 && st->n_images == 0 && rings)
        rc = hs_error_set(st->err, HS_EFORMAT,
                          "'%s' holds only rings (<pid>.<gen>.ring), which only heapscope record "
                          "can drain: preload the tracer without HS_RING=1",
                          dir);
    else if (rc == 0 && st->n_images == 0)
        rc = hs_error_set(st->err, HS_EFORMAT,
                          "'%s' holds no readable heapscope log (<pid>.<gen>.hslog)", dir);
    if (rc == 0)
        qsort(st->images, st->n_images, sizeof *st->images, by_start);
    return rc;
}

void hs__import_note_losses(struct import_state *st)
{
    for (uint32_t i = 0; i < st->n_images; i++) {
        const struct hs_log *log = &st->images[i].log;
        st->result->n_lost += log->n_lost;
        /* a full log: the slots reserved past its limit are never written */
        if (log->n_lost)
            warn(st, "process %u: %llu reserved slot%s never committed (%s)", st->images[i].pid,
                 (unsigned long long)log->n_lost, log->n_lost == 1 ? "" : "s",
                 log->header->flags & HS_LOG_FULL ? "reserved past the log's limit"
                                                  : "the program died mid-write");
        if (log->header->flags & HS_LOG_FULL)
            warn(st, "process %u: the log reached its size limit; later events were dropped",
                 st->images[i].pid);
        if (log->header->flags & HS_LOG_DISABLED)
            warn(st, "process %u: the tracer disabled itself; later events were dropped",
                 st->images[i].pid);
    }
}

/* Makes index hold seq (zeroing the new part); NULL (index freed) if out
 * of memory. */
static uint64_t *grow_index(uint64_t *index, uint64_t *cap, uint64_t seq)
{
    uint64_t want = seq + 1 > 2 * *cap ? seq + 1 : 2 * *cap;
    uint64_t *grown = realloc(index, want * sizeof *grown);
    if (!grown) {
        free(index);
        return NULL;
    }
    memset(grown + *cap, 0, (want - *cap) * sizeof *grown);
    *cap = want;
    return grown;
}

/* index[seq] = image << SLOT_BITS | (slot + 1), 0 where no record has it.
 * One pass over the records: the index starts with room for as many seqs
 * as the logs reserved slots (every seq was taken by a reserved slot, so
 * that is the usual size) and grows if a seq lies beyond. */
static int build_index(struct import_state *st, uint64_t **out, uint64_t *last_seq)
{
    uint64_t reserved = 0;
    for (uint32_t i = 0; i < st->n_images; i++)
        reserved += st->images[i].log.header->n_reserved;
    /* Seqs far beyond the slots of all logs mean a corrupt record (and an
     * absurd index to allocate). */
    uint64_t limit = 2 * reserved + (1u << 20), cap = reserved + 1, max = 0;
    uint64_t *index = calloc(cap, sizeof *index);
    if (!index)
        return hs_error_set(st->err, HS_ENOMEM, "out of memory for %llu events",
                            (unsigned long long)reserved);
    for (uint32_t i = 0; i < st->n_images; i++) {
        const struct hs_log *log = &st->images[i].log;
        for (uint64_t s = 0; s < log->n_slots; s++) {
            const struct hs_record *r = hs_log_record(log, s);
            if (!r)
                continue;
            int rc = 0;
            if (r->seq > limit)
                rc = hs_error_set(st->err, HS_EFORMAT,
                                  "'%s': a record has seq %llu, but all logs together reserved "
                                  "only %llu slots",
                                  st->opts->logdir, (unsigned long long)r->seq,
                                  (unsigned long long)reserved);
            else if (r->seq >= cap && !(index = grow_index(index, &cap, r->seq)))
                return hs_error_set(st->err, HS_ENOMEM, "out of memory for %llu events",
                                    (unsigned long long)r->seq);
            else if (r->seq == 0 || index[r->seq])
                rc = hs_error_set(st->err, HS_EFORMAT, "%s: record %llu has seq %llu, %s",
                                  st->images[i].path, (unsigned long long)s,
                                  (unsigned long long)r->seq,
                                  r->seq ? "which another record already has" : "expected >= 1");
            if (rc) {
                free(index);
                return rc;
            }
            index[r->seq] = (uint64_t)i << SLOT_BITS | (s + 1);
            if (r->seq > max)
                max = r->seq;
            st->result->n_records++;
        }
    }
    *out = index;
    *last_seq = max;
    return 0;
}

static int exec_sql(struct import_state *st, const char *sql)
{
    if (sqlite3_exec(st->db, sql, NULL, NULL, NULL) != SQLITE_OK)
        return hs__import_db_error(st, "cannot write the schema");
    return 0;
}

static int put_meta(struct import_state *st, sqlite3_stmt *s, const char *key, const char *text,
                    int64_t number)
{
    sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
    if (text)
        sqlite3_bind_text(s, 2, text, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_int64(s, 2, number);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? 0 : hs__import_db_error(st, "cannot write meta");
}

/* Appends s as a JSON string to buf (which has room for 6*len+3). */
static char *json_string(char *p, const char *s, size_t len)
{
    *p++ = '"';
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') {
            *p++ = '\\';
            *p++ = (char)c;
        } else if (c < 0x20) {
            p += sprintf(p, "\\u%04x", c);
        } else {
            *p++ = (char)c;
        }
    }
    *p++ = '"';
    return p;
}

/* cmdline (NUL-separated) as a JSON array of strings. */
static char *argv_json(const char *cmdline, size_t len)
{
    char *out = malloc(6 * len + 8), *p = out;
    if (!out)
        return NULL;
    *p++ = '[';
    size_t start = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i == len || cmdline[i] == '\0') {
            if (i == len && i == start)
                break;
            if (p[-1] != '[')
                *p++ = ',';
            p = json_string(p, cmdline + start, i - start);
            start = i + 1;
        }
    }
    *p++ = ']';
    *p = '\0';
    return out;
}

/* The NUL-separated env block, one "NAME=value" per line. */
static char *env_lines(const char *env, size_t len)
{
    char *out = malloc(len + 1);
    if (!out)
        return NULL;
    memcpy(out, env, len);
    out[len] = '\0';
    while (len && out[len - 1] == '\0')
        len--;
    for (size_t i = 0; i < len; i++)
        if (out[i] == '\0')
            out[i] = '\n';
    out[len] = '\0';
    return out;
}

static const struct hs_exit_status *known_exit(const struct hs_import_options *o, uint32_t pid)
{
    for (size_t i = 0; i < o->n_exits; i++)
        if (o->exits[i].pid == pid)
            return &o->exits[i];
    return NULL;
}

/* Numbers the images that had no event, after the others. */
static void number_rest(struct import_state *st)
{
    for (uint32_t i = 0; i < st->n_images; i++)
        if (!st->images[i].proc)
            st->images[i].proc = ++st->n_procs;
}

/* Adds the files that the maps text maps executable to paths (a
 * NUL-separated list, each path once). -1 if out of memory. */
static int add_code_files(const char *maps, char **paths, size_t *len)
{
    for (const char *line = maps; line && *line;) {
        const char *nl = strchr(line, '\n');
        size_t n = nl ? (size_t)(nl - line) : strlen(line);
        char perms[8] = "";
        int path_at = 0;
        sscanf(line, "%*x-%*x %7s %*s %*s %*s %n", perms, &path_at);
        if (perms[2] == 'x' && path_at > 0 && (size_t)path_at < n && line[path_at] == '/') {
            size_t plen = n - (size_t)path_at;
            int seen = 0;
            for (size_t at = 0; !seen && at < *len; at += strlen(*paths + at) + 1)
                seen = strlen(*paths + at) == plen && memcmp(*paths + at, line + path_at, plen) == 0;
            if (!seen) {
                char *grown = realloc(*paths, *len + plen + 1);
                if (!grown)
                    return -1;
                memcpy(grown + *len, line + path_at, plen);
                grown[*len + plen] = '\0';
                *paths = grown;
                *len += plen + 1;
            }
        }
        line = nl ? nl + 1 : NULL;
    }
    return 0;
}

/* The `modules` table: each code file's build-id, read now, right after
 * the run, so that a later symbolization can tell a rebuilt file. */
static int write_modules(struct import_state *st, const char *paths, size_t len)
{
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(st->db, "INSERT INTO modules VALUES(?,?)", -1, &s, NULL) != SQLITE_OK)
        return hs__import_db_error(st, "cannot prepare an insert");
    int rc = 0;
    for (size_t at = 0; at < len && rc == 0; at += strlen(paths + at) + 1) {
        char id[2 * 64 + 1];
        sqlite3_bind_text(s, 1, paths + at, -1, SQLITE_STATIC);
        if (hs_build_id_of_file(paths + at, id, sizeof id))
            sqlite3_bind_text(s, 2, id, -1, SQLITE_TRANSIENT);
        else
            sqlite3_bind_null(s, 2);
        if (sqlite3_step(s) != SQLITE_DONE)
            rc = hs__import_db_error(st, "cannot insert modules");
        sqlite3_reset(s);
    }
    sqlite3_finalize(s);
    return rc;
}

static int write_processes(struct import_state *st)
{
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(st->db,
                           "INSERT INTO processes VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                           -1, &s, NULL) != SQLITE_OK)
        return hs__import_db_error(st, "cannot prepare an insert");
    int rc = 0;
    char *code_files = NULL;
    size_t code_len = 0;
    for (uint32_t i = 0; i < st->n_images && rc == 0; i++) {
        struct import_image *img = &st->images[i];
        const struct hs_log_header *h = img->log.header;
        char *argv = argv_json(h->cmdline, h->cmdline_len < sizeof h->cmdline ? h->cmdline_len
                                                                              : sizeof h->cmdline);
        char *env = env_lines(h->env, h->env_len < sizeof h->env ? h->env_len : sizeof h->env);
        char maps_path[4096];
        snprintf(maps_path, sizeof maps_path, "%s/%u.%u.maps", st->opts->logdir, img->pid,
                 img->exec_gen);
        char *maps = hs_read_text_file(maps_path);
        /* The tracer's copy at exit; for an image that did not exit, the
         * recorder's last look at it (drain.c), if any. */
        size_t base_len = strlen(maps_path);
        strncat(maps_path, ".end", sizeof maps_path - base_len - 1);
        char *maps_end = hs_read_text_file(maps_path);
        if (!maps_end) {
            maps_path[base_len] = '\0';
            strncat(maps_path, ".seen", sizeof maps_path - base_len - 1);
            maps_end = hs_read_text_file(maps_path);
        }
        size_t exe_len = h->exe_len < sizeof h->exe ? h->exe_len : sizeof h->exe;
        /* The last image of a pid is the one a waitpid status belongs to. */
        int last_image = 1;
        for (uint32_t j = 0; j < st->n_images; j++)
            if (st->images[j].pid == img->pid && st->images[j].exec_gen > img->exec_gen)
                last_image = 0;
        const struct hs_exit_status *ex = last_image ? known_exit(st->opts, img->pid) : NULL;

        sqlite3_bind_int64(s, 1, img->proc);
        sqlite3_bind_int64(s, 2, img->pid);
        sqlite3_bind_int64(s, 3, img->exec_gen);
        sqlite3_bind_int64(s, 4, hs__import_parent_of(st, img->pid, h->ppid));
        sqlite3_bind_text(s, 5, h->exe, (int)exe_len, SQLITE_TRANSIENT);
        sqlite3_bind_text(s, 6, argv ? argv : "[]", -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(s, 7, env ? env : "", -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(s, 8, (sqlite3_int64)h->start_mono_ns);
        sqlite3_bind_int64(
            s, 9,
            (sqlite3_int64)(img->last_ts > h->start_mono_ns ? img->last_ts : h->start_mono_ns));
        sqlite3_bind_int64(s, 10, (sqlite3_int64)h->start_real_ns);
        if (ex && WIFEXITED(ex->wait_status))
            sqlite3_bind_int64(s, 11, WEXITSTATUS(ex->wait_status));
        else if (!ex && img->has_exit)
            sqlite3_bind_int64(s, 11, (sqlite3_int64)(img->exit_code & 0xff));
        else
            sqlite3_bind_null(s, 11);
        if (ex && WIFSIGNALED(ex->wait_status))
            sqlite3_bind_int64(s, 12, WTERMSIG(ex->wait_status));
        else
            sqlite3_bind_null(s, 12);
        sqlite3_bind_int64(s, 13, (sqlite3_int64)h->initial_brk);
        sqlite3_bind_int64(s, 14, h->page_size);
        sqlite3_bind_int64(s, 15, (h->flags & HS_LOG_GLIBC_MALLOC) != 0);
        sqlite3_bind_int64(s, 16, h->flags);
        sqlite3_bind_int64(s, 17, (sqlite3_int64)img->n_events);
        sqlite3_bind_int64(s, 18, (sqlite3_int64)img->log.n_lost);
        if (maps)
            sqlite3_bind_text(s, 19, maps, -1, SQLITE_TRANSIENT);
        else
            sqlite3_bind_null(s, 19);
        if (maps_end)
            sqlite3_bind_text(s, 20, maps_end, -1, SQLITE_TRANSIENT);
        else
            sqlite3_bind_null(s, 20);
        if (!argv || !env || add_code_files(maps, &code_files, &code_len) ||
            add_code_files(maps_end, &code_files, &code_len))
            rc = hs_error_set(st->err, HS_ENOMEM, "out of memory");
        else if (sqlite3_step(s) != SQLITE_DONE)
            rc = hs__import_db_error(st, "cannot insert processes");
        sqlite3_reset(s);
        free(argv);
        free(env);
        free(maps);
        free(maps_end);
    }
    sqlite3_finalize(s);
    if (rc == 0)
        rc = write_modules(st, code_files, code_len);
    free(code_files);
    return rc;
}

static int write_lookup_tables(struct import_state *st)
{
    sqlite3_stmt *s;
    int rc = 0;
    if (sqlite3_prepare_v2(st->db, "INSERT INTO ops VALUES(?,?)", -1, &s, NULL) != SQLITE_OK)
        return hs__import_db_error(st, "cannot prepare an insert");
    for (unsigned op = 1; op < HS_OP_COUNT && rc == 0; op++) {
        sqlite3_bind_int(s, 1, (int)op);
        sqlite3_bind_text(s, 2, hs_op_name(op), -1, SQLITE_STATIC);
        if (sqlite3_step(s) != SQLITE_DONE)
            rc = hs__import_db_error(st, "cannot insert ops");
        sqlite3_reset(s);
    }
    sqlite3_finalize(s);
    if (rc)
        return rc;
    if (sqlite3_prepare_v2(st->db, "INSERT INTO origins VALUES(?,?)", -1, &s, NULL) != SQLITE_OK)
        return hs__import_db_error(st, "cannot prepare an insert");
    for (unsigned o = 0; o <= HS_ORIGIN_TRACER && rc == 0; o++) {
        sqlite3_bind_int(s, 1, (int)o);
        sqlite3_bind_text(s, 2, hs_origin_name(o), -1, SQLITE_STATIC);
        if (sqlite3_step(s) != SQLITE_DONE)
            rc = hs__import_db_error(st, "cannot insert origins");
        sqlite3_reset(s);
    }
    sqlite3_finalize(s);
    return rc;
}

static int write_meta(struct import_state *st, uint64_t last_seq)
{
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(st->db, "INSERT INTO meta VALUES(?,?)", -1, &s, NULL) != SQLITE_OK)
        return hs__import_db_error(st, "cannot prepare an insert");
    struct utsname u;
    char kernel[4 * sizeof u.release];
    if (uname(&u) == 0)
        snprintf(kernel, sizeof kernel, "%s %s %s %s", u.sysname, u.release, u.version, u.machine);
    else
        snprintf(kernel, sizeof kernel, "unknown");
    uint32_t format = 0, all_glibc = 1;
    uint64_t t0 = UINT64_MAX, t1 = 0;
    for (uint32_t i = 0; i < st->n_images; i++) {
        const struct hs_log_header *h = st->images[i].log.header;
        if (h->format_version > format)
            format = h->format_version;
        if (!(h->flags & HS_LOG_GLIBC_MALLOC))
            all_glibc = 0;
        if (h->start_mono_ns < t0)
            t0 = h->start_mono_ns;
        if (st->images[i].last_ts > t1)
            t1 = st->images[i].last_ts;
    }
    const struct hs_log_header *first = st->images[0].log.header; /* proc 1 */
    for (uint32_t i = 0; i < st->n_images; i++)
        if (st->images[i].proc == 1)
            first = st->images[i].log.header;
    char *env = env_lines(first->env,
                          first->env_len < sizeof first->env ? first->env_len : sizeof first->env);
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    int rc = 0;
    (void)((rc = put_meta(st, s, "schema_version", NULL, HS_SCHEMA_VERSION)) ||
           (rc = put_meta(st, s, "format_version", NULL, format)) ||
           (rc = put_meta(st, s, "heapscope_version", HS_VERSION, 0)) ||
           (rc = put_meta(st, s, "glibc_version", gnu_get_libc_version(), 0)) ||
           (rc = put_meta(st, s, "page_size", NULL, sysconf(_SC_PAGESIZE))) ||
           (rc = put_meta(st, s, "kernel", kernel, 0)) ||
           (rc = put_meta(st, s, "malloc_env", env ? env : "", 0)) ||
           (rc = put_meta(st, s, "glibc_malloc", NULL, all_glibc)) ||
           (rc = put_meta(st, s, "start_ts_ns", NULL, (int64_t)t0)) ||
           (rc = put_meta(st, s, "end_ts_ns", NULL, (int64_t)(t1 > t0 ? t1 : t0))) ||
           (rc = put_meta(st, s, "last_seq", NULL, (int64_t)last_seq)) ||
           (rc = put_meta(st, s, "n_events", NULL, (int64_t)st->result->n_events)) ||
           (rc = put_meta(st, s, "n_lost", NULL, (int64_t)st->result->n_lost)) ||
           (rc = put_meta(st, s, "chunk_events", NULL, HS_STREAM_CHUNK_EVENTS)) ||
           (rc = put_meta(st, s, "imported_real_ns", NULL,
                          (int64_t)now.tv_sec * 1000000000 + now.tv_nsec)));
    free(env);
    sqlite3_finalize(s);
    return rc;
}

struct producer_args {
    struct import_state *st;
    const uint64_t *index;
    uint64_t last_seq;
};

/* The record an index entry points to (NULL for none); *image is its log. */
static const struct hs_record *indexed_record(const struct import_state *st, uint64_t at,
                                              uint32_t *image)
{
    if (!at)
        return NULL;
    *image = (uint32_t)(at >> SLOT_BITS);
    return hs_log_record(&st->images[*image].log, (at & ((1ull << SLOT_BITS) - 1)) - 1);
}

/* The producer thread: every record in seq order, then the leftovers. */
static void *produce(void *arg)
{
    struct producer_args *a = arg;
    struct import_state *st = a->st;
    int rc = 0;
    uint32_t image;
    for (uint64_t seq = 1; seq <= a->last_seq && rc == 0; seq++) {
        for (int stage = 0; stage < 2; stage++) {
            uint64_t ahead = seq + (stage ? PREFETCH_AHEAD / 2 : PREFETCH_AHEAD);
            const struct hs_record *r =
                ahead <= a->last_seq ? indexed_record(st, a->index[ahead], &image) : NULL;
            if (r)
                hs__import_prefetch(st, image, r, stage);
        }
        const struct hs_record *r = indexed_record(st, a->index[seq], &image);
        if (r)
            rc = hs__import_record(st, image, r);
        if (st->opts->progress && (seq & 0xfffff) == 0)
            st->opts->progress(st->opts->ctx, seq, a->last_seq);
    }
    if (rc == 0)
        rc = hs__import_finish(st);
    hs__import_msg_end(st, rc);
    return NULL;
}

int hs__import_begin(struct import_state *st)
{
    int rc;
    if ((rc = exec_sql(st, "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;"
                           "PRAGMA locking_mode=EXCLUSIVE; PRAGMA cache_size=-2048;"
                           "BEGIN;")) ||
        (rc = exec_sql(st, hs_schema_sql)) || (rc = write_lookup_tables(st)) ||
        (rc = hs__import_prepare(st)))
        return rc;
    struct import_queue *q = calloc(1, sizeof *q);
    if (!q)
        return hs_error_set(st->err, HS_ENOMEM, "out of memory");
    pthread_mutex_init(&q->lock, NULL);
    pthread_cond_init(&q->changed, NULL);
    st->queue_out = q;
    return hs__import_events_init(st);
}

int hs__import_end(struct import_state *st, int rc, uint64_t last_seq)
{
    hs__import_events_release(st);
    struct import_queue *q = st->queue_out;
    if (q) {
        pthread_cond_destroy(&q->changed);
        pthread_mutex_destroy(&q->lock);
        free(q);
        st->queue_out = NULL;
    }
    if (rc == 0 && st->result->n_skipped)
        warn(st, "skipped %llu records (unknown ops or snapshots without their mark)",
             (unsigned long long)st->result->n_skipped);
    if (rc == 0 && hs_fault_place_stalled(st->faults))
        warn(st, "the page-fault sampler stopped reporting for %d s; faults it wrote later are "
                 "placed where they were read",
             HS_FAULT_PLACE_STALL_MS / 1000);
    number_rest(st);
    if (rc == 0 && (rc = write_processes(st)) == 0 && (rc = write_meta(st, last_seq)) == 0 &&
        (rc = exec_sql(st, hs_schema_post_sql)) == 0 &&
        (rc = hs_import_faults(st->db, st->opts->logdir,
                                hs_fault_place_has_log(st->faults) ? st->faults : NULL,
                                st->err)) == 0)
        rc = exec_sql(st, "COMMIT;");
    hs_fault_place_free(st->faults);
    st->faults = NULL;
    free(st->forks); /* read by write_processes */
    st->forks = NULL;
    st->n_forks = st->cap_forks = 0;
    if (st->opts->progress && rc == 0)
        st->opts->progress(st->opts->ctx, last_seq, last_seq);
    return rc;
}

static int import_all(struct import_state *st)
{
    uint64_t *index = NULL, last_seq = 0;
    hs__import_note_losses(st);
    int rc = build_index(st, &index, &last_seq);
    if (rc)
        return rc;
    if ((rc = hs__import_begin(st)) == 0) /* the page faults, placed during the pass */
        rc = hs_fault_place_open(st->opts->logdir, 0, &st->faults, st->err);
    /* The producer reports into its own hs_error; SQLite errors into ours. */
    struct hs_error *mine = st->err, producer_err = {""};
    st->err = &producer_err;
    struct producer_args args = {st, index, last_seq};
    pthread_t thread;
    if (rc) {
        /* the error is in *mine already */
    } else if (pthread_create(&thread, NULL, produce, &args) != 0) {
        rc = hs_error_set(mine, HS_EIO, "cannot start the import thread");
    } else {
        struct hs_error db_err = {""};
        rc = hs__import_consume(st, &db_err);
        pthread_join(thread, NULL);
        if (rc)
            hs_error_set(mine, rc, "%s", db_err.msg[0] ? db_err.msg : producer_err.msg);
    }
    st->err = mine;
    free(index);
    return hs__import_end(st, rc, last_seq);
}

int hs_import_check_output(const char *out_path, struct hs_error *err)
{
    struct stat sb;
    if (stat(out_path, &sb) == 0 && S_ISDIR(sb.st_mode))
        return hs_error_set(err, HS_EIO, "cannot write trace '%s': Is a directory", out_path);
    /* The finished trace is renamed over the output: that would replace a
     * device or FIFO (as root, -o /dev/null would become a regular file). */
    if (stat(out_path, &sb) == 0 && !S_ISREG(sb.st_mode))
        return hs_error_set(err, HS_EIO,
                            "cannot write trace '%s': not a regular file (expected a new or "
                            "existing .db file)",
                            out_path);
    char tmp[4096];
    if (snprintf(tmp, sizeof tmp, "%s.tmp-XXXXXX", out_path) >= (int)sizeof tmp)
        return hs_error_set(err, HS_EIO, "cannot write trace '%s': File name too long", out_path);
    int fd = mkstemp(tmp);
    if (fd < 0)
        return hs_error_set(err, HS_EIO, "cannot write trace '%s': %s", out_path, strerror(errno));
    close(fd);
    unlink(tmp);
    return 0;
}

int hs__import_create(struct import_state *st, char *tmp, size_t tmp_size, int *fd_out)
{
    const char *out = st->opts->out_path;
    snprintf(tmp, tmp_size, "%s.tmp-XXXXXX", out);
    int fd = mkstemp(tmp);
    if (fd < 0)
        return hs_error_set(st->err, HS_EIO, "cannot write trace '%s': %s", out, strerror(errno));
    /* mkstemp makes it 0600: give the trace the mode sqlite3 or cp would
     * (0666 less the umask), so others can read it where the umask allows */
    mode_t mask = umask(0);
    umask(mask);
    int rc = 0;
    if (fchmod(fd, 0666 & ~mask) != 0) {
        rc = hs_error_set(st->err, HS_EIO, "cannot write trace '%s': %s", out, strerror(errno));
    } else {
        /* The writes go to disk from a thread of their own (async_vfs.h). */
        const char *vfs = hs_async_vfs_register() == SQLITE_OK ? HS_ASYNC_VFS : NULL;
        if (sqlite3_open_v2(tmp, &st->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, vfs) !=
            SQLITE_OK)
            rc = hs_error_set(st->err, HS_EDB, "cannot create trace '%s': %s", out,
                              st->db ? sqlite3_errmsg(st->db) : "out of memory");
    }
    if (rc)
        return hs__import_close(st, tmp, fd, rc); /* removes the file */
    *fd_out = fd;
    return 0;
}

/* Renames tmp to out. Over an existing trace, the two names are swapped
 * and the old file removed instead: as atomic, but ext4 starts writing a
 * file back at once when a rename replaces another (auto_da_alloc), which
 * made the close 0.03-0.05 s longer for 4 M events; an exchange does not. */
static int put_in_place(const char *tmp, const char *out)
{
    struct stat sb;
    if (lstat(out, &sb) == 0 && S_ISREG(sb.st_mode) &&
        renameat2(AT_FDCWD, tmp, AT_FDCWD, out, RENAME_EXCHANGE) == 0) {
        unlink(tmp); /* the old trace now */
        return 0;
    }
    return rename(tmp, out);
}

int hs__import_close(struct import_state *st, const char *tmp, int fd, int rc)
{
    const char *out = st->opts->out_path;
    hs__import_release(st);
    if (rc == 0 && sqlite3_close(st->db) != SQLITE_OK)
        rc = hs_error_set(st->err, HS_EDB, "cannot close trace '%s'", out);
    else if (rc == 0)
        st->db = NULL;
    if (rc == 0)
        rc = hs__import_splice_blocks(st, tmp, &fd);
    hs_btree_build_free(st->blocks); /* after a failure */
    hs_btree_build_free(st->alloc_stacks);
    st->blocks = st->alloc_stacks = NULL;
    if (rc == 0 && put_in_place(tmp, out) != 0)
        rc = hs_error_set(st->err, HS_EIO, "cannot write trace '%s': %s", out, strerror(errno));
    struct stat sb;
    if (rc == 0 && fstat(fd, &sb) == 0)
        st->result->db_size = (uint64_t)sb.st_size;
    if (rc) {
        if (st->db)
            sqlite3_close(st->db);
        st->db = NULL;
        unlink(tmp);
    }
    close(fd);
    st->result->n_processes = st->n_images;
    return rc;
}

int hs_import(const struct hs_import_options *opts, struct hs_import_result *result,
              struct hs_error *err)
{
    struct import_state st;
    memset(&st, 0, sizeof st);
    memset(result, 0, sizeof *result);
    st.opts = opts;
    st.result = result;
    st.err = err;

    char tmp[4096];
    int fd, rc = hs_import_check_output(opts->out_path, err);
    if (rc == 0 && (rc = open_logs(&st)) == 0 &&
        (rc = hs__import_create(&st, tmp, sizeof tmp, &fd)) == 0)
        rc = hs__import_close(&st, tmp, fd, import_all(&st));
    for (uint32_t i = 0; i < st.n_images; i++) {
        hs_log_close(&st.images[i].log);
        free(st.images[i].path);
    }
    free(st.images);
    return rc;
}
