#!/usr/bin/env bash
# Installs one of the npm packages the interop tests run into the build tree, pinned by its
# package-lock.json: the reference peer (refpeer/: npm hypercore-protocol@8.0.7, the default)
# or the hypercore 9 nodes (hypercore/: hypercore@9.12.0 with random-access-memory). A CTest
# fixture: every interop test depends on one, so a failed install fails them loudly instead of
# skipping them. npm runs in the build tree only, never in the source tree.
#
#   install-reference.sh SOURCE_DIR DEST [PACKAGE]      (PACKAGE: refpeer or hypercore)
set -euo pipefail
source_dir=$1
dest=$2
package=${3:-refpeer}
mkdir -p "$dest"
cp "$source_dir/$package/package.json" "$source_dir/$package/package-lock.json" \
    "$source_dir/$package/"*.js "$dest/"
if ! cmp -s "$dest/package-lock.json" "$dest/node_modules/.package-lock.json.installed" 2>/dev/null; then
    (cd "$dest" && npm ci --no-audit --no-fund --loglevel=error)
    cp "$dest/package-lock.json" "$dest/node_modules/.package-lock.json.installed"
fi
# Prove it loads: a broken install must fail here, not as a confusing test timeout. Every
# dependency is required and its installed version printed.
(cd "$dest" && node -e "
const deps = Object.keys(require('./package.json').dependencies)
for (const d of deps) require(d)
console.log('$package ready: ' + deps.map(d => d + '@' + require(d + '/package.json').version).join(', '))")
