// loadServedFile: the file --serve and Session › Serve a File… read, and the lines they show when
// it cannot be served (a missing file, a directory, an empty file, a block size out of range).
#include "feedfile.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace hyperscope;
using namespace hyperscope::feed;

class tst_FeedFile : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void loads_data();
    void loads();
    void refuses_data();
    void refuses();

private:
    QTemporaryDir m_dir;
    QString path(const QString &name) const { return m_dir.filePath(name); }
};

void tst_FeedFile::initTestCase()
{
    QVERIFY(m_dir.isValid());
    QFile served(path(QStringLiteral("served.txt")));
    QVERIFY(served.open(QIODevice::WriteOnly));
    // 200 000 bytes: more than one read chunk, so the loader must join them.
    QByteArray bytes(200000, Qt::Uninitialized);
    for (int i = 0; i < bytes.size(); ++i)
        bytes[i] = char(i * 7);
    served.write(bytes);
    QFile empty(path(QStringLiteral("empty.txt")));
    QVERIFY(empty.open(QIODevice::WriteOnly));
}

void tst_FeedFile::loads_data()
{
    QTest::addColumn<int>("blockSize");
    QTest::addColumn<quint64>("length");
    QTest::newRow("64 KiB blocks, a short last one") << 65536 << quint64(4);
    QTest::newRow("1-byte blocks") << 1 << quint64(200000);
    QTest::newRow("one 8 MiB block") << int(MaxServedBlockSize) << quint64(1);
}

void tst_FeedFile::loads()
{
    QFETCH(int, blockSize);
    QFETCH(quint64, length);
    const SigningKeyPair keyPair = generateSigningKeyPair();
    auto loaded = loadServedFile(path(QStringLiteral("served.txt")).toStdString(),
                                 std::size_t(blockSize), keyPair);
    const FeedBuilder *feed = std::get_if<FeedBuilder>(&loaded);
    QVERIFY2(feed, feed ? "" : std::get<std::string>(loaded).c_str());
    QCOMPARE(feed->length(), length);
    QCOMPARE(feed->byteLength(), 200000ull);
    QCOMPARE(feed->key(), keyPair.publicKey);
    const ByteView last = feed->block(length - 1);
    QCOMPARE(last.back(), std::uint8_t(char(199999 * 7)));
}

void tst_FeedFile::refuses_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<qulonglong>("blockSize");
    QTest::addColumn<QString>("error"); // %1: the path
    QTest::newRow("missing") << "missing.txt" << 100ull
                             << "cannot read %1: No such file or directory";
    QTest::newRow("a directory") << "" << 100ull << "cannot read %1: Is a directory";
    QTest::newRow("empty") << "empty.txt" << 100ull
                           << "%1 is empty: a feed needs at least one block";
    QTest::newRow("block size 0") << "served.txt" << 0ull
                                  << "the block size must be 1 to 8388608 bytes";
    QTest::newRow("block size 8 MiB + 1") << "served.txt" << qulonglong(MaxServedBlockSize + 1)
                                          << "the block size must be 1 to 8388608 bytes";
    QTest::newRow("block size 2^64-1")
        << "served.txt" << qulonglong(UINT64_MAX) << "the block size must be 1 to 8388608 bytes";
}

void tst_FeedFile::refuses()
{
    QFETCH(QString, name);
    QFETCH(qulonglong, blockSize);
    QFETCH(QString, error);
    const QString file = name.isEmpty() ? m_dir.path() : path(name);
    const auto loaded =
        loadServedFile(file.toStdString(), std::size_t(blockSize), generateSigningKeyPair());
    const std::string *message = std::get_if<std::string>(&loaded);
    QVERIFY(message);
    QCOMPARE(QString::fromStdString(*message),
             error.contains(QLatin1String("%1")) ? error.arg(file) : error);
}

QTEST_APPLESS_MAIN(tst_FeedFile)
#include "tst_feedfile.moc"
