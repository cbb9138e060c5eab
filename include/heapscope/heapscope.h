/*
 * heapscope.h - the API a traced program may call.
 *
 * Marks label a moment of the run ("after-free-loop"); the analyzer can show
 * the heap, the bins and fragmentation at a mark, and the tracer records
 * glibc's mallinfo2() and the program break there as ground truth.
 *
 * A program that should also run without the tracer declares the function
 * weak and checks it:
 *
 *     #pragma weak heapscope_mark
 *     if (heapscope_mark) heapscope_mark("phase-2");
 *
 * or links nothing and uses HEAPSCOPE_MARK(), which does exactly that.
 * Thread safety: callable from any thread. Allocates: no. Labels longer than
 * 39 bytes are truncated (and flagged so in the trace).
 */
#ifndef HEAPSCOPE_H
#define HEAPSCOPE_H

#ifdef __cplusplus
extern "C" {
#endif

void heapscope_mark(const char *label) __attribute__((weak));

#define HEAPSCOPE_MARK(label)                                                  \
    do {                                                                       \
        if (heapscope_mark)                                                    \
            heapscope_mark(label);                                             \
    } while (0)

#ifdef __cplusplus
}
#endif

#endif
