'use strict'
// Shared helpers of the reference benchmarks: load hypercore-protocol@8.0.7 from the npm install
// the interop tests use (tests/interop/install-reference.sh), parse --name value options, print
// one JSON line per result (the same shape as hyperscope-bench's).

const path = require('path')

function options (argv = process.argv.slice(2)) {
  const out = {}
  for (let i = 0; i < argv.length; i++) {
    if (!argv[i].startsWith('--')) continue
    const name = argv[i].slice(2)
    if (i + 1 < argv.length && !argv[i + 1].startsWith('--')) out[name] = argv[++i]
    else out[name] = '1'
  }
  return out
}

function load (opts) {
  const dir = opts.refpeer || process.env.HYPERSCOPE_REFPEER_DIR
  if (!dir) throw new Error('pass --refpeer DIR (the reference npm install)')
  const Protocol = require(require.resolve('hypercore-protocol', { paths: [dir] }))
  const version = require(require.resolve('hypercore-protocol/package.json', { paths: [dir] })).version
  return { Protocol, version }
}

function result (fields) {
  process.stdout.write(JSON.stringify(Object.assign({ impl: 'reference' }, fields)) + '\n')
}

// The same feed key and Data value bytes as hyperscope-bench.
function feedKey () {
  const key = Buffer.alloc(32)
  for (let i = 0; i < 32; i++) key[i] = (i * 7 + 1) & 0xff
  return key
}

function value (size) {
  const buf = Buffer.alloc(size)
  for (let i = 0; i < size; i++) buf[i] = (i * 131 + 7) & 0xff
  return buf
}

// Monotonic seconds (CLOCK_MONOTONIC, comparable across processes on Linux).
function now () {
  return Number(process.hrtime.bigint()) / 1e9
}

module.exports = { options, load, result, feedKey, value, now, path }
