/* cli_json.h - quoting for what a machine reads: --json strings, --csv
 * fields, and the shell words of the commands suggested to the user. */
#ifndef HS_CLI_JSON_H
#define HS_CLI_JSON_H

#include <stdio.h>

/* Prints s as a JSON string literal (quotes, escapes) to out. */
void cli_json_quote(FILE *out, const char *s);

/* Prints s as one CSV field to out: as it is, or in double quotes (inner
 * quotes doubled, RFC 4180) when it holds a comma, quote or line break. */
void cli_csv_field(FILE *out, const char *s);

/* s as one shell word, for a command line shown to be copied: as it is
 * when it holds only safe characters, else in single quotes. Returns a
 * static buffer, valid until the next call (truncated past 4 KiB). */
const char *cli_shell_word(const char *s);

/* Prints lines (a call stack's callers, NULL-terminated; NULL: none) to
 * stdout: as a JSON array of strings, or each as "<- line" indented by
 * `indent` spaces, a line repeated in a row (recursion) once, with
 * " (xN)". */
void cli_print_callers(char *const *lines, int json, int indent);

#endif
