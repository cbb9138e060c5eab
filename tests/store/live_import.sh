#!/bin/sh
# live_import.sh HEAPSCOPE WORKLOAD FX_FORK FX_EXEC FX_THREADS NOTRACER - `heapscope
# record --no-faults` imports while the program runs (analyzer/lib/
# import_live.h). It must write the trace that importing after the run
# writes (HS_LIVE_IMPORT=0), whatever the processes and threads:
#   - one thread (the bench workload): every event equal, in seq order;
#     with address randomization off (setarch -R) pointers and callers too
#   - fork, exec: each process image's events equal, in their order
#   - 4 threads freeing each other's blocks: the same calls per op and
#     blocks live at exit, nothing lost (the interleaving differs run to
#     run)
#   - 8 processes running at once: the same calls and images
# and a live import that is abandoned (the tracer never started) leaves
# nothing behind.
set -u
hs=$1 workload=$2 fx_fork=$3 fx_exec=$4 fx_threads=$5 notracer=$6
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail=0
check() { # NAME SQL: the SQL must print 0
  got=$(sqlite3 "$dir/post.db" "ATTACH '$dir/live.db' AS live; $2")
  if [ "$got" = 0 ]; then echo "ok: $1"; else echo "FAIL: $1: $got"; fail=1; fi
}
# both ways: rows of one missing from the other, and the other way round
same() { # NAME COLUMNS FROM
  check "$1" "SELECT (SELECT count(*) FROM (SELECT $2 FROM main.$3 EXCEPT SELECT $2 FROM live.$3))
                  + (SELECT count(*) FROM (SELECT $2 FROM live.$3 EXCEPT SELECT $2 FROM main.$3))
                  + abs((SELECT count(*) FROM main.$3) - (SELECT count(*) FROM live.$3))"
}
record() { # MODE(0 post, 1 live) DB PROGRAM ARGS...
  mode=$1 db=$2
  shift 2
  HS_LIVE_IMPORT=$mode $norand "$hs" record --no-faults -o "$db" -- "$@" >/dev/null 2>"$dir/err" ||
    { echo "FAIL: record $*: $(cat "$dir/err")"; fail=1; }
}
both() {
  rm -f "$dir/post.db" "$dir/live.db"
  record 0 "$dir/post.db" "$@"
  record 1 "$dir/live.db" "$@"
}

norand="setarch $(uname -m) -R"
$norand true 2>/dev/null || norand= # not allowed here (a container's seccomp)
both "$workload" 30000
cols="seq, op, size, chunk_size, origin, flags, old_ptr IS NULL"
[ -n "$norand" ] && cols="$cols, ptr, old_ptr, caller"
same "one thread: every event" "$cols" events
same "one thread: every lifetime" "op, size, chunk_size, free_op, free_seq - alloc_seq" blocks
same "one thread: the exit snapshot" "kind, arena, ordblks, uordblks, fordblks" mallinfo

per_image="proc, row_number() OVER (PARTITION BY proc ORDER BY seq) AS k, op, size, chunk_size, origin"
for fx in "$fx_fork" "$fx_exec"; do
  both "$fx"
  same "$(basename "$fx"): each image's events in order" "$per_image" events
  same "$(basename "$fx"): the images" "proc, exec_gen, exe" processes
done

both "$fx_threads" 20000
# (how many arenas glibc maps, and so the mmap events, varies run to run)
same "threads: calls per op" "op, count(*), sum(size)" \
  "events WHERE op IN ('malloc', 'calloc', 'free') GROUP BY op"
same "threads: blocks live at exit" "op, size" "blocks WHERE free_seq IS NULL"
check "threads: nothing lost" "SELECT value FROM live.meta WHERE key = 'n_lost'"
# 8 processes at once, each its own ring: the watermark must hold across
# rings found while others are already being drained. Their images are
# numbered by start time after the run and in the order they were found
# live, so compare what does not depend on that.
both sh -c "for i in 1 2 3 4 5 6 7 8; do '$workload' 5000 & done; wait"
same "8 processes at once: calls per op" "op, count(*), sum(size)" \
  "events WHERE op IN ('malloc', 'free') GROUP BY op"
same "8 processes at once: the images" "exe, exec_gen, n_events, n_lost" processes
check "8 processes at once: nothing lost" "SELECT value FROM live.meta WHERE key = 'n_lost'"
mkdir "$dir/abandoned"
(cd "$dir/abandoned" && HS_TRACER=$notracer "$hs" record --no-faults -o t.db -- true 2>"$dir/err")
rc=$? left=$(ls -A "$dir/abandoned")
if [ $rc = 1 ] && [ -z "$left" ] && grep -q "before the tracer started" "$dir/err"; then
  echo "ok: abandoned live import: nothing left"
else
  echo "FAIL: abandoned live import: exit $rc, left '$left', said '$(cat "$dir/err")'"; fail=1
fi
exit $fail
