// Tests core/session/relay.cpp: peer A (a SessionDriver) dials a Relay, which dials peer B (a
// SessionDriver behind a SessionServer), all over real loopback TCP. Every test runs with
// encryption and without (--no-encrypt); the message test also without Noise.
#include "builders.h"
#include "crypto.h"
#include "loopback.h"
#include "relay.h"
#include "sessiondriver.h"
#include "sessionserver.h"

#include <QtTest>

#include <map>
#include <memory>

using namespace hyperscope;
using hyperscope::test::encode;
using hyperscope::test::keyOf;

namespace {

constexpr int Wait = 15000; // generous: CI machines are busy

/// One message of every type but Open and Close, every field set.
std::vector<Message> everyMessage()
{
    std::vector<Message> out;
    schema::Options options;
    options.add_extensions("ext-a");
    options.add_extensions("ext-b");
    options.set_ack(true);
    out.emplace_back(options);
    schema::Status status;
    status.set_uploading(true);
    status.set_downloading(false);
    out.emplace_back(status);
    schema::Have have;
    have.set_start(3);
    have.set_length(40);
    have.set_bitfield(std::string("\x01\x02\xff", 3));
    have.set_ack(true);
    out.emplace_back(have);
    schema::Unhave unhave;
    unhave.set_start(5);
    unhave.set_length(2);
    out.emplace_back(unhave);
    schema::Want want;
    want.set_start(0);
    want.set_length(1000);
    out.emplace_back(want);
    schema::Unwant unwant;
    unwant.set_start(10);
    unwant.set_length(20);
    out.emplace_back(unwant);
    schema::Request request;
    request.set_index(7);
    request.set_bytes(1024);
    request.set_hash(true);
    request.set_nodes(3);
    out.emplace_back(request);
    schema::Cancel cancel;
    cancel.set_index(7);
    cancel.set_bytes(1024);
    cancel.set_hash(false);
    out.emplace_back(cancel);
    schema::Data data;
    data.set_index(9);
    data.set_value(std::string(3000, 'v'));
    auto *node = data.add_nodes();
    node->set_index(4);
    node->set_hash(std::string(32, 'h'));
    node->set_size(4096);
    data.set_signature(std::string(64, 's'));
    out.emplace_back(data);
    return out;
}

/// Everything one peer's driver reported, in order. Accepts a channel whose feed key it knows.
struct Peer
{
    struct Extension
    {
        std::optional<Key32> discoveryKey;
        std::optional<std::string> name;
        quint64 id;
        QByteArray payload;
    };

    SessionDriver *driver = nullptr;
    std::map<Key32, Key32> accept; ///< discovery key -> feed key opened on discovery
    std::optional<HandshakeInfo> handshake;
    int connected = 0;
    std::vector<Key32> discoveryKeys;
    std::vector<ChannelInfo> opened;
    std::vector<ChannelInfo> closed;
    std::vector<Message> messages;
    std::vector<std::pair<std::optional<Key32>, std::vector<std::string>>> names;
    std::vector<std::string> streamOptions; ///< Each stream Options as received, serialized.
    std::vector<Extension> extensions;
    int endedCount = 0;
    Error endReason;

    void knows(const Key32 &key) { accept[crypto::discoveryKey(key)] = key; }

    bool isOpen(const Key32 &key) const
    {
        const Key32 dk = crypto::discoveryKey(key);
        return std::any_of(opened.begin(), opened.end(),
                           [&](const ChannelInfo &c) { return c.discoveryKey == dk; });
    }

    void attach(SessionDriver *d)
    {
        driver = d;
        QObject::connect(d, &SessionDriver::transportConnected, d, [this] { ++connected; });
        QObject::connect(d, &SessionDriver::handshakeCompleted, d,
                         [this](const HandshakeInfo &info) { handshake = info; });
        QObject::connect(d, &SessionDriver::discoveryKeyReceived, d, [this](const Key32 &dk) {
            discoveryKeys.push_back(dk);
            if (const auto it = accept.find(dk); it != accept.end())
                driver->openChannel(it->second);
        });
        QObject::connect(d, &SessionDriver::channelOpened, d,
                         [this](const ChannelInfo &info) { opened.push_back(info); });
        QObject::connect(d, &SessionDriver::channelClosed, d,
                         [this](const ChannelInfo &info) { closed.push_back(info); });
        QObject::connect(
            d, &SessionDriver::messageReceived, d,
            [this](const ChannelInfo &, const Message &message) { messages.push_back(message); });
        QObject::connect(
            d, &SessionDriver::extensionNamesReceived, d,
            [this](const std::optional<Key32> &dk, const std::vector<std::string> &list) {
                names.emplace_back(dk, list);
            });
        QObject::connect(d, &SessionDriver::streamOptionsReceived, d,
                         [this](const schema::Options &options) {
                             streamOptions.push_back(options.SerializeAsString());
                         });
        QObject::connect(d, &SessionDriver::extensionReceived, d,
                         [this](const std::optional<Key32> &dk,
                                const std::optional<std::string> &name, quint64 id,
                                const QByteArray &payload) {
                             extensions.push_back({dk, name, id, payload});
                         });
        QObject::connect(d, &SessionDriver::ended, d, [this](const Error &reason) {
            ++endedCount;
            endReason = reason;
        });
    }
};

/// What a RelayedSession reported, per leg (index 0 client, 1 server).
struct RelayEvents
{
    QPointer<RelayedSession> session;
    std::array<std::optional<HandshakeInfo>, 2> handshakes;
    std::array<int, 2> connected{};
    std::array<std::vector<Key32>, 2> opened;
    std::array<std::vector<Key32>, 2> held;
    std::array<std::vector<Key32>, 2> heldClosed;
    std::vector<Key32> forwarded;
    std::array<std::vector<Message>, 2> messages;
    std::array<std::vector<QString>, 2> extensionNames; ///< name reported for each extension
    std::array<std::vector<QString>, 2> warnings;
    std::array<std::optional<Error>, 2> ended;
    int finished = 0;
    int pausedClient = 0;
    int resumedClient = 0;

    static int at(RelayLeg leg) { return leg == RelayLeg::Client ? 0 : 1; }

    void attach(RelayedSession *s)
    {
        session = s;
        QObject::connect(s, &RelayedSession::legConnected, s,
                         [this](RelayLeg leg, const QString &) { ++connected[at(leg)]; });
        QObject::connect(
            s, &RelayedSession::handshakeCompleted, s,
            [this](RelayLeg leg, const HandshakeInfo &info) { handshakes[at(leg)] = info; });
        QObject::connect(s, &RelayedSession::channelOpened, s,
                         [this](RelayLeg leg, const ChannelInfo &channel) {
                             opened[at(leg)].push_back(channel.discoveryKey);
                         });
        QObject::connect(s, &RelayedSession::channelHeld, s,
                         [this](RelayLeg leg, const Key32 &dk) { held[at(leg)].push_back(dk); });
        QObject::connect(
            s, &RelayedSession::heldChannelClosed, s,
            [this](RelayLeg leg, const Key32 &dk) { heldClosed[at(leg)].push_back(dk); });
        QObject::connect(s, &RelayedSession::channelForwarded, s,
                         [this](const Key32 &dk) { forwarded.push_back(dk); });
        QObject::connect(s, &RelayedSession::messageReceived, s,
                         [this](RelayLeg leg, const ChannelInfo &, const Message &message) {
                             messages[at(leg)].push_back(message);
                         });
        QObject::connect(s, &RelayedSession::extensionReceived, s,
                         [this](RelayLeg leg, const std::optional<Key32> &, const QString &name,
                                quint64,
                                const QByteArray &) { extensionNames[at(leg)].push_back(name); });
        QObject::connect(s, &RelayedSession::warning, s, [this](RelayLeg leg, const QString &m) {
            warnings[at(leg)].push_back(m);
        });
        QObject::connect(s, &RelayedSession::ended, s,
                         [this](RelayLeg leg, const Error &reason) { ended[at(leg)] = reason; });
        QObject::connect(s, &RelayedSession::finished, s, [this] { ++finished; });
        QObject::connect(s, &RelayedSession::readingPaused, s, [this](RelayLeg leg, bool paused) {
            if (leg == RelayLeg::Client)
                ++(paused ? pausedClient : resumedClient);
        });
    }
};

/// A -> relay -> B. B listens on a SessionServer; the relay's upstream is B.
struct Setup
{
    // The recorders outlive the objects that report to them.
    SessionIds ids;
    Peer aEvents;
    Peer bEvents;
    RelayEvents relayEvents;
    Peer a2Events; ///< A second client, its upstream peer and its session.
    Peer b2Events;
    RelayEvents relay2Events;
    EngineOptions options;     ///< The relay's.
    EngineOptions peerOptions; ///< A's and B's.
    SessionServer upstream{&ids};
    Relay relay;
    std::unique_ptr<SessionDriver> a;
    std::unique_ptr<SessionDriver> a2;

    /// The peers use @p peers, or the relay's options when not given.
    explicit Setup(EngineOptions engineOptions, std::optional<EngineOptions> peers = {})
        : options(engineOptions)
        , peerOptions(peers.value_or(engineOptions))
    {
        upstream.setOptions(peerOptions);
        QObject::connect(&upstream, &SessionServer::sessionStarted, &upstream,
                         [this](SessionDriver *driver) {
                             if (!bEvents.driver)
                                 bEvents.attach(driver);
                             else if (!b2Events.driver)
                                 b2Events.attach(driver);
                         });
        if (!upstream.listen(QHostAddress::LocalHost, 0))
            qFatal("cannot listen upstream");
        relay.setOptions(options);
        relay.setUpstream(QStringLiteral("127.0.0.1"), upstream.port());
        QObject::connect(&relay, &Relay::sessionStarted, &relay, [this](RelayedSession *s) {
            if (!relayEvents.session)
                relayEvents.attach(s);
            else if (!relay2Events.session)
                relay2Events.attach(s);
        });
        if (!relay.listen(QHostAddress::LocalHost, 0))
            qFatal("cannot listen relay");
    }

    void dial() { dial(a, aEvents); }

    void dial(std::unique_ptr<SessionDriver> &driver, Peer &events)
    {
        EngineOptions dialer = peerOptions;
        dialer.initiator = true;
        driver = std::make_unique<SessionDriver>(ids.next(), dialer);
        events.attach(driver.get());
        driver->connectToHost(QStringLiteral("127.0.0.1"), relay.port());
    }

    SessionDriver *b() const { return bEvents.driver; }
    RelayedSession *session() const { return relayEvents.session; }

    /// Both legs are open: handshakes done (or, without Noise, both transports connected).
    bool waitOpen()
    {
        const bool noise = options.noise;
        return QTest::qWaitFor(
            [&] {
                if (!noise) {
                    return aEvents.connected && bEvents.connected && relayEvents.connected[0] &&
                           relayEvents.connected[1];
                }
                return aEvents.handshake && bEvents.handshake && relayEvents.handshakes[0] &&
                       relayEvents.handshakes[1];
            },
            Wait);
    }

    /// A opens @p key (B accepts it) and both legs establish it.
    bool openFromA(const Key32 &key)
    {
        bEvents.knows(key);
        aEvents.knows(key);
        relay.addKey(key);
        if (!a->openChannel(key).ok())
            return false;
        const Key32 dk = crypto::discoveryKey(key);
        return QTest::qWaitFor(
            [&] {
                return aEvents.isOpen(key) && bEvents.isOpen(key) &&
                       std::count(relayEvents.forwarded.begin(), relayEvents.forwarded.end(), dk) ==
                           1;
            },
            Wait);
    }
};

EngineOptions modeOptions(const QString &mode)
{
    EngineOptions options;
    options.noise = mode != QLatin1String("no-noise");
    options.encrypted = mode == QLatin1String("encrypted");
    return options;
}

} // namespace

class TestRelay : public QObject
{
    Q_OBJECT

private slots:
    void handshake_data() { modes(false); }
    void handshake();
    void staticKey();
    void channelsAndEveryMessage_data() { modes(true); }
    void channelsAndEveryMessage();
    void extensions_data() { modes(false); }
    void extensions();
    void streamOptionsVerbatim_data() { modes(false); }
    void streamOptionsVerbatim();
    void unknownKeyHeldUntilAdded_data() { modes(false); }
    void unknownKeyHeldUntilAdded();
    void upstreamRefused_data() { modes(false); }
    void upstreamRefused();
    void serverLegEndingEndsClientCleanly_data() { modes(false); }
    void serverLegEndingEndsClientCleanly();
    void clientLegDyingEndsServerCleanly_data() { modes(false); }
    void clientLegDyingEndsServerCleanly();
    void legTimeoutEndsOtherCleanly_data() { modes(false); }
    void legTimeoutEndsOtherCleanly();
    void pausedLegDoesNotTimeOut_data() { modes(false); }
    void pausedLegDoesNotTimeOut();
    void failingPairLeavesOthersAlone_data() { modes(false); }
    void failingPairLeavesOthersAlone();
    void injectionReachesOneLegOnly_data() { modes(false); }
    void injectionReachesOneLegOnly();
    void stalledReaderKeepsMemoryBounded_data() { modes(false); }
    void stalledReaderKeepsMemoryBounded();

private:
    static void modes(bool withoutNoise)
    {
        QTest::addColumn<QString>("mode");
        QTest::newRow("encrypted") << QStringLiteral("encrypted");
        QTest::newRow("no-encrypt") << QStringLiteral("no-encrypt");
        if (withoutNoise)
            QTest::newRow("no-noise") << QStringLiteral("no-noise");
    }
};

void TestRelay::handshake()
{
    QFETCH(QString, mode);
    Setup setup(modeOptions(mode));
    setup.dial();
    QVERIFY(setup.waitOpen());
    // Each peer's remote is the relay, with its own static key; each leg has its own handshake.
    QCOMPARE(setup.aEvents.handshake->remotePublicKey, setup.relay.publicKey());
    QCOMPARE(setup.bEvents.handshake->remotePublicKey, setup.relay.publicKey());
    const auto &client = *setup.relayEvents.handshakes[0];
    const auto &server = *setup.relayEvents.handshakes[1];
    QCOMPARE(client.remotePublicKey, setup.a->engine().publicKey());
    QCOMPARE(server.remotePublicKey, setup.b()->engine().publicKey());
    QCOMPARE(client.handshakeHash, setup.aEvents.handshake->handshakeHash);
    QCOMPARE(server.handshakeHash, setup.bEvents.handshake->handshakeHash);
    QVERIFY(client.handshakeHash != server.handshakeHash);
    QVERIFY(setup.session()->driver(RelayLeg::Client)->engine().options().encrypted ==
            (mode == QLatin1String("encrypted")));
    QVERIFY(!setup.session()->driver(RelayLeg::Client)->isInitiator());
    QVERIFY(setup.session()->driver(RelayLeg::Server)->isInitiator());
}

void TestRelay::channelsAndEveryMessage()
{
    QFETCH(QString, mode);
    Setup setup(modeOptions(mode));
    setup.dial();
    QVERIFY(setup.waitOpen());
    const Key32 k1 = keyOf(1), k2 = keyOf(2);
    const Key32 dk1 = crypto::discoveryKey(k1), dk2 = crypto::discoveryKey(k2);

    // Opened from A, then from B.
    QVERIFY(setup.openFromA(k1));
    setup.aEvents.knows(k2);
    setup.relay.addKey(k2);
    QVERIFY(setup.b()->openChannel(k2).ok());
    QVERIFY(QTest::qWaitFor(
        [&] {
            return setup.aEvents.isOpen(k2) && setup.bEvents.isOpen(k2) &&
                   setup.relayEvents.forwarded.size() == 2;
        },
        Wait));
    QCOMPARE(setup.relayEvents.forwarded[1], dk2);

    // Every type, both ways, arrives byte for byte as sent.
    const std::vector<Message> messages = everyMessage();
    for (const Message &message : messages)
        QVERIFY(setup.a->send(dk1, message).ok());
    for (const Message &message : messages)
        QVERIFY(setup.b()->send(dk2, message).ok());
    QTRY_COMPARE_WITH_TIMEOUT(setup.bEvents.messages.size(), messages.size(), Wait);
    QTRY_COMPARE_WITH_TIMEOUT(setup.aEvents.messages.size(), messages.size(), Wait);
    for (std::size_t i = 0; i < messages.size(); ++i) {
        QCOMPARE(encode(setup.bEvents.messages[i]), encode(messages[i]));
        QCOMPARE(encode(setup.aEvents.messages[i]), encode(messages[i]));
        QCOMPARE(encode(setup.relayEvents.messages[0][i]), encode(messages[i]));
        QCOMPARE(encode(setup.relayEvents.messages[1][i]), encode(messages[i]));
    }

    // Close, both ways: each far peer sees the Close and the channel closed.
    QVERIFY(setup.a->closeChannel(dk1).ok());
    QTRY_COMPARE_WITH_TIMEOUT(setup.bEvents.closed.size(), 1u, Wait);
    QCOMPARE(setup.bEvents.closed[0].discoveryKey, dk1);
    QCOMPARE(messageType(setup.bEvents.messages.back()), MessageType::Close);
    QVERIFY(setup.b()->closeChannel(dk2).ok());
    QTRY_COMPARE_WITH_TIMEOUT(setup.aEvents.closed.size(), 2u, Wait);
    QCOMPARE(setup.aEvents.closed[1].discoveryKey, dk2);
    QCOMPARE(messageType(setup.aEvents.messages.back()), MessageType::Close);
    QTRY_VERIFY_WITH_TIMEOUT(setup.session()->driver(RelayLeg::Client)->engine().channels().empty(),
                             Wait);
    QTRY_VERIFY_WITH_TIMEOUT(setup.session()->driver(RelayLeg::Server)->engine().channels().empty(),
                             Wait);
    QCOMPARE(setup.relayEvents.warnings[0].size(), 0u);
    QCOMPARE(setup.relayEvents.warnings[1].size(), 0u);
    QVERIFY(!setup.relayEvents.ended[0] && !setup.relayEvents.ended[1]);
}

void TestRelay::extensions()
{
    QFETCH(QString, mode);
    Setup setup(modeOptions(mode));
    setup.dial();
    QVERIFY(setup.waitOpen());
    const Key32 k1 = keyOf(1);
    const Key32 dk1 = crypto::discoveryKey(k1);
    QVERIFY(setup.openFromA(k1));
    SessionDriver *a = setup.a.get();
    SessionDriver *b = setup.b();

    // Differing name sets: ids differ between the peers, names must not.
    for (const char *name : {"a-only", "shared"})
        QVERIFY(a->registerExtension(std::nullopt, name).ok());
    for (const char *name : {"shared", "z-only"})
        QVERIFY(b->registerExtension(std::nullopt, name).ok());
    for (const char *name : {"c-a", "c-shared"})
        QVERIFY(a->registerExtension(dk1, name).ok());
    for (const char *name : {"b-first", "c-b", "c-shared"})
        QVERIFY(b->registerExtension(dk1, name).ok());

    QVERIFY(a->sendExtension(std::nullopt, "shared", asView("stream from a")).ok());
    QVERIFY(a->sendExtension(dk1, "c-shared", asView("channel from a")).ok());
    QVERIFY(b->sendExtension(std::nullopt, "shared", asView("stream from b")).ok());
    QVERIFY(b->sendExtension(std::nullopt, "z-only", asView("z from b")).ok());
    QVERIFY(b->sendExtension(dk1, "c-shared", asView("channel from b")).ok());

    QTRY_COMPARE_WITH_TIMEOUT(setup.bEvents.extensions.size(), 2u, Wait);
    QTRY_COMPARE_WITH_TIMEOUT(setup.aEvents.extensions.size(), 3u, Wait);
    const auto &atB = setup.bEvents.extensions;
    QCOMPARE(atB[0].discoveryKey, std::nullopt);
    QCOMPARE(atB[0].name, std::optional<std::string>("shared"));
    QCOMPARE(atB[0].id, 1u); // A's id: a-only, shared
    QCOMPARE(atB[0].payload, QByteArray("stream from a"));
    QCOMPARE(atB[1].discoveryKey, std::optional(dk1));
    QCOMPARE(atB[1].name, std::optional<std::string>("c-shared"));
    QCOMPARE(atB[1].payload, QByteArray("channel from a"));
    const auto &atA = setup.aEvents.extensions;
    QCOMPARE(atA[0].name, std::optional<std::string>("shared"));
    QCOMPARE(atA[0].id, 0u); // B's id: shared, z-only
    QCOMPARE(atA[0].payload, QByteArray("stream from b"));
    QCOMPARE(atA[1].name, std::nullopt); // A has no "z-only"
    QCOMPARE(atA[1].id, 1u);
    QCOMPARE(atA[2].discoveryKey, std::optional(dk1));
    QCOMPARE(atA[2].name, std::optional<std::string>("c-shared"));
    QCOMPARE(atA[2].id, 2u); // B's id: b-first, c-b, c-shared
    QCOMPARE(atA[2].payload, QByteArray("channel from b"));

    // The names each far peer heard are the other peer's, in its order.
    const std::vector<std::string> aStream{"a-only", "shared"}, aChannel{"c-a", "c-shared"};
    const std::vector<std::string> bStream{"shared", "z-only"},
        bChannel{"b-first", "c-b", "c-shared"};
    QCOMPARE(b->engine().remoteExtensions(std::nullopt), aStream);
    QCOMPARE(b->engine().remoteExtensions(dk1), aChannel);
    QCOMPARE(a->engine().remoteExtensions(std::nullopt), bStream);
    QCOMPARE(a->engine().remoteExtensions(dk1), bChannel);
    // The relay reports the sender's name for every id, and announced nothing of its own.
    QCOMPARE(setup.relayEvents.extensionNames[1][1], QStringLiteral("z-only"));
    QVERIFY(setup.session()->driver(RelayLeg::Client)->engine().localExtensions({}).empty());
    QVERIFY(setup.session()->driver(RelayLeg::Server)->engine().localExtensions(dk1).empty());
}

void TestRelay::streamOptionsVerbatim()
{
    QFETCH(QString, mode);
    Setup setup(modeOptions(mode));
    setup.dial();
    QVERIFY(setup.waitOpen());
    // Stream Options as the far peer must see them: an empty one (nothing to announce), one with
    // only ack, and one with names, ack and a field this schema does not know (field 15, varint
    // 5), which the relay cannot understand and must pass on all the same.
    schema::Options ackOnly;
    ackOnly.set_ack(true);
    schema::Options named;
    named.add_extensions("first");
    named.add_extensions("second");
    named.set_ack(true);
    Bytes withUnknown = encode(named);
    withUnknown.push_back(0x78);
    withUnknown.push_back(0x05);
    const std::vector<Bytes> sent{Bytes(), encode(ackOnly), withUnknown};
    const auto options = static_cast<std::uint8_t>(MessageType::Options);
    for (const Bytes &payload : sent)
        QVERIFY(setup.a->sendFrame(0, options, payload).ok());
    // And the other way, with B's own names.
    schema::Options fromB;
    fromB.add_extensions("b-only");
    QVERIFY(setup.b()->sendFrame(0, options, encode(fromB)).ok());

    QTRY_COMPARE_WITH_TIMEOUT(setup.bEvents.streamOptions.size(), sent.size(), Wait);
    for (std::size_t i = 0; i < sent.size(); ++i)
        QCOMPARE(setup.bEvents.streamOptions[i],
                 std::string(reinterpret_cast<const char *>(sent[i].data()), sent[i].size()));
    QTRY_COMPARE_WITH_TIMEOUT(setup.aEvents.streamOptions.size(), 1u, Wait);
    QCOMPARE(setup.aEvents.streamOptions[0], fromB.SerializeAsString());
    // Each far peer reads ids against the sender's names; the relay announced none of its own.
    QCOMPARE(setup.b()->engine().remoteExtensions(std::nullopt),
             (std::vector<std::string>{"first", "second"}));
    QCOMPARE(setup.a->engine().remoteExtensions(std::nullopt), std::vector<std::string>{"b-only"});
    QVERIFY(setup.session()->driver(RelayLeg::Server)->engine().localExtensions({}).empty());
    QCOMPARE(setup.relayEvents.warnings[0].size(), 0u);
    QCOMPARE(setup.relayEvents.warnings[1].size(), 0u);
}

void TestRelay::unknownKeyHeldUntilAdded()
{
    QFETCH(QString, mode);
    Setup setup(modeOptions(mode));
    setup.dial();
    QVERIFY(setup.waitOpen());
    const Key32 k1 = keyOf(1), k3 = keyOf(3);
    const Key32 dk3 = crypto::discoveryKey(k3);
    setup.bEvents.knows(k3);
    setup.aEvents.knows(k3);

    QVERIFY(setup.a->openChannel(k3).ok());
    QTRY_COMPARE_WITH_TIMEOUT(setup.relayEvents.held[0].size(), 1u, Wait);
    QCOMPARE(setup.relayEvents.held[0][0], dk3);
    QCOMPARE(setup.relayEvents.warnings[0].size(), 1u);
    const QString warning = setup.relayEvents.warnings[0][0];
    QVERIFY2(warning.contains(QString::fromStdString(toHex(dk3))), qPrintable(warning));
    QVERIFY2(warning.contains(QStringLiteral("client")), qPrintable(warning));
    QVERIFY2(warning.contains(QStringLiteral("addKey")), qPrintable(warning));
    QCOMPARE(setup.session()->heldChannels(RelayLeg::Client), std::vector<Key32>{dk3});
    // Frames after the held Open still flow: a known channel opens; B never heard of dk3.
    QVERIFY(setup.openFromA(k1));
    QCOMPARE(setup.bEvents.discoveryKeys, std::vector<Key32>{crypto::discoveryKey(k1)});

    setup.relay.addKey(k3);
    QVERIFY(QTest::qWaitFor([&] { return setup.aEvents.isOpen(k3) && setup.bEvents.isOpen(k3); },
                            Wait));
    QVERIFY(setup.session()->heldChannels(RelayLeg::Client).empty());
    schema::Have have;
    have.set_start(42);
    QVERIFY(setup.a->send(dk3, have).ok());
    QTRY_COMPARE_WITH_TIMEOUT(setup.bEvents.messages.size(), 1u, Wait);
    QCOMPARE(encode(setup.bEvents.messages[0]), encode(have));

    // A held Open that its peer closes again is gone: adding the key later opens nothing.
    const Key32 k4 = keyOf(4);
    const Key32 dk4 = crypto::discoveryKey(k4);
    setup.bEvents.knows(k4);
    QVERIFY(setup.a->openChannel(k4).ok());
    QTRY_COMPARE_WITH_TIMEOUT(setup.relayEvents.held[0].size(), 2u, Wait);
    QCOMPARE(setup.relayEvents.held[0][1], dk4);
    QVERIFY(setup.a->closeChannel(dk4).ok());
    // The engine tells the relay (onRemoteChannelClosed): it stops holding the Open at once.
    QTRY_COMPARE_WITH_TIMEOUT(setup.relayEvents.heldClosed[0].size(), 1u, Wait);
    QCOMPARE(setup.relayEvents.heldClosed[0][0], dk4);
    QVERIFY(setup.session()->heldChannels(RelayLeg::Client).empty());
    QVERIFY(!setup.session()->driver(RelayLeg::Client)->engine().channel(dk4));
    setup.relay.addKey(k4);
    QVERIFY(setup.session()->heldChannels(RelayLeg::Client).empty());
    QVERIFY(!setup.session()->driver(RelayLeg::Server)->engine().channel(dk4));
    QVERIFY(!setup.session()->driver(RelayLeg::Client)->engine().channel(dk4));
}

void TestRelay::staticKey()
{
    // Fresh per run (here: per Relay), unless given; a later setOptions without one keeps it.
    Relay first, second;
    QVERIFY(first.publicKey() != second.publicKey());
    QVERIFY(first.publicKey() != Key32{});
    const crypto::KeyPair given = crypto::generateKeyPair();
    EngineOptions options;
    options.staticKeyPair = given;
    first.setOptions(options);
    QCOMPARE(first.publicKey(), given.publicKey);
    options.staticKeyPair.reset();
    options.encrypted = false;
    first.setOptions(options);
    QCOMPARE(first.publicKey(), given.publicKey);
    QVERIFY(!first.options().encrypted);

    // Both peers see that key as their remote's.
    EngineOptions withKey;
    withKey.staticKeyPair = given;
    Setup setup(withKey, EngineOptions());
    setup.dial();
    QVERIFY(setup.waitOpen());
    QCOMPARE(setup.aEvents.handshake->remotePublicKey, given.publicKey);
    QCOMPARE(setup.bEvents.handshake->remotePublicKey, given.publicKey);
}

void TestRelay::upstreamRefused()
{
    QFETCH(QString, mode);
    Setup setup(modeOptions(mode));
    const quint16 closedPort = test::closedPort();
    QVERIFY(closedPort != 0);
    setup.relay.setUpstream(QStringLiteral("127.0.0.1"), closedPort);
    QSignalSpy finished(&setup.relay, &Relay::sessionFinished);
    setup.dial();
    QVERIFY(QTest::qWaitFor([&] { return setup.relayEvents.finished == 1; }, Wait));
    const QString where = QStringLiteral("127.0.0.1:%1").arg(closedPort);
    const Error server = *setup.relayEvents.ended[1];
    const Error client = *setup.relayEvents.ended[0];
    QVERIFY(!server.ok());
    QVERIFY2(QString::fromStdString(server.message).contains(where), server.message.c_str());
    QVERIFY2(QString::fromStdString(server.message).contains(u"refused", Qt::CaseInsensitive),
             server.message.c_str());
    QVERIFY(!client.ok());
    QVERIFY2(QString::fromStdString(client.message).contains(QStringLiteral("upstream ") + where),
             client.message.c_str());
    QVERIFY2(QString::fromStdString(client.message).contains(u"refused", Qt::CaseInsensitive),
             client.message.c_str());
    // A only sees its connection closed: the protocol has no way to say why.
    QTRY_COMPARE_WITH_TIMEOUT(setup.aEvents.endedCount, 1, Wait);
    QCOMPARE(finished.size(), 1);

    // The listener goes on: the next client is relayed to a live upstream.
    QVERIFY(setup.relay.isListening());
    setup.relay.setUpstream(QStringLiteral("127.0.0.1"), setup.upstream.port());
    setup.relayEvents = RelayEvents();
    setup.aEvents = Peer();
    setup.dial();
    QVERIFY(setup.waitOpen());
    QVERIFY(setup.openFromA(keyOf(1)));
}

void TestRelay::serverLegEndingEndsClientCleanly()
{
    QFETCH(QString, mode);
    Setup setup(modeOptions(mode));
    setup.dial();
    QVERIFY(setup.waitOpen());
    const Key32 k1 = keyOf(1);
    QVERIFY(setup.openFromA(k1));
    // B's last words, then B leaves cleanly: A gets them, then its session ends cleanly.
    schema::Data data;
    data.set_index(1);
    data.set_value(std::string(100000, 'x'));
    QVERIFY(setup.b()->send(crypto::discoveryKey(k1), data).ok());
    setup.b()->disconnectFromPeer();
    QTRY_COMPARE_WITH_TIMEOUT(setup.aEvents.endedCount, 1, Wait);
    QCOMPARE(setup.aEvents.messages.size(), 1u);
    QCOMPARE(encode(setup.aEvents.messages[0]), encode(data));
    QVERIFY2(setup.aEvents.endReason.ok(), setup.aEvents.endReason.message.c_str());
    QVERIFY(QTest::qWaitFor([&] { return setup.relayEvents.finished == 1; }, Wait));
    QVERIFY(setup.relayEvents.ended[1]->ok());
    QVERIFY(setup.relayEvents.ended[0]->ok());
    QVERIFY2(QString::fromStdString(setup.relayEvents.ended[0]->message)
                 .contains(QStringLiteral("server leg ended")),
             setup.relayEvents.ended[0]->message.c_str());
    QVERIFY(setup.relay.isListening());
}

void TestRelay::clientLegDyingEndsServerCleanly()
{
    QFETCH(QString, mode);
    Setup setup(modeOptions(mode));
    setup.dial();
    QVERIFY(setup.waitOpen());
    const Key32 k1 = keyOf(1);
    QVERIFY(setup.openFromA(k1));
    schema::Want want;
    want.set_start(3);
    QVERIFY(setup.a->send(crypto::discoveryKey(k1), want).ok());
    QTRY_COMPARE_WITH_TIMEOUT(setup.bEvents.messages.size(), 1u, Wait);
    // A dies (its socket is aborted): the relay ends B's session cleanly.
    setup.a->disconnectFromPeer(Error(ErrorCode::Destroyed, "test: A dies"));
    QTRY_COMPARE_WITH_TIMEOUT(setup.bEvents.endedCount, 1, Wait);
    QVERIFY2(setup.bEvents.endReason.ok(), setup.bEvents.endReason.message.c_str());
    QVERIFY(QTest::qWaitFor([&] { return setup.relayEvents.finished == 1; }, Wait));
    QVERIFY(setup.relayEvents.ended[0].has_value());
    QVERIFY(setup.relayEvents.ended[1]->ok());
    QVERIFY2(QString::fromStdString(setup.relayEvents.ended[1]->message)
                 .contains(QStringLiteral("client leg ended")),
             setup.relayEvents.ended[1]->message.c_str());
    QVERIFY(setup.relay.isListening());
    QTRY_VERIFY_WITH_TIMEOUT(setup.relay.sessions().isEmpty(), Wait);
}

void TestRelay::legTimeoutEndsOtherCleanly()
{
    QFETCH(QString, mode);
    // The relay times a leg out after 1 s of silence. A keeps its leg alive (keepalives every
    // 500 ms, and it times out after 1 s itself, longer than the relay's 500 ms keepalives); B
    // sends nothing at all (no timeout, no keepalives): the server leg times out.
    EngineOptions relayOptions = modeOptions(mode);
    relayOptions.timeout = Millis(1000);
    Setup setup(relayOptions, relayOptions);
    setup.upstream.setOptions([&] {
        EngineOptions silent = relayOptions;
        silent.timeout = Millis(0);
        return silent;
    }());
    setup.dial();
    QVERIFY(setup.waitOpen());
    QVERIFY(QTest::qWaitFor([&] { return setup.relayEvents.finished == 1; }, Wait));
    QCOMPARE(setup.relayEvents.ended[1]->code, ErrorCode::Timeout);
    QVERIFY2(setup.relayEvents.ended[0]->ok(), setup.relayEvents.ended[0]->message.c_str());
    QVERIFY2(QString::fromStdString(setup.relayEvents.ended[0]->message)
                 .contains(QStringLiteral("server leg ended")),
             setup.relayEvents.ended[0]->message.c_str());
    QTRY_COMPARE_WITH_TIMEOUT(setup.aEvents.endedCount, 1, Wait);
    QVERIFY2(setup.aEvents.endReason.ok(), setup.aEvents.endReason.message.c_str());
}

void TestRelay::pausedLegDoesNotTimeOut()
{
    QFETCH(QString, mode);
    // Everyone times out after 600 ms of silence (keepalives every 300 ms). B stops reading, A
    // floods: the relay stops reading A (backpressure), so A's bytes, its keepalives included,
    // wait unread at the relay for much longer than the timeout. A is not silent, the relay is not
    // listening: the client leg must not time out (Engine::noteRemoteActivity).
    EngineOptions options = modeOptions(mode);
    options.timeout = Millis(600);
    Setup setup(options);
    setup.dial();
    QVERIFY(setup.waitOpen());
    const Key32 k1 = keyOf(1);
    const Key32 dk1 = crypto::discoveryKey(k1);
    QVERIFY(setup.openFromA(k1));
    RelayedSession *session = setup.session();

    setup.b()->setReadingPaused(true);
    const std::string value(16 * 1024, 'd');
    quint64 sent = 0;
    bool sendFailed = false;
    QVERIFY(QTest::qWaitFor(
        [&] {
            while (setup.relayEvents.pausedClient == 0 && !sendFailed &&
                   setup.a->bytesToWrite() < 1024 * 1024) {
                schema::Data data;
                data.set_index(sent++);
                data.set_value(value);
                sendFailed = !setup.a->send(dk1, data).ok();
            }
            return setup.relayEvents.pausedClient > 0 || sendFailed;
        },
        60000));
    QVERIFY(!sendFailed);
    QVERIFY(session->driver(RelayLeg::Client)->isReadingPaused());
    // The stall lasts until A has heard at least 5 keepalives from the relay's client leg (a byte
    // each: nothing else comes from B), i.e. well over twice the timeout.
    const std::uint64_t heard = setup.a->engine().bytesReceived();
    QVERIFY(QTest::qWaitFor([&] { return setup.a->engine().bytesReceived() >= heard + 5; }, Wait));
    QVERIFY2(!setup.relayEvents.ended[0],
             setup.relayEvents.ended[0] ? setup.relayEvents.ended[0]->message.c_str() : "");
    QVERIFY(!setup.relayEvents.ended[1]);
    QVERIFY(session->driver(RelayLeg::Client)->isReadingPaused());

    // B reads again: everything arrives, and nobody timed out.
    setup.b()->setReadingPaused(false);
    QTRY_COMPARE_WITH_TIMEOUT(setup.bEvents.messages.size(), std::size_t(sent), 60000);
    QVERIFY(!setup.relayEvents.ended[0] && !setup.relayEvents.ended[1]);
    QCOMPARE(setup.aEvents.endedCount, 0);
    QCOMPARE(setup.bEvents.endedCount, 0);
}

void TestRelay::failingPairLeavesOthersAlone()
{
    QFETCH(QString, mode);
    Setup setup(modeOptions(mode));
    setup.dial();
    QVERIFY(setup.waitOpen());
    setup.dial(setup.a2, setup.a2Events);
    QVERIFY(QTest::qWaitFor(
        [&] {
            return setup.a2Events.handshake && setup.b2Events.handshake &&
                   setup.relay2Events.handshakes[0] && setup.relay2Events.handshakes[1];
        },
        Wait));
    const Key32 k1 = keyOf(1);
    const Key32 dk1 = crypto::discoveryKey(k1);
    QVERIFY(setup.openFromA(k1));
    setup.a2Events.knows(k1);
    setup.b2Events.knows(k1);
    QVERIFY(setup.a2->openChannel(k1).ok());
    QVERIFY(QTest::qWaitFor([&] { return setup.a2Events.isOpen(k1) && setup.b2Events.isOpen(k1); },
                            Wait));

    // The first pair fails hard: A is aborted, its B is dropped.
    setup.a->disconnectFromPeer(Error(ErrorCode::Destroyed, "test: A dies"));
    setup.b()->disconnectFromPeer(Error(ErrorCode::Destroyed, "test: B dies"));
    QVERIFY(QTest::qWaitFor([&] { return setup.relayEvents.finished == 1; }, Wait));

    // The second pair goes on, both ways.
    schema::Want want;
    want.set_start(11);
    QVERIFY(setup.a2->send(dk1, want).ok());
    QVERIFY(setup.b2Events.driver->send(dk1, want).ok());
    QTRY_COMPARE_WITH_TIMEOUT(setup.b2Events.messages.size(), 1u, Wait);
    QTRY_COMPARE_WITH_TIMEOUT(setup.a2Events.messages.size(), 1u, Wait);
    QCOMPARE(encode(setup.b2Events.messages[0]), encode(want));
    QVERIFY(!setup.relay2Events.ended[0] && !setup.relay2Events.ended[1]);
    QCOMPARE(setup.relay.sessions().size(), 1);
    QVERIFY(setup.relay.isListening());
}

void TestRelay::injectionReachesOneLegOnly()
{
    QFETCH(QString, mode);
    Setup setup(modeOptions(mode));
    setup.dial();
    QVERIFY(setup.waitOpen());
    const Key32 k1 = keyOf(1);
    const Key32 dk1 = crypto::discoveryKey(k1);
    QVERIFY(setup.openFromA(k1));
    RelayedSession *session = setup.session();

    schema::Have have;
    have.set_start(7);
    schema::Want want;
    want.set_start(9);
    QVERIFY(session->inject(RelayLeg::Client, dk1, have).ok());
    QVERIFY(session->inject(RelayLeg::Server, dk1, want).ok());
    QVERIFY(session->injectExtension(RelayLeg::Server, std::nullopt, 0, asView("to b")).ok());
    QVERIFY(session->injectExtension(RelayLeg::Client, dk1, 5, asView("to a")).ok());
    QCOMPARE(session->inject(RelayLeg::Client, dk1, schema::Open()).code,
             ErrorCode::InvalidArgument);
    // Fences: a message each way, sent after the injections, arrives after them.
    schema::Unhave unhave;
    unhave.set_start(1);
    schema::Status status;
    status.set_uploading(true);
    QVERIFY(setup.a->send(dk1, unhave).ok());
    QVERIFY(setup.b()->send(dk1, status).ok());
    QTRY_COMPARE_WITH_TIMEOUT(setup.bEvents.messages.size(), 2u, Wait);
    QTRY_COMPARE_WITH_TIMEOUT(setup.aEvents.messages.size(), 2u, Wait);
    QCOMPARE(encode(setup.bEvents.messages[0]), encode(want));
    QCOMPARE(encode(setup.bEvents.messages[1]), encode(unhave));
    QCOMPARE(encode(setup.aEvents.messages[0]), encode(have));
    QCOMPARE(encode(setup.aEvents.messages[1]), encode(status));
    QCOMPARE(setup.bEvents.extensions.size(), 1u);
    QCOMPARE(setup.bEvents.extensions[0].payload, QByteArray("to b"));
    QCOMPARE(setup.bEvents.extensions[0].discoveryKey, std::nullopt);
    QCOMPARE(setup.aEvents.extensions.size(), 1u);
    QCOMPARE(setup.aEvents.extensions[0].payload, QByteArray("to a"));
    QCOMPARE(setup.aEvents.extensions[0].id, 5u);
    // The relay saw only the peers' own messages.
    QCOMPARE(setup.relayEvents.messages[0].size(), 1u);
    QCOMPARE(setup.relayEvents.messages[1].size(), 1u);

    // close() on one leg: only that peer sees the channel close.
    QVERIFY(session->close(RelayLeg::Server, dk1).ok());
    QTRY_COMPARE_WITH_TIMEOUT(setup.bEvents.closed.size(), 1u, Wait);
    QVERIFY(setup.aEvents.closed.empty());
    QVERIFY(setup.a->engine().channel(dk1)->established);
    // What A then sends on it is reported, not forwarded.
    QVERIFY(setup.a->send(dk1, have).ok());
    QTRY_COMPARE_WITH_TIMEOUT(setup.relayEvents.warnings[0].size(), 1u, Wait);
    const QString warning = setup.relayEvents.warnings[0][0];
    QVERIFY2(warning.startsWith(QStringLiteral("Have on channel ")) &&
                 warning.contains(QStringLiteral("not open on the server leg")),
             qPrintable(warning));
}

void TestRelay::stalledReaderKeepsMemoryBounded()
{
    QFETCH(QString, mode);
    Setup setup(modeOptions(mode));
    setup.dial();
    QVERIFY(setup.waitOpen());
    const Key32 k1 = keyOf(1);
    const Key32 dk1 = crypto::discoveryKey(k1);
    QVERIFY(setup.openFromA(k1));
    RelayedSession *session = setup.session();

    // B stops reading; A sends as fast as its own socket takes it.
    setup.b()->setReadingPaused(true);
    const std::string value(16 * 1024, 'd');
    quint64 sent = 0;
    const auto sendOne = [&] {
        schema::Data data;
        data.set_index(sent++);
        data.set_value(value);
        return setup.a->send(dk1, data).ok();
    };
    bool sendFailed = false;
    QVERIFY(QTest::qWaitFor(
        [&] {
            while (setup.relayEvents.pausedClient == 0 && !sendFailed &&
                   setup.a->bytesToWrite() < 1024 * 1024)
                sendFailed = !sendOne();
            return setup.relayEvents.pausedClient > 0 || sendFailed;
        },
        60000));
    QVERIFY(!sendFailed);
    // The sender keeps sending: 16 MiB more, which the relay must not take in.
    for (int i = 0; i < 1024; ++i)
        QVERIFY(sendOne());
    const quint64 total = sent;
    // Let the stall go on until at least another 512 KiB left A (into the kernel's buffers and
    // Qt's read buffer at the relay, which is all that may take them in while the relay is paused;
    // about 4 MiB here).
    const qint64 queuedAtA = setup.a->bytesToWrite();
    QVERIFY(
        QTest::qWaitFor([&] { return setup.a->bytesToWrite() <= queuedAtA - 512 * 1024; }, Wait));
    QCOMPARE(setup.bEvents.messages.size(), 0u);
    QVERIFY(session->peakQueuedBytes(RelayLeg::Server) <= relaylimits::MaxQueuedPerLeg);

    // B reads again: everything arrives, once, in order.
    setup.b()->setReadingPaused(false);
    QTRY_COMPARE_WITH_TIMEOUT(setup.bEvents.messages.size(), std::size_t(total), 60000);
    for (quint64 i = 0; i < total; ++i) {
        const auto *data = std::get_if<schema::Data>(&setup.bEvents.messages[std::size_t(i)]);
        QVERIFY(data);
        QCOMPARE(data->index(), i);
        QCOMPARE(data->value().size(), value.size());
    }
    // Bounded: the server leg's queue never passed the pause threshold by more than a read chunk
    // (frames here are smaller than a chunk), far below what A sent while B was stalled.
    const qint64 peak = session->peakQueuedBytes(RelayLeg::Server);
    qInfo("sent %llu messages (%llu MiB); peak queued toward B %lld bytes; %d pauses",
          static_cast<unsigned long long>(total),
          static_cast<unsigned long long>(total * value.size() / (1024 * 1024)), peak,
          session->backpressurePauses(RelayLeg::Client));
    QVERIFY(peak > relaylimits::PauseAbove);
    QVERIFY2(peak <= relaylimits::PauseAbove + 4 * relaylimits::ReadChunk,
             qPrintable(QString::number(peak)));
    QVERIFY(peak <= relaylimits::MaxQueuedPerLeg);
    QVERIFY(session->peakQueuedBytes(RelayLeg::Client) <= relaylimits::MaxQueuedPerLeg);
    QCOMPARE(setup.relayEvents.pausedClient, setup.relayEvents.resumedClient);
    QVERIFY(!setup.relayEvents.ended[0] && !setup.relayEvents.ended[1]);
    QVERIFY(setup.relayEvents.warnings[0].empty());
}

QTEST_MAIN(TestRelay)
#include "tst_relay.moc"
