#!/bin/sh
# `make test`: every unit and integration test, inside a private IPC and PID namespace so that no
# test sees or touches the machine's own semaphore sets or processes. Ends with one line:
# "N passed, N failed".
set -u
cd "$(dirname "$0")/.."
if [ "$(id -u)" != 0 ]; then
    echo "make test needs root: private namespaces, and apache2 switching to its User" >&2
    exit 1
fi
results=build/test-results
rm -rf "$results" && mkdir -p "$results"

echo "== unit tests"
unshare --ipc --pid --fork --mount-proc build/reaper build/unit_tests --gtest_output="json:$results/unit.json"

echo "== integration tests (real apache2)"
SEMGUARD_TEST_NAMESPACE=1 unshare --ipc --pid --fork --mount-proc \
    build/reaper python3 tests/integration/run.py --json "$results/integration.json"

echo "=="
python3 tests/tools/summary.py "$results/unit.json" "$results/integration.json"
