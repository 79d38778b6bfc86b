// ByteArena: append-only storage for the bytes of logged frames.
//
// The message log keeps a million frames; one QByteArray per frame would cost an allocation and
// ~40 bytes of overhead each. The arena packs them into large chunks that are never reallocated,
// so a stored item is addressed by {chunk, offset, size} and views stay valid until clear().
#pragma once

#include "bytes.h"

#include <QtGlobal>

#include <cstdint>
#include <memory>
#include <vector>

namespace hyperscope {

class ByteArena
{
public:
    /// Where an item lives. size 0 is the empty item (no storage).
    struct Slot
    {
        quint32 chunk = 0;
        quint32 offset = 0;
        quint32 size = 0;
    };

    /// Items up to this size share chunks; larger ones get a chunk of their own.
    static constexpr std::size_t ChunkSize = 4 * 1024 * 1024;

    ByteArena() = default;
    ByteArena(const ByteArena &) = delete;
    ByteArena &operator=(const ByteArena &) = delete;

    /// Copies @p bytes in. Items larger than 4 GiB are not supported (frames are at most 8 MiB).
    Slot append(ByteView bytes);
    /// A view of a stored item; valid until clear() or the arena's destruction.
    ByteView view(const Slot &slot) const;
    /// Frees everything.
    void clear();
    /// Bytes held, including unused chunk tails.
    std::size_t capacity() const { return m_capacity; }
    /// Bytes stored.
    std::size_t used() const { return m_used; }

private:
    struct Chunk
    {
        std::unique_ptr<std::uint8_t[]> data;
        std::size_t capacity = 0;
        std::size_t used = 0;
    };
    std::vector<Chunk> m_chunks;
    std::size_t m_current = SIZE_MAX; ///< The shared chunk being filled.
    std::size_t m_capacity = 0;
    std::size_t m_used = 0;
};

} // namespace hyperscope
