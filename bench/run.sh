#!/usr/bin/env bash
# The benchmarks of issues 5 and 10, in one command:
#
#   bash bench/run.sh [--reps N] [--quick] [--update-docs] [--only WORKLOAD,...]
#
# Builds the benchmark programs (Release, in build-bench/ or $HYPERSCOPE_BENCH_BUILD), installs the
# reference implementation if needed (the interop tests' npm install of hypercore-protocol@8.0.7),
# runs every workload N times (default 5), ours and the reference's interleaved so that both sides
# of a ratio see the same machine load, and prints ONE markdown table of medians.
# --quick: fewer messages and 2 repetitions, for a smoke test (numbers are rougher).
# --update-docs: also writes the table into docs/benchmarks.md between its bench markers.
# --only LIST: runs only the workloads named (comma-separated), e.g. --only inspector-filter,blockmap
#   (the table then has only their rows). Every run belongs to the workload named by the last
#   `workload NAME` line above it: memory, limits, tcp, tracing, x25519, feed, handshakes,
#   receivers, idle, inspector, refilter, inspector-filter, blockmap, inspector-feed.
# Raw results (JSON lines) are kept in <build>/bench-results.jsonl.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${HYPERSCOPE_BENCH_BUILD:-$root/build-bench}
reps=5
quick=0
update_docs=0
only=
while [ $# -gt 0 ]; do
    case $1 in
        --reps) reps=$2; shift ;;
        --quick) quick=1; reps=2 ;;
        --update-docs) update_docs=1 ;;
        --only) only=${2:?--only needs a list of workloads}; shift ;;
        *) echo "usage: bash bench/run.sh [--reps N] [--quick] [--update-docs] [--only WORKLOAD,...]" >&2; exit 2 ;;
    esac
    shift
done

log() { echo "[bench] $*" >&2; }

# Workload selection (--only). `workload NAME` names the runs that follow it; run() skips them
# unless --only is absent or lists NAME. Every name seen is remembered, so that a name in --only
# that no workload has is an error at the end (instead of a table silently missing it).
current_workload=
known_workloads=,
workload() {
    current_workload=$1
    [[ $known_workloads == *",$1,"* ]] || known_workloads+="$1,"
}
want() { [ -z "$only" ] || [[ ",$only," == *",$1,"* ]]; }

log "building (Release) in $build"
# Benchmarks are off in an ordinary build; both programs are required here, so a build that
# cannot make either fails this script instead of leaving a row out of the table.
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DHYPERSCOPE_BUILD_BENCH=ON \
    -DHYPERSCOPE_BUILD_GUI=ON -DHYPERSCOPE_BUILD_TESTS=OFF >/dev/null
cmake --build "$build" --target hyperscope-bench hyperscope-bench-inspector hyperscope-cli hyperscope >&2
# Issue 12: the filter language's benchmark.
cmake --build "$build" --target hyperscope-bench-filter >&2

refdir=$build/tests/interop/refpeer
log "reference implementation in $refdir"
bash "$root/tests/interop/install-reference.sh" "$root/tests/interop" "$refdir" >&2

bin=$build/bench/hyperscope-bench
inspector=$build/bench/hyperscope-bench-inspector
# Issue 13: Data verification (core/feed).
cmake --build "$build" --target hyperscope-bench-feed >&2
feedbench=$build/bench/hyperscope-bench-feed
# Issue 13: the Feed tab's block map painting a million-block feed.
cmake --build "$build" --target hyperscope-bench-blockmap >&2
blockmapbench=$build/bench/hyperscope-bench-blockmap
cli=$build/app/cli/hyperscope-cli
gui=$build/app/gui/hyperscope
ref=$root/bench/reference
results=$build/bench-results.jsonl
: > "$results"

# Message counts per value size: each run takes about a second on an idle 2-core machine.
# The reference is 1-2 orders of magnitude slower, so it gets fewer messages (rates are per
# second either way; each run is still long enough to amortise its start-up).
declare -A ours_count=([64]=400000 [1024]=200000 [65536]=4000)
declare -A ref_count=([64]=40000 [1024]=20000 [65536]=1000)
handshakes=3000
ref_handshakes=300
idle_sessions=1000
# Issue 10: a reference sender against a reference receiver, hyperscope-cli listen, and the
# reference pair through hyperscope-cli relay and through the GUI's relay (hyperscope --relay,
# offscreen) (all at the reference's pace: one count for all).
receivers_count=100000
relay_idle_pairs=500
inspector_count=1000000
if [ "$quick" = 1 ]; then
    ours_count=([64]=100000 [1024]=50000 [65536]=1000)
    ref_count=([64]=10000 [1024]=5000 [65536]=300)
    handshakes=500
    ref_handshakes=100
    receivers_count=30000
    relay_idle_pairs=200
    inspector_count=200000
fi

# run <rep> <command...>: runs one workload (bounded in time) and tags its JSON lines.
run() {
    local rep=$1
    shift
    want "$current_workload" || return 0
    local out
    if ! out=$(timeout 600 "$@"); then
        log "FAILED (rep $rep): $*"
        return 0
    fi
    printf '%s\n' "$out" | grep '^{' | sed "s/^{/{\"rep\": $rep, /" >> "$results"
}

cpu=$(lscpu | sed -n 's/^Model name: *//p' | head -1)
compiler=$(c++ --version | head -1)
load_before=$(cut -d' ' -f1-3 /proc/loadavg)

for rep in $(seq 1 "$reps"); do
    log "repetition $rep of $reps"
    for size in 64 1024 65536; do
        n=${ours_count[$size]}
        rn=${ref_count[$size]}
        workload memory
        run "$rep" "$bin" memory --size "$size" --count "$n"
        run "$rep" node "$ref/memory.js" --refpeer "$refdir" --size "$size" --count "$rn"
        workload limits
        run "$rep" "$bin" limits --size "$size" --count "$n"
        workload tcp
        run "$rep" "$bin" tcp --size "$size" --count "$n"
        run "$rep" node "$ref/tcp.js" --refpeer "$refdir" --size "$size" --count "$rn"
        workload tracing
        run "$rep" "$bin" memory --size "$size" --count "$n" --trace empty
        run "$rep" "$bin" memory --size "$size" --count "$n" --trace copy
    done
    workload x25519
    run "$rep" "$bin" x25519
    workload feed
    run "$rep" "$feedbench"
    workload handshakes
    run "$rep" "$bin" memory-handshakes --count "$handshakes"
    run "$rep" "$bin" handshakes --count "$handshakes" --concurrency 16
    run "$rep" node "$ref/handshakes.js" --refpeer "$refdir" --count "$ref_handshakes" --concurrency 16
    workload receivers
    for receiver in reference cli relay gui; do
        run "$rep" node "$ref/receivers.js" --refpeer "$refdir" --size 1024 --count "$receivers_count" \
            --receiver "$receiver" --cli "$cli" --gui "$gui"
    done
done
# Memory per idle session: three repetitions are plenty (it is not a timing).
workload idle
for rep in 1 2 3; do
    log "idle sessions, repetition $rep of 3"
    run "$rep" "$bin" idle --sessions "$idle_sessions"
    run "$rep" node --expose-gc "$ref/idle.js" --refpeer "$refdir" --sessions "$idle_sessions"
    run "$rep" node "$ref/relay-idle.js" --refpeer "$refdir" --cli "$cli" --sessions "$relay_idle_pairs"
done
[ -x "$inspector" ] || { log "FAILED: $inspector was not built"; exit 1; }
# The GUI's LogPane three times; for diagnosis, the same model in a QTreeView (what the
# LogPane used before) and with no view at all, once each.
workload inspector
for rep in 1 2 3; do
    log "inspector ingest, repetition $rep of 3"
    run "$rep" env QT_QPA_PLATFORM=offscreen "QT_LOGGING_RULES=qt.qpa.*=false" \
        "$inspector" --count "$inspector_count" --size 64 --view logpane
done
for view in tree none; do
    log "inspector ingest, $view"
    run 1 env QT_QPA_PLATFORM=offscreen "QT_LOGGING_RULES=qt.qpa.*=false" \
        "$inspector" --count "$inspector_count" --size 64 --view "$view"
done

# Issue 12: re-filtering a million log rows, one pass per expression (a CPU-bound loop: three
# repetitions are plenty).
workload refilter
for rep in 1 2 3; do
    log "filter, repetition $rep of 3"
    run "$rep" "$build/bench/hyperscope-bench-filter" --rows 1000000
done

# Issue 12 on the inspector side: the LogPane's filter bar set before the flood, so that every
# ingested row is evaluated against it, against the same flood with an empty bar, interleaved per
# repetition (the ratio pairs runs seconds apart). `--filter ""` tags the baseline as one of these
# runs, apart from the "inspector" rows above. The expressions: every clause evaluated for every
# Data and a tenth of them shown (each tenth value ends in "zz"); the cheapest test, nothing of the
# flood shown; and every Data shown (the full view's cost plus evaluation). The LogPane has the
# default colouring rules, as a fresh window (the result records it).
workload inspector-filter
ingest_filters=('type == Data && index > 5 && value contains "zz"' 'type == Request' 'type == Data')
if want inspector-filter; then
    for rep in 1 2 3; do
        log "inspector ingest with a filter, repetition $rep of 3"
        for expression in "" "${ingest_filters[@]}"; do
            run "$rep" env QT_QPA_PLATFORM=offscreen "QT_LOGGING_RULES=qt.qpa.*=false" \
                "$inspector" --count "$inspector_count" --size 64 --view logpane --filter "$expression"
        done
    done
fi

# Issue 13 on the inspector side: the block map (the Feed tab) painting a million-block feed at
# 1024 and 1920 px wide, a clone's realistic layers, and every layer at its bound (diagnosis).
workload blockmap
blockmap_paints=50
[ "$quick" = 1 ] && blockmap_paints=20
if want blockmap; then
    for rep in 1 2 3; do
        log "block map, repetition $rep of 3"
        for pattern in clone hostile; do
            run "$rep" env QT_QPA_PLATFORM=offscreen "QT_LOGGING_RULES=qt.qpa.*=false" \
                "$blockmapbench" --blocks 1000000 --paints "$blockmap_paints" --pattern "$pattern"
        done
    done
fi

# Issue 13 on the inspector side: ingest of 1 KiB Data of a real signed feed whose key the
# inspector's session has, so that its FeedTracker verifies every one ("proofs": the proofs an
# in-order clone gets), against the same values with no proof to verify ("bare"), interleaved.
workload inspector-feed
feed_count=100000
[ "$quick" = 1 ] && feed_count=30000
if want inspector-feed; then
    for rep in 1 2 3; do
        log "inspector ingest of a feed, repetition $rep of 3"
        for proofs in bare proofs; do
            run "$rep" env QT_QPA_PLATFORM=offscreen "QT_LOGGING_RULES=qt.qpa.*=false" \
                "$inspector" --count "$feed_count" --size 1024 --view logpane --feed "$proofs"
        done
    done
fi

# Issue 13: a real feed's Data stream (1 KiB blocks of a FeedBuilder feed, the proofs a
# sequential clone gets) through hyperscope-cli listen and through hyperscope-cli relay,
# verification on against off (--no-verify), interleaved: on, then off, in every repetition.
cmake --build "$build" --target hyperscope-bench-feedstream >&2
feedstream_count=100000
[ "$quick" = 1 ] && feedstream_count=30000
workload feedstream
if want feedstream; then
    for rep in $(seq 1 "$reps"); do
        log "feed stream through hyperscope-cli, repetition $rep of $reps"
        for receiver in cli relay; do
            for verify in on off; do
                run "$rep" "$build/bench/hyperscope-bench-feedstream" --cli "$cli" \
                    --receiver "$receiver" --verify "$verify" --count "$feedstream_count"
            done
        done
    done
fi

# --only: every name must be a workload of this script.
if [ -n "$only" ]; then
    for name in ${only//,/ }; do
        [[ $known_workloads == *",$name,"* ]] || {
            log "--only: no workload named '$name' (workloads:${known_workloads//,/ })"
            exit 2
        }
    done
fi

load_after=$(cut -d' ' -f1-3 /proc/loadavg)
qt=$(pkg-config --modversion Qt6Core 2>/dev/null || qtpaths6 --qt-version 2>/dev/null || echo '?')
node -e 'console.log(JSON.stringify({bench: "machine", cpu: process.argv[1], cores: +process.argv[2],
    kernel: process.argv[3], compiler: process.argv[4], node: process.version, qt: process.argv[5],
    sodium: process.argv[6], protobuf: process.argv[7], load_before: process.argv[8],
    load_after: process.argv[9], reps: +process.argv[10],
    date: new Date().toISOString().slice(0, 16).replace("T", " ") + " UTC"}))' \
    "$cpu" "$(nproc)" "$(uname -r)" "$compiler" "$qt" "$(pkg-config --modversion libsodium)" \
    "$(pkg-config --modversion protobuf 2>/dev/null || protoc --version)" "$load_before" "$load_after" \
    "$reps" >> "$results"

table=$(node "$root/bench/report.js" "$results")
printf '%s\n' "$table"
if [ "$update_docs" = 1 ]; then
    doc=$root/docs/benchmarks.md
    node -e '
        const fs = require("fs")
        const [doc, table] = [process.argv[1], process.argv[2]]
        const begin = "<!-- bench:begin -->", end = "<!-- bench:end -->"
        let text = fs.existsSync(doc) ? fs.readFileSync(doc, "utf8") : `# Benchmarks\n\n${begin}\n${end}\n`
        const a = text.indexOf(begin), b = text.indexOf(end)
        if (a < 0 || b < a) throw new Error(doc + " has no bench markers")
        text = text.slice(0, a + begin.length) + "\n" + table + "\n" + text.slice(b)
        fs.writeFileSync(doc, text)' "$doc" "$table"
    log "table written to $doc"
fi
