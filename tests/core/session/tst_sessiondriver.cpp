// Tests core/session/sessiondriver.cpp and sessionserver.cpp: real SessionDrivers talking over
// loopback TCP through a SessionServer.
#include "builders.h"
#include "crypto.h"
#include "sessiondriver.h"
#include "sessionserver.h"

#include <QLocalServer>
#include <QLocalSocket>
#include <QTcpServer>
#include <QTcpSocket>
#include <QtTest>

#include <memory>

using namespace hyperscope;
using namespace hyperscope::test;

namespace {

constexpr int Wait = 15000; // generous: CI machines are busy

/// Everything one driver reported, in order.
struct Recorder
{
    struct Names
    {
        std::optional<Key32> discoveryKey;
        std::vector<std::string> names;
    };
    struct Extension
    {
        std::optional<Key32> discoveryKey;
        std::optional<std::string> name;
        quint64 id;
        QByteArray payload;
    };

    SessionDriver *driver = nullptr;
    int connected = 0;
    std::optional<HandshakeInfo> handshake;
    std::vector<Key32> discoveryKeys;
    std::vector<ChannelInfo> opened;
    std::vector<ChannelInfo> closed;
    std::vector<std::pair<ChannelInfo, Message>> messages;
    std::vector<Names> names;
    std::vector<Extension> extensions;
    int endedCount = 0;
    Error endReason;

    void attach(SessionDriver *d)
    {
        driver = d;
        QObject::connect(d, &SessionDriver::transportConnected, d, [this] { ++connected; });
        QObject::connect(d, &SessionDriver::handshakeCompleted, d,
                         [this](const HandshakeInfo &info) { handshake = info; });
        QObject::connect(d, &SessionDriver::discoveryKeyReceived, d,
                         [this](const Key32 &key) { discoveryKeys.push_back(key); });
        QObject::connect(d, &SessionDriver::channelOpened, d,
                         [this](const ChannelInfo &info) { opened.push_back(info); });
        QObject::connect(d, &SessionDriver::channelClosed, d,
                         [this](const ChannelInfo &info) { closed.push_back(info); });
        QObject::connect(d, &SessionDriver::messageReceived, d,
                         [this](const ChannelInfo &info, const Message &message) {
                             messages.emplace_back(info, message);
                         });
        QObject::connect(
            d, &SessionDriver::extensionNamesReceived, d,
            [this](const std::optional<Key32> &key, const std::vector<std::string> &list) {
                names.push_back({key, list});
            });
        QObject::connect(d, &SessionDriver::extensionReceived, d,
                         [this](const std::optional<Key32> &key,
                                const std::optional<std::string> &name, quint64 id,
                                const QByteArray &payload) {
                             extensions.push_back({key, name, id, payload});
                         });
        QObject::connect(d, &SessionDriver::ended, d, [this](const Error &reason) {
            ++endedCount;
            endReason = reason;
        });
    }
};

/// A SessionServer and one dialing SessionDriver connected to it.
struct Pair
{
    SessionIds ids;
    SessionServer server{&ids};
    std::unique_ptr<SessionDriver> client;
    Recorder clientEvents;
    Recorder serverEvents;
    QPointer<SessionDriver> serverDriver; ///< The first session the server accepted.

    explicit Pair(EngineOptions options = {})
    {
        server.setOptions(options);
        QObject::connect(&server, &SessionServer::sessionStarted, &server,
                         [this](SessionDriver *driver) {
                             if (serverDriver || serverEvents.driver)
                                 return;
                             serverDriver = driver;
                             serverEvents.attach(driver);
                         });
        if (!server.listen(QHostAddress::LocalHost, 0))
            qFatal("cannot listen");
        options.initiator = true;
        client = std::make_unique<SessionDriver>(ids.next(), options);
        clientEvents.attach(client.get());
        client->connectToHost(QStringLiteral("127.0.0.1"), server.port());
    }
    ~Pair()
    {
        client.reset();
        delete serverDriver.data(); // if still alive; the server would delete it later
    }
};

EngineOptions modeOptions(bool noise, bool encrypted, Millis timeout = limits::DefaultTimeout)
{
    EngineOptions options;
    options.noise = noise;
    options.encrypted = encrypted;
    options.timeout = timeout;
    return options;
}

/// Brings up a pair with one channel established on both sides (key 0x11).
bool establish(Pair &pair)
{
    if (!QTest::qWaitFor(
            [&] {
                return pair.clientEvents.connected && pair.serverDriver &&
                       pair.serverEvents.connected;
            },
            Wait))
        return false;
    const bool noise = pair.client->engine().options().noise;
    if (noise &&
        !QTest::qWaitFor([&] { return pair.clientEvents.handshake && pair.serverEvents.handshake; },
                         Wait))
        return false;
    if (pair.client->openChannel(keyOf(0x11)) || pair.serverDriver->openChannel(keyOf(0x11)))
        return false;
    return QTest::qWaitFor(
        [&] { return !pair.clientEvents.opened.empty() && !pair.serverEvents.opened.empty(); },
        Wait);
}

} // namespace

class tst_SessionDriver : public QObject
{
    Q_OBJECT

private slots:
    void establishesChannel_data();
    void establishesChannel();
    void deliversEveryMessageTypeBothWays();
    void exchangesStreamAndChannelExtensions();
    void closesChannel();
    void endsCleanlyOnLocalDisconnect();
    void peerDisconnectMidHandshakeIsAnErrorAndServerGoesOn();
    void failingPeerLeavesOtherSessionsAlone();
    void reportsConnectionRefused();
    void namesConnectFailuresAndKeepsTheDialedAddress_data();
    void namesConnectFailuresAndKeepsTheDialedAddress();
    void namesSocketErrors_data();
    void namesSocketErrors();
    void timesOutSilentPeer();
    void keepalivesHoldIdleSessionOpen();
    void endsSessionWhenPeerStopsReading();
    void serverAllocatesIdsSharedWithDialer();
    void runsOverAnyDevice();
};

void tst_SessionDriver::establishesChannel_data()
{
    QTest::addColumn<bool>("noise");
    QTest::addColumn<bool>("encrypted");
    QTest::newRow("noise+encrypted") << true << true;
    QTest::newRow("noise, plaintext") << true << false;
    QTest::newRow("no noise") << false << false;
}

void tst_SessionDriver::establishesChannel()
{
    QFETCH(bool, noise);
    QFETCH(bool, encrypted);
    Pair pair(modeOptions(noise, encrypted));
    QVERIFY(establish(pair));

    QCOMPARE(pair.clientEvents.connected, 1);
    QCOMPARE(pair.serverEvents.connected, 1);
    QVERIFY(pair.client->isInitiator());
    QVERIFY(!pair.serverDriver->isInitiator());
    QCOMPARE(pair.client->id(), 1);
    QCOMPARE(pair.serverDriver->id(), 2);
    QVERIFY(pair.client->remoteAddress().startsWith(QLatin1String("127.0.0.1:")));
    QVERIFY(pair.serverDriver->remoteAddress().startsWith(QLatin1String("127.0.0.1:")));
    if (noise) {
        QCOMPARE(pair.clientEvents.handshake->handshakeHash,
                 pair.serverEvents.handshake->handshakeHash);
        QCOMPARE(pair.clientEvents.handshake->remotePublicKey,
                 pair.serverEvents.handshake->publicKey);
        QCOMPARE(pair.serverEvents.handshake->remotePublicKey,
                 pair.clientEvents.handshake->publicKey);
    } else {
        QVERIFY(!pair.clientEvents.handshake);
        QVERIFY(!pair.serverEvents.handshake);
    }
    const Key32 discoveryKey = crypto::discoveryKey(keyOf(0x11));
    QCOMPARE(pair.clientEvents.opened.size(), 1u);
    QCOMPARE(pair.clientEvents.opened[0].discoveryKey, discoveryKey);
    QCOMPARE(pair.serverEvents.opened[0].discoveryKey, discoveryKey);
    QCOMPARE(pair.clientEvents.opened[0].localId, std::optional<std::uint64_t>(1));
    QCOMPARE(pair.clientEvents.opened[0].remoteId, std::optional<std::uint64_t>(1));
    QVERIFY(pair.clientEvents.opened[0].established);
    QCOMPARE(pair.clientEvents.endedCount, 0);
}

void tst_SessionDriver::deliversEveryMessageTypeBothWays()
{
    Pair pair;
    QVERIFY(establish(pair));
    const Key32 discoveryKey = crypto::discoveryKey(keyOf(0x11));
    const std::vector<Message> messages = everyMessage();

    for (const Message &message : messages)
        QVERIFY(pair.client->send(discoveryKey, message).ok());
    QTRY_COMPARE_WITH_TIMEOUT(pair.serverEvents.messages.size(), messages.size(), Wait);
    for (const Message &message : messages)
        QVERIFY(pair.serverDriver->send(discoveryKey, message).ok());
    QTRY_COMPARE_WITH_TIMEOUT(pair.clientEvents.messages.size(), messages.size(), Wait);

    for (const Recorder *side : {&pair.serverEvents, &pair.clientEvents}) {
        for (std::size_t i = 0; i < messages.size(); ++i) {
            QCOMPARE(side->messages[i].first.discoveryKey, discoveryKey);
            QCOMPARE(messageType(side->messages[i].second), messageType(messages[i]));
            QCOMPARE(encode(side->messages[i].second), encode(messages[i]));
        }
    }

    // Close is a message too: delivered, then the channel is closed on both sides.
    QVERIFY(pair.client->send(discoveryKey, Message(schema::Close())).ok());
    QTRY_COMPARE_WITH_TIMEOUT(pair.serverEvents.messages.size(), messages.size() + 1, Wait);
    QCOMPARE(messageType(pair.serverEvents.messages.back().second), MessageType::Close);
    QTRY_COMPARE_WITH_TIMEOUT(pair.serverEvents.closed.size(), 1u, Wait);
    QCOMPARE(pair.clientEvents.closed.size(), 1u);
    QCOMPARE(pair.serverEvents.endedCount, 0); // live sessions outlive their channels
}

void tst_SessionDriver::exchangesStreamAndChannelExtensions()
{
    Pair pair;
    QVERIFY(establish(pair));
    const Key32 discoveryKey = crypto::discoveryKey(keyOf(0x11));
    auto &client = *pair.client;
    auto &server = *pair.serverDriver;
    const std::optional<Key32> stream;
    const ByteView payload = asView("\x01\x02\x03");

    // Stream scope: the client knows alpha, beta; the server beta, gamma.
    QVERIFY(client.registerExtension(stream, "beta").ok());
    QVERIFY(client.registerExtension(stream, "alpha").ok());
    QVERIFY(server.registerExtension(stream, "gamma").ok());
    QVERIFY(server.registerExtension(stream, "beta").ok());
    QVERIFY(client.sendExtension(stream, "beta", payload).ok());
    QVERIFY(client.sendExtension(stream, "alpha", {}).ok());
    QTRY_COMPARE_WITH_TIMEOUT(pair.serverEvents.extensions.size(), 2u, Wait);
    QCOMPARE(pair.serverEvents.names.size(), 1u);
    QVERIFY(!pair.serverEvents.names[0].discoveryKey);
    QCOMPARE(pair.serverEvents.names[0].names, (std::vector<std::string>{"alpha", "beta"}));
    const auto &beta = pair.serverEvents.extensions[0];
    QVERIFY(!beta.discoveryKey);
    QCOMPARE(beta.name, std::optional<std::string>("beta"));
    QCOMPARE(beta.id, 1u);
    QCOMPARE(beta.payload, QByteArray("\x01\x02\x03"));
    const auto &alpha = pair.serverEvents.extensions[1];
    QCOMPARE(alpha.name, std::nullopt); // the server never registered alpha
    QCOMPARE(alpha.id, 0u);
    QVERIFY(alpha.payload.isEmpty());

    QVERIFY(server.sendExtension(stream, "gamma", payload).ok());
    QTRY_COMPARE_WITH_TIMEOUT(pair.clientEvents.extensions.size(), 1u, Wait);
    QCOMPARE(pair.clientEvents.names[0].names, (std::vector<std::string>{"beta", "gamma"}));
    QCOMPARE(pair.clientEvents.extensions[0].name, std::nullopt);
    QCOMPARE(pair.clientEvents.extensions[0].id, 1u);

    // Channel scope, independent of the stream's names.
    QVERIFY(client.registerExtension(discoveryKey, "chan-a").ok());
    QVERIFY(server.registerExtension(discoveryKey, "chan-a").ok());
    QVERIFY(server.registerExtension(discoveryKey, "chan-0").ok());
    QVERIFY(server.sendExtension(discoveryKey, "chan-a", payload).ok());
    QTRY_COMPARE_WITH_TIMEOUT(pair.clientEvents.extensions.size(), 2u, Wait);
    const auto &channelExtension = pair.clientEvents.extensions[1];
    QCOMPARE(channelExtension.discoveryKey, std::optional(discoveryKey));
    QCOMPARE(channelExtension.name, std::optional<std::string>("chan-a"));
    QCOMPARE(channelExtension.id, 1u); // index in the server's list: chan-0, chan-a
    QCOMPARE(pair.clientEvents.names.back().discoveryKey, std::optional(discoveryKey));
    QCOMPARE(pair.clientEvents.names.back().names, (std::vector<std::string>{"chan-0", "chan-a"}));

    // Refused calls are errors, not the end of the session.
    QCOMPARE(client.sendExtension(stream, "nope", payload).code, ErrorCode::UnknownExtension);
    QCOMPARE(client.registerExtension(keyOf(0x99), "x").code, ErrorCode::UnknownChannel);
    QCOMPARE(pair.clientEvents.endedCount, 0);
}

void tst_SessionDriver::closesChannel()
{
    Pair pair;
    QVERIFY(establish(pair));
    const Key32 discoveryKey = crypto::discoveryKey(keyOf(0x11));
    QVERIFY(pair.serverDriver->closeChannel(discoveryKey).ok());
    QTRY_COMPARE_WITH_TIMEOUT(pair.clientEvents.closed.size(), 1u, Wait);
    QCOMPARE(pair.clientEvents.closed[0].discoveryKey, discoveryKey);
    QCOMPARE(pair.serverEvents.closed.size(), 1u);
    QVERIFY(!pair.clientEvents.messages.empty());
    QCOMPARE(messageType(pair.clientEvents.messages.back().second), MessageType::Close);
    QCOMPARE(pair.client->send(discoveryKey, Message(schema::Want())).code,
             ErrorCode::InvalidArgument); // missing start
    schema::Want want;
    want.set_start(1);
    QCOMPARE(pair.client->send(discoveryKey, Message(want)).code, ErrorCode::UnknownChannel);
    QCOMPARE(pair.clientEvents.endedCount, 0);
}

void tst_SessionDriver::endsCleanlyOnLocalDisconnect()
{
    Pair pair;
    QVERIFY(establish(pair));
    // Something said just before closing still reaches the peer.
    schema::Want want;
    want.set_start(42);
    QVERIFY(pair.client->send(crypto::discoveryKey(keyOf(0x11)), Message(want)).ok());
    pair.client->disconnectFromPeer();
    QTRY_COMPARE_WITH_TIMEOUT(pair.clientEvents.endedCount, 1, Wait);
    QVERIFY(pair.clientEvents.endReason.ok());
    QCOMPARE(pair.clientEvents.endReason.message, std::string("closed locally"));
    QTRY_COMPARE_WITH_TIMEOUT(pair.serverEvents.endedCount, 1, Wait);
    QVERIFY2(pair.serverEvents.endReason.ok(), pair.serverEvents.endReason.message.c_str());
    QVERIFY(!pair.serverEvents.endReason.message.empty());
    QCOMPARE(pair.serverEvents.messages.size(), 1u);
    // The channel was closed for the application on both sides.
    QCOMPARE(pair.clientEvents.closed.size(), 1u);
    QCOMPARE(pair.serverEvents.closed.size(), 1u);

    // ended() is emitted once, and nothing happens after it.
    pair.client->disconnectFromPeer();
    // A negative check: no second ended() may arrive, and there is no event to wait for instead.
    QTest::qWait(50);
    QCOMPARE(pair.clientEvents.endedCount, 1);
    QCOMPARE(pair.serverEvents.endedCount, 1);
    QCOMPARE(pair.client->openChannel(keyOf(0x22)).code, ErrorCode::InvalidState);
    // The server deletes its finished session by itself.
    QPointer<SessionDriver> finished = pair.serverDriver;
    QTRY_VERIFY_WITH_TIMEOUT(!finished, Wait);
    QVERIFY(pair.server.sessions().isEmpty());
}

void tst_SessionDriver::peerDisconnectMidHandshakeIsAnErrorAndServerGoesOn()
{
    SessionServer server;
    QVERIFY(server.listen(QHostAddress::LocalHost, 0));
    Recorder first;
    Recorder second;
    int started = 0;
    connect(&server, &SessionServer::sessionStarted, this,
            [&](SessionDriver *driver) { (++started == 1 ? first : second).attach(driver); });

    // A peer that announces a 32-byte handshake message, sends 4 bytes of it and leaves.
    QTcpSocket raw;
    raw.connectToHost(QHostAddress::LocalHost, server.port());
    QVERIFY(raw.waitForConnected(Wait));
    raw.write(QByteArray::fromHex("2001020304"));
    QVERIFY(raw.waitForBytesWritten(Wait));
    QTRY_COMPARE_WITH_TIMEOUT(first.connected, 1, Wait);
    raw.disconnectFromHost();
    QTRY_COMPARE_WITH_TIMEOUT(first.endedCount, 1, Wait);
    QCOMPARE(first.endReason.code, ErrorCode::ConnectionLost);
    QVERIFY2(QByteArray::fromStdString(first.endReason.message).contains("handshake"),
             first.endReason.message.c_str());

    // The listener still serves.
    QVERIFY(server.isListening());
    EngineOptions options;
    options.initiator = true;
    SessionDriver client(99, options);
    Recorder clientEvents;
    clientEvents.attach(&client);
    client.connectToHost(QStringLiteral("127.0.0.1"), server.port());
    QTRY_VERIFY_WITH_TIMEOUT(clientEvents.handshake && second.handshake, Wait);
    QCOMPARE(clientEvents.endedCount, 0);
}

void tst_SessionDriver::failingPeerLeavesOtherSessionsAlone()
{
    Pair pair;
    QVERIFY(establish(pair));
    Recorder badEvents;
    int badId = 0;
    connect(&pair.server, &SessionServer::sessionStarted, this, [&](SessionDriver *driver) {
        badId = driver->id();
        badEvents.attach(driver);
    });
    // Garbage where a handshake should be: a 0xffff-byte-long varint is not a handshake length.
    QTcpSocket raw;
    raw.connectToHost(QHostAddress::LocalHost, pair.server.port());
    QVERIFY(raw.waitForConnected(Wait));
    raw.write(QByteArray(16, '\xff'));
    QTRY_COMPARE_WITH_TIMEOUT(badEvents.endedCount, 1, Wait);
    QCOMPARE(badEvents.endReason.code, ErrorCode::HandshakeFailed);
    QCOMPARE(badId, 3); // the dialer is 1, its session on the server 2
    QTRY_COMPARE_WITH_TIMEOUT(raw.state(), QAbstractSocket::UnconnectedState, Wait);

    schema::Want want;
    want.set_start(7);
    QVERIFY(pair.client->send(crypto::discoveryKey(keyOf(0x11)), Message(want)).ok());
    QTRY_COMPARE_WITH_TIMEOUT(pair.serverEvents.messages.size(), 1u, Wait);
    QCOMPARE(pair.serverEvents.endedCount, 0);
    QCOMPARE(pair.clientEvents.endedCount, 0);
    QCOMPARE(pair.server.sessions().size(), 1);
}

void tst_SessionDriver::reportsConnectionRefused()
{
    quint16 port = 0;
    {
        QTcpServer probe; // a port that was free a moment ago and has no listener now
        QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
        port = probe.serverPort();
    }
    EngineOptions options;
    options.initiator = true;
    SessionDriver client(1, options);
    Recorder events;
    events.attach(&client);
    client.connectToHost(QStringLiteral("127.0.0.1"), port);
    QTRY_COMPARE_WITH_TIMEOUT(events.endedCount, 1, Wait);
    QCOMPARE(events.connected, 0);
    QCOMPARE(events.endReason.code, ErrorCode::ConnectionLost);
    QCOMPARE(QString::fromStdString(events.endReason.message),
             QStringLiteral("connection to 127.0.0.1:%1 failed: Connection refused").arg(port));
}

void tst_SessionDriver::namesConnectFailuresAndKeepsTheDialedAddress_data()
{
    QTest::addColumn<QString>("host");
    QTest::addColumn<int>("port"); ///< 0: a port that was free a moment ago
    QTest::addColumn<QString>("address");
    QTest::addColumn<QString>("failure");
    QTest::addColumn<int>("code");
    QTest::newRow("refused") << QStringLiteral("127.0.0.1") << 0 << QString() // filled in below
                             << QStringLiteral("connection-refused")
                             << int(ErrorCode::ConnectionLost);
    // RFC 6761: .invalid never resolves, so the lookup fails without a network.
    QTest::newRow("unresolvable") << QStringLiteral("nonexistent.invalid") << 4000
                                  << QStringLiteral("nonexistent.invalid:4000")
                                  << QStringLiteral("host-not-found")
                                  << int(ErrorCode::ConnectionLost);
}

void tst_SessionDriver::namesConnectFailuresAndKeepsTheDialedAddress()
{
    QFETCH(QString, host);
    QFETCH(int, port);
    QFETCH(QString, address);
    QFETCH(QString, failure);
    QFETCH(int, code);
    if (port == 0) {
        QTcpServer probe;
        QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
        port = probe.serverPort();
        address = QStringLiteral("127.0.0.1:%1").arg(port);
    }
    EngineOptions options;
    options.initiator = true;
    SessionDriver client(1, options);
    QSignalSpy addressSpy(&client, &SessionDriver::remoteAddressChanged);
    Recorder events;
    events.attach(&client);
    client.connectToHost(host, quint16(port));
    // The address is known from the moment of dialing, before any answer.
    QCOMPARE(client.remoteAddress(), address);
    QCOMPARE(addressSpy.size(), 1);
    QCOMPARE(addressSpy.at(0).at(0).toString(), address);
    QTRY_COMPARE_WITH_TIMEOUT(events.endedCount, 1, 10000);
    QCOMPARE(events.connected, 0);
    QVERIFY(!client.wasConnected());
    QCOMPARE(int(events.endReason.code), code);
    QCOMPARE(client.transportFailure(), failure);
    QCOMPARE(client.remoteAddress(), address);
    QVERIFY2(QString::fromStdString(events.endReason.message).contains(address),
             events.endReason.message.c_str());
}

void tst_SessionDriver::namesSocketErrors_data()
{
    QTest::addColumn<int>("error");
    QTest::addColumn<bool>("connecting");
    QTest::addColumn<QString>("name");
    using S = QAbstractSocket;
    QTest::newRow("refused") << int(S::ConnectionRefusedError) << true
                             << QStringLiteral("connection-refused");
    QTest::newRow("not found") << int(S::HostNotFoundError) << true
                               << QStringLiteral("host-not-found");
    QTest::newRow("timeout") << int(S::SocketTimeoutError) << true << QStringLiteral("timed-out");
    QTest::newRow("unreachable") << int(S::NetworkError) << true
                                 << QStringLiteral("network-unreachable");
    QTest::newRow("network, later")
        << int(S::NetworkError) << false << QStringLiteral("network-error");
    QTest::newRow("reset") << int(S::RemoteHostClosedError) << false
                           << QStringLiteral("connection-reset");
    QTest::newRow("proxy") << int(S::ProxyConnectionRefusedError) << true
                           << QStringLiteral("proxy-error");
    QTest::newRow("other, connecting")
        << int(S::UnknownSocketError) << true << QStringLiteral("connect-failed");
    QTest::newRow("other, later") << int(S::UnknownSocketError) << false
                                  << QStringLiteral("socket-error");
}

void tst_SessionDriver::namesSocketErrors()
{
    QFETCH(int, error);
    QFETCH(bool, connecting);
    QFETCH(QString, name);
    QCOMPARE(SessionDriver::transportFailureName(QAbstractSocket::SocketError(error), connecting),
             name);
}

void tst_SessionDriver::timesOutSilentPeer()
{
    // A peer that accepts and then says nothing: not even the handshake's second message.
    QTcpServer silent;
    QVERIFY(silent.listen(QHostAddress::LocalHost, 0));
    EngineOptions options = modeOptions(true, true, Millis(300));
    options.initiator = true;
    SessionDriver client(1, options);
    Recorder events;
    events.attach(&client);
    QElapsedTimer clock;
    clock.start();
    client.connectToHost(QStringLiteral("127.0.0.1"), silent.serverPort());
    QTRY_COMPARE_WITH_TIMEOUT(events.endedCount, 1, Wait);
    QCOMPARE(events.connected, 1);
    QCOMPARE(events.endReason.code, ErrorCode::Timeout);
    QVERIFY(client.wasConnected());
    QCOMPARE(client.transportFailure(), QString()); // a silent peer, not a socket failure
    QVERIFY(clock.elapsed() >= 300);
}

void tst_SessionDriver::keepalivesHoldIdleSessionOpen()
{
    Pair pair(modeOptions(true, true, Millis(300)));
    QVERIFY(establish(pair));
    // Silence from the application on both sides: only keepalives (one byte each, encrypted or
    // not) cross, one every 150 ms from each side. Twelve of them in each direction take more than
    // five timeouts, and the sessions must not end while they arrive.
    QElapsedTimer clock;
    clock.start();
    const std::uint64_t clientBefore = pair.client->engine().bytesReceived();
    const std::uint64_t serverBefore = pair.serverDriver->engine().bytesReceived();
    QTRY_VERIFY_WITH_TIMEOUT(pair.clientEvents.endedCount > 0 || pair.serverEvents.endedCount > 0 ||
                                 (pair.client->engine().bytesReceived() >= clientBefore + 12 &&
                                  pair.serverDriver->engine().bytesReceived() >= serverBefore + 12),
                             Wait);
    QCOMPARE(pair.clientEvents.endedCount, 0);
    QCOMPARE(pair.serverEvents.endedCount, 0);
    QVERIFY2(clock.elapsed() >= 1500, qPrintable(QString::number(clock.elapsed())));
}

void tst_SessionDriver::endsSessionWhenPeerStopsReading()
{
    Pair pair(modeOptions(true, true, Millis(0)));
    QVERIFY(establish(pair));
    // Make the server stop reading: its socket buffers a little, then TCP pushes back.
    auto *serverSocket = pair.serverDriver->findChild<QTcpSocket *>();
    QVERIFY(serverSocket);
    serverSocket->setReadBufferSize(64 * 1024);
    serverSocket->blockSignals(true);

    schema::Data data;
    data.set_index(0);
    data.set_value(std::string(1024 * 1024, 'x'));
    const Key32 discoveryKey = crypto::discoveryKey(keyOf(0x11));
    // More than the limit even if the kernel's socket buffers take several MiB of it.
    const std::size_t count = limits::MaxQueuedOutput / (1024 * 1024) + 32;
    for (std::size_t i = 0; i < count && pair.clientEvents.endedCount == 0; ++i) {
        data.set_index(i);
        pair.client->send(discoveryKey, Message(data));
        QCoreApplication::processEvents();
    }
    QTRY_COMPARE_WITH_TIMEOUT(pair.clientEvents.endedCount, 1, Wait);
    QCOMPARE(pair.clientEvents.endReason.code, ErrorCode::OutputOverflow);
    QVERIFY2(QByteArray::fromStdString(pair.clientEvents.endReason.message)
                 .startsWith("peer is not reading: "),
             pair.clientEvents.endReason.message.c_str());
    serverSocket->blockSignals(false);
}

void tst_SessionDriver::serverAllocatesIdsSharedWithDialer()
{
    SessionIds ids;
    QCOMPARE(ids.last(), 0);
    SessionServer server(&ids);
    EngineOptions dialerOptions;
    dialerOptions.initiator = true;
    server.setOptions(dialerOptions);
    QCOMPARE(server.options().initiator, false); // the accepting side is always the responder
    QVERIFY(server.listen(QHostAddress::LocalHost, 0));
    QVERIFY(server.port() != 0);
    QList<int> accepted;
    connect(&server, &SessionServer::sessionStarted, this,
            [&](SessionDriver *driver) { accepted.append(driver->id()); });
    const int dialerId = ids.next();
    QCOMPARE(dialerId, 1);
    QTcpSocket a;
    QTcpSocket b;
    a.connectToHost(QHostAddress::LocalHost, server.port());
    QTRY_COMPARE_WITH_TIMEOUT(accepted.size(), 1, Wait);
    b.connectToHost(QHostAddress::LocalHost, server.port());
    QTRY_COMPARE_WITH_TIMEOUT(accepted.size(), 2, Wait);
    QCOMPARE(accepted, (QList<int>{2, 3}));
    QCOMPARE(server.sessions().size(), 2);

    QString error;
    SessionServer clash;
    QVERIFY(!clash.listen(QHostAddress::LocalHost, server.port(), &error));
    QVERIFY2(error.startsWith(QStringLiteral("cannot listen on 127.0.0.1:%1: ").arg(server.port())),
             qPrintable(error));
    server.close();
    QVERIFY(!server.isListening());
    QCOMPARE(server.sessions().size(), 2); // closing the listener leaves sessions alone
}

void tst_SessionDriver::runsOverAnyDevice()
{
    // Not TCP: a local socket pair. The devices are not owned by the drivers.
    QLocalServer server;
    QVERIFY(
        server.listen(QStringLiteral("hyperscope-tst-%1").arg(QCoreApplication::applicationPid())));
    QLocalSocket dialer;
    dialer.connectToServer(server.fullServerName());
    QVERIFY(server.waitForNewConnection(Wait));
    QLocalSocket *accepted = server.nextPendingConnection();
    QTRY_COMPARE_WITH_TIMEOUT(dialer.state(), QLocalSocket::ConnectedState, Wait);

    EngineOptions options;
    SessionDriver responder(1, options);
    options.initiator = true;
    SessionDriver initiator(2, options);
    Recorder responderEvents;
    Recorder initiatorEvents;
    responderEvents.attach(&responder);
    initiatorEvents.attach(&initiator);
    responder.attachDevice(accepted);
    initiator.attachDevice(&dialer);
    QCOMPARE(responderEvents.connected, 1);
    QCOMPARE(initiatorEvents.connected, 1);
    QTRY_VERIFY_WITH_TIMEOUT(initiatorEvents.handshake && responderEvents.handshake, Wait);
    QVERIFY(initiator.openChannel(keyOf(0x33)).ok());
    QVERIFY(responder.openChannel(keyOf(0x33)).ok());
    QTRY_COMPARE_WITH_TIMEOUT(responderEvents.opened.size(), 1u, Wait);

    initiator.disconnectFromPeer();
    QTRY_COMPARE_WITH_TIMEOUT(initiatorEvents.endedCount, 1, Wait);
    QVERIFY(initiatorEvents.endReason.ok());
    QVERIFY(!dialer.isOpen());
    QTRY_COMPARE_WITH_TIMEOUT(responderEvents.endedCount, 1, Wait);
    QVERIFY2(responderEvents.endReason.ok(), responderEvents.endReason.message.c_str());
}

QTEST_GUILESS_MAIN(tst_SessionDriver)
#include "tst_sessiondriver.moc"
