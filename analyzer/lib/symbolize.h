/*
 * symbolize.h - turn a code address of a traced process into
 * "function (file:line)" with elfutils' libdwfl.
 *
 * The tracer keeps a copy of the process's /proc/self/maps (the maps text
 * stored with each process in the trace). A symbolizer is built from that
 * text: every file-backed executable mapping becomes a module at the
 * address it was loaded at, so an address from the trace (a caller of
 * malloc) is found in its module and looked up in that module's symbol
 * table and DWARF line table (or its separate debug file, e.g. from
 * libc6-dbg, through the build-id).
 *
 * The files are read from this machine's disk at symbolization time. The
 * import records each mapped file's GNU build-id (the `modules` table);
 * given those (hs_symbolizer_expect_build_ids), a module whose file was
 * rebuilt since is not looked up, since its names would be another build's:
 * its addresses keep their file name and offset and are marked changed. A
 * file without a build-id, or a trace without the table, is not checked.
 *
 * Allocates: yes (the caller frees with hs_symbolizer_free).
 * Thread safety: one symbolizer per thread.
 */
#ifndef HS_SYMBOLIZE_H
#define HS_SYMBOLIZE_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

struct hs_symbolizer;

/* What is known about one address. Strings point into the symbolizer and
 * stay valid until hs_symbolizer_free; any of them may be "" if unknown. */
struct hs_symbol {
    const char *module;   /* file of the mapping, e.g. "/usr/bin/ls" */
    uint64_t module_offset; /* address - module load bias */
    const char *function; /* e.g. "main" */
    uint64_t function_offset; /* address - function start */
    const char *file;     /* source file, e.g. "labs/01-brk/main.c" */
    int line;             /* 0 if unknown */
    int changed;          /* the file is not the build the trace recorded */
};

/*
 * Builds a symbolizer from maps text (the format of /proc/PID/maps).
 * Empty or unreadable modules are skipped, not errors; only an unusable
 * text (no executable mapping at all) or running out of memory fails.
 */
int hs_symbolizer_new(const char *maps_text, struct hs_symbolizer **out,
                      struct hs_error *err);

/*
 * The build-ids the files had when the trace was recorded: lines
 * "PATH<TAB>HEX" (hs_trace_build_ids). Lookups in a module whose file's
 * build-id differs give module, offset and changed = 1, nothing more.
 */
int hs_symbolizer_expect_build_ids(struct hs_symbolizer *s, const char *recorded,
                                   struct hs_error *err);

/* The GNU build-id of the ELF file at path as lowercase hex into hex:
 * 1, or 0 if the file has none or cannot be read as ELF. */
int hs_build_id_of_file(const char *path, char *hex, size_t size);

/*
 * Looks up addr. For a return address (a caller recorded by the tracer),
 * pass is_return = 1: the line looked up is that of addr - 1, the call
 * instruction itself. Returns 1 if the address is inside a known module
 * (*sym filled, perhaps without function or line), 0 otherwise (*sym holds
 * empty strings): also for an address the maps text does not map from a
 * file, such as code dlopen'd after the text was taken.
 */
int hs_symbolizer_lookup(struct hs_symbolizer *s, uint64_t addr, int is_return,
                         struct hs_symbol *sym);

/* Formats sym as "function (file:line)", "function+0x12 (module)",
 * "module+0x1234" or "0x7f..." (the address) from most to least known;
 * "module+0x1234 (rebuilt since the recording)" when changed; a name too
 * long for buf ends in "...".
 * C++ function names are demangled (`new_int()`, not `_ZL7new_intv`). */
void hs_symbol_format(const struct hs_symbol *sym, uint64_t addr, char *buf, size_t size);

void hs_symbolizer_free(struct hs_symbolizer *s);

#endif
