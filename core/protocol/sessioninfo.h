// What the application learns about a session: the handshake's result and channel snapshots.
//
// These are part of the application API (EngineHandler, Engine's introspection, SessionDriver's
// signals) and of the trace (TraceSink): both engine.h and trace.h include this header, so an
// application that never traces does not depend on the trace's vocabulary.
#pragma once

#include "bytes.h"
#include "crypto.h"

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
