#include "enginetrace.h"

#include "channeltable.h"
#include "crypto.h"
#include "noise.h"
#include "varint.h"

#include <algorithm>

namespace hyperscope {

EngineTrace::~EngineTrace()
{
    NoiseHandshake::wipeSteps(m_noiseSteps);
}

void EngineTrace::sendHandshake(NoiseHandshake &noise, HandshakeTrace &trace, ByteView firstPayload)
{
    if (m_loggedHandshake != &noise) {
        // The first message of this handshake a sink sees. When it is message 1, its steps are
        // public and recomputed; for a sink that arrived later, the earlier messages' steps are
        // lost and this one reports none.
        NoiseHandshake::wipeSteps(m_noiseSteps);
        if (trace.index == 0 && trace.error.empty() && trace.ephemeralKey)
            m_noiseSteps = NoiseHandshake::publicOpeningSteps(
                NoisePattern::XX, {}, *trace.ephemeralKey, firstPayload, noise.isInitiator());
        noise.setStepLog(&m_noiseSteps);
        m_loggedHandshake = &noise;
    }
    trace.noiseSteps = m_noiseSteps;
    m_sink->traceHandshake(trace);
    NoiseHandshake::wipeSteps(m_noiseSteps);
}

void EngineTrace::buildHandshakeWritten(NoiseHandshake &noise, int index, ByteView wire,
                                        ByteView payload, const Nonce24 &payloadNonce,
                                        const Key32 &staticKey)
{
    HandshakeTrace trace;
    trace.index = index;
    trace.direction = Direction::Outbound;
    trace.tokens = NoiseHandshake::messageTokens(NoisePattern::XX, index);
    trace.wire = wire;
    trace.payload = payload;
    trace.payloadNonce = payloadNonce;
    if (index < 2)
        trace.ephemeralKey = noise.localEphemeralPublicKey();
    if (index > 0)
        trace.staticKey = staticKey;
    sendHandshake(noise, trace, payload);
}

void EngineTrace::buildHandshakeRead(NoiseHandshake &noise, int index, ByteView wire,
                                     const Error &error, ByteView payload, bool hadRemoteStatic)
{
    HandshakeTrace trace;
    trace.index = index;
    trace.direction = Direction::Inbound;
    trace.tokens = NoiseHandshake::messageTokens(NoisePattern::XX, index);
    trace.wire = wire;
    trace.error = error.message;
    if (error.ok()) {
        trace.payload = payload;
        schema::NoisePayload parsed;
        if (parsed.ParseFromArray(payload.data(), static_cast<int>(payload.size())) &&
            parsed.nonce().size() == Nonce24().size()) {
            Nonce24 nonce;
            std::copy(parsed.nonce().begin(), parsed.nonce().end(), nonce.begin());
            trace.payloadNonce = nonce;
        }
        if (index < 2)
            trace.ephemeralKey = noise.remoteEphemeralKey();
        if (!hadRemoteStatic)
            trace.staticKey = noise.remoteStaticKey();
    }
    sendHandshake(noise, trace, payload);
}

void EngineTrace::buildInboundFrame(const Frame &frame, const Message *message,
                                    const std::optional<ExtensionPayload> &extension,
                                    const ChannelRecord *channel, const ReceivedChunk &chunk)
{
    FrameTrace trace;
    trace.direction = Direction::Inbound;
    trace.streamOffset = frame.offset;
    trace.plain = frame.bytes;
    Bytes wire;
    const auto at = reinterpret_cast<std::uintptr_t>(frame.bytes.data()) -
                    reinterpret_cast<std::uintptr_t>(chunk.plain.data());
    if (chunk.cipher && !chunk.wire.empty() && at < chunk.plain.size() &&
        frame.bytes.size() <= chunk.plain.size() - at) {
        // The frame lies in the chunk being decrypted: the same span of the chunk as received.
        trace.wire = chunk.wire.subspan(at, frame.bytes.size());
    } else if (chunk.cipher) {
        // It began in an earlier chunk: recompute its wire bytes (XOR is its own inverse).
        wire.assign(frame.bytes.begin(), frame.bytes.end());
        chunk.cipher->applyAt(frame.offset, wire);
        trace.wire = wire;
    } else {
        trace.wire = frame.bytes;
    }
    trace.keepAlive = frame.keepAlive;
    trace.channel = frame.channel;
    trace.type = frame.type;
    trace.message = message;
    trace.extension = extension;
    if (channel) {
        trace.discoveryKey = channel->discoveryKey;
    } else if (const auto *open = message ? std::get_if<schema::Open>(message) : nullptr;
               open && open->discoverykey().size() == Key32{}.size()) {
        // The remote's Open binds its id only after this record: its own body names the channel.
        Key32 discoveryKey;
        std::copy(open->discoverykey().begin(), open->discoverykey().end(), discoveryKey.begin());
        trace.discoveryKey = discoveryKey;
    }
    m_sink->traceFrame(trace);
}

void EngineTrace::buildOutboundFrame(std::span<std::uint8_t> frame, std::uint64_t offset,
                                     crypto::XSalsa20Stream *cipher, std::uint64_t channel,
                                     std::uint8_t type, const Message *message,
                                     const Key32 *discoveryKey)
{
    // The plaintext is about to be encrypted in place: keep a copy for the record.
    m_plain.assign(frame.begin(), frame.end());
    const Bytes &plain = m_plain;
    if (cipher)
        cipher->apply(frame);

    FrameTrace trace;
    trace.direction = Direction::Outbound;
    trace.streamOffset = offset;
    trace.plain = plain;
    trace.wire = frame;
    trace.keepAlive = plain.size() == 1 && plain[0] == 0;
    trace.channel = channel;
    trace.type = type;
    std::optional<Message> decoded;
    const ByteView payload = ByteView(plain).subspan(
        trace.keepAlive
            ? plain.size()
            : varint::decode(plain).size +
                  varint::decode(ByteView(plain).subspan(varint::decode(plain).size)).size);
    if (!trace.keepAlive && type <= static_cast<std::uint8_t>(MessageType::Close)) {
        if (!message) {
            Error error;
            decoded = decodeMessage(type, payload, error);
            message = decoded ? &*decoded : nullptr;
        }
        trace.message = message;
    } else if (!trace.keepAlive && type == static_cast<std::uint8_t>(MessageType::Extension)) {
        Error error;
        trace.extension = decodeExtension(payload, error);
    }
    if (discoveryKey)
        trace.discoveryKey = *discoveryKey;
    m_sink->traceFrame(trace);
}

void EngineTrace::buildChannel(ChannelEvent event, const ChannelRecord &channel)
{
    m_sink->traceChannel({event, channel.info()});
}

} // namespace hyperscope
