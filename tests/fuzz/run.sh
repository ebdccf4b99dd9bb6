#!/bin/sh
# Runs every libFuzzer target for a bounded time: `run.sh SECONDS [TARGET...]`.
# Seeds come from tests/fuzz/corpus/<target>/ (read only); what a run finds goes into
# build/fuzz/corpus/<target>/, crash reproducers into build/fuzz/artifacts/<target>/.
# Prints executions and executions per second per target; exits 1 on any crash, sanitizer
# report, failed property, timeout or out-of-memory.
set -u
cd "$(dirname "$0")/../.."
seconds=${1:?usage: run.sh SECONDS [TARGET...]}
shift
targets=${*:-"ledger directives page_query proc_stat"}
failed=""
for t in $targets; do
    work=build/fuzz/corpus/$t
    artifacts=build/fuzz/artifacts/$t
    log=build/fuzz/logs/$t.log
    mkdir -p "$work" "$artifacts" "$(dirname "$log")"
    dict=tests/fuzz/$t.dict
    # -timeout: one input may take 10 s at most; -rss_limit_mb: the parsers need little;
    # -use_value_profile: guides the fuzzer through comparisons (keywords, numbers, checksums).
    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ASAN_OPTIONS=halt_on_error=1:detect_leaks=1 \
        "build/fuzz/fuzz_$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=1024 \
        -use_value_profile=1 ${dict:+$( [ -f "$dict" ] && echo "-dict=$dict")} \
        -print_final_stats=1 -artifact_prefix="$artifacts/" \
        "$work" "tests/fuzz/corpus/$t" >"$log" 2>&1
    rc=$?
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
    size=$(find "$work" -type f | wc -l)
    if [ "$rc" = 0 ]; then
        seeds=$(find "tests/fuzz/corpus/$t" -type f | wc -l)
        echo "  FUZZ  $t: ${runs:-?} executions in ${seconds} s, ${rate:-?}/s," \
            "corpus $size (+ $seeds seeds)"
    else
        echo "  FUZZ  $t: FAILED (exit $rc), see $log; reproducer in $artifacts/:"
        ls "$artifacts"
        grep -m 5 -E 'ERROR|property failed|runtime error|SUMMARY' "$log"
        failed="$failed $t"
    fi
done
if [ -n "$failed" ]; then
    echo "fuzz: failed:$failed" >&2
    exit 1
fi
