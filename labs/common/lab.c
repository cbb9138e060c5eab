/*
 * lab.c - the lab programs' shared helpers (see lab.h): measurement lines
 * written with write(2) from stack buffers, so that measuring never calls
 * malloc and never moves the heap under study.
 */
#define _GNU_SOURCE
#include "lab.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

static struct {
    const char *name; /* the lab's name, for the header line */
    int full;         /* --full given */
    int results_fd;   /* $HEAPSCOPE_LAB_RESULTS opened for append, or -1 */
} lab = {"lab", 0, -1};

static void write_all(int fd, const char *buf, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, buf, len);
        if (n <= 0)
            return;
        buf += n;
        len -= (size_t)n;
    }
}

/* A protocol line goes to stdout and to the results file. */
static void emit(const char *line, size_t len)
{
    write_all(1, line, len);
    if (lab.results_fd >= 0)
        write_all(lab.results_fd, line, len);
}

void lab_init(int argc, char **argv, const char *name)
{
    lab.name = name;
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "--full") == 0)
            lab.full = 1;
    const char *path = getenv("HEAPSCOPE_LAB_RESULTS");
    if (path && *path)
        lab.results_fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    lab_say("== lab %s%s ==\n", name, lab.full ? " (full version)" : "");
}

int lab_full(void)
{
    return lab.full;
}

void lab_say(const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    write_all(1, buf, (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1);
}

static void measure_line(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void measure_line(const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n > 0)
        emit(buf, (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1);
}

void lab_measure_u(const char *key, uint64_t value)
{
    measure_line("measure: %s %llu\n", key, (unsigned long long)value);
}

void lab_measure_x(const char *key, uint64_t value)
{
    measure_line("measure: %s 0x%llx\n", key, (unsigned long long)value);
}

void lab_measure_f(const char *key, double value)
{
    measure_line("measure: %s %.6g\n", key, value);
}

void lab_measure_skip(const char *key, const char *reason)
{
    measure_line("measure: %s skip %s\n", key, reason);
}

void lab_mark(const char *label)
{
    HEAPSCOPE_MARK(label);
    measure_line("mark: %s\n", label);
}

uint64_t lab_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

double lab_ns_per(uint64_t t0, uint64_t n)
{
    return (double)(lab_now_ns() - t0) / (double)n;
}

uint64_t lab_minflt(void)
{
    /* RUSAGE_THREAD: the tracer's own threads (log writer, fault sampler)
     * take faults too, and must not count as the lab's. */
    struct rusage ru;
    getrusage(RUSAGE_THREAD, &ru);
    return (uint64_t)ru.ru_minflt;
}

uint64_t lab_maxrss_kib(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (uint64_t)ru.ru_maxrss;
}

uint64_t lab_rss_kib(void)
{
    char buf[128];
    int fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0)
        return 0;
    buf[n] = '\0';
    unsigned long size, resident;
    if (sscanf(buf, "%lu %lu", &size, &resident) != 2)
        return 0;
    return (uint64_t)resident * (uint64_t)sysconf(_SC_PAGESIZE) / 1024u;
}

uint64_t lab_resident_pages(const void *addr, uint64_t len)
{
    long page = sysconf(_SC_PAGESIZE);
    uintptr_t start = (uintptr_t)addr & ~(uintptr_t)(page - 1);
    uintptr_t end = ((uintptr_t)addr + len + (uintptr_t)page - 1) & ~(uintptr_t)(page - 1);
    unsigned char vec[4096];
    uint64_t resident = 0;
    /* mincore fills one byte per page; walk in windows of sizeof vec pages. */
    for (uintptr_t p = start; p < end;) {
        size_t pages = (end - p) / (uintptr_t)page;
        if (pages > sizeof vec)
            pages = sizeof vec;
        if (mincore((void *)p, pages * (size_t)page, vec) != 0)
            return resident;
        for (size_t i = 0; i < pages; i++)
            resident += vec[i] & 1u;
        p += pages * (uintptr_t)page;
    }
    return resident;
}
