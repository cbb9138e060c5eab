/*
 * schema.c - the DDL of a trace database (see schema.h, docs/schema.md).
 * One row per block lifetime in `blocks` rather than one per event keeps a
 * malloc/free pair to one row (SQLite inserts ~1.5 M rows/s here); the view
 * `events` gives back the per-event form.
 */
#include "schema.h"

const char hs_schema_sql[] =
    "CREATE TABLE meta(key TEXT PRIMARY KEY, value) WITHOUT ROWID;\n"
    "CREATE TABLE ops(op INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);\n"
    "CREATE TABLE origins(origin INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);\n"
    "CREATE TABLE processes(\n"
    "  proc INTEGER PRIMARY KEY, pid INTEGER NOT NULL, exec_gen INTEGER NOT NULL,\n"
    "  ppid INTEGER, exe TEXT, argv TEXT, env TEXT,\n"
    "  start_ts_ns INTEGER, end_ts_ns INTEGER, start_real_ns INTEGER,\n"
    "  exit_code INTEGER, exit_signal INTEGER,\n"
    "  initial_brk INTEGER, page_size INTEGER, glibc_malloc INTEGER, log_flags INTEGER,\n"
    "  n_events INTEGER, n_lost INTEGER, maps TEXT, maps_end TEXT,\n"
    "  UNIQUE(pid, exec_gen));\n"
    "CREATE TABLE blocks(\n"
    "  alloc_seq INTEGER PRIMARY KEY, proc INTEGER, tid INTEGER, alloc_ts_ns INTEGER,\n"
    "  op INTEGER, ptr INTEGER, size INTEGER, chunk_size INTEGER, flags INTEGER,\n"
    "  caller INTEGER, old_ptr INTEGER,\n"
    "  free_seq INTEGER, free_ts_ns INTEGER, free_tid INTEGER, free_op INTEGER,\n"
    "  free_caller INTEGER);\n"
    "CREATE TABLE sys_events(\n"
    "  seq INTEGER PRIMARY KEY, proc INTEGER, pid INTEGER, tid INTEGER, ts_ns INTEGER,\n"
    "  op INTEGER, origin INTEGER, flags INTEGER, ptr INTEGER, size INTEGER,\n"
    "  old_ptr INTEGER, chunk_size INTEGER, caller INTEGER);\n"
    "CREATE TABLE marks(\n"
    "  id INTEGER PRIMARY KEY, seq INTEGER UNIQUE, proc INTEGER, pid INTEGER,\n"
    "  tid INTEGER, ts_ns INTEGER, label TEXT, truncated INTEGER);\n"
    "CREATE TABLE mallinfo(\n"
    "  seq INTEGER PRIMARY KEY, kind TEXT, mark_id INTEGER, proc INTEGER, pid INTEGER,\n"
    "  tid INTEGER, ts_ns INTEGER,\n"
    "  arena INTEGER, ordblks INTEGER, smblks INTEGER, hblks INTEGER, hblkhd INTEGER,\n"
    "  usmblks INTEGER, fsmblks INTEGER, uordblks INTEGER, fordblks INTEGER,\n"
    "  keepcost INTEGER, brk INTEGER, minflt INTEGER, majflt INTEGER, maxrss_kib INTEGER);\n"
    "CREATE TABLE event_chunks(\n"
    "  first_seq INTEGER PRIMARY KEY, last_seq INTEGER, n_events INTEGER, raw_size INTEGER,\n"
    "  data BLOB);\n";

const char hs_schema_post_sql[] =
    "CREATE VIEW events AS\n"
    "  SELECT b.alloc_seq AS seq, b.proc, p.pid, coalesce(b.tid, p.pid) AS tid,\n"
    "         b.alloc_ts_ns AS ts_ns, o.name AS op, b.ptr, b.size, b.old_ptr, b.chunk_size,\n"
    "         'program' AS origin, b.caller, b.flags, NULL AS label\n"
    "    FROM blocks b JOIN processes p ON p.proc = b.proc JOIN ops o ON o.op = b.op\n"
    "  UNION ALL\n"
    "  SELECT b.free_seq, b.proc, p.pid, coalesce(b.free_tid, b.tid, p.pid), b.free_ts_ns,\n"
    "         'free', b.ptr, b.size, NULL, b.chunk_size, 'program', b.free_caller, b.flags, NULL\n"
    "    FROM blocks b JOIN processes p ON p.proc = b.proc WHERE b.free_op = 5\n"
    "  UNION ALL\n"
    "  SELECT s.seq, s.proc, s.pid, s.tid, s.ts_ns, o.name, s.ptr, s.size, s.old_ptr,\n"
    "         s.chunk_size, r.name, s.caller, s.flags, NULL\n"
    "    FROM sys_events s JOIN ops o ON o.op = s.op JOIN origins r ON r.origin = s.origin\n"
    "  UNION ALL\n"
    "  SELECT m.seq, m.proc, m.pid, m.tid, m.ts_ns, 'mark', m.id, NULL, NULL, NULL,\n"
    "         'program', NULL, m.truncated << 9, m.label\n"
    "    FROM marks m;\n";
