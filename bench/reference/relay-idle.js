'use strict'
// Memory per idle relayed pair: the measured process is `hyperscope-cli relay` (events to
// /dev/null). This process runs the upstream (reference responders) and the clients (reference
// initiators): it dials --warmup pairs through the relay, waits until both legs of each are
// handshaken, reads the relay's RSS, dials --sessions more, and reads it again. The difference per
// pair is what one more idle relayed connection (two handshaken legs, keepalives running) costs.
//
//   node relay-idle.js --refpeer DIR --cli PATH --sessions N [--warmup W]
const net = require('net')
const fs = require('fs')
const { spawn } = require('child_process')
const { options, load, result } = require('./common')

const opts = options()
const { Protocol } = load(opts)
const sessions = Number(opts.sessions || 500)
const warmup = Number(opts.warmup || 50)

function rssOf (pid) {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8')
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)[1]) * 1024
}

function freePort () {
  return new Promise(resolve => {
    const probe = net.createServer()
    probe.listen(0, '127.0.0.1', () => {
      const port = probe.address().port
      probe.close(() => resolve(port))
    })
  })
}

const sleep = ms => new Promise(resolve => setTimeout(resolve, ms))

/// Resolves once something accepts connections on @p port (the relay started listening).
async function listening (port) {
  for (let attempt = 0; attempt < 500; attempt++) {
    const up = await new Promise(resolve => {
      const probe = net.connect(port, '127.0.0.1')
      probe.once('connect', () => { probe.destroy(); resolve(true) })
      probe.once('error', () => resolve(false))
    })
    if (up) return
    await sleep(20)
  }
  throw new Error(`nothing listens on ${port}`)
}

async function main () {
  const held = []
  let upstreamHandshakes = 0
  let clientHandshakes = 0
  const upstream = net.createServer(socket => {
    const stream = new Protocol(false, { live: true })
    socket.pipe(stream).pipe(socket)
    held.push(stream)
    stream.on('handshake', () => upstreamHandshakes++)
    stream.on('error', () => {})
    socket.on('error', () => {})
  })
  await new Promise(resolve => upstream.listen(0, '127.0.0.1', resolve))
  const port = await freePort()
  const devnull = fs.openSync('/dev/null', 'w')
  const relay = spawn(opts.cli, ['relay', '--port', String(port), '--upstream',
    `127.0.0.1:${upstream.address().port}`], { stdio: ['ignore', devnull, 'inherit'] })
  fs.closeSync(devnull)

  let started = 0
  async function dial (target) {
    while (started < target) {
      // At most 32 handshakes in flight, as idle.js does.
      if (started - clientHandshakes >= 32) { await sleep(5); continue }
      started++
      const socket = net.connect(port, '127.0.0.1')
      const stream = new Protocol(true, { live: true })
      socket.pipe(stream).pipe(socket)
      stream.on('handshake', () => clientHandshakes++)
      stream.on('error', () => {})
      socket.on('error', () => {})
      held.push(stream)
    }
    const deadline = Date.now() + 120000
    while (clientHandshakes < target || upstreamHandshakes < target) {
      if (Date.now() > deadline) throw new Error(`only ${clientHandshakes}/${upstreamHandshakes} of ${target} pairs handshaken`)
      await sleep(10)
    }
  }

  await listening(port)
  await dial(warmup)
  await sleep(500)
  const before = rssOf(relay.pid)
  await dial(warmup + sessions)
  await sleep(500)
  const after = rssOf(relay.pid)
  result({ bench: 'relay_idle', impl: 'hyperscope', sessions, warmup, rss_before: before, rss_after: after, rss_per_pair: (after - before) / sessions })
  relay.kill('SIGTERM')
  process.exit(0)
}

main().catch(err => { console.error(err); process.exit(1) })
