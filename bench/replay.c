/*
 * replay.c - how fast the analyzer can read a trace: every event through
 * hs_cursor_next() (inflate + decode of the event stream), as `make bench`
 * reports it. Target (issue 3): at least 3 M events/s.
 *
 * Usage: bench_replay TRACE   prints: events=<n> replay_ns=<wall time>
 */
#include <stdio.h>
#include <time.h>

#include "trace.h"

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: bench_replay TRACE\n");
        return 2;
    }
    struct hs_error err;
    struct hs_trace *t;
    struct hs_cursor *c;
    if (hs_trace_open(argv[1], &t, &err) || hs_cursor_open(t, 0, 0, &c, &err)) {
        fprintf(stderr, "bench_replay: %s\n", err.msg);
        return 1;
    }
    struct timespec t0, t1;
    struct hs_event ev;
    unsigned long long n = 0, sum = 0;
    int rc;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    while ((rc = hs_cursor_next(c, &ev, &err)) == 1) {
        n++;
        sum += ev.size; /* use the event so the loop is not optimized away */
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (rc < 0) {
        fprintf(stderr, "bench_replay: %s\n", err.msg);
        return 1;
    }
    printf("events=%llu replay_ns=%lld checksum=%llu\n", n,
           (long long)(t1.tv_sec - t0.tv_sec) * 1000000000LL + (t1.tv_nsec - t0.tv_nsec), sum);
    hs_cursor_close(c);
    hs_trace_close(t);
    return 0;
}
