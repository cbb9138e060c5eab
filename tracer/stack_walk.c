/*
 * stack_walk.c - stack walks with a shared cache of checked frame rules
 * (contract: stack_walk.h).
 *
 * The rule of a code address comes from its .eh_frame FDE and CIE (DWARF
 * call frame information, as in the System V x86-64 ABI, section 3.7, and
 * the LSB's .eh_frame format): the CIE's initial instructions, then the
 * FDE's, run up to the address. Only what a walk needs is kept: the CFA
 * (rsp or rbp plus an offset), the return address (CFA - 8 on x86-64) and
 * rbp (saved at CFA + offset, or unchanged).
 *
 * Check: tests/tracer/record_stacks.sh records the same programs with this
 * walk and with libgcc's alone (HS_STACK_UNWIND=libgcc) and compares every
 * stack, by name.
 */
#include "stack_walk.h"

#include <string.h>
#include <unwind.h>

#include "state.h"

/* libgcc_s exports it (GCC_3.0) without declaring it in unwind.h. */
struct dwarf_eh_bases {
    void *tbase, *dbase, *func;
};
extern const void *_Unwind_Find_FDE(void *pc, struct dwarf_eh_bases *bases);

struct walk_out {
    uint64_t caller, *pc;
    unsigned search, max, n, seen;
};

/* Takes return address ra into the walk's output; 0 once it is full or the
 * caller was not met in time (the walk stops), else 1. */
static int take(struct walk_out *o, uint64_t ra)
{
    if (o->n == 0 && ra != o->caller)
        return ++o->seen < o->search;
    o->pc[o->n++] = ra;
    return o->n < o->max;
}

/* libgcc goes one frame past the outermost one (_start, a thread's first),
 * with return address 0: not a frame. */
static _Unwind_Reason_Code libgcc_step(struct _Unwind_Context *ctx, void *arg)
{
    uint64_t ip = (uint64_t)_Unwind_GetIP(ctx);
    return ip && take(arg, ip) ? _URC_NO_REASON : _URC_END_OF_STACK;
}

int hs__unwind_stack_libgcc(uint64_t caller, unsigned search, uint64_t *pc, unsigned max)
{
    struct walk_out o = {caller, pc, search, max, 0, 0};
    _Unwind_Backtrace(libgcc_step, &o);
    return (int)o.n;
}

#if defined(__x86_64__)

enum { REG_RBP = 6, REG_RSP = 7, REG_RA = 16 };
enum { RULE_EMPTY = 0, RULE_UNCHECKED, RULE_CHECKED, RULE_UNSUPPORTED };

/*
 * How to find the caller's frame from a frame stopped at a code address,
 * in one 64-bit word (cached as it is):
 *
 *   bits  0-1   state (RULE_*)
 *   bit   2     the CFA is rbp + cfa_off (else rsp + cfa_off)
 *   bit   3     rbp was saved, at CFA + rbp_off (else it is unchanged)
 *   bit   4     outermost: no caller (_start, a thread's first frame)
 *   bits 16-31  rbp_off (signed)
 *   bits 32-63  cfa_off (signed)
 */
#define RULE_CFA_RBP (1u << 2)
#define RULE_RBP_SAVED (1u << 3)
#define RULE_OUTERMOST (1u << 4)

static uint64_t make_rule(unsigned state, unsigned bits, int32_t cfa_off, int16_t rbp_off)
{
    return state | bits | (uint64_t)(uint16_t)rbp_off << 16 | (uint64_t)(uint32_t)cfa_off << 32;
}

static unsigned rule_state(uint64_t v)
{
    return (unsigned)(v & 3);
}

static uint64_t with_state(uint64_t v, unsigned state)
{
    return (v & ~(uint64_t)3) | state;
}

/*
 * The rules, shared by the threads (a rule describes code, not a thread),
 * in 4-way sets of {key, rule} slots: 64 KiB of zero pages until
 * used. Lock-free: a writer claims a slot by a compare-and-swap of its key
 * to CLAIMED, writes the rule, then publishes the key (release); a reader
 * reads the key, the rule and the key again, and takes the rule only if
 * both keys are the one it wants. A writer that loses the race caches
 * nothing: its walk still goes on.
 */
#define CACHE_SETS 1024 /* a power of two */
#define CACHE_WAYS 4
#define CLAIMED 1 /* a key no code address has */

struct slot {
    uint64_t key; /* 0: empty */
    uint64_t rule;
};

static struct slot cache[CACHE_SETS][CACHE_WAYS] __attribute__((aligned(64)));
static uint64_t cache_gen; /* hs__state.code_gen when the cache was last emptied */
/* The largest frame believed: a CFA further from rsp ends the walk. */
#define MAX_FRAME (64u << 20)

static struct slot *set_of(uint64_t key)
{
    return cache[(key * 0x9e3779b97f4a7c15ull) >> 54 & (CACHE_SETS - 1)];
}

/* The cached rule at key: 1 and *v, or 0. */
static int cache_get(uint64_t key, uint64_t *v)
{
    struct slot *set = set_of(key);
    for (unsigned w = 0; w < CACHE_WAYS; w++) {
        if (__atomic_load_n(&set[w].key, __ATOMIC_ACQUIRE) != key)
            continue;
        *v = __atomic_load_n(&set[w].rule, __ATOMIC_ACQUIRE);
        return __atomic_load_n(&set[w].key, __ATOMIC_ACQUIRE) == key; /* else rewritten meanwhile */
    }
    return 0;
}

/* Caches rule v of key (in key's own slot if it has one, else an empty
 * one, else one chosen by the key). */
static void cache_put(uint64_t key, uint64_t v)
{
    struct slot *set = set_of(key);
    struct slot *to = &set[(key * 0x9e3779b97f4a7c15ull) >> 52 & (CACHE_WAYS - 1)];
    for (unsigned w = 0; w < CACHE_WAYS; w++) {
        uint64_t k = __atomic_load_n(&set[w].key, __ATOMIC_RELAXED);
        if (k == key) {
            to = &set[w];
            break;
        }
        if (k == 0)
            to = &set[w];
    }
    uint64_t old = __atomic_load_n(&to->key, __ATOMIC_RELAXED);
    if (old == CLAIMED || !__atomic_compare_exchange_n(&to->key, &old, CLAIMED, 0,
                                                       __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
        return; /* another writer has it */
    __atomic_store_n(&to->rule, v, __ATOMIC_RELEASE);
    __atomic_store_n(&to->key, key, __ATOMIC_RELEASE);
}

/* Empties the cache once a library was unloaded (hs__state.code_gen moved):
 * another may be mapped where its code was. */
static void cache_check_gen(void)
{
    uint64_t gen = __atomic_load_n(&hs__state.code_gen, __ATOMIC_ACQUIRE);
    uint64_t seen = __atomic_load_n(&cache_gen, __ATOMIC_ACQUIRE);
    if (gen == seen || !__atomic_compare_exchange_n(&cache_gen, &seen, gen, 0, __ATOMIC_ACQ_REL,
                                                    __ATOMIC_RELAXED))
        return;
    for (unsigned i = 0; i < CACHE_SETS; i++)
        for (unsigned w = 0; w < CACHE_WAYS; w++)
            __atomic_store_n(&cache[i][w].key, 0, __ATOMIC_RELEASE);
}

/* ---- reading .eh_frame ---- */

struct reader {
    const uint8_t *p, *end;
    int bad;
};

static uint64_t uleb(struct reader *r)
{
    uint64_t v = 0;
    for (unsigned shift = 0; r->p < r->end; shift += 7) {
        uint8_t b = *r->p++;
        if (shift < 64)
            v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80))
            return v;
    }
    r->bad = 1;
    return 0;
}

static int64_t sleb(struct reader *r)
{
    int64_t v = 0;
    unsigned shift = 0;
    while (r->p < r->end) {
        uint8_t b = *r->p++;
        if (shift < 64)
            v |= (int64_t)((uint64_t)(b & 0x7f) << shift);
        shift += 7;
        if (!(b & 0x80)) {
            if (shift < 64 && (b & 0x40))
                v |= -(int64_t)((uint64_t)1 << shift);
            return v;
        }
    }
    r->bad = 1;
    return 0;
}

static uint64_t fixed(struct reader *r, unsigned size)
{
    uint64_t v = 0;
    if ((size_t)(r->end - r->p) < size) {
        r->bad = 1;
        return 0;
    }
    memcpy(&v, r->p, size); /* little-endian */
    r->p += size;
    return v;
}

/* A pointer in DW_EH_PE encoding enc; sets bad for one this file does not
 * read (indirect, aligned, function- or text-relative). */
static uint64_t encoded(struct reader *r, uint8_t enc, const struct dwarf_eh_bases *bases)
{
    if (enc == 0xff) /* DW_EH_PE_omit */
        return 0;
    const uint8_t *at = r->p;
    uint64_t v;
    switch (enc & 0x0f) {
    case 0x00: v = fixed(r, 8); break;                    /* absptr */
    case 0x01: v = uleb(r); break;                        /* uleb128 */
    case 0x02: v = fixed(r, 2); break;                    /* udata2 */
    case 0x03: v = fixed(r, 4); break;                    /* udata4 */
    case 0x04: v = fixed(r, 8); break;                    /* udata8 */
    case 0x09: v = (uint64_t)sleb(r); break;              /* sleb128 */
    case 0x0a: v = (uint64_t)(int64_t)(int16_t)fixed(r, 2); break; /* sdata2 */
    case 0x0b: v = (uint64_t)(int64_t)(int32_t)fixed(r, 4); break; /* sdata4 */
    case 0x0c: v = fixed(r, 8); break;                    /* sdata8 */
    default: r->bad = 1; return 0;
    }
    switch (enc & 0x70) {
    case 0x00: break;                                          /* absolute */
    case 0x10: v += (uint64_t)(uintptr_t)at; break;            /* pcrel */
    case 0x30: v += (uint64_t)(uintptr_t)bases->dbase; break;  /* datarel */
    default: r->bad = 1; return 0;
    }
    if (enc & 0x80) /* indirect */
        r->bad = 1;
    return v;
}

/* The part of the register state a walk needs, as the CFA program leaves it. */
struct cfa_state {
    uint64_t cfa_reg;
    int64_t cfa_off;
    int rbp_saved, ra_saved, ra_undefined, unsupported;
    int64_t rbp_off, ra_off;
};

struct cie_info {
    uint64_t code_align;
    int64_t data_align;
    uint8_t fde_enc;
    int has_aug_data; /* the augmentation starts with z: FDEs have data too */
    struct reader insns;
};

static void on_offset(struct cfa_state *s, uint64_t reg, int64_t off)
{
    if (reg == REG_RBP) {
        s->rbp_saved = 1;
        s->rbp_off = off;
    } else if (reg == REG_RA) {
        s->ra_saved = 1;
        s->ra_off = off;
    }
}

/* Register reg back to its rule at the function's start (the CIE's). */
static void on_restore(struct cfa_state *s, const struct cfa_state *initial, uint64_t reg)
{
    if (reg == REG_RBP) {
        s->rbp_saved = initial->rbp_saved;
        s->rbp_off = initial->rbp_off;
    }
}

/* Any rule but "saved at an offset" or "unchanged" for rbp or the return
 * address: not followed here. */
static void on_other_rule(struct cfa_state *s, uint64_t reg)
{
    if (reg == REG_RBP || reg == REG_RA)
        s->unsupported = 1;
}

/* Runs CFA instructions from loc until the one that moves past `target`
 * (initial: the CIE's, which have no location). */
static void run(struct cfa_state *s, const struct cfa_state *initial, struct reader r,
                const struct cie_info *cie, uint64_t loc, uint64_t target,
                const struct dwarf_eh_bases *bases)
{
    struct cfa_state saved[4];
    unsigned depth = 0;
    while (r.p < r.end && !r.bad && !s->unsupported) {
        uint8_t op = *r.p++;
        uint64_t delta = 0, reg;
        switch (op >> 6) {
        case 1: /* advance_loc */
            delta = op & 0x3f;
            break;
        case 2: /* offset */
            on_offset(s, op & 0x3f, (int64_t)uleb(&r) * cie->data_align);
            continue;
        case 3: /* restore */
            on_restore(s, initial, op & 0x3f);
            continue;
        default:
            break;
        }
        if (op >> 6 == 0) {
            switch (op) {
            case 0x00: /* nop */
                continue;
            case 0x01: /* set_loc */
                loc = encoded(&r, cie->fde_enc, bases);
                if (loc > target)
                    return;
                continue;
            case 0x02: delta = fixed(&r, 1); break; /* advance_loc1 */
            case 0x03: delta = fixed(&r, 2); break; /* advance_loc2 */
            case 0x04: delta = fixed(&r, 4); break; /* advance_loc4 */
            case 0x05: /* offset_extended */
                reg = uleb(&r);
                on_offset(s, reg, (int64_t)uleb(&r) * cie->data_align);
                continue;
            case 0x06: /* restore_extended */
                on_restore(s, initial, uleb(&r));
                continue;
            case 0x07: /* undefined */
                reg = uleb(&r);
                if (reg == REG_RA)
                    s->ra_undefined = 1;
                else
                    on_other_rule(s, reg);
                continue;
            case 0x08: /* same_value */
                if (uleb(&r) == REG_RBP)
                    s->rbp_saved = 0;
                continue;
            case 0x09: /* register */
            case 0x0a: /* remember_state */
                if (depth == sizeof saved / sizeof saved[0]) {
                    s->unsupported = 1;
                    return;
                }
                saved[depth++] = *s;
                continue;
            case 0x0b: /* restore_state */
                if (depth == 0) {
                    s->unsupported = 1;
                    return;
                }
                *s = saved[--depth];
                continue;
            case 0x0c: /* def_cfa */
                s->cfa_reg = uleb(&r);
                s->cfa_off = (int64_t)uleb(&r);
                continue;
            case 0x0d: /* def_cfa_register */
                s->cfa_reg = uleb(&r);
                continue;
            case 0x0e: /* def_cfa_offset */
                s->cfa_off = (int64_t)uleb(&r);
                continue;
            case 0x0f: /* def_cfa_expression */
                s->unsupported = 1;
                return;
            case 0x10: /* expression */
            case 0x16: /* val_expression */
                on_other_rule(s, uleb(&r));
                delta = uleb(&r); /* the block's length: skipped */
                if (delta > (uint64_t)(r.end - r.p)) {
                    s->unsupported = 1;
                    return;
                }
                r.p += delta;
                continue;
            case 0x11: /* offset_extended_sf */
                reg = uleb(&r);
                on_offset(s, reg, sleb(&r) * cie->data_align);
                continue;
            case 0x12: /* def_cfa_sf */
                s->cfa_reg = uleb(&r);
                s->cfa_off = sleb(&r) * cie->data_align;
                continue;
            case 0x13: /* def_cfa_offset_sf */
                s->cfa_off = sleb(&r) * cie->data_align;
                continue;
            case 0x15: /* val_offset_sf */
                on_other_rule(s, uleb(&r));
                (void)sleb(&r);
                continue;
            case 0x2e: /* GNU_args_size */
                (void)uleb(&r);
                continue;
            case 0x2f: /* GNU_negative_offset_extended */
                reg = uleb(&r);
                on_offset(s, reg, -(int64_t)uleb(&r) * cie->data_align);
                continue;
            default:
                s->unsupported = 1;
                return;
            }
        }
        loc += delta * cie->code_align;
        if (loc > target)
            return;
    }
    if (r.bad)
        s->unsupported = 1;
}

/* Reads the CIE at cie: alignment factors, FDE pointer encoding, initial
 * instructions. 0 if it is one this file does not read. */
/* The length of the CIE or FDE at p (after its length field); 0 for one
 * this file does not read (a terminator, or 64-bit DWARF). */
static uint32_t entry_length(const uint8_t *p)
{
    uint32_t len;
    memcpy(&len, p, 4);
    return len == 0xffffffffu ? 0 : len;
}

static int read_cie(const uint8_t *cie, struct cie_info *out, const struct dwarf_eh_bases *bases)
{
    uint32_t len = entry_length(cie);
    if (!len)
        return 0;
    struct reader r = {cie + 8, cie + 4 + len, 0}; /* after length and CIE id */
    uint8_t version = (uint8_t)fixed(&r, 1);
    const char *aug = (const char *)r.p;
    size_t aug_len = strnlen(aug, (size_t)(r.end - r.p));
    if (aug_len == (size_t)(r.end - r.p))
        return 0;
    r.p += aug_len + 1;
    out->code_align = uleb(&r);
    out->data_align = sleb(&r);
    uint64_t ra_reg = version == 1 ? fixed(&r, 1) : uleb(&r);
    out->fde_enc = 0x00;
    out->has_aug_data = aug[0] == 'z';
    if (aug[0] == 'z') {
        uint64_t n = uleb(&r);
        if (n > (uint64_t)(r.end - r.p))
            return 0;
        struct reader a = {r.p, r.p + n, 0};
        for (const char *c = aug + 1; *c && !a.bad; c++) {
            if (*c == 'R') {
                out->fde_enc = (uint8_t)fixed(&a, 1);
            } else if (*c == 'P') {
                uint8_t enc = (uint8_t)fixed(&a, 1);
                (void)encoded(&a, enc, bases); /* the personality routine */
            } else if (*c == 'L') {
                (void)fixed(&a, 1);
            } else {
                return 0; /* 'S' (a signal frame) or unknown */
            }
        }
        if (a.bad)
            return 0;
        r.p += n;
    } else if (aug[0]) {
        return 0;
    }
    out->insns = r;
    return !r.bad && ra_reg == REG_RA;
}

/* The rule at `key` from its FDE: state RULE_UNCHECKED, or
 * RULE_UNSUPPORTED. */
static uint64_t read_rule(uint64_t key)
{
    const uint64_t unsupported = make_rule(RULE_UNSUPPORTED, 0, 0, 0);
    struct dwarf_eh_bases bases;
    const uint8_t *fde = _Unwind_Find_FDE((void *)(uintptr_t)key, &bases);
    uint32_t len = fde ? entry_length(fde) : 0;
    if (!len)
        return unsupported;
    int32_t cie_delta;
    memcpy(&cie_delta, fde + 4, 4);
    struct cie_info cie;
    if (!read_cie(fde + 4 - cie_delta, &cie, &bases))
        return unsupported;
    struct reader r = {fde + 8, fde + 4 + len, 0};
    uint64_t begin = encoded(&r, cie.fde_enc, &bases);
    uint64_t range = encoded(&r, cie.fde_enc & 0x0f, &bases);
    if (cie.has_aug_data)
        r.p += uleb(&r);
    if (r.bad || r.p > r.end || key < begin || key - begin >= range)
        return unsupported;
    struct cfa_state s = {0}, initial;
    run(&s, &s, cie.insns, &cie, 0, 0, &bases); /* CIE: no advance before the target */
    initial = s;
    run(&s, &initial, r, &cie, begin, key, &bases);
    /* rbp saved below the CFA, within the frame: the only place compilers
     * put it, and a read that stays inside the stack */
    if (s.unsupported || (s.cfa_reg != REG_RSP && s.cfa_reg != REG_RBP) ||
        s.cfa_off != (int32_t)s.cfa_off || (s.rbp_saved && (s.rbp_off >= 0 || s.rbp_off < -4096)))
        return unsupported;
    if (!s.ra_undefined && (!s.ra_saved || s.ra_off != -8))
        return unsupported;
    unsigned bits = (s.cfa_reg == REG_RBP ? RULE_CFA_RBP : 0) | (s.rbp_saved ? RULE_RBP_SAVED : 0) |
                    (s.ra_undefined ? RULE_OUTERMOST : 0);
    return make_rule(RULE_UNCHECKED, bits, (int32_t)s.cfa_off, (int16_t)s.rbp_off);
}

/* The rule at key: the cached one, else read from .eh_frame and cached
 * (out of line: the walk's loop stays small). */
static __attribute__((noinline)) uint64_t read_and_cache(uint64_t key)
{
    uint64_t v = read_rule(key);
    cache_put(key, v);
    return v;
}

static inline uint64_t rule_at(uint64_t key)
{
    uint64_t v;
    return cache_get(key, &v) ? v : read_and_cache(key);
}

/* The registers a walk follows, in one frame. */
struct frame {
    uint64_t ip, rsp, rbp;
};

/* The CFA rule v gives for frame f, 0 where it looks wrong (not above rsp,
 * too far, misaligned): the walk ends there. */
static inline uint64_t cfa_of(uint64_t v, const struct frame *f)
{
    uint64_t cfa = (v & RULE_CFA_RBP ? f->rbp : f->rsp) + (uint64_t)(int64_t)(int32_t)(v >> 32);
    return cfa <= f->rsp || cfa - f->rsp > MAX_FRAME || (cfa & 7) ? 0 : cfa;
}

/* Moves f to its caller's frame, whose CFA rule v gave: reads the return
 * address and, if saved, rbp, below the CFA. */
static inline void step(uint64_t v, struct frame *f, uint64_t cfa)
{
    if (v & RULE_RBP_SAVED)
        f->rbp = *(const uint64_t *)(cfa + (uint64_t)(int64_t)(int16_t)(v >> 16));
    f->ip = *(const uint64_t *)(cfa - 8);
    f->rsp = cfa;
}

/* The walk with checked rules only, from frame f (its ip exact): the
 * frames taken, or at the first frame without a checked rule NEEDS_LEARN
 * (one not checked yet) or NEEDS_LIBGCC (one this file does not follow). */
enum { NEEDS_LEARN = -1, NEEDS_LIBGCC = -2 };

static int walk_cached(struct frame f, struct walk_out *o)
{
    for (uint64_t key = f.ip;; key = f.ip - 1) {
        uint64_t v = rule_at(key);
        if (rule_state(v) != RULE_CHECKED)
            return rule_state(v) == RULE_UNSUPPORTED ? NEEDS_LIBGCC : NEEDS_LEARN;
        uint64_t cfa = v & RULE_OUTERMOST ? 0 : cfa_of(v, &f);
        if (!cfa)
            return (int)o->n;
        step(v, &f, cfa);
        if (f.ip == 0 || !take(o, f.ip))
            return (int)o->n;
    }
}

/* libgcc's walk, checking the rules on the way. In libgcc's callback for
 * frame k, _Unwind_GetCFA gives rsp at frame k's call (the CFA of frame
 * k - 1), so frame k's rule is checked at the callback for frame k + 1:
 * the CFA it gives must be the rsp libgcc has there, and only then are the
 * return address and rbp it reads from the stack compared with libgcc's.
 * Frame 0 is hs__unwind_stack's own, whose rule is that of `start` (the
 * point where the cached walk began), applied to start's registers. */
struct learn {
    struct walk_out out;
    struct frame start;
    uint64_t pending_key; /* the previous frame's rule, checked at this frame */
    uint64_t pending;     /* (0: none) */
    struct frame below;   /* the previous frame's registers */
    uint64_t below_cfa;   /* the CFA its rule gives */
    unsigned k;
};

static _Unwind_Reason_Code learn_step(struct _Unwind_Context *ctx, void *arg)
{
    struct learn *l = arg;
    int before = 0;
    uint64_t ip = (uint64_t)_Unwind_GetIPInfo(ctx, &before);
    struct frame here = {ip, (uint64_t)_Unwind_GetCFA(ctx), (uint64_t)_Unwind_GetGR(ctx, REG_RBP)};
    if (l->pending & RULE_OUTERMOST) {
        /* libgcc goes one frame past an outermost one, with return address 0 */
        cache_put(l->pending_key,
                  with_state(l->pending, ip == 0 ? RULE_CHECKED : RULE_UNSUPPORTED));
    } else if (l->pending) {
        unsigned state = RULE_UNSUPPORTED;
        if (l->below_cfa == here.rsp) { /* the stack is read only at libgcc's CFA */
            struct frame next = l->below;
            step(l->pending, &next, l->below_cfa);
            if (next.ip == here.ip && next.rbp == here.rbp)
                state = RULE_CHECKED;
        }
        cache_put(l->pending_key, with_state(l->pending, state));
    }
    l->pending = 0;
    struct frame from = l->k == 0 ? l->start : here;
    uint64_t key = l->k == 0 ? from.ip : ip - (before ? 0 : 1);
    uint64_t v = rule_at(key);
    uint64_t cfa = rule_state(v) == RULE_UNCHECKED && !(v & RULE_OUTERMOST) ? cfa_of(v, &from) : 0;
    if (before || (rule_state(v) == RULE_UNCHECKED && !(v & RULE_OUTERMOST) && !cfa)) {
        cache_put(key, with_state(v, RULE_UNSUPPORTED)); /* a signal frame, or a wrong CFA */
    } else if (rule_state(v) == RULE_UNCHECKED) {
        l->pending_key = key;
        l->pending = v; /* never 0: its state is not RULE_EMPTY */
        l->below = from;
        l->below_cfa = cfa;
    }
    if (l->k++ == 0 || ip == 0)
        return _URC_NO_REASON; /* frame 0 is this file's own */
    return take(&l->out, ip) ? _URC_NO_REASON : _URC_END_OF_STACK;
}

int hs__unwind_stack(uint64_t caller, unsigned search, uint64_t *pc, unsigned max)
{
    struct frame start;
    __asm__ volatile("lea 0(%%rip), %0\n\t"
                     "mov %%rsp, %1\n\t"
                     "mov %%rbp, %2"
                     : "=r"(start.ip), "=r"(start.rsp), "=r"(start.rbp));
    cache_check_gen();
    struct walk_out o = {caller, pc, search, max, 0, 0};
    int n = walk_cached(start, &o);
    if (n >= 0)
        return n;
    if (n == NEEDS_LIBGCC) /* nothing to learn: libgcc's plain walk is faster */
        return hs__unwind_stack_libgcc(caller, search, pc, max);
    struct learn l = {.out = {caller, pc, search, max, 0, 0}, .start = start};
    /* An outermost frame (no return address: _start, a thread's first) is
     * checked when libgcc's walk ends there too. */
    if (_Unwind_Backtrace(learn_step, &l) == _URC_END_OF_STACK && (l.pending & RULE_OUTERMOST))
        cache_put(l.pending_key, with_state(l.pending, RULE_CHECKED));
    return (int)l.out.n;
}

#else

int hs__unwind_stack(uint64_t caller, unsigned search, uint64_t *pc, unsigned max)
{
    return hs__unwind_stack_libgcc(caller, search, pc, max);
}

#endif
