// FeedServer (Session › Serve a File…): the inspector listens, serves a file as a hypercore 9
// feed, and an in-process reader that dials it gets hypercore 9's answers on the feed's channel:
// the opening Want, Haves for its Want, and Data for its Requests that core/feed verifies against
// the feed key, with the file's bytes. Then the files and block sizes it refuses.
#include "feedserver.h"
#include "feedverifier.h"
#include "messagelogmodel.h"
#include "schema.pb.h"
#include "sessiondriver.h"
#include "sessionmanager.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <memory>
#include <set>

using namespace hyperscope;

namespace {

constexpr int Timeout = 15000;

QByteArray servedText()
{
    QByteArray text;
    for (int line = 0; line < 60; ++line)
        text += "line " + QByteArray::number(line) + " of the file the inspector serves\n";
    return text;
}

bool writeFile(const QString &path, const QByteArray &bytes)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(bytes) == bytes.size();
}

} // namespace

class TestFeedServer : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void readerGetsVerifiedData();
    void refuses_data();
    void refuses();

private:
    QTemporaryDir m_dir;
};

void TestFeedServer::initTestCase()
{
    QVERIFY(m_dir.isValid());
    QVERIFY(writeFile(m_dir.filePath(QStringLiteral("served.txt")), servedText()));
    QVERIFY(writeFile(m_dir.filePath(QStringLiteral("empty.txt")), QByteArray()));
}

void TestFeedServer::readerGetsVerifiedData()
{
    MessageLogModel log;
    SessionManager manager(&log);
    FeedServer server(&manager);
    QSignalSpy serving(&server, &FeedServer::servingChanged);
    QSignalSpy warnings(&server, &FeedServer::warning);
    QString error;
    QVERIFY2(server.serveFile(m_dir.filePath(QStringLiteral("served.txt")), 100, &error),
             qPrintable(error));
    QCOMPARE(serving.count(), 1);
    const feed::FeedBuilder *served = server.feed();
    QVERIFY(served);
    const QByteArray text = servedText();
    QCOMPARE(served->byteLength(), std::uint64_t(text.size()));
    QCOMPARE(served->length(), std::uint64_t((text.size() + 99) / 100));
    QVERIFY2(manager.listen(QHostAddress::LocalHost, 0, ConnectionOptions(), &error),
             qPrintable(error));

    // The reader: dials, and asks for every block once the server's channel is open.
    EngineOptions options;
    options.initiator = true;
    SessionDriver reader(1000, options);
    const Key32 key = served->key();
    feed::FeedVerifier verifier(key);
    QStringList received;
    std::set<std::uint64_t> verified;
    QStringList problems;
    connect(&reader, &SessionDriver::transportConnected, &reader, [&] { reader.openChannel(key); });
    connect(&reader, &SessionDriver::channelOpened, &reader, [&](const ChannelInfo &channel) {
        Message want(std::in_place_type<schema::Want>);
        std::get<schema::Want>(want).set_start(0);
        std::get<schema::Want>(want).set_length(8192);
        reader.send(channel.discoveryKey, want);
        for (std::uint64_t block = served->length(); block-- > 0;) { // last first, as hypercore
            Message request(std::in_place_type<schema::Request>);
            std::get<schema::Request>(request).set_index(block);
            reader.send(channel.discoveryKey, request);
        }
    });
    connect(&reader, &SessionDriver::messageReceived, &reader,
            [&](const ChannelInfo &, const Message &message) {
                received << QString::fromLatin1(
                    messageTypeName(std::uint8_t(messageType(message))).data());
                const auto *data = std::get_if<schema::Data>(&message);
                if (!data)
                    return;
                const feed::Verdict verdict = verifier.verify(*data);
                if (!verdict.verified())
                    problems << QString::fromStdString(verdict.text);
                if (QByteArray::fromStdString(data->value()) !=
                    text.mid(qsizetype(data->index()) * 100, 100))
                    problems << QStringLiteral("block %1: wrong value").arg(data->index());
                verified.insert(data->index());
            });
    reader.connectToHost(QStringLiteral("127.0.0.1"), manager.listeningPort());
    QTRY_COMPARE_WITH_TIMEOUT(verified.size(), std::size_t(served->length()), Timeout);
    QVERIFY2(problems.isEmpty(), qPrintable(problems.join(u'\n')));
    QVERIFY(warnings.isEmpty());
    // The opening Want, then the eager Have of the length and the Have with the bitfield.
    QCOMPARE(received.mid(0, 3),
             (QStringList{QStringLiteral("Want"), QStringLiteral("Have"), QStringLiteral("Have")}));

    // A block past the end: not answered, a warning.
    Message request(std::in_place_type<schema::Request>);
    std::get<schema::Request>(request).set_index(served->length());
    reader.send(served->discoveryKey(), request);
    QVERIFY(warnings.wait(Timeout));
    QVERIFY(warnings.first().at(1).toString().contains(QLatin1String("not answered")));
    reader.disconnectFromPeer();
}

void TestFeedServer::refuses_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<int>("blockSize");
    QTest::addColumn<QString>("says");
    QTest::newRow("empty") << "empty.txt" << 100 << "is empty: a feed needs at least one block";
    QTest::newRow("missing") << "missing.txt" << 100 << "cannot read";
    QTest::newRow("a directory") << "." << 100 << "cannot read";
    QTest::newRow("block size 0") << "served.txt" << 0 << "the block size must be 1 to 8388608";
    QTest::newRow("block size over 8 MiB")
        << "served.txt" << 8 * 1024 * 1024 + 1 << "the block size must be 1 to 8388608";
}

void TestFeedServer::refuses()
{
    QFETCH(QString, file);
    QFETCH(int, blockSize);
    QFETCH(QString, says);
    MessageLogModel log;
    SessionManager manager(&log);
    FeedServer server(&manager);
    QSignalSpy serving(&server, &FeedServer::servingChanged);
    QString error;
    QVERIFY(!server.serveFile(m_dir.filePath(file), std::size_t(blockSize), &error));
    QVERIFY2(error.contains(says), qPrintable(error));
    QVERIFY(!server.isServing());
    QCOMPARE(serving.count(), 0);
}

QTEST_GUILESS_MAIN(TestFeedServer)
#include "tst_feedserver.moc"
