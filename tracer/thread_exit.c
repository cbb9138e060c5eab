/* thread_exit.c - the thread_exit event (contract in thread_exit.h). */
#include "thread_exit.h"

#include <limits.h>
#include <pthread.h>
#include <stdint.h>

#include "record.h"

/* Keys from this one up have their value in a block pthread_setspecific
 * allocates (glibc's PTHREAD_KEY_2NDLEVEL_SIZE). */
#define FIRST_ALLOCATING_KEY 32u

static pthread_key_t exit_key;
static int have_key; /* set once at init, before any thread records */

static void on_exit_round(void *round)
{
    uintptr_t n = (uintptr_t)round;
    if (n < PTHREAD_DESTRUCTOR_ITERATIONS) {
        pthread_setspecific(exit_key, (void *)(n + 1)); /* once more, after the others */
        return;
    }
    hs__record_call(HS_OP_THREAD_EXIT, HS_ORIGIN_PROGRAM, 0, 0, 0, 0, 0, 0);
}

void hs__thread_exit_init(void)
{
    if (!have_key && pthread_key_create(&exit_key, on_exit_round) == 0) {
        if (exit_key < FIRST_ALLOCATING_KEY)
            have_key = 1;
        else
            pthread_key_delete(exit_key);
    }
}

void hs__thread_exit_watch(void)
{
    if (have_key)
        pthread_setspecific(exit_key, (void *)1);
}
