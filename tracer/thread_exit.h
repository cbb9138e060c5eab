/*
 * thread_exit.h - a thread_exit event when a thread of the program ends.
 *
 * At a thread's exit glibc's tcache_thread_shutdown hands the thread's
 * tcache chunks and its tcache structure back to their arenas, through
 * internal frees that no hook sees; the analyzer's model of glibc needs
 * to know when (docs/model.md, Threads and arenas). glibc ends a thread
 * in this order (nptl's start_thread, 2.36): the start routine returns
 * (or pthread_exit unwinds), C++ thread_local destructors, the
 * destructors of thread-specific data (pthread_key_create), then
 * __libc_thread_freeres, which does that shutdown. The tracer owns one
 * key whose destructor records HS_OP_THREAD_EXIT: the shutdown follows it.
 *
 * The destructor re-arms itself until the last round glibc makes
 * (PTHREAD_DESTRUCTOR_ITERATIONS), so that the program's own destructors,
 * which may still allocate and free, come before the event.
 *
 * Not seen: a thread whose first event came before the tracer started,
 * threads of a process whose keys were used up, and keys numbered 32 or
 * more (pthread_setspecific would allocate their second-level block from
 * the traced heap): then no thread_exit events, as before they existed.
 *
 * Allocates: no (keys below 32 live in the thread descriptor). Locks: no.
 */
#ifndef HS_TRACER_THREAD_EXIT_H
#define HS_TRACER_THREAD_EXIT_H

/* At init, once the log is open: creates the key. */
void hs__thread_exit_init(void);

/* The calling thread's exit will be recorded: called once per thread,
 * when it first needs its tid (record.c). */
void hs__thread_exit_watch(void);

#endif
