// The cryptographic primitives of Hypercore wire protocol v9, on libsodium only.
//
// Everything here is a thin, allocation-free wrapper: keys are fixed-size values owned by the
// caller, inputs are views, and nothing throws. libsodium is initialised lazily and thread-safely
// by every function that needs it, so callers never have to call sodium_init() themselves.
#pragma once

#include "bytes.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

namespace hyperscope::crypto {

/// An X25519 key pair, as made by libsodium's crypto_kx_* functions. Used for both the Noise
/// static key and the Noise ephemeral key. The secret key is a plain value: whoever owns a
/// KeyPair is responsible for wiping it (see wipe()) when it is no longer needed.
struct KeyPair
{
    Key32 publicKey{};
    Key32 secretKey{};
};

/// The two transport keys produced by Noise Split(), from one side's point of view:
/// @c tx encrypts what this side sends, @c rx decrypts what it receives. The initiator's tx is the
/// responder's rx and vice versa.
struct SplitKeys
{
    Key32 tx{};
    Key32 rx{};
};

/// Initialises libsodium once per process. Safe to call from any thread, any number of times;
/// every function in this header (and the Noise handshake) already calls it, so applications only
/// need it before using libsodium directly. Returns false if libsodium could not be initialised
/// (no usable random source): nothing in this library is safe to use then.
bool ensureInitialized();

/// A fresh random key pair (crypto_kx_keypair).
KeyPair generateKeyPair();

/// The key pair deterministically derived from @p seed (crypto_kx_seed_keypair: the secret key is
/// BLAKE2b-256(seed), the public key its X25519 base-point multiple). This is how the reference
/// and the vectors make reproducible static and ephemeral keys.
/// @p seed must be exactly 32 bytes; any other size is a programming error and yields an
/// all-zero KeyPair.
KeyPair keyPairFromSeed(ByteView seed);

/// The discovery key of a feed: BLAKE2b-256 of the 9 ASCII bytes "hypercore", keyed with
/// @p feedKey. Peers announce channels by discovery key so the feed key never goes on the wire.
/// @p feedKey is normally 32 bytes; BLAKE2b accepts keys of 16 to 64 bytes, any other size yields
/// an all-zero result.
Key32 discoveryKey(ByteView feedKey);

/// The capability this side sends in Open for @p feedKey: BLAKE2b-256 keyed with @c split.rx over
/// "hypercore capability" || split.tx || feedKey. It proves knowledge of the feed key and is bound
/// to this connection's transport keys, so it cannot be replayed on another connection.
Key32 capability(ByteView feedKey, const SplitKeys &split);

/// The capability the remote must send for @p feedKey: the remote's capability() computed from
/// our side, i.e. BLAKE2b-256 keyed with @c split.tx over "hypercore capability" || split.rx ||
/// feedKey. Compare it with the received one using constantTimeEqual().
Key32 remoteCapability(ByteView feedKey, const SplitKeys &split);

/// True if @p a and @p b have the same size and the same contents. The comparison of contents
/// takes a time that depends only on the size (sodium_memcmp), so it is safe for MACs and
/// capabilities. Different sizes return false at once (sizes are not secret).
bool constantTimeEqual(ByteView a, ByteView b);

/// Fills @p out with cryptographically secure random bytes (randombytes_buf).
void randomBytes(std::span<std::uint8_t> out);

/// Overwrites @p data with zeros in a way the compiler cannot optimise away (sodium_memzero).
void wipe(std::span<std::uint8_t> data);

/// One direction's XSalsa20 keystream (PROTOCOL.md §3).
///
/// Hypercore does not restart the stream per frame: all bytes of one direction are XORed with one
/// continuous keystream, so this object keeps the stream position. There is no MAC: the same call
/// encrypts and decrypts.
///
/// The key is copied in and wiped by the destructor. Not copyable (a copy would duplicate the key
/// and fork the stream position); moving transfers the stream and wipes the moved-from object's
/// key, which then produces garbage rather than the real keystream.
class XSalsa20Stream
{
public:
    /// Starts the stream at position 0 with @p key (split.tx or split.rx) and @p nonce (the
    /// sender's NoisePayload nonce).
    XSalsa20Stream(const Key32 &key, const Nonce24 &nonce);
    /// Wipes the key.
    ~XSalsa20Stream();

    XSalsa20Stream(const XSalsa20Stream &) = delete;
    XSalsa20Stream &operator=(const XSalsa20Stream &) = delete;
    XSalsa20Stream(XSalsa20Stream &&other) noexcept;
    XSalsa20Stream &operator=(XSalsa20Stream &&other) noexcept;

    /// XORs @p data in place with the keystream at the current position, then advances the
    /// position by data.size(). Chunk boundaries do not matter: any split of a byte sequence gives
    /// the same result as one call. Does not allocate.
    void apply(std::span<std::uint8_t> data);

    /// XORs @p data in place with the keystream as if it started at absolute stream @p position,
    /// without changing this stream's position. Lets an inspector recompute the wire bytes of a
    /// frame from its plaintext and its recorded offset. Does not allocate.
    void applyAt(std::uint64_t position, std::span<std::uint8_t> data) const;

    /// The number of bytes processed so far by apply().
    std::uint64_t position() const { return m_position; }

private:
    /// Keystream computed ahead for short pieces. libsodium's vectorised Salsa20 runs at full speed
    /// from 512 bytes but computes a lone block about six times slower per byte, and every call
    /// starts on a block boundary: a frame of 70 bytes would otherwise cost two or three lone
    /// blocks of keystream. 16 blocks ahead make any frame size cost about what bulk data costs.
    static constexpr std::size_t KeystreamAhead = 1024;

    // XSalsa20 is Salsa20 keyed with HSalsa20(key, nonce[0..16]) over nonce[16..24]: the subkey is
    // derived once, not in every call as libsodium's xsalsa20 functions do. The subkey and the
    // keystream are as secret as the key; the destructor wipes them.
    std::array<std::uint8_t, 32> m_subkey{};
    Nonce24 m_nonce;
    std::uint64_t m_position = 0;
    std::uint64_t m_keystreamStart = 0; ///< Stream position of m_keystream[0] (block aligned).
    std::size_t m_keystreamSize = 0;    ///< Bytes of m_keystream that are valid (0 or all).
    std::array<std::uint8_t, KeystreamAhead> m_keystream{};
};

} // namespace hyperscope::crypto
