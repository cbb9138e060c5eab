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

#include <ctype.h>
#include <elfutils/libdwfl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* An address range that the maps text maps from a file. */
struct mapped {
    uint64_t lo, hi;
};

/* A module whose file's build-id was compared with the recorded one. */
struct checked {
    const Dwfl_Module *mod;
    int changed;
};

struct hs_symbolizer {
    Dwfl *dwfl;
    Dwfl_Callbacks callbacks;
    char *debuginfo_path; /* libdwfl keeps a pointer to this */
    /* libdwfl gives a module the extent of its ELF file's segments and
     * more, so it also claims addresses that were unmapped when the maps
     * text was taken and were later given to code loaded by dlopen: only
     * addresses inside these ranges (sorted) are looked up. */
    struct mapped *mapped;
    size_t n_mapped;
    char *recorded; /* "PATH\tHEX\n" lines (hs_symbolizer_expect_build_ids) */
    struct checked *checked;
    size_t n_checked, cap_checked;
};

/* One line of a maps text. */
struct maps_line {
    uint64_t lo, hi;
    int file; /* maps a file (its path starts with '/') */
    const char *text;
    size_t len; /* with its newline, if it has one */
};

static int by_address(const void *a, const void *b)
{
    const struct maps_line *x = a, *y = b;
    return x->lo < y->lo ? -1 : x->lo > y->lo;
}

/*
 * maps_text may be several maps texts one after the other (a process's map
 * at start, then at exit: trace.h, hs_trace_maps_sql). Returns one text
 * (malloc'd) in address order, as libdwfl wants it, where a line that
 * overlaps a line before it in maps_text is left out: the same mapping
 * seen twice, or a range reused later for another file (the first stays).
 * Sets s->mapped to the file-backed ranges of that text. NULL if out of
 * memory.
 */
static char *merge_maps(struct hs_symbolizer *s, const char *maps_text)
{
    size_t n = 0, cap = 0, total = 0, n_files = 0;
    struct maps_line *lines = NULL;
    for (const char *line = maps_text; line && *line;) {
        const char *nl = strchr(line, '\n');
        size_t len = nl ? (size_t)(nl - line) + 1 : strlen(line);
        unsigned long long lo, hi;
        int path_at = 0;
        /* (sscanf would skip a blank line's newline and read the next
         * line's range, for a line that is empty) */
        int keep = isxdigit((unsigned char)line[0]) &&
                   sscanf(line, "%llx-%llx %*s %*s %*s %*s %n", &lo, &hi, &path_at) == 2 && lo < hi;
        for (size_t i = 0; keep && i < n; i++)
            keep = hi <= lines[i].lo || lo >= lines[i].hi;
        if (keep) {
            if (n == cap) {
                cap = cap ? 2 * cap : 128;
                struct maps_line *grown = realloc(lines, cap * sizeof *grown);
                if (!grown) {
                    free(lines);
                    return NULL;
                }
                lines = grown;
            }
            int file = path_at > 0 && line[path_at] == '/';
            lines[n++] = (struct maps_line){lo, hi, file, line, len};
            total += len + 1;
            n_files += (size_t)file;
        }
        line = nl ? nl + 1 : NULL;
    }
    qsort(lines, n, sizeof *lines, by_address);
    char *out = malloc(total + 1), *at = out;
    s->mapped = malloc((n_files ? n_files : 1) * sizeof *s->mapped);
    for (size_t i = 0; out && s->mapped && i < n; i++) {
        memcpy(at, lines[i].text, lines[i].len);
        at += lines[i].len;
        if (at[-1] != '\n')
            *at++ = '\n';
        if (lines[i].file)
            s->mapped[s->n_mapped++] = (struct mapped){lines[i].lo, lines[i].hi};
    }
    free(lines);
    if (!out || !s->mapped) {
        free(out);
        return NULL;
    }
    *at = '\0';
    return out;
}

static int is_mapped(const struct hs_symbolizer *s, uint64_t addr)
{
    size_t lo = 0, hi = s->n_mapped;
    while (lo < hi) { /* the first range that ends after addr */
        size_t mid = lo + (hi - lo) / 2;
        if (s->mapped[mid].hi <= addr)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < s->n_mapped && s->mapped[lo].lo <= addr;
}

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
    /* One text in address order (fmemopen also wants a writable buffer in
     * old glibcs). */
    char *copy = merge_maps(s, maps_text);
    if (!copy) {
        hs_symbolizer_free(s);
        return hs_error_set(err, HS_ENOMEM, "out of memory reading maps text");
    }
    len = strlen(copy);
    if (len == 0) {
        free(copy);
        hs_symbolizer_free(s);
        return hs_error_set(err, HS_EFORMAT, "cannot read maps text: no mapping in it");
    }
    FILE *f = fmemopen(copy, len, "r");
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

int hs_symbolizer_expect_build_ids(struct hs_symbolizer *s, const char *recorded,
                                   struct hs_error *err)
{
    char *copy = strdup(recorded ? recorded : "");
    if (!copy)
        return hs_error_set(err, HS_ENOMEM, "out of memory reading build-ids");
    free(s->recorded);
    s->recorded = copy;
    s->n_checked = 0;
    return HS_OK;
}

static void to_hex(const unsigned char *bits, int n, char *hex, size_t size)
{
    size_t at = 0;
    for (int i = 0; i < n && at + 3 <= size; i++)
        at += (size_t)snprintf(hex + at, size - at, "%02x", bits[i]);
    if (size)
        hex[at < size ? at : size - 1] = '\0';
}

int hs_build_id_of_file(const char *path, char *hex, size_t size)
{
    static char *no_debuginfo_path;
    static const Dwfl_Callbacks offline = {.find_debuginfo = dwfl_standard_find_debuginfo,
                                           .section_address = dwfl_offline_section_address,
                                           .debuginfo_path = &no_debuginfo_path};
    Dwfl *d = dwfl_begin(&offline);
    if (!d)
        return 0;
    dwfl_report_begin(d);
    Dwfl_Module *m = dwfl_report_offline(d, path, path, -1);
    dwfl_report_end(d, NULL, NULL);
    const unsigned char *bits;
    GElf_Addr where;
    int n = m ? dwfl_module_build_id(m, &bits, &where) : -1;
    if (n > 0)
        to_hex(bits, n, hex, size);
    dwfl_end(d);
    return n > 0;
}

/* The build-id recorded for path: a pointer to its hex in s->recorded
 * (ending at a newline), or NULL. */
static const char *recorded_id(const struct hs_symbolizer *s, const char *path)
{
    size_t n = strlen(path);
    for (const char *line = s->recorded; line && *line;) {
        if (strncmp(line, path, n) == 0 && line[n] == '\t')
            return line + n + 1;
        line = strchr(line, '\n');
        line = line ? line + 1 : NULL;
    }
    return NULL;
}

/* 1 if mod's file is not the build the trace recorded (cached per module). */
static int module_changed(struct hs_symbolizer *s, Dwfl_Module *mod, const char *path)
{
    for (size_t i = 0; i < s->n_checked; i++)
        if (s->checked[i].mod == mod)
            return s->checked[i].changed;
    const char *want = recorded_id(s, path);
    int changed = 0;
    if (want) {
        const unsigned char *bits;
        GElf_Addr where;
        char now[2 * 64 + 1] = "";
        int n = dwfl_module_build_id(mod, &bits, &where);
        if (n > 0)
            to_hex(bits, n, now, sizeof now);
        size_t len = strcspn(want, "\n");
        changed = strlen(now) != len || strncmp(now, want, len) != 0;
    }
    if (s->n_checked == s->cap_checked) {
        size_t cap = s->cap_checked ? 2 * s->cap_checked : 16;
        struct checked *grown = realloc(s->checked, cap * sizeof *grown);
        if (!grown)
            return changed; /* not cached: checked again next time */
        s->checked = grown;
        s->cap_checked = cap;
    }
    s->checked[s->n_checked++] = (struct checked){mod, changed};
    return changed;
}

int hs_symbolizer_lookup(struct hs_symbolizer *s, uint64_t addr, int is_return,
                         struct hs_symbol *sym)
{
    memset(sym, 0, sizeof *sym);
    sym->module = sym->function = sym->file = "";
    if (!is_mapped(s, addr))
        return 0;
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
    if (s->recorded && name && module_changed(s, mod, name)) {
        sym->changed = 1;
        return 1; /* its names would be another build's */
    }

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

/* libstdc++'s demangler (the C++ ABI's, extern "C"): a malloc'd name, or
 * NULL with *status != 0 for a name that is not a mangled one. */
char *__cxa_demangle(const char *mangled, char *out, size_t *length, int *status);

void hs_symbol_format(const struct hs_symbol *sym, uint64_t addr, char *buf, size_t size)
{
    /* C++ names as people write them: _ZL7new_intv is new_int() */
    const char *function = sym->function;
    char *demangled = NULL;
    int status = -1;
    if (function[0] == '_' && function[1] == 'Z' &&
        (demangled = __cxa_demangle(function, NULL, NULL, &status)) && status == 0)
        function = demangled;
    int n;
    if (function[0] && sym->file[0] && sym->line > 0)
        n = snprintf(buf, size, "%s (%s:%d)", function, sym->file, sym->line);
    else if (function[0])
        n = snprintf(buf, size, "%s+0x%" PRIx64 " (%s)", function, sym->function_offset,
                     base_name(sym->module));
    else if (sym->module[0])
        n = snprintf(buf, size, "%s+0x%" PRIx64 "%s", base_name(sym->module), sym->module_offset,
                     sym->changed ? " (rebuilt since the recording)" : "");
    else
        n = snprintf(buf, size, "0x%" PRIx64, addr);
    if (n >= 0 && (size_t)n >= size && size > 4)
        memcpy(buf + size - 4, "...", 4); /* a C++ template's name: cut, and say so */
    free(demangled);
}

void hs_symbolizer_free(struct hs_symbolizer *s)
{
    if (!s)
        return;
    if (s->dwfl)
        dwfl_end(s->dwfl);
    free(s->mapped);
    free(s->recorded);
    free(s->checked);
    free(s);
}
