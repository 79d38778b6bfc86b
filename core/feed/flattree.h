// Flat-tree node numbering, exactly as the npm package `flat-tree` that hypercore 9 uses.
//
// A feed's Merkle tree is laid out flat: block i is node 2i (depth 0, the even numbers), and a
// node of depth d has index (2·offset + 1)·2^d − 1. Odd numbers are parents:
//
//        3
//      1   5
//     0 2 4 6      (nodes)   = blocks 0 1 2 3
//
// Every function is a pure function of uint64 indexes. Indexes must stay below 2^63 (a depth-63
// node would overflow the formulas); hypercore's own indexes are JavaScript numbers below 2^53.
// Callers that take indexes from the wire check them against MaxNodeIndex first.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

namespace hyperscope::feed::flat {

/// The largest node index these functions accept: 2^62 − 1 keeps parent(), rightSpan() and
/// fullRoots() of every accepted index free of overflow (and far above anything real: a feed of
/// 2^61 blocks).
constexpr std::uint64_t MaxNodeIndex = (std::uint64_t(1) << 62) - 1;

/// The number of trailing one bits of @p index: 0 for a leaf, 1 for its parent, and so on.
unsigned depth(std::uint64_t index);
/// The node at @p depth and @p offset (its position among the nodes of that depth).
std::uint64_t index(unsigned depth, std::uint64_t offset);
/// The position of @p index among the nodes of its depth.
std::uint64_t offset(std::uint64_t index);
std::uint64_t parent(std::uint64_t index);
/// The other child of @p index's parent.
std::uint64_t sibling(std::uint64_t index);
/// The two children of a parent (odd index), lower first. A leaf has none: the result is then
/// {index, index}, where npm flat-tree returns null.
std::pair<std::uint64_t, std::uint64_t> children(std::uint64_t index);
/// The leftmost and rightmost leaf (even index) under @p index; a leaf is its own span.
std::uint64_t leftSpan(std::uint64_t index);
std::uint64_t rightSpan(std::uint64_t index);
std::pair<std::uint64_t, std::uint64_t> spans(std::uint64_t index);
/// The number of nodes in the tree rooted at @p index (1 for a leaf).
std::uint64_t count(std::uint64_t index);
/// The roots of the full trees left of leaf @p index (which must be even), ascending: for a feed
/// of length L the roots are fullRoots(2·L). fullRoots(8) = {3}; fullRoots(6) = {1, 4}.
std::vector<std::uint64_t> fullRoots(std::uint64_t index);

} // namespace hyperscope::feed::flat
