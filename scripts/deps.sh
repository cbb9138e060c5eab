#!/usr/bin/env bash
# deps.sh - install the Debian packages heapscope needs, if any are missing.
#
# Usage: scripts/deps.sh [build|test|bench]
#   build: compiler, cmake, SQLite, zlib, zstd, libdw, liburing (enough for `make`)
#   test:  build + cmocka, strace, sqlite3, jemalloc, matplotlib, chromium...
#   bench: test + heaptrack, valgrind
# As root it runs apt-get; otherwise it names what is missing and fails.
set -eu
level=${1:-build}

pkgs=(gcc make cmake pkg-config libsqlite3-dev zlib1g-dev libzstd-dev libdw-dev liburing-dev)
if [ "$level" = test ] || [ "$level" = bench ]; then
  pkgs+=(g++ libcmocka-dev sqlite3 strace gdb libc6-dbg libjemalloc2 libjemalloc-dev
         libtcmalloc-minimal4 libmimalloc2.0 python3 python3-matplotlib chromium
         util-linux procps)
fi
if [ "$level" = bench ]; then
  pkgs+=(heaptrack valgrind time)
fi

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "heapscope: missing Debian packages: ${missing[*]} (run as root, or: sudo apt-get install ${missing[*]})" >&2
  exit 1
fi
echo "heapscope: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
