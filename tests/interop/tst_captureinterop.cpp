// Captures against the reference implementation (npm hypercore-protocol@8.0.7, refpeer.js): a
// hyperscope-cli session with the reference, recorded with --capture, replayed with
// `hyperscope-cli replay` to a second reference peer, which receives the same messages (types,
// fields, order) as the first; and `read` shows what the capture holds.
#include "builders.h"
#include "interoppeer.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QtTest>

#include <memory>

using hyperscope::test::discoveryKeyHex;
using hyperscope::test::InteropPeer;

namespace {

const QString KeyHex =
    QStringLiteral("00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff");

QJsonObject sendCommand(const char *type, const QJsonObject &message)
{
    return QJsonObject{{"cmd", "send"}, {"key", KeyHex}, {"type", type}, {"message", message}};
}

/// "type {message}" of every message event of @p events, capabilities left out (a new
/// handshake makes new ones).
QStringList messages(const QList<QJsonObject> &events)
{
    QStringList out;
    for (const QJsonObject &event : events) {
        if (event.value(QLatin1String("event")) != QLatin1String("message"))
            continue;
        QJsonObject message = event.value(QLatin1String("message")).toObject();
        message.remove(QStringLiteral("capability"));
        out << event.value(QLatin1String("type")).toString() + u' ' +
                   QString::fromUtf8(QJsonDocument(message).toJson(QJsonDocument::Compact));
    }
    return out;
}

/// A reference peer listening once with the feed key; its port, or 0.
int startReference(InteropPeer &reference)
{
    reference.start({"listen", "--port", "0", "--once", "--key", KeyHex});
    return reference.waitFor("listening", 15000)["port"].toInt();
}

} // namespace

class TestCaptureInterop : public QObject
{
    Q_OBJECT

private slots:
    void replayToTheReferenceSendsTheSameMessages_data()
    {
        QTest::addColumn<bool>("fast");
        QTest::newRow("spaced") << false;
        QTest::newRow("fast") << true;
    }

    void replayToTheReferenceSendsTheSameMessages()
    {
        QFETCH(bool, fast);
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString capture = dir.filePath("session.jsonl");

        // 1. A session with the reference, recorded.
        QStringList received;
        {
            InteropPeer reference(InteropPeer::Kind::Reference, "reference(listen)");
            const int port = startReference(reference);
            QVERIFY2(port > 0, qPrintable(reference.transcript()));
            InteropPeer cli(InteropPeer::Kind::Hyperscope, "hyperscope(connect)");
            cli.start({"connect", QString("127.0.0.1:%1").arg(port), "--key", KeyHex, "--capture",
                       capture});
            QVERIFY2(!cli.waitFor("channel", 15000).isEmpty(), qPrintable(cli.transcript()));
            const QList<QJsonObject> sequence{
                sendCommand("Want", QJsonObject{{"start", 0}, {"length", 64}}),
                sendCommand("Request", QJsonObject{{"index", 4}}),
                sendCommand("Have", QJsonObject{{"start", 2}, {"length", 3}}),
                sendCommand("Request", QJsonObject{{"index", 9}, {"bytes", 1024}}),
                sendCommand("Unwant", QJsonObject{{"start", 10}, {"length", 1}}),
            };
            for (const QJsonObject &command : sequence) {
                cli.send(command);
                QTest::qWait(40);
            }
            QVERIFY2(!reference
                          .waitFor([](const QJsonObject &e) {
                              return e["event"] == "message" && e["type"] == "Unwant";
                          })
                          .isEmpty(),
                     qPrintable(reference.transcript()));
            cli.send({{"cmd", "quit"}});
            QVERIFY(cli.waitForExit(15000));
            QCOMPARE(cli.exitCode(), 0);
            QVERIFY(reference.waitForExit(15000));
            received = messages(reference.events());
            // The reference prints the Open as a message too; then the five sent.
            QVERIFY2(received.size() == 6 && received.first().startsWith("Open "),
                     qPrintable(received.join(u'\n')));
        }

        // 2. The capture holds what was sent (read), and the reference's Open came in.
        {
            InteropPeer read(InteropPeer::Kind::Hyperscope, "hyperscope(read)");
            read.start({"read", capture, "--filter", "type == Open && dir == in"});
            QVERIFY(read.waitForExit(15000));
            QCOMPARE(read.exitCode(), 0);
            const QList<QJsonObject> opens = read.all("message");
            QCOMPARE(opens.size(), 1);
            QCOMPARE(opens.first()["discoveryKey"].toString(), discoveryKeyHex(KeyHex));
        }

        // 3. Replayed to a second reference peer: the same messages, in the same order.
        InteropPeer reference(InteropPeer::Kind::Reference, "reference(listen, replay)");
        const int port = startReference(reference);
        QVERIFY2(port > 0, qPrintable(reference.transcript()));
        InteropPeer replay(InteropPeer::Kind::Hyperscope, "hyperscope(replay)");
        QStringList arguments{"replay", capture, "--connect", QString("127.0.0.1:%1").arg(port)};
        if (fast)
            arguments << "--fast";
        replay.start(arguments);
        QVERIFY2(replay.waitForExit(20000), qPrintable(replay.transcript()));
        QVERIFY2(replay.exitCode() == 0 && replay.all("error").isEmpty(),
                 qPrintable(replay.transcript()));
        QVERIFY(reference.waitForExit(15000));
        QCOMPARE(messages(reference.events()), received);
    }
};

QTEST_GUILESS_MAIN(TestCaptureInterop)
#include "tst_captureinterop.moc"
