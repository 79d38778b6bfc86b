// hyperscope-cli --filter EXPR as a process: peers (hyperscope-cli itself) send a known sequence
// and the filtered side must print exactly the matching message, frame, extension and warning
// events, and every lifecycle event. An invalid expression is a usage error before anything starts.
#include "builders.h"
#include "clifixtures.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QtTest>

#include <memory>

using namespace hyperscope;
using namespace hyperscope::test;

namespace {

constexpr int Wait = 20000; // process start-up on a loaded machine can take a while

using Cli = CliProcess;

QJsonObject request(int index)
{
    return sendCommand("Request", QJsonObject{{"index", index}});
}

/// "type index" of every message event, in order: "Request 6, Data 7".
QString messageList(const Cli &cli)
{
    QStringList out;
    for (const QJsonObject &event : cli.all(QStringLiteral("message"))) {
        out << QStringLiteral("%1 %2").arg(event.value(QLatin1String("type")).toString(),
                                           QString::number(event.value(QLatin1String("message"))
                                                               .toObject()
                                                               .value(QLatin1String("index"))
                                                               .toInt(-1)));
    }
    return out.join(QLatin1String(", "));
}

} // namespace

class tst_CliFilter : public QObject
{
    Q_OBJECT

private slots:
    void rejectsInvalidExpression_data();
    void rejectsInvalidExpression();
    void printsOnlyMatchingMessages_data();
    void printsOnlyMatchingMessages();
    void filtersFrames();
    void filtersExtensions();
    void filtersWarnings();
    void filtersRelayedSessionByLeg();
};

void tst_CliFilter::rejectsInvalidExpression_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QByteArray>("error");

    QTest::newRow("listen, unknown field")
        << QStringList{"listen", "--port", "0", "--filter", "type == Request && indx > 5"}
        << QByteArray("hyperscope-cli: filter: column 20: unknown field 'indx' (did you mean "
                      "'index'?)\n");
    QTest::newRow("connect, bad type")
        << QStringList{"connect", "127.0.0.1:1", "--filter", "type == request"}
        << QByteArray("hyperscope-cli: filter: column 9: unknown message type 'request' (did you "
                      "mean 'Request'?)\n");
    QTest::newRow("relay, unclosed")
        << QStringList{"relay", "--port", "0", "--upstream", "127.0.0.1:1", "--filter", "(index"}
        << QByteArray("hyperscope-cli: filter: column 7: expected ')' to close the '(' at column "
                      "1, got the end of the expression\n");
    QTest::newRow("hostile nesting")
        << QStringList{"listen", "--port", "0", "--filter", QString(5000, QLatin1Char('('))}
        << QByteArray("hyperscope-cli: filter: column 65: nested deeper than 64 levels");
}

void tst_CliFilter::rejectsInvalidExpression()
{
    QFETCH(QStringList, arguments);
    QFETCH(QByteArray, error);
    const FinishedProcess run = runCli(arguments);
    QVERIFY(run.finished);
    QCOMPARE(run.exitStatus, QProcess::NormalExit);
    QCOMPARE(run.exitCode, 2);
    // Nothing started: no "listening", no connection attempt, nothing on stdout.
    QCOMPARE(run.stdoutText, QByteArray());
    const QByteArray stderrText = run.stderrText;
    QVERIFY2(stderrText.startsWith(error), stderrText.constData());
}

void tst_CliFilter::printsOnlyMatchingMessages_data()
{
    QTest::addColumn<QString>("filter");
    QTest::addColumn<QString>("expected"); // the listener's message events (type index)

    // The connector sends Want, Requests 1..10, Data 7, then a last Request 99 (which every
    // filter below passes, so that its arrival says the rest has been filtered).
    QTest::newRow("issue's example") << "type == Request && index > 5"
                                     << "Request 6, Request 7, Request 8, Request 9, Request 10, "
                                        "Request 99";
    QTest::newRow("set of types and ranges")
        << "type in {Data, Request} && index in {2..3, 7, 99}"
        << "Request 2, Request 3, Request 7, Data 7, Request 99";
    QTest::newRow("bytes contains") << "value contains \"error\" || index == 99"
                                    << "Data 7, Request 99";
    QTest::newRow("channel fields") << "(type == Want || index >= 99) && dir == in && dk == "
                                       "$DK && key == $KEY && session == 1 && channel == 1"
                                    << "Want -1, Request 99";
    QTest::newRow("empty filter") << ""
                                  << "Want -1, Request 1, Request 2, Request 3, Request 4, "
                                     "Request 5, Request 6, Request 7, Request 8, Request 9, "
                                     "Request 10, Data 7, Request 99";
}

void tst_CliFilter::printsOnlyMatchingMessages()
{
    QFETCH(QString, filter);
    QFETCH(QString, expected);
    filter.replace(QLatin1String("$DK"), discoveryKeyHex(KeyHex).left(8));
    filter.replace(QLatin1String("$KEY"), KeyHex);
    Cli listener({"listen", "--port", "0", "--key", KeyHex, "--filter", filter});
    const quint16 port = listener.waitForPort();
    QVERIFY2(port, qPrintable(listener.transcript()));
    Cli connector({"connect", QStringLiteral("127.0.0.1:%1").arg(port), "--key", KeyHex});
    VERIFY_EVENT(connector.waitFor(QStringLiteral("channel")), connector);
    VERIFY_EVENT(listener.waitFor(QStringLiteral("channel")), listener);

    connector.send(sendCommand("Want", json(R"({"start":0})")));
    for (int index = 1; index <= 10; ++index)
        connector.send(request(index));
    connector.send(sendCommand("Data", json(R"({"index":7,"value":"61206572726f722062"})")));
    connector.send(request(99));
    VERIFY_EVENT(listener.waitFor(QStringLiteral("message"),
                                  [](const QJsonObject &event) {
                                      return event.value(QLatin1String("message"))
                                                 .toObject()
                                                 .value(QLatin1String("index"))
                                                 .toInt() == 99;
                                  }),
                 listener);
    QCOMPARE(messageList(listener), expected);
    // Lifecycle events are printed whatever the filter.
    for (const char *event : {"listening", "connected", "handshake", "channel"})
        QVERIFY2(!listener.all(QLatin1String(event)).isEmpty(), event);
}

void tst_CliFilter::filtersFrames()
{
    // --trace prints a frame event per frame in and out; the filter keeps the Wants coming in.
    Cli listener({"listen", "--port", "0", "--key", KeyHex, "--trace", "--filter",
                  "type == Want && dir == in && size > 0"});
    const quint16 port = listener.waitForPort();
    QVERIFY2(port, qPrintable(listener.transcript()));
    Cli connector({"connect", QStringLiteral("127.0.0.1:%1").arg(port), "--key", KeyHex});
    VERIFY_EVENT(listener.waitFor(QStringLiteral("channel")), listener);
    VERIFY_EVENT(connector.waitFor(QStringLiteral("channel")), connector);
    connector.send(request(1));
    connector.send(sendCommand("Want", json(R"({"start":3})")));
    listener.send(sendCommand("Want", json(R"({"start":4})"))); // out: filtered away
    connector.send(sendCommand("Want", json(R"({"start":5})")));
    VERIFY_EVENT(listener.waitFor(QStringLiteral("message"),
                                  [](const QJsonObject &event) {
                                      return event.value(QLatin1String("message"))
                                                 .toObject()
                                                 .value(QLatin1String("start"))
                                                 .toInt() == 5;
                                  }),
                 listener);
    const QList<QJsonObject> frames = listener.all(QStringLiteral("frame"));
    QCOMPARE(frames.size(), 2);
    for (const QJsonObject &frame : frames) {
        QCOMPARE(frame.value(QLatin1String("type")).toString(), QStringLiteral("Want"));
        QCOMPARE(frame.value(QLatin1String("direction")).toString(), QStringLiteral("in"));
    }
    QCOMPARE(messageList(listener), QStringLiteral("Want -1, Want -1"));
}

void tst_CliFilter::filtersExtensions()
{
    Cli listener({"listen", "--port", "0", "--key", KeyHex, "--extension", "alpha", "--extension",
                  "beta", "--filter", "ext == beta || type == Request"});
    const quint16 port = listener.waitForPort();
    QVERIFY2(port, qPrintable(listener.transcript()));
    Cli connector({"connect", QStringLiteral("127.0.0.1:%1").arg(port), "--key", KeyHex,
                   "--extension", "alpha", "--extension", "beta"});
    VERIFY_EVENT(listener.waitFor(QStringLiteral("channel")), listener);
    VERIFY_EVENT(connector.waitFor(QStringLiteral("channel")), connector);
    connector.send(QJsonObject{{"cmd", "extension"}, {"name", "alpha"}, {"payload", "01"}});
    connector.send(QJsonObject{{"cmd", "extension"}, {"name", "beta"}, {"payload", "02"}});
    connector.send(QJsonObject{{"cmd", "extension"}, {"name", "alpha"}, {"payload", "03"}});
    connector.send(request(1));
    VERIFY_EVENT(listener.waitFor(QStringLiteral("message")), listener);
    const QList<QJsonObject> extensions = listener.all(QStringLiteral("extension"));
    QCOMPARE(extensions.size(), 1);
    QCOMPARE(extensions.first().value(QLatin1String("name")).toString(), QStringLiteral("beta"));
    QCOMPARE(extensions.first().value(QLatin1String("payload")).toString(), QStringLiteral("02"));
    // "extensions" (the names a peer announced) is a lifecycle event: printed.
    QVERIFY(!listener.all(QStringLiteral("extensions")).isEmpty());
}

void tst_CliFilter::filtersWarnings()
{
    // Two protocol violations; the filter keeps the warning that names channel id 7.
    Cli listener({"listen", "--port", "0", "--key", KeyHex, "--filter",
                  "warning contains \"channel id 7\" || type == Request"});
    const quint16 port = listener.waitForPort();
    QVERIFY2(port, qPrintable(listener.transcript()));
    Cli connector({"connect", QStringLiteral("127.0.0.1:%1").arg(port), "--key", KeyHex});
    VERIFY_EVENT(listener.waitFor(QStringLiteral("channel")), listener);
    connector.send(QJsonObject{{"cmd", "frame"}, {"channel", 0}, {"type", 12}, {"payload", "01"}});
    connector.send(
        QJsonObject{{"cmd", "frame"}, {"channel", 7}, {"type", "Want"}, {"payload", "0800"}});
    connector.send(request(1));
    VERIFY_EVENT(listener.waitFor(QStringLiteral("message")), listener);
    const QList<QJsonObject> warnings = listener.all(QStringLiteral("warning"));
    QCOMPARE(warnings.size(), 1);
    QVERIFY2(warnings.first().value(QLatin1String("message")).toString().contains("channel id 7"),
             qPrintable(listener.transcript()));
}

void tst_CliFilter::filtersRelayedSessionByLeg()
{
    // connect -> relay -> listen; the relay prints only what arrives on its client leg.
    const QStringList key{QStringLiteral("--key"), KeyHex};
    Cli listener(QStringList{"listen", "--port", "0"} + key);
    const quint16 listenPort = listener.waitForPort();
    QVERIFY2(listenPort, qPrintable(listener.transcript()));
    Cli relay(QStringList{"relay", "--port", "0", "--upstream",
                          QStringLiteral("127.0.0.1:%1").arg(listenPort), "--filter",
                          "leg == client && type == Request"} +
              key);
    const quint16 relayPort = relay.waitForPort();
    QVERIFY2(relayPort, qPrintable(relay.transcript()));
    Cli connector(QStringList{"connect", QStringLiteral("127.0.0.1:%1").arg(relayPort)} + key);
    VERIFY_EVENT(connector.waitFor(QStringLiteral("channel")), connector);
    VERIFY_EVENT(listener.waitFor(QStringLiteral("channel")), listener);

    listener.send(request(1));  // arrives on the server leg
    connector.send(request(2)); // arrives on the client leg
    listener.send(request(3));
    connector.send(request(4));
    VERIFY_EVENT(listener.waitFor(QStringLiteral("message"),
                                  [](const QJsonObject &event) {
                                      return event.value(QLatin1String("message"))
                                                 .toObject()
                                                 .value(QLatin1String("index"))
                                                 .toInt() == 4;
                                  }),
                 listener);
    VERIFY_EVENT(connector.waitFor(QStringLiteral("message"),
                                   [](const QJsonObject &event) {
                                       return event.value(QLatin1String("message"))
                                                  .toObject()
                                                  .value(QLatin1String("index"))
                                                  .toInt() == 3;
                                   }),
                 connector);
    // The relay forwarded everything (the filter decides what is printed, not what passes) and
    // printed the client leg's Requests only.
    VERIFY_EVENT(relay.waitFor(QStringLiteral("message"),
                               [](const QJsonObject &event) {
                                   return event.value(QLatin1String("message"))
                                              .toObject()
                                              .value(QLatin1String("index"))
                                              .toInt() == 4;
                               }),
                 relay);
    QCOMPARE(messageList(relay), QStringLiteral("Request 2, Request 4"));
    for (const QJsonObject &event : relay.all(QStringLiteral("message")))
        QCOMPARE(event.value(QLatin1String("leg")).toString(), QStringLiteral("client"));
    QCOMPARE(relay.all(QStringLiteral("channel")).size(), 2); // lifecycle: both legs
}

QTEST_MAIN(tst_CliFilter)
#include "tst_clifilter.moc"
