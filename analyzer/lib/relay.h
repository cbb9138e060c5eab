/*
 * relay.h - hands the records of the tracer's rings from the drainer
 * (drain.c) to a live import (import_live.c) in memory, while the traced
 * program runs.
 *
 * Without it the drainer writes every record to a .hslog file and the
 * import reads it back after the program ended: 64 bytes per event of new
 * page-cache memory (about 0.2 s of kernel time for `make bench`'s 4 M
 * events here: first-touched memory is the expensive part on these
 * machines), and an import that only starts at the end. Through the relay
 * the drainer copies records into batches that the import consumes and
 * recycles, so the same few megabytes stay warm, and the import keeps pace
 * with the program on the other core.
 *
 * The order contract is the watermark: once the drainer publishes W, every
 * record with seq <= W has been posted (or will never exist: a slot lost
 * when its process died). The import processes seqs in order up to the
 * watermark; what lies beyond waits for a later one. hs_relay_close() means
 * every record has been posted.
 *
 * Memory: batches of HS_RELAY_BATCH records (512 KiB with their header
 * line), as many as the
 * import lags behind, up to an eighth of the machine's memory and at most
 * HS_RELAY_MAX_BYTES (1 GiB: the 4 M events of `make bench` take 256 MiB,
 * if the import did nothing while the program ran). Beyond it,
 * hs_relay_batch_get() waits for a batch to be recycled (the rings, and
 * then the program, wait meanwhile: an import slower than the program
 * slows it down rather than fill memory), unless the import is itself
 * waiting for a watermark.
 *
 * Once the relay is closed and every batch was recycled, a thread of the
 * relay's own (asleep until then) unmaps them all: a batch must not be
 * used after it was recycled to a closed relay.
 *
 * Thread safety: one drainer thread and one import thread; every call is
 * safe between them.
 */
#ifndef HS_RELAY_H
#define HS_RELAY_H

#include <stdint.h>

#include "heapscope/event.h"

#define HS_RELAY_BATCH 8191u /* records: 512 KiB with the header line */
#define HS_RELAY_MAX_BYTES (1ull << 30)

struct hs_relay;

struct hs_relay_batch {
    uint32_t image; /* from hs_relay_add_image */
    uint32_t n;     /* records in rec[] */
    struct hs_relay_batch *next;
    /* a record per cache line: whole lines are written, none shared */
    _Alignas(64) struct hs_record rec[HS_RELAY_BATCH];
};
_Static_assert(sizeof(struct hs_relay_batch) == 512u << 10, "a batch is 512 KiB");

/* What the import learns in one take. */
struct hs_relay_news {
    struct hs_relay_batch *batches; /* posted since the last take, oldest first */
    uint64_t watermark;             /* every seq <= it is posted */
    uint32_t n_images;              /* images announced so far */
    int closed;                     /* no batch will follow */
};

/* A relay whose batches may take max_bytes (0: the default above, an
 * eighth of the memory and at most HS_RELAY_MAX_BYTES). NULL if out of
 * memory. */
struct hs_relay *hs_relay_new(uint64_t max_bytes);
/* Frees the relay and every batch still in it. */
void hs_relay_free(struct hs_relay *r);

/* Drainer side. */
/* A new process image (its ring's header, copied); its index, or -1 if
 * out of memory. */
int64_t hs_relay_add_image(struct hs_relay *r, const struct hs_log_header *h);
/* The image is over: its final header (n_reserved, flags) and the slots it
 * reserved but never committed. */
void hs_relay_end_image(struct hs_relay *r, uint32_t image, const struct hs_log_header *h,
                        uint64_t n_lost);
/* An empty batch; waits while HS_RELAY_MAX_BATCHES are in use. NULL if
 * out of memory or once the import gave up (hs_relay_abandon). */
struct hs_relay_batch *hs_relay_batch_get(struct hs_relay *r);
/* Posts a batch (b->image and b->n set; n may be 0: the batch is
 * recycled). */
void hs_relay_post(struct hs_relay *r, struct hs_relay_batch *b);
void hs_relay_watermark(struct hs_relay *r, uint64_t seq);
/* 1 if the import waits for news (a new batch or watermark), else 0: a
 * hint, read without the lock. */
int hs_relay_import_waiting(struct hs_relay *r);
/* Every record is posted (also after a failure: the import then reports
 * what it lacks). */
void hs_relay_close(struct hs_relay *r);

/* Import side. */
/* Waits for news (new batches, a higher watermark, or the close) and
 * takes it. */
void hs_relay_take(struct hs_relay *r, struct hs_relay_news *news);
void hs_relay_recycle(struct hs_relay *r, struct hs_relay_batch *b);
/* Image i's header and lost slots as last announced (i < n_images). */
void hs_relay_image(struct hs_relay *r, uint32_t i, struct hs_log_header *h, uint64_t *n_lost);
/* How many batches may exist before batch_get waits. */
unsigned hs_relay_max_batches(const struct hs_relay *r);
/* The import failed: batch_get returns NULL from now on, so the drainer
 * never waits for it. */
void hs_relay_abandon(struct hs_relay *r);

#endif
