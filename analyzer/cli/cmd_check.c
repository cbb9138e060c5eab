/* cmd_check.c - `heapscope check FILE [--json]`: how well the glibc model
 * predicts every recorded address, per op and per path, the first
 * divergences with their context, and mallinfo2() at marks. Always exits 0
 * after a complete report (divergences are findings, not errors). */
#include <stdio.h>

#include "cli.h"
#include "cli_args.h"
#include "cli_json.h"
#include "cli_model.h"
#include "model_check.h"
#include "model_run.h"
#include "trace.h"

static const char usage[] = "usage: heapscope check FILE [--json]\n";

static const char *const mi_names[] = {"arena",   "ordblks", "smblks",   "hblks",    "hblkhd",
                                       "usmblks", "fsmblks", "uordblks", "fordblks", "keepcost"};

static double pct(uint64_t a, uint64_t b)
{
    return b ? 100.0 * (double)a / (double)b : 100.0;
}

static void print_event(const char *indent, const struct hs_event *e)
{
    printf("%sseq %llu %s", indent, (unsigned long long)e->seq, hs_op_name(e->op));
    if (e->op == HS_OP_FREE)
        printf("(0x%llx)", (unsigned long long)e->ptr);
    else if (e->op == HS_OP_REALLOC || e->op == HS_OP_REALLOCARRAY)
        printf("(0x%llx, %llu) = 0x%llx", (unsigned long long)e->old_ptr,
               (unsigned long long)e->size, (unsigned long long)e->ptr);
    else if (e->op == HS_OP_BRK || e->op == HS_OP_SBRK)
        printf(" 0x%llx -> 0x%llx (%s)", (unsigned long long)e->old_ptr, (unsigned long long)e->ptr,
               hs_origin_name(e->origin));
    else if (e->op != HS_OP_MARK && e->op != HS_OP_EXIT)
        printf("(%llu) = 0x%llx", (unsigned long long)e->size, (unsigned long long)e->ptr);
    printf(" tid %u\n", e->tid);
}

static const char *op_name(int op)
{
    return hs_op_name((unsigned)op);
}

/* The non-empty rows of a [kind][predicted, exact] table (kind 0 unused):
 * a text table under a "what" heading, or JSON object members. */
static void print_counts(const char *what, const uint64_t (*counts)[2], int n,
                         const char *(*name)(int), int json)
{
    const char *sep = "";
    if (!json)
        printf("\n%-18s %10s %10s %8s\n", what, "predicted", "exact", "%");
    for (int k = 1; k < n; k++) {
        if (!counts[k][0])
            continue;
        if (json)
            printf("%s\"%s\": {\"predicted\": %llu, \"exact\": %llu}", sep, name(k),
                   (unsigned long long)counts[k][0], (unsigned long long)counts[k][1]);
        else
            printf("%-18s %10llu %10llu %8.2f\n", name(k), (unsigned long long)counts[k][0],
                   (unsigned long long)counts[k][1], pct(counts[k][1], counts[k][0]));
        sep = ", ";
    }
}

static void print_text(const struct hs_check_report *r)
{
    printf("process %u exec %u%s: %llu events, %llu allocations, %llu predicted, %llu observed"
           " (other arenas, or mremap moves the kernel chose)\n",
           r->pid, r->exec_gen, r->forked ? " (forked: starts from its parent's heap)" : "",
           (unsigned long long)r->n_events, (unsigned long long)r->n_alloc,
           (unsigned long long)r->n_predicted, (unsigned long long)r->n_observed);
    printf("addresses predicted exactly: %llu/%llu (%.2f%%), divergences: %llu\n",
           (unsigned long long)r->n_matched, (unsigned long long)r->n_predicted,
           pct(r->n_matched, r->n_predicted), (unsigned long long)r->n_div);
    if (r->n_unknown_free)
        printf("frees of blocks the model never saw allocated: %llu\n",
               (unsigned long long)r->n_unknown_free);
    print_counts("op", r->by_op, HS_OP_COUNT, op_name, 0);
    print_counts("path", r->by_path, HS_PATH_COUNT, hs_path_name, 0);
    printf("\nmallinfo2() snapshots equal to the model: %u/%u\n", r->n_mallinfo_equal,
           r->n_mallinfo);
    if (r->n_observed && r->n_mallinfo_equal < r->n_mallinfo)
        printf("  (other threads used their own arenas: mallinfo2() adds those arenas and their\n"
               "   trimmed thread caches, which the model keeps as observed chunks only)\n");
    for (unsigned i = 0; i < r->n_mallinfo; i++) {
        const struct hs_check_mallinfo *s = &r->mallinfo[i];
        printf("  seq %llu %s: %s\n", (unsigned long long)s->seq, s->label[0] ? s->label : "(exit)",
               s->equal ? "equal" : "DIFFERENT");
        if (!s->equal) {
            const uint64_t *a = &s->model.arena, *b = &s->recorded.arena;
            for (int f = 0; f < 10; f++)
                if (f != 5 && a[f] != b[f])
                    printf("    %-9s model %llu, recorded %llu\n", mi_names[f],
                           (unsigned long long)a[f], (unsigned long long)b[f]);
        }
    }
    if (r->n_div_kept)
        printf("\nfirst divergences:\n");
    for (unsigned i = 0; i < r->n_div_kept; i++) {
        const struct hs_check_divergence *d = &r->div[i];
        printf("- seq %llu %s(%llu): recorded 0x%llx, model 0x%llx via %s\n  why: %s\n",
               (unsigned long long)d->ev.seq, hs_op_name(d->ev.op), (unsigned long long)d->ev.size,
               (unsigned long long)d->step.recorded_ptr, (unsigned long long)d->step.predicted_ptr,
               hs_path_name(d->step.path), d->step.why);
        for (unsigned k = 0; k < d->n_before; k++)
            print_event("    before: ", &d->before[k]);
    }
}

static void print_json(const struct hs_check_report *r, int last)
{
    printf("{\"pid\": %u, \"exec_gen\": %u, \"forked\": %s, \"model_applies\": true,"
           " \"events\": %llu, \"allocations\": %llu,"
           " \"predicted\": %llu, \"exact\": %llu, \"observed\": %llu, \"divergences\": %llu,"
           " \"unknown_frees\": %llu,\n \"by_op\": {",
           r->pid, r->exec_gen, r->forked ? "true" : "false", (unsigned long long)r->n_events,
           (unsigned long long)r->n_alloc, (unsigned long long)r->n_predicted,
           (unsigned long long)r->n_matched, (unsigned long long)r->n_observed,
           (unsigned long long)r->n_div, (unsigned long long)r->n_unknown_free);
    print_counts("op", r->by_op, HS_OP_COUNT, op_name, 1);
    printf("},\n \"by_path\": {");
    print_counts("path", r->by_path, HS_PATH_COUNT, hs_path_name, 1);
    printf("},\n \"mallinfo\": [");
    for (unsigned i = 0; i < r->n_mallinfo; i++) {
        const struct hs_check_mallinfo *s = &r->mallinfo[i];
        printf("%s\n  {\"seq\": %llu, \"label\": ", i ? "," : "", (unsigned long long)s->seq);
        cli_json_quote(stdout, s->label);
        printf(", \"equal\": %s, \"model\": {", s->equal ? "true" : "false");
        const uint64_t *a = &s->model.arena, *b = &s->recorded.arena;
        for (int f = 0; f < 10; f++)
            printf("%s\"%s\": %llu", f ? ", " : "", mi_names[f], (unsigned long long)a[f]);
        printf("}, \"recorded\": {");
        for (int f = 0; f < 10; f++)
            printf("%s\"%s\": %llu", f ? ", " : "", mi_names[f], (unsigned long long)b[f]);
        printf("}}");
    }
    printf("],\n \"first_divergences\": [");
    for (unsigned i = 0; i < r->n_div_kept; i++) {
        const struct hs_check_divergence *d = &r->div[i];
        printf("%s\n  {\"seq\": %llu, \"op\": \"%s\", \"size\": %llu, \"recorded\": %llu,"
               " \"predicted\": %llu, \"path\": \"%s\", \"why\": \"%s\"}",
               i ? "," : "", (unsigned long long)d->ev.seq, hs_op_name(d->ev.op),
               (unsigned long long)d->ev.size, (unsigned long long)d->step.recorded_ptr,
               (unsigned long long)d->step.predicted_ptr, hs_path_name(d->step.path), d->step.why);
    }
    printf("]}%s\n", last ? "" : ",");
}

int cmd_check(int argc, char **argv)
{
    const char *file = NULL;
    int json = 0;
    const struct cli_opt opts[] = {CLI_FLAG("--json", &json), CLI_OPT_END};
    struct hs_trace *t;
    int rc = cli_args_trace("check", usage, opts, argc, argv, &file, &t);
    if (rc != CLI_ARGS_OK)
        return cli_args_exit(rc);
    struct hs_error err = {{0}};
    struct hs_model_images imgs;
    if (hs_model_images_load(t, &imgs, &err)) {
        hs_trace_close(t);
        return cli_fail("check", "%s", err.msg);
    }
    uint32_t n = imgs.n, n_glibc = 0;
    for (uint32_t i = 0; i < n; i++)
        n_glibc += (uint32_t)imgs.v[i].glibc;
    if (n_glibc == 0) {
        if (json)
            printf(
                "{\"model_applies\": false, \"reason\": \"not glibc malloc\", \"events\": %llu}\n",
                (unsigned long long)hs_trace_n_events(t));
        else
            printf(
                "this trace was not recorded with glibc's malloc: the glibc bin model does not "
                "apply (%llu events; 'heapscope summary', 'heapscope leaks' and 'heapscope heap' "
                "still show its blocks)\n",
                (unsigned long long)hs_trace_n_events(t));
        hs_model_images_free(&imgs);
        hs_trace_close(t);
        return HS_EXIT_OK;
    }
    rc = HS_EXIT_OK;
    if (json) {
        printf("{\"trace\": ");
        cli_json_quote(stdout, file);
        printf(", \"model\": \"%s\", \"processes\": [\n", hs_glibc_profile_236()->name);
    } else
        printf("trace %s, model %s\n", file, hs_glibc_profile_236()->name);
    uint64_t all_pred = 0, all_exact = 0, all_obs = 0;
    unsigned all_mi = 0, all_mi_equal = 0;
    for (uint32_t i = 0; i < n && rc == HS_EXIT_OK; i++) {
        struct hs_check_report r;
        if (!imgs.v[i].glibc) {
            if (json)
                printf("{\"pid\": %u, \"exec_gen\": %u, \"model_applies\": false}%s\n",
                       imgs.v[i].pid, imgs.v[i].exec_gen, i + 1 == n ? "" : ",");
            else
                printf(
                    "\nprocess %u exec %u (%s): not glibc's malloc, the bin model does not apply\n",
                    imgs.v[i].pid, imgs.v[i].exec_gen, imgs.v[i].exe);
            continue;
        }
        if (hs_check_image(t, &imgs, (int)i, &r, &err)) {
            rc = cli_fail("check", "%s", err.msg);
        } else if (json) {
            print_json(&r, i + 1 == n);
        } else {
            printf("\n");
            print_text(&r);
        }
        all_pred += r.n_predicted;
        all_exact += r.n_matched;
        all_obs += r.n_observed;
        all_mi += r.n_mallinfo;
        all_mi_equal += r.n_mallinfo_equal;
        hs_check_free(&r);
    }
    if (!json && rc == HS_EXIT_OK && n > 1)
        printf("\nall %u process images: %llu/%llu addresses exact (%.2f%%), %llu observed,"
               " mallinfo2() equal at %u/%u snapshots\n",
               n, (unsigned long long)all_exact, (unsigned long long)all_pred,
               pct(all_exact, all_pred), (unsigned long long)all_obs, all_mi_equal, all_mi);
    if (json && rc == HS_EXIT_OK)
        printf("]}\n");
    hs_model_images_free(&imgs);
    hs_trace_close(t);
    return rc;
}
