#include "feedverifier.h"

#include "flattree.h"
#include "messages.h"
#include "schema.pb.h"

#include <algorithm>

namespace hyperscope::feed {

namespace {

std::string describe(std::uint64_t index)
{
    return (flat::depth(index) == 0 ? "leaf " : "node ") + std::to_string(index);
}

std::string shortHex(ByteView bytes)
{
    return toHex(bytes.first(std::min<std::size_t>(bytes.size(), 4))) + "…";
}

Verdict finish(Verdict verdict, Verdict::Outcome outcome, std::string text)
{
    verdict.outcome = outcome;
    verdict.text = std::move(text);
    return verdict;
}

} // namespace

DataProof proofOf(const schema::Data &data)
{
    DataProof proof;
    proof.index = data.index();
    if (data.has_value())
        proof.value = asView(data.value());
    proof.nodes.reserve(std::size_t(data.nodes_size()));
    for (const schema::Data::Node &node : data.nodes())
        proof.nodes.push_back({node.index(), asView(node.hash()), node.size()});
    if (data.has_signature())
        proof.signature = asView(data.signature());
    return proof;
}

std::optional<DataProof> readDataProof(ByteView payload)
{
    // Field numbers and wire types of hypercore 9's Data and Data.Node (schema.proto).
    constexpr std::uint32_t Varint = 0, Bytes = 2;
    DataProof proof;
    bool hasIndex = false;
    WireReader reader(payload);
    WireField field;
    std::string error;
    while (true) {
        const WireReader::Status status = reader.next(field, error);
        if (status == WireReader::Status::End)
            break;
        if (status == WireReader::Status::Malformed)
            return std::nullopt;
        if (field.number == 1 && field.wireType == Varint) {
            proof.index = field.value;
            hasIndex = true;
        } else if (field.number == 2 && field.wireType == Bytes) {
            proof.value = field.data;
        } else if (field.number == 4 && field.wireType == Bytes) {
            proof.signature = field.data;
        } else if (field.number == 3 && field.wireType == Bytes) {
            DataProof::Node node;
            bool index = false, hash = false, size = false;
            WireReader nodeReader(field.data);
            WireField part;
            while (true) {
                const WireReader::Status nodeStatus = nodeReader.next(part, error);
                if (nodeStatus == WireReader::Status::End)
                    break;
                if (nodeStatus == WireReader::Status::Malformed)
                    return std::nullopt;
                if (part.number == 1 && part.wireType == Varint) {
                    node.index = part.value;
                    index = true;
                } else if (part.number == 2 && part.wireType == Bytes) {
                    node.hash = part.data;
                    hash = true;
                } else if (part.number == 3 && part.wireType == Varint) {
                    node.size = part.value;
                    size = true;
                }
            }
            if (!index || !hash || !size)
                return std::nullopt;
            proof.nodes.push_back(node);
        }
    }
    if (!hasIndex)
        return std::nullopt;
    return proof;
}

FeedVerifier::FeedVerifier(const Key32 &feedKey)
    : m_feedKey(feedKey)
{}

void FeedVerifier::noteRequest(std::uint64_t block, std::uint64_t nodesDigest)
{
    if (m_requestDigests.size() >= MaxPendingRequests && !m_requestDigests.count(block))
        m_requestDigests.clear();
    m_requestDigests[block] = nodesDigest;
}

std::optional<TreeNode> FeedVerifier::verifiedNode(std::uint64_t index) const
{
    const auto it = m_verified.find(index);
    if (it == m_verified.end())
        return std::nullopt;
    return TreeNode{index, it->second.hash, it->second.size};
}

void FeedVerifier::remember(const TreeNode &node)
{
    if (m_verified.size() >= MaxVerifiedNodes && !m_verified.count(node.index))
        return;
    m_verified[node.index] = {node.hash, node.size};
}

void FeedVerifier::blockVerified(std::uint64_t block)
{
    std::uint64_t node = 2 * block;
    // Already inside a complete subtree (a block repeated): nothing new.
    if (auto it = m_complete.upper_bound(node); it != m_complete.begin()) {
        --it;
        if (flat::rightSpan(it->second) >= node)
            return;
    }
    if (m_complete.size() >= MaxCompleteSubtrees)
        return;
    // Merge with complete siblings upwards. Each maximal complete subtree's root is remembered
    // and nothing below it is (by induction: a leaf is remembered when its Data verifies), so a
    // merge keeps (or computes) the parent of the two roots and drops them.
    while (node < flat::MaxNodeIndex / 2) {
        const std::uint64_t sibling = flat::sibling(node);
        const auto it = m_complete.find(flat::leftSpan(sibling));
        if (it == m_complete.end() || it->second != sibling)
            break;
        m_complete.erase(it);
        const auto mine = m_verified.find(node);
        const auto theirs = m_verified.find(sibling);
        if (mine != m_verified.end() && theirs != m_verified.end()) {
            // The parent is usually known already (a climb went through it); else it is
            // computed from the two verified children, hence verified too.
            // (Computed before the children are dropped, remembered after: a full store has
            // room for it then.)
            std::optional<TreeNode> parent;
            if (!m_verified.count(flat::parent(node)))
                parent = parentNode({node, mine->second.hash, mine->second.size},
                                    {sibling, theirs->second.hash, theirs->second.size});
            m_verified.erase(mine);
            m_verified.erase(theirs);
            if (parent)
                remember(*parent);
        }
        node = flat::parent(node);
    }
    m_complete.emplace(flat::leftSpan(node), node);
}

std::optional<Unprovable> FeedVerifier::judgeUnprovable(const DataProof &data)
{
    if (!data.value || !data.nodes.empty() || data.signature || data.index > flat::MaxNodeIndex / 2)
        return std::nullopt;
    const std::uint64_t leaf = 2 * data.index;
    // (Nothing verified on the channel, as in a flood of bare Data: no lookups at all.)
    if (!m_verified.empty() && (m_verified.count(leaf) || m_verified.count(flat::sibling(leaf))))
        return std::nullopt;
    // Leaf 2i is a root of the tree of length i + 1 when i is even; the other roots are those
    // of the first i blocks, one per bit of i: if one of them is verified, verify() takes it.
    if (!m_verified.empty() && data.index % 2 == 0) {
        std::uint64_t firstBlock = 0;
        for (int bit = 63; bit >= 0; --bit) {
            const std::uint64_t blocks = std::uint64_t(1) << bit;
            if (!(data.index & blocks))
                continue;
            if (m_verified.count(2 * firstBlock + blocks - 1))
                return std::nullopt;
            firstBlock += blocks;
        }
    }
    Unprovable unprovable{data.index, std::nullopt};
    if (const auto it = m_requestDigests.find(data.index); it != m_requestDigests.end()) {
        if (it->second == 0)
            return std::nullopt; // "failed": the proof should have been self-contained
        unprovable.requestDigest = it->second;
        m_requestDigests.erase(it);
    }
    return unprovable;
}

Verdict FeedVerifier::verdictOf(const DataProof &data, const Unprovable &unprovable) const
{
    // A verifier that has verified nothing judges it exactly as this one did: every node
    // verify() would have looked up was absent here too (judgeUnprovable() checked).
    FeedVerifier alone(m_feedKey);
    if (unprovable.requestDigest)
        alone.noteRequest(unprovable.block, *unprovable.requestDigest);
    return alone.verify(data);
}

Verdict FeedVerifier::verify(const schema::Data &data)
{
    return verify(proofOf(data));
}

Verdict FeedVerifier::verify(const DataProof &data)
{
    using Outcome = Verdict::Outcome;
    Verdict verdict;
    verdict.block = data.index;

    // What the requester said it held decides whether a missing node is the sender's fault.
    std::optional<std::uint64_t> digest;
    if (const auto it = m_requestDigests.find(data.index); it != m_requestDigests.end()) {
        digest = it->second;
        m_requestDigests.erase(it);
    }

    // Hostile input first: every index in range, every hash 32 bytes, a 64-byte signature.
    if (data.index > flat::MaxNodeIndex / 2)
        return finish(std::move(verdict), Outcome::Failed,
                      "block index " + std::to_string(data.index) + " is beyond 2^61");
    std::vector<TreeNode> nodes;
    nodes.reserve(data.nodes.size());
    for (std::size_t i = 0; i < data.nodes.size(); ++i) {
        const DataProof::Node &node = data.nodes[i];
        if (node.index > flat::MaxNodeIndex)
            return finish(std::move(verdict), Outcome::Failed,
                          "proof node " + std::to_string(i) + " has index " +
                              std::to_string(node.index) + ", beyond 2^62");
        if (node.hash.size() != 32)
            return finish(std::move(verdict), Outcome::Failed,
                          "proof node " + std::to_string(node.index) + " has a " +
                              std::to_string(node.hash.size()) + "-byte hash, not 32");
        TreeNode tree{node.index, {}, node.size};
        std::copy(node.hash.begin(), node.hash.end(), tree.hash.begin());
        nodes.push_back(tree);
    }
    if (data.signature && data.signature->size() != 64)
        return finish(std::move(verdict), Outcome::Failed,
                      "signature is " + std::to_string(data.signature->size()) + " bytes, not 64");

    // The leaf, a parent per proof node at most, the roots: usually one allocation.
    verdict.chain.reserve(nodes.size() + 3);
    std::size_t next = 0; // the first proof node not used yet
    TreeNode top;
    if (data.value) {
        top = leafNode(data.index, *data.value);
        verdict.chain.push_back({ChainStep::Kind::Leaf, top, ChainStep::Source::Computed, {}, {}});
    } else {
        if (nodes.empty() || nodes.front().index != 2 * data.index)
            return finish(std::move(verdict), Outcome::Failed,
                          "no value, and the proof does not start with leaf " +
                              std::to_string(2 * data.index));
        top = nodes[next++];
        verdict.chain.push_back({ChainStep::Kind::Leaf, top, ChainStep::Source::Proof, {}, {}});
    }

    auto acceptByNode = [&](std::uint64_t anchor) {
        // The anchor (the last step's node) is stored already.
        for (std::size_t i = 0; i < verdict.chain.size(); ++i) {
            const ChainStep &step = verdict.chain[i];
            if (i + 1 < verdict.chain.size())
                remember(step.node);
            if (step.sibling)
                remember(*step.sibling);
        }
        blockVerified(data.index);
        verdict.how = Verdict::How::VerifiedNode;
        verdict.anchorNode = anchor;
        std::string text = describe(anchor);
        text += ", verified earlier on this channel";
        return finish(std::move(verdict), Outcome::Verified, std::move(text));
    };

    if (const std::optional<TreeNode> known = verifiedNode(top.index)) {
        if (*known == top)
            return acceptByNode(top.index);
        return finish(std::move(verdict), Outcome::Failed,
                      describe(top.index) + " does not match the verified " + describe(top.index));
    }

    // Climb: combine with the sibling from the proof, or one verified earlier, while there is one.
    while (true) {
        const std::uint64_t siblingIndex = flat::sibling(top.index);
        std::optional<TreeNode> sibling;
        ChainStep::Source source = ChainStep::Source::Proof;
        if (next < nodes.size() && nodes[next].index == siblingIndex) {
            sibling = nodes[next++];
        } else if ((sibling = verifiedNode(siblingIndex))) {
            source = ChainStep::Source::Verified;
        } else {
            break;
        }
        if (flat::parent(top.index) > flat::MaxNodeIndex)
            return finish(std::move(verdict), Outcome::Failed,
                          describe(top.index) + " has no parent below 2^62");
        if (sibling->size > UINT64_MAX - top.size)
            return finish(std::move(verdict), Outcome::Failed,
                          "the sizes of " + describe(top.index) + " and node " +
                              std::to_string(siblingIndex) + " add up past 2^64");
        const TreeNode parent = parentNode(top, *sibling);
        verdict.chain.push_back(
            {ChainStep::Kind::Parent, parent, ChainStep::Source::Computed, sibling, source});
        if (const std::optional<TreeNode> known = verifiedNode(parent.index)) {
            if (*known == parent)
                return acceptByNode(parent.index);
            return finish(std::move(verdict), Outcome::Failed,
                          describe(top.index) + " + node " + std::to_string(siblingIndex) +
                              " → node " + std::to_string(parent.index) +
                              " does not match the verified node " + std::to_string(parent.index));
        }
        top = parent;
    }

    // A missing node is the sender's fault only when the requester held nothing (digest 0).
    auto missing = [&](std::string what) {
        if (digest && *digest == 0)
            return finish(std::move(verdict), Outcome::Failed, std::move(what));
        return finish(std::move(verdict), Outcome::Unverifiable,
                      what + (digest ? " (the Request for block " + std::to_string(data.index) +
                                           " had nodes=" + std::to_string(*digest) +
                                           ": the requester held some nodes already)"
                                     : " (no Request for block " + std::to_string(data.index) +
                                           " was seen: what the requester held is unknown)"));
    };

    const std::uint64_t lastNode = next < nodes.size() ? nodes.back().index : top.index;
    const std::uint64_t verifiedBy =
        std::max(flat::rightSpan(top.index), flat::rightSpan(lastNode)) + 2;
    const std::uint64_t length = verifiedBy / 2;
    const std::vector<std::uint64_t> rootIndexes = flat::fullRoots(verifiedBy);
    if (std::find(rootIndexes.begin(), rootIndexes.end(), top.index) == rootIndexes.end())
        return missing("proof ends before reaching a root: " + describe(top.index) +
                       "'s sibling node " + std::to_string(flat::sibling(top.index)) +
                       " is neither in the proof nor verified on this channel");

    std::vector<TreeNode> roots;
    roots.reserve(rootIndexes.size());
    for (const std::uint64_t index : rootIndexes) {
        ChainStep::Source source = ChainStep::Source::Computed;
        std::optional<TreeNode> root;
        if (index == top.index) {
            root = top;
        } else if (next < nodes.size() && nodes[next].index == index) {
            root = nodes[next++];
            source = ChainStep::Source::Proof;
        } else if ((root = verifiedNode(index))) {
            source = ChainStep::Source::Verified;
        } else {
            return missing("proof ends before reaching a root: root node " + std::to_string(index) +
                           " of the " + std::to_string(length) +
                           "-block tree is neither in the proof nor verified on this channel");
        }
        roots.push_back(*root);
        verdict.chain.push_back({ChainStep::Kind::Root, *root, source, {}, {}});
    }

    const Hash32 tree = treeHash(roots);
    verdict.treeHash = tree;
    verdict.signedLength = length;
    if (!data.signature)
        return finish(std::move(verdict), Outcome::Unverifiable,
                      "no signature, and no node on the path from " + describe(2 * data.index) +
                          " was verified on this channel");

    const std::array<std::uint8_t, 40> signed40 = signable(tree, length);
    if (verifySignature(signed40, *data.signature, m_feedKey)) {
        verdict.how = Verdict::How::Signature;
        verdict.signedBytes.assign(signed40.begin(), signed40.end());
    } else if (verifySignature(tree, *data.signature, m_feedKey)) {
        verdict.how = Verdict::How::SignatureTree;
        verdict.signedBytes.assign(tree.begin(), tree.end());
    } else {
        verdict.signedBytes.assign(signed40.begin(), signed40.end());
        return finish(std::move(verdict), Outcome::Failed,
                      "signature does not match feed key " + shortHex(m_feedKey) +
                          " (over the roots of length " + std::to_string(length) + ")");
    }
    for (const ChainStep &step : verdict.chain) {
        remember(step.node);
        if (step.sibling)
            remember(*step.sibling);
    }
    blockVerified(data.index);
    const bool older = verdict.how == Verdict::How::SignatureTree;
    return finish(std::move(verdict), Outcome::Verified,
                  "signature over the roots of length " + std::to_string(length) +
                      (older ? " (32 bytes: tree hash only, the older form)" : " (40 bytes)"));
}

} // namespace hyperscope::feed
