#!/usr/bin/env bash
# Smoke test of refpeer.js against itself over loopback: handshake, a shared
# channel, Want/Request/Data, stream and channel extensions, a ping, a channel
# close, and a clean quit. Exits 0 when every expected event was seen.
#
#   tests/interop/refpeer/selftest.sh          (runs `npm ci` here first if needed)
set -u

DIR=$(cd "$(dirname "$0")" && pwd)
RP="$DIR/refpeer.js"
NODE=${NODE:-node}
WAIT=${WAIT:-10} # seconds to wait for each expected event

if [ ! -d "$DIR/node_modules/hypercore-protocol" ]; then
    echo "selftest: installing the reference into $DIR/node_modules"
    npm ci --prefix "$DIR" --no-audit --no-fund >/dev/null || { echo "selftest: npm ci failed"; exit 1; }
fi

WORK=$(mktemp -d)
PIDS=()
cleanup() {
    exec 3>&- 4>&- 2>/dev/null
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
    rm -rf "$WORK"
}
trap cleanup EXIT

KEY=0101010101010101010101010101010101010101010101010101010101010101
FAILS=0
PASSES=0

# wait_for FILE FIXED-STRING...: wait until one line of FILE contains all strings.
wait_for() {
    local file=$1; shift
    local deadline=$((SECONDS + WAIT))
    while [ $SECONDS -le $deadline ]; do
        local lines
        lines=$(cat "$file" 2>/dev/null)
        for s in "$@"; do lines=$(printf '%s\n' "$lines" | grep -F -- "$s"); done
        if [ -n "$lines" ]; then return 0; fi
        sleep 0.05
    done
    return 1
}

check() { # check NAME FILE STRINGS...
    local name=$1; shift
    if wait_for "$@"; then
        echo "ok   $name"
        PASSES=$((PASSES + 1))
    else
        echo "FAIL $name (no line in $(basename "$1") with: ${*:2})"
        FAILS=$((FAILS + 1))
    fi
}

mkfifo "$WORK/a.in" "$WORK/b.in"

# A: listener, responder. B: dialer, initiator.
"$NODE" "$RP" listen --port 0 --once --key $KEY --extension alpha --extension beta \
    --trace --count-pings <"$WORK/a.in" >"$WORK/a.out" 2>"$WORK/a.err" &
PIDA=$!; PIDS+=($PIDA)
exec 3>"$WORK/a.in"

check "A listening" "$WORK/a.out" '"event":"listening"'
PORT=$(sed -n 's/.*"event":"listening".*"port":\([0-9]*\).*/\1/p' "$WORK/a.out" | head -1)
[ -n "$PORT" ] || { echo "selftest: no port"; cat "$WORK/a.err"; exit 1; }

"$NODE" "$RP" connect "127.0.0.1:$PORT" --key $KEY --extension beta --extension alpha \
    --count-pings <"$WORK/b.in" >"$WORK/b.out" 2>"$WORK/b.err" &
PIDB=$!; PIDS+=($PIDB)
exec 4>"$WORK/b.in"

a() { printf '%s\n' "$1" >&3; }
b() { printf '%s\n' "$1" >&4; }

check "A connected (responder)" "$WORK/a.out" '"event":"connected"' '"initiator":false'
check "B connected (initiator)" "$WORK/b.out" '"event":"connected"' '"initiator":true'
check "A handshake" "$WORK/a.out" '"event":"handshake"' '"handshakeHash":"'
check "B handshake" "$WORK/b.out" '"event":"handshake"' '"remotePublicKey":"'
HH_A=$(sed -n 's/.*"handshakeHash":"\([0-9a-f]*\)".*/\1/p' "$WORK/a.out")
HH_B=$(sed -n 's/.*"handshakeHash":"\([0-9a-f]*\)".*/\1/p' "$WORK/b.out")
if [ -n "$HH_A" ] && [ "$HH_A" = "$HH_B" ] && [ ${#HH_A} -eq 128 ]; then
    echo "ok   handshake hashes agree (64 bytes)"; PASSES=$((PASSES + 1))
else
    echo "FAIL handshake hashes differ: '$HH_A' vs '$HH_B'"; FAILS=$((FAILS + 1))
fi
check "A channel" "$WORK/a.out" '"event":"channel"' '"localId":1' '"remoteId":1'
check "B channel" "$WORK/b.out" '"event":"channel"' '"localId":1' '"remoteId":1'
check "A saw Open" "$WORK/a.out" '"event":"message"' '"type":"Open"' '"capability":"'
DK=$(sed -n 's/.*"event":"channel".*"discoveryKey":"\([0-9a-f]*\)".*/\1/p' "$WORK/a.out" | head -1)

# Want / Request from B, Data from A.
b '{"cmd":"send","key":"'$KEY'","type":"Want","message":{"start":0,"length":8}}'
b '{"cmd":"send","discoveryKey":"'$DK'","type":"Request","message":{"index":0}}'
check "A got Want" "$WORK/a.out" '"type":"Want","message":{"start":0,"length":8}'
check "A got Request (absent fields left out)" "$WORK/a.out" '"type":"Request","message":{"index":0}}'
check "A trace of Want frame" "$WORK/a.out" '"event":"frame"' '"direction":"in"' '"type":"Want"' '"bytes":"05150800'
a '{"cmd":"send","key":"'$KEY'","type":"Data","message":{"index":0,"value":"68656c6c6f","nodes":[{"index":1,"hash":"'$KEY'","size":5}],"signature":"abcd"}}'
check "B got Data" "$WORK/b.out" '"type":"Data","message":{"index":0,"value":"68656c6c6f","nodes":[{"index":1,"hash":"'$KEY'","size":5}],"signature":"abcd"}}'
a '{"cmd":"send","key":"'$KEY'","type":"Have","message":{"start":0}}'
check "B got Have without length" "$WORK/b.out" '"type":"Have","message":{"start":0}}'

# Stream extensions: both registered alpha and beta (sorted: alpha=0, beta=1).
b '{"cmd":"extension","name":"beta","payload":"cafe"}'
check "A got stream extensions" "$WORK/a.out" '"event":"extensions","session":1,"names":["alpha","beta"]}'
check "A got stream extension beta" "$WORK/a.out" '"event":"extension"' '"name":"beta","id":1,"payload":"cafe"'
a '{"cmd":"extension","name":"alpha","payload":"beef"}'
check "B got stream extension alpha" "$WORK/b.out" '"event":"extension"' '"name":"alpha","id":0,"payload":"beef"'
b '{"cmd":"extension","name":"gamma","payload":"00"}' # unknown to A
check "A got unknown stream extension" "$WORK/a.out" '"event":"extension"' '"name":null,"id":2,"payload":"00"'

# Channel extension (PROTOCOL.md §7 on top of channel Options + Extension).
a '{"cmd":"register","key":"'$KEY'","name":"chan-ext"}'
b '{"cmd":"register","key":"'$KEY'","name":"another"}'
b '{"cmd":"extension","key":"'$KEY'","name":"chan-ext","payload":"f00d"}'
check "A got channel extensions" "$WORK/a.out" '"event":"extensions"' '"discoveryKey":"'$DK'","names":["another","chan-ext"]'
check "A got channel extension" "$WORK/a.out" '"event":"extension"' '"discoveryKey":"'$DK'","name":"chan-ext","id":1,"payload":"f00d"'

# Ping, bad commands.
b '{"cmd":"ping"}'
check "A counted keepalive" "$WORK/a.out" '"event":"keepalive","session":1,"count":1'
b '{"cmd":"send","key":"'$KEY'","type":"Want","message":{}}'
check "B rejects Want without start" "$WORK/b.out" '"event":"error"' '"command":"send"'
b 'not json'
check "B rejects bad JSON" "$WORK/b.out" '"event":"error"' '"command":null'

# A closes the channel: B sees the Close message and closes its side too.
a '{"cmd":"close","key":"'$KEY'"}'
check "A channel closed" "$WORK/a.out" '"event":"close"' '"discoveryKey":"'$DK'"'
check "B got Close" "$WORK/b.out" '"type":"Close","message":{}'
check "B channel closed" "$WORK/b.out" '"event":"close"' '"discoveryKey":"'$DK'"'

# live: true, so the connection outlives its last channel; B quits cleanly.
b '{"cmd":"ping"}'
check "A keepalive after channel close" "$WORK/a.out" '"event":"keepalive","session":1,"count":2'
b '{"cmd":"quit"}'
check "B end" "$WORK/b.out" '"event":"end","session":1,"reason":"local closed"'
check "A end" "$WORK/a.out" '"event":"end","session":1,"reason":"remote closed"'

wait $PIDB; RCB=$?
wait $PIDA; RCA=$?
if [ $RCA -eq 0 ] && [ $RCB -eq 0 ]; then
    echo "ok   both exited 0"; PASSES=$((PASSES + 1))
else
    echo "FAIL exit codes: listen=$RCA connect=$RCB"; FAILS=$((FAILS + 1))
fi

if [ $FAILS -ne 0 ]; then
    echo "--- A stdout"; cat "$WORK/a.out"; echo "--- A stderr"; cat "$WORK/a.err"
    echo "--- B stdout"; cat "$WORK/b.out"; echo "--- B stderr"; cat "$WORK/b.err"
    echo "selftest: $FAILS failed, $PASSES passed"
    exit 1
fi
echo "selftest: all $PASSES checks passed"
