/*
 * Lab 5 - page faults: fresh mmap'd memory against reused heap memory.
 *
 * Article 001: "使用 mmap 分配 1M 空间，第一次调用产生了大量缺页中断
 * (1M/4K 次)，当munmap 后再次分配 1M 空间，会再次产生大量缺页中断" and
 * "堆内碎片 ... 如果可重用碎片，再次访问该内存很可能不需产生任何系统调用
 * 和缺页中断". The lab touches one byte per page and counts minor faults
 * with getrusage (the kernel's own counter) around each step.
 */
#define _DEFAULT_SOURCE
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "lab.h"

enum { MIB = 1 << 20, PAGE = 4096 };

/* [doc:touch] */
/* Minor faults taken while writing one byte in each page of [p, p+len). */
static uint64_t faults_touching(char *p, size_t len)
{
    uint64_t before = lab_minflt();
    for (size_t i = 0; i < len; i += PAGE)
        p[i] = 1;
    return lab_minflt() - before;
}
/* [/doc] */

int main(int argc, char **argv)
{
    lab_init(argc, argv, "page-faults");
    faults_touching((char[PAGE]){0}, PAGE); /* fault in the code and stack we use */
    lab_minflt();

    /* [doc:mmap] */
    char *m = mmap(NULL, MIB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    lab_measure_u("mmap_1mib_faults", faults_touching(m, MIB));
    munmap(m, MIB);
    m = mmap(NULL, MIB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    lab_measure_u("mmap_again_faults", faults_touching(m, MIB));
    munmap(m, MIB);
    /* [/doc] */
    lab_mark("after-mmap");

    /* [doc:heap] */
    /* malloc(1 MiB): mmapped the first time (above the 128 KiB threshold);
     * its free raises the threshold (lab 4), so the next one comes from
     * the heap, and the one after that reuses the same heap pages. */
    char *p = malloc(MIB);
    lab_measure_u("malloc_first_faults", faults_touching(p, MIB));
    free(p);
    p = malloc(MIB);
    lab_measure_u("malloc_second_faults", faults_touching(p, MIB));
    free(p);
    lab_mark("heap-warm");
    p = malloc(MIB);
    lab_measure_u("heap_reuse_faults", faults_touching(p, MIB));
    free(p);
    /* [/doc] */
    return 0;
}
