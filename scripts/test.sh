#!/usr/bin/env bash
# Set-up, build, and run the whole test suite (unit, back-to-back, interop with the reference
# peer over loopback TCP, GUI under the offscreen platform).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cd build
ctest --output-on-failure --timeout 900 -j 2 "$@"
