/*
 * lab_judge.c - reading a lab's "measure:" lines and judging the article's
 * claims against them (see lab.h). Pure computation: no I/O.
 */
#include "lab.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int hs_lab_parse_number(const char *s, double *out)
{
    char *end;
    if (!*s)
        return -1;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
        *out = (double)strtoull(s, &end, 16);
    else
        *out = strtod(s, &end);
    return *end == '\0' ? 0 : -1;
}

static void copy_field(char *dst, size_t size, const char *src, size_t len)
{
    if (len >= size)
        len = size - 1;
    memcpy(dst, src, len);
    dst[len] = '\0';
}

/* One "measure: key value|skip reason" line (without its newline). */
static int parse_measure(const char *line, size_t len, struct hs_lab_measure *m, size_t lineno,
                         struct hs_error *err)
{
    const char *p = line, *end = line + len;
    while (p < end && *p == ' ')
        p++;
    const char *key = p;
    while (p < end && *p != ' ')
        p++;
    size_t key_len = (size_t)(p - key);
    while (p < end && *p == ' ')
        p++;
    if (key_len == 0 || p == end)
        return hs_error_set(err, HS_EFORMAT, "line %zu: measure without a value: '%.*s'", lineno,
                            (int)len, line);
    memset(m, 0, sizeof *m);
    copy_field(m->key, sizeof m->key, key, key_len);
    const char *value = p;
    while (p < end && *p != ' ')
        p++;
    copy_field(m->value, sizeof m->value, value, (size_t)(p - value));
    if (strcmp(m->value, "skip") == 0) {
        m->skipped = 1;
        while (p < end && *p == ' ')
            p++;
        copy_field(m->reason, sizeof m->reason, p, (size_t)(end - p));
    } else if (hs_lab_parse_number(m->value, &m->number) != 0) {
        return hs_error_set(err, HS_EFORMAT, "line %zu: measure '%s': '%s' is not a number", lineno,
                            m->key, m->value);
    }
    return 0;
}

int hs_lab_parse_results(const char *text, struct hs_lab_results *out, struct hs_error *err)
{
    memset(out, 0, sizeof *out);
    size_t lineno = 0;
    for (const char *line = text; *line;) {
        const char *nl = strchr(line, '\n');
        size_t len = nl ? (size_t)(nl - line) : strlen(line);
        lineno++;
        if (len > 8 && strncmp(line, "measure:", 8) == 0) {
            struct hs_lab_measure m;
            int rc = parse_measure(line + 8, len - 8, &m, lineno, err);
            if (rc == 0)
                rc = hs_lab_results_add(out, &m, err);
            if (rc != 0) {
                hs_lab_results_free(out);
                return rc;
            }
        } else if (len > 5 && strncmp(line, "mark:", 5) == 0) {
            out->n_marks++;
        }
        line += len + (nl ? 1 : 0);
    }
    return 0;
}

int hs_lab_results_add(struct hs_lab_results *r, const struct hs_lab_measure *m,
                       struct hs_error *err)
{
    struct hs_lab_measure *old = (struct hs_lab_measure *)hs_lab_results_get(r, m->key);
    if (old) {
        *old = *m;
        return 0;
    }
    if (r->n_measures == r->capacity) {
        size_t cap = r->capacity ? 2 * r->capacity : 16;
        void *grown = realloc(r->measures, cap * sizeof *r->measures);
        if (!grown)
            return hs_error_set(err, HS_ENOMEM, "out of memory reading lab results");
        r->measures = grown;
        r->capacity = cap;
    }
    r->measures[r->n_measures++] = *m;
    return 0;
}

void hs_lab_results_free(struct hs_lab_results *r)
{
    free(r->measures);
    memset(r, 0, sizeof *r);
}

const struct hs_lab_measure *hs_lab_results_get(const struct hs_lab_results *r, const char *key)
{
    for (size_t i = 0; i < r->n_measures; i++)
        if (strcmp(r->measures[i].key, key) == 0)
            return &r->measures[i];
    return NULL;
}

static int compare(enum hs_lab_rule rule, double measured, double article)
{
    switch (rule) {
    case HS_RULE_EQ:
        return measured == article;
    case HS_RULE_NE:
        return measured != article;
    case HS_RULE_LT:
        return measured < article;
    case HS_RULE_LE:
        return measured <= article;
    case HS_RULE_GT:
        return measured > article;
    case HS_RULE_GE:
        return measured >= article;
    case HS_RULE_INFO:
        return 1;
    }
    return 0;
}

struct hs_lab_verdict hs_lab_judge(const struct hs_lab_claim *claim, const struct hs_lab_results *r)
{
    struct hs_lab_verdict v = {claim, hs_lab_results_get(r, claim->key), HS_VERDICT_MISSING, -1};
    if (!v.measure)
        return v;
    if (v.measure->skipped) {
        v.kind = HS_VERDICT_CANNOT_RUN;
        return v;
    }
    double expected;
    if (hs_lab_parse_number(claim->glibc_value, &expected) == 0)
        v.as_expected = v.measure->number == expected;
    double article;
    if (claim->rule == HS_RULE_INFO || hs_lab_parse_number(claim->article_value, &article) != 0)
        v.kind = HS_VERDICT_INFO;
    else
        v.kind = compare(claim->rule, v.measure->number, article) ? HS_VERDICT_HOLDS
                                                                  : HS_VERDICT_DIFFERS;
    return v;
}
