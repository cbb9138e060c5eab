/*
 * lab_print.c - the output of `heapscope lab`: the list of labs and, per
 * lab, each claim with its measured value and verdict, as text or JSON.
 */
#include "lab_print.h"

#include <stdio.h>
#include <sys/wait.h>

#include "cli_json.h"

void lab_print_list(int json)
{
    size_t n;
    const struct hs_lab *labs = hs_lab_catalog(&n);
    if (json)
        printf("[");
    for (size_t i = 0; i < n; i++) {
        if (json) {
            printf("%s{\"number\": %d, \"name\": ", i ? ", " : "", labs[i].number);
            cli_json_quote(stdout, labs[i].name);
            printf(", \"title\": ");
            cli_json_quote(stdout, labs[i].title);
            printf(", \"article\": ");
            cli_json_quote(stdout, labs[i].article);
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
        /* A skipped measure has no value: its reason is on the verdict line. */
        printf("  measure  %s = %s", c->key,
               !v[i].measure           ? "(not printed by the lab)"
               : v[i].measure->skipped ? "not measured"
                                       : v[i].measure->value);
        if (c->rule != HS_RULE_INFO)
            printf("   article: %s %s", hs_lab_rule_name(c->rule), c->article_value);
        /* The value claims.def records as measured on Debian 12 (glibc 2.36,
         * x86-64); for some claims it is another allocator's or the
         * kernel's, so not labelled "glibc". */
        if (*c->glibc_value)
            printf("   expected here: %s%s", c->glibc_value,
                   v[i].as_expected == 0 ? " (!)" : "");
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
               "         pictures: heapscope report %s -o DIR)\n",
               trace, cli_shell_word(trace));
    else
        printf("  trace: none (run natively)\n");
}

void lab_print_json(const struct hs_lab *lab, const struct hs_lab_verdict *v, size_t n,
                    const char *trace, int status)
{
    printf("{\"lab\": ");
    cli_json_quote(stdout, lab->name);
    printf(", \"number\": %d, \"exit_status\": %d, \"trace\": ", lab->number,
           WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
    if (trace)
        cli_json_quote(stdout, trace);
    else
        printf("null");
    printf(", \"claims\": [");
    for (size_t i = 0; i < n; i++) {
        const struct hs_lab_claim *c = v[i].claim;
        printf("%s{\"key\": ", i ? ", " : "");
        cli_json_quote(stdout, c->key);
        printf(", \"claim\": ");
        cli_json_quote(stdout, c->claim);
        printf(", \"rule\": ");
        cli_json_quote(stdout, hs_lab_rule_name(c->rule));
        printf(", \"article\": ");
        cli_json_quote(stdout, c->article_value);
        printf(", \"glibc_2_36\": ");
        cli_json_quote(stdout, c->glibc_value);
        printf(", \"measured\": ");
        if (v[i].measure)
            cli_json_quote(stdout, v[i].measure->value);
        else
            printf("null");
        printf(", \"as_expected\": %s, \"verdict\": ", v[i].as_expected < 0 ? "null"
                                                       : v[i].as_expected   ? "true"
                                                                            : "false");
        cli_json_quote(stdout, hs_lab_verdict_name(v[i].kind));
        printf(", \"why\": ");
        cli_json_quote(stdout, v[i].kind == HS_VERDICT_CANNOT_RUN ? v[i].measure->reason : c->why);
        printf("}");
    }
    printf("]}");
}
