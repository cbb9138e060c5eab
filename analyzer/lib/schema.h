/*
 * schema.h - the SQLite schema of a trace database, version
 * HS_SCHEMA_VERSION (documented table by table in docs/schema.md; keep the
 * two in step). The importer runs HS_SCHEMA_SQL on an empty database;
 * trace_read.c refuses a database whose meta.schema_version is newer.
 *
 * Base tables store operations and origins as numbers (enum hs_op,
 * enum hs_origin: 2 bytes instead of 6 per row); the lookup tables `ops`
 * and `origins` name them, and the view `events` shows every event with
 * readable names.
 *
 * Changing a table: bump HS_SCHEMA_VERSION, update docs/schema.md.
 */
#ifndef HS_SCHEMA_H
#define HS_SCHEMA_H

#define HS_SCHEMA_VERSION 4 /* 3: stacks, alloc_stacks; 4: modules */

/* The schema, run in one sqlite3_exec() before the bulk insert. */
extern const char hs_schema_sql[];

/* Run after the bulk insert: indexes and views. */
extern const char hs_schema_post_sql[];

#endif
