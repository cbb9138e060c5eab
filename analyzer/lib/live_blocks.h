/*
 * live_blocks.h - the blocks of one process image live right after an
 * event, from the trace's blocks table, in address order. This is what
 * `heapscope heap` shows for an allocator the glibc model does not know
 * (jemalloc, tcmalloc, mimalloc): no bins, only where blocks are.
 *
 * Allocates: no (rows are passed to the callback). Errors: HS_EDB.
 */
#ifndef HS_LIVE_BLOCKS_H
#define HS_LIVE_BLOCKS_H

#include <stdint.h>

#include "error.h"
#include "trace.h"

/* usable: the chunk or usable size the tracer read (0 if unknown). */
typedef void (*hs_live_block_fn)(void *ctx, uint64_t ptr, uint64_t requested, uint64_t usable);

/* Blocks of process image proc (processes.proc) allocated at or before
 * seq and not freed by it (seq 0: the end). */
int hs_live_blocks(struct hs_trace *t, uint32_t proc, uint64_t seq, hs_live_block_fn fn, void *ctx,
                   struct hs_error *err);

#endif
