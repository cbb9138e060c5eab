/*
 * uring.c - the provided-buffer ring of lab 14 and the probe of the
 * article's rules for multishot recv (see uring.h).
 */
#include "uring.h"

#ifdef HS_HAVE_URING
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

int buf_ring_setup(struct io_uring *ring, struct buf_ring *b)
{
    b->br = NULL; /* for buf_ring_free after a failure */
    /* [doc:bufring] */
    void *br_memory = NULL;
    b->bufs = malloc(N_BUFS * MSG); /* allocation 1: all the buffers */
    if (!b->bufs || posix_memalign(&br_memory, 4096, N_BUFS * sizeof(struct io_uring_buf)) != 0)
        return -1; /* allocation 2: the ring, page-aligned */
    b->br = br_memory;
    struct io_uring_buf_reg reg = {
        .ring_addr = (uintptr_t)b->br, .ring_entries = N_BUFS, .bgid = GROUP};
    if (io_uring_register_buf_ring(ring, &reg, 0) != 0)
        return -1;
    io_uring_buf_ring_init(b->br);
    for (int i = 0; i < N_BUFS; i++)
        io_uring_buf_ring_add(b->br, b->bufs + i * MSG, MSG, i, io_uring_buf_ring_mask(N_BUFS), i);
    io_uring_buf_ring_advance(b->br, N_BUFS);
    /* [/doc] */
    return 0;
}

void buf_ring_free(struct buf_ring *b)
{
    free(b->br);
    free(b->bufs);
}

/* [doc:rules] */
/* Submits one multishot recv: -EINVAL if the kernel refuses it, 0 if it
 * was accepted (then it waits for data, so it is cancelled again). */
int try_multishot(struct io_uring *ring, int fd, size_t len, int msg_flags, int select)
{
    struct io_uring_sqe *sqe = io_uring_get_sqe(ring);
    io_uring_prep_recv_multishot(sqe, fd, NULL, len, msg_flags);
    if (select) {
        sqe->flags |= IOSQE_BUFFER_SELECT; /* the kernel picks the buffer */
        sqe->buf_group = GROUP;
    }
    io_uring_submit(ring);
    struct io_uring_cqe *cqe;
    struct __kernel_timespec wait = {.tv_nsec = 100 * 1000 * 1000};
    if (io_uring_wait_cqe_timeout(ring, &cqe, &wait) == 0) {
        int res = cqe->res;
        io_uring_cqe_seen(ring, cqe);
        return res == -EINVAL ? -EINVAL : 0;
    }
    sqe = io_uring_get_sqe(ring); /* accepted and armed: cancel it */
    io_uring_prep_cancel_fd(sqe, fd, IORING_ASYNC_CANCEL_ALL);
    io_uring_submit(ring);
    while (io_uring_wait_cqe_timeout(ring, &cqe, &wait) == 0)
        io_uring_cqe_seen(ring, cqe);
    return 0;
}
/* [/doc] */
#else
/* Built without liburing-dev: main.c reports every io_uring measure as
 * "cannot run here". (ISO C wants a declaration in every file.) */
typedef int lab14_no_uring;
#endif
