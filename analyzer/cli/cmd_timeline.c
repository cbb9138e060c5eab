/* cmd_timeline.c - `heapscope timeline`: memory of one process over time, as CSV. */
#include <inttypes.h>

#include "cli.h"
#include "cli_args.h"
#include "cli_json.h"
#include "timeline.h"

static const char usage[] = "usage: heapscope timeline FILE --csv [--every N] [--pid PID]\n";

static int print_row(const struct hs_timeline_row *r, void *ctx)
{
    (void)ctx;
    printf("%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",0x%" PRIx64 ",0x%" PRIx64
           ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",",
           r->seq, r->ts_ns, r->live_requested, r->live_chunk, r->n_live, r->heap_start, r->brk,
           r->brk >= r->heap_start ? r->brk - r->heap_start : 0, r->mmapped, r->page_faults,
           r->allocator_mapped);
    cli_csv_field(stdout, r->mark ? r->mark : "");
    putchar('\n');
    return 0;
}

int cmd_timeline(int argc, char **argv)
{
    const char *file = NULL;
    struct hs_timeline_opts tl = {0, 0};
    int csv = 0;
    const struct cli_opt options[] = {CLI_FLAG("--csv", &csv), CLI_U64("--every", &tl.every, 1),
                                      CLI_PID(&tl.pid), CLI_OPT_END};
    const struct cli_pos pos[] = {{"trace file", &file, 0}, CLI_POS_END};
    const struct cli_args spec = {"timeline", usage, options, pos, NULL};
    int rc = cli_args_parse(&spec, argc, argv);
    if (rc != CLI_ARGS_OK)
        return cli_args_exit(rc);
    if (!csv)
        return cli_usage_error("timeline", usage, "only --csv output exists");
    struct hs_trace *t;
    if ((rc = cli_open_trace("timeline", file, &t)) != 0)
        return rc;
    if ((rc = cli_check_pid("timeline", file, t, tl.pid)) != 0)
        return rc;
    struct hs_error err = {{0}};
    printf("seq,ts_ns,live_requested,live_chunk,n_live,heap_start,brk,heap_extent,mmapped,"
           "page_faults,allocator_mapped,mark\n");
    rc = hs_timeline_run(t, &tl, print_row, NULL, &err);
    hs_trace_close(t);
    if (rc != HS_OK)
        return cli_fail("timeline", "%s", err.msg);
    return HS_EXIT_OK;
}
