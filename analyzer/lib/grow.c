/* grow.c - array growth by doubling (grow.h): amortised O(1) appends, at
 * most half of the array unused. */
#include "grow.h"

#include <assert.h>
#include <stdint.h>
#include <stdlib.h>

void *hs_grow(void *array, size_t *cap, size_t n, size_t elem_size, size_t first_cap)
{
    assert(n <= *cap && first_cap > 0);
    if (n < *cap)
        return array;
    size_t want = *cap ? *cap * 2 : first_cap;
    if (want < *cap || want > SIZE_MAX / elem_size)
        return NULL;
    void *grown = realloc(array, want * elem_size);
    if (grown)
        *cap = want;
    return grown;
}
