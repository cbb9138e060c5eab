/*
 * cmd_report.c - `heapscope report`: a self-contained HTML report (one trace,
 * or two side by side) written by viz/heapscope_viz into DIR.tmp and renamed
 * to DIR only when complete, so a failure leaves no half-written report.
 * An existing DIR is replaced only when it holds nothing but what a report
 * writes (index.html and PNG pictures): a directory with anything else in
 * it (a trace, notes, a home directory) is left untouched.
 */
#define _XOPEN_SOURCE 700
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "cli_args.h"
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

static int ends_with(const char *s, const char *tail)
{
    size_t n = strlen(s), m = strlen(tail);
    return n >= m && strcmp(s + n - m, tail) == 0;
}

/* 1 if the existing directory dir holds only what a report writes. */
static int replaceable(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    int ok = 1;
    const struct dirent *e;
    while (ok && (e = readdir(d))) {
        const char *n = e->d_name;
        ok = strcmp(n, ".") == 0 || strcmp(n, "..") == 0 || strcmp(n, "index.html") == 0 ||
             ends_with(n, ".png");
    }
    closedir(d);
    return ok;
}

/* 1 if path (an existing file) lies inside the directory dir. */
static int is_inside(const char *path, const char *dir)
{
    char file[PATH_MAX], top[PATH_MAX];
    if (!realpath(path, file) || !realpath(dir, top))
        return 0;
    size_t n = strlen(top);
    return strncmp(file, top, n) == 0 && (file[n] == '/' || n == 1);
}

int cmd_report(int argc, char **argv)
{
    const char *files[2] = {NULL, NULL}, *dir = NULL;
    const struct cli_opt opts[] = {CLI_STRING("-o", &dir), CLI_OPT_END};
    const struct cli_pos pos[] = {
        {"trace file", &files[0], 0}, {"second trace", &files[1], 1}, CLI_POS_END};
    const struct cli_args spec = {"report", usage, opts, pos, NULL};
    int rc = cli_args_parse(&spec, argc, argv);
    if (rc != CLI_ARGS_OK)
        return cli_args_exit(rc);
    if (!dir)
        return cli_usage_error("report", usage, "no output directory given (-o DIR)");
    for (int i = 0; i < 2 && files[i]; i++) {
        struct hs_trace *t;
        if ((rc = cli_open_trace("report", files[i], &t)) != 0)
            return rc;
        hs_trace_close(t);
    }
    struct stat st;
    int existed = stat(dir, &st) == 0;
    if (existed && !S_ISDIR(st.st_mode))
        return cli_fail("report", "'%s' exists and is not a directory", dir);
    for (int i = 0; existed && i < 2 && files[i]; i++)
        if (is_inside(files[i], dir))
            return cli_fail("report", "'%s' is inside '%s', which the report would replace",
                            files[i], dir);
    if (existed && !replaceable(dir))
        return cli_fail("report",
                        "'%s' holds files other than a report's (index.html, *.png): "
                        "choose a new or empty directory",
                        dir);
    char tmp[PATH_MAX], old[PATH_MAX];
    size_t len = strlen(dir);
    while (len > 1 && dir[len - 1] == '/')
        len--;
    snprintf(tmp, sizeof tmp, "%.*s.tmp", (int)len, dir);
    snprintf(old, sizeof old, "%.*s.old", (int)len, dir);
    remove_tree(tmp); /* a leftover of an interrupted run */
    if (mkdir(tmp, 0777) != 0)
        return cli_fail("report", "cannot create '%s': %s", tmp, strerror(errno));
    char *args[8] = {"report", "--heapscope",    (char *)viz_self_exe(), "--out",
                     tmp,      (char *)files[0], (char *)files[1],       NULL};
    char why[512];
    rc = viz_run(args, why, sizeof why);
    if (rc != 0) {
        remove_tree(tmp);
        return rc < 0 ? cli_fail("report", "%s", why) : HS_EXIT_ERROR;
    }
    if (existed) {
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
