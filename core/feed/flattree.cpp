#include "flattree.h"

#include <bit>

namespace hyperscope::feed::flat {

unsigned depth(std::uint64_t index)
{
    return unsigned(std::countr_one(index));
}

std::uint64_t index(unsigned depth, std::uint64_t offset)
{
    return (((offset << 1) | 1) << depth) - 1;
}

std::uint64_t offset(std::uint64_t index)
{
    if (!(index & 1))
        return index >> 1;
    return index >> (depth(index) + 1);
}

std::uint64_t parent(std::uint64_t index)
{
    const unsigned d = depth(index);
    return flat::index(d + 1, offset(index) >> 1);
}

std::uint64_t sibling(std::uint64_t index)
{
    const unsigned d = depth(index);
    return flat::index(d, offset(index) ^ 1);
}

std::pair<std::uint64_t, std::uint64_t> children(std::uint64_t index)
{
    if (!(index & 1))
        return {index, index};
    const unsigned d = depth(index);
    const std::uint64_t first = offset(index) * 2;
    return {flat::index(d - 1, first), flat::index(d - 1, first + 1)};
}

std::uint64_t leftSpan(std::uint64_t index)
{
    return spans(index).first;
}

std::uint64_t rightSpan(std::uint64_t index)
{
    return spans(index).second;
}

std::pair<std::uint64_t, std::uint64_t> spans(std::uint64_t index)
{
    if (!(index & 1))
        return {index, index};
    const unsigned d = depth(index);
    const std::uint64_t width = std::uint64_t(2) << d;
    const std::uint64_t o = offset(index);
    return {o * width, (o + 1) * width - 2};
}

std::uint64_t count(std::uint64_t index)
{
    if (!(index & 1))
        return 1;
    return (std::uint64_t(2) << depth(index)) - 1;
}

std::vector<std::uint64_t> fullRoots(std::uint64_t index)
{
    std::vector<std::uint64_t> roots;
    std::uint64_t remaining = index >> 1; // leaves left to cover
    std::uint64_t offset = 0;
    while (remaining) {
        const std::uint64_t factor = std::bit_floor(remaining); // the largest full tree that fits
        roots.push_back(offset + factor - 1);
        offset += 2 * factor;
        remaining -= factor;
    }
    return roots;
}

} // namespace hyperscope::feed::flat
