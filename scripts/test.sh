#!/usr/bin/env bash
# Set-up, build, and run the whole test suite (unit, back-to-back, interop with the reference
# peer over loopback TCP, GUI under the offscreen platform, hostile peers, load and soak); then
# the hardening runs of docs/robustness.md: the suite again under AddressSanitizer +
# UndefinedBehaviorSanitizer (scripts/sanitize.sh, ./build-asan) and every libFuzzer target for
# a few seconds (fuzz/run.sh, ./build-fuzz). Arguments go to both ctest runs. Every build treats
# warnings as errors. Each stage's wall time is printed at the end.
#
# HYPERSCOPE_QUICK=1 skips the hardening runs (a quick local check; CI runs everything).
# HYPERSCOPE_FUZZ_SECONDS sets the time per fuzz target (default 5).
set -euo pipefail
cd "$(dirname "$0")/.."

status=0
timings=()
# stage NAME COMMAND...: runs one stage, records its wall time and whether it passed.
stage() {
    local name=$1 start=$SECONDS result=passed
    shift
    "$@" || { result=FAILED; status=1; }
    timings+=("$(printf '%-28s %4d s  %s' "$name" $((SECONDS - start)) "$result")")
}

stage "set-up and build" bash scripts/setup.sh
if [ "$status" = 0 ]; then
    stage "test suite (build/)" bash -c 'cd build && ctest --output-on-failure --timeout 900 -j 2 "$@"' _ "$@"
    if [ "${HYPERSCOPE_QUICK:-0}" != 1 ]; then
        stage "sanitizers (build-asan/)" bash scripts/sanitize.sh "$@"
        stage "fuzzing (build-fuzz/)" bash fuzz/run.sh "${HYPERSCOPE_FUZZ_SECONDS:-5}"
    fi
fi
echo
echo "stage                        time     result"
printf '%s\n' "${timings[@]}"
exit "$status"
