/* synth_log.c - hand-made tracer logs for the store tests (synth_log.h). */
#define _GNU_SOURCE
#include "synth_log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void synth_init(struct synth_log *l, uint32_t pid, uint32_t exec_gen, uint32_t ppid,
                const char *exe)
{
    memset(l, 0, sizeof *l);
    struct hs_log_header *h = &l->header;
    memcpy(h->magic, HS_LOG_MAGIC, 8);
    h->format_version = HS_FORMAT_VERSION;
    h->record_size = HS_RECORD_SIZE;
    h->header_size = HS_LOG_HEADER_SIZE;
    h->endian_mark = HS_ENDIAN_MARK;
    h->pid = pid;
    h->ppid = ppid;
    h->exec_gen = exec_gen;
    h->flags = HS_LOG_GLIBC_MALLOC;
    h->start_mono_ns = 500;
    h->start_real_ns = 1700000000000000000ull;
    h->initial_brk = 0x555555559000ull;
    h->page_size = 4096;
    h->exe_len = (uint32_t)strlen(exe);
    memcpy(h->exe, exe, h->exe_len);
    static const char cmdline[] = "prog\0arg 1\0";
    h->cmdline_len = sizeof cmdline - 1;
    memcpy(h->cmdline, cmdline, sizeof cmdline - 1);
    static const char env[] = "MALLOC_ARENA_MAX=2\0GLIBC_TUNABLES=glibc.malloc.tcache_count=0\0";
    h->env_len = sizeof env - 1;
    memcpy(h->env, env, sizeof env - 1);
}

static struct hs_record *slot(struct synth_log *l)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 64;
        l->records = realloc(l->records, l->cap * sizeof *l->records);
    }
    struct hs_record *r = &l->records[l->n++];
    memset(r, 0, sizeof *r);
    return r;
}

struct hs_record *synth_call(struct synth_log *l, uint64_t seq, uint32_t tid, unsigned op,
                             unsigned origin, unsigned flags, uint64_t ptr, uint64_t size,
                             uint64_t old_ptr, uint64_t chunk_size, uint64_t caller)
{
    struct hs_record *r = slot(l);
    r->seq = seq;
    r->ts_ns = 1000 * seq;
    r->tid = tid;
    r->op = (uint8_t)op;
    r->origin = (uint8_t)origin;
    r->flags = (uint16_t)flags;
    r->u.call.ptr = ptr;
    r->u.call.size = size;
    r->u.call.old_ptr = old_ptr;
    r->u.call.chunk_size = chunk_size;
    r->u.call.caller = caller;
    return r;
}

void synth_mark(struct synth_log *l, uint64_t seq, uint32_t tid, const char *label)
{
    struct hs_record *r = synth_call(l, seq, tid, HS_OP_MARK, HS_ORIGIN_PROGRAM, 0, 0, 0, 0, 0, 0);
    memset(r->u.label, 0, sizeof r->u.label);
    strncpy(r->u.label, label, HS_LABEL_MAX - 1);
}

void synth_snapshot(struct synth_log *l, uint64_t seq, uint32_t tid, uint64_t base)
{
    static const unsigned ops[3] = {HS_OP_MALLINFO_A, HS_OP_MALLINFO_B, HS_OP_STATE};
    for (unsigned p = 0; p < 3; p++) {
        struct hs_record *r =
            synth_call(l, seq + p, tid, ops[p], HS_ORIGIN_TRACER, 0, 0, 0, 0, 0, 0);
        for (unsigned i = 0; i < (p == 2 ? 4u : 5u); i++)
            r->u.v[i] = base + p * 5 + i + 1;
    }
}

void synth_lost(struct synth_log *l)
{
    slot(l);
}

void synth_write(struct synth_log *l, const char *dir, uint64_t extra_reserved)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%u.%u.hslog", dir, l->header.pid, l->header.exec_gen);
    l->header.n_reserved = l->n + extra_reserved;
    FILE *f = fopen(path, "wb");
    fwrite(&l->header, sizeof l->header, 1, f);
    if (l->n)
        fwrite(l->records, sizeof *l->records, l->n, f);
    fclose(f);
    free(l->records);
    l->records = NULL;
    l->n = l->cap = 0;
}

char *synth_tmpdir(void)
{
    const char *t = getenv("TMPDIR");
    char *dir;
    if (asprintf(&dir, "%s/hs-store-test-XXXXXX", t && *t ? t : "/tmp") < 0 || !mkdtemp(dir))
        abort();
    return dir;
}

void synth_rmtree(const char *dir)
{
    char *cmd;
    if (asprintf(&cmd, "rm -rf '%s'", dir) >= 0) {
        if (system(cmd) != 0)
            fprintf(stderr, "cannot remove %s\n", dir);
        free(cmd);
    }
}
