/* cmd_sites.c - `heapscope sites`: the largest, most frequent and leaking allocation sites
 * (by call stack when the trace has them: `record --stack N`). */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_args.h"
#include "cli_json.h"
#include "sites.h"

static const char usage[] = "usage: heapscope sites FILE [--top N] [--no-stacks] [--json]\n";

static void print_list(const struct hs_sites *s, const uint64_t *idx, uint64_t n, int json,
                       const char *name, const char *title)
{
    if (json) {
        printf("%s\"%s\":[", strcmp(name, "by_bytes") == 0 ? "" : ",", name);
    } else {
        printf("\n%s\n%8s %12s %10s %8s %12s  %s\n", title, "allocs", "bytes", "max", "live",
               "live bytes", "site");
    }
    uint64_t shown = 0;
    for (uint64_t k = 0; k < s->n_sites && shown < n; k++) {
        const struct hs_site *x = &s->sites[idx[k]];
        if (strcmp(name, "by_live") == 0 && x->n_live == 0)
            break;
        if (json) {
            printf("%s{\"pid\":%" PRIu32 ",\"exec_gen\":%" PRIu32 ",\"caller\":\"0x%" PRIx64
                   "\",\"where\":",
                   shown ? "," : "", x->pid, x->exec_gen, x->caller);
            cli_json_quote(stdout, x->where);
            printf(",\"n_allocs\":%" PRIu64 ",\"bytes\":%" PRIu64 ",\"max_size\":%" PRIu64
                   ",\"n_live\":%" PRIu64 ",\"live_bytes\":%" PRIu64,
                   x->n_allocs, x->bytes, x->max_size, x->n_live, x->live_bytes);
            if (x->stack) {
                printf(",\"callers\":");
                cli_print_callers(x->callers, 1, 0);
            }
            printf("}");
        } else {
            printf("%8" PRIu64 " %12" PRIu64 " %10" PRIu64 " %8" PRIu64 " %12" PRIu64 "  %s\n",
                   x->n_allocs, x->bytes, x->max_size, x->n_live, x->live_bytes, x->where);
            cli_print_callers(x->callers, 0, 56);
        }
        shown++;
    }
    if (json)
        printf("]");
}

int cmd_sites(int argc, char **argv)
{
    const char *file = NULL;
    uint64_t top = 10;
    int json = 0, no_stacks = 0;
    const struct cli_opt opts[] = {CLI_FLAG("--json", &json), CLI_U64("--top", &top, 1),
                                   CLI_FLAG("--no-stacks", &no_stacks), CLI_OPT_END};
    struct hs_trace *t;
    int rc = cli_args_trace("sites", usage, opts, argc, argv, &file, &t);
    if (rc != CLI_ARGS_OK)
        return cli_args_exit(rc);
    struct hs_error err = {{0}};
    struct hs_sites s;
    rc = hs_sites_collect(t, !no_stacks, &s, &err);
    /* The three lists' orders first: only the sites they show are named
     * (a trace with call stacks may have thousands of sites). */
    static const enum hs_sites_order orders[3] = {HS_SITES_BY_BYTES, HS_SITES_BY_COUNT,
                                                  HS_SITES_BY_LIVE};
    uint64_t *idx[3] = {NULL, NULL, NULL};
    unsigned char *shown = NULL;
    if (rc == HS_OK) {
        for (int k = 0; k < 3; k++)
            idx[k] = malloc((s.n_sites + 1) * sizeof *idx[k]);
        shown = calloc(s.n_sites + 1, 1);
        if (!idx[0] || !idx[1] || !idx[2] || !shown)
            rc = hs_error_set(&err, HS_ENOMEM, "out of memory");
    }
    for (int k = 0; k < 3 && rc == HS_OK; k++) {
        hs_sites_order(&s, orders[k], idx[k]);
        for (uint64_t i = 0; i < s.n_sites && i < top; i++)
            shown[idx[k][i]] = 1;
    }
    if (rc == HS_OK)
        rc = hs_sites_symbolize(t, &s, shown, &err);
    hs_trace_close(t);
    if (rc != HS_OK) {
        for (int k = 0; k < 3; k++)
            free(idx[k]);
        free(shown);
        hs_sites_free(&s);
        return cli_fail("sites", "%s", err.msg);
    }
    if (json)
        printf("{\"n_sites\":%" PRIu64 ",\"n_allocs\":%" PRIu64 ",\"bytes\":%" PRIu64
               ",\"n_live\":%" PRIu64 ",\"live_bytes\":%" PRIu64 ",",
               s.n_sites, s.n_allocs, s.bytes, s.n_live, s.live_bytes);
    else
        printf("%" PRIu64 " sites, %" PRIu64 " allocations, %" PRIu64 " bytes requested; "
               "%" PRIu64 " blocks (%" PRIu64 " bytes) live at the end\n",
               s.n_sites, s.n_allocs, s.bytes, s.n_live, s.live_bytes);
    print_list(&s, idx[0], top, json, "by_bytes", "largest (by bytes requested):");
    print_list(&s, idx[1], top, json, "by_count", "most frequent (by allocations):");
    print_list(&s, idx[2], top, json, "by_live", "still live at the end (by bytes):");
    if (json)
        printf("}\n");
    for (int k = 0; k < 3; k++)
        free(idx[k]);
    free(shown);
    hs_sites_free(&s);
    return HS_EXIT_OK;
}
