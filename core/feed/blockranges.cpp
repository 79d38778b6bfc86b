#include "blockranges.h"

#include <algorithm>
#include <iterator>

namespace hyperscope::feed {

BlockRanges rangeOf(std::uint64_t start, std::uint64_t length)
{
    if (!length)
        return {};
    const std::uint64_t last =
        length - 1 > BlockRange::OpenEnd - start ? BlockRange::OpenEnd : start + (length - 1);
    return {{start, last}};
}

void RangeSet::add(const BlockRange &range)
{
    std::uint64_t first = range.first;
    std::uint64_t last = range.last;
    // Merge with every range that overlaps or touches [first, last].
    auto it = m_ranges.upper_bound(first);
    if (it != m_ranges.begin()) {
        auto before = std::prev(it);
        if (before->second == BlockRange::OpenEnd || before->second + 1 >= first)
            it = before;
    }
    bool merged = false;
    while (it != m_ranges.end() && (last == BlockRange::OpenEnd || it->first <= last + 1)) {
        first = std::min(first, it->first);
        last = std::max(last, it->second);
        it = m_ranges.erase(it);
        merged = true;
    }
    if (!merged && m_ranges.size() >= MaxRanges) {
        m_truncated = true;
        return;
    }
    m_ranges.emplace(first, last);
}

void RangeSet::remove(const BlockRange &range)
{
    auto it = m_ranges.upper_bound(range.first);
    if (it != m_ranges.begin())
        --it;
    while (it != m_ranges.end() && it->first <= range.last) {
        const std::uint64_t first = it->first;
        const std::uint64_t last = it->second;
        if (last < range.first) {
            ++it;
            continue;
        }
        it = m_ranges.erase(it);
        if (first < range.first)
            m_ranges.emplace(first, range.first - 1);
        if (range.last != BlockRange::OpenEnd && last > range.last)
            it = m_ranges.emplace(range.last + 1, last).first;
    }
}

bool RangeSet::contains(std::uint64_t block) const
{
    auto it = m_ranges.upper_bound(block);
    if (it == m_ranges.begin())
        return false;
    return std::prev(it)->second >= block;
}

BlockRanges RangeSet::ranges() const
{
    BlockRanges out;
    out.reserve(m_ranges.size());
    for (const auto &[first, last] : m_ranges)
        out.push_back({first, last});
    return out;
}

std::uint64_t RangeSet::blockCount() const
{
    std::uint64_t total = 0;
    for (const auto &[first, last] : m_ranges) {
        const std::uint64_t n = last - first; // + 1 below, saturating
        if (n == UINT64_MAX || total > UINT64_MAX - n - 1)
            return UINT64_MAX;
        total += n + 1;
    }
    return total;
}

} // namespace hyperscope::feed
