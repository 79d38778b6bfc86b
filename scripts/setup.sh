#!/usr/bin/env bash
# Installs what hyperscope needs on Debian 12 (as root) and builds it into ./build.
# Used by scripts/run.sh and scripts/test.sh; safe to run again (skips what is already there).
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
    build-essential cmake ninja-build pkg-config git
    qt6-base-dev libgl-dev libxkbcommon-dev      # Qt 6 Core, Network, Widgets, Test
    libqt6svg6                                   # the SVG icon (image format plugin)
    libsodium-dev libprotobuf-dev protobuf-compiler
    fonts-dejavu-core                            # readable text under the offscreen platform
    clang libclang-rt-14-dev                     # libFuzzer and its sanitizer runtimes (fuzz/)
)
# The interop tests run the reference peer (npm hypercore-protocol) on Node.js. Machines that
# already have a node and npm keep theirs; others get Debian's.
command -v node >/dev/null 2>&1 || packages+=(nodejs)
command -v npm >/dev/null 2>&1 || packages+=(npm)

missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" ||
        missing+=("$package")
done
if ((${#missing[@]})); then
    if [ "$(id -u)" -ne 0 ]; then
        echo "setup: these Debian packages are missing; run as root to install them: ${missing[*]}" >&2
        exit 1
    fi
    echo "setup: installing ${missing[*]}"
    apt-get update -q
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build build --parallel "$(nproc)"
