/*
 * main.c - the heapscope command: one table of subcommands (commands.def),
 * each implemented by cmd_<name>() in cmd_<name>.c.
 */
#include "cli.h"
#include "spawn.h"

#include <limits.h>
#include <stdarg.h>
#include <string.h>
#include <unistd.h>

struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
};

static const struct command commands[] = {
#define HS_COMMAND(name, summary) {#name, cmd_##name, summary},
#include "commands.def"
#undef HS_COMMAND
};

static void print_help(FILE *out)
{
    fprintf(out, "usage: heapscope <command> [options]\n\ncommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(out,
            "\n'heapscope <command> --help' shows a command's options; docs/cli/ has them all.\n");
}

/* "heapscope <cmd>: <message>\n" on stderr. */
static void say(const char *cmd, const char *fmt, va_list ap)
{
    fprintf(stderr, "heapscope %s: ", cmd);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

int cli_fail(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    say(cmd, fmt, ap);
    va_end(ap);
    return HS_EXIT_ERROR;
}

int cli_usage_error(const char *cmd, const char *usage, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    say(cmd, fmt, ap);
    va_end(ap);
    fputs(usage, stderr);
    return HS_EXIT_USAGE;
}

int cli_is_help(const char *arg)
{
    return strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0;
}

const char *cli_self_dir(void)
{
    static char dir[PATH_MAX];
    if (dir[0] == '\0') {
        ssize_t n = readlink("/proc/self/exe", dir, sizeof dir - 1);
        if (n <= 0)
            return ".";
        dir[n] = '\0';
        char *slash = strrchr(dir, '/');
        if (slash)
            *slash = '\0';
    }
    return dir;
}

int main(int argc, char **argv)
{
    /* Under a small RLIMIT_FSIZE a trace that outgrows it is an error
     * with a message, not a SIGXFSZ death half-way (docs/cli/record.md). */
    hs_spawn_ignore_file_size_signal();
    if (argc < 2) {
        print_help(stderr);
        return HS_EXIT_USAGE;
    }
    if (strcmp(argv[1], "help") == 0 && argc > 2) {
        /* "heapscope help CMD" is "heapscope CMD --help" */
        for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
            if (strcmp(argv[2], commands[i].name) == 0) {
                char *args[] = {argv[2], "--help", NULL};
                return commands[i].run(2, args);
            }
        fprintf(stderr, "heapscope: '%s' is not a heapscope command (see 'heapscope help')\n",
                argv[2]);
        return HS_EXIT_USAGE;
    }
    if (cli_is_help(argv[1]) || strcmp(argv[1], "help") == 0) {
        print_help(stdout);
        return HS_EXIT_OK;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("heapscope %s\n", HS_VERSION);
        return HS_EXIT_OK;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(argv[1], commands[i].name) == 0)
            return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "heapscope: '%s' is not a heapscope command (see 'heapscope help')\n", argv[1]);
    return HS_EXIT_USAGE;
}
