/* live_blocks.c - live blocks at a moment from the blocks table (one row
 * per block lifetime: alloc_seq .. free_seq), see live_blocks.h. */
#include "live_blocks.h"

#include <sqlite3.h>
#include <stddef.h>

int hs_live_blocks(struct hs_trace *t, uint32_t proc, uint64_t seq, hs_live_block_fn fn, void *ctx,
                   struct hs_error *err)
{
    sqlite3 *db = hs_trace_db(t);
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(db,
                           "SELECT ptr, size, coalesce(chunk_size, 0) FROM blocks"
                           " WHERE proc = ?1 AND alloc_seq <= ?3"
                           " AND (free_seq IS NULL OR free_seq > ?3) ORDER BY ptr",
                           -1, &s, NULL) != SQLITE_OK)
        return hs_error_set(err, HS_EDB, "cannot read blocks: %s", sqlite3_errmsg(db));
    sqlite3_bind_int64(s, 1, proc);
    sqlite3_bind_int64(s, 3, seq ? (sqlite3_int64)seq : INT64_MAX);
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW)
        fn(ctx, (uint64_t)sqlite3_column_int64(s, 0), (uint64_t)sqlite3_column_int64(s, 1),
           (uint64_t)sqlite3_column_int64(s, 2));
    sqlite3_finalize(s);
    return rc == SQLITE_DONE
               ? 0
               : hs_error_set(err, HS_EDB, "cannot read blocks: %s", sqlite3_errmsg(db));
}
