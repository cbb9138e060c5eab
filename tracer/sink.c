/*
 * sink.c - log file creation: header, seq counter, /proc/self/maps copy.
 *
 * The log is mapped once with a large MAP_NORESERVE range (16 GiB of
 * virtual address space, no memory or disk charged) and grown underneath
 * the mapping by fallocate() (record.c). Pages of a MAP_SHARED file mapping
 * belong to the page cache, so the kernel writes them back even if the
 * process dies by SIGKILL: this is the whole of the crash safety.
 *
 * Names are formatted by hand (fmt_u64) instead of snprintf, to keep stdio
 * out of the library entirely.
 */
#include "sink.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>

#include "state.h"
#include "sys.h"

extern char **environ;

/* Appends the decimal digits of v at p; returns the end. */
static char *fmt_u64(char *p, uint64_t v)
{
    char tmp[24];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n)
        *p++ = tmp[--n];
    return p;
}

static char *append(char *p, const char *s)
{
    while (*s)
        *p++ = *s++;
    return p;
}

static void log_name(char *buf, uint32_t pid, uint32_t gen, const char *ext)
{
    char *p = fmt_u64(buf, pid);
    *p++ = '.';
    p = fmt_u64(p, gen);
    p = append(p, ext);
    *p = '\0';
}

int hs__sink_open_seq(void)
{
    if (hs__state.seq)
        return 0;
    int fd = hs__sys_open_at(hs__state.dir_fd, "seq", O_RDWR | O_CREAT);
    if (fd < 0)
        return fd;
    /* Extend to 8 bytes without ever truncating a counter already in use. */
    int rc = hs__sys_fallocate(fd, 0, sizeof(uint64_t));
    if (rc == 0) {
        void *m = hs__sys_map_shared(fd, sizeof(uint64_t));
        if (m)
            hs__state.seq = m;
        else
            rc = -ENOMEM;
    }
    hs__sys_close(fd);
    return rc;
}

static uint32_t read_file(const char *path, char *buf, uint32_t cap)
{
    int fd = hs__sys_open_read(path);
    if (fd < 0)
        return 0;
    uint32_t used = 0;
    while (used < cap) {
        long r = hs__sys_read(fd, buf + used, cap - used);
        if (r <= 0)
            break;
        used += (uint32_t)r;
    }
    hs__sys_close(fd);
    return used;
}

static int env_wanted(const char *e)
{
    return strncmp(e, "MALLOC_", 7) == 0 || strncmp(e, "GLIBC_TUNABLES=", 15) == 0 ||
           strncmp(e, "LD_PRELOAD=", 11) == 0;
}

static void fill_header(struct hs_log_header *h, uint32_t gen, uint32_t flags)
{
    if (!hs__state.ring_wanted) /* a ring's magic is stored last (open_ring) */
        memcpy(h->magic, HS_LOG_MAGIC, sizeof h->magic);
    h->format_version = HS_FORMAT_VERSION;
    h->record_size = HS_RECORD_SIZE;
    h->header_size = HS_LOG_HEADER_SIZE;
    h->endian_mark = HS_ENDIAN_MARK;
    h->pid = hs__sys_getpid();
    h->ppid = hs__sys_getppid();
    h->exec_gen = gen;
    h->flags = flags;
    h->start_mono_ns = hs__sys_clock_mono_ns();
    h->start_real_ns = hs__sys_clock_real_ns();
    h->initial_brk = hs__state.real.sbrk ? (uint64_t)(uintptr_t)hs__state.real.sbrk(0) : 0;
    h->page_size = hs__sys_page_size();

    long n = hs__sys_readlink("/proc/self/exe", h->exe, sizeof h->exe);
    h->exe_len = n > 0 ? (uint32_t)n : 0;
    h->cmdline_len = read_file("/proc/self/cmdline", h->cmdline, sizeof h->cmdline);

    uint32_t used = 0;
    for (char **e = environ; e && *e; e++) {
        if (!env_wanted(*e))
            continue;
        size_t len = strlen(*e) + 1;
        if (used + len > sizeof h->env)
            break;
        memcpy(h->env + used, *e, len);
        used += (uint32_t)len;
    }
    h->env_len = used;
}

static void copy_maps(uint32_t pid, uint32_t gen, const char *ext)
{
    char name[64];
    log_name(name, pid, gen, ext);
    int out = hs__sys_open_at(hs__state.dir_fd, name, O_WRONLY | O_CREAT | O_TRUNC);
    if (out < 0)
        return;
    int in = hs__sys_open_read("/proc/self/maps");
    if (in >= 0) {
        char buf[4096];
        long r;
        while ((r = hs__sys_read(in, buf, sizeof buf)) > 0)
            if (hs__sys_write_all(out, buf, (size_t)r) != 0)
                break;
        hs__sys_close(in);
    }
    hs__sys_close(out);
}

/* Ring mode: the gen of a new image is the first for which neither a
 * .hslog (an earlier image already drained) nor a .ring exists. The drainer
 * removes a ring only once its image is over (its pid dead, or a later gen
 * present), so an exec'd image never reuses its predecessor's gen. */
static int create_ring_file(uint32_t pid, uint32_t *gen_out)
{
    char name[64];
    for (uint32_t gen = 0; gen < 1000; gen++) {
        log_name(name, pid, gen, ".hslog");
        int probe = hs__sys_open_at(hs__state.dir_fd, name, O_RDONLY);
        if (probe >= 0) {
            hs__sys_close(probe);
            continue;
        }
        log_name(name, pid, gen, ".ring");
        int fd = hs__sys_open_at(hs__state.dir_fd, name, O_RDWR | O_CREAT | O_EXCL);
        if (fd == -EEXIST)
            continue;
        *gen_out = gen;
        return fd;
    }
    return -EEXIST;
}

static int open_ring(uint64_t cap, uint64_t max_events, uint32_t flags, const char **what)
{
    uint32_t pid = hs__sys_getpid(), gen = 0;
    int fd = create_ring_file(pid, &gen);
    if (fd < 0) {
        *what = "cannot create the ring file";
        return fd;
    }
    fd = hs__sys_fd_move_high(fd);
    size_t map_size = HS_RING_PREFIX_SIZE + cap * HS_RECORD_SIZE;
    int rc = hs__sys_fallocate(fd, 0, map_size);
    void *map = rc == 0 ? hs__sys_map_shared(fd, map_size) : NULL;
    if (!map) {
        *what = "cannot allocate the ring file";
        hs__sys_close(fd);
        return rc ? rc : -ENOMEM;
    }
    /* The same limits as a .hslog: the drained log must fit them too. */
    uint64_t max_slots = (HS_LOG_RESERVE_BYTES - HS_LOG_HEADER_SIZE) / HS_RECORD_SIZE;
    if (max_events && max_events < max_slots)
        max_slots = max_events;
    uint64_t fsize = hs__sys_file_size_limit(); /* >= the ring's size here */
    if ((fsize - HS_LOG_HEADER_SIZE) / HS_RECORD_SIZE < max_slots)
        max_slots = (fsize - HS_LOG_HEADER_SIZE) / HS_RECORD_SIZE;

    struct hs_log_header *h = map;
    struct hs_ring_control *ctl = (struct hs_ring_control *)((char *)map + HS_LOG_HEADER_SIZE);
    hs__state.log_fd = fd;
    hs__state.exec_gen = gen;
    hs__state.header = h;
    hs__state.records = (struct hs_record *)((char *)map + HS_RING_PREFIX_SIZE);
    hs__state.map_size = map_size;
    hs__state.max_slots = max_slots;
    hs__state.ring = 1;
    hs__state.tsc = hs__state.tsc_wanted && hs__sys_has_cycles();
    hs__state.ring_mask = cap - 1;
    hs__state.ring_shift = (unsigned)__builtin_ctzll(cap);
    hs__state.ring_ctl = ctl;
    __atomic_store_n(&hs__state.ring_consumed, 0, __ATOMIC_RELEASE);
    __atomic_store_n(&hs__state.fast_limit, hs__state.tsc ? (cap < max_slots ? cap : max_slots) : 0,
                     __ATOMIC_RELEASE);
    /* Fault the whole ring in once, now: later laps reuse its pages. */
    hs__sys_prefault(map, map_size);
    ctl->capacity = cap;
    ctl->ring_flags = hs__state.tsc ? HS_RING_TSC : 0;
    ctl->abandoned = UINT64_MAX;
    fill_header(h, gen, flags);
    /* The magic last: a drainer adopts the ring only once it reads it. */
    uint64_t magic;
    memcpy(&magic, HS_RING_MAGIC, sizeof magic);
    __atomic_store_n((uint64_t *)(void *)h->magic, magic, __ATOMIC_RELEASE);
    copy_maps(pid, gen, ".maps");
    return 0;
}

int hs__sink_open_log(uint64_t max_events, uint32_t flags, const char **what)
{
    /* Under an RLIMIT_FSIZE smaller than the ring (fallocate past it raises
     * SIGXFSZ) a smaller ring, down to HS_RING_MIN_RECORDS: the live import
     * reads only rings. Below that, or if the ring cannot be made, the
     * linear log (which only an import after the run reads). */
    uint64_t fsize = hs__sys_file_size_limit(), cap = hs__state.ring_records;
    uint64_t room = fsize > HS_LOG_HEADER_SIZE ? fsize - HS_LOG_HEADER_SIZE : 0;
    while (cap > HS_RING_MIN_RECORDS && room < HS_RING_PREFIX_SIZE + cap * HS_RECORD_SIZE)
        cap /= 2;
    if (hs__state.ring_wanted && room >= HS_RING_PREFIX_SIZE + cap * HS_RECORD_SIZE &&
        open_ring(cap, max_events, flags, what) == 0)
        return 0;
    uint32_t pid = hs__sys_getpid();
    char name[64];
    int fd = -1;
    uint32_t gen;
    for (gen = 0; gen < 1000; gen++) {
        log_name(name, pid, gen, ".hslog");
        fd = hs__sys_open_at(hs__state.dir_fd, name, O_RDWR | O_CREAT | O_EXCL);
        if (fd != -EEXIST)
            break;
    }
    if (fd < 0) {
        *what = "cannot create the log file";
        return fd;
    }
    fd = hs__sys_fd_move_high(fd);
    struct hs_file_id id;
    if (hs__sys_fd_identity(fd, &id) != 0) {
        *what = "cannot stat the log file";
        hs__sys_close(fd);
        return -EBADF;
    }

    uint64_t max_slots = (HS_LOG_RESERVE_BYTES - HS_LOG_HEADER_SIZE) / HS_RECORD_SIZE;
    if (max_events && max_events < max_slots)
        max_slots = max_events;
    /* Stay under RLIMIT_FSIZE: the log fills up instead of the program
     * dying of SIGXFSZ. */
    if (fsize < HS_LOG_HEADER_SIZE + HS_RECORD_SIZE) {
        *what = "RLIMIT_FSIZE leaves no room for the log";
        hs__sys_close(fd);
        return -EFBIG;
    }
    if ((fsize - HS_LOG_HEADER_SIZE) / HS_RECORD_SIZE < max_slots)
        max_slots = (fsize - HS_LOG_HEADER_SIZE) / HS_RECORD_SIZE;
    uint64_t first = max_slots < HS_SEGMENT_RECORDS ? max_slots : HS_SEGMENT_RECORDS;
    int rc = hs__sys_fallocate(fd, 0, HS_LOG_HEADER_SIZE + first * HS_RECORD_SIZE);
    if (rc != 0) {
        *what = "cannot allocate the log file";
        hs__sys_close(fd);
        return rc;
    }
    size_t page = hs__sys_page_size();
    size_t map_size = HS_LOG_HEADER_SIZE + max_slots * HS_RECORD_SIZE;
    map_size = (map_size + page - 1) / page * page;
    void *map = hs__sys_map_shared(fd, map_size);
    if (!map) {
        *what = "cannot map the log file";
        hs__sys_close(fd);
        return -ENOMEM;
    }

    hs__state.log_fd = fd;
    hs__state.log_id = id;
    hs__state.exec_gen = gen;
    hs__state.header = map;
    hs__state.records = (struct hs_record *)((char *)map + HS_LOG_HEADER_SIZE);
    hs__state.map_size = map_size;
    hs__state.max_slots = max_slots;
    __atomic_store_n(&hs__state.covered, first, __ATOMIC_RELEASE);
    hs__sys_prefault(map, HS_LOG_HEADER_SIZE + first * HS_RECORD_SIZE);
    fill_header(map, gen, flags);
    copy_maps(pid, gen, ".maps");
    return 0;
}

void hs__sink_drop_inherited(void)
{
    if (hs__state.header)
        hs__sys_unmap(hs__state.header, hs__state.map_size);
    if (hs__state.log_fd >= 0)
        hs__sys_close(hs__state.log_fd);
    hs__state.header = NULL;
    hs__state.records = NULL;
    hs__state.log_fd = -1;
    hs__state.covered = 0;
    hs__state.ring = 0;
    hs__state.tsc = 0;
    hs__state.fast_limit = 0;
    hs__state.ring_ctl = NULL;
}

void hs__sink_copy_maps_at_exit(void)
{
    if (hs__state.header && hs__state.dir_fd >= 0)
        copy_maps(hs__sys_getpid(), hs__state.exec_gen, ".maps.end");
}
