/*
 * model_run.c - driving the glibc model over a stored trace: settings
 * from the processes table, brk pairing, and the model_checkpoints cache
 * (see model_run.h for the table and the pairing rule).
 * Check: replaying to seq S from a checkpoint and from the start gives the
 * same hs_model_save() image (tests/model).
 */
#include "model_run.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

int hs_model_processes(struct hs_trace *t, uint32_t **pids, uint32_t *n, struct hs_error *err)
{
    sqlite3_stmt *s;
    *pids = NULL;
    *n = 0;
    if (sqlite3_prepare_v2(hs_trace_db(t),
                           "SELECT DISTINCT pid FROM processes ORDER BY start_ts_ns, pid", -1, &s,
                           NULL) != SQLITE_OK)
        return hs_error_set(err, HS_EDB, "cannot list processes: %s",
                            sqlite3_errmsg(hs_trace_db(t)));
    uint32_t cap = 0;
    while (sqlite3_step(s) == SQLITE_ROW) {
        if (*n == cap) {
            cap = cap ? cap * 2 : 8;
            uint32_t *p = realloc(*pids, cap * sizeof *p);
            if (!p) {
                sqlite3_finalize(s);
                free(*pids);
                return hs_error_set(err, HS_ENOMEM, "out of memory");
            }
            *pids = p;
        }
        (*pids)[(*n)++] = (uint32_t)sqlite3_column_int64(s, 0);
    }
    sqlite3_finalize(s);
    return 0;
}

int hs_model_for_process(struct hs_trace *t, uint32_t pid, struct hs_model **out,
                         uint32_t *pid_out, struct hs_error *err)
{
    const struct hs_glibc_profile *prof = hs_glibc_profile_236();
    struct hs_glibc_params par;
    hs_glibc_params_init(&par, prof);
    sqlite3_stmt *s;
    const char *sql = pid ? "SELECT pid, env FROM processes WHERE pid = ?1 ORDER BY exec_gen DESC LIMIT 1"
                          : "SELECT pid, env FROM processes ORDER BY start_ts_ns, pid LIMIT 1";
    if (sqlite3_prepare_v2(hs_trace_db(t), sql, -1, &s, NULL) != SQLITE_OK)
        return hs_error_set(err, HS_EDB, "cannot read processes: %s", sqlite3_errmsg(hs_trace_db(t)));
    if (pid)
        sqlite3_bind_int64(s, 1, pid);
    uint32_t found = 0;
    if (sqlite3_step(s) == SQLITE_ROW) {
        found = (uint32_t)sqlite3_column_int64(s, 0);
        const char *env = (const char *)sqlite3_column_text(s, 1);
        if (env) {
            size_t len = strlen(env);
            char *copy = malloc(len + 1);
            if (copy) {
                for (size_t i = 0; i <= len; i++)
                    copy[i] = env[i] == '\n' ? '\0' : env[i];
                hs_glibc_params_apply_env(&par, prof, copy, len);
                free(copy);
            }
        }
    }
    sqlite3_finalize(s);
    if (!found)
        return hs_error_set(err, HS_EARG, pid ? "no process %u in the trace" : "the trace has no process",
                            pid);
    *out = hs_model_new(prof, &par);
    if (!*out)
        return hs_error_set(err, HS_ENOMEM, "out of memory");
    hs_model_set_main_tid(*out, found);
    if (pid_out)
        *pid_out = found;
    return 0;
}

static int is_call(unsigned op)
{
    return op >= HS_OP_MALLOC && op <= HS_OP_MALLOPT;
}

static int grows(const struct hs_event *e)
{
    return e->ptr > e->old_ptr;
}

int hs_model_replay(struct hs_trace *t, uint32_t pid, struct hs_model *m, uint64_t from_seq,
                    uint64_t to_seq, hs_model_step_fn fn, void *ctx, struct hs_error *err)
{
    struct hs_cursor *c;
    int rc = hs_cursor_open(t, from_seq, pid, &c, err);
    if (rc)
        return rc;
    struct hs_event ev, pending;
    int have_pending = 0;
    struct hs_model_step step;
    while ((rc = hs_cursor_next(c, &ev, err)) == 1) {
        if (to_seq && ev.seq > to_seq)
            break;
        if (ev.op == HS_OP_BRK && ev.origin == HS_ORIGIN_ALLOCATOR && grows(&ev)) {
            if (have_pending) {
                hs_model_apply(m, &pending, NULL, &step);
                if (fn && fn(ctx, &pending, &step, m))
                    break;
            }
            pending = ev;
            have_pending = 1;
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
    /* A growing break left over at the end of the stream belongs to no
     * call; stopping at to_seq keeps it for the call after to_seq. */
    if (rc == 0 && have_pending && !(to_seq && pending.seq <= to_seq && ev.seq > to_seq))
        hs_model_apply(m, &pending, NULL, &step);
    hs_cursor_close(c);
    return rc < 0 ? rc : 0;
}

/* --- checkpoints --------------------------------------------------- */

static int ensure_table(sqlite3 *db)
{
    return sqlite3_exec(db,
                        "CREATE TABLE IF NOT EXISTS model_checkpoints("
                        "pid INTEGER, seq INTEGER, image BLOB, PRIMARY KEY(pid, seq)) WITHOUT ROWID",
                        NULL, NULL, NULL);
}

/* The latest checkpoint at or before seq, or none (0). */
static uint64_t load_checkpoint(sqlite3 *db, uint32_t pid, uint64_t seq, struct hs_model **m)
{
    sqlite3_stmt *s;
    uint64_t at = 0;
    if (sqlite3_prepare_v2(db,
                           "SELECT seq, image FROM model_checkpoints WHERE pid = ?1 AND seq <= ?2 "
                           "ORDER BY seq DESC LIMIT 1",
                           -1, &s, NULL) != SQLITE_OK)
        return 0;
    sqlite3_bind_int64(s, 1, pid);
    sqlite3_bind_int64(s, 2, (sqlite3_int64)seq);
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

struct ckpt_ctx {
    sqlite3 *db;
    sqlite3_stmt *ins;
    uint32_t pid;
    uint64_t n, next_seq_gap;
};

static int save_step(void *vctx, const struct hs_event *ev, const struct hs_model_step *st,
                     struct hs_model *m)
{
    struct ckpt_ctx *k = vctx;
    if (++k->n % HS_MODEL_CHECKPOINT_EVERY != 0 || !k->ins)
        return 0;
    uint8_t *img;
    size_t len;
    if (hs_model_save(m, &img, &len) != 0)
        return 0;
    sqlite3_bind_int64(k->ins, 1, k->pid);
    sqlite3_bind_int64(k->ins, 2, (sqlite3_int64)ev->seq);
    sqlite3_bind_blob(k->ins, 3, img, (int)len, free);
    sqlite3_step(k->ins);
    sqlite3_reset(k->ins);
    return 0;
}

static int have_checkpoints(sqlite3 *db, uint32_t pid)
{
    sqlite3_stmt *s;
    int have = 0;
    if (sqlite3_prepare_v2(db, "SELECT 1 FROM model_checkpoints WHERE pid = ?1 LIMIT 1", -1, &s,
                           NULL) != SQLITE_OK)
        return 0;
    sqlite3_bind_int64(s, 1, pid);
    have = sqlite3_step(s) == SQLITE_ROW;
    sqlite3_finalize(s);
    return have;
}

int hs_model_run_at(struct hs_trace *t, uint32_t pid, uint64_t seq, struct hs_model **out,
                    struct hs_error *err)
{
    struct hs_model *m;
    int rc = hs_model_for_process(t, pid, &m, &pid, err);
    if (rc)
        return rc;
    sqlite3 *db = hs_trace_db(t);
    int cache = ensure_table(db) == SQLITE_OK;
    if (cache && !have_checkpoints(db, pid) && hs_trace_n_events(t) > HS_MODEL_CHECKPOINT_EVERY) {
        /* First use on a big trace: one full replay writes the cache. */
        struct ckpt_ctx k = {.db = db, .pid = pid};
        sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
        if (sqlite3_prepare_v2(db, "INSERT OR REPLACE INTO model_checkpoints VALUES(?1, ?2, ?3)", -1,
                               &k.ins, NULL) != SQLITE_OK)
            k.ins = NULL;
        struct hs_model *full;
        rc = hs_model_for_process(t, pid, &full, NULL, err);
        if (rc == 0) {
            rc = hs_model_replay(t, pid, full, 0, 0, save_step, &k, err);
            hs_model_free(full);
        }
        sqlite3_finalize(k.ins);
        sqlite3_exec(db, rc ? "ROLLBACK" : "COMMIT", NULL, NULL, NULL);
        if (rc) {
            hs_model_free(m);
            return rc;
        }
    }
    uint64_t from = 0;
    if (cache && seq)
        from = load_checkpoint(db, pid, seq, &m);
    rc = hs_model_replay(t, pid, m, from ? from + 1 : 0, seq, NULL, NULL, err);
    if (rc) {
        hs_model_free(m);
        return rc;
    }
    *out = m;
    return 0;
}
