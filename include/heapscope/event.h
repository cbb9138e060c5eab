/*
 * event.h - THE on-disk format of a heapscope tracer log.
 *
 * NOTE FOR DEVELOPERS: this header includes <stdint.h> only. The tracer
 * (which must not pull in anything that allocates) and the analyzer both
 * compile it. Any change to a struct below bumps HS_FORMAT_VERSION, and
 * readers refuse newer files naming both versions. New ops get new numbers;
 * an existing op never changes meaning (append-only evolution).
 *
 * One log file per process image: LOGDIR/<pid>.<gen>.hslog, where gen counts
 * the execs of that pid (0 for the first image). Next to it, written once at
 * start, LOGDIR/<pid>.<gen>.maps holds a copy of /proc/self/maps. All
 * processes of one trace share LOGDIR/seq, an 8-byte counter that gives the
 * global event order (atomic fetch-add, mapped MAP_SHARED).
 *
 * The file is mapped MAP_SHARED by the traced process and written in place,
 * so every committed record survives SIGSEGV, abort, _exit and SIGKILL (the
 * kernel keeps the page cache of a shared file mapping).
 *
 * File layout:
 *
 *   OFFSET  SIZE  DESCRIPTION
 *        0  4096  struct hs_log_header (one page, so records are page aligned)
 *     4096  64*N  struct hs_record[N]
 *
 * The file grows by fallocate() in whole segments, so its size says nothing
 * about how many records exist: header.n_reserved does. Slots in
 * [0, n_reserved) were handed out; a slot whose `op` is still 0 was reserved
 * but never committed (its thread died mid-write) and is reported as lost.
 */
#ifndef HEAPSCOPE_EVENT_H
#define HEAPSCOPE_EVENT_H

#include <stdint.h>

#define HS_LOG_MAGIC "HSLOG\0\0\0"   /* 8 bytes, including the NULs */
#define HS_FORMAT_VERSION 1u
#define HS_ENDIAN_MARK 0x01020304u    /* reads 0x04030201 on the wrong endian */
#define HS_LOG_HEADER_SIZE 4096u
#define HS_RECORD_SIZE 64u
#define HS_LABEL_MAX 40u             /* mark label bytes, NUL included */
#define HS_STACK_PART_FRAMES 4       /* return addresses per stack record */
#define HS_STACK_MAX_DEPTH 16u       /* frames of a call stack (HS_STACK), caller included */

/*
 * Log header. Written once by the tracer at process start, except
 * n_reserved (the slot cursor, advanced atomically by every recording
 * thread) and flags (HS_LOG_* bits, set at most once each).
 *
 *   OFFSET  SIZE  FIELD
 *        0     8  magic            HS_LOG_MAGIC
 *        8     4  format_version   HS_FORMAT_VERSION of the writer
 *       12     4  record_size      HS_RECORD_SIZE
 *       16     4  header_size      HS_LOG_HEADER_SIZE
 *       20     4  endian_mark      HS_ENDIAN_MARK as written by the host
 *       24     4  pid
 *       28     4  ppid
 *       32     4  exec_gen         0 for the first image of this pid
 *       36     4  flags            HS_LOG_* bits
 *       40     8  start_mono_ns    CLOCK_MONOTONIC at tracer start
 *       48     8  start_real_ns    CLOCK_REALTIME at tracer start
 *       56     8  n_reserved       slots handed out (atomic)
 *       64     8  initial_brk      program break at tracer start
 *       72     4  page_size
 *       76     4  exe_len          bytes used in exe
 *       80     4  cmdline_len      bytes used in cmdline (NUL-separated argv)
 *       84     4  env_len          bytes used in env (NUL-separated)
 *       88     8  reserved0        zero; in a faults.hslog (HS_LOG_FAULT_SAMPLES):
 *                                  the samples the kernel lost
 *       96   512  exe              readlink(/proc/self/exe), not NUL-terminated
 *      608  2048  cmdline          /proc/self/cmdline, truncated if longer
 *     2656  1024  env              the MALLOC_*, GLIBC_TUNABLES and LD_PRELOAD
 *                                  entries of environ, "NAME=value\0" each
 *     3680     8  complete_ns      zero; in a faults.hslog: every sample taken
 *                                  before this CLOCK_MONOTONIC time is in the
 *                                  file (rewritten after each drain; UINT64_MAX
 *                                  once the sampler stopped)
 *     3688   408  reserved1        zero
 */
struct hs_log_header {
    char magic[8];
    uint32_t format_version;
    uint32_t record_size;
    uint32_t header_size;
    uint32_t endian_mark;
    uint32_t pid;
    uint32_t ppid;
    uint32_t exec_gen;
    uint32_t flags;
    uint64_t start_mono_ns;
    uint64_t start_real_ns;
    uint64_t n_reserved;
    uint64_t initial_brk;
    uint32_t page_size;
    uint32_t exe_len;
    uint32_t cmdline_len;
    uint32_t env_len;
    uint64_t reserved0;
    char exe[512];
    char cmdline[2048];
    char env[1024];
    uint64_t complete_ns;
    char reserved1[408];
};

/* hs_log_header.flags */
enum {
    HS_LOG_GLIBC_MALLOC = 1u << 0, /* the next malloc is glibc's: chunk
                                      headers were read and brk/mmap inferred */
    HS_LOG_FULL = 1u << 1,         /* the log reached its size limit;
                                      later events were dropped */
    HS_LOG_DISABLED = 1u << 2,     /* the tracer disabled itself (a write
                                      failed); later events were dropped */
    HS_LOG_FAULT_SAMPLES = 1u << 3, /* LOGDIR/faults.hslog: page_fault records
                                       of all pids from `heapscope record`'s
                                       perf sampler, seq 0; not a process log */
    HS_LOG_RING = 1u << 4,          /* copied from a ring by the recorder's
                                       drainer (ring mode, below); ts_ns was
                                       converted to CLOCK_MONOTONIC ns */
};

/*
 * Ring files (a second file kind, only under `heapscope record`, which sets
 * HS_RING=1 and drains them while the program runs; docs/tracer.md). A
 * process image then writes LOGDIR/<pid>.<gen>.ring instead of the .hslog,
 * and the recorder's drain thread (analyzer/lib/drain.h) copies its records
 * in slot order into an ordinary <pid>.<gen>.hslog, the format above, with
 * ts_ns converted to CLOCK_MONOTONIC. Readers of logs never see a ring.
 *
 *   OFFSET      SIZE        DESCRIPTION
 *        0      4096        struct hs_log_header, magic HS_RING_MAGIC (stored
 *                           last, once the header is filled); n_reserved
 *                           counts every slot ever handed out, not modulo
 *   4096        4096        struct hs_ring_control
 *   8192        64*capacity struct hs_record ring[capacity]; slot s lives in
 *                           ring[s % capacity]
 *
 * Protocol. A writer reserves slot s (fetch-add on n_reserved), waits while
 * s - consumed >= capacity (spinning, then yielding: no lock), fills the
 * record and stores op last (release), as in a .hslog, but with bit 7 set
 * on odd laps: op | 0x80 when (s / capacity) is odd (ops are < 128). Slot
 * s is committed when its op byte is nonzero in bits 0-6 and bit 7 equals
 * that parity; a slot still holding the previous lap's record is not. The
 * drainer reads op (acquire), copies the record (op without bit 7) and
 * publishes consumed (release) past the slots it copied; it never writes
 * to the ring's records. A committed record therefore stays
 * in the ring (the page cache of a shared file mapping) until it has been
 * copied, whatever kills the program. A writer that sees consumed stand
 * still for HS_RING_WAIT_MS (default 5 s) while the ring is full, or the
 * drainer detached, gives up: it lowers `abandoned` to its slot, flags the
 * log HS_LOG_DISABLED, and the process records nothing more.
 *
 * hs_ring_control:
 *   OFFSET  SIZE  FIELD
 *        0     8  capacity      records in the ring, a power of two
 *        8     4  ring_flags    HS_RING_* bits, set at creation
 *       12     4  reserved      zero
 *       16     8  abandoned     lowest slot a writer gave up waiting for
 *                               (atomic min; UINT64_MAX: none)
 *       64     8  consumed      drainer: slots below it were copied out and
 *                               their op cleared (release store)
 *       72     8  drain_beat    drainer: +1 per pass over this ring
 *       80     4  drain_state   HS_DRAIN_*: 0 none yet, 1 draining, 2 detached
 *      128     8  full_waits    writers: times a writer found the ring full and
 *                               waited for the drainer (atomic add)
 *      136     8  full_wait_ns  writers: the time those waits took, in ns
 */
#define HS_RING_MAGIC "HSRING\0\0" /* 8 bytes, including the NULs */
#define HS_RING_CONTROL_SIZE 4096u
#define HS_RING_PREFIX_SIZE (HS_LOG_HEADER_SIZE + HS_RING_CONTROL_SIZE) /* records start */
/* Records of a ring unless HS_RING_RECORDS says otherwise (4 MiB). The
 * tracer faults a whole ring in at start, on the program's thread, so a
 * default ring costs the process HS_RING_PREFAULT_PAGES page faults (the
 * two header pages and 1024 pages of records), counted by getrusage but
 * never seen by a user-space page-fault sampler. */
#define HS_RING_DEFAULT_RECORDS 65536u
#define HS_RING_MIN_RECORDS 256u /* the smallest ring, for a small RLIMIT_FSIZE */
#define HS_RING_PREFAULT_PAGES 1026u

struct hs_ring_control {
    uint64_t capacity;
    uint32_t ring_flags;
    uint32_t reserved0;
    uint64_t abandoned;
    char pad0[40];
    uint64_t consumed; /* own cache line: written by the drainer only */
    uint64_t drain_beat;
    uint32_t drain_state;
    char pad1[44];
    /* own cache line: written by writers only, and only when the ring is
     * full, so the fast path never touches it */
    uint64_t full_waits;
    uint64_t full_wait_ns;
    char pad2[HS_RING_CONTROL_SIZE - 144];
};

/* hs_ring_control.ring_flags */
enum {
    HS_RING_TSC = 1u << 0, /* ts_ns holds the raw time-stamp counter (rdtsc);
                              the drainer converts it to CLOCK_MONOTONIC ns */
};

/* hs_ring_control.drain_state */
enum {
    HS_DRAIN_NONE = 0,     /* no drainer has opened the ring yet */
    HS_DRAIN_ACTIVE = 1,   /* a drainer copies records out */
    HS_DRAIN_DETACHED = 2, /* the drainer is gone: never wait for it */
};

/*
 * Operations. Numbers are forever. Payload fields per op (see hs_record):
 *
 *   op              ptr          size          old_ptr       chunk_size
 *   malloc..pvalloc result       request       -             chunk size
 *   calloc          result       nmemb*size    -             chunk size
 *   realloc(array)  result       request       old pointer   chunk size
 *   free            pointer      -             -             chunk size
 *   posix_memalign  result       request       alignment     chunk size
 *   memalign,       result       request       alignment     chunk size
 *     aligned_alloc
 *   malloc_trim     -            pad arg       -             - (result in
 *                                                              flags bit 0)
 *   mallopt         -            value         param         -
 *   brk, sbrk       new break    |delta|       old break     -
 *   mmap            result       length        addr hint     prot<<32|flags
 *   munmap          addr         length        -             -
 *   mremap          result       new length    old address   old length
 *   mark            (label: the 40 payload bytes, NUL-terminated)
 *   mallinfo_a      v[0..4] = arena, ordblks, smblks, hblks, hblkhd
 *   mallinfo_b      v[0..4] = usmblks, fsmblks, uordblks, fordblks, keepcost
 *   state           v[0..3] = program break, ru_minflt, ru_majflt, ru_maxrss
 *                   (KiB); follows each mark and exit on the same thread
 *   fork            child pid    -             -             -
 *   exit            status       -             -             -
 *   page_fault      fault addr   pid           -             - (caller = ip
 *                   of the faulting instruction; HS_F_MAJOR_FAULT; seq 0:
 *                   written by `heapscope record`, not the tracer, into
 *                   LOGDIR/faults.hslog and placed by ts_ns at import)
 *   stack           (u.stack: part of the call stack of the allocation with
 *                   seq for_seq, written right after it by the same thread
 *                   when HS_STACK asks for stacks; origin tracer. Frame 0 is
 *                   the allocation's caller, then its callers, outermost
 *                   last; a part holds frames 4*k .. 4*k+3 with k = flags
 *                   & 0xf, (flags >> 4) & 0xff is the stack's depth)
 *   thread_exit     -            -             -             - (the thread
 *                   ends: recorded by a thread-specific-data destructor,
 *                   after the program's own, right before glibc gives the
 *                   thread's tcache back to its arenas; tracer/thread_exit.h)
 *
 * chunk_size is the glibc chunk size without its flag bits (those are in
 * hs_record.flags as HS_CHUNK_*), or malloc_usable_size() under another
 * allocator. A free records the chunk size it frees, before freeing it.
 * An allocation is recorded after the real call returns and a free before
 * the real free runs, so across threads an address is freed before it is
 * handed out again in seq order. realloc is one event carrying both
 * pointers, recorded after it returns; realloc(p, 0) has ptr 0.
 */
enum hs_op {
    HS_OP_NONE = 0, /* slot reserved, never committed */
    HS_OP_MALLOC = 1,
    HS_OP_CALLOC = 2,
    HS_OP_REALLOC = 3,
    HS_OP_REALLOCARRAY = 4,
    HS_OP_FREE = 5,
    HS_OP_MEMALIGN = 6,
    HS_OP_POSIX_MEMALIGN = 7,
    HS_OP_ALIGNED_ALLOC = 8,
    HS_OP_VALLOC = 9,
    HS_OP_PVALLOC = 10,
    HS_OP_MALLOC_TRIM = 11,
    HS_OP_MALLOPT = 12,
    HS_OP_BRK = 13,
    HS_OP_SBRK = 14,
    HS_OP_MMAP = 15,
    HS_OP_MUNMAP = 16,
    HS_OP_MREMAP = 17,
    HS_OP_MARK = 18,
    HS_OP_MALLINFO_A = 19,
    HS_OP_MALLINFO_B = 20,
    HS_OP_STATE = 21,
    HS_OP_FORK = 22,
    HS_OP_EXIT = 23,
    HS_OP_PAGE_FAULT = 24,
    HS_OP_STACK = 25,
    HS_OP_THREAD_EXIT = 26,
    HS_OP_COUNT /* one past the last op this build knows */
};

/* hs_record.origin */
enum hs_origin {
    HS_ORIGIN_PROGRAM = 0,   /* the program (or a library it uses) called it */
    HS_ORIGIN_ALLOCATOR = 1, /* inferred: the allocator did it internally */
    HS_ORIGIN_TRACER = 2,    /* snapshots the tracer took (mallinfo, state) */
};

/* hs_record.flags */
enum {
    HS_CHUNK_PREV_INUSE = 1u << 0,     /* glibc chunk header bit 0x1 */
    HS_CHUNK_IS_MMAPPED = 1u << 1,     /* glibc chunk header bit 0x2 */
    HS_CHUNK_NON_MAIN_ARENA = 1u << 2, /* glibc chunk header bit 0x4 */
    HS_F_FAILED = 1u << 8,             /* the call failed (NULL, MAP_FAILED, -1) */
    HS_F_LABEL_TRUNCATED = 1u << 9,    /* mark label longer than HS_LABEL_MAX-1 */
    HS_F_NO_CHUNK = 1u << 10,          /* chunk_size is not a glibc chunk size */
    HS_F_MAJOR_FAULT = 1u << 11,       /* page_fault: major (I/O), else minor */
};

/*
 * One event. The writer fills every field, then stores `op` last with
 * release semantics; a reader that sees op != 0 (acquire) sees the rest.
 */
struct hs_record {
    uint64_t seq;   /* global order across threads and processes, from 1 */
    uint64_t ts_ns; /* CLOCK_MONOTONIC */
    uint32_t tid;   /* gettid() */
    uint8_t op;     /* enum hs_op; 0 = never committed; written last */
    uint8_t origin; /* enum hs_origin */
    uint16_t flags; /* HS_CHUNK_* and HS_F_* bits */
    union {
        struct {
            uint64_t ptr;
            uint64_t size;
            uint64_t old_ptr;
            uint64_t chunk_size;
            uint64_t caller; /* return address of the hooked call */
        } call;
        struct {
            uint64_t for_seq; /* the allocation's seq */
            uint64_t pc[HS_STACK_PART_FRAMES];
        } stack;
        uint64_t v[5];           /* mallinfo_a/b, state */
        char label[HS_LABEL_MAX]; /* mark */
    } u;
};

_Static_assert(sizeof(struct hs_log_header) == HS_LOG_HEADER_SIZE, "log header is one page");
_Static_assert(sizeof(struct hs_record) == HS_RECORD_SIZE, "record is 64 bytes");
_Static_assert(__builtin_offsetof(struct hs_log_header, n_reserved) == 56, "n_reserved offset");
_Static_assert(__builtin_offsetof(struct hs_log_header, exe) == 96, "exe offset");
_Static_assert(__builtin_offsetof(struct hs_log_header, env) == 2656, "env offset");
_Static_assert(__builtin_offsetof(struct hs_log_header, complete_ns) == 3680, "complete_ns offset");
_Static_assert(__builtin_offsetof(struct hs_record, op) == 20, "op offset");
_Static_assert(__builtin_offsetof(struct hs_record, u) == 24, "payload offset");
_Static_assert(sizeof(struct hs_ring_control) == HS_RING_CONTROL_SIZE, "ring control is one page");
_Static_assert(HS_OP_COUNT <= 128, "a ring commits op | 0x80 on odd laps");
_Static_assert(__builtin_offsetof(struct hs_ring_control, consumed) == 64, "consumed offset");
_Static_assert(__builtin_offsetof(struct hs_ring_control, drain_state) == 80, "drain_state offset");
_Static_assert(__builtin_offsetof(struct hs_ring_control, full_waits) == 128, "full_waits offset");

#endif
