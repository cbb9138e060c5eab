/*
 * btree_build.h - writes the B-tree of one rowid table directly in SQLite's
 * file format, then splices it into a database file SQLite made and
 * closed. A bulk load without SQLite's per-row cost (parsing the VDBE
 * program, binding, the cursor, balancing): the importer's `blocks` table,
 * about 2 million rows for 4 million events, went from ~1.1 s of SQLite's
 * CPU to ~0.1 s of encoding here.
 *
 * Format (https://www.sqlite.org/fileformat2.html, sections 1.3, 1.6, 2.1):
 * each row is a record (header size varint, one serial type per column,
 * then the values big-endian), in a table-leaf cell (payload size varint,
 * rowid varint, record). Leaves are filled to the last byte that fits;
 * table-interior pages (left child page number + largest rowid under it;
 * the right-most child in the page header) are built level by level at
 * the end. The integer serial types are SQLite's own choice (the smallest
 * of 1, 2, 3, 4, 6 or 8 bytes; 8 and 9 for the constants 0 and 1), so a
 * row is byte for byte what an INSERT would have stored.
 *
 *   database file after hs_btree_build_finish(), copying:
 *
 *     page 1 .. N           what SQLite wrote; page `root` (an empty table
 *                           leaf until now) is overwritten with the top node
 *     page N+1 .. N+L       the leaves, in rowid order (the lock-byte page
 *                           at offset 2^30 is skipped, as SQLite does)
 *     page N+L+1 ..         the interior pages, lowest level first
 *
 *   (pages on SQLite's freelist are used before N+1: the importer's
 *   database has none, but a later change to it should not break this)
 *
 * Rows may come in any order, but only rows with a rowid above every
 * earlier one are cheap: they are packed into leaves at once and the
 * leaves spill to a nameless temporary file next to the database
 * (O_TMPFILE, else one unlinked at once; see hs_btree_build_finish for
 * the file becoming the database itself), whose blocks are fallocate(2)d
 * 16 MiB ahead of the writes. A row
 * with a smaller rowid ("late") is kept aside in memory and merged at
 * splice time into the leaf it belongs to; that leaf and the ones after it
 * are re-packed until a page boundary lines up again (within 1/8 of a
 * page), so the result stays as dense as an in-order load.
 *
 * Contract: rows hold integers and NULLs only, at most 48 columns (then
 * every row fits a leaf cell without overflow pages: at most 49 + 48 * 8
 * bytes of record, under SQLite's limit of usable size - 35 even for
 * 512-byte pages); rowids are unique. The INTEGER PRIMARY KEY column, if the table has one,
 * is passed as NULL: SQLite stores the rowid in its place.
 *
 * Finish preconditions, checked (an error names the file): the database
 * is closed by SQLite (no journal, no other writer), its header says page
 * size and reserved bytes equal to the builder's, schema format 4, rollback
 * journal mode, no auto-vacuum, and page `root` is an empty table leaf.
 * Freelist pages, if any, are taken for the tree first (those left over
 * stay on the freelist), so no page goes unused. On error the file may be half written: the caller
 * removes it (the importer writes a temporary file and renames it only on
 * success).
 *
 * Allocates: yes (one page buffer, a spill buffer of 64 pages, the late
 * rows, about 24 bytes per leaf). Thread safety: one builder is used by one
 * thread at a time.
 */
#ifndef HS_BTREE_BUILD_H
#define HS_BTREE_BUILD_H

#include <stdint.h>

#include "error.h"

#define HS_BTREE_MAX_COLUMNS 48

struct hs_btree_build;

/* A builder for a database of page_size bytes per page, `reserved` of
 * them unused at the end of each page (header offset 20). The spill file
 * is an O_TMPFILE file in spill_near's directory, or where the file
 * system has none, made with mkstemp("<spill_near>.btree-XXXXXX") and
 * unlinked at once: nothing is left behind whatever happens.
 * pre: page_size a power of two in 512..65536, reserved < 256 and
 * page_size - reserved >= 480. */
int hs_btree_build_open(struct hs_btree_build **out, const char *spill_near, unsigned page_size,
                        unsigned reserved, struct hs_error *err);

/* Adds one row: column i is NULL when bit i of null_mask is set, else
 * values[i]. pre: 1 <= n_columns <= HS_BTREE_MAX_COLUMNS. Fails on a
 * rowid seen before (late rows are checked at splice time), a write error
 * of the spill file, or out of memory; after an error, only free b. */
int hs_btree_build_row(struct hs_btree_build *b, int64_t rowid, const int64_t *values,
                       uint64_t null_mask, unsigned n_columns, struct hs_error *err);

/* How the finish puts the tree into the database:
 *
 *   copy   the leaves are copied from the spill file after SQLite's
 *          pages (L pages written: the picture at the top)
 *   adopt  the spill file becomes the database: SQLite's N pages are
 *          copied into its front, the leaves in their way (below N, on
 *          the lock-byte page, past N + L) move into the free pages of
 *          N+1..N+L, and it is renamed over db_path (N + the moves: N +
 *          min(N, L) without hints, about N with hs_btree_build_hint_pages)
 *
 *   database file after an adopt (L leaves, N pages of SQLite):
 *
 *     page 1 .. N           what SQLite wrote (page `root`: the top node)
 *     page N+1 .. N+L       the leaves, in no particular order (plus one
 *                           page if the lock-byte page falls among them:
 *                           it stays empty)
 *     page N+L+1 ..         the interior pages
 *
 * auto adopts when that writes fewer pages. Adopting needs an unnamed
 * spill file that linkat(2) can name (O_TMPFILE), no late rows and no
 * freelist in the database; otherwise, or if naming fails, it copies. */
enum hs_btree_how { HS_BTREE_AUTO, HS_BTREE_COPY, HS_BTREE_ADOPT };

/* Writes the tree into the database open as fd, whose name is db_path
 * (read-write, in a directory the caller may write), as `how` says, with
 * its top node at page `root`, and updates the header (page count,
 * change counter). Once per builder.
 * *db_fd is the descriptor of the file named db_path afterwards: fd
 * after a copy; after an adopt a new one, the caller's to close (fd
 * still refers to the old file, no longer named). The adopted file gets
 * fd's permission bits. On error, db_path may name a half-written file
 * (the old one or the adopted one): the caller removes it. */
int hs_btree_build_finish(struct hs_btree_build *b, int fd, const char *db_path, uint32_t root,
                          enum hs_btree_how how, int *db_fd, struct hs_error *err);

/* Tells the builder that the database will have at least n_pages pages
 * (SQLite's page count so far): the leaves of the spill file below that
 * are moved to its end now, while other work goes on, instead of in the
 * adopt (the serial end of an import). Cheap when nothing is to move;
 * does nothing after a late row or without O_TMPFILE. Fails on a write
 * error of the spill file (then only free b). */
int hs_btree_build_hint_pages(struct hs_btree_build *b, uint64_t n_pages, struct hs_error *err);

/* Tests only: the lock-byte page is the one holding `offset` instead of
 * 2^30, as after sqlite3_test_control(SQLITE_TESTCTRL_PENDING_BYTE). */
void hs_btree_build_set_lock_byte(struct hs_btree_build *b, uint64_t offset);

/* Frees b and closes its spill file. b may be NULL. */
void hs_btree_build_free(struct hs_btree_build *b);

#endif
