#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, ASan + UBSan) in ./build-fuzz and runs each for a bounded
# time. Exits non-zero when a target crashes, leaks, trips a sanitizer or an assertion of its own.
#
#   fuzz/run.sh [SECONDS_PER_TARGET] [TARGET...]      default: 60 seconds, every target
#   FUZZ_MERGE=1 fuzz/run.sh 3600 fuzz_engine_encrypted
#                 ... and afterwards merge what the run found into the checked-in seed corpus
#
# Each target reads its seeds from fuzz/corpus/<target>/ (checked in, never written by a run) and
# keeps what it finds in build-fuzz/corpus/<target>/, which persists between runs, so repeated
# runs keep going deeper. A crashing input is saved as build-fuzz/artifacts/<target>-crash-<sha1>;
# reproduce it with `build-fuzz/fuzz/<target> <file>`, then turn it into a regression test
# (tests/core/protocol/tst_regressions.cpp) and add the file to fuzz/corpus/<target>/.
#
# Needs Debian's clang and libclang-rt-14-dev (scripts/setup.sh installs them).
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-60}
shift || true
all_targets=(fuzz_framer fuzz_messages fuzz_handshake fuzz_engine_plaintext fuzz_engine_encrypted
    fuzz_command fuzz_relay fuzz_filter
    fuzz_bitfieldrle fuzz_feedverify)
targets=("$@")
((${#targets[@]})) || targets=("${all_targets[@]}")
build=${HYPERSCOPE_FUZZ_BUILD_DIR:-build-fuzz}

if [ ! -f "$build/build.ninja" ]; then
    cmake -S . -B "$build" -G Ninja -DHYPERSCOPE_FUZZ=ON -DCMAKE_CXX_COMPILER=clang++ \
        -DCMAKE_BUILD_TYPE=RelWithDebInfo >"$build.configure.log" 2>&1 ||
        { cat "$build.configure.log"; exit 1; }
fi
cmake --build "$build" --parallel "$(nproc)" --target "${targets[@]}" >"$build.build.log" 2>&1 ||
    { tail -50 "$build.build.log"; exit 1; }

mkdir -p "$build/artifacts" "$build/logs"
# Sanitizer reports go to the log; UBSan must abort (the flags already make it fatal).
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1:symbolize=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

failed=0
printf '%-24s %10s %10s %8s %12s  %s\n' target executions exec/s "corpus" "corpus size" result
for target in "${targets[@]}"; do
    corpus="$build/corpus/$target"
    mkdir -p "$corpus"
    log="$build/logs/$target.log"
    status=ok
    # -timeout: one input taking over 10 s is a hang; -rss_limit_mb: a leak or blow-up.
    if ! "$build/fuzz/$target" "$corpus" "fuzz/corpus/$target" \
        -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$build/artifacts/$target-" >"$log" 2>&1; then
        status="FAILED (see $log)"
        failed=1
    fi
    executions=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    # The last status line: "#N DONE cov: C ft: F corp: UNITS/SIZE ..." (SIZE: 812b, 23Kb, 2Mb)
    corp=$(grep -oE 'corp: [0-9]+/[0-9]+[KMG]?b' "$log" | tail -1 | sed 's/corp: //' || true)
    printf '%-24s %10s %10s %8s %12s  %s\n' "$target" "${executions:-?}" "${speed:-?}" \
        "${corp%%/*}" "${corp#*/}" "$status"
    if [ "$status" != ok ]; then
        grep -E 'ERROR|runtime error|SUMMARY|Test unit written' "$log" | head -20 >&2 || true
    fi
    if [ "${FUZZ_MERGE:-0}" = 1 ] && [ "$status" = ok ]; then
        # Keep only inputs that add coverage to the checked-in seeds.
        "$build/fuzz/$target" -merge=1 "fuzz/corpus/$target" "$corpus" \
            >"$build/logs/$target.merge.log" 2>&1
    fi
done
exit "$failed"
