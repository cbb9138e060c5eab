/*
 * Lab 15 - IOCP is Windows-only: where its advice lands on Linux.
 *
 * Article 003 (IOCP中的资源管理与内存优化) is about Windows I/O completion
 * ports: overlapped I/O completed by the kernel, a queue of completions
 * (GetQueuedCompletionStatus), a thread pool, and memory pools for the
 * per-operation buffers. None of it runs on Linux, so this lab measures
 * nothing: it prints the mapping to the Linux mechanisms the other labs
 * measure, and says it cannot run here.
 */
#include "lab.h"

/* [doc:mapping] */
static const struct {
    const char *iocp, *linux_equivalent, *lab;
} mapping[] = {
    {"CreateIoCompletionPort (the port)", "io_uring_queue_init (SQ + CQ rings)", "14-io-uring"},
    {"overlapped WSARecv with a buffer",
     "recv SQE; with a provided-buffer ring the kernel picks the buffer", "14-io-uring"},
    {"GetQueuedCompletionStatus", "io_uring_wait_cqe / io_uring_peek_cqe", "14-io-uring"},
    {"one posted receive per message", "one multishot recv delivers many completions",
     "14-io-uring"},
    {"per-I/O context + buffer pool", "fixed-block pool, ring buffers, provided buffers",
     "11-pools"},
    {"TransmitFile", "sendfile / splice", "13-zero-copy"},
    {"thread pool on the port",
     "threads each with their own ring, or one ring and workers; mind the arenas", "09-arenas"},
};
/* [/doc] */

int main(int argc, char **argv)
{
    lab_init(argc, argv, "iocp");
    lab_say("IOCP is a Windows API; on Linux its ideas map to:\n\n");
    for (unsigned i = 0; i < sizeof mapping / sizeof mapping[0]; i++)
        lab_say("  %-36s -> %s  (lab %s)\n", mapping[i].iocp, mapping[i].linux_equivalent,
                mapping[i].lab);
    lab_say("\nsee docs/labs/15-iocp.md\n");
    lab_measure_skip("iocp_completion_port",
                     "IOCP is Windows-only; see the mapping above and docs/labs/15-iocp.md");
    return 0;
}
