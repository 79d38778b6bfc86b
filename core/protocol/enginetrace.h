// EngineTrace: builds the engine's trace records (trace.h) and hands them to its one TraceSink.
//
// The engine calls one method per event, on a single line; each method tests the sink pointer
// inline and builds the record out of line, so an engine without a sink pays that one pointer
// test and nothing else (no record, no copy, no decode). Arguments are the engine's own state,
// passed by reference or view, so evaluating them costs nothing either.
//
// Records are built the way the inspector reads them: outbound frames are decoded again from
// the bytes actually written, inbound frames carry their bytes as they crossed the socket.
#pragma once

#include "bytes.h"
#include "error.h"
#include "framer.h"
#include "messages.h"
#include "trace.h"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace hyperscope {

namespace crypto {
class XSalsa20Stream;
}
class NoiseHandshake;
struct ChannelRecord;

class EngineTrace
{
public:
    /// @p sink is not owned; null traces nothing.
    explicit EngineTrace(TraceSink *sink = nullptr)
        : m_sink(sink)
    {}
    ~EngineTrace();
    EngineTrace(const EngineTrace &) = delete;
    EngineTrace &operator=(const EngineTrace &) = delete;

    void setSink(TraceSink *sink) { m_sink = sink; }
    TraceSink *sink() const { return m_sink; }
    /// Whether anyone listens: the engine keeps extra state (wire bytes) only then.
    explicit operator bool() const { return m_sink != nullptr; }

    /// The received chunk an inbound frame came from, to show the frame's wire bytes.
    struct ReceivedChunk
    {
        const crypto::XSalsa20Stream *cipher = nullptr; ///< The receive cipher, if encrypted.
        ByteView wire;  ///< The chunk as received (empty when it was decrypted in place).
        ByteView plain; ///< The same chunk decrypted (the engine's scratch copy).
    };

    /// We wrote handshake message @p index (0..2): @p wire is prefix + message, @p payload the
    /// NoisePayload we encrypted into it.
    ///
    /// The handshake methods take the handshake non-const for one reason: on the first message a
    /// sink sees, they attach a step log to it (NoiseHandshake::setStepLog) so that the following
    /// messages report their Noise steps too; message 1's steps, which carry no secret, are
    /// recomputed. Without a sink nothing is attached and the handshake records nothing.
    void handshakeWritten(NoiseHandshake &noise, int index, ByteView wire, ByteView payload,
                          const Nonce24 &payloadNonce, const Key32 &staticKey)
    {
        if (m_sink)
            buildHandshakeWritten(noise, index, wire, payload, payloadNonce, staticKey);
    }
    /// We read handshake message @p index; @p error is ok() on success. @p hadRemoteStatic:
    /// whether the remote's static key was known before this message.
    void handshakeRead(NoiseHandshake &noise, int index, ByteView wire, const Error &error,
                       ByteView payload, bool hadRemoteStatic)
    {
        if (m_sink)
            buildHandshakeRead(noise, index, wire, error, payload, hadRemoteStatic);
    }
    void handshakeComplete(const HandshakeInfo &info)
    {
        if (m_sink)
            m_sink->traceHandshakeComplete(info);
    }
    /// An inbound frame; @p message and @p extension are what it decoded to, if anything.
    void inboundFrame(const Frame &frame, const Message *message,
                      const std::optional<ExtensionPayload> &extension,
                      const ChannelRecord *channel, const ReceivedChunk &chunk)
    {
        if (m_sink)
            buildInboundFrame(frame, message, extension, channel, chunk);
    }
    /// An outbound frame, @p frame, just appended to the output at stream offset @p offset.
    /// Encrypts it in place with @p cipher (when not null) after keeping its plaintext for the
    /// record; the caller encrypts itself when there is no sink. @p discoveryKey: the channel
    /// our id @p channel names, if any.
    void outboundFrame(std::span<std::uint8_t> frame, std::uint64_t offset,
                       crypto::XSalsa20Stream *cipher, std::uint64_t channel, std::uint8_t type,
                       const Message *message, const Key32 *discoveryKey)
    {
        if (m_sink)
            buildOutboundFrame(frame, offset, cipher, channel, type, message, discoveryKey);
    }
    void channel(ChannelEvent event, const ChannelRecord &channel)
    {
        if (m_sink)
            buildChannel(event, channel);
    }
    /// Same, for a channel whose record is already gone (its last snapshot).
    void channel(ChannelEvent event, const ChannelInfo &info)
    {
        if (m_sink)
            m_sink->traceChannel({event, info});
    }
    void extensions(ExtensionTrace::Kind kind, const std::optional<Key32> &discoveryKey,
                    const std::vector<std::string> &names)
    {
        if (m_sink)
            m_sink->traceExtensions({kind, discoveryKey, names});
    }
    void warning(Direction direction, std::uint64_t offset, std::string message)
    {
        if (m_sink)
            m_sink->traceWarning({direction, offset, std::move(message)});
    }
    void error(const Error &error)
    {
        if (m_sink)
            m_sink->traceError(error);
    }

private:
    void buildHandshakeWritten(NoiseHandshake &noise, int index, ByteView wire, ByteView payload,
                               const Nonce24 &payloadNonce, const Key32 &staticKey);
    void buildHandshakeRead(NoiseHandshake &noise, int index, ByteView wire, const Error &error,
                            ByteView payload, bool hadRemoteStatic);
    /// Starts the step log on the first handshake message a sink sees, and hands @p trace the
    /// steps of this message; sends it; then wipes them.
    void sendHandshake(NoiseHandshake &noise, HandshakeTrace &trace, ByteView firstPayload);
    void buildInboundFrame(const Frame &frame, const Message *message,
                           const std::optional<ExtensionPayload> &extension,
                           const ChannelRecord *channel, const ReceivedChunk &chunk);
    void buildOutboundFrame(std::span<std::uint8_t> frame, std::uint64_t offset,
                            crypto::XSalsa20Stream *cipher, std::uint64_t channel,
                            std::uint8_t type, const Message *message, const Key32 *discoveryKey);
    void buildChannel(ChannelEvent event, const ChannelRecord &channel);

    TraceSink *m_sink = nullptr;
    Bytes m_plain; ///< The plaintext of the frame being sent, in storage reused frame to frame.
    /// The Noise steps of the handshake message being traced (secret: wiped once reported).
    std::vector<NoiseStep> m_noiseSteps;
    const NoiseHandshake *m_loggedHandshake =
        nullptr; ///< The handshake m_noiseSteps is attached to.
};

} // namespace hyperscope
