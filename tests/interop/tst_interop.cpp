// Interop with the reference implementation: hyperscope-cli against the npm package
// hypercore-protocol@8.0.7 (driven by refpeer.js), over real loopback TCP, in both roles.
#include "interoppeer.h"

#include "builders.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QtTest>

#include <memory>

using hyperscope::test::discoveryKeyHex;
using hyperscope::test::InteropPeer;

namespace {

const QString channelKeyHex = QString(64, '3').replace(0, 2, "ab");

QJsonObject object(const char *json)
{
    return QJsonDocument::fromJson(json).object();
}

/// One message of every type Options..Data, in the contract's JSON shape.
QList<QPair<QString, QJsonObject>> everyMessage()
{
    const QString hash(64, '1'), signature(128, '2');
    QJsonObject data{{"index", 5}, {"value", "68656c6c6f"}, {"signature", signature}};
    data["nodes"] = QJsonArray{QJsonObject{{"index", 10}, {"hash", hash}, {"size", 5}}};
    return {
        {"Options", object(R"({"extensions":["opt-a","opt-b"],"ack":true})")},
        {"Status", object(R"({"uploading":true,"downloading":false})")},
        {"Have", object(R"({"start":3,"length":10,"bitfield":"ff0f"})")},
        {"Unhave", object(R"({"start":4,"length":2})")},
        {"Want", object(R"({"start":0,"length":1024})")},
        {"Unwant", object(R"({"start":1,"length":2})")},
        {"Request", object(R"({"index":5,"bytes":300,"hash":true,"nodes":2})")},
        {"Cancel", object(R"({"index":5,"bytes":300,"hash":false})")},
        {"Data", data},
    };
}

/// True when every field of @p sent is in @p received with the same value. (The reference's
/// decoder fills defaults of absent fields, so received may hold more.)
bool containsFields(const QJsonObject &received, const QJsonObject &sent)
{
    for (auto it = sent.begin(); it != sent.end(); ++it) {
        if (received.value(it.key()) != it.value())
            return false;
    }
    return true;
}

enum class Role { ReferenceListens, HyperscopeListens };

} // namespace

class TestInterop : public QObject
{
    Q_OBJECT

    struct Session
    {
        std::unique_ptr<InteropPeer> listener, dialer;
        InteropPeer *hyperscope() const
        {
            return listener->kind() == InteropPeer::Kind::Hyperscope ? listener.get()
                                                                     : dialer.get();
        }
        InteropPeer *reference() const
        {
            return listener->kind() == InteropPeer::Kind::Reference ? listener.get() : dialer.get();
        }
        QString transcript() const { return listener->transcript() + "\n" + dialer->transcript(); }
    };

    /// Starts a listener and a dialer of the given kinds with per-side extra arguments.
    static Session connectPeers(Role role, const QStringList &common,
                                const QStringList &listenerExtra = {},
                                const QStringList &dialerExtra = {})
    {
        Session session;
        const bool referenceListens = role == Role::ReferenceListens;
        session.listener = std::make_unique<InteropPeer>(
            referenceListens ? InteropPeer::Kind::Reference : InteropPeer::Kind::Hyperscope,
            referenceListens ? "reference(listen)" : "hyperscope(listen)");
        session.dialer = std::make_unique<InteropPeer>(
            referenceListens ? InteropPeer::Kind::Hyperscope : InteropPeer::Kind::Reference,
            referenceListens ? "hyperscope(connect)" : "reference(connect)");
        session.listener->start(QStringList{"listen", "--port", "0", "--once"} + common +
                                listenerExtra);
        const QJsonObject listening = session.listener->waitFor("listening", 15000);
        const int port = listening["port"].toInt();
        if (port <= 0)
            qWarning().noquote() << session.listener->transcript();
        session.dialer->start(QStringList{"connect", QString("127.0.0.1:%1").arg(port)} + common +
                              dialerExtra);
        return session;
    }

    /// Sends a marker Want from @p from and waits until @p to has received it.
    static bool sync(InteropPeer *from, InteropPeer *to, int marker)
    {
        const int start = 1000000 + marker;
        from->send({{"cmd", "send"},
                    {"key", channelKeyHex},
                    {"type", "Want"},
                    {"message", QJsonObject{{"start", start}}}});
        return !to->waitFor([&](const QJsonObject &e) {
                      return e["event"] == "message" && e["type"] == "Want" &&
                             e["message"].toObject()["start"] == start;
                  }).isEmpty();
    }

    static void addRows(bool withModes)
    {
        QTest::addColumn<Role>("role");
        QTest::addColumn<QStringList>("modeArguments");
        const QList<QPair<const char *, QStringList>> modes =
            withModes ? QList<QPair<const char *, QStringList>>{{"encrypted", {}},
                                                                {"no-encrypt", {"--no-encrypt"}},
                                                                {"no-noise", {"--no-noise"}}}
                      : QList<QPair<const char *, QStringList>>{{"encrypted", {}}};
        for (const auto &[modeName, arguments] : modes) {
            QTest::addRow("reference-listens/%s", modeName) << Role::ReferenceListens << arguments;
            QTest::addRow("hyperscope-listens/%s", modeName)
                << Role::HyperscopeListens << arguments;
        }
    }

private slots:
    void fullSessionWithTheReference_data() { addRows(true); }
    void fullSessionWithTheReference()
    {
        QFETCH(Role, role);
        QFETCH(QStringList, modeArguments);
        const bool noise = !modeArguments.contains("--no-noise");
        const QString dk = discoveryKeyHex(channelKeyHex);
        Session s = connectPeers(role, modeArguments + QStringList{"--key", channelKeyHex},
                                 {"--extension", "shared-ext", "--extension", "listener-only"},
                                 {"--extension", "dialer-only", "--extension", "shared-ext"});
        InteropPeer *peers[] = {s.listener.get(), s.dialer.get()};

        // Handshake: each side saw the other's static key.
        if (noise) {
            const QJsonObject a = s.listener->waitFor("handshake");
            const QJsonObject b = s.dialer->waitFor("handshake");
            QVERIFY2(!a.isEmpty() && !b.isEmpty(), qPrintable(s.transcript()));
            QCOMPARE(a["remotePublicKey"], b["publicKey"]);
            QCOMPARE(b["remotePublicKey"], a["publicKey"]);
            QCOMPARE(a["handshakeHash"], b["handshakeHash"]);
        }
        // The channel is established and verified on both sides.
        for (InteropPeer *peer : peers) {
            const QJsonObject channel = peer->waitFor("channel");
            QVERIFY2(!channel.isEmpty(), qPrintable(s.transcript()));
            QCOMPARE(channel["discoveryKey"].toString(), dk);
            QCOMPARE(channel["localId"].toInt(), 1);
            QCOMPARE(channel["remoteId"].toInt(), 1);
        }

        // Every message type, both ways.
        for (const auto &[type, message] : everyMessage()) {
            for (InteropPeer *sender : peers) {
                InteropPeer *receiver = sender == peers[0] ? peers[1] : peers[0];
                sender->send({{"cmd", "send"},
                              {"key", channelKeyHex},
                              {"type", type},
                              {"message", message}});
                const QJsonObject got = receiver->waitFor([&](const QJsonObject &e) {
                    return e["event"] == "message" && e["type"] == type &&
                           containsFields(e["message"].toObject(), message);
                });
                QVERIFY2(!got.isEmpty(),
                         qPrintable(QString("%1 from %2 not received\n%3")
                                        .arg(type, sender->name(), s.transcript())));
                QCOMPARE(got["discoveryKey"].toString(), dk);
            }
        }

        // Stream extensions with different name sets: ids index the sender's sorted list.
        const QString payload = "c0ffee";
        s.dialer->send({{"cmd", "extension"}, {"name", "shared-ext"}, {"payload", payload}});
        s.dialer->send({{"cmd", "extension"}, {"name", "dialer-only"}, {"payload", payload}});
        s.listener->send({{"cmd", "extension"}, {"name", "shared-ext"}, {"payload", payload}});
        const auto streamExtension = [&](InteropPeer *peer, const QJsonValue &name, int id) {
            return peer->waitFor([&](const QJsonObject &e) {
                return e["event"] == "extension" && !e.contains("discoveryKey") &&
                       e["name"] == name && e["id"] == id && e["payload"] == payload;
            });
        };
        // dialer's list: [dialer-only, shared-ext]; listener's: [listener-only, shared-ext].
        QVERIFY2(!streamExtension(s.listener.get(), "shared-ext", 1).isEmpty(),
                 qPrintable(s.transcript()));
        QVERIFY2(!streamExtension(s.listener.get(), QJsonValue::Null, 0).isEmpty(),
                 qPrintable(s.transcript()));
        QVERIFY2(!streamExtension(s.dialer.get(), "shared-ext", 1).isEmpty(),
                 qPrintable(s.transcript()));
        const QJsonObject names = s.listener->waitFor([](const QJsonObject &e) {
            return e["event"] == "extensions" && !e.contains("discoveryKey");
        });
        QCOMPARE(names["names"].toArray(), (QJsonArray{"dialer-only", "shared-ext"}));

        // Channel extensions, different sets again.
        s.dialer->send({{"cmd", "register"}, {"key", channelKeyHex}, {"name", "chan-b"}});
        s.dialer->send({{"cmd", "register"}, {"key", channelKeyHex}, {"name", "chan-a"}});
        s.listener->send({{"cmd", "register"}, {"key", channelKeyHex}, {"name", "chan-b"}});
        // Commands are processed in order: a message the other side receives proves that the
        // registrations before it took effect.
        QVERIFY2(sync(s.listener.get(), s.dialer.get(), 1), qPrintable(s.transcript()));
        QVERIFY2(sync(s.dialer.get(), s.listener.get(), 2), qPrintable(s.transcript()));
        s.dialer->send({{"cmd", "extension"},
                        {"key", channelKeyHex},
                        {"name", "chan-b"},
                        {"payload", payload}});
        s.listener->send({{"cmd", "extension"},
                          {"key", channelKeyHex},
                          {"name", "chan-b"},
                          {"payload", payload}});
        const auto channelExtension = [&](InteropPeer *peer, int id) {
            return peer->waitFor([&](const QJsonObject &e) {
                return e["event"] == "extension" && e["discoveryKey"] == dk &&
                       e["name"] == "chan-b" && e["id"] == id && e["payload"] == payload;
            });
        };
        QVERIFY2(!channelExtension(s.listener.get(), 1).isEmpty(), qPrintable(s.transcript()));
        QVERIFY2(!channelExtension(s.dialer.get(), 0).isEmpty(), qPrintable(s.transcript()));

        // Close from the dialer: both sides see the channel close.
        s.dialer->send({{"cmd", "close"}, {"key", channelKeyHex}});
        for (InteropPeer *peer : peers) {
            const QJsonObject closed = peer->waitFor("close");
            QVERIFY2(closed["discoveryKey"] == dk, qPrintable(s.transcript()));
        }
        QVERIFY2(s.listener
                     ->waitFor([](const QJsonObject &e) {
                         return e["event"] == "message" && e["type"] == "Close";
                     })
                     .size(),
                 qPrintable(s.transcript()));

        // Quit: the dialer ends cleanly, the listener (--once) follows.
        s.dialer->send({{"cmd", "quit"}});
        QVERIFY(s.dialer->waitForExit());
        QVERIFY(s.listener->waitForExit());
        QCOMPARE(s.hyperscope()->exitCode(), 0);
        for (InteropPeer *peer : peers)
            QVERIFY2(peer->all("error").isEmpty(), qPrintable(s.transcript()));
    }

    void remoteOpensFirstAndWeAccept_data() { addRows(false); }
    void remoteOpensFirstAndWeAccept()
    {
        // Only the dialer has the key: the listener learns the discovery key and opens on command.
        QFETCH(Role, role);
        const QString dk = discoveryKeyHex(channelKeyHex);
        Session s = connectPeers(role, {}, {}, {"--key", channelKeyHex});
        const QJsonObject discovered = s.listener->waitFor("discovery-key");
        QVERIFY2(discovered["discoveryKey"] == dk, qPrintable(s.transcript()));
        s.listener->send({{"cmd", "open"}, {"key", channelKeyHex}});
        for (InteropPeer *peer : {s.listener.get(), s.dialer.get()})
            QVERIFY2(peer->waitFor("channel")["discoveryKey"] == dk, qPrintable(s.transcript()));
        s.listener->send({{"cmd", "send"},
                          {"key", channelKeyHex},
                          {"type", "Request"},
                          {"message", QJsonObject{{"index", 0}}}});
        QVERIFY2(!s.dialer
                      ->waitFor([](const QJsonObject &e) {
                          return e["event"] == "message" && e["type"] == "Request";
                      })
                      .isEmpty(),
                 qPrintable(s.transcript()));
        s.dialer->send({{"cmd", "quit"}});
        QVERIFY(s.dialer->waitForExit());
        QVERIFY(s.listener->waitForExit());
    }

    void ourKeepalivesHoldTheReference_data() { addRows(false); }
    void ourKeepalivesHoldTheReference()
    {
        // The reference times out after 1 s of silence unless our keepalives (every 500 ms) arrive.
        QFETCH(Role, role);
        const bool referenceListens = role == Role::ReferenceListens;
        const QStringList reference{"--timeout", "1000", "--count-pings"};
        const QStringList ours{"--timeout", "1000"};
        Session s = connectPeers(role, {}, referenceListens ? reference : ours,
                                 referenceListens ? ours : reference);
        QVERIFY2(!s.reference()->waitFor("handshake").isEmpty(), qPrintable(s.transcript()));
        // Five keepalives take over two of the reference's timeouts; stop early if a side ends.
        // (The checks below say which.)
        (void)QTest::qWaitFor(
            [&] {
                return s.reference()->all("keepalive").size() >= 5 ||
                       !s.reference()->all("end").isEmpty() ||
                       !s.hyperscope()->all("end").isEmpty();
            },
            10000);
        const auto pings = s.reference()->all("keepalive");
        QVERIFY2(
            pings.size() >= 5,
            qPrintable(QString("only %1 keepalives\n%2").arg(pings.size()).arg(s.transcript())));
        QVERIFY2(s.reference()->all("end").isEmpty(), qPrintable(s.transcript()));
        QVERIFY2(s.hyperscope()->all("end").isEmpty(), qPrintable(s.transcript()));
        s.dialer->send({{"cmd", "quit"}});
        QVERIFY(s.dialer->waitForExit());
        QVERIFY(s.listener->waitForExit());
    }

    void referenceTimeoutEndsOurSession()
    {
        // A hyperscope-cli with a 1 s timeout facing a reference that never pings (60 s timeout,
        // and its pings stall anyway): our side must end with a timeout error, exit code 1.
        Session s =
            connectPeers(Role::ReferenceListens, {}, {"--timeout", "60000"}, {"--timeout", "1000"});
        const QJsonObject end = s.hyperscope()->waitFor("end", 15000);
        QVERIFY2(!end.isEmpty(), qPrintable(s.transcript()));
        QVERIFY2(!s.hyperscope()->all("error").isEmpty(), qPrintable(s.transcript()));
        QVERIFY(s.hyperscope()->waitForExit());
        QCOMPARE(s.hyperscope()->exitCode(), 1);
    }

    void wrongCapabilityFromUsIsRejectedByTheReference()
    {
        // Our peer forges an Open with a wrong capability for a channel the reference opened:
        // the reference destroys the stream and our side sees the end.
        Session s = connectPeers(Role::ReferenceListens, {}, {"--key", channelKeyHex}, {});
        QVERIFY2(!s.hyperscope()->waitFor("discovery-key").isEmpty(), qPrintable(s.transcript()));
        s.hyperscope()->send(
            {{"cmd", "frame"},
             {"channel", 1},
             {"type", 0},
             {"payload", "0a20" + discoveryKeyHex(channelKeyHex) + "1220" + QString(64, 'e')}});
        const QJsonObject end = s.hyperscope()->waitFor("end", 15000);
        QVERIFY2(!end.isEmpty(), qPrintable(s.transcript()));
        QVERIFY2(!s.reference()
                      ->waitFor([](const QJsonObject &e) {
                          return (e["event"] == "error" || e["event"] == "end") &&
                                 (e["message"].toString() + e["reason"].toString())
                                     .contains("Invalid remote channel capability");
                      })
                      .isEmpty(),
                 qPrintable(s.transcript()));
    }
};

QTEST_GUILESS_MAIN(TestInterop)
#include "tst_interop.moc"
