// Byte containers and hex helpers shared by the whole protocol engine.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace hyperscope {

/// An owned, growable byte buffer.
using Bytes = std::vector<std::uint8_t>;
/// A read-only view of bytes owned by someone else; valid only as long as the owner.
using ByteView = std::span<const std::uint8_t>;

/// A 32-byte value: public keys, secret keys, feed keys, discovery keys, capabilities.
using Key32 = std::array<std::uint8_t, 32>;
/// The 24-byte XSalsa20 nonce each side sends in its NoisePayload.
using Nonce24 = std::array<std::uint8_t, 24>;
/// The 64-byte Noise handshake hash (BLAKE2b).
using Hash64 = std::array<std::uint8_t, 64>;

/// Lower-case hex of @p bytes.
std::string toHex(ByteView bytes);

/// Parses hex (upper or lower case, even length). Returns nullopt on any other character.
std::optional<Bytes> fromHex(std::string_view hex);

/// Parses exactly 64 hex digits into a Key32.
std::optional<Key32> key32FromHex(std::string_view hex);

inline ByteView asView(std::string_view text)
{
    return {reinterpret_cast<const std::uint8_t *>(text.data()), text.size()};
}

} // namespace hyperscope
