/*
 * Lab 13 - zero-copy: sending a file over a loopback TCP socket.
 *
 * Article 004: the classic way copies kernel -> user -> kernel
 * ("从内核缓冲区拷贝到用户缓冲区 / 从用户缓冲区拷贝到socket的缓冲区"), sendfile
 * avoids both user-space copies, and "所谓的零拷贝并不是完全没有拷贝". The
 * lab sends a 32 MiB in-memory file (memfd) three ways - read/write,
 * sendfile, splice through a pipe - to a thread that drains the socket,
 * and counts the bytes that crossed into user space, the buffers the
 * sender allocated, time and CPU.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lab.h"

enum { FILE_SIZE = 64 << 20, CHUNK = 64 * 1024 };

static void *drain(void *arg)
{
    static char buf[CHUNK];
    int fd = *(int *)arg;
    uint64_t total = 0;
    ssize_t n;
    while ((n = recv(fd, buf, sizeof buf, 0)) > 0)
        total += (uint64_t)n;
    close(fd);
    return (void *)(uintptr_t)total;
}

struct result {
    uint64_t user_bytes, buffers, received;
};

/* [doc:methods] */
static void send_read_write(int file, int sock, struct result *r)
{
    char *buf = malloc(CHUNK); /* the user-space bounce buffer */
    r->buffers++;
    ssize_t n;
    while ((n = read(file, buf, CHUNK)) > 0) {
        r->user_bytes += 2 * (uint64_t)n; /* copied in, copied out */
        write(sock, buf, (size_t)n);
    }
    free(buf);
}

static void send_sendfile(int file, int sock, struct result *r)
{
    off_t off = 0;
    while (off < FILE_SIZE && sendfile(sock, file, &off, FILE_SIZE - off) > 0)
        ;
}

static void send_splice(int file, int sock, struct result *r)
{
    int p[2];
    pipe(p);
    ssize_t n;
    while ((n = splice(file, NULL, p[1], NULL, CHUNK, SPLICE_F_MOVE)) > 0)
        splice(p[0], NULL, sock, NULL, (size_t)n, SPLICE_F_MOVE);
    close(p[0]);
    close(p[1]);
}
/* [/doc] */

static double cpu_ms(void)
{
    struct rusage ru;
    getrusage(RUSAGE_THREAD, &ru); /* the sender alone */
    return (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
           (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
}

static void run(const char *name, void (*method)(int, int, struct result *), int file)
{
    int listener = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof addr;
    bind(listener, (struct sockaddr *)&addr, sizeof addr);
    listen(listener, 1);
    getsockname(listener, (struct sockaddr *)&addr, &len);
    int sock = socket(AF_INET, SOCK_STREAM, 0);
    connect(sock, (struct sockaddr *)&addr, sizeof addr);
    int peer = accept(listener, NULL, NULL);
    close(listener);
    pthread_t t;
    pthread_create(&t, NULL, drain, &peer);

    struct result r = {0, 0, 0};
    lseek(file, 0, SEEK_SET);
    uint64_t t0 = lab_now_ns();
    double c0 = cpu_ms();
    method(file, sock, &r);
    close(sock);
    void *received;
    pthread_join(t, &received);
    char key[64];
    snprintf(key, sizeof key, "%s_ms", name);
    lab_measure_f(key, (double)(lab_now_ns() - t0) / 1e6);
    snprintf(key, sizeof key, "%s_cpu_ms", name);
    lab_measure_f(key, cpu_ms() - c0);
    snprintf(key, sizeof key, "%s_user_bytes", name);
    lab_measure_u(key, r.user_bytes);
    snprintf(key, sizeof key, "%s_buffers", name);
    lab_measure_u(key, r.buffers);
    snprintf(key, sizeof key, "%s_received_ok", name);
    lab_measure_u(key, (uintptr_t)received == FILE_SIZE);
}

int main(int argc, char **argv)
{
    lab_init(argc, argv, "zero-copy");
    int file = memfd_create("lab13-file", MFD_CLOEXEC);
    ftruncate(file, FILE_SIZE);
    char *map = mmap(NULL, FILE_SIZE, PROT_WRITE, MAP_SHARED, file, 0);
    memset(map, 'z', FILE_SIZE); /* in the page cache, as a hot file is */
    munmap(map, FILE_SIZE);
    lab_say("sending %d MiB over 127.0.0.1 three ways\n", FILE_SIZE >> 20);
    run("read_write", send_read_write, file);
    run("sendfile", send_sendfile, file);
    run("splice", send_splice, file);
    close(file);
    return 0;
}
