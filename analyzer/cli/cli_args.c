/* cli_args.c - the shared argument parser of the subcommands (cli_args.h):
 * one left-to-right pass over argv, each argument matched against the
 * option table, else taken as the next positional. */
#include "cli_args.h"

#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

int cli_parse_u64(const char *s, uint64_t *v)
{
    uint64_t n = 0;
    if (!*s)
        return 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return 0;
        unsigned d = (unsigned)(*s - '0');
        if (n > (UINT64_MAX - d) / 10)
            return 0;
        n = n * 10 + d;
    }
    *v = n;
    return 1;
}

static const struct cli_opt *find_opt(const struct cli_opt *opts, const char *name)
{
    for (; opts && opts->name; opts++)
        if (strcmp(opts->name, name) == 0)
            return opts;
    return NULL;
}

/* Stores the value of option o; returns 0 or HS_EXIT_USAGE. */
static int store(const struct cli_args *spec, const struct cli_opt *o, const char *arg)
{
    uint64_t v;
    switch (o->kind) {
    case CLI_OPT_FLAG:
        *(int *)o->value = 1;
        return 0;
    case CLI_OPT_STRING:
        *(const char **)o->value = arg;
        return 0;
    case CLI_OPT_U64:
    case CLI_OPT_U32:
        if (!cli_parse_u64(arg, &v) || (o->positive && v == 0) ||
            (o->kind == CLI_OPT_U32 && v > UINT32_MAX))
            return cli_usage_error(spec->cmd, spec->usage, "%s wants %s, not '%s'", o->name,
                                   o->positive ? "a positive number" : "a number", arg);
        if (o->kind == CLI_OPT_U64)
            *(uint64_t *)o->value = v;
        else
            *(uint32_t *)o->value = (uint32_t)v;
        return 0;
    }
    return 0;
}

int cli_args_parse(const struct cli_args *spec, int argc, char **argv)
{
    const struct cli_pos *next = spec->pos;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (cli_is_help(a)) {
            fputs(spec->usage, stdout);
            return CLI_ARGS_HELP;
        }
        if (spec->rest && strcmp(a, "--") == 0) {
            *spec->rest = argv + i + 1;
            break;
        }
        const struct cli_opt *o = a[0] == '-' ? find_opt(spec->opts, a) : NULL;
        if (o) {
            if (o->kind != CLI_OPT_FLAG && i + 1 >= argc)
                return cli_usage_error(spec->cmd, spec->usage, "%s wants a value", a);
            int rc = store(spec, o, o->kind == CLI_OPT_FLAG ? a : argv[++i]);
            if (rc)
                return rc;
        } else if (a[0] == '-') {
            return cli_usage_error(spec->cmd, spec->usage, "unknown option '%s'", a);
        } else if (next && next->name) {
            *next->value = a;
            next++;
        } else {
            return cli_usage_error(spec->cmd, spec->usage, "unexpected argument '%s'", a);
        }
    }
    if (next && next->name && !next->optional)
        return cli_usage_error(spec->cmd, spec->usage, "no %s given", next->name);
    return CLI_ARGS_OK;
}

int cli_args_exit(int rc)
{
    return rc == CLI_ARGS_HELP ? HS_EXIT_OK : rc;
}

int cli_open_trace(const char *cmd, const char *path, struct hs_trace **t)
{
    struct hs_error err = {{0}};
    if (hs_trace_open(path, t, &err) != HS_OK)
        return cli_fail(cmd, "%s", err.msg);
    return 0;
}

int cli_args_trace(const char *cmd, const char *usage, const struct cli_opt *opts, int argc,
                   char **argv, const char **path, struct hs_trace **t)
{
    const struct cli_pos pos[] = {{"trace file", path, 0}, CLI_POS_END};
    const struct cli_args spec = {cmd, usage, opts, pos, NULL};
    int rc = cli_args_parse(&spec, argc, argv);
    if (rc != CLI_ARGS_OK)
        return rc;
    return cli_open_trace(cmd, *path, t);
}

int cli_check_pid(const char *cmd, const char *path, struct hs_trace *t, uint32_t pid)
{
    if (!pid)
        return 0;
    sqlite3_stmt *st;
    int found = 0;
    if (sqlite3_prepare_v2(hs_trace_db(t), "SELECT 1 FROM processes WHERE pid = ?", -1, &st,
                           NULL) == SQLITE_OK) {
        sqlite3_bind_int64(st, 1, pid);
        found = sqlite3_step(st) == SQLITE_ROW;
        sqlite3_finalize(st);
    }
    if (found)
        return 0;
    hs_trace_close(t);
    return cli_fail(cmd, "no process %u in '%s'", pid, path);
}
