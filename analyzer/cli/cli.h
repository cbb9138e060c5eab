/*
 * cli.h - what every cmd_<name>.c shares: the command table entries and the
 * helpers for git-style messages.
 *
 * Messages: "heapscope <cmd>: <error>", lower-case, no full stop, the
 * subject quoted. Exit codes: 0 ok, 1 runtime or input error, 2 usage error
 * (which also prints the command's usage).
 *
 * A command reads its arguments with cli_args.h (a table of options and
 * positionals), which gives every command the same --help and the same
 * wording of usage errors; tests/cli/usage_errors.sh holds them to it.
 */
#ifndef HS_CLI_H
#define HS_CLI_H

#include <stdio.h>

#define HS_COMMAND(name, summary) int cmd_##name(int argc, char **argv);
#include "commands.def"
#undef HS_COMMAND

enum { HS_EXIT_OK = 0, HS_EXIT_ERROR = 1, HS_EXIT_USAGE = 2 };

/* Prints "heapscope <cmd>: <message>\n" on stderr; returns HS_EXIT_ERROR. */
int cli_fail(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Prints "heapscope <cmd>: <message>\n" then usage on stderr; returns HS_EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *usage, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* 1 if arg is -h or --help (then the caller prints usage to stdout, exits 0);
 * cli_args_parse does this itself. */
int cli_is_help(const char *arg);

/* Directory holding the running heapscope executable (no trailing slash). */
const char *cli_self_dir(void);

#endif
