#!/usr/bin/env node
'use strict'

// feed-clone: a real hypercore 9 reader (npm hypercore@9.12.0 on random-access-memory) that
// clones a feed over TCP and checks it, for the relay's interop tests.
//
//   node feed-clone.js KEY HOST:PORT [--blocks N] [--timeout MS] [--live]
//
// Connects, replicates with feed.replicate(true, {live}) piped over the socket, downloads
// blocks 0..N-1 (hypercore verifies every block against the Merkle tree and the writer's
// signature before it stores it), then compares each value with blocks.js. Prints one line,
//   {"event":"verified","ok":BOOL,"blocks":N,"length":L,"matching":M,"mismatches":[...],
//    "downloaded":D,"ms":T}
// and exits 0 only when all N blocks arrived and match; on a timeout or an error it prints
// {"event":"failed","message":…} and exits 1 (also when the connection closes first).

const net = require('net')
const hypercore = require('hypercore')
const ram = require('random-access-memory')
const { blockValue } = require('./blocks')

function emit (event, fields) {
  process.stdout.write(JSON.stringify(Object.assign({ event }, fields)) + '\n')
}

function parseArgs (argv) {
  const opts = { key: null, host: null, port: 0, blocks: 300, timeout: 30000, live: false }
  const positional = []
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    const integer = (min, max) => {
      if (i + 1 >= argv.length) throw new Error(a + ' needs a value')
      const v = Number(argv[++i])
      if (!Number.isInteger(v) || v < min || v > max) throw new Error('bad ' + a)
      return v
    }
    switch (a) {
      case '--blocks': opts.blocks = integer(1, 1000000); break
      case '--timeout': opts.timeout = integer(1, 3600000); break
      case '--live': opts.live = true; break
      default:
        if (a.startsWith('--')) throw new Error('unknown argument ' + a)
        positional.push(a)
    }
  }
  if (positional.length !== 2) throw new Error('want KEY and HOST:PORT')
  if (!/^[0-9a-fA-F]{64}$/.test(positional[0])) throw new Error('KEY must be 64 hex digits')
  opts.key = Buffer.from(positional[0], 'hex')
  const target = positional[1]
  const colon = target.lastIndexOf(':')
  opts.host = target.slice(0, colon)
  opts.port = Number(target.slice(colon + 1))
  if (colon <= 0 || !Number.isInteger(opts.port) || opts.port <= 0 || opts.port > 65535) {
    throw new Error('bad address ' + target + ' (want HOST:PORT)')
  }
  return opts
}

function main () {
  let opts
  try {
    opts = parseArgs(process.argv.slice(2))
  } catch (err) {
    process.stderr.write('feed-clone: ' + err.message +
      '\nusage: node feed-clone.js KEY HOST:PORT [--blocks N] [--timeout MS] [--live]\n')
    process.exit(2)
  }
  process.stdout.on('error', () => {})
  const started = Date.now()
  let done = false
  const finish = (code, event, fields) => {
    if (done) return
    done = true
    emit(event, fields)
    process.stdout.write('', () => process.exit(code))
  }
  const fail = (message) => finish(1, 'failed', { message, ms: Date.now() - started })
  setTimeout(() => fail('timed out after ' + opts.timeout + ' ms; downloaded ' + downloaded +
    ' of ' + opts.blocks + ' blocks'), opts.timeout).unref()

  let downloaded = 0
  const feed = hypercore(ram, opts.key)
  feed.on('download', () => { downloaded++ })
  const socket = net.connect(opts.port, opts.host)
  socket.on('error', (err) => fail('connection to ' + opts.host + ':' + opts.port + ': ' + err.message))
  // A connection that ends before every block arrived ends the clone at once (not at the
  // timeout): the peer or a relay in between gave up.
  socket.on('close', () => fail('connection closed after ' + downloaded + ' of ' + opts.blocks +
    ' blocks'))
  feed.ready((err) => {
    if (err) return fail(err.message)
    const stream = feed.replicate(true, { live: opts.live })
    stream.on('error', (err) => fail('replication: ' + err.message))
    socket.pipe(stream).pipe(socket)
    feed.download({ start: 0, end: opts.blocks }, (err) => {
      if (err) return fail('download: ' + err.message)
      check()
    })
  })

  function check () {
    const mismatches = []
    let matching = 0
    let pending = opts.blocks
    for (let i = 0; i < opts.blocks; i++) {
      feed.get(i, { wait: false }, (err, value) => {
        if (err || !value || !value.equals(blockValue(i))) {
          if (mismatches.length < 10) mismatches.push({ index: i, error: err ? err.message : null })
        } else {
          matching++
        }
        if (--pending === 0) {
          const ok = matching === opts.blocks && feed.length >= opts.blocks
          finish(ok ? 0 : 1, 'verified', {
            ok, blocks: opts.blocks, length: feed.length, matching, mismatches, downloaded,
            ms: Date.now() - started
          })
          socket.destroy()
        }
      })
    }
  }
}

main()
