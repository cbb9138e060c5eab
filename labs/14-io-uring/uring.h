/*
 * uring.h - lab 14's io_uring pieces: the provided-buffer ring the kernel
 * picks receive buffers from, and the probe of the article's three rules
 * for a multishot recv. Only with liburing (HS_HAVE_URING).
 */
#ifndef LAB14_URING_H
#define LAB14_URING_H

/* Message size (the buffers' size too), buffers in the ring, their group. */
enum { MSG = 256, N_BUFS = 64, GROUP = 1 };

#ifdef HS_HAVE_URING
#include <liburing.h>
#include <stddef.h>

/* N_BUFS buffers of MSG bytes, registered as buffer group GROUP. */
struct buf_ring {
    struct io_uring_buf_ring *br; /* the ring of buffer descriptors, page-aligned */
    char *bufs;                   /* the buffers themselves, one allocation */
};

/* Allocates (two allocations in all) and registers the ring; 0 or -1
 * (then free it with buf_ring_free too). */
int buf_ring_setup(struct io_uring *ring, struct buf_ring *b);
void buf_ring_free(struct buf_ring *b);

/* Submits one multishot recv with these arguments: -EINVAL if the kernel
 * refuses it, 0 if it was accepted (it is then cancelled again). */
int try_multishot(struct io_uring *ring, int fd, size_t len, int msg_flags, int select);
#endif

#endif
