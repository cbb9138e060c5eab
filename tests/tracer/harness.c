/*
 * harness.c - see harness.h.
 */
#define _GNU_SOURCE
#include "harness.h"

#include <dirent.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <time.h>

#include "drain.h"

int harness_ring;
unsigned harness_ring_records;

static uint64_t mono_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static size_t count_rings(const char *dir)
{
    size_t n = 0;
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d)))
        n += strstr(e->d_name, ".ring") != NULL;
    if (d)
        closedir(d);
    return n;
}

static int by_seq(const void *a, const void *b)
{
    const struct hs_record *x = *(const struct hs_record *const *)a;
    const struct hs_record *y = *(const struct hs_record *const *)b;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
    unsigned pa, ga, pb, gb;
    sscanf((*a)->d_name, "%u.%u", &pa, &ga);
    sscanf((*b)->d_name, "%u.%u", &pb, &gb);
    return pa != pb ? (pa < pb ? -1 : 1) : (ga < gb ? -1 : ga > gb);
}

static int is_log(const struct dirent *d)
{
    size_t n = strlen(d->d_name);
    return n > 6 && strcmp(d->d_name + n - 6, ".hslog") == 0;
}

static void load_logs(struct run *r)
{
    struct dirent **names;
    int n = scandir(r->dir, &names, is_log, by_name);
    assert_true(n >= 0);
    assert_true(n <= HS_MAX_LOGS);
    size_t total = 0;
    for (int i = 0; i < n; i++) {
        char path[600];
        struct hs_error err;
        snprintf(path, sizeof path, "%s/%s", r->dir, names[i]->d_name);
        int rc = hs_log_open(&r->logs[i], path, &err);
        if (rc != 0)
            fail_msg("%s", err.msg);
        total += r->logs[i].n_committed;
        free(names[i]);
    }
    free(names);
    r->n_logs = (size_t)n;
    r->events = calloc(total + 1, sizeof *r->events);
    size_t k = 0;
    for (size_t i = 0; i < r->n_logs; i++)
        for (uint64_t s = 0; s < r->logs[i].n_slots; s++) {
            const struct hs_record *rec = hs_log_record(&r->logs[i], s);
            if (rec)
                r->events[k++] = rec;
        }
    qsort(r->events, k, sizeof *r->events, by_seq);
    r->n_events = k;
    /* pid of each event: find the log holding it */
    r->event_pid = calloc(k + 1, sizeof *r->event_pid);
    for (size_t e = 0; e < k; e++)
        for (size_t i = 0; i < r->n_logs; i++) {
            const struct hs_record *lo = r->logs[i].records;
            if (r->events[e] >= lo && r->events[e] < lo + r->logs[i].n_slots)
                r->event_pid[e] = r->logs[i].header->pid;
        }
}

static void run(struct run *r, const char *preload, const char *strace_out, const char *fixture,
                const char *const *args, const char *const *env)
{
    memset(r, 0, sizeof *r);
    char cwd[200];
    assert_non_null(getcwd(cwd, sizeof cwd));
    snprintf(r->dir, sizeof r->dir, "%s/hs-run-%s-XXXXXX", cwd, fixture);
    assert_non_null(mkdtemp(r->dir));

    char exe[512], outpath[300], errpath[300], env_preload[1024], env_dir[300];
    snprintf(exe, sizeof exe, "%s/%s", FX_DIR, fixture);
    snprintf(outpath, sizeof outpath, "%s/stdout", r->dir);
    snprintf(errpath, sizeof errpath, "%s/stderr", r->dir);
    snprintf(env_preload, sizeof env_preload, "LD_PRELOAD=%s", preload ? preload : HS_TRACER_PATH);
    snprintf(env_dir, sizeof env_dir, "HS_LOGDIR=%s", r->dir);

    const char *argv[32];
    size_t a = 0;
    if (strace_out) {
        argv[a++] = "strace";
        argv[a++] = "-f";
        argv[a++] = "-qq";
        argv[a++] = "-e";
        argv[a++] = "trace=brk,mmap,munmap,mremap";
        argv[a++] = "-o";
        argv[a++] = strace_out;
        argv[a++] = "-E";
        argv[a++] = env_preload;
        argv[a++] = "-E";
        argv[a++] = env_dir;
    }
    argv[a++] = exe;
    for (size_t i = 0; args && args[i] && a < 31; i++)
        argv[a++] = args[i];
    argv[a] = NULL;

    struct hs_drain *drain = NULL;
    char env_records[64];
    snprintf(env_records, sizeof env_records, "HS_RING_RECORDS=%u", harness_ring_records);
    r->t_start = mono_now();
    if (harness_ring) {
        struct hs_error err;
        if (hs_drain_start(r->dir, &drain, &err) != 0)
            fail_msg("%s", err.msg);
    }
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int fd = open(outpath, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        dup2(fd, 1);
        fd = open(errpath, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        dup2(fd, 2);
        if (drain) {
            for (const char *const *e = hs_drain_env(drain); *e; e++)
                putenv((char *)*e);
            if (harness_ring_records)
                putenv(env_records);
        }
        if (!strace_out) {
            putenv(env_preload);
            putenv(env_dir);
            for (size_t i = 0; env && env[i]; i++)
                putenv((char *)env[i]);
        }
        execvp(argv[0], (char *const *)argv);
        _exit(127);
    }
    assert_int_equal(waitpid(pid, &r->status, 0), pid);
    if (drain) {
        struct hs_error err;
        struct hs_drain_stats st;
        if (hs_drain_finish(drain, 500, &st, &err) != 0)
            fail_msg("%s", err.msg);
        assert_int_equal(st.n_detached, 0);
        assert_true(st.n_rings >= 1); /* the fixture really wrote a ring */
    }
    r->t_end = mono_now();
    r->n_rings_left = count_rings(r->dir);

    FILE *f = fopen(outpath, "r");
    if (f) {
        size_t n = fread(r->out, 1, sizeof r->out - 1, f);
        r->out[n] = '\0';
        fclose(f);
    }
    f = fopen(errpath, "r");
    if (f) {
        size_t n = fread(r->err, 1, sizeof r->err - 1, f);
        r->err[n] = '\0';
        fclose(f);
    }
    load_logs(r);
}

void run_fixture(struct run *r, const char *preload, const char *strace_out, const char *fixture,
                 const char *const *args)
{
    run(r, preload, strace_out, fixture, args, NULL);
}

void run_fixture_env(struct run *r, const char *preload, const char *fixture,
                     const char *const *args, const char *const *env)
{
    run(r, preload, NULL, fixture, args, env);
}

void run_free(struct run *r)
{
    for (size_t i = 0; i < r->n_logs; i++)
        hs_log_close(&r->logs[i]);
    free(r->events);
    free(r->event_pid);
    DIR *d = opendir(r->dir);
    if (d) {
        struct dirent *e;
        while ((e = readdir(d))) {
            if (e->d_name[0] == '.')
                continue;
            char path[600];
            snprintf(path, sizeof path, "%s/%s", r->dir, e->d_name);
            unlink(path);
        }
        closedir(d);
        rmdir(r->dir);
    }
}

size_t count_op(const struct run *r, int op, int origin)
{
    size_t n = 0;
    for (size_t i = 0; i < r->n_events; i++)
        if (r->events[i]->op == op && (origin < 0 || r->events[i]->origin == origin))
            n++;
    return n;
}

size_t find_mark(const struct run *r, const char *label)
{
    for (size_t i = 0; i < r->n_events; i++)
        if (r->events[i]->op == HS_OP_MARK && strcmp(r->events[i]->u.label, label) == 0)
            return i;
    return (size_t)-1;
}

uint64_t fixture_value(const struct run *r, const char *name)
{
    char key[64];
    snprintf(key, sizeof key, "%s=", name);
    const char *p = strstr(r->out, key);
    if (!p)
        fail_msg("fixture printed no '%s' (stdout: %s)", name, r->out);
    return strtoull(p + strlen(key), NULL, 0);
}
