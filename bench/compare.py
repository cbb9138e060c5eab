#!/usr/bin/env python3
"""compare.py - the traced program's time under several builds of heapscope,
side by side.

Usage: bench/compare.py [--rounds N] [--ops N] NAME=BUILD[:VAR=VALUE,...] ...

Each round runs bench_workload natively and under `BUILD/bin/heapscope
record --no-faults` with BUILD's tracer (HS_TRACER), once per NAME, in a new
random order each round, with the extra environment given after the colon
(e.g. `noli=build:HS_LIVE_IMPORT=0`). It prints, for each NAME, the median
loop time, the median of the rounds' traced/native ratios, the median of
its ratios to the first NAME in the same rounds, and the median wall time
of `record`.

Why paired ratios: on a shared 2-vCPU VM the native loop itself moves by
up to 50% from minute to minute; a ratio taken within one round cancels
most of that, and the random order keeps a slow moment from always
landing on the same build. Differences under about 3% need 30 rounds or
more to show. bench_workload comes from the first NAME's build.
"""
import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time


def parse_spec(text):
    name, sep, rest = text.partition('=')
    if not sep or not name or not rest:
        sys.exit(f"compare.py: '{text}': expected NAME=BUILD[:VAR=VALUE,...]")
    build, _, env_text = rest.partition(':')
    env = {}
    for pair in filter(None, env_text.split(',')):
        var, sep, value = pair.partition('=')
        if not sep:
            sys.exit(f"compare.py: '{pair}' in '{text}': expected VAR=VALUE")
        env[var] = value
    for need in ('bin/heapscope', 'lib/libheapscope-tracer.so', 'bin/bench_workload'):
        if not os.path.exists(os.path.join(build, need)):
            sys.exit(f"compare.py: '{build}/{need}' is missing (build it first)")
    return name, os.path.abspath(build), env


def loop_ms(stdout, what):
    for field in stdout.split():
        if field.startswith('loop_ns='):
            return int(field[len('loop_ns='):]) / 1e6
    sys.exit(f"compare.py: {what} printed no loop_ns= line")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--rounds', type=int, default=20)
    ap.add_argument('--ops', type=int, default=2000000)
    ap.add_argument('builds', nargs='+', metavar='NAME=BUILD[:VAR=VALUE,...]')
    args = ap.parse_args()
    specs = [parse_spec(s) for s in args.builds]
    workload = os.path.join(specs[0][1], 'bin/bench_workload')
    loops = {name: [] for name, _, _ in specs}
    walls = {name: [] for name, _, _ in specs}
    native = []
    with tempfile.TemporaryDirectory(prefix='heapscope-compare-') as tmp:
        for _ in range(args.rounds):
            order = [None] + specs
            random.shuffle(order)
            for spec in order:
                if spec is None:
                    out = subprocess.run([workload, str(args.ops)], capture_output=True,
                                         text=True, check=True).stdout
                    native.append(loop_ms(out, 'the native run'))
                    continue
                name, build, extra = spec
                env = dict(os.environ, **extra,
                           HS_TRACER=os.path.join(build, 'lib/libheapscope-tracer.so'))
                cmd = [os.path.join(build, 'bin/heapscope'), 'record', '--no-faults', '-o',
                       os.path.join(tmp, name + '.db'), '--', workload, str(args.ops)]
                t0 = time.monotonic()
                out = subprocess.run(cmd, capture_output=True, text=True, env=env).stdout
                walls[name].append(time.monotonic() - t0)
                loops[name].append(loop_ms(out, f"'{name}' under record"))
    med = statistics.median
    first = specs[0][0]
    print(f"{args.rounds} rounds of bench_workload {args.ops}, native loop {med(native):.1f} ms")
    for name, _, _ in specs:
        to_native = med(t / n for t, n in zip(loops[name], native))
        to_first = med(t / f for t, f in zip(loops[name], loops[first]))
        print(f"  {name:12s} loop {med(loops[name]):7.1f} ms  {to_native:5.2f}x native  "
              f"{to_first:5.3f}x {first}  record {med(walls[name]):.3f} s")


if __name__ == '__main__':
    main()
