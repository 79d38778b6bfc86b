// hyperscope-cli and captures as processes: --capture in connect, listen and relay writes a
// hyperscope-capture file the inspector's own reader (ui/inspection/capture/capturefile.h) opens;
// `read` prints a capture's events (and --filter selects them); `replay` sends what a captured
// session sent to a new peer, which receives the same messages in the same order.
#include "builders.h"
#include "clifixtures.h"

#ifdef HYPERSCOPE_HAVE_INSPECTION
#include "capturefile.h"
#include "messagelogmodel.h"
#endif

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <functional>
#include <optional>

using namespace hyperscope;
using namespace hyperscope::test;

namespace {

constexpr int Wait = 20000; // process start-up on a loaded machine can take a while

using Cli = CliProcess;

/// The messages the connector sends in every session here, after its Open.
const QList<QJsonObject> &sequence()
{
    static const QList<QJsonObject> commands{
        sendCommand("Want", QJsonObject{{"start", 0}, {"length", 16}}),
        sendCommand("Request", QJsonObject{{"index", 3}}),
        sendCommand("Request", QJsonObject{{"index", 7}}),
        sendCommand("Data", QJsonObject{{"index", 3}, {"value", "68656c6c6f"}}), // "hello"
        sendCommand("Have", QJsonObject{{"start", 5}, {"length", 2}}),
    };
    return commands;
}

/// "type {message}" of every message event (with its direction when it has one), in order.
QStringList messages(const QList<QJsonObject> &events, bool withDirection = false)
{
    QStringList out;
    for (const QJsonObject &event : events) {
        if (event.value(QLatin1String("event")) != QLatin1String("message"))
            continue;
        QJsonObject message = event.value(QLatin1String("message")).toObject();
        message.remove(QStringLiteral("capability")); // new handshake, new capabilities
        QString line = event.value(QLatin1String("type")).toString() + u' ' +
                       QString::fromUtf8(QJsonDocument(message).toJson(QJsonDocument::Compact));
        if (withDirection)
            line.prepend(event.value(QLatin1String("direction")).toString() + u' ');
        out << line;
    }
    return out;
}

using Run = FinishedProcess;

/// Runs hyperscope-cli with @p arguments to the end (read needs no peer).
Run run(const QStringList &arguments)
{
    return runCli(arguments);
}

} // namespace

class tst_CliCapture : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void inspectorReadsCliCaptures();
    void inspectorReadsRelayCapture();
    void inspectorCapturesReadInCli();
    void readPrintsTheCapturedEvents();
    void readFilters_data();
    void readFilters();
    void readRejectsBadCaptures_data();
    void readRejectsBadCaptures();
    void replaySendsTheSameMessages_data();
    void replaySendsTheSameMessages();
    void replayNeedsTheFeedKeys();
    void captureToBadPathFailsAtOnce();

private:
    /// Runs a connector (sending sequence()) against a listener, both with --capture; fills
    /// m_connectorCapture, m_listenerCapture and m_received (the listener's message events).
    void makeCaptures();

    QTemporaryDir m_dir;
    QString m_connectorCapture;
    QString m_listenerCapture;
    QStringList m_received;
};

void tst_CliCapture::initTestCase()
{
    QVERIFY(m_dir.isValid());
    makeCaptures();
}

void tst_CliCapture::makeCaptures()
{
    m_connectorCapture = m_dir.filePath(QStringLiteral("connector.jsonl"));
    m_listenerCapture = m_dir.filePath(QStringLiteral("listener.jsonl"));
    Cli listener(
        {"listen", "--port", "0", "--once", "--key", KeyHex, "--capture", m_listenerCapture});
    const quint16 port = listener.waitForPort();
    QVERIFY2(port != 0, qPrintable(listener.transcript()));
    Cli connector({"connect", QStringLiteral("127.0.0.1:%1").arg(port), "--key", KeyHex,
                   "--capture", m_connectorCapture});
    VERIFY_EVENT(connector.waitFor(QStringLiteral("channel")), connector);
    for (const QJsonObject &command : sequence()) {
        connector.send(command);
        QTest::qWait(30); // some spacing for replay to keep
    }
    VERIFY_EVENT(listener.waitFor(QStringLiteral("message"),
                                  [](const QJsonObject &e) {
                                      return e.value(QLatin1String("type")) ==
                                             QLatin1String("Have");
                                  }),
                 listener);
    connector.send(QJsonObject{{"cmd", "quit"}});
    QCOMPARE(connector.finish(), 0);
    QCOMPARE(listener.finish(), 0);
    QVERIFY(QFile::exists(m_connectorCapture));
    QVERIFY(QFile::exists(m_listenerCapture));
    m_received = messages(listener.all(QStringLiteral("message")));
    QCOMPARE(m_received.size(), 5);
}

void tst_CliCapture::inspectorReadsCliCaptures()
{
#ifndef HYPERSCOPE_HAVE_INSPECTION
    QSKIP("the inspector's library is not built");
#else
    for (const bool dialed : {true, false}) {
        const QString path = dialed ? m_connectorCapture : m_listenerCapture;
        QString error;
        const std::optional<capture::Capture> read = capture::load(path, &error);
        QVERIFY2(read, qPrintable(error));
        QVERIFY(read->generator.startsWith(QLatin1String("hyperscope-cli ")));

        // The header: one session, what it was, and the feed key of the channel it opened.
        QCOMPARE(read->sessionInfo.size(), 1);
        const int id = read->sessionInfo.firstKey();
        const capture::SessionInfo &info = read->sessionInfo.first();
        QCOMPARE(info.origin, dialed ? QStringLiteral("dialed") : QStringLiteral("accepted"));
        QCOMPARE(info.initiator, std::optional<bool>(dialed));
        QCOMPARE(info.encrypted, std::optional<bool>(true));
        QVERIFY(!info.peer.isEmpty());
        QVERIFY(read->sessionLabels.value(id).contains(info.peer));
        QVERIFY(info.handshakeHash && info.localStaticKey && info.remoteStaticKey);
        QCOMPARE(info.ended, std::optional<bool>(true));
        const Key32 key = test::key32(KeyHex.toStdString());
        const Key32 discoveryKey = test::key32(discoveryKeyHex(KeyHex).toStdString());
        QCOMPARE(info.feedKeys.size(), std::size_t(1));
        QVERIFY(info.feedKeys.at(discoveryKey) == key);

        // The rows: three handshake messages, then the frames in order, encrypted on the wire.
        QStringList handshakes;
        QStringList frames;
        for (const capture::Row &row : read->rows) {
            const MessageLogModel::Record &r = row.record;
            QCOMPARE(r.session, id);
            const QString dir =
                r.direction() == Direction::Outbound ? QStringLiteral("out") : QStringLiteral("in");
            if (r.kind == MessageLogModel::Kind::Handshake)
                handshakes << QStringLiteral("%1 %2").arg(dir).arg(r.type);
            if (r.kind != MessageLogModel::Kind::Frame)
                continue;
            QVERIFY(!(r.flags & MessageLogModel::Malformed));
            QVERIFY(!(r.flags & MessageLogModel::PlainOnWire));
            QCOMPARE(row.wire.size(), row.plain.size());
            QVERIFY(row.wire != row.plain);
            QVERIFY(row.discoveryKey && *row.discoveryKey == discoveryKey);
            frames << QStringLiteral("%1 %2").arg(dir).arg(r.type);
        }
        QCOMPARE(handshakes, dialed ? QStringList({"out 0", "in 1", "out 2"})
                                    : QStringList({"in 0", "out 1", "in 2"}));
        // Open both ways (which comes first is a race), then Want, Request x2, Data, Have.
        const QString out = dialed ? QStringLiteral("out") : QStringLiteral("in");
        QCOMPARE(frames.size(), 7);
        QStringList opens = frames.mid(0, 2);
        opens.sort();
        QCOMPARE(opens, QStringList({"in 0", "out 0"}));
        QCOMPARE(frames.mid(2),
                 QStringList({out + " 5", out + " 7", out + " 7", out + " 9", out + " 3"}));

        // And it opens as a session of the inspector's log.
        MessageLogModel log;
        capture::addTo(
            log, *read, [](int fileId) { return fileId + 100; }, QStringLiteral("x"));
        QCOMPARE(log.rowCount(), int(read->rows.size()));
    }
#endif
}

void tst_CliCapture::inspectorReadsRelayCapture()
{
#ifndef HYPERSCOPE_HAVE_INSPECTION
    QSKIP("the inspector's library is not built");
#else
    const QString path = m_dir.filePath(QStringLiteral("relay.jsonl"));
    Cli upstream({"listen", "--port", "0", "--once", "--key", KeyHex});
    const quint16 upstreamPort = upstream.waitForPort();
    QVERIFY2(upstreamPort != 0, qPrintable(upstream.transcript()));
    Cli relay({"relay", "--port", "0", "--once", "--upstream",
               QStringLiteral("127.0.0.1:%1").arg(upstreamPort), "--key", KeyHex, "--capture",
               path});
    const quint16 relayPort = relay.waitForPort();
    QVERIFY2(relayPort != 0, qPrintable(relay.transcript()));
    Cli client({"connect", QStringLiteral("127.0.0.1:%1").arg(relayPort), "--key", KeyHex});
    VERIFY_EVENT(client.waitFor(QStringLiteral("channel")), client);
    client.send(sendCommand("Request", QJsonObject{{"index", 42}}));
    VERIFY_EVENT(upstream.waitFor(QStringLiteral("message")), upstream);
    client.send(QJsonObject{{"cmd", "quit"}});
    QCOMPARE(client.finish(), 0);
    QCOMPARE(relay.finish(), 0);

    QString error;
    const std::optional<capture::Capture> read = capture::load(path, &error);
    QVERIFY2(read, qPrintable(error));
    QCOMPARE(read->sessionInfo.size(), 1);
    QCOMPARE(read->sessionInfo.first().origin, QStringLiteral("relayed"));
    // Both legs' public handshake values and peers, as the inspector saves a relayed pair.
    const capture::SessionInfo &pair = read->sessionInfo.first();
    const QString upstreamAddress = QStringLiteral("127.0.0.1:%1").arg(upstreamPort);
    QVERIFY2(pair.peer.endsWith(QStringLiteral(" → ") + upstreamAddress), qPrintable(pair.peer));
    QVERIFY(pair.handshakeHash);
    QVERIFY(pair.serverLeg);
    QCOMPARE(pair.serverLeg->peer, upstreamAddress);
    QCOMPARE(pair.serverLeg->initiator, std::optional<bool>(true));
    QVERIFY(pair.serverLeg->handshakeHash);
    QVERIFY(*pair.serverLeg->handshakeHash != *pair.handshakeHash);
    QVERIFY(pair.serverLeg->remoteStaticKey);
    QCOMPARE(pair.serverLeg->ended, std::optional<bool>(true));
    // The Request arrived on the client leg and went out on the server leg.
    QStringList requests;
    for (const capture::Row &row : read->rows) {
        const MessageLogModel::Record &r = row.record;
        if (r.kind == MessageLogModel::Kind::Frame && r.type == 7)
            requests << QStringLiteral("%1 %2").arg(
                r.leg == MessageLogModel::Leg::Client ? "client" : "server",
                r.direction() == Direction::Outbound ? "out" : "in");
    }
    QCOMPARE(requests, QStringList({"client in", "server out"}));

    // `read` shows the legs.
    const Run shown = run({"read", path, "--filter", "type == Request"});
    QCOMPARE(shown.exitCode, 0);
    QStringList legs;
    for (const QJsonObject &event : shown.events)
        legs << event.value(QLatin1String("leg")).toString() + u' ' +
                    event.value(QLatin1String("direction")).toString();
    QCOMPARE(legs, QStringList({"client in", "server out"}));
#endif
}

void tst_CliCapture::inspectorCapturesReadInCli()
{
#ifndef HYPERSCOPE_HAVE_INSPECTION
    QSKIP("the inspector's library is not built");
#else
    // The connector's capture opened in the inspector's log and saved again (File › Save Log
    // As) reads in hyperscope-cli as the original does, and replays.
    QString error;
    const std::optional<capture::Capture> read = capture::load(m_connectorCapture, &error);
    QVERIFY2(read, qPrintable(error));
    MessageLogModel log;
    const int logId = 42;
    capture::addTo(
        log, *read, [](int) { return logId; }, QString());
    QList<int> rows;
    for (int row = 0; row < log.rowCount(); ++row)
        rows << row;
    const QString saved = m_dir.filePath(QStringLiteral("saved-by-inspector.jsonl"));
    QVERIFY2(capture::save(saved, log, rows, &error, {{logId, read->sessionInfo.first()}}),
             qPrintable(error));

    const Run original = run({"read", m_connectorCapture});
    const Run again = run({"read", saved});
    QCOMPARE(again.exitCode, 0);
    QCOMPARE(messages(again.events, true), messages(original.events, true));
    for (const QJsonObject &event : again.events)
        QCOMPARE(event.value(QLatin1String("session")).toInt(), logId);

    Cli peer({"listen", "--port", "0", "--once", "--key", KeyHex});
    const quint16 port = peer.waitForPort();
    QVERIFY2(port != 0, qPrintable(peer.transcript()));
    Cli replay({"replay", saved, "--connect", QStringLiteral("127.0.0.1:%1").arg(port), "--fast"});
    QCOMPARE(replay.finish(), 0);
    QCOMPARE(peer.finish(), 0);
    QCOMPARE(messages(peer.all(QStringLiteral("message"))), m_received);
#endif
}

void tst_CliCapture::readPrintsTheCapturedEvents()
{
    // The listener's capture, read back, shows what the listener printed live, and what it sent.
    const Run listener = run({"read", m_listenerCapture});
    QCOMPARE(listener.exitCode, 0);
    QStringList in;
    QStringList out;
    for (const QString &line : messages(listener.events, true)) {
        if (line.startsWith(QLatin1String("in Open ")))
            continue; // live, the channel event says it; a capture shows the Open row too
        if (line.startsWith(QLatin1String("in ")))
            in << line.mid(3);
        else
            out << line.mid(4);
    }
    QCOMPARE(in, m_received);
    QCOMPARE(out.size(), 1);
    QVERIFY(out.first().startsWith(QLatin1String("Open ")));
    for (const QJsonObject &event : listener.events) {
        QCOMPARE(event.value(QLatin1String("session")).toInt(), 1);
        QCOMPARE(event.value(QLatin1String("discoveryKey")).toString(), discoveryKeyHex(KeyHex));
        QVERIFY(event.value(QLatin1String("timeUs")).toDouble() > 0);
    }

    // --trace adds a frame event per frame and keepalive.
    const Run traced = run({"read", m_connectorCapture, "--trace"});
    QCOMPARE(traced.exitCode, 0);
    int frames = 0;
    for (const QJsonObject &event : traced.events)
        frames += event.value(QLatin1String("event")) == QLatin1String("frame");
    QVERIFY2(frames >= 7, traced.stdoutText.constData());
}

void tst_CliCapture::readFilters_data()
{
    QTest::addColumn<QString>("filter");
    QTest::addColumn<QStringList>("expected"); // "direction type {message}"

    QTest::newRow("type") << "type == Request"
                          << QStringList{"out Request {\"index\":3}", "out Request {\"index\":7}"};
    QTest::newRow("field") << "type == Request && index > 5"
                           << QStringList{"out Request {\"index\":7}"};
    QTest::newRow("value contains") << "value contains \"hello\""
                                    << QStringList{"out Data {\"index\":3,\"nodes\":[],\"value\":"
                                                   "\"68656c6c6f\"}"};
    QTest::newRow("in set") << "type in {Want, Have}"
                            << QStringList{"out Want {\"length\":16,\"start\":0}",
                                           "out Have {\"length\":2,\"start\":5}"};
    QTest::newRow("direction") << "dir == in"
                               << QStringList{QStringLiteral("in Open {\"discoveryKey\":\"%1\"}")
                                                  .arg(discoveryKeyHex(KeyHex))};
    QTest::newRow("key") << QStringLiteral("key == %1 && type == Have").arg(KeyHex)
                         << QStringList{"out Have {\"length\":2,\"start\":5}"};
    QTest::newRow("nothing") << "index > 1000" << QStringList{};
}

void tst_CliCapture::readFilters()
{
    QFETCH(QString, filter);
    QFETCH(QStringList, expected);
    const Run result = run({"read", m_connectorCapture, "--filter", filter});
    QCOMPARE(result.exitCode, 0);
    QCOMPARE(messages(result.events, true), expected);
}

void tst_CliCapture::readRejectsBadCaptures_data()
{
    QTest::addColumn<QByteArray>("contents");
    QTest::addColumn<QString>("error"); // what the error event's message contains

    const QByteArray header = R"({"format":"hyperscope-capture","version":1,"rows":1})";
    QTest::newRow("empty") << QByteArray() << "the file is empty";
    QTest::newRow("not a capture")
        << QByteArray("{\"format\":\"pcap\"}\n") << "line 1: not a hyperscope capture";
    QTest::newRow("version 2") << QByteArray(
                                      R"({"format":"hyperscope-capture","version":2,"rows":0})"
                                      "\n")
                               << "line 1: unsupported version 2";
    QTest::newRow("not json") << header + "\n{nope\n"
                              << "line 2: not valid JSON";
    QTest::newRow("bad hex")
        << header + "\n" + R"({"t":1,"session":1,"dir":"out","kind":"frame","plain":"zz"})" + "\n"
        << "line 2: 'plain' is not hexadecimal";
    QTest::newRow("not a frame")
        << header + "\n" + R"({"t":1,"session":1,"dir":"out","kind":"frame","plain":"0501"})" + "\n"
        << "line 2: 'plain' is not one whole frame";
    QTest::newRow("truncated") << header + "\n"
                               << "truncated: the header announces 1 rows, the file has 0";
    QTest::newRow("too many rows")
        << QByteArray(R"({"format":"hyperscope-capture","version":1,"rows":99999999})"
                      "\n")
        << "line 1: the header announces 99999999 rows, more than the 2000000";
}

void tst_CliCapture::readRejectsBadCaptures()
{
    QFETCH(QByteArray, contents);
    QFETCH(QString, error);
    const QString path = m_dir.filePath(QStringLiteral("bad.jsonl"));
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
    file.write(contents);
    file.close();
    const Run result = run({"read", path});
    QCOMPARE(result.exitCode, 1);
    QCOMPARE(result.events.size(), 1);
    const QJsonObject event = result.events.first();
    QCOMPARE(event.value(QLatin1String("event")).toString(), QStringLiteral("error"));
    const QString message = event.value(QLatin1String("message")).toString();
    QVERIFY2(message.startsWith(path + QStringLiteral(": ")), qPrintable(message));
    QVERIFY2(message.contains(error), qPrintable(message));
}

void tst_CliCapture::replaySendsTheSameMessages_data()
{
    QTest::addColumn<bool>("fast");
    QTest::newRow("spaced") << false;
    QTest::newRow("fast") << true;
}

void tst_CliCapture::replaySendsTheSameMessages()
{
    QFETCH(bool, fast);
    const QString recorded = m_dir.filePath(QStringLiteral("replayed.jsonl"));
    Cli peer({"listen", "--port", "0", "--once", "--key", KeyHex});
    const quint16 port = peer.waitForPort();
    QVERIFY2(port != 0, qPrintable(peer.transcript()));
    QStringList arguments{"replay",    m_connectorCapture,
                          "--connect", QStringLiteral("127.0.0.1:%1").arg(port),
                          "--capture", recorded};
    if (fast)
        arguments << QStringLiteral("--fast");
    Cli replay(arguments);
    QCOMPARE(replay.finish(), 0);
    QCOMPARE(peer.finish(), 0);
    // The new peer received what the first listener did: same types, fields and order.
    QCOMPARE(messages(peer.all(QStringLiteral("message"))), m_received);
    VERIFY_EVENT(replay.waitFor(QStringLiteral("end"),
                                [](const QJsonObject &e) {
                                    return e.value(QLatin1String("reason")) ==
                                           QLatin1String("replay finished");
                                }),
                 replay);
    QVERIFY2(replay.all(QStringLiteral("error")).isEmpty(), qPrintable(replay.transcript()));

    // The replay's own capture shows the same sent messages as the original.
    const Run original = run({"read", m_connectorCapture, "--filter", "dir == out"});
    const Run again = run({"read", recorded, "--filter", "dir == out"});
    QCOMPARE(messages(again.events), messages(original.events));
}

void tst_CliCapture::replayNeedsTheFeedKeys()
{
    // The same capture without the header's "channels": the feed key is nowhere.
    QFile in(m_connectorCapture);
    QVERIFY(in.open(QIODevice::ReadOnly));
    QList<QByteArray> lines = in.readAll().split('\n');
    QJsonObject header = QJsonDocument::fromJson(lines.first()).object();
    QJsonArray sessions = header.value(QLatin1String("sessions")).toArray();
    QJsonObject session = sessions.first().toObject();
    session.remove(QStringLiteral("channels"));
    sessions.replace(0, session);
    header.insert(QStringLiteral("sessions"), sessions);
    lines.first() = QJsonDocument(header).toJson(QJsonDocument::Compact);
    const QString path = m_dir.filePath(QStringLiteral("nokeys.jsonl"));
    QFile out(path);
    QVERIFY(out.open(QIODevice::WriteOnly));
    out.write(lines.join('\n'));
    out.close();

    // Refused before dialing (port 1: nothing listens there, and nothing is tried).
    const Run refused = run({"replay", path, "--connect", "127.0.0.1:1"});
    QCOMPARE(refused.exitCode, 1);
    QCOMPARE(refused.events.size(), 1);
    const QString message = refused.events.first().value(QLatin1String("message")).toString();
    QVERIFY2(message.contains(discoveryKeyHex(KeyHex)) && message.contains(QLatin1String("--key")),
             qPrintable(message));
    const Run noSession = run({"replay", path, "--connect", "127.0.0.1:1", "--session", "9"});
    QCOMPARE(noSession.exitCode, 1);
    QCOMPARE(noSession.events.first().value(QLatin1String("message")).toString(),
             QStringLiteral("replay: the capture has no session 9"));

    // With --key it replays.
    Cli peer({"listen", "--port", "0", "--once", "--key", KeyHex});
    const quint16 port = peer.waitForPort();
    QVERIFY2(port != 0, qPrintable(peer.transcript()));
    Cli replay({"replay", path, "--connect", QStringLiteral("127.0.0.1:%1").arg(port), "--key",
                KeyHex, "--fast"});
    QCOMPARE(replay.finish(), 0);
    QCOMPARE(peer.finish(), 0);
    QCOMPARE(messages(peer.all(QStringLiteral("message"))), m_received);
}

void tst_CliCapture::captureToBadPathFailsAtOnce()
{
    // Reported before anything starts (nothing is dialed or listened on), not at exit.
    const QString path = m_dir.filePath(QStringLiteral("no/such/dir/c.jsonl"));
    for (const QStringList &arguments : {QStringList{"connect", "127.0.0.1:1", "--capture", path},
                                         QStringList{"listen", "--port", "0", "--capture", path}}) {
        const Run result = run(arguments);
        QCOMPARE(result.exitCode, 1);
        QCOMPARE(result.events.size(), 1);
        const QJsonObject event = result.events.first();
        QCOMPARE(event.value(QLatin1String("event")).toString(), QStringLiteral("error"));
        QVERIFY2(event.value(QLatin1String("message"))
                     .toString()
                     .startsWith(QStringLiteral("--capture: ") + path),
                 result.stdoutText.constData());
    }
}

QTEST_GUILESS_MAIN(tst_CliCapture)
#include "tst_clicapture.moc"
