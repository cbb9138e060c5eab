/*
 * error.h - how the analyzer library reports failure.
 *
 * Every library function that can fail returns 0 on success or a negative
 * HS_E* code, and fills the caller's struct hs_error with one line that
 * names the file, record or argument and what was expected versus found,
 * lower-case and without a final full stop (git's message rules):
 *
 *     cannot open trace 'run.db': No such file or directory
 *
 * The CLI prefixes it with "heapscope <command>: " and exits 1. The library
 * never prints and never exits.
 */
#ifndef HS_ERROR_H
#define HS_ERROR_H

enum {
    HS_OK = 0,
    HS_EIO = -1,      /* a system call failed (errno text in the message) */
    HS_EFORMAT = -2,  /* input is not what it should be (bad magic, truncated) */
    HS_EVERSION = -3, /* written by a newer heapscope */
    HS_EDB = -4,      /* SQLite said no */
    HS_ENOMEM = -5,   /* the analyzer ran out of memory */
    HS_EARG = -6,     /* a bad argument (unknown mark, seq out of range) */
};

struct hs_error {
    char msg[256];
};

/* Formats into err->msg (truncating), returns code. err may be NULL. */
int hs_error_set(struct hs_error *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
