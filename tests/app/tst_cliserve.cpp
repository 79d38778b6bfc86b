// hyperscope-cli --serve FILE (issue 13): one CLI serves a text file as a hypercore 9 feed, a
// second CLI connects with the printed key, asks as a hypercore 9 reader does (Want, Requests)
// and must get the hypercore 9 answers: Have of the length, Have with the bitfield, and Data
// that core/feed verifies (the connector's "verified" fields) carrying the file's bytes. Then the
// inputs --serve refuses, each with its reason.
#include "jsonevents.h"
#include "jsonprocess.h"
#include "servefeed.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <memory>

using namespace hyperscope;

namespace {

constexpr int Wait = 20000; // process start-up on a loaded machine can take a while

using Cli = hyperscope::test::CliProcess;

/// Runs hyperscope-cli to its end, stdin at its end: exit code and everything it printed
/// (stdout, then stderr).
std::pair<int, QString> runToEnd(const QStringList &arguments)
{
    const hyperscope::test::FinishedProcess run =
        hyperscope::test::runCli(arguments, {.stdinMode = hyperscope::test::ProcessStdin::DevNull});
    if (!run.finished)
        return {-1, QStringLiteral("did not exit")};
    return {run.exitCode, QString::fromUtf8(run.stdoutText + run.stderrText)};
}

QByteArray servedText()
{
    QByteArray text;
    for (int line = 0; line < 100; ++line)
        text += QStringLiteral("line %1 of the served text\n").arg(line).toUtf8();
    return text; // 2690 bytes: 27 blocks of 100, the last one 90
}

bool writeFile(const QString &path, const QByteArray &bytes)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(bytes) == bytes.size();
}

} // namespace

class tst_CliServe : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void readerGetsVerifiedDataOfTheFile();
    void feedSecretKeepsTheKey();
    void refusesSillyInputs_data();
    void refusesSillyInputs();

private:
    QTemporaryDir m_dir;
    QString m_textPath;
};

void tst_CliServe::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_textPath = m_dir.filePath(QStringLiteral("served.txt"));
    QVERIFY(writeFile(m_textPath, servedText()));
    QVERIFY(writeFile(m_dir.filePath(QStringLiteral("empty.txt")), QByteArray()));
}

void tst_CliServe::readerGetsVerifiedDataOfTheFile()
{
    Cli server({QStringLiteral("listen"), QStringLiteral("--port"), QStringLiteral("0"),
                QStringLiteral("--serve"), m_textPath, QStringLiteral("--block-size"),
                QStringLiteral("100")});
    const QList<QJsonObject> feeds = server.waitForCount(QStringLiteral("feed"), 1);
    QVERIFY2(!feeds.isEmpty(), qPrintable(server.transcript()));
    const QJsonObject feed = feeds.first();
    QCOMPARE(feed["length"].toInt(), 27);
    QCOMPARE(feed["byteLength"].toInt(), servedText().size());
    QCOMPARE(feed["blockSize"].toInt(), 100);
    const QString key = feed["key"].toString();
    QCOMPARE(key.size(), 64);
    QCOMPARE(feed["discoveryKey"].toString().size(), 64);
    const QList<QJsonObject> listening = server.waitForCount(QStringLiteral("listening"), 1);
    QVERIFY(!listening.isEmpty());

    Cli reader({QStringLiteral("connect"),
                QStringLiteral("127.0.0.1:%1").arg(listening.first()["port"].toInt()),
                QStringLiteral("--key"), key});
    // hypercore 9's writer subscribes to the first mebiblock on open.
    QList<QJsonObject> messages = reader.waitForCount(QStringLiteral("message"), 1);
    QVERIFY2(!messages.isEmpty(), qPrintable(reader.transcript()));
    QCOMPARE(messages[0]["type"].toString(), QStringLiteral("Want"));
    QCOMPARE(messages[0]["message"].toObject()["length"].toInteger(), 1048576);

    const auto send = [&](const QString &type, const QJsonObject &message) {
        reader.send(
            QJsonObject{{"cmd", "send"}, {"key", key}, {"type", type}, {"message", message}});
    };
    // As hypercore 9 asks: a Want of the first page, then blocks in no particular order.
    send(QStringLiteral("Want"), QJsonObject{{"start", 0}, {"length", 8192}});
    const QList<int> blocks{3, 2, 26, 0, 13, 14, 1};
    for (const int block : blocks)
        send(QStringLiteral("Request"), QJsonObject{{"index", block}});
    messages = reader.waitForCount(QStringLiteral("message"), 3 + blocks.size());
    QVERIFY2(messages.size() == 3 + blocks.size(), qPrintable(reader.transcript()));

    // The eager Have of the last block (the feed's length), then the page's bitfield.
    QCOMPARE(messages[1]["type"].toString(), QStringLiteral("Have"));
    QCOMPARE(messages[1]["blocks"].toArray(), (QJsonArray{QJsonArray{26, 26}}));
    QCOMPARE(messages[2]["type"].toString(), QStringLiteral("Have"));
    QCOMPARE(messages[2]["blocks"].toArray(), (QJsonArray{QJsonArray{0, 26}}));

    const QByteArray text = servedText();
    for (qsizetype i = 0; i < blocks.size(); ++i) {
        const QJsonObject &event = messages[3 + i];
        const QByteArray json = QJsonDocument(event).toJson(QJsonDocument::Compact);
        QCOMPARE(event["type"].toString(), QStringLiteral("Data"));
        const QJsonObject data = event["message"].toObject();
        QCOMPARE(data["index"].toInt(), blocks[i]);
        QVERIFY2(event["verified"] == QJsonValue(true), json.constData());
        QCOMPARE(QByteArray::fromHex(data["value"].toString().toLatin1()),
                 text.mid(blocks[i] * 100, 100));
        // Every Data carries the signature (hypercore's proof always does).
        QCOMPARE(data["signature"].toString().size(), 128);
    }
    QCOMPARE(messages[3]["verifiedBy"].toString(),
             QStringLiteral("signature over the roots of length 27 (40 bytes)"));

    // A block past the end is not answered, and the server says so.
    send(QStringLiteral("Request"), QJsonObject{{"index", 27}});
    const QList<QJsonObject> warnings = server.waitForCount(QStringLiteral("warning"), 1);
    QVERIFY2(!warnings.isEmpty(), qPrintable(server.transcript()));
    QVERIFY2(warnings.first()["message"].toString().contains(
                 QLatin1String("Request for block 27 not answered")),
             qPrintable(server.transcript()));
}

void tst_CliServe::feedSecretKeepsTheKey()
{
    const QString seed(64, QLatin1Char('7'));
    QString keys[2];
    for (QString &key : keys) {
        Cli server({QStringLiteral("listen"), QStringLiteral("--port"), QStringLiteral("0"),
                    QStringLiteral("--serve"), m_textPath, QStringLiteral("--feed-secret"), seed});
        const QList<QJsonObject> feeds = server.waitForCount(QStringLiteral("feed"), 1);
        QVERIFY2(!feeds.isEmpty(), qPrintable(server.transcript()));
        key = feeds.first()["key"].toString();
    }
    QCOMPARE(keys[0], keys[1]);
    // The same key pair given as libsodium's 64-byte secret key (seed ‖ public key).
    QString error;
    const std::optional<feed::SigningKeyPair> full = parseFeedSecret(seed + keys[0], &error);
    QVERIFY2(full.has_value(), qPrintable(error));
    QCOMPARE(hexString(full->publicKey), keys[0]);
}

void tst_CliServe::refusesSillyInputs_data()
{
    QTest::addColumn<QStringList>("arguments"); // after "listen --port 0"
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<QString>("says");

    QTest::newRow("block size 0") << QStringList{"--serve", "FILE", "--block-size", "0"} << 2
                                  << "--block-size must be a number of bytes from 1 to 8388608";
    QTest::newRow("block size over 8 MiB")
        << QStringList{"--serve", "FILE", "--block-size", "8388609"} << 2
        << "--block-size must be a number of bytes from 1 to 8388608 (8 MiB), got '8388609'";
    QTest::newRow("block size not a number")
        << QStringList{"--serve", "FILE", "--block-size", "64k"} << 2 << "got '64k'";
    QTest::newRow("block size without --serve")
        << QStringList{"--block-size", "100"} << 2 << "--block-size needs --serve FILE";
    QTest::newRow("secret too short") << QStringList{"--serve", "FILE", "--feed-secret", "abcd"}
                                      << 2 << "--feed-secret needs 64 hex digits";
    QTest::newRow("secret whose public half is wrong")
        << QStringList{"--serve", "FILE", "--feed-secret", QString(128, QLatin1Char('1'))} << 2
        << "are not the public key of the first 64";
    QTest::newRow("empty file") << QStringList{"--serve", "EMPTY"} << 1
                                << "is empty: a feed needs at least one block";
    QTest::newRow("missing file") << QStringList{"--serve", "MISSING"} << 1 << "cannot read";
    QTest::newRow("a directory") << QStringList{"--serve", "DIR"} << 1 << "cannot read";
}

void tst_CliServe::refusesSillyInputs()
{
    QFETCH(QStringList, arguments);
    QFETCH(int, exitCode);
    QFETCH(QString, says);
    arguments.replaceInStrings(QStringLiteral("EMPTY"),
                               m_dir.filePath(QStringLiteral("empty.txt")));
    arguments.replaceInStrings(QStringLiteral("MISSING"),
                               m_dir.filePath(QStringLiteral("missing.txt")));
    arguments.replaceInStrings(QStringLiteral("FILE"), m_textPath);
    arguments.replaceInStrings(QStringLiteral("DIR"), m_dir.path());
    const auto [code, output] = runToEnd(
        QStringList{QStringLiteral("listen"), QStringLiteral("--port"), QStringLiteral("0")} +
        arguments);
    QVERIFY2(output.contains(says), qPrintable(output));
    QCOMPARE(code, exitCode);
    // Refused before listening: no port was ever opened.
    QVERIFY2(!output.contains(QLatin1String("\"listening\"")), qPrintable(output));
}

QTEST_GUILESS_MAIN(tst_CliServe)
#include "tst_cliserve.moc"
