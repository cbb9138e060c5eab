/*
 * import_live.h - import while the program runs: `heapscope record`
 * without page faults feeds the records of the tracer's rings to the
 * importer through a relay (relay.h) instead of .hslog files, so the trace
 * is mostly written by the time the program ends.
 *
 * The result is the same database as hs_import() of the same run would
 * write (import.h), with the same guarantees: one transaction, into a
 * temporary file renamed only on success (process images are numbered by
 * their first events in both). The difference: nothing is left to retry
 * with if the import fails, since no .hslog holds the records (the error
 * says why).
 *
 * Usage: hs_import_live_start() before the drainer (hs_drain_start_relay
 * with hs_import_live_relay()), hs_import_live_finish() after
 * hs_drain_finish() closed the relay. opts->logdir still names the
 * directory of the .maps files; opts->progress is called (from the
 * import's thread) only once the relay is closed, for what is left then.
 *
 * Allocates: yes. Thread safety: start and finish from one thread; the
 * import runs on two threads of its own in between.
 */
#ifndef HS_IMPORT_LIVE_H
#define HS_IMPORT_LIVE_H

#include "error.h"
#include "import.h"

struct hs_live_import;
struct hs_relay;

/* Checks the output, creates the temporary trace and starts the threads.
 * opts must stay valid until finish. */
int hs_import_live_start(const struct hs_import_options *opts, struct hs_live_import **out,
                         struct hs_error *err);
struct hs_relay *hs_import_live_relay(struct hs_live_import *li);
/* Waits for the import to end (the relay must be closed), writes the
 * rest and renames the trace to out_path (in the directory of the
 * out_path given to start: the name may be decided only now); exits as in
 * hs_import_options. drain_failed: the drainer lost records, so the trace
 * is abandoned. Frees li in every case. */
int hs_import_live_finish(struct hs_live_import *li, const char *out_path,
                          const struct hs_exit_status *exits, size_t n_exits, int drain_failed,
                          struct hs_import_result *result, struct hs_error *err);

/* Ends an import that will not be used (the drainer was never started, or
 * the run failed): closes the relay if the drainer did not, removes the
 * temporary file, frees li. NULL: nothing. */
void hs_import_live_abandon(struct hs_live_import *li);

#endif
