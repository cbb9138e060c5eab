/* cmd_bins.c - `heapscope bins FILE [--at SEQ | --mark LABEL] [--json]`:
 * every non-empty bin with its chunks in list order. */
#include <stdio.h>

#include "cli.h"
#include "cli_model.h"

static const char usage[] =
    "usage: heapscope bins FILE [--at SEQ | --mark LABEL] [--pid PID] [--json]\n";

static const char *const kinds[] = {"tcache", "fastbin", "unsorted", "smallbin", "largebin"};

struct out {
    int json, n;
};

static void bin_text(void *ctx, const struct hs_bin_view *b)
{
    if (b->kind == HS_BIN_TCACHE)
        printf("tcache[%u] thread %u, size 0x%llx: %zu chunk%s\n", b->index, b->tid,
               (unsigned long long)b->size_lo, b->n, b->n == 1 ? "" : "s");
    else if (b->kind == HS_BIN_UNSORTED)
        printf("unsorted: %zu chunk%s\n", b->n, b->n == 1 ? "" : "s");
    else if (b->size_lo == b->size_hi)
        printf("%s[%u] size 0x%llx: %zu chunk%s\n", kinds[b->kind], b->index,
               (unsigned long long)b->size_lo, b->n, b->n == 1 ? "" : "s");
    else
        printf("%s[%u] sizes 0x%llx-0x%llx: %zu chunk%s\n", kinds[b->kind], b->index,
               (unsigned long long)b->size_lo, (unsigned long long)b->size_hi, b->n,
               b->n == 1 ? "" : "s");
    for (size_t i = 0; i < b->n; i++)
        printf("    0x%012llx  0x%llx\n", (unsigned long long)b->addrs[i],
               (unsigned long long)b->sizes[i]);
}

static void bin_json(void *ctx, const struct hs_bin_view *b)
{
    struct out *o = ctx;
    printf("%s\n  {\"kind\": \"%s\", \"index\": %u, ", o->n++ ? "," : "", kinds[b->kind], b->index);
    if (b->kind == HS_BIN_TCACHE)
        printf("\"tid\": %u, \"count\": %zu, ", b->tid, b->n);
    printf("\"size_lo\": %llu, \"size_hi\": %llu, \"chunks\": [", (unsigned long long)b->size_lo,
           (unsigned long long)(b->size_hi == UINT64_MAX ? 0 : b->size_hi));
    for (size_t i = 0; i < b->n; i++)
        printf("%s{\"addr\": %llu, \"size\": %llu}", i ? ", " : "", (unsigned long long)b->addrs[i],
               (unsigned long long)b->sizes[i]);
    printf("]}");
}

int cmd_bins(int argc, char **argv)
{
    struct cli_model_opts o;
    int rc = cli_model_parse("bins", usage, argc, argv, "json,at", &o);
    if (rc != CLI_ARGS_OK)
        return cli_args_exit(rc);
    struct hs_trace *t;
    struct hs_model *m;
    if ((rc = cli_model_open("bins", &o, &t, &m)) != 0)
        return rc;
    if (!m) {
        cli_model_close(&o, t, NULL);
        return HS_EXIT_OK;
    }
    struct out out = {o.json, 0};
    struct hs_model_totals tot;
    hs_model_totals(m, &tot);
    if (o.json)
        printf("{\"top\": {\"addr\": %llu, \"size\": %llu}, \"bins\": [",
               (unsigned long long)tot.top_addr, (unsigned long long)tot.top_size);
    rc = hs_model_each_bin(m, o.json ? bin_json : bin_text, &out);
    if (o.json)
        printf("]}\n");
    else
        printf("top: 0x%012llx  0x%llx\n", (unsigned long long)tot.top_addr,
               (unsigned long long)tot.top_size);
    cli_model_close(&o, t, m);
    return rc ? cli_fail("bins", "out of memory") : HS_EXIT_OK;
}
