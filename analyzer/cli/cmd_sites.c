/* cmd_sites.c - `heapscope sites`: the largest, most frequent and leaking allocation sites. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "sites.h"

static const char usage[] = "usage: heapscope sites FILE [--top N] [--json]\n";

static void json_string(const char *s)
{
    putchar('"');
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\')
            printf("\\%c", ch);
        else if (ch < 0x20)
            printf("\\u%04x", ch);
        else
            putchar(ch);
    }
    putchar('"');
}

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
                   "\",\"where\":", shown ? "," : "", x->pid, x->exec_gen, x->caller);
            json_string(x->where);
            printf(",\"n_allocs\":%" PRIu64 ",\"bytes\":%" PRIu64 ",\"max_size\":%" PRIu64
                   ",\"n_live\":%" PRIu64 ",\"live_bytes\":%" PRIu64 "}",
                   x->n_allocs, x->bytes, x->max_size, x->n_live, x->live_bytes);
        } else {
            printf("%8" PRIu64 " %12" PRIu64 " %10" PRIu64 " %8" PRIu64 " %12" PRIu64 "  %s\n",
                   x->n_allocs, x->bytes, x->max_size, x->n_live, x->live_bytes, x->where);
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
    int json = 0;
    for (int i = 1; i < argc; i++) {
        char *end;
        if (cli_is_help(argv[i])) {
            fputs(usage, stdout);
            return HS_EXIT_OK;
        } else if (strcmp(argv[i], "--json") == 0) {
            json = 1;
        } else if (strcmp(argv[i], "--top") == 0 && i + 1 < argc) {
            top = strtoull(argv[++i], &end, 10);
            if (*end || top == 0)
                return cli_usage_error("sites", usage, "--top wants a positive number, not '%s'", argv[i]);
        } else if (argv[i][0] == '-') {
            return cli_usage_error("sites", usage, "unknown option '%s'", argv[i]);
        } else if (!file) {
            file = argv[i];
        } else {
            return cli_usage_error("sites", usage, "too many arguments");
        }
    }
    if (!file)
        return cli_usage_error("sites", usage, "no trace file given");
    struct hs_error err = {{0}};
    struct hs_trace *t = NULL;
    if (hs_trace_open(file, &t, &err) != HS_OK)
        return cli_fail("sites", "%s", err.msg);
    struct hs_sites s;
    int rc = hs_sites_collect(t, &s, &err);
    if (rc == HS_OK)
        rc = hs_sites_symbolize(t, &s, &err);
    hs_trace_close(t);
    if (rc != HS_OK)
        return cli_fail("sites", "%s", err.msg);
    uint64_t *idx = malloc((s.n_sites + 1) * sizeof *idx);
    if (!idx) {
        hs_sites_free(&s);
        return cli_fail("sites", "out of memory");
    }
    if (json)
        printf("{\"n_sites\":%" PRIu64 ",\"n_allocs\":%" PRIu64 ",\"bytes\":%" PRIu64
               ",\"n_live\":%" PRIu64 ",\"live_bytes\":%" PRIu64 ",",
               s.n_sites, s.n_allocs, s.bytes, s.n_live, s.live_bytes);
    else
        printf("%" PRIu64 " sites, %" PRIu64 " allocations, %" PRIu64 " bytes requested; "
               "%" PRIu64 " blocks (%" PRIu64 " bytes) live at the end\n",
               s.n_sites, s.n_allocs, s.bytes, s.n_live, s.live_bytes);
    hs_sites_order(&s, HS_SITES_BY_BYTES, idx);
    print_list(&s, idx, top, json, "by_bytes", "largest (by bytes requested):");
    hs_sites_order(&s, HS_SITES_BY_COUNT, idx);
    print_list(&s, idx, top, json, "by_count", "most frequent (by allocations):");
    hs_sites_order(&s, HS_SITES_BY_LIVE, idx);
    print_list(&s, idx, top, json, "by_live", "still live at the end (by bytes):");
    if (json)
        printf("}\n");
    free(idx);
    hs_sites_free(&s);
    return HS_EXIT_OK;
}
