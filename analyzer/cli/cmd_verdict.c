/* cmd_verdict.c - `heapscope verdict`: fragmentation in plain words. */
#include <inttypes.h>
#include <string.h>

#include "cli.h"
#include "verdict.h"

static const char usage[] = "usage: heapscope verdict FILE [--json]\n";

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
    for (int i = 1; i < argc; i++) {
        if (cli_is_help(argv[i])) {
            fputs(usage, stdout);
            return HS_EXIT_OK;
        } else if (strcmp(argv[i], "--json") == 0) {
            json = 1;
        } else if (argv[i][0] == '-') {
            return cli_usage_error("verdict", usage, "unknown option '%s'", argv[i]);
        } else if (!file) {
            file = argv[i];
        } else {
            return cli_usage_error("verdict", usage, "too many arguments");
        }
    }
    if (!file)
        return cli_usage_error("verdict", usage, "no trace file given");
    struct hs_error err = {{0}};
    struct hs_trace *t = NULL;
    if (hs_trace_open(file, &t, &err) != HS_OK)
        return cli_fail("verdict", "%s", err.msg);
    struct hs_verdict v;
    int rc = hs_verdict_compute(t, &v, &err);
    hs_trace_close(t);
    if (rc != HS_OK)
        return cli_fail("verdict", "%s", err.msg);
    if (!json) {
        printf("fragmentation: %s\n%s\n", v.level, v.text);
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
    printf(",\"text\":\"");
    for (const char *s = v.text; *s; s++) /* the text has no control characters */
        printf(*s == '"' || *s == '\\' ? "\\%c" : "%c", *s);
    printf("\"}\n");
    return HS_EXIT_OK;
}
