/*
 * grow.h - growing a heap array by doubling, the one way the library does
 * it (result rows read from SQLite, images, marks...).
 *
 * Usage, appending element n:
 *
 *     struct row *grown = hs_grow(rows, &cap, n, sizeof *grown, 16);
 *     if (!grown)
 *         return hs_error_set(err, HS_ENOMEM, "out of memory");
 *     rows = grown;
 *     rows[n++] = ...;
 *
 * Allocates: yes (realloc). Thread safety: none needed (no state).
 */
#ifndef HS_GROW_H
#define HS_GROW_H

#include <stddef.h>

/* Returns array with room for at least n + 1 elements of elem_size bytes,
 * *cap being how many it has room for now: array itself while n < *cap,
 * else array reallocated to twice *cap (first_cap when *cap is 0), with
 * *cap updated. Returns NULL when out of memory or when the size would
 * overflow; array and *cap are then unchanged (the caller still owns and
 * frees array). pre: n <= *cap, first_cap > 0. */
void *hs_grow(void *array, size_t *cap, size_t n, size_t elem_size, size_t first_cap);

#endif
