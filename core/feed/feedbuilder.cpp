#include "feedbuilder.h"

#include "bitfieldrle.h"
#include "crypto.h"
#include "flattree.h"
#include "schema.pb.h"

namespace hyperscope::feed {

FeedBuilder::FeedBuilder(const SigningKeyPair &keyPair)
    : m_keyPair(keyPair)
{}

FeedBuilder FeedBuilder::fromBytes(ByteView bytes, std::size_t blockSize,
                                   const SigningKeyPair &keyPair)
{
    FeedBuilder feed(keyPair);
    if (blockSize == 0)
        return feed;
    for (std::size_t offset = 0; offset < bytes.size(); offset += blockSize)
        feed.append(bytes.subspan(offset, std::min(blockSize, bytes.size() - offset)));
    return feed;
}

void FeedBuilder::append(ByteView block)
{
    const std::uint64_t index = 2 * m_blocks.size();
    m_blocks.emplace_back(block.begin(), block.end());
    m_byteLength += block.size();
    m_nodes.resize(index + 1);
    m_nodes[index] = leafNode(index / 2, block);
    m_tree.set(index);
    // Every parent the new leaf completes: climb while the sibling (on the left) exists.
    std::uint64_t top = index;
    while (flat::sibling(top) < top) {
        const std::uint64_t parent = flat::parent(top);
        if (parent >= m_nodes.size())
            m_nodes.resize(parent + 1);
        m_nodes[parent] = parentNode(m_nodes[flat::sibling(top)], m_nodes[top]);
        top = parent;
    }
}

Key32 FeedBuilder::discoveryKey() const
{
    return crypto::discoveryKey(m_keyPair.publicKey);
}

std::vector<TreeNode> FeedBuilder::roots() const
{
    std::vector<TreeNode> out;
    for (const std::uint64_t index : flat::fullRoots(2 * length()))
        out.push_back(m_nodes[index]);
    return out;
}

Signature FeedBuilder::signature() const
{
    if (!m_signature || m_signature->first != length()) {
        const std::vector<TreeNode> rootNodes = roots();
        m_signature.emplace(length(), sign(signable(treeHash(rootNodes), length()), m_keyPair));
    }
    return m_signature->second;
}

std::optional<schema::Data> FeedBuilder::data(std::uint64_t block, std::uint64_t nodesDigest,
                                              TreeIndex &remoteTree, bool hash) const
{
    if (block >= length())
        return std::nullopt;
    const std::optional<TreeIndex::Proof> proof =
        m_tree.proof(2 * block, nodesDigest, remoteTree, hash);
    if (!proof)
        return std::nullopt;
    schema::Data data;
    data.set_index(block);
    if (!hash)
        data.set_value(std::string(m_blocks[block].begin(), m_blocks[block].end()));
    for (const std::uint64_t index : proof->nodes) {
        const TreeNode &node = m_nodes[index];
        schema::Data::Node *out = data.add_nodes();
        out->set_index(node.index);
        out->set_hash(std::string(node.hash.begin(), node.hash.end()));
        out->set_size(node.size);
    }
    // A writer's feed is live: hypercore signs whenever the remote needs roots (verifiedBy > 0),
    // with the signature of length verifiedBy / 2, which for a complete feed is its length.
    if (proof->verifiedBy) {
        const Signature sig = signature();
        data.set_signature(std::string(sig.begin(), sig.end()));
    }
    return data;
}

Bytes FeedBuilder::haveBitfield(std::uint64_t start, std::uint64_t length) const
{
    const std::uint64_t held = this->length();
    if (start >= held)
        return {};
    const std::uint64_t end = std::min(held, length > held - start ? held : start + length);
    Bytes bits((end - start + 7) / 8, 0);
    for (std::uint64_t block = start; block < end; ++block)
        bits[(block - start) / 8] |= std::uint8_t(0x80 >> ((block - start) % 8));
    return bitfieldrle::encode(bits);
}

} // namespace hyperscope::feed
