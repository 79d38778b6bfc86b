'use strict'
// One reference sender, and a receiver that is either another reference peer or a hyperscope-cli
// process, over loopback TCP, encrypted (issue 10's "hyperscope-cli as the receiving peer"):
//
//   node receivers.js --refpeer DIR --size S --count N --receiver reference
//   node receivers.js --refpeer DIR --size S --count N --receiver cli --cli PATH
//   node receivers.js --refpeer DIR --size S --count N --receiver relay --cli PATH
//   node receivers.js --refpeer DIR --size S --count N --receiver gui --gui PATH
//
// reference: a forked Node process with a reference Protocol that accepts the channel.
// cli: `hyperscope-cli listen --once --key K`, its stdout (a "message" event per Data, JSON
//   with the value in hex) to /dev/null: the cost of printing every event is measured, not of
//   reading it.
// relay: the reference receiver behind `hyperscope-cli relay --key K` (events to /dev/null):
//   two reference peers through the relay, to compare with `reference` (the same pair direct).
// gui: the same, through the inspector: `hyperscope --relay PORT --upstream … --key K` on Qt's
//   offscreen platform, its log recording every message of both legs as it does on a screen. It
//   prints no listening line, so a free port is picked first and the sender's own connection
//   retries until the port accepts (a probe connection would be a relayed session of its own).
//   QSettings go to a scratch XDG_CONFIG_HOME, so a run leaves the user's settings alone. When
//   the time is taken, the inspector is sent SIGTERM and must exit within 10 s (else SIGKILL, and
//   the run fails): `gui_exit` in the result says how it ended (SIGTERM's default action, or
//   exit 0 should the inspector ever handle the signal itself).
//
// The sender sends N Data messages as fast as the stream's backpressure allows. The time runs from
// the first send until the receiver has processed the last message: the reference receiver says
// so over IPC when its N-th Data arrives (also behind the relay); hyperscope-cli is sent an EOF
// after the last message, and its closing of the connection (which it does only after handling
// every byte before the EOF) ends the time. MB are the sender's transport bytes.
const net = require('net')
const fs = require('fs')
const os = require('os')
const path = require('path')
const { fork, spawn } = require('child_process')
const { options, load, result, feedKey, value, now } = require('./common')

const opts = options()
const { Protocol } = load(opts)
const size = Number(opts.size || 1024)
const count = Number(opts.count || 10000)
const receiver = opts.receiver || 'reference'
const key = feedKey()

if (opts.role === 'receiver') {
  // The reference receiver: accepts the channel and reports when the last Data arrived.
  let received = 0
  const server = net.createServer(socket => {
    socket.setNoDelay(true)
    const stream = new Protocol(false, { live: true })
    socket.pipe(stream).pipe(socket)
    stream.on('discovery-key', () => stream.open(key, {
      ondata () {
        if (++received === count) process.send({ end: now() })
      }
    }))
    socket.on('error', () => {})
    stream.on('error', () => {})
  })
  server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }))
  process.on('disconnect', () => process.exit(0))
} else {
  main().catch(err => { console.error(err); process.exit(1) })
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

function cpuSeconds (pid) {
  try {
    // /proc/PID/stat: utime and stime are fields 14 and 15, in clock ticks (100 per second).
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')
    return (Number(fields[11]) + Number(fields[12])) / 100
  } catch (_) {
    return NaN
  }
}

function referenceReceiver () {
  return new Promise(resolve => {
    const child = fork(__filename, process.argv.slice(2).concat(['--role', 'receiver']))
    const receiverDone = new Promise(resolve => child.on('message', msg => { if (msg.end) resolve(msg.end) }))
    child.on('message', msg => { if (msg.port) resolve({ port: msg.port, child, receiverDone, stop: () => child.disconnect() }) })
  })
}

async function cliProcess (args) {
  const port = await freePort()
  const devnull = fs.openSync('/dev/null', 'w')
  const child = spawn(opts.cli, [...args, '--port', String(port), '--once', '--key', key.toString('hex')],
    { stdio: ['ignore', devnull, 'inherit'] })
  fs.closeSync(devnull)
  return { port, child, stop: () => child.kill('SIGTERM') }
}

// The inspector as the relay: no listening line, so the port is chosen here (see the top).
async function guiProcess (upstreamPort) {
  const port = await freePort()
  const config = fs.mkdtempSync(path.join(os.tmpdir(), 'hyperscope-bench-'))
  const devnull = fs.openSync('/dev/null', 'w')
  const env = Object.assign({}, process.env, {
    QT_QPA_PLATFORM: 'offscreen', QT_LOGGING_RULES: 'qt.qpa.*=false', XDG_CONFIG_HOME: config, XDG_RUNTIME_DIR: config
  })
  const child = spawn(opts.gui, ['--relay', String(port), '--upstream', `127.0.0.1:${upstreamPort}`,
    '--key', key.toString('hex')], { stdio: ['ignore', devnull, 'inherit'], env })
  fs.closeSync(devnull)
  const exited = new Promise(resolve => child.on('exit', (code, signal) => resolve(signal || `exit ${code}`)))
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
    const timer = setTimeout(() => child.kill('SIGKILL'), 10000)
    const how = await exited
    clearTimeout(timer)
    fs.rmSync(config, { recursive: true, force: true })
    return how
  }
  return { port, child, stop, exited, gui: true }
}

let done = false

async function main () {
  let target
  let upstream = null
  if (receiver === 'reference') {
    target = await referenceReceiver()
  } else if (receiver === 'cli') {
    target = await cliProcess(['listen'])
  } else if (receiver === 'relay') {
    upstream = await referenceReceiver()
    target = await cliProcess(['relay', '--upstream', `127.0.0.1:${upstream.port}`])
  } else if (receiver === 'gui') {
    if (!opts.gui) throw new Error('--receiver gui needs --gui PATH (the hyperscope executable)')
    upstream = await referenceReceiver()
    target = await guiProcess(upstream.port)
    target.exited.then(how => { if (!done) { console.error(`hyperscope exited early (${how})`); process.exit(1) } })
  } else {
    throw new Error('--receiver reference|cli|relay|gui')
  }
  const val = value(size)
  // The inspector starts slower than hyperscope-cli (a QApplication, the main window): up to 60 s.
  const socket = await connectWithRetry(target.port, target.gui ? 3000 : 250)
  socket.setNoDelay(true)
  const stream = new Protocol(true, { live: true })
  socket.pipe(stream).pipe(socket)
  socket.on('error', () => {})
  stream.on('error', () => {})
  let sent = 0
  let start = 0
  let sentBefore = 0
  let cpuStart = null
  let cpuOthers = 0
  const channel = stream.open(key, {
    onopen () {
      sentBefore = stream.bytesSent
      start = now()
      cpuStart = process.cpuUsage()
      cpuOthers = [target, upstream].filter(Boolean).reduce((sum, t) => sum + cpuSeconds(t.child.pid), 0)
      pump()
    }
  })
  const reference = upstream || (receiver === 'reference' ? target : null)
  if (reference) reference.receiverDone.then(finish)
  else socket.on('end', () => finish(now()))

  async function finish (end) {
    if (done || sent < count) return
    done = true
    const seconds = end - start
    const wire = stream.bytesSent - sentBefore
    const used = process.cpuUsage(cpuStart)
    const others = [target, upstream].filter(Boolean).reduce((sum, t) => sum + cpuSeconds(t.child.pid), 0) - cpuOthers
    const cpu = (used.user + used.system) / 1e6 + others
    const fields = { bench: 'receivers', impl: receiver === 'reference' ? 'reference' : 'hyperscope', receiver, size, count, wire_bytes: wire, seconds, msgs_per_s: count / seconds, mb_per_s: wire / seconds / 1e6, cpu_seconds: cpu, mb_per_cpu_s: wire / cpu / 1e6 }
    if (target.gui) {
      // The inspector must end on SIGTERM while both legs are still up (no hang, no crash).
      const how = await target.stop()
      if (how !== 'SIGTERM' && how !== 'exit 0') {
        console.error(`hyperscope did not exit cleanly on SIGTERM (${how})`)
        process.exit(1)
      }
      fields.gui_exit = how
      upstream.stop()
    } else {
      target.stop()
      if (upstream) upstream.stop()
    }
    result(fields)
    socket.destroy()
    process.exit(0)
  }

  function pump () {
    while (sent < count) {
      if (stream._readableState.buffered >= stream._readableState.highWaterMark) {
        if (socket.writableNeedDrain) socket.once('drain', pump)
        else setImmediate(pump)
        return
      }
      channel.data({ index: sent++, value: val })
    }
    if (!reference) stream.finalize() // EOF after the last message: hyperscope-cli closes when done
  }
}

function connectWithRetry (port, attempts = 250) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1')
    socket.once('connect', () => resolve(socket))
    socket.once('error', err => {
      if (attempts <= 0) return reject(err)
      setTimeout(() => connectWithRetry(port, attempts - 1).then(resolve, reject), 20)
    })
  })
}
