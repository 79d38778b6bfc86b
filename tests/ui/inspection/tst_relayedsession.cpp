// A relayed session as the inspector holds it, without a widget: SessionManager::relay() between
// two in-process peers over loopback TCP (a dialer plays the client, a SessionServer the
// upstream), the one InspectedSession with its two legs, their rows in the log, the sidebar's
// entry, RelayChannelModel (forwarded, held, released by a key), and injection into one leg.
// Every model under QAbstractItemModelTester.
#include "builders.h"
#include "crypto.h"
#include "inspectedsession.h"
#include "messagelogmodel.h"
#include "relaychannelmodel.h"
#include "sessiondriver.h"
#include "sessionlistmodel.h"
#include "sessionmanager.h"
#include "sessionserver.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTest>

using namespace hyperscope;
using namespace hyperscope::test;

namespace {

constexpr int Timeout = 15000;
using Leg = MessageLogModel::Leg;

/// The upstream: listens on a free loopback port, opens the channels of its keys when asked,
/// and records the messages it receives.
struct Upstream
{
    Upstream()
    {
        QObject::connect(&server, &SessionServer::sessionStarted, &server,
                         [this](SessionDriver *driver) {
                             peer = driver;
                             QObject::connect(driver, &SessionDriver::discoveryKeyReceived, driver,
                                              [this, driver](const Key32 &dk) {
                                                  for (const Key32 &key : keys)
                                                      if (crypto::discoveryKey(key) == dk)
                                                          driver->openChannel(key);
                                              });
                             QObject::connect(driver, &SessionDriver::messageReceived, driver,
                                              [this](const ChannelInfo &, const Message &m) {
                                                  received.append(messageType(m));
                                              });
                         });
        ok = server.listen(QHostAddress::LocalHost, 0);
    }
    SessionServer server;
    QList<Key32> keys;
    QPointer<SessionDriver> peer;
    QList<MessageType> received;
    bool ok = false;
};

Message want(std::uint64_t start)
{
    Message m(std::in_place_type<schema::Want>);
    std::get<schema::Want>(m).set_start(start);
    return m;
}

Message have(std::uint64_t start)
{
    Message m(std::in_place_type<schema::Have>);
    std::get<schema::Have>(m).set_start(start);
    return m;
}

int countRows(MessageLogModel &log, int session, MessageType type, Leg leg, Direction direction)
{
    log.flush();
    int n = 0;
    for (int row = 0; row < log.rowCount(); ++row) {
        const MessageLogModel::Record &r = log.record(row);
        n += r.session == session && r.kind == MessageLogModel::Kind::Frame &&
             r.type == int(type) && r.leg == leg && r.direction() == direction;
    }
    return n;
}

} // namespace

class TestRelayedSession : public QObject
{
    Q_OBJECT
private slots:
    void oneSessionWithTwoLegs();
    void heldChannelIsReleasedByAKey();
    void extensionInjectedIntoOneLeg();
    void relayOnAPortInUseIsExplained();
    void refusedUpstreamEndsTheSessionWithAReason();
};

void TestRelayedSession::oneSessionWithTwoLegs()
{
    const Key32 key = keyOf(0x21);
    Upstream upstream;
    QVERIFY(upstream.ok);
    upstream.keys = {key};

    MessageLogModel log;
    QAbstractItemModelTester logTester(&log,
                                       QAbstractItemModelTester::FailureReportingMode::QtTest);
    SessionManager manager(&log);
    QAbstractItemModelTester listTester(manager.model(),
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
    ConnectionOptions options;
    options.keys = {key};
    QString error;
    Relay *relay = manager.relay(QHostAddress::LocalHost, 0, QStringLiteral("127.0.0.1"),
                                 upstream.server.port(), options, &error);
    QVERIFY2(relay, qPrintable(error));
    QCOMPARE(manager.relays(), QList<Relay *>{relay});
    QSignalSpy added(&manager, &SessionManager::sessionAdded);

    // The client: dials the relay and opens the key.
    EngineOptions clientOptions;
    clientOptions.initiator = true;
    SessionDriver client(1000, clientOptions);
    QList<MessageType> clientReceived;
    connect(&client, &SessionDriver::transportConnected, &client,
            [&client, key] { client.openChannel(key); });
    connect(&client, &SessionDriver::messageReceived, &client,
            [&clientReceived](const ChannelInfo &, const Message &m) {
                clientReceived.append(messageType(m));
            });
    client.connectToHost(QStringLiteral("127.0.0.1"), relay->port());

    QTRY_COMPARE_WITH_TIMEOUT(added.size(), 1, Timeout);
    QCOMPARE(manager.sessions().size(), 1); // one entry for both legs
    InspectedSession *session = manager.sessions().first();
    QVERIFY(session->isRelayed());
    QCOMPARE(session->leg(), Leg::Client);
    InspectedSession *server = session->serverLeg();
    QVERIFY(server);
    QCOMPARE(server->leg(), Leg::Server);
    QCOMPARE(server->id(), session->id());
    QCOMPARE(server->relayRoot(), session);
    QCOMPARE(session->legSession(Leg::Server), server);
    QCOMPARE(server->legSession(Leg::Client), session);

    RelayChannelModel channels(session);
    QAbstractItemModelTester channelTester(&channels,
                                           QAbstractItemModelTester::FailureReportingMode::QtTest);
    QTRY_VERIFY_WITH_TIMEOUT(session->state() == InspectedSession::State::Open, Timeout);
    QVERIFY(session->handshake().complete && server->handshake().complete);
    QTRY_COMPARE_WITH_TIMEOUT(channels.rowCount(), 1, Timeout);
    QTRY_COMPARE_WITH_TIMEOUT(channels.forwarding(0), RelayChannelModel::Forwarding::Forwarded,
                              Timeout);
    QCOMPARE(channels.discoveryKey(0), crypto::discoveryKey(key));
    QCOMPARE(channels.index(0, RelayChannelModel::ForwardingColumn).data().toString(),
             QStringLiteral("forwarded"));
    // Each leg's ids: the peer's and the relay's.
    QVERIFY2(channels.index(0, RelayChannelModel::ClientIdsColumn)
                 .data()
                 .toString()
                 .startsWith(QStringLiteral("client ")),
             qPrintable(channels.index(0, RelayChannelModel::ClientIdsColumn).data().toString()));
    QVERIFY(channels.index(0, RelayChannelModel::ServerIdsColumn)
                .data()
                .toString()
                .contains(QStringLiteral("relay ")));

    // The sidebar: one row naming both peers, a line per leg.
    manager.model()->refresh();
    const QModelIndex entry = manager.model()->index(0, 0);
    QCOMPARE(entry.siblingAtColumn(SessionListModel::PeerColumn).data().toString(),
             session->relayText());
    QVERIFY(session->relayText().endsWith(
        QStringLiteral(" → 127.0.0.1:%1").arg(upstream.server.port())));
    const QStringList lines = entry.data(SessionListModel::SubtitleRole).toString().split(u'\n');
    QCOMPARE(lines.size(), 3);
    QVERIFY2(lines[1].startsWith(QStringLiteral("client · open · ↓ ")), qPrintable(lines[1]));
    QVERIFY2(lines[2].startsWith(QStringLiteral("server · open · ↓ ")), qPrintable(lines[2]));
    QVERIFY2(lines[2].endsWith(QStringLiteral(" · 127.0.0.1:%1").arg(upstream.server.port())),
             qPrintable(lines[2]));

    // Forwarded: the client's Want arrives on the client leg and leaves on the server leg.
    QVERIFY(client.send(crypto::discoveryKey(key), want(4)).ok());
    QTRY_VERIFY_WITH_TIMEOUT(upstream.received.contains(MessageType::Want), Timeout);
    QTRY_COMPARE_WITH_TIMEOUT(
        countRows(log, session->id(), MessageType::Want, Leg::Server, Direction::Outbound), 1,
        Timeout);
    QCOMPARE(countRows(log, session->id(), MessageType::Want, Leg::Client, Direction::Inbound), 1);

    // Injected into the server leg: the upstream gets it, the client does not. The upstream's
    // Want afterwards, forwarded to the client, comes after anything sent to the client first.
    QCOMPARE(server->send(crypto::discoveryKey(key), have(9)), QString());
    QTRY_VERIFY_WITH_TIMEOUT(upstream.received.contains(MessageType::Have), Timeout);
    QVERIFY(upstream.peer);
    QVERIFY(upstream.peer->send(crypto::discoveryKey(key), want(1)).ok());
    QTRY_VERIFY_WITH_TIMEOUT(clientReceived.contains(MessageType::Want), Timeout);
    QVERIFY(!clientReceived.contains(MessageType::Have));
    QCOMPARE(countRows(log, session->id(), MessageType::Have, Leg::Server, Direction::Outbound), 1);
    QCOMPARE(countRows(log, session->id(), MessageType::Have, Leg::Client, Direction::Outbound), 0);
    // The relay announces no extensions of its own; a name the other peer never announced
    // cannot be sent.
    QVERIFY(!session->registerExtension(std::nullopt, QStringLiteral("x")).isEmpty());
    QVERIFY(server->sendExtension(std::nullopt, QStringLiteral("x"), "hi")
                .contains(QStringLiteral("not among")));

    // Disconnect ends both legs cleanly.
    session->disconnectFromPeer();
    QTRY_COMPARE_WITH_TIMEOUT(session->state(), InspectedSession::State::Ended, Timeout);
    QVERIFY2(!session->endedWithError(), qPrintable(session->endReason()));
    QVERIFY2(!server->endedWithError(), qPrintable(server->endReason()));
}

void TestRelayedSession::heldChannelIsReleasedByAKey()
{
    const Key32 key = keyOf(0x42);
    Upstream upstream;
    QVERIFY(upstream.ok);
    upstream.keys = {key};
    MessageLogModel log;
    SessionManager manager(&log);
    QString error;
    Relay *relay = manager.relay(QHostAddress::LocalHost, 0, QStringLiteral("127.0.0.1"),
                                 upstream.server.port(), ConnectionOptions(), &error);
    QVERIFY2(relay, qPrintable(error));

    EngineOptions clientOptions;
    clientOptions.initiator = true;
    SessionDriver client(1000, clientOptions);
    connect(&client, &SessionDriver::transportConnected, &client,
            [&client, key] { client.openChannel(key); });
    client.connectToHost(QStringLiteral("127.0.0.1"), relay->port());
    QTRY_COMPARE_WITH_TIMEOUT(manager.sessions().size(), 1, Timeout);
    InspectedSession *session = manager.sessions().first();

    // The relay lacks the key: the client's Open is held, reported on the client leg.
    RelayChannelModel channels(session->serverLeg()); // from either leg's object
    QAbstractItemModelTester channelTester(&channels,
                                           QAbstractItemModelTester::FailureReportingMode::QtTest);
    QCOMPARE(channels.session(), session);
    QTRY_COMPARE_WITH_TIMEOUT(session->heldChannels().size(), std::size_t(1), Timeout);
    QTRY_COMPARE_WITH_TIMEOUT(channels.rowCount(), 1, Timeout);
    QCOMPARE(channels.forwarding(0), RelayChannelModel::Forwarding::Held);
    QCOMPARE(channels.heldOn(0), QStringLiteral("client"));
    QVERIFY(channels.index(0, 0).data(RelayChannelModel::HeldRole).toBool());
    QCOMPARE(channels.index(0, RelayChannelModel::ServerStateColumn).data().toString(),
             QStringLiteral("not opened"));
    QVERIFY(channels.index(0, RelayChannelModel::ForwardingColumn)
                .data(Qt::ToolTipRole)
                .toString()
                .contains(QStringLiteral("Add Key")));
    log.flush();
    bool warned = false;
    for (int row = 0; row < log.rowCount(); ++row) {
        const MessageLogModel::Record &r = log.record(row);
        warned |=
            r.kind == MessageLogModel::Kind::Warning && r.leg == Leg::Client &&
            log.noteText(r).contains(QString::fromStdString(toHex(crypto::discoveryKey(key))));
    }
    QVERIFY(warned);
    QVERIFY(session->warnings() >= 1);

    // Adding the key (what the Channels tab's Add Key does) opens it on both legs.
    QCOMPARE(session->openChannel(key), QString());
    QTRY_COMPARE_WITH_TIMEOUT(channels.forwarding(0), RelayChannelModel::Forwarding::Forwarded,
                              Timeout);
    QVERIFY(session->heldChannels().empty());
}

void TestRelayedSession::extensionInjectedIntoOneLeg()
{
    // The server announces the stream extension "hello" and sends one; the relay forwards its
    // Options and the message to the client. Then the extension pane on the client leg sends
    // "hello" by the id the client heard (the server's).
    Upstream upstream;
    QVERIFY(upstream.ok);
    connect(&upstream.server, &SessionServer::sessionStarted, &upstream.server,
            [](SessionDriver *driver) {
                // Names are announced (Options) with the first extension message.
                connect(driver, &SessionDriver::handshakeCompleted, driver, [driver] {
                    driver->registerExtension(std::nullopt, "hello");
                    const QByteArray payload("from the server");
                    driver->sendExtension(
                        std::nullopt, "hello",
                        {reinterpret_cast<const std::uint8_t *>(payload.constData()),
                         std::size_t(payload.size())});
                });
            });
    MessageLogModel log;
    SessionManager manager(&log);
    QString error;
    Relay *relay = manager.relay(QHostAddress::LocalHost, 0, QStringLiteral("127.0.0.1"),
                                 upstream.server.port(), ConnectionOptions(), &error);
    QVERIFY2(relay, qPrintable(error));

    EngineOptions clientOptions;
    clientOptions.initiator = true;
    SessionDriver client(1000, clientOptions);
    connect(&client, &SessionDriver::handshakeCompleted, &client,
            [&client] { client.registerExtension(std::nullopt, "hello"); });
    QList<QPair<QString, QByteArray>> received;
    connect(&client, &SessionDriver::extensionReceived, &client,
            [&received](const std::optional<Key32> &, const std::optional<std::string> &name,
                        quint64, const QByteArray &payload) {
                received.append({QString::fromStdString(name.value_or("")), payload});
            });
    client.connectToHost(QStringLiteral("127.0.0.1"), relay->port());
    QTRY_COMPARE_WITH_TIMEOUT(manager.sessions().size(), 1, Timeout);
    InspectedSession *session = manager.sessions().first();
    QTRY_VERIFY_WITH_TIMEOUT(session->serverLeg()
                                 ->extensions()
                                 ->remoteNames(std::nullopt)
                                 .contains(QStringLiteral("hello")),
                             Timeout);
    QCOMPARE(session->sendExtension(std::nullopt, QStringLiteral("hello"), "hi there"), QString());
    QTRY_COMPARE_WITH_TIMEOUT(received.size(), 2, Timeout);
    QCOMPARE(received[0], qMakePair(QStringLiteral("hello"), QByteArray("from the server")));
    QCOMPARE(received[1], qMakePair(QStringLiteral("hello"), QByteArray("hi there")));
    // On the client leg only: the log shows the forwarded one and ours leaving there, nothing
    // leaving on the server leg.
    log.flush();
    int clientOut = 0;
    int serverOut = 0;
    for (int row = 0; row < log.rowCount(); ++row) {
        const MessageLogModel::Record &r = log.record(row);
        if (r.kind != MessageLogModel::Kind::Frame || r.type != 15 ||
            r.direction() != Direction::Outbound)
            continue;
        clientOut += r.leg == Leg::Client;
        serverOut += r.leg == Leg::Server;
    }
    QCOMPARE(clientOut, 2);
    QCOMPARE(serverOut, 0);
}

void TestRelayedSession::relayOnAPortInUseIsExplained()
{
    Upstream upstream;
    QVERIFY(upstream.ok);
    MessageLogModel log;
    SessionManager manager(&log);
    QString error;
    // The upstream's own port is taken.
    QVERIFY(!manager.relay(QHostAddress::LocalHost, upstream.server.port(),
                           QStringLiteral("127.0.0.1"), upstream.server.port(), ConnectionOptions(),
                           &error));
    QVERIFY2(error.contains(QString::number(upstream.server.port())), qPrintable(error));
    QVERIFY(manager.relays().isEmpty());
    // An ordinary session's object is no relay.
    RelayChannelModel none(nullptr);
    QCOMPARE(none.rowCount(), 0);
}

void TestRelayedSession::refusedUpstreamEndsTheSessionWithAReason()
{
    // An upstream nobody listens on: the client leg ends with an error naming it, the relay
    // goes on listening.
    quint16 closed = 0;
    {
        QTcpServer probe;
        QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
        closed = probe.serverPort();
    }
    MessageLogModel log;
    SessionManager manager(&log);
    QSignalSpy errors(&manager, &SessionManager::errorOccurred);
    QString error;
    Relay *relay = manager.relay(QHostAddress::LocalHost, 0, QStringLiteral("127.0.0.1"), closed,
                                 ConnectionOptions(), &error);
    QVERIFY2(relay, qPrintable(error));
    EngineOptions clientOptions;
    clientOptions.initiator = true;
    SessionDriver client(1000, clientOptions);
    client.connectToHost(QStringLiteral("127.0.0.1"), relay->port());
    QTRY_COMPARE_WITH_TIMEOUT(manager.sessions().size(), 1, Timeout);
    InspectedSession *session = manager.sessions().first();
    QTRY_COMPARE_WITH_TIMEOUT(session->state(), InspectedSession::State::Ended, Timeout);
    // Ended means reported, with its reason.
    QVERIFY2(session->endedWithError(),
             qPrintable(QStringLiteral("client leg: '%1', server leg: '%2'")
                            .arg(session->endReason(), session->serverLeg()->endReason())));
    const QString upstream = QStringLiteral("127.0.0.1:%1").arg(closed);
    QVERIFY2(session->endReason().contains(upstream), qPrintable(session->endReason()));
    QVERIFY(session->serverLeg()->endedWithError());
    QTRY_VERIFY_WITH_TIMEOUT(!errors.isEmpty(), Timeout);
    QVERIFY2(errors.first().first().toString().contains(upstream),
             qPrintable(errors.first().first().toString()));
    QVERIFY(relay->isListening());
    QCOMPARE(manager.relays(), QList<Relay *>{relay});
    // The sidebar says so for both legs.
    manager.model()->refresh();
    const QStringList lines =
        manager.model()->index(0, 0).data(SessionListModel::SubtitleRole).toString().split(u'\n');
    QCOMPARE(lines.size(), 3);
    QVERIFY2(lines[1].startsWith(QStringLiteral("client · failed")), qPrintable(lines[1]));
    QVERIFY2(lines[2].startsWith(QStringLiteral("server · failed")), qPrintable(lines[2]));
}

QTEST_MAIN(TestRelayedSession)
#include "tst_relayedsession.moc"
