/*
 * drain.h - empty the tracer's rings while the traced program runs.
 *
 * In ring mode (event.h, "Ring files") each traced process image writes a
 * fixed-size ring LOGDIR/<pid>.<gen>.ring instead of an ever-growing log;
 * this module's thread, in the recorder's process, copies the committed
 * records of every ring in slot order into LOGDIR/<pid>.<gen>.hslog, the
 * ordinary log format, so that the importer sees exactly what a linear log
 * would hold. Along the way it converts raw TSC timestamps (HS_RING_TSC) to
 * CLOCK_MONOTONIC ns, by linear interpolation between (TSC, CLOCK_MONOTONIC)
 * pairs it samples itself (the TSC is one counter for the whole machine
 * when it is invariant, which hs_drain_start checks).
 *
 * New rings are found by watching LOGDIR (inotify, plus a rescan every
 * 50 ms). A ring's image is over when its process has died (a pidfd taken
 * when the ring was adopted) or exec'd (a later gen of its pid appeared);
 * its ring is then emptied to the last committed record, slots reserved but
 * never committed are counted lost exactly as in a linear log, and the ring
 * file is removed.
 *
 * Usage: hs_drain_start() before the program is started (add hs_drain_env()
 * to its environment), hs_drain_finish() once it has been waited for.
 *
 * Allocates: yes. Thread safety: one thread calls start and finish; the
 * drain thread blocks every signal (the caller's handlers stay on its own
 * threads).
 */
#ifndef HS_DRAIN_H
#define HS_DRAIN_H

#include <stdint.h>

#include "error.h"

struct hs_drain;

struct hs_drain_stats {
    uint64_t n_rings;    /* rings drained */
    uint64_t n_records;  /* records copied into .hslog files */
    uint64_t n_detached; /* rings whose process still ran at finish (their
                            later records are dropped, the tracer says so) */
    uint64_t full_waits;   /* times a traced thread found its ring full and */
    uint64_t full_wait_ns; /* waited for the drainer; the time it took */
};

/* 1 if /proc/cpuinfo lists constant_tsc and nonstop_tsc on every CPU (and
 * the build can read the TSC): ring timestamps may then be raw TSC. */
int hs_drain_tsc_invariant(void);

/* Starts draining logdir (an existing, empty directory). On failure
 * nothing is left running. */
int hs_drain_start(const char *logdir, struct hs_drain **out, struct hs_error *err);

/* The same, but the records go to relay (relay.h) instead of .hslog
 * files: <pid>.<gen>.hslog is created with its header only, and a
 * watermark is published as the rings are drained. hs_drain_finish closes
 * the relay. */
struct hs_relay;
int hs_drain_start_relay(const char *logdir, struct hs_relay *relay, struct hs_drain **out,
                         struct hs_error *err);

/* NULL-terminated "NAME=value" entries the traced program's environment
 * needs (HS_RING=1, and HS_TSC=1 when the TSC is invariant). Owned by d. */
const char *const *hs_drain_env(const struct hs_drain *d);

/* Drains to the end and frees d: waits until the image of every ring is
 * over (at most linger_ms for images still running, which are then
 * detached: what they committed so far is kept). Fills *stats (may be
 * NULL). An error (a log that could not be written) is reported once the
 * rest is done. */
int hs_drain_finish(struct hs_drain *d, unsigned linger_ms, struct hs_drain_stats *stats,
                    struct hs_error *err);

#endif
