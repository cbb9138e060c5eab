/*
 * lab_run.c - running a lab program, natively or as
 *     heapscope record -o TRACE -- LAB ARGS...
 * (a child process of the same heapscope binary), with
 * $HEAPSCOPE_LAB_RESULTS pointing at the file the lab appends its
 * "measure:" lines to. The results travel through that file rather than a
 * pipe so that nothing depends on what `record` does with stdout or with
 * inherited file descriptors.
 */
#define _GNU_SOURCE
#include "lab.h"
#include "spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int hs_lab_read_file(const char *path, char **out, struct hs_error *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return hs_error_set(err, HS_EIO, "cannot open '%s': %s", path, strerror(errno));
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap);
    if (!buf)
        goto err_close;
    for (;;) {
        if (len + 1 >= cap) {
            char *grown = realloc(buf, cap * 2);
            if (!grown)
                goto err_free;
            buf = grown;
            cap *= 2;
        }
        ssize_t n = read(fd, buf + len, cap - len - 1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            int saved = errno;
            free(buf);
            close(fd);
            return hs_error_set(err, HS_EIO, "cannot read '%s': %s", path, strerror(saved));
        }
        if (n == 0)
            break;
        len += (size_t)n;
    }
    buf[len] = '\0';
    close(fd);
    *out = buf;
    return 0;

err_free:
    free(buf);
err_close:
    close(fd);
    return hs_error_set(err, HS_ENOMEM, "out of memory reading '%s'", path);
}

int hs_lab_execute(const struct hs_lab_run *run, int *status, struct hs_error *err)
{
    size_t n_args = 0;
    while (run->args && run->args[n_args])
        n_args++;
    const char **argv = calloc(n_args + 8, sizeof *argv);
    if (!argv)
        return hs_error_set(err, HS_ENOMEM, "out of memory");
    size_t i = 0;
    if (run->heapscope) {
        argv[i++] = run->heapscope;
        argv[i++] = "record";
        argv[i++] = "-o";
        argv[i++] = run->trace;
        argv[i++] = "--";
    }
    argv[i++] = run->program;
    for (size_t k = 0; k < n_args; k++)
        argv[i++] = run->args[k];
    argv[i] = NULL;

    int fd = open(run->results, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        free(argv);
        return hs_error_set(err, HS_EIO, "cannot create '%s': %s", run->results, strerror(errno));
    }
    close(fd);

    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        free(argv);
        return hs_error_set(err, HS_EIO, "cannot fork: %s", strerror(errno));
    }
    if (pid == 0) {
        hs_spawn_child_signals();
        setenv("HEAPSCOPE_LAB_RESULTS", run->results, 1);
        if (run->quiet) {
            int null = open("/dev/null", O_WRONLY);
            if (null >= 0)
                dup2(null, 1);
        }
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    free(argv);
    while (waitpid(pid, status, 0) < 0) {
        if (errno != EINTR)
            return hs_error_set(err, HS_EIO, "cannot wait for '%s': %s", run->program,
                                strerror(errno));
    }
    return 0;
}
