/* cmd_explain.c - `heapscope explain FILE SEQ`: why the call at SEQ got its
 * address: glibc's path in plain words, what moved between bins, and the
 * bins and top before and after. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "cli_model.h"
#include "model_run.h"
#include "sites.h"

static const char usage[] = "usage: heapscope explain FILE SEQ [--pid PID]\n";

static const char *const kinds[] = {"tcache", "fastbin", "unsorted", "smallbin", "largebin"};

static const char *const words[HS_PATH_COUNT] = {
    [HS_PATH_TCACHE] = "a tcache hit: this thread had a freed chunk of exactly this size cached; "
                       "the newest one is reused (LIFO) without touching the arena",
    [HS_PATH_FASTBIN] =
        "a fastbin hit: a small freed chunk of this size was waiting in its fastbin (LIFO)",
    [HS_PATH_SMALLBIN] =
        "a smallbin hit: the oldest free chunk of exactly this size in its smallbin (FIFO)",
    [HS_PATH_UNSORTED_EXACT] =
        "an exact fit found while sorting the unsorted bin (recently freed chunks)",
    [HS_PATH_LAST_REMAINDER] =
        "a split of the last remainder: the only unsorted chunk was what was left "
        "of the previous split, so glibc cuts the next piece from it (locality)",
    [HS_PATH_LARGE_BEST_FIT] =
        "the best fit in the request's large bin (smallest chunk that is big enough), "
        "split if the rest is at least MINSIZE",
    [HS_PATH_BINMAP] =
        "no bin of this size had a chunk: the binmap led to the next non-empty larger bin, "
        "whose chunk was split",
    [HS_PATH_TOP] = "no free chunk fitted: the piece was cut from the start of the top chunk",
    [HS_PATH_SYSMALLOC_BRK] =
        "top was too small: glibc grew the heap with brk (sysmalloc) and cut the "
        "piece from the new top",
    [HS_PATH_MMAP] = "the request is at least the mmap threshold: glibc gave it its own mapping",
    [HS_PATH_REALLOC_IN_PLACE] =
        "realloc kept the block in place (shrunk, or grown into top or into "
        "the free chunk after it)",
    [HS_PATH_MREMAP] = "realloc of an mmapped block: glibc asked the kernel to resize the mapping",
    [HS_PATH_OTHER_ARENA] = "another thread's arena served it: observed, not modelled",
};

static void summary(struct hs_model *m, const char *title)
{
    struct hs_model_totals t;
    hs_model_totals(m, &t);
    printf("%s: top 0x%llx (0x%llx bytes), break 0x%llx, mmap threshold 0x%llx\n", title,
           (unsigned long long)t.top_addr, (unsigned long long)t.top_size,
           (unsigned long long)t.brk, (unsigned long long)t.mmap_threshold);
}

static void bin_line(void *ctx, const struct hs_bin_view *b)
{
    printf("    %s[%u]", kinds[b->kind], b->index);
    if (b->kind == HS_BIN_TCACHE)
        printf(" thread %u", b->tid);
    printf(":");
    for (size_t i = 0; i < b->n && i < 8; i++)
        printf(" 0x%llx(0x%llx)", (unsigned long long)b->addrs[i], (unsigned long long)b->sizes[i]);
    if (b->n > 8)
        printf(" ... (%zu in all)", b->n);
    printf("\n");
}

int cmd_explain(int argc, char **argv)
{
    struct cli_model_opts o;
    int rc = cli_model_parse("explain", usage, argc, argv, "seq", &o);
    if (rc != CLI_ARGS_OK)
        return cli_args_exit(rc);
    uint64_t seq = o.seq;
    o.at = seq - 1; /* the model just before SEQ */
    struct hs_trace *t;
    struct hs_model *m;
    if ((rc = cli_model_open("explain", &o, &t, &m)) != 0)
        return rc;
    if (!m) {
        cli_model_close(&o, t, NULL);
        return HS_EXIT_OK;
    }
    if (seq == 1 || o.imgs.v[o.idx].pid != o.pid) { /* not the image of seq: start afresh */
        hs_model_free(m);
        struct hs_error e0;
        if (hs_model_image_start(t, &o.imgs, o.idx, &m, &e0)) {
            cli_model_close(&o, t, NULL);
            return cli_fail("explain", "%s", e0.msg);
        }
    }
    struct hs_error err = {{0}};
    struct hs_cursor *c;
    struct hs_event ev, prev = {0}, target = {0};
    int found = 0;
    if (hs_cursor_open(t, seq > 1 ? seq - 1 : 1, o.pid, &c, &err) == 0) {
        while (hs_cursor_next(c, &ev, &err) == 1 && ev.seq <= seq) {
            if (ev.seq == seq) {
                target = ev;
                found = 1;
            } else {
                prev = ev;
            }
        }
        hs_cursor_close(c);
    }
    if (!found) {
        cli_model_close(&o, t, m);
        return cli_fail("explain", "no event %llu in process %u of '%s'", (unsigned long long)seq,
                        o.pid, o.file);
    }
    const struct hs_event *hint = prev.op == HS_OP_BRK && prev.origin == HS_ORIGIN_ALLOCATOR &&
                                          prev.ptr > prev.old_ptr && prev.tid == target.tid
                                      ? &prev
                                      : NULL;
    printf("seq %llu: %s", (unsigned long long)seq, hs_op_name(target.op));
    if (target.op == HS_OP_THREAD_EXIT) {
        printf(" of thread %u: glibc gives its tcache back to the arenas\n", target.tid);
    } else if (target.op == HS_OP_MALLOPT) {
        int param = (int)(int64_t)target.old_ptr;
        char number[16];
        snprintf(number, sizeof number, "%d", param);
        const char *name = hs_mallopt_param_name(param);
        printf("(%s, %lld), thread %u\n", name ? name : number, (long long)(int32_t)target.size,
               target.tid);
    } else if (target.op == HS_OP_FREE) {
        printf("(0x%llx)\n", (unsigned long long)target.ptr);
    } else {
        printf("(%llu) = 0x%llx, thread %u\n", (unsigned long long)target.size,
               (unsigned long long)target.ptr, target.tid);
    }
    /* where the program made the call (and, with `record --stack N`, from where) */
    char where[2048];
    struct hs_error named;
    if (target.caller &&
        hs_sites_describe_call(t, target.pid, target.ts_ns, seq, target.caller, where,
                               sizeof where, &named) == HS_OK)
        printf("called from %s\n", where);
    summary(m, "before");
    hs_model_each_bin(m, bin_line, NULL);
    hs_model_set_notes(m, 1);
    struct hs_model_step st;
    hs_model_apply(m, &target, hint, &st);
    if (st.is_alloc) {
        printf("\npath: %s\n  %s\n", hs_path_name(st.path), words[st.path] ? words[st.path] : "");
        if (st.grown)
            printf("  the heap grew by 0x%llx bytes (request + top_pad + MINSIZE - old top, "
                   "page-rounded)\n",
                   (unsigned long long)st.grown);
        if (st.predicted && st.match)
            printf("  the model predicts 0x%llx: the recorded address\n",
                   (unsigned long long)st.predicted_ptr);
        else if (st.predicted)
            printf("  the model predicted 0x%llx but glibc returned 0x%llx: %s\n",
                   (unsigned long long)st.predicted_ptr, (unsigned long long)st.recorded_ptr,
                   st.why);
    }
    printf("\nwhat happened:\n");
    const char *notes = hs_model_notes(m);
    if (!*notes)
        printf("  (nothing in the main arena changed)\n");
    for (const char *p = notes; *p;) {
        const char *nl = strchr(p, '\n');
        int len = nl ? (int)(nl - p) : (int)strlen(p);
        printf("  %.*s\n", len, p);
        p += len + (nl ? 1 : 0);
    }
    printf("\n");
    summary(m, "after");
    hs_model_each_bin(m, bin_line, NULL);
    cli_model_close(&o, t, m);
    return HS_EXIT_OK;
}
