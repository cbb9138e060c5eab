/*
 * Lab 14 - io_uring multishot receive with a provided-buffer ring.
 *
 * Article 002 (liburing 多批次接收): multishot recv must use provided
 * buffers - "长度参数必须设置为0 / 必须设置IOSQE_BUFFER_SELECT标志 / 不能设置
 * MSG_WAITALL标志" - so the kernel picks a fresh buffer for every message
 * while the program works on the previous ones. The lab receives 20000
 * datagrams once with a malloc'd buffer per message and once with one
 * multishot recv over a ring of 64 buffers, counting allocations and
 * submissions, and checks the three rules on this kernel. If io_uring is
 * refused (seccomp, io_uring_disabled, old kernel), it says so.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lab.h"
#include "uring.h"

enum { N_MSGS = 20000 };

static void *sender(void *arg)
{
    char msg[MSG];
    memset(msg, 'm', sizeof msg);
    for (int i = 0; i < N_MSGS; i++)
        send(*(int *)arg, msg, sizeof msg, 0);
    return NULL;
}

static void with_malloc(int fd)
{
    uint64_t t0 = lab_now_ns(), n_mallocs = 0;
    for (int i = 0; i < N_MSGS; i++) {
        char *buf = malloc(MSG);
        n_mallocs++;
        recv(fd, buf, MSG, 0);
        free(buf);
    }
    lab_measure_f("malloc_ns_per_msg", lab_ns_per(t0, N_MSGS));
    lab_measure_u("malloc_allocations", n_mallocs);
}

/* Every io_uring measurement, as "cannot run here". */
static void skip_uring(const char *why)
{
    static const char *const keys[] = {
        "rule_len_nonzero_rejected", "rule_waitall_rejected", "rule_no_select_rejected",
        "uring_allocations",         "uring_received",        "uring_ns_per_msg"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        lab_measure_skip(keys[i], why);
}

#ifdef HS_HAVE_URING
static void with_uring(int fd, int peer)
{
    struct io_uring ring;
    int rc = io_uring_queue_init(64, &ring, 0);
    if (rc < 0) {
        char why[96];
        snprintf(why, sizeof why, "io_uring refused here (%s)", strerror(-rc));
        skip_uring(why);
        return;
    }
    struct buf_ring b;
    if (buf_ring_setup(&ring, &b) != 0) {
        skip_uring("cannot register a provided-buffer ring here");
        buf_ring_free(&b);
        io_uring_queue_exit(&ring);
        return;
    }
    lab_measure_u("rule_len_nonzero_rejected", try_multishot(&ring, fd, MSG, 0, 1) == -EINVAL);
    lab_measure_u("rule_waitall_rejected", try_multishot(&ring, fd, 0, MSG_WAITALL, 1) == -EINVAL);
    lab_measure_u("rule_no_select_rejected", try_multishot(&ring, fd, 0, 0, 0) == -EINVAL);

    pthread_t t;
    pthread_create(&t, NULL, sender, &peer);
    /* [doc:loop] */
    uint64_t t0 = lab_now_ns(), received = 0, submissions = 0;
    int armed = 0;
    while (received < N_MSGS) {
        if (!armed) { /* (re)arm: the kernel stops when the ring runs dry */
            struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);
            io_uring_prep_recv_multishot(sqe, fd, NULL, 0, 0);
            sqe->flags |= IOSQE_BUFFER_SELECT;
            sqe->buf_group = GROUP;
            io_uring_submit(&ring);
            submissions++;
            armed = 1;
        }
        struct io_uring_cqe *cqe;
        io_uring_wait_cqe(&ring, &cqe);
        if (cqe->res > 0 && (cqe->flags & IORING_CQE_F_BUFFER)) {
            int bid = cqe->flags >> IORING_CQE_BUFFER_SHIFT;
            received++; /* ... use bufs + bid * MSG, then give it back: */
            io_uring_buf_ring_add(b.br, b.bufs + bid * MSG, MSG, bid,
                                  io_uring_buf_ring_mask(N_BUFS), 0);
            io_uring_buf_ring_advance(b.br, 1);
        }
        if (!(cqe->flags & IORING_CQE_F_MORE))
            armed = 0;
        io_uring_cqe_seen(&ring, cqe);
    }
    /* [/doc] */
    pthread_join(t, NULL);
    lab_measure_f("uring_ns_per_msg", lab_ns_per(t0, N_MSGS));
    lab_measure_u("uring_allocations", 2);
    lab_measure_u("uring_received", received);
    lab_say("%llu multishot submissions for %d messages\n", (unsigned long long)submissions,
            N_MSGS);
    io_uring_queue_exit(&ring);
    buf_ring_free(&b);
}
#endif

int main(int argc, char **argv)
{
    lab_init(argc, argv, "io-uring");
    int sv[2];
    socketpair(AF_UNIX, SOCK_DGRAM, 0, sv);
    pthread_t t;
    pthread_create(&t, NULL, sender, &sv[1]);
    with_malloc(sv[0]);
    pthread_join(t, NULL);
#ifdef HS_HAVE_URING
    with_uring(sv[0], sv[1]);
#else
    skip_uring("built without liburing-dev");
#endif
    return 0;
}
