#!/usr/bin/env node
'use strict'

// serve-clone: a real hypercore 9 reader (npm hypercore@9.12.0 on random-access-memory) that
// clones a feed served by `hyperscope-cli --serve FILE` and compares it with FILE.
//
//   node serve-clone.js KEY HOST:PORT --file FILE [--block-size N] [--get I,J,...]
//                       [--timeout MS]
//
// Without --get: a full clone (not sparse) downloads every block of FILE cut into N-byte blocks
// (default 65536), hypercore verifying each against the Merkle tree and the writer's signature
// before it stores it. With --get: a sparse clone fetches only blocks I, J, ... with feed.get.
// Then every fetched value is compared with its slice of FILE. Prints one line,
//   {"event":"verified","ok":BOOL,"blocks":N,"length":L,"byteLength":B,"matching":M,
//    "mismatches":[...],"downloaded":D,"ms":T}
// and exits 0 only when every block asked for arrived and matches, the feed's length is FILE's
// block count and (full clone) its byteLength FILE's size, and a sparse clone downloaded nothing
// else; on a timeout or an error it prints {"event":"failed","message":…} and exits 1.

const fs = require('fs')
const net = require('net')
const hypercore = require('hypercore')
const ram = require('random-access-memory')

function emit (event, fields) {
  process.stdout.write(JSON.stringify(Object.assign({ event }, fields)) + '\n')
}

function parseArgs (argv) {
  const opts = { key: null, host: null, port: 0, file: null, blockSize: 65536, get: null, timeout: 30000 }
  const positional = []
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
      case '--file': opts.file = value(); break
      case '--block-size': opts.blockSize = integer(1, 8 * 1024 * 1024); break
      case '--timeout': opts.timeout = integer(1, 3600000); break
      case '--get':
        opts.get = value().split(',').map(Number)
        if (!opts.get.every((n) => Number.isInteger(n) && n >= 0)) throw new Error('bad --get')
        break
      default:
        if (a.startsWith('--')) throw new Error('unknown argument ' + a)
        positional.push(a)
    }
  }
  if (positional.length !== 2) throw new Error('want KEY and HOST:PORT')
  if (!opts.file) throw new Error('want --file FILE')
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
    process.stderr.write('serve-clone: ' + err.message +
      '\nusage: node serve-clone.js KEY HOST:PORT --file FILE [--block-size N] [--get I,J,...] ' +
      '[--timeout MS]\n')
    process.exit(2)
  }
  process.stdout.on('error', () => {})
  const bytes = fs.readFileSync(opts.file)
  const count = Math.ceil(bytes.length / opts.blockSize)
  const expected = (i) => bytes.subarray(i * opts.blockSize, Math.min(bytes.length, (i + 1) * opts.blockSize))
  const wanted = opts.get || Array.from({ length: count }, (_, i) => i)

  const started = Date.now()
  let done = false
  let downloaded = 0
  const finish = (code, event, fields) => {
    if (done) return
    done = true
    emit(event, fields)
    process.stdout.write('', () => process.exit(code))
  }
  const fail = (message) => finish(1, 'failed', { message, ms: Date.now() - started })
  setTimeout(() => fail('timed out after ' + opts.timeout + ' ms; downloaded ' + downloaded +
    ' of ' + wanted.length + ' blocks'), opts.timeout).unref()

  const feed = hypercore(ram, opts.key, { sparse: !!opts.get })
  feed.on('download', () => { downloaded++ })
  const socket = net.connect(opts.port, opts.host)
  socket.on('error', (err) => fail('connection to ' + opts.host + ':' + opts.port + ': ' + err.message))
  socket.on('close', () => fail('connection closed after ' + downloaded + ' of ' + wanted.length +
    ' blocks'))
  feed.ready((err) => {
    if (err) return fail(err.message)
    const stream = feed.replicate(true, { live: false })
    stream.on('error', (err) => fail('replication: ' + err.message))
    socket.pipe(stream).pipe(socket)
    if (opts.get) return check()
    feed.download({ start: 0, end: count }, (err) => {
      if (err) return fail('download: ' + err.message)
      check()
    })
  })

  // Sparse: feed.get waits for each block (a Request each); full: they are all here already.
  function check () {
    const mismatches = []
    let matching = 0
    let pending = wanted.length
    for (const i of wanted) {
      feed.get(i, { wait: true }, (err, value) => {
        if (err || !value || !value.equals(expected(i))) {
          if (mismatches.length < 10) mismatches.push({ index: i, error: err ? err.message : null })
        } else {
          matching++
        }
        if (--pending === 0) {
          const ok = matching === wanted.length && feed.length === count &&
            (opts.get ? downloaded === new Set(wanted).size : feed.byteLength === bytes.length)
          finish(ok ? 0 : 1, 'verified', {
            ok, blocks: wanted.length, length: feed.length, byteLength: feed.byteLength,
            matching, mismatches, downloaded, ms: Date.now() - started
          })
          socket.destroy()
        }
      })
    }
  }
}

main()
