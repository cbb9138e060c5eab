/*
 * async_vfs.h - a SQLite VFS, "hs-async", that writes the main database
 * file from a thread of its own.
 *
 * The importer's SQLite thread is its critical path, and about a fifth of
 * its time went into pwrite(2) (copying 4 KiB pages into the page cache,
 * ~38 000 calls for a 4 M-event trace). Through this VFS, xWrite on the
 * main database only copies the page into a queue; a writer thread issues
 * the real writes on the other core. Every other method of that file (read,
 * size, truncate, sync, lock, file control, close) first waits until the
 * queue is empty, so SQLite never sees a state the disk does not have yet;
 * except two file controls that do not look at the file's bytes: size
 * hints (ignored, as a VFS may) and PRAGMA announcements (passed on).
 * Other files (journals, temporary files) are passed through untouched.
 *
 * Everything else is the default VFS's: the file format and locking are
 * unchanged. The VFS reports iVersion 1 (no shared memory, no mmap), so it
 * suits only rollback-journal modes: the importer uses journal_mode=OFF.
 * A write the thread could not do is reported by the next call on the file.
 *
 * Usage: hs_async_vfs_register() once, then sqlite3_open_v2(path, &db,
 * flags, HS_ASYNC_VFS).
 *
 * Allocates: a copy of every queued page, consecutive pages in one
 * buffer of up to 124 KiB, written with one pwrite(2) (at most 32 MiB
 * queued, then xWrite waits). Thread safety: register is idempotent and thread safe; one
 * file is used by one SQLite connection at a time, as usual.
 */
#ifndef HS_ASYNC_VFS_H
#define HS_ASYNC_VFS_H

#define HS_ASYNC_VFS "hs-async"

/* Registers the VFS (not as the default); SQLITE_OK or a SQLite error. */
int hs_async_vfs_register(void);

#endif
