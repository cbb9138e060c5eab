/* cmd_sizes.c - `heapscope sizes`: request-size histogram and chunk classes. */
#include <inttypes.h>

#include "block_events.h"
#include "cli.h"
#include "cli_args.h"
#include "sizes.h"

static const char usage[] = "usage: heapscope sizes FILE [--csv]\n";

int cmd_sizes(int argc, char **argv)
{
    const char *file = NULL;
    int csv = 0;
    const struct cli_opt opts[] = {CLI_FLAG("--csv", &csv), CLI_OPT_END};
    struct hs_trace *t;
    int rc = cli_args_trace("sizes", usage, opts, argc, argv, &file, &t);
    if (rc != CLI_ARGS_OK)
        return cli_args_exit(rc);
    struct hs_error err = {{0}};
    struct hs_sizes s;
    rc = hs_sizes_collect(t, &s, &err);
    hs_trace_close(t);
    if (rc != HS_OK)
        return cli_fail("sizes", "%s", err.msg);
    int first = -1, last = -1;
    for (int b = 0; b < HS_SIZES_BUCKETS; b++)
        if (s.request_count[b]) {
            if (first < 0)
                first = b;
            last = b;
        }
    if (csv)
        printf("table,label,lo,hi,count,bytes\n");
    else
        printf("%" PRIu64 " allocation%s\n\nrequested size     count        bytes\n", s.n_allocs,
               s.n_allocs == 1 ? "" : "s");
    for (int b = first; b >= 0 && b <= last; b++) {
        uint64_t lo, hi;
        char label[64];
        hs_sizes_bucket_bounds((unsigned)b, &lo, &hi);
        if (lo == hi)
            snprintf(label, sizeof label, "%" PRIu64, lo);
        else
            snprintf(label, sizeof label, "%" PRIu64 "-%" PRIu64, lo, hi);
        if (csv)
            printf("request,%s,%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 "\n", label, lo, hi,
                   s.request_count[b], s.request_bytes[b]);
        else
            printf("%-16s %7" PRIu64 " %12" PRIu64 "\n", label, s.request_count[b],
                   s.request_bytes[b]);
    }
    if (!csv)
        printf("\nchunk class        count  chunk bytes\n");
    for (int k = 0; k <= HS_CLASS_UNKNOWN; k++) {
        if (!s.class_count[k])
            continue;
        const char *name = hs_size_class_name((enum hs_size_class)k);
        if (csv)
            printf("chunk,%s,,,%" PRIu64 ",%" PRIu64 "\n", name, s.class_count[k],
                   s.class_bytes[k]);
        else
            printf("%-16s %7" PRIu64 " %12" PRIu64 "\n", name, s.class_count[k], s.class_bytes[k]);
    }
    return HS_EXIT_OK;
}
