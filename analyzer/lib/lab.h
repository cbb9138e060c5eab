/*
 * lab.h - the labs as data: the catalogue (labs/labs.def), the articles'
 * claims (labs/claims.def), running a lab program (natively or under
 * `heapscope record`), reading its "measure:" lines and judging each claim.
 *
 * A lab program prints (labs/common/lab.h):
 *     measure: <key> <value>          value: decimal, 0x-hex or float
 *     measure: <key> skip <reason>    cannot be measured here
 *     mark: <label>
 * and appends the same lines to $HEAPSCOPE_LAB_RESULTS.
 *
 * Verdicts, per claim of the lab:
 *     HOLDS       measured <rule> article value
 *     DIFFERS     it does not (the claim's `why` says why)
 *     INFO        a number shown without a verdict (timings)
 *     CANNOT_RUN  the lab skipped the measurement (e.g. io_uring refused)
 *     MISSING     the lab printed no such key (a bug in the lab)
 * Independently, `as_expected` says whether the value equals the one
 * measured on glibc 2.36 (Debian 12) when the claim records one.
 *
 * Allocates: hs_lab_parse_results (free with hs_lab_results_free).
 * Thread safety: the catalogue is constant; the rest is per call.
 */
#ifndef HS_LAB_LIB_H
#define HS_LAB_LIB_H

#include <stddef.h>

#include "error.h"

enum hs_lab_rule {
    HS_RULE_EQ,
    HS_RULE_NE,
    HS_RULE_LT,
    HS_RULE_LE,
    HS_RULE_GT,
    HS_RULE_GE,
    HS_RULE_INFO
};

enum hs_lab_verdict_kind {
    HS_VERDICT_HOLDS,
    HS_VERDICT_DIFFERS,
    HS_VERDICT_INFO,
    HS_VERDICT_CANNOT_RUN,
    HS_VERDICT_MISSING,
};

struct hs_lab {
    int number;
    const char *name; /* "first-malloc" */
    const char *dir;  /* "02-first-malloc": labs/<dir>, docs/labs/<dir>.md */
    const char *title;
    const char *article; /* seed article number, "001" */
};

struct hs_lab_claim {
    const char *lab;
    const char *key;
    enum hs_lab_rule rule;
    const char *article_value;
    const char *glibc_value; /* "" when machine-dependent */
    const char *claim;
    const char *why;
};

/* The catalogue in lab-number order; *n set to its length. */
const struct hs_lab *hs_lab_catalog(size_t *n);
/* By name ("first-malloc"), number ("2") or dir ("02-first-malloc"); NULL if none. */
const struct hs_lab *hs_lab_find(const char *name);
/* The program's file name: "lab_02_first_malloc" (buf of size >= 64). */
void hs_lab_program_name(const struct hs_lab *lab, char *buf, size_t size);
/* All claims, in table order; *n set to its length. */
const struct hs_lab_claim *hs_lab_claims(size_t *n);
const char *hs_lab_rule_name(enum hs_lab_rule rule);         /* "==", ">=", ..., "info" */
const char *hs_lab_verdict_name(enum hs_lab_verdict_kind v); /* "holds", "cannot run here" */

struct hs_lab_measure {
    char key[64];
    char value[64]; /* as printed, or "skip" */
    double number;  /* parsed value (0 when skipped) */
    int skipped;
    char reason[192]; /* skip reason */
};

struct hs_lab_results {
    struct hs_lab_measure *measures;
    size_t n_measures;
    size_t capacity; /* of measures */
    size_t n_marks;
};

/* Parses the lines of `text` (other lines are ignored). A key measured
 * twice keeps its last value. Returns 0 or HS_ENOMEM / HS_EFORMAT (a
 * measure line without a value: the message names the line). */
int hs_lab_parse_results(const char *text, struct hs_lab_results *out, struct hs_error *err);
void hs_lab_results_free(struct hs_lab_results *r);
/* Adds (or replaces) one measure. Returns 0 or HS_ENOMEM. */
int hs_lab_results_add(struct hs_lab_results *r, const struct hs_lab_measure *m,
                       struct hs_error *err);
/* Adds the lab's trace measures (labs/trace_measures.def) by querying the
 * trace database; with trace NULL (a native run) they are added as skipped.
 * Returns 0, or HS_EDB naming the trace and the key. */
int hs_lab_trace_measures(const struct hs_lab *lab, const char *trace, struct hs_lab_results *r,
                          struct hs_error *err);
/* The measure with this key, or NULL. */
const struct hs_lab_measure *hs_lab_results_get(const struct hs_lab_results *r, const char *key);

/* Parses "123", "0x20d60", "1.5e-3"; 0 on success, -1 if not a number. */
int hs_lab_parse_number(const char *s, double *out);

struct hs_lab_verdict {
    const struct hs_lab_claim *claim;
    const struct hs_lab_measure *measure; /* NULL when MISSING */
    enum hs_lab_verdict_kind kind;
    int as_expected; /* 1 equal to glibc_value, 0 not, -1 no glibc value or no number */
};

/* Judges one claim against the results (pure: no I/O). */
struct hs_lab_verdict hs_lab_judge(const struct hs_lab_claim *claim,
                                   const struct hs_lab_results *r);

/* Writes the lab's n verdicts into the trace database as the table
 * lab_claims (docs/schema.md), replacing that lab's earlier rows, in one
 * transaction: on failure the trace is left as it was. Returns 0 or HS_EDB
 * naming the trace. */
int hs_lab_store_claims(const char *trace, const struct hs_lab *lab,
                        const struct hs_lab_verdict *v, size_t n, struct hs_error *err);

/* How to run a lab program. */
struct hs_lab_run {
    const char *program;   /* path of the lab binary */
    char *const *args;     /* extra arguments for the lab, NULL-terminated (or NULL) */
    const char *heapscope; /* path of the heapscope command, for record (NULL: native) */
    const char *trace;     /* trace to write when recording */
    const char *results;   /* file for $HEAPSCOPE_LAB_RESULTS (truncated first) */
    int quiet;             /* send the lab's stdout to /dev/null */
};

/* Runs the lab (under `heapscope record -o TRACE --` when run->heapscope is
 * set), waits for it and stores its wait status. Returns 0 or HS_EIO. */
int hs_lab_execute(const struct hs_lab_run *run, int *status, struct hs_error *err);

/* Reads a whole file into a NUL-terminated malloc'd string. */
int hs_lab_read_file(const char *path, char **out, struct hs_error *err);

#endif
