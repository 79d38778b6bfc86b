// The Noise handshake of Hypercore wire protocol v9 (PROTOCOL.md §2), as a state machine the
// caller drives: ask nextAction(), then write a message, read a message, or take the split keys.
//
// Noise_XX_25519_ChaChaPoly_BLAKE2b (what hypercore speaks) and Noise_NN_25519_ChaChaPoly_BLAKE2b
// (so both Cacophony vectors can be replayed). Standard Noise, revision 34: HASHLEN 64, HKDF over
// HMAC-BLAKE2b (RFC 2104, 128-byte block), ChaChaPoly IETF with nonce = 4 zero bytes || 64-bit
// counter little-endian, cipher keys = first 32 bytes of the HKDF outputs.
//
// Bytes in, bytes out: nothing here touches a socket, and the ephemeral key is an input so that
// vectors can be reproduced byte for byte. The varint length prefix of hypercore's handshake
// messages is the framer's business, not this class's: messages here are bare Noise messages.
#pragma once

#include "bytes.h"
#include "crypto.h"
#include "error.h"
#include "sessioninfo.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hyperscope {

/// The handshake patterns this implementation knows.
enum class NoisePattern {
    XX, ///< -> e; <- e, ee, s, es; -> s, se. Hypercore's pattern.
    NN, ///< -> e; <- e, ee. No static keys; used for the Cacophony vectors.
};

/// A Noise CipherState: a ChaChaPoly-IETF key and a 64-bit nonce counter.
///
/// The handshake uses one internally; after Split() the caller may build one per direction from
/// crypto::SplitKeys to speak Noise transport messages (hypercore itself switches to XSalsa20
/// after the handshake, so the engine only needs this for tests and vectors).
///
/// The key is wiped by the destructor. Copying duplicates the key and the counter; both copies
/// then produce the same ciphertexts, so copy only to snapshot.
class NoiseCipherState
{
public:
    /// Size of the Poly1305 tag appended to every ciphertext once a key is set.
    static constexpr std::size_t TagSize = 16;

    /// A CipherState without key: encrypt and decrypt pass bytes through unchanged.
    NoiseCipherState() = default;
    /// A CipherState with @p key and nonce 0.
    explicit NoiseCipherState(const Key32 &key);
    ~NoiseCipherState();

    NoiseCipherState(const NoiseCipherState &) = default;
    NoiseCipherState &operator=(const NoiseCipherState &) = default;

    /// Sets the key (wiping the previous one) and resets the nonce to 0.
    void initializeKey(const Key32 &key);
    bool hasKey() const { return m_hasKey; }

    /// The nonce the next encrypt/decrypt will use; each successful call increments it.
    std::uint64_t nonce() const { return m_nonce; }
    void setNonce(std::uint64_t nonce) { m_nonce = nonce; }

    /// The key (all zeros without one), for the handshake's step log. Secret.
    const Key32 &key() const { return m_key; }

    /// Wipes the key and returns to the keyless state with nonce 0.
    void clear();

    /// Appends ChaChaPoly(k, n, ad, plaintext) = ciphertext || 16-byte tag to @p out and increments
    /// the nonce; without a key appends @p plaintext unchanged. Returns ok() on success, or a
    /// HandshakeFailed error ("nonce exhausted") leaving @p out and the nonce unchanged.
    Error encryptWithAd(ByteView ad, ByteView plaintext, Bytes &out);

    /// Appends the plaintext of @p ciphertext (which includes its tag) to @p out and increments
    /// the nonce; without a key appends @p ciphertext unchanged. On failure ("ciphertext too
    /// short", "MAC check failed", "nonce exhausted") returns a HandshakeFailed error and leaves @p
    /// out and the nonce unchanged, as the Noise spec requires, so a forged message does not
    /// desynchronise the counter.
    Error decryptWithAd(ByteView ad, ByteView ciphertext, Bytes &out);

private:
    Key32 m_key{};
    std::uint64_t m_nonce = 0;
    bool m_hasKey = false;
};

/// One side of a Noise handshake.
///
/// Typical use (XX, initiator): write message 0, read message 1, write message 2, then
/// nextAction() == Split and split() gives the transport keys. The responder reads, writes, reads.
/// Any error moves the handshake to Failed for good: the engine must then close the connection.
///
/// The object copies the keys it is given and wipes every secret it holds (chaining key, cipher
/// key, its copies of the static and ephemeral secret keys) as soon as the handshake completes or
/// fails; the split keys are wiped on destruction. Not copyable.
class NoiseHandshake
{
public:
    /// What the caller must do next.
    enum class Action {
        WriteMessage, ///< Call writeMessage() and send the result.
        ReadMessage,  ///< Wait for the next message from the peer and pass it to readMessage().
        Split,        ///< Complete: take split(), handshakeHash() and the remote keys.
        Failed,       ///< A call failed; the handshake cannot go on.
    };

    /// The largest Noise message, in bytes (the Noise spec's limit; also hypercore's).
    static constexpr std::size_t MaxMessageSize = 65535;

    /// Starts a handshake.
    /// @param initiator true on the side that dials (and writes message 0).
    /// @param staticKeys this side's long-term X25519 key pair (ignored by NN).
    /// @param ephemeralKeys this side's fresh X25519 key pair for this handshake only; pass
    ///        crypto::generateKeyPair() except when reproducing vectors.
    /// @param prologue bytes both sides must agree on (hypercore: empty); copied.
    NoiseHandshake(bool initiator, const crypto::KeyPair &staticKeys,
                   const crypto::KeyPair &ephemeralKeys, ByteView prologue = {},
                   NoisePattern pattern = NoisePattern::XX);
    ~NoiseHandshake();

    NoiseHandshake(const NoiseHandshake &) = delete;
    NoiseHandshake &operator=(const NoiseHandshake &) = delete;

    Action nextAction() const;

    /// 0-based index of the next message to write or read: 0, 1, 2 for XX. Once complete it equals
    /// the pattern's message count; after a failure it is the index of the message that failed.
    int messageIndex() const { return m_messageIndex; }

    bool isInitiator() const { return m_initiator; }
    NoisePattern pattern() const { return m_pattern; }

    /// Appends the next handshake message, carrying @p payload, to @p out (which must not be the
    /// buffer @p payload points into).
    /// Returns ok() on success. Otherwise returns a HandshakeFailed error saying what went wrong
    /// ("not this side's
    /// turn to write", "message would be 65600 bytes, more than the maximum 65535", "invalid DH
    /// result (low-order point)", ...), leaves @p out as it was and moves to Failed.
    Error writeMessage(ByteView payload, Bytes &out);

    /// Reads one complete handshake message and replaces the contents of @p payload with its
    /// decrypted payload (@p payload must not be the buffer @p message points into). Returns ok()
    /// on success. Otherwise returns a HandshakeFailed error with the precise reason
    /// ("message too short: 40 bytes, need at least 96", "MAC check failed on static key", "MAC
    /// check failed on payload", "invalid DH result (low-order point)", ...), clears @p payload and
    /// moves to Failed.
    Error readMessage(ByteView message, Bytes &payload);

    /// The transport keys, valid only once nextAction() == Split (all zeros before): the initiator
    /// sends with the first HKDF output of Split() and receives with the second; the responder
    /// the other way round.
    crypto::SplitKeys split() const;

    /// The handshake hash h. It changes with every message and is final once complete; the
    /// inspector shows it, and both sides hold the same value after a successful handshake.
    const Hash64 &handshakeHash() const { return m_h; }

    /// The peer's static public key: known once the initiator has read the second message, or
    /// the responder the third (XX); never in NN. The application may refuse it at that point by
    /// dropping the handshake.
    std::optional<Key32> remoteStaticKey() const { return m_remoteStatic; }
    /// The peer's ephemeral public key, known once the first message from the peer was read.
    std::optional<Key32> remoteEphemeralKey() const { return m_remoteEphemeral; }
    const Key32 &localEphemeralPublicKey() const { return m_ephemeral.publicKey; }
    const Key32 &localStaticPublicKey() const { return m_static.publicKey; }

    /// Records every following step of this handshake (each token, each payload, Split) into
    /// @p log, appended; not owned, must outlive the handshake or be detached with nullptr. With
    /// no log (the default) the handshake pays one pointer test per token. The log receives the
    /// chaining key and cipher keys, which are secret: its owner wipes them (wipeSteps()).
    /// A log attached before the first message still misses Initialize and Prologue, which the
    /// constructor did: they are the first two steps publicOpeningSteps() recomputes.
    void setStepLog(std::vector<NoiseStep> *log) { m_stepLog = log; }

    /// The steps every handshake of @p pattern takes up to the end of its first message,
    /// recomputed from public values: Initialize, Prologue, then message 0's E and Payload. Before
    /// the first Diffie-Hellman the symmetric state holds no secret (ck is still the protocol
    /// name, message 1's payload travels in clear), so anyone who saw message 1 can derive them.
    /// For a log attached after message 1, which is when an engine's trace first meets the
    /// handshake. @p initiatorEphemeral and @p firstPayload are what message 1 carried;
    /// @p recordedByInitiator says which side the log belongs to.
    static std::vector<NoiseStep> publicOpeningSteps(NoisePattern pattern, ByteView prologue,
                                                     const Key32 &initiatorEphemeral,
                                                     ByteView firstPayload,
                                                     bool recordedByInitiator);
    /// Wipes the secrets (ck, k, k2) of @p steps and clears the vector.
    static void wipeSteps(std::vector<NoiseStep> &steps);

    /// The Noise protocol name, e.g. "Noise_XX_25519_ChaChaPoly_BLAKE2b".
    static std::string_view protocolName(NoisePattern pattern);
    /// Number of handshake messages of @p pattern (XX: 3, NN: 2).
    static int messageCount(NoisePattern pattern);
    /// The Noise tokens of message @p index of @p pattern, e.g. XX: "e", "e, ee, s, es",
    /// "s, se"; empty for an index outside the pattern. For the inspector.
    static std::string_view messageTokens(NoisePattern pattern, int index);

private:
    enum class State { Running, Complete, Failed };

    Error fail(std::string message);
    void mixHash(ByteView data);
    void mixKey(ByteView inputKeyMaterial);
    Error encryptAndHash(ByteView plaintext, Bytes &out);
    Error decryptAndHash(ByteView ciphertext, Bytes &out);
    Error mixDh(const Key32 &localSecret, const std::optional<Key32> &remotePublic);
    void advance();
    void recordStep(NoiseStep step);
    void recordDh(NoiseStep::Kind kind, bool localStatic, bool remoteStatic);
    std::size_t minimumMessageSize(int index) const;
    bool isMyTurnToWrite() const;

    bool m_initiator;
    NoisePattern m_pattern;
    State m_state = State::Running;
    int m_messageIndex = 0;

    crypto::KeyPair m_static;
    crypto::KeyPair m_ephemeral;
    std::optional<Key32> m_remoteStatic;
    std::optional<Key32> m_remoteEphemeral;

    // SymmetricState.
    Hash64 m_ck{};
    Hash64 m_h{};
    NoiseCipherState m_cipher;

    crypto::SplitKeys m_split;
    std::vector<NoiseStep> *m_stepLog = nullptr; ///< Not owned; null records nothing.
};

} // namespace hyperscope
