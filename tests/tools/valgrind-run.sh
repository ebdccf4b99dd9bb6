#!/bin/sh
# `make valgrind`: apache2 -X with mod_semguard under valgrind's memcheck, through a start, a
# request to every page format and a stop, in a private IPC and PID namespace (nothing of the
# machine's own is seen or touched). Passes when valgrind reports no error whose stack passes
# through mod_semguard; see tests/tools/valgrind_run.py and tests/tools/valgrind.supp.
set -u
cd "$(dirname "$0")/../.."
if [ "$(id -u)" != 0 ]; then
    echo "make valgrind needs root: private namespaces, and apache2 switching to its User" >&2
    exit 1
fi
if ! command -v valgrind >/dev/null; then
    echo "valgrind is missing: apt-get install valgrind" >&2
    exit 1
fi
exec unshare --ipc --pid --fork --mount-proc build/reaper python3 tests/tools/valgrind_run.py "$@"
