/* cli_model.c - shared option parsing and model building for the
 * model commands (cli_model.h). */
#include "cli_model.h"

#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "cli_args.h"
#include "model_run.h"

int cli_model_parse(const char *cmd, const char *usage, int argc, char **argv, const char *extra,
                    struct cli_model_opts *o)
{
    memset(o, 0, sizeof *o);
    struct cli_opt opts[8] = {CLI_PID(&o->pid)};
    int n = 1;
    if (strstr(extra, "json"))
        opts[n++] = (struct cli_opt)CLI_FLAG("--json", &o->json);
    if (strstr(extra, "csv"))
        opts[n++] = (struct cli_opt)CLI_FLAG("--csv", &o->csv);
    if (strstr(extra, "at")) {
        opts[n++] = (struct cli_opt)CLI_U64("--at", &o->at, 1);
        opts[n++] = (struct cli_opt)CLI_STRING("--mark", &o->mark);
    }
    if (strstr(extra, "every"))
        opts[n++] = (struct cli_opt)CLI_U64("--every", &o->every, 1);
    opts[n] = (struct cli_opt)CLI_OPT_END;
    const char *seq = NULL;
    struct cli_pos pos[3] = {{"trace file", &o->file, 0}, CLI_POS_END, CLI_POS_END};
    if (strstr(extra, "seq"))
        pos[1] = (struct cli_pos){"SEQ", &seq, 0};
    const struct cli_args spec = {cmd, usage, opts, pos, NULL};
    int rc = cli_args_parse(&spec, argc, argv);
    if (rc != CLI_ARGS_OK)
        return rc;
    if (seq && (!cli_parse_u64(seq, &o->seq) || o->seq == 0))
        return cli_usage_error(cmd, usage, "SEQ must be an event number, not '%s'", seq);
    if (o->at && o->mark)
        return cli_usage_error(cmd, usage, "--at and --mark exclude each other");
    if (o->json && o->csv)
        return cli_usage_error(cmd, usage, "--json and --csv exclude each other");
    return 0;
}

int cli_model_open(const char *cmd, struct cli_model_opts *o, struct hs_trace **t,
                   struct hs_model **m)
{
    struct hs_error err = {{0}};
    if (m)
        *m = NULL;
    int rc = cli_open_trace(cmd, o->file, t);
    if (rc != 0 || (rc = cli_check_pid(cmd, o->file, *t, o->pid)) != 0)
        return rc;
    if (o->mark) {
        const struct hs_mark *k = hs_trace_find_mark(*t, o->mark);
        if (!k) {
            hs_trace_close(*t);
            return cli_fail(cmd, "no mark '%s' in '%s'", o->mark, o->file);
        }
        o->at = k->seq;
        if (!o->pid)
            o->pid = k->pid;
    }
    /* explain's model stops just before SEQ, but SEQ's own process image is the one wanted */
    uint64_t want = o->seq ? o->seq : o->at;
    if (want > hs_trace_last_seq(*t)) {
        rc = cli_fail(cmd, "seq %llu is past the end of '%s' (last seq %llu)",
                      (unsigned long long)want, o->file, (unsigned long long)hs_trace_last_seq(*t));
        hs_trace_close(*t);
        return rc;
    }
    if (hs_model_images_load(*t, &o->imgs, &err)) {
        hs_trace_close(*t);
        return cli_fail(cmd, "%s", err.msg);
    }
    o->idx = want ? hs_model_image_of_seq(*t, &o->imgs, want, o->pid, &err)
                  : hs_model_image_of_pid(&o->imgs, o->pid);
    if (o->idx < 0) {
        if (!want && o->pid)
            hs_error_set(&err, HS_EARG, "no process %u in '%s'", o->pid, o->file);
        else if (!want)
            hs_error_set(&err, HS_EARG, "no process in '%s'", o->file);
        goto err_close;
    }
    o->pid = o->imgs.v[o->idx].pid;
    if (!o->imgs.v[o->idx].glibc) {
        fprintf(o->json ? stderr : stdout,
                "heapscope %s: process %u was not recorded with glibc's malloc: the glibc bin "
                "model does not apply\n",
                cmd, o->pid);
        return 0;
    }
    if (m && hs_model_run_at(*t, &o->imgs, o->idx, o->at, m, &err))
        goto err_close;
    return 0;
err_close:
    cli_model_close(o, *t, NULL);
    return cli_fail(cmd, "%s", err.msg);
}

void cli_model_close(struct cli_model_opts *o, struct hs_trace *t, struct hs_model *m)
{
    hs_model_free(m);
    hs_model_images_free(&o->imgs);
    hs_trace_close(t);
}
