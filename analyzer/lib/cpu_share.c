#define _GNU_SOURCE /* sched_setaffinity, cpu_set_t */
#include "cpu_share.h"

#include <sched.h>

#include <dirent.h>
#include <stdlib.h>

_Static_assert(sizeof(cpu_set_t) == sizeof(((struct hs_cpu_share *)0)->all), "a cpu_set_t");

/* The saved set, as what it is. */
static cpu_set_t *all_of(const struct hs_cpu_share *s)
{
    return (cpu_set_t *)(void *)s->all;
}

void hs_cpu_share_begin(struct hs_cpu_share *s)
{
    s->confined = 0;
    cpu_set_t *all = all_of(s);
    if (sched_getaffinity(0, sizeof *all, all) != 0 || CPU_COUNT(all) < 2)
        return;
    cpu_set_t rest = *all;
    for (int cpu = 0; cpu < CPU_SETSIZE; cpu++) {
        if (CPU_ISSET(cpu, &rest)) {
            CPU_CLR(cpu, &rest); /* the lowest: left to the program */
            break;
        }
    }
    s->confined = sched_setaffinity(0, sizeof rest, &rest) == 0;
}

void hs_cpu_share_release_child(const struct hs_cpu_share *s, pid_t child)
{
    if (s->confined)
        sched_setaffinity(child, sizeof(cpu_set_t), all_of(s));
}

/* Gives every thread listed in /proc/self/task the whole set; 0 if the
 * directory could not be read. */
static int release_tasks(const struct hs_cpu_share *s)
{
    DIR *tasks = opendir("/proc/self/task");
    if (!tasks)
        return 0;
    for (struct dirent *e; (e = readdir(tasks));) {
        char *end;
        long tid = strtol(e->d_name, &end, 10);
        if (tid > 0 && *end == '\0')
            sched_setaffinity((pid_t)tid, sizeof(cpu_set_t), all_of(s));
    }
    closedir(tasks);
    return 1;
}

void hs_cpu_share_end(struct hs_cpu_share *s)
{
    if (!s->confined)
        return;
    s->confined = 0;
    /* Twice: a thread that a confined one starts during the first walk
     * may not be listed yet; by the second walk its creator is released,
     * so what it starts from then on inherits the whole set. */
    if (!release_tasks(s) || !release_tasks(s))
        sched_setaffinity(0, sizeof(cpu_set_t), all_of(s));
}
