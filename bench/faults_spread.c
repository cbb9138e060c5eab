/*
 * faults_spread.c MIB SECONDS - touches MIB MiB of one malloc'd block, one
 * page at a time, spread over about SECONDS, with a malloc/free pair per
 * page: a program that faults all along its run, for faults_bench.sh. The
 * live import then reads the sampler's log in hundreds of steps (one per
 * sampler pass), which is what fault_index.h must stand.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: faults_spread MIB SECONDS\n");
        return 2;
    }
    size_t pages = (size_t)atoi(argv[1]) * 256;
    double seconds = atof(argv[2]);
    char *block = malloc(pages * 4096);
    if (!block || pages < 1024)
        return 1;
    struct timespec pause = {0, (long)(seconds * 1e9 / (double)(pages / 1024))};
    for (size_t i = 0; i < pages; i++) {
        block[i * 4096] = 1;
        free(malloc(32));
        if (i % 1024 == 1023)
            nanosleep(&pause, NULL);
    }
    free(block);
    return 0;
}
