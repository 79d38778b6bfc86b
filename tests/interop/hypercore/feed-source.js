#!/usr/bin/env node
'use strict'

// feed-source: a real hypercore 9 writer (npm hypercore@9.12.0 on random-access-memory) that
// serves one feed over TCP, for the relay's interop tests.
//
//   node feed-source.js [--host ADDR] [--port PORT] [--blocks N] [--live]
//
// Appends N blocks (blocks.js: deterministic values), listens (port 0 picks one), prints
//   {"event":"listening","port":P,"key":HEX,"discoveryKey":HEX,"length":N}
// and replicates every accepted connection with feed.replicate(false, {live}) piped over the
// socket (hypercore's own protocol stack: hypercore-protocol 8, Noise, encryption). Per
// connection it prints {"event":"connection","remote":…}, then {"event":"end","remote":…,
// "uploaded":BLOCKS,"error":MSG|null}. Runs until SIGTERM/SIGINT or stdin closes.

const net = require('net')
const hypercore = require('hypercore')
const ram = require('random-access-memory')
const { blockValue } = require('./blocks')

function emit (event, fields) {
  process.stdout.write(JSON.stringify(Object.assign({ event }, fields)) + '\n')
}

function parseArgs (argv) {
  const opts = { host: '127.0.0.1', port: 0, blocks: 300, live: false }
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    const value = () => {
      if (i + 1 >= argv.length) throw new Error(a + ' needs a value')
      return argv[++i]
    }
    const integer = (min, max) => {
      const v = Number(value())
      if (!Number.isInteger(v) || v < min || v > max) throw new Error('bad ' + a)
      return v
    }
    switch (a) {
      case '--host': opts.host = value(); break
      case '--port': opts.port = integer(0, 65535); break
      case '--blocks': opts.blocks = integer(1, 1000000); break
      case '--live': opts.live = true; break
      default: throw new Error('unknown argument ' + a)
    }
  }
  return opts
}

function main () {
  let opts
  try {
    opts = parseArgs(process.argv.slice(2))
  } catch (err) {
    process.stderr.write('feed-source: ' + err.message +
      '\nusage: node feed-source.js [--host ADDR] [--port PORT] [--blocks N] [--live]\n')
    process.exit(2)
  }
  process.stdout.on('error', () => {})
  const quit = () => process.exit(0)
  process.on('SIGTERM', quit)
  process.on('SIGINT', quit)
  process.stdin.on('end', quit)
  process.stdin.resume()

  const feed = hypercore(ram)
  const values = []
  for (let i = 0; i < opts.blocks; i++) values.push(blockValue(i))
  feed.append(values, (err) => {
    if (err) throw err
    const server = net.createServer((socket) => {
      const remote = socket.remoteAddress + ':' + socket.remotePort
      emit('connection', { remote })
      let uploaded = 0
      const onUpload = () => { uploaded++ }
      feed.on('upload', onUpload)
      const stream = feed.replicate(false, { live: opts.live })
      let error = null
      let reported = false
      const report = () => {
        if (reported) return
        reported = true
        feed.removeListener('upload', onUpload)
        emit('end', { remote, uploaded, error })
      }
      stream.on('error', (e) => { error = error || e.message })
      socket.on('error', (e) => { error = error || e.message })
      stream.on('close', report)
      socket.on('close', () => { stream.destroy(); report() })
      socket.pipe(stream).pipe(socket)
    })
    server.on('error', (err) => {
      emit('error', { message: err.message })
      process.exit(1)
    })
    server.listen(opts.port, opts.host, () => {
      emit('listening', {
        port: server.address().port,
        key: feed.key.toString('hex'),
        discoveryKey: feed.discoveryKey.toString('hex'),
        length: feed.length
      })
    })
  })
}

main()
