#!/bin/sh
# The tools the tests need beyond building, installed by `make test` (and the smaller sets by
# `make run` and `make bench`), on Debian/Ubuntu only. Starts and stops no service: see
# tests/tools/apt-install.sh.
#   install-test-deps.sh run|test|bench
set -eu
cd "$(dirname "$0")/../.."
# Debian's apache2 is the first test server; openssl makes its test certificates.
run="apache2 openssl python3"
# gtest: unit tests; util-linux: unshare, flock, ipcs/ipcrm; prometheus gives promtool (checks
# ?prometheus and the alert rules); the exporter checks that /server-status?auto still reads right;
# chromium loads the HTML page for a screenshot; the -dev libraries build the apr16 server
# (tests/tools/build-stack.sh); clang checks the core (make check-clang) and, with
# libclang-rt-dev (libFuzzer's runtime, only recommended by clang), builds the fuzz targets;
# strace's fault injection stops a start inside its ledger write (test_kill_phases.py).
test="$run libgtest-dev g++ make curl util-linux procps prometheus prometheus-apache-exporter
chromium libpcre2-dev libpcre3-dev libexpat1-dev libssl-dev zlib1g-dev tar gzip clang
libclang-rt-dev valgrind strace"
bench="$run libgtest-dev g++ make util-linux procps wrk"
case "${1:-test}" in
run) packages=$run ;;
test) packages=$test ;;
bench) packages=$bench ;;
*) echo "usage: install-test-deps.sh run|test|bench" >&2; exit 2 ;;
esac

family=""
if [ -r /etc/os-release ]; then
    # shellcheck disable=SC1091
    family=$(. /etc/os-release && echo "${ID:-} ${ID_LIKE:-}")
fi
case " $family " in
*" debian "* | *" ubuntu "*) ;;
*)
    echo "the test tools are installed on Debian/Ubuntu only; this host needs:" >&2
    echo "  $packages" | tr '\n' ' ' >&2
    echo >&2
    exit 1
    ;;
esac
# shellcheck disable=SC2086
exec sh tests/tools/apt-install.sh $packages
