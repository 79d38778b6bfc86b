#include "crypto.h"

#include <sodium.h>

#include <algorithm>
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
    : m_key(key)
    , m_nonce(nonce)
{
    ensureInitialized();
}

XSalsa20Stream::~XSalsa20Stream()
{
    wipe(m_key);
}

XSalsa20Stream::XSalsa20Stream(XSalsa20Stream &&other) noexcept
    : m_key(other.m_key)
    , m_nonce(other.m_nonce)
    , m_position(other.m_position)
{
    wipe(other.m_key);
}

XSalsa20Stream &XSalsa20Stream::operator=(XSalsa20Stream &&other) noexcept
{
    if (this != &other) {
        m_key = other.m_key;
        m_nonce = other.m_nonce;
        m_position = other.m_position;
        wipe(other.m_key);
    }
    return *this;
}

void XSalsa20Stream::apply(std::span<std::uint8_t> data)
{
    applyAt(m_position, data);
    m_position += data.size();
}

void XSalsa20Stream::applyAt(std::uint64_t position, std::span<std::uint8_t> data) const
{
    std::uint64_t block = position / BlockSize;
    const std::size_t offset = position % BlockSize;
    if (offset != 0 && !data.empty()) {
        // xor_ic can only start at a block boundary: run the head through a stack block placed
        // at its offset, and discard the keystream before it.
        const std::size_t head = std::min<std::size_t>(BlockSize - offset, data.size());
        std::uint8_t buffer[BlockSize] = {};
        std::copy_n(data.data(), head, buffer + offset);
        crypto_stream_xsalsa20_xor_ic(buffer, buffer, offset + head, m_nonce.data(), block,
                                      m_key.data());
        std::copy_n(buffer + offset, head, data.data());
        sodium_memzero(buffer, sizeof buffer); // bytes before `offset` are raw keystream
        data = data.subspan(head);
        ++block;
    }
    // From a block boundary libsodium handles whole blocks and a partial tail in place.
    if (!data.empty())
        crypto_stream_xsalsa20_xor_ic(data.data(), data.data(), data.size(), m_nonce.data(), block,
                                      m_key.data());
}

} // namespace hyperscope::crypto
