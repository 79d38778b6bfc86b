#include "treeindex.h"

#include "flattree.h"

#include <algorithm>

namespace hyperscope::feed {

bool TreeIndex::set(std::uint64_t index)
{
    if (index > flat::MaxNodeIndex)
        return false;
    auto mark = [this](std::uint64_t i) {
        if (get(i))
            return false;
        if (i >= m_bits.size())
            m_bits.resize(i + 1, false);
        m_bits[i] = true;
        return true;
    };
    if (!mark(index))
        return false;
    while (get(flat::sibling(index))) {
        index = flat::parent(index);
        if (index > flat::MaxNodeIndex || !mark(index))
            break;
    }
    return true;
}

std::uint64_t TreeIndex::digest(std::uint64_t index) const
{
    if (get(index))
        return 1;
    std::uint64_t digest = 0;
    std::uint64_t next = flat::sibling(index);
    // tree-index.js uses the bitfield's allocated length here; any bound at or above the highest
    // held node gives the same digest (nothing beyond it is held).
    const std::uint64_t max = std::max(next + 2, length());
    std::uint64_t bit = 2;
    std::uint64_t parent = flat::parent(next);
    while (flat::rightSpan(next) < max || flat::leftSpan(parent) > 0) {
        if (get(next))
            digest += bit;
        if (get(parent)) {
            digest += 2 * bit;
            if (!(digest & 1))
                digest += 1;
            if (digest + 1 == 4 * bit)
                return 1;
            return digest;
        }
        next = flat::sibling(parent);
        parent = flat::parent(next);
        if (bit > (UINT64_MAX >> 3) || parent > flat::MaxNodeIndex)
            break; // beyond any tree a digest can describe
        bit *= 2;
    }
    return digest;
}

std::optional<TreeIndex::Proof> TreeIndex::proof(std::uint64_t index, std::uint64_t digest,
                                                 TreeIndex &remoteTree, bool hash) const
{
    if (!get(index))
        return std::nullopt;
    Proof proof;
    if (hash)
        proof.nodes.push_back(index); // always return the hash, whatever the digest says
    if (digest == 1)
        return proof;

    std::uint64_t next = index;
    const bool hasRoot = digest & 1;
    digest >>= 1;
    while (digest) {
        if (next > flat::MaxNodeIndex / 2)
            break; // a digest describing levels above any tree: nothing more to learn from it
        if (digest == 1 && hasRoot) {
            if (get(next))
                remoteTree.set(next);
            // Having a root implies having the previous roots as well.
            if (flat::sibling(next) < next)
                next = flat::sibling(next);
            for (const std::uint64_t root : flat::fullRoots(flat::rightSpan(next) + 2)) {
                if (get(root))
                    remoteTree.set(root);
            }
            break;
        }
        const std::uint64_t sibling = flat::sibling(next);
        if ((digest & 1) && get(sibling))
            remoteTree.set(sibling);
        next = flat::parent(next);
        digest >>= 1;
    }

    next = index;
    while (!remoteTree.get(next)) {
        const std::uint64_t sibling = flat::sibling(next);
        if (!get(sibling)) {
            // next is a local root
            proof.verifiedBy = verifiedBy(next);
            for (const std::uint64_t root : flat::fullRoots(proof.verifiedBy)) {
                if (root != next && !remoteTree.get(root))
                    proof.nodes.push_back(root);
            }
            return proof;
        }
        if (!remoteTree.get(sibling))
            proof.nodes.push_back(sibling);
        next = flat::parent(next);
    }
    return proof;
}

std::uint64_t TreeIndex::verifiedBy(std::uint64_t index) const
{
    if (!get(index))
        return 0;
    // Find the root of the current tree.
    unsigned depth = flat::depth(index);
    std::uint64_t top = index;
    std::uint64_t parent = flat::parent(top);
    ++depth;
    while (get(parent) && get(flat::sibling(top))) {
        top = parent;
        parent = flat::parent(top);
        ++depth;
    }
    // Expand right, down.
    --depth;
    while (depth) {
        top = flat::children(flat::index(depth, flat::offset(top) + 1)).first;
        --depth;
        while (!get(top) && depth) {
            top = flat::children(top).first;
            --depth;
        }
    }
    return get(top) ? top + 2 : top;
}

} // namespace hyperscope::feed
