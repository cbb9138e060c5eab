/*
 * spawn.h - start a program for `heapscope record` and wait for it.
 *
 * The program is checked before anything runs (so a bad command line
 * leaves nothing behind), then started in three steps so that a tool can
 * attach to the child before its first instruction runs:
 *
 *   fork() -> the child blocks reading a pipe
 *          -> the parent calls hook->before_exec(child pid)   (optional:
 *             page-fault sampling opens its perf_event here)
 *          -> the parent writes to the pipe, the child execs the program
 *
 * Exec failures in the child are sent back over a close-on-exec pipe, so
 * hs_spawn_start() fails with the errno text instead of the child exiting
 * with a mystery code.
 *
 * Allocates: no. Thread safety: hs_spawn_start() installs process-wide
 * SIGINT/SIGTERM handlers that forward those signals to the child from
 * before it can run until hs_spawn_wait() has reaped it, and then ignore
 * them while this process finishes (the import); one spawned child at a
 * time per process.
 */
#ifndef HS_SPAWN_H
#define HS_SPAWN_H

#include <stddef.h>
#include <sys/types.h>

#include "error.h"

/* Makes this process ignore SIGXFSZ, so that a file it writes past
 * RLIMIT_FSIZE fails with EFBIG and a message instead of killing it
 * mid-write. Call once, first thing. */
void hs_spawn_ignore_file_size_signal(void);

/* In a forked child before it execs another program: gives SIGXFSZ back
 * the disposition this process started with (an ignored signal would stay
 * ignored across exec). hs_spawn_start() calls it; other forks must too. */
void hs_spawn_child_signals(void);

/* Exit codes a shell uses for commands it cannot run. */
enum { HS_SPAWN_NOT_FOUND = 127, HS_SPAWN_NOT_EXECUTABLE = 126 };

struct hs_spawn_hook {
    /* Runs in the parent between fork and exec; the child is blocked.
     * Returns 0, or a negative HS_E* code (with err filled) to cancel the
     * run (the child is killed and reaped). May be NULL. */
    int (*before_exec)(void *ctx, pid_t child, struct hs_error *err);
    void *ctx;
};

/* Finds prog as execvp would (a name without '/' is searched in $PATH)
 * and checks that LD_PRELOAD can reach it. On success writes the path to
 * path[size]. On failure fills err and *exit_code (127 not found, 126 not
 * executable, 1 cannot be traced: statically linked, setuid/setgid). */
int hs_spawn_resolve(const char *prog, char *path, size_t size, int *exit_code,
                     struct hs_error *err);

/* Starts path with argv and envp (see the steps above). On failure nothing
 * is left running; *exit_code is 127 or 126 for exec errors. */
int hs_spawn_start(const char *path, char *const argv[], char *const envp[],
                   const struct hs_spawn_hook *hook, pid_t *pid, int *exit_code,
                   struct hs_error *err);

/* Waits for pid, forwarding SIGINT and SIGTERM sent to this process by
 * kill(2) (a terminal's ^C already reaches the whole process group, so
 * those are not sent twice): from hs_spawn_start() on, so a signal sent
 * as soon as the program runs is forwarded too. *wait_status as from
 * waitpid(). */
int hs_spawn_wait(pid_t pid, int *wait_status, struct hs_error *err);

/* The shell's view of a wait status: the exit code, or 128 + signal. */
int hs_spawn_exit_code(int wait_status);

#endif
