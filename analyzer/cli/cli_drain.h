/*
 * cli_drain.h - ring mode for `heapscope record`: start the drain thread
 * (analyzer/lib/drain.h) on the log directory before the program starts,
 * finish it once the program was reaped.
 *
 * cli_drain_start() puts HS_RING=1 (and HS_TSC=1 when the TSC is
 * invariant) into this process's environment, which child_env() copies to
 * the program. A user's HS_RING=0 keeps the linear logs (no drain thread);
 * if the thread cannot start, HS_RING=0 is set and the run goes on with
 * linear logs. Messages go to stderr as "heapscope record: ...".
 */
#ifndef HS_CLI_DRAIN_H
#define HS_CLI_DRAIN_H

struct hs_drain;

/* Returns the drain (NULL: linear logs). */
struct hs_drain *cli_drain_start(const char *logdir);

/* Empties the rings into the logs and stops the thread. NULL: no-op. */
void cli_drain_finish(struct hs_drain *d);

#endif
