/* cmd_faults.c - `heapscope faults FILE [--json] [--at SEQ | --mark LABEL]`:
 * page faults by region, touch, phase, block and thread, reconciled with
 * getrusage (docs/cli/faults.md). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_args.h"
#include "faults.h"
#include "trace.h"

static const char usage[] =
    "usage: heapscope faults FILE [--json] [--at SEQ | --mark LABEL]\n"
    "\n"
    "    --json         print JSON instead of text\n"
    "    --at SEQ       count only the faults before event SEQ\n"
    "    --mark LABEL   count only the faults before the first mark LABEL\n";

static const char why_differ[] =
    "perf samples the user-mode faults from exec on. getrusage also counts pages the kernel\n"
    "faults in itself: the tracer's log (madvise MADV_POPULATE_WRITE: a ring is faulted in\n"
    "whole at start; a linear log segment by segment, the next ones ahead of time), execve\n"
    "copying argv and the environment, read() or recv() into new pages (faults taken in\n"
    "kernel mode), and the child's faults between fork and exec. Samples after the exit\n"
    "snapshot (atexit handlers) are not in the getrusage figure.";

static void json_string(const char *s)
{
    putchar('"');
    for (; *s; s++)
        if (*s == '"' || *s == '\\')
            printf("\\%c", *s);
        else if ((unsigned char)*s < 0x20)
            printf("\\u%04x", *s);
        else
            putchar(*s);
    putchar('"');
}

/* touch: per region first/refault/repeat counts, or NULL. */
static void json_regions(const uint64_t *n, const uint64_t (*touch)[HS_TOUCH_COUNT])
{
    printf("[");
    for (unsigned i = 0; i < HS_REGION_COUNT; i++) {
        printf("%s{\"region\": \"%s\", \"faults\": %llu", i ? ", " : "", hs_fault_region_name(i),
               (unsigned long long)n[i]);
        for (unsigned k = 0; touch && k < HS_TOUCH_COUNT; k++)
            printf(", \"%s\": %llu", hs_fault_touch_name(k), (unsigned long long)touch[i][k]);
        printf("}");
    }
    printf("]");
}

static void print_json(const char *path, const struct hs_faults_report *r)
{
    int perf = strcmp(r->source, "perf") == 0;
    uint64_t total = r->total, minor = r->minor, major = r->major;
    if (!perf) /* getrusage: the processes' counts at exit */
        for (uint32_t i = 0; i < r->n_processes; i++) {
            minor += r->processes[i].ru_minflt;
            major += r->processes[i].ru_majflt;
        }
    if (!perf)
        total = minor + major;
    printf("{\"trace\": ");
    json_string(path);
    printf(", \"source\": \"%s\", \"note\": ", r->source);
    json_string(r->note);
    printf(", \"until_seq\": %llu,\n \"total\": %llu, \"minor\": %llu, \"major\": %llu,"
           " \"lost\": %llu,\n \"by_region\": ",
           (unsigned long long)r->until_seq, (unsigned long long)total, (unsigned long long)minor,
           (unsigned long long)major, (unsigned long long)r->lost);
    if (perf)
        json_regions(r->by_region, (const uint64_t(*)[HS_TOUCH_COUNT])r->by_region_touch);
    else
        printf("[]");
    printf(",\n \"by_touch\": [");
    for (unsigned i = 0; i < HS_TOUCH_COUNT; i++)
        printf("%s{\"touch\": \"%s\", \"faults\": %llu}", i ? ", " : "", hs_fault_touch_name(i),
               (unsigned long long)r->by_touch[i]);
    printf("],\n \"by_libc\": %llu, \"not_by_libc\": %llu,\n \"phases\": [",
           (unsigned long long)r->by_libc, (unsigned long long)(r->total - r->by_libc));
    for (uint32_t i = 0; i < r->n_phases; i++) {
        const struct hs_faults_phase *p = &r->phases[i];
        printf("%s\n  {\"from\": ", i ? "," : "");
        json_string(p->from);
        printf(", \"to\": ");
        json_string(p->to);
        printf(", \"faults\": %llu, \"rusage_delta\": %lld, \"by_region\": ",
               (unsigned long long)p->total, (long long)p->rusage_delta);
        json_regions(p->by_region, NULL);
        printf("}");
    }
    printf("],\n \"blocks\": [");
    for (uint32_t i = 0; i < r->n_blocks; i++) {
        const struct hs_faults_block *b = &r->blocks[i];
        printf("%s\n  {\"alloc_seq\": %llu, \"op\": \"%s\", \"ptr\": %llu, \"size\": %llu,"
               " \"faults\": %llu, \"first\": %llu, \"refault\": %llu, \"by_libc\": %llu}",
               i ? "," : "", (unsigned long long)b->alloc_seq, b->op, (unsigned long long)b->ptr,
               (unsigned long long)b->size, (unsigned long long)b->faults,
               (unsigned long long)b->first, (unsigned long long)b->refault,
               (unsigned long long)b->by_libc);
    }
    printf("],\n \"threads\": [");
    for (uint32_t i = 0; i < r->n_threads; i++)
        printf("%s{\"pid\": %u, \"tid\": %u, \"faults\": %llu}", i ? ", " : "", r->threads[i].pid,
               r->threads[i].tid, (unsigned long long)r->threads[i].faults);
    printf("],\n \"processes\": [");
    for (uint32_t i = 0; i < r->n_processes; i++) {
        const struct hs_faults_process *p = &r->processes[i];
        printf("%s\n  {\"pid\": %u, \"exec_gen\": %u, \"samples\": %llu", i ? "," : "", p->pid,
               p->exec_gen, (unsigned long long)p->samples);
        if (p->has_rusage)
            printf(", \"ru_minflt\": %llu, \"ru_majflt\": %llu, \"samples_at_exit\": %llu,"
                   " \"log\": \"%s\", \"log_prefault_pages\": %llu",
                   (unsigned long long)p->ru_minflt, (unsigned long long)p->ru_majflt,
                   (unsigned long long)p->samples_at_exit, p->ring ? "ring" : "linear",
                   (unsigned long long)p->log_prefault_pages);
        printf("}");
    }
    printf("]}\n");
}

static void print_reconcile(const struct hs_faults_report *r, int perf)
{
    printf("\ngetrusage at exit, per process:\n");
    for (uint32_t i = 0; i < r->n_processes; i++) {
        const struct hs_faults_process *p = &r->processes[i];
        if (!p->has_rusage) {
            printf("  pid %u: no exit snapshot (killed, or exited without running atexit)\n",
                   p->pid);
            continue;
        }
        uint64_t ru = p->ru_minflt + p->ru_majflt;
        printf("  pid %u: %llu minor + %llu major", p->pid, (unsigned long long)p->ru_minflt,
               (unsigned long long)p->ru_majflt);
        long long diff = (long long)(ru - p->samples_at_exit);
        if (perf && diff < (long long)p->log_prefault_pages) {
            /* a populate can map several pages per fault (large folios) */
            printf("; %llu samples until then; getrusage - samples = %lld\n"
                   "    fewer than the %llu pages of the tracer's %s: the kernel faulted"
                   " it in with fewer faults than pages (large folios, for example)",
                   (unsigned long long)p->samples_at_exit, diff,
                   (unsigned long long)p->log_prefault_pages, p->ring ? "ring" : "log segments");
        } else if (perf) {
            printf("; %llu samples until then; getrusage - samples = %lld\n"
                   "    %s%llu: the tracer's %s; the other %lld: kernel-mode and"
                   " pre-exec faults",
                   (unsigned long long)p->samples_at_exit, diff, p->ring ? "" : "about ",
                   (unsigned long long)p->log_prefault_pages,
                   p->ring ? "ring, faulted in at start" : "log segments",
                   diff - (long long)p->log_prefault_pages);
        }
        printf("\n");
    }
    if (perf)
        printf("%s\n", why_differ);
}

static void print_text(const char *path, const struct hs_faults_report *r)
{
    int perf = strcmp(r->source, "perf") == 0;
    printf("page faults of %s", path);
    if (r->until_seq)
        printf(" before event %llu", (unsigned long long)r->until_seq);
    if (!perf) {
        printf(": not sampled (%s)\n",
               r->note[0] ? r->note
                          : "only `heapscope record` samples page faults, unless --no-faults; "
                            "not a program preloaded by hand");
        printf("only the tracer's getrusage counts are known (source: %s)\n", r->source);
        for (uint32_t i = 0; i < r->n_phases; i++)
            if (r->phases[i].rusage_delta >= 0)
                printf("  %s .. %s: %lld faults (getrusage delta)\n", r->phases[i].from,
                       r->phases[i].to, (long long)r->phases[i].rusage_delta);
        print_reconcile(r, 0);
        return;
    }
    printf(": %llu (%llu minor, %llu major), %llu samples lost\n\n", (unsigned long long)r->total,
           (unsigned long long)r->minor, (unsigned long long)r->major, (unsigned long long)r->lost);
    printf("by region      faults      first    refault     repeat\n");
    for (unsigned i = 0; i < HS_REGION_COUNT; i++) {
        const uint64_t *t = r->by_region_touch[i];
        printf("  %-12s %6llu %10llu %10llu %10llu\n", hs_fault_region_name(i),
               (unsigned long long)r->by_region[i], (unsigned long long)t[0],
               (unsigned long long)t[1], (unsigned long long)t[2]);
    }
    printf("by touch\n"
           "  first        %10llu  page never faulted before\n"
           "  refault      %10llu  again after an munmap, mremap, trim or malloc_trim gave it back\n"
           "  repeat       %10llu  again with no release seen (copy-on-write, zero page)\n",
           (unsigned long long)r->by_touch[0], (unsigned long long)r->by_touch[1],
           (unsigned long long)r->by_touch[2]);
    printf("by code (proxy for glibc's own metadata: the instruction is in libc)\n"
           "  libc         %10llu  malloc's headers and lists, also memset/memcpy\n"
           "  elsewhere    %10llu  the program, the loader, other libraries\n",
           (unsigned long long)r->by_libc, (unsigned long long)(r->total - r->by_libc));
    printf("by phase\n");
    for (uint32_t i = 0; i < r->n_phases; i++) {
        const struct hs_faults_phase *p = &r->phases[i];
        printf("  %s .. %s: %llu", p->from, p->to, (unsigned long long)p->total);
        for (unsigned k = 0; k < HS_REGION_COUNT; k++)
            if (p->by_region[k])
                printf(", %s %llu", hs_fault_region_name(k), (unsigned long long)p->by_region[k]);
        printf("\n");
    }
    if (r->n_blocks)
        printf("by block (most faulted)\n");
    for (uint32_t i = 0; i < r->n_blocks; i++) {
        const struct hs_faults_block *b = &r->blocks[i];
        printf("  seq %llu %s(%llu) at 0x%llx: %llu (first %llu, refault %llu, libc %llu)\n",
               (unsigned long long)b->alloc_seq, b->op, (unsigned long long)b->size,
               (unsigned long long)b->ptr, (unsigned long long)b->faults,
               (unsigned long long)b->first, (unsigned long long)b->refault,
               (unsigned long long)b->by_libc);
    }
    printf("by thread\n");
    for (uint32_t i = 0; i < r->n_threads; i++)
        printf("  pid %u tid %u: %llu\n", r->threads[i].pid, r->threads[i].tid,
               (unsigned long long)r->threads[i].faults);
    print_reconcile(r, 1);
}

int cmd_faults(int argc, char **argv)
{
    const char *path = NULL, *mark = NULL;
    uint64_t at = 0;
    int json = 0;
    const struct cli_opt opts[] = {CLI_FLAG("--json", &json), CLI_U64("--at", &at, 1),
                                   CLI_STRING("--mark", &mark), CLI_OPT_END};
    const struct cli_pos pos[] = {{"trace file", &path, 0}, CLI_POS_END};
    const struct cli_args spec = {"faults", usage, opts, pos, NULL};
    int rc = cli_args_parse(&spec, argc, argv);
    if (rc != CLI_ARGS_OK)
        return cli_args_exit(rc);
    if (at && mark)
        return cli_usage_error("faults", usage, "--at and --mark exclude each other");

    struct hs_error err;
    struct hs_trace *t;
    if (hs_trace_open(path, &t, &err))
        return cli_fail("faults", "%s", err.msg);
    if (at > hs_trace_last_seq(t)) {
        rc = cli_fail("faults", "seq %llu is past the end of '%s' (last seq %llu)",
                      (unsigned long long)at, path, (unsigned long long)hs_trace_last_seq(t));
        hs_trace_close(t);
        return rc;
    }
    if (mark) {
        const struct hs_mark *m = hs_trace_find_mark(t, mark);
        if (!m) {
            hs_trace_close(t);
            return cli_fail("faults", "no mark '%s' in '%s'", mark, path);
        }
        at = m->seq;
    }
    struct hs_faults_report r;
    if (hs_faults_report(t, at, &r, &err)) {
        hs_trace_close(t);
        return cli_fail("faults", "%s: %s", path, err.msg);
    }
    if (json)
        print_json(path, &r);
    else
        print_text(path, &r);
    hs_faults_report_free(&r);
    hs_trace_close(t);
    return HS_EXIT_OK;
}
