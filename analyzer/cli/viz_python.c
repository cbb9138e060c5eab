/*
 * viz_python.c - find a Python with matplotlib and the heapscope_viz package,
 * and run it (see viz_python.h).
 */
#define _GNU_SOURCE
#include "viz_python.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "spawn.h"

extern char **environ;

/* Exit status of argv[0] (searched on PATH) run with envp (NULL: ours);
 * quiet sends its stdout and stderr to /dev/null. -1 if it cannot start.
 * (fork + exec rather than posix_spawn: analyzer/lib/spawn.h shadows
 * <spawn.h> on this target's include path.) */
static int spawn_wait(char *const argv[], int quiet, char *const envp[])
{
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        hs_spawn_child_signals();
        if (quiet) {
            int fd = open("/dev/null", O_WRONLY);
            if (fd >= 0) {
                dup2(fd, 1);
                dup2(fd, 2);
                close(fd);
            }
        }
        if (envp)
            environ = (char **)envp;
        execvp(argv[0], argv);
        _exit(127);
    }
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return -1;
    if (WIFEXITED(status))
        return WEXITSTATUS(status) == 127 && !quiet ? -1 : WEXITSTATUS(status);
    return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

static int has_matplotlib(const char *python)
{
    char *argv[] = {(char *)python, "-c", "import matplotlib", NULL};
    return spawn_wait(argv, 1, NULL) == 0;
}

/* 0 and the interpreter's path in out, or -1 and a one-line reason in why. */
static int find_python(char *out, size_t size, char *why, size_t why_size)
{
    const char *env = getenv("HS_PYTHON");
    const char *candidates[] = {env && *env ? env : NULL, "/usr/bin/python3", "python3"};
    for (size_t i = 0; i < sizeof candidates / sizeof candidates[0]; i++) {
        if (candidates[i] && has_matplotlib(candidates[i])) {
            snprintf(out, size, "%s", candidates[i]);
            return 0;
        }
    }
    snprintf(why, why_size,
             "no Python with matplotlib found (tried %s%s/usr/bin/python3 and python3 on PATH); "
             "install python3-matplotlib or set HS_PYTHON",
             env && *env ? env : "", env && *env ? ", " : "");
    return -1;
}

/* 0 and the directory holding heapscope_viz/ in out, or -1 and why. */
static int find_dir(char *out, size_t size, char *why, size_t why_size)
{
    char probe[PATH_MAX + 32];
    const char *env = getenv("HS_VIZ_DIR");
    char installed[PATH_MAX];
    snprintf(installed, sizeof installed, "%s/../share/heapscope/viz", cli_self_dir());
    const char *candidates[] = {env && *env ? env : NULL, installed};
    for (size_t i = 0; i < 2; i++) {
        if (!candidates[i])
            continue;
        snprintf(probe, sizeof probe, "%s/heapscope_viz/__main__.py", candidates[i]);
        if (access(probe, R_OK) == 0) {
            snprintf(out, size, "%s", candidates[i]);
            return 0;
        }
    }
    snprintf(why, why_size, "cannot find the plotting helper: no '%s/heapscope_viz' (set HS_VIZ_DIR)",
             installed);
    return -1;
}

const char *viz_self_exe(void)
{
    static char exe[PATH_MAX + 16];
    if (!exe[0])
        snprintf(exe, sizeof exe, "%s/heapscope", cli_self_dir());
    return exe;
}

int viz_run(char *const args[], char *why, size_t why_size)
{
    char python[PATH_MAX], dir[PATH_MAX];
    if (find_python(python, sizeof python, why, why_size) != 0 ||
        find_dir(dir, sizeof dir, why, why_size) != 0)
        return -1;
    size_t n_args = 0;
    while (args[n_args])
        n_args++;
    char **argv = calloc(n_args + 5, sizeof *argv);
    size_t n_env = 0;
    while (environ[n_env])
        n_env++;
    char **envp = calloc(n_env + 4, sizeof *envp);
    char pythonpath[2 * PATH_MAX + 16];
    if (!argv || !envp) {
        free(argv);
        free(envp);
        snprintf(why, why_size, "out of memory");
        return -1;
    }
    /* -s: ignore the user's site-packages, whose matplotlib may not match. */
    argv[0] = python;
    argv[1] = "-s";
    argv[2] = "-m";
    argv[3] = "heapscope_viz";
    memcpy(argv + 4, args, n_args * sizeof *args);
    const char *old = getenv("PYTHONPATH");
    snprintf(pythonpath, sizeof pythonpath, "PYTHONPATH=%s%s%s", dir, old && *old ? ":" : "",
             old ? old : "");
    size_t k = 0;
    for (size_t i = 0; i < n_env; i++)
        if (strncmp(environ[i], "PYTHONPATH=", 11) != 0 && strncmp(environ[i], "MPLBACKEND=", 11) != 0)
            envp[k++] = environ[i];
    envp[k++] = pythonpath;
    envp[k++] = "MPLBACKEND=Agg";
    envp[k++] = "PYTHONDONTWRITEBYTECODE=1";
    fflush(stdout);
    int rc = spawn_wait(argv, 0, envp);
    if (rc < 0)
        snprintf(why, why_size, "cannot run '%s'", python);
    free(argv);
    free(envp);
    return rc;
}
