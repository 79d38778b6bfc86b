// `hyperscope-cli listen --serve FILE` against real hypercore 9 readers (issue 13): npm
// hypercore@9.12.0 on random-access-memory (tests/interop/hypercore/serve-clone.js) clones a
// served file of several hundred blocks in full, and a sparse clone fetches single blocks; each
// block is checked by hypercore against the Merkle tree and our signature, then compared with
// the file. The same readers clone the file the inspector serves (Session › Serve a File…: its
// FeedServer on a listening SessionManager, in this process), when the inspector is built.
#include "interoppeer.h"
#ifdef HYPERSCOPE_SERVEINTEROP_INSPECTOR
#include "feedserver.h"
#include "messagelogmodel.h"
#include "sessionmanager.h"
#endif

#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRandomGenerator>
#include <QTemporaryFile>
#include <QtTest>

#include <functional>
#include <memory>

using hyperscope::test::CliProcess;
using hyperscope::test::JsonProcess;

namespace {

constexpr int Wait = 60000;

/// Runs serve-clone.js with @p arguments; its exit code and last JSON line.
std::pair<int, QJsonObject> runClone(const QStringList &arguments)
{
    JsonProcess clone(QStringLiteral("serve-clone"));
    clone.startNode(QStringLiteral(HYPERSCOPE_HYPERCORE_DIR "/serve-clone.js"), arguments);
    // waitForExit() runs the event loop: the server's events must keep being read, or its stdout
    // fills up and it stops answering.
    if (!clone.waitForExit(Wait))
        return {-1, QJsonObject()};
    QJsonObject last = clone.events().isEmpty() ? QJsonObject() : clone.events().constLast();
    if (last.value(QLatin1String("event")) == QLatin1String(JsonProcess::NotJson))
        last = QJsonObject();
    if (clone.exitStatus() != QProcess::NormalExit)
        return {-1, last};
    if (last.isEmpty())
        last.insert(QStringLiteral("stderr"), QString::fromUtf8(clone.stderrText()));
    return {clone.exitCode(), last};
}

} // namespace

class tst_ServeInterop : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void hypercoreClonesTheServedFile_data();
    void hypercoreClonesTheServedFile();

private:
    QTemporaryFile m_file;
    static constexpr int BlockSize = 1000;
    static constexpr int FileSize = 300 * BlockSize + 123; // 301 blocks, the last one short
};

void tst_ServeInterop::initTestCase()
{
    QVERIFY(m_file.open());
    QByteArray bytes(FileSize, Qt::Uninitialized);
    QRandomGenerator generator(13);
    for (char &byte : bytes)
        byte = char(generator.bounded(256));
    QCOMPARE(m_file.write(bytes), qint64(FileSize));
    QVERIFY(m_file.flush());
}

void tst_ServeInterop::hypercoreClonesTheServedFile_data()
{
    QTest::addColumn<bool>("inspector"); // the inspector's FeedServer, not hyperscope-cli
    QTest::addColumn<QString>("get");    // serve-clone.js --get; empty: a full clone
    QTest::addColumn<int>("blocks");
    QTest::newRow("full clone, 301 blocks") << false << QString() << 301;
    QTest::newRow("sparse: first, middle, last") << false << QStringLiteral("0,150,300") << 3;
    QTest::newRow("sparse: one block") << false << QStringLiteral("77") << 1;
#ifdef HYPERSCOPE_SERVEINTEROP_INSPECTOR
    QTest::newRow("inspector: full clone, 301 blocks") << true << QString() << 301;
    QTest::newRow("inspector: sparse, first and last") << true << QStringLiteral("0,300") << 2;
#endif
}

void tst_ServeInterop::hypercoreClonesTheServedFile()
{
    QFETCH(bool, inspector);
    QFETCH(QString, get);
    QFETCH(int, blocks);

    // The server: its feed key and port, and at the end whether it refused anything.
    QString key;
    int port = 0;
    std::function<QStringList()> warnings;
    std::unique_ptr<CliProcess> cli;
#ifdef HYPERSCOPE_SERVEINTEROP_INSPECTOR
    hyperscope::MessageLogModel log;
    hyperscope::SessionManager manager(&log);
    hyperscope::FeedServer feedServer(&manager);
    QStringList inspectorWarnings;
    QObject::connect(&feedServer, &hyperscope::FeedServer::warning,
                     [&](int, const QString &text) { inspectorWarnings << text; });
#endif
    if (inspector) {
#ifdef HYPERSCOPE_SERVEINTEROP_INSPECTOR
        QString error;
        QVERIFY2(feedServer.serveFile(m_file.fileName(), BlockSize, &error), qPrintable(error));
        QCOMPARE(feedServer.feed()->length(), 301ull);
        QVERIFY2(
            manager.listen(QHostAddress::LocalHost, 0, hyperscope::ConnectionOptions(), &error),
            qPrintable(error));
        key = QString::fromStdString(hyperscope::toHex(feedServer.feed()->key()));
        port = manager.listeningPort();
        warnings = [&] {
            return inspectorWarnings;
        };
#endif
    } else {
        cli = std::make_unique<CliProcess>(
            QStringList{QStringLiteral("listen"), QStringLiteral("--port"), QStringLiteral("0"),
                        QStringLiteral("--serve"), m_file.fileName(),
                        QStringLiteral("--block-size"), QString::number(BlockSize)});
        const QJsonObject feed = cli->waitFor(QStringLiteral("feed"), Wait);
        QCOMPARE(feed["length"].toInt(), 301);
        QCOMPARE(feed["byteLength"].toInt(), FileSize);
        const QJsonObject listening = cli->waitFor(QStringLiteral("listening"), Wait);
        QVERIFY(!listening.isEmpty());
        key = feed["key"].toString();
        port = listening["port"].toInt();
        warnings = [&] {
            QStringList out;
            for (const QJsonObject &warning : cli->all(QStringLiteral("warning")))
                out << warning["message"].toString();
            return out;
        };
    }

    QStringList arguments{key,
                          QStringLiteral("127.0.0.1:%1").arg(port),
                          QStringLiteral("--file"),
                          m_file.fileName(),
                          QStringLiteral("--block-size"),
                          QString::number(BlockSize),
                          QStringLiteral("--timeout"),
                          QStringLiteral("30000")};
    if (!get.isEmpty())
        arguments << QStringLiteral("--get") << get;
    const auto [exitCode, result] = runClone(arguments);
    const QByteArray text = QJsonDocument(result).toJson(QJsonDocument::Compact);
    QVERIFY2(exitCode == 0, text.constData());
    QCOMPARE(result["event"].toString(), QStringLiteral("verified"));
    QCOMPARE(result["matching"].toInt(), blocks);
    QCOMPARE(result["downloaded"].toInt(), blocks); // sparse: nothing but what was asked for
    QCOMPARE(result["length"].toInt(), 301);
    const QStringList refused = warnings();
    QVERIFY2(refused.isEmpty(), qPrintable(refused.join(u'\n')));
}

QTEST_GUILESS_MAIN(tst_ServeInterop)
#include "tst_serveinterop.moc"
