'use strict'
// Loopback TCP: two reference peers, one process each (as hyperscope-bench runs one thread each).
// node tcp.js --refpeer DIR --size S --count N
// The parent sends; a forked child listens and receives, and reports when the last message came.
const net = require('net')
const { fork } = require('child_process')
const { options, load, result, feedKey, value, now } = require('./common')

const opts = options()
const { Protocol } = load(opts)
const size = Number(opts.size || 1024)
const count = Number(opts.count || 10000)
const key = feedKey()

if (opts.role === 'receiver') {
  let received = 0
  let cpuStart = null
  const server = net.createServer(socket => {
    socket.setNoDelay(true)
    const stream = new Protocol(false, { live: true })
    socket.pipe(stream).pipe(socket)
    stream.on('discovery-key', () => {
      stream.open(key, {
        ondata () {
          if (received === 0) cpuStart = process.cpuUsage()
          if (++received === count) {
            const used = process.cpuUsage(cpuStart)
            process.send({ end: now(), cpu: (used.user + used.system) / 1e6 })
          }
        }
      })
    })
    socket.on('error', () => {})
    stream.on('error', () => {})
  })
  server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }))
  process.on('disconnect', () => process.exit(0))
} else {
  const child = fork(__filename, process.argv.slice(2).concat(['--role', 'receiver']))
  const val = value(size)
  let start = 0
  let sentBefore = 0
  let cpuStart = null
  let stream = null
  child.on('message', msg => {
    if (msg.port) connect(msg.port)
    if (msg.end) {
      const seconds = msg.end - start
      const wire = stream.bytesSent - sentBefore
      const used = process.cpuUsage(cpuStart)
      const cpu = (used.user + used.system) / 1e6 + msg.cpu
      result({ bench: 'tcp', size, count, wire_bytes: wire, seconds, msgs_per_s: count / seconds, mb_per_s: wire / seconds / 1e6, cpu_seconds: cpu, mb_per_cpu_s: wire / cpu / 1e6 })
      child.disconnect()
      process.exit(0)
    }
  })

  function connect (port) {
    const socket = net.connect(port, '127.0.0.1')
    socket.setNoDelay(true)
    stream = new Protocol(true, { live: true })
    socket.pipe(stream).pipe(socket)
    socket.on('error', () => {})
    let sent = 0
    const channel = stream.open(key, {
      onopen () {
        sentBefore = stream.bytesSent
        start = now()
        cpuStart = process.cpuUsage()
        pump()
      }
    })
    // Backpressure as the stream API offers it: stop while the stream's readable buffer is at
    // its high-water mark (push() returned false); resume when the socket drained or, if the
    // socket is not the bottleneck, on the next turn of the event loop.
    function pump () {
      while (sent < count) {
        if (stream._readableState.buffered >= stream._readableState.highWaterMark) {
          if (socket.writableNeedDrain) socket.once('drain', pump)
          else setImmediate(pump)
          return
        }
        channel.data({ index: sent++, value: val })
      }
    }
  }
}
