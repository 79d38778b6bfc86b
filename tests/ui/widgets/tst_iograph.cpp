// IoGraph: a burst stays visible at any width (each pixel column draws the busiest interval it
// covers), hovering names the interval under the pointer, and a hundred thousand intervals
// paint quickly.
#include "iograph.h"
#include "iographseries.h"
#include "messagelogmodel.h"

#include <QElapsedTimer>
#include <QImage>
#include <QTest>

using namespace hyperscope;

using Measure = IoGraphSeries::Measure;

namespace {

void addAt(MessageLogModel &log, qint64 timeUs, Direction direction, int size = 10)
{
    MessageLogModel::Record r;
    r.session = 1;
    r.timeUs = timeUs;
    r.kind = MessageLogModel::Kind::Frame;
    r.type = 9;
    r.flags = MessageLogModel::PlainOnWire;
    if (direction == Direction::Outbound)
        r.flags |= MessageLogModel::Outbound;
    const Bytes plain(std::size_t(size), 1);
    log.appendRecord(r, plain, {}, {}, std::nullopt);
}

/// One message a second for @p seconds, and a burst of @p burst messages within one
/// millisecond at @p burstAtUs.
void fill(MessageLogModel &log, int seconds, int burst, qint64 burstAtUs)
{
    for (int s = 0; s <= seconds; ++s)
        addAt(log, qint64(s) * 1000000, Direction::Outbound);
    for (int i = 0; i < burst; ++i)
        addAt(log, burstAtUs + i, Direction::Inbound);
    log.flush();
}

/// The pixel columns of @p image (inside @p plot) whose top third holds a pixel of @p color's
/// hue.
int columnsReaching(const QImage &image, const QRect &plot, const QColor &color)
{
    int columns = 0;
    for (int x = plot.left(); x <= plot.right(); ++x) {
        for (int y = plot.top() + 2; y < plot.top() + plot.height() / 3; ++y) {
            const QColor pixel = image.pixelColor(x, y);
            if (pixel.saturation() > 60 && std::abs(pixel.hue() - color.hue()) < 20) {
                ++columns;
                break;
            }
        }
    }
    return columns;
}

} // namespace

class TestIoGraph : public QObject
{
    Q_OBJECT
private slots:
    void keepsABurstAtAnyWidth_data();
    void keepsABurstAtAnyWidth();
    void hoverNamesTheInterval();
    void paintsManyIntervalsQuickly();
    void saysWhenThereIsNothing();
};

void TestIoGraph::keepsABurstAtAnyWidth_data()
{
    QTest::addColumn<int>("width");
    QTest::addColumn<qint64>("intervalUs");
    // An hour at 100 ms: 36,000 intervals on a few hundred pixels; and fewer intervals than
    // pixels.
    QTest::newRow("36000 intervals, 400 px") << 400 << qint64(100000);
    QTest::newRow("36000 intervals, 1900 px") << 1900 << qint64(100000);
    QTest::newRow("361 intervals, 1000 px") << 1000 << qint64(10000000);
}

void TestIoGraph::keepsABurstAtAnyWidth()
{
    QFETCH(int, width);
    QFETCH(qint64, intervalUs);
    MessageLogModel log;
    fill(log, 3600, 200, qint64(1234) * 1000000 + 50000);
    IoGraphSeries series;
    series.compute(log, 0, intervalUs);
    IoGraph graph;
    graph.setSeries(&series);
    graph.resize(width, 300);

    // The column that covers the burst reports the burst's interval...
    const int burst = int((qint64(1234) * 1000000 + 50000) / series.intervalUs());
    QCOMPARE(series.value(burst, 0, Measure::Messages), 200u);
    const int x = graph.xForBucket(burst);
    QVERIFY(x >= graph.plotRect().left());
    QCOMPARE(graph.bucketAt(x), burst);
    QVERIFY(graph.axisMaximum() >= 200);

    // ... and is drawn up to the top of the plot: in (blue) reaches the top third there only.
    const QImage image = graph.grab().toImage();
    const int reaching = columnsReaching(image, graph.plotRect(), QColor(33, 120, 220));
    QVERIFY2(reaching >= 1, "the burst is drawn");
    QVERIFY2(reaching <= std::max(3, graph.plotRect().width() / series.bucketCount() + 2),
             qPrintable(QString::number(reaching)));
}

void TestIoGraph::hoverNamesTheInterval()
{
    MessageLogModel log;
    addAt(log, 0, Direction::Outbound, 100);
    addAt(log, 2500000, Direction::Inbound, 30);
    addAt(log, 2600000, Direction::Inbound, 40);
    log.flush();
    IoGraphSeries series;
    series.compute(log, 0, 1000000);
    IoGraph graph;
    graph.setSeries(&series);
    graph.resize(600, 300);
    graph.show();
    QVERIFY(QTest::qWaitForWindowExposed(&graph));
    const QPoint point(graph.xForBucket(2), graph.plotRect().center().y());
    QTest::mouseMove(graph.windowHandle(), point);
    QTRY_COMPARE(graph.hoveredBucket(), 2);
    QCOMPARE(graph.hoverText(), QStringLiteral("2 s – 3 s: in 2 messages (70 B), out 0 messages "
                                               "(0 B)"));
    // Off the plot: nothing hovered.
    QTest::mouseMove(graph.windowHandle(), QPoint(2, 2));
    QTRY_COMPARE(graph.hoveredBucket(), -1);
    QVERIFY(graph.hoverText().isEmpty());
    // A recomputed series forgets the hover.
    QTest::mouseMove(graph.windowHandle(), point);
    QTRY_COMPARE(graph.hoveredBucket(), 2);
    series.compute(log, 0, 100000);
    QCOMPARE(graph.hoveredBucket(), -1);
}

void TestIoGraph::paintsManyIntervalsQuickly()
{
    MessageLogModel log;
    log.setFlushInterval(1000000);
    for (int i = 0; i < 200000; ++i)
        addAt(log, qint64(i) * 50000, i % 2 ? Direction::Inbound : Direction::Outbound);
    log.flush();
    IoGraphSeries series;
    series.compute(log, 0, 100000);
    QCOMPARE(series.bucketCount(), IoGraphSeries::MaxBuckets);
    IoGraph graph;
    graph.setSeries(&series);
    graph.resize(1900, 600);
    QElapsedTimer timer;
    timer.start();
    const QImage image = graph.grab().toImage();
    const qint64 ms = timer.elapsed();
    qInfo("100,000 intervals painted in %lld ms", ms);
    QVERIFY2(ms < 2000, qPrintable(QString::number(ms)));
    QVERIFY(!image.isNull());
}

void TestIoGraph::saysWhenThereIsNothing()
{
    IoGraph graph;
    graph.resize(400, 200);
    QCOMPARE(graph.bucketAt(200), -1);
    QVERIFY(!graph.grab().isNull()); // no series: paints the axes and a sentence
    IoGraphSeries series;
    graph.setSeries(&series);
    QCOMPARE(graph.bucketAt(200), -1);
    QVERIFY(!graph.grab().isNull());
}

QTEST_MAIN(TestIoGraph)
#include "tst_iograph.moc"
