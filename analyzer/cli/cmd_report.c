/*
 * cmd_report.c - `heapscope report`: a self-contained HTML report (one trace,
 * or two side by side) written by viz/heapscope_viz into DIR.tmp and renamed
 * to DIR only when complete, so a failure leaves no half-written report.
 */
#define _XOPEN_SOURCE 700
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "trace.h"
#include "viz_python.h"

static const char usage[] = "usage: heapscope report FILE [FILE2] -o DIR\n";

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static void remove_tree(const char *dir)
{
    nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

int cmd_report(int argc, char **argv)
{
    const char *files[2] = {NULL, NULL}, *dir = NULL;
    int n_files = 0;
    for (int i = 1; i < argc; i++) {
        if (cli_is_help(argv[i])) {
            fputs(usage, stdout);
            return HS_EXIT_OK;
        } else if (strcmp(argv[i], "-o") == 0 && i + 1 < argc) {
            dir = argv[++i];
        } else if (argv[i][0] == '-') {
            return cli_usage_error("report", usage, "unknown option '%s'", argv[i]);
        } else if (n_files < 2) {
            files[n_files++] = argv[i];
        } else {
            return cli_usage_error("report", usage, "too many traces (one, or two to compare)");
        }
    }
    if (n_files == 0)
        return cli_usage_error("report", usage, "no trace file given");
    if (!dir)
        return cli_usage_error("report", usage, "no output directory given (-o DIR)");
    for (int i = 0; i < n_files; i++) {
        struct hs_error err = {{0}};
        struct hs_trace *t = NULL;
        if (hs_trace_open(files[i], &t, &err) != HS_OK)
            return cli_fail("report", "%s", err.msg);
        hs_trace_close(t);
    }
    char tmp[PATH_MAX], old[PATH_MAX];
    size_t len = strlen(dir);
    while (len > 1 && dir[len - 1] == '/')
        len--;
    snprintf(tmp, sizeof tmp, "%.*s.tmp", (int)len, dir);
    snprintf(old, sizeof old, "%.*s.old", (int)len, dir);
    remove_tree(tmp); /* a leftover of an interrupted run */
    if (mkdir(tmp, 0777) != 0)
        return cli_fail("report", "cannot create '%s': %s", tmp, strerror(errno));
    char *args[8] = {"report", "--heapscope", (char *)viz_self_exe(), "--out", tmp,
                     (char *)files[0], (char *)files[1], NULL};
    char why[512];
    int rc = viz_run(args, why, sizeof why);
    if (rc != 0) {
        remove_tree(tmp);
        return rc < 0 ? cli_fail("report", "%s", why) : HS_EXIT_ERROR;
    }
    struct stat st;
    int existed = stat(dir, &st) == 0;
    if (existed) {
        if (!S_ISDIR(st.st_mode)) {
            remove_tree(tmp);
            return cli_fail("report", "'%s' exists and is not a directory", dir);
        }
        remove_tree(old);
        if (rename(dir, old) != 0) {
            int e = errno;
            remove_tree(tmp);
            return cli_fail("report", "cannot replace '%s': %s", dir, strerror(e));
        }
    }
    if (rename(tmp, dir) != 0) {
        int e = errno;
        if (existed)
            rename(old, dir);
        remove_tree(tmp);
        return cli_fail("report", "cannot write '%s': %s", dir, strerror(e));
    }
    if (existed)
        remove_tree(old);
    printf("%.*s/index.html\n", (int)len, dir);
    return HS_EXIT_OK;
}
