/* cli_drain.c - ring mode inside `heapscope record` (see cli_drain.h). */
#define _GNU_SOURCE
#include "cli_drain.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drain.h"

/* How long finish waits for processes that outlive the program. */
#define LINGER_MS 500u

struct hs_drain *cli_drain_start(const char *logdir, struct hs_relay *relay)
{
    const char *ring = getenv("HS_RING");
    if (ring && strcmp(ring, "0") == 0)
        return NULL;
    struct hs_drain *d = NULL;
    struct hs_error err;
    if (hs_drain_start_relay(logdir, relay, &d, &err) != 0) {
        fprintf(stderr, "heapscope record: %s; recording into linear logs\n", err.msg);
        setenv("HS_RING", "0", 1);
        return NULL;
    }
    setenv("HS_RING", "1", 1);
    const char *tsc = getenv("HS_TSC");
    if (!(tsc && strcmp(tsc, "0") == 0))
        setenv("HS_TSC", hs_drain_env(d)[1] ? "1" : "0", 1);
    return d;
}

int cli_drain_finish(struct hs_drain *d)
{
    if (!d)
        return 0;
    struct hs_drain_stats st;
    struct hs_error err;
    int failed = hs_drain_finish(d, LINGER_MS, &st, &err) != 0;
    if (failed)
        fprintf(stderr, "heapscope record: %s\n", err.msg);
    if (st.n_detached)
        fprintf(stderr,
                "heapscope record: %llu traced process%s still running; %s later events are not "
                "recorded\n",
                (unsigned long long)st.n_detached, st.n_detached == 1 ? " is" : "es are",
                st.n_detached == 1 ? "its" : "their");
    if (st.full_waits)
        fprintf(stderr,
                "heapscope record: the program waited %llu time%s, %.1f ms in all, for the "
                "recorder to empty a full ring (HS_RING_RECORDS sets its size)\n",
                (unsigned long long)st.full_waits, st.full_waits == 1 ? "" : "s",
                (double)st.full_wait_ns / 1e6);
    return failed;
}
