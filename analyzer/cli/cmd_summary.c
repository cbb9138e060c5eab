/* cmd_summary.c - `heapscope summary FILE [--json]`: events per op and
 * origin, peak live bytes, bytes live at exit per process, duration. */
#include <stdio.h>

#include "cli.h"
#include "cli_args.h"
#include "cli_json.h"
#include "summary.h"
#include "trace.h"

static const char usage[] = "usage: heapscope summary FILE [--json]\n";

static void print_text(const char *path, const struct hs_summary *s)
{
    printf("trace %s: %llu events, %llu lost, %.3f s\n\n", path, (unsigned long long)s->n_events,
           (unsigned long long)s->n_lost, (double)(s->end_ts_ns - s->start_ts_ns) / 1e9);
    printf("%-16s %12s %12s %12s\n", "op", "program", "allocator", "tracer");
    for (unsigned op = 1; op < HS_OP_COUNT; op++) {
        const uint64_t *n = s->n_by_op_origin[op];
        if (n[0] + n[1] + n[2])
            printf("%-16s %12llu %12llu %12llu\n", hs_op_name(op), (unsigned long long)n[0],
                   (unsigned long long)n[1], (unsigned long long)n[2]);
    }
    printf("\npeak live: %llu bytes requested (seq %llu), %llu bytes in chunks (seq %llu)\n",
           (unsigned long long)s->peak_live_size, (unsigned long long)s->peak_live_size_seq,
           (unsigned long long)s->peak_live_chunk, (unsigned long long)s->peak_live_chunk_seq);
    if (s->n_alloc_stacks)
        printf("call stacks: %llu allocations with one, %llu distinct, up to %llu frames"
               " (heapscope sites names them)\n",
               (unsigned long long)s->n_alloc_stacks, (unsigned long long)s->n_stacks,
               (unsigned long long)s->max_stack_depth);
    printf("\n");
    printf("%-8s %-8s %-4s %-10s %10s %12s %12s  %s\n", "pid", "ppid", "gen", "exit", "events",
           "live blocks", "live bytes", "exe");
    for (uint32_t i = 0; i < s->n_processes; i++) {
        const struct hs_summary_process *p = &s->processes[i];
        char exit[16];
        if (p->exit_signal)
            snprintf(exit, sizeof exit, "signal %d", p->exit_signal);
        else if (p->has_exit_code)
            snprintf(exit, sizeof exit, "%d", p->exit_code);
        else
            snprintf(exit, sizeof exit, "-");
        printf("%-8u %-8u %-4u %-10s %10llu %12llu %12llu  %s\n", p->pid, p->ppid, p->exec_gen,
               exit, (unsigned long long)p->n_events, (unsigned long long)p->n_live,
               (unsigned long long)p->live_size, p->exe);
    }
}

static void print_json(const char *path, const struct hs_summary *s)
{
    printf("{\"trace\": ");
    cli_json_quote(stdout, path);
    printf(", \"n_events\": %llu, \"n_lost\": %llu, \"duration_ns\": %llu,\n \"ops\": [",
           (unsigned long long)s->n_events, (unsigned long long)s->n_lost,
           (unsigned long long)(s->end_ts_ns - s->start_ts_ns));
    int first = 1;
    for (unsigned op = 1; op < HS_OP_COUNT; op++)
        for (unsigned o = 0; o < 3; o++)
            if (s->n_by_op_origin[op][o]) {
                printf("%s\n  {\"op\": \"%s\", \"origin\": \"%s\", \"count\": %llu}",
                       first ? "" : ",", hs_op_name(op), hs_origin_name(o),
                       (unsigned long long)s->n_by_op_origin[op][o]);
                first = 0;
            }
    printf(
        "],\n \"peak_live_size\": %llu, \"peak_live_size_seq\": %llu,"
        " \"peak_live_chunk_size\": %llu, \"peak_live_chunk_size_seq\": %llu,\n"
        " \"call_stacks\": {\"allocations\": %llu, \"stacks\": %llu, \"max_depth\": %llu},\n"
        " \"processes\": [",
        (unsigned long long)s->peak_live_size, (unsigned long long)s->peak_live_size_seq,
        (unsigned long long)s->peak_live_chunk, (unsigned long long)s->peak_live_chunk_seq,
        (unsigned long long)s->n_alloc_stacks, (unsigned long long)s->n_stacks,
        (unsigned long long)s->max_stack_depth);
    for (uint32_t i = 0; i < s->n_processes; i++) {
        const struct hs_summary_process *p = &s->processes[i];
        printf("%s\n  {\"pid\": %u, \"ppid\": %u, \"exec_gen\": %u, \"exe\": ", i ? "," : "",
               p->pid, p->ppid, p->exec_gen);
        cli_json_quote(stdout, p->exe);
        if (p->has_exit_code)
            printf(", \"exit_code\": %d", p->exit_code);
        else
            printf(", \"exit_code\": null");
        if (p->exit_signal)
            printf(", \"exit_signal\": %d", p->exit_signal);
        else
            printf(", \"exit_signal\": null");
        printf(", \"n_events\": %llu, \"n_lost\": %llu, \"live_blocks\": %llu,"
               " \"live_size\": %llu, \"live_chunk_size\": %llu}",
               (unsigned long long)p->n_events, (unsigned long long)p->n_lost,
               (unsigned long long)p->n_live, (unsigned long long)p->live_size,
               (unsigned long long)p->live_chunk_size);
    }
    printf("]}\n");
}

int cmd_summary(int argc, char **argv)
{
    const char *path = NULL;
    int json = 0;
    const struct cli_opt opts[] = {CLI_FLAG("--json", &json), CLI_OPT_END};
    struct hs_trace *t;
    int rc = cli_args_trace("summary", usage, opts, argc, argv, &path, &t);
    if (rc != CLI_ARGS_OK)
        return cli_args_exit(rc);
    struct hs_error err = {{0}};
    struct hs_summary s;
    rc = hs_summary_compute(t, &s, &err);
    hs_trace_close(t);
    if (rc)
        return cli_fail("summary", "%s", err.msg);
    if (json)
        print_json(path, &s);
    else
        print_text(path, &s);
    hs_summary_free(&s);
    return HS_EXIT_OK;
}
