/* cmd_lifetimes.c - `heapscope lifetimes`: every block's lifetime, as CSV. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "block_events.h"
#include "cli.h"
#include "lifetimes.h"

static const char usage[] =
    "usage: heapscope lifetimes FILE --csv [--max N] [--pid PID]\n";

int cmd_lifetimes(int argc, char **argv)
{
    const char *file = NULL;
    uint64_t max_rows = 20000;
    uint32_t pid = 0;
    int csv = 0;
    for (int i = 1; i < argc; i++) {
        char *end;
        if (cli_is_help(argv[i])) {
            fputs(usage, stdout);
            return HS_EXIT_OK;
        } else if (strcmp(argv[i], "--csv") == 0) {
            csv = 1;
        } else if (strcmp(argv[i], "--max") == 0 && i + 1 < argc) {
            max_rows = strtoull(argv[++i], &end, 10);
            if (*end)
                return cli_usage_error("lifetimes", usage, "--max wants a number, not '%s'", argv[i]);
        } else if (strcmp(argv[i], "--pid") == 0 && i + 1 < argc) {
            pid = (uint32_t)strtoul(argv[++i], &end, 10);
            if (*end)
                return cli_usage_error("lifetimes", usage, "--pid wants a number, not '%s'", argv[i]);
        } else if (argv[i][0] == '-') {
            return cli_usage_error("lifetimes", usage, "unknown option '%s'", argv[i]);
        } else if (!file) {
            file = argv[i];
        } else {
            return cli_usage_error("lifetimes", usage, "too many arguments");
        }
    }
    if (!file)
        return cli_usage_error("lifetimes", usage, "no trace file given");
    if (!csv)
        return cli_usage_error("lifetimes", usage, "only --csv output exists");
    struct hs_error err = {{0}};
    struct hs_trace *t = NULL;
    if (hs_trace_open(file, &t, &err) != HS_OK)
        return cli_fail("lifetimes", "%s", err.msg);
    struct hs_lifetimes l;
    int rc = hs_lifetimes_collect(t, pid, max_rows, &l, &err);
    hs_trace_close(t);
    if (rc != HS_OK)
        return cli_fail("lifetimes", "%s", err.msg);
    printf("# pid=%" PRIu32 " total=%" PRIu64 " shown=%" PRIu64 " first_seq=%" PRIu64
           " last_seq=%" PRIu64 "\n", l.pid, l.n_total, l.n_rows, l.first_seq, l.last_seq);
    printf("addr,size,chunk_size,alloc_seq,free_seq,region,class,live\n");
    for (uint64_t i = 0; i < l.n_rows; i++) {
        const struct hs_lifetime *r = &l.rows[i];
        printf("0x%" PRIx64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%s,%s,%d\n",
               r->addr, r->size, r->chunk_size, r->alloc_seq, r->free_seq,
               hs_lifetime_region(r), hs_size_class_name(hs_size_class_of(r->chunk_size, r->flags)),
               r->live);
    }
    hs_lifetimes_free(&l);
    return HS_EXIT_OK;
}
