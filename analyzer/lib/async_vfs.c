/*
 * async_vfs.c - the "hs-async" VFS (async_vfs.h): the default VFS, except
 * that the main database file's writes are queued for a writer thread.
 */
#include "async_vfs.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#define QUEUE_LIMIT (32u << 20)  /* bytes queued before xWrite waits... */
#define QUEUE_RESUME (16u << 20) /* ...until the writer is down to this */
#define WAKE_BYTES (1u << 20)    /* the writer sleeps until this much is queued */
/* Room of a write that consecutive pages extend: under 128 KiB, as the
 * default VFS's pwrite(2) of one call takes at most 0x1ffff bytes. */
#define RUN_BYTES (124u << 10)
/* Where the default VFS's file starts in ours. */
#define REAL_OFFSET ((sizeof(struct async_file) + 15) / 16 * 16)

struct pending_write {
    struct pending_write *next;
    sqlite3_int64 offset;
    int len;
    int cap; /* bytes of data[]: a later write at offset + len is appended */
    unsigned char data[];
};

struct async_file {
    sqlite3_file base;  /* pMethods = &async_methods */
    sqlite3_file *real; /* the default VFS's file, REAL_OFFSET bytes in */
    int async;          /* the main database: writes go through the queue */
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t changed;
    struct pending_write *head, *tail; /* head: being written or next */
    struct pending_write *writing;     /* the one the writer is writing */
    struct pending_write *prev;        /* the one before tail, if queued */
    sqlite3_int64 last_end;            /* where the last xWrite ended */
    size_t queued;                     /* bytes in the queue (their room) */
    int stop;                          /* xClose: the thread exits when empty */
    int flushing;                      /* a flush waits: write even below WAKE_BYTES */
    int error;                         /* first failed write's SQLite code, else 0 */
};

static sqlite3_vfs async_vfs;
static sqlite3_vfs *base_vfs;

static void *writer(void *arg)
{
    struct async_file *f = arg;
    pthread_mutex_lock(&f->lock);
    int draining = 0;
    for (;;) {
        /* Woken per megabyte rather than per page (a futex wake and a
         * context switch for each 4 KiB page cost more than the write),
         * then it writes until the queue is empty. */
        if (!f->head)
            draining = 0;
        while (!draining && !f->stop && (!f->head || (!f->flushing && f->queued < WAKE_BYTES)))
            pthread_cond_wait(&f->changed, &f->lock);
        if (!f->head) {
            if (f->stop)
                break;
            continue;
        }
        /* The last write while it can still grow is left to the next
         * wake-up (or the flush): written now, the pages after it would
         * start a new one, and the runs would stay short. */
        if (f->head == f->tail && f->head->len < f->head->cap && !f->flushing && !f->stop) {
            draining = 0;
            continue;
        }
        draining = 1;
        struct pending_write *w = f->head;
        f->writing = w; /* no more appends to it */
        pthread_mutex_unlock(&f->lock);
        int rc =
            f->error ? SQLITE_OK : f->real->pMethods->xWrite(f->real, w->data, w->len, w->offset);
        pthread_mutex_lock(&f->lock);
        if (rc != SQLITE_OK && !f->error)
            f->error = rc;
        f->head = w->next;
        f->writing = NULL;
        if (f->prev == w)
            f->prev = NULL;
        if (!f->head)
            f->tail = NULL;
        size_t before = f->queued;
        f->queued -= (size_t)w->cap;
        free(w);
        if (!f->head || (before > QUEUE_RESUME && f->queued <= QUEUE_RESUME))
            pthread_cond_broadcast(&f->changed);
    }
    pthread_mutex_unlock(&f->lock);
    return NULL;
}

/* Waits until every queued write is done; the first write error, if any. */
static int flush(struct async_file *f)
{
    if (!f->async)
        return SQLITE_OK;
    pthread_mutex_lock(&f->lock);
    if (f->head) {
        f->flushing = 1;
        pthread_cond_broadcast(&f->changed);
        while (f->head)
            pthread_cond_wait(&f->changed, &f->lock);
        f->flushing = 0;
    }
    int rc = f->error;
    pthread_mutex_unlock(&f->lock);
    return rc;
}

/* Queues a copy of the write. SQLite writes a page at a time, mostly in
 * ascending order: a page that continues one of the queue's last two
 * writes is appended to it (when it has room and is not being written;
 * to the one before the last only if it does not overlap the last, which
 * is written after it), so the writer issues one pwrite(2) per run of up
 * to RUN_BYTES instead of one per page (an eighth of the calls for a 4
 * M-event trace: a blob's overflow pages, between which its cell's page
 * comes out of order). */
static int async_write(sqlite3_file *file, const void *data, int len, sqlite3_int64 offset)
{
    struct async_file *f = (struct async_file *)file;
    if (!f->async)
        return f->real->pMethods->xWrite(f->real, data, len, offset);
    pthread_mutex_lock(&f->lock);
    if (f->queued > QUEUE_LIMIT)
        while (f->queued > QUEUE_RESUME && !f->error)
            pthread_cond_wait(&f->changed, &f->lock);
    int rc = f->error;
    struct pending_write *t = f->tail, *p = f->prev, *to = NULL;
    int run = offset == f->last_end || (p && offset == p->offset + p->len);
    f->last_end = offset + len;
    if (rc == 0 && t && t != f->writing && t->offset + t->len == offset && t->cap - t->len >= len)
        to = t;
    else if (rc == 0 && p && t && p != f->writing && p->offset + p->len == offset &&
             p->cap - p->len >= len && (offset + len <= t->offset || offset >= t->offset + t->len))
        to = p;
    if (to) {
        memcpy(to->data + to->len, data, (size_t)len);
        to->len += len;
        pthread_mutex_unlock(&f->lock);
        return SQLITE_OK;
    }
    pthread_mutex_unlock(&f->lock);
    if (rc)
        return rc;
    /* room for a run only where one goes on (else a page's worth) */
    int cap = run && len < (int)RUN_BYTES ? (int)RUN_BYTES : len;
    struct pending_write *w = malloc(sizeof *w + (size_t)cap);
    if (!w) {
        rc = flush(f);
        return rc ? rc : f->real->pMethods->xWrite(f->real, data, len, offset);
    }
    w->next = NULL;
    w->offset = offset;
    w->len = len;
    w->cap = cap;
    memcpy(w->data, data, (size_t)len);
    pthread_mutex_lock(&f->lock);
    rc = f->error;
    if (rc) {
        free(w);
    } else {
        if (f->tail)
            f->tail->next = w;
        else
            f->head = w;
        f->prev = f->tail;
        f->tail = w;
        f->queued += (size_t)cap;
        if (f->queued >= WAKE_BYTES)
            pthread_cond_signal(&f->changed); /* no syscall if it is awake */
    }
    pthread_mutex_unlock(&f->lock);
    return rc;
}

static int async_close(sqlite3_file *file)
{
    struct async_file *f = (struct async_file *)file;
    int rc = SQLITE_OK;
    if (f->async) {
        rc = flush(f);
        pthread_mutex_lock(&f->lock);
        f->stop = 1;
        pthread_cond_broadcast(&f->changed);
        pthread_mutex_unlock(&f->lock);
        pthread_join(f->thread, NULL);
        pthread_cond_destroy(&f->changed);
        pthread_mutex_destroy(&f->lock);
        f->async = 0;
    }
    int crc = f->real->pMethods ? f->real->pMethods->xClose(f->real) : SQLITE_OK;
    return rc ? rc : crc;
}

/* The other methods: flush, then the default VFS's. */
#define REAL(file) (((struct async_file *)(file))->real)
#define FLUSH_OR_RETURN(file)                                                                      \
    do {                                                                                           \
        int frc_ = flush((struct async_file *)(file));                                             \
        if (frc_)                                                                                  \
            return frc_;                                                                           \
    } while (0)

static int async_read(sqlite3_file *file, void *buf, int len, sqlite3_int64 offset)
{
    FLUSH_OR_RETURN(file);
    return REAL(file)->pMethods->xRead(REAL(file), buf, len, offset);
}

static int async_truncate(sqlite3_file *file, sqlite3_int64 size)
{
    FLUSH_OR_RETURN(file);
    return REAL(file)->pMethods->xTruncate(REAL(file), size);
}

static int async_sync(sqlite3_file *file, int flags)
{
    FLUSH_OR_RETURN(file);
    return REAL(file)->pMethods->xSync(REAL(file), flags);
}

static int async_file_size(sqlite3_file *file, sqlite3_int64 *size)
{
    FLUSH_OR_RETURN(file);
    return REAL(file)->pMethods->xFileSize(REAL(file), size);
}

static int async_lock(sqlite3_file *file, int level)
{
    FLUSH_OR_RETURN(file);
    return REAL(file)->pMethods->xLock(REAL(file), level);
}

static int async_unlock(sqlite3_file *file, int level)
{
    FLUSH_OR_RETURN(file);
    return REAL(file)->pMethods->xUnlock(REAL(file), level);
}

static int async_check_reserved_lock(sqlite3_file *file, int *out)
{
    FLUSH_OR_RETURN(file);
    return REAL(file)->pMethods->xCheckReservedLock(REAL(file), out);
}

static int async_file_control(sqlite3_file *file, int op, void *arg)
{
    /* Two are frequent: the pager hints the size before writes past the
     * end, and each PRAGMA (the importer's page_count after every event
     * chunk) is announced; a flush for each made the SQLite thread wait
     * for the disk a thousand times for 4 M events. A size hint may be
     * ignored (the default VFS acts on it only with a chunk size set,
     * extending the file under the queued writes); a pragma's does not
     * touch the file's bytes (the default VFS knows none of the
     * importer's). */
    if (((struct async_file *)file)->async && op == SQLITE_FCNTL_SIZE_HINT)
        return SQLITE_OK;
    if (op == SQLITE_FCNTL_PRAGMA)
        return REAL(file)->pMethods->xFileControl(REAL(file), op, arg);
    FLUSH_OR_RETURN(file);
    return REAL(file)->pMethods->xFileControl(REAL(file), op, arg);
}

/* Constant properties of the file: no need to wait for the writes. */
static int async_sector_size(sqlite3_file *file)
{
    return REAL(file)->pMethods->xSectorSize(REAL(file));
}

static int async_device_characteristics(sqlite3_file *file)
{
    return REAL(file)->pMethods->xDeviceCharacteristics(REAL(file));
}

static const sqlite3_io_methods async_methods = {
    1, /* iVersion: no xShm*, no xFetch (mmap would bypass the queue) */
    async_close,
    async_read,
    async_write,
    async_truncate,
    async_sync,
    async_file_size,
    async_lock,
    async_unlock,
    async_check_reserved_lock,
    async_file_control,
    async_sector_size,
    async_device_characteristics,
    NULL,
    NULL,
    NULL,
    NULL,
    NULL,
    NULL,
};

static int async_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *file, int flags,
                      int *out_flags)
{
    (void)vfs;
    struct async_file *f = (struct async_file *)file;
    memset(f, 0, sizeof *f);
    f->real = (sqlite3_file *)((char *)f + REAL_OFFSET);
    int rc = base_vfs->xOpen(base_vfs, name, f->real, flags, out_flags);
    if (rc != SQLITE_OK) {
        /* SQLite calls xClose only if pMethods is set. */
        if (f->real->pMethods)
            f->real->pMethods->xClose(f->real);
        f->base.pMethods = NULL;
        return rc;
    }
    f->base.pMethods = &async_methods;
    if ((flags & SQLITE_OPEN_MAIN_DB) && pthread_mutex_init(&f->lock, NULL) == 0) {
        if (pthread_cond_init(&f->changed, NULL) != 0) {
            pthread_mutex_destroy(&f->lock);
        } else if (pthread_create(&f->thread, NULL, writer, f) != 0) {
            pthread_cond_destroy(&f->changed);
            pthread_mutex_destroy(&f->lock);
        } else {
            f->async = 1; /* else: synchronous, still correct */
        }
    }
    return SQLITE_OK;
}

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int register_rc = SQLITE_ERROR;

static void do_register(void)
{
    base_vfs = sqlite3_vfs_find(NULL);
    if (!base_vfs)
        return;
    async_vfs = *base_vfs;
    async_vfs.iVersion = base_vfs->iVersion < 3 ? base_vfs->iVersion : 3;
    async_vfs.zName = HS_ASYNC_VFS;
    /* Room for the struct, then the default VFS's file, aligned. */
    async_vfs.szOsFile = (int)REAL_OFFSET + base_vfs->szOsFile;
    async_vfs.pNext = NULL;
    async_vfs.xOpen = async_open;
    register_rc = sqlite3_vfs_register(&async_vfs, 0);
}

int hs_async_vfs_register(void)
{
    pthread_once(&once, do_register);
    return register_rc;
}
