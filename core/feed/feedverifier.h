// Verification of hypercore 9 Data messages on one channel (PROTOCOL.md §12).
//
// A Data carries block `index`, its `value`, proof `nodes` and perhaps a `signature`. To verify
// it, hash the leaf, climb with the sibling nodes (from the proof, or already verified on this
// channel), and either reach a node verified earlier on this channel, or compute the roots of the
// tree the proof covers and check the writer's Ed25519 signature over tree(roots) ‖ u64(length)
// (or the older 32-byte tree(roots)) against the feed key. This is what hypercore 9's
// _putBuffer / _verifyAndWrite / _verifyRootsAndWrite do, with each step recorded so that a
// person can follow it.
//
// Because a Request's `nodes` digest lets the server leave out what the requester already holds,
// a proof is self-contained only for digest 0: the verifier keeps the nodes it has verified on
// the channel (bounded by MaxVerifiedNodes) and the digest of each Request it is told about, so
// that a proof that leaves out something it may leave out is "unverifiable", not "failed".
//
// What it keeps stays small for a download that completes subtrees (a sequential clone: a few
// dozen nodes however long the feed): once every block under a verified node has verified, the
// nodes below it are dropped, since no Data for another block can lean on them (see
// MaxVerifiedNodes).
//
// One FeedVerifier per channel whose feed key is known; not thread-safe; no I/O.
#pragma once

#include "bytes.h"
#include "merkle.h"

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

namespace hyperscope::schema {
class Data;
}

namespace hyperscope::feed {

/// One step of the hash chain of a verification, bottom-up, for the inspector.
struct ChainStep
{
    enum class Kind {
        Leaf,   ///< node = leaf(value)
        Parent, ///< node = parent(child, sibling)
        Root,   ///< node is one of the roots signed over (taken from the proof or known)
    };
    enum class Source {
        Computed, ///< hashed here
        Proof,    ///< from the Data's nodes
        Verified, ///< verified earlier on this channel
    };
    Kind kind = Kind::Leaf;
    TreeNode node;
    Source source = Source::Computed;
    /// For Parent: the sibling combined with the previous step's node, and where it came from.
    std::optional<TreeNode> sibling;
    Source siblingSource = Source::Proof;
};

/// The outcome of verifying one Data.
struct Verdict
{
    enum class Outcome { Verified, Failed, Unverifiable };
    enum class How {
        None,
        Signature,     ///< the 40-byte form: tree(roots) ‖ u64(length)
        SignatureTree, ///< the older 32-byte form: tree(roots) alone
        VerifiedNode,  ///< reached a node verified earlier on this channel
    };

    Outcome outcome = Outcome::Unverifiable;
    How how = How::None;
    /// Verified: how, e.g. "signature over the roots of length 4 (40 bytes)" or "node 5, verified
    /// earlier on this channel". Failed: exactly why, e.g. "leaf 6 + node 4 → node 5 does not
    /// match the verified node 5", "signature does not match feed key 78dd0a4b…", "proof ends
    /// before reaching a root …". Unverifiable: what is missing.
    std::string text;
    /// The block's index.
    std::uint64_t block = 0;
    /// The hash chain, bottom-up: the leaf, each parent computed, then the roots (if reached).
    std::vector<ChainStep> chain;
    /// When a signature was checked: the tree length it covers, the tree hash and the signed bytes.
    std::uint64_t signedLength = 0;
    std::optional<Hash32> treeHash;
    Bytes signedBytes;
    /// For How::VerifiedNode: the node reached.
    std::uint64_t anchorNode = 0;

    bool verified() const { return outcome == Outcome::Verified; }
    bool failed() const { return outcome == Outcome::Failed; }
};

/// The parts of a Data message the verifier reads (views into the caller's message).
struct DataProof
{
    std::uint64_t index = 0;
    /// Absent for a hash-only answer (Request.hash): the first node is then the block's own leaf.
    std::optional<ByteView> value;
    struct Node
    {
        std::uint64_t index = 0;
        ByteView hash;
        std::uint64_t size = 0;
    };
    std::vector<Node> nodes;
    std::optional<ByteView> signature;
};

/// The DataProof of a decoded Data; views into @p data, valid as long as it is.
DataProof proofOf(const schema::Data &data);

/// The DataProof of a Data's protobuf @p payload, read in place (no copy of the value, no
/// protobuf message built): views into @p payload, valid as long as it is. Reads the fields as
/// protobuf does (the last of a repeated scalar wins, unknown fields and fields of the wrong wire
/// type are skipped); nullopt when the payload is not a well-formed Data (malformed wire, no
/// `index`, a node without its `index`, `hash` or `size`), as decodeMessage() would refuse it.
/// For the inspector's log, which keeps each frame's bytes and reads every Data as it arrives.
std::optional<DataProof> readDataProof(ByteView payload);

/// A Data that FeedVerifier::judgeUnprovable() judged "unverifiable" without hashing anything:
/// what FeedVerifier::verdictOf() needs to build its Verdict later, when someone wants to read it.
struct Unprovable
{
    std::uint64_t block = 0;
    /// The `nodes` digest of the Request for the block, when one was seen (verify() uses it).
    std::optional<std::uint64_t> requestDigest;
};

class FeedVerifier
{
public:
    /// At most this many nodes verified on a channel are remembered (about 100 bytes each: 26 MiB
    /// at most per channel). A million-block feed downloaded in full verifies ~2 M nodes, but a
    /// verifier only needs the ones later proofs lean on (the roots and the siblings of what is
    /// still to come): when every block under a remembered node has verified, the nodes below
    /// it are dropped (and its parent computed once its sibling's blocks are all in too), so a
    /// download in order keeps O(log length) nodes; one that leaves gaps (every other block)
    /// keeps more. When full, newly verified nodes are not stored: later Data that lean on
    /// them come out unverifiable, never wrongly verified or failed. The price of dropping: a
    /// Data repeating a block verified before, whose proof leans on a dropped node, is
    /// unverifiable rather than checked against that node.
    static constexpr std::size_t MaxVerifiedNodes = 262144;
    /// At most this many runs of verified blocks (maximal complete subtrees) are tracked for
    /// dropping nodes; past it, no more blocks are tracked and nothing more is dropped.
    static constexpr std::size_t MaxCompleteSubtrees = 65536;
    /// At most this many Request digests wait for their Data; when full, they are all forgotten
    /// (the Data then come out unverifiable where a proof leans on what the requester held).
    static constexpr std::size_t MaxPendingRequests = 65536;

    explicit FeedVerifier(const Key32 &feedKey);

    const Key32 &feedKey() const { return m_feedKey; }

    /// Notes a Request for @p block with @p nodesDigest (Request.nodes, 0 when absent), so that
    /// the Data answering it is judged against what the requester said it holds.
    void noteRequest(std::uint64_t block, std::uint64_t nodesDigest);

    /// Verifies one Data. On success the leaf, the nodes climbed and the roots become verified
    /// nodes of the channel.
    Verdict verify(const DataProof &data);
    Verdict verify(const schema::Data &data);

    /// The cheap path for a Data that carries nothing to verify it with. When verify(@p data)
    /// is certain to come out "unverifiable" whatever the value's bytes hash to, because
    ///  - the Data has a value, no proof nodes and no signature,
    ///  - neither its leaf nor the leaf's sibling is verified on this channel (the climb cannot
    ///    start), nor, when the leaf is a root of the tree up to the block, another root of it,
    ///  - and the Request for the block (if one was seen) did not say nodes=0 (a missing node
    ///    would then be the sender's fault: "failed"),
    /// it changes the verifier as verify() would (the Request's digest is used up) and returns
    /// what verdictOf() needs to build that very Verdict later. Otherwise nullopt, nothing
    /// changed: call verify(). A flood of bare Data (no proofs, as a test peer sends) costs a
    /// few hash-table lookups per Data this way, not a BLAKE2b, a hash chain and its texts.
    std::optional<Unprovable> judgeUnprovable(const DataProof &data);
    /// The Verdict verify() would have given the Data judgeUnprovable() returned @p unprovable
    /// for (the same text, the leaf's hash, the tree hash when the leaf is a root). Nothing it
    /// looks at was verified when the Data was judged, so it is computed afresh, on its own.
    Verdict verdictOf(const DataProof &data, const Unprovable &unprovable) const;

    /// The node @p index if it has been verified on this channel.
    std::optional<TreeNode> verifiedNode(std::uint64_t index) const;
    std::size_t verifiedNodeCount() const { return m_verified.size(); }

private:
    struct StoredNode
    {
        Hash32 hash;
        std::uint64_t size;
    };
    void remember(const TreeNode &node);
    /// Block @p block verified: records it, merges complete subtrees and drops the nodes no
    /// later Data can need (see MaxVerifiedNodes).
    void blockVerified(std::uint64_t block);

    Key32 m_feedKey;
    std::unordered_map<std::uint64_t, StoredNode> m_verified;
    /// The maximal subtrees whose blocks have all verified: leftSpan (their lowest node index)
    /// -> their root's node index.
    std::map<std::uint64_t, std::uint64_t> m_complete;
    std::unordered_map<std::uint64_t, std::uint64_t> m_requestDigests; ///< block -> nodes digest
};

} // namespace hyperscope::feed
