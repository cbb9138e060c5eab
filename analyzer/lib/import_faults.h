/*
 * import_faults.h - the page-fault part of an import: LOGDIR/faults.hslog
 * (written by `heapscope record`'s sampler, fault_sampler.h) into the
 * `faults` table, each fault placed in the event order and attributed
 * (fault_attr.h). Called once by the importer inside its transaction, after
 * its own tables, meta and views are written, with the faults its pass
 * placed (fault_place.h; NULL when LOGDIR has no faults.hslog).
 *
 * Placement: with the trace's events in seq order and M[i] the largest
 * ts_ns among events 1..i, a fault at time t goes after the last event i
 * with M[i] <= t (after_seq; 0 if it precedes every event, e.g. the dynamic
 * loader's faults before the tracer started). Faults after the same event
 * keep their time order and get the fractional seq after_seq + k/(n+1),
 * k = 1..n, so `SELECT * FROM events ORDER BY seq` shows each fault between
 * the two events around it.
 *
 * Writes:
 *   table faults      one row per sample (docs/schema.md, "faults")
 *   view events       redefined as the importer's events plus one row per
 *                     fault with op 'page_fault' (the importer's own view is
 *                     kept as events_traced)
 *   meta              faults_source 'perf' | 'getrusage' | 'none',
 *                     faults_samples, faults_lost, faults_note
 *   index faults_by_after_seq on faults(after_seq)
 *
 * No index is added to the importer's tables: placement and blocks come
 * from the pass, not from queries.
 *
 * faults_source: 'perf' if faults.hslog exists; else 'getrusage' if the
 * tracer recorded state snapshots (mallinfo.minflt), else 'none'.
 * faults_note: LOGDIR/faults.unavailable if present (why perf was refused).
 *
 * Allocates: yes (the mappings and the pages that faulted, during the call).
 * Returns 0, HS_EDB, HS_ENOMEM.
 */
#ifndef HS_IMPORT_FAULTS_H
#define HS_IMPORT_FAULTS_H

#include <stdint.h>

#include "error.h"
#include "fault_place.h"

struct sqlite3;

int hs_import_faults(struct sqlite3 *db, const char *logdir, struct hs_fault_place *placed,
                     struct hs_error *err);

#endif
