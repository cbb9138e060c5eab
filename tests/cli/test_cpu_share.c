/* test_cpu_share.c - hs_cpu_share (analyzer/lib/cpu_share.h): with two or
 * more CPUs, begin leaves the lowest one out for this thread and the
 * threads it starts afterwards; release_child gives a forked child the
 * whole set; end gives every thread of the process the whole set back.
 * With one CPU nothing is confined. */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "cpu_share.h"

static cpu_set_t affinity_of(pid_t tid)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    assert_int_equal(sched_getaffinity(tid, sizeof set, &set), 0);
    return set;
}

/* The original set without its lowest CPU. */
static cpu_set_t without_lowest(cpu_set_t set)
{
    for (int cpu = 0; cpu < CPU_SETSIZE; cpu++)
        if (CPU_ISSET(cpu, &set)) {
            CPU_CLR(cpu, &set);
            break;
        }
    return set;
}

/* A thread started between begin and end: reports its tid and its set,
 * then waits to be released. */
struct helper {
    pthread_mutex_t lock;
    pthread_cond_t changed;
    pid_t tid;
    cpu_set_t at_start;
    int released;
};

static void *helper_main(void *arg)
{
    struct helper *h = arg;
    pthread_mutex_lock(&h->lock);
    h->tid = gettid();
    h->at_start = affinity_of(0);
    pthread_cond_broadcast(&h->changed);
    while (!h->released)
        pthread_cond_wait(&h->changed, &h->lock);
    pthread_mutex_unlock(&h->lock);
    return NULL;
}

static void test_cpu_share__confines_helpers_and_gives_everything_back(void **state)
{
    (void)state;
    cpu_set_t all = affinity_of(0);
    struct hs_cpu_share s;
    hs_cpu_share_begin(&s);
    if (CPU_COUNT(&all) < 2) {
        assert_int_equal(s.confined, 0);
        cpu_set_t now = affinity_of(0);
        assert_true(CPU_EQUAL(&now, &all));
        return;
    }
    assert_int_equal(s.confined, 1);
    cpu_set_t rest = without_lowest(all), now = affinity_of(0);
    assert_true(CPU_EQUAL(&now, &rest));

    struct helper h = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, {{0}}, 0};
    pthread_t thread;
    assert_int_equal(pthread_create(&thread, NULL, helper_main, &h), 0);
    pthread_mutex_lock(&h.lock);
    while (!h.tid)
        pthread_cond_wait(&h.changed, &h.lock);
    pthread_mutex_unlock(&h.lock);
    assert_true(CPU_EQUAL(&h.at_start, &rest));

    /* A child forked now inherits the confined set; release gives it all. */
    int go[2];
    assert_int_equal(pipe(go), 0);
    pid_t child = fork();
    assert_true(child >= 0);
    if (child == 0) { /* waits for the go, or for EOF if the test failed */
        char c;
        close(go[1]);
        _exit(read(go[0], &c, 1) == 1 ? 0 : 1);
    }
    close(go[0]);
    cpu_set_t child_set = affinity_of(child);
    assert_true(CPU_EQUAL(&child_set, &rest));
    hs_cpu_share_release_child(&s, child);
    child_set = affinity_of(child);
    assert_true(CPU_EQUAL(&child_set, &all));
    assert_int_equal(write(go[1], "x", 1), 1);
    close(go[1]);
    int status;
    assert_int_equal(waitpid(child, &status, 0), child);

    hs_cpu_share_end(&s);
    assert_int_equal(s.confined, 0);
    now = affinity_of(0);
    assert_true(CPU_EQUAL(&now, &all));
    cpu_set_t helper_now = affinity_of(h.tid);
    assert_true(CPU_EQUAL(&helper_now, &all));

    pthread_mutex_lock(&h.lock);
    h.released = 1;
    pthread_cond_broadcast(&h.changed);
    pthread_mutex_unlock(&h.lock);
    assert_int_equal(pthread_join(thread, NULL), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cpu_share__confines_helpers_and_gives_everything_back),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
