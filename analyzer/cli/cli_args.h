/*
 * cli_args.h - the argument parser every cmd_<name>.c shares: a table of
 * options (flags, numbers, strings) and a list of positional arguments,
 * read in one pass over argv[1..argc-1], so that every command treats
 * its arguments, and reports their mistakes, the same way.
 *
 * What it accepts and what it says (usage errors print
 * "heapscope <cmd>: <message>" and the command's usage on stderr, through
 * cli_usage_error, and make cli_args_parse return HS_EXIT_USAGE):
 *
 *   -h, --help         the usage on stdout; returns CLI_ARGS_HELP
 *   NAME VALUE         an option that takes a value takes the next argument
 *                      (there is no NAME=VALUE form)
 *   NAME last          "NAME wants a value"
 *   bad number         "NAME wants a number, not 'X'" ("a positive number"
 *                      when 0 is refused); numbers are decimal digits only
 *   other "-..."       "unknown option 'X'"
 *   -- REST...         with spec.rest set: REST is left to the caller
 *   a positional more  "unexpected argument 'X'"
 *   a positional less  "no NAME given" (the first missing required one)
 *
 * Options and positionals may come in any order. Options that exclude each
 * other, and other rules between arguments, are the caller's to check after
 * parsing (with cli_usage_error).
 *
 * Allocates: no. Keeps no state between calls.
 */
#ifndef HS_CLI_ARGS_H
#define HS_CLI_ARGS_H

#include <stdint.h>

#include "trace.h"

enum cli_opt_kind {
    CLI_OPT_FLAG,   /* value is an int *, set to 1 when present */
    CLI_OPT_U64,    /* value is a uint64_t * */
    CLI_OPT_U32,    /* value is a uint32_t *; larger numbers are refused */
    CLI_OPT_STRING, /* value is a const char ** pointing into argv */
};

/* One option of a command. Tables end with an entry whose name is NULL. */
struct cli_opt {
    const char *name; /* as typed: "--json", "-o" */
    enum cli_opt_kind kind;
    void *value;  /* where the value goes (see the kinds) */
    int positive; /* numbers: refuse 0 */
};

#define CLI_FLAG(name, p)                                                                          \
    {                                                                                              \
        (name), CLI_OPT_FLAG, (p), 0                                                               \
    }
#define CLI_U64(name, p, positive)                                                                 \
    {                                                                                              \
        (name), CLI_OPT_U64, (p), (positive)                                                       \
    }
#define CLI_U32(name, p)                                                                           \
    {                                                                                              \
        (name), CLI_OPT_U32, (p), 0                                                                \
    }
/* --pid: a process id, never 0 */
#define CLI_PID(p)                                                                                 \
    {                                                                                              \
        "--pid", CLI_OPT_U32, (p), 1                                                               \
    }
#define CLI_STRING(name, p)                                                                        \
    {                                                                                              \
        (name), CLI_OPT_STRING, (p), 0                                                             \
    }
#define CLI_OPT_END                                                                                \
    {                                                                                              \
        NULL, CLI_OPT_FLAG, NULL, 0                                                                \
    }

/* One positional argument, in order. Lists end with an entry whose name is
 * NULL. Required ones come before optional ones. */
struct cli_pos {
    const char *name;   /* for "no <name> given": "trace file" */
    const char **value; /* set to the argument, untouched when absent */
    int optional;
};

#define CLI_POS_END                                                                                \
    {                                                                                              \
        NULL, NULL, 0                                                                              \
    }

struct cli_args {
    const char *cmd;            /* "leaks": messages say "heapscope leaks: ..." */
    const char *usage;          /* printed for --help and after usage errors */
    const struct cli_opt *opts; /* may be NULL: no options but --help */
    const struct cli_pos *pos;  /* may be NULL: no positionals */
    char ***rest;               /* NULL: "--" is unknown; else set to the
                                   NULL-terminated tail after "--" (argv's own) */
};

enum { CLI_ARGS_OK = 0, CLI_ARGS_HELP = -1 };

/* Parses argv[1..argc-1] (argv[0] is the command's name) as spec says,
 * storing the values through the table's pointers. Returns CLI_ARGS_OK,
 * CLI_ARGS_HELP (usage printed on stdout) or HS_EXIT_USAGE (error and usage
 * printed on stderr). pre: argv[argc] is NULL, as main() gives it. */
int cli_args_parse(const struct cli_args *spec, int argc, char **argv);

/* The exit code for a result of cli_args_parse other than CLI_ARGS_OK:
 * 0 after --help, else HS_EXIT_USAGE. */
int cli_args_exit(int rc);

/* Reads s as a decimal number (digits only, no sign, no overflow);
 * returns 1 on success, 0 (v untouched) otherwise. */
int cli_parse_u64(const char *s, uint64_t *v);

/* The common case: parses argv as "FILE [options]", one positional, the
 * trace file ("no trace file given"), into *path, then opens it into *t
 * with cli_open_trace. Returns CLI_ARGS_OK with *t open (the caller closes
 * it), or CLI_ARGS_HELP, HS_EXIT_USAGE or HS_EXIT_ERROR with nothing open. */
int cli_args_trace(const char *cmd, const char *usage, const struct cli_opt *opts, int argc,
                   char **argv, const char **path, struct hs_trace **t);

/* Opens the trace at path (hs_trace_open). On failure prints
 * "heapscope <cmd>: <reason>" and returns HS_EXIT_ERROR; returns 0 with
 * *t open otherwise (the caller closes it with hs_trace_close). */
int cli_open_trace(const char *cmd, const char *path, struct hs_trace **t);

/* 0 if pid is 0 or a process of the trace; else prints
 * "heapscope <cmd>: no process PID in 'path'", closes t, returns HS_EXIT_ERROR. */
int cli_check_pid(const char *cmd, const char *path, struct hs_trace *t, uint32_t pid);

#endif
