/* faults_check.c - see faults_check.h. */
#include "faults_check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int fx_read_ranges(const char *path, struct fx_range *ranges, int max)
{
    FILE *f = fopen(path, "r");
    int n = 0;
    if (!f)
        return 0;
    while (n < max &&
           fscanf(f, "%15s %d %lx %lx", ranges[n].name, &ranges[n].tid,
                  (unsigned long *)&ranges[n].start, (unsigned long *)&ranges[n].end) == 4)
        n++;
    fclose(f);
    return n;
}

struct hs_record *fx_read_faults(const char *logdir, uint64_t *n, uint32_t *flags)
{
    char path[4096];
    struct hs_log_header h;
    snprintf(path, sizeof path, "%s/faults.hslog", logdir);
    *n = 0;
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    if (fread(&h, sizeof h, 1, f) != 1 || memcmp(h.magic, HS_LOG_MAGIC, 8) != 0) {
        fclose(f);
        return NULL;
    }
    *flags = h.flags;
    struct hs_record *r = calloc(h.n_reserved + 1, sizeof *r);
    *n = fread(r, sizeof *r, h.n_reserved, f);
    fclose(f);
    return r;
}

uint64_t fx_count(const struct hs_record *r, uint64_t n, uint64_t start, uint64_t end, int tid)
{
    uint64_t c = 0;
    for (uint64_t i = 0; i < n; i++)
        if (r[i].op == HS_OP_PAGE_FAULT && r[i].u.call.ptr >= start && r[i].u.call.ptr < end &&
            (tid == 0 || r[i].tid == (uint32_t)tid))
            c++;
    return c;
}
