/*
 * lab_catalog.c - the labs and the articles' claims as tables, built from
 * labs/labs.def and labs/claims.def (the one place a claim is written).
 */
#include "lab.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct hs_lab catalog[] = {
#define HS_LAB(number, name, dir, title, article) {number, name, dir, title, article},
#include "../../labs/labs.def"
#undef HS_LAB
};

static const struct hs_lab_claim claims[] = {
#define HS_CLAIM(lab, key, rule, article, glibc, claim, why)                                       \
    {lab, key, HS_RULE_##rule, article, glibc, claim, why},
#include "../../labs/claims.def"
#undef HS_CLAIM
};

const struct hs_lab *hs_lab_catalog(size_t *n)
{
    *n = sizeof catalog / sizeof catalog[0];
    return catalog;
}

const struct hs_lab *hs_lab_find(const char *name)
{
    char *end;
    long number = strtol(name, &end, 10);
    for (size_t i = 0; i < sizeof catalog / sizeof catalog[0]; i++) {
        const struct hs_lab *lab = &catalog[i];
        if (strcmp(name, lab->name) == 0 || strcmp(name, lab->dir) == 0 ||
            (*name && *end == '\0' && number == lab->number))
            return lab;
    }
    return NULL;
}

void hs_lab_program_name(const struct hs_lab *lab, char *buf, size_t size)
{
    snprintf(buf, size, "lab_%s", lab->dir);
    for (char *p = buf; *p; p++)
        if (*p == '-')
            *p = '_';
}

const struct hs_lab_claim *hs_lab_claims(size_t *n)
{
    *n = sizeof claims / sizeof claims[0];
    return claims;
}

const char *hs_lab_rule_name(enum hs_lab_rule rule)
{
    static const char *const names[] = {"==", "!=", "<", "<=", ">", ">=", "info"};
    return (unsigned)rule < sizeof names / sizeof names[0] ? names[rule] : "?";
}

const char *hs_lab_verdict_name(enum hs_lab_verdict_kind v)
{
    static const char *const names[] = {"holds", "differs", "info", "cannot run here",
                                        "not measured"};
    return (unsigned)v < sizeof names / sizeof names[0] ? names[v] : "?";
}
