#!/bin/sh
# `make demo`: tests/tools/demo.py inside a private IPC and PID namespace (and mount namespace,
# for its own /proc), as tests/run-all.sh runs the tests. The demo lowers kernel.sem, runs
# apache2, kill -9 and an `ipcs | ipcrm` line there only: the host's semaphore sets, processes and
# kernel.sem stay untouched, and the namespace, with every set and process left in it, ends with
# build/reaper. Exits with the demo's code: 0 when everything it shows happened.
set -u
cd "$(dirname "$0")/../.." || exit 1
if [ "$(id -u)" != 0 ]; then
    echo "make demo needs root: a private namespace, and apache2 switching to its User" >&2
    exit 1
fi
for f in build/reaper build/semguardctl build/mod_semguard.so; do
    if [ ! -x "$f" ] && [ ! -f "$f" ]; then
        echo "make demo: $f is missing (run make demo, which builds it)" >&2
        exit 1
    fi
done
SEMGUARD_DEMO_NAMESPACE=1 exec unshare --ipc --pid --fork --mount-proc build/reaper \
    python3 tests/tools/demo.py
