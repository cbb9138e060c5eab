/* cmd_leaks.c - `heapscope leaks FILE [--json]`: blocks still live at exit,
 * grouped by the caller that allocated them (hex address, and the module
 * and offset from the process's memory map, for addr2line), or by call
 * stack when the trace has them (`record --stack N`). */
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "cli_args.h"
#include "cli_json.h"
#include "summary.h"
#include "trace.h"

static const char usage[] = "usage: heapscope leaks FILE [--json]\n";

int cmd_leaks(int argc, char **argv)
{
    const char *path = NULL;
    int json = 0;
    const struct cli_opt opts[] = {CLI_FLAG("--json", &json), CLI_OPT_END};
    struct hs_trace *t;
    int rc = cli_args_trace("leaks", usage, opts, argc, argv, &path, &t);
    if (rc != CLI_ARGS_OK)
        return cli_args_exit(rc);
    struct hs_error err = {{0}};
    struct hs_leak_site *sites;
    uint64_t n;
    rc = hs_leaks_compute(t, &sites, &n, &err);
    hs_trace_close(t);
    if (rc)
        return cli_fail("leaks", "%s", err.msg);
    uint64_t blocks = 0, bytes = 0;
    if (json)
        printf("[");
    for (uint64_t i = 0; i < n; i++) {
        const struct hs_leak_site *l = &sites[i];
        blocks += l->n_blocks;
        bytes += l->size;
        if (json) {
            printf("%s\n {\"pid\": %u, \"exec_gen\": %u, \"caller\": \"0x%llx\", \"module\": ",
                   i ? "," : "", l->pid, l->exec_gen, (unsigned long long)l->caller);
            cli_json_quote(stdout, l->module);
            printf(", \"module_offset\": \"0x%llx\", \"blocks\": %llu, \"size\": %llu,"
                   " \"chunk_size\": %llu, \"min_size\": %llu, \"max_size\": %llu",
                   (unsigned long long)l->module_offset, (unsigned long long)l->n_blocks,
                   (unsigned long long)l->size, (unsigned long long)l->chunk_size,
                   (unsigned long long)l->min_size, (unsigned long long)l->max_size);
            if (l->stack) {
                printf(", \"callers\": ");
                cli_print_callers(l->callers, 1, 0);
            }
            printf("}");
        } else {
            char where[300] = "";
            if (l->module[0])
                snprintf(where, sizeof where, " (%s+0x%llx)", l->module,
                         (unsigned long long)l->module_offset);
            printf("%10llu bytes in %6llu blocks (%llu-%llu each) pid %u from 0x%llx%s\n",
                   (unsigned long long)l->size, (unsigned long long)l->n_blocks,
                   (unsigned long long)l->min_size, (unsigned long long)l->max_size, l->pid,
                   (unsigned long long)l->caller, where);
            cli_print_callers(l->callers, 0, 22);
        }
    }
    if (json)
        printf("]\n");
    else
        printf("%llu bytes in %llu block%s live at exit, from %llu call site%s\n",
               (unsigned long long)bytes, (unsigned long long)blocks, blocks == 1 ? "" : "s",
               (unsigned long long)n, n == 1 ? "" : "s");
    hs_leaks_free(sites, n);
    return HS_EXIT_OK;
}
