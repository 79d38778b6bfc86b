// IoGraphSeries: messages and bytes per interval and direction over a session, in one pass,
// with a bounded number of buckets, under QAbstractItemModelTester.
#include "iographseries.h"
#include "messagelogmodel.h"

#include <QAbstractItemModelTester>
#include <QElapsedTimer>
#include <QTest>

using namespace hyperscope;

using Kind = MessageLogModel::Kind;
using Measure = IoGraphSeries::Measure;

class TestIoGraphSeries : public QObject
{
    Q_OBJECT
private slots:
    void bucketsPerInterval_data();
    void bucketsPerInterval();
    void showsABurst();
    void filtersBySessionAndCountsProblems();
    void boundsTheBucketCount();
    void acceptsRowsOutOfTimeOrder();
    void handlesAMillionRows();
};

namespace {

/// Appends a frame of @p size bytes at log time @p timeUs.
void addAt(MessageLogModel &log, int session, qint64 timeUs, Direction direction, int size = 10)
{
    MessageLogModel::Record r;
    r.session = session;
    r.timeUs = timeUs;
    r.kind = Kind::Frame;
    r.type = 9;
    r.flags = MessageLogModel::PlainOnWire;
    if (direction == Direction::Outbound)
        r.flags |= MessageLogModel::Outbound;
    const Bytes plain(std::size_t(size), 1);
    log.appendRecord(r, plain, {}, {}, std::nullopt);
}

void noteAt(MessageLogModel &log, int session, qint64 timeUs, Kind kind)
{
    MessageLogModel::Record r;
    r.session = session;
    r.timeUs = timeUs;
    r.kind = kind;
    log.appendRecord(r, {}, {}, QStringLiteral("note"), std::nullopt);
}

} // namespace

void TestIoGraphSeries::bucketsPerInterval_data()
{
    QTest::addColumn<qint64>("intervalUs");
    QTest::addColumn<int>("buckets");
    QTest::addColumn<int>("firstBucketIn");
    QTest::addColumn<int>("lastBucketOut");

    // Messages at 1.00 s (in), 1.05 s (in), 1.25 s (out), 3.5 s (out) of log time.
    QTest::newRow("100 ms") << qint64(100000) << 26 << 2 << 1;
    QTest::newRow("1 s") << qint64(1000000) << 3 << 2 << 1;
    QTest::newRow("10 s") << qint64(10000000) << 1 << 2 << 2;
}

void TestIoGraphSeries::bucketsPerInterval()
{
    QFETCH(qint64, intervalUs);
    QFETCH(int, buckets);
    QFETCH(int, firstBucketIn);
    QFETCH(int, lastBucketOut);
    MessageLogModel log;
    addAt(log, 1, 1000000, Direction::Inbound, 10);
    addAt(log, 1, 1050000, Direction::Inbound, 20);
    addAt(log, 1, 1250000, Direction::Outbound, 30);
    addAt(log, 1, 3500000, Direction::Outbound, 40);
    log.flush();
    IoGraphSeries series;
    QAbstractItemModelTester tester(&series,
                                    QAbstractItemModelTester::FailureReportingMode::QtTest);
    series.compute(log, 0, intervalUs);
    QCOMPARE(series.bucketCount(), buckets);
    QCOMPARE(series.intervalUs(), intervalUs);
    QCOMPARE(series.startUs(), 1000000);
    QCOMPARE(series.value(0, 0, Measure::Messages), quint64(firstBucketIn));
    QCOMPARE(series.value(0, 0, Measure::Bytes), 30u);
    QCOMPARE(series.value(buckets - 1, 1, Measure::Messages), quint64(lastBucketOut));
    QCOMPARE(series.totalMessages(0), 2u);
    QCOMPARE(series.totalMessages(1), 2u);
    QCOMPARE(series.totalBytes(1), 70u);
    QCOMPARE(series.rowCount(), buckets);
    QCOMPARE(series.index(0, IoGraphSeries::MessagesInColumn).data().toInt(), firstBucketIn);
}

void TestIoGraphSeries::showsABurst()
{
    MessageLogModel log;
    for (int s = 0; s < 10; ++s)
        addAt(log, 1, qint64(s) * 1000000, Direction::Outbound);
    for (int i = 0; i < 50; ++i) // a burst: 50 messages within 50 ms at 5 s
        addAt(log, 1, 5000000 + i * 1000, Direction::Inbound);
    log.flush();
    IoGraphSeries series;
    series.compute(log, 1, 100000);
    QCOMPARE(series.peak(Measure::Messages), 50u);
    QCOMPARE(series.value(50, 0, Measure::Messages), 50u);
    QCOMPARE(series.value(49, 0, Measure::Messages), 0u);
}

void TestIoGraphSeries::filtersBySessionAndCountsProblems()
{
    MessageLogModel log;
    addAt(log, 1, 0, Direction::Inbound);
    addAt(log, 2, 500000, Direction::Inbound);
    addAt(log, 2, 2500000, Direction::Outbound);
    noteAt(log, 2, 2600000, Kind::Warning);
    noteAt(log, 2, 2700000, Kind::Event); // not a message, not a problem
    log.flush();
    IoGraphSeries series;
    series.compute(log, 2, 1000000);
    QCOMPARE(series.session(), 2);
    QCOMPARE(series.startUs(), 500000);
    QCOMPARE(series.bucketCount(), 3);
    QCOMPARE(series.totalMessages(0) + series.totalMessages(1), 2u);
    QCOMPARE(series.bucket(2).problems, 1u);
    series.compute(log, 0, 1000000);
    QCOMPARE(series.totalMessages(0), 2u);
    QCOMPARE(series.startUs(), 0);
    series.clear();
    QCOMPARE(series.bucketCount(), 0);
}

void TestIoGraphSeries::boundsTheBucketCount()
{
    MessageLogModel log;
    addAt(log, 1, 0, Direction::Inbound);
    addAt(log, 1, 3600LL * 1000000, Direction::Inbound); // an hour later
    addAt(log, 1, 1800LL * 1000000, Direction::Outbound);
    log.flush();
    IoGraphSeries series;
    series.compute(log, 0, 1000); // 1 ms: 3.6 million intervals asked
    QVERIFY(series.bucketCount() <= IoGraphSeries::MaxBuckets);
    QVERIFY(series.intervalUs() > 1000);
    QCOMPARE(series.requestedIntervalUs(), 1000);
    QCOMPARE(series.totalMessages(0), 2u);
    QCOMPARE(series.totalMessages(1), 1u);
    quint64 counted = 0;
    for (int i = 0; i < series.bucketCount(); ++i)
        counted += series.bucket(i).messages[0] + series.bucket(i).messages[1];
    QCOMPARE(counted, 3u);
    QCOMPARE(series.value(series.bucketCount() - 1, 0, Measure::Messages), 1u);
}

void TestIoGraphSeries::acceptsRowsOutOfTimeOrder()
{
    MessageLogModel log;
    addAt(log, 1, 5000000, Direction::Inbound);
    addAt(log, 1, 1000000, Direction::Inbound); // earlier than the first row
    addAt(log, 1, 3000000, Direction::Outbound);
    log.flush();
    IoGraphSeries series;
    series.compute(log, 1, 1000000);
    QCOMPARE(series.startUs(), 1000000);
    QCOMPARE(series.bucketCount(), 5);
    QCOMPARE(series.value(0, 0, Measure::Messages), 1u);
    QCOMPARE(series.value(2, 1, Measure::Messages), 1u);
    QCOMPARE(series.value(4, 0, Measure::Messages), 1u);
}

void TestIoGraphSeries::handlesAMillionRows()
{
    MessageLogModel log;
    log.setFlushInterval(1000000);
    constexpr int Rows = 1000000;
    for (int i = 0; i < Rows; ++i)
        addAt(log, 1, qint64(i) * 100, i % 2 ? Direction::Inbound : Direction::Outbound);
    log.flush();
    IoGraphSeries series;
    QElapsedTimer timer;
    timer.start();
    series.compute(log, 0, 100000);
    const qint64 ms = timer.elapsed();
    qInfo("a million rows bucketed in %lld ms", ms);
    QVERIFY2(ms < 5000, qPrintable(QString::number(ms)));
    QCOMPARE(series.bucketCount(), 1000);
    QCOMPARE(series.peak(Measure::Messages), 500u);
}

QTEST_MAIN(TestIoGraphSeries)
#include "tst_iographseries.moc"
