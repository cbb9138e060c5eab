/*
 * log_read.h - read one tracer log file (format in include/heapscope/event.h).
 *
 * Used by the importer (`heapscope record`, `heapscope import`) and by tests.
 * The file is mapped read-only; records are returned in slot order, which is
 * close to but not exactly seq order when several threads record (callers
 * that need seq order merge or sort).
 *
 * Validation on open: magic, endian mark, record and header size, and the
 * format version (a newer one fails with HS_EVERSION naming both versions).
 * A file shorter than its header fails with HS_EFORMAT. Slots the header
 * says were reserved but the file does not contain, and reserved slots never
 * committed (op 0), are counted in n_lost, not errors: a crashed program's
 * log is still read to its last committed record.
 *
 * Allocates: no (one mmap). Thread safety: a struct hs_log is read-only
 * after hs_log_open and may be read from several threads.
 */
#ifndef HS_LOG_READ_H
#define HS_LOG_READ_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "heapscope/event.h"

struct hs_log {
    const struct hs_log_header *header;
    const struct hs_record *records; /* slots [0, n_slots) */
    uint64_t n_slots;     /* min(header->n_reserved, slots the file holds) */
    uint64_t n_committed; /* slots with op != 0 */
    uint64_t n_lost;      /* n_reserved - n_committed */
    void *map;
    size_t map_size;
};

/* Opens and validates path. On error *log is left closed. */
int hs_log_open(struct hs_log *log, const char *path, struct hs_error *err);

/* The committed record in slot i, or NULL if that slot was never committed.
 * pre: i < log->n_slots */
const struct hs_record *hs_log_record(const struct hs_log *log, uint64_t i);

void hs_log_close(struct hs_log *log);

#endif
