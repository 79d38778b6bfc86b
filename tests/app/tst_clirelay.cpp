// Tests hyperscope-cli relay as a process between two hyperscope-cli peers over loopback TCP:
//
//   hyperscope-cli connect  -->  hyperscope-cli relay  -->  hyperscope-cli listen
//        (client leg)                                          (server leg)
//
// driven through stdin and checked through the JSON events of all three. Also the behaviour every
// mode shares since the relay came: "warning" events and exiting when stdout's reader goes away.
#include "builders.h"
#include "clifixtures.h"
#include "crypto.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTcpServer>
#include <QtTest>

#include <csignal>
#include <functional>
#include <memory>
#include <unistd.h>

using namespace hyperscope;
using namespace hyperscope::test;

namespace {

constexpr int Wait = 20000; // process start-up on a loaded machine can take a while

using Cli = CliProcess;

} // namespace

class tst_CliRelay : public QObject
{
    Q_OBJECT

private slots:
    void rejectsBadArguments_data();
    void rejectsBadArguments();
    void relaysSession_data();
    void relaysSession();
    void relaysEveryMessageTypeBothWays();
    void relaysExtensions();
    void relaysClose();
    void holdsUnknownKeyUntilKeyCommand();
    void reportsRefusedUpstream();
    void closesOtherLegWhenOneDies();
    void injectsIntoOneLeg();
    void reportsBadRelayCommands();
    void onceExitsAfterFirstPair();
    void sigtermExitsZero();
    void warnsAboutProtocolViolations();
    void warnsInListenMode();
    void exitsWhenStdoutCloses_data();
    void exitsWhenStdoutCloses();
};

void tst_CliRelay::rejectsBadArguments_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QByteArray>("message");
    QTest::newRow("no upstream") << QStringList{"relay", "--port", "0"}
                                 << QByteArray("relay needs --upstream HOST:PORT");
    QTest::newRow("no port") << QStringList{"relay", "--upstream", "127.0.0.1:1"}
                             << QByteArray("relay needs --port PORT");
    QTest::newRow("bad upstream") << QStringList{"relay", "--port", "0", "--upstream", "x:0"}
                                  << QByteArray("--upstream: port '0'");
    QTest::newRow("bad key") << QStringList{"relay", "--port", "0", "--upstream",
                                            "h:1",   "--key",  "12"}
                             << QByteArray("--key must be 64 hex digits");
    QTest::newRow("extension") << QStringList{"relay", "--port",      "0", "--upstream",
                                              "h:1",   "--extension", "x"}
                               << QByteArray("--extension does not apply to relay");
    QTest::newRow("upstream in listen") << QStringList{"listen", "--port", "0", "--upstream", "h:1"}
                                        << QByteArray("--upstream applies to relay only");
}

void tst_CliRelay::rejectsBadArguments()
{
    QFETCH(QStringList, arguments);
    QFETCH(QByteArray, message);
    const FinishedProcess run = runCli(arguments);
    QVERIFY(run.finished);
    QCOMPARE(run.exitCode, 2);
    const QByteArray err = run.stderrText;
    QVERIFY2(err.startsWith("hyperscope-cli: ") && err.contains(message), err.constData());
    QVERIFY(run.stdoutText.isEmpty());
}

void tst_CliRelay::relaysSession_data()
{
    QTest::addColumn<QStringList>("options");
    QTest::newRow("noise, encrypted") << QStringList{};
    QTest::newRow("--no-encrypt") << QStringList{"--no-encrypt"};
    QTest::newRow("--no-noise") << QStringList{"--no-noise"};
}

void tst_CliRelay::relaysSession()
{
    QFETCH(QStringList, options);
    CliChain c;
    QVERIFY(startChain(c, {.all = options}));
    Cli &relay = *c.relay;
    const QJsonObject listening = relay.all(QStringLiteral("listening")).first();
    QCOMPARE(listening,
             (QJsonObject{{"event", "listening"}, {"session", 0}, {"port", c.relayPort}}));

    TAKE_EVENT(clientConnected, relay, "connected", ClientLeg);
    TAKE_EVENT(serverConnected, relay, "connected", ServerLeg);
    QCOMPARE(clientConnected.value(QLatin1String("session")).toInt(), 1);
    QCOMPARE(serverConnected.value(QLatin1String("session")).toInt(), 1);
    QCOMPARE(clientConnected.value(QLatin1String("initiator")), QJsonValue(false));
    QCOMPARE(serverConnected.value(QLatin1String("initiator")), QJsonValue(true));
    QCOMPARE(serverConnected.value(QLatin1String("remote")).toString(),
             QStringLiteral("127.0.0.1:%1").arg(c.listenPort));

    if (options.contains(QLatin1String("--no-noise"))) {
        QVERIFY(relay.all(QStringLiteral("handshake")).isEmpty());
    } else {
        // Each leg is its own handshake, with the relay's key on both.
        TAKE_EVENT(clientLeg, relay, "handshake", ClientLeg);
        TAKE_EVENT(serverLeg, relay, "handshake", ServerLeg);
        TAKE_EVENT(connectorSide, *c.connector, "handshake");
        TAKE_EVENT(listenerSide, *c.listener, "handshake");
        QCOMPARE(clientLeg.value(QLatin1String("handshakeHash")),
                 connectorSide.value(QLatin1String("handshakeHash")));
        QCOMPARE(serverLeg.value(QLatin1String("handshakeHash")),
                 listenerSide.value(QLatin1String("handshakeHash")));
        QVERIFY(clientLeg.value(QLatin1String("handshakeHash")) !=
                serverLeg.value(QLatin1String("handshakeHash")));
        QCOMPARE(connectorSide.value(QLatin1String("remotePublicKey")),
                 clientLeg.value(QLatin1String("publicKey")));
        QCOMPARE(listenerSide.value(QLatin1String("remotePublicKey")),
                 serverLeg.value(QLatin1String("publicKey")));
    }
    const QString discoveryKey = discoveryKeyHex(KeyHex);
    for (const char *leg : {"client", "server"}) {
        const auto channel = relay.take(QStringLiteral("channel"), {{"leg", leg}});
        QVERIFY2(!channel.isEmpty(), qPrintable(relay.transcript()));
        QCOMPARE(channel.value(QLatin1String("discoveryKey")).toString(), discoveryKey);
        QCOMPARE(channel.value(QLatin1String("session")).toInt(), 1);
    }
    // Events of the relay that belong to a leg all say which.
    c.connector->send(
        command("send", {{"key", KeyHex}, {"type", "Want"}, {"message", json(R"({"start":9})")}}));
    TAKE_EVENT(message, *c.listener, "message");
    QCOMPARE(message.value(QLatin1String("message")).toObject(), json(R"({"start":9})"));
    TAKE_EVENT(seen, relay, "message", ClientLeg);
    QCOMPARE(seen.value(QLatin1String("message")).toObject(), json(R"({"start":9})"));
    for (const QString name : {"connected", "handshake", "discovery-key", "channel", "message"}) {
        for (const QJsonObject &event : relay.all(name)) {
            const QString leg = event.value(QLatin1String("leg")).toString();
            QVERIFY2(leg == QLatin1String("client") || leg == QLatin1String("server"),
                     qPrintable(relay.transcript()));
        }
    }
    QVERIFY2(relay.all(QStringLiteral("error")).isEmpty(), qPrintable(relay.transcript()));
    QVERIFY2(relay.all(QStringLiteral("warning")).isEmpty(), qPrintable(relay.transcript()));
}

void tst_CliRelay::relaysEveryMessageTypeBothWays()
{
    CliChain c;
    QVERIFY(startChain(c));
    const QList<std::pair<const char *, QJsonObject>> messages = everyMessageType();
    const QString discoveryKey = discoveryKeyHex(KeyHex);
    struct Way
    {
        Cli *from;
        Cli *to;
        QString leg; ///< The leg the relay receives it on.
    };
    for (const Way &way : {Way{c.connector.get(), c.listener.get(), QStringLiteral("client")},
                           Way{c.listener.get(), c.connector.get(), QStringLiteral("server")}}) {
        for (const auto &[type, message] : messages)
            way.from->send(
                command("send", {{"key", KeyHex}, {"type", type}, {"message", message}}));
        for (const auto &[type, message] : messages) {
            const auto received = way.to->take(QStringLiteral("message"));
            QVERIFY2(!received.isEmpty(), qPrintable(way.to->transcript()));
            QCOMPARE(received.value(QLatin1String("type")).toString(), QLatin1String(type));
            QCOMPARE(received.value(QLatin1String("discoveryKey")).toString(), discoveryKey);
            QCOMPARE(received.value(QLatin1String("message")).toObject(), message);
            const auto seen = c.relay->take(QStringLiteral("message"), {{"leg", way.leg}});
            QVERIFY2(!seen.isEmpty(), qPrintable(c.relay->transcript()));
            QCOMPARE(seen.value(QLatin1String("type")).toString(), QLatin1String(type));
            QCOMPARE(seen.value(QLatin1String("message")).toObject(), message);
            QCOMPARE(seen.value(QLatin1String("session")).toInt(), 1);
        }
    }
    // Nothing arrived twice or on the wrong leg.
    QCOMPARE(c.relay->all(QStringLiteral("message"), ClientLeg).size(), messages.size());
    QCOMPARE(c.relay->all(QStringLiteral("message"), ServerLeg).size(), messages.size());
    for (Cli *cli : {c.listener.get(), c.relay.get(), c.connector.get()})
        QVERIFY2(cli->all(QStringLiteral("error")).isEmpty(), qPrintable(cli->transcript()));
}

void tst_CliRelay::relaysExtensions()
{
    CliChain c;
    QVERIFY(startChain(c, {.listener = {"--extension", "alpha", "--extension", "beta"},
                           .connector = {"--extension", "gamma", "--extension", "beta"}}));
    Cli &listener = *c.listener;
    Cli &relay = *c.relay;
    Cli &connector = *c.connector;
    const QString discoveryKey = discoveryKeyHex(KeyHex);

    // Stream scope: the connector's names [beta, gamma] reach the listener through the relay, so
    // the ids keep meaning what the connector meant.
    connector.send(command("extension", {{"name", "gamma"}, {"payload", "0102"}}));
    TAKE_EVENT(names, listener, "extensions");
    QCOMPARE(names.value(QLatin1String("names")).toArray(), (QJsonArray{"beta", "gamma"}));
    TAKE_EVENT(gamma, listener, "extension");
    QCOMPARE(gamma.value(QLatin1String("id")).toInt(), 1);
    QCOMPARE(gamma.value(QLatin1String("payload")).toString(), QStringLiteral("0102"));
    TAKE_EVENT(relayNames, relay, "extensions", ClientLeg);
    QCOMPARE(relayNames.value(QLatin1String("names")).toArray(), (QJsonArray{"beta", "gamma"}));
    TAKE_EVENT(relayGamma, relay, "extension", ClientLeg);
    QCOMPARE(relayGamma, (QJsonObject{{"event", "extension"},
                                      {"session", 1},
                                      {"leg", "client"},
                                      {"name", "gamma"},
                                      {"id", 1},
                                      {"payload", "0102"}}));
    // The other way: the listener's [alpha, beta]; beta is id 1 for the listener, 0 for the
    // connector's own table, and the connector must read 1 as the listener's beta.
    listener.send(command("extension", {{"name", "beta"}, {"payload", "ff"}}));
    TAKE_EVENT(back, connector, "extension");
    QCOMPARE(back.value(QLatin1String("name")).toString(), QStringLiteral("beta"));
    QCOMPARE(back.value(QLatin1String("id")).toInt(), 1);
    QCOMPARE(back.value(QLatin1String("payload")).toString(), QStringLiteral("ff"));
    TAKE_EVENT(relayBack, relay, "extension", ServerLeg);
    QCOMPARE(relayBack.value(QLatin1String("name")).toString(), QStringLiteral("beta"));
    TAKE_EVENT(listenerNames, connector, "extensions");
    QCOMPARE(listenerNames.value(QLatin1String("names")).toArray(), (QJsonArray{"alpha", "beta"}));

    // Channel scope: [chan-x] one way, [chan-a, chan-x] the other (announced with first use).
    listener.send(command("register", {{"key", KeyHex}, {"name", "chan-x"}}));
    listener.send(command("extension", {{"key", KeyHex}, {"name", "chan-x"}, {"payload", "00"}}));
    TAKE_EVENT(listenerChannelNames, connector, "extensions");
    QCOMPARE(listenerChannelNames.value(QLatin1String("discoveryKey")).toString(), discoveryKey);
    QCOMPARE(listenerChannelNames.value(QLatin1String("names")).toArray(), (QJsonArray{"chan-x"}));
    TAKE_EVENT(unmatched, connector, "extension");
    QCOMPARE(unmatched.value(QLatin1String("id")).toInt(), 0);
    QCOMPARE(unmatched.value(QLatin1String("payload")).toString(), QStringLiteral("00"));
    connector.send(command("register", {{"key", KeyHex}, {"name", "chan-x"}}));
    connector.send(command("register", {{"key", KeyHex}, {"name", "chan-a"}}));
    connector.send(command("extension", {{"key", KeyHex}, {"name", "chan-x"}, {"payload", "aa"}}));
    TAKE_EVENT(onChannel, listener, "extension");
    QCOMPARE(onChannel, (QJsonObject{{"event", "extension"},
                                     {"session", 1},
                                     {"discoveryKey", discoveryKey},
                                     {"name", "chan-x"},
                                     {"id", 1},
                                     {"payload", "aa"}}));
    TAKE_EVENT(relayOnChannel, relay, "extension", ClientLeg);
    QCOMPARE(relayOnChannel.value(QLatin1String("discoveryKey")).toString(), discoveryKey);
    QCOMPARE(relayOnChannel.value(QLatin1String("name")).toString(), QStringLiteral("chan-x"));
    QCOMPARE(relayOnChannel.value(QLatin1String("id")).toInt(), 1);
    for (Cli *cli : {&listener, &relay, &connector})
        QVERIFY2(cli->all(QStringLiteral("error")).isEmpty(), qPrintable(cli->transcript()));
}

void tst_CliRelay::relaysClose()
{
    CliChain c;
    QVERIFY(startChain(c));
    const QString discoveryKey = discoveryKeyHex(KeyHex);
    c.connector->send(command("close", {{"key", KeyHex}}));
    TAKE_EVENT(listenerClose, *c.listener, "close");
    QCOMPARE(listenerClose.value(QLatin1String("discoveryKey")).toString(), discoveryKey);
    TAKE_EVENT(clientClose, *c.relay, "close", ClientLeg);
    TAKE_EVENT(serverClose, *c.relay, "close", ServerLeg);
    QCOMPARE(serverClose.value(QLatin1String("discoveryKey")).toString(), discoveryKey);
    TAKE_EVENT(connectorClose, *c.connector, "close");
    // The session goes on: quitting the connector ends both legs cleanly.
    c.connector->send(command("quit", {}));
    TAKE_EVENT(clientEnd, *c.relay, "end", ClientLeg);
    TAKE_EVENT(serverEnd, *c.relay, "end", ServerLeg);
    QVERIFY(serverEnd.value(QLatin1String("reason")).toString().contains("client leg ended"));
    TAKE_EVENT(listenerEnd, *c.listener, "end");
    QVERIFY2(c.relay->all(QStringLiteral("error")).isEmpty(), qPrintable(c.relay->transcript()));
}

void tst_CliRelay::holdsUnknownKeyUntilKeyCommand()
{
    CliChain c;
    QVERIFY(startChain(c, {.relayKnowsKey = false, .waitForChannels = false}));
    Cli &relay = *c.relay;
    const QString discoveryKey = discoveryKeyHex(KeyHex);
    TAKE_EVENT(held, relay, "warning", ClientLeg);
    QCOMPARE(held.value(QLatin1String("session")).toInt(), 1);
    const QString text = held.value(QLatin1String("message")).toString();
    QVERIFY2(text.contains(discoveryKey) && text.contains(QLatin1String("client")) &&
                 text.contains(QLatin1String(R"({"cmd":"key")")),
             qPrintable(text));
    QVERIFY(c.connector->all(QStringLiteral("channel")).isEmpty());

    relay.send(command("key", {{"key", KeyHex}}));
    TAKE_EVENT(connectorChannel, *c.connector, "channel");
    TAKE_EVENT(listenerChannel, *c.listener, "channel");
    TAKE_EVENT(clientChannel, relay, "channel", ClientLeg);
    TAKE_EVENT(serverChannel, relay, "channel", ServerLeg);
    c.connector->send(
        command("send", {{"key", KeyHex}, {"type", "Want"}, {"message", json(R"({"start":3})")}}));
    TAKE_EVENT(message, *c.listener, "message");
    QCOMPARE(message.value(QLatin1String("message")).toObject(), json(R"({"start":3})"));
    // One warning per held Open (the listener opened it too: held on the server leg as well).
    QCOMPARE(relay.all(QStringLiteral("warning"), ClientLeg).size(), 1);
    QVERIFY(relay.all(QStringLiteral("warning"), ServerLeg).size() <= 1);
    QVERIFY2(relay.all(QStringLiteral("error")).isEmpty(), qPrintable(relay.transcript()));
}

void tst_CliRelay::reportsRefusedUpstream()
{
    quint16 closedPort = 0;
    {
        QTcpServer probe;
        QVERIFY(probe.listen(QHostAddress::LocalHost));
        closedPort = probe.serverPort();
    } // nothing listens there any more
    Cli relay({"relay", "--port", "0", "--upstream", QStringLiteral("127.0.0.1:%1").arg(closedPort),
               "--key", KeyHex});
    const quint16 port = portOf(relay);
    QVERIFY(port);
    Cli connector({"connect", QStringLiteral("127.0.0.1:%1").arg(port), "--key", KeyHex});
    TAKE_EVENT(firstConnected, relay, "connected", ClientLeg);
    TAKE_EVENT(error, relay, "error", ClientLeg);
    const QString text = error.value(QLatin1String("message")).toString();
    QVERIFY2(text.contains(QStringLiteral("upstream 127.0.0.1:%1").arg(closedPort)),
             qPrintable(text));
    TAKE_EVENT(clientEnd, relay, "end", ClientLeg);
    TAKE_EVENT(serverEnd, relay, "end", ServerLeg);
    QVERIFY(connector.waitForExit());
    // The listener is still accepting.
    Cli second({"connect", QStringLiteral("127.0.0.1:%1").arg(port), "--key", KeyHex});
    TAKE_EVENT(secondConnected, relay, "connected", ClientLeg);
    QCOMPARE(secondConnected.value(QLatin1String("session")).toInt(), 2);
    TAKE_EVENT(secondError, relay, "error", ClientLeg);
    QCOMPARE(secondError.value(QLatin1String("session")).toInt(), 2);
}

void tst_CliRelay::closesOtherLegWhenOneDies()
{
    CliChain c;
    QVERIFY(startChain(c));
    // Mid-transfer: Data flowing from the connector when the listener dies.
    const QJsonObject data = json(R"({"index":1,"value":"00112233445566778899"})");
    for (int i = 0; i < 200; ++i)
        c.connector->send(command("send", {{"key", KeyHex}, {"type", "Data"}, {"message", data}}));
    TAKE_EVENT(first, *c.listener, "message");
    c.listener->signal(SIGKILL);
    TAKE_EVENT(serverEnd, *c.relay, "end", ServerLeg);
    TAKE_EVENT(clientEnd, *c.relay, "end", ClientLeg);
    QVERIFY(clientEnd.value(QLatin1String("reason")).toString().contains("server leg ended"));
    QVERIFY(c.relay->all(QStringLiteral("error"), ClientLeg).isEmpty());
    // The connector sees a clean end.
    TAKE_EVENT(connectorEnd, *c.connector, "end");
    QVERIFY(c.connector->waitForExit());
    QCOMPARE(c.connector->exitCode(), 0);
    // The relay is still there for the next pair.
    Cli listener({"listen", "--port", "0", "--key", KeyHex});
    QVERIFY(portOf(listener));
    QVERIFY(c.relay->exitStatus() == QProcess::NormalExit && !c.relay->waitForExit(0));
}

void tst_CliRelay::injectsIntoOneLeg()
{
    CliChain c;
    QVERIFY(
        startChain(c, {.listener = {"--extension", "ping"}, .connector = {"--extension", "ping"}}));
    Cli &relay = *c.relay;
    const auto want = [](int start) {
        return command(
            "send",
            {{"key", KeyHex}, {"type", "Want"}, {"message", QJsonObject{{"start", start}}}});
    };
    const auto starts = [](const Cli &cli) {
        QList<int> out;
        for (const QJsonObject &event : cli.all(QStringLiteral("message")))
            out.append(event.value(QLatin1String("message")).toObject().value("start").toInt());
        return out;
    };
    QJsonObject toServer = want(42);
    toServer.insert(QStringLiteral("leg"), QStringLiteral("server"));
    relay.send(toServer);
    TAKE_EVENT(injected, *c.listener, "message");
    QCOMPARE(injected.value(QLatin1String("message")).toObject().value("start").toInt(), 42);
    QJsonObject toClient = want(43);
    toClient.insert(QStringLiteral("leg"), QStringLiteral("client"));
    relay.send(toClient);
    TAKE_EVENT(injectedBack, *c.connector, "message");
    QCOMPARE(injectedBack.value(QLatin1String("message")).toObject().value("start").toInt(), 43);
    // Forwarded traffic after the injections: each end sees only what was meant for it.
    c.connector->send(want(1));
    TAKE_EVENT(forwarded, *c.listener, "message");
    c.listener->send(want(2));
    TAKE_EVENT(forwardedBack, *c.connector, "message");
    QCOMPARE(starts(*c.listener), (QList<int>{42, 1}));
    QCOMPARE(starts(*c.connector), (QList<int>{43, 2}));
    // The relay reports what the peers sent, not what it injected.
    QCOMPARE(starts(relay), (QList<int>{1, 2}));

    // An extension into the client leg, under the listener's name (the connector reads ids
    // against the listener's names, forwarded to it).
    // (Names are announced with their first use.)
    c.listener->send(command("extension", {{"name", "ping"}, {"payload", "01"}}));
    TAKE_EVENT(names, *c.connector, "extensions");
    TAKE_EVENT(announced, *c.connector, "extension");
    relay.send(command("extension", {{"leg", "client"}, {"name", "ping"}, {"payload", "abcd"}}));
    TAKE_EVENT(extension, *c.connector, "extension");
    QCOMPARE(extension.value(QLatin1String("name")).toString(), QStringLiteral("ping"));
    QCOMPARE(extension.value(QLatin1String("payload")).toString(), QStringLiteral("abcd"));
    QVERIFY(c.listener->all(QStringLiteral("extension")).isEmpty());

    // Close on one leg: only the connector's channel closes.
    relay.send(command("close", {{"leg", "client"}, {"key", KeyHex}}));
    TAKE_EVENT(connectorClose, *c.connector, "close");
    TAKE_EVENT(relayClose, relay, "close", ClientLeg);
    QVERIFY(c.listener->all(QStringLiteral("close")).isEmpty());
    QVERIFY2(relay.all(QStringLiteral("error")).isEmpty(), qPrintable(relay.transcript()));
}

void tst_CliRelay::reportsBadRelayCommands()
{
    CliChain c;
    QVERIFY(startChain(c));
    Cli &relay = *c.relay;
    relay.send(
        command("send", {{"key", KeyHex}, {"type", "Want"}, {"message", json(R"({"start":1})")}}));
    TAKE_EVENT(noLeg, relay, "error");
    QVERIFY2(noLeg.value(QLatin1String("message")).toString().contains(R"("leg":"client")"),
             qPrintable(relay.transcript()));
    relay.send(command("close", {{"key", KeyHex}, {"leg", "middle"}}));
    TAKE_EVENT(badLeg, relay, "error");
    QVERIFY(badLeg.value(QLatin1String("message")).toString().contains("leg must be"));
    relay.send(command("extension", {{"leg", "server"}, {"name", "nope"}}));
    TAKE_EVENT(badName, relay, "error");
    QVERIFY2(badName.value(QLatin1String("message")).toString().contains("'nope'"),
             qPrintable(relay.transcript()));
    relay.send(command("open", {{"key", KeyHex}}));
    TAKE_EVENT(open, relay, "error");
    QVERIFY(open.value(QLatin1String("message")).toString().contains(R"({"cmd":"key")"));
    // A leg on a session that is not relayed.
    c.listener->send(command("close", {{"key", KeyHex}, {"leg", "client"}}));
    TAKE_EVENT(notRelayed, *c.listener, "error");
    QVERIFY(
        notRelayed.value(QLatin1String("message")).toString().contains("relayed sessions only"));
    QVERIFY(c.connector->all(QStringLiteral("close")).isEmpty());
}

void tst_CliRelay::onceExitsAfterFirstPair()
{
    CliChain c;
    QVERIFY(startChain(c, {.relay = {"--once"}}));
    c.connector->send(command("quit", {}));
    QVERIFY2(c.connector->waitForExit(), qPrintable(c.connector->transcript()));
    QVERIFY2(c.relay->waitForExit(), qPrintable(c.relay->transcript()));
    QCOMPARE(c.relay->exitStatus(), QProcess::NormalExit);
    QCOMPARE(c.relay->exitCode(), 0);
    QCOMPARE(c.relay->all(QStringLiteral("end")).size(), 2);
}

void tst_CliRelay::sigtermExitsZero()
{
    CliChain c;
    QVERIFY(startChain(c));
    c.relay->signal(SIGTERM);
    QVERIFY2(c.relay->waitForExit(), qPrintable(c.relay->transcript()));
    QCOMPARE(c.relay->exitStatus(), QProcess::NormalExit);
    QCOMPARE(c.relay->exitCode(), 0);
    QCOMPARE(c.relay->all(QStringLiteral("end")).size(), 2);
    TAKE_EVENT(connectorEnd, *c.connector, "end");
    TAKE_EVENT(listenerEnd, *c.listener, "end");
    QVERIFY(c.connector->all(QStringLiteral("error")).isEmpty());
}

void tst_CliRelay::warnsAboutProtocolViolations()
{
    // Listen mode: a frame of an unassigned type (12) from the other side.
    CliChain c;
    QVERIFY(startChain(c));
    c.listener->send(command("frame", {{"channel", 0}, {"type", 12}, {"payload", "00"}}));
    // Relay mode: the relay's server leg sees it first, and does not forward it.
    TAKE_EVENT(relayWarning, *c.relay, "warning", ServerLeg);
    QVERIFY2(relayWarning.value(QLatin1String("message")).toString().contains("unassigned type 12"),
             qPrintable(c.relay->transcript()));
    QCOMPARE(relayWarning.value(QLatin1String("session")).toInt(), 1);
    // Connect mode, and listen mode, with the relay sending it into each leg.
    c.relay->send(command("frame", {{"leg", "client"}, {"channel", 0}, {"type", 13}}));
    TAKE_EVENT(connectorWarning, *c.connector, "warning");
    QVERIFY(connectorWarning.value(QLatin1String("message")).toString().contains("type 13"));
    QVERIFY(!connectorWarning.contains(QLatin1String("leg")));
    c.relay->send(command("frame", {{"leg", "server"}, {"channel", 0}, {"type", 14}}));
    TAKE_EVENT(listenerWarning, *c.listener, "warning");
    QCOMPARE(listenerWarning.value(QLatin1String("session")).toInt(), 1);
    QVERIFY(listenerWarning.value(QLatin1String("message")).toString().contains("type 14"));
}

void tst_CliRelay::warnsInListenMode()
{
    // Directly, without a relay: a connector sends a frame of an unassigned type, and a Want on
    // a channel id the listener never heard of.
    Cli listener({"listen", "--port", "0", "--key", KeyHex});
    const quint16 port = portOf(listener);
    QVERIFY(port);
    Cli connector({"connect", QStringLiteral("127.0.0.1:%1").arg(port), "--key", KeyHex});
    TAKE_EVENT(channel, listener, "channel");
    connector.send(command("frame", {{"channel", 0}, {"type", 12}, {"payload", "0102"}}));
    connector.send(command("frame", {{"channel", 7}, {"type", "Want"}, {"payload", "0800"}}));
    TAKE_EVENT(unassigned, listener, "warning");
    QCOMPARE(unassigned, (QJsonObject{{"event", "warning"},
                                      {"session", 1},
                                      {"message", "frame of unassigned type 12 on channel id 0: "
                                                  "ignored"}}));
    TAKE_EVENT(unknownChannel, listener, "warning");
    QVERIFY2(unknownChannel.value(QLatin1String("message")).toString().contains("channel id 7"),
             qPrintable(listener.transcript()));
    // Tolerated: the session goes on.
    connector.send(
        command("send", {{"key", KeyHex}, {"type", "Want"}, {"message", json(R"({"start":5})")}}));
    TAKE_EVENT(message, listener, "message");
    QVERIFY(listener.all(QStringLiteral("error")).isEmpty());
    QVERIFY(connector.all(QStringLiteral("warning")).isEmpty());
}

void tst_CliRelay::exitsWhenStdoutCloses_data()
{
    QTest::addColumn<QString>("mode");
    QTest::newRow("listen") << QStringLiteral("listen");
    QTest::newRow("connect") << QStringLiteral("connect");
    QTest::newRow("relay") << QStringLiteral("relay");
}

void tst_CliRelay::exitsWhenStdoutCloses()
{
    // `hyperscope-cli ... | head -3`, for real: a reader takes three lines and exits (head itself
    // would hold its output back until it has all three, and the listener's second line needs a
    // peer that needs the first), and nobody reads
    // hyperscope-cli's stdout any more. Its peers would time it out after 20 s; it must go well
    // before that, on its own, and end its sessions cleanly. (QProcess::closeReadChannel only
    // stops reading, it keeps the pipe open: hence a shell pipeline.)
    QFETCH(QString, mode);
    CliChain c;
    QVERIFY(startChain(c));
    QStringList arguments;
    if (mode == QLatin1String("listen"))
        arguments = {"listen", "--port", "0", "--key", KeyHex};
    else if (mode == QLatin1String("connect"))
        arguments = {"connect", QStringLiteral("127.0.0.1:%1").arg(c.listenPort), "--key", KeyHex};
    else
        arguments = {
            "relay", "--port", "0", "--upstream", QStringLiteral("127.0.0.1:%1").arg(c.listenPort),
            "--key", KeyHex};
    QProcess pipeline;
    // stdin stays open (QProcess's pipe): only stdout goes away. The exit status is
    // hyperscope-cli's.
    pipeline.start(
        QStringLiteral("bash"),
        QStringList{
            "-c",
            R"("$0" "$@" | for i in 1 2 3; do IFS= read -r l; printf '%s\n' "$l"; done; exit "${PIPESTATUS[0]}")",
            QStringLiteral(HYPERSCOPE_CLI_PATH)} +
            arguments);
    QList<QByteArray> lines;
    const auto readLine = [&] {
        return QTest::qWaitFor(
            [&] {
                if (!pipeline.canReadLine())
                    return false;
                lines.append(pipeline.readLine());
                return true;
            },
            Wait);
    };
    QVERIFY(readLine());
    std::unique_ptr<Cli> peer;
    if (mode != QLatin1String("connect")) {
        const quint16 port =
            quint16(QJsonDocument::fromJson(lines.first()).object().value("port").toInt());
        QVERIFY(port);
        peer = std::make_unique<Cli>(
            QStringList{"connect", QStringLiteral("127.0.0.1:%1").arg(port), "--key", KeyHex});
    }
    QVERIFY2(readLine(), lines.join().constData());
    QVERIFY2(readLine(), lines.join().constData());
    QElapsedTimer clock;
    clock.start();
    QVERIFY2(pipeline.state() == QProcess::NotRunning || pipeline.waitForFinished(Wait),
             lines.join().constData());
    QVERIFY2(clock.elapsed() < 10000, qPrintable(QString::number(clock.elapsed())));
    QCOMPARE(pipeline.exitStatus(), QProcess::NormalExit);
    QCOMPARE(pipeline.exitCode(), 0);
    // Its peer saw its session end: cleanly, when it was past the handshake. (The relay's third
    // line comes before the client leg's handshake may have completed; a handshake cut short
    // cannot end cleanly.)
    Cli *other = peer ? peer.get() : c.listener.get();
    const auto end = other->take(QStringLiteral("end"));
    QVERIFY2(!end.isEmpty(), qPrintable(other->transcript()));
    if (mode != QLatin1String("relay") || !other->all(QStringLiteral("handshake")).isEmpty())
        QVERIFY2(other->all(QStringLiteral("error")).isEmpty(), qPrintable(other->transcript()));
}

QTEST_GUILESS_MAIN(tst_CliRelay)
#include "tst_clirelay.moc"
