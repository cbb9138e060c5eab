#!/bin/sh
# usage_errors.sh HEAPSCOPE - every subcommand that reads its arguments with
# analyzer/cli/cli_args.h words the same mistakes the same way: exit 2, one
# line "heapscope CMD: MESSAGE" on stderr, then exactly the usage that
# `heapscope CMD --help` prints on stdout (exit 0).
set -u
hs=$1
fail=0
out=$(mktemp) err=$(mktemp) help=$(mktemp)
trap 'rm -f "$out" "$err" "$help"' EXIT

# expect_usage CMD MESSAGE ARGS... - `heapscope ARGS...` is a usage error
# of CMD saying MESSAGE.
expect_usage() {
  cmd=$1 msg=$2
  shift 2
  "$hs" "$@" >"$out" 2>"$err"
  rc=$?
  "$hs" "$cmd" --help >"$help"
  if [ $rc -ne 2 ]; then
    echo "FAIL: heapscope $*: exit $rc, not 2"; fail=1
  elif [ "$(head -n 1 "$err")" != "heapscope $cmd: $msg" ]; then
    echo "FAIL: heapscope $*: said '$(head -n 1 "$err")', not 'heapscope $cmd: $msg'"; fail=1
  elif ! tail -n +2 "$err" | cmp -s - "$help"; then
    echo "FAIL: heapscope $*: the usage after the message differs from --help"; fail=1
  elif [ -s "$out" ]; then
    echo "FAIL: heapscope $*: printed on stdout"; fail=1
  else
    echo "ok: heapscope $*"
  fi
}

for cmd in summary leaks verdict sizes sites check bins heap frag explain plot report \
           lifetimes timeline import faults; do
  "$hs" $cmd --help >"$out" 2>"$err" && [ -s "$out" ] && [ ! -s "$err" ] && head -c 17 "$out" | grep -q '^usage: heapscope ' \
    || { echo "FAIL: heapscope $cmd --help"; fail=1; }
  expect_usage $cmd "unknown option '--no-such-option'" $cmd t.db --no-such-option
done
for cmd in summary leaks verdict sizes sites check bins heap frag explain plot report \
           lifetimes timeline faults; do
  expect_usage $cmd "no trace file given" $cmd
done
for cmd in summary leaks verdict sizes sites check bins heap frag lifetimes timeline faults; do
  expect_usage $cmd "unexpected argument 'two.db'" $cmd one.db two.db
done
expect_usage sites "--top wants a positive number, not '0'" sites t.db --top 0
expect_usage sites "--top wants a value" sites t.db --top
expect_usage bins "--at wants a positive number, not '0x10'" bins t.db --at 0x10
expect_usage lifetimes "--pid wants a positive number, not '4294967296'" lifetimes t.db --csv --pid 4294967296
expect_usage heap "--pid wants a positive number, not '0'" heap t.db --pid 0
expect_usage timeline "--every wants a positive number, not '-3'" timeline t.db --csv --every -3
expect_usage bins "--at and --mark exclude each other" bins t.db --at 3 --mark m
expect_usage frag "--json and --csv exclude each other" frag t.db --json --csv
expect_usage faults "--at wants a positive number, not '0'" faults t.db --at 0
expect_usage faults "--at and --mark exclude each other" faults t.db --at 3 --mark m
expect_usage explain "no SEQ given" explain t.db
expect_usage explain "SEQ must be an event number, not 'x'" explain t.db x
expect_usage plot "no plot kind given" plot t.db
expect_usage report "no output directory given (-o DIR)" report t.db
expect_usage report "unexpected argument 'c.db'" report a.db b.db c.db -o out
expect_usage import "no log directory given" import
expect_usage import "no output file (-o FILE)" import logs
expect_usage lifetimes "only --csv output exists" lifetimes t.db
expect_usage record "-o wants a value" record -o
expect_usage record "unknown option '--bogus'" record --bogus ls
expect_usage record "no program to run" record -o t.db
expect_usage lab "unexpected argument 'b'" lab run a b
expect_usage lab "unknown option '--x'" lab list --x
# "heapscope help CMD" is "heapscope CMD --help"
"$hs" help frag >"$out" 2>"$err"; rc=$?
"$hs" frag --help >"$help"
if [ $rc -ne 0 ] || [ -s "$err" ] || ! cmp -s "$out" "$help"; then
  echo "FAIL: heapscope help frag is not heapscope frag --help"; fail=1
else
  echo "ok: heapscope help frag"
fi
"$hs" help nope >"$out" 2>"$err"
if [ $? -ne 2 ] || [ "$(cat "$err")" != "heapscope: 'nope' is not a heapscope command (see 'heapscope help')" ]; then
  echo "FAIL: heapscope help nope"; fail=1
else
  echo "ok: heapscope help nope"
fi
# a typo'd lab name gets the nearest name, an unrelated one only the list
for pair in "first-maloc|no lab named 'first-maloc'; did you mean 'first-malloc'? (see 'heapscope lab list')" \
            "xyz|no lab named 'xyz' (see 'heapscope lab list')"; do
  name=${pair%%|*} want="heapscope lab: ${pair#*|}"
  "$hs" lab run "$name" >"$out" 2>"$err"; rc=$?
  if [ $rc -ne 1 ] || [ "$(cat "$err")" != "$want" ]; then
    echo "FAIL: heapscope lab run $name: exit $rc, said '$(cat "$err")'"; fail=1
  else
    echo "ok: heapscope lab run $name"
  fi
done
# --dir is created when missing
tdir=$(mktemp -d)
if "$hs" lab run chunk-overhead --dir "$tdir/traces" >"$out" 2>"$err" && [ -s "$tdir/traces/lab-chunk-overhead.db" ]; then
  echo "ok: heapscope lab run chunk-overhead --dir (a new directory)"
else
  echo "FAIL: heapscope lab run --dir did not create the directory: $(cat "$err")"; fail=1
fi
rm -rf "$tdir"
exit $fail
