/* cmd_heap.c - `heapscope heap FILE [--at SEQ | --mark LABEL] [--json]`:
 * the main arena's chunks in address order with their state, the mmapped
 * chunks, and the mallinfo2() figures at that moment. */
#include <stdio.h>

#include "cli.h"
#include "cli_model.h"
#include "live_blocks.h"

static const char usage[] =
    "usage: heapscope heap FILE [--at SEQ | --mark LABEL] [--pid PID] [--json]\n";

struct out {
    int json, n;
};

static void chunk_text(void *ctx, uint64_t addr, uint64_t size, int state, uint64_t req)
{
    (void)ctx;
    /* chunk sizes in hex, as glibc, `bins` and `explain` write them */
    printf("  0x%012llx %#10llx  %-9s", (unsigned long long)addr, (unsigned long long)size,
           hs_chunk_state_name(state));
    if (state == HS_CS_ALLOCATED && req)
        printf("  (%llu requested)", (unsigned long long)req);
    putchar('\n');
}

static void chunk_json(void *ctx, uint64_t addr, uint64_t size, int state, uint64_t req)
{
    struct out *o = ctx;
    printf("%s\n  {\"addr\": %llu, \"size\": %llu, \"state\": \"%s\"}", o->n++ ? "," : "",
           (unsigned long long)addr, (unsigned long long)size, hs_chunk_state_name(state));
}

static void mmap_json(void *ctx, uint64_t addr, uint64_t size, int state, uint64_t req)
{
    struct out *o = ctx;
    printf("%s\n  {\"addr\": %llu, \"size\": %llu}", o->n++ ? "," : "", (unsigned long long)addr,
           (unsigned long long)size);
}

static void mmap_text(void *ctx, uint64_t addr, uint64_t size, int state, uint64_t req)
{
    printf("  0x%012llx %#10llx  mmapped  (%llu requested)\n", (unsigned long long)addr,
           (unsigned long long)size, (unsigned long long)req);
}

static void live_text(void *ctx, uint64_t ptr, uint64_t req, uint64_t usable)
{
    printf("  0x%012llx %10llu  %10llu\n", (unsigned long long)ptr, (unsigned long long)usable,
           (unsigned long long)req);
}

static void live_json(void *ctx, uint64_t ptr, uint64_t req, uint64_t usable)
{
    struct out *o = ctx;
    printf("%s\n  {\"addr\": %llu, \"size\": %llu, \"requested\": %llu, \"state\": \"allocated\"}",
           o->n++ ? "," : "", (unsigned long long)ptr, (unsigned long long)usable,
           (unsigned long long)req);
}

/* Another allocator: the live blocks are all heapscope knows. */
static int show_live_blocks(struct cli_model_opts *o, struct hs_trace *t)
{
    const struct hs_model_image *im = &o->imgs.v[o->idx];
    struct out out = {o->json, 0};
    struct hs_error err = {{0}};
    if (o->json)
        printf("{\"model_applies\": false, \"chunks\": [");
    else
        printf("process %u (exec %u, %s): live blocks %s (addresses are user pointers, sizes "
               "usable):\n"
               "  %-14s %10s  %10s\n",
               im->pid, im->exec_gen, im->exe, o->at ? "after that event" : "at the end", "address",
               "size", "requested");
    int rc = hs_live_blocks(t, im->proc, o->at, o->json ? live_json : live_text, &out, &err);
    if (o->json)
        printf("],\n \"mmapped\": [], \"mallinfo\": null}\n");
    return rc ? cli_fail("heap", "%s", err.msg) : HS_EXIT_OK;
}

static const char *const mi_names[] = {"arena",   "ordblks", "smblks",   "hblks",    "hblkhd",
                                       "usmblks", "fsmblks", "uordblks", "fordblks", "keepcost"};

int cmd_heap(int argc, char **argv)
{
    struct cli_model_opts o;
    int rc = cli_model_parse("heap", usage, argc, argv, "json,at", &o);
    if (rc != CLI_ARGS_OK)
        return cli_args_exit(rc);
    struct hs_trace *t;
    struct hs_model *m;
    if ((rc = cli_model_open("heap", &o, &t, &m)) != 0)
        return rc;
    if (!m) {
        rc = show_live_blocks(&o, t);
        cli_model_close(&o, t, NULL);
        return rc;
    }
    struct hs_mallinfo mi;
    hs_model_mallinfo(m, &mi);
    const uint64_t *f = &mi.arena;
    struct out out = {o.json, 0};
    if (o.json) {
        printf("{\"chunks\": [");
        hs_model_each_chunk(m, chunk_json, &out);
        printf("],\n \"mmapped\": [");
        out.n = 0;
        hs_model_each_mmapped(m, mmap_json, &out);
        printf("],\n \"mallinfo\": {");
        for (int i = 0; i < 10; i++)
            printf("%s\"%s\": %llu", i ? ", " : "", mi_names[i], (unsigned long long)f[i]);
        printf("}}\n");
    } else {
        const struct hs_model_image *im = &o.imgs.v[o.idx];
        printf("process %u (exec %u, %s), main arena ", im->pid, im->exec_gen, im->exe);
        if (o.at)
            printf("after seq %llu:\n", (unsigned long long)o.at);
        else
            printf("at its end:\n");
        printf("  %-14s %10s  %s\n", "address", "size", "state");
        hs_model_each_chunk(m, chunk_text, &out);
        printf("mmapped chunks:\n");
        hs_model_each_mmapped(m, mmap_text, &out);
        printf("mallinfo2:");
        for (int i = 0; i < 10; i++)
            if (i != 5)
                printf(" %s=%llu", mi_names[i], (unsigned long long)f[i]);
        printf("\n");
    }
    cli_model_close(&o, t, m);
    return HS_EXIT_OK;
}
