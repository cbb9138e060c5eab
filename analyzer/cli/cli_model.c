/* cli_model.c - shared option parsing and model building for the
 * model commands (cli_model.h). */
#include "cli_model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "model_run.h"

static int parse_u64(const char *s, uint64_t *v)
{
    char *end;
    *v = strtoull(s, &end, 0);
    return *s && !*end;
}

int cli_model_parse(const char *cmd, const char *usage, int argc, char **argv, const char *extra,
                    struct cli_model_opts *o)
{
    memset(o, 0, sizeof *o);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int has_next = i + 1 < argc;
        if (cli_is_help(a)) {
            fputs(usage, stdout);
            return -1;
        } else if (strcmp(a, "--json") == 0) {
            o->json = 1;
        } else if (strcmp(a, "--csv") == 0 && strstr(extra, "csv")) {
            o->csv = 1;
        } else if (strcmp(a, "--at") == 0 && strstr(extra, "at") && has_next) {
            if (!parse_u64(argv[++i], &o->at) || o->at == 0)
                return cli_usage_error(cmd, usage, "--at wants an event seq, not '%s'", argv[i]);
        } else if (strcmp(a, "--mark") == 0 && strstr(extra, "at") && has_next) {
            o->mark = argv[++i];
        } else if (strcmp(a, "--every") == 0 && strstr(extra, "every") && has_next) {
            if (!parse_u64(argv[++i], &o->every) || o->every == 0)
                return cli_usage_error(cmd, usage, "--every wants a positive count, not '%s'",
                                       argv[i]);
        } else if (strcmp(a, "--pid") == 0 && has_next) {
            uint64_t v;
            if (!parse_u64(argv[++i], &v))
                return cli_usage_error(cmd, usage, "--pid wants a process id, not '%s'", argv[i]);
            o->pid = (uint32_t)v;
        } else if (a[0] == '-' || o->file) {
            return cli_usage_error(cmd, usage, "unexpected argument '%s'", a);
        } else {
            o->file = a;
        }
    }
    if (!o->file)
        return cli_usage_error(cmd, usage, "missing trace file");
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
    if (hs_trace_open(o->file, t, &err))
        return cli_fail(cmd, "%s", err.msg);
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
    if (o->at > hs_trace_last_seq(*t)) {
        int rc =
            cli_fail(cmd, "seq %llu is past the end of '%s' (last seq %llu)",
                     (unsigned long long)o->at, o->file, (unsigned long long)hs_trace_last_seq(*t));
        hs_trace_close(*t);
        return rc;
    }
    if (hs_model_images_load(*t, &o->imgs, &err)) {
        hs_trace_close(*t);
        return cli_fail(cmd, "%s", err.msg);
    }
    o->idx = o->at ? hs_model_image_of_seq(*t, &o->imgs, o->at, o->pid, &err)
                   : hs_model_image_of_pid(&o->imgs, o->pid);
    if (o->idx < 0) {
        if (!o->at && o->pid)
            hs_error_set(&err, HS_EARG, "no process %u in '%s'", o->pid, o->file);
        else if (!o->at)
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
    hs_model_images_free(&o->imgs);
    hs_trace_close(*t);
    return cli_fail(cmd, "%s", err.msg);
}
