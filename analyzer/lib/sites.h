/*
 * sites.h - allocation sites: the allocations of a trace grouped by
 * (process, caller address), with what is still live at the end, and the
 * callers resolved to function and file:line (`heapscope sites`).
 *
 * The caller is the return address the tracer recorded for the hooked
 * call, so a site is the line that called malloc (or a wrapper such as
 * operator new or strdup, when the program's own caller is one level up).
 * A trace recorded with call stacks (`record --stack N`: the tables
 * `stacks` and `alloc_stacks`) can be grouped by whole stacks instead: a
 * site is then (process, stack), and the callers' callers are symbolized
 * too.
 *
 * Allocates: yes (hs_sites_free).
 */
#ifndef HS_SITES_H
#define HS_SITES_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "trace.h"

struct hs_site {
    uint32_t pid;
    uint32_t exec_gen;   /* the process image (0: before any exec) */
    uint64_t caller;
    uint64_t n_allocs;
    uint64_t bytes;      /* requested, all allocations */
    uint64_t max_size;   /* largest single request */
    uint64_t n_live;     /* allocated here, never freed */
    uint64_t live_bytes;
    uint64_t stack;      /* stacks.stack, 0: grouped by caller alone */
    char where[320];     /* "function (file:line)" or less; see symbolize.h */
    char **callers;      /* stack sites, once symbolized: frames 1.. of the stack
                            named as `where` is frame 0, outermost last,
                            NULL-terminated; else NULL */
};

struct hs_sites {
    struct hs_site *sites; /* in first-seen order */
    uint64_t n_sites;
    uint64_t n_allocs, bytes, n_live, live_bytes; /* totals */
};

/* Groups the allocations by caller, or by call stack where the trace has
 * one and by_stack is set (allocations without one still go by caller). */
int hs_sites_collect(struct hs_trace *t, int by_stack, struct hs_sites *out,
                     struct hs_error *err);

/*
 * Fills where[] (and callers of a stack site) of every site i with
 * wanted[i] != 0 (wanted NULL: every site) from the maps text the trace
 * keeps for its process image; the others keep hex addresses. Best effort:
 * an image without maps text keeps hex addresses.
 * 0, or HS_ENOMEM.
 */
int hs_sites_symbolize(struct hs_trace *t, struct hs_sites *s, const unsigned char *wanted,
                       struct hs_error *err);

void hs_sites_free(struct hs_sites *s);

/* Into out: where the call at event seq of pid (at time ts: the process
 * image then) was made, as "function (file:line)" for `caller`, followed
 * by " <- " and each caller of its call stack if the trace has one for
 * seq (`record --stack N`). Best effort, like hs_sites_symbolize: hex
 * addresses where nothing better is known. 0, or HS_ENOMEM. */
int hs_sites_describe_call(struct hs_trace *t, uint32_t pid, uint64_t ts, uint64_t seq,
                           uint64_t caller, char *out, size_t size, struct hs_error *err);

/* Sorting orders for output: by bytes, by n_allocs, by live_bytes (each
 * descending, ties by first appearance). */
enum hs_sites_order { HS_SITES_BY_BYTES, HS_SITES_BY_COUNT, HS_SITES_BY_LIVE };
/* Fills idx[0..n_sites) with site indexes in that order. */
void hs_sites_order(const struct hs_sites *s, enum hs_sites_order order, uint64_t *idx);

#endif
