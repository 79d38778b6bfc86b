#!/usr/bin/env node
'use strict'

// refpeer: a scriptable peer built on the reference `hypercore-protocol` 8.0.7
// package, speaking the same command line / JSON-lines contract as our
// `hyperscope-cli`, so interop tests can drive either side the same way.
//
// The protocol itself is entirely the reference's: this file only wires a
// net.Socket to `new Protocol(initiator, opts)`, calls its public API
// (open / close / registerExtension / ping / channel.want() ...) and reports
// what its handlers and events see. A few read-only hooks into the reference's
// internals (documented at `instrument()`) add what its API does not expose:
// the raw frames for --trace, field presence, keepalive counting and Extension
// messages whose name matches nothing registered. README.md has the contract.

const crypto = require('crypto')
const net = require('net')
const readline = require('readline')
const path = require('path')
const Protocol = require('hypercore-protocol')
// hypercore-crypto is a dependency of hypercore-protocol; resolve it from there
// so this works whether npm hoisted it or not.
const hcrypto = require(require.resolve('hypercore-crypto', {
  paths: [path.dirname(require.resolve('hypercore-protocol'))]
}))

const USAGE = `usage:
  node refpeer.js listen [--host ADDR] --port PORT [--once] [options]
  node refpeer.js connect HOST:PORT [options]
options:
  --key HEX            open a channel for this 32-byte key after the handshake (repeatable)
  --extension NAME     register a stream-level extension (repeatable)
  --timeout MS         idle timeout, keepalive at half (default 20000)
  --no-encrypt         handshake, but plaintext transport (encrypted: false)
  --no-noise           no handshake, plaintext (noise: false, encrypted: false)
  --trace              print a "frame" event for every transport frame in and out
  --count-pings        print a "keepalive" event for every keepalive received
  --answer-requests    answer every Request on an open channel with a Data message
                       (index of the Request, a text value, two nodes, a signature)`

const TYPE_NAMES = ['Open', 'Options', 'Status', 'Have', 'Unhave', 'Want', 'Unwant',
  'Request', 'Cancel', 'Data', 'Close', 'Type11', 'Type12', 'Type13', 'Type14', 'Extension']

// Field number -> [name, kind] for every message of the schema (PROTOCOL.md §5).
// Used to report only the fields that were present on the wire, and to turn
// JSON commands into the objects the reference's encoders take.
const SCHEMA = {
  Open: { 1: ['discoveryKey', 'bytes'], 2: ['capability', 'bytes'] },
  Options: { 1: ['extensions', 'strings'], 2: ['ack', 'bool'] },
  Status: { 1: ['uploading', 'bool'], 2: ['downloading', 'bool'] },
  Have: { 1: ['start', 'uint'], 2: ['length', 'uint'], 3: ['bitfield', 'bytes'], 4: ['ack', 'bool'] },
  Unhave: { 1: ['start', 'uint'], 2: ['length', 'uint'] },
  Want: { 1: ['start', 'uint'], 2: ['length', 'uint'] },
  Unwant: { 1: ['start', 'uint'], 2: ['length', 'uint'] },
  Request: { 1: ['index', 'uint'], 2: ['bytes', 'uint'], 3: ['hash', 'bool'], 4: ['nodes', 'uint'] },
  Cancel: { 1: ['index', 'uint'], 2: ['bytes', 'uint'], 3: ['hash', 'bool'] },
  Data: { 1: ['index', 'uint'], 2: ['value', 'bytes'], 3: ['nodes', 'nodes'], 4: ['signature', 'bytes'] },
  Close: { 1: ['discoveryKey', 'bytes'] }
}

// Channel method of the reference for each sendable type.
const SEND_METHODS = {
  Options: 'options',
  Status: 'status',
  Have: 'have',
  Unhave: 'unhave',
  Want: 'want',
  Unwant: 'unwant',
  Request: 'request',
  Cancel: 'cancel',
  Data: 'data'
}

// ---------------------------------------------------------------- output

function emit (event, session, fields) {
  const obj = Object.assign({ event, session }, fields)
  process.stdout.write(JSON.stringify(obj) + '\n')
}

function hex (buf) {
  return Buffer.from(buf).toString('hex')
}

// ---------------------------------------------------------------- arguments

function parseArgs (argv) {
  const opts = {
    mode: null,
    host: '127.0.0.1',
    port: null,
    target: null,
    once: false,
    keys: [],
    extensions: [],
    timeout: 20000,
    encrypted: true,
    noise: true,
    trace: false,
    countPings: false,
    answerRequests: false
  }
  if (argv.length === 0) throw new Error('missing mode (listen or connect)')
  opts.mode = argv[0]
  if (opts.mode !== 'listen' && opts.mode !== 'connect') throw new Error('unknown mode ' + opts.mode)

  const value = (i, flag) => {
    if (i >= argv.length) throw new Error(flag + ' needs a value')
    return argv[i]
  }

  for (let i = 1; i < argv.length; i++) {
    const a = argv[i]
    switch (a) {
      case '--host': opts.host = value(++i, a); break
      case '--port': {
        const p = Number(value(++i, a))
        if (!Number.isInteger(p) || p < 0 || p > 65535) throw new Error('bad --port')
        opts.port = p
        break
      }
      case '--once': opts.once = true; break
      case '--key': opts.keys.push(parseKey(value(++i, a), '--key')); break
      case '--extension': opts.extensions.push(value(++i, a)); break
      case '--timeout': {
        const t = Number(value(++i, a))
        if (!Number.isInteger(t) || t < 0) throw new Error('bad --timeout')
        opts.timeout = t
        break
      }
      case '--no-encrypt': opts.encrypted = false; break
      case '--no-noise': opts.noise = false; opts.encrypted = false; break
      case '--trace': opts.trace = true; break
      case '--count-pings': opts.countPings = true; break
      case '--answer-requests': opts.answerRequests = true; break
      case '-h':
      case '--help':
        process.stdout.write(USAGE + '\n')
        process.exit(0)
        break
      default:
        if (opts.mode === 'connect' && opts.target === null && !a.startsWith('--')) {
          opts.target = parseTarget(a)
          break
        }
        throw new Error('unknown argument ' + a)
    }
  }
  if (opts.mode === 'listen' && opts.port === null) throw new Error('listen needs --port')
  if (opts.mode === 'connect' && opts.target === null) throw new Error('connect needs HOST:PORT')
  if (new Set(opts.extensions).size !== opts.extensions.length) throw new Error('duplicate --extension')
  return opts
}

function parseTarget (s) {
  const i = s.lastIndexOf(':')
  if (i <= 0) throw new Error('bad address ' + s + ' (want HOST:PORT)')
  let host = s.slice(0, i)
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1)
  const port = Number(s.slice(i + 1))
  if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new Error('bad port in ' + s)
  return { host, port }
}

function parseHex (s, what) {
  if (typeof s !== 'string' || s.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(s)) {
    throw new Error(what + ' must be a hex string')
  }
  return Buffer.from(s, 'hex')
}

function parseKey (s, what) {
  const b = parseHex(s, what)
  if (b.length !== 32) throw new Error(what + ' must be 32 bytes (64 hex digits)')
  return b
}

// ---------------------------------------------------------------- protobuf presence

// Top-level field numbers present in an encoded message. The reference's
// decoders fill defaults for absent fields (Have.length = 1, Want.length = 0,
// bools false ...), so presence is read from the raw bytes the decoder just
// accepted. Returns null if the bytes can't be walked (then we fall back to
// "everything not null").
function presentFields (buf) {
  const present = new Set()
  let off = 0
  const readVarint = () => {
    let v = 0
    let f = 1
    for (;;) {
      if (off >= buf.length) throw new Error('truncated')
      const b = buf[off++]
      v += (b & 0x7f) * f
      if (b < 0x80) return v
      f *= 128
    }
  }
  try {
    while (off < buf.length) {
      const prefix = readVarint()
      const wire = prefix % 8
      present.add(Math.floor(prefix / 8))
      if (wire === 0) readVarint()
      else if (wire === 1) off += 8
      else if (wire === 2) { const n = readVarint(); off += n }
      else if (wire === 5) off += 4
      else throw new Error('bad wire type')
    }
    if (off > buf.length) return null
    return present
  } catch (_) {
    return null
  }
}

function fieldToJson (kind, v) {
  switch (kind) {
    case 'bytes': return hex(v)
    case 'nodes': return v.map(n => ({ index: n.index, hash: hex(n.hash), size: n.size }))
    default: return v
  }
}

// Decoded message -> JSON with the schema's names, only fields that were on the wire.
function messageToJson (type, decoded, raw) {
  const schema = SCHEMA[type]
  const present = raw ? presentFields(raw) : null
  const out = {}
  for (const num of Object.keys(schema)) {
    const [name, kind] = schema[num]
    const v = decoded[name]
    if (v === null || v === undefined) continue
    if (present !== null && !present.has(Number(num))) continue
    if (present === null && Array.isArray(v) && v.length === 0) continue
    out[name] = fieldToJson(kind, v)
  }
  return out
}

// JSON from a command -> object for the reference's encoder. Unknown fields
// and ill-typed values are errors; required fields are checked by encoding.
function messageFromJson (type, json) {
  if (json === undefined || json === null) json = {}
  if (typeof json !== 'object' || Array.isArray(json)) throw new Error('"message" must be an object')
  const schema = SCHEMA[type]
  const byName = {}
  for (const num of Object.keys(schema)) byName[schema[num][0]] = schema[num][1]
  const out = {}
  for (const name of Object.keys(json)) {
    const kind = byName[name]
    if (!kind) throw new Error('unknown field ' + name + ' for ' + type)
    const v = json[name]
    if (v === null || v === undefined) continue
    switch (kind) {
      case 'uint':
        if (!Number.isSafeInteger(v) || v < 0) throw new Error(name + ' must be a non-negative integer')
        out[name] = v
        break
      case 'bool':
        if (typeof v !== 'boolean') throw new Error(name + ' must be a boolean')
        out[name] = v
        break
      case 'bytes':
        out[name] = parseHex(v, name)
        break
      case 'strings':
        if (!Array.isArray(v) || !v.every(s => typeof s === 'string')) throw new Error(name + ' must be an array of strings')
        out[name] = v.slice()
        break
      case 'nodes':
        if (!Array.isArray(v)) throw new Error(name + ' must be an array')
        out[name] = v.map((n, i) => {
          if (!n || typeof n !== 'object') throw new Error('nodes[' + i + '] must be an object')
          if (!Number.isSafeInteger(n.index) || n.index < 0) throw new Error('nodes[' + i + '].index must be a non-negative integer')
          if (!Number.isSafeInteger(n.size) || n.size < 0) throw new Error('nodes[' + i + '].size must be a non-negative integer')
          return { index: n.index, hash: parseHex(n.hash, 'nodes[' + i + '].hash'), size: n.size }
        })
        break
    }
  }
  return out
}

// ---------------------------------------------------------------- sessions

let opts = null
let server = null
let nextSessionId = 1
let latestSession = null
const sessions = new Map()
const queuedCommands = [] // commands read before the first session existed
let quitting = false

class Session {
  constructor (socket, initiator) {
    this.id = nextSessionId++
    this.socket = socket
    this.initiator = initiator
    this.ended = false
    this.error = null
    this.localClose = false
    this.streamClosed = false
    this.socketClosed = false
    this.reportedChannels = new WeakSet()
    this.channelState = new WeakMap() // Channel -> { announced, remoteNames }
    this.channelLocalExt = new Map() // discoveryKey hex -> sorted local extension names
    this.streamExtCurrentId = -1 // wire id of the stream Extension being dispatched
    this.streamExtDispatched = false
    this.lastRaw = null // { type, body } of the frame the reference is decoding
    this.keepalives = 0

    sessions.set(this.id, this)
    latestSession = this

    const remote = (socket.remoteAddress && socket.remoteAddress.includes(':') ? '[' + socket.remoteAddress + ']' : socket.remoteAddress) +
      ':' + socket.remotePort
    emit('connected', this.id, { remote, initiator })

    const protoOpts = { live: true, timeout: opts.timeout }
    if (!opts.encrypted) protoOpts.encrypted = false
    if (!opts.noise) protoOpts.noise = false
    const stream = this.stream = new Protocol(initiator, protoOpts)
    this.instrument()

    for (const name of opts.extensions) this.registerStreamExtension(name)

    stream.on('handshake', () => {
      emit('handshake', this.id, {
        publicKey: hex(stream.publicKey),
        remotePublicKey: hex(stream.remotePublicKey),
        handshakeHash: stream.state.handshakeHash ? hex(stream.state.handshakeHash) : null
      })
      this.openInitialKeys()
    })
    stream.on('discovery-key', (dk) => emit('discovery-key', this.id, { discoveryKey: hex(dk) }))
    stream.on('duplex-channel', (ch) => this.reportChannel(ch))
    stream.on('extensions', (names) => emit('extensions', this.id, { names: names.slice() }))
    stream.on('error', (err) => this.fail(err))
    stream.on('close', () => { this.streamClosed = true; this.socket.destroy(); this.maybeEnd() })

    socket.on('error', (err) => this.fail(err))
    socket.on('close', () => { this.socketClosed = true; this.stream.destroy(); this.maybeEnd() })

    socket.pipe(stream).pipe(socket)

    // Without Noise there is no handshake event: the stream is ready at once.
    if (!opts.noise) this.openInitialKeys()
  }

  // Read-only hooks into the reference's internals, for what its API does not
  // expose. None of them changes what the reference does:
  //  - state._messages (simple-message-channels) ._onmessage(channel, type, body):
  //    called once per complete incoming frame after decryption, just before the
  //    reference decodes and dispatches it. We remember the body (field presence),
  //    and --trace prints the frame, re-encoded as varint(len) varint(header) body
  //    (identical to the wire bytes when the sender used minimal varints).
  //  - state._messages._nextState(): in its "length read" state a length of 0 is
  //    a keepalive, which the reference skips silently; --count-pings counts it.
  //  - state._messages.send(channel, type, message): returns the exact plaintext
  //    frame about to be encrypted and written; --trace prints it.
  //  - state.ping(): writes a bare 0x00 frame (not through send()); --trace
  //    prints it when the reference really sends it (not during the handshake).
  //  - channelizer.onopen / onclose: Open and Close reach no channel handler with
  //    their message; we report them, then call the reference's own handler.
  //  - remoteExtensions.onmessage(id, buf): stream-level Extension dispatch; we
  //    note the wire id, and report it with name null if no registered extension
  //    received it.
  instrument () {
    const self = this
    const stream = this.stream
    const smc = stream.state._messages

    const origOnMessage = smc._onmessage
    smc._onmessage = function (channel, type, message, data, offset) {
      if (opts.trace) {
        const header = encodeVarint(channel * 16 + type)
        const len = encodeVarint(header.length + message.length)
        emit('frame', self.id, {
          direction: 'in',
          channel,
          type: TYPE_NAMES[type],
          bytes: hex(Buffer.concat([len, header, message]))
        })
      }
      self.lastRaw = { type, body: message }
      try {
        return origOnMessage.call(this, channel, type, message, data, offset)
      } finally {
        self.lastRaw = null
      }
    }

    const origNextState = smc._nextState
    smc._nextState = function (data, offset) {
      if (this._state === 0 && this._varint === 0) {
        self.keepalives++
        if (opts.trace) emit('frame', self.id, { direction: 'in', type: 'Keepalive', bytes: '00' })
        if (opts.countPings) emit('keepalive', self.id, { count: self.keepalives })
      }
      return origNextState.call(this, data, offset)
    }

    const origSend = smc.send
    smc.send = function (channel, type, message) {
      const frame = origSend.call(this, channel, type, message)
      if (opts.trace) {
        emit('frame', self.id, { direction: 'out', channel, type: TYPE_NAMES[type], bytes: hex(frame) })
      }
      return frame
    }

    const state = stream.state
    const origPing = state.ping
    state.ping = function () {
      const willSend = !this._handshaking && !this._pending.length && !this.destroyed
      if (willSend && opts.trace) emit('frame', self.id, { direction: 'out', type: 'Keepalive', bytes: '00' })
      return origPing.call(this)
    }

    const cz = stream.channelizer
    const origOnOpen = cz.onopen
    cz.onopen = function (channelId, message) {
      self.emitMessage(message.discoveryKey, 'Open', message)
      return origOnOpen.call(this, channelId, message)
    }
    const origOnClose = cz.onclose
    cz.onclose = function (channelId, message) {
      let ch = channelId < this.remote.length ? this.remote[channelId] : null
      if (!ch && message.discoveryKey) ch = this.getChannel(message.discoveryKey)
      if (ch) self.emitMessage(ch.discoveryKey, 'Close', message)
      return origOnClose.call(this, channelId, message)
    }

    const remoteExt = stream.remoteExtensions
    const origExtMessage = remoteExt.onmessage
    remoteExt.onmessage = function (id, buf, context) {
      self.streamExtCurrentId = id
      self.streamExtDispatched = false
      origExtMessage.call(this, id, buf, context)
      if (!self.streamExtDispatched) {
        emit('extension', self.id, { name: null, id, payload: hex(buf) })
      }
      self.streamExtCurrentId = -1
    }
  }

  emitMessage (discoveryKey, type, decoded) {
    const raw = this.lastRaw && TYPE_NAMES[this.lastRaw.type] === type ? this.lastRaw.body : null
    emit('message', this.id, {
      discoveryKey: hex(discoveryKey),
      type,
      message: messageToJson(type, decoded, raw)
    })
  }

  openInitialKeys () {
    for (const key of opts.keys) {
      try {
        this.openChannel(key)
      } catch (err) {
        emit('error', this.id, { message: err.message })
      }
    }
  }

  registerStreamExtension (name) {
    const ext = this.stream.registerExtension(name, {
      onmessage: (message) => {
        this.streamExtDispatched = true
        emit('extension', this.id, { name: ext.name, id: this.streamExtCurrentId, payload: hex(message) })
      }
    })
    return ext
  }

  reportChannel (ch) {
    if (this.reportedChannels.has(ch)) return
    this.reportedChannels.add(ch)
    emit('channel', this.id, { discoveryKey: hex(ch.discoveryKey), localId: ch.localId, remoteId: ch.remoteId })
  }

  chState (ch) {
    let s = this.channelState.get(ch)
    if (!s) {
      s = { announced: null, remoteNames: [] }
      this.channelState.set(ch, s)
    }
    return s
  }

  openChannel (key) {
    const dk = hcrypto.discoveryKey(key)
    const dkHex = hex(dk)
    const handlers = {}
    const msg = (type) => (m) => this.emitMessage(dk, type, m)
    handlers.onstatus = msg('Status')
    handlers.onhave = msg('Have')
    handlers.onunhave = msg('Unhave')
    handlers.onwant = msg('Want')
    handlers.onunwant = msg('Unwant')
    handlers.onrequest = (m) => {
      this.emitMessage(dk, 'Request', m)
      if (opts.answerRequests) this.answerRequest(dk, m)
    }
    handlers.oncancel = msg('Cancel')
    handlers.ondata = msg('Data')
    handlers.onoptions = (m) => {
      this.emitMessage(dk, 'Options', m)
      const ch = this.stream.channelizer.getChannel(dk)
      if (!ch) return
      // Like the reference does for the stream scope (Remote.update), every
      // Options replaces the remote's names for this channel.
      const s = this.chState(ch)
      const names = m.extensions || []
      const changed = names.length > 0 || s.remoteNames.length > 0
      s.remoteNames = names.slice()
      if (changed) emit('extensions', this.id, { discoveryKey: dkHex, names: names.slice() })
    }
    handlers.onextension = (id, buf) => {
      const ch = this.stream.channelizer.getChannel(dk)
      const remoteNames = ch ? this.chState(ch).remoteNames : []
      const name = id < remoteNames.length ? remoteNames[id] : undefined
      const local = this.channelLocalExt.get(dkHex) || []
      emit('extension', this.id, {
        discoveryKey: dkHex,
        name: name !== undefined && local.includes(name) ? name : null,
        id,
        payload: hex(buf)
      })
    }
    handlers.onclose = () => emit('close', this.id, { discoveryKey: dkHex })
    return this.stream.open(key, handlers)
  }

  // --answer-requests: reply to a Request with a Data message sent through the
  // reference's API (channel.data), every field present. The bytes are made up
  // but deterministic (see answerFor); they are not a valid Merkle proof.
  answerRequest (dk, request) {
    const ch = this.stream.channelizer.getChannel(dk)
    if (!ch || ch.localId === -1 || this.stream.destroyed) return
    try {
      ch.data(answerFor(request.index))
    } catch (err) {
      emit('error', this.id, { message: 'answer to Request ' + request.index + ': ' + err.message })
    }
  }

  // The channel a command names by "key" or "discoveryKey"; must be open locally.
  commandChannel (cmd) {
    const dk = commandDiscoveryKey(cmd)
    if (!dk) throw new Error('"key" or "discoveryKey" required')
    const ch = this.stream.channelizer.getChannel(dk)
    if (!ch || ch.localId === -1) throw new Error('channel ' + hex(dk) + ' is not open')
    return ch
  }

  fail (err) {
    if (!this.error) this.error = err || new Error('unknown error')
    this.stream.destroy()
    this.socket.destroy()
  }

  maybeEnd () {
    if (this.ended || !this.streamClosed || !this.socketClosed) return
    this.ended = true
    if (this.closeTimer) clearTimeout(this.closeTimer)
    let reason
    if (this.error) {
      emit('error', this.id, { message: this.error.message })
      reason = this.error.message
    } else {
      reason = this.localClose ? 'local closed' : 'remote closed'
    }
    emit('end', this.id, { reason })
    onSessionEnd(this)
  }

  // Clean local shutdown: end our side through the reference (finalize pushes
  // EOF), let the remote end its side, force it after a grace period.
  shutdown (graceMs) {
    if (this.ended) return
    this.localClose = true
    this.stream.finalize()
    this.closeTimer = setTimeout(() => {
      this.stream.destroy()
      this.socket.destroy()
    }, graceMs)
  }
}

// The Data that --answer-requests sends for block `index`: value is the UTF-8
// text "block <index> served by hypercore-protocol@<version>"; nodes are the
// block's flat-tree sibling and uncle (the hashes a real proof would start
// with), each with hash = SHA-256("node <n>") and a made-up size; signature =
// SHA-512("signature of block <index>") (64 bytes). Same index, same bytes.
const REFERENCE_VERSION = require('hypercore-protocol/package.json').version
function answerFor (index) {
  const value = Buffer.from('block ' + index + ' served by hypercore-protocol@' + REFERENCE_VERSION, 'utf8')
  const leaf = 2 * index // flat-tree: block i is node 2i
  const sibling = index % 2 === 0 ? leaf + 2 : leaf - 2
  const parent = Math.min(leaf, sibling) + 1 // depth 1: 4k+1
  const uncle = ((parent - 1) / 4) % 2 === 0 ? parent + 4 : parent - 4
  const sha = (alg, text) => crypto.createHash(alg).update(text, 'utf8').digest()
  const node = (n, size) => ({ index: n, hash: sha('sha256', 'node ' + n), size })
  return {
    index,
    value,
    nodes: [node(sibling, value.length), node(uncle, 2 * value.length)],
    signature: sha('sha512', 'signature of block ' + index)
  }
}

function encodeVarint (n) {
  const out = []
  while (n >= 128) {
    out.push((n % 128) | 128)
    n = Math.floor(n / 128)
  }
  out.push(n)
  return Buffer.from(out)
}

function commandDiscoveryKey (cmd) {
  if (cmd.key !== undefined) return hcrypto.discoveryKey(parseKey(cmd.key, 'key'))
  if (cmd.discoveryKey !== undefined) return parseKey(cmd.discoveryKey, 'discoveryKey')
  return null
}

function onSessionEnd (session) {
  const failed = !!session.error
  if (opts.mode === 'connect') {
    finish(failed ? 1 : 0)
    return
  }
  if (opts.once && session.id === 1 && !quitting) {
    finish(failed ? 1 : 0)
    return
  }
  if (quitting && [...sessions.values()].every(s => s.ended)) finish(0)
}

let finished = false
let signalled = false // SIGINT / SIGTERM: always exit 0
function finish (code) {
  if (finished) return
  finished = true
  if (signalled) code = 0
  if (server) server.close()
  for (const s of sessions.values()) {
    if (!s.ended) { s.stream.destroy(); s.socket.destroy() }
  }
  process.stdout.write('', () => process.exit(code))
}

function quit () {
  if (quitting) return
  quitting = true
  if (server) server.close()
  const open = [...sessions.values()].filter(s => !s.ended)
  if (open.length === 0) {
    finish(0)
    return
  }
  for (const s of open) s.shutdown(1000)
}

// ---------------------------------------------------------------- commands

function runCommand (cmd) {
  if (cmd.cmd === 'quit') {
    quit()
    return
  }

  let session
  if (cmd.session !== undefined) {
    session = sessions.get(cmd.session)
    if (!session) throw new Error('no session ' + JSON.stringify(cmd.session))
  } else {
    session = latestSession
    if (!session) throw new Error('no session yet')
  }
  if (session.ended) throw new Error('session ' + session.id + ' has ended')
  const stream = session.stream

  switch (cmd.cmd) {
    case 'open': {
      if (cmd.key === undefined) throw new Error('"key" required')
      session.openChannel(parseKey(cmd.key, 'key'))
      return
    }

    case 'send': {
      const type = cmd.type
      if (typeof type !== 'string') throw new Error('"type" required')
      if (type === 'Extension') {
        // Raw Extension frame with an explicit id (no Options announced).
        const m = cmd.message || {}
        if (!Number.isSafeInteger(m.id) || m.id < 0) throw new Error('Extension needs message.id')
        const payload = parseHex(m.payload === undefined ? '' : m.payload, 'payload')
        if (cmd.key === undefined && cmd.discoveryKey === undefined) stream.state.extension(0, m.id, payload)
        else session.commandChannel(cmd).extension(m.id, payload)
        return
      }
      if (!SCHEMA[type] || type === 'Open') throw new Error('cannot send type ' + JSON.stringify(type))
      const message = messageFromJson(type, cmd.message)
      // Validate with the reference's own encoder now: a message queued during
      // the handshake would otherwise throw later, inside the reference.
      stream.state._messages._types[TYPE_NAMES.indexOf(type)].encoding.encode(message)
      if (type === 'Options' && cmd.key === undefined && cmd.discoveryKey === undefined) {
        stream.state.options(0, message) // stream-level Options, channel 0
        stream._changes = 0 // the remote's view of our names changed: re-announce before the next extension
        return
      }
      const ch = session.commandChannel(cmd)
      if (type === 'Options') session.chState(ch).announced = null // same, channel scope
      if (type === 'Close') {
        // Raw Close frame on the channel's local id; local bookkeeping unchanged
        // (use the "close" command for the reference's own close()).
        stream.state.close(ch.localId, message)
        return
      }
      ch[SEND_METHODS[type]](message)
      return
    }

    case 'register': {
      if (typeof cmd.name !== 'string') throw new Error('"name" must be a string')
      if (cmd.key !== undefined || cmd.discoveryKey !== undefined) {
        const dkHex = hex(commandDiscoveryKey(cmd))
        const names = session.channelLocalExt.get(dkHex) || []
        if (names.includes(cmd.name)) throw new Error('Cannot add multiple messages with the same name')
        session.channelLocalExt.set(dkHex, sortNames(names.concat(cmd.name)))
      } else {
        session.registerStreamExtension(cmd.name)
      }
      return
    }

    case 'extension': {
      if (typeof cmd.name !== 'string') throw new Error('"name" must be a string')
      const payload = parseHex(cmd.payload === undefined ? '' : cmd.payload, 'payload')
      if (cmd.key !== undefined || cmd.discoveryKey !== undefined) {
        // Channel extensions (PROTOCOL.md §7), not built into hypercore-protocol 8:
        // announce our sorted names with Options on the channel when they changed
        // since the last announcement there, then Extension {id = our index}.
        const ch = session.commandChannel(cmd)
        const dkHex = hex(ch.discoveryKey)
        let names = session.channelLocalExt.get(dkHex) || []
        if (!names.includes(cmd.name)) {
          names = sortNames(names.concat(cmd.name))
          session.channelLocalExt.set(dkHex, names)
        }
        const s = session.chState(ch)
        const current = JSON.stringify(names)
        if (s.announced !== current) {
          ch.options({ extensions: names })
          s.announced = current
        }
        ch.extension(names.indexOf(cmd.name), payload)
      } else {
        const ext = stream.extensions.get(cmd.name) || session.registerStreamExtension(cmd.name)
        ext.send(payload)
      }
      return
    }

    case 'close': {
      const dk = commandDiscoveryKey(cmd)
      if (!dk) throw new Error('"key" or "discoveryKey" required')
      stream.close(dk)
      return
    }

    case 'ping':
      stream.ping()
      return

    default:
      throw new Error('unknown command ' + JSON.stringify(cmd.cmd))
  }
}

function sortNames (names) {
  // bytewise ascending, as the reference sorts (JS string compare on the names)
  return names.slice().sort((a, b) => a < b ? -1 : a > b ? 1 : 0)
}

function onCommandLine (line) {
  if (line.trim() === '') return
  let cmd
  try {
    cmd = JSON.parse(line)
    if (!cmd || typeof cmd !== 'object' || Array.isArray(cmd)) throw new Error('command must be a JSON object')
    if (typeof cmd.cmd !== 'string') throw new Error('"cmd" required')
  } catch (err) {
    emit('error', latestSession ? latestSession.id : 0, { message: 'bad command: ' + err.message, command: null })
    return
  }
  if (!latestSession && cmd.cmd !== 'quit') {
    queuedCommands.push(cmd)
    return
  }
  execute(cmd)
}

function execute (cmd) {
  try {
    runCommand(cmd)
  } catch (err) {
    const sid = cmd.session !== undefined ? cmd.session : (latestSession ? latestSession.id : 0)
    emit('error', sid, { message: err.message, command: cmd.cmd })
  }
}

function startSession (socket, initiator) {
  const s = new Session(socket, initiator)
  while (queuedCommands.length) execute(queuedCommands.shift())
  return s
}

// ---------------------------------------------------------------- main

function main () {
  // A reader that went away must not crash us (EPIPE); keep serving.
  process.stdout.on('error', () => {})
  process.on('uncaughtException', (err) => {
    process.stderr.write('refpeer: internal error: ' + (err && err.stack ? err.stack : err) + '\n')
    emit('error', 0, { message: 'internal error: ' + (err && err.message ? err.message : String(err)) })
    finish(1)
  })

  try {
    opts = parseArgs(process.argv.slice(2))
  } catch (err) {
    process.stderr.write('refpeer: ' + err.message + '\n' + USAGE + '\n')
    process.exit(2)
  }

  const rl = readline.createInterface({ input: process.stdin, terminal: false })
  rl.on('line', onCommandLine)
  // End of stdin changes nothing.

  const onSignal = () => {
    signalled = true
    quit()
    setTimeout(() => finish(0), 1500).unref()
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)

  if (opts.mode === 'listen') {
    server = net.createServer((socket) => {
      if (quitting) { socket.destroy(); return }
      if (opts.once) server.close() // --once: serve the first connection only
      startSession(socket, false)
    })
    server.on('error', (err) => {
      emit('error', 0, { message: err.message })
      finish(1)
    })
    server.listen(opts.port, opts.host, () => {
      emit('listening', 0, { port: server.address().port })
    })
  } else {
    const socket = net.connect(opts.target.port, opts.target.host)
    let started = false
    socket.once('connect', () => { started = true; startSession(socket, true) })
    socket.once('error', (err) => {
      if (started) return // the session reports it
      emit('error', 0, { message: err.message })
      emit('end', 0, { reason: err.message })
      finish(1)
    })
  }
}

main()
