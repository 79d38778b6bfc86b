#!/usr/bin/env bash
# Installs the reference peer (npm hypercore-protocol@8.0.7, pinned by package-lock.json) into
# the build tree. A CTest fixture: every interop test depends on it, so a failed install fails
# them loudly instead of skipping them.
set -euo pipefail
source_dir=$1
dest=$2
mkdir -p "$dest"
cp "$source_dir/refpeer/package.json" "$source_dir/refpeer/package-lock.json" \
    "$source_dir/refpeer/refpeer.js" "$dest/"
if ! cmp -s "$dest/package-lock.json" "$dest/node_modules/.package-lock.json.installed" 2>/dev/null; then
    (cd "$dest" && npm ci --no-audit --no-fund --loglevel=error)
    cp "$dest/package-lock.json" "$dest/node_modules/.package-lock.json.installed"
fi
# Prove it loads: a broken install must fail here, not as a confusing test timeout.
(cd "$dest" && node -e "require('hypercore-protocol'); console.log('reference peer ready: hypercore-protocol', require('hypercore-protocol/package.json').version)")
