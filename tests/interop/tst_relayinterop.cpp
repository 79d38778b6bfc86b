// The relay (issue 10) between real peers over real loopback TCP:
//  - two reference peers (npm hypercore-protocol@8.0.7, refpeer.js) through the relay, with and
//    without transport encryption: handshakes on both legs, channels opened in both orders,
//    every message type both ways arriving exactly as sent, stream and channel extensions with
//    differing name sets, channel close both ways, the session ending from either side,
//    keepalives per leg with a short timeout, one leg delivered one byte at a time, and
//    messages, extensions and a close injected into each leg by the relay's commands;
//  - a real application: two hypercore 9 nodes (npm hypercore@9.12.0, feed-source.js and
//    feed-clone.js) replicating a signed feed through the relay, with the key given up front
//    and with the key given later (the Open held, reported, then released by the key command);
//    one of two clones killed mid-transfer (its pair ends on both legs, the other completes);
//  - an upstream that refuses: each client's leg is closed with an error naming it, and the
//    listener stays up.
//
// The relay under test is `hyperscope-cli relay`, the contract of issue 10; with the CMake
// option HYPERSCOPE_RELAYINTEROP_HELPER it is relayhelper (the C++ Relay alone, the same
// events; injection is then skipped, the helper has no such commands), so the core can be
// checked on its own.
#include "interoppeer.h"

#include "builders.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>
#include <QtTest>

#include <memory>

using hyperscope::test::discoveryKeyHex;
using hyperscope::test::InteropPeer;
using hyperscope::test::startHypercoreScript;

namespace {

const QString keyOne = QString(64, '1').replace(0, 2, "a1");
const QString keyTwo = QString(64, '2').replace(0, 2, "b2");

QJsonObject object(const char *json)
{
    return QJsonDocument::fromJson(json).object();
}

/// One message of every type Options..Data with every field set, in the contract's JSON shape.
QList<QPair<QString, QJsonObject>> everyMessage(int variant)
{
    const QString hash(64, variant ? 'c' : '1'), signature(128, variant ? 'd' : '2');
    QJsonObject data{{"index", 5 + variant}, {"value", "68656c6c6f"}, {"signature", signature}};
    data["nodes"] = QJsonArray{QJsonObject{{"index", 10}, {"hash", hash}, {"size", 5}},
                               QJsonObject{{"index", 13}, {"hash", hash}, {"size", 10}}};
    const auto withVariant = [variant](QJsonObject message) {
        // The two directions differ, so a message echoed back by mistake is not taken for the
        // one expected.
        for (auto it = message.begin(); it != message.end(); ++it) {
            if (it.value().isDouble())
                it.value() = it.value().toInt() + 100 * variant;
        }
        return message;
    };
    return {
        {"Options", object(variant ? R"({"extensions":["opt-z"],"ack":false})"
                                   : R"({"extensions":["opt-a","opt-b"],"ack":true})")},
        {"Status", object(variant ? R"({"uploading":false,"downloading":true})"
                                  : R"({"uploading":true,"downloading":false})")},
        {"Have", withVariant(object(R"({"start":3,"length":10,"bitfield":"ff0f","ack":true})"))},
        {"Have", withVariant(object(R"({"start":7})"))}, // length absent: stays absent
        {"Unhave", withVariant(object(R"({"start":4,"length":2})"))},
        {"Want", withVariant(object(R"({"start":0,"length":1024})"))},
        {"Unwant", withVariant(object(R"({"start":1,"length":2})"))},
        {"Request", withVariant(object(R"({"index":5,"bytes":300,"hash":true,"nodes":2})"))},
        {"Cancel", withVariant(object(R"({"index":5,"bytes":300,"hash":false})"))},
        {"Data", data},
    };
}

bool isEvent(const QJsonObject &e, const char *event)
{
    return e["event"].toString() == QLatin1String(event);
}

bool onLeg(const QJsonObject &e, const char *event, const char *leg)
{
    return isEvent(e, event) && e["leg"].toString() == QLatin1String(leg);
}

/// A TCP forwarder that passes bytes on one at a time in each direction, each byte its own
/// write with Nagle off, so the far end receives the stream in 1-byte pieces. Stands between a
/// peer and the relay to show that the relay's leg reassembles frames (and handshake messages)
/// from any split.
class Dribbler : public QObject
{
public:
    explicit Dribbler(quint16 targetPort)
        : m_targetPort(targetPort)
    {
        m_server.listen(QHostAddress::LocalHost, 0);
        connect(&m_server, &QTcpServer::newConnection, this, [this] {
            m_in = m_server.nextPendingConnection();
            m_server.close(); // one connection only
            m_in->setSocketOption(QAbstractSocket::LowDelayOption, 1);
            connect(m_in, &QTcpSocket::readyRead, this, [this] { m_toOut += m_in->readAll(); });
            connect(m_in, &QTcpSocket::disconnected, this, [this] { m_inGone = true; });
            m_out.setSocketOption(QAbstractSocket::LowDelayOption, 1);
            m_out.connectToHost(QHostAddress::LocalHost, m_targetPort);
        });
        connect(&m_out, &QTcpSocket::readyRead, this, [this] { m_toIn += m_out.readAll(); });
        connect(&m_out, &QTcpSocket::disconnected, this, [this] { m_outGone = true; });
        m_tick.setInterval(0);
        connect(&m_tick, &QTimer::timeout, this, &Dribbler::step);
        m_tick.start();
    }

    quint16 port() const { return m_server.serverPort(); }
    qint64 bytesToTarget() const { return m_writesToTarget; }
    qint64 bytesToPeer() const { return m_writesToPeer; }

private:
    void step()
    {
        if (!m_in)
            return;
        if (!m_toOut.isEmpty() && m_out.state() == QAbstractSocket::ConnectedState) {
            m_out.write(m_toOut.first(1));
            m_out.flush();
            m_toOut.remove(0, 1);
            ++m_writesToTarget;
        }
        if (!m_toIn.isEmpty() && m_in->state() == QAbstractSocket::ConnectedState) {
            m_in->write(m_toIn.first(1));
            m_in->flush();
            m_toIn.remove(0, 1);
            ++m_writesToPeer;
        }
        // An end passes on once everything before it was delivered.
        if (m_inGone && m_toOut.isEmpty() && m_out.state() == QAbstractSocket::ConnectedState)
            m_out.disconnectFromHost();
        if (m_outGone && m_toIn.isEmpty() && m_in->state() == QAbstractSocket::ConnectedState)
            m_in->disconnectFromHost();
    }

    quint16 m_targetPort;
    QTcpServer m_server;
    QTcpSocket *m_in = nullptr; // owned by m_server
    QTcpSocket m_out;
    QByteArray m_toOut, m_toIn;
    bool m_inGone = false, m_outGone = false;
    QTimer m_tick;
    qint64 m_writesToTarget = 0, m_writesToPeer = 0;
};

/// Two reference peers and the relay between them: client (dials) -> relay -> server (listens).
struct Trio
{
    std::unique_ptr<InteropPeer> server, relay, client;
    std::unique_ptr<Dribbler> dribbler; ///< Between client and relay, when asked for.

    QString transcript() const
    {
        return client->transcript() + "\n" + relay->transcript() + "\n" + server->transcript();
    }
};

} // namespace

class TestRelayInterop : public QObject
{
    Q_OBJECT

    /// Starts the server peer, the relay (upstream: the server) and the client peer (dialing the
    /// relay, through a Dribbler when @p dribble). Fails the test when a listener does not come up.
    static bool startTrio(Trio &trio, const QStringList &mode, const QStringList &relayExtra,
                          const QStringList &serverExtra, const QStringList &clientExtra,
                          bool dribble = false)
    {
        trio.server =
            std::make_unique<InteropPeer>(InteropPeer::Kind::Reference, "server(reference)");
        trio.relay = std::make_unique<InteropPeer>(InteropPeer::Kind::Hyperscope, "relay");
        trio.client =
            std::make_unique<InteropPeer>(InteropPeer::Kind::Reference, "client(reference)");
        trio.server->start(QStringList{"listen", "--port", "0", "--once"} + mode + serverExtra);
        const int serverPort = trio.server->waitFor("listening", 15000)["port"].toInt();
        if (serverPort <= 0) {
            qWarning().noquote() << trio.server->transcript();
            return false;
        }
        trio.relay->start(QStringList{"relay", "--port", "0", "--upstream",
                                      QString("127.0.0.1:%1").arg(serverPort)} +
                          mode + relayExtra);
        int relayPort = trio.relay->waitFor("listening", 15000)["port"].toInt();
        if (relayPort <= 0) {
            qWarning().noquote() << trio.relay->transcript();
            return false;
        }
        if (dribble) {
            trio.dribbler = std::make_unique<Dribbler>(quint16(relayPort));
            relayPort = trio.dribbler->port();
        }
        trio.client->start(QStringList{"connect", QString("127.0.0.1:%1").arg(relayPort)} + mode +
                           clientExtra);
        return true;
    }

    /// Waits for both legs' handshakes, then checks that each peer saw the relay's static key.
    static void checkHandshakes(const Trio &t)
    {
        const QJsonObject clientHandshake = t.client->waitFor("handshake");
        const QJsonObject serverHandshake = t.server->waitFor("handshake");
        const QJsonObject relayClient =
            t.relay->waitFor([](const QJsonObject &e) { return onLeg(e, "handshake", "client"); });
        const QJsonObject relayServer =
            t.relay->waitFor([](const QJsonObject &e) { return onLeg(e, "handshake", "server"); });
        QVERIFY2(!clientHandshake.isEmpty() && !serverHandshake.isEmpty() &&
                     !relayClient.isEmpty() && !relayServer.isEmpty(),
                 qPrintable(t.transcript()));
        // Each peer talks to the relay, whose static key is the same on both legs; the legs are
        // two handshakes, so their hashes differ.
        QCOMPARE(clientHandshake["remotePublicKey"], relayClient["publicKey"]);
        QCOMPARE(serverHandshake["remotePublicKey"], relayServer["publicKey"]);
        QCOMPARE(relayClient["publicKey"], relayServer["publicKey"]);
        QCOMPARE(relayClient["remotePublicKey"], clientHandshake["publicKey"]);
        QCOMPARE(relayServer["remotePublicKey"], serverHandshake["publicKey"]);
        QVERIFY(clientHandshake["handshakeHash"] != serverHandshake["handshakeHash"]);
        QCOMPARE(relayClient["session"], relayServer["session"]);
    }

    /// Opens @p keyHex on @p first, then (once the far peer saw its discovery key through the
    /// relay) on @p second; waits until both peers report the channel.
    static void openChannel(const Trio &t, InteropPeer *first, InteropPeer *second,
                            const QString &keyHex)
    {
        const QString dk = discoveryKeyHex(keyHex);
        first->send({{"cmd", "open"}, {"key", keyHex}});
        QVERIFY2(!second
                      ->waitFor([&](const QJsonObject &e) {
                          return isEvent(e, "discovery-key") && e["discoveryKey"] == dk;
                      })
                      .isEmpty(),
                 qPrintable(t.transcript()));
        // Not opened yet on the second peer: it has only heard of the channel.
        QVERIFY(second
                    ->waitFor(
                        [&](const QJsonObject &e) {
                            return isEvent(e, "channel") && e["discoveryKey"] == dk;
                        },
                        0)
                    .isEmpty());
        second->send({{"cmd", "open"}, {"key", keyHex}});
        for (InteropPeer *peer : {first, second}) {
            QVERIFY2(!peer->waitFor([&](const QJsonObject &e) {
                              return isEvent(e, "channel") && e["discoveryKey"] == dk;
                          })
                          .isEmpty(),
                     qPrintable(t.transcript()));
        }
        // The relay established it on both legs.
        for (const char *leg : {"client", "server"}) {
            QVERIFY2(!t.relay
                          ->waitFor([&](const QJsonObject &e) {
                              return onLeg(e, "channel", leg) && e["discoveryKey"] == dk;
                          })
                          .isEmpty(),
                     qPrintable(t.transcript()));
        }
    }

    /// Sends every message type from @p from on @p keyHex and checks that @p to receives each
    /// one exactly as sent (the same fields present, the same values), in order, and that the
    /// relay reported each on @p fromLeg before forwarding it.
    static void everyMessageCrosses(const Trio &t, InteropPeer *from, InteropPeer *to,
                                    const char *fromLeg, const QString &keyHex, int variant)
    {
        const QString dk = discoveryKeyHex(keyHex);
        const auto messages = everyMessage(variant);
        const auto countOn = [&](InteropPeer *peer, auto match) {
            int n = 0;
            for (const QJsonObject &e : peer->events())
                n += match(e) ? 1 : 0;
            return n;
        };
        const auto received = [&](const QJsonObject &e) {
            return isEvent(e, "message") && e["discoveryKey"] == dk && e["type"] != "Open" &&
                   e["type"] != "Close";
        };
        const auto relayed = [&](const QJsonObject &e) {
            return onLeg(e, "message", fromLeg) && e["discoveryKey"] == dk && e["type"] != "Open" &&
                   e["type"] != "Close";
        };
        const int receivedBefore = countOn(to, received);
        const int relayedBefore = countOn(t.relay.get(), relayed);
        for (const auto &[type, message] : messages) {
            from->send({{"cmd", "send"}, {"key", keyHex}, {"type", type}, {"message", message}});
        }
        const qsizetype expected = messages.size();
        QVERIFY2(QTest::qWaitFor([&] { return countOn(to, received) >= receivedBefore + expected; },
                                 10000),
                 qPrintable(t.transcript()));
        QVERIFY2(
            QTest::qWaitFor(
                [&] { return countOn(t.relay.get(), relayed) >= relayedBefore + expected; }, 10000),
            qPrintable(t.transcript()));
        QList<QJsonObject> arrived, reported;
        for (const QJsonObject &e : to->events()) {
            if (received(e))
                arrived << e;
        }
        for (const QJsonObject &e : t.relay->events()) {
            if (relayed(e))
                reported << e;
        }
        arrived = arrived.mid(receivedBefore);
        reported = reported.mid(relayedBefore);
        QCOMPARE(arrived.size(), expected); // nothing more either
        for (qsizetype i = 0; i < expected; ++i) {
            const auto &[type, message] = messages[i];
            QCOMPARE(arrived[i]["type"].toString(), type);
            QCOMPARE(arrived[i]["message"].toObject(), message);
            QCOMPARE(reported[i]["type"].toString(), type);
            QCOMPARE(reported[i]["message"].toObject(), message);
        }
    }

    static void addModes()
    {
        QTest::addColumn<QStringList>("mode");
        QTest::addRow("encrypted") << QStringList{};
        QTest::addRow("no-encrypt") << QStringList{"--no-encrypt"};
    }

private slots:
    void twoReferencePeersTalkThroughTheRelay_data() { addModes(); }
    void twoReferencePeersTalkThroughTheRelay()
    {
        QFETCH(QStringList, mode);
        Trio t;
        // Stream extensions with differing name sets: "gamma" is id 2 for the client and id 0
        // for the server; "alpha" only the client knows.
        QVERIFY(startTrio(t, mode, {"--key", keyOne, "--key", keyTwo},
                          {"--extension", "gamma", "--extension", "zeta"},
                          {"--extension", "alpha", "--extension", "beta", "--extension", "gamma"}));
        checkHandshakes(t);
        if (QTest::currentTestFailed())
            return;

        // Channels opened in both orders: keyOne by the client first, keyTwo by the server.
        openChannel(t, t.client.get(), t.server.get(), keyOne);
        if (QTest::currentTestFailed())
            return;
        openChannel(t, t.server.get(), t.client.get(), keyTwo);
        if (QTest::currentTestFailed())
            return;

        // Every message type both ways, on both channels.
        everyMessageCrosses(t, t.client.get(), t.server.get(), "client", keyOne, 0);
        if (QTest::currentTestFailed())
            return;
        everyMessageCrosses(t, t.server.get(), t.client.get(), "server", keyOne, 1);
        if (QTest::currentTestFailed())
            return;
        everyMessageCrosses(t, t.server.get(), t.client.get(), "server", keyTwo, 0);
        if (QTest::currentTestFailed())
            return;
        everyMessageCrosses(t, t.client.get(), t.server.get(), "client", keyTwo, 1);
        if (QTest::currentTestFailed())
            return;

        // Stream extensions: each side resolves the other's ids against the names it heard,
        // which the relay forwarded verbatim.
        t.client->send({{"cmd", "extension"}, {"name", "gamma"}, {"payload", "c0ffee"}});
        const QJsonObject gammaAtServer = t.server->waitFor([](const QJsonObject &e) {
            return isEvent(e, "extension") && !e.contains("discoveryKey") &&
                   e["payload"] == "c0ffee";
        });
        QVERIFY2(!gammaAtServer.isEmpty(), qPrintable(t.transcript()));
        QCOMPARE(gammaAtServer["name"].toString(), QString("gamma"));
        QCOMPARE(gammaAtServer["id"].toInt(), 2); // the client's id for gamma
        t.client->send({{"cmd", "extension"}, {"name", "alpha"}, {"payload", "a1"}});
        const QJsonObject alphaAtServer = t.server->waitFor([](const QJsonObject &e) {
            return isEvent(e, "extension") && !e.contains("discoveryKey") && e["payload"] == "a1";
        });
        QVERIFY2(!alphaAtServer.isEmpty(), qPrintable(t.transcript()));
        QVERIFY(alphaAtServer["name"].isNull()); // the server has no "alpha"
        QCOMPARE(alphaAtServer["id"].toInt(), 0);
        t.server->send({{"cmd", "extension"}, {"name", "gamma"}, {"payload", "beef"}});
        const QJsonObject gammaAtClient = t.client->waitFor([](const QJsonObject &e) {
            return isEvent(e, "extension") && !e.contains("discoveryKey") && e["payload"] == "beef";
        });
        QVERIFY2(!gammaAtClient.isEmpty(), qPrintable(t.transcript()));
        QCOMPARE(gammaAtClient["name"].toString(), QString("gamma"));
        QCOMPARE(gammaAtClient["id"].toInt(), 0); // the server's id for gamma
        // The relay reported the stream names of each side and the extension frames.
        QVERIFY2(!t.relay
                      ->waitFor([](const QJsonObject &e) {
                          return onLeg(e, "extensions", "client") && !e.contains("discoveryKey") &&
                                 e["names"].toArray() == QJsonArray{"alpha", "beta", "gamma"};
                      })
                      .isEmpty(),
                 qPrintable(t.transcript()));
        QVERIFY2(!t.relay
                      ->waitFor([](const QJsonObject &e) {
                          return onLeg(e, "extension", "client") && e["id"] == 2 &&
                                 e["payload"] == "c0ffee";
                      })
                      .isEmpty(),
                 qPrintable(t.transcript()));

        // Channel extensions on keyTwo, differing sets: the server announces [c-one, c-two]
        // and sends c-two (id 1); the client knows only c-two.
        const QString dkTwo = discoveryKeyHex(keyTwo);
        t.client->send({{"cmd", "register"}, {"key", keyTwo}, {"name", "c-two"}});
        t.server->send({{"cmd", "register"}, {"key", keyTwo}, {"name", "c-one"}});
        t.server->send(
            {{"cmd", "extension"}, {"key", keyTwo}, {"name", "c-two"}, {"payload", "0102"}});
        const QJsonObject channelExt = t.client->waitFor([&](const QJsonObject &e) {
            return isEvent(e, "extension") && e["discoveryKey"] == dkTwo && e["payload"] == "0102";
        });
        QVERIFY2(!channelExt.isEmpty(), qPrintable(t.transcript()));
        QCOMPARE(channelExt["name"].toString(), QString("c-two"));
        QCOMPARE(channelExt["id"].toInt(), 1);
        t.client->send(
            {{"cmd", "extension"}, {"key", keyTwo}, {"name", "c-two"}, {"payload", "0304"}});
        const QJsonObject channelExtBack = t.server->waitFor([&](const QJsonObject &e) {
            return isEvent(e, "extension") && e["discoveryKey"] == dkTwo && e["payload"] == "0304";
        });
        QVERIFY2(!channelExtBack.isEmpty(), qPrintable(t.transcript()));
        QCOMPARE(channelExtBack["name"].toString(), QString("c-two"));
        QCOMPARE(channelExtBack["id"].toInt(), 0); // the client's only name

        // Close both ways: keyOne by the client, keyTwo by the server.
        const QString dkOne = discoveryKeyHex(keyOne);
        t.client->send({{"cmd", "close"}, {"key", keyOne}});
        QVERIFY2(!t.server
                      ->waitFor([&](const QJsonObject &e) {
                          return isEvent(e, "close") && e["discoveryKey"] == dkOne;
                      })
                      .isEmpty(),
                 qPrintable(t.transcript()));
        t.server->send({{"cmd", "close"}, {"key", keyTwo}});
        QVERIFY2(!t.client
                      ->waitFor([&](const QJsonObject &e) {
                          return isEvent(e, "close") && e["discoveryKey"] == dkTwo;
                      })
                      .isEmpty(),
                 qPrintable(t.transcript()));

        // The contract: every event of a relayed session names its leg.
        for (const QJsonObject &e : t.relay->events()) {
            if (e["session"].toInt() != 0) {
                QVERIFY2(e["leg"] == "client" || e["leg"] == "server",
                         qPrintable(QJsonDocument(e).toJson(QJsonDocument::Compact)));
            }
        }
        // Nothing ended or failed along the way.
        for (InteropPeer *peer : {t.client.get(), t.relay.get(), t.server.get()}) {
            QVERIFY2(peer->all("end").isEmpty(), qPrintable(t.transcript()));
            QVERIFY2(peer->all("error").isEmpty(), qPrintable(t.transcript()));
        }
    }

    void sessionEndCrossesTheRelay_data()
    {
        QTest::addColumn<QStringList>("mode");
        QTest::addColumn<bool>("clientQuits");
        QTest::addRow("client-quits/encrypted") << QStringList{} << true;
        QTest::addRow("server-quits/encrypted") << QStringList{} << false;
        QTest::addRow("client-quits/no-encrypt") << QStringList{"--no-encrypt"} << true;
        QTest::addRow("server-quits/no-encrypt") << QStringList{"--no-encrypt"} << false;
    }
    void sessionEndCrossesTheRelay()
    {
        // One peer ends the session cleanly: the relay ends that leg, then the other leg
        // cleanly, and the other peer sees a clean end.
        QFETCH(QStringList, mode);
        QFETCH(bool, clientQuits);
        Trio t;
        QVERIFY(startTrio(t, mode, {"--key", keyOne}, {"--key", keyOne}, {"--key", keyOne}));
        QVERIFY2(!t.relay
                      ->waitFor([](const QJsonObject &e) {
                          return isEvent(e, "channel") && e["leg"] == "server";
                      })
                      .isEmpty(),
                 qPrintable(t.transcript()));
        QVERIFY2(!t.client->waitFor("channel").isEmpty(), qPrintable(t.transcript()));
        InteropPeer *quitter = clientQuits ? t.client.get() : t.server.get();
        InteropPeer *other = clientQuits ? t.server.get() : t.client.get();
        const char *quitterLeg = clientQuits ? "client" : "server";
        const char *otherLeg = clientQuits ? "server" : "client";
        quitter->send({{"cmd", "quit"}});
        const QJsonObject end = other->waitFor("end", 10000);
        QVERIFY2(!end.isEmpty(), qPrintable(t.transcript()));
        QCOMPARE(end["reason"].toString(), QString("remote closed"));
        QVERIFY2(
            !t.relay->waitFor([&](const QJsonObject &e) { return onLeg(e, "end", quitterLeg); })
                 .isEmpty(),
            qPrintable(t.transcript()));
        QVERIFY2(!t.relay->waitFor([&](const QJsonObject &e) { return onLeg(e, "end", otherLeg); })
                      .isEmpty(),
                 qPrintable(t.transcript()));
        QVERIFY2(t.relay->all("error").isEmpty(), qPrintable(t.transcript()));
        QVERIFY(t.client->waitForExit());
        QVERIFY(t.server->waitForExit());
        QCOMPARE(t.client->exitCode(), 0);
        QCOMPARE(t.server->exitCode(), 0);
    }

    void injectionIntoEachLeg()
    {
#ifdef HYPERSCOPE_RELAYINTEROP_HELPER
        QSKIP("relayhelper reads only the key command: injection needs hyperscope-cli relay");
#endif
        // send, extension and close with a "leg" reach that leg's peer only, as if the relay had
        // sent them; nothing is forwarded for them, and the relay reports none as received.
        Trio t;
        QVERIFY(startTrio(t, {}, {"--key", keyOne}, {"--key", keyOne, "--extension", "gamma"},
                          {"--key", keyOne}));
        QVERIFY2(!t.client->waitFor("channel").isEmpty(), qPrintable(t.transcript()));
        QVERIFY2(!t.server->waitFor("channel").isEmpty(), qPrintable(t.transcript()));
        const QString dk = discoveryKeyHex(keyOne);
        const auto wantWithStart = [&](int start) {
            return [=](const QJsonObject &e) {
                return isEvent(e, "message") && e["type"] == "Want" &&
                       e["message"].toObject()["start"] == start;
            };
        };

        t.relay->send({{"cmd", "send"},
                       {"leg", "client"},
                       {"key", keyOne},
                       {"type", "Want"},
                       {"message", QJsonObject{{"start", 4242}, {"length", 8}}}});
        const QJsonObject atClient = t.client->waitFor(wantWithStart(4242));
        QVERIFY2(!atClient.isEmpty(), qPrintable(t.transcript()));
        QCOMPARE(atClient["message"].toObject(), object(R"({"start":4242,"length":8})"));
        t.relay->send({{"cmd", "send"},
                       {"leg", "server"},
                       {"key", keyOne},
                       {"type", "Want"},
                       {"message", QJsonObject{{"start", 4343}}}});
        QVERIFY2(!t.server->waitFor(wantWithStart(4343)).isEmpty(), qPrintable(t.transcript()));
        // A marker through the relay each way: the injected messages would have arrived first.
        t.server->send({{"cmd", "send"},
                        {"key", keyOne},
                        {"type", "Want"},
                        {"message", QJsonObject{{"start", 1}}}});
        t.client->send({{"cmd", "send"},
                        {"key", keyOne},
                        {"type", "Want"},
                        {"message", QJsonObject{{"start", 2}}}});
        QVERIFY2(!t.client->waitFor(wantWithStart(1)).isEmpty(), qPrintable(t.transcript()));
        QVERIFY2(!t.server->waitFor(wantWithStart(2)).isEmpty(), qPrintable(t.transcript()));
        QVERIFY2(t.server->waitFor(wantWithStart(4242), 0).isEmpty(), qPrintable(t.transcript()));
        QVERIFY2(t.client->waitFor(wantWithStart(4343), 0).isEmpty(), qPrintable(t.transcript()));
        for (const QJsonObject &e : t.relay->all("message")) {
            const int start = e["message"].toObject()["start"].toInt();
            QVERIFY2(start != 4242 && start != 4343, qPrintable(t.transcript()));
        }

        // An extension injected into the client leg: the client reads the id against the
        // server's stream names (forwarded), so the relay sends the server's id for gamma.
        t.server->send({{"cmd", "extension"}, {"name", "gamma"}, {"payload", "01"}});
        QVERIFY2(!t.client
                      ->waitFor([](const QJsonObject &e) {
                          return isEvent(e, "extension") && e["payload"] == "01";
                      })
                      .isEmpty(),
                 qPrintable(t.transcript()));
        t.client->send({{"cmd", "register"}, {"name", "gamma"}});
        t.relay->send(
            {{"cmd", "extension"}, {"leg", "client"}, {"name", "gamma"}, {"payload", "0202"}});
        const QJsonObject injected = t.client->waitFor(
            [](const QJsonObject &e) { return isEvent(e, "extension") && e["payload"] == "0202"; });
        QVERIFY2(!injected.isEmpty(), qPrintable(t.transcript()));
        QCOMPARE(injected["name"].toString(), QString("gamma"));
        QCOMPARE(injected["id"].toInt(), 0);

        // Close into the server leg: the server sees the channel closed, the client does not.
        t.relay->send({{"cmd", "close"}, {"leg", "server"}, {"key", keyOne}});
        QVERIFY2(!t.server
                      ->waitFor([&](const QJsonObject &e) {
                          return isEvent(e, "close") && e["discoveryKey"] == dk;
                      })
                      .isEmpty(),
                 qPrintable(t.transcript()));
        // A Close wrongly sent into the client leg would arrive before a later injected marker.
        t.relay->send({{"cmd", "send"},
                       {"leg", "client"},
                       {"key", keyOne},
                       {"type", "Want"},
                       {"message", QJsonObject{{"start", 9}}}});
        QVERIFY2(!t.client->waitFor(wantWithStart(9)).isEmpty(), qPrintable(t.transcript()));
        QVERIFY2(t.client->all("close").isEmpty(), qPrintable(t.transcript()));
        for (InteropPeer *peer : {t.client.get(), t.relay.get(), t.server.get()})
            QVERIFY2(peer->all("error").isEmpty(), qPrintable(t.transcript()));
    }

    void keepalivesArePerLeg()
    {
        // The relay and both peers time out after 1 s of silence. The idle session survives
        // several timeouts because the relay keeps each leg alive itself (every 500 ms): both
        // peers count keepalives, and nobody ends.
        Trio t;
        const QStringList peer{"--timeout", "1000", "--count-pings"};
        QVERIFY(startTrio(t, {}, {"--timeout", "1000"}, peer, peer));
        checkHandshakes(t);
        if (QTest::currentTestFailed())
            return;
        (void)QTest::qWaitFor( // the checks below say which side fell short
            [&] {
                return (t.client->all("keepalive").size() >= 5 &&
                        t.server->all("keepalive").size() >= 5) ||
                       !t.relay->all("end").isEmpty() || !t.client->all("end").isEmpty() ||
                       !t.server->all("end").isEmpty();
            },
            10000);
        QVERIFY2(t.client->all("keepalive").size() >= 5, qPrintable(t.transcript()));
        QVERIFY2(t.server->all("keepalive").size() >= 5, qPrintable(t.transcript()));
        for (InteropPeer *p : {t.client.get(), t.relay.get(), t.server.get()})
            QVERIFY2(p->all("end").isEmpty(), qPrintable(t.transcript()));
        // Keepalives are not messages: the relay reported none.
        QVERIFY2(t.relay->all("message").isEmpty(), qPrintable(t.transcript()));
    }

    void oneByteDeliveryOnTheClientLeg()
    {
        // The client leg is cut into 1-byte writes both ways (handshake included); everything
        // still arrives exactly as sent.
        Trio t;
        QVERIFY(startTrio(t, {}, {"--key", keyOne}, {"--extension", "gamma"},
                          {"--extension", "alpha", "--extension", "gamma"}, true));
        checkHandshakes(t);
        if (QTest::currentTestFailed())
            return;
        openChannel(t, t.client.get(), t.server.get(), keyOne);
        if (QTest::currentTestFailed())
            return;
        everyMessageCrosses(t, t.client.get(), t.server.get(), "client", keyOne, 0);
        if (QTest::currentTestFailed())
            return;
        everyMessageCrosses(t, t.server.get(), t.client.get(), "server", keyOne, 1);
        if (QTest::currentTestFailed())
            return;
        t.client->send({{"cmd", "extension"}, {"name", "gamma"}, {"payload", "0a0b"}});
        const QJsonObject gamma = t.server->waitFor(
            [](const QJsonObject &e) { return isEvent(e, "extension") && e["payload"] == "0a0b"; });
        QVERIFY2(!gamma.isEmpty(), qPrintable(t.transcript()));
        QCOMPARE(gamma["name"].toString(), QString("gamma"));
        QCOMPARE(gamma["id"].toInt(), 1);
        // Enough bytes went through one at a time to matter: the handshake, the Opens and ten
        // messages each way are over 400 bytes (the exact count is in the log).
        qInfo("1-byte writes: %lld to the relay, %lld to the client", t.dribbler->bytesToTarget(),
              t.dribbler->bytesToPeer());
        QVERIFY2(t.dribbler->bytesToTarget() >= 400, qPrintable(t.transcript()));
        QVERIFY2(t.dribbler->bytesToPeer() >= 400, qPrintable(t.transcript()));
        for (InteropPeer *peer : {t.client.get(), t.relay.get(), t.server.get()})
            QVERIFY2(peer->all("error").isEmpty(), qPrintable(t.transcript()));
    }

    void hypercoreReplicatesDirectly()
    {
        // The baseline of the next test: the two nodes replicate without the relay.
        auto source = startHypercoreScript("feed-source", "feed-source.js", {"--blocks", "300"});
        const QJsonObject listening = source->waitFor("listening", 15000);
        QVERIFY2(!listening.isEmpty(), qPrintable(source->transcript()));
        auto clone = startHypercoreScript("feed-clone", "feed-clone.js",
                                          {listening["key"].toString(),
                                           QString("127.0.0.1:%1").arg(listening["port"].toInt()),
                                           "--blocks", "300", "--timeout", "30000"});
        QVERIFY2(clone->waitForExit(40000), qPrintable(clone->transcript()));
        const QJsonObject verified = clone->waitFor("verified", 0);
        QVERIFY2(!verified.isEmpty(), qPrintable(source->transcript() + clone->transcript()));
        QCOMPARE(verified["ok"].toBool(), true);
        QCOMPARE(verified["matching"].toInt(), 300);
        QCOMPARE(clone->exitCode(), 0);
    }

    void hypercoreReplicatesThroughTheRelay_data()
    {
        QTest::addColumn<bool>("keyUpFront");
        QTest::addRow("key-given") << true;
        QTest::addRow("key-added-later") << false;
    }
    void hypercoreReplicatesThroughTheRelay()
    {
        // A real application: a hypercore 9 writer and a reader replicate a signed feed of 300
        // blocks through the relay. The reader verifies every block (hypercore checks the
        // Merkle proof and the writer's signature) and compares its value with the writer's.
        // Without the key up front, the relay holds the Open, says so, and releases it when the
        // key command gives the key.
        QFETCH(bool, keyUpFront);
        constexpr int blocks = 300;
        auto source = startHypercoreScript("feed-source", "feed-source.js",
                                           {"--blocks", QString::number(blocks)});
        const QJsonObject listening = source->waitFor("listening", 15000);
        QVERIFY2(!listening.isEmpty(), qPrintable(source->transcript()));
        const QString feedKey = listening["key"].toString();
        const QString dk = listening["discoveryKey"].toString();
        QCOMPARE(dk, discoveryKeyHex(feedKey));

        InteropPeer relay(InteropPeer::Kind::Hyperscope, "relay");
        QStringList relayArguments{"relay", "--port", "0", "--upstream",
                                   QString("127.0.0.1:%1").arg(listening["port"].toInt())};
        if (keyUpFront)
            relayArguments << "--key" << feedKey;
        relay.start(relayArguments);
        const int relayPort = relay.waitFor("listening", 15000)["port"].toInt();
        QVERIFY2(relayPort > 0, qPrintable(relay.transcript()));

        auto clone =
            startHypercoreScript("feed-clone", "feed-clone.js",
                                 {feedKey, QString("127.0.0.1:%1").arg(relayPort), "--blocks",
                                  QString::number(blocks), "--timeout", "30000"});
        const auto transcript = [&] {
            return source->transcript() + "\n" + relay.transcript() + "\n" + clone->transcript();
        };
        if (!keyUpFront) {
            // Held and reported, naming the discovery key; nothing forwarded meanwhile.
            // Both nodes open the feed's channel at once, so it is held on both legs.
            for (const char *leg : {"client", "server"}) {
                const QJsonObject held = relay.waitFor([&](const QJsonObject &e) {
                    return onLeg(e, "warning", leg) && e["message"].toString().contains(dk);
                });
                QVERIFY2(!held.isEmpty(), qPrintable(transcript()));
#ifndef HYPERSCOPE_RELAYINTEROP_HELPER
                // The CLI says how to add the key.
                QVERIFY2(held["message"].toString().contains(R"({"cmd":"key")"),
                         qPrintable(held["message"].toString()));
#endif
            }
            QVERIFY2(relay.all("channel").isEmpty(), qPrintable(transcript()));
            QVERIFY2(clone->all("verified").isEmpty(), qPrintable(transcript()));
            relay.send({{"cmd", "key"}, {"key", feedKey}});
        }

        // Not waitForExit(): that would stop this process reading the relay's events, and a
        // relay whose stdout pipe is full stops relaying.
        QVERIFY2(QTest::qWaitFor([&] { return clone->process().state() == QProcess::NotRunning; },
                                 40000),
                 qPrintable(transcript()));
        const QJsonObject verified = clone->waitFor("verified", 0);
        QVERIFY2(!verified.isEmpty(), qPrintable(transcript()));
        QCOMPARE(clone->exitCode(), 0);
        QCOMPARE(verified["ok"].toBool(), true);
        QCOMPARE(verified["matching"].toInt(), blocks);
        QCOMPARE(verified["length"].toInt(), blocks);

        // The relay saw the replication: the channel on both legs, every block as a Data
        // message arriving on the server leg, the Requests on the client leg.
        for (const char *leg : {"client", "server"}) {
            QVERIFY2(!relay
                          .waitFor([&](const QJsonObject &e) {
                              return onLeg(e, "channel", leg) && e["discoveryKey"] == dk;
                          })
                          .isEmpty(),
                     qPrintable(transcript()));
        }
        QSet<int> dataIndexes;
        int requests = 0;
        for (const QJsonObject &e : relay.all("message")) {
            if (e["discoveryKey"] != dk)
                continue;
            if (e["type"] == "Data" && e["leg"] == "server")
                dataIndexes.insert(e["message"].toObject()["index"].toInt());
            if (e["type"] == "Request" && e["leg"] == "client")
                ++requests;
        }
        QCOMPARE(dataIndexes.size(), blocks);
        QVERIFY2(requests >= blocks, qPrintable(transcript()));
        QVERIFY2(relay.all("error").isEmpty(), qPrintable(transcript()));
    }

    void oneCloneDiesMidTransfer()
    {
        // Two clones replicate through one relay; the first is killed mid-transfer. Its pair
        // ends (the client leg with the failure, the server leg cleanly after it), the source
        // notices, and the other pair completes untouched.
        constexpr int blocks = 6000;
        auto source = startHypercoreScript("feed-source", "feed-source.js",
                                           {"--blocks", QString::number(blocks)});
        const QJsonObject listening = source->waitFor("listening", 15000);
        QVERIFY2(!listening.isEmpty(), qPrintable(source->transcript()));
        const QString feedKey = listening["key"].toString();
        InteropPeer relay(InteropPeer::Kind::Hyperscope, "relay");
        relay.start({"relay", "--port", "0", "--upstream",
                     QString("127.0.0.1:%1").arg(listening["port"].toInt()), "--key", feedKey});
        const int relayPort = relay.waitFor("listening", 15000)["port"].toInt();
        QVERIFY2(relayPort > 0, qPrintable(relay.transcript()));
        const QStringList cloneArguments{feedKey,     QString("127.0.0.1:%1").arg(relayPort),
                                         "--blocks",  QString::number(blocks),
                                         "--timeout", "30000"};
        auto victim = startHypercoreScript("feed-clone(killed)", "feed-clone.js", cloneArguments);
        const auto transcript = [&] {
            return source->transcript() + "\n" + relay.transcript() + "\n" + victim->transcript();
        };
        // The victim is session 1: wait until part of the feed went through, then kill it.
        const auto dataFor = [&](int session) {
            int n = 0;
            for (const QJsonObject &e : relay.events())
                n += isEvent(e, "message") && e["session"] == session && e["type"] == "Data";
            return n;
        };
        QVERIFY2(QTest::qWaitFor([&] { return dataFor(1) >= 100; }, 15000),
                 qPrintable(transcript()));
        auto survivor = startHypercoreScript("feed-clone", "feed-clone.js", cloneArguments);
        QVERIFY2(QTest::qWaitFor([&] { return dataFor(2) >= 1; }, 15000), qPrintable(transcript()));
        QVERIFY2(victim->process().state() == QProcess::Running && dataFor(1) < blocks,
                 qPrintable("the first clone finished before it could be killed\n" + transcript()));
        qInfo("killing the first clone after %d of %d blocks", dataFor(1), blocks);
        victim->process().kill();

        // Session 1: the client leg ends, then the server leg cleanly; the source sees its end.
        QVERIFY2(!relay
                      .waitFor([](const QJsonObject &e) {
                          return onLeg(e, "end", "client") && e["session"] == 1;
                      })
                      .isEmpty(),
                 qPrintable(transcript()));
        QVERIFY2(!relay
                      .waitFor([](const QJsonObject &e) {
                          return onLeg(e, "end", "server") && e["session"] == 1;
                      })
                      .isEmpty(),
                 qPrintable(transcript()));
        QVERIFY2(!source->waitFor("end").isEmpty(), qPrintable(transcript()));

        // Session 2 completes: every block verified, equal to the source's.
        QVERIFY2(QTest::qWaitFor(
                     [&] { return survivor->process().state() == QProcess::NotRunning; }, 40000),
                 qPrintable(transcript() + "\n" + survivor->transcript()));
        const QJsonObject verified = survivor->waitFor("verified", 0);
        QVERIFY2(!verified.isEmpty(), qPrintable(transcript() + "\n" + survivor->transcript()));
        QCOMPARE(verified["ok"].toBool(), true);
        QCOMPARE(verified["matching"].toInt(), blocks);
        QCOMPARE(survivor->exitCode(), 0);
        for (const QJsonObject &e : relay.events()) {
            if (e["session"] == 2)
                QVERIFY2(!isEvent(e, "error"), qPrintable(transcript()));
        }
        QCOMPARE(relay.process().state(), QProcess::Running);
    }

    void upstreamRefused()
    {
        // Nothing listens upstream: each client gets its leg closed and the relay says why,
        // naming the upstream; the listener stays up for the next client.
        quint16 closedPort = 0;
        {
            QTcpServer probe;
            QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
            closedPort = probe.serverPort();
        }
        const QString upstream = QString("127.0.0.1:%1").arg(closedPort);
        InteropPeer relay(InteropPeer::Kind::Hyperscope, "relay");
        relay.start({"relay", "--port", "0", "--upstream", upstream, "--key", keyOne});
        const int relayPort = relay.waitFor("listening", 15000)["port"].toInt();
        QVERIFY2(relayPort > 0, qPrintable(relay.transcript()));
        for (int session = 1; session <= 2; ++session) {
            InteropPeer client(InteropPeer::Kind::Reference, "client(reference)");
            client.start({"connect", QString("127.0.0.1:%1").arg(relayPort), "--key", keyOne});
            QVERIFY2(!client.waitFor("end").isEmpty(),
                     qPrintable(client.transcript() + "\n" + relay.transcript()));
            const QJsonObject clientEnd = relay.waitFor([&](const QJsonObject &e) {
                return (isEvent(e, "error") || isEvent(e, "end")) && e["session"] == session &&
                       e["leg"] == "client" &&
                       (e["message"].toString() + e["reason"].toString()).contains(upstream);
            });
            QVERIFY2(!clientEnd.isEmpty(), qPrintable(relay.transcript()));
            QVERIFY(client.waitForExit());
        }
        QCOMPARE(relay.process().state(), QProcess::Running);
    }
};

QTEST_GUILESS_MAIN(TestRelayInterop)
#include "tst_relayinterop.moc"
