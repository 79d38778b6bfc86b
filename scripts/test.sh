#!/usr/bin/env bash
# Set-up, build, and run the whole test suite (unit, back-to-back, interop with the reference
# peer over loopback TCP, GUI under the offscreen platform, hostile peers, load and soak); then
# the hardening runs of docs/robustness.md: the suite again under AddressSanitizer +
# UndefinedBehaviorSanitizer (scripts/sanitize.sh, ./build-asan) and every libFuzzer target for
# a few seconds (fuzz/run.sh, ./build-fuzz). Arguments go to both ctest runs.
#
# HYPERSCOPE_QUICK=1 skips the hardening runs (a quick local check; CI runs everything).
# HYPERSCOPE_FUZZ_SECONDS sets the time per fuzz target (default 5).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
status=0
(cd build && ctest --output-on-failure --timeout 900 -j 2 "$@") || status=1
if [ "${HYPERSCOPE_QUICK:-0}" != 1 ]; then
    bash scripts/sanitize.sh "$@" || status=1
    bash fuzz/run.sh "${HYPERSCOPE_FUZZ_SECONDS:-5}" || status=1
fi
exit "$status"
