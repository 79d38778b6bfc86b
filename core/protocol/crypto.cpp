#include "crypto.h"

#include <sodium.h>

#include <algorithm>
#include <cstring>
#include <string_view>

namespace hyperscope::crypto {

bool ensureInitialized()
{
    // A function-local static is initialised exactly once even under concurrent first calls.
    // sodium_init() returns 1 when it was already initialised by someone else: also fine.
    static const bool initialized = sodium_init() >= 0;
    return initialized;
}

KeyPair generateKeyPair()
{
    ensureInitialized();
    KeyPair pair;
    crypto_kx_keypair(pair.publicKey.data(), pair.secretKey.data());
    return pair;
}

KeyPair keyPairFromSeed(ByteView seed)
{
    ensureInitialized();
    KeyPair pair;
    if (seed.size() != crypto_kx_SEEDBYTES)
        return pair;
    crypto_kx_seed_keypair(pair.publicKey.data(), pair.secretKey.data(), seed.data());
    return pair;
}

Key32 discoveryKey(ByteView feedKey)
{
    ensureInitialized();
    Key32 out{};
    if (feedKey.size() < crypto_generichash_KEYBYTES_MIN ||
        feedKey.size() > crypto_generichash_KEYBYTES_MAX)
        return out;
    const ByteView name = asView("hypercore");
    crypto_generichash(out.data(), out.size(), name.data(), name.size(), feedKey.data(),
                       feedKey.size());
    return out;
}

// BLAKE2b-256 keyed with `key` over "hypercore capability" || first || feedKey.
static Key32 capabilityHash(const Key32 &key, const Key32 &first, ByteView feedKey)
{
    ensureInitialized();
    const ByteView label = asView("hypercore capability");
    crypto_generichash_state state;
    crypto_generichash_init(&state, key.data(), key.size(), 32);
    crypto_generichash_update(&state, label.data(), label.size());
    crypto_generichash_update(&state, first.data(), first.size());
    crypto_generichash_update(&state, feedKey.data(), feedKey.size());
    Key32 out{};
    crypto_generichash_final(&state, out.data(), out.size());
    sodium_memzero(&state, sizeof state);
    return out;
}

Key32 capability(ByteView feedKey, const SplitKeys &split)
{
    return capabilityHash(split.rx, split.tx, feedKey);
}

Key32 remoteCapability(ByteView feedKey, const SplitKeys &split)
{
    return capabilityHash(split.tx, split.rx, feedKey);
}

bool constantTimeEqual(ByteView a, ByteView b)
{
    if (a.size() != b.size())
        return false;
    if (a.empty())
        return true;
    return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

void randomBytes(std::span<std::uint8_t> out)
{
    ensureInitialized();
    randombytes_buf(out.data(), out.size());
}

void wipe(std::span<std::uint8_t> data)
{
    sodium_memzero(data.data(), data.size());
}

// ---------------------------------------------------------------------------------------------

static constexpr std::uint64_t BlockSize = 64;

XSalsa20Stream::XSalsa20Stream(const Key32 &key, const Nonce24 &nonce)
    : m_nonce(nonce)
{
    ensureInitialized();
    crypto_core_hsalsa20(m_subkey.data(), m_nonce.data(), key.data(), nullptr);
}

XSalsa20Stream::~XSalsa20Stream()
{
    wipe(m_subkey);
    wipe(m_keystream);
}

XSalsa20Stream::XSalsa20Stream(XSalsa20Stream &&other) noexcept
    : m_subkey(other.m_subkey)
    , m_nonce(other.m_nonce)
    , m_position(other.m_position)
    , m_keystreamStart(other.m_keystreamStart)
    , m_keystreamSize(other.m_keystreamSize)
    , m_keystream(other.m_keystream)
{
    wipe(other.m_subkey);
    wipe(other.m_keystream);
}

XSalsa20Stream &XSalsa20Stream::operator=(XSalsa20Stream &&other) noexcept
{
    if (this != &other) {
        m_subkey = other.m_subkey;
        m_nonce = other.m_nonce;
        m_position = other.m_position;
        m_keystreamStart = other.m_keystreamStart;
        m_keystreamSize = other.m_keystreamSize;
        m_keystream = other.m_keystream;
        wipe(other.m_subkey);
        wipe(other.m_keystream);
    }
    return *this;
}

static void xorInto(std::uint8_t *data, const std::uint8_t *keystream, std::size_t size)
{
    std::size_t i = 0;
    for (; i + 8 <= size; i += 8) {
        std::uint64_t a, b;
        std::memcpy(&a, data + i, 8);
        std::memcpy(&b, keystream + i, 8);
        a ^= b;
        std::memcpy(data + i, &a, 8);
    }
    for (; i < size; ++i)
        data[i] ^= keystream[i];
}

void XSalsa20Stream::apply(std::span<std::uint8_t> data)
{
    const std::uint8_t *salsaNonce = m_nonce.data() + 16;
    while (!data.empty()) {
        const std::uint64_t keystreamEnd = m_keystreamStart + m_keystreamSize;
        if (m_position < keystreamEnd) {
            const std::size_t n =
                std::size_t(std::min<std::uint64_t>(keystreamEnd - m_position, data.size()));
            xorInto(data.data(), m_keystream.data() + (m_position - m_keystreamStart), n);
            data = data.subspan(n);
            m_position += n;
            continue;
        }
        // The keystream ahead is used up, so the position is on a block boundary.
        const std::size_t whole = data.size() - data.size() % BlockSize;
        if (whole >= KeystreamAhead) {
            // A long run: XOR it in place in one pass.
            crypto_stream_salsa20_xor_ic(data.data(), data.data(), whole, salsaNonce,
                                         m_position / BlockSize, m_subkey.data());
            data = data.subspan(whole);
            m_position += whole;
            m_keystreamStart = m_position;
            m_keystreamSize = 0;
            continue;
        }
        m_keystream.fill(0);
        crypto_stream_salsa20_xor_ic(m_keystream.data(), m_keystream.data(), KeystreamAhead,
                                     salsaNonce, m_position / BlockSize, m_subkey.data());
        m_keystreamStart = m_position;
        m_keystreamSize = KeystreamAhead;
    }
}

void XSalsa20Stream::applyAt(std::uint64_t position, std::span<std::uint8_t> data) const
{
    const std::uint8_t *salsaNonce = m_nonce.data() + 16;
    std::uint64_t block = position / BlockSize;
    const std::size_t offset = position % BlockSize;
    if (offset != 0 && !data.empty()) {
        // xor_ic can only start at a block boundary: run the head through a stack block placed
        // at its offset, and discard the keystream before it.
        const std::size_t head = std::min<std::size_t>(BlockSize - offset, data.size());
        std::uint8_t buffer[BlockSize] = {};
        std::copy_n(data.data(), head, buffer + offset);
        crypto_stream_salsa20_xor_ic(buffer, buffer, offset + head, salsaNonce, block,
                                     m_subkey.data());
        std::copy_n(buffer + offset, head, data.data());
        sodium_memzero(buffer, sizeof buffer); // bytes before `offset` are raw keystream
        data = data.subspan(head);
        ++block;
    }
    // From a block boundary libsodium handles whole blocks and a partial tail in place.
    if (!data.empty())
        crypto_stream_salsa20_xor_ic(data.data(), data.data(), data.size(), salsaNonce, block,
                                     m_subkey.data());
}

} // namespace hyperscope::crypto
