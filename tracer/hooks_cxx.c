/*
 * hooks_cxx.c - the interposed C++ operator new/delete family (exported).
 *
 * libstdc++'s operator new calls malloc, so without these hooks every `new`
 * of a C++ program would be recorded with one caller inside libstdc++. Each
 * hook here leaves the program's call site (its own return address) in
 * hs__thread.caller_override, calls the next definition (resolved with the
 * malloc family at init, bootstrap.c), and restores the previous override.
 * The malloc-family hook the next definition reaches takes the override as
 * the caller of the event it records (hooks.h: HS_PROGRAM_CALLER). No new
 * ops: a `new` is recorded as the malloc (or aligned_alloc) it makes, a
 * `delete` as its free.
 *
 * Nesting: libstdc++'s operator new[] calls operator new, a sized or nothrow
 * delete calls the plain one, all through the PLT, so through these hooks
 * again; a hook that finds an override already set keeps it (the outer
 * hook's return address is the program's).
 *
 * Exceptions: operator new throws std::bad_alloc through our frame. This
 * file is compiled with -fexceptions, so the cleanup that restores the
 * override runs while unwinding too; by then the failed malloc has already
 * taken the override, so the __cxa_allocate_exception malloc of the
 * bad_alloc is recorded with its own (libstdc++) caller. Residual case: a
 * longjmp out of a new_handler skips the cleanup; the override was already
 * taken by the failed malloc, so only an outer hook's value (a nested
 * new[] -> new) may stay set and be given to the thread's next allocation.
 *
 * Direct mode: an allocator preloaded after the tracer that defines
 * operator new/delete itself (jemalloc, tcmalloc and mimalloc do) serves
 * them without calling the exported malloc/free, so when the next _Znwm
 * lies in the next malloc's object (bootstrap.c sets hs__state.cxx_direct)
 * these hooks record the malloc/aligned_alloc/free themselves, with the
 * program's call site.
 *
 * A libstdc++ loaded after init (a C program dlopens a C++ plugin) leaves
 * the next definitions NULL: the first hook that finds one NULL has
 * bootstrap.c look for that libstdc++ once (hs__cxx_resolve_late, the only
 * loader call here, never on the path of a known definition). Without one
 * (a plugin with libstdc++ linked in statically) the hooks serve the call
 * with the next malloc/aligned_alloc/free and record it as direct mode
 * does, with the program's call site; only a failing throwing `new` then
 * aborts (C cannot throw std::bad_alloc).
 * Nothing else here allocates, locks, or calls stdio/getenv/dlsym.
 */
#include <stdlib.h>

#include "heapscope/event.h"
#include "hooks.h"
#include "state.h"

static void restore_override(const uint64_t *saved)
{
    hs__thread.caller_override = *saved;
}

/* Declares the saved override (restored on return and on unwinding) and
 * sets the override to this hook's return address unless an outer hook
 * already did. Makes sure the tracer is initialized (next pointers set). */
#define CXX_ENTER                                                                                  \
    uint64_t hs_saved __attribute__((cleanup(restore_override))) = hs__thread.caller_override;     \
    if (!hs_saved)                                                                                 \
        hs__thread.caller_override = HS_CALLER;                                                    \
    if (__builtin_expect(__atomic_load_n(&hs__state.init_phase, __ATOMIC_ACQUIRE) != HS_INIT_DONE, \
                         0))                                                                       \
    hs__init()

/* The next definition of a C++ hook: known at init, or looked for once now
 * (see above); NULL if no libstdc++ defines it. */
#define CXX_NEXT(field)                                                                            \
    __extension__({                                                                                \
        __typeof__(hs__state.real.field) next_ =                                                   \
            __atomic_load_n(&hs__state.real.field, __ATOMIC_ACQUIRE);                              \
        if (__builtin_expect(!next_, 0) && hs__cxx_resolve_late())                                 \
            next_ = __atomic_load_n(&hs__state.real.field, __ATOMIC_ACQUIRE);                      \
        next_;                                                                                     \
    })

/* Ends the hs__hook_enter state on return and on unwinding. */
static void leave_guard(const int *traced)
{
    if (*traced)
        hs__hook_leave();
}

static void fallback_abort(void)
{
    hs__complain("operator new failed and no libstdc++ is loaded to throw std::bad_alloc: "
                 "aborting",
                 NULL);
    abort();
}

/* Without a next definition: the allocation libstdc++'s operator new would
 * make (malloc, or aligned_alloc of the size rounded up to the alignment),
 * with the next malloc family; NULL if it fails. */
static void *fallback_new(size_t size, size_t align)
{
    if (size == 0)
        size = 1;
    if (align > 16) {
        size_t rounded = (size + align - 1) / align * align;
        if (rounded < size)
            return NULL;
        size = rounded;
    }
    if (!hs__state.real.malloc) /* this thread is initializing the tracer */
        return hs__pool_alloc(size, align > 16 ? align : 16);
    return align > 16 ? hs__state.real.aligned_alloc(align, size) : hs__state.real.malloc(size);
}

/*
 * Direct mode (hs__state.cxx_direct), or no next definition (see above):
 * nothing under the hook reaches our malloc/free hooks, so the hook is a
 * malloc-family hook itself: `new` is recorded as malloc (aligned:
 * aligned_alloc) after the call, `delete` as free before it. A `new` that
 * throws is not recorded; one that fails without a next definition is, and
 * then aborts (C cannot throw std::bad_alloc). Pool blocks are never freed,
 * as in the free hook.
 */
#define NEW_HOOK(sym, field, op, align_expr, nothrow, params, args)                                \
    HS_EXPORT void *sym params                                                                     \
    {                                                                                              \
        CXX_ENTER;                                                                                 \
        __typeof__(hs__state.real.field) next = CXX_NEXT(field);                                   \
        if (__builtin_expect(next && !hs__state.cxx_direct, 1))                                    \
            return next args;                                                                      \
        int traced __attribute__((cleanup(leave_guard))) = hs__hook_enter(HS_BUSY_ALLOCATOR);      \
        uint64_t caller = hs__thread.caller_override;                                              \
        void *p = next ? next args : fallback_new(size, align_expr);                               \
        if (traced)                                                                                \
            hs__record_alloc(op, p, size, align_expr, caller);                                     \
        if (!p && !next && !nothrow)                                                               \
            fallback_abort();                                                                      \
        return p;                                                                                  \
    }

#define DELETE_HOOK(sym, field, params, args)                                                      \
    HS_EXPORT void sym params                                                                      \
    {                                                                                              \
        CXX_ENTER;                                                                                 \
        __typeof__(hs__state.real.field) next = CXX_NEXT(field);                                   \
        if (__builtin_expect(!p || (next && !hs__state.cxx_direct), 1)) {                          \
            if (next)                                                                              \
                next args;                                                                         \
            return;                                                                                \
        }                                                                                          \
        if (hs__pool_owns(p))                                                                      \
            return;                                                                                \
        int traced __attribute__((cleanup(leave_guard))) = hs__hook_enter(HS_BUSY_ALLOCATOR);      \
        if (traced)                                                                                \
            hs__record_free(p, hs__thread.caller_override);                                        \
        if (next)                                                                                  \
            next args;                                                                             \
        else if (hs__state.real.free)                                                              \
            hs__state.real.free(p);                                                                \
    }

/* Declarations first (-Wmissing-prototypes): these are C++ symbols. */
void *_Znwm(size_t);
void *_Znam(size_t);
void *_ZnwmRKSt9nothrow_t(size_t, const void *);
void *_ZnamRKSt9nothrow_t(size_t, const void *);
void *_ZnwmSt11align_val_t(size_t, size_t);
void *_ZnamSt11align_val_t(size_t, size_t);
void *_ZnwmSt11align_val_tRKSt9nothrow_t(size_t, size_t, const void *);
void *_ZnamSt11align_val_tRKSt9nothrow_t(size_t, size_t, const void *);
void _ZdlPv(void *);
void _ZdaPv(void *);
void _ZdlPvm(void *, size_t);
void _ZdaPvm(void *, size_t);
void _ZdlPvSt11align_val_t(void *, size_t);
void _ZdaPvSt11align_val_t(void *, size_t);
void _ZdlPvmSt11align_val_t(void *, size_t, size_t);
void _ZdaPvmSt11align_val_t(void *, size_t, size_t);
void _ZdlPvRKSt9nothrow_t(void *, const void *);
void _ZdaPvRKSt9nothrow_t(void *, const void *);
void _ZdlPvSt11align_val_tRKSt9nothrow_t(void *, size_t, const void *);
void _ZdaPvSt11align_val_tRKSt9nothrow_t(void *, size_t, const void *);

/* clang-format off */
NEW_HOOK(_Znwm, znwm, HS_OP_MALLOC, 0, 0, (size_t size), (size))
NEW_HOOK(_Znam, znam, HS_OP_MALLOC, 0, 0, (size_t size), (size))
NEW_HOOK(_ZnwmRKSt9nothrow_t, znwm_nt, HS_OP_MALLOC, 0, 1,
         (size_t size, const void *nt), (size, nt))
NEW_HOOK(_ZnamRKSt9nothrow_t, znam_nt, HS_OP_MALLOC, 0, 1,
         (size_t size, const void *nt), (size, nt))
NEW_HOOK(_ZnwmSt11align_val_t, znwm_al, HS_OP_ALIGNED_ALLOC, al, 0,
         (size_t size, size_t al), (size, al))
NEW_HOOK(_ZnamSt11align_val_t, znam_al, HS_OP_ALIGNED_ALLOC, al, 0,
         (size_t size, size_t al), (size, al))
NEW_HOOK(_ZnwmSt11align_val_tRKSt9nothrow_t, znwm_al_nt, HS_OP_ALIGNED_ALLOC, al, 1,
         (size_t size, size_t al, const void *nt), (size, al, nt))
NEW_HOOK(_ZnamSt11align_val_tRKSt9nothrow_t, znam_al_nt, HS_OP_ALIGNED_ALLOC, al, 1,
         (size_t size, size_t al, const void *nt), (size, al, nt))

DELETE_HOOK(_ZdlPv, zdlpv, (void *p), (p))
DELETE_HOOK(_ZdaPv, zdapv, (void *p), (p))
DELETE_HOOK(_ZdlPvm, zdlpvm, (void *p, size_t n), (p, n))
DELETE_HOOK(_ZdaPvm, zdapvm, (void *p, size_t n), (p, n))
DELETE_HOOK(_ZdlPvSt11align_val_t, zdlpv_al, (void *p, size_t al), (p, al))
DELETE_HOOK(_ZdaPvSt11align_val_t, zdapv_al, (void *p, size_t al), (p, al))
DELETE_HOOK(_ZdlPvmSt11align_val_t, zdlpvm_al, (void *p, size_t n, size_t al), (p, n, al))
DELETE_HOOK(_ZdaPvmSt11align_val_t, zdapvm_al, (void *p, size_t n, size_t al), (p, n, al))
DELETE_HOOK(_ZdlPvRKSt9nothrow_t, zdlpv_nt, (void *p, const void *nt), (p, nt))
DELETE_HOOK(_ZdaPvRKSt9nothrow_t, zdapv_nt, (void *p, const void *nt), (p, nt))
DELETE_HOOK(_ZdlPvSt11align_val_tRKSt9nothrow_t, zdlpv_al_nt, (void *p, size_t al, const void *nt),
            (p, al, nt))
DELETE_HOOK(_ZdaPvSt11align_val_tRKSt9nothrow_t, zdapv_al_nt, (void *p, size_t al, const void *nt),
            (p, al, nt))
/* clang-format on */
