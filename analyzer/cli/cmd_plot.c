/* cmd_plot.c - `heapscope plot`: one picture of a trace, drawn by viz/heapscope_viz. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "trace.h"
#include "viz_python.h"

static const char usage[] =
    "usage: heapscope plot FILE KIND [-o OUT.png|OUT.svg] [--at SEQ | --mark LABEL]\n"
    "kinds: heapmap timeline frag sizes bins faults\n";

static const char *const kinds[] = {"heapmap", "timeline", "frag", "sizes", "bins", "faults"};

static int known_kind(const char *k)
{
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (strcmp(k, kinds[i]) == 0)
            return 1;
    return 0;
}

/* FILE "run.db", KIND "heapmap" -> "run-heapmap.png" in the current directory. */
static void default_out(const char *file, const char *kind, char *out, size_t size)
{
    const char *base = strrchr(file, '/');
    base = base ? base + 1 : file;
    size_t len = strlen(base);
    if (len > 3 && strcmp(base + len - 3, ".db") == 0)
        len -= 3;
    snprintf(out, size, "%.*s-%s.png", (int)len, base, kind);
}

int cmd_plot(int argc, char **argv)
{
    const char *file = NULL, *kind = NULL, *out = NULL, *at = NULL, *mark = NULL;
    for (int i = 1; i < argc; i++) {
        if (cli_is_help(argv[i])) {
            fputs(usage, stdout);
            return HS_EXIT_OK;
        } else if (strcmp(argv[i], "-o") == 0 && i + 1 < argc) {
            out = argv[++i];
        } else if (strcmp(argv[i], "--at") == 0 && i + 1 < argc) {
            at = argv[++i];
            char *end;
            strtoull(at, &end, 10);
            if (*end || !*at)
                return cli_usage_error("plot", usage, "--at wants an event seq, not '%s'", at);
        } else if (strcmp(argv[i], "--mark") == 0 && i + 1 < argc) {
            mark = argv[++i];
        } else if (argv[i][0] == '-') {
            return cli_usage_error("plot", usage, "unknown option '%s'", argv[i]);
        } else if (!file) {
            file = argv[i];
        } else if (!kind) {
            kind = argv[i];
        } else {
            return cli_usage_error("plot", usage, "too many arguments");
        }
    }
    if (!file || !kind)
        return cli_usage_error("plot", usage, "%s", !file ? "no trace file given" : "no plot kind given");
    if (!known_kind(kind))
        return cli_usage_error("plot", usage, "unknown plot kind '%s'", kind);
    if (at && mark)
        return cli_usage_error("plot", usage, "--at and --mark exclude each other");
    char def[PATH_MAX];
    if (!out) {
        default_out(file, kind, def, sizeof def);
        out = def;
    }
    const char *ext = strrchr(out, '.');
    if (!ext || (strcmp(ext, ".png") != 0 && strcmp(ext, ".svg") != 0))
        return cli_usage_error("plot", usage, "output '%s' must end in .png or .svg", out);

    /* Fail here, with the trace reader's own message, on a bad file. */
    struct hs_error err = {{0}};
    struct hs_trace *t = NULL;
    if (hs_trace_open(file, &t, &err) != HS_OK)
        return cli_fail("plot", "%s", err.msg);
    if (mark && !hs_trace_find_mark(t, mark)) {
        hs_trace_close(t);
        return cli_fail("plot", "no mark '%s' in '%s'", mark, file);
    }
    hs_trace_close(t);

    char dir[PATH_MAX];
    const char *slash = strrchr(out, '/');
    snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - out) + 1 : 1, slash ? out : ".");
    if (access(dir, W_OK) != 0)
        return cli_fail("plot", "cannot write '%s': %s", out, strerror(errno));

    /* Draw into a temporary file next to OUT, renamed when complete. */
    char tmp[PATH_MAX + 16];
    snprintf(tmp, sizeof tmp, "%.*s.tmp%s", (int)(ext - out), out, ext);
    char *args[12];
    int n = 0;
    args[n++] = "plot";
    args[n++] = "--heapscope";
    args[n++] = (char *)viz_self_exe();
    args[n++] = (char *)file;
    args[n++] = (char *)kind;
    args[n++] = tmp;
    if (at) {
        args[n++] = "--at";
        args[n++] = (char *)at;
    }
    if (mark) {
        args[n++] = "--mark";
        args[n++] = (char *)mark;
    }
    args[n] = NULL;
    char why[512];
    int rc = viz_run(args, why, sizeof why);
    if (rc != 0) {
        unlink(tmp);
        return rc < 0 ? cli_fail("plot", "%s", why) : HS_EXIT_ERROR;
    }
    if (rename(tmp, out) != 0) {
        int e = errno;
        unlink(tmp);
        return cli_fail("plot", "cannot write '%s': %s", out, strerror(e));
    }
    printf("%s\n", out);
    return HS_EXIT_OK;
}
