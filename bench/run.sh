#!/usr/bin/env bash
# run.sh BUILD - `make bench` (filled in as modules land).
set -eu
build=${1:-build}
"$(dirname "$0")/faults_bench.sh" "$build"
