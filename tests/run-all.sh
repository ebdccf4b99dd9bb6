#!/bin/sh
# `make test`: the unit tests once, then the integration suite on each server (docs/testing.md):
#   debian  Debian's apache2, with `Mutex sysvsem default`
#   apr16   httpd 2.4.62 on APR 1.6.3 (built from the stacks archives, cached in build/stack/),
#           with no Mutex line: SysV semaphores are its default
# each with a mod_semguard built by that server's own apxs, plus a compile of mod_semguard.c
# against httpd 2.4.37's headers. Everything runs inside a private IPC and PID namespace so that
# no test sees or touches the machine's own semaphore sets or processes.
#   SEMGUARD_SERVERS  the servers to run, default "debian apr16"
#   SEMGUARD_STACKS   the stacks archives' folder (default ../shared/stacks beside the project)
# Then `make demo` (tests/tools/demo.sh, on Debian's apache2), which checks what it shows: one
# more result. Ends with one line per suite and "N passed, N failed (N skipped)".
set -u
cd "$(dirname "$0")/.." || exit 1
if [ "$(id -u)" != 0 ]; then
    echo "make test needs root: private namespaces, and httpd switching to its User" >&2
    exit 1
fi
servers=${SEMGUARD_SERVERS:-debian apr16}
results=build/test-results
rm -rf "$results" && mkdir -p "$results"
record() {  # record FILE NAME OUTCOME DETAIL: a suite that could not run, as one result
    python3 tests/tools/summary.py --record "$@"
}

# Each server is tested with a module built by its own apxs. An APXS given to make built
# build/mod_semguard.so for some other server, which the Debian run would then load.
debian_apxs=$(python3 -c 'import sys; sys.path.insert(0, "tests/tools"); import servers
print(servers.SERVERS["debian"].apxs)')
if [ -n "${APXS:-}" ]; then
    given=$(command -v "$APXS" 2>/dev/null || echo "$APXS")
    if [ "$(readlink -f "$given")" != "$(readlink -f "$debian_apxs")" ]; then
        echo "make test: APXS=$APXS built build/mod_semguard.so for a server this suite does" >&2
        echo "not run; the suite builds each server's module with that server's own apxs." >&2
        echo "Run 'make test' without APXS (docs/testing.md: the servers, one server only)." >&2
        exit 1
    fi
fi

echo "== unit tests"
unshare --ipc --pid --fork --mount-proc build/reaper build/unit_tests \
    --gtest_output="json:$results/unit.json"
suites="unit=$results/unit.json"

# Prepares the apr16 server: the stack (cached) and the module built by its apxs. Prints why
# it cannot when it cannot; exit 2 means "skip", anything else non-zero "fail".
prepare_apr16() {
    sh tests/tools/build-stack.sh || return $?
    # The module and every test module (tests/modules/*.c), built by the stack's apxs; a make of
    # its own for the other build folder: no flags or jobserver from the outer make.
    test_modules=$(for c in tests/modules/*.c; do
        printf 'build/apr16/%s.so ' "$(basename "$c" .c)"; done)
    # shellcheck disable=SC2086
    env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -j2 --no-print-directory BUILD=build/apr16 \
        APXS=build/stack/bin/apxs build/apr16/mod_semguard.so $test_modules || return 1
}

for server in $servers; do
    out=$results/integration-$server.json
    suites="$suites $server=$out"
    case $server in
    debian)
        binary=$(python3 -c 'import sys; sys.path.insert(0, "tests/tools"); import servers
print(servers.SERVERS["debian"].binary)')
        if [ ! -x "$binary" ]; then
            record "$out" "integration suite" failed "$binary is missing"
            continue
        fi
        ;;
    apr16)
        binary=build/stack/bin/httpd
        echo "== the apr16 server: httpd 2.4.62 on APR 1.6.3 (build/stack, cached)"
        log=$results/apr16-prepare.log
        { prepare_apr16; echo $? >"$log.rc"; } 2>&1 | tee "$log"
        rc=$(cat "$log.rc")
        reason=$(tail -n 1 "$log")
        headers=$results/headers-2437.json
        suites="$suites headers-2.4.37=$headers"
        if [ "$rc" = 2 ]; then
            record "$out" "integration suite" skipped "$reason"
            record "$headers" "mod_semguard.c against httpd 2.4.37's headers" skipped "$reason"
            continue
        elif [ "$rc" != 0 ]; then
            record "$out" "integration suite" failed "server or module build: $reason"
            record "$headers" "mod_semguard.c against httpd 2.4.37's headers" failed "$reason"
            continue
        fi
        echo "== mod_semguard.c against httpd 2.4.37's headers (-Werror)"
        if detail=$(sh tests/tools/check-headers-2437.sh 2>&1); then
            record "$headers" "mod_semguard.c against httpd 2.4.37's headers" passed "$detail"
        else
            echo "$detail"
            record "$headers" "mod_semguard.c against httpd 2.4.37's headers" failed "$detail"
        fi
        ;;
    *)
        record "$out" "integration suite" failed "unknown server (debian or apr16)"
        continue
        ;;
    esac
    echo "== integration tests on $server: $binary ($("$binary" -v | sed -n 's/^Server version: //p'))"
    SEMGUARD_SERVER=$server SEMGUARD_TEST_NAMESPACE=1 unshare --ipc --pid --fork --mount-proc \
        build/reaper python3 tests/integration/run.py --json "$out"
done

# The demo, to its end: it exits non-zero when what it shows did not happen. Its last line
# (RESULT: ...) is the result's detail.
echo "== make demo (tests/tools/demo.sh)"
demo_log=$results/demo.log
{ sh tests/tools/demo.sh; echo $? >"$demo_log.rc"; } 2>&1 | tee "$demo_log"
demo_outcome=passed
[ "$(cat "$demo_log.rc")" = 0 ] || demo_outcome=failed
demo_detail=$(grep '^RESULT' "$demo_log" | tail -n 1)
record "$results/demo.json" "make demo" "$demo_outcome" "${demo_detail:-$(tail -n 1 "$demo_log")}"
suites="$suites demo=$results/demo.json"

echo "=="
# shellcheck disable=SC2086
python3 tests/tools/summary.py $suites
