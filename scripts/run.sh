#!/usr/bin/env bash
# Set-up, build, and launch the inspector. With no arguments it shows its built-in demo session;
# any arguments are passed on (e.g. --connect 127.0.0.1:4000 --key HEX).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec ./build/app/gui/hyperscope "$@"
