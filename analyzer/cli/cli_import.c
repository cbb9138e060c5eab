/* cli_import.c - progress and warnings around hs_import() (cli_import.h). */
#include "cli_import.h"

#include <stdio.h>
#include <unistd.h>

#include "cli.h"

struct report_ctx {
    const char *cmd;
    int tty;
    int progress_shown;
};

static void on_progress(void *ctx, uint64_t done, uint64_t total)
{
    struct report_ctx *r = ctx;
    if (!r->tty || total < (4u << 20))
        return;
    fprintf(stderr, "\rheapscope %s: importing %3d%% of %llu events", r->cmd,
            (int)(done * 100 / (total ? total : 1)), (unsigned long long)total);
    r->progress_shown = 1;
}

static void end_progress(struct report_ctx *r)
{
    if (r->progress_shown)
        fputc('\n', stderr);
    r->progress_shown = 0;
}

static void on_warn(void *ctx, const char *line)
{
    struct report_ctx *r = ctx;
    end_progress(r);
    fprintf(stderr, "heapscope %s: warning: %s\n", r->cmd, line);
}

int cli_import(const char *cmd, struct hs_import_options *opts, struct hs_import_result *res)
{
    struct report_ctx r = {cmd, isatty(STDERR_FILENO), 0};
    struct hs_error err;
    opts->progress = on_progress;
    opts->warn = on_warn;
    opts->ctx = &r;
    int rc = hs_import(opts, res, &err);
    end_progress(&r);
    if (rc)
        return cli_fail(cmd, "%s", err.msg);
    return 0;
}

static struct report_ctx live_report; /* one live import per process */

void cli_import_report(const char *cmd, struct hs_import_options *opts)
{
    live_report = (struct report_ctx){cmd, isatty(STDERR_FILENO), 0};
    opts->progress = on_progress;
    opts->warn = on_warn;
    opts->ctx = &live_report;
}

void cli_import_report_end(void)
{
    end_progress(&live_report);
}

void cli_import_describe(const struct hs_import_result *res, char *buf, unsigned size)
{
    double mib = (double)res->db_size / (1024.0 * 1024.0);
    snprintf(
        buf, size,
        "%llu event%s from %llu process%s, %llu block%s live at exit, %.1f MiB (%.1f bytes/event)",
        (unsigned long long)res->n_events, res->n_events == 1 ? "" : "s",
        (unsigned long long)res->n_processes, res->n_processes == 1 ? "" : "es",
        (unsigned long long)res->n_live, res->n_live == 1 ? "" : "s", mib,
        res->n_events ? (double)res->db_size / (double)res->n_events : 0.0);
}
