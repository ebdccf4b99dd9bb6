#!/bin/sh
# `make bench`: every benchmark in a private IPC + PID namespace (the host's table is never touched).
set -eu
cd "$(dirname "$0")/.."
[ "$(id -u)" = 0 ] || { echo "make bench needs root (private namespaces, apache2's User)" >&2; exit 1; }
rm -rf build/bench
exec unshare --ipc --pid --fork --mount-proc build/reaper python3 bench/run.py
