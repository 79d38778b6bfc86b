// MessageLogFilterModel: the log's display filter. tst_messagelogmodel counts rows for a few
// combinations over frames; here, exactly which rows every filter keeps over a log with every
// kind of row (frames, keepalives, handshake messages, a failed one, events, warnings, a
// malformed frame), the problems that stay visible, notes that ignore the direction, the state
// the filter reports, and rows that arrive while a filter is set; filter expressions
// (core/filter) evaluated on every kind of row, alone and with the other filters.
#include "builders.h"
#include "framer.h"
#include "messagelogfilter.h"
#include "messagelogmodel.h"
#include "messages.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

using namespace hyperscope;
using namespace hyperscope::test;

namespace {

using Filter = MessageLogFilterModel;

/// The log every table row filters, one source row per line:
///  0 Want in, session 1, channel A       5 event "Connected to peer", session 1
///  1 Want out, session 1, channel B      6 warning "frame of unassigned type", session 2
///  2 keepalive in, session 1             7 malformed Want in, session 2, channel A
///  3 handshake 1/3 out, session 1        8 Have out, session 2, channel B
///  4 handshake 2/3 in, session 1, failed "bad key"
class SampleLog
{
public:
    SampleLog()
    {
        const Message w0 = wantOf(1), w1 = wantOf(2), h = haveOf(3);
        m_frames = {frameOf(1, w0), frameOf(2, w1), Bytes{0}, frameOf(1, 5, Bytes{0xff}),
                    frameOf(2, h)};
        m_handshake.assign(33, 0x42);
        appendFrame(1, m_frames[0], Direction::Inbound, &w0, keyOf(0xaa));
        appendFrame(1, m_frames[1], Direction::Outbound, &w1, keyOf(0xbb));
        appendFrame(1, m_frames[2], Direction::Inbound, nullptr, std::nullopt);
        HandshakeTrace first;
        first.index = 0;
        first.direction = Direction::Outbound;
        first.tokens = "e";
        first.wire = m_handshake;
        log.appendHandshake(1, first);
        HandshakeTrace second = first;
        second.index = 1;
        second.direction = Direction::Inbound;
        second.error = "bad key";
        log.appendHandshake(1, second);
        log.appendNote(1, MessageLogModel::Kind::Event, Direction::Inbound, 0,
                       QStringLiteral("Connected to peer"));
        log.appendNote(2, MessageLogModel::Kind::Warning, Direction::Inbound, 0,
                       QStringLiteral("frame of unassigned type"));
        appendFrame(2, m_frames[3], Direction::Inbound, nullptr, keyOf(0xaa));
        appendFrame(2, m_frames[4], Direction::Outbound, &h, keyOf(0xbb));
        log.flush();
    }

    void appendFrame(int session, const Bytes &frame, Direction direction, const Message *message,
                     std::optional<Key32> key)
    {
        FrameTrace t;
        t.direction = direction;
        t.plain = frame;
        t.wire = frame;
        t.keepAlive = frame.size() == 1;
        t.channel = key ? 1 : 0;
        t.type = message ? static_cast<std::uint8_t>(messageType(*message)) : 5;
        t.message = message;
        t.discoveryKey = key;
        log.appendFrame(session, t, MessageLogModel::WireStorage::SameAsPlain);
    }

    MessageLogModel log;

private:
    std::vector<Bytes> m_frames;
    Bytes m_handshake;
};

QList<int> visibleSourceRows(const Filter &filter)
{
    QList<int> rows;
    for (int row = 0; row < filter.rowCount(); ++row)
        rows << filter.mapToSource(filter.index(row, 0)).row();
    return rows;
}

} // namespace

class TestMessageLogFilter : public QObject
{
    Q_OBJECT
private slots:
    void keepsExactlyTheMatchingRows_data();
    void keepsExactlyTheMatchingRows();
    void reportsWhetherItFilters_data();
    void reportsWhetherItFilters();
    void unchangedSettingsDoNotRefilter();
    void keepAliveSwitchTogglesOneBit();
    void filtersRowsAsTheyArrive();
    void exposesItsLog();
    void aFilterMeansWhatItSays_data();
    void aFilterMeansWhatItSays();
    void expressionKeepsExactlyTheMatchingRows_data();
    void expressionKeepsExactlyTheMatchingRows();
    void expressionFiltersRowsAsTheyArrive();
};

void TestMessageLogFilter::keepsExactlyTheMatchingRows_data()
{
    QTest::addColumn<int>("session");
    QTest::addColumn<quint32>("typeMask");
    QTest::addColumn<bool>("inbound");
    QTest::addColumn<bool>("outbound");
    QTest::addColumn<QString>("text");
    QTest::addColumn<int>("channel"); // 0 none, else the fill byte of the key
    QTest::addColumn<bool>("problems");
    QTest::addColumn<QList<int>>("rows");

    const quint32 all = Filter::AllTypes;
    const quint32 noKeepAlive = all & ~quint32(Filter::KeepAliveBit);
    const quint32 wantBit = 1u << int(MessageType::Want);
    QTest::newRow("everything") << 0 << all << true << true << QString() << 0 << true
                                << QList<int>{0, 1, 2, 3, 4, 5, 6, 7, 8};
    QTest::newRow("no keepalives") << 0 << noKeepAlive << true << true << QString() << 0 << true
                                   << QList<int>{0, 1, 3, 4, 5, 6, 7, 8};
    // A failed handshake step, a warning and a malformed frame are problems: they stay.
    QTest::newRow("handshakes") << 0 << quint32(Filter::HandshakeBit) << true << true << QString()
                                << 0 << true << QList<int>{3, 4, 6, 7};
    QTest::newRow("handshakes, problems filtered too")
        << 0 << quint32(Filter::HandshakeBit) << true << true << QString() << 0 << false
        << QList<int>{3, 4};
    QTest::newRow("notes") << 0 << quint32(Filter::NoteBit) << true << true << QString() << 0
                           << true << QList<int>{4, 5, 6, 7};
    QTest::newRow("notes, problems filtered too") << 0 << quint32(Filter::NoteBit) << true << true
                                                  << QString() << 0 << false << QList<int>{5, 6};
    QTest::newRow("Want frames only")
        << 0 << wantBit << true << true << QString() << 0 << false << QList<int>{0, 1, 7};
    QTest::newRow("no types at all")
        << 0 << 0u << true << true << QString() << 0 << false << QList<int>{};
    // Notes belong to no direction: the direction filter leaves them.
    QTest::newRow("received") << 0 << all << true << false << QString() << 0 << false
                              << QList<int>{0, 2, 4, 5, 6, 7};
    QTest::newRow("sent") << 0 << all << false << true << QString() << 0 << false
                          << QList<int>{1, 3, 5, 6, 8};
    QTest::newRow("sent, problems stay")
        << 0 << all << false << true << QString() << 0 << true << QList<int>{1, 3, 4, 5, 6, 7, 8};
    QTest::newRow("no direction") << 0 << all << false << false << QString() << 0 << false
                                  << QList<int>{5, 6};
    QTest::newRow("session 2") << 2 << all << true << true << QString() << 0 << true
                               << QList<int>{6, 7, 8};
    // The session filter applies to problems too: they belong to one session.
    QTest::newRow("session 2, Have only, problems stay")
        << 2 << quint32(1u << int(MessageType::Have)) << true << true << QString() << 0 << true
        << QList<int>{6, 7, 8};
    QTest::newRow("session 2, Have only") << 2 << quint32(1u << int(MessageType::Have)) << true
                                          << true << QString() << 0 << false << QList<int>{8};
    QTest::newRow("channel A") << 0 << all << true << true << QString() << 0xaa << false
                               << QList<int>{0, 7};
    QTest::newRow("channel A, problems stay")
        << 0 << all << true << true << QString() << 0xaa << true << QList<int>{0, 4, 6, 7};
    QTest::newRow("text in a note")
        << 0 << all << true << true << QStringLiteral("CONNECTED") << 0 << false << QList<int>{5};
    QTest::newRow("text is trimmed, matches the type")
        << 0 << all << true << true << QStringLiteral("  keepalive ") << 0 << false
        << QList<int>{2};
    QTest::newRow("text of a failure")
        << 0 << all << true << true << QStringLiteral("bad key") << 0 << false << QList<int>{4};
    QTest::newRow("text matching nothing, problems stay")
        << 0 << all << true << true << QStringLiteral("no such text") << 0 << true
        << QList<int>{4, 6, 7};
    QTest::newRow("session 1, received, no keepalives")
        << 1 << noKeepAlive << true << false << QString() << 0 << false << QList<int>{0, 4, 5};
}

void TestMessageLogFilter::keepsExactlyTheMatchingRows()
{
    QFETCH(int, session);
    QFETCH(quint32, typeMask);
    QFETCH(bool, inbound);
    QFETCH(bool, outbound);
    QFETCH(QString, text);
    QFETCH(int, channel);
    QFETCH(bool, problems);
    QFETCH(QList<int>, rows);

    SampleLog sample;
    QCOMPARE(sample.log.rowCount(), 9);
    Filter filter;
    QAbstractItemModelTester tester(&filter,
                                    QAbstractItemModelTester::FailureReportingMode::QtTest);
    filter.setSourceModel(&sample.log);
    filter.setAlwaysShowProblems(problems);
    filter.setSessionFilter(session);
    filter.setTypeMask(typeMask);
    filter.setDirections(inbound, outbound);
    filter.setTextFilter(text);
    if (channel) {
        const quint32 index = sample.log.channelKeyIndex(keyOf(std::uint8_t(channel)));
        QVERIFY(index != 0);
        filter.setChannelFilter(index);
    }
    QCOMPARE(visibleSourceRows(filter), rows);
}

void TestMessageLogFilter::reportsWhetherItFilters_data()
{
    QTest::addColumn<int>("setting");
    QTest::addColumn<bool>("filtering");
    QTest::newRow("nothing set") << 0 << false;
    QTest::newRow("session") << 1 << true;
    QTest::newRow("channel") << 2 << true;
    QTest::newRow("type mask") << 3 << true;
    QTest::newRow("type mask beyond every type") << 4 << false;
    QTest::newRow("received only") << 5 << true;
    QTest::newRow("sent only") << 6 << true;
    QTest::newRow("text") << 7 << true;
    QTest::newRow("blank text") << 8 << false;
    QTest::newRow("problems not forced") << 9 << false;
    QTest::newRow("keepalives hidden") << 10 << true;
}

void TestMessageLogFilter::reportsWhetherItFilters()
{
    QFETCH(int, setting);
    QFETCH(bool, filtering);
    SampleLog sample;
    Filter filter;
    filter.setSourceModel(&sample.log);
    switch (setting) {
    case 1:
        filter.setSessionFilter(2);
        QCOMPARE(filter.sessionFilter(), 2);
        break;
    case 2:
        filter.setChannelFilter(1);
        QCOMPARE(filter.channelFilter(), 1u);
        break;
    case 3:
        filter.setTypeMask(Filter::NoteBit);
        QCOMPARE(filter.typeMask(), quint32(Filter::NoteBit));
        break;
    case 4:
        // Bits beyond the known types are dropped.
        filter.setTypeMask(0xffffffffu);
        QCOMPARE(filter.typeMask(), Filter::AllTypes);
        break;
    case 5:
        filter.setDirections(true, false);
        QVERIFY(filter.showsInbound() && !filter.showsOutbound());
        break;
    case 6:
        filter.setDirections(false, true);
        QVERIFY(!filter.showsInbound() && filter.showsOutbound());
        break;
    case 7:
        filter.setTextFilter(QStringLiteral(" want "));
        QCOMPARE(filter.textFilter(), QStringLiteral("want"));
        break;
    case 8:
        filter.setTextFilter(QStringLiteral("   "));
        QCOMPARE(filter.textFilter(), QString());
        break;
    case 9:
        filter.setAlwaysShowProblems(false);
        break;
    case 10:
        filter.setShowKeepAlives(false);
        break;
    }
    QCOMPARE(filter.isFiltering(), filtering);
}

void TestMessageLogFilter::unchangedSettingsDoNotRefilter()
{
    SampleLog sample;
    Filter filter;
    filter.setSourceModel(&sample.log);
    QSignalSpy layout(&filter, &QAbstractItemModel::layoutChanged);
    QSignalSpy reset(&filter, &QAbstractItemModel::modelReset);
    filter.setSessionFilter(0);
    filter.setChannelFilter(0);
    filter.setTypeMask(Filter::AllTypes);
    filter.setShowKeepAlives(true);
    filter.setDirections(true, true);
    filter.setTextFilter(QStringLiteral("  "));
    filter.setAlwaysShowProblems(false); // the default
    QCOMPARE(layout.count(), 0);
    QCOMPARE(reset.count(), 0);
    filter.setTextFilter(QStringLiteral("want"));
    QCOMPARE(layout.count(), 1);
    filter.setTextFilter(QStringLiteral(" want")); // the same once trimmed
    QCOMPARE(layout.count(), 1);
}

void TestMessageLogFilter::keepAliveSwitchTogglesOneBit()
{
    Filter filter;
    filter.setTypeMask(Filter::HandshakeBit | Filter::KeepAliveBit);
    QVERIFY(filter.showKeepAlives());
    filter.setShowKeepAlives(false);
    QVERIFY(!filter.showKeepAlives());
    QCOMPARE(filter.typeMask(), quint32(Filter::HandshakeBit)); // the other bits are kept
    filter.setShowKeepAlives(true);
    QCOMPARE(filter.typeMask(), quint32(Filter::HandshakeBit | Filter::KeepAliveBit));
}

void TestMessageLogFilter::filtersRowsAsTheyArrive()
{
    MessageLogModel log;
    Filter filter;
    QAbstractItemModelTester tester(&filter,
                                    QAbstractItemModelTester::FailureReportingMode::QtTest);
    filter.setSourceModel(&log);
    filter.setSessionFilter(2);
    filter.setTextFilter(QStringLiteral("keep"));
    QSignalSpy inserted(&filter, &QAbstractItemModel::rowsInserted);
    for (int session = 1; session <= 3; ++session) {
        log.appendNote(session, MessageLogModel::Kind::Event, Direction::Inbound, 0,
                       QStringLiteral("keep me"));
        log.appendNote(session, MessageLogModel::Kind::Event, Direction::Inbound, 0,
                       QStringLiteral("drop me"));
    }
    // The log publishes its rows on its own timer; only session 2's "keep me" comes through.
    QVERIFY(inserted.wait(2000));
    QCOMPARE(filter.rowCount(), 1);
    QCOMPARE(log.rowCount(), 6);
    const QModelIndex source = filter.mapToSource(filter.index(0, 0));
    QCOMPARE(source.data(MessageLogModel::SessionRole).toInt(), 2);
    QCOMPARE(log.noteText(log.record(source.row())), QStringLiteral("keep me"));
    // Clearing the filter brings every row back.
    filter.setSessionFilter(0);
    filter.setTextFilter({});
    QCOMPARE(filter.rowCount(), 6);
}

void TestMessageLogFilter::exposesItsLog()
{
    MessageLogModel log;
    Filter filter;
    QCOMPARE(filter.logModel(), nullptr);
    filter.setSourceModel(&log);
    QCOMPARE(filter.logModel(), &log);
    QCOMPARE(filter.sourceModel(), &log);
    // Without a log, nothing is filtered out and nothing is shown.
    filter.setSourceModel(nullptr);
    QCOMPARE(filter.logModel(), nullptr);
    QCOMPARE(filter.rowCount(), 0);
}

void TestMessageLogFilter::aFilterMeansWhatItSays_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("keepProblems");
    QTest::addColumn<QList<int>>("rows");
    // Typing text that matches nothing shows nothing: no warning or error slips through.
    QTest::newRow("zzzz") << QStringLiteral("zzzz") << false << QList<int>{};
    QTest::newRow("a word of one row") << QStringLiteral("connected") << false << QList<int>{5};
    // Only the explicit switch keeps the problems: the failed handshake step, the warning and the
    // malformed frame.
    QTest::newRow("zzzz, problems kept") << QStringLiteral("zzzz") << true << QList<int>{4, 6, 7};
}

void TestMessageLogFilter::aFilterMeansWhatItSays()
{
    QFETCH(QString, text);
    QFETCH(bool, keepProblems);
    QFETCH(QList<int>, rows);
    SampleLog sample;
    Filter filter;
    QAbstractItemModelTester tester(&filter,
                                    QAbstractItemModelTester::FailureReportingMode::QtTest);
    filter.setSourceModel(&sample.log);
    QVERIFY(!filter.alwaysShowProblems()); // off unless asked for
    filter.setAlwaysShowProblems(keepProblems);
    QCOMPARE(filter.alwaysShowProblems(), keepProblems);
    filter.setTextFilter(text);
    QCOMPARE(visibleSourceRows(filter), rows);
}

void TestMessageLogFilter::expressionKeepsExactlyTheMatchingRows_data()
{
    QTest::addColumn<QString>("expression");
    QTest::addColumn<int>("session"); // the session filter beside it (0: all)
    QTest::addColumn<QList<int>>("rows");

    // The rows of SampleLog (see there).
    QTest::newRow("type") << "type == Want" << 0 << QList<int>{0, 1, 7};
    QTest::newRow("set of types") << "type in {Want, Have}" << 0 << QList<int>{0, 1, 7, 8};
    QTest::newRow("message field") << "start == 2" << 0 << QList<int>{1};
    // The malformed Want has no fields to read.
    QTest::newRow("presence") << "start" << 0 << QList<int>{0, 1, 8};
    QTest::newRow("absent field negated")
        << "type == Want && !(start == 1)" << 0 << QList<int>{1, 7};
    // Session events have no direction; handshake messages and warnings do.
    QTest::newRow("out") << "dir == out" << 0 << QList<int>{1, 3, 8};
    QTest::newRow("in") << "dir == in" << 0 << QList<int>{0, 2, 4, 6, 7};
    QTest::newRow("session") << "session == 2" << 0 << QList<int>{6, 7, 8};
    QTest::newRow("keepalive") << "type == Keepalive" << 0 << QList<int>{2};
    QTest::newRow("warning") << "warning" << 0 << QList<int>{6};
    QTest::newRow("warning text") << "warning contains \"unassigned\"" << 0 << QList<int>{6};
    QTest::newRow("no error") << "error" << 0 << QList<int>{};
    QTest::newRow("discovery key prefix") << "dk == aa:aa" << 0 << QList<int>{0, 7};
    QTest::newRow("handshake size") << "size == 33" << 0 << QList<int>{3, 4};
    QTest::newRow("with the session filter") << "type == Want" << 1 << QList<int>{0, 1};
    QTest::newRow("empty") << "" << 0 << QList<int>{0, 1, 2, 3, 4, 5, 6, 7, 8};
}

void TestMessageLogFilter::expressionKeepsExactlyTheMatchingRows()
{
    QFETCH(QString, expression);
    QFETCH(int, session);
    QFETCH(QList<int>, rows);

    SampleLog sample;
    Filter filter;
    QAbstractItemModelTester tester(&filter,
                                    QAbstractItemModelTester::FailureReportingMode::QtTest);
    filter.setSourceModel(&sample.log);
    filter.setSessionFilter(session);
    filter::FilterError error;
    const std::optional<filter::Filter> compiled =
        filter::Filter::compile(expression.toStdString(), error);
    QVERIFY2(compiled, error.toString().c_str());
    filter.setExpression(*compiled);
    QCOMPARE(visibleSourceRows(filter), rows);
    QCOMPARE(filter.isFiltering(), !expression.isEmpty() || session != 0);
    // rowMatches() (what the colouring rules use) says the same, row by row.
    if (session == 0) {
        for (int row = 0; row < sample.log.rowCount(); ++row)
            QCOMPARE(Filter::rowMatches(*compiled, sample.log, row), rows.contains(row));
    }
}

void TestMessageLogFilter::expressionFiltersRowsAsTheyArrive()
{
    SampleLog sample;
    Filter filter;
    QAbstractItemModelTester tester(&filter,
                                    QAbstractItemModelTester::FailureReportingMode::QtTest);
    filter.setSourceModel(&sample.log);
    filter::FilterError error;
    filter.setExpression(*filter::Filter::compile("type == Have && start > 3", error));
    QCOMPARE(filter.rowCount(), 0);
    const Message late = haveOf(9), early = haveOf(2);
    const Bytes lateFrame = frameOf(2, late), earlyFrame = frameOf(2, early);
    sample.appendFrame(2, earlyFrame, Direction::Inbound, &early, keyOf(0xbb));
    sample.appendFrame(2, lateFrame, Direction::Inbound, &late, keyOf(0xbb));
    sample.log.flush();
    QCOMPARE(visibleSourceRows(filter), QList<int>{10});
    // The same expression again does not refilter.
    QSignalSpy layouts(&filter, &QAbstractItemModel::layoutChanged);
    filter.setExpression(*filter::Filter::compile("type == Have && start > 3", error));
    QCOMPARE(layouts.count(), 0);
}

QTEST_MAIN(TestMessageLogFilter)
#include "tst_messagelogfilter.moc"
