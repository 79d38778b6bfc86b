// Tests hyperscope-cli as a process: two of them talking over loopback TCP, driven through stdin
// and checked through their JSON events on stdout.
#include "builders.h"
#include "clifixtures.h"
#include "crypto.h"
#include "hyperscope_version.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTcpServer>
#include <QTcpSocket>
#include <QtTest>

#include <csignal>
#include <memory>
#include <unistd.h>

using namespace hyperscope;
using namespace hyperscope::test;

namespace {

constexpr int Wait = 20000; // process start-up on a loaded machine can take a while

using Cli = CliProcess;

/// A listener and a connector with a channel for KeyHex established on both sides.
using Conversation = CliPair;

} // namespace

class tst_Cli : public QObject
{
    Q_OBJECT

private slots:
    void printsHelp();
    void printsVersion();
    void rejectsBadArguments_data();
    void rejectsBadArguments();
    void establishesSession_data();
    void establishesSession();
    void sendsEveryMessageTypeBothWays();
    void exchangesExtensionsOnBothScopes();
    void closesChannel();
    void reportsBadCommands();
    void sendsRawFrames();
    void quitEndsCleanly();
    void connectExitsOneOnError();
    void timesOutAsError();
    void onceExitsAfterFirstConnection();
    void signalsExitZero_data();
    void signalsExitZero();
    void survivesStdinAtEnd_data();
    void survivesStdinAtEnd();
    void servesSessionsIndependently();
    void tracesFrames_data();
    void tracesFrames();

private:
    /// Starts a listener and a connector with @p options (both) and waits for their channel.
    bool converse(Conversation &conversation, const QStringList &options = {},
                  const QStringList &listenerOptions = {},
                  const QStringList &connectorOptions = {});
};

bool tst_Cli::converse(Conversation &c, const QStringList &options,
                       const QStringList &listenerOptions, const QStringList &connectorOptions)
{
    return startPair(c, options + listenerOptions, options + connectorOptions);
}

void tst_Cli::printsHelp()
{
    const FinishedProcess run = runCli({QStringLiteral("--help")});
    QVERIFY(run.finished);
    QCOMPARE(run.exitCode, 0);
    const QByteArray out = run.stdoutText;
    QVERIFY(out.startsWith("Usage:"));
    QVERIFY(out.contains("hyperscope-cli listen [--host ADDR] --port PORT [--once] [options]"));
    QVERIFY(out.contains("hyperscope-cli connect HOST:PORT [options]"));
}

void tst_Cli::printsVersion()
{
    const FinishedProcess run = runCli({QStringLiteral("--version")});
    QVERIFY(run.finished);
    QCOMPARE(run.exitStatus, QProcess::NormalExit);
    QCOMPARE(run.exitCode, 0);
    QCOMPARE(run.stdoutText, QByteArray("hyperscope-cli " HYPERSCOPE_VERSION "\n"));
    QVERIFY(run.stderrText.isEmpty());
}

void tst_Cli::rejectsBadArguments_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QByteArray>("message");
    QTest::newRow("nothing") << QStringList{} << QByteArray("missing command");
    QTest::newRow("bad port") << QStringList{"listen", "--port", "x"}
                              << QByteArray("--port must be a number");
    QTest::newRow("bad key") << QStringList{"connect", "127.0.0.1:1", "--key", "12"}
                             << QByteArray("--key must be 64 hex digits");
    QTest::newRow("unknown option")
        << QStringList{"listen", "--port", "0", "--nope"} << QByteArray("Unknown option 'nope'");
}

void tst_Cli::rejectsBadArguments()
{
    QFETCH(QStringList, arguments);
    QFETCH(QByteArray, message);
    const FinishedProcess run = runCli(arguments);
    QVERIFY(run.finished);
    QCOMPARE(run.exitStatus, QProcess::NormalExit);
    QCOMPARE(run.exitCode, 2);
    const QByteArray err = run.stderrText;
    QVERIFY2(err.startsWith("hyperscope-cli: ") && err.contains(message), err.constData());
    QVERIFY(run.stdoutText.isEmpty());
}

void tst_Cli::establishesSession_data()
{
    QTest::addColumn<QStringList>("options");
    QTest::newRow("noise, encrypted") << QStringList{};
    QTest::newRow("--no-encrypt") << QStringList{"--no-encrypt"};
    QTest::newRow("--no-noise") << QStringList{"--no-noise"};
}

void tst_Cli::establishesSession()
{
    QFETCH(QStringList, options);
    Conversation c;
    QVERIFY(converse(c, options));
    Cli &listener = *c.listener;
    Cli &connector = *c.connector;

    const QJsonObject listening = listener.all(QStringLiteral("listening")).first();
    QCOMPARE(listening.value(QLatin1String("session")).toInt(-1), 0);
    QVERIFY(c.port != 0);

    TAKE_EVENT(listenerConnected, listener, "connected");
    TAKE_EVENT(connectorConnected, connector, "connected");
    QCOMPARE(listenerConnected.value(QLatin1String("session")).toInt(), 1);
    QCOMPARE(listenerConnected.value(QLatin1String("initiator")), QJsonValue(false));
    QVERIFY(listenerConnected.value(QLatin1String("remote")).toString().startsWith("127.0.0.1:"));
    QCOMPARE(connectorConnected.value(QLatin1String("session")).toInt(), 1);
    QCOMPARE(connectorConnected.value(QLatin1String("initiator")), QJsonValue(true));
    QCOMPARE(connectorConnected.value(QLatin1String("remote")).toString(),
             QStringLiteral("127.0.0.1:%1").arg(c.port));

    if (options.contains(QLatin1String("--no-noise"))) {
        QVERIFY(listener.all(QStringLiteral("handshake")).isEmpty());
        QVERIFY(connector.all(QStringLiteral("handshake")).isEmpty());
    } else {
        TAKE_EVENT(a, listener, "handshake");
        TAKE_EVENT(b, connector, "handshake");
        QCOMPARE(a.value(QLatin1String("handshakeHash")), b.value(QLatin1String("handshakeHash")));
        QCOMPARE(a.value(QLatin1String("handshakeHash")).toString().size(), 128);
        QCOMPARE(a.value(QLatin1String("publicKey")), b.value(QLatin1String("remotePublicKey")));
        QCOMPARE(a.value(QLatin1String("remotePublicKey")), b.value(QLatin1String("publicKey")));
    }
    for (Cli *side : {&listener, &connector}) {
        const QJsonObject channel = side->all(QStringLiteral("channel")).first();
        QCOMPARE(channel.value(QLatin1String("discoveryKey")).toString(), discoveryKeyHex(KeyHex));
        QCOMPARE(channel.value(QLatin1String("localId")).toInt(), 1);
        QCOMPARE(channel.value(QLatin1String("remoteId")).toInt(), 1);
    }

    // A message passes in every mode.
    connector.send(
        command("send", {{"key", KeyHex}, {"type", "Want"}, {"message", json(R"({"start":9})")}}));
    TAKE_EVENT(message, listener, "message");
    QCOMPARE(message.value(QLatin1String("message")).toObject(), json(R"({"start":9})"));
}

void tst_Cli::sendsEveryMessageTypeBothWays()
{
    Conversation c;
    QVERIFY(converse(c));
    // Written the way the CLI prints them, so that what one side sends is what the other prints.
    const QList<std::pair<const char *, QJsonObject>> messages = everyMessageType();
    const QString discoveryKey = discoveryKeyHex(KeyHex);
    for (auto [from, to] : {std::pair{c.connector.get(), c.listener.get()},
                            std::pair{c.listener.get(), c.connector.get()}}) {
        for (const auto &[type, message] : messages)
            from->send(command("send", {{"key", KeyHex}, {"type", type}, {"message", message}}));
        for (const auto &[type, message] : messages) {
            TAKE_EVENT(received, *to, "message");
            QCOMPARE(received.value(QLatin1String("type")).toString(), QLatin1String(type));
            QCOMPARE(received.value(QLatin1String("discoveryKey")).toString(), discoveryKey);
            QCOMPARE(received.value(QLatin1String("message")).toObject(), message);
            QCOMPARE(received.value(QLatin1String("session")).toInt(), 1);
        }
    }
    // Close last: it is delivered as a message, then the channel closes on both sides.
    c.connector->send(command("send", {{"discoveryKey", discoveryKey}, {"type", "Close"}}));
    TAKE_EVENT(close, *c.listener, "message");
    QCOMPARE(close.value(QLatin1String("type")).toString(), QStringLiteral("Close"));
    QCOMPARE(close.value(QLatin1String("message")).toObject(), QJsonObject());
    TAKE_EVENT(listenerClose, *c.listener, "close");
    TAKE_EVENT(connectorClose, *c.connector, "close");
    QCOMPARE(listenerClose.value(QLatin1String("discoveryKey")).toString(), discoveryKey);
    QVERIFY(c.listener->all(QStringLiteral("error")).isEmpty());
    QVERIFY(c.connector->all(QStringLiteral("error")).isEmpty());
}

void tst_Cli::exchangesExtensionsOnBothScopes()
{
    Conversation c;
    QVERIFY(converse(c, {}, {"--extension", "alpha", "--extension", "beta"},
                     {"--extension", "gamma", "--extension", "beta"}));
    Cli &listener = *c.listener;
    Cli &connector = *c.connector;
    const QString discoveryKey = discoveryKeyHex(KeyHex);

    // Stream scope. The connector's names are [beta, gamma]; the listener knows beta, not gamma.
    connector.send(command("extension", {{"name", "beta"}, {"payload", "0102"}}));
    connector.send(command("extension", {{"name", "gamma"}}));
    TAKE_EVENT(names, listener, "extensions");
    QVERIFY(!names.contains(QLatin1String("discoveryKey")));
    QCOMPARE(names.value(QLatin1String("names")).toArray(), (QJsonArray{"beta", "gamma"}));
    TAKE_EVENT(beta, listener, "extension");
    QCOMPARE(beta, (QJsonObject{{"event", "extension"},
                                {"session", 1},
                                {"name", "beta"},
                                {"id", 0},
                                {"payload", "0102"}}));
    TAKE_EVENT(gamma, listener, "extension");
    QCOMPARE(gamma, (QJsonObject{{"event", "extension"},
                                 {"session", 1},
                                 {"name", QJsonValue()},
                                 {"id", 1},
                                 {"payload", ""}}));

    // The other way, with a name registered from stdin.
    listener.send(command("register", {{"name", "gamma"}}));
    listener.send(command("extension", {{"name", "gamma"}, {"payload", "ff"}}));
    TAKE_EVENT(listenerNames, connector, "extensions");
    QCOMPARE(listenerNames.value(QLatin1String("names")).toArray(),
             (QJsonArray{"alpha", "beta", "gamma"}));
    TAKE_EVENT(back, connector, "extension");
    QCOMPARE(back.value(QLatin1String("name")).toString(), QStringLiteral("gamma"));
    QCOMPARE(back.value(QLatin1String("id")).toInt(), 2);
    QCOMPARE(back.value(QLatin1String("payload")).toString(), QStringLiteral("ff"));

    // Channel scope: names of its own, selected by key on one side and discoveryKey on the other.
    listener.send(command("register", {{"key", KeyHex}, {"name", "chan-x"}}));
    // The listener uses its new name at once, and the connector waits to see it: the two
    // processes read stdin and the socket independently, so without this the connector's
    // extension below could overtake the listener's own registration and find no local name.
    listener.send(command("extension", {{"key", KeyHex}, {"name", "chan-x"}, {"payload", "00"}}));
    TAKE_EVENT(listenerChannelNames, connector, "extensions");
    QCOMPARE(listenerChannelNames.value(QLatin1String("discoveryKey")).toString(), discoveryKey);
    QCOMPARE(listenerChannelNames.value(QLatin1String("names")).toArray(), (QJsonArray{"chan-x"}));
    TAKE_EVENT(unmatched, connector, "extension");
    QCOMPARE(unmatched.value(QLatin1String("name")), QJsonValue()); // not registered there yet
    QCOMPARE(unmatched.value(QLatin1String("payload")).toString(), QStringLiteral("00"));
    connector.send(command("register", {{"discoveryKey", discoveryKey}, {"name", "chan-x"}}));
    connector.send(command("register", {{"discoveryKey", discoveryKey}, {"name", "chan-a"}}));
    connector.send(command("extension", {{"key", KeyHex}, {"name", "chan-x"}, {"payload", "aa"}}));
    TAKE_EVENT(channelNames, listener, "extensions");
    QCOMPARE(channelNames.value(QLatin1String("discoveryKey")).toString(), discoveryKey);
    QCOMPARE(channelNames.value(QLatin1String("names")).toArray(),
             (QJsonArray{"chan-a", "chan-x"}));
    TAKE_EVENT(onChannel, listener, "extension");
    QCOMPARE(onChannel, (QJsonObject{{"event", "extension"},
                                     {"session", 1},
                                     {"discoveryKey", discoveryKey},
                                     {"name", "chan-x"},
                                     {"id", 1},
                                     {"payload", "aa"}}));
    // The announcement was an Options message on the channel: printed as a message too.
    TAKE_EVENT(options, listener, "message");
    QCOMPARE(options.value(QLatin1String("type")).toString(), QStringLiteral("Options"));
    QCOMPARE(options.value(QLatin1String("message")).toObject().value("extensions").toArray(),
             (QJsonArray{"chan-a", "chan-x"}));
    QVERIFY2(listener.all(QStringLiteral("error")).isEmpty(), qPrintable(listener.transcript()));
    QVERIFY2(connector.all(QStringLiteral("error")).isEmpty(), qPrintable(connector.transcript()));
}

void tst_Cli::closesChannel()
{
    Conversation c;
    QVERIFY(converse(c));
    const QString discoveryKey = discoveryKeyHex(KeyHex);
    c.connector->send(command("close", {{"key", KeyHex}}));
    TAKE_EVENT(connectorClose, *c.connector, "close");
    QCOMPARE(connectorClose,
             (QJsonObject{{"event", "close"}, {"session", 1}, {"discoveryKey", discoveryKey}}));
    TAKE_EVENT(message, *c.listener, "message");
    QCOMPARE(message.value(QLatin1String("type")).toString(), QStringLiteral("Close"));
    TAKE_EVENT(listenerClose, *c.listener, "close");
    QCOMPARE(listenerClose.value(QLatin1String("discoveryKey")).toString(), discoveryKey);

    // The session outlives its channel; reopening works.
    c.connector->send(command("open", {{"key", KeyHex}}));
    TAKE_EVENT(reopened, *c.listener, "discovery-key");
    QCOMPARE(reopened.value(QLatin1String("discoveryKey")).toString(), discoveryKey);
    c.listener->send(command("open", {{"key", KeyHex}}));
    TAKE_EVENT(channel, *c.connector, "channel");
    QCOMPARE(channel.value(QLatin1String("discoveryKey")).toString(), discoveryKey);
    QVERIFY(c.listener->all(QStringLiteral("end")).isEmpty());
}

void tst_Cli::reportsBadCommands()
{
    Conversation c;
    QVERIFY(converse(c));
    Cli &connector = *c.connector;
    connector.sendLine("this is not json");                                            // line 1
    connector.sendLine(R"({"cmd":"opne","key":"00"})");                                // line 2
    connector.sendLine("");                                                            // line 3
    connector.sendLine(R"({"cmd":"open","key":"abc"})");                               // line 4
    connector.send(command("send", {{"key", KeyHex}, {"type", "Open"}}));              // line 5
    connector.send(command("send", {{"key", KeyHex}, {"type", "Want"}}));              // line 6
    connector.send(command("extension", {{"name", "nope"}}));                          // line 7
    connector.send(command("ping", {{"session", 7}}));                                 // line 8
    connector.send(command("send", {{"key", QString(64, u'f')}, {"type", "Status"}})); // line 9
    const QStringList expected = {
        "line 1: not valid JSON (illegal value at offset 1)",
        "line 2: unknown command 'opne'",
        "line 4: key must be 64 hex digits",
        "line 5: Open cannot be sent: use {\"cmd\":\"open\",\"key\":...} to open a channel",
        "line 6: Want: missing required field 'start'",
        "line 7: extension: extension 'nope' is not registered on the stream",
        "line 8: session 7 is not alive",
    };
    for (const QString &message : expected) {
        TAKE_EVENT(error, connector, "error");
        QCOMPARE(error.value(QLatin1String("message")).toString(), message);
    }
    TAKE_EVENT(unknownChannel, connector, "error");
    QVERIFY2(unknownChannel.value(QLatin1String("message")).toString().startsWith("line 9: send: "),
             qPrintable(unknownChannel.value(QLatin1String("message")).toString()));
    QCOMPARE(unknownChannel.value(QLatin1String("session")).toInt(), 1);

    // Nothing else changed: the session works.
    connector.send(
        command("send", {{"key", KeyHex}, {"type", "Want"}, {"message", json(R"({"start":1})")}}));
    TAKE_EVENT(message, *c.listener, "message");
    QCOMPARE(message.value(QLatin1String("type")).toString(), QStringLiteral("Want"));
    QVERIFY(connector.all(QStringLiteral("end")).isEmpty());
    QCOMPARE(connector.process().state(), QProcess::Running);
}

void tst_Cli::sendsRawFrames()
{
    Conversation c;
    QVERIFY(converse(c));
    // Want {start: 5} built by hand on our channel id 1, and a frame of unassigned type 12 that
    // the receiver ignores.
    c.connector->send(command("frame", {{"channel", 1}, {"type", "Want"}, {"payload", "0805"}}));
    c.connector->send(command("frame", {{"channel", 1}, {"type", 12}, {"payload", "ff"}}));
    c.connector->send(command("frame", {{"channel", 1}, {"type", 3}, {"payload", "0807"}}));
    TAKE_EVENT(want, *c.listener, "message");
    QCOMPARE(want.value(QLatin1String("type")).toString(), QStringLiteral("Want"));
    QCOMPARE(want.value(QLatin1String("message")).toObject(), json(R"({"start":5})"));
    TAKE_EVENT(have, *c.listener, "message");
    QCOMPARE(have.value(QLatin1String("type")).toString(), QStringLiteral("Have"));
    QCOMPARE(have.value(QLatin1String("message")).toObject(), json(R"({"start":7})"));

    // A frame the engine would never build: a Want without its required field ends the session
    // on the receiving side, as the reference does.
    c.connector->send(command("frame", {{"channel", 1}, {"type", 5}, {"payload", ""}}));
    TAKE_EVENT(error, *c.listener, "error");
    QVERIFY2(error.value(QLatin1String("message")).toString().contains("Want"),
             qPrintable(error.value(QLatin1String("message")).toString()));
    TAKE_EVENT(end, *c.listener, "end");
    QCOMPARE(end.value(QLatin1String("reason")).toString(), QStringLiteral("invalid-message"));
    TAKE_EVENT(connectorEnd, *c.connector, "end");
    QVERIFY(c.connector->waitForExit());
}

void tst_Cli::quitEndsCleanly()
{
    Conversation c;
    QVERIFY(converse(c));
    c.connector->send(command("quit", {}));
    TAKE_EVENT(end, *c.connector, "end");
    QCOMPARE(end.value(QLatin1String("reason")).toString(), QStringLiteral("quit"));
    QVERIFY(c.connector->waitForExit());
    QCOMPARE(c.connector->exitStatus(), QProcess::NormalExit);
    QCOMPARE(c.connector->exitCode(), 0);
    QVERIFY(c.connector->all(QStringLiteral("error")).isEmpty());

    // The listener saw a clean end and goes on listening until told to quit.
    TAKE_EVENT(listenerEnd, *c.listener, "end");
    QCOMPARE(listenerEnd.value(QLatin1String("session")).toInt(), 1);
    QVERIFY(!listenerEnd.value(QLatin1String("reason")).toString().isEmpty());
    QVERIFY(c.listener->all(QStringLiteral("error")).isEmpty());
    // Still serving: it answers a command (with an error, its only session having ended).
    c.listener->send(command("ping", {}));
    TAKE_EVENT(noSession, *c.listener, "error");
    QCOMPARE(noSession.value(QLatin1String("message")).toString(),
             QStringLiteral("line 1: no session is alive"));
    QCOMPARE(c.listener->process().state(), QProcess::Running);
    c.listener->send(command("quit", {}));
    QVERIFY(c.listener->waitForExit());
    QCOMPARE(c.listener->exitCode(), 0);
}

void tst_Cli::connectExitsOneOnError()
{
    quint16 port = 0;
    {
        QTcpServer probe; // free a moment ago, nobody listening now
        QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
        port = probe.serverPort();
    }
    Cli connector({"connect", QStringLiteral("127.0.0.1:%1").arg(port)});
    TAKE_EVENT(error, connector, "error");
    QCOMPARE(error.value(QLatin1String("message")).toString(),
             QStringLiteral("connection to 127.0.0.1:%1 failed: Connection refused").arg(port));
    QCOMPARE(error.value(QLatin1String("session")).toInt(), 1);
    // What failed, named for scripts; "reason" keeps the engine's code (an existing contract).
    QCOMPARE(error.value(QLatin1String("failure")).toString(),
             QStringLiteral("connection-refused"));
    TAKE_EVENT(end, connector, "end");
    QCOMPARE(end.value(QLatin1String("reason")).toString(), QStringLiteral("connection-lost"));
    QCOMPARE(end.value(QLatin1String("failure")).toString(), QStringLiteral("connection-refused"));
    QVERIFY(connector.waitForExit());
    QCOMPARE(connector.exitCode(), 1);
}

void tst_Cli::timesOutAsError()
{
    QTcpServer silent; // accepts, never answers the handshake
    QVERIFY(silent.listen(QHostAddress::LocalHost, 0));
    Cli connector(
        {"connect", QStringLiteral("127.0.0.1:%1").arg(silent.serverPort()), "--timeout", "300"});
    TAKE_EVENT(connected, connector, "connected");
    TAKE_EVENT(error, connector, "error");
    QVERIFY2(error.value(QLatin1String("message")).toString().contains("300 ms"),
             qPrintable(error.value(QLatin1String("message")).toString()));
    TAKE_EVENT(end, connector, "end");
    QCOMPARE(end.value(QLatin1String("reason")).toString(), QStringLiteral("timeout"));
    QVERIFY(connector.waitForExit());
    QCOMPARE(connector.exitCode(), 1);
}

void tst_Cli::onceExitsAfterFirstConnection()
{
    Conversation c;
    QVERIFY(converse(c, {}, {"--once"}));
    // The listener stopped accepting: a second dialer is refused.
    Cli second({"connect", QStringLiteral("127.0.0.1:%1").arg(c.port)});
    TAKE_EVENT(refused, second, "error");
    QVERIFY(second.waitForExit());
    QCOMPARE(second.exitCode(), 1);

    c.connector->send(command("quit", {}));
    QVERIFY(c.connector->waitForExit());
    QCOMPARE(c.connector->exitCode(), 0);
    TAKE_EVENT(end, *c.listener, "end");
    QVERIFY(c.listener->waitForExit());
    QCOMPARE(c.listener->exitStatus(), QProcess::NormalExit);
    QCOMPARE(c.listener->exitCode(), 0);
}

void tst_Cli::signalsExitZero_data()
{
    QTest::addColumn<int>("signal");
    QTest::newRow("SIGTERM") << SIGTERM;
    QTest::newRow("SIGINT") << SIGINT;
}

void tst_Cli::signalsExitZero()
{
    QFETCH(int, signal);
    Conversation c;
    QVERIFY(converse(c));
    c.listener->signal(signal);
    TAKE_EVENT(end, *c.listener, "end");
    QCOMPARE(end.value(QLatin1String("reason")).toString(),
             QStringLiteral("terminated by %1").arg(signal == SIGTERM ? "SIGTERM" : "SIGINT"));
    QVERIFY(c.listener->waitForExit());
    QCOMPARE(c.listener->exitStatus(), QProcess::NormalExit);
    QCOMPARE(c.listener->exitCode(), 0);
    // The peer saw a clean close.
    TAKE_EVENT(connectorEnd, *c.connector, "end");
    QVERIFY(c.connector->waitForExit());
    QCOMPARE(c.connector->exitCode(), 0);

    // A listener without sessions exits at once.
    Cli idle({"listen", "--port", "0"});
    TAKE_EVENT(listening, idle, "listening");
    idle.signal(signal);
    QVERIFY(idle.waitForExit());
    QCOMPARE(idle.exitStatus(), QProcess::NormalExit);
    QCOMPARE(idle.exitCode(), 0);
}

void tst_Cli::survivesStdinAtEnd_data()
{
    QTest::addColumn<int>("stdinMode");
    QTest::newRow("/dev/null") << int(Cli::Stdin::DevNull);
    QTest::newRow("closed") << int(Cli::Stdin::Closed);
}

void tst_Cli::survivesStdinAtEnd()
{
    // The listener's stdin at EOF from the start, or not even open; the connector's closed later:
    // nothing changes.
    QFETCH(int, stdinMode);
    Cli listener({"listen", "--port", "0", "--key", KeyHex}, Cli::Stdin(stdinMode));
    TAKE_EVENT(listening, listener, "listening");
    const int port = listening.value(QLatin1String("port")).toInt();
    Cli connector({"connect", QStringLiteral("127.0.0.1:%1").arg(port), "--key", KeyHex});
    TAKE_EVENT(a, listener, "channel");
    TAKE_EVENT(b, connector, "channel");
    connector.closeStdin();
    // A negative check (neither process reacts to the EOF), so a fixed wait: long enough for the
    // connector to have read it.
    QTest::qWait(200);
    QCOMPARE(listener.process().state(), QProcess::Running);
    QCOMPARE(connector.process().state(), QProcess::Running);
    QVERIFY(listener.all(QStringLiteral("error")).isEmpty());
    connector.process().terminate();
    QVERIFY(connector.waitForExit());
    QCOMPARE(connector.exitCode(), 0);
    TAKE_EVENT(end, listener, "end");
    listener.process().terminate();
    QVERIFY(listener.waitForExit());
    QCOMPARE(listener.exitCode(), 0);
}

void tst_Cli::servesSessionsIndependently()
{
    Cli listener({"listen", "--port", "0", "--key", KeyHex});
    TAKE_EVENT(listening, listener, "listening");
    const QString target = QStringLiteral("127.0.0.1:%1").arg(listening.value("port").toInt());
    Cli first({"connect", target, "--key", KeyHex});
    TAKE_EVENT(firstChannel, listener, "channel");
    Cli second({"connect", target, "--key", KeyHex});
    TAKE_EVENT(secondChannel, listener, "channel");
    QCOMPARE(firstChannel.value(QLatin1String("session")).toInt(), 1);
    QCOMPARE(secondChannel.value(QLatin1String("session")).toInt(), 2);

    // Without "session" a command goes to the latest session; with it, to that one.
    listener.send(
        command("send", {{"key", KeyHex}, {"type", "Want"}, {"message", json(R"({"start":2})")}}));
    listener.send(command(
        "send",
        {{"session", 1}, {"key", KeyHex}, {"type", "Want"}, {"message", json(R"({"start":1})")}}));
    TAKE_EVENT(toSecond, second, "message");
    QCOMPARE(toSecond.value(QLatin1String("message")).toObject(), json(R"({"start":2})"));
    TAKE_EVENT(toFirst, first, "message");
    QCOMPARE(toFirst.value(QLatin1String("message")).toObject(), json(R"({"start":1})"));

    // A peer that dies mid-frame takes only its own session down.
    QTcpSocket raw;
    raw.connectToHost(QHostAddress::LocalHost, listening.value("port").toInt());
    QVERIFY(raw.waitForConnected(Wait));
    raw.write(QByteArray::fromHex("ffffffff"));
    QVERIFY(raw.waitForBytesWritten(Wait));
    TAKE_EVENT(rawError, listener, "error");
    QCOMPARE(rawError.value(QLatin1String("session")).toInt(), 3);
    TAKE_EVENT(rawEnd, listener, "end");
    QCOMPARE(rawEnd.value(QLatin1String("session")).toInt(), 3);

    first.process().kill(); // no goodbye at all
    TAKE_EVENT(firstEnd, listener, "end");
    QCOMPARE(firstEnd.value(QLatin1String("session")).toInt(), 1);

    second.send(
        command("send", {{"key", KeyHex}, {"type", "Have"}, {"message", json(R"({"start":3})")}}));
    TAKE_EVENT(stillThere, listener, "message");
    QCOMPARE(stillThere.value(QLatin1String("session")).toInt(), 2);
    QCOMPARE(listener.process().state(), QProcess::Running);
    // Without "session", commands now go to session 2: 3 was newer but has ended.
    listener.send(
        command("send", {{"key", KeyHex}, {"type", "Want"}, {"message", json(R"({"start":4})")}}));
    TAKE_EVENT(toLatestAlive, second, "message");
    QCOMPARE(toLatestAlive.value(QLatin1String("message")).toObject(), json(R"({"start":4})"));
}

void tst_Cli::tracesFrames_data()
{
    QTest::addColumn<QStringList>("options");
    QTest::newRow("encrypted") << QStringList{"--trace"};
    QTest::newRow("--no-encrypt") << QStringList{"--trace", "--no-encrypt"};
    QTest::newRow("--no-noise") << QStringList{"--trace", "--no-noise"};
}

void tst_Cli::tracesFrames()
{
    QFETCH(QStringList, options);
    const bool encrypted = !options.contains("--no-encrypt") && !options.contains("--no-noise");
    Conversation c;
    QVERIFY(converse(c, options));
    c.connector->send(
        command("send", {{"key", KeyHex}, {"type", "Want"}, {"message", json(R"({"start":5})")}}));
    TAKE_EVENT(message, *c.listener, "message");
    c.connector->send(command("ping", {}));
    QVERIFY(QTest::qWaitFor(
        [&] {
            for (const QJsonObject &frame : c.listener->all(QStringLiteral("frame"))) {
                if (frame.value("type") == QLatin1String("Keepalive"))
                    return true;
            }
            return false;
        },
        Wait));

    // The Open each side sent, then the Want: out on the connector, in on the listener, with the
    // same bytes at both ends of the wire.
    auto find = [](const Cli &cli, const char *direction, const char *type) {
        for (const QJsonObject &frame : cli.all(QStringLiteral("frame"))) {
            if (frame.value("direction") == QLatin1String(direction) &&
                frame.value("type") == QLatin1String(type))
                return frame;
        }
        return QJsonObject();
    };
    for (const char *type : {"Open", "Want", "Keepalive"}) {
        const QJsonObject out = find(*c.connector, "out", type);
        const QJsonObject in = find(*c.listener, "in", type);
        QVERIFY2(!out.isEmpty() && !in.isEmpty(), type);
        QCOMPARE(out.value("wire"), in.value("wire"));
        QCOMPARE(out.value("plain"), in.value("plain"));
        QCOMPARE(out.value("length").toInt() * 2, out.value("plain").toString().size());
        QCOMPARE(out.value("session").toInt(), 1);
        QCOMPARE(out.value("wire") == out.value("plain"), !encrypted);
        if (QLatin1String(type) == QLatin1String("Keepalive")) {
            QCOMPARE(out.value("plain").toString(), QStringLiteral("00"));
        } else {
            QCOMPARE(out.value("channel").toInt(), 1);
        }
    }
    // Want {start: 5} on channel 1: varint(length 3) || header (1 << 4 | 5) || field 1 = 5.
    QCOMPARE(find(*c.connector, "out", "Want").value("plain").toString(),
             QStringLiteral("03150805"));
}

QTEST_GUILESS_MAIN(tst_Cli)
#include "tst_cli.moc"
