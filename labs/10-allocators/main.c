/*
 * Lab 10 - glibc, tcmalloc, jemalloc and mimalloc side by side.
 *
 * Article 001 on tcmalloc: "这些尺寸以8byte进行递增 ... 如果不足8byte就进行
 * 向上取整，比如如果分配7个字节则会分配8字节，如果是52字节则会分配64字节".
 * The lab re-runs itself once per allocator, preloading Debian's
 * libtcmalloc_minimal.so.4, libjemalloc.so.2 and libmimalloc.so.2 after
 * whatever LD_PRELOAD already holds (the tracer stays first and records the
 * other allocator's calls). Each run prints the usable size of small
 * requests (the size classes), the time of one mixed workload and its peak
 * RSS against the peak of live bytes.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lab.h"

static const struct allocator {
    const char *name, *soname; /* soname NULL: glibc itself */
} allocators[] = {
    {"glibc", NULL},
    {"tcmalloc", "libtcmalloc_minimal.so.4"},
    {"jemalloc", "libjemalloc.so.2"},
    {"mimalloc", "libmimalloc.so.2"},
};

enum { SLOTS = 8192 };
/* Operations: small enough to trace in seconds; --full: 8 times more. */
#define OPS (lab_full() ? 1u << 20 : 1u << 17)

/* [doc:workload] */
/* A deterministic mix: mostly small blocks, some up to 64 KiB, random
 * lifetimes (a slot is freed when its number comes up again). */
static void workload(const char *name)
{
    static char *slot[SLOTS];
    static size_t slot_size[SLOTS];
    uint64_t x = 88172645463325252u, live = 0, peak = 0;
    uint64_t t0 = lab_now_ns();
    for (unsigned i = 0; i < OPS; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17; /* xorshift64 */
        unsigned s = (unsigned)(x % SLOTS);
        size_t size = (x >> 20) % 16 == 0 ? (x >> 32) % 65536 : 8 + (x >> 32) % 256;
        if (slot[s]) {
            free(slot[s]);
            live -= slot_size[s];
        }
        slot[s] = malloc(size);
        for (size_t off = 0; off < size; off += 4096) /* every page is used */
            slot[s][off] = 1;
        slot_size[s] = size;
        live += size;
        peak = live > peak ? live : peak;
    }
    char key[64];
    snprintf(key, sizeof key, "%s_ms", name);
    lab_measure_f(key, (double)(lab_now_ns() - t0) / 1e6);
    snprintf(key, sizeof key, "%s_peak_rss_over_live", name);
    lab_measure_f(key, (double)lab_maxrss_kib() * 1024 / (double)peak);
}
/* [/doc] */

/* [doc:classes] */
static void size_classes(const char *name)
{
    char key[64];
    size_t last = 0, classes = 0;
    for (size_t n = 1; n <= 256; n++) {
        void *p = malloc(n);
        size_t usable = malloc_usable_size(p);
        classes += usable != last;
        last = usable;
        if (n == 7 || n == 52) {
            snprintf(key, sizeof key, "%s_usable_%zu", name, n);
            lab_measure_u(key, usable);
        }
        free(p);
    }
    snprintf(key, sizeof key, "%s_classes_1_256", name);
    lab_measure_u(key, classes);
}
/* [/doc] */

static void run_under(const struct allocator *a)
{
    pid_t pid = fork();
    if (pid == 0) {
        if (a->soname) {
            const char *old = getenv("LD_PRELOAD");
            char preload[1024];
            snprintf(preload, sizeof preload, "%s%s%s", old ? old : "", old ? " " : "", a->soname);
            setenv("LD_PRELOAD", preload, 1);
        }
        execl("/proc/self/exe", "lab_10_allocators", "--as", a->name,
              lab_full() ? "--full" : (char *)NULL, (char *)NULL);
        _exit(127);
    }
    waitpid(pid, NULL, 0);
}

int main(int argc, char **argv)
{
    if (argc > 2 && strcmp(argv[1], "--as") == 0) {
        lab_init(argc, argv, argv[2]);
        for (size_t i = 0; i < sizeof allocators / sizeof allocators[0]; i++) {
            const struct allocator *a = &allocators[i];
            if (strcmp(a->name, argv[2]) != 0)
                continue;
            /* ld.so only warns when a preload is missing: check it is in. */
            if (a->soname && !dlopen(a->soname, RTLD_LAZY | RTLD_NOLOAD)) {
                static const char *const keys[] = {"usable_7", "usable_52", "classes_1_256", "ms",
                                                   "peak_rss_over_live"};
                for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
                    char key[64];
                    snprintf(key, sizeof key, "%s_%s", a->name, keys[k]);
                    lab_measure_skip(key, "library not installed (scripts/deps.sh test)");
                }
                return 0;
            }
            size_classes(a->name);
            workload(a->name);
        }
        return 0;
    }
    lab_init(argc, argv, "allocators");
    for (size_t i = 0; i < sizeof allocators / sizeof allocators[0]; i++)
        run_under(&allocators[i]);
    return 0;
}
