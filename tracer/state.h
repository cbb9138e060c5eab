/*
 * state.h - the tracer's one state structure and its thread-local flags.
 *
 * Every piece of tracer state lives in `hs__state` (one instance, defined in
 * bootstrap.c) or in the per-thread `hs__thread`. Nothing else in tracer/ is
 * a mutable static but stack_walk.c's cache of frame rules (lock-free, its
 * own contract). Fields written after init are atomics, named so below.
 *
 * Lifecycle: init_phase goes 0 → 1 (one thread runs hs__init) → 2. While it
 * is 1 the real function pointers may still be NULL: the hooks then serve
 * allocations from the static bootstrap pool (bootstrap.c). `recording` is
 * set only once a log is mapped, and cleared for good when the log is full
 * or a write fails. In the inert mode (HS_LOGDIR unset or unusable) the
 * pointers are resolved and `recording` stays 0: pure pass-through.
 *
 * Thread safety: after init only the fields marked "atomic" change.
 * Allocates: no (all storage is static or in the mapped log file).
 */
#ifndef HS_TRACER_STATE_H
#define HS_TRACER_STATE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "heapscope/event.h"
#include "sys.h"

#define HS_EXPORT __attribute__((visibility("default")))

/* Records per fallocate() step: 64Ki records = 4 MiB of log. */
#define HS_SEGMENT_RECORDS 65536u
/* Virtual range reserved for one log: 16 GiB = 268 million records. */
#define HS_LOG_RESERVE_BYTES (16ull << 30)
/* How long a writer waits for a full ring whose drainer makes no progress. */
#define HS_RING_DEFAULT_WAIT_MS 5000u
/* Distinct non-main-arena heaps remembered for mmap inference. */
#define HS_MAX_ARENA_HEAPS 256u

/* The next allocator in the chain (dlsym(RTLD_NEXT)), resolved at init. */
struct hs_real {
    void *(*malloc)(size_t);
    void *(*calloc)(size_t, size_t);
    void *(*realloc)(void *, size_t);
    void *(*reallocarray)(void *, size_t, size_t);
    void (*free)(void *);
    void *(*memalign)(size_t, size_t);
    int (*posix_memalign)(void **, size_t, size_t);
    void *(*aligned_alloc)(size_t, size_t);
    void *(*valloc)(size_t);
    void *(*pvalloc)(size_t);
    int (*malloc_trim)(size_t);
    int (*mallopt)(int, int);
    size_t (*malloc_usable_size)(void *);
    void *(*mmap)(void *, size_t, int, int, int, off_t);
    int (*munmap)(void *, size_t);
    void *(*mremap)(void *, size_t, size_t, int, ...);
    int (*brk)(void *);
    void *(*sbrk)(intptr_t);
    pid_t (*fork)(void);
    void (*exit)(int) __attribute__((noreturn));
    int (*dlclose)(void *);
    /* C++ operator new/delete (hooks_cxx.c): NULL when no loaded object
     * defines them yet (no libstdc++ at init). Mangled names: new/new[]
     * (nothrow, align_val_t), delete/delete[] (sized, align_val_t, nothrow). */
    void *(*znwm)(size_t);
    void *(*znam)(size_t);
    void *(*znwm_nt)(size_t, const void *);
    void *(*znam_nt)(size_t, const void *);
    void *(*znwm_al)(size_t, size_t);
    void *(*znam_al)(size_t, size_t);
    void *(*znwm_al_nt)(size_t, size_t, const void *);
    void *(*znam_al_nt)(size_t, size_t, const void *);
    void (*zdlpv)(void *);
    void (*zdapv)(void *);
    void (*zdlpvm)(void *, size_t);
    void (*zdapvm)(void *, size_t);
    void (*zdlpv_al)(void *, size_t);
    void (*zdapv_al)(void *, size_t);
    void (*zdlpvm_al)(void *, size_t, size_t);
    void (*zdapvm_al)(void *, size_t, size_t);
    void (*zdlpv_nt)(void *, const void *);
    void (*zdapv_nt)(void *, const void *);
    void (*zdlpv_al_nt)(void *, size_t, const void *);
    void (*zdapv_al_nt)(void *, size_t, const void *);
};

enum hs_init_phase { HS_INIT_NONE = 0, HS_INIT_RUNNING = 1, HS_INIT_DONE = 2 };

struct tracer_state {
    int init_phase;      /* enum hs_init_phase (atomic) */
    int recording;       /* 1 while events are written (atomic) */
    int glibc;           /* the next malloc is glibc's: read chunk
                            headers and infer brk/mmap */
    int complained;      /* the one diagnostic line was printed (atomic) */
    int config_deferred; /* environ was not set up yet at init: the
                            library constructor reads HS_LOGDIR */
    int cxx_direct;      /* the next operator new/delete are in the next
                            malloc's object (jemalloc, tcmalloc, mimalloc
                            define them): they never reach our malloc/free
                            hooks, so hooks_cxx.c records the calls itself */
    struct hs_real real; /* next definitions of the hooked symbols */

    int dir_fd;                   /* HS_LOGDIR, O_DIRECTORY (kept for fork) */
    struct hs_file_id dir_id;     /* what dir_fd must still refer to */
    struct hs_file_id log_id;     /* what log_fd must still refer to */
    uint64_t max_events;          /* HS_LOG_MAX_EVENTS, 0 = default limit */
    int use_async;                /* grow the log on a kernel worker (HS_ASYNC != 0) */
    uint32_t log_flags;           /* HS_LOG_* flags every new log starts with */
    int log_fd;                   /* this process's .hslog, O_CLOEXEC */
    uint32_t exec_gen;            /* gen of this process's log */
    struct hs_log_header *header; /* start of the log mapping */
    struct hs_record *records;    /* header + 4096: slot 0 */
    size_t map_size;              /* bytes of the log mapping (virtual) */
    uint64_t max_slots;           /* slots the mapping (or HS_LOG_MAX_EVENTS) allows */
    uint64_t covered;             /* slots [0, covered) are fallocated (atomic) */
    uint64_t *seq;                /* LOGDIR/seq, mapped shared by all processes */

    /* Ring mode (HS_RING=1, set by `heapscope record`): the log is a ring
     * in LOGDIR/<pid>.<gen>.ring that the recorder drains (event.h). */
    int ring_wanted;                  /* HS_RING=1 */
    int tsc_wanted;                   /* HS_TSC=1: the recorder converts raw TSC */
    uint64_t ring_records;            /* HS_RING_RECORDS (power of two), or default */
    uint64_t ring_wait_ns;            /* HS_RING_WAIT_MS in ns */
    int ring;                         /* this process's log is a ring */
    int tsc;                          /* ts_ns holds raw TSC (implies ring: the
                                         record.h fast path tests only this) */
    uint64_t ring_mask;               /* capacity - 1 */
    unsigned ring_shift;              /* log2(capacity) */
    struct hs_ring_control *ring_ctl; /* the ring's control page */
    uint64_t ring_consumed;           /* last consumed seen (atomic, acquire/release) */
    uint64_t fast_limit;              /* slots below it take record.h's fast path: in a ring
                                         with TSC min(max_slots, ring_consumed + capacity),
                                         else 0 (atomic, acquire/release; only grows) */
    struct hs_async async;            /* grows the log ahead on a kernel worker */

    uintptr_t last_brk; /* program break last recorded (atomic) */
    unsigned stack_depth; /* HS_STACK: frames of each allocation's call stack
                             to record (2..HS_STACK_MAX_DEPTH), 0: the caller
                             only (stack.h); set once at init */
    uint64_t code_gen;    /* +2 per dlclose (stack.c; atomic): code the
                             stack walks' cached rules describe may be gone */
    int stack_libgcc;     /* HS_STACK_UNWIND=libgcc: every walk by libgcc's
                             unwinder, none by stack_walk.h's cache (a check) */
    void **curbrk;      /* &__curbrk, glibc's cached break, when the next malloc is
                           glibc's (hs__state.glibc) and it is exported; else NULL */
    uintptr_t arena_heaps[HS_MAX_ARENA_HEAPS]; /* seen non-main heap bases
                                      (each slot 0 or set once by CAS) */
    int exit_status;                           /* argument of the program's exit(), else 0 */

    size_t pool_used; /* bytes handed out of the bootstrap pool (atomic) */
};

/* Values of hs_thread.busy. */
enum hs_busy {
    HS_BUSY_NO = 0,        /* not inside the tracer: record this call */
    HS_BUSY_TRACER = 1,    /* tracer code runs: pass nested calls through */
    HS_BUSY_ALLOCATOR = 2, /* inside a hooked allocator call: a nested mmap
                              family call is the allocator's own (non-glibc
                              allocators call the exported mmap) */
};

/* Per-thread state. initial-exec TLS: no allocation on first access. */
struct hs_thread {
    int busy;                 /* enum hs_busy: reentrancy guard */
    uint32_t tid;             /* cached gettid(), 0 until first use; reset in a fork child */
    uint8_t mark;             /* the lap bit (0x80 or 0) the last hs__record_begin's slot
                                 commits with: ring mode, odd laps (event.h) */
    uint64_t caller_override; /* the "caller override": 0, or the program's
                     return address into a C++ operator new/delete hook
                     (hooks_cxx.c) while it runs; the first malloc-family
                     hook under it records it as its caller and clears it */
};

extern struct tracer_state hs__state;
extern __thread struct hs_thread hs__thread __attribute__((tls_model("initial-exec")));

/* bootstrap.c: resolve the real symbols, open the log (if configured).
 * Idempotent and safe to call from any hook; a thread that finds another
 * thread initializing waits for it, the initializing thread itself returns
 * at once (its nested calls are served by the pool). */
void hs__init(void);

/* bootstrap.c, for hooks_cxx.c: called when a C++ hook finds its next
 * definition NULL (libstdc++ was dlopen'd after init, e.g. by a C program
 * loading a C++ plugin). Looks for a loaded libstdc++ once per process and
 * resolves the operator new/delete family from it. 1 if _Znwm is known
 * now. Takes the loader's lock and may allocate, so only ever called on
 * that path; a thread that finds the lookup running elsewhere gets 0. */
int hs__cxx_resolve_late(void);

/* bootstrap.c: the static pool used while dlsym runs. Hidden like every
 * symbol but the hooks. */
void *hs__pool_alloc(size_t size, size_t align);
#define HS_POOL_SIZE (64u * 1024u)
extern char hs__pool[HS_POOL_SIZE] __attribute__((visibility("hidden")));
/* 1 if p points into the pool (inline: free asks it for every block). */
static inline int hs__pool_owns(const void *p)
{
    return (uintptr_t)p - (uintptr_t)hs__pool < HS_POOL_SIZE;
}
size_t hs__pool_size(const void *p); /* bytes usable at p, pre: hs__pool_owns(p) */

/* Writes "heapscope-tracer: <msg>\n" to fd 2, at most once per process. */
void hs__complain(const char *msg, const char *detail);

#endif
