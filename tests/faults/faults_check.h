/*
 * faults_check.h - helpers shared by the page-fault tests: read a fixture's
 * range file and count the page_fault records of a faults.hslog in a range.
 */
#ifndef HS_FAULTS_CHECK_H
#define HS_FAULTS_CHECK_H

#include <stdint.h>

#include "heapscope/event.h"

struct fx_range {
    char name[16];
    int tid;
    uint64_t start, end; /* [start, end) */
};

/* Reads up to max lines "<name> <tid> <start> <end>"; returns the count. */
int fx_read_ranges(const char *path, struct fx_range *ranges, int max);

/* All page_fault records of LOGDIR/faults.hslog; *n set. Caller frees. */
struct hs_record *fx_read_faults(const char *logdir, uint64_t *n, uint32_t *flags);

/* Records with addr in [start, end) and, if tid != 0, that thread's. */
uint64_t fx_count(const struct hs_record *r, uint64_t n, uint64_t start, uint64_t end, int tid);

#endif
