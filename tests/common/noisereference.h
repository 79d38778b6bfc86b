// Test fixture: the Noise symmetric-state operations written again from the specification, with
// libsodium's primitives directly, so that the steps NoiseHandshake records (NoiseStep) can be
// checked by recomputation rather than against themselves.
#pragma once

#include "bytes.h"

#include <sodium.h>

#include <algorithm>
#include <array>
#include <string_view>

namespace hyperscope::test::noiseref {

using Hash = std::array<std::uint8_t, 64>;

/// h = BLAKE2b-512(h || data).
inline Hash mixHash(const Hash &h, ByteView data)
{
    Hash out{};
    crypto_generichash_state state;
    crypto_generichash_init(&state, nullptr, 0, out.size());
    crypto_generichash_update(&state, h.data(), h.size());
    crypto_generichash_update(&state, data.data(), data.size());
    crypto_generichash_final(&state, out.data(), out.size());
    return out;
}

/// HMAC-BLAKE2b-512 per RFC 2104 (block 128 bytes); keys here are at most 64 bytes.
inline Hash hmac(ByteView key, ByteView data)
{
    std::array<std::uint8_t, 128> inner{}, outer{};
    std::copy(key.begin(), key.end(), inner.begin());
    std::copy(key.begin(), key.end(), outer.begin());
    for (auto &b : inner)
        b ^= 0x36;
    for (auto &b : outer)
        b ^= 0x5c;
    Hash innerHash{}, out{};
    crypto_generichash_state state;
    crypto_generichash_init(&state, nullptr, 0, 64);
    crypto_generichash_update(&state, inner.data(), inner.size());
    crypto_generichash_update(&state, data.data(), data.size());
    crypto_generichash_final(&state, innerHash.data(), 64);
    crypto_generichash_init(&state, nullptr, 0, 64);
    crypto_generichash_update(&state, outer.data(), outer.size());
    crypto_generichash_update(&state, innerHash.data(), 64);
    crypto_generichash_final(&state, out.data(), 64);
    return out;
}

/// Noise HKDF(ck, ikm) with two outputs.
inline std::pair<Hash, Hash> hkdf(const Hash &ck, ByteView ikm)
{
    const Hash temp = hmac(ck, ikm);
    const std::uint8_t one = 1;
    const Hash out1 = hmac(temp, ByteView(&one, 1));
    Bytes second(out1.begin(), out1.end());
    second.push_back(2);
    return {out1, hmac(temp, second)};
}

/// The initial h (and ck) of @p protocolName, shorter than 64 bytes: zero-padded.
inline Hash initialHash(std::string_view protocolName)
{
    Hash h{};
    std::copy(protocolName.begin(), protocolName.end(), h.begin());
    return h;
}

/// X25519(secret, public).
inline Key32 dh(const Key32 &secret, const Key32 &publicKey)
{
    Key32 shared{};
    if (crypto_scalarmult(shared.data(), secret.data(), publicKey.data()) != 0)
        shared.fill(0);
    return shared;
}

/// The first 32 bytes of an HKDF output: a cipher key.
inline Key32 first32(const Hash &h)
{
    Key32 key{};
    std::copy_n(h.begin(), key.size(), key.begin());
    return key;
}

} // namespace hyperscope::test::noiseref
