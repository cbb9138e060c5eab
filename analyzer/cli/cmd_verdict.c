/* cmd_verdict.c - `heapscope verdict`: fragmentation in plain words. */
#include <inttypes.h>

#include "cli.h"
#include "cli_args.h"
#include "cli_json.h"
#include "verdict.h"

static const char usage[] = "usage: heapscope verdict FILE [--pid PID] [--json]\n";

static void print_point(const char *name, const struct hs_verdict_point *p)
{
    printf("\"%s\":{\"seq\":%" PRIu64 ",\"held\":%" PRIu64 ",\"heap_extent\":%" PRIu64
           ",\"mmapped\":%" PRIu64 ",\"live_requested\":%" PRIu64 ",\"live_chunk\":%" PRIu64
           ",\"utilization\":%.4f,\"overhead\":%.4f}",
           name, p->seq, p->held, p->heap_extent, p->mmapped, p->live_requested, p->live_chunk,
           p->utilization, p->overhead);
}

int cmd_verdict(int argc, char **argv)
{
    const char *file = NULL;
    int json = 0;
    uint32_t pid = 0;
    const struct cli_opt opts[] = {CLI_FLAG("--json", &json), CLI_PID(&pid), CLI_OPT_END};
    struct hs_trace *t;
    int rc = cli_args_trace("verdict", usage, opts, argc, argv, &file, &t);
    if (rc != CLI_ARGS_OK)
        return cli_args_exit(rc);
    if ((rc = cli_check_pid("verdict", file, t, pid)) != 0)
        return rc;
    struct hs_error err = {{0}};
    struct hs_verdict v;
    rc = hs_verdict_compute(t, pid, &v, &err);
    hs_trace_close(t);
    if (rc != HS_OK)
        return cli_fail("verdict", "%s", err.msg);
    if (!json) {
        printf("fragmentation: %s (process %u, %s%s)\n%s\n", v.level, v.pid, v.exe,
               v.exec_gen ? " after an exec" : "", v.text);
        return HS_EXIT_OK;
    }
    printf("{\"level\":\"%s\",", v.level);
    print_point("peak", &v.peak);
    putchar(',');
    print_point("end", &v.end);
    putchar(',');
    print_point("peak_live", &v.peak_live);
    if (v.model.has_model)
        printf(",\"end_model\":{\"free_bytes\":%" PRIu64 ",\"largest_free\":%" PRIu64
               ",\"external_frag\":%.4f}",
               v.model.free_bytes, v.model.largest_free, v.model.external_frag);
    printf(",\"text\":");
    cli_json_quote(stdout, v.text);
    printf(",\"pid\":%u,\"exec_gen\":%u,\"exe\":", v.pid, v.exec_gen);
    cli_json_quote(stdout, v.exe);
    printf("}\n");
    return HS_EXIT_OK;
}
