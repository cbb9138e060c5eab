/*
 * block_events.h - what an event does to the set of live blocks, for the
 * exports that replay the stream without the glibc model (timeline.c,
 * lifetimes.c, sizes.c, sites.c). Semantics per op are in event.h:
 * realloc is one event that frees old_ptr and allocates ptr; a failed
 * call (HS_F_FAILED) changes nothing; realloc(p, 0) frees p.
 *
 * Allocates: no. Header-only (static inline).
 */
#ifndef HS_BLOCK_EVENTS_H
#define HS_BLOCK_EVENTS_H

#include <stdint.h>

#include "trace.h"

static inline int hs_op_allocates(unsigned op)
{
    switch (op) {
    case HS_OP_MALLOC: case HS_OP_CALLOC: case HS_OP_REALLOC: case HS_OP_REALLOCARRAY:
    case HS_OP_MEMALIGN: case HS_OP_POSIX_MEMALIGN: case HS_OP_ALIGNED_ALLOC:
    case HS_OP_VALLOC: case HS_OP_PVALLOC:
        return 1;
    default:
        return 0;
    }
}

/* The block address this event frees, or 0. */
static inline uint64_t hs_event_freed(const struct hs_event *ev)
{
    if (ev->flags & HS_F_FAILED)
        return 0;
    if (ev->op == HS_OP_FREE)
        return ev->ptr;
    if (ev->op == HS_OP_REALLOC || ev->op == HS_OP_REALLOCARRAY)
        return ev->old_ptr;
    return 0;
}

/* The block address this event allocates, or 0. */
static inline uint64_t hs_event_allocated(const struct hs_event *ev)
{
    if ((ev->flags & HS_F_FAILED) || !hs_op_allocates(ev->op))
        return 0;
    return ev->ptr;
}

/* Size classes the pictures colour by (docs/cli/lifetimes.md). */
enum hs_size_class { HS_CLASS_FAST, HS_CLASS_SMALL, HS_CLASS_LARGE, HS_CLASS_MMAPPED,
                     HS_CLASS_UNKNOWN };

static inline enum hs_size_class hs_size_class_of(uint64_t chunk_size, uint16_t flags)
{
    if (flags & HS_CHUNK_IS_MMAPPED)
        return HS_CLASS_MMAPPED;
    if (flags & HS_F_NO_CHUNK)
        return HS_CLASS_UNKNOWN;
    if (chunk_size <= 0x80)
        return HS_CLASS_FAST;
    if (chunk_size < 0x400)
        return HS_CLASS_SMALL;
    return HS_CLASS_LARGE;
}

static inline const char *hs_size_class_name(enum hs_size_class c)
{
    static const char *const names[] = {"fast", "small", "large", "mmapped", "unknown"};
    return names[c];
}

#endif
