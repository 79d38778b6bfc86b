// Shared by the fuzz targets: the deterministic session of tests/vectors/hypercore-wire.json
// ("session": fixed static and ephemeral seeds, fixed payload nonces, channel key 03..03).
//
// Because every key and nonce is fixed, the capabilities and the XSalsa20 keystreams are the same
// on every run, so the seed corpora can hold real, valid transport frames (the initiator's
// plaintext chunks of the vector) and the fuzzer starts from an established channel instead of
// from the first byte of a handshake it could never forge.
#pragma once

#include "crypto.h"
#include "engine.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace hyperscope::fuzz {

inline Key32 fixedKey(const char *hex)
{
    return *key32FromHex(hex);
}

inline Nonce24 fixedNonce(std::uint8_t fill)
{
    Nonce24 nonce;
    nonce.fill(fill);
    return nonce;
}

/// The vector's channel key.
inline Key32 channelKey()
{
    return fixedKey("0303030303030303030303030303030303030303030303030303030303030303");
}

/// Engine options of one side of the vector's session.
inline EngineOptions sessionOptions(bool initiator, bool encrypted)
{
    EngineOptions options;
    options.initiator = initiator;
    options.encrypted = encrypted;
    options.timeout = Millis(20000);
    const Key32 staticSeed =
        fixedKey(initiator ? "0101010101010101010101010101010101010101010101010101010101010101"
                           : "0202020202020202020202020202020202020202020202020202020202020202");
    options.staticKeyPair = crypto::keyPairFromSeed(staticSeed);
    options.ephemeralSeed =
        fixedKey(initiator ? "1111111111111111111111111111111111111111111111111111111111111111"
                           : "1212121212121212121212121212121212121212121212121212121212121212");
    options.payloadNonce = fixedNonce(initiator ? 0xa1 : 0xb2);
    return options;
}

/// A handler that does what an application would: accepts the vector's channel when the remote
/// opens it, answers extension messages, and re-enters the engine from inside callbacks (the
/// engine allows that), so that the fuzzer also explores re-entrant paths.
class FuzzHandler : public EngineHandler
{
public:
    Engine *engine = nullptr;
    /// false: only record (the side whose output the fuzzer replaces must not send anything).
    bool reactive = true;
    std::optional<HandshakeInfo> handshake;
    std::optional<Error> ended;

    void onHandshake(const HandshakeInfo &info) override { handshake = info; }

    void onDiscoveryKey(const Key32 &discoveryKey) override
    {
        if (!reactive)
            return;
        if (discoveryKey == crypto::discoveryKey(channelKey()))
            engine->openChannel(channelKey());
        else
            engine->closeChannel(discoveryKey); // refuse what we do not know
    }
    void onMessage(const ChannelInfo &channel, const Message &message) override
    {
        // Answer a Request with Data, as a feed would; touch the message's fields.
        if (reactive && message.index() == static_cast<std::size_t>(MessageType::Request)) {
            schema::Data data;
            data.set_index(std::get<schema::Request>(message).index());
            data.set_value("x");
            engine->send(channel.discoveryKey, Message(data));
        }
        (void)summarize(message);
    }
    void onExtension(const ChannelInfo *channel, const std::string *name, std::uint64_t,
                     ByteView payload) override
    {
        if (reactive && name) {
            engine->sendExtension(channel ? std::optional(channel->discoveryKey) : std::nullopt,
                                  *name, payload);
        }
    }
    void onEnd(const Error &reason) override { ended = reason; }
};

/// Records nothing, but makes the engine build every trace structure (the inspector and the CLI's
/// --trace run that code on hostile bytes too) and reads every view it is given.
class TouchingTrace : public TraceSink
{
public:
    std::size_t sum = 0;
    void traceHandshake(const HandshakeTrace &trace) override
    {
        touch(trace.wire);
        touch(trace.payload);
    }
    void traceFrame(const FrameTrace &trace) override
    {
        touch(trace.plain);
        touch(trace.wire);
        if (trace.message)
            sum += summarize(*trace.message).size();
        if (trace.extension)
            touch(trace.extension->data);
    }
    void traceWarning(const WarningTrace &warning) override { sum += warning.message.size(); }
    void traceError(const Error &error) override { sum += error.message.size(); }

private:
    void touch(ByteView bytes)
    {
        for (std::uint8_t byte : bytes)
            sum += byte;
    }
};

} // namespace hyperscope::fuzz
