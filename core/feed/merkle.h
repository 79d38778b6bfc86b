// The hashes and signatures of a hypercore 9 feed (PROTOCOL.md §12, hypercore-crypto 2.x).
//
// H is BLAKE2b-256 (libsodium crypto_generichash), u64 a big-endian uint64:
//   leaf(value)       = H(0x00 ‖ u64(len) ‖ value)
//   parent(l, r)      = H(0x01 ‖ u64(l.size + r.size) ‖ l.hash ‖ r.hash), lower index on the left
//   tree(roots)       = H(0x02 ‖ for each root, ascending: hash ‖ u64(index) ‖ u64(size))
//   signable(roots,L) = tree(roots) ‖ u64(L)   (40 bytes; the older form signs tree(roots) alone)
// The writer signs with Ed25519; the feed key is the public key.
#pragma once

#include "bytes.h"

#include <array>
#include <cstdint>
#include <optional>
#include <span>

namespace hyperscope::feed {

/// A BLAKE2b-256 hash.
using Hash32 = std::array<std::uint8_t, 32>;
/// An Ed25519 signature.
using Signature = std::array<std::uint8_t, 64>;

/// A node of the Merkle tree: its flat-tree index, its hash and the number of bytes of the blocks
/// under it.
struct TreeNode
{
    std::uint64_t index = 0;
    Hash32 hash{};
    std::uint64_t size = 0;

    friend bool operator==(const TreeNode &, const TreeNode &) = default;
};

/// An Ed25519 key pair for signing a feed: the public key is the feed key.
struct SigningKeyPair
{
    Key32 publicKey{};
    std::array<std::uint8_t, 64> secretKey{}; ///< libsodium's form: seed ‖ public key
};

Hash32 leafHash(ByteView value);
/// The leaf node of block @p block (node 2·block).
TreeNode leafNode(std::uint64_t block, ByteView value);
/// parent(left, right); the caller passes the lower index as @p left. The size wraps modulo 2^64
/// (the verifier rejects sizes that would).
Hash32 parentHash(const TreeNode &left, const TreeNode &right);
/// The parent node of two siblings, in either order.
TreeNode parentNode(const TreeNode &a, const TreeNode &b);
/// tree(roots); @p roots must be in ascending index order.
Hash32 treeHash(std::span<const TreeNode> roots);
/// tree(roots) ‖ u64(length): what hypercore 9 signs.
std::array<std::uint8_t, 40> signable(const Hash32 &treeHash, std::uint64_t length);

/// A fresh key pair (crypto_sign_keypair), or the one derived from a 32-byte @p seed.
SigningKeyPair generateSigningKeyPair();
SigningKeyPair signingKeyPairFromSeed(const Key32 &seed);
/// Ed25519 detached signature of @p message.
Signature sign(ByteView message, const SigningKeyPair &keyPair);
/// True when @p signature is a valid Ed25519 signature of @p message by @p publicKey. A signature
/// that is not 64 bytes is simply invalid.
bool verifySignature(ByteView message, ByteView signature, const Key32 &publicKey);

} // namespace hyperscope::feed
