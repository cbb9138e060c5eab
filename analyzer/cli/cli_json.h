/* cli_json.h - JSON output helpers shared by the --json commands. */
#ifndef HS_CLI_JSON_H
#define HS_CLI_JSON_H

#include <stdio.h>

/* Prints s as a JSON string literal (quotes, escapes) to out. */
void cli_json_quote(FILE *out, const char *s);

#endif
