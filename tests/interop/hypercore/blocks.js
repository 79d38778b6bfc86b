'use strict'

// The deterministic content of the interop feed, shared by feed-source.js (which appends it)
// and feed-clone.js (which checks what it downloaded against it). Block i is a UTF-8 text
// naming i followed by a SHA-256-derived tail whose length varies with i (1..97 bytes), so
// blocks differ in size and content and a block delivered at the wrong index or truncated is
// caught by value, not only by hypercore's Merkle/signature checks.

const crypto = require('crypto')

function blockValue (i) {
  const head = Buffer.from('hyperscope relay interop block ' + i + ':', 'utf8')
  const tailLength = 1 + (i * 37) % 97
  let tail = Buffer.alloc(0)
  for (let n = 0; tail.length < tailLength; n++) {
    tail = Buffer.concat([tail, crypto.createHash('sha256').update('block ' + i + ' part ' + n).digest()])
  }
  return Buffer.concat([head, tail.subarray(0, tailLength)])
}

module.exports = { blockValue }
