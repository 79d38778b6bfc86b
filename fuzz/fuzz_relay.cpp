// The relay's forwarding path: RelayForwarder (core/protocol/relayforwarder.h, what
// RelayedSession uses) between two engines, each back to back with a peer engine:
//
//   A <-> client leg (relay: responder) [RelayForwarder] server leg (relay: initiator) <-> B
//
// The peers are honest engines the fuzz input drives (open and close channels, send raw frames
// with fuzzed payloads of every type, extensions, stream Options, time passing, endings), and
// arbitrary bytes are injected into either relay leg as if its peer had sent them. The relay
// knows two of the four feed keys at first (the others are held until an addKey step). When one
// leg ends the harness ends the other cleanly, as RelayedSession does.
//
// Input, read front to back (so that seeds are easy to write by hand, as fuzz/corpus/fuzz_relay/
// is): byte 0 = mode (0: Noise and encryption, 1: Noise with a plaintext transport, 2: no Noise),
// then steps: an operation byte (bit 0: peer B's side, else A's; bits 1-2: which of the four feed
// keys; bits 3-7 modulo 10: the operation, see the switch) and its arguments: single bytes, and
// byte strings as a length byte and that many bytes.
//
// Checked besides crashes, sanitizers and hangs: the relay never announces extensions of its
// own, never holds a channel whose key it knows, and never has a channel open on a leg that ended.
#include "fuzzsession.h"
#include "relayforwarder.h"

#include <array>
#include <string>

using namespace hyperscope;
using namespace hyperscope::fuzz;

namespace {

Key32 feedKey(std::size_t i)
{
    Key32 key;
    key.fill(std::uint8_t(0x30 + i));
    return key;
}

constexpr std::size_t KeyCount = 4;

/// An honest peer: accepts every channel whose key it knows (all four), answers nothing.
class PeerHandler : public EngineHandler
{
public:
    Engine *engine = nullptr;
    void onDiscoveryKey(const Key32 &discoveryKey) override
    {
        for (std::size_t i = 0; i < KeyCount; ++i) {
            if (crypto::discoveryKey(feedKey(i)) == discoveryKey)
                engine->openChannel(feedKey(i));
        }
    }
    void onMessage(const ChannelInfo &, const Message &message) override
    {
        (void)summarize(message);
    }
};

/// A relay leg's handler: every event goes to the forwarder, as RelayedSession's signals do.
class LegHandler : public EngineHandler
{
public:
    RelayForwarder *forwarder = nullptr;
    RelayLeg leg = RelayLeg::Client;
    void onDiscoveryKey(const Key32 &discoveryKey) override
    {
        forwarder->onDiscoveryKey(leg, discoveryKey);
    }
    void onChannelOpen(const ChannelInfo &channel) override
    {
        forwarder->onChannelOpen(leg, channel);
    }
    void onMessage(const ChannelInfo &channel, const Message &message) override
    {
        forwarder->onMessage(leg, channel, message);
    }
    void onStreamOptions(const schema::Options &options) override
    {
        forwarder->onStreamOptions(leg, options);
    }
    void onRemoteChannelClosed(const Key32 &discoveryKey) override
    {
        forwarder->onRemoteChannelClosed(leg, discoveryKey);
    }
    void onExtension(const ChannelInfo *channel, const std::string *, std::uint64_t id,
                     ByteView payload) override
    {
        const std::optional<Key32> scope =
            channel ? std::optional(channel->discoveryKey) : std::nullopt;
        (void)forwarder->remoteExtensionName(leg, scope, id);
        forwarder->onExtension(leg, scope, id, payload);
    }
    void onChannelClose(const ChannelInfo &channel) override
    {
        forwarder->onChannelClose(leg, channel);
    }
};

/// Reads every report (warnings are built on hostile input too).
class Reports : public RelayForwarder::Listener
{
public:
    std::size_t sum = 0;
    void channelHeld(RelayLeg, const Key32 &discoveryKey) override { sum += discoveryKey[0]; }
    void heldChannelClosed(RelayLeg, const Key32 &discoveryKey) override { sum += discoveryKey[1]; }
    void channelForwarded(const Key32 &discoveryKey) override { sum += discoveryKey[2]; }
    void warning(RelayLeg, const std::string &message) override { sum += message.size(); }
    void forwardedInto(RelayLeg to) override { sum += to == RelayLeg::Client ? 1 : 2; }
};

EngineOptions optionsFor(bool initiator, std::uint8_t mode)
{
    EngineOptions options = sessionOptions(initiator, mode == 0);
    options.noise = mode != 2;
    options.timeout = Millis(4000);
    return options;
}

struct Harness
{
    explicit Harness(std::uint8_t mode)
        : a(optionsFor(true, mode), &aEvents)
        , client(optionsFor(false, mode), &clientEvents)
        , server(optionsFor(true, mode), &serverEvents)
        , b(optionsFor(false, mode), &bEvents)
        , forwarder(&clientPort, &serverPort, &reports, initialKeys())
    {
        aEvents.engine = &a;
        bEvents.engine = &b;
        clientEvents.forwarder = &forwarder;
        clientEvents.leg = RelayLeg::Client;
        serverEvents.forwarder = &forwarder;
        serverEvents.leg = RelayLeg::Server;
    }

    static std::map<Key32, Key32> initialKeys()
    {
        std::map<Key32, Key32> keys;
        for (std::size_t i = 0; i < 2; ++i)
            keys[crypto::discoveryKey(feedKey(i))] = feedKey(i);
        return keys;
    }

    PeerHandler aEvents, bEvents;
    LegHandler clientEvents, serverEvents;
    Engine a, client, server, b;
    EngineRelayPort clientPort{&client}, serverPort{&server};
    Reports reports;
    RelayForwarder forwarder;
    Millis now{0};

    Engine &peer(bool sideB) { return sideB ? b : a; }
    Engine &leg(bool sideB) { return sideB ? server : client; }

    /// Moves bytes on both connections until quiet; ends a leg's partner as the relay does.
    void pump()
    {
        for (int round = 0; round < 64; ++round) {
            bool moved = false;
            for (auto [from, to] : {std::pair{&a, &client}, std::pair{&client, &a},
                                    std::pair{&server, &b}, std::pair{&b, &server}}) {
                if (from->outputSize() == 0)
                    continue;
                const Bytes bytes = from->takeOutput();
                to->receive(bytes, now);
                moved = true;
            }
            for (auto [ended, other] : {std::pair{&client, &server}, std::pair{&server, &client}}) {
                if (ended->state() == Engine::State::Ended &&
                    other->state() != Engine::State::Ended)
                    other->destroy(Error(ErrorCode::None, "the other leg ended"));
            }
            if (!moved)
                return;
        }
    }

    void check() const
    {
        for (const Engine *relayLeg : {&client, &server}) {
            if (!relayLeg->localExtensions(std::nullopt).empty())
                __builtin_trap(); // the relay announces nothing of its own
            if (relayLeg->state() == Engine::State::Ended && !relayLeg->channels().empty())
                __builtin_trap();
        }
        for (const RelayLeg leg : {RelayLeg::Client, RelayLeg::Server}) {
            for (const Key32 &held : forwarder.heldChannels(leg)) {
                if (forwarder.knowsKey(held))
                    __builtin_trap(); // a known key is forwarded, never held
            }
        }
    }
};

/// Reads the input front to back; past its end every read gives zeros.
class Reader
{
public:
    Reader(const std::uint8_t *data, std::size_t size)
        : m_data(data)
        , m_size(size)
    {}
    bool atEnd() const { return m_offset >= m_size; }
    std::uint8_t byte() { return m_offset < m_size ? m_data[m_offset++] : 0; }
    /// A length byte (at most @p max is used), then that many bytes.
    Bytes bytes(std::size_t max)
    {
        const std::size_t n = std::min<std::size_t>(std::min<std::size_t>(byte(), max),
                                                    m_size - std::min(m_offset, m_size));
        Bytes out(m_data + m_offset, m_data + m_offset + n);
        m_offset += n;
        return out;
    }

private:
    const std::uint8_t *m_data;
    std::size_t m_size;
    std::size_t m_offset = 0;
};

std::optional<std::uint64_t> localId(const Engine &engine, const Key32 &discoveryKey)
{
    const auto channel = engine.channel(discoveryKey);
    return channel ? channel->localId : std::nullopt;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    Reader input(data, size);
    const std::uint8_t mode = input.byte() % 3;
    Harness h(mode);
    h.client.start(h.now);
    h.server.start(h.now);
    h.a.start(h.now);
    h.b.start(h.now);
    h.pump();
    if (h.client.state() != Engine::State::Open || h.server.state() != Engine::State::Open)
        __builtin_trap(); // the fixed handshakes must always complete

    for (int step = 0; step < 256 && !input.atEnd(); ++step) {
        const std::uint8_t op = input.byte();
        const bool sideB = op & 1;
        const std::size_t k = (op >> 1) % KeyCount;
        const Key32 key = feedKey(k);
        const Key32 dk = crypto::discoveryKey(key);
        Engine &peer = h.peer(sideB);
        switch ((op >> 3) % 10) {
        case 0:
            peer.openChannel(key);
            break;
        case 1:
            peer.closeChannel(dk);
            break;
        case 2: { // a frame of any type on the peer's channel (or a raw channel id), any payload
            const auto type = std::uint8_t(input.byte() % 16);
            const std::uint64_t raw = input.byte() % 5;
            const Bytes payload = input.bytes(255);
            peer.sendFrame(localId(peer, dk).value_or(raw), type, payload);
            break;
        }
        case 3: { // a well-formed message of every type from its decoded fuzz bytes
            const auto type = std::uint8_t(1 + input.byte() % 10);
            const Bytes payload = input.bytes(255);
            Error error;
            if (const auto message = decodeMessage(type, payload, error))
                peer.send(dk, *message);
            break;
        }
        case 4: { // stream Options, any bytes
            const Bytes payload = input.bytes(255);
            peer.sendFrame(0, static_cast<std::uint8_t>(MessageType::Options), payload);
            break;
        }
        case 5: { // raw bytes into the relay leg, as if its peer had sent them
            const Bytes raw = input.bytes(255);
            h.leg(sideB).receive(raw, h.now);
            break;
        }
        case 6:
            h.forwarder.addKey(key);
            break;
        case 7:
            h.forwarder.close(sideB ? RelayLeg::Server : RelayLeg::Client, dk);
            break;
        case 8: { // time passes: keepalives, timeouts
            h.now += Millis(input.byte() * 20);
            for (Engine *engine : {&h.a, &h.client, &h.server, &h.b}) {
                if (const auto deadline = engine->nextDeadline(); deadline && *deadline <= h.now)
                    engine->handleTimers(h.now);
            }
            break;
        }
        case 9: { // extensions: registered and sent by name, on the stream or the channel
            const std::optional<Key32> scope = op & 2 ? std::optional(dk) : std::nullopt;
            const Bytes nameBytes = input.bytes(16);
            const std::string name(nameBytes.begin(), nameBytes.end());
            peer.registerExtension(scope, name);
            const Bytes payload = input.bytes(64);
            peer.sendExtension(scope, name, payload);
            if (op & 4)
                peer.destroy(op & 2 ? Error() : Error(ErrorCode::Destroyed, "fuzz"));
            break;
        }
        }
        h.pump();
        h.check();
    }
    // The end: each peer's connection closes; everything is refused afterwards, nothing crashes.
    h.client.receiveEnd(h.now);
    h.server.receiveEnd(h.now);
    h.pump();
    h.check();
    h.forwarder.addKey(feedKey(3));
    h.forwarder.close(RelayLeg::Client, crypto::discoveryKey(feedKey(0)));
    return 0;
}
