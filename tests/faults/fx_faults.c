/*
 * fx_faults.c - fixture programs for the page-fault tests: each touches a
 * known number of pages of a known range and writes the ranges it used to
 * the file named by argv[1], one line "<name> <tid> <start> <end>" (hex
 * addresses, end exclusive), so the checker can count samples in them.
 *
 *   fx_faults OUT touch [N] mmap N MiB (default 1), write one byte in each page
 *   fx_faults OUT remap     touch 1 MiB; mark "first-touched"; munmap; mmap
 *                           1 MiB again; touch it; mark "second-touched"
 *   fx_faults OUT read      read() 1 MiB of /dev/zero into a fresh mapping:
 *                           the kernel takes those faults, not the program
 *   fx_faults OUT heap      malloc 1 MiB from the heap (mmap threshold raised
 *                           by mallopt), touch, free, malloc again, touch
 *   fx_faults OUT trim      the same with the default trim threshold: free
 *                           gives the top of the heap back (brk down), the
 *                           second malloc grows it again and re-faults it
 *   fx_faults OUT major     write a 1 MiB file (OUT.data), evict it from the
 *                           page cache (fdatasync, POSIX_FADV_DONTNEED), map
 *                           it with MADV_RANDOM and read each page: each
 *                           read waits for the disk, a major fault; the
 *                           pages it could not evict (mincore) are reported
 *                           as "resident TID 0 N", the thread's getrusage
 *                           major faults during the reads as "majflt TID 0 N"
 *   fx_faults OUT threads N 4 threads, each touching N pages of its own mmap
 *   fx_faults OUT arena     a thread mallocs 100000 bytes (from a non-main
 *                           arena: a thread heap) and touches each page
 *   fx_faults OUT crash     touch 1 MiB, then die of SIGSEGV
 *   fx_faults OUT bigblock  malloc 1 MiB (an mmapped chunk) and memset it:
 *                           malloc writes the chunk header on the mapping's
 *                           first page before the tracer records its mmap
 *   fx_faults OUT brkhead   sbrk the break to 16 bytes short of a page
 *                           boundary, so glibc's heap, grown by the next
 *                           malloc, is no longer contiguous and gets a new
 *                           top chunk there; malloc 64 pages + 8 bytes from
 *                           it (ptr on a page boundary, its chunk header
 *                           alone on the page before, written by that malloc
 *                           before its inferred brk) and memset the block
 *   fx_faults OUT mtrim     1 MiB touched, freed inside the heap, malloc_trim(0)
 *                           (madvise), the same chunk malloc'd and touched again
 *   fx_faults OUT calls     calloc growing the heap (it zeroes the old top's
 *                           part before the inferred brk), realloc from the
 *                           heap to an mmapped chunk (the copy), memalign
 *                           of an mmapped chunk; memset the last two; one
 *                           line per block: fill, calloc, realloc, memalign
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include "heapscope/heapscope.h"

#define MIB (1024 * 1024)

static FILE *out;
static pthread_mutex_t out_lock = PTHREAD_MUTEX_INITIALIZER;

static void report(const char *name, const void *start, size_t size)
{
    pthread_mutex_lock(&out_lock);
    fprintf(out, "%s %d %lx %lx\n", name, gettid(), (unsigned long)start,
            (unsigned long)start + size);
    fflush(out);
    pthread_mutex_unlock(&out_lock);
}

static void touch(volatile char *p, size_t size)
{
    for (size_t off = 0; off < size; off += 4096)
        p[off] = 1;
}

static char *map(size_t size)
{
    char *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) {
        perror("fx_faults: mmap");
        exit(1);
    }
    return p;
}

static size_t thread_pages;

static void *arena_main(void *arg)
{
    size_t size = 100000;
    char *p = malloc(size);
    touch(p, size);
    report("block", p, size);
    free(p);
    return NULL;
}

static void *thread_main(void *arg)
{
    size_t size = thread_pages * 4096;
    char *p = map(size);
    touch(p, size);
    report("thread", p, size);
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc < 3 || !(out = fopen(argv[1], "w"))) {
        fprintf(stderr,
                "usage: fx_faults OUT touch [MIB]|remap|read|major|heap|trim|arena|threads N|crash|"
                "bigblock|brkhead|calls|mtrim\n");
        return 2;
    }
    /* Unbuffered: no stdio buffer lands on the heap between the blocks. */
    setvbuf(out, NULL, _IONBF, 0);
    const char *mode = argv[2];
    if (strcmp(mode, "touch") == 0 || strcmp(mode, "crash") == 0) {
        size_t size = argc > 3 ? strtoul(argv[3], NULL, 0) * MIB : MIB;
        char *p = map(size);
        touch(p, size);
        report("mapping", p, size);
        if (strcmp(mode, "crash") == 0) {
            fclose(out);
            raise(SIGSEGV);
        }
    } else if (strcmp(mode, "remap") == 0) {
        char *p = map(MIB);
        touch(p, MIB);
        report("first", p, MIB);
        HEAPSCOPE_MARK("first-touched");
        munmap(p, MIB);
        p = map(MIB);
        touch(p, MIB);
        report("second", p, MIB);
        HEAPSCOPE_MARK("second-touched");
    } else if (strcmp(mode, "read") == 0) {
        char *p = map(MIB);
        int fd = open("/dev/zero", O_RDONLY);
        if (fd < 0 || read(fd, p, MIB) != MIB) {
            perror("fx_faults: read /dev/zero");
            return 1;
        }
        close(fd);
        report("mapping", p, MIB);
    } else if (strcmp(mode, "heap") == 0 || strcmp(mode, "trim") == 0) {
        /* Keep 1 MiB on the heap (not mmap) and, for "heap", keep free()
         * from trimming it, so the second malloc gets the same,
         * already-faulted pages. */
        mallopt(M_MMAP_THRESHOLD, 4 * MIB);
        if (strcmp(mode, "heap") == 0)
            mallopt(M_TRIM_THRESHOLD, 64 * MIB);
        char *p = malloc(MIB);
        touch(p, MIB);
        report("first", p, MIB);
        free(p);
        char *q = malloc(MIB);
        touch(q, MIB);
        report("second", q, MIB);
        free(q);
    } else if (strcmp(mode, "mtrim") == 0) {
        /* A free chunk inside the heap (a guard after it keeps it out of
         * top) whose pages malloc_trim gives back by madvise, then the
         * same chunk again. */
        mallopt(M_MMAP_THRESHOLD, 4 * MIB);
        mallopt(M_TRIM_THRESHOLD, 64 * MIB);
        char *p = malloc(MIB);
        touch(p, MIB);
        report("first", p, MIB);
        char *volatile guard = malloc(100); /* volatile: kept, not elided */
        free(p);
        if (malloc_trim(0) != 1)
            return 3;
        char *q = malloc(MIB);
        touch(q, MIB);
        report("second", q, MIB);
        free(q);
        free(guard);
    } else if (strcmp(mode, "major") == 0) {
        char path[4096];
        snprintf(path, sizeof path, "%s.data", argv[1]);
        int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
        char *buf = calloc(1, MIB);
        unsigned char vec[MIB / 4096];
        if (fd < 0 || !buf || write(fd, buf, MIB) != MIB || fdatasync(fd)) {
            perror("fx_faults: data file");
            return 1;
        }
        volatile char *p = mmap(NULL, MIB, PROT_READ, MAP_SHARED, fd, 0);
        if (p == MAP_FAILED || madvise((void *)p, MIB, MADV_RANDOM)) {
            perror("fx_faults: mmap data file");
            return 1;
        }
        /* DONTNEED skips pages still busy (writeback, another CPU's LRU
         * batch): try again while mincore shows some, and report those
         * left: they will be minor faults. */
        size_t resident = 0;
        for (int attempt = 0; attempt < 50; attempt++) {
            if (posix_fadvise(fd, 0, MIB, POSIX_FADV_DONTNEED) || mincore((void *)p, MIB, vec)) {
                perror("fx_faults: evict data file");
                return 1;
            }
            resident = 0;
            for (size_t i = 0; i < MIB / 4096; i++)
                resident += vec[i] & 1;
            if (resident == 0)
                break;
            usleep(10000);
        }
        struct rusage before, after;
        getrusage(RUSAGE_THREAD, &before);
        unsigned sum = 0;
        for (size_t off = 0; off < MIB; off += 4096)
            sum += (unsigned char)p[off];
        getrusage(RUSAGE_THREAD, &after);
        report("file", (const void *)p, MIB);
        report("resident", NULL, resident);
        report("majflt", NULL, (size_t)(after.ru_majflt - before.ru_majflt));
        unlink(path);
        free(buf);
        return (int)sum; /* 0: the file is zeros */
    } else if (strcmp(mode, "arena") == 0) {
        pthread_t t;
        pthread_create(&t, NULL, arena_main, NULL);
        pthread_join(t, NULL);
    } else if (strcmp(mode, "threads") == 0 && argc > 3) {
        thread_pages = strtoul(argv[3], NULL, 0);
        pthread_t t[4];
        for (int i = 0; i < 4; i++)
            pthread_create(&t[i], NULL, thread_main, NULL);
        for (int i = 0; i < 4; i++)
            pthread_join(t[i], NULL);
    } else if (strcmp(mode, "bigblock") == 0) {
        char *p = malloc(MIB);
        memset(p, 1, MIB);
        report("block", p, MIB);
    } else if (strcmp(mode, "brkhead") == 0) {
        /* On the heap and kept there: no mmapped chunk, no trim when
         * glibc frees the old top. */
        mallopt(M_MMAP_THRESHOLD, 4 * MIB);
        mallopt(M_TRIM_THRESHOLD, 64 * MIB);
        free(malloc(16)); /* the heap and the tcache exist */
        /* The program's own sbrk: glibc's next sbrk returns its end, not
         * the end of glibc's heap, and glibc starts a new top chunk there,
         * 16 bytes short of a page boundary, never written. */
        size_t page = (size_t)sysconf(_SC_PAGESIZE);
        uintptr_t brk = (uintptr_t)sbrk(0);
        size_t gap = (page - brk % page) % page + page - 16;
        if (sbrk((intptr_t)gap) == (void *)-1) {
            perror("fx_faults: sbrk");
            return 1;
        }
        /* Larger than the top chunk left, so malloc grows the heap; a chunk
         * of 64 pages + 16 bytes (size + 8, rounded to 16), from the new
         * top: it ends on a page boundary. */
        size_t size = 64 * page + 8;
        char *p = malloc(size);
        memset(p, 1, size);
        report("block", p, size);
    } else if (strcmp(mode, "calls") == 0) {
        /* Most of the first top chunk (132 KiB), then more than is left
         * of it, below the mmap threshold: calloc grows the heap. */
        char *fill = malloc(100000);
        report("fill", fill, 100000); /* used: the compiler keeps it */
        char *c = calloc(1, 100000);
        report("calloc", c, 100000);
        char *r = malloc(100000);
        memset(r, 1, 100000);
        r = realloc(r, 600000);
        memset(r, 2, 600000);
        report("realloc", r, 600000);
        char *m = memalign(65536, 300000);
        memset(m, 3, 300000);
        report("memalign", m, 300000);
        free(fill);
    } else {
        fprintf(stderr, "fx_faults: unknown mode '%s'\n", mode);
        return 2;
    }
    fclose(out);
    return 0;
}
