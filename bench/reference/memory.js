'use strict'
// In memory: two reference streams piped back to back in one process, no sockets.
// node memory.js --refpeer DIR --size S --count N
const { options, load, result, feedKey, value, now } = require('./common')

const opts = options()
const { Protocol } = load(opts)
const size = Number(opts.size || 1024)
const count = Number(opts.count || 10000)
const key = feedKey()
const val = value(size)

const a = new Protocol(true, { live: true })
const b = new Protocol(false, { live: true })
a.pipe(b).pipe(a)

let received = 0
let start = 0
let sentBefore = 0
b.on('discovery-key', () => {
  b.open(key, {
    ondata () {
      if (++received === count) {
        const seconds = now() - start
        const wire = a.bytesSent - sentBefore
        result({ bench: 'memory', size, trace: 'off', count, wire_bytes: wire, seconds, msgs_per_s: count / seconds, mb_per_s: wire / seconds / 1e6 })
        a.destroy()
        b.destroy()
      }
    }
  })
})

let sent = 0
const channel = a.open(key, {
  onopen () {
    sentBefore = a.bytesSent
    start = now()
    pump()
  }
})

// Send until the stream's buffer is full (push() returned false), then let the pipes flow.
function pump () {
  while (sent < count) {
    const flowing = channel.data({ index: sent++, value: val })
    if (!flowing) return setImmediate(pump)
  }
}
