/* test_record.c - `heapscope record` on real programs (tests/store/fixtures)
 * and every bad-input case: exact rows afterwards, exit statuses, the
 * exact error line, and no file left behind. The heapscope command is
 * forked; this runner is never preloaded. */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "sql_int.h"
#include "synth_log.h"
#include "trace.h"

struct run {
    int code;
    char out[8192], err[8192];
};

static void slurp(int fd, char *buf, size_t size)
{
    lseek(fd, 0, SEEK_SET);
    ssize_t n = read(fd, buf, size - 1);
    buf[n > 0 ? n : 0] = '\0';
    close(fd);
}

/* Runs HEAPSCOPE_BIN with argv (NULL-terminated), stdin from `in`. */
static void run(struct run *r, const char *in, const char *const *args)
{
    char *argv[32];
    int n = 0;
    argv[n++] = (char *)HEAPSCOPE_BIN;
    while (*args)
        argv[n++] = (char *)*args++;
    argv[n] = NULL;
    FILE *o = tmpfile(), *e = tmpfile();
    int in_pipe[2];
    assert_int_equal(pipe(in_pipe), 0);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(in_pipe[0], 0);
        dup2(fileno(o), 1);
        dup2(fileno(e), 2);
        close(in_pipe[1]);
        execv(argv[0], argv);
        _exit(99);
    }
    close(in_pipe[0]);
    if (in && write(in_pipe[1], in, strlen(in)) != (ssize_t)strlen(in))
        fail_msg("cannot write stdin");
    close(in_pipe[1]);
    int status;
    waitpid(pid, &status, 0);
    r->code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    slurp(dup(fileno(o)), r->out, sizeof r->out);
    slurp(dup(fileno(e)), r->err, sizeof r->err);
    fclose(o);
    fclose(e);
}

#define query_int(db_path, sql) test_sql_int(db_path, NULL, "%s", sql)

static int exists(const char *path)
{
    return access(path, F_OK) == 0;
}

static void assert_empty_dir(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    while ((de = readdir(d)))
        if (de->d_name[0] != '.')
            fail_msg("'%s' left behind in %s", de->d_name, dir);
    closedir(d);
}

static void test_record__exit_status_and_exact_blocks(void **state)
{
    (void)state;
    char *dir = synth_tmpdir(), db[4096];
    snprintf(db, sizeof db, "%s/t.db", dir);
    struct run r;
    run(&r, NULL, (const char *[]){"record", "-o", db, FX_DIR "/st_exit", NULL});
    assert_int_equal(r.code, 3);
    assert_non_null(strstr(r.err, "heapscope record: 'st_exit' exited with status 3; "));
    assert_non_null(strstr(r.err, "trace written to '"));
    assert_int_equal(query_int(db, "SELECT count(*) FROM blocks WHERE size BETWEEN 1000 AND 1009"),
                     10);
    assert_int_equal(query_int(db, "SELECT count(*) FROM blocks WHERE size BETWEEN 1000 AND 1009"
                                   " AND free_seq IS NULL"),
                     3);
    assert_int_equal(query_int(db, "SELECT sum(size) FROM blocks WHERE size BETWEEN 1000 AND 1009"
                                   " AND free_seq IS NULL"),
                     1007 + 1008 + 1009);
    assert_int_equal(
        query_int(db,
                  "SELECT count(*) FROM events WHERE op = 'free' AND size BETWEEN 1000 AND 1009"),
        7);
    assert_int_equal(query_int(db, "SELECT count(*) FROM processes"), 1);
    assert_int_equal(query_int(db, "SELECT coalesce(exit_code, -1) FROM processes"), 3);
    assert_int_equal(query_int(db, "SELECT exit_signal IS NULL FROM processes"), 1);
    /* The log directory is gone. */
    assert_int_equal(query_int(db, "SELECT count(*) FROM events WHERE op = 'exit'"), 1);
    synth_rmtree(dir);
    free(dir);
}

static void test_record__sigsegv_gives_139_and_keeps_the_trace(void **state)
{
    (void)state;
    char *dir = synth_tmpdir(), db[4096];
    snprintf(db, sizeof db, "%s/t.db", dir);
    struct run r;
    run(&r, NULL, (const char *[]){"record", "-o", db, "--", FX_DIR "/st_segv", NULL});
    assert_int_equal(r.code, 139);
    assert_non_null(strstr(r.err, "heapscope record: 'st_segv' was killed by signal 11"));
    assert_int_equal(query_int(db, "SELECT count(*) FROM blocks WHERE size BETWEEN 2000 AND 2004"
                                   " AND free_seq IS NULL"),
                     5);
    assert_int_equal(query_int(db, "SELECT coalesce(exit_signal, -1) FROM processes"), 11);
    assert_int_equal(query_int(db, "SELECT exit_code IS NULL FROM processes"), 1);
    synth_rmtree(dir);
    free(dir);
}

static void test_record__stdin_and_stdout_pass_through(void **state)
{
    (void)state;
    char *dir = synth_tmpdir(), db[4096];
    snprintf(db, sizeof db, "%s/t.db", dir);
    struct run r;
    run(&r, "hello heapscope\n", (const char *[]){"record", "-o", db, FX_DIR "/st_stdin", NULL});
    assert_int_equal(r.code, 0);
    assert_string_equal(r.out, "hello heapscope\n");
    assert_int_equal(query_int(db, "SELECT count(*) FROM blocks WHERE size = 3016"), 1);
    synth_rmtree(dir);
    free(dir);
}

static void test_record__fork_child_in_the_same_trace(void **state)
{
    (void)state;
    char *dir = synth_tmpdir(), db[4096];
    snprintf(db, sizeof db, "%s/t.db", dir);
    struct run r;
    run(&r, NULL, (const char *[]){"record", "-o", db, FX_DIR "/st_fork", NULL});
    assert_int_equal(r.code, 5);
    assert_int_equal(query_int(db, "SELECT count(*) FROM processes"), 2);
    assert_int_equal(query_int(db, "SELECT count(*) FROM processes c JOIN processes p"
                                   " ON c.ppid = p.pid WHERE p.proc = 1"),
                     1);
    assert_int_equal(query_int(db, "SELECT count(*) FROM blocks WHERE size = 4000 AND proc = 1"
                                   " AND free_seq IS NOT NULL"),
                     1);
    assert_int_equal(
        query_int(db, "SELECT count(*) FROM blocks WHERE size IN (4001, 4002) AND proc = 2"), 2);
    assert_int_equal(query_int(db, "SELECT count(*) FROM blocks WHERE size = 4002 AND proc = 2"
                                   " AND free_seq IS NULL"),
                     1);
    assert_int_equal(query_int(db, "SELECT count(*) FROM events WHERE op = 'fork' AND proc = 1"),
                     1);
    assert_int_equal(query_int(db, "SELECT coalesce(exit_code, -1) FROM processes WHERE proc = 2"),
                     5);
    assert_int_equal(query_int(db, "SELECT coalesce(exit_code, -1) FROM processes WHERE proc = 1"),
                     5);
    synth_rmtree(dir);
    free(dir);
}

static void test_record__sigterm_is_forwarded(void **state)
{
    (void)state;
    char *dir = synth_tmpdir(), db[4096];
    snprintf(db, sizeof db, "%s/t.db", dir);
    int out[2];
    assert_int_equal(pipe(out), 0);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(out[1], 1);
        close(out[0]);
        int null = open("/dev/null", O_WRONLY);
        dup2(null, 2);
        execl(HEAPSCOPE_BIN, HEAPSCOPE_BIN, "record", "-o", db, FX_DIR "/st_wait", (char *)NULL);
        _exit(99);
    }
    close(out[1]);
    char buf[16] = "";
    assert_int_equal(read(out[0], buf, 6), 6);
    assert_string_equal(buf, "ready\n");
    kill(pid, SIGTERM);
    int status;
    waitpid(pid, &status, 0);
    close(out[0]);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 128 + SIGTERM);
    assert_int_equal(query_int(db, "SELECT count(*) FROM blocks WHERE size = 5000"), 1);
    assert_int_equal(query_int(db, "SELECT coalesce(exit_signal, -1) FROM processes"), SIGTERM);
    synth_rmtree(dir);
    free(dir);
}

/* One bad command line: exact stderr, exit code, nothing written. */
static void expect_refusal(const char *dir, const char *const *args, int code, const char *line)
{
    struct run r;
    run(&r, NULL, args);
    assert_string_equal(r.err, line);
    assert_int_equal(r.code, code);
    assert_empty_dir(dir);
}

static void test_record__bad_input_one_line_nothing_written(void **state)
{
    (void)state;
    char *dir = synth_tmpdir(), db[4096], line[8192], path[4096];
    snprintf(db, sizeof db, "%s/t.db", dir);
    expect_refusal(dir, (const char *[]){"record", "-o", db, "no-such-program-hs", NULL}, 127,
                   "heapscope record: cannot run 'no-such-program-hs': command not found\n");
    snprintf(path, sizeof path, "%s/missing", dir);
    snprintf(line, sizeof line, "heapscope record: cannot run '%s': No such file or directory\n",
             path);
    expect_refusal(dir, (const char *[]){"record", "-o", db, path, NULL}, 127, line);

    expect_refusal(dir, (const char *[]){"record", "-o", db, FX_DIR "/st_static", NULL}, 1,
                   "heapscope record: cannot trace '" FX_DIR "/st_static': it is statically "
                   "linked, and LD_PRELOAD cannot reach a statically linked program\n");

    /* Output path not writable: refused before the program runs. */
    char marker[4096];
    snprintf(marker, sizeof marker, "%s/marker", dir);
    snprintf(
        line, sizeof line,
        "heapscope record: cannot write trace '%s/no/such/dir/t.db': No such file or directory\n",
        dir);
    char out[4096];
    snprintf(out, sizeof out, "%s/no/such/dir/t.db", dir);
    expect_refusal(dir, (const char *[]){"record", "-o", out, "/usr/bin/touch", marker, NULL}, 1,
                   line);
    assert_false(exists(marker));

    /* An output that is not a regular file (a FIFO here, /dev/null in real
     * life) is refused before the program runs and left as it was. */
    char fifo[4096];
    snprintf(fifo, sizeof fifo, "%s/fifo", dir);
    assert_int_equal(mkfifo(fifo, 0600), 0);
    snprintf(line, sizeof line,
             "heapscope record: cannot write trace '%s': not a regular file (expected a new or "
             "existing .db file)\n",
             fifo);
    struct run fr;
    run(&fr, NULL, (const char *[]){"record", "-o", fifo, "/usr/bin/touch", marker, NULL});
    assert_string_equal(fr.err, line);
    assert_int_equal(fr.code, 1);
    struct stat fifo_st;
    assert_int_equal(stat(fifo, &fifo_st), 0);
    assert_true(S_ISFIFO(fifo_st.st_mode));
    assert_false(exists(marker));
    unlink(fifo);
    assert_empty_dir(dir);

    /* A library that is not the tracer: the program runs, leaves no log. */
    setenv("HS_TRACER", NOTRACER_PATH, 1);
    struct run r;
    run(&r, NULL, (const char *[]){"record", "-o", db, FX_DIR "/st_exit", NULL});
    unsetenv("HS_TRACER");
    assert_string_equal(r.err, "heapscope record: 'st_exit' ended (status 3) before the tracer "
                               "started: no trace written\n");
    assert_int_equal(r.code, 3);
    assert_empty_dir(dir);

    expect_refusal(
        dir, (const char *[]){"record", "-o", db, NULL}, 2,
        "heapscope record: no program to run\n"
        "usage: heapscope record [-o FILE] [--no-faults] [--stack N] [--] PROGRAM [ARGS...]\n"
        "\n"
        "    -o FILE        write the trace to FILE (default: heapscope-PROGRAM-PID.db)\n"
        "    --no-faults    do not sample page faults\n"
        "    --stack N      record N frames (1-16) of each allocation's call stack;\n"
        "                   1, the default, is its caller alone\n"
        "\n"
        "Environment: HS_TRACER (the tracer library), TMPDIR (where logs are kept\n"
        "while the program runs), HS_LIVE_IMPORT=0 (import after the run instead of\n"
        "while it runs).\n");
    synth_rmtree(dir);
    free(dir);
}

static void test_record__not_executable_and_setuid(void **state)
{
    (void)state;
    char *dir = synth_tmpdir(), db[4200], sub[4096], prog[4096], line[12288];
    snprintf(sub, sizeof sub, "%s/out", dir);
    mkdir(sub, 0755);
    snprintf(db, sizeof db, "%s/t.db", sub);
    snprintf(prog, sizeof prog, "%s/plain", dir);
    FILE *f = fopen(prog, "w");
    fputs("not a program\n", f);
    fclose(f);
    chmod(prog, 0644);
    snprintf(line, sizeof line, "heapscope record: cannot run '%s': Permission denied\n", prog);
    expect_refusal(sub, (const char *[]){"record", "-o", db, prog, NULL}, 126, line);

    if (geteuid() == 0) { /* a set-user-ID program owned by someone else */
        char cmd[16384];
        snprintf(prog, sizeof prog, "%s/suid", dir);
        snprintf(cmd, sizeof cmd,
                 "cp " FX_DIR "/st_exit '%s' && chown nobody '%s' && chmod 4755 '%s'", prog, prog,
                 prog);
        assert_int_equal(system(cmd), 0);
        snprintf(line, sizeof line,
                 "heapscope record: cannot trace '%s': it is setuid, and the loader ignores "
                 "LD_PRELOAD for setuid and setgid programs\n",
                 prog);
        expect_refusal(sub, (const char *[]){"record", "-o", db, prog, NULL}, 1, line);
    }
    synth_rmtree(dir);
    free(dir);
}

static void test_record__summary_refuses_bad_traces(void **state)
{
    (void)state;
    char *dir = synth_tmpdir(), db[4096], line[8192];
    snprintf(db, sizeof db, "%s/newer.db", dir);
    sqlite3 *h;
    assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
    assert_int_equal(sqlite3_exec(h,
                                  "CREATE TABLE meta(key TEXT PRIMARY KEY, value);"
                                  "INSERT INTO meta VALUES('schema_version', 5);",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(h);
    struct run r;
    run(&r, NULL, (const char *[]){"summary", db, NULL});
    snprintf(line, sizeof line,
             "heapscope summary: '%s' is trace format 5, this heapscope reads up to 4\n", db);
    assert_string_equal(r.err, line);
    assert_int_equal(r.code, 1);
    run(&r, NULL, (const char *[]){"leaks", FX_DIR "/st_exit.c", NULL});
    assert_int_equal(r.code, 1);
    synth_rmtree(dir);
    free(dir);
}

static void test_record__summary_and_leaks_of_a_recording(void **state)
{
    (void)state;
    char *dir = synth_tmpdir(), db[4096];
    snprintf(db, sizeof db, "%s/t.db", dir);
    struct run r;
    run(&r, NULL, (const char *[]){"record", "-o", db, FX_DIR "/st_exit", NULL});
    assert_int_equal(r.code, 3);
    run(&r, NULL, (const char *[]){"summary", db, "--json", NULL});
    assert_int_equal(r.code, 0);
    assert_non_null(strstr(r.out, "\"op\": \"malloc\", \"origin\": \"program\", \"count\": 10}"));
    assert_non_null(strstr(r.out, "\"op\": \"free\", \"origin\": \"program\", \"count\": 7}"));
    assert_non_null(strstr(r.out, "\"live_blocks\": 3, \"live_size\": 3024,"));
    run(&r, NULL, (const char *[]){"leaks", db, NULL});
    assert_int_equal(r.code, 0);
    assert_non_null(strstr(r.out, "      3024 bytes in      3 blocks (1007-1009 each) pid "));
    assert_non_null(strstr(r.out, "st_exit+0x"));
    assert_non_null(strstr(r.out, "3024 bytes in 3 blocks live at exit, from 1 call site\n"));
    synth_rmtree(dir);
    free(dir);
}

/* The bench workload, small: every table agrees with the others and with
 * the cursor. N mallocs and N frees (free(NULL) is not recorded), plus the
 * stdio buffer printf allocates and never frees. */
static void test_record__workload_tables_and_cursor_agree(void **state)
{
    (void)state;
    char *dir = synth_tmpdir(), db[4096];
    snprintf(db, sizeof db, "%s/t.db", dir);
    struct run r;
    run(&r, NULL, (const char *[]){"record", "--no-faults", "-o", db, WORKLOAD_BIN, "20000", NULL});
    assert_int_equal(r.code, 0);
    assert_int_equal(query_int(db, "SELECT count(*) FROM events WHERE op = 'malloc'"), 20001);
    assert_int_equal(query_int(db, "SELECT count(*) FROM events WHERE op = 'free'"), 20000);
    assert_int_equal(query_int(db, "SELECT count(*) FROM blocks"), 20001);
    assert_int_equal(query_int(db, "SELECT count(*) FROM blocks WHERE free_seq IS NULL"), 1);
    /* the blocks B-tree is written by the importer itself (btree_build.h) */
    assert_int_equal(
        query_int(db, "SELECT count(*) FROM pragma_integrity_check WHERE integrity_check = 'ok'"),
        1);
    long long n = query_int(db, "SELECT value FROM meta WHERE key = 'n_events'");
    assert_int_equal(query_int(db, "SELECT count(*) FROM events"), n);
    assert_int_equal(query_int(db, "SELECT sum(n_events) FROM event_chunks"), n);
    assert_int_equal(query_int(db, "SELECT count(DISTINCT seq) FROM events"), n);
    /* Every free matches its allocation's sizes, and frees follow allocs. */
    assert_int_equal(query_int(db, "SELECT count(*) FROM blocks WHERE free_seq <= alloc_seq"), 0);
    struct hs_error err;
    struct hs_trace *t;
    struct hs_cursor *c;
    assert_int_equal(hs_trace_open(db, &t, &err), 0);
    assert_int_equal(hs_cursor_open(t, 0, 0, &c, &err), 0);
    struct hs_event ev;
    long long count = 0, mallocs = 0;
    uint64_t last = 0;
    while (hs_cursor_next(c, &ev, &err) == 1) {
        assert_true(ev.seq > last);
        last = ev.seq;
        count++;
        mallocs += ev.op == HS_OP_MALLOC;
    }
    assert_int_equal(count, n);
    assert_int_equal(mallocs, 20001);
    hs_cursor_close(c);
    hs_trace_close(t);
    synth_rmtree(dir);
    free(dir);
}

/* `heapscope import` on a crashed program's logs: what was lost is said,
 * one line each, and the trace is written. */
static void test_record__import_reports_lost_slots(void **state)
{
    (void)state;
    char *dir = synth_tmpdir(), db[4096], expected[8192];
    struct synth_log l;
    synth_init(&l, 77, 0, 1, "/bin/crashed");
    synth_call(&l, 1, 77, HS_OP_MALLOC, 0, 1, 0x1000, 10, 0, 32, 0x400000);
    synth_lost(&l);
    synth_write(&l, dir, 2);
    snprintf(db, sizeof db, "%s/t.db", dir);
    struct run r;
    run(&r, NULL, (const char *[]){"import", dir, "-o", db, NULL});
    assert_int_equal(r.code, 0);
    snprintf(expected, sizeof expected,
             "heapscope import: warning: process 77: 3 reserved slots never committed (the "
             "program died mid-write)\n"
             "heapscope import: imported 1 event from 1 process, 1 block live at exit, 0.1 MiB "
             "(%.1f bytes/event)\n"
             "heapscope import: 3 reserved slots were never committed (see the warnings "
             "above)\n"
             "heapscope import: trace written to '%s'\n",
             (double)query_int(db, "SELECT page_count * page_size FROM pragma_page_count, "
                                   "pragma_page_size"),
             db);
    assert_string_equal(r.err, expected);
    run(&r, NULL, (const char *[]){"import", dir, NULL});
    assert_int_equal(r.code, 2);
    assert_string_equal(r.err, "heapscope import: no output file (-o FILE)\n"
                               "usage: heapscope import LOGDIR -o FILE\n");
    synth_rmtree(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_record__exit_status_and_exact_blocks),
        cmocka_unit_test(test_record__sigsegv_gives_139_and_keeps_the_trace),
        cmocka_unit_test(test_record__stdin_and_stdout_pass_through),
        cmocka_unit_test(test_record__fork_child_in_the_same_trace),
        cmocka_unit_test(test_record__sigterm_is_forwarded),
        cmocka_unit_test(test_record__bad_input_one_line_nothing_written),
        cmocka_unit_test(test_record__not_executable_and_setuid),
        cmocka_unit_test(test_record__summary_refuses_bad_traces),
        cmocka_unit_test(test_record__summary_and_leaks_of_a_recording),
        cmocka_unit_test(test_record__workload_tables_and_cursor_agree),
        cmocka_unit_test(test_record__import_reports_lost_slots),
    };
    return cmocka_run_group_tests_name("record", tests, NULL, NULL);
}
