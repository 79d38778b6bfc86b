'use strict'
// Handshakes per second over loopback: connect, Noise handshake, open a channel, close.
// node handshakes.js --refpeer DIR --count N --concurrency C
// The parent dials (initiator), a forked child listens; each side keeps one static key pair.
const net = require('net')
const { fork } = require('child_process')
const { options, load, result, feedKey, now } = require('./common')

const opts = options()
const { Protocol } = load(opts)
const count = Number(opts.count || 500)
const concurrency = Number(opts.concurrency || 16)
const key = feedKey()
const keyPair = Protocol.keyPair()

if (opts.role === 'server') {
  const server = net.createServer(socket => {
    socket.setNoDelay(true)
    const stream = new Protocol(false, { keyPair, live: true })
    socket.pipe(stream).pipe(socket)
    stream.on('discovery-key', () => stream.open(key))
    socket.on('error', () => {})
    stream.on('error', () => {})
  })
  server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }))
  // CPU time since the parent said "start" (both sides' CPU is what the handshakes cost).
  let cpuStart = null
  process.on('message', msg => {
    if (msg.start) cpuStart = process.cpuUsage()
    if (msg.stop) {
      const used = process.cpuUsage(cpuStart)
      process.send({ cpu: (used.user + used.system) / 1e6 })
    }
  })
  process.on('disconnect', () => process.exit(0))
} else {
  const child = fork(__filename, process.argv.slice(2).concat(['--role', 'server']))
  let report = null
  child.on('message', msg => {
    if (msg.port) run(msg.port)
    if (msg.cpu !== undefined) report(msg.cpu)
  })

  function run (port) {
    let started = 0
    let completed = 0
    let failed = 0
    child.send({ start: true })
    const cpuStart = process.cpuUsage()
    const start = now()
    for (let i = 0; i < concurrency && started < count; i++) one()

    function one () {
      started++
      const socket = net.connect(port, '127.0.0.1')
      socket.setNoDelay(true)
      const stream = new Protocol(true, { keyPair, live: true })
      socket.pipe(stream).pipe(socket)
      let ok = false
      let finished = false
      const channel = stream.open(key, {
        onopen () {
          ok = true
          channel.close()
          stream.finalize()
        }
      })
      stream.on('error', () => {})
      socket.on('error', () => {})
      socket.on('close', () => {
        if (finished) return
        finished = true
        if (ok) completed++
        else failed++
        if (started < count) one()
        else if (completed + failed === count) {
          const seconds = now() - start
          const used = process.cpuUsage(cpuStart)
          report = childCpu => {
            const cpu = (used.user + used.system) / 1e6 + childCpu
            result({ bench: 'handshakes', count: completed, failed, concurrency, seconds, per_s: completed / seconds, cpu_seconds: cpu, per_cpu_s: completed / cpu })
            child.disconnect()
            process.exit(0)
          }
          child.send({ stop: true })
        }
      })
    }
  }
}
