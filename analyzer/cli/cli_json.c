/* cli_json.c - quoting for the machine-readable outputs (cli_json.h). */
#include <string.h>

#include "cli_json.h"

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

void cli_csv_field(FILE *out, const char *s)
{
    if (!strpbrk(s, ",\"\r\n")) {
        fputs(s, out);
        return;
    }
    fputc('"', out);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', out);
        fputc(*s, out);
    }
    fputc('"', out);
}

const char *cli_shell_word(const char *s)
{
    static char buf[4096];
    if (*s &&
        strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._/+:=@%,-") ==
            strlen(s))
        return s;
    size_t n = 0;
    buf[n++] = '\'';
    for (; *s && n + 6 < sizeof buf; s++) {
        if (*s == '\'') { /* end the quote, an escaped quote, quote again */
            memcpy(buf + n, "'\\''", 4);
            n += 4;
        } else {
            buf[n++] = *s;
        }
    }
    buf[n++] = '\'';
    buf[n] = '\0';
    return buf;
}

void cli_print_callers(char *const *lines, int json, int indent)
{
    if (json)
        printf("[");
    for (size_t i = 0; lines && lines[i]; i++) {
        if (json) {
            printf("%s", i ? "," : "");
            cli_json_quote(stdout, lines[i]);
            continue;
        }
        /* a recursion's frames once, with how many times in a row */
        size_t same = 1;
        while (lines[i + same] && strcmp(lines[i + same], lines[i]) == 0)
            same++;
        if (same > 1)
            printf("%*s<- %s (x%zu)\n", indent, "", lines[i], same);
        else
            printf("%*s<- %s\n", indent, "", lines[i]);
        i += same - 1;
    }
    if (json)
        printf("]");
}
