/*
 * spawn.c - resolve, check, start and wait for the traced program
 * (spawn.h). The checks mirror what would silently defeat LD_PRELOAD:
 * ld.so ignores it for a statically linked program (no PT_INTERP header, so
 * no dynamic loader runs at all) and in secure-execution mode (a setuid or
 * setgid program run by someone else: ld.so(8), "secure-execution mode").
 */
#define _GNU_SOURCE
#include "spawn.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* The child being waited for, for the signal handler (0: none). */
static volatile sig_atomic_t forward_to;

static int is_executable_file(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 && S_ISREG(sb.st_mode) && access(path, X_OK) == 0;
}

/* 1 if the ELF file at path has a PT_INTERP header, 0 if not, -1 if it is
 * not ELF (a script: the kernel runs its interpreter, which is checked by
 * the exec itself). */
static int has_interp(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    Elf64_Ehdr eh;
    int result = -1;
    if (pread(fd, &eh, sizeof eh, 0) == (ssize_t)sizeof eh &&
        memcmp(eh.e_ident, ELFMAG, SELFMAG) == 0) {
        result = 0;
        if (eh.e_ident[EI_CLASS] == ELFCLASS64) {
            for (unsigned i = 0; i < eh.e_phnum; i++) {
                Elf64_Phdr ph;
                if (pread(fd, &ph, sizeof ph, (off_t)(eh.e_phoff + (uint64_t)i * eh.e_phentsize)) !=
                    (ssize_t)sizeof ph)
                    break;
                if (ph.p_type == PT_INTERP) {
                    result = 1;
                    break;
                }
            }
        } else {
            result = 1; /* 32-bit: let ld.so decide (our tracer is 64-bit) */
        }
    }
    close(fd);
    return result;
}

int hs_spawn_resolve(const char *prog, char *path, size_t size, int *exit_code,
                     struct hs_error *err)
{
    *exit_code = 1;
    if (prog[0] == '\0') {
        *exit_code = HS_SPAWN_NOT_FOUND;
        return hs_error_set(err, HS_EARG, "cannot run '': No such file or directory");
    }
    if (strchr(prog, '/')) {
        if (snprintf(path, size, "%s", prog) >= (int)size)
            return hs_error_set(err, HS_EARG, "cannot run '%s': File name too long", prog);
    } else {
        const char *dirs = getenv("PATH");
        int found = 0, denied = 0;
        if (!dirs)
            dirs = "/usr/local/bin:/usr/bin:/bin";
        while (!found && *dirs) {
            const char *colon = strchrnul(dirs, ':');
            int n = (int)(colon - dirs);
            snprintf(path, size, "%.*s%s%s", n, dirs, n ? "/" : "", prog);
            if (is_executable_file(path))
                found = 1;
            else if (access(path, F_OK) == 0)
                denied = 1;
            dirs = *colon ? colon + 1 : colon;
        }
        if (!found) {
            *exit_code = denied ? HS_SPAWN_NOT_EXECUTABLE : HS_SPAWN_NOT_FOUND;
            return hs_error_set(err, HS_EARG, "cannot run '%s': %s", prog,
                                denied ? "Permission denied" : "command not found");
        }
    }
    struct stat sb;
    if (stat(path, &sb) != 0) {
        *exit_code =
            errno == ENOENT || errno == ENOTDIR ? HS_SPAWN_NOT_FOUND : HS_SPAWN_NOT_EXECUTABLE;
        return hs_error_set(err, HS_EARG, "cannot run '%s': %s", prog, strerror(errno));
    }
    if (S_ISDIR(sb.st_mode) || access(path, X_OK) != 0) {
        *exit_code = HS_SPAWN_NOT_EXECUTABLE;
        return hs_error_set(err, HS_EARG, "cannot run '%s': %s", prog,
                            S_ISDIR(sb.st_mode) ? "Is a directory" : "Permission denied");
    }
    if (((sb.st_mode & S_ISUID) && sb.st_uid != geteuid()) ||
        ((sb.st_mode & S_ISGID) && sb.st_gid != getegid()))
        return hs_error_set(err, HS_EARG,
                            "cannot trace '%s': it is set%cid, and the loader ignores LD_PRELOAD "
                            "for setuid and setgid programs",
                            prog, (sb.st_mode & S_ISUID) ? 'u' : 'g');
    if (has_interp(path) == 0)
        return hs_error_set(err, HS_EARG,
                            "cannot trace '%s': it is statically linked, and LD_PRELOAD cannot "
                            "reach a statically linked program",
                            prog);
    return 0;
}

/* SIGXFSZ as this process found it, for the children (0: never changed). */
static struct sigaction xfsz_at_start;
static int xfsz_saved;

void hs_spawn_ignore_file_size_signal(void)
{
    struct sigaction ignore;
    memset(&ignore, 0, sizeof ignore);
    ignore.sa_handler = SIG_IGN;
    xfsz_saved = sigaction(SIGXFSZ, &ignore, &xfsz_at_start) == 0;
}

void hs_spawn_child_signals(void)
{
    if (xfsz_saved)
        sigaction(SIGXFSZ, &xfsz_at_start, NULL);
}

static void forward(int sig, siginfo_t *info, void *uctx)
{
    (void)uctx;
    /* Kernel-sent signals (a terminal's ^C, SI_KERNEL) already went to
     * the whole foreground process group, the child included. */
    if (forward_to > 0 && info->si_code != SI_KERNEL)
        kill((pid_t)forward_to, sig);
}

static struct sigaction int_before, term_before;

/* From before the child can run (it may print that it is ready, and be
 * sent a signal for it, at once) until this process ends: a forwarded
 * signal must not kill heapscope, neither before the wait nor while the
 * trace is imported after it. */
static void forward_signals_to(pid_t child)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = forward;
    sa.sa_flags = SA_SIGINFO | SA_RESTART;
    sigemptyset(&sa.sa_mask);
    forward_to = child;
    sigaction(SIGINT, &sa, &int_before);
    sigaction(SIGTERM, &sa, &term_before);
}

/* The child could not be started: the signals as they were. */
static void stop_forwarding(void)
{
    forward_to = 0;
    sigaction(SIGINT, &int_before, NULL);
    sigaction(SIGTERM, &term_before, NULL);
}

int hs_spawn_start(const char *path, char *const argv[], char *const envp[],
                   const struct hs_spawn_hook *hook, pid_t *pid, int *exit_code,
                   struct hs_error *err)
{
    int release[2], report[2];
    *exit_code = 1;
    if (pipe2(release, O_CLOEXEC) != 0)
        return hs_error_set(err, HS_EIO, "cannot create a pipe: %s", strerror(errno));
    if (pipe2(report, O_CLOEXEC) != 0) {
        close(release[0]);
        close(release[1]);
        return hs_error_set(err, HS_EIO, "cannot create a pipe: %s", strerror(errno));
    }
    pid_t child = fork();
    if (child < 0) {
        int e = errno;
        close(release[0]);
        close(release[1]);
        close(report[0]);
        close(report[1]);
        return hs_error_set(err, HS_EIO, "cannot fork: %s", strerror(e));
    }
    if (child == 0) {
        char go;
        close(release[1]);
        close(report[0]);
        /* Blocks until the parent's hook has attached (or EOF: cancelled). */
        if (read(release[0], &go, 1) != 1)
            _exit(127);
        hs_spawn_child_signals();
        execve(path, argv, envp);
        int e = errno;
        ssize_t ignored = write(report[1], &e, sizeof e);
        (void)ignored;
        _exit(127);
    }
    close(release[0]);
    close(report[1]);
    forward_signals_to(child);
    int rc = 0;
    if (hook && hook->before_exec)
        rc = hook->before_exec(hook->ctx, child, err);
    if (rc == 0 && write(release[1], "x", 1) != 1)
        rc = hs_error_set(err, HS_EIO, "cannot start '%s': %s", path, strerror(errno));
    close(release[1]);
    int child_errno = 0;
    if (rc == 0) {
        ssize_t n;
        do
            n = read(report[0], &child_errno, sizeof child_errno);
        while (n < 0 && errno == EINTR);
        if (n == (ssize_t)sizeof child_errno) {
            *exit_code = child_errno == ENOENT ? HS_SPAWN_NOT_FOUND : HS_SPAWN_NOT_EXECUTABLE;
            rc = hs_error_set(err, HS_EARG, "cannot run '%s': %s", argv[0], strerror(child_errno));
        }
    } else {
        kill(child, SIGKILL);
    }
    close(report[0]);
    if (rc) {
        while (waitpid(child, NULL, 0) < 0 && errno == EINTR)
            ;
        stop_forwarding();
        return rc;
    }
    *pid = child;
    return 0;
}

int hs_spawn_wait(pid_t pid, int *wait_status, struct hs_error *err)
{
    int rc = 0;
    for (;;) {
        pid_t r = waitpid(pid, wait_status, 0);
        if (r == pid)
            break;
        if (r < 0 && errno != EINTR) {
            rc = hs_error_set(err, HS_EIO, "cannot wait for process %d: %s", (int)pid,
                              strerror(errno));
            break;
        }
    }
    forward_to = 0; /* the handlers stay (forward_signals_to) */
    return rc;
}

int hs_spawn_exit_code(int wait_status)
{
    if (WIFEXITED(wait_status))
        return WEXITSTATUS(wait_status);
    if (WIFSIGNALED(wait_status))
        return 128 + WTERMSIG(wait_status);
    return 1;
}
