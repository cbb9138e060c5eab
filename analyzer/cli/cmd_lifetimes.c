/* cmd_lifetimes.c - `heapscope lifetimes`: every block's lifetime, as CSV. */
#include <inttypes.h>

#include "block_events.h"
#include "cli.h"
#include "cli_args.h"
#include "lifetimes.h"

static const char usage[] = "usage: heapscope lifetimes FILE --csv [--max N] [--pid PID]\n";

int cmd_lifetimes(int argc, char **argv)
{
    const char *file = NULL;
    uint64_t max_rows = 20000;
    uint32_t pid = 0;
    int csv = 0;
    const struct cli_opt opts[] = {CLI_FLAG("--csv", &csv), CLI_U64("--max", &max_rows, 0),
                                   CLI_PID(&pid), CLI_OPT_END};
    const struct cli_pos pos[] = {{"trace file", &file, 0}, CLI_POS_END};
    const struct cli_args spec = {"lifetimes", usage, opts, pos, NULL};
    int rc = cli_args_parse(&spec, argc, argv);
    if (rc != CLI_ARGS_OK)
        return cli_args_exit(rc);
    if (!csv)
        return cli_usage_error("lifetimes", usage, "only --csv output exists");
    struct hs_trace *t;
    if ((rc = cli_open_trace("lifetimes", file, &t)) != 0)
        return rc;
    if ((rc = cli_check_pid("lifetimes", file, t, pid)) != 0)
        return rc;
    struct hs_error err = {{0}};
    struct hs_lifetimes l;
    rc = hs_lifetimes_collect(t, pid, max_rows, &l, &err);
    hs_trace_close(t);
    if (rc != HS_OK)
        return cli_fail("lifetimes", "%s", err.msg);
    printf("# pid=%" PRIu32 " total=%" PRIu64 " shown=%" PRIu64 " first_seq=%" PRIu64
           " last_seq=%" PRIu64 "\n",
           l.pid, l.n_total, l.n_rows, l.first_seq, l.last_seq);
    printf("addr,size,chunk_size,alloc_seq,free_seq,region,class,live\n");
    for (uint64_t i = 0; i < l.n_rows; i++) {
        const struct hs_lifetime *r = &l.rows[i];
        printf("0x%" PRIx64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%s,%s,%d\n", r->addr,
               r->size, r->chunk_size, r->alloc_seq, r->free_seq, hs_lifetime_region(r),
               hs_size_class_name(hs_size_class_of(r->chunk_size, r->flags)), r->live);
    }
    hs_lifetimes_free(&l);
    return HS_EXIT_OK;
}
