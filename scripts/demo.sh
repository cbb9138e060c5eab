#!/usr/bin/env bash
# demo.sh BUILD - the main job of `make demo` (filled in as modules land).
set -eu
echo "heapscope demo: built into $1/bin/heapscope"
