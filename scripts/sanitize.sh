#!/usr/bin/env bash
# Builds the project with AddressSanitizer + UndefinedBehaviorSanitizer (g++) in ./build-asan and
# runs the test suite there. Any sanitizer report fails the test that triggered it: UBSan does not
# recover, ASan aborts, LeakSanitizer checks every test process at exit.
#
#   scripts/sanitize.sh [ctest arguments...]
#
# The whole suite runs here, the GUI's tests included (offscreen), except:
#  - the tests labelled npm (tst_interop, tst_guiinterop, tst_relayinterop, tst_guirelay and their
#    install fixtures): they run Node.js peers, which are not ours to sanitize (the code they
#    drive is covered here by tst_mainwindow, tst_cli, tst_clirelay, tst_relay...);
#  - the benchmarks (not tests).
# The load test holds fewer sessions for less time here (ASan costs memory and time per session);
# the main build runs it in full.
set -euo pipefail
cd "$(dirname "$0")/.."

build=${HYPERSCOPE_ASAN_BUILD_DIR:-build-asan}
# Every UBSan check is fatal at the point of the error, except vptr, which is fatal through
# halt_on_error below: recoverable checks honour runtime suppressions, and the vptr check needs one
# in a single test (tst_hostile's descriptor exhaustion: the check probes memory through pipe()
# and, with no descriptor left, takes every object for a bad one).
flags="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fsanitize-recover=vptr"
# -g1: line tables only, all a sanitizer report needs, at a fraction of the compile time.
flags+=" -fno-omit-frame-pointer -O1 -g1"
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Debug \
    -DCMAKE_CXX_FLAGS="$flags" -DCMAKE_CXX_FLAGS_DEBUG="" \
    -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" \
    -DHYPERSCOPE_BUILD_GUI=ON -DHYPERSCOPE_WARNINGS_AS_ERRORS=ON -DHYPERSCOPE_BUILD_BENCH=OFF >/dev/null
cmake --build "$build" --parallel "$(nproc)"

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:strict_string_checks=1:detect_stack_use_after_return=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$PWD/scripts/lsan.supp:print_suppressions=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export HYPERSCOPE_LOAD_SESSIONS=${HYPERSCOPE_LOAD_SESSIONS:-250}
export HYPERSCOPE_LOAD_SECONDS=${HYPERSCOPE_LOAD_SECONDS:-15}
cd "$build"
ctest --output-on-failure --timeout 900 -j 2 -LE npm "$@"
