// ExpertInfoModel: the log's warnings and errors grouped by kind, following the log as it grows
// and as it is cleared, under QAbstractItemModelTester.
#include "builders.h"
#include "capturefile.h"
#include "expertinfomodel.h"
#include "messagelogmodel.h"

#include <QAbstractItemModelTester>
#include <QBuffer>
#include <QSignalSpy>
#include <QTest>

using namespace hyperscope;
using namespace hyperscope::test;

using Kind = MessageLogModel::Kind;
using Severity = MessageLogModel::Severity;

class TestExpertInfoModel : public QObject
{
    Q_OBJECT
private slots:
    void derivesTheKind_data();
    void derivesTheKind();
    void groupsAndCountsProblems();
    void followsTheLogInBatches();
    void clearEmptiesIt();
    void findsNextAndPreviousProblems();
    void scalesToManyProblems();
    void groupsACaptureLikeTheLiveLog();
};

void TestExpertInfoModel::derivesTheKind_data()
{
    QTest::addColumn<int>("kind");
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("expected");

    const int error = int(Kind::Error);
    const int warning = int(Kind::Warning);
    QTest::newRow("error code first") << error
                                      << "capability-mismatch: the remote's capability for "
                                         "channel 6b7ecf9c does not verify"
                                      << "capability-mismatch";
    QTest::newRow("error code alone") << error << "connection-lost"
                                      << "connection-lost";
    QTest::newRow("error without a code") << error << "Something broke at offset 120"
                                          << "Something broke at offset N";
    QTest::newRow("unknown channel id")
        << warning << "Want for channel id 7, which the remote never opened: ignored"
        << "unknown channel id";
    QTest::newRow("channel not opened by us")
        << warning << "Data on channel 6b7ecf9c0011223344556677, which we have not opened: ignored"
        << "channel we have not opened";
    QTest::newRow("unassigned type")
        << warning << "frame of unassigned type 12 on channel id 0: ignored"
        << "unassigned frame type";
    QTest::newRow("reused id") << warning
                               << "the remote reused channel id 3 without closing it first"
                               << "channel id reused";
    QTest::newRow("relay held key")
        << warning
        << "the client peer opened channel abcdef0123456789, whose feed key the relay does "
           "not know: the Open is held"
        << "relay: unknown feed key";
    QTest::newRow("inspector")
        << warning
        << "Inspector: wire bytes could not be recomputed from the transport keys; storing "
           "them instead"
        << "inspector";
    // A wording nobody listed still groups its repeats: numbers and keys are taken out.
    QTest::newRow("unknown wording") << warning << "odd thing 42 on key 0123456789abcdef"
                                     << "odd thing N on key …";
}

void TestExpertInfoModel::derivesTheKind()
{
    QFETCH(int, kind);
    QFETCH(QString, text);
    QFETCH(QString, expected);
    MessageLogModel log;
    log.appendNote(1, Kind(kind), Direction::Inbound, 0, text);
    log.flush();
    QCOMPARE(ExpertInfoModel::problemKind(log, log.record(0)), expected);
}

namespace {

void appendWant(MessageLogModel &log, int session)
{
    const Message m = wantOf(1);
    const Bytes frame = frameOf(1, m);
    log.appendFrame(session, traceOf(frame, Direction::Inbound, &m),
                    MessageLogModel::WireStorage::SameAsPlain);
}

void appendUnassigned(MessageLogModel &log, int session)
{
    const Bytes frame = frameOf(0, std::uint8_t(12), asView(std::string_view("xy")));
    log.appendFrame(session, traceOf(frame, Direction::Inbound, nullptr, 0, 12),
                    MessageLogModel::WireStorage::SameAsPlain);
}

void warn(MessageLogModel &log, int session, const char *text)
{
    log.appendNote(session, Kind::Warning, Direction::Inbound, 0, QString::fromUtf8(text));
}

} // namespace

void TestExpertInfoModel::groupsAndCountsProblems()
{
    MessageLogModel log;
    ExpertInfoModel model(&log);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    appendWant(log, 1);                                                            // row 0
    warn(log, 1, "Want for channel id 7, which the remote never opened: ignored"); // 1
    appendUnassigned(log, 1);                                                      // 2
    warn(log, 2, "Have for channel id 9, which the remote never opened: ignored"); // 3
    appendWant(log, 2);                                                            // 4
    log.appendNote(2, Kind::Error, Direction::Inbound, 0,
                   QStringLiteral("capability-mismatch: bad"));                         // 5
    log.appendNote(2, Kind::Event, Direction::Inbound, 0, QStringLiteral("Connected")); // 6
    log.flush();

    QCOMPARE(model.warningCount(), 3);
    QCOMPARE(model.errorCount(), 1);
    QCOMPARE(model.problemCount(), 4);
    QCOMPARE(model.groupCount(), 3);
    QCOMPARE(model.problemRows(), (std::vector<int>{1, 2, 3, 5}));

    const QModelIndex unknown =
        model.groupIndex(Severity::Warning, QStringLiteral("unknown channel id"));
    QVERIFY(unknown.isValid());
    QCOMPARE(model.rowCount(unknown), 2);
    QCOMPARE(unknown.siblingAtColumn(ExpertInfoModel::CountColumn).data().toString(),
             QStringLiteral("2"));
    QCOMPARE(model.index(1, ExpertInfoModel::NumberColumn, unknown).data().toInt(), 4);
    QCOMPARE(model.index(1, 0, unknown).data(ExpertInfoModel::SourceRowRole).toInt(), 3);
    QCOMPARE(model.index(1, ExpertInfoModel::SessionColumn, unknown).data().toString(),
             log.sessionLabel(2));
    QCOMPARE(model.index(1, ExpertInfoModel::TimeColumn, unknown).data(),
             log.index(3, MessageLogModel::TimeColumn).data());

    const QModelIndex unassigned =
        model.groupIndex(Severity::Warning, QStringLiteral("unassigned frame type"));
    QCOMPARE(model.rowCount(unassigned), 1);
    QVERIFY(
        model.index(0, 0, unassigned).data().toString().startsWith(QStringLiteral("Unknown(12)")));

    const QModelIndex mismatch =
        model.groupIndex(Severity::Error, QStringLiteral("capability-mismatch"));
    QCOMPARE(model.rowCount(mismatch), 1);
    QCOMPARE(mismatch.siblingAtColumn(ExpertInfoModel::SeverityColumn).data().toString(),
             QStringLiteral("Error"));
    QCOMPARE(mismatch.data(ExpertInfoModel::SourceRowRole).toInt(), -1);
}

void TestExpertInfoModel::followsTheLogInBatches()
{
    MessageLogModel log;
    // Rows the log holds before the model exists are counted too.
    warn(log, 1, "the remote reused channel id 3 without closing it first");
    log.flush();
    ExpertInfoModel model(&log);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QCOMPARE(model.warningCount(), 1);

    QSignalSpy counts(&model, &ExpertInfoModel::countsChanged);
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    for (int i = 0; i < 10; ++i) {
        warn(log, 1, "the remote reused channel id 4 without closing it first");
        appendWant(log, 1);
    }
    log.appendNote(1, Kind::Error, Direction::Inbound, 0, QStringLiteral("timeout"));
    log.flush();
    // One insert for the existing group, one for the new group: not one per row.
    QCOMPARE(inserted.size(), 2);
    QCOMPARE(counts.size(), 1);
    QCOMPARE(model.warningCount(), 11);
    QCOMPARE(model.errorCount(), 1);
    QCOMPARE(
        model.rowCount(model.groupIndex(Severity::Warning, QStringLiteral("channel id reused"))),
        11);

    // Rows without problems change nothing.
    appendWant(log, 1);
    log.flush();
    QCOMPARE(counts.size(), 1);
}

void TestExpertInfoModel::clearEmptiesIt()
{
    MessageLogModel log;
    ExpertInfoModel model(&log);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    warn(log, 1, "x");
    log.flush();
    QCOMPARE(model.rowCount(), 1);
    QSignalSpy counts(&model, &ExpertInfoModel::countsChanged);
    log.clear();
    QCOMPARE(model.rowCount(), 0);
    QCOMPARE(model.problemCount(), 0);
    QCOMPARE(counts.size(), 1);
    warn(log, 1, "x");
    log.flush();
    QCOMPARE(model.warningCount(), 1);
    QCOMPARE(model.problemRows(), std::vector<int>{0});
}

void TestExpertInfoModel::findsNextAndPreviousProblems()
{
    MessageLogModel log;
    ExpertInfoModel model(&log);
    for (int i = 0; i < 10; ++i) {
        if (i == 2 || i == 5 || i == 6)
            warn(log, 1, "w");
        else
            appendWant(log, 1);
    }
    log.flush();
    QCOMPARE(model.nextProblemRow(-1), 2);
    QCOMPARE(model.nextProblemRow(2), 5);
    QCOMPARE(model.nextProblemRow(5), 6);
    QCOMPARE(model.nextProblemRow(6), -1);
    QCOMPARE(model.previousProblemRow(-1), 6);
    QCOMPARE(model.previousProblemRow(9), 6);
    QCOMPARE(model.previousProblemRow(6), 5);
    QCOMPARE(model.previousProblemRow(3), 2);
    QCOMPARE(model.previousProblemRow(2), -1);
}

void TestExpertInfoModel::scalesToManyProblems()
{
    MessageLogModel log;
    log.setFlushInterval(1000000);
    constexpr int Rows = 200000;
    for (int i = 0; i < Rows; ++i) {
        if (i % 2)
            warn(log, 1 + i % 3, "Want for channel id 7, which the remote never opened: ignored");
        else
            appendWant(log, 1);
    }
    log.flush();
    QElapsedTimer timer;
    timer.start();
    ExpertInfoModel model(&log);
    QCOMPARE(model.warningCount(), Rows / 2);
    QCOMPARE(model.groupCount(), 1);
    QVERIFY2(timer.elapsed() < 5000, qPrintable(QString::number(timer.elapsed())));
}

void TestExpertInfoModel::groupsACaptureLikeTheLiveLog()
{
    // The kinds come from what the rows carry, so a capture read back groups the same way.
    MessageLogModel live;
    ExpertInfoModel liveModel(&live);
    appendWant(live, 1);
    warn(live, 1, "Want for channel id 7, which the remote never opened: ignored");
    appendUnassigned(live, 1);
    live.appendNote(1, Kind::Error, Direction::Inbound, 0,
                    QStringLiteral("frame-too-large: 4294967295 bytes"));
    live.flush();

    QBuffer buffer;
    buffer.open(QIODevice::ReadWrite);
    QString error;
    QVERIFY2(capture::write(buffer, live, {0, 1, 2, 3}, &error), qPrintable(error));
    buffer.seek(0);
    const std::optional<capture::Capture> file = capture::read(buffer, &error);
    QVERIFY2(file, qPrintable(error));
    MessageLogModel opened;
    ExpertInfoModel openedModel(&opened);
    QAbstractItemModelTester tester(&openedModel,
                                    QAbstractItemModelTester::FailureReportingMode::QtTest);
    capture::addTo(
        opened, *file, [](int id) { return id + 10; }, QStringLiteral("c.jsonl"));
    opened.flush();

    QCOMPARE(openedModel.warningCount(), liveModel.warningCount());
    QCOMPARE(openedModel.errorCount(), liveModel.errorCount());
    QCOMPARE(openedModel.groupCount(), liveModel.groupCount());
    for (int g = 0; g < liveModel.groupCount(); ++g) {
        const QModelIndex group = liveModel.index(g, 0);
        const QModelIndex same = openedModel.groupIndex(
            Severity(group.data(ExpertInfoModel::SeverityRole).toInt()), group.data().toString());
        QVERIFY2(same.isValid(), qPrintable(group.data().toString()));
        QCOMPARE(openedModel.rowCount(same), liveModel.rowCount(group));
    }
    QVERIFY(openedModel.groupIndex(Severity::Error, QStringLiteral("frame-too-large")).isValid());
}

QTEST_MAIN(TestExpertInfoModel)
#include "tst_expertinfomodel.moc"
