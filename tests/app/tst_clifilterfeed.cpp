// hyperscope-cli's --filter on the feed layer's fields, as a process: `hyperscope-cli read` on a
// capture of a real hypercore 9 replication (tests/common/feedcapture.h: 13 Data from
// tests/vectors/feed.json, one of them tampered) prints the verdicts live events carry, and
// `verified`, `verdict`, `verifyError`, `warning` and `blocks` select exactly the events whose
// printed keys say so.
#include "builders.h"
#include "feedcapture.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

using namespace hyperscope;

namespace {

constexpr int Wait = 20000; // process start-up on a loaded machine can take a while
constexpr std::uint64_t TamperedBlock = 12;

// The small process helper of tests/app/tst_clicapture.cpp (to be folded into the shared one).
struct Run
{
    int exitCode = -1;
    QList<QJsonObject> events;
    QByteArray stderrText;
};

Run run(const QStringList &arguments)
{
    QProcess process;
    process.start(QStringLiteral(HYPERSCOPE_CLI_PATH), arguments);
    Run result;
    if (!process.waitForFinished(Wait) || process.exitStatus() != QProcess::NormalExit)
        return result;
    result.exitCode = process.exitCode();
    result.stderrText = process.readAllStandardError();
    for (const QByteArray &line : process.readAllStandardOutput().split('\n')) {
        if (!line.isEmpty())
            result.events.append(QJsonDocument::fromJson(line).object());
    }
    return result;
}

/// "in Data 12" per message event: its direction, type and block (index or start).
QStringList summary(const QList<QJsonObject> &events)
{
    QStringList out;
    for (const QJsonObject &event : events) {
        if (event.value(QLatin1String("event")).toString() != QLatin1String("message"))
            continue;
        const QJsonObject message = event.value(QLatin1String("message")).toObject();
        const QJsonValue block = message.contains(QLatin1String("index"))
                                     ? message.value(QLatin1String("index"))
                                     : message.value(QLatin1String("start"));
        out << QStringLiteral("%1 %2 %3")
                   .arg(event.value(QLatin1String("direction")).toString(),
                        event.value(QLatin1String("type")).toString())
                   .arg(block.toInteger());
    }
    return out;
}

QStringList dataEvents(std::initializer_list<int> blocks)
{
    QStringList out;
    for (const int block : blocks)
        out << QStringLiteral("in Data %1").arg(block);
    return out;
}

} // namespace

class tst_CliFilterFeed : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void readPrintsTheVerdicts();
    void readFilters_data();
    void readFilters();
    void withoutTheFeedKeyNothingIsVerified();
    void suggestsTheNewFields();

private:
    QTemporaryDir m_dir;
    QString m_capture;
    QString m_captureWithoutKey;
};

void tst_CliFilterFeed::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_capture = m_dir.filePath(QStringLiteral("feed.jsonl"));
    m_captureWithoutKey = m_dir.filePath(QStringLiteral("feed-nokey.jsonl"));
    QCOMPARE(test::writeFeedCapture(m_capture, TamperedBlock), QString());
    QCOMPARE(test::writeFeedCapture(m_captureWithoutKey, TamperedBlock, false), QString());
}

void tst_CliFilterFeed::readPrintsTheVerdicts()
{
    // Without a filter: every Data carries its verdict as a live event does, the Haves and the
    // Want their blocks.
    const Run all = run({QStringLiteral("read"), m_capture});
    QCOMPARE(all.exitCode, 0);
    int verified = 0;
    for (const QJsonObject &event : all.events) {
        const QString type = event.value(QLatin1String("type")).toString();
        if (type == QLatin1String("Data")) {
            const bool tampered =
                event.value(QLatin1String("message"))[QLatin1String("index")].toInteger() ==
                qint64(TamperedBlock);
            QCOMPARE(event.value(QLatin1String("verified")).toBool(), !tampered);
            QCOMPARE(event.value(QLatin1String("verdict")).toString(),
                     tampered ? QStringLiteral("failed") : QStringLiteral("verified"));
            QCOMPARE(event.contains(QLatin1String("verifyError")), tampered);
            verified += tampered ? 0 : 1;
        }
        if (type == QLatin1String("Want"))
            QCOMPARE(event.value(QLatin1String("blocks")).toArray(),
                     (QJsonArray{QJsonArray{0, 1048575}}));
    }
    QCOMPARE(verified, 12);
}

void tst_CliFilterFeed::readFilters_data()
{
    QTest::addColumn<QString>("filter");
    QTest::addColumn<QStringList>("expected"); // summary() of the message events printed

    QTest::newRow("verified == false") << "verified == false" << dataEvents({12});
    QTest::newRow("!(verified == true) && type == Data")
        << "!(verified == true) && type == Data" << dataEvents({12});
    QTest::newRow("verified == true")
        << "verified == true" << dataEvents({0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11});
    QTest::newRow("bare verified: every Data with a verdict")
        << "verified" << dataEvents({0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12});
    QTest::newRow("verdict == failed") << "verdict == failed" << dataEvents({12});
    QTest::newRow("verifyError") << "verifyError" << dataEvents({12});
    QTest::newRow("verifyError contains")
        << "verifyError contains \"does not match\"" << dataEvents({12});
    QTest::newRow("warning: the failed Data") << "warning" << dataEvents({12});
    QTest::newRow("blocks == 5") << "blocks == 5"
                                 << QStringList{"out Want 0", "in Have 0", "out Request 5",
                                                "in Data 5"};
    QTest::newRow("blocks == 12") << "blocks == 12"
                                  << QStringList{"out Want 0", "in Have 12", "in Have 0",
                                                 "out Request 12", "in Data 12"};
    QTest::newRow("blocks > 12: the Want's open page")
        << "blocks > 12" << QStringList{"out Want 0"};
    QTest::newRow("blocks in, type")
        << "type == Data && blocks in {3..4, 11}" << dataEvents({3, 4, 11});
    QTest::newRow("Have covering 12")
        << "type == Have && blocks == 12" << QStringList{"in Have 12", "in Have 0"};
    QTest::newRow("blocks and verified")
        << "blocks >= 10 && verified == true" << dataEvents({10, 11});
}

void tst_CliFilterFeed::readFilters()
{
    QFETCH(QString, filter);
    QFETCH(QStringList, expected);
    const Run filtered =
        run({QStringLiteral("read"), m_capture, QStringLiteral("--filter"), filter});
    QVERIFY2(filtered.exitCode == 0, filtered.stderrText.constData());
    QCOMPARE(summary(filtered.events), expected);
    // What the filter saw is what the events say.
    for (const QJsonObject &event : filtered.events) {
        if (filter.startsWith(QLatin1String("verified == false")))
            QCOMPARE(event.value(QLatin1String("verified")), QJsonValue(false));
        if (filter == QLatin1String("verified == true"))
            QCOMPARE(event.value(QLatin1String("verified")), QJsonValue(true));
    }
}

void tst_CliFilterFeed::withoutTheFeedKeyNothingIsVerified()
{
    // A channel whose feed key is unknown: no verdicts printed, none to filter on; `blocks` is
    // read from the messages and works all the same.
    const Run all = run({QStringLiteral("read"), m_captureWithoutKey});
    QCOMPARE(all.exitCode, 0);
    for (const QJsonObject &event : all.events)
        QVERIFY(!event.contains(QLatin1String("verified")));
    const Run verified = run({QStringLiteral("read"), m_captureWithoutKey,
                              QStringLiteral("--filter"), QStringLiteral("verified")});
    QCOMPARE(verified.exitCode, 0);
    QCOMPARE(summary(verified.events), QStringList());
    const Run unverified =
        run({QStringLiteral("read"), m_captureWithoutKey, QStringLiteral("--filter"),
             QStringLiteral("type == Data && !verified && blocks < 2")});
    QCOMPARE(summary(unverified.events), dataEvents({0, 1}));
}

void tst_CliFilterFeed::suggestsTheNewFields()
{
    const Run typo = run({QStringLiteral("read"), m_capture, QStringLiteral("--filter"),
                          QStringLiteral("verifed == false")});
    QCOMPARE(typo.exitCode, 2);
    QVERIFY2(typo.stderrText.contains(
                 "filter: column 1: unknown field 'verifed' (did you mean 'verified'?)"),
             typo.stderrText.constData());
    QVERIFY(typo.events.isEmpty());
    const Run block = run({QStringLiteral("read"), m_capture, QStringLiteral("--filter"),
                           QStringLiteral("type == Have && block > 3")});
    QCOMPARE(block.exitCode, 2);
    QVERIFY2(block.stderrText.contains("column 17: unknown field 'block' (did you mean 'blocks'?)"),
             block.stderrText.constData());
}

QTEST_GUILESS_MAIN(tst_CliFilterFeed)
#include "tst_clifilterfeed.moc"
