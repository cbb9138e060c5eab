/* cli_faults.c - the page-fault sampler inside `heapscope record` (see cli_faults.h). */
#include "cli_faults.h"

#include <stdio.h>

#include "cli.h"
#include "fault_sampler.h"

int cli_faults_before_exec(void *ctx, pid_t child, struct hs_error *err)
{
    struct cli_faults *f = ctx;
    struct hs_error note = {""};
    int rc = hs_fault_sampler_start(child, f->logdir, &f->sampler, &note);
    if (rc == 0 && !f->sampler)
        fprintf(stderr, "heapscope record: %s; fault counts come from getrusage only\n", note.msg);
    else if (rc != 0)
        fprintf(stderr, "heapscope record: %s; recording without page faults\n", note.msg);
    (void)err;
    return 0;
}

void cli_faults_stop(struct cli_faults *f)
{
    struct hs_fault_stats stats;
    struct hs_error err;
    if (!f->sampler)
        return;
    if (hs_fault_sampler_stop(f->sampler, &stats, &err))
        fprintf(stderr, "heapscope record: %s\n", err.msg);
    f->sampler = NULL;
    if (stats.n_lost)
        fprintf(stderr,
                "heapscope record: %llu page-fault samples lost (the reader fell behind); "
                "%llu recorded\n",
                (unsigned long long)stats.n_lost,
                (unsigned long long)(stats.n_minor + stats.n_major));
}
