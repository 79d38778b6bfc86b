// Which nodes of a feed's Merkle tree one side holds, and the two questions hypercore 9 asks of
// it: digest() (what a requester tells the server it already holds, Request.nodes) and proof()
// (which nodes the server sends back). A line-for-line port of hypercore 9's lib/tree-index.js
// (npm hypercore@9.12.0), so that a feed hyperscope serves answers exactly as hypercore would.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

namespace hyperscope::feed {

class TreeIndex
{
public:
    /// True when node @p index is held.
    bool get(std::uint64_t index) const { return index < m_bits.size() && m_bits[index]; }
    /// Marks @p index held, and every parent whose two children are now held. Returns false when
    /// it was held already. Indexes above flat::MaxNodeIndex are ignored (returns false).
    bool set(std::uint64_t index);
    /// One past the highest node index ever set (the bitfield's length).
    std::uint64_t length() const { return m_bits.size(); }

    /// Request.nodes for block node @p index (2·block): 1 when the node itself is held; otherwise
    /// bit k (k ≥ 1) says "I hold the sibling at level k−1", and the lowest bit plus the highest
    /// set bit say "I hold the root of this subtree" (see tree-index.js digest()).
    std::uint64_t digest(std::uint64_t index) const;

    /// The answer to a Request for node @p index with @p digest: the nodes to send (bottom-up
    /// siblings, then missing roots) and verifiedBy (2·length of the tree whose signature must
    /// go along; 0 when the remote can verify without one). @p remoteTree is what this side
    /// believes the remote holds; it is updated as hypercore updates it (one per peer).
    /// @p hash: the requester asked for the node's hash (Request.hash) rather than its value.
    /// nullopt when node @p index is not held.
    struct Proof
    {
        std::vector<std::uint64_t> nodes;
        std::uint64_t verifiedBy = 0;
    };
    std::optional<Proof> proof(std::uint64_t index, std::uint64_t digest, TreeIndex &remoteTree,
                               bool hash = false) const;

    /// 2·length of the largest complete tree that @p index is verified by (tree-index.js
    /// verifiedBy()): the right edge of the roots around it, plus 2; 0 when @p index is not held.
    std::uint64_t verifiedBy(std::uint64_t index) const;

private:
    std::vector<bool> m_bits;
};

} // namespace hyperscope::feed
