/*
 * lab_print.h - output of `heapscope lab` (text and JSON), shared by
 * cmd_lab.c. Prints to stdout only.
 */
#ifndef HS_LAB_PRINT_H
#define HS_LAB_PRINT_H

#include <stddef.h>

#include "lab.h"

/* The catalogue: "NN  name  title" lines, or a JSON array. */
void lab_print_list(int json);

/* One lab's verdicts. trace is NULL for a native run; status is the
 * lab's wait status. */
void lab_print_text(const struct hs_lab *lab, const struct hs_lab_verdict *v, size_t n,
                    const char *trace, int status);
void lab_print_json(const struct hs_lab *lab, const struct hs_lab_verdict *v, size_t n,
                    const char *trace, int status);

#endif
