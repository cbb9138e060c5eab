/*
 * btree_build.c - a rowid table's B-tree written directly in SQLite's file
 * format and spliced into a closed database (btree_build.h).
 *
 * Page layouts (https://www.sqlite.org/fileformat2.html, 1.6), big-endian:
 *
 *   table leaf (0x0d)                    table interior (0x05)
 *   +----------------------------+       +------------------------------+
 *   | 0  type 0x0d               |       | 0  type 0x05                 |
 *   | 1  first freeblock: 0      |       | 1  first freeblock: 0        |
 *   | 3  number of cells         |       | 3  number of cells           |
 *   | 5  cell content start      |       | 5  cell content start        |
 *   | 7  fragmented bytes: 0     |       | 7  fragmented bytes: 0       |
 *   | 8  cell pointers (2 each)  |       | 8  right-most child page     |
 *   |    ... unallocated (zero)  |       | 12 cell pointers ...         |
 *   |    cells, last one first   |       |    cells: child page (4),    |
 *   |    up to the usable end    |       |    largest rowid under it    |
 *   | reserved bytes (zero)      |       |    (varint)                  |
 *   +----------------------------+       +------------------------------+
 *
 * A leaf cell is varint(record size) varint(rowid) record, and a record is
 * varint(header size) serial types... values... Cells are packed from the
 * end of the usable space down, contiguously, so there are no freeblocks
 * and no fragments, which is what PRAGMA integrity_check accounts for.
 * An in-order row is encoded in place, from the top down, straight into
 * its leaf (fill_add_row); others through a scratch cell (encode_cell).
 *
 * The spill file's pages are tracked one by one (leaf_pos, owner): the
 * hints move leaves out of the way of SQLite's pages to the file's end,
 * and the adopt (the file becomes the database) places each leaf by a
 * plan over those positions, moving only the ones in the way.
 *
 * Checkable claim: a table built here from any rows compares equal
 * (EXCEPT both ways) to the same rows INSERTed by SQLite, passes PRAGMA
 * integrity_check, and takes further INSERTs and DELETEs
 * (tests/store/test_btree_build.c).
 */
#define _GNU_SOURCE
#include "btree_build.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "grow.h"

#define SPILL_PAGES 64            /* leaves per write(2) of the spill file */
#define PREMOVE_PAGES 256         /* least pages per move of hs_btree_build_hint_pages */
#define SPILL_ALLOC (16ull << 20) /* bytes of the spill file allocated at a time */
#define LEAF_HEADER 8             /* bytes of a leaf page's header */
#define INTERIOR_HEADER 12        /* bytes of an interior page's header */
#define LOCK_BYTE 0x40000000ull   /* the page holding this offset is never used */
#define MAX_CELL (2 + 9 + 1 + HS_BTREE_MAX_COLUMNS * 9) /* bound for the scratch cell */

/* A leaf being filled: cells from the end of the usable space down. */
struct leaf_fill {
    unsigned char *page;
    unsigned n_cells;
    unsigned content; /* offset of the lowest cell (usable size when empty) */
    int64_t min_key, max_key;
};

/* A late row, encoded as its cell in late_bytes. */
struct late_row {
    int64_t rowid;
    uint64_t offset;
    unsigned size;
};

/* A page of the level being built: its number and largest rowid. */
struct child {
    uint32_t page;
    int64_t key;
};

struct hs_btree_build {
    unsigned page_size, usable; /* usable = page size - reserved bytes */
    unsigned reserved;

    int spill_fd;
    int linkable;          /* spill_fd is an O_TMPFILE file: linkat(2) can name it */
    uint64_t lock_byte;    /* LOCK_BYTE, or a test's SQLITE_TESTCTRL_PENDING_BYTE */
    char *spill_path;      /* for messages only: "temporary file 'NAME'" or, for the
                              nameless O_TMPFILE, "the unnamed temporary file beside 'DB'" */
    unsigned char *spill;  /* SPILL_PAGES pages: the filled ones, then the current */
    unsigned n_spill;      /* full pages in spill[] not written yet */
    struct leaf_fill fill; /* the current leaf, spill page n_spill */
    uint64_t n_leaves;     /* leaves written to (or waiting for) the spill file */
    int64_t *leaf_min, *leaf_max;
    uint32_t *leaf_pos; /* each written leaf's page in the spill file, from 0 */
    uint64_t spill_end; /* pages of the spill file */
    uint64_t allocated; /* bytes of it fallocate(2)d, UINT64_MAX when it failed */
    uint32_t *owner;    /* per page of the spill file: its leaf + 1, 0 if moved away */
    size_t cap_owner;
    uint64_t vacated; /* pages below it hold no leaf (hs_btree_build_hint_pages) */
    size_t cap_leaves;

    uint64_t n_rows;
    int64_t last_rowid; /* of the in-order rows; rows at or below it are late */
    int have_rows;

    unsigned char *late_bytes;
    size_t late_len, late_cap;
    struct late_row *late;
    size_t n_late, cap_late;

    /* Splice state. */
    int out_fd;
    const char *out_path;
    uint32_t next_page, lock_page;
    uint32_t n_pages;         /* the database's pages before the splice */
    uint32_t *free_pages;     /* its freelist (trunks and leaves), ascending */
    size_t n_free, used_free; /* used_free of them taken, from the front */
    struct child *children;
    size_t n_children, cap_children;
    unsigned char *repack; /* SPILL_PAGES pages re-packed with late rows */
    int64_t repack_max[SPILL_PAGES];
    unsigned n_repack; /* sealed pages in repack[] */
    struct leaf_fill refill;
    int kernel_copy; /* copy_file_range(2) works between the two files */
    int spliced;
};

/* ---- encoding ---------------------------------------------------------- */

static unsigned varint_size(uint64_t v)
{
    unsigned n = 1;
    if (v >> 56)
        return 9;
    while (v >>= 7)
        n++;
    return n;
}

/* SQLite's varint: 7 bits per byte, most significant first, the high bit
 * set on all but the last; a 9th byte carries 8 bits. */
static inline unsigned put_varint(unsigned char *p, uint64_t v)
{
    if (v <= 0x7f) {
        p[0] = (unsigned char)v;
        return 1;
    }
    if (v <= 0x1fffff) { /* 2 or 3 bytes: the rowids of up to 2^21 rows */
        unsigned n = v <= 0x3fff ? 2 : 3;
        p[n - 1] = (unsigned char)(v & 0x7f);
        p[n - 2] = (unsigned char)(0x80 | (v >> 7 & 0x7f));
        p[0] = (unsigned char)(0x80 | v >> 7 * (n - 1));
        return n;
    }
    if (v >> 56) {
        p[8] = (unsigned char)v;
        v >>= 8;
        for (int i = 7; i >= 0; i--, v >>= 7)
            p[i] = (unsigned char)((v & 0x7f) | 0x80);
        return 9;
    }
    unsigned n = varint_size(v);
    for (int i = (int)n - 1; i >= 0; i--, v >>= 7)
        p[i] = (unsigned char)((v & 0x7f) | (i == (int)n - 1 ? 0 : 0x80));
    return n;
}

static uint64_t get_varint(const unsigned char *p, unsigned *len)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < 8; i++) {
        v = v << 7 | (p[i] & 0x7f);
        if (!(p[i] & 0x80)) {
            *len = i + 1;
            return v;
        }
    }
    *len = 9;
    return v << 8 | p[8];
}

static void put2(unsigned char *p, unsigned v)
{
    p[0] = (unsigned char)(v >> 8);
    p[1] = (unsigned char)v;
}

static unsigned get2(const unsigned char *p)
{
    return (unsigned)p[0] << 8 | p[1];
}

static void put4(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

static uint32_t get4(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* SQLite's serial type for an integer (sqlite3VdbeSerialType, schema
 * format 4): 8 and 9 are the constants 0 and 1, then the smallest of
 * 1, 2, 3, 4, 6 or 8 bytes holding the two's complement value. */
static const unsigned char type_size[10] = {0, 1, 2, 3, 4, 6, 8, 8, 0, 0};

/* Serial type by the number of significant bits of v (of ~v if negative):
 * up to 7 bits 1 byte, 15 two, 23 three, 31 four, 47 six, else eight. */
static const unsigned char type_by_bits[65] = {1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 3,
                                               3, 3, 3, 3, 3, 3, 3, 4, 4, 4, 4, 4, 4, 4, 4, 5, 5,
                                               5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 6, 6, 6,
                                               6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6};

/* Encodes the row's leaf cell into scratch (MAX_CELL + 16 bytes) in one
 * pass over the columns, without branches on their values (they are
 * unpredictable); returns where the cell starts in scratch, its size in
 * *size. The record size varint (at most 2 bytes: a record is at most
 * 49 + 48 * 8 bytes) is written last, in front of the rowid:
 *
 *   scratch: [2: record size, right-aligned][rowid][header size][types][values]
 */
static unsigned char *encode_cell(unsigned char *scratch, int64_t rowid, const int64_t *values,
                                  uint64_t null_mask, unsigned n_columns, unsigned *size)
{
    unsigned char *p = scratch + 2;
    p += put_varint(p, (uint64_t)rowid);
    /* The header size counts itself: 1 byte while it is at most 127. */
    *p++ = (unsigned char)(1 + n_columns);
    unsigned char *types = p, *q = p + n_columns, *values_start = q;
    for (unsigned i = 0; i < n_columns; i++) {
        int64_t v = values[i];
        uint64_t u = (uint64_t)v ^ (uint64_t)(v >> 63);
        unsigned t = type_by_bits[64 - __builtin_clzll(u | 1)];
        t = (uint64_t)v <= 1 ? 8 + (unsigned)v : t;
        t = null_mask >> i & 1 ? 0 : t;
        types[i] = (unsigned char)t;
        unsigned bytes = type_size[t];
        /* the low `bytes` bytes, big-endian: one 8-byte store, also for
         * 0 bytes (overwritten next; scratch has 8 bytes of slack past
         * MAX_CELL) */
        uint64_t be = __builtin_bswap64((uint64_t)v << ((64 - 8 * bytes) & 63));
        memcpy(q, &be, 8);
        q += bytes;
    }
    unsigned record = (unsigned)(q - values_start) + 1 + n_columns;
    unsigned char *start = scratch + 1;
    if (record <= 0x7f) {
        scratch[1] = (unsigned char)record;
    } else {
        start = scratch;
        scratch[0] = (unsigned char)(0x80 | record >> 7);
        scratch[1] = (unsigned char)(record & 0x7f);
    }
    *size = (unsigned)(q - start);
    return start;
}

/* Size of the cell at p and its rowid (cells written by encode_cell). */
static unsigned cell_size(const unsigned char *p, int64_t *rowid)
{
    unsigned a, b;
    uint64_t record = get_varint(p, &a);
    *rowid = (int64_t)get_varint(p + a, &b);
    return a + b + (unsigned)record;
}

/* ---- leaf pages -------------------------------------------------------- */

static void fill_start(struct leaf_fill *f, unsigned char *page, unsigned usable)
{
    f->page = page;
    f->n_cells = 0;
    f->content = usable;
}

/* Appends a cell of `size` bytes if it fits; 0 if not. */
static int fill_add(struct leaf_fill *f, const unsigned char *cell, unsigned size, int64_t rowid)
{
    if (LEAF_HEADER + 2 * (f->n_cells + 1) + size > f->content)
        return 0;
    f->content -= size;
    memcpy(f->page + f->content, cell, size);
    put2(f->page + LEAF_HEADER + 2 * f->n_cells, f->content);
    if (f->n_cells++ == 0)
        f->min_key = rowid;
    f->max_key = rowid;
    return 1;
}

static unsigned fill_free(const struct leaf_fill *f)
{
    return f->content - (LEAF_HEADER + 2 * f->n_cells);
}

/* Writes the page header; zeroes the unallocated gap and the reserved
 * bytes, so the file's bytes depend on the rows only. */
static void fill_seal(struct leaf_fill *f, unsigned page_size, unsigned usable)
{
    unsigned char *p = f->page;
    p[0] = 0x0d;
    put2(p + 1, 0);
    put2(p + 3, f->n_cells);
    put2(p + 5, f->content & 0xffff); /* 65536 is stored as 0 */
    p[7] = 0;
    unsigned gap = LEAF_HEADER + 2 * f->n_cells;
    memset(p + gap, 0, f->content - gap);
    memset(p + usable, 0, page_size - usable);
}

/* ---- building ---------------------------------------------------------- */

int hs_btree_build_open(struct hs_btree_build **out, const char *spill_near, unsigned page_size,
                        unsigned reserved, struct hs_error *err)
{
    assert(page_size >= 512 && page_size <= 65536 && (page_size & (page_size - 1)) == 0);
    assert(reserved < 256 && page_size - reserved >= 480);
    *out = NULL;
    struct hs_btree_build *b = calloc(1, sizeof *b);
    if (!b)
        return hs_error_set(err, HS_ENOMEM, "out of memory");
    b->page_size = page_size;
    b->reserved = reserved;
    b->usable = page_size - reserved;
    b->spill_fd = -1;
    b->out_fd = -1;
    size_t len = strlen(spill_near) + 64; /* room for the longest message form below */
    b->spill_path = malloc(len);
    b->spill = malloc((size_t)SPILL_PAGES * page_size);
    if (!b->spill_path || !b->spill) {
        hs_btree_build_free(b);
        return hs_error_set(err, HS_ENOMEM, "out of memory");
    }
    b->lock_byte = LOCK_BYTE;
    /* An O_TMPFILE file in the database's directory: nameless like an
     * unlinked one, but the finish can still give it a name (adopt). */
    snprintf(b->spill_path, len, "%s", spill_near);
    char *slash = strrchr(b->spill_path, '/');
    if (slash)
        *(slash == b->spill_path ? slash + 1 : slash) = '\0';
    b->spill_fd = open(slash ? b->spill_path : ".", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    b->linkable = b->spill_fd >= 0;
    snprintf(b->spill_path, len, "%s.btree-XXXXXX", spill_near);
    if (!b->linkable)
        b->spill_fd = mkstemp(b->spill_path);
    if (b->spill_fd < 0) {
        int e = errno;
        int rc = hs_error_set(err, HS_EIO, "cannot create a temporary file beside '%s': %s", spill_near,
                              strerror(e));
        hs_btree_build_free(b);
        return rc;
    }
    if (!b->linkable) {
        unlink(b->spill_path);
        char name[PATH_MAX];
        snprintf(name, sizeof name, "%s", b->spill_path);
        snprintf(b->spill_path, len, "temporary file '%s'", name);
    } else { /* for messages: it has no name to give */
        snprintf(b->spill_path, len, "the unnamed temporary file beside '%s'", spill_near);
    }
    fill_start(&b->fill, b->spill, b->usable);
    *out = b;
    return 0;
}

static int write_all(int fd, const unsigned char *p, size_t len, off_t at)
{
    while (len) {
        ssize_t n = pwrite(fd, p, len, at);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        p += n;
        len -= (size_t)n;
        at += n;
    }
    return 0;
}

/* Leaves first.. (n of them) are at pages `at`.. of the spill file. */
static int set_positions(struct hs_btree_build *b, uint64_t first, uint64_t n, uint64_t at,
                         struct hs_error *err)
{
    while (at + n > b->cap_owner) {
        uint32_t *grown = hs_grow(b->owner, &b->cap_owner, b->cap_owner, sizeof *grown, 4096);
        if (!grown)
            return hs_error_set(err, HS_ENOMEM, "out of memory");
        b->owner = grown;
    }
    for (uint64_t i = 0; i < n; i++) {
        b->leaf_pos[first + i] = (uint32_t)(at + i);
        b->owner[at + i] = (uint32_t)(first + i + 1);
    }
    return 0;
}

static int flush_spill(struct hs_btree_build *b, struct hs_error *err)
{
    if (b->n_spill == 0)
        return 0;
    uint64_t first = b->n_leaves - b->n_spill;
    /* Blocks allocated ahead, SPILL_ALLOC bytes at a time: ext4 then
     * skips its per-block delayed allocation in each write (a fifth of
     * the writes' kernel time). The file's size moves with them (the
     * finish cuts the adopted file to its pages); if it fails, the
     * writes allocate as before. */
    uint64_t need = (b->spill_end + b->n_spill) * b->page_size;
    while (need > b->allocated) {
        if (fallocate(b->spill_fd, 0, (off_t)b->allocated, (off_t)SPILL_ALLOC) != 0)
            b->allocated = UINT64_MAX; /* not here: no more tries */
        else
            b->allocated += SPILL_ALLOC;
    }
    if (write_all(b->spill_fd, b->spill, (size_t)b->n_spill * b->page_size,
                  (off_t)(b->spill_end * b->page_size)))
        return hs_error_set(err, HS_EIO, "cannot write %s: %s", b->spill_path,
                            strerror(errno));
    int rc = set_positions(b, first, b->n_spill, b->spill_end, err);
    if (rc)
        return rc;
    b->spill_end += b->n_spill;
    b->n_spill = 0;
    return 0;
}

/* Seals the current leaf as the next one of the spill file. */
static int end_leaf(struct hs_btree_build *b, struct hs_error *err)
{
    struct leaf_fill *f = &b->fill;
    fill_seal(f, b->page_size, b->usable);
    if (b->n_leaves == b->cap_leaves) {
        size_t cap = b->cap_leaves;
        int64_t *mins = hs_grow(b->leaf_min, &cap, b->n_leaves, sizeof *mins, 1024);
        if (!mins)
            return hs_error_set(err, HS_ENOMEM, "out of memory");
        b->leaf_min = mins;
        cap = b->cap_leaves;
        int64_t *maxs = hs_grow(b->leaf_max, &cap, b->n_leaves, sizeof *maxs, 1024);
        if (!maxs)
            return hs_error_set(err, HS_ENOMEM, "out of memory");
        b->leaf_max = maxs;
        cap = b->cap_leaves;
        uint32_t *pos = hs_grow(b->leaf_pos, &cap, b->n_leaves, sizeof *pos, 1024);
        if (!pos)
            return hs_error_set(err, HS_ENOMEM, "out of memory");
        b->leaf_pos = pos;
        b->cap_leaves = cap;
    }
    b->leaf_min[b->n_leaves] = f->min_key;
    b->leaf_max[b->n_leaves] = f->max_key;
    b->n_leaves++;
    if (++b->n_spill == SPILL_PAGES) {
        int rc = flush_spill(b, err);
        if (rc)
            return rc;
    }
    fill_start(f, b->spill + (size_t)b->n_spill * b->page_size, b->usable);
    return 0;
}

static int add_late(struct hs_btree_build *b, int64_t rowid, const unsigned char *cell,
                    unsigned size, struct hs_error *err)
{
    while (b->late_len + size > b->late_cap) {
        size_t cap = b->late_cap ? 2 * b->late_cap : 65536;
        unsigned char *grown = realloc(b->late_bytes, cap);
        if (!grown)
            return hs_error_set(err, HS_ENOMEM, "out of memory");
        b->late_bytes = grown;
        b->late_cap = cap;
    }
    struct late_row *rows = hs_grow(b->late, &b->cap_late, b->n_late, sizeof *rows, 256);
    if (!rows)
        return hs_error_set(err, HS_ENOMEM, "out of memory");
    b->late = rows;
    memcpy(b->late_bytes + b->late_len, cell, size);
    rows[b->n_late++] = (struct late_row){rowid, b->late_len, size};
    b->late_len += size;
    return 0;
}

/* Bytes below a cell that fill_add_row may scribble on (the slack of its
 * 8- and 16-byte stores), then overwrite or leave to fill_seal. */
#define ROW_SLACK 16

/* Serial type (low byte) and value bytes (high byte) by the index of the
 * highest set bit (63 - clz: bsr, one instruction), as type_by_bits and
 * type_size: one load per column. */
static const uint16_t type_bytes_by_msb[64] = {
#define TB(t) (uint16_t)((t) | type_size_of(t) << 8)
#define type_size_of(t) ((t) == 5 ? 6 : (t) == 6 ? 8 : (t))
    TB(1), TB(1), TB(1), TB(1), TB(1), TB(1), TB(1), TB(2), TB(2), TB(2), TB(2), TB(2), TB(2),
    TB(2), TB(2), TB(3), TB(3), TB(3), TB(3), TB(3), TB(3), TB(3), TB(3), TB(4), TB(4), TB(4),
    TB(4), TB(4), TB(4), TB(4), TB(4), TB(5), TB(5), TB(5), TB(5), TB(5), TB(5), TB(5), TB(5),
    TB(5), TB(5), TB(5), TB(5), TB(5), TB(5), TB(5), TB(5), TB(6), TB(6), TB(6), TB(6), TB(6),
    TB(6), TB(6), TB(6), TB(6), TB(6), TB(6), TB(6), TB(6), TB(6), TB(6), TB(6), TB(6)
#undef type_size_of
#undef TB
};

/* Byte k 0xff where bit k is set: the NULLs of 8 columns as a mask of
 * their types. */
static const uint64_t null_bytes[256] = {
#define NB1(x) ((x)&1 ? 0xffull : 0)
#define NB(x)                                                                                      \
    (NB1(x) | NB1((x) >> 1) << 8 | NB1((x) >> 2) << 16 | NB1((x) >> 3) << 24 |                     \
     NB1((x) >> 4) << 32 | NB1((x) >> 5) << 40 | NB1((x) >> 6) << 48 | NB1((x) >> 7) << 56)
#define NB4(x) NB(x), NB((x) + 1), NB((x) + 2), NB((x) + 3)
#define NB16(x) NB4(x), NB4((x) + 4), NB4((x) + 8), NB4((x) + 12)
#define NB64(x) NB16(x), NB16((x) + 16), NB16((x) + 32), NB16((x) + 48)
    NB64(0), NB64(64), NB64(128), NB64(192)
#undef NB64
#undef NB16
#undef NB4
#undef NB
#undef NB1
};

/* Appends the row's cell to f, encoded in place from the top down (no
 * copy): values last column first, each one 8-byte store ending where
 * its bytes end (the slack below is overwritten next), then the types,
 * the header size, the rowid and the record size. The serial types as
 * in encode_cell, without branches on the values. The types gather in a
 * register, 8 a word (byte stores read back as words would wait for the
 * cache: no store forwarding), stored as words right-aligned under the
 * values. Inlined with n_columns a constant for the importer's width
 * (unrolled: a third fewer instructions). pre: the free space of f is at
 * least 2 + 9 + 1 + 9 * n_columns + ROW_SLACK, plus 2 for the pointer. */
static inline __attribute__((always_inline)) void add_row(struct leaf_fill *f, int64_t rowid,
                                                          const int64_t *values, uint64_t null_mask,
                                                          unsigned n_columns)
{
    unsigned char *end = f->page + f->content, *q = end;
    uint64_t words[(HS_BTREE_MAX_COLUMNS + 7) / 8], acc = 0;
    unsigned n_words = 0;
#pragma GCC unroll 16
    for (unsigned i = n_columns; i-- > 0;) {
        /* A NULL is encoded as a 0 (type 8, no bytes), its type set to 0
         * below, 8 columns at once. */
        int64_t v = null_mask >> i & 1 ? 0 : values[i];
        uint64_t u = (uint64_t)v ^ (uint64_t)(v >> 63);
        unsigned e = type_bytes_by_msb[(unsigned)__builtin_clzll(u | 1) ^ 63u];
        e = (uint64_t)v <= 1 ? 8 + (unsigned)v : e;
        acc = acc << 8 | (e & 0xff); /* the first one ends at the top */
        if ((n_columns - i) % 8 == 0) {
            /* columns i..i+7, column i in the low byte */
            words[n_words++] = acc & ~null_bytes[null_mask >> i & 0xff];
            acc = 0;
        }
        uint64_t be = __builtin_bswap64((uint64_t)v); /* its last `bytes` bytes */
        memcpy(q - 8, &be, 8);
        q -= e >> 8;
    }
    if (n_columns % 8) { /* columns 0..m-1 at the top, zeros below (slack) */
        unsigned m = n_columns % 8;
        words[n_words++] = (acc & ~null_bytes[null_mask & (0xffu >> (8 - m))]) << 8 * (8 - m);
    }
    unsigned record = (unsigned)(end - q) + 1 + n_columns;
    for (unsigned w = 0; w < n_words; w++) {
        uint64_t word = words[w];
        /* in a register: merged into one 16-byte store, the words went
         * through the stack, read back before their stores completed */
        __asm__("" : "+r"(word));
        memcpy(q - 8 * (w + 1), &word, 8);
    }
    q -= n_columns;
    *--q = (unsigned char)(1 + n_columns);
    uint64_t r = (uint64_t)rowid;
    if (r <= 0xfffffff) {
        /* up to 4 bytes: the 7-bit groups, continuation bits on all but
         * the last, stored as 4 bytes ending at q (the ones below slack) */
        uint32_t x = (uint32_t)(r & 0x7f) | (uint32_t)(r << 1 & 0x7f00) |
                     (uint32_t)(r << 2 & 0x7f0000) | (uint32_t)(r << 3 & 0x7f000000) | 0x80808000u;
        x = __builtin_bswap32(x);
        memcpy(q - 4, &x, 4);
        q -= r <= 0x7f ? 1 : r <= 0x3fff ? 2 : r <= 0x1fffff ? 3 : 4;
    } else {
        q -= varint_size(r);
        put_varint(q, r);
    }
    /* the record size: 1 or 2 bytes (at most 49 + 48 * 8) */
    uint16_t rs = (uint16_t)(record <= 0x7f ? record : (0x80 | record >> 7) << 8 | (record & 0x7f));
    rs = __builtin_bswap16(rs);
    memcpy(q - 2, &rs, 2);
    q -= record <= 0x7f ? 1 : 2;
    f->content = (unsigned)(q - f->page);
    put2(f->page + LEAF_HEADER + 2 * f->n_cells, f->content);
    if (f->n_cells++ == 0)
        f->min_key = rowid;
    f->max_key = rowid;
}

static void fill_add_row(struct leaf_fill *f, int64_t rowid, const int64_t *values,
                         uint64_t null_mask, unsigned n_columns)
{
    if (n_columns == 16)
        add_row(f, rowid, values, null_mask, 16);
    else
        add_row(f, rowid, values, null_mask, n_columns);
}

/* The other rows: a late one, or the first one of a new leaf. Out of
 * line, its scratch cell off the common path's stack frame. */
static __attribute__((noinline)) int add_cell(struct hs_btree_build *b, int64_t rowid,
                                              const int64_t *values, uint64_t null_mask,
                                              unsigned n_columns, int in_order,
                                              struct hs_error *err)
{
    struct leaf_fill *f = &b->fill;
    unsigned char scratch[MAX_CELL + 16];
    unsigned size;
    const unsigned char *cell = encode_cell(scratch, rowid, values, null_mask, n_columns, &size);
    if (!in_order)
        return add_late(b, rowid, cell, size, err);
    b->have_rows = 1;
    b->last_rowid = rowid;
    if (!fill_add(f, cell, size, rowid)) {
        int rc = end_leaf(b, err);
        if (rc)
            return rc;
        fill_add(f, cell, size, rowid); /* an empty leaf takes any cell */
    }
    return 0;
}

int hs_btree_build_row(struct hs_btree_build *b, int64_t rowid, const int64_t *values,
                       uint64_t null_mask, unsigned n_columns, struct hs_error *err)
{
    assert(n_columns >= 1 && n_columns <= HS_BTREE_MAX_COLUMNS && !b->spliced);
    b->n_rows++;
    struct leaf_fill *f = &b->fill;
    int in_order = !b->have_rows || rowid > b->last_rowid;
    if (in_order && fill_free(f) >= 2 + 2 + 9 + 1 + 9 * n_columns + ROW_SLACK) {
        b->have_rows = 1;
        b->last_rowid = rowid;
        fill_add_row(f, rowid, values, null_mask, n_columns);
        return 0;
    }
    return add_cell(b, rowid, values, null_mask, n_columns, in_order, err);
}

void hs_btree_build_free(struct hs_btree_build *b)
{
    if (!b)
        return;
    if (b->spill_fd >= 0)
        close(b->spill_fd);
    free(b->spill_path);
    free(b->spill);
    free(b->leaf_min);
    free(b->leaf_max);
    free(b->leaf_pos);
    free(b->owner);
    free(b->late_bytes);
    free(b->late);
    free(b->children);
    free(b->repack);
    free(b->free_pages);
    free(b);
}

/* ---- splicing ---------------------------------------------------------- */

static int io_error(struct hs_btree_build *b, const char *what, struct hs_error *err)
{
    return hs_error_set(err, HS_EIO, "cannot %s '%s': %s", what, b->out_path, strerror(errno));
}

static int format_error(struct hs_btree_build *b, const char *what, unsigned long long found,
                        unsigned long long expected, struct hs_error *err)
{
    return hs_error_set(err, HS_EFORMAT,
                        "cannot splice a table into '%s': %s is %llu, expected %llu", b->out_path,
                        what, found, expected);
}

static int read_all(int fd, unsigned char *p, size_t len, off_t at)
{
    while (len) {
        ssize_t n = pread(fd, p, len, at);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            if (n == 0)
                errno = EIO; /* short file */
            return -1;
        }
        p += n;
        len -= (size_t)n;
        at += n;
    }
    return 0;
}

/* Checks the database header (see btree_build.h, "Splice preconditions");
 * sets *n_pages to the database's size in pages. */
static int check_header(struct hs_btree_build *b, const unsigned char *h, uint32_t root,
                        uint32_t *n_pages, struct hs_error *err)
{
    struct stat sb;
    if (fstat(b->out_fd, &sb) != 0)
        return io_error(b, "read database", err);
    if (memcmp(h, "SQLite format 3", 16) != 0)
        return hs_error_set(err, HS_EFORMAT, "cannot splice a table into '%s': not a database",
                            b->out_path);
    unsigned page_size = get2(h + 16) == 1 ? 65536 : get2(h + 16);
    int rc;
    if ((page_size != b->page_size &&
         (rc = format_error(b, "the page size", page_size, b->page_size, err))) ||
        (h[20] != b->reserved &&
         (rc = format_error(b, "the reserved bytes per page", h[20], b->reserved, err))) ||
        (h[18] != 1 && (rc = format_error(b, "the write version (WAL is 2)", h[18], 1, err))) ||
        (get4(h + 44) != 4 && (rc = format_error(b, "the schema format", get4(h + 44), 4, err))) ||
        (get4(h + 52) != 0 &&
         (rc = format_error(b, "the auto-vacuum root page", get4(h + 52), 0, err))) ||
        (sb.st_size % page_size != 0 &&
         (rc = format_error(b, "the file size modulo the page size",
                            (unsigned long long)(sb.st_size % page_size), 0, err))))
        return rc;
    uint64_t pages = (uint64_t)sb.st_size / page_size;
    if (get4(h + 24) == get4(h + 92) && get4(h + 28) != pages)
        return format_error(b, "the page count in the header", get4(h + 28), pages, err);
    if (root < 2 || root > pages || root == b->lock_page)
        return format_error(b, "the root page", root, pages, err);
    *n_pages = (uint32_t)pages;
    return 0;
}

static int add_child(struct hs_btree_build *b, uint32_t page, int64_t key, struct hs_error *err)
{
    struct child *grown =
        hs_grow(b->children, &b->cap_children, b->n_children, sizeof *grown, 1024);
    if (!grown)
        return hs_error_set(err, HS_ENOMEM, "out of memory");
    b->children = grown;
    b->children[b->n_children++] = (struct child){page, key};
    return 0;
}

/* The next page for the tree: a freelist page while there are any, then
 * one past the end. */
static uint32_t new_page(struct hs_btree_build *b)
{
    if (b->used_free < b->n_free)
        return b->free_pages[b->used_free++];
    if (b->next_page == b->lock_page)
        b->next_page++;
    return b->next_page++;
}

static int by_page(const void *x, const void *y)
{
    uint32_t a = *(const uint32_t *)x, c = *(const uint32_t *)y;
    return (a > c) - (a < c);
}

/* Reads the freelist (header offsets 32 and 36; each trunk page holds the
 * next trunk, a count and that many leaf page numbers) into free_pages:
 * the tree takes those pages first, so they are not lost. */
static int read_freelist(struct hs_btree_build *b, const unsigned char *h, struct hs_error *err)
{
    uint32_t total = get4(h + 36), trunk = get4(h + 32);
    if (total == 0)
        return 0;
    b->free_pages = malloc((size_t)total * sizeof *b->free_pages);
    unsigned char *page = malloc(b->page_size);
    int rc = 0;
    if (!b->free_pages || !page) {
        free(page);
        return hs_error_set(err, HS_ENOMEM, "out of memory");
    }
    while (trunk && rc == 0) {
        if (trunk < 2 || trunk > b->n_pages || b->n_free == total) {
            rc = format_error(b, "a freelist trunk page", trunk, b->n_pages, err);
            break;
        }
        if (read_all(b->out_fd, page, b->page_size, (off_t)(trunk - 1) * b->page_size)) {
            rc = io_error(b, "read database", err);
            break;
        }
        b->free_pages[b->n_free++] = trunk;
        uint32_t n = get4(page + 4);
        if (n > b->usable / 4 - 2 || n > total - b->n_free) {
            rc = format_error(b, "the leaf count of a freelist trunk", n, b->usable / 4 - 2, err);
            break;
        }
        for (uint32_t i = 0; i < n && rc == 0; i++) {
            uint32_t leaf = get4(page + 8 + 4 * i);
            if (leaf < 2 || leaf > b->n_pages)
                rc = format_error(b, "a freelist leaf page", leaf, b->n_pages, err);
            b->free_pages[b->n_free++] = leaf;
        }
        trunk = get4(page);
    }
    free(page);
    if (rc == 0 && b->n_free != total)
        rc = format_error(b, "the number of freelist pages", b->n_free, total, err);
    if (rc == 0)
        qsort(b->free_pages, b->n_free, sizeof *b->free_pages, by_page);
    return rc;
}

/* The freelist pages the tree did not take become the freelist again
 * (header offsets 32 and 36 updated in h). Trunks hold at most
 * usable/4 - 8 leaves, as SQLite writes them. */
static int write_freelist(struct hs_btree_build *b, unsigned char *h, struct hs_error *err)
{
    const uint32_t *left = b->free_pages + b->used_free;
    size_t n = b->n_free - b->used_free, per_trunk = b->usable / 4 - 8;
    put4(h + 32, n ? left[0] : 0);
    put4(h + 36, (uint32_t)n);
    if (n == 0)
        return 0;
    unsigned char *page = calloc(1, b->page_size);
    if (!page)
        return hs_error_set(err, HS_ENOMEM, "out of memory");
    int rc = 0;
    for (size_t t = 0; t < n && rc == 0;) {
        size_t leaves = n - t - 1 < per_trunk ? n - t - 1 : per_trunk;
        size_t next = t + 1 + leaves;
        memset(page, 0, b->page_size);
        put4(page, next < n ? left[next] : 0);
        put4(page + 4, (uint32_t)leaves);
        for (size_t i = 0; i < leaves; i++)
            put4(page + 8 + 4 * i, left[t + 1 + i]);
        if (write_all(b->out_fd, page, b->page_size, (off_t)(left[t] - 1) * b->page_size))
            rc = io_error(b, "write database", err);
        t = next;
    }
    free(page);
    return rc;
}

/* Copies len bytes of the spill file at `from` to the database at `to`
 * in the kernel; -1 with errno if copy_file_range(2) cannot. */
static int copy_spilled(struct hs_btree_build *b, uint64_t from, uint64_t to, size_t len)
{
    loff_t in = (loff_t)from, out = (loff_t)to;
    while (len) {
        ssize_t n = copy_file_range(b->spill_fd, &in, b->out_fd, &out, len, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        len -= (size_t)n;
    }
    return 0;
}

#define NOT_SPILLED UINT64_MAX

/* Writes n consecutive leaves (largest rowids max[]) at the next page
 * numbers, as few writes as the lock-byte page allows. Leaves of the
 * spill file (consecutive there from its page `spilled`, else
 * NOT_SPILLED) are copied by the kernel when it can, else written from
 * `pages`. */
static int out_leaves(struct hs_btree_build *b, const unsigned char *pages, size_t n,
                      const int64_t *max, uint64_t spilled, struct hs_error *err)
{
    while (n) {
        uint32_t first = new_page(b);
        size_t run = n;
        if (first <= b->n_pages) /* a freelist page: alone */
            run = 1;
        else if (first < b->lock_page && b->lock_page - first < run)
            run = b->lock_page - first;
        if (first > b->n_pages)
            b->next_page = first + (uint32_t)run;
        uint64_t to = (uint64_t)(first - 1) * b->page_size;
        size_t len = run * b->page_size;
        if (spilled != NOT_SPILLED && b->kernel_copy &&
            copy_spilled(b, spilled * b->page_size, to, len) != 0) {
            if (errno != EXDEV && errno != ENOSYS && errno != EINVAL && errno != EOPNOTSUPP)
                return io_error(b, "write database", err);
            b->kernel_copy = 0; /* and write this run from memory */
        }
        if ((spilled == NOT_SPILLED || !b->kernel_copy) &&
            write_all(b->out_fd, pages, len, (off_t)to))
            return io_error(b, "write database", err);
        for (size_t i = 0; i < run; i++) {
            int rc = add_child(b, first + (uint32_t)i, max[i], err);
            if (rc)
                return rc;
        }
        pages += len;
        max += run;
        n -= run;
        if (spilled != NOT_SPILLED)
            spilled += run;
    }
    return 0;
}

static int flush_repack(struct hs_btree_build *b, struct hs_error *err)
{
    int rc = out_leaves(b, b->repack, b->n_repack, b->repack_max, NOT_SPILLED, err);
    b->n_repack = 0;
    fill_start(&b->refill, b->repack, b->usable);
    return rc;
}

/* Seals the re-packed leaf being filled, if it has cells. */
static int end_repack(struct hs_btree_build *b, struct hs_error *err)
{
    if (b->refill.n_cells == 0)
        return 0;
    fill_seal(&b->refill, b->page_size, b->usable);
    b->repack_max[b->n_repack++] = b->refill.max_key;
    if (b->n_repack == SPILL_PAGES)
        return flush_repack(b, err);
    fill_start(&b->refill, b->repack + (size_t)b->n_repack * b->page_size, b->usable);
    return 0;
}

static int repack_cell(struct hs_btree_build *b, const unsigned char *cell, unsigned size,
                       int64_t rowid, struct hs_error *err)
{
    if (fill_add(&b->refill, cell, size, rowid))
        return 0;
    int rc = end_repack(b, err);
    if (rc)
        return rc;
    fill_add(&b->refill, cell, size, rowid);
    return 0;
}

static int by_rowid(const void *x, const void *y)
{
    int64_t a = ((const struct late_row *)x)->rowid, c = ((const struct late_row *)y)->rowid;
    return (a > c) - (a < c);
}

static int duplicate(struct hs_btree_build *b, int64_t rowid, struct hs_error *err)
{
    return hs_error_set(err, HS_EARG, "cannot splice a table into '%s': rowid %lld given twice",
                        b->out_path, (long long)rowid);
}

/* Writes every leaf: runs of spilled leaves that no late row falls into
 * are copied as they are; a leaf with late rows is re-packed with them,
 * and so are the following ones until the re-packed page is nearly full
 * (free space at most 1/8 page) when a leaf begins. */
static int write_leaves(struct hs_btree_build *b, const unsigned char *spilled,
                        struct hs_error *err)
{
    int rc;
    size_t j = 0;
    const struct late_row *late = b->late;
    fill_start(&b->refill, b->repack, b->usable);
    for (uint64_t i = 0; i < b->n_leaves;) {
        while (j < b->n_late && late[j].rowid < b->leaf_min[i]) {
            if ((rc = repack_cell(b, b->late_bytes + late[j].offset, late[j].size, late[j].rowid,
                                  err)))
                return rc;
            j++;
        }
        if (j < b->n_late && late[j].rowid == b->leaf_max[i])
            return duplicate(b, late[j].rowid, err);
        int late_inside = j < b->n_late && late[j].rowid < b->leaf_max[i];
        if (!late_inside && (b->refill.n_cells == 0 || fill_free(&b->refill) <= b->usable / 8)) {
            if ((rc = end_repack(b, err)) || (rc = flush_repack(b, err)))
                return rc;
            uint64_t end = i + 1;
            while (end < b->n_leaves && b->leaf_pos[end] == b->leaf_pos[end - 1] + 1 &&
                   (j == b->n_late || late[j].rowid > b->leaf_max[end]))
                end++;
            const unsigned char *pages = spilled + (size_t)b->leaf_pos[i] * b->page_size;
            if ((rc = out_leaves(b, pages, end - i, b->leaf_max + i, b->leaf_pos[i], err)))
                return rc;
            i = end;
            continue;
        }
        const unsigned char *page = spilled + (size_t)b->leaf_pos[i] * b->page_size;
        unsigned n_cells = get2(page + 3);
        for (unsigned c = 0; c < n_cells; c++) {
            const unsigned char *cell = page + get2(page + LEAF_HEADER + 2 * c);
            int64_t rowid;
            unsigned size = cell_size(cell, &rowid);
            while (j < b->n_late && late[j].rowid <= rowid) {
                if (late[j].rowid == rowid)
                    return duplicate(b, rowid, err);
                if ((rc = repack_cell(b, b->late_bytes + late[j].offset, late[j].size,
                                      late[j].rowid, err)))
                    return rc;
                j++;
            }
            if ((rc = repack_cell(b, cell, size, rowid, err)))
                return rc;
        }
        i++;
    }
    for (; j < b->n_late; j++)
        if ((rc = repack_cell(b, b->late_bytes + late[j].offset, late[j].size, late[j].rowid, err)))
            return rc;
    if ((rc = end_repack(b, err)) || (rc = flush_repack(b, err)))
        return rc;
    return 0;
}

/* Builds the interior levels over b->children (the leaves); the top node
 * goes to page root. */
static int write_interior(struct hs_btree_build *b, uint32_t root, struct hs_error *err)
{
    unsigned char *page = malloc(b->page_size);
    if (!page)
        return hs_error_set(err, HS_ENOMEM, "out of memory");
    unsigned room = b->usable - INTERIOR_HEADER;
    int rc = 0;
    while (b->n_children > 1 && rc == 0) {
        struct child *level = b->children;
        size_t n = b->n_children;
        /* Group boundaries, greedily: each child but a group's last takes
         * a cell (4-byte page number, key varint) and a 2-byte pointer. */
        size_t *starts = malloc((n + 1) * sizeof *starts), n_groups = 0;
        if (!starts) {
            rc = hs_error_set(err, HS_ENOMEM, "out of memory");
            break;
        }
        unsigned used = 0;
        starts[n_groups++] = 0;
        for (size_t c = 1; c < n; c++) {
            unsigned cell = 4 + varint_size((uint64_t)level[c - 1].key) + 2;
            if (used + cell > room) {
                starts[n_groups++] = c;
                used = 0;
            } else {
                used += cell;
            }
        }
        /* A last group of one child would be a page with no cell: it
         * takes the previous group's last child. */
        if (n_groups > 1 && n - starts[n_groups - 1] == 1)
            starts[n_groups - 1]--;
        starts[n_groups] = n;
        b->children = NULL;
        b->n_children = b->cap_children = 0;
        for (size_t g = 0; g < n_groups && rc == 0; g++) {
            size_t first = starts[g], last = starts[g + 1] - 1;
            unsigned n_cells = (unsigned)(last - first), content = b->usable;
            memset(page, 0, b->page_size);
            page[0] = 0x05;
            put2(page + 3, n_cells);
            put4(page + 8, level[last].page);
            for (unsigned c = 0; c < n_cells; c++) {
                unsigned char cell[13];
                put4(cell, level[first + c].page);
                unsigned size = 4 + put_varint(cell + 4, (uint64_t)level[first + c].key);
                content -= size;
                memcpy(page + content, cell, size);
                put2(page + INTERIOR_HEADER + 2 * c, content);
            }
            put2(page + 5, content & 0xffff);
            uint32_t at = n_groups == 1 ? root : new_page(b);
            if (write_all(b->out_fd, page, b->page_size, (off_t)(at - 1) * b->page_size))
                rc = io_error(b, "write database", err);
            else
                rc = add_child(b, at, level[last].key, err);
        }
        free(starts);
        free(level);
    }
    free(page);
    return rc;
}

/* Everything after the leaves: the interior pages (or the lone leaf at
 * the root), the freelist, the header. */
static int write_tree(struct hs_btree_build *b, uint32_t root, unsigned char *header,
                      struct hs_error *err)
{
    int rc, fd = b->out_fd;
    uint32_t n_pages = b->n_pages;
    if (b->n_children == 1) {
        /* One leaf: it is the root itself, and its page is given back
         * (the only one taken: off the end, or the first free one). */
        unsigned char *leaf = malloc(b->page_size);
        if (!leaf)
            return hs_error_set(err, HS_ENOMEM, "out of memory");
        uint32_t taken = b->children[0].page;
        if (read_all(fd, leaf, b->page_size, (off_t)(taken - 1) * b->page_size) ||
            write_all(fd, leaf, b->page_size, (off_t)(root - 1) * b->page_size) ||
            (taken > n_pages && ftruncate(fd, (off_t)n_pages * b->page_size) != 0)) {
            free(leaf);
            return io_error(b, "write database", err);
        }
        free(leaf);
        if (taken > n_pages)
            b->next_page = n_pages + 1;
        else
            b->used_free--;
    } else if ((rc = write_interior(b, root, err))) {
        return rc;
    }
    if ((rc = write_freelist(b, header, err)))
        return rc;
    /* The in-header size is trusted only while the change counter equals
     * the version-valid-for number. */
    uint32_t counter = get4(header + 24) + 1;
    put4(header + 24, counter);
    put4(header + 28, b->next_page - 1);
    put4(header + 92, counter);
    if (write_all(fd, header, 100, 0))
        return io_error(b, "write database", err);
    return 0;
}

/* Copies len bytes of in_fd at `from` to out_fd at `to` (the same file
 * only for ranges that do not overlap): in the kernel when it can, else
 * through a buffer. */
static int copy_range(int in_fd, uint64_t from, int out_fd, uint64_t to, uint64_t len)
{
    loff_t in = (loff_t)from, out = (loff_t)to;
    while (len) {
        ssize_t n = copy_file_range(in_fd, &in, out_fd, &out, len, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n > 0) {
            len -= (uint64_t)n;
            continue;
        }
        if (n == 0 || (errno != EXDEV && errno != ENOSYS && errno != EINVAL && errno != EOPNOTSUPP))
            return -1;
        break;
    }
    unsigned char *buf = len ? malloc(1 << 20) : NULL;
    if (len && !buf)
        return -1;
    while (len) {
        size_t n = len < (1 << 20) ? (size_t)len : (size_t)1 << 20;
        if (read_all(in_fd, buf, n, in) || write_all(out_fd, buf, n, out)) {
            free(buf);
            return -1;
        }
        in += (loff_t)n;
        out += (loff_t)n;
        len -= n;
    }
    free(buf);
    return 0;
}

/* Adopt: the spill file becomes the database. SQLite's N pages go to
 * its front, the leaves to pages N+1..E (E = N + L, one more when the
 * lock-byte page falls among them, which stays empty). A leaf already
 * there stays; the others (below N, on the lock-byte page, past E) move
 * to the free pages of N+1..E. Leaves hold no page numbers, and the
 * interior pages, written next, point at wherever they are. */
struct adopt_plan {
    uint64_t end;     /* E, as a position (pages 0..E-1) */
    uint64_t n_moves; /* leaves to move */
    uint32_t *dest;   /* per leaf: its final position */
};

static int in_final(const struct hs_btree_build *b, uint64_t end, uint64_t pos)
{
    return pos >= b->n_pages && pos < end && pos != b->lock_page - 1;
}

static int plan_adopt(const struct hs_btree_build *b, struct adopt_plan *plan)
{
    uint64_t n = b->n_pages, lock = b->lock_page - 1;
    plan->end = n + b->n_leaves + (lock >= n && lock < n + b->n_leaves);
    plan->n_moves = 0;
    uint64_t span = plan->end > b->spill_end ? plan->end : b->spill_end;
    unsigned char *taken = calloc(span ? span : 1, 1);
    plan->dest = malloc((b->n_leaves ? b->n_leaves : 1) * sizeof *plan->dest);
    if (!taken || !plan->dest) {
        free(taken);
        free(plan->dest);
        plan->dest = NULL;
        return -1;
    }
    for (uint64_t i = 0; i < b->n_leaves; i++)
        if (in_final(b, plan->end, b->leaf_pos[i]))
            taken[b->leaf_pos[i]] = 1;
    uint64_t next = n; /* the free final positions, in order */
    for (uint64_t i = 0; i < b->n_leaves; i++) {
        if (in_final(b, plan->end, b->leaf_pos[i])) {
            plan->dest[i] = b->leaf_pos[i];
            continue;
        }
        while (taken[next] || !in_final(b, plan->end, next))
            next++;
        taken[next] = 1;
        plan->dest[i] = (uint32_t)next;
        plan->n_moves++;
    }
    free(taken);
    return 0;
}

static int adopt_leaves(struct hs_btree_build *b, const struct adopt_plan *plan, int db_fd,
                        struct hs_error *err)
{
    uint64_t ps = b->page_size, lock = b->lock_page - 1;
    int rc;
    for (uint64_t k = 0; k < b->n_leaves;) {
        uint64_t run = 1;
        if (plan->dest[k] != b->leaf_pos[k]) /* a run of moves, consecutive both sides */
            while (k + run < b->n_leaves && plan->dest[k + run] != b->leaf_pos[k + run] &&
                   plan->dest[k + run] == plan->dest[k] + run &&
                   b->leaf_pos[k + run] == b->leaf_pos[k] + run)
                run++;
        if (plan->dest[k] != b->leaf_pos[k] &&
            copy_range(b->spill_fd, b->leaf_pos[k] * ps, b->spill_fd, plan->dest[k] * ps, run * ps))
            return hs_error_set(err, HS_EIO, "cannot write %s: %s", b->spill_path,
                                strerror(errno));
        for (uint64_t i = k; i < k + run; i++)
            if ((rc = add_child(b, plan->dest[i] + 1, b->leaf_max[i], err)))
                return rc;
        k += run;
    }
    /* The lock-byte page, if a leaf was there: zeros, as SQLite leaves it. */
    if (lock >= b->n_pages && lock < b->spill_end) {
        unsigned char *zero = calloc(1, b->page_size);
        if (!zero || write_all(b->spill_fd, zero, b->page_size, (off_t)(lock * ps))) {
            free(zero);
            return hs_error_set(err, HS_EIO, "cannot write %s: %s", b->spill_path,
                                zero ? strerror(errno) : "out of memory");
        }
        free(zero);
    }
    if (copy_range(db_fd, 0, b->spill_fd, 0, b->n_pages * ps))
        return io_error(b, "read database", err);
    b->next_page = (uint32_t)plan->end + 1;
    return 0;
}

int hs_btree_build_hint_pages(struct hs_btree_build *b, uint64_t n_pages, struct hs_error *err)
{
    uint64_t ps = b->page_size, end = b->spill_end;
    /* Only while an adopt looks likely (SQLite's part under half the
     * spill file: the adopt writes about N pages, the copy L), and
     * PREMOVE_PAGES at a time or more (fewer, larger copies: the finish
     * moves what is left). */
    if (!b->linkable || b->n_late || end < 2 * n_pages || n_pages < b->vacated + PREMOVE_PAGES)
        return 0;
    while (b->vacated < n_pages) {
        uint64_t p = b->vacated, run = 0;
        while (p + run < n_pages && b->owner[p + run])
            run++;
        if (run) {
            uint64_t to = b->spill_end;
            if (copy_range(b->spill_fd, p * ps, b->spill_fd, to * ps, run * ps))
                return hs_error_set(err, HS_EIO, "cannot write %s: %s", b->spill_path,
                                    strerror(errno));
            for (uint64_t i = 0; i < run; i++) {
                uint32_t leaf = b->owner[p + i] - 1;
                b->owner[p + i] = 0;
                int rc = set_positions(b, leaf, 1, to + i, err);
                if (rc)
                    return rc;
            }
            b->spill_end += run;
        }
        b->vacated = p + run;
        while (b->vacated < n_pages && !b->owner[b->vacated])
            b->vacated++;
    }
    return 0;
}

/* The copy's leaves: the spill file's, re-packed where late rows fall. */
static int copy_leaves(struct hs_btree_build *b, struct hs_error *err)
{
    const unsigned char *spilled = NULL;
    size_t map_size = (size_t)b->spill_end * b->page_size;
    if (map_size) {
        void *m = mmap(NULL, map_size, PROT_READ, MAP_SHARED, b->spill_fd, 0);
        if (m == MAP_FAILED)
            return hs_error_set(err, HS_EIO, "cannot read %s: %s", b->spill_path,
                                strerror(errno));
        madvise(m, map_size, MADV_SEQUENTIAL);
        spilled = m;
    }
    b->repack = malloc((size_t)SPILL_PAGES * b->page_size);
    b->next_page = b->n_pages + 1;
    b->kernel_copy = 1;
    int rc =
        b->repack ? write_leaves(b, spilled, err) : hs_error_set(err, HS_ENOMEM, "out of memory");
    if (spilled)
        munmap((void *)spilled, map_size);
    return rc;
}

/* Names the spill file `<db_path>.adopt` before the adopt writes into it;
 * 0 if it could (the caller removes the name on failure). */
static int adopt_name(struct hs_btree_build *b, const char *db_path, char **name)
{
    char proc[64];
    if (asprintf(name, "%s.adopt", db_path) < 0) {
        *name = NULL;
        return -1;
    }
    snprintf(proc, sizeof proc, "/proc/self/fd/%d", b->spill_fd);
    if (linkat(b->spill_fd, "", AT_FDCWD, *name, AT_EMPTY_PATH) == 0 ||
        linkat(AT_FDCWD, proc, AT_FDCWD, *name, AT_SYMLINK_FOLLOW) == 0)
        return 0;
    free(*name);
    *name = NULL;
    return -1;
}

void hs_btree_build_set_lock_byte(struct hs_btree_build *b, uint64_t offset)
{
    b->lock_byte = offset;
}

int hs_btree_build_finish(struct hs_btree_build *b, int fd, const char *db_path, uint32_t root,
                          enum hs_btree_how how, int *db_fd, struct hs_error *err)
{
    assert(!b->spliced);
    b->spliced = 1;
    b->out_fd = fd;
    b->out_path = db_path;
    *db_fd = fd;
    b->lock_page = (uint32_t)(b->lock_byte / b->page_size) + 1;
    int rc;
    if (b->fill.n_cells && (rc = end_leaf(b, err)))
        return rc;
    if ((rc = flush_spill(b, err)))
        return rc;
    free(b->spill); /* the buffers of the building phase are done */
    b->spill = NULL;

    unsigned char header[100];
    uint32_t n_pages = 0;
    if (read_all(fd, header, sizeof header, 0))
        return io_error(b, "read database", err);
    if ((rc = check_header(b, header, root, &n_pages, err)))
        return rc;
    b->n_pages = n_pages;
    if ((rc = read_freelist(b, header, err)))
        return rc;
    unsigned char *page = malloc(b->page_size);
    if (!page)
        return hs_error_set(err, HS_ENOMEM, "out of memory");
    if (read_all(fd, page, b->page_size, (off_t)(root - 1) * b->page_size)) {
        free(page);
        return io_error(b, "read database", err);
    }
    unsigned kind = page[0], n_cells = get2(page + 3);
    free(page);
    if (kind != 0x0d || n_cells != 0)
        return hs_error_set(err, HS_EFORMAT,
                            "cannot splice a table into '%s': page %u is not an empty table leaf "
                            "(type %u, %u cells)",
                            b->out_path, root, kind, n_cells);
    if (b->n_rows == 0)
        return 0;

    if (b->n_late) /* qsort's pointer must not be NULL, even for 0 rows */
        qsort(b->late, b->n_late, sizeof *b->late, by_rowid);
    for (size_t i = 1; i < b->n_late; i++)
        if (b->late[i].rowid == b->late[i - 1].rowid)
            return duplicate(b, b->late[i].rowid, err);

    /* Pages written either way: the copy writes every leaf; the adopt
     * SQLite's pages and the leaves not in place (see adopt_leaves). */
    struct adopt_plan plan = {0, 0, NULL};
    int adopt = how != HS_BTREE_COPY && b->linkable && b->n_late == 0 && b->n_free == 0 &&
                plan_adopt(b, &plan) == 0 &&
                (how == HS_BTREE_ADOPT || n_pages + plan.n_moves < b->n_leaves);
    char *name = NULL;
    if (adopt && adopt_name(b, db_path, &name) != 0)
        adopt = 0; /* no name for it here: copy */
    if (adopt) {
        rc = adopt_leaves(b, &plan, fd, err);
        b->out_fd = b->spill_fd;
    } else {
        rc = copy_leaves(b, err);
    }
    free(plan.dest);
    if (rc == 0)
        rc = write_tree(b, root, header, err);
    /* the adopted file ends with the tree (leaves moved from past its end) */
    if (rc == 0 && adopt && ftruncate(b->spill_fd, (off_t)(b->next_page - 1) * b->page_size) != 0)
        rc = io_error(b, "write database", err);
    if (adopt) {
        struct stat sb;
        /* unlink first: ext4 starts writing a file back at once when a
         * rename replaces another (auto_da_alloc), a tenth of the copy */
        if (rc == 0 && (fstat(fd, &sb) != 0 || fchmod(b->spill_fd, sb.st_mode & 07777) != 0 ||
                        unlink(db_path) != 0 || rename(name, db_path) != 0))
            rc = io_error(b, "write database", err);
        if (rc) {
            unlink(name);
        } else {
            *db_fd = b->spill_fd; /* the caller's now */
            b->spill_fd = -1;
        }
        free(name);
    }
    return rc;
}
