/*
 * sink.h - create and map this process's log file (the "sink").
 *
 * Files, all in the directory hs__state.dir_fd (HS_LOGDIR):
 *   seq                  8-byte global counter, created if missing, mapped
 *                        shared by every process of the trace
 *   <pid>.<gen>.hslog    this process image's log; gen is the first number
 *                        for which O_EXCL creation succeeds (0 unless this
 *                        pid exec'd before)
 *   <pid>.<gen>.maps     copy of /proc/self/maps at start
 *   <pid>.<gen>.maps.end copy of /proc/self/maps at exit (what dlopen
 *                        mapped since start), if the process exits
 *
 * Called at init and in the fork child (pthread_atfork handler), never on
 * the recording path. Allocates: no (stack buffers only). Async-signal-safe
 * system calls only, as the fork child handler requires.
 */
#ifndef HS_TRACER_SINK_H
#define HS_TRACER_SINK_H

#include <stdint.h>

/* Maps LOGDIR/seq into hs__state.seq unless already mapped. 0 or -errno. */
int hs__sink_open_seq(void);

/* Creates, maps and fills the header of a new log for this process; sets
 * hs__state.{log_fd,header,records,map_size,covered,exec_gen}. max_events 0
 * means the default limit. On failure nothing is left mapped; returns
 * -errno and names the failed step in *what. */
int hs__sink_open_log(uint64_t max_events, uint32_t flags, const char **what);

/* Copies /proc/self/maps to <pid>.<gen>.maps.end, from the exit record's
 * path (snapshot.c), never the recording path. */
void hs__sink_copy_maps_at_exit(void);

/* Forgets the inherited log in a fork child (unmaps, closes) so the child
 * can never write into its parent's file. */
void hs__sink_drop_inherited(void);

#endif
