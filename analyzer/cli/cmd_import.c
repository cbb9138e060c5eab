/* cmd_import.c - `heapscope import LOGDIR -o FILE`: import the logs of a
 * program that ran with the tracer preloaded by hand (HS_LOGDIR=LOGDIR). */
#include <stdio.h>

#include "cli.h"
#include "cli_args.h"
#include "cli_import.h"

static const char usage[] = "usage: heapscope import LOGDIR -o FILE\n";

int cmd_import(int argc, char **argv)
{
    const char *out = NULL, *logdir = NULL;
    const struct cli_opt opts[] = {CLI_STRING("-o", &out), CLI_OPT_END};
    const struct cli_pos pos[] = {{"log directory", &logdir, 0}, CLI_POS_END};
    const struct cli_args spec = {"import", usage, opts, pos, NULL};
    int rc = cli_args_parse(&spec, argc, argv);
    if (rc != CLI_ARGS_OK)
        return cli_args_exit(rc);
    if (!out)
        return cli_usage_error("import", usage, "no output file (-o FILE)");
    struct hs_import_options import = {.logdir = logdir, .out_path = out};
    struct hs_import_result res;
    if (cli_import("import", &import, &res))
        return HS_EXIT_ERROR;
    char line[256];
    cli_import_describe(&res, line, sizeof line);
    fprintf(stderr, "heapscope import: imported %s\n", line);
    if (res.n_lost)
        fprintf(stderr,
                "heapscope import: %llu reserved slot%s never committed (see the warnings above)\n",
                (unsigned long long)res.n_lost, res.n_lost == 1 ? " was" : "s were");
    fprintf(stderr, "heapscope import: trace written to '%s'\n", out);
    return HS_EXIT_OK;
}
