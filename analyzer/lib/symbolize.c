/*
 * symbolize.c - code addresses of a traced process to function and
 * file:line (contract in symbolize.h).
 *
 * libdwfl does the work: dwfl_linux_proc_maps_report() reads maps text
 * (given to it through fmemopen) and reports one module per mapped file at
 * its load address, exactly as it does for a live process's /proc/PID/maps;
 * dwfl_linux_proc_find_elf opens each module's file by its path and
 * dwfl_standard_find_debuginfo finds split debug information by build-id
 * (/usr/lib/debug/.build-id/..., which is where libc6-dbg puts glibc's).
 *
 * Check: the caller of malloc in a test program built with -g resolves to
 * the line of the malloc() call (tests/viz/test_symbolize.c).
 */
#define _GNU_SOURCE
#include "symbolize.h"

#include <elfutils/libdwfl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct hs_symbolizer {
    Dwfl *dwfl;
    Dwfl_Callbacks callbacks;
    char *debuginfo_path; /* libdwfl keeps a pointer to this */
};

int hs_symbolizer_new(const char *maps_text, struct hs_symbolizer **out,
                      struct hs_error *err)
{
    *out = NULL;
    struct hs_symbolizer *s = calloc(1, sizeof *s);
    if (!s)
        return hs_error_set(err, HS_ENOMEM, "out of memory building a symbolizer");
    s->debuginfo_path = NULL; /* NULL: libdwfl's default search path */
    s->callbacks.find_elf = dwfl_linux_proc_find_elf;
    s->callbacks.find_debuginfo = dwfl_standard_find_debuginfo;
    s->callbacks.debuginfo_path = &s->debuginfo_path;
    s->dwfl = dwfl_begin(&s->callbacks);
    if (!s->dwfl) {
        free(s);
        return hs_error_set(err, HS_ENOMEM, "cannot start libdwfl: %s", dwfl_errmsg(-1));
    }
    size_t len = maps_text ? strlen(maps_text) : 0;
    if (len == 0) {
        hs_symbolizer_free(s);
        return hs_error_set(err, HS_EARG, "empty maps text: nothing to symbolize with");
    }
    /* fmemopen needs a writable buffer in old glibcs; copy to be safe. */
    char *copy = strdup(maps_text);
    FILE *f = copy ? fmemopen(copy, len, "r") : NULL;
    if (!f) {
        free(copy);
        hs_symbolizer_free(s);
        return hs_error_set(err, HS_ENOMEM, "out of memory reading maps text");
    }
    dwfl_report_begin(s->dwfl);
    int rc = dwfl_linux_proc_maps_report(s->dwfl, f);
    dwfl_report_end(s->dwfl, NULL, NULL);
    fclose(f);
    free(copy);
    if (rc != 0) {
        hs_symbolizer_free(s);
        return hs_error_set(err, HS_EFORMAT, "cannot read maps text: %s",
                            rc > 0 ? strerror(rc) : dwfl_errmsg(-1));
    }
    *out = s;
    return HS_OK;
}

int hs_symbolizer_lookup(struct hs_symbolizer *s, uint64_t addr, int is_return,
                         struct hs_symbol *sym)
{
    memset(sym, 0, sizeof *sym);
    sym->module = sym->function = sym->file = "";
    Dwfl_Module *mod = dwfl_addrmodule(s->dwfl, addr);
    if (!mod)
        return 0;
    Dwarf_Addr bias_start = 0;
    const char *name = dwfl_module_info(mod, NULL, &bias_start, NULL, NULL, NULL, NULL, NULL);
    const char *mainfile = NULL;
    dwfl_module_info(mod, NULL, NULL, NULL, NULL, NULL, &mainfile, NULL);
    sym->module = mainfile ? mainfile : name ? name : "";
    /* The offset people see in objdump: address minus the load bias. */
    GElf_Addr bias = 0;
    if (dwfl_module_getelf(mod, &bias))
        sym->module_offset = addr - bias;
    else
        sym->module_offset = addr - bias_start;

    /* A return address points after the call; the call is at addr - 1. */
    uint64_t look = is_return && addr > 0 ? addr - 1 : addr;
    GElf_Off off = 0;
    GElf_Sym esym;
    const char *fn = dwfl_module_addrinfo(mod, look, &off, &esym, NULL, NULL, NULL);
    if (fn) {
        sym->function = fn;
        sym->function_offset = off + (look != addr ? 1 : 0);
    }
    Dwfl_Line *line = dwfl_module_getsrc(mod, look);
    if (line) {
        int lineno = 0;
        const char *file = dwfl_lineinfo(line, NULL, &lineno, NULL, NULL, NULL);
        if (file) {
            sym->file = file;
            sym->line = lineno;
        }
    }
    return 1;
}

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

void hs_symbol_format(const struct hs_symbol *sym, uint64_t addr, char *buf, size_t size)
{
    if (sym->function[0] && sym->file[0] && sym->line > 0)
        snprintf(buf, size, "%s (%s:%d)", sym->function, sym->file, sym->line);
    else if (sym->function[0])
        snprintf(buf, size, "%s+0x%" PRIx64 " (%s)", sym->function, sym->function_offset,
                 base_name(sym->module));
    else if (sym->module[0])
        snprintf(buf, size, "%s+0x%" PRIx64, base_name(sym->module), sym->module_offset);
    else
        snprintf(buf, size, "0x%" PRIx64, addr);
}

void hs_symbolizer_free(struct hs_symbolizer *s)
{
    if (!s)
        return;
    if (s->dwfl)
        dwfl_end(s->dwfl);
    free(s);
}
