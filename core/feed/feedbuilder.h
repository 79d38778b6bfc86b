// A hypercore 9 feed built in memory: blocks appended, leaves and parents hashed, the roots
// signed with the writer's key, and answers to Requests (value, proof nodes, signature) and Wants
// (a Have with a bitfield) exactly as hypercore 9 gives them. What `--serve FILE` will serve.
//
// All blocks are held (a writer's feed); memory is the file's bytes plus 48 bytes per tree node.
#pragma once

#include "bytes.h"
#include "merkle.h"
#include "treeindex.h"

#include <cstdint>
#include <optional>
#include <vector>

namespace hyperscope::schema {
class Data;
}

namespace hyperscope::feed {

class FeedBuilder
{
public:
    /// hypercore's default block size for --serve: 64 KiB.
    static constexpr std::size_t DefaultBlockSize = 64 * 1024;

    /// An empty feed signed by @p keyPair; its key is keyPair.publicKey.
    explicit FeedBuilder(const SigningKeyPair &keyPair);

    /// A feed of @p bytes cut into blocks of @p blockSize (the last one shorter; an empty input
    /// gives an empty feed). @p blockSize must be at least 1.
    static FeedBuilder fromBytes(ByteView bytes, std::size_t blockSize,
                                 const SigningKeyPair &keyPair);

    /// Appends one block (hashing its leaf and every parent it completes).
    void append(ByteView block);

    std::uint64_t length() const { return m_blocks.size(); }
    std::uint64_t byteLength() const { return m_byteLength; }
    const Key32 &key() const { return m_keyPair.publicKey; }
    Key32 discoveryKey() const;
    ByteView block(std::uint64_t index) const { return m_blocks.at(index); }
    /// Node @p index (flat-tree); it must exist (rightSpan(index) < 2·length()).
    const TreeNode &node(std::uint64_t index) const { return m_nodes.at(index); }
    /// The roots of the whole feed, ascending.
    std::vector<TreeNode> roots() const;
    /// The signature over tree(roots) ‖ u64(length) (the 40-byte form, as hypercore 9 signs);
    /// computed once per length.
    Signature signature() const;
    /// Which nodes this feed holds: every node of the tree.
    const TreeIndex &tree() const { return m_tree; }

    /// The answer to a Request for @p block with @p nodesDigest (Request.nodes): what hypercore's
    /// Peer.onrequest sends. @p remoteTree is this peer's view of what the remote holds (one per
    /// connection and channel), updated. @p hash: Request.hash (no value, the leaf in the nodes).
    /// nullopt when @p block is not in the feed (hypercore would then end the stream).
    std::optional<schema::Data> data(std::uint64_t block, std::uint64_t nodesDigest,
                                     TreeIndex &remoteTree, bool hash = false) const;

    /// bitfield-rle of the blocks held in start .. start + length − 1 (@p start a multiple of 8),
    /// as hypercore 9 puts it in the Have answering a Want.
    Bytes haveBitfield(std::uint64_t start, std::uint64_t length) const;

private:
    SigningKeyPair m_keyPair;
    std::vector<Bytes> m_blocks;
    std::vector<TreeNode> m_nodes; ///< by flat-tree index
    TreeIndex m_tree;
    std::uint64_t m_byteLength = 0;
    mutable std::optional<std::pair<std::uint64_t, Signature>> m_signature; ///< length, signature
};

} // namespace hyperscope::feed
