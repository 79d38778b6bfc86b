// Block ranges: what Have/Unhave/Want/Unwant cover, and a compact set of them per channel.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <vector>

namespace hyperscope::feed {

/// The blocks first..last, both INCLUSIVE ("blocks 0–9" is {0, 9}). last == OpenEnd means "and
/// every block after first", as a Want without a length asks.
struct BlockRange
{
    static constexpr std::uint64_t OpenEnd = UINT64_MAX;

    std::uint64_t first = 0;
    std::uint64_t last = 0;

    bool isOpenEnded() const { return last == OpenEnd; }
    friend bool operator==(const BlockRange &, const BlockRange &) = default;
};

using BlockRanges = std::vector<BlockRange>;

/// The blocks start .. start + length − 1 (empty when @p length is 0). Saturates at OpenEnd
/// instead of wrapping: a hostile start near 2^64 gives a range that ends at the last block.
BlockRanges rangeOf(std::uint64_t start, std::uint64_t length);

/// A set of blocks kept as disjoint, non-adjacent inclusive ranges (adjacent ones merge), so that
/// "blocks 0–999999" costs one entry. Bounded: see MaxRanges.
class RangeSet
{
public:
    /// Past this many disjoint ranges add() ignores what would need a new range and sets
    /// truncated(): a hostile Have of alternating bits must not grow a channel's bookkeeping
    /// without limit (64 Ki ranges are about 4 MiB; a real feed's sets have a handful).
    static constexpr std::size_t MaxRanges = 65536;

    void add(const BlockRange &range);
    void remove(const BlockRange &range);
    void add(std::uint64_t block) { add({block, block}); }
    bool contains(std::uint64_t block) const;
    /// The ranges, ascending.
    BlockRanges ranges() const;
    /// The number of blocks in the set (saturating at UINT64_MAX).
    std::uint64_t blockCount() const;
    bool isEmpty() const { return m_ranges.empty(); }
    bool truncated() const { return m_truncated; }
    void clear() { m_ranges.clear(); }

private:
    std::map<std::uint64_t, std::uint64_t> m_ranges; ///< first -> last, inclusive
    bool m_truncated = false;
};

} // namespace hyperscope::feed
