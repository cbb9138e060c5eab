/* cli_json.h - JSON output helpers shared by the --json commands. */
#ifndef HS_CLI_JSON_H
#define HS_CLI_JSON_H

#include <stdio.h>

/* Prints s as a JSON string literal (quotes, escapes) to out. */
void cli_json_quote(FILE *out, const char *s);

/* Prints lines (a call stack's callers, NULL-terminated; NULL: none) to
 * stdout: as a JSON array of strings, or each as "<- line" indented by
 * `indent` spaces. */
void cli_print_callers(char *const *lines, int json, int indent);

#endif
