/* cmd_import.c - `heapscope import LOGDIR -o FILE`: import the logs of a
 * program that ran with the tracer preloaded by hand (HS_LOGDIR=LOGDIR). */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "cli_import.h"

static const char usage[] = "usage: heapscope import LOGDIR -o FILE\n";

int cmd_import(int argc, char **argv)
{
    const char *out = NULL, *logdir = NULL;
    for (int i = 1; i < argc; i++) {
        if (cli_is_help(argv[i])) {
            fputs(usage, stdout);
            return HS_EXIT_OK;
        } else if (strcmp(argv[i], "-o") == 0 && i + 1 < argc) {
            out = argv[++i];
        } else if (argv[i][0] == '-') {
            return cli_usage_error("import", usage, "unknown option '%s'", argv[i]);
        } else if (!logdir) {
            logdir = argv[i];
        } else {
            return cli_usage_error("import", usage, "unexpected argument '%s'", argv[i]);
        }
    }
    if (!logdir || !out)
        return cli_usage_error("import", usage, "%s",
                               !logdir ? "no log directory" : "no output file (-o FILE)");
    struct hs_import_options opts = {.logdir = logdir, .out_path = out};
    struct hs_import_result res;
    if (cli_import("import", &opts, &res))
        return HS_EXIT_ERROR;
    char line[256];
    cli_import_describe(&res, line, sizeof line);
    fprintf(stderr, "heapscope import: imported %s\n", line);
    if (res.n_lost)
        fprintf(
            stderr,
            "heapscope import: %llu reserved slot%s never committed (the program died mid-write)\n",
            (unsigned long long)res.n_lost, res.n_lost == 1 ? " was" : "s were");
    fprintf(stderr, "heapscope import: trace written to '%s'\n", out);
    return HS_EXIT_OK;
}
