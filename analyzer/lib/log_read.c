/*
 * log_read.c - map one tracer log read-only and validate it (see log_read.h).
 *
 * The whole file is mapped once with PROT_READ; records are served straight
 * from the mapping. Validation order is the order a reader needs to trust
 * the next field: size of the file, magic, endian mark, header size, record
 * size, then the format version. The slot count is clamped to what the file
 * really holds, so a log cut short (a full disk, a copy interrupted) is read
 * to its last whole record and never read past its end.
 *
 * Checkable claim: for any file, hs_log_open either fails with one message
 * naming the file, or n_committed + n_lost == header->n_reserved.
 */
#include "log_read.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <assert.h>

static uint32_t bswap32(uint32_t x)
{
    return __builtin_bswap32(x);
}

static int validate(const struct hs_log_header *h, const char *path, struct hs_error *err)
{
    if (memcmp(h->magic, HS_LOG_MAGIC, sizeof h->magic) != 0)
        return hs_error_set(err, HS_EFORMAT, "'%s' is not a heapscope log: bad magic", path);
    if (h->endian_mark != HS_ENDIAN_MARK) {
        if (h->endian_mark == bswap32(HS_ENDIAN_MARK))
            return hs_error_set(err, HS_EFORMAT,
                                "'%s': written on a host of the other byte order "
                                "(endian mark 0x%08x, expected 0x%08x)",
                                path, h->endian_mark, HS_ENDIAN_MARK);
        return hs_error_set(err, HS_EFORMAT, "'%s': bad endian mark 0x%08x (expected 0x%08x)", path,
                            h->endian_mark, HS_ENDIAN_MARK);
    }
    /* A newer writer may have changed the sizes, so the version is checked
     * first among the layout fields: its message is the more useful one. */
    if (h->format_version > HS_FORMAT_VERSION)
        return hs_error_set(err, HS_EVERSION,
                            "'%s': log format version %u is newer than this build's %u", path,
                            h->format_version, HS_FORMAT_VERSION);
    if (h->format_version == 0)
        return hs_error_set(err, HS_EFORMAT, "'%s': log format version 0 (expected 1-%u)", path,
                            HS_FORMAT_VERSION);
    if (h->header_size != HS_LOG_HEADER_SIZE)
        return hs_error_set(err, HS_EFORMAT, "'%s': header size %u (expected %u)", path,
                            h->header_size, HS_LOG_HEADER_SIZE);
    if (h->record_size != HS_RECORD_SIZE)
        return hs_error_set(err, HS_EFORMAT, "'%s': record size %u (expected %u)", path,
                            h->record_size, HS_RECORD_SIZE);
    return HS_OK;
}

int hs_log_open(struct hs_log *log, const char *path, struct hs_error *err)
{
    memset(log, 0, sizeof *log);

    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return hs_error_set(err, HS_EIO, "cannot open log '%s': %s", path, strerror(errno));

    struct stat st;
    if (fstat(fd, &st) != 0) {
        int e = errno;
        close(fd);
        return hs_error_set(err, HS_EIO, "cannot stat log '%s': %s", path, strerror(e));
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        return hs_error_set(err, HS_EFORMAT, "'%s' is not a regular file", path);
    }
    if ((uint64_t)st.st_size < HS_LOG_HEADER_SIZE) {
        close(fd);
        return hs_error_set(err, HS_EFORMAT,
                            "'%s': truncated log: %lld bytes, shorter than its %u-byte header",
                            path, (long long)st.st_size, HS_LOG_HEADER_SIZE);
    }

    size_t size = (size_t)st.st_size;
    void *map = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0);
    int map_errno = errno;
    close(fd);
    if (map == MAP_FAILED)
        return hs_error_set(err, HS_EIO, "cannot map log '%s': %s", path, strerror(map_errno));

    const struct hs_log_header *h = map;
    int rc = validate(h, path, err);
    if (rc != HS_OK) {
        munmap(map, size);
        return rc;
    }

    /* The tracer advances n_reserved atomically; a finished log no longer
     * changes, and a live one is read as of this load. */
    uint64_t n_reserved = __atomic_load_n(&h->n_reserved, __ATOMIC_ACQUIRE);
    uint64_t in_file = (size - HS_LOG_HEADER_SIZE) / HS_RECORD_SIZE;
    const struct hs_record *records =
        (const struct hs_record *)((const char *)map + HS_LOG_HEADER_SIZE);

    uint64_t n_slots = n_reserved < in_file ? n_reserved : in_file;
    uint64_t n_committed = 0;
    for (uint64_t i = 0; i < n_slots; i++)
        if (__atomic_load_n(&records[i].op, __ATOMIC_ACQUIRE) != HS_OP_NONE)
            n_committed++;

    log->header = h;
    log->records = records;
    log->n_slots = n_slots;
    log->n_committed = n_committed;
    log->n_lost = n_reserved - n_committed;
    log->map = map;
    log->map_size = size;
    return HS_OK;
}

const struct hs_record *hs_log_record(const struct hs_log *log, uint64_t i)
{
    assert(i < log->n_slots);
    const struct hs_record *r = &log->records[i];
    return __atomic_load_n(&r->op, __ATOMIC_ACQUIRE) != HS_OP_NONE ? r : NULL;
}

void hs_log_close(struct hs_log *log)
{
    if (log->map)
        munmap(log->map, log->map_size);
    memset(log, 0, sizeof *log);
}
