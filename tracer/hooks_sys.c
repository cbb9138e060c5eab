/*
 * hooks_sys.c - interposed mmap, munmap, mremap, brk, sbrk, fork and exit.
 *
 * These see only the calls a program (or a library it uses) makes through
 * the dynamic symbol: glibc's malloc calls its internal __mmap/__sbrk and is
 * never seen here (infer.c reconstructs those). A call that arrives while
 * the thread is inside a hooked allocator call is that allocator's own
 * (jemalloc, tcmalloc and mimalloc call the exported mmap) and is recorded
 * with origin allocator; any other nested call passes through.
 *
 * brk/sbrk made by the program update hs__state.last_brk, so the break
 * inference does not report the same move a second time.
 */
#include <errno.h>
#include <stdarg.h>
#include <sys/mman.h>
#include <sys/types.h>

#include "heapscope/event.h"
#include "hooks.h"
#include "record.h"
#include "sys.h"

/* Decides whether to record a system-level call and with which origin.
 * Returns the busy value to restore, or -1 if the call is not recorded. */
static int sys_enter(uint8_t *origin)
{
    if (__builtin_expect(__atomic_load_n(&hs__state.init_phase, __ATOMIC_ACQUIRE) != HS_INIT_DONE,
                         0))
        hs__init();
    if (!__atomic_load_n(&hs__state.recording, __ATOMIC_RELAXED))
        return -1;
    int busy = hs__thread.busy;
    if (busy == HS_BUSY_NO)
        *origin = HS_ORIGIN_PROGRAM;
    else if (busy == HS_BUSY_ALLOCATOR)
        *origin = HS_ORIGIN_ALLOCATOR;
    else
        return -1;
    hs__thread.busy = HS_BUSY_TRACER;
    return busy;
}

static void sys_leave(int busy)
{
    hs__thread.busy = busy;
}

/* A call that arrives on the thread that is still resolving the real
 * symbols (so never in practice: dlsym makes none of these calls). */
static int not_yet(int result)
{
    errno = ENOSYS;
    return result;
}

HS_EXPORT void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t offset)
{
    uint8_t origin;
    int saved = sys_enter(&origin);
    if (!hs__state.real.mmap)
        return hs__sys_mmap(addr, len, prot, flags, fd, (long)offset);
    if (saved < 0)
        return hs__state.real.mmap(addr, len, prot, flags, fd, offset);
    void *p = hs__state.real.mmap(addr, len, prot, flags, fd, offset);
    hs__record_call(HS_OP_MMAP, origin, p == MAP_FAILED ? HS_F_FAILED : 0,
                    p == MAP_FAILED ? 0 : (uint64_t)(uintptr_t)p, len, (uint64_t)(uintptr_t)addr,
                    ((uint64_t)(uint32_t)prot << 32) | (uint32_t)flags, HS_CALLER);
    sys_leave(saved);
    return p;
}

/* glibc on x86-64 makes mmap64 the same function. */
HS_EXPORT void *mmap64(void *addr, size_t len, int prot, int flags, int fd, off_t offset)
    __attribute__((alias("mmap")));

HS_EXPORT int munmap(void *addr, size_t len)
{
    uint8_t origin;
    int saved = sys_enter(&origin);
    if (!hs__state.real.munmap) /* only while this thread resolves symbols */
        return hs__sys_munmap(addr, len);
    if (saved < 0)
        return hs__state.real.munmap(addr, len);
    /* Recorded before the real munmap, like free: the range cannot be handed
     * out again before this event. */
    struct hs_record *r = hs__record_begin(origin, 0);
    uint8_t mark = hs__record_mark_of_last();
    int rc = hs__state.real.munmap(addr, len);
    if (r) {
        r->flags = rc == 0 ? 0 : HS_F_FAILED;
        r->u.call.ptr = (uint64_t)(uintptr_t)addr;
        r->u.call.size = len;
        r->u.call.old_ptr = 0;
        r->u.call.chunk_size = 0;
        r->u.call.caller = HS_CALLER;
        hs__record_commit_marked(r, HS_OP_MUNMAP, mark);
    }
    sys_leave(saved);
    return rc;
}

HS_EXPORT void *mremap(void *old, size_t old_len, size_t new_len, int flags, ...)
{
    void *new_addr = NULL;
    if (flags & MREMAP_FIXED) {
        va_list ap;
        va_start(ap, flags);
        new_addr = va_arg(ap, void *);
        va_end(ap);
    }
    uint8_t origin;
    int saved = sys_enter(&origin);
    void *p = hs__state.real.mremap ? hs__state.real.mremap(old, old_len, new_len, flags, new_addr)
                                    : hs__sys_mremap(old, old_len, new_len, flags, new_addr);
    if (saved < 0)
        return p;
    hs__record_call(HS_OP_MREMAP, origin, p == MAP_FAILED ? HS_F_FAILED : 0,
                    p == MAP_FAILED ? 0 : (uint64_t)(uintptr_t)p, new_len, (uint64_t)(uintptr_t)old,
                    old_len, HS_CALLER);
    sys_leave(saved);
    return p;
}

static void record_break(uint8_t op, uint8_t origin, int failed, uintptr_t old_brk,
                         uintptr_t new_brk, uint64_t caller)
{
    if (!failed)
        __atomic_store_n(&hs__state.last_brk, new_brk, __ATOMIC_RELAXED);
    uint64_t delta = new_brk > old_brk ? new_brk - old_brk : old_brk - new_brk;
    hs__record_call(op, origin, failed ? HS_F_FAILED : 0, new_brk, delta, old_brk, 0, caller);
}

HS_EXPORT int brk(void *addr)
{
    uint8_t origin;
    int saved = sys_enter(&origin);
    if (!hs__state.real.brk || !hs__state.real.sbrk)
        return not_yet(-1);
    if (saved < 0)
        return hs__state.real.brk(addr);
    uintptr_t old_brk = (uintptr_t)hs__state.real.sbrk(0);
    int rc = hs__state.real.brk(addr);
    record_break(HS_OP_BRK, origin, rc != 0, old_brk, rc == 0 ? (uintptr_t)addr : old_brk,
                 HS_CALLER);
    sys_leave(saved);
    return rc;
}

HS_EXPORT void *sbrk(intptr_t increment)
{
    uint8_t origin;
    int saved = sys_enter(&origin);
    if (!hs__state.real.sbrk)
        return (void *)(intptr_t)not_yet(-1);
    if (saved < 0)
        return hs__state.real.sbrk(increment);
    void *old = hs__state.real.sbrk(increment);
    int failed = old == (void *)-1;
    uintptr_t old_brk = failed ? (uintptr_t)hs__state.real.sbrk(0) : (uintptr_t)old;
    record_break(HS_OP_SBRK, origin, failed, old_brk,
                 failed ? old_brk : old_brk + (uintptr_t)increment, HS_CALLER);
    sys_leave(saved);
    return old;
}

HS_EXPORT pid_t fork(void)
{
    uint8_t origin;
    int saved = sys_enter(&origin);
    if (!hs__state.real.fork)
        return not_yet(-1);
    if (saved < 0)
        return hs__state.real.fork();
    /* The slot and its seq are taken before the fork, so the fork precedes
     * every event of the child in the global order. */
    struct hs_record *r = hs__record_begin(origin, 0);
    uint8_t mark = hs__record_mark_of_last(); /* atfork handlers may record */
    uint64_t caller = HS_CALLER;
    sys_leave(saved); /* the child must not inherit a busy flag */
    pid_t pid = hs__state.real.fork();
    if (pid == 0)
        return 0; /* child: r is in the parent's log, which it no longer maps */
    if (r) {
        r->flags = pid < 0 ? HS_F_FAILED : 0;
        r->u.call.ptr = pid < 0 ? 0 : (uint64_t)pid;
        r->u.call.size = 0;
        r->u.call.old_ptr = 0;
        r->u.call.chunk_size = 0;
        r->u.call.caller = caller;
        hs__record_commit_marked(r, HS_OP_FORK, mark);
    }
    return pid;
}

HS_EXPORT void exit(int status)
{
    if (__atomic_load_n(&hs__state.init_phase, __ATOMIC_ACQUIRE) != HS_INIT_DONE)
        hs__init();
    hs__state.exit_status = status; /* the exit record is written by the destructor */
    hs__state.real.exit(status);
}
