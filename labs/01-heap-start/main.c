/*
 * Lab 1 - where the heap starts.
 *
 * Article 001 prints the address of a .bss variable and sbrk(0) and finds
 * that the heap does not begin at the end of .bss: the start moves on every
 * run. The kernel places the initial program break at a random offset above
 * the end of the data segment (ASLR, randomize_va_space = 2); turning ASLR
 * off for one process (setarch -R, i.e. personality(ADDR_NO_RANDOMIZE))
 * puts it right at the page-aligned end of .bss. This lab re-runs itself to
 * compare runs with and without randomisation.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lab.h"

extern char end; /* the linker's symbol for the end of .bss */

/* [doc:where] */
struct where {
    uintptr_t bss_end;    /* &end, rounded up to a page */
    uintptr_t heap_start; /* sbrk(0) before any malloc */
};

static struct where where_now(void)
{
    uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
    struct where w = {((uintptr_t)&end + page - 1) & ~(page - 1), (uintptr_t)sbrk(0)};
    return w;
}
/* [/doc] */

/* Runs this program again with "--child" (and ASLR off if asked); the child
 * writes its struct where into a pipe. */
static struct where run_child(const char *self, int no_aslr)
{
    struct where w = {0, 0};
    int fds[2];
    if (pipe(fds) != 0)
        return w;
    pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        dup2(fds[1], 3);
        if (no_aslr && personality(ADDR_NO_RANDOMIZE) == -1)
            _exit(2);
        execl(self, self, "--child", (char *)NULL);
        _exit(127);
    }
    close(fds[1]);
    if (read(fds[0], &w, sizeof w) != (ssize_t)sizeof w)
        w.heap_start = 0;
    close(fds[0]);
    waitpid(pid, NULL, 0);
    return w;
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--child") == 0) {
        struct where w = where_now();
        return write(3, &w, sizeof w) == (ssize_t)sizeof w ? 0 : 1;
    }
    lab_init(argc, argv, "heap-start");
    struct where me = where_now();
    lab_say("end of .bss %#lx, heap start %#lx, gap %#lx\n", (unsigned long)me.bss_end,
            (unsigned long)me.heap_start, (unsigned long)(me.heap_start - me.bss_end));
    lab_measure_u("heap_start_is_bss_end", me.heap_start == me.bss_end);

    /* [doc:runs] */
    enum { RUNS = 4 };
    struct where runs[RUNS];
    int n_gaps = 0, bss_moves = 0;
    for (int i = 0; i < RUNS; i++) {
        runs[i] = run_child("/proc/self/exe", 0);
        int seen = 0;
        for (int j = 0; j < i; j++)
            seen |= runs[j].heap_start - runs[j].bss_end == runs[i].heap_start - runs[i].bss_end;
        n_gaps += !seen;
        bss_moves |= i > 0 && runs[i].bss_end != runs[0].bss_end;
        lab_say("run %d: end of .bss %#lx, heap start %#lx, gap %#lx\n", i,
                (unsigned long)runs[i].bss_end, (unsigned long)runs[i].heap_start,
                (unsigned long)(runs[i].heap_start - runs[i].bss_end));
    }
    lab_measure_u("gap_differs_across_runs", n_gaps == RUNS);
    lab_measure_u("bss_end_fixed_across_runs", !bss_moves);
    /* [/doc] */

    struct where fixed1 = run_child("/proc/self/exe", 1);
    struct where fixed2 = run_child("/proc/self/exe", 1);
    if (fixed1.heap_start == 0) {
        lab_measure_skip("gap_without_aslr", "personality(ADDR_NO_RANDOMIZE) refused here");
        return 0;
    }
    lab_say("ASLR off: end of .bss %#lx, heap start %#lx (twice: %#lx)\n",
            (unsigned long)fixed1.bss_end, (unsigned long)fixed1.heap_start,
            (unsigned long)fixed2.heap_start);
    lab_measure_x("gap_without_aslr", fixed1.heap_start - fixed1.bss_end);
    lab_measure_u("same_start_without_aslr", fixed1.heap_start == fixed2.heap_start);
    return 0;
}
