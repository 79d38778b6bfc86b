#include "bytearena.h"

#include <cstring>

namespace hyperscope {

ByteArena::Slot ByteArena::append(ByteView bytes)
{
    if (bytes.empty())
        return {};
    m_used += bytes.size();
    if (bytes.size() > ChunkSize / 4) {
        // A large item gets a chunk of its own, so shared chunks do not waste their tails.
        Chunk chunk{std::make_unique_for_overwrite<std::uint8_t[]>(bytes.size()), bytes.size(),
                    bytes.size()};
        std::memcpy(chunk.data.get(), bytes.data(), bytes.size());
        m_capacity += bytes.size();
        m_chunks.push_back(std::move(chunk));
        return {quint32(m_chunks.size() - 1), 0, quint32(bytes.size())};
    }
    if (m_current == SIZE_MAX ||
        m_chunks[m_current].capacity - m_chunks[m_current].used < bytes.size()) {
        // Not zeroed: a 4 MiB memset would fault in all its pages at once, a stall of the GUI
        // thread in the middle of a flood. Only bytes below `used` are ever read.
        m_chunks.push_back(
            {std::make_unique_for_overwrite<std::uint8_t[]>(ChunkSize), ChunkSize, 0});
        m_capacity += ChunkSize;
        m_current = m_chunks.size() - 1;
    }
    Chunk &chunk = m_chunks[m_current];
    const Slot slot{quint32(m_current), quint32(chunk.used), quint32(bytes.size())};
    std::memcpy(chunk.data.get() + chunk.used, bytes.data(), bytes.size());
    chunk.used += bytes.size();
    return slot;
}

ByteView ByteArena::view(const Slot &slot) const
{
    if (slot.size == 0 || slot.chunk >= m_chunks.size())
        return {};
    const Chunk &chunk = m_chunks[slot.chunk];
    if (std::size_t(slot.offset) + slot.size > chunk.used)
        return {};
    return {chunk.data.get() + slot.offset, slot.size};
}

void ByteArena::clear()
{
    m_chunks.clear();
    m_current = SIZE_MAX;
    m_capacity = 0;
    m_used = 0;
}

} // namespace hyperscope
