// The engine's inspection output: what it does, step by step, for the inspector, the CLI and tests.
//
// A TraceSink is optional. When an Engine has none, none of these structures is built: the hot
// path pays one pointer test per frame. All views in these structures are valid only for the
// duration of the call; a sink that keeps them must copy.
#pragma once

#include "bytes.h"
#include "crypto.h"
#include "error.h"
#include "messages.h"
#include "sessioninfo.h"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace hyperscope {

enum class Direction { Inbound, Outbound };

/// One Noise handshake message, read or written.
struct HandshakeTrace
{
    int index = 0; ///< 0, 1, 2: the message's place in the XX pattern.
    Direction direction = Direction::Outbound;
    std::string_view tokens; ///< "e", "e, ee, s, es", "s, se".
    ByteView wire;           ///< varint(length) || noise message, exactly as on the socket.
    ByteView payload;        ///< The decrypted NoisePayload protobuf (empty when failed).
    std::optional<Nonce24> payloadNonce; ///< The nonce inside the payload, when it parsed.
    std::optional<Key32> ephemeralKey;   ///< The ephemeral public key this message carried.
    std::optional<Key32> staticKey; ///< The static public key this message carried (XX msgs 2, 3).
    std::string error;              ///< Why the step failed; empty on success.
    /// What the Noise state machine did for this message, token by token (message 1 also carries
    /// Initialize and Prologue, message 3 also Split); up to the failing token when it failed.
    /// Holds the secret ck and k values: a sink keeps them only for a person who asks.
    std::span<const NoiseStep> noiseSteps;
};

/// One transport frame, in or out.
struct FrameTrace
{
    Direction direction = Direction::Inbound;
    std::uint64_t streamOffset =
        0;          ///< Position of the frame's first byte in this direction's transport stream.
    ByteView plain; ///< The frame in clear: varint(length) || header || payload.
    ByteView wire;  ///< The same frame as it crossed the socket (== plain when not encrypted).
    bool keepAlive = false;
    std::uint64_t channel = 0;                 ///< The header's channel field (the sender's id).
    std::uint8_t type = 0;                     ///< The header's type field.
    const Message *message = nullptr;          ///< Decoded message (types 0..10) when it decoded.
    std::optional<ExtensionPayload> extension; ///< Decoded extension id and data (type 15).
    std::optional<Key32> discoveryKey;         ///< The channel the frame belongs to, when known.
};

/// What happened to a channel.
enum class ChannelEvent {
    OpenedLocally,  ///< We sent Open.
    OpenedByRemote, ///< The remote's Open arrived.
    Verified,       ///< The remote's capability proved it knows the key.
    Established,    ///< Both sides opened and (with Noise) the capability was verified.
    ClosedLocally,  ///< We sent Close.
    ClosedByRemote, ///< The remote's Close arrived.
    Refused,        ///< We refused (Close with discoveryKey) a channel we never opened.
};

struct ChannelTrace
{
    ChannelEvent event = ChannelEvent::OpenedLocally;
    ChannelInfo channel;
};

/// Extension names changed on a scope (the stream when discoveryKey is empty).
struct ExtensionTrace
{
    enum class Kind { LocalRegistered, Announced, RemoteAnnounced } kind = Kind::LocalRegistered;
    std::optional<Key32> discoveryKey;
    std::vector<std::string> names;
};

/// A protocol violation or oddity the engine tolerated (the session goes on).
struct WarningTrace
{
    Direction direction = Direction::Inbound;
    std::uint64_t streamOffset = 0;
    std::string message;
};

/// Subscriber interface. Every method has an empty default: override what you need.
class TraceSink
{
public:
    virtual ~TraceSink() = default;
    virtual void traceHandshake(const HandshakeTrace &) {}
    virtual void traceHandshakeComplete(const HandshakeInfo &) {}
    virtual void traceFrame(const FrameTrace &) {}
    virtual void traceChannel(const ChannelTrace &) {}
    virtual void traceExtensions(const ExtensionTrace &) {}
    virtual void traceWarning(const WarningTrace &) {}
    virtual void traceError(const Error &) {}
};

} // namespace hyperscope
