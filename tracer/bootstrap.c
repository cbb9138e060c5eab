/*
 * bootstrap.c - the tracer's state, its initialization, and the static pool
 * that serves allocations while dlsym runs.
 *
 * Initialization runs once, on the first hooked call or from the library
 * constructor, whichever comes first:
 *   1. resolve the next definition of every hooked symbol (C++ operator
 *      new/delete first, see resolve()) with
 *      dlsym(RTLD_NEXT): glibc, or jemalloc/tcmalloc/mimalloc when preloaded
 *      after us. dlsym itself may call malloc/calloc; those nested calls find
 *      real.malloc still NULL and are served from `hs__pool` (a free() of a pool
 *      pointer is ignored), as heaptrack's DummyPool does.
 *   2. read HS_LOGDIR and HS_LOG_MAX_EVENTS from `environ` (getenv is not
 *      used: config is read once, here).
 *   3. open LOGDIR, map LOGDIR/seq, create and map the log (sink.c).
 *   4. register the fork child handler, which gives a child its own log.
 * If HS_LOGDIR is unset the tracer stays inert (pass-through); if it is set
 * but unusable it also prints one `heapscope-tracer:` line.
 *
 * glibc detection: the next malloc is glibc's when it lies in the same
 * object as gnu_get_libc_version (dladdr, no allocation). Only then are
 * chunk headers read and brk/mmap inferred.
 */
#include <dlfcn.h>
#include <errno.h>
#include <gnu/libc-version.h>
#include <limits.h>
#include <link.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "infer.h"
#include "record.h"
#include "sink.h"
#include "stack.h"
#include "state.h"
#include "sys.h"
#include "thread_exit.h"

extern char **environ;

struct tracer_state hs__state = {.log_fd = -1, .dir_fd = -1, .async = {.fd = -1}};
__thread struct hs_thread hs__thread __attribute__((tls_model("initial-exec")));

/* The bootstrap pool (state.h). Each block is preceded by a 16-byte size
 * word. */
_Alignas(4096) char hs__pool[HS_POOL_SIZE];

void *hs__pool_alloc(size_t size, size_t align)
{
    if (align < 16)
        align = 16;
    size_t used = __atomic_load_n(&hs__state.pool_used, __ATOMIC_RELAXED);
    for (;;) {
        size_t start = (used + 16 + align - 1) / align * align;
        size_t end = start + (size + 15) / 16 * 16;
        if (end > HS_POOL_SIZE || size > HS_POOL_SIZE)
            return NULL;
        if (__atomic_compare_exchange_n(&hs__state.pool_used, &used, end, 0, __ATOMIC_RELAXED,
                                        __ATOMIC_RELAXED)) {
            *(size_t *)(hs__pool + start - 16) = size;
            return hs__pool + start; /* static storage: already zero */
        }
    }
}

size_t hs__pool_size(const void *p)
{
    return *(const size_t *)((const char *)p - 16);
}

void hs__complain(const char *msg, const char *detail)
{
    int expected = 0;
    if (!__atomic_compare_exchange_n(&hs__state.complained, &expected, 1, 0, __ATOMIC_RELAXED,
                                     __ATOMIC_RELAXED))
        return;
    char buf[512];
    size_t n = 0;
    const char *parts[] = {"heapscope-tracer: ", msg, detail ? " " : "", detail ? detail : "",
                           "\n"};
    for (size_t k = 0; k < sizeof parts / sizeof parts[0]; k++)
        for (const char *s = parts[k]; *s && n < sizeof buf - 1; s++)
            buf[n++] = *s;
    if (n == sizeof buf - 1)
        buf[n - 1] = '\n';
    hs__sys_write_all(2, buf, n);
}

#define RESOLVE(name)                                                                              \
    (hs__state.real.name = (__typeof__(hs__state.real.name))dlsym(RTLD_NEXT, #name))

/* Release stores: hs__cxx_resolve_late sets these while other threads
 * run the C++ hooks. */
#define RESOLVE_AS(from, field, symbol)                                                            \
    __atomic_store_n(&hs__state.real.field, (__typeof__(hs__state.real.field))dlsym(from, symbol), \
                     __ATOMIC_RELEASE)

/* C++ operator new/delete (hooks_cxx.c), looked up from `from` (RTLD_NEXT,
 * or the handle of a libstdc++ found late): NULL, tolerated, when no
 * loaded object defines them (no libstdc++). */
static void resolve_cxx(void *from)
{
    RESOLVE_AS(from, znwm, "_Znwm");
    RESOLVE_AS(from, znam, "_Znam");
    RESOLVE_AS(from, znwm_nt, "_ZnwmRKSt9nothrow_t");
    RESOLVE_AS(from, znam_nt, "_ZnamRKSt9nothrow_t");
    RESOLVE_AS(from, znwm_al, "_ZnwmSt11align_val_t");
    RESOLVE_AS(from, znam_al, "_ZnamSt11align_val_t");
    RESOLVE_AS(from, znwm_al_nt, "_ZnwmSt11align_val_tRKSt9nothrow_t");
    RESOLVE_AS(from, znam_al_nt, "_ZnamSt11align_val_tRKSt9nothrow_t");
    RESOLVE_AS(from, zdlpv, "_ZdlPv");
    RESOLVE_AS(from, zdapv, "_ZdaPv");
    RESOLVE_AS(from, zdlpvm, "_ZdlPvm");
    RESOLVE_AS(from, zdapvm, "_ZdaPvm");
    RESOLVE_AS(from, zdlpv_al, "_ZdlPvSt11align_val_t");
    RESOLVE_AS(from, zdapv_al, "_ZdaPvSt11align_val_t");
    RESOLVE_AS(from, zdlpvm_al, "_ZdlPvmSt11align_val_t");
    RESOLVE_AS(from, zdapvm_al, "_ZdaPvmSt11align_val_t");
    RESOLVE_AS(from, zdlpv_nt, "_ZdlPvRKSt9nothrow_t");
    RESOLVE_AS(from, zdapv_nt, "_ZdaPvRKSt9nothrow_t");
    RESOLVE_AS(from, zdlpv_al_nt, "_ZdlPvSt11align_val_tRKSt9nothrow_t");
    RESOLVE_AS(from, zdapv_al_nt, "_ZdaPvSt11align_val_tRKSt9nothrow_t");
}

/* dl_iterate_phdr callback: copies the path of a loaded libstdc++.so.* to
 * arg (PATH_MAX bytes) and stops. */
static int find_libstdcxx(struct dl_phdr_info *info, size_t size, void *arg)
{
    (void)size;
    const char *name = info->dlpi_name, *slash = strrchr(name, '/');
    const char *base = slash ? slash + 1 : name;
    if (strncmp(base, "libstdc++.so", 12) != 0 || strlen(name) >= PATH_MAX)
        return 0;
    memcpy(arg, name, strlen(name) + 1);
    return 1;
}

int hs__cxx_resolve_late(void)
{
    enum { NOT_TRIED, KNOWN, NOT_FOUND, LOOKING };
    static int state = NOT_TRIED;
    int s = __atomic_load_n(&state, __ATOMIC_ACQUIRE);
    if (s != NOT_TRIED ||
        !__atomic_compare_exchange_n(&state, &s, LOOKING, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
        return s == KNOWN;
    /* The loader's own allocations (a dlerror() message) are not the
     * program's: pass them through untraced, and keep the hook's caller
     * override away from them (they would take it). */
    int busy = hs__thread.busy;
    uint64_t override = hs__thread.caller_override;
    hs__thread.busy = HS_BUSY_TRACER;
    hs__thread.caller_override = 0;
    char path[PATH_MAX] = "";
    dl_iterate_phdr(find_libstdcxx, path);
    /* RTLD_NEXT cannot see an object dlopen'd RTLD_LOCAL: look in
     * libstdc++'s own scope (RTLD_LAZY: promote none of its flags). The
     * handle is never closed, so the pointers stay valid: that libstdc++
     * stays loaded until the process ends. */
    void *cxx = path[0] ? dlopen(path, RTLD_LAZY | RTLD_NOLOAD) : NULL;
    if (cxx)
        resolve_cxx(cxx);
    s = cxx && __atomic_load_n(&hs__state.real.znwm, __ATOMIC_ACQUIRE) ? KNOWN : NOT_FOUND;
    hs__thread.busy = busy;
    hs__thread.caller_override = override;
    __atomic_store_n(&state, s, __ATOMIC_RELEASE);
    return s == KNOWN;
}

static void resolve(void)
{
    /* First, while real.malloc is still NULL: a failed dlsym (a C program,
     * no libstdc++) mallocs its dlerror() message, which must come from the
     * pool, not from a glibc heap initialized before recording starts. */
    resolve_cxx(RTLD_NEXT);
    RESOLVE(malloc);
    RESOLVE(calloc);
    RESOLVE(realloc);
    RESOLVE(reallocarray);
    RESOLVE(free);
    RESOLVE(memalign);
    RESOLVE(posix_memalign);
    RESOLVE(aligned_alloc);
    RESOLVE(valloc);
    RESOLVE(pvalloc);
    RESOLVE(malloc_trim);
    RESOLVE(mallopt);
    RESOLVE(malloc_usable_size);
    RESOLVE(mmap);
    RESOLVE(munmap);
    RESOLVE(mremap);
    RESOLVE(brk);
    RESOLVE(sbrk);
    RESOLVE(fork);
    RESOLVE(exit);
    RESOLVE(dlclose);
    if (!hs__state.real.malloc || !hs__state.real.free || !hs__state.real.calloc ||
        !hs__state.real.realloc || !hs__state.real.mmap || !hs__state.real.sbrk ||
        !hs__state.real.exit) {
        /* Nothing sensible to chain to: the one case where the tracer may
         * end its host (STYLE 20: abort only on bootstrap failure). */
        hs__complain("cannot find the next malloc with dlsym(RTLD_NEXT)", NULL);
        abort();
    }
    Dl_info next, libc;
    if (dladdr((void *)hs__state.real.malloc, &next) &&
        dladdr((void *)gnu_get_libc_version, &libc) && next.dli_fbase == libc.dli_fbase)
        hs__state.glibc = 1;
    if (hs__state.glibc && &__curbrk)
        hs__state.curbrk = &__curbrk;
    Dl_info cxx;
    if (hs__state.real.znwm && hs__state.real.zdlpv && dladdr((void *)hs__state.real.znwm, &cxx) &&
        dladdr((void *)hs__state.real.malloc, &next) && cxx.dli_fbase == next.dli_fbase)
        hs__state.cxx_direct = 1;
}

/* Value of NAME in environ, or NULL. */
static const char *config(const char *name)
{
    size_t len = strlen(name);
    for (char **e = environ; e && *e; e++)
        if (strncmp(*e, name, len) == 0 && (*e)[len] == '=')
            return *e + len + 1;
    return NULL;
}

/* Starts the kernel worker that grows the log ahead (unless HS_ASYNC=0)
 * and gives it the two segments after the first. */
static void start_async(void)
{
    hs__state.async.fd = -1;
    if (!hs__state.use_async)
        return;
    if (hs__state.ring)
        return; /* a ring never grows: nothing to do ahead */
    hs__sys_async_open(&hs__state.async);
    uint64_t first = hs__state.covered;
    hs__record_grow_async(first, first + HS_SEGMENT_RECORDS);
    hs__record_grow_async(first + HS_SEGMENT_RECORDS, first + 2 * HS_SEGMENT_RECORDS);
}

static void atfork_child(void)
{
    hs__thread.tid = 0; /* the forking thread has a new tid in the child */
    if (!__atomic_load_n(&hs__state.recording, __ATOMIC_RELAXED))
        return;
    int saved = hs__thread.busy;
    hs__thread.busy = HS_BUSY_TRACER;
    __atomic_store_n(&hs__state.recording, 0, __ATOMIC_RELAXED);
    hs__sys_async_close(&hs__state.async); /* the parent's ring */
    hs__sink_drop_inherited();
    if (!hs__sys_fd_is(hs__state.dir_fd, &hs__state.dir_id)) {
        hs__complain("the program closed HS_LOGDIR's file descriptor:",
                     "a forked child is not traced");
        hs__thread.busy = saved;
        return;
    }
    const char *what = NULL;
    int rc = hs__sink_open_log(hs__state.max_events, hs__state.log_flags, &what);
    if (rc == 0)
        start_async();
    if (rc == 0)
        __atomic_store_n(&hs__state.recording, 1, __ATOMIC_RELEASE);
    else
        hs__complain(what, strerrordesc_np(-rc));
    hs__thread.busy = saved;
}

/* HS_STACK=N (2..HS_STACK_MAX_DEPTH): call stacks of N frames (stack.h);
 * HS_STACK_UNWIND=libgcc: walked by libgcc's unwinder alone. */
static void configure_stacks(void)
{
    unsigned depth = 0;
    for (const char *v = config("HS_STACK"); v && *v >= '0' && *v <= '9' && depth < 100; v++)
        depth = depth * 10 + (unsigned)(*v - '0');
    if (depth <= 1)
        return;
    hs__state.stack_depth = depth < HS_STACK_MAX_DEPTH ? depth : HS_STACK_MAX_DEPTH;
    const char *how = config("HS_STACK_UNWIND");
    hs__state.stack_libgcc = how && strcmp(how, "libgcc") == 0;
    hs__stack_warm_up();
}

static void open_logdir(void)
{
    const char *dir = config("HS_LOGDIR");
    if (!dir || !*dir)
        return; /* inert: not asked to trace */
    const char *max = config("HS_LOG_MAX_EVENTS");
    uint64_t max_events = 0;
    for (; max && *max >= '0' && *max <= '9'; max++)
        max_events = max_events * 10 + (uint64_t)(*max - '0');
    hs__state.max_events = max_events;
    const char *async = config("HS_ASYNC");
    hs__state.use_async = !(async && async[0] == '0');
    const char *ring = config("HS_RING"), *tsc = config("HS_TSC");
    hs__state.ring_wanted = ring && ring[0] == '1' && ring[1] == '\0';
    hs__state.tsc_wanted = tsc && tsc[0] == '1' && tsc[1] == '\0';
    uint64_t records = 0, wait_ms = 0;
    for (const char *v = config("HS_RING_RECORDS"); v && *v >= '0' && *v <= '9'; v++)
        records = records * 10 + (uint64_t)(*v - '0');
    for (const char *v = config("HS_RING_WAIT_MS"); v && *v >= '0' && *v <= '9'; v++)
        wait_ms = wait_ms * 10 + (uint64_t)(*v - '0');
    uint64_t cap = 64;
    while (cap < records && cap < (1ull << 28))
        cap <<= 1;
    hs__state.ring_records = records ? cap : HS_RING_DEFAULT_RECORDS;
    hs__state.ring_wait_ns = (wait_ms ? wait_ms : HS_RING_DEFAULT_WAIT_MS) * 1000000ull;
    hs__state.log_flags = hs__state.glibc ? HS_LOG_GLIBC_MALLOC : 0;
    configure_stacks();

    const char *what = "cannot open HS_LOGDIR";
    int rc = hs__sys_open_dir(dir);
    if (rc == -ENOENT && hs__state.ring_wanted)
        return; /* heapscope record is done and removed its directory: a process
                 * left behind (exec'd after the program ended) runs untraced */
    if (rc >= 0) {
        rc = hs__sys_fd_move_high(rc);
        hs__state.dir_fd = rc;
        rc = hs__sys_fd_identity(rc, &hs__state.dir_id);
    }
    if (rc == 0) {
        what = "cannot create HS_LOGDIR/seq";
        rc = hs__sink_open_seq();
    }
    if (rc == 0)
        rc = hs__sink_open_log(max_events, hs__state.log_flags, &what);
    if (rc != 0) {
        char detail[300];
        size_t n = 0;
        const char *parts[] = {"'", dir, "': ", strerrordesc_np(-rc), " (tracing disabled)"};
        for (size_t k = 0; k < sizeof parts / sizeof parts[0]; k++)
            for (const char *s = parts[k]; s && *s && n < sizeof detail - 1; s++)
                detail[n++] = *s;
        detail[n] = '\0';
        hs__complain(what, detail);
        return;
    }
    __atomic_store_n(&hs__state.last_brk, (uintptr_t)hs__state.header->initial_brk,
                     __ATOMIC_RELAXED);
    start_async();
    hs__thread_exit_init();
    pthread_atfork(NULL, NULL, atfork_child);
    __atomic_store_n(&hs__state.recording, 1, __ATOMIC_RELEASE);
}

void hs__init(void)
{
    if (__atomic_load_n(&hs__state.init_phase, __ATOMIC_ACQUIRE) == HS_INIT_DONE)
        return;
    int expected = HS_INIT_NONE;
    if (__atomic_compare_exchange_n(&hs__state.init_phase, &expected, HS_INIT_RUNNING, 0,
                                    __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
        int saved = hs__thread.busy;
        hs__thread.busy = HS_BUSY_TRACER;
        resolve();
        /* A malloc from ld.so can arrive before libc's own initializer set
         * environ; then the configuration waits for our constructor, which
         * always runs after libc's. */
        if (environ)
            open_logdir();
        else
            hs__state.config_deferred = 1;
        hs__thread.busy = saved;
        __atomic_store_n(&hs__state.init_phase, HS_INIT_DONE, __ATOMIC_RELEASE);
        return;
    }
    if (hs__thread.busy)
        return; /* this thread is the one initializing: nested call */
    while (__atomic_load_n(&hs__state.init_phase, __ATOMIC_ACQUIRE) != HS_INIT_DONE)
        hs__sys_yield();
}

__attribute__((constructor)) static void tracer_load(void)
{
    hs__init();
    if (hs__state.config_deferred) {
        int saved = hs__thread.busy;
        hs__thread.busy = HS_BUSY_TRACER;
        hs__state.config_deferred = 0;
        open_logdir();
        hs__thread.busy = saved;
    }
}
