#!/usr/bin/env node
'use strict'

// make-feed-vectors: writes tests/vectors/feed.json from a real hypercore 9 feed (npm
// hypercore@9.12.0, hypercore-crypto, flat-tree, bitfield-rle), for tests/core/feed/.
//
//   npm ci --prefix tests/interop/hypercore        # or install-reference.sh into a scratch dir
//   NODE_PATH=tests/interop/hypercore/node_modules node tests/vectors/make-feed-vectors.js \
//       > tests/vectors/feed.json
//
// Everything is deterministic: a fixed Ed25519 seed for the writer, the block values of
// tests/interop/hypercore/blocks.js, and replications run in process over hypercore's own
// protocol stack (Noise and all). The messages are captured where hypercore-protocol hands them
// to simple-hypercore-protocol for encoding, i.e. exactly the messages on the wire. Clones:
//  - "sequential": downloads blocks one at a time, in order: Requests carry nonzero `nodes`
//    digests, so the Data leave out what the clone already verified;
//  - "sparse": fetches single blocks out of order, each first of its subtree (digest 0 and not);
//  - the sparse clone then serves a third feed: its Have bitfields describe a feed with holes.

const path = require('path')
const hypercore = require('hypercore')
const crypto = require('hypercore-crypto')
const flat = require('flat-tree')
const rle = require('bitfield-rle')
const ram = require('random-access-memory')
const SHP = require('simple-hypercore-protocol')
const { blockValue } = require(path.join(__dirname, '../interop/hypercore/blocks.js'))

const LENGTH = 13 // not a power of two: several roots
const hex = (b) => (b ? Buffer.from(b).toString('hex') : null)

// Record every message of interest as it is sent, tagged with the sending stream's name.
const captured = []
for (const type of ['have', 'want', 'request', 'data']) {
  const original = SHP.prototype[type]
  SHP.prototype[type] = function (ch, message) {
    if (this.vectorName) captured.push({ from: this.vectorName, type, message: Object.assign({}, message) })
    return original.call(this, ch, message)
  }
}

function jsonMessage (type, m) {
  const out = {}
  for (const k of Object.keys(m)) {
    const v = m[k]
    if (v === undefined || v === null) continue
    if (k === 'nodes' && type === 'data') {
      out.nodes = v.map((n) => ({ index: n.index, hash: hex(n.hash), size: n.size }))
    } else if (Buffer.isBuffer(v)) out[k] = hex(v)
    else out[k] = v
  }
  return out
}

function replicate (a, b, nameA, nameB) {
  const sa = a.replicate(true, { live: true })
  const sb = b.replicate(false, { live: true })
  sa.state.vectorName = nameA
  sb.state.vectorName = nameB
  sa.pipe(sb).pipe(sa)
  return () => { sa.destroy(); sb.destroy() }
}

const p = (fn) => new Promise((resolve, reject) => fn((err, v) => (err ? reject(err) : resolve(v))))

async function main () {
  const seed = Buffer.alloc(32, 0x42)
  const keyPair = crypto.keyPair(seed)
  const writer = hypercore(ram, keyPair.publicKey, { secretKey: keyPair.secretKey })
  await p((cb) => writer.ready(cb))
  const values = []
  for (let i = 0; i < LENGTH; i++) {
    values.push(blockValue(i))
    await p((cb) => writer.append(blockValue(i), cb)) // one at a time: a signature per length
  }

  // Every node of the tree, and per length the roots, tree hash, signable and signature.
  const nodes = []
  for (let i = 0; i < 2 * LENGTH - 1; i++) {
    if (flat.rightSpan(i) >= 2 * LENGTH) continue
    const node = await p((cb) => writer._storage.getNode(i, cb))
    nodes.push({ index: node.index, hash: hex(node.hash), size: node.size })
  }
  const byIndex = new Map(nodes.map((n) => [n.index, n]))
  const lengths = []
  for (let length = 1; length <= LENGTH; length++) {
    const roots = flat.fullRoots(2 * length).map((i) => byIndex.get(i))
    const rootNodes = roots.map((r) => ({ index: r.index, hash: Buffer.from(r.hash, 'hex'), size: r.size }))
    const signature = await p((cb) => writer.signature(length - 1, cb))
    lengths.push({
      length,
      roots: roots.map((r) => r.index),
      treeHash: hex(crypto.tree(rootNodes)),
      signable: hex(crypto.signable(rootNodes, length)),
      signature: hex(signature.signature)
    })
  }
  const leaves = values.map((v, i) => ({ index: 2 * i, value: hex(v), hash: hex(crypto.data(v)), size: v.length }))

  // Clone 1: sequential download, one block at a time.
  const sequential = hypercore(ram, keyPair.publicKey, { sparse: true })
  let stop = replicate(sequential, writer, 'sequential', 'writer-to-sequential')
  for (let i = 0; i < LENGTH; i++) await p((cb) => sequential.get(i, cb))
  stop()

  // Clone 2: sparse, out of order.
  const sparse = hypercore(ram, keyPair.publicKey, { sparse: true })
  stop = replicate(sparse, writer, 'sparse', 'writer-to-sparse')
  const sparseBlocks = [5, 0, 12, 6, 9, 1]
  for (const i of sparseBlocks) await p((cb) => sparse.get(i, cb))
  stop()

  // Clone 3 replicates from the sparse clone (which has holes) and asks for its bitfield.
  const third = hypercore(ram, keyPair.publicKey, { sparse: true })
  stop = replicate(third, sparse, 'third', 'sparse-to-third')
  await p((cb) => third.get(0, cb))
  await new Promise((resolve) => setTimeout(resolve, 100))
  stop()
  await new Promise((resolve) => setTimeout(resolve, 50))

  const replications = {}
  const haves = []
  for (const c of captured) {
    const m = jsonMessage(c.type, c.message)
    if (c.type === 'have') {
      const holder = c.from.startsWith('writer') ? [...Array(LENGTH).keys()]
        : c.from === 'sparse-to-third' ? sparseBlocks.slice().sort((a, b) => a - b) : []
      haves.push({ from: c.from, message: m, holderBlocks: holder })
    }
    // One conversation per connection: both sides' messages, in the order they were sent.
    const name = c.from.replace(/^writer-to-/, '').replace(/^sparse-to-third$/, 'third')
    ;(replications[name] = replications[name] || []).push({ from: c.from, type: c.type, message: m })
  }

  // flat-tree table and bitfield-rle cases.
  const flatTree = []
  for (let i = 0; i < 40; i++) {
    flatTree.push({
      index: i,
      depth: flat.depth(i),
      offset: flat.offset(i),
      parent: flat.parent(i),
      sibling: flat.sibling(i),
      children: flat.children(i),
      leftSpan: flat.leftSpan(i),
      rightSpan: flat.rightSpan(i),
      count: flat.count(i),
      fullRoots: i % 2 === 0 ? flat.fullRoots(i) : null
    })
  }
  const bitfields = [
    '', 'ff', 'ffc0', '00', '0000ff', 'ffffffffffffffff', 'ff00ff00', '80', '0102040810204080',
    'ffffffffffffffffffffffffffffffffffffffff00000000000000000000000000000000000000000001',
    '00'.repeat(300) + 'ff'.repeat(300) + 'aa', 'ffff00ffff00ffff'
  ]
  const bitfieldRle = bitfields.map((b) => {
    const encoded = rle.encode(Buffer.from(b, 'hex'))
    // decoded as hypercore's replicator decodes a Have: bitfield-rle aligned to 4 bytes
    return { bitfield: b, encoded: hex(encoded), decoded: hex(rle.align(4).decode(encoded)) }
  })

  const out = {
    generator: 'tests/vectors/make-feed-vectors.js with npm hypercore@' + require('hypercore/package.json').version +
      ', hypercore-crypto@' + require('hypercore-crypto/package.json').version +
      ', flat-tree@' + require('flat-tree/package.json').version +
      ', bitfield-rle@' + require('bitfield-rle/package.json').version,
    flatTree,
    bitfieldRle,
    feed: {
      seed: hex(seed),
      key: hex(keyPair.publicKey),
      discoveryKey: hex(crypto.discoveryKey(keyPair.publicKey)),
      length: LENGTH,
      leaves,
      nodes,
      lengths
    },
    replications,
    haves
  }
  process.stdout.write(JSON.stringify(out, null, 1) + '\n')
}

main().catch((err) => { console.error(err); process.exit(1) })
