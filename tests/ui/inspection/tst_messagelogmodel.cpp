// MessageLogModel and MessageLogFilterModel: batching, lazy text, wire bytes, filtering, the
// log's sessions (int ids), and a million rows.
#include "builders.h"
#include "capturefile.h"
#include "crypto.h"
#include "framer.h"
#include "messagelogfilter.h"
#include "messagelogmodel.h"
#include "messages.h"

#include <QAbstractItemModelTester>
#include <QBuffer>
#include <QDateTime>
#include <QElapsedTimer>
#include <QSignalSpy>
#include <QTest>

using namespace hyperscope;
using namespace hyperscope::test;

namespace {

Message want(std::uint64_t start, std::optional<std::uint64_t> length = std::nullopt)
{
    Message m(std::in_place_type<schema::Want>);
    std::get<schema::Want>(m).set_start(start);
    if (length)
        std::get<schema::Want>(m).set_length(*length);
    return m;
}

} // namespace

class TestMessageLogModel : public QObject
{
    Q_OBJECT
private slots:
    void passesModelTester();
    void appendsInOneBatchPerFlush();
    void typeAndSummaryText_data();
    void typeAndSummaryText();
    void malformedFramesStandOut();
    void recomputesWireBytesFromKeys();
    void storesWireBytesWhenAsked();
    void filtersWithoutRowRemovals();
    void filterCombinations_data();
    void filterCombinations();
    void knowsItsSessions();
    void clearDropsTheSessions();
    void sessionIdsAreInts();
    void holdsAMillionMessages();
    void relayedRowsCarryTheirLeg();
    void timeTextPerFormat_data();
    void timeTextPerFormat();
    void liveTimesCountFromTheSessionsStart();
    void timeFormatChangeRepaintsTheTimeColumn();
};

namespace {

/// Five event rows with chosen times, as a capture's rows come in (times on another log's
/// clock, no wall clock): session 7 at 5 s, 5.25 s; session 8 at 1 s, 3 s; session 7 at 6 s.
void appendTimedRows(MessageLogModel &model)
{
    const std::pair<int, qint64> rows[] = {
        {7, 5'000'000}, {7, 5'250'000}, {8, 1'000'000}, {8, 3'000'000}, {7, 6'000'000}};
    for (const auto &[session, timeUs] : rows) {
        MessageLogModel::Record record;
        record.kind = MessageLogModel::Kind::Event;
        record.session = session;
        record.timeUs = timeUs;
        model.appendRecord(record, {}, {}, QStringLiteral("event"), std::nullopt);
    }
    model.flush();
}

/// A fixed wall clock for captures: 2026-11-30 10:00:00 UTC.
constexpr qint64 WallClockMs = 1'796'032'800'000;

QString localTime(qint64 msecsSinceEpoch)
{
    return QDateTime::fromMSecsSinceEpoch(msecsSinceEpoch).toString(QStringLiteral("hh:mm:ss.zzz"));
}

} // namespace

void TestMessageLogModel::passesModelTester()
{
    MessageLogModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    MessageLogFilterModel filter;
    filter.setSourceModel(&model);
    QAbstractItemModelTester filterTester(&filter,
                                          QAbstractItemModelTester::FailureReportingMode::QtTest);
    const Message m = want(3, 4);
    const Bytes frame = frameOf(1, m);
    for (int i = 0; i < 50; ++i)
        model.appendFrame(1, traceOf(frame, i % 2 ? Direction::Inbound : Direction::Outbound, &m),
                          MessageLogModel::WireStorage::SameAsPlain);
    model.appendNote(1, MessageLogModel::Kind::Warning, Direction::Inbound, 7,
                     QStringLiteral("odd"));
    model.flush();
    filter.setTypeMask(MessageLogFilterModel::NoteBit);
    filter.setTextFilter(QStringLiteral("start=3"));
    filter.setTypeMask(MessageLogFilterModel::AllTypes);
    filter.setDirections(true, false);
    model.clear();
    QCOMPARE(model.rowCount(), 0);
}

void TestMessageLogModel::appendsInOneBatchPerFlush()
{
    MessageLogModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    const Message m = want(1);
    const Bytes frame = frameOf(2, m);
    for (int i = 0; i < 1000; ++i)
        model.appendFrame(1, traceOf(frame, Direction::Outbound, &m),
                          MessageLogModel::WireStorage::SameAsPlain);
    QCOMPARE(model.rowCount(), 0); // nothing visible until the batch is flushed
    QCOMPARE(model.pendingCount(), 1000);
    QTRY_COMPARE(model.rowCount(), 1000); // the timer flushes
    QCOMPARE(inserted.count(), 1);
    QCOMPARE(inserted.at(0).at(1).toInt(), 0);
    QCOMPARE(inserted.at(0).at(2).toInt(), 999);
}

void TestMessageLogModel::typeAndSummaryText_data()
{
    QTest::addColumn<QByteArray>("frame");
    QTest::addColumn<QString>("type");
    QTest::addColumn<QString>("summary");

    auto add = [](const char *name, const Bytes &frame, const char *type, const char *summary) {
        QTest::newRow(name) << QByteArray(reinterpret_cast<const char *>(frame.data()),
                                          qsizetype(frame.size()))
                            << QString::fromUtf8(type) << QString::fromUtf8(summary);
    };
    add("want", frameOf(1, want(0)), "Want", "start=0 length=∞ → blocks 0–∞");
    add("want with length", frameOf(1, want(5, 3)), "Want", "start=5 length=3 → blocks 5–7");
    Message close(std::in_place_type<schema::Close>);
    add("close", frameOf(1, close), "Close", "");
    Bytes ext;
    appendExtension(ext, 2, asView(std::string_view("hello")));
    Bytes extFrame;
    appendFrame(extFrame, 0, MessageType::Extension, ext);
    add("extension", extFrame, "Extension", "id=2 \"chat\" 5 B \"hello\"");
    Bytes unassigned;
    appendFrame(unassigned, 1, std::uint8_t(12), asView(std::string_view("xy")));
    add("unassigned", unassigned, "Unknown(12)",
        "unassigned frame type 12, 2 payload bytes (ignored, as the reference does)");
    add("keepalive", Bytes{0}, "Keepalive", "keepalive (empty frame)");
}

void TestMessageLogModel::typeAndSummaryText()
{
    QFETCH(QByteArray, frame);
    QFETCH(QString, type);
    QFETCH(QString, summary);
    MessageLogModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    const Bytes bytes(frame.begin(), frame.end());
    FrameTrace t = traceOf(bytes, Direction::Inbound, nullptr);
    // The engine's trace carries the decoded message for types 0..10.
    std::optional<Message> decoded;
    if (!t.keepAlive) {
        t.type = std::uint8_t(bytes[1] & 15);
        t.channel = bytes[1] >> 4;
        std::string error;
        if (t.type <= 10)
            decoded = decodeMessage(t.type, ByteView(bytes).subspan(2), error);
        if (decoded)
            t.message = &*decoded;
        if (t.type == 15)
            t.extension = decodeExtension(ByteView(bytes).subspan(2), error);
    }
    model.appendFrame(1, t, MessageLogModel::WireStorage::SameAsPlain, QStringLiteral("chat"));
    model.flush();
    QCOMPARE(model.index(0, MessageLogModel::TypeColumn).data().toString(), type);
    QCOMPARE(model.index(0, MessageLogModel::SummaryColumn).data().toString(), summary);
    QCOMPARE(model.index(0, MessageLogModel::SizeColumn).data().toInt(), frame.size());
    QCOMPARE(model.index(0, 0).data(MessageLogModel::PlainBytesRole).toByteArray(), frame);
}

void TestMessageLogModel::malformedFramesStandOut()
{
    MessageLogModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    Bytes frame;
    appendFrame(frame, 1, MessageType::Want, Bytes{}); // Want without its required start
    model.appendFrame(1, traceOf(frame, Direction::Inbound, nullptr),
                      MessageLogModel::WireStorage::SameAsPlain);
    model.appendNote(1, MessageLogModel::Kind::Error, Direction::Inbound, 0,
                     QStringLiteral("invalid-message: Want: missing required field 'start'"));
    model.flush();
    for (int row = 0; row < 2; ++row) {
        const QModelIndex index = model.index(row, MessageLogModel::TypeColumn);
        QCOMPARE(index.data(MessageLogModel::SeverityRole).toInt(),
                 int(MessageLogModel::Severity::Error));
        QVERIFY(!index.data(Qt::DecorationRole).value<QIcon>().isNull()); // an icon
        QVERIFY(index.data(Qt::BackgroundRole).isValid());                // a colour
    }
    QVERIFY(model.index(0, MessageLogModel::SummaryColumn)
                .data()
                .toString()
                .contains(QStringLiteral("missing required field 'start'")));
}

void TestMessageLogModel::recomputesWireBytesFromKeys()
{
    crypto::SplitKeys split;
    split.tx.fill(7);
    split.rx.fill(9);
    Nonce24 local;
    local.fill(1);
    Nonce24 remote;
    remote.fill(2);

    const Message m = want(42);
    const Bytes plain = frameOf(1, m);
    Bytes wire = plain;
    const std::uint64_t offset = 1000;
    crypto::XSalsa20Stream(split.rx, remote).applyAt(offset, wire);

    MessageLogModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setTransportKeys(3, split, local, remote);
    FrameTrace t = traceOf(plain, Direction::Inbound, &m);
    t.wire = wire;
    t.streamOffset = offset;
    model.appendFrame(3, t, MessageLogModel::WireStorage::Recompute);
    model.flush();
    const QByteArray expected(reinterpret_cast<const char *>(wire.data()), qsizetype(wire.size()));
    QCOMPARE(model.wireBytes(0), expected);
    QVERIFY(model.wireBytes(0) != model.plainBytes(0));
    QCOMPARE(model.index(0, 0).data(MessageLogModel::StreamOffsetRole).toULongLong(), offset);
}

void TestMessageLogModel::storesWireBytesWhenAsked()
{
    const Message m = want(1);
    const Bytes plain = frameOf(1, m);
    Bytes wire = plain;
    for (auto &b : wire)
        b ^= 0x5a;
    MessageLogModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    FrameTrace t = traceOf(plain, Direction::Outbound, &m);
    t.wire = wire;
    model.appendFrame(1, t, MessageLogModel::WireStorage::Store);
    model.flush();
    QCOMPARE(model.wireBytes(0),
             QByteArray(reinterpret_cast<const char *>(wire.data()), qsizetype(wire.size())));
}

void TestMessageLogModel::filtersWithoutRowRemovals()
{
    MessageLogModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    MessageLogFilterModel filter;
    filter.setSourceModel(&model);
    QAbstractItemModelTester filterTester(&filter,
                                          QAbstractItemModelTester::FailureReportingMode::QtTest);
    const Message m = want(1);
    const Bytes frame = frameOf(1, m);
    const Bytes keepAlive{0};
    // Keepalives interleaved with frames: hiding them must not cost one removal per row.
    for (int i = 0; i < 2000; ++i) {
        model.appendFrame(1, traceOf(frame, Direction::Inbound, &m),
                          MessageLogModel::WireStorage::SameAsPlain);
        model.appendFrame(1, traceOf(keepAlive, Direction::Inbound, nullptr),
                          MessageLogModel::WireStorage::SameAsPlain);
    }
    model.flush();
    QCOMPARE(filter.rowCount(), 4000);
    QSignalSpy removed(&filter, &QAbstractItemModel::rowsRemoved);
    QSignalSpy layout(&filter, &QAbstractItemModel::layoutChanged);
    filter.setShowKeepAlives(false);
    QCOMPARE(filter.rowCount(), 2000);
    QCOMPARE(removed.count(), 0);
    QCOMPARE(layout.count(), 1);
}

void TestMessageLogModel::filterCombinations_data()
{
    QTest::addColumn<int>("session");
    QTest::addColumn<quint32>("typeMask");
    QTest::addColumn<bool>("inbound");
    QTest::addColumn<bool>("outbound");
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("channelA");
    QTest::addColumn<int>("expected");

    // 8 frames: sessions 1,2 × directions in,out × channels A,B; plus one warning (session 1).
    QTest::newRow("everything") << 0 << MessageLogFilterModel::AllTypes << true << true << QString()
                                << false << 9;
    QTest::newRow("session 1") << 1 << MessageLogFilterModel::AllTypes << true << true << QString()
                               << false << 5;
    QTest::newRow("received only")
        << 0 << MessageLogFilterModel::AllTypes << true << false << QString() << false << 5;
    // A filter means what it says: the warning is on no channel and does not say "start=7".
    QTest::newRow("channel A") << 0 << MessageLogFilterModel::AllTypes << true << true << QString()
                               << true << 4;
    QTest::newRow("text start=7") << 0 << MessageLogFilterModel::AllTypes << true << true
                                  << QStringLiteral("START=7") << false << 4;
    QTest::newRow("no Want: the warning")
        << 0 << quint32(MessageLogFilterModel::AllTypes & ~(1u << 5)) << true << true << QString()
        << false << 1;
}

void TestMessageLogModel::filterCombinations()
{
    QFETCH(int, session);
    QFETCH(quint32, typeMask);
    QFETCH(bool, inbound);
    QFETCH(bool, outbound);
    QFETCH(QString, text);
    QFETCH(bool, channelA);
    QFETCH(int, expected);

    MessageLogModel model;
    MessageLogFilterModel filter;
    filter.setSourceModel(&model);
    QAbstractItemModelTester tester(&filter,
                                    QAbstractItemModelTester::FailureReportingMode::QtTest);
    const Message seven = want(7);
    const Message eight = want(8);
    const Bytes frame7 = frameOf(1, seven);
    const Bytes frame8 = frameOf(2, eight);
    for (int s = 1; s <= 2; ++s) {
        for (Direction d : {Direction::Inbound, Direction::Outbound}) {
            model.appendFrame(s, traceOf(frame7, d, &seven, 1, 5, keyOf(0xaa)),
                              MessageLogModel::WireStorage::SameAsPlain);
            model.appendFrame(s, traceOf(frame8, d, &eight, 2, 5, keyOf(0xbb)),
                              MessageLogModel::WireStorage::SameAsPlain);
        }
    }
    model.appendNote(1, MessageLogModel::Kind::Warning, Direction::Inbound, 0,
                     QStringLiteral("frame of unassigned type"));
    model.flush();
    filter.setSessionFilter(session);
    filter.setTypeMask(typeMask);
    filter.setDirections(inbound, outbound);
    filter.setTextFilter(text);
    if (channelA)
        filter.setChannelFilter(model.channelKeyIndex(keyOf(0xaa)));
    QCOMPARE(filter.rowCount(), expected);
}

namespace {

/// The session ids of the signal arguments in @p spy.
QList<int> sessionsOf(const QSignalSpy &spy)
{
    QList<int> ids;
    for (const QList<QVariant> &arguments : spy)
        ids.append(arguments.at(0).toInt());
    return ids;
}

void appendWant(MessageLogModel &model, int session, std::uint64_t start = 1)
{
    const Message m = want(start);
    const Bytes frame = frameOf(1, m);
    model.appendFrame(session, traceOf(frame, Direction::Inbound, &m),
                      MessageLogModel::WireStorage::SameAsPlain);
}

} // namespace

void TestMessageLogModel::relayedRowsCarryTheirLeg()
{
    using Leg = MessageLogModel::Leg;
    // The leg took the record's last spare byte: a million rows still cost 48 MB.
    QCOMPARE(sizeof(MessageLogModel::Record), std::size_t(48));

    MessageLogModel model;
    model.setFlushInterval(100000); // the test flushes
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    MessageLogFilterModel filter;
    filter.setSourceModel(&model);
    QAbstractItemModelTester filterTester(&filter,
                                          QAbstractItemModelTester::FailureReportingMode::QtTest);

    // Each leg has its own transport keys: the wire bytes of each row come from its leg's.
    crypto::SplitKeys clientKeys;
    clientKeys.tx.fill(1);
    clientKeys.rx.fill(2);
    crypto::SplitKeys serverKeys;
    serverKeys.tx.fill(3);
    serverKeys.rx.fill(4);
    Nonce24 nonce;
    nonce.fill(5);
    model.setTransportKeys(7, clientKeys, nonce, nonce, Leg::Client);
    model.setTransportKeys(7, serverKeys, nonce, nonce, Leg::Server);

    const Message m = want(3, 2);
    const Bytes plain = frameOf(1, m);
    Bytes clientWire = plain;
    crypto::XSalsa20Stream(clientKeys.rx, nonce).applyAt(10, clientWire);
    Bytes serverWire = plain;
    crypto::XSalsa20Stream(serverKeys.tx, nonce).applyAt(20, serverWire);
    FrameTrace in = traceOf(plain, Direction::Inbound, &m);
    in.wire = clientWire;
    in.streamOffset = 10;
    FrameTrace out = traceOf(plain, Direction::Outbound, &m);
    out.wire = serverWire;
    out.streamOffset = 20;

    appendWant(model, 1); // an ordinary session's row
    model.flush();
    QVERIFY(!model.hasLegs());
    model.appendFrame(7, in, MessageLogModel::WireStorage::Recompute, {}, Leg::Client);
    model.appendFrame(7, out, MessageLogModel::WireStorage::Recompute, {}, Leg::Server);
    model.appendNote(7, MessageLogModel::Kind::Warning, Direction::Inbound, 0,
                     QStringLiteral("held"), Leg::Server);
    model.appendNote(7, MessageLogModel::Kind::Event, Direction::Inbound, 0,
                     QStringLiteral("connected"), Leg::Client);
    model.flush();
    QVERIFY(model.hasLegs());
    QCOMPARE(model.rowCount(), 5);

    const auto text = [&model](int row, int column) {
        return model.index(row, column).data().toString();
    };
    QCOMPARE(text(0, MessageLogModel::LegColumn), QString());
    QCOMPARE(text(0, MessageLogModel::DirectionColumn), QStringLiteral("in"));
    QCOMPARE(text(1, MessageLogModel::LegColumn), QStringLiteral("client"));
    QCOMPARE(text(1, MessageLogModel::DirectionColumn), QStringLiteral("client → relay"));
    QCOMPARE(text(2, MessageLogModel::LegColumn), QStringLiteral("server"));
    QCOMPARE(text(2, MessageLogModel::DirectionColumn), QStringLiteral("relay → server"));
    QCOMPARE(text(3, MessageLogModel::DirectionColumn), QStringLiteral("server → relay"));
    QCOMPARE(text(4, MessageLogModel::DirectionColumn), QString()); // events have no direction
    QCOMPARE(model.index(2, 0).data(MessageLogModel::LegRole).toInt(), int(Leg::Server));
    QCOMPARE(model.headerData(MessageLogModel::LegColumn, Qt::Horizontal).toString(),
             QStringLiteral("Leg"));
    QVERIFY(model.index(1, MessageLogModel::DirectionColumn)
                .data(Qt::ToolTipRole)
                .toString()
                .contains(QStringLiteral("from the client")));

    const auto bytesOf = [](const Bytes &bytes) {
        return QByteArray(reinterpret_cast<const char *>(bytes.data()), qsizetype(bytes.size()));
    };
    QCOMPARE(model.wireBytes(1), bytesOf(clientWire));
    QCOMPARE(model.wireBytes(2), bytesOf(serverWire));

    model.clear();
    QVERIFY(!model.hasLegs());
}

void TestMessageLogModel::knowsItsSessions()
{
    MessageLogModel model;
    model.setFlushInterval(100000); // the test flushes
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy added(&model, &MessageLogModel::sessionAdded);
    QSignalSpy renamed(&model, &MessageLogModel::sessionLabelChanged);
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    QCOMPARE(model.sessions(), QList<int>());
    QCOMPARE(model.sessionCount(), 0);

    // A label alone makes a session (a live one, before its first row).
    model.setSessionLabel(3, QStringLiteral("#3 10.0.0.3:4000"));
    QCOMPARE(model.sessions(), QList<int>{3});
    QVERIFY(model.hasSession(3));
    QCOMPARE(sessionsOf(added), QList<int>{3});
    QCOMPARE(renamed.count(), 0);
    QCOMPARE(model.rowCount(), 0);
    // The same label again changes nothing.
    model.setSessionLabel(3, QStringLiteral("#3 10.0.0.3:4000"));
    QCOMPARE(added.count(), 1);
    QCOMPARE(renamed.count(), 0);

    // A row makes a session too, once it is flushed; the session is known when the rows arrive.
    QList<int> sessionsAtInsert;
    connect(&model, &QAbstractItemModel::rowsInserted, &model,
            [&] { sessionsAtInsert = model.sessions(); });
    appendWant(model, 5);
    appendWant(model, 5);
    appendWant(model, 3);
    QCOMPARE(model.sessions(), QList<int>{3}); // pending rows do not count yet
    QCOMPARE(added.count(), 1);
    model.flush();
    QCOMPARE(model.sessions(), (QList<int>{3, 5}));
    QCOMPARE(sessionsAtInsert, (QList<int>{3, 5}));
    QCOMPARE(sessionsOf(added), (QList<int>{3, 5}));
    QCOMPARE(model.sessionCount(), 2);
    QCOMPARE(model.sessionLabel(5), QStringLiteral("#5"));
    QCOMPARE(model.index(0, MessageLogModel::SessionColumn).data().toString(),
             QStringLiteral("#5"));
    QCOMPARE(model.index(2, MessageLogModel::SessionColumn).data().toString(),
             QStringLiteral("#3 10.0.0.3:4000"));
    // More rows of known sessions add nothing.
    appendWant(model, 3);
    appendWant(model, 5);
    model.flush();
    QCOMPARE(added.count(), 2);

    // Naming a known session announces the new label and repaints the Session column.
    changed.clear();
    model.setSessionLabel(5, QStringLiteral("#5 10.0.0.5:4000"));
    QCOMPARE(sessionsOf(renamed), QList<int>{5});
    QCOMPARE(added.count(), 2);
    QCOMPARE(changed.count(), 1);
    QCOMPARE(changed.at(0).at(0).value<QModelIndex>().column(),
             int(MessageLogModel::SessionColumn));
    QCOMPARE(model.index(0, MessageLogModel::SessionColumn).data().toString(),
             QStringLiteral("#5 10.0.0.5:4000"));
    QCOMPARE(model.sessions(), (QList<int>{3, 5}));
}

void TestMessageLogModel::clearDropsTheSessions()
{
    MessageLogModel model;
    model.setFlushInterval(100000);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    MessageLogFilterModel filter;
    filter.setSourceModel(&model);
    QAbstractItemModelTester filterTester(&filter,
                                          QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy added(&model, &MessageLogModel::sessionAdded);
    QSignalSpy cleared(&model, &MessageLogModel::sessionsCleared);
    QSignalSpy reset(&model, &QAbstractItemModel::modelReset);

    // Clearing a log that holds no session announces no sessions going.
    model.clear();
    QCOMPARE(cleared.count(), 0);

    model.setSessionLabel(1, QStringLiteral("#1 live"));
    appendWant(model, 1);
    appendWant(model, 2);
    model.flush();
    model.setSessionLabel(4, QStringLiteral("#4 no rows yet"));
    QCOMPARE(model.sessions(), (QList<int>{1, 2, 4}));

    // The reset comes first, then the sessions go, all at once.
    connect(&model, &MessageLogModel::sessionsCleared, &model, [&] { QCOMPARE(reset.count(), 2); });
    model.clear();
    QCOMPARE(cleared.count(), 1);
    QCOMPARE(model.sessions(), QList<int>());
    QCOMPARE(model.sessionCount(), 0);
    QVERIFY(!model.hasSession(1));
    QVERIFY(!model.hasSession(4));
    // Pending rows go with the rows: they bring no session back.
    appendWant(model, 7);
    model.clear();
    model.flush();
    QCOMPARE(model.sessions(), QList<int>());
    QCOMPARE(cleared.count(), 1);

    // A session that logs again comes back, under the label it had.
    added.clear();
    appendWant(model, 1);
    model.flush();
    QCOMPARE(model.sessions(), QList<int>{1});
    QCOMPARE(sessionsOf(added), QList<int>{1});
    QCOMPARE(model.index(0, MessageLogModel::SessionColumn).data().toString(),
             QStringLiteral("#1 live"));
    // ... and so does one that is named again.
    model.setSessionLabel(4, QStringLiteral("#4 no rows yet"));
    QCOMPARE(model.sessions(), (QList<int>{1, 4}));
    QCOMPARE(sessionsOf(added), (QList<int>{1, 4}));
}

void TestMessageLogModel::sessionIdsAreInts()
{
    // A listener that has numbered more than 65,535 sessions: the ids must stay apart from
    // the small ids they would fold into in 16 bits.
    constexpr int Small = 7;
    constexpr int Large = 65536 + Small;
    static_assert(Large % 65536 == Small);
    QVERIFY(sizeof(MessageLogModel::Record) <= 48); // wider ids, no bigger rows

    MessageLogModel model;
    model.setFlushInterval(100000);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    MessageLogFilterModel filter;
    filter.setSourceModel(&model);
    QAbstractItemModelTester filterTester(&filter,
                                          QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setSessionLabel(Small, QStringLiteral("#7 small"));
    model.setSessionLabel(Large, QStringLiteral("#65543 large"));
    appendWant(model, Small, 1);
    appendWant(model, Large, 2);
    appendWant(model, Large, 3);
    model.appendNote(Large, MessageLogModel::Kind::Event, Direction::Inbound, 0,
                     QStringLiteral("ended"));
    model.flush();

    QCOMPARE(model.sessions(), (QList<int>{Small, Large}));
    QCOMPARE(model.record(0).session, Small);
    QCOMPARE(model.record(1).session, Large);
    QCOMPARE(model.record(3).session, Large);
    QCOMPARE(model.index(1, 0).data(MessageLogModel::SessionRole).toInt(), Large);
    QCOMPARE(model.index(0, MessageLogModel::SessionColumn).data().toString(),
             QStringLiteral("#7 small"));
    QCOMPARE(model.index(1, MessageLogModel::SessionColumn).data().toString(),
             QStringLiteral("#65543 large"));

    filter.setSessionFilter(Small);
    QCOMPARE(filter.rowCount(), 1);
    filter.setSessionFilter(Large);
    QCOMPARE(filter.rowCount(), 3);
    filter.setSessionFilter(0);

    // Transport keys are looked up by the whole id too: the small session has none.
    crypto::SplitKeys split;
    split.tx.fill(1);
    split.rx.fill(2);
    model.setTransportKeys(Large, split, Nonce24{}, Nonce24{});
    const Message m = want(9);
    const Bytes plain = frameOf(1, m);
    model.appendFrame(Small, traceOf(plain, Direction::Outbound, &m),
                      MessageLogModel::WireStorage::Recompute);
    model.flush();
    QVERIFY(model.wireBytes(model.rowCount() - 1).isEmpty());

    // A capture keeps the ids (and reads them back) whole.
    QBuffer buffer;
    QVERIFY(buffer.open(QIODevice::ReadWrite));
    QString error;
    QVERIFY2(capture::write(buffer, model, {0, 1, 2, 3}, &error), qPrintable(error));
    buffer.seek(0);
    const std::optional<capture::Capture> file = capture::read(buffer, &error);
    QVERIFY2(file, qPrintable(error));
    QCOMPARE(file->rows.size(), std::size_t(4));
    QCOMPARE(file->rows[0].record.session, Small);
    QCOMPARE(file->rows[1].record.session, Large);
    QCOMPARE(file->sessionLabels.value(Large), QStringLiteral("#65543 large"));
    QCOMPARE(file->sessionLabels.value(Small), QStringLiteral("#7 small"));

    // Read back into a log, each file session gets an id of its own and its label, through the
    // same calls a live session uses.
    MessageLogModel loaded;
    QAbstractItemModelTester loadedTester(&loaded,
                                          QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy added(&loaded, &MessageLogModel::sessionAdded);
    QList<int> fileIds;
    capture::addTo(
        loaded, *file,
        [&fileIds](int fileId) {
            fileIds.append(fileId);
            return 100000 + int(fileIds.size());
        },
        QStringLiteral("c.jsonl"));
    QCOMPARE(fileIds, (QList<int>{Small, Large}));
    QCOMPARE(loaded.sessions(), (QList<int>{100001, 100002}));
    QCOMPARE(sessionsOf(added), (QList<int>{100001, 100002}));
    QCOMPARE(loaded.sessionLabel(100002), QStringLiteral("#65543 large · c.jsonl"));
    QCOMPARE(loaded.record(1).session, 100002);
}

void TestMessageLogModel::holdsAMillionMessages()
{
    // No QAbstractItemModelTester here: it walks every row on each reset, which would measure
    // the tester instead of the log (the other functions run it).
    constexpr int Count = 1000000;
    MessageLogModel model;
    MessageLogFilterModel filter;
    filter.setSourceModel(&model);
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);

    Message data(std::in_place_type<schema::Data>);
    std::get<schema::Data>(data).set_index(12345);
    std::get<schema::Data>(data).set_value(std::string(64, 'v'));
    const Bytes frame = frameOf(3, data);
    const Message w = want(9);
    const Bytes small = frameOf(3, w);
    const Key32 dk = keyOf(0x11);

    QElapsedTimer timer;
    timer.start();
    for (int i = 0; i < Count; ++i) {
        const bool big = i % 4 == 0;
        model.appendFrame(1 + i % 3,
                          traceOf(big ? frame : small,
                                  i % 2 ? Direction::Inbound : Direction::Outbound,
                                  big ? &data : &w, 3, big ? 9 : 5, dk),
                          MessageLogModel::WireStorage::SameAsPlain);
        if (i % 100000 == 99999)
            model.flush(); // batches, as the timer would make them
    }
    model.flush();
    const qint64 appendMs = timer.elapsed();
    QCOMPARE(model.rowCount(), Count);
    QCOMPARE(inserted.count(), 10);
    QCOMPARE(filter.rowCount(), Count);

    // Rows are compact: the records plus the frame bytes, nothing per row on the heap.
    const std::size_t frameBytes =
        std::size_t(Count / 4) * frame.size() + std::size_t(Count - Count / 4) * small.size();
    QCOMPARE(model.storedBytes(), frameBytes);
    QVERIFY(sizeof(MessageLogModel::Record) <= 48);

    // Text is built lazily, for the rows asked about.
    QCOMPARE(model.index(Count - 4, MessageLogModel::TypeColumn).data().toString(),
             QStringLiteral("Data"));
    QVERIFY(model.index(Count - 4, MessageLogModel::SummaryColumn)
                .data()
                .toString()
                .startsWith(QStringLiteral("index=12345")));

    // Filtering a million rows by session and type is one pass.
    timer.restart();
    filter.setSessionFilter(2);
    filter.setTypeMask(1u << 9);
    QVERIFY(filter.rowCount() > 0);
    const qint64 filterMs = timer.elapsed();
    qInfo("1M rows: append+flush %lld ms, filter %lld ms, %zu bytes of frames, record %zu bytes",
          appendMs, filterMs, model.storedBytes(), sizeof(MessageLogModel::Record));
    QVERIFY2(appendMs < 20000, "appending a million frames must stay fast");
    QVERIFY2(filterMs < 20000, "filtering a million rows must stay fast");
}

void TestMessageLogModel::timeTextPerFormat_data()
{
    using F = MessageLogModel::TimeFormat;
    QTest::addColumn<int>("format");
    QTest::addColumn<bool>("wallClock"); // the captures' sessions told when their clock started
    QTest::addColumn<QStringList>("texts");
    const QString none = QStringLiteral("–");
    // Each session counts from its own first row, whatever clock its rows came on.
    QTest::newRow("since session start")
        << int(F::SinceSessionStart) << false
        << QStringList{"0.000000", "0.250000", "0.000000", "2.000000", "1.000000"};
    // Rows of two captures without a wall clock share no clock: no difference is made up.
    QTest::newRow("since previous, no common clock")
        << int(F::SincePrevious) << false
        << QStringList{"0.000000", "0.250000", none, "2.000000", none};
    QTest::newRow("since previous, wall clocks known")
        << int(F::SincePrevious) << true
        << QStringList{"0.000000", "0.250000", "-4.250000", "2.000000", "3.000000"};
    QTest::newRow("wall clock unknown")
        << int(F::WallClock) << false << QStringList{none, none, none, none, none};
    QTest::newRow("wall clock") << int(F::WallClock) << true
                                << QStringList{
                                       localTime(WallClockMs + 5000), localTime(WallClockMs + 5250),
                                       localTime(WallClockMs + 1000), localTime(WallClockMs + 3000),
                                       localTime(WallClockMs + 6000)};
}

void TestMessageLogModel::timeTextPerFormat()
{
    QFETCH(int, format);
    QFETCH(bool, wallClock);
    QFETCH(QStringList, texts);
    MessageLogModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    appendTimedRows(model);
    if (wallClock) {
        model.setSessionWallClock(7, WallClockMs);
        model.setSessionWallClock(8, WallClockMs);
    }
    QCOMPARE(model.sessionStartUs(7), std::optional<qint64>(5'000'000));
    QCOMPARE(model.sessionStartUs(8), std::optional<qint64>(1'000'000));
    QCOMPARE(model.sessionStartUs(9), std::nullopt);
    QSignalSpy changed(&model, &MessageLogModel::timeFormatChanged);
    model.setTimeFormat(MessageLogModel::TimeFormat(format));
    QCOMPARE(changed.size(), format == 0 ? 0 : 1);
    QCOMPARE(model.timeFormat(), MessageLogModel::TimeFormat(format));
    QStringList shown;
    for (int row = 0; row < model.rowCount(); ++row)
        shown << model.index(row, MessageLogModel::TimeColumn).data().toString();
    QCOMPARE(shown, texts);
    QCOMPARE(model.wallClockTime(0).has_value(), wallClock);
    QCOMPARE(model.sessionWallClock(8),
             wallClock ? std::optional<qint64>(WallClockMs) : std::optional<qint64>());

    // Through the filter, "since previous" counts from the previous row shown.
    MessageLogFilterModel filter;
    filter.setSourceModel(&model);
    filter.setSessionFilter(7);
    QStringList filtered;
    for (int row = 0; row < filter.rowCount(); ++row)
        filtered << filter.index(row, MessageLogModel::TimeColumn).data().toString();
    if (MessageLogModel::TimeFormat(format) == MessageLogModel::TimeFormat::SincePrevious)
        QCOMPARE(filtered, (QStringList{"0.000000", "0.250000", "0.750000"}));
    else
        QCOMPARE(filtered, (QStringList{texts[0], texts[1], texts[4]}));
}

void TestMessageLogModel::liveTimesCountFromTheSessionsStart()
{
    MessageLogModel model;
    const qint64 before = QDateTime::currentMSecsSinceEpoch();
    model.appendNote(1, MessageLogModel::Kind::Event, Direction::Inbound, 0, QStringLiteral("one"));
    QTest::qWait(30);
    model.appendNote(2, MessageLogModel::Kind::Event, Direction::Inbound, 0, QStringLiteral("two"));
    model.flush();
    // Session 2 started 30 ms after session 1: its first row is at 0 all the same.
    QCOMPARE(model.index(0, MessageLogModel::TimeColumn).data().toString(),
             QStringLiteral("0.000000"));
    QCOMPARE(model.index(1, MessageLogModel::TimeColumn).data().toString(),
             QStringLiteral("0.000000"));
    // Live rows know their wall clock.
    const std::optional<QDateTime> wall = model.wallClockTime(1);
    QVERIFY(wall);
    QVERIFY(wall->toMSecsSinceEpoch() >= before + 25);
    QVERIFY(wall->toMSecsSinceEpoch() <= QDateTime::currentMSecsSinceEpoch());
    // A clear keeps the clock and the sessions' starts: session 1 goes on counting.
    model.clear();
    model.appendNote(1, MessageLogModel::Kind::Event, Direction::Inbound, 0,
                     QStringLiteral("again"));
    model.flush();
    QVERIFY(model.index(0, MessageLogModel::TimeColumn).data().toString().toDouble() >= 0.025);
}

namespace {
class CountingFilter : public MessageLogFilterModel
{
public:
    mutable int calls = 0;

protected:
    /// Counts the rows tested for real (not answered from the mapping).
    bool filterAcceptsRow(int row, const QModelIndex &parent) const override
    {
        if (!logModel()->isChangingTextOnly())
            ++calls;
        return MessageLogFilterModel::filterAcceptsRow(row, parent);
    }
};
} // namespace

void TestMessageLogModel::timeFormatChangeRepaintsTheTimeColumn()
{
    MessageLogModel model;
    appendTimedRows(model);
    CountingFilter filter;
    filter.setSourceModel(&model);
    QAbstractItemModelTester tester(&filter,
                                    QAbstractItemModelTester::FailureReportingMode::QtTest);
    filter.setTextFilter(QStringLiteral("event"));
    QCOMPARE(filter.rowCount(), 5);
    QSignalSpy data(&filter, &QAbstractItemModel::dataChanged);
    QSignalSpy header(&model, &QAbstractItemModel::headerDataChanged);
    filter.calls = 0;
    model.setTimeFormat(MessageLogModel::TimeFormat::WallClock);
    // The views repaint the column; the filter does not test a (million-row) log again.
    QCOMPARE(data.size(), 1);
    QCOMPARE(data.first().at(0).toModelIndex().column(), int(MessageLogModel::TimeColumn));
    QCOMPARE(header.size(), 1);
    QCOMPARE(filter.calls, 0);
    QVERIFY(model.headerData(MessageLogModel::TimeColumn, Qt::Horizontal, Qt::ToolTipRole)
                .toString()
                .contains(QStringLiteral("Local time")));
}

QTEST_MAIN(TestMessageLogModel)
#include "tst_messagelogmodel.moc"
