/*
 * model_run.c - driving the glibc model over a stored trace: process
 * images from the processes table, fork inheritance, brk pairing and the
 * model_checkpoints cache (model_run.h has the rules and the table).
 * Check: replaying to seq S from a checkpoint and from the start gives the
 * same hs_model_save() image (tests/model).
 */
#include "model_run.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grow.h"

static void params_from_env(struct hs_glibc_params *par, const char *env)
{
    const struct hs_glibc_profile *prof = hs_glibc_profile_236();
    hs_glibc_params_init(par, prof);
    if (!env)
        return;
    size_t len = strlen(env);
    char *copy = malloc(len + 1);
    if (!copy)
        return;
    for (size_t i = 0; i <= len; i++)
        copy[i] = env[i] == '\n' ? '\0' : env[i];
    hs_glibc_params_apply_env(par, prof, copy, len);
    free(copy);
}

static int find_fork(sqlite3 *db, struct hs_model_images *imgs, uint32_t i)
{
    struct hs_model_image *c = &imgs->v[i];
    sqlite3_stmt *s;
    if (c->exec_gen != 0 || !c->ppid)
        return 0;
    if (sqlite3_prepare_v2(
            db,
            "SELECT seq, tid, ts_ns FROM sys_events WHERE op = 22 AND pid = ?1 AND ptr = ?2"
            " ORDER BY seq DESC LIMIT 1",
            -1, &s, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_int64(s, 1, c->ppid);
    sqlite3_bind_int64(s, 2, c->pid);
    if (sqlite3_step(s) == SQLITE_ROW) {
        uint64_t ts = (uint64_t)sqlite3_column_int64(s, 2);
        for (uint32_t k = 0; k < imgs->n; k++) {
            const struct hs_model_image *p = &imgs->v[k];
            if (k != i && p->pid == c->ppid && p->start_ts <= ts && ts < p->end_ts) {
                c->parent = (int)k;
                c->fork_seq = (uint64_t)sqlite3_column_int64(s, 0);
                c->fork_tid = (uint32_t)sqlite3_column_int64(s, 1);
            }
        }
    }
    sqlite3_finalize(s);
    return 0;
}

int hs_model_images_load(struct hs_trace *t, struct hs_model_images *out, struct hs_error *err)
{
    sqlite3 *db = hs_trace_db(t);
    sqlite3_stmt *s;
    memset(out, 0, sizeof *out);
    if (sqlite3_prepare_v2(
            db,
            "SELECT pid, exec_gen, coalesce(ppid, 0), coalesce(start_ts_ns, 0),"
            " coalesce(n_events, 0), coalesce(glibc_malloc, 0), env, coalesce(exe, ''), proc"
            " FROM processes ORDER BY start_ts_ns, pid, exec_gen",
            -1, &s, NULL) != SQLITE_OK)
        return hs_error_set(err, HS_EDB, "cannot read processes: %s", sqlite3_errmsg(db));
    size_t cap = 0;
    while (sqlite3_step(s) == SQLITE_ROW) {
        struct hs_model_image *grown = hs_grow(out->v, &cap, out->n, sizeof *grown, 16);
        if (!grown) {
            sqlite3_finalize(s);
            hs_model_images_free(out);
            return hs_error_set(err, HS_ENOMEM, "out of memory");
        }
        out->v = grown;
        struct hs_model_image *im = &out->v[out->n++];
        memset(im, 0, sizeof *im);
        im->pid = (uint32_t)sqlite3_column_int64(s, 0);
        im->exec_gen = (uint32_t)sqlite3_column_int64(s, 1);
        im->ppid = (uint32_t)sqlite3_column_int64(s, 2);
        im->start_ts = (uint64_t)sqlite3_column_int64(s, 3);
        im->end_ts = UINT64_MAX;
        im->n_events = (uint64_t)sqlite3_column_int64(s, 4);
        im->glibc = sqlite3_column_int(s, 5) != 0;
        params_from_env(&im->params, (const char *)sqlite3_column_text(s, 6));
        snprintf(im->exe, sizeof im->exe, "%s", (const char *)sqlite3_column_text(s, 7));
        im->proc = (uint32_t)sqlite3_column_int64(s, 8);
        im->parent = -1;
    }
    sqlite3_finalize(s);
    /* an image ends where the next exec of the same pid starts */
    for (uint32_t i = 0; i < out->n; i++)
        for (uint32_t k = 0; k < out->n; k++)
            if (out->v[k].pid == out->v[i].pid && out->v[k].exec_gen == out->v[i].exec_gen + 1)
                out->v[i].end_ts = out->v[k].start_ts;
    for (uint32_t i = 0; i < out->n; i++)
        if (find_fork(db, out, i) != 0) {
            hs_model_images_free(out);
            return hs_error_set(err, HS_EDB, "cannot read fork events: %s", sqlite3_errmsg(db));
        }
    return 0;
}

void hs_model_images_free(struct hs_model_images *imgs)
{
    free(imgs->v);
    imgs->v = NULL;
    imgs->n = 0;
}

int hs_model_image_of_pid(const struct hs_model_images *imgs, uint32_t pid)
{
    int best = -1;
    for (uint32_t i = 0; i < imgs->n; i++)
        if ((!pid || imgs->v[i].pid == pid) &&
            (best < 0 || imgs->v[i].n_events > imgs->v[best].n_events))
            best = (int)i;
    return best;
}

int hs_model_image_of_seq(struct hs_trace *t, const struct hs_model_images *imgs, uint64_t seq,
                          uint32_t pid, struct hs_error *err)
{
    struct hs_cursor *c;
    struct hs_event ev;
    int rc = hs_cursor_open(t, seq, pid, &c, err);
    if (rc)
        return rc;
    rc = hs_cursor_next(c, &ev, err);
    hs_cursor_close(c);
    if (rc < 0)
        return rc;
    if (rc == 0 || ev.seq != seq) {
        /* a seq of a snapshot or stack record, or of a lost slot: say
         * where the events around it are */
        char around[96] = "";
        uint64_t before = 0, after = rc == 1 ? ev.seq : 0;
        struct hs_cursor *back;
        struct hs_event prev;
        if (seq > 1 && hs_cursor_open(t, seq > 64 ? seq - 64 : 1, pid, &back, err) == 0) {
            while (hs_cursor_next(back, &prev, err) == 1 && prev.seq < seq)
                before = prev.seq;
            hs_cursor_close(back);
        }
        if (before && after)
            snprintf(around, sizeof around, " (the events around it: %llu and %llu)",
                     (unsigned long long)before, (unsigned long long)after);
        else if (before || after)
            snprintf(around, sizeof around, " (the nearest event: %llu)",
                     (unsigned long long)(before ? before : after));
        return hs_error_set(err, HS_EARG, "no event %llu%s%s", (unsigned long long)seq,
                            pid ? " in that process" : "", around);
    }
    for (uint32_t i = 0; i < imgs->n; i++)
        if (imgs->v[i].pid == ev.pid && imgs->v[i].start_ts <= ev.ts_ns &&
            ev.ts_ns < imgs->v[i].end_ts)
            return (int)i;
    return hs_error_set(err, HS_EARG, "event %llu belongs to no process image",
                        (unsigned long long)seq);
}

static int is_call(unsigned op)
{
    return op >= HS_OP_MALLOC && op <= HS_OP_MALLOPT;
}

static int is_inferred_map(const struct hs_event *e)
{
    return e->origin == HS_ORIGIN_ALLOCATOR &&
           (e->op == HS_OP_MMAP || e->op == HS_OP_MUNMAP || e->op == HS_OP_MREMAP);
}

int hs_model_replay(struct hs_trace *t, const struct hs_model_images *imgs, int idx,
                    struct hs_model *m, uint64_t from_seq, uint64_t to_seq, hs_model_step_fn fn,
                    void *ctx, struct hs_error *err)
{
    const struct hs_model_image *im = &imgs->v[idx];
    struct hs_cursor *c;
    int rc = hs_cursor_open(t, from_seq, im->pid, &c, err);
    if (rc)
        return rc;
    struct hs_event ev, pending;
    int have_pending = 0, stopped = 0;
    struct hs_model_step step;
    while ((rc = hs_cursor_next(c, &ev, err)) == 1) {
        if (ev.ts_ns < im->start_ts)
            continue;
        if (ev.ts_ns >= im->end_ts || (to_seq && ev.seq > to_seq)) {
            stopped = to_seq && ev.seq > to_seq && ev.ts_ns < im->end_ts;
            break;
        }
        if (ev.op == HS_OP_BRK && ev.origin == HS_ORIGIN_ALLOCATOR) {
            /* Already done by the model (a free's trim, recorded after
             * it): nothing left to pair. */
            if (!have_pending && hs_model_brk(m) == ev.ptr) {
                if (fn && fn(ctx, &ev, &step, m))
                    break;
                continue;
            }
            if (have_pending) {
                hs_model_apply(m, &pending, NULL, &step);
                if (fn && fn(ctx, &pending, &step, m))
                    break;
            }
            pending = ev;
            have_pending = 1;
            continue;
        }
        if (have_pending && is_inferred_map(&ev)) {
            /* the inferred mappings of a call come between its brk and it */
            hs_model_apply(m, &ev, NULL, &step);
            if (fn && fn(ctx, &ev, &step, m))
                break;
            continue;
        }
        const struct hs_event *hint = NULL;
        if (have_pending && is_call(ev.op) && ev.op != HS_OP_FREE && pending.tid == ev.tid) {
            hint = &pending;
        } else if (have_pending) {
            hs_model_apply(m, &pending, NULL, &step);
            if (fn && fn(ctx, &pending, &step, m))
                break;
        }
        have_pending = 0;
        hs_model_apply(m, &ev, hint, &step);
        if (fn && fn(ctx, &ev, &step, m))
            break;
    }
    /* A growing break left at the end belongs to no call; one left when
     * stopping at to_seq belongs to the call after to_seq. */
    if (rc >= 0 && have_pending && !stopped)
        hs_model_apply(m, &pending, NULL, &step);
    hs_cursor_close(c);
    return rc < 0 ? rc : 0;
}

int hs_model_image_start(struct hs_trace *t, const struct hs_model_images *imgs, int idx,
                         struct hs_model **out, struct hs_error *err)
{
    const struct hs_model_image *im = &imgs->v[idx];
    if (im->parent >= 0) {
        int rc = hs_model_run_at(t, imgs, im->parent, im->fork_seq, out, err);
        if (rc)
            return rc;
        hs_model_fork(*out, im->fork_tid, im->pid);
        return 0;
    }
    *out = hs_model_new(hs_glibc_profile_236(), &im->params);
    if (!*out)
        return hs_error_set(err, HS_ENOMEM, "out of memory");
    hs_model_set_main_tid(*out, im->pid);
    return 0;
}

/* --- checkpoints --------------------------------------------------- */

/* Checkpoints an older heapscope saved (another image layout) cannot be
 * loaded; left, they would stop the cache from being built again, and
 * every call would replay from the start. One image tells for all. */
static void drop_stale_checkpoints(sqlite3 *db)
{
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(db, "SELECT image FROM model_checkpoints LIMIT 1", -1, &s, NULL) !=
        SQLITE_OK)
        return;
    int stale = sqlite3_step(s) == SQLITE_ROW &&
                !hs_model_image_is_current(sqlite3_column_blob(s, 0),
                                           (size_t)sqlite3_column_bytes(s, 0));
    sqlite3_finalize(s);
    if (stale)
        sqlite3_exec(db, "DELETE FROM model_checkpoints", NULL, NULL, NULL);
}

/* The cache lives in the trace file but the trace handle may be read-only:
 * the cache gets its own read-write connection (none if the file is not
 * writable; then every call replays from the start). */
static sqlite3 *open_cache(struct hs_trace *t)
{
    const char *path = sqlite3_db_filename(hs_trace_db(t), "main");
    sqlite3 *db = NULL;
    if (!path || !*path || sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK ||
        sqlite3_exec(db,
                     "CREATE TABLE IF NOT EXISTS model_checkpoints(pid INTEGER, exec_gen INTEGER,"
                     " seq INTEGER, image BLOB, PRIMARY KEY(pid, exec_gen, seq)) WITHOUT ROWID",
                     NULL, NULL, NULL) != SQLITE_OK) {
        sqlite3_close(db);
        return NULL;
    }
    sqlite3_busy_timeout(db, 2000);
    drop_stale_checkpoints(db);
    return db;
}

/* The latest checkpoint at or before seq; 0 if none. */
static uint64_t load_checkpoint(sqlite3 *db, const struct hs_model_image *im, uint64_t seq,
                                struct hs_model **m)
{
    sqlite3_stmt *s;
    uint64_t at = 0;
    if (sqlite3_prepare_v2(
            db,
            "SELECT seq, image FROM model_checkpoints WHERE pid = ?1 AND exec_gen = ?2"
            " AND seq <= ?3 ORDER BY seq DESC LIMIT 1",
            -1, &s, NULL) != SQLITE_OK)
        return 0;
    sqlite3_bind_int64(s, 1, im->pid);
    sqlite3_bind_int64(s, 2, im->exec_gen);
    sqlite3_bind_int64(s, 3, seq ? (sqlite3_int64)seq : INT64_MAX);
    if (sqlite3_step(s) == SQLITE_ROW) {
        struct hs_model *loaded;
        const uint8_t *img = sqlite3_column_blob(s, 1);
        size_t len = (size_t)sqlite3_column_bytes(s, 1);
        if (img && hs_model_load(hs_glibc_profile_236(), img, len, &loaded) == 0) {
            hs_model_free(*m);
            *m = loaded;
            at = (uint64_t)sqlite3_column_int64(s, 0);
        }
    }
    sqlite3_finalize(s);
    return at;
}

/* Images are kept in memory during the replay (its cursor holds a read
 * lock) and written afterwards. */
struct ckpt {
    uint64_t seq;
    uint8_t *img;
    size_t len;
};

struct ckpt_ctx {
    struct ckpt *v;
    size_t n, cap;
    uint64_t since;
    int failed;
    int on;              /* collect images */
    hs_model_step_fn fn; /* the caller's callback, chained */
    void *ctx;
};

static int save_step(void *vctx, const struct hs_event *ev, const struct hs_model_step *st,
                     struct hs_model *m)
{
    struct ckpt_ctx *k = vctx;
    if (k->fn && k->fn(k->ctx, ev, st, m))
        return 1;
    if (!k->on || ++k->since < HS_MODEL_CHECKPOINT_EVERY || k->failed)
        return 0;
    struct ckpt *grown = hs_grow(k->v, &k->cap, k->n, sizeof *grown, 16);
    if (!grown) {
        k->failed = 1;
        return 0;
    }
    k->v = grown;
    struct ckpt *c = &k->v[k->n];
    if (hs_model_save(m, &c->img, &c->len) != 0) {
        k->failed = 1;
        return 0;
    }
    c->seq = ev->seq;
    k->n++;
    k->since = 0;
    return 0;
}

static int have_checkpoints(sqlite3 *db, const struct hs_model_image *im)
{
    sqlite3_stmt *s;
    int have = 0;
    if (sqlite3_prepare_v2(
            db, "SELECT 1 FROM model_checkpoints WHERE pid = ?1 AND exec_gen = ?2 LIMIT 1", -1, &s,
            NULL) != SQLITE_OK)
        return 0;
    sqlite3_bind_int64(s, 1, im->pid);
    sqlite3_bind_int64(s, 2, im->exec_gen);
    have = sqlite3_step(s) == SQLITE_ROW;
    sqlite3_finalize(s);
    return have;
}

static void store_checkpoints(sqlite3 *cache, const struct hs_model_image *im,
                              const struct ckpt_ctx *k)
{
    sqlite3_stmt *ins = NULL;
    if (k->failed ||
        sqlite3_prepare_v2(cache, "INSERT OR REPLACE INTO model_checkpoints VALUES(?1, ?2, ?3, ?4)",
                           -1, &ins, NULL) != SQLITE_OK)
        return;
    sqlite3_exec(cache, "BEGIN", NULL, NULL, NULL);
    for (size_t i = 0; i < k->n; i++) {
        sqlite3_bind_int64(ins, 1, im->pid);
        sqlite3_bind_int64(ins, 2, im->exec_gen);
        sqlite3_bind_int64(ins, 3, (sqlite3_int64)k->v[i].seq);
        sqlite3_bind_blob(ins, 4, k->v[i].img, (int)k->v[i].len, SQLITE_STATIC);
        sqlite3_step(ins);
        sqlite3_reset(ins);
    }
    sqlite3_exec(cache, "COMMIT", NULL, NULL, NULL);
    sqlite3_finalize(ins);
}

int hs_model_replay_all(struct hs_trace *t, const struct hs_model_images *imgs, int idx,
                        hs_model_step_fn fn, void *ctx, struct hs_model **out, struct hs_error *err)
{
    const struct hs_model_image *im = &imgs->v[idx];
    sqlite3 *cache = im->n_events > HS_MODEL_CHECKPOINT_EVERY ? open_cache(t) : NULL;
    struct ckpt_ctx k = {.fn = fn, .ctx = ctx};
    k.on = cache && !have_checkpoints(cache, im);
    struct hs_model *m;
    int rc = hs_model_image_start(t, imgs, idx, &m, err);
    if (rc == 0)
        rc = hs_model_replay(t, imgs, idx, m, im->parent >= 0 ? im->fork_seq + 1 : 0, 0, save_step,
                             &k, err);
    if (rc == 0 && k.on)
        store_checkpoints(cache, im, &k);
    sqlite3_close(cache);
    for (size_t i = 0; i < k.n; i++)
        free(k.v[i].img);
    free(k.v);
    if (rc == 0 && out)
        *out = m;
    else
        hs_model_free(m);
    return rc;
}

int hs_model_run_at(struct hs_trace *t, const struct hs_model_images *imgs, int idx, uint64_t seq,
                    struct hs_model **out, struct hs_error *err)
{
    const struct hs_model_image *im = &imgs->v[idx];
    sqlite3 *cache = im->n_events > HS_MODEL_CHECKPOINT_EVERY ? open_cache(t) : NULL;
    int rc = 0;
    if (cache && !have_checkpoints(cache, im)) {
        /* its own connection writes the images; ours must not hold them */
        sqlite3_close(cache);
        rc = hs_model_replay_all(t, imgs, idx, NULL, NULL, NULL, err);
        cache = rc == 0 ? open_cache(t) : NULL;
    }
    struct hs_model *m = NULL;
    if (rc == 0)
        rc = hs_model_image_start(t, imgs, idx, &m, err);
    uint64_t from = im->parent >= 0 ? im->fork_seq + 1 : 0;
    if (rc == 0 && cache) {
        uint64_t at = load_checkpoint(cache, im, seq, &m);
        if (at)
            from = at + 1;
    }
    sqlite3_close(cache);
    if (rc == 0)
        rc = hs_model_replay(t, imgs, idx, m, from, seq, NULL, NULL, err);
    if (rc) {
        hs_model_free(m);
        return rc;
    }
    *out = m;
    return 0;
}
