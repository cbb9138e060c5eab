/*
 * import.h - turn a directory of tracer logs into a trace database.
 *
 * hs_import() reads every LOGDIR/<pid>.<gen>.hslog (and its .maps file),
 * merges the records of all processes and threads into seq order and writes
 * the database described in docs/schema.md: in ONE transaction, into a
 * temporary file beside out_path that is renamed to out_path only when
 * everything is written. A failed import leaves no file behind (and an
 * existing out_path untouched).
 *
 * What cannot be read is reported, not fatal, as long as something can:
 * reserved slots never committed (a thread died mid-write), slots the file
 * does not hold (truncated log), logs that hit their size limit, a log whose
 * header is truncated (skipped). Such notes go to the warn callback, one
 * line each, and are counted in struct hs_import_result.
 *
 * Allocates: yes (about 8 bytes per event for the seq index, plus the live
 * blocks). Thread safety: reentrant (no globals).
 */
#ifndef HS_IMPORT_H
#define HS_IMPORT_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

/* What the caller knows about how a process ended (waitpid status). */
struct hs_exit_status {
    uint32_t pid;
    int wait_status; /* as from waitpid() */
};

struct hs_import_options {
    const char *logdir;
    const char *out_path;
    const struct hs_exit_status *exits; /* may be NULL */
    size_t n_exits;
    /* Called about every million events (done <= total); may be NULL. */
    void (*progress)(void *ctx, uint64_t done, uint64_t total);
    /* One line per problem that did not stop the import; may be NULL. */
    void (*warn)(void *ctx, const char *line);
    void *ctx;
};

struct hs_import_result {
    uint64_t n_events;       /* events in the trace (stream), snapshots excluded */
    uint64_t n_records;      /* committed records read, snapshots included */
    uint64_t n_lost;         /* reserved slots never committed or not in the file */
    uint64_t n_processes;    /* process images (pid, exec_gen) */
    uint64_t n_blocks;       /* rows in blocks */
    uint64_t n_live;         /* blocks never freed */
    uint64_t n_skipped;      /* records skipped: unknown ops, snapshots without a mark */
    uint64_t n_skipped_logs; /* log files that could not be read at all */
    uint64_t db_size;        /* bytes of the database file */
};

int hs_import(const struct hs_import_options *opts, struct hs_import_result *result,
              struct hs_error *err);

/* Checks, before anything is run, that out_path can be created: its
 * directory exists and is writable and out_path is not a directory.
 * Creates and removes a temporary file to be sure. */
int hs_import_check_output(const char *out_path, struct hs_error *err);

#endif
