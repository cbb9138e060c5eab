/* cli_json.c - JSON output helpers (cli_json.h). */
#include "cli_json.h"

#include <string.h>

void cli_json_quote(FILE *out, const char *s)
{
    fputc('"', out);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(out, "\\%c", c);
        else if (c < 0x20)
            fprintf(out, "\\u%04x", c);
        else
            fputc(c, out);
    }
    fputc('"', out);
}

void cli_print_callers(const char *text, int json, int indent)
{
    if (json)
        printf("[");
    for (int first = 1; text && *text; first = 0) {
        const char *nl = strchr(text, '\n');
        int n = nl ? (int)(nl - text) : (int)strlen(text);
        if (json) {
            char line[400];
            snprintf(line, sizeof line, "%.*s", n, text);
            printf("%s", first ? "" : ",");
            cli_json_quote(stdout, line);
        } else {
            printf("%*s<- %.*s\n", indent, "", n, text);
        }
        text += n + (nl != NULL);
    }
    if (json)
        printf("]");
}
