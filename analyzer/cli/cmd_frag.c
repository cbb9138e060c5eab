/* cmd_frag.c - `heapscope frag FILE [--json | --csv] [--every N]`: the
 * fragmentation timeline, one row at each mark, every N events if asked,
 * and at the end. Columns: frag.h / docs/cli/frag.md. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "cli_json.h"
#include "cli_model.h"
#include "frag.h"
#include "model_run.h"

static const char usage[] = "usage: heapscope frag FILE [--json | --csv] [--every N] [--pid PID]\n";

struct ctx {
    struct cli_model_opts *o;
    uint64_t n;
    uint64_t last_seq; /* of the last event replayed: the "(end)" row's */
    int label_width;   /* text: the longest mark label, at least 12 */
    int rows;
    struct hs_trace *t;
};

static void row(struct ctx *c, uint64_t seq, const char *label, struct hs_model *m)
{
    struct hs_frag f;
    hs_frag_compute(m, &f);
    if (c->o->csv) {
        printf("%llu,", (unsigned long long)seq);
        cli_csv_field(stdout, label);
        printf(",%llu,%llu,%llu,%llu,%llu,%llu,%llu,%llu,%llu,%llu,%llu,%.6f,%.6f\n",
               (unsigned long long)f.heap_extent, (unsigned long long)f.mmapped_bytes,
               (unsigned long long)f.live_requested, (unsigned long long)f.chunk_overhead,
               (unsigned long long)f.free_tcache, (unsigned long long)f.free_fastbin,
               (unsigned long long)f.free_unsorted, (unsigned long long)f.free_smallbin,
               (unsigned long long)f.free_largebin, (unsigned long long)f.free_top,
               (unsigned long long)f.largest_free, f.external_frag, f.utilization);
    } else if (c->o->json) {
        printf("%s\n  {\"seq\": %llu, \"label\": ", c->rows ? "," : "", (unsigned long long)seq);
        cli_json_quote(stdout, label);
        printf(", \"heap_extent\": %llu, \"mmapped_bytes\": "
               "%llu,"
               " \"live_requested\": %llu, \"chunk_overhead\": %llu, \"free\": {\"tcache\": %llu,"
               " \"fastbin\": %llu, \"unsorted\": %llu, \"smallbin\": %llu, \"largebin\": %llu,"
               " \"top\": %llu}, \"largest_free\": %llu, \"external_frag\": %.6f, \"utilization\": "
               "%.6f}",
               (unsigned long long)f.heap_extent, (unsigned long long)f.mmapped_bytes,
               (unsigned long long)f.live_requested, (unsigned long long)f.chunk_overhead,
               (unsigned long long)f.free_tcache, (unsigned long long)f.free_fastbin,
               (unsigned long long)f.free_unsorted, (unsigned long long)f.free_smallbin,
               (unsigned long long)f.free_largebin, (unsigned long long)f.free_top,
               (unsigned long long)f.largest_free, f.external_frag, f.utilization);
    } else {
        printf("%10llu %-*s %10llu %9llu %10llu %9llu %9llu %9llu %9llu %6.3f %6.3f\n",
               (unsigned long long)seq, c->label_width, label, (unsigned long long)f.heap_extent,
               (unsigned long long)f.mmapped_bytes, (unsigned long long)f.live_requested,
               (unsigned long long)f.chunk_overhead,
               (unsigned long long)(f.free_tcache + f.free_fastbin + f.free_unsorted +
                                    f.free_smallbin + f.free_largebin),
               (unsigned long long)f.free_top, (unsigned long long)f.largest_free, f.external_frag,
               f.utilization);
    }
    c->rows++;
}

static int on_step(void *vctx, const struct hs_event *ev, const struct hs_model_step *st,
                   struct hs_model *m)
{
    struct ctx *c = vctx;
    c->n++;
    c->last_seq = ev->seq;
    if (ev->op == HS_OP_MARK) {
        const struct hs_mark *marks;
        uint64_t n;
        const char *label = "mark";
        if (hs_trace_marks(c->t, &marks, &n, NULL) == 0)
            for (uint64_t i = 0; i < n; i++)
                if (marks[i].seq == ev->seq)
                    label = marks[i].label;
        row(c, ev->seq, label, m);
    } else if (c->o->every && c->n % c->o->every == 0) {
        row(c, ev->seq, "", m);
    }
    return 0;
}

int cmd_frag(int argc, char **argv)
{
    struct cli_model_opts o;
    int rc = cli_model_parse("frag", usage, argc, argv, "json,csv,every", &o);
    if (rc != CLI_ARGS_OK)
        return cli_args_exit(rc);
    struct hs_error err = {{0}};
    struct hs_trace *t;
    if ((rc = cli_model_open("frag", &o, &t, NULL)) != 0)
        return rc;
    if (!o.imgs.v[o.idx].glibc) {
        cli_model_close(&o, t, NULL);
        return HS_EXIT_OK;
    }
    struct hs_model *m;
    const struct hs_model_image *im = &o.imgs.v[o.idx];
    if (hs_model_image_start(t, &o.imgs, o.idx, &m, &err)) {
        cli_model_close(&o, t, NULL);
        return cli_fail("frag", "%s", err.msg);
    }
    struct ctx c = {.o = &o, .t = t, .label_width = 12};
    const struct hs_mark *marks;
    uint64_t n_marks;
    if (hs_trace_marks(t, &marks, &n_marks, NULL) == 0)
        for (uint64_t i = 0; i < n_marks; i++)
            if ((int)strlen(marks[i].label) > c.label_width)
                c.label_width = (int)strlen(marks[i].label);
    if (o.csv)
        printf("%s\n", hs_frag_csv_header);
    else if (o.json)
        printf("{\"pid\": %u, \"exec_gen\": %u, \"rows\": [", o.pid, im->exec_gen);
    else
        printf("%10s %-*s %10s %9s %10s %9s %9s %9s %9s %6s %6s\n", "seq", c.label_width, "label",
               "heap",
               "mmapped", "requested", "overhead", "free", "top", "largest", "ext", "util");
    rc = hs_model_replay(t, &o.imgs, o.idx, m, im->parent >= 0 ? im->fork_seq + 1 : 0, 0, on_step,
                         &c, &err);
    if (rc == 0)
        row(&c, c.last_seq, "(end)", m);
    if (o.json)
        printf("]}\n");
    cli_model_close(&o, t, m);
    return rc ? cli_fail("frag", "%s", err.msg) : HS_EXIT_OK;
}
