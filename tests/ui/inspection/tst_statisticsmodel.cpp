// StatisticsModel: messages and bytes per session, channel and type, in and out, aggregated in
// one pass, under QAbstractItemModelTester.
#include "builders.h"
#include "messagelogmodel.h"
#include "statisticsmodel.h"

#include <QAbstractItemModelTester>
#include <QElapsedTimer>
#include <QTest>

using namespace hyperscope;
using namespace hyperscope::test;

using Kind = MessageLogModel::Kind;

class TestStatisticsModel : public QObject
{
    Q_OBJECT
private slots:
    void countsPerSessionChannelAndType();
    void refreshFollowsTheLog();
    void aggregatesAMillionRowsInOnePass();
};

namespace {

/// The child of @p parent named @p name.
QModelIndex child(const StatisticsModel &model, const QModelIndex &parent, const QString &name)
{
    for (int row = 0; row < model.rowCount(parent); ++row) {
        const QModelIndex index = model.index(row, 0, parent);
        if (index.data().toString() == name)
            return index;
    }
    return {};
}

struct Log
{
    MessageLogModel log;
    Message want = wantOf(3);
    Message have = haveOf(4);
    Bytes wantFrame = frameOf(1, want);
    Bytes haveFrame = frameOf(2, have);
    Bytes keepAlive{0};

    void add(int session, const Bytes &frame, Direction d, const Message *m, std::uint64_t channel,
             std::uint8_t type, std::optional<Key32> key)
    {
        log.appendFrame(session, traceOf(frame, d, m, channel, type, key),
                        MessageLogModel::WireStorage::SameAsPlain);
    }
};

} // namespace

void TestStatisticsModel::countsPerSessionChannelAndType()
{
    Log l;
    const Key32 a = keyOf(0xaa);
    const Key32 b = keyOf(0xbb);
    const auto in = Direction::Inbound;
    const auto out = Direction::Outbound;
    for (int i = 0; i < 3; ++i)
        l.add(1, l.wantFrame, in, &l.want, 1, 5, a);
    for (int i = 0; i < 2; ++i)
        l.add(1, l.wantFrame, out, &l.want, 1, 5, a);
    l.add(1, l.haveFrame, in, &l.have, 2, 3, b);
    l.add(1, l.keepAlive, in, nullptr, 0, 0, std::nullopt);
    l.add(1, l.keepAlive, in, nullptr, 0, 0, std::nullopt);
    const Bytes options = frameOf(0, std::uint8_t(1), asView(std::string_view("\xff")));
    l.add(1, options, out, nullptr, 0, 1, std::nullopt); // malformed: still a message
    l.add(1, l.wantFrame, in, &l.want, 7, 5, std::nullopt);
    l.log.appendNote(1, Kind::Warning, in, 0, QStringLiteral("not a message"));
    l.log.appendNote(1, Kind::Event, in, 0, QStringLiteral("neither"));
    l.add(2, l.wantFrame, in, &l.want, 1, 5, a);
    l.log.flush();

    StatisticsModel model(&l.log);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QCOMPARE(model.rowCount(), 0); // nothing until refreshed
    model.refresh();
    QCOMPARE(model.rowCount(), 2);

    const QModelIndex s1 = model.index(0, 0);
    QCOMPARE(s1.data().toString(), l.log.sessionLabel(1));
    const StatisticsModel::Counts c1 = model.counts(s1);
    QCOMPARE(c1.messages[0], 7u);
    QCOMPARE(c1.messages[1], 3u);
    const quint64 w = l.wantFrame.size();
    const quint64 h = l.haveFrame.size();
    QCOMPARE(c1.bytes[0], 4 * w + h + 2);
    QCOMPARE(c1.bytes[1], 2 * w + options.size());
    QCOMPARE(s1.siblingAtColumn(StatisticsModel::MessagesColumn).data().toString(),
             QStringLiteral("10"));

    // The connection first, then the channels as they appeared.
    QCOMPARE(model.rowCount(s1), 4);
    QCOMPARE(model.index(0, 0, s1).data().toString(), QStringLiteral("connection"));
    const QModelIndex channelA = child(model, s1, QStringLiteral("channel %1").arg(shortKeyHex(a)));
    QVERIFY(channelA.isValid());
    QCOMPARE(channelA.row(), 1);
    QVERIFY(channelA.data(Qt::ToolTipRole).toString().contains(QString::fromStdString(toHex(a))));
    const QModelIndex wants = child(model, channelA, QStringLiteral("Want"));
    QCOMPARE(model.counts(wants).messages[0], 3u);
    QCOMPARE(model.counts(wants).messages[1], 2u);
    QCOMPARE(wants.siblingAtColumn(StatisticsModel::BytesOutColumn)
                 .data(StatisticsModel::SortRole)
                 .toULongLong(),
             2 * w);
    const QModelIndex connection = model.index(0, 0, s1);
    QCOMPARE(model.counts(child(model, connection, QStringLiteral("Keepalive"))).messages[0], 2u);
    QCOMPARE(model.counts(child(model, connection, QStringLiteral("Options"))).messages[1], 1u);
    QVERIFY(child(model, s1, QStringLiteral("channel id 7 (key unknown)")).isValid());

    const StatisticsModel::Summary &summary = model.summary();
    QCOMPARE(summary.sessions, 2);
    QCOMPARE(summary.rows, 13u);
    QCOMPARE(summary.counts.totalMessages(), 11u);
    QCOMPARE(summary.problems, 2u); // the warning and the malformed Options
}

void TestStatisticsModel::refreshFollowsTheLog()
{
    Log l;
    StatisticsModel model(&l.log);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    l.add(1, l.wantFrame, Direction::Inbound, &l.want, 1, 5, keyOf(1));
    l.log.flush();
    model.refresh();
    QCOMPARE(model.summary().counts.totalMessages(), 1u);
    QCOMPARE(model.refreshedRows(), 1);
    l.add(3, l.wantFrame, Direction::Outbound, &l.want, 1, 5, keyOf(1));
    l.log.flush();
    model.refresh();
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(model.index(1, 0).data(StatisticsModel::SessionRole).toInt(), 3);
    l.log.clear();
    model.refresh();
    QCOMPARE(model.rowCount(), 0);
    QCOMPARE(model.summary().counts.totalMessages(), 0u);
}

void TestStatisticsModel::aggregatesAMillionRowsInOnePass()
{
    Log l;
    l.log.setFlushInterval(1000000);
    constexpr int Rows = 1000000;
    for (int i = 0; i < Rows; ++i)
        l.add(1 + (i / 1000) % 4, l.wantFrame, i % 3 ? Direction::Inbound : Direction::Outbound,
              &l.want, 1, 5, keyOf(std::uint8_t(i % 8)));
    l.log.flush();
    StatisticsModel model(&l.log);
    QElapsedTimer timer;
    timer.start();
    model.refresh();
    const qint64 ms = timer.elapsed();
    qInfo("a million rows aggregated in %lld ms", ms);
    QVERIFY2(ms < 5000, qPrintable(QString::number(ms)));
    QCOMPARE(model.summary().counts.totalMessages(), quint64(Rows));
    QCOMPARE(model.rowCount(), 4);
    QCOMPARE(model.rowCount(model.index(0, 0)), 8);
}

QTEST_MAIN(TestStatisticsModel)
#include "tst_statisticsmodel.moc"
