// What the application learns about a session: the handshake's result and channel snapshots.
//
// These are part of the application API (EngineHandler, Engine's introspection, SessionDriver's
// signals) and of the trace (TraceSink): both engine.h and trace.h include this header, so an
// application that never traces does not depend on the trace's vocabulary.
#pragma once

#include "bytes.h"
#include "crypto.h"

#include <cstddef>
#include <cstdint>
#include <optional>

namespace hyperscope {

/// The handshake's result: everything both sides agreed on.
struct HandshakeInfo
{
    Key32 publicKey{};         ///< Our static public key.
    Key32 remotePublicKey{};   ///< The remote's static public key.
    Hash64 handshakeHash{};    ///< The Noise handshake hash h.
    Nonce24 localNonce{};      ///< Our payload nonce (our XSalsa20 send nonce).
    Nonce24 remoteNonce{};     ///< The remote's payload nonce (our XSalsa20 receive nonce).
    crypto::SplitKeys split{}; ///< Transport keys from our point of view. Secret.
};

/// One operation of a Noise handshake's symmetric state (the Noise spec, §5.2 and §5.3), as the
/// inspector's handshake lesson shows it: which token, which keys it combined, and the state it
/// left behind. NoiseHandshake records these only when asked (NoiseHandshake::setStepLog), so a
/// handshake nobody inspects pays nothing.
///
/// The handshake hash h is derived from public values only (every input is on the wire or a key
/// that is public), so it may be shown freely. The chaining key ck and the cipher keys k, k2 are
/// derived from Diffie-Hellman results: they are as secret as the transport keys (which Split()
/// derives from the last ck), and a viewer must show them only to a person who asked.
struct NoiseStep
{
    enum class Kind {
        Initialize, ///< h = protocol name, zero-padded to 64 bytes (it is shorter); ck = h.
        Prologue,   ///< h = HASH(h || prologue). Hypercore's prologue is empty.
        E,          ///< The sender's ephemeral public key, sent in clear: h = HASH(h || e).
        S,       ///< The sender's static public key, encrypted under k: h = HASH(h || ciphertext).
        EE,      ///< DH(initiator's ephemeral, responder's ephemeral): ck, k = HKDF(ck, dh).
        ES,      ///< DH(initiator's ephemeral, responder's static): ck, k = HKDF(ck, dh).
        SE,      ///< DH(initiator's static, responder's ephemeral): ck, k = HKDF(ck, dh).
        Payload, ///< The message payload, encrypted under k once there is one:
                 ///< h = HASH(h || ciphertext).
        Split,   ///< Split(): k, k2 = HKDF(ck, empty), the two transport keys.
    };

    Kind kind = Kind::Initialize;
    /// The 0-based message the step belongs to; -1 for Initialize and Prologue.
    int message = -1;
    /// Whether the side that recorded the step is the initiator. With kind() a viewer can say which
    /// private key this side used in a DH (each side uses its own secret and the peer's public
    /// key; both arrive at the same shared secret).
    bool recordedByInitiator = true;
    /// E, S: the public key the message carried (in clear; S is shown after decryption).
    Key32 publicKey{};
    /// EE, ES, SE: the initiator's and the responder's public keys that went into the DH.
    Key32 initiatorKey{};
    Key32 responderKey{};
    /// E, S, Payload, Prologue: how many bytes were mixed into h (S and Payload: ciphertext with
    /// its 16-byte tag once encrypted).
    std::size_t mixedSize = 0;
    /// S, Payload: whether the bytes were encrypted (false before the first DH: message 1's
    /// payload travels in clear).
    bool encrypted = false;
    /// S, Payload when encrypted: the ChaChaPoly nonce counter n used (0 after every mixKey).
    std::uint64_t nonce = 0;

    Hash64 h{};  ///< The handshake hash after this step. Public.
    Hash64 ck{}; ///< The chaining key after this step. Secret.
    /// EE, ES, SE: the cipher key k after this step; Split: the initiator's sending key. Secret.
    std::optional<Key32> k{};
    /// Split: the responder's sending key. Secret.
    std::optional<Key32> k2{};
};

/// A snapshot of one channel.
struct ChannelInfo
{
    Key32 discoveryKey{};
    std::optional<Key32> key; ///< Known only when we opened the channel.
    std::optional<std::uint64_t> localId;
    std::optional<std::uint64_t> remoteId;
    bool remoteVerified =
        false; ///< Remote capability checked (always true with Noise off once remote opened).
    bool established = false;
};

} // namespace hyperscope
