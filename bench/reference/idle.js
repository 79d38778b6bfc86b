'use strict'
// Memory per idle handshaken session: the measured process listens; a forked child dials
// --warmup sessions, we measure, it dials --sessions more, we measure again.
// node --expose-gc idle.js --refpeer DIR --sessions N --warmup W
const net = require('net')
const { fork } = require('child_process')
const { options, load, result } = require('./common')

const opts = options()
const { Protocol } = load(opts)
const sessions = Number(opts.sessions || 1000)
const warmup = Number(opts.warmup || 50)
const keyPair = Protocol.keyPair()

function measure () {
  if (global.gc) { global.gc(); global.gc() }
  const m = process.memoryUsage()
  return { rss: m.rss, heap: m.heapUsed + m.external + m.arrayBuffers }
}

if (opts.role === 'client') {
  let started = 0
  let handshaken = 0
  let target = warmup
  const streams = []
  function dial (port) {
    while (started < target && started - handshaken < 32) {
      started++
      const socket = net.connect(port, '127.0.0.1')
      const stream = new Protocol(true, { keyPair, live: true })
      socket.pipe(stream).pipe(socket)
      stream.on('handshake', () => { handshaken++; dial(port) })
      stream.on('error', () => {})
      socket.on('error', () => {})
      streams.push(stream)
    }
  }
  let port = 0
  process.on('message', msg => {
    if (msg.port) { port = msg.port; dial(port) }
    if (msg.go) { target = warmup + sessions; dial(port) }
  })
  process.on('disconnect', () => process.exit(0))
} else {
  const held = []
  let handshakes = 0
  let before = null
  const child = fork(__filename, process.argv.slice(2).concat(['--role', 'client']))
  const server = net.createServer(socket => {
    const stream = new Protocol(false, { keyPair, live: true })
    socket.pipe(stream).pipe(socket)
    held.push(stream)
    stream.on('error', () => {})
    socket.on('error', () => {})
    stream.on('handshake', () => {
      handshakes++
      if (handshakes === warmup) {
        setTimeout(() => { before = measure(); child.send({ go: true }) }, 500)
      } else if (handshakes === warmup + sessions) {
        setTimeout(() => {
          const after = measure()
          result({
            bench: 'idle',
            sessions,
            alive: held.filter(s => !s.destroyed).length,
            rss_per_session: (after.rss - before.rss) / sessions,
            heap_per_session: (after.heap - before.heap) / sessions
          })
          child.kill()
          process.exit(0)
        }, 500)
      }
    })
  })
  server.listen(0, '127.0.0.1', () => child.send({ port: server.address().port }))
}
