/*
 * cmd_record.c - `heapscope record [-o FILE] [--no-faults] [--stack N] [--]
 * PROGRAM [ARGS...]`: run PROGRAM with the tracer preloaded into a private log
 * directory, wait, import the logs into FILE, exit with PROGRAM's status.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "cli_json.h"
#include "cli_import.h"
#include "spawn.h"
#include "cli_faults.h"
#include "cli_drain.h"
#include "cpu_share.h"
#include "heapscope/event.h"
#include "import_live.h"

extern char **environ;

static const char usage[] =
    "usage: heapscope record [-o FILE] [--no-faults] [--stack N] [--] PROGRAM [ARGS...]\n"
    "\n"
    "    -o FILE        write the trace to FILE (default: heapscope-PROGRAM-PID.db)\n"
    "    --no-faults    do not sample page faults\n"
    "    --stack N      record N frames (1-16) of each allocation's call stack;\n"
    "                   1, the default, is its caller alone\n"
    "\n"
    "Environment: HS_TRACER (the tracer library), TMPDIR (where logs are kept\n"
    "while the program runs), HS_LIVE_IMPORT=0 (import after the run instead of\n"
    "while it runs).\n";

static int find_tracer(char *path, size_t size)
{
    const char *env = getenv("HS_TRACER");
    if (env && *env) {
        snprintf(path, size, "%s", env);
        return access(path, R_OK) == 0;
    }
    static const char *const rel[] = {"/../lib/libheapscope-tracer.so",
                                      "/../lib/heapscope/libheapscope-tracer.so"};
    for (size_t i = 0; i < 2; i++) {
        snprintf(path, size, "%s%s", cli_self_dir(), rel[i]);
        if (access(path, R_OK) == 0)
            return 1;
    }
    return 0;
}

/* envp = environ with LD_PRELOAD=tracer[:old] and HS_LOGDIR=logdir. */
static char **child_env(const char *tracer, const char *logdir)
{
    size_t n = 0;
    while (environ[n])
        n++;
    char **env = calloc(n + 3, sizeof *env);
    if (!env)
        return NULL;
    size_t k = 0;
    const char *old_preload = NULL;
    for (size_t i = 0; i < n; i++) {
        if (strncmp(environ[i], "LD_PRELOAD=", 11) == 0)
            old_preload = environ[i] + 11;
        else if (strncmp(environ[i], "HS_LOGDIR=", 10) != 0)
            env[k++] = environ[i];
    }
    if (asprintf(&env[k++], "LD_PRELOAD=%s%s%s", tracer, old_preload && *old_preload ? ":" : "",
                 old_preload ? old_preload : "") < 0 ||
        asprintf(&env[k++], "HS_LOGDIR=%s", logdir) < 0)
        return NULL;
    return env;
}

/* Frees what child_env() added: its last two entries and the array. */
static void free_child_env(char **env)
{
    size_t n = 0;
    while (env[n])
        n++;
    free(env[n - 1]);
    free(env[n - 2]);
    free(env);
}

/* 1 if the tracer wrote at least one log into dir. */
static int has_logs(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    struct dirent *de;
    int found = 0;
    while (!found && (de = readdir(d))) {
        unsigned pid, gen;
        int end = 0;
        /* <pid>.<gen>.hslog: a process's log (faults.hslog is not one) */
        found = sscanf(de->d_name, "%u.%u.hslog%n", &pid, &gen, &end) == 2 && !de->d_name[end];
    }
    closedir(d);
    return found;
}

static void remove_logdir(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *de;
    char path[PATH_MAX];
    while ((de = readdir(d)))
        if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..")) {
            snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
            unlink(path);
        }
    closedir(d);
    rmdir(dir);
}

/* Options before PROGRAM. Returns -1 to go on (*first = PROGRAM's index),
 * else the exit code. */
static int parse_options(int argc, char **argv, const char **out, int *faults, int *first)
{
    int i;
    for (i = 1; i < argc && argv[i][0] == '-'; i++) {
        if (cli_is_help(argv[i])) {
            fputs(usage, stdout);
            return HS_EXIT_OK;
        } else if (strcmp(argv[i], "--") == 0) {
            i++;
            break;
        } else if (strcmp(argv[i], "-o") == 0) {
            if (i + 1 >= argc)
                return cli_usage_error("record", usage, "-o wants a value");
            *out = argv[++i];
        } else if (strcmp(argv[i], "--no-faults") == 0) {
            *faults = 0;
        } else if (strcmp(argv[i], "--stack") == 0) {
            char *end;
            long n = i + 1 < argc ? strtol(argv[i + 1], &end, 10) : 0;
            if (i + 1 >= argc || *argv[i + 1] == '\0' || *end != '\0' || n < 1 ||
                n > HS_STACK_MAX_DEPTH)
                return cli_usage_error("record", usage,
                                       "--stack wants a number of frames from 1 to %u, not '%s'",
                                       HS_STACK_MAX_DEPTH, i + 1 < argc ? argv[i + 1] : "");
            /* read by the tracer in every traced process (tracer/stack.h) */
            setenv("HS_STACK", argv[++i], 1);
        } else {
            return cli_usage_error("record", usage, "unknown option '%s'", argv[i]);
        }
    }
    if (i >= argc)
        return cli_usage_error("record", usage, "no program to run");
    *first = i;
    return -1;
}

/* The live import (import_live.h), unless HS_LIVE_IMPORT=0. It places
 * the page faults as the sampler writes them (fault_place.h). */
static struct hs_live_import *start_live_import(const char *logdir, const char *out,
                                                const char *base, struct hs_import_options *opts)
{
    const char *env = getenv("HS_LIVE_IMPORT");
    if (env && strcmp(env, "0") == 0)
        return NULL;
    /* The final name may need the pid: start beside it, rename at the end. */
    static char provisional[PATH_MAX];
    snprintf(provisional, sizeof provisional, "heapscope-%s.db", base);
    *opts = (struct hs_import_options){.logdir = logdir, .out_path = out ? out : provisional};
    cli_import_report("record", opts);
    struct hs_live_import *li;
    struct hs_error err;
    if (hs_import_live_start(opts, &li, &err) != 0) {
        fprintf(stderr, "heapscope record: %s; importing after the run instead\n", err.msg);
        return NULL;
    }
    return li;
}

/* After the run: import the logs (or finish the live import), report,
 * return the program's status. */
static int import_run(const char *base, const char *logdir, const char *out, pid_t pid, int status,
                      struct hs_live_import *li, int drain_failed)
{
    struct hs_exit_status exit = {(uint32_t)pid, status};
    struct hs_import_options opts = {
        .logdir = logdir, .out_path = out, .exits = &exit, .n_exits = 1};
    struct hs_import_result res;
    if (li) {
        struct hs_error err;
        int failed = hs_import_live_finish(li, out, &exit, 1, drain_failed, &res, &err);
        cli_import_report_end();
        if (failed) {
            remove_logdir(logdir);
            /* Nothing to retry from: the records went from memory into
             * the import that failed. Say how to keep them next time. */
            return cli_fail("record", "%s%s", err.msg,
                            strstr(err.msg, "HS_LIVE_IMPORT")
                                ? ""
                                : "; the run's records are lost (with HS_LIVE_IMPORT=0 they are "
                                  "kept in logs that 'heapscope import' can retry)");
        }
    } else if (cli_import("record", &opts, &res)) {
        fprintf(
            stderr,
            "heapscope record: the logs are kept in '%s' (retry: heapscope import %s -o FILE)\n",
            logdir, cli_shell_word(logdir));
        return HS_EXIT_ERROR;
    }
    remove_logdir(logdir);
    char line[256];
    cli_import_describe(&res, line, sizeof line);
    int code = hs_spawn_exit_code(status);
    if (WIFSIGNALED(status))
        fprintf(stderr, "heapscope record: '%s' was killed by signal %d (%s); %s\n", base,
                WTERMSIG(status), strsignal(WTERMSIG(status)), line);
    else
        fprintf(stderr, "heapscope record: '%s' exited with status %d; %s\n", base, code, line);
    fprintf(stderr, "heapscope record: trace written to '%s' (try: heapscope summary %s)\n", out,
            cli_shell_word(out));
    return code;
}

/* What runs between fork and exec: the child gets every CPU back
 * (cpu_share.h), and page-fault sampling (issue 5) opens its perf_event on
 * the blocked child. */
struct before_exec {
    struct cli_faults *faults; /* NULL: --no-faults */
    const struct hs_cpu_share *cpus;
};

static int before_exec(void *ctx, pid_t child, struct hs_error *err)
{
    const struct before_exec *be = ctx;
    hs_cpu_share_release_child(be->cpus, child);
    return be->faults ? cli_faults_before_exec(be->faults, child, err) : 0;
}

int cmd_record(int argc, char **argv)
{
    const char *out = NULL;
    int faults = 1, first = 0;
    int done = parse_options(argc, argv, &out, &faults, &first);
    if (done >= 0)
        return done;
    char **prog_argv = argv + first;

    struct hs_error err;
    char path[PATH_MAX], tracer[PATH_MAX], out_buf[PATH_MAX];
    int code;
    if (hs_spawn_resolve(prog_argv[0], path, sizeof path, &code, &err)) {
        cli_fail("record", "%s", err.msg);
        return code;
    }
    if (!find_tracer(tracer, sizeof tracer))
        return cli_fail("record", "cannot find the tracer library '%s' (set HS_TRACER to its path)",
                        tracer);
    const char *base = strrchr(prog_argv[0], '/') ? strrchr(prog_argv[0], '/') + 1 : prog_argv[0];
    if (hs_import_check_output(out ? out : "heapscope-check.db", &err))
        return cli_fail("record", "%s", err.msg);

    const char *tmpdir = getenv("TMPDIR");
    char logdir[PATH_MAX];
    snprintf(logdir, sizeof logdir, "%s/heapscope-logs-XXXXXX",
             tmpdir && *tmpdir ? tmpdir : "/tmp");
    if (!mkdtemp(logdir))
        return cli_fail("record", "cannot create a log directory in '%s': %s",
                        tmpdir && *tmpdir ? tmpdir : "/tmp", strerror(errno));
    /* Before the first helper thread starts: they all inherit it. */
    struct hs_cpu_share cpus;
    hs_cpu_share_begin(&cpus);
    struct hs_import_options live_opts;
    struct hs_live_import *li = start_live_import(logdir, out, base, &live_opts);
    /* ring mode (docs/tracer.md) */
    struct hs_drain *drain = cli_drain_start(logdir, li ? hs_import_live_relay(li) : NULL);
    if (!drain && li) { /* linear logs: the import runs after the program */
        hs_import_live_abandon(li);
        li = NULL;
    }
    char **env = child_env(tracer, logdir);
    if (!env) {
        cli_drain_finish(drain);
        hs_import_live_abandon(li);
        rmdir(logdir);
        return cli_fail("record", "out of memory");
    }
    struct cli_faults fs = {.logdir = logdir};
    struct before_exec be = {faults ? &fs : NULL, &cpus};
    struct hs_spawn_hook hook = {before_exec, &be};
    pid_t pid;
    int status;
    if (hs_spawn_start(path, prog_argv, env, &hook, &pid, &code, &err)) {
        cli_faults_stop(&fs);
        cli_drain_finish(drain);
        hs_import_live_abandon(li);
        remove_logdir(logdir);
        cli_fail("record", "%s", err.msg);
        return code;
    }
    int waited = hs_spawn_wait(pid, &status, &err);
    hs_cpu_share_end(&cpus);
    cli_faults_stop(&fs);
    int drain_failed = cli_drain_finish(drain);
    if (waited) {
        hs_import_live_abandon(li);
        cli_fail("record", "%s", err.msg);
        return HS_EXIT_ERROR;
    }
    if (!out) {
        snprintf(out_buf, sizeof out_buf, "heapscope-%s-%d.db", base, (int)pid);
        out = out_buf;
    }
    free_child_env(env);
    if (!has_logs(logdir)) {
        hs_import_live_abandon(li);
        remove_logdir(logdir);
        code = hs_spawn_exit_code(status);
        cli_fail("record", "'%s' ended (status %d) before the tracer started: no trace written",
                 base, code);
        return code ? code : HS_EXIT_ERROR;
    }
    return import_run(base, logdir, out, pid, status, li, drain_failed);
}
