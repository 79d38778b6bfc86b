// Tests core/protocol/relayforwarder.cpp without sockets: peer A and the relay's client leg, the
// relay's server leg and peer B, as two engine pairs in memory; a RelayForwarder between the legs
// (through EngineRelayPort), as RelayedSession drives it over TCP (tst_relay).
#include "enginepair.h"
#include "relayforwarder.h"

#include <QtTest>

using namespace hyperscope;
using namespace hyperscope::test;

namespace {

/// A relay leg's handler: every event to the forwarder (RelayedSession does this with signals).
struct LegRecorder : Recorder
{
    RelayForwarder *forwarder = nullptr;
    RelayLeg leg = RelayLeg::Client;
    void onDiscoveryKey(const Key32 &discoveryKey) override
    {
        Recorder::onDiscoveryKey(discoveryKey);
        forwarder->onDiscoveryKey(leg, discoveryKey);
    }
    void onChannelOpen(const ChannelInfo &channel) override
    {
        Recorder::onChannelOpen(channel);
        forwarder->onChannelOpen(leg, channel);
    }
    void onMessage(const ChannelInfo &channel, const Message &message) override
    {
        Recorder::onMessage(channel, message);
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
    void onExtension(const ChannelInfo *channel, const std::string *name, std::uint64_t id,
                     ByteView payload) override
    {
        Recorder::onExtension(channel, name, id, payload);
        forwarder->onExtension(leg, channel ? std::optional(channel->discoveryKey) : std::nullopt,
                               id, payload);
    }
    void onChannelClose(const ChannelInfo &channel) override
    {
        Recorder::onChannelClose(channel);
        forwarder->onChannelClose(leg, channel);
    }
};

/// A peer that records everything, stream Options whole too.
struct PeerRecorder : Recorder
{
    std::vector<std::string> streamOptions;
    void onStreamOptions(const schema::Options &options) override
    {
        streamOptions.push_back(options.SerializeAsString());
    }
};

struct Reports : RelayForwarder::Listener
{
    std::vector<std::pair<RelayLeg, Key32>> held, heldClosed;
    std::vector<Key32> forwarded;
    std::vector<std::pair<RelayLeg, std::string>> warnings;
    void channelHeld(RelayLeg leg, const Key32 &dk) override { held.emplace_back(leg, dk); }
    void heldChannelClosed(RelayLeg leg, const Key32 &dk) override
    {
        heldClosed.emplace_back(leg, dk);
    }
    void channelForwarded(const Key32 &dk) override { forwarded.push_back(dk); }
    void warning(RelayLeg leg, const std::string &message) override
    {
        warnings.emplace_back(leg, message);
    }
};

/// Two engines back to back (what BasicEnginePair does, with a handler type per side).
template<typename Initiator, typename Responder> struct Pair
{
    Initiator initiatorEvents;
    Responder responderEvents;
    Engine initiator, responder;
    explicit Pair(EngineOptions options)
        : initiator(role(options, true), &initiatorEvents)
        , responder(role(options, false), &responderEvents)
    {
        initiatorEvents.engine = &initiator;
        responderEvents.engine = &responder;
    }
    static EngineOptions role(EngineOptions options, bool initiator)
    {
        options.initiator = initiator;
        return options;
    }
    bool move()
    {
        bool moved = false;
        if (initiator.outputSize()) {
            responder.receive(initiator.takeOutput(), Millis(0));
            moved = true;
        }
        if (responder.outputSize()) {
            initiator.receive(responder.takeOutput(), Millis(0));
            moved = true;
        }
        return moved;
    }
};

/// A (initiator) <-> client leg (responder) [forwarder] server leg (initiator) <-> B (responder).
struct Setup
{
    Pair<PeerRecorder, LegRecorder> client; ///< A, and the relay's client leg
    Pair<LegRecorder, PeerRecorder> server; ///< the relay's server leg, and B
    EngineRelayPort clientPort{&client.responder}, serverPort{&server.initiator};
    Reports reports;
    RelayForwarder forwarder;

    explicit Setup(std::map<Key32, Key32> keys, EngineOptions options = {})
        : client(options)
        , server(options)
        , forwarder(&clientPort, &serverPort, &reports, std::move(keys))
    {
        client.responderEvents.forwarder = &forwarder;
        client.responderEvents.leg = RelayLeg::Client;
        server.initiatorEvents.forwarder = &forwarder;
        server.initiatorEvents.leg = RelayLeg::Server;
        for (Engine *e :
             {&client.initiator, &client.responder, &server.initiator, &server.responder})
            e->start(Millis(0));
        pump();
    }
    Engine &a() { return client.initiator; }
    Engine &b() { return server.responder; }
    void pump()
    {
        for (int round = 0; round < 100 && (client.move() | server.move()); ++round) {
        }
    }
};

std::map<Key32, Key32> known(std::initializer_list<Key32> keys)
{
    std::map<Key32, Key32> out;
    for (const Key32 &key : keys)
        out[crypto::discoveryKey(key)] = key;
    return out;
}

} // namespace

class TestRelayForwarder : public QObject
{
    Q_OBJECT

private slots:
    void forwardsChannelsMessagesAndClose()
    {
        const Key32 k = keyOf(1);
        const Key32 dk = crypto::discoveryKey(k);
        Setup s(known({k}));
        s.b().openChannel(k); // B will accept: it opens too
        s.a().openChannel(k);
        s.pump();
        QCOMPARE(s.reports.forwarded, std::vector<Key32>{dk});
        schema::Want want;
        want.set_start(3);
        want.set_length(9);
        QVERIFY(s.a().send(dk, Message(want)).ok());
        schema::Have have;
        have.set_start(1);
        QVERIFY(s.b().send(dk, Message(have)).ok());
        s.pump();
        QCOMPARE(s.server.responderEvents.messages.size(), 1u);
        QCOMPARE(std::get<schema::Want>(s.server.responderEvents.messages[0].second).length(), 9u);
        QCOMPARE(s.client.initiatorEvents.messages.size(), 1u);
        QVERIFY(std::holds_alternative<schema::Have>(s.client.initiatorEvents.messages[0].second));
        // A closes: B sees the channel close, and every engine forgets it.
        QVERIFY(s.a().closeChannel(dk).ok());
        s.pump();
        QVERIFY(s.server.responderEvents.events.contains("close " + discoveryKeyHex(k)));
        QVERIFY(s.b().channels().empty());
        QVERIFY(s.reports.warnings.empty());
    }

    void holdsUnknownKeysUntilAddedOrTakenBack()
    {
        const Key32 k = keyOf(2), gone = keyOf(3);
        Setup s(known({}));
        s.b().openChannel(k);
        s.a().openChannel(k);
        s.a().openChannel(gone);
        s.pump();
        // B's Open of k is held on the server leg, A's two on the client leg.
        QCOMPARE(s.reports.held.size(), 3u);
        QCOMPARE(s.forwarder.heldChannels(RelayLeg::Client).size(), 2u);
        QCOMPARE(s.forwarder.heldChannels(RelayLeg::Server),
                 std::vector<Key32>{crypto::discoveryKey(k)});
        QVERIFY(s.reports.warnings.at(0).second.find("addKey") != std::string::npos);
        QVERIFY(s.b().channels().size() == 1 && !s.b().channels()[0].remoteId); // B heard nothing
        // A takes one back: no longer held; adding its key later opens nothing.
        s.a().closeChannel(crypto::discoveryKey(gone));
        s.pump();
        QCOMPARE(s.reports.heldClosed.size(), 1u);
        QCOMPARE(s.forwarder.heldChannels(RelayLeg::Client),
                 std::vector<Key32>{crypto::discoveryKey(k)});
        s.forwarder.addKey(gone);
        s.forwarder.addKey(k);
        s.pump();
        QCOMPARE(s.reports.forwarded, std::vector<Key32>{crypto::discoveryKey(k)});
        QVERIFY(!s.b().channel(crypto::discoveryKey(gone)));
        QVERIFY(s.forwarder.heldChannels(RelayLeg::Client).empty());
        QVERIFY(s.forwarder.heldChannels(RelayLeg::Server).empty());
    }

    void forwardsStreamOptionsVerbatimAndExtensionIds()
    {
        Setup s(known({}));
        schema::Options options;
        options.add_extensions("one");
        options.add_extensions("two");
        options.set_ack(true);
        Bytes payload;
        appendMessage(payload, Message(options));
        payload.push_back(0x78); // field 15, varint 1: unknown to the schema
        payload.push_back(0x01);
        const auto type = static_cast<std::uint8_t>(MessageType::Options);
        QVERIFY(s.a().sendFrame(0, type, {}).ok());
        QVERIFY(s.a().sendFrame(0, type, payload).ok());
        Bytes extension;
        appendExtension(extension, 1, asView("hello"));
        QVERIFY(
            s.a().sendFrame(0, static_cast<std::uint8_t>(MessageType::Extension), extension).ok());
        s.pump();
        const auto &seen = s.server.responderEvents.streamOptions;
        QCOMPARE(seen.size(), 2u);
        QCOMPARE(seen[0], std::string());
        QCOMPARE(seen[1], std::string(payload.begin(), payload.end()));
        QCOMPARE(s.b().remoteExtensions(std::nullopt), (std::vector<std::string>{"one", "two"}));
        // B reads the id against A's names (it registered none: name null, id kept).
        QCOMPARE(s.server.responderEvents.extensions.size(), 1u);
        QCOMPARE(std::get<2>(s.server.responderEvents.extensions[0]), 1u);
        QCOMPARE(s.forwarder.remoteExtensionName(RelayLeg::Client, std::nullopt, 1),
                 std::string("two"));
        QVERIFY(s.server.initiator.localExtensions(std::nullopt).empty());
    }

    void reportsWhatItCannotForward()
    {
        const Key32 k = keyOf(4);
        const Key32 dk = crypto::discoveryKey(k);
        Setup s(known({k}));
        s.b().openChannel(k);
        s.a().openChannel(k);
        s.pump();
        // The relay closes the channel on the server leg only: what A sends next is reported.
        QVERIFY(s.forwarder.close(RelayLeg::Server, dk).ok());
        s.pump();
        schema::Want want;
        want.set_start(1);
        QVERIFY(s.a().send(dk, Message(want)).ok());
        s.pump();
        QCOMPARE(s.reports.warnings.size(), 1u);
        QCOMPARE(s.reports.warnings[0].first, RelayLeg::Client);
        QVERIFY2(s.reports.warnings[0].second.find("not open on the server leg") !=
                     std::string::npos,
                 s.reports.warnings[0].second.c_str());
        // A leg that ended takes nothing more; that is reported too.
        s.server.initiator.destroy();
        QVERIFY(s.a().sendFrame(0, static_cast<std::uint8_t>(MessageType::Options), {}).ok());
        s.pump();
        QVERIFY(s.reports.warnings.back().second.find("the server leg has ended") !=
                std::string::npos);
        QVERIFY(!s.forwarder.close(RelayLeg::Server, dk).ok());
    }
};

QTEST_GUILESS_MAIN(TestRelayForwarder)
#include "tst_relayforwarder.moc"
