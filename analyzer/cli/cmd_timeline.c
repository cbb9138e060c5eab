/* cmd_timeline.c - `heapscope timeline`: memory of one process over time, as CSV. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "timeline.h"

static const char usage[] =
    "usage: heapscope timeline FILE --csv [--every N] [--pid PID]\n";

static int print_row(const struct hs_timeline_row *r, void *ctx)
{
    (void)ctx;
    printf("%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",0x%" PRIx64 ",0x%" PRIx64
           ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%s\n",
           r->seq, r->ts_ns, r->live_requested, r->live_chunk, r->n_live, r->heap_start, r->brk,
           r->brk >= r->heap_start ? r->brk - r->heap_start : 0, r->mmapped, r->page_faults,
           r->allocator_mapped,
           r->mark ? r->mark : "");
    return 0;
}

int cmd_timeline(int argc, char **argv)
{
    const char *file = NULL;
    struct hs_timeline_opts opts = {0, 0};
    int csv = 0;
    for (int i = 1; i < argc; i++) {
        char *end;
        if (cli_is_help(argv[i])) {
            fputs(usage, stdout);
            return HS_EXIT_OK;
        } else if (strcmp(argv[i], "--csv") == 0) {
            csv = 1;
        } else if (strcmp(argv[i], "--every") == 0 && i + 1 < argc) {
            opts.every = strtoull(argv[++i], &end, 10);
            if (*end || opts.every == 0)
                return cli_usage_error("timeline", usage, "--every wants a positive number, not '%s'", argv[i]);
        } else if (strcmp(argv[i], "--pid") == 0 && i + 1 < argc) {
            opts.pid = (uint32_t)strtoul(argv[++i], &end, 10);
            if (*end)
                return cli_usage_error("timeline", usage, "--pid wants a number, not '%s'", argv[i]);
        } else if (argv[i][0] == '-') {
            return cli_usage_error("timeline", usage, "unknown option '%s'", argv[i]);
        } else if (!file) {
            file = argv[i];
        } else {
            return cli_usage_error("timeline", usage, "too many arguments");
        }
    }
    if (!file)
        return cli_usage_error("timeline", usage, "no trace file given");
    if (!csv)
        return cli_usage_error("timeline", usage, "only --csv output exists");
    struct hs_error err = {{0}};
    struct hs_trace *t = NULL;
    if (hs_trace_open(file, &t, &err) != HS_OK)
        return cli_fail("timeline", "%s", err.msg);
    printf("seq,ts_ns,live_requested,live_chunk,n_live,heap_start,brk,heap_extent,mmapped,"
           "page_faults,allocator_mapped,mark\n");
    int rc = hs_timeline_run(t, &opts, print_row, NULL, &err);
    hs_trace_close(t);
    if (rc != HS_OK)
        return cli_fail("timeline", "%s", err.msg);
    return HS_EXIT_OK;
}
