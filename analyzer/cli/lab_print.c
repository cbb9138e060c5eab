/*
 * lab_print.c - the output of `heapscope lab`: the list of labs and, per
 * lab, each claim with its measured value and verdict, as text or JSON.
 */
#include "lab_print.h"

#include <stdio.h>
#include <sys/wait.h>

static void json_str(const char *s)
{
    putchar('"');
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            printf("\\%c", *s);
        else if ((unsigned char)*s < 0x20)
            printf("\\u%04x", *s);
        else
            putchar(*s);
    }
    putchar('"');
}

void lab_print_list(int json)
{
    size_t n;
    const struct hs_lab *labs = hs_lab_catalog(&n);
    if (json)
        printf("[");
    for (size_t i = 0; i < n; i++) {
        if (json) {
            printf("%s{\"number\": %d, \"name\": ", i ? ", " : "", labs[i].number);
            json_str(labs[i].name);
            printf(", \"title\": ");
            json_str(labs[i].title);
            printf(", \"article\": ");
            json_str(labs[i].article);
            printf(", \"doc\": \"docs/labs/%s.md\"}", labs[i].dir);
        } else {
            printf("%2d  %-15s %s\n", labs[i].number, labs[i].name, labs[i].title);
        }
    }
    if (json)
        printf("]\n");
}

void lab_print_text(const struct hs_lab *lab, const struct hs_lab_verdict *v, size_t n,
                    const char *trace, int status)
{
    printf("\nlab %d %s: %s (article %s)\n", lab->number, lab->name, lab->title, lab->article);
    for (size_t i = 0; i < n; i++) {
        const struct hs_lab_claim *c = v[i].claim;
        printf("  claim    %s\n", c->claim);
        printf("  measure  %s = %s", c->key,
               v[i].measure ? v[i].measure->value : "(not printed by the lab)");
        if (c->rule != HS_RULE_INFO)
            printf("   article: %s %s", hs_lab_rule_name(c->rule), c->article_value);
        if (*c->glibc_value)
            printf("   glibc 2.36: %s%s", c->glibc_value, v[i].as_expected == 0 ? " (!)" : "");
        printf("\n  verdict  %s", hs_lab_verdict_name(v[i].kind));
        if (v[i].kind == HS_VERDICT_DIFFERS)
            printf(": %s", c->why);
        else if (v[i].kind == HS_VERDICT_CANNOT_RUN)
            printf(": %s", v[i].measure->reason);
        printf("\n\n");
    }
    size_t count[HS_VERDICT_MISSING + 1] = {0};
    for (size_t i = 0; i < n; i++)
        count[v[i].kind]++;
    printf("  summary: %zu hold, %zu differ, %zu info, %zu cannot run here",
           count[HS_VERDICT_HOLDS], count[HS_VERDICT_DIFFERS], count[HS_VERDICT_INFO],
           count[HS_VERDICT_CANNOT_RUN]);
    if (count[HS_VERDICT_MISSING])
        printf(", %zu not measured", count[HS_VERDICT_MISSING]);
    printf("\n");
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        printf("  the lab program failed (wait status 0x%x)\n", status);
    if (trace)
        printf("  trace: %s (these claims are in its table lab_claims; see them with the\n"
               "         pictures: heapscope report %s -o DIR)\n", trace, trace);
    else
        printf("  trace: none (run natively)\n");
}

void lab_print_json(const struct hs_lab *lab, const struct hs_lab_verdict *v, size_t n,
                    const char *trace, int status)
{
    printf("{\"lab\": ");
    json_str(lab->name);
    printf(", \"number\": %d, \"exit_status\": %d, \"trace\": ", lab->number,
           WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
    if (trace)
        json_str(trace);
    else
        printf("null");
    printf(", \"claims\": [");
    for (size_t i = 0; i < n; i++) {
        const struct hs_lab_claim *c = v[i].claim;
        printf("%s{\"key\": ", i ? ", " : "");
        json_str(c->key);
        printf(", \"claim\": ");
        json_str(c->claim);
        printf(", \"rule\": ");
        json_str(hs_lab_rule_name(c->rule));
        printf(", \"article\": ");
        json_str(c->article_value);
        printf(", \"glibc_2_36\": ");
        json_str(c->glibc_value);
        printf(", \"measured\": ");
        if (v[i].measure)
            json_str(v[i].measure->value);
        else
            printf("null");
        printf(", \"as_expected\": %s, \"verdict\": ", v[i].as_expected < 0 ? "null"
                                                       : v[i].as_expected   ? "true"
                                                                            : "false");
        json_str(hs_lab_verdict_name(v[i].kind));
        printf(", \"why\": ");
        json_str(v[i].kind == HS_VERDICT_CANNOT_RUN ? v[i].measure->reason : c->why);
        printf("}");
    }
    printf("]}");
}
