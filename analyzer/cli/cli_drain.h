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

struct hs_relay;

/* Returns the drain (NULL: linear logs). relay: hand the records to a
 * live import (analyzer/lib/relay.h) instead of the logs; may be NULL. */
struct hs_drain *cli_drain_start(const char *logdir, struct hs_relay *relay);

/* Empties the rings into the logs (or the relay, which it closes) and
 * stops the thread. 1 if records were lost on the way (said on stderr),
 * else 0. NULL: no-op. */
int cli_drain_finish(struct hs_drain *d);

#endif
