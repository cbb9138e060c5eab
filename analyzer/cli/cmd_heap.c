/* cmd_heap.c - `heapscope heap FILE [--at SEQ | --mark LABEL] [--json]`:
 * the main arena's chunks in address order with their state, the mmapped
 * chunks, and the mallinfo2() figures at that moment. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "cli_model.h"

static const char usage[] =
    "usage: heapscope heap FILE [--at SEQ | --mark LABEL] [--pid PID] [--json]\n";

struct out {
    int json, n;
};

static void chunk_text(void *ctx, uint64_t addr, uint64_t size, int state, uint64_t req)
{
    (void)ctx;
    printf("  0x%012llx %10llu  %-9s", (unsigned long long)addr, (unsigned long long)size,
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
    printf("  0x%012llx %10llu  mmapped  (%llu requested)\n", (unsigned long long)addr,
           (unsigned long long)size, (unsigned long long)req);
}

static const char *const mi_names[] = {"arena", "ordblks", "smblks", "hblks", "hblkhd",
                                       "usmblks", "fsmblks", "uordblks", "fordblks", "keepcost"};

int cmd_heap(int argc, char **argv)
{
    struct cli_model_opts o;
    int rc = cli_model_parse("heap", usage, argc, argv, "at", &o);
    if (rc)
        return rc < 0 ? HS_EXIT_OK : rc;
    struct hs_trace *t;
    struct hs_model *m;
    if ((rc = cli_model_open("heap", &o, &t, &m)) != 0)
        return rc;
    if (!m) {
        hs_model_images_free(&o.imgs);
        hs_trace_close(t);
        return HS_EXIT_OK;
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
    hs_model_free(m);
    hs_model_images_free(&o.imgs);
    hs_trace_close(t);
    return HS_EXIT_OK;
}
