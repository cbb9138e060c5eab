/*
 * synth_log.h - write tracer logs by hand (format: include/heapscope/event.h)
 * so importer tests know every record they expect in the database.
 */
#ifndef HS_SYNTH_LOG_H
#define HS_SYNTH_LOG_H

#include <stdint.h>

#include "heapscope/event.h"

struct synth_log {
    struct hs_log_header header;
    struct hs_record *records;
    uint64_t n, cap;
};

void synth_init(struct synth_log *l, uint32_t pid, uint32_t exec_gen, uint32_t ppid,
                const char *exe);
/* A committed call record; ts_ns = 1000 * seq. */
struct hs_record *synth_call(struct synth_log *l, uint64_t seq, uint32_t tid, unsigned op,
                             unsigned origin, unsigned flags, uint64_t ptr, uint64_t size,
                             uint64_t old_ptr, uint64_t chunk_size, uint64_t caller);
void synth_mark(struct synth_log *l, uint64_t seq, uint32_t tid, const char *label);
/* mallinfo_a (v 1..5 + base), mallinfo_b (6..10 + base), state (11..14 + base). */
void synth_snapshot(struct synth_log *l, uint64_t seq, uint32_t tid, uint64_t base);
/* A reserved slot never committed (op 0). */
void synth_lost(struct synth_log *l);
/* Writes dir/<pid>.<gen>.hslog with n_reserved = n + extra_reserved and
 * frees the records. */
void synth_write(struct synth_log *l, const char *dir, uint64_t extra_reserved);

/* A fresh empty directory under $TMPDIR (or /tmp); returns a static buffer copy. */
char *synth_tmpdir(void);
/* rm -rf dir */
void synth_rmtree(const char *dir);

#endif
