/*
 * cmd_lab.c - `heapscope lab`: list the labs, run one or all of them under
 * the tracer and judge the articles' claims (analyzer/lib/lab.h).
 */
#define _GNU_SOURCE
#include "cli.h"
#include "cli_args.h"
#include "lab.h"
#include "lab_print.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static const char usage[] =
    "usage: heapscope lab list [--json]\n"
    "   or: heapscope lab run NAME [--json] [--native] [--check] [-o TRACE | --dir DIR] [--full]\n"
    "                          [-- ARGS...]\n"
    "   or: heapscope lab run --all [--json] [--native] [--check] [--dir DIR]\n"
    "\n"
    "    --json       print the results as JSON\n"
    "    --native     run the lab without the tracer (no trace is written)\n"
    "    --check      exit 1 unless every value equals the one measured on glibc 2.36\n"
    "    -o TRACE     write the trace here (default: lab-NAME.db)\n"
    "    --dir DIR    directory for the traces (default: .)\n"
    "    --full       the long version of the lab (passed to it)\n"
    "    -- ARGS      further arguments for the lab program\n";

static const char *const commands_here[] = {
#define HS_COMMAND(name, summary) #name,
#include "commands.def"
#undef HS_COMMAND
};

/* Edit distance between a and b (insertions, deletions, substitutions);
 * strings of 63 characters or more count as far from everything. */
static size_t edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b), row[64];
    if (la >= 64 || lb >= 64)
        return SIZE_MAX;
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j], best = diag + (a[i - 1] != b[j - 1]);
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            diag = up;
            row[j] = best;
        }
    }
    return row[lb];
}

/* The lab whose name is at most 2 edits from name (a typo), or NULL. */
static const struct hs_lab *nearest_lab(const char *name)
{
    size_t n, best = 3;
    const struct hs_lab *labs = hs_lab_catalog(&n), *near = NULL;
    for (size_t i = 0; i < n; i++) {
        size_t d = edit_distance(name, labs[i].name);
        if (d < best) {
            best = d;
            near = &labs[i];
        }
    }
    return near;
}

struct options {
    int json, native, check, all, full;
    const char *name, *trace, *dir;
    char **extra; /* after "--", NULL-terminated (argv's own tail) */
};

static int have_command(const char *name)
{
    for (size_t i = 0; i < sizeof commands_here / sizeof commands_here[0]; i++)
        if (strcmp(commands_here[i], name) == 0)
            return 1;
    return 0;
}

/* The lab binary: next to heapscope (build tree) or in libexec (installed). */
static int find_program(const struct hs_lab *lab, char *path, size_t size)
{
    char prog[64];
    hs_lab_program_name(lab, prog, sizeof prog);
    snprintf(path, size, "%s/%s", cli_self_dir(), prog);
    if (access(path, X_OK) == 0)
        return 0;
    snprintf(path, size, "%s/../libexec/heapscope/labs/%s", cli_self_dir(), prog);
    return access(path, X_OK) == 0 ? 0 : -1;
}

/* Runs one lab; returns the exit code it deserves (0, or 1 on failure). */
static int run_one(const struct hs_lab *lab, const struct options *o)
{
    char program[PATH_MAX], trace[PATH_MAX], self[PATH_MAX];
    if (find_program(lab, program, sizeof program) != 0)
        return cli_fail("lab", "cannot find the program of lab '%s' (is it built?)", lab->name);
    int traced = !o->native && have_command("record");
    if (o->trace)
        snprintf(trace, sizeof trace, "%s", o->trace);
    else
        snprintf(trace, sizeof trace, "%s/lab-%s.db", o->dir ? o->dir : ".", lab->name);
    snprintf(self, sizeof self, "%s/heapscope", cli_self_dir());
    const char *tmpdir = getenv("TMPDIR");
    char results[PATH_MAX];
    snprintf(results, sizeof results, "%s/heapscope-lab-XXXXXX",
             tmpdir && *tmpdir ? tmpdir : P_tmpdir);
    int fd = mkstemp(results);
    if (fd < 0)
        return cli_fail("lab", "cannot create a results file '%s'", results);
    close(fd);

    char *full_args[] = {"--full", NULL};
    struct hs_lab_run run = {
        .program = program,
        .args = o->extra  ? o->extra
                : o->full ? full_args
                          : NULL,
        .heapscope = traced ? self : NULL,
        .trace = trace,
        .results = results,
        .quiet = o->json,
    };
    if (traced)
        unlink(trace);
    struct hs_error err = {{0}};
    int status = 0;
    char *text = NULL;
    if (hs_lab_execute(&run, &status, &err) != 0 || hs_lab_read_file(results, &text, &err) != 0) {
        unlink(results);
        return cli_fail("lab", "%s", err.msg);
    }
    unlink(results);
    if (traced && access(trace, F_OK) != 0) {
        free(text);
        return HS_EXIT_ERROR; /* record could not write it, and said why */
    }
    struct hs_lab_results r;
    if (hs_lab_parse_results(text, &r, &err) != 0) {
        free(text);
        return cli_fail("lab", "lab '%s': %s", lab->name, err.msg);
    }
    free(text);
    if (hs_lab_trace_measures(lab, traced ? trace : NULL, &r, &err) != 0) {
        hs_lab_results_free(&r);
        return cli_fail("lab", "%s", err.msg);
    }

    size_t n_claims, n = 0;
    const struct hs_lab_claim *claims = hs_lab_claims(&n_claims);
    struct hs_lab_verdict *v = calloc(n_claims, sizeof *v);
    if (!v) {
        hs_lab_results_free(&r);
        return cli_fail("lab", "out of memory");
    }
    int failed = !WIFEXITED(status) || WEXITSTATUS(status) != 0;
    for (size_t i = 0; i < n_claims; i++) {
        if (strcmp(claims[i].lab, lab->name) != 0)
            continue;
        v[n] = hs_lab_judge(&claims[i], &r);
        if (v[n].kind == HS_VERDICT_MISSING || (o->check && v[n].as_expected == 0))
            failed = 1;
        n++;
    }
    if (traced && hs_lab_store_claims(trace, lab, v, n, &err) != 0) {
        cli_fail("lab", "%s", err.msg);
        failed = 1;
    }
    if (o->json)
        lab_print_json(lab, v, n, traced ? trace : NULL, status);
    else
        lab_print_text(lab, v, n, traced ? trace : NULL, status);
    free(v);
    hs_lab_results_free(&r);
    return failed ? HS_EXIT_ERROR : HS_EXIT_OK;
}

/* argv[0] is "run". Returns a result of cli_args_parse. */
static int parse_run(int argc, char **argv, struct options *o)
{
    const struct cli_opt opts[] = {
        CLI_FLAG("--json", &o->json),   CLI_FLAG("--native", &o->native),
        CLI_FLAG("--check", &o->check), CLI_FLAG("--all", &o->all),
        CLI_FLAG("--full", &o->full),   CLI_STRING("-o", &o->trace),
        CLI_STRING("--dir", &o->dir),   CLI_OPT_END,
    };
    const struct cli_pos pos[] = {{"lab NAME", &o->name, 1}, CLI_POS_END};
    const struct cli_args spec = {"lab", usage, opts, pos, &o->extra};
    int rc = cli_args_parse(&spec, argc, argv);
    if (rc != CLI_ARGS_OK)
        return rc;
    if (o->all == !!o->name)
        return cli_usage_error("lab", usage, "run takes one lab NAME or --all");
    if (o->all && o->trace)
        return cli_usage_error("lab", usage, "-o names one trace; use --dir with --all");
    return 0;
}

int cmd_lab(int argc, char **argv)
{
    if (argc < 2)
        return cli_usage_error("lab", usage, "missing subcommand");
    if (cli_is_help(argv[1])) {
        fputs(usage, stdout);
        return HS_EXIT_OK;
    }
    struct options o = {0};
    if (strcmp(argv[1], "list") == 0) {
        const struct cli_opt opts[] = {CLI_FLAG("--json", &o.json), CLI_OPT_END};
        const struct cli_args spec = {"lab", usage, opts, NULL, NULL};
        int rc = cli_args_parse(&spec, argc - 1, argv + 1);
        if (rc != CLI_ARGS_OK)
            return cli_args_exit(rc);
        lab_print_list(o.json);
        return HS_EXIT_OK;
    }
    if (strcmp(argv[1], "run") != 0)
        return cli_usage_error("lab", usage, "unknown subcommand '%s'", argv[1]);
    int rc = parse_run(argc - 1, argv + 1, &o);
    if (rc != CLI_ARGS_OK)
        return cli_args_exit(rc);
    if (o.dir && !o.native && mkdir(o.dir, 0777) != 0 && errno != EEXIST)
        return cli_fail("lab", "cannot create directory '%s': %s", o.dir, strerror(errno));
    if (!o.all) {
        const struct hs_lab *lab = hs_lab_find(o.name);
        if (!lab) {
            const struct hs_lab *near = nearest_lab(o.name);
            if (near)
                return cli_fail("lab",
                                "no lab named '%s'; did you mean '%s'? (see 'heapscope lab list')",
                                o.name, near->name);
            return cli_fail("lab", "no lab named '%s' (see 'heapscope lab list')", o.name);
        }
        rc = run_one(lab, &o);
        if (o.json)
            printf("\n");
        return rc;
    }
    size_t n;
    const struct hs_lab *labs = hs_lab_catalog(&n);
    if (o.json)
        printf("[");
    for (size_t i = 0; i < n; i++) {
        if (o.json && i)
            printf(",\n");
        fflush(stdout);
        if (run_one(&labs[i], &o) != 0)
            rc = HS_EXIT_ERROR;
    }
    if (o.json)
        printf("]\n");
    return rc;
}
