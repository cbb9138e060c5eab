/*
 * Lab 4 - the mmap threshold.
 *
 * Article 001: "brk用于分配小于128k内存，mmap用于分配大于128k内存；可通过
 * mallopt(M_MMAP_THRESHOLD, ) 来修改这个临界值", and later "64位系统最好分配
 * 32M以上内存，这是使用mmap的阈值". glibc compares the *chunk* size (request
 * + 8, rounded to 16) with a threshold that starts at 128 KiB and rises
 * when an mmapped chunk is freed (up to 32 MiB on 64-bit), unless the
 * program or GLIBC_TUNABLES set it. Every probe runs in a fresh child with
 * M_TOP_PAD = 0 when it looks for the boundary, so top never hides the
 * threshold (see lab 2); setting M_TOP_PAD also freezes the threshold, so
 * the probes of the dynamic raise leave it alone.
 */
#define _GNU_SOURCE
#include <malloc.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lab.h"

/* [doc:mmapped] */
/* glibc sets IS_MMAPPED (0x2) in the size word of chunks it mmapped. */
static int is_mmapped(void *p)
{
    return (*(size_t *)((char *)p - sizeof(size_t)) & 0x2) != 0;
}
/* [/doc] */

/* What a fresh process does with malloc(size) after setting `param` to
 * `value` (0: no mallopt). With `again`, it frees the block and reports
 * the second malloc(size) instead: that is where the dynamic raise shows. */
struct probe {
    int pad0;         /* mallopt(M_TOP_PAD, 0) first */
    int param, value; /* then mallopt(param, value) if param != 0 */
    int again;        /* report the second malloc, after a free */
};

static int probe(const struct probe *pr, size_t size)
{
    pid_t pid = fork();
    if (pid == 0) {
        if (pr->pad0)
            mallopt(M_TOP_PAD, 0);
        if (pr->param)
            mallopt(pr->param, pr->value);
        void *p = malloc(size);
        if (pr->again) {
            free(p);
            p = malloc(size);
        }
        _exit(is_mmapped(p));
    }
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) && WEXITSTATUS(status) == 1;
}

/* Smallest request in [lo, hi) that a fresh process mmaps. */
static size_t first_mmapped(const struct probe *pr, size_t lo, size_t hi)
{
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (probe(pr, mid))
            hi = mid;
        else
            lo = mid;
    }
    return hi;
}

/* Re-runs this program with GLIBC_TUNABLES set; the child prints its own
 * measure line ("--tunable" mode below). */
static void run_with_tunables(void)
{
    pid_t pid = fork();
    if (pid == 0) {
        setenv("GLIBC_TUNABLES", "glibc.malloc.mmap_threshold=65536:glibc.malloc.top_pad=0", 1);
        execl("/proc/self/exe", "lab_04_mmap_threshold", "--tunable", (char *)NULL);
        _exit(127);
    }
    waitpid(pid, NULL, 0);
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--tunable") == 0) {
        lab_init(1, argv, "mmap-threshold (GLIBC_TUNABLES)");
        void *p = malloc(0x10000);
        lab_measure_u("tunable_64k_mmapped", is_mmapped(p));
        free(p);
        p = malloc(0x10000); /* a tunable threshold is fixed: no raise */
        lab_measure_u("tunable_64k_again_mmapped", is_mmapped(p));
        return 0;
    }
    lab_init(argc, argv, "mmap-threshold");

    /* [doc:static] */
    struct probe plain = {1, 0, 0, 0};
    size_t first = first_mmapped(&plain, 0x10000, 0x40000);
    lab_say("first mmapped request: %#zx (chunk %#zx; 128 KiB = 0x20000)\n", first,
            (first + 8 + 15) & ~(size_t)15);
    lab_measure_x("first_mmap_request", first);
    /* [/doc] */

    struct probe lowered = {1, M_MMAP_THRESHOLD, 64 * 1024, 0};
    lab_measure_x("first_mmap_request_threshold_64k", first_mmapped(&lowered, 0x1000, 0x40000));
    struct probe never = {0, M_MMAP_MAX, 0, 0};
    lab_measure_u("mmap_max_0_1mib_mmapped", probe(&never, 1 << 20));

    /* [doc:dynamic] */
    struct probe once = {0, 0, 0, 0}, twice = {0, 0, 0, 1};
    lab_measure_u("first_200000_mmapped", probe(&once, 200000));
    lab_measure_u("second_200000_mmapped", probe(&twice, 200000));
    lab_measure_u("second_30mib_mmapped", probe(&twice, 30 << 20));
    lab_measure_u("second_64mib_mmapped", probe(&twice, 64 << 20));
    /* [/doc] */
    struct probe fixed = {0, M_MMAP_THRESHOLD, 128 * 1024, 1};
    lab_measure_u("second_200000_mmapped_after_mallopt", probe(&fixed, 200000));

    run_with_tunables();
    return 0;
}
