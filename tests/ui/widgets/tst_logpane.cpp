// LogPane's session filter: "All sessions" and then exactly the log's sessions
// (MessageLogModel::sessions()), live sessions and opened captures alike, renamed with their
// labels and dropped when the log is cleared.
#include "capturefile.h"
#include "framer.h"
#include "logpane.h"
#include "messagelogfilter.h"
#include "messagelogmodel.h"
#include "messages.h"

#include <QAbstractItemModelTester>
#include <QBuffer>
#include <QComboBox>
#include <QTest>

using namespace hyperscope;

namespace {

using Entries = QList<QPair<int, QString>>;

void appendWant(MessageLogModel &log, int session, std::uint64_t start = 1)
{
    Message m(std::in_place_type<schema::Want>);
    std::get<schema::Want>(m).set_start(start);
    Bytes payload;
    appendMessage(payload, m);
    Bytes frame;
    appendFrame(frame, 1, MessageType::Want, payload);
    FrameTrace t;
    t.direction = Direction::Inbound;
    t.plain = frame;
    t.wire = frame;
    t.channel = 1;
    t.type = std::uint8_t(MessageType::Want);
    t.message = &m;
    log.appendFrame(session, t, MessageLogModel::WireStorage::SameAsPlain);
}

/// The combo's entries after "All sessions": (session id, text).
Entries comboEntries(const QComboBox *combo)
{
    Entries entries;
    for (int i = 1; i < combo->count(); ++i)
        entries.append({combo->itemData(i).toInt(), combo->itemText(i)});
    return entries;
}

/// What the combo must list: the log's sessions, in order, under their labels.
Entries logEntries(const MessageLogModel &log)
{
    Entries entries;
    for (const int session : log.sessions())
        entries.append({session, log.sessionLabel(session)});
    return entries;
}

/// A capture of two sessions (file ids 1 and 2), read back as Open Log reads a file.
capture::Capture makeCapture()
{
    MessageLogModel source;
    source.setSessionLabel(1, QStringLiteral("#1 127.0.0.1:4000"));
    source.setSessionLabel(2, QStringLiteral("#2 10.0.0.2:5000"));
    appendWant(source, 1);
    appendWant(source, 2);
    appendWant(source, 1);
    source.flush();
    QBuffer buffer;
    buffer.open(QIODevice::ReadWrite);
    QString error;
    if (!capture::write(buffer, source, {0, 1, 2}, &error))
        qFatal("write: %s", qPrintable(error));
    buffer.seek(0);
    std::optional<capture::Capture> file = capture::read(buffer, &error);
    if (!file)
        qFatal("read: %s", qPrintable(error));
    return *file;
}

} // namespace

class TestLogPane : public QObject
{
    Q_OBJECT
private slots:
    void sessionFilterListsTheLogsSessions();
    void sessionFilterDropsSessionsOnClear();
};

void TestLogPane::sessionFilterListsTheLogsSessions()
{
    MessageLogModel log;
    log.setFlushInterval(100000); // the test flushes
    QAbstractItemModelTester tester(&log, QAbstractItemModelTester::FailureReportingMode::QtTest);
    // A session the log held before the pane existed.
    log.setSessionLabel(1, QStringLiteral("#1 127.0.0.1:4000"));
    LogPane pane(&log);
    QAbstractItemModelTester filterTester(pane.filterModel(),
                                          QAbstractItemModelTester::FailureReportingMode::QtTest);
    QComboBox *combo = pane.sessionFilterCombo();
    QCOMPARE(combo->itemText(0), QStringLiteral("All sessions"));
    QCOMPARE(combo->itemData(0).toInt(), 0);
    QCOMPARE(comboEntries(combo), (Entries{{1, QStringLiteral("#1 127.0.0.1:4000")}}));

    // Live sessions: one named as it starts, one known by its rows alone.
    log.setSessionLabel(2, QStringLiteral("#2 10.0.0.2:4000"));
    appendWant(log, 1);
    appendWant(log, 2);
    appendWant(log, 3);
    QCOMPARE(combo->count(), 3); // rows count once they are flushed
    log.flush();
    QCOMPARE(log.sessions(), (QList<int>{1, 2, 3}));
    QCOMPARE(comboEntries(combo), logEntries(log));
    QCOMPARE(combo->itemText(3), QStringLiteral("#3"));

    // An opened capture: its sessions get ids of their own and come in through the log alone.
    const capture::Capture file = makeCapture();
    capture::addTo(
        log, file, [](int fileId) { return 70000 + fileId; }, QStringLiteral("c.jsonl"));
    QCOMPARE(log.sessions(), (QList<int>{1, 2, 3, 70001, 70002}));
    QCOMPARE(comboEntries(combo), logEntries(log));
    QCOMPARE(combo->itemText(4), QStringLiteral("#1 127.0.0.1:4000 · c.jsonl"));
    QCOMPARE(combo->itemText(5), QStringLiteral("#2 10.0.0.2:5000 · c.jsonl"));

    // Choosing an entry filters on it; a session the log does not hold cannot be chosen.
    pane.setSessionFilter(70002);
    QCOMPARE(combo->currentData().toInt(), 70002);
    QCOMPARE(pane.filterModel()->sessionFilter(), 70002);
    QCOMPARE(pane.filterModel()->rowCount(), 1);
    pane.setSessionFilter(99);
    QCOMPARE(pane.filterModel()->sessionFilter(), 70002);

    // A session renamed (a live one connected) is renamed in place; the choice survives.
    log.setSessionLabel(3, QStringLiteral("#3 10.0.0.3:4000"));
    QCOMPARE(comboEntries(combo), logEntries(log));
    QCOMPARE(combo->itemText(3), QStringLiteral("#3 10.0.0.3:4000"));
    QCOMPARE(combo->currentData().toInt(), 70002);

    pane.setSessionFilter(0);
    QCOMPARE(pane.filterModel()->sessionFilter(), 0);
    QCOMPARE(pane.filterModel()->rowCount(), log.rowCount());
}

void TestLogPane::sessionFilterDropsSessionsOnClear()
{
    MessageLogModel log;
    log.setFlushInterval(100000);
    QAbstractItemModelTester tester(&log, QAbstractItemModelTester::FailureReportingMode::QtTest);
    LogPane pane(&log);
    QAbstractItemModelTester filterTester(pane.filterModel(),
                                          QAbstractItemModelTester::FailureReportingMode::QtTest);
    QComboBox *combo = pane.sessionFilterCombo();
    log.setSessionLabel(1, QStringLiteral("#1 live"));
    appendWant(log, 1);
    log.flush();
    capture::addTo(
        log, makeCapture(), [](int fileId) { return 10 + fileId; }, QString());
    QCOMPARE(comboEntries(combo), logEntries(log));
    QCOMPARE(combo->count(), 4);
    pane.setSessionFilter(12);
    QCOMPARE(pane.filterModel()->sessionFilter(), 12);

    // Cleared: live and capture sessions alike are gone, and the filter shows everything again.
    log.clear();
    QCOMPARE(log.sessions(), QList<int>());
    QCOMPARE(combo->count(), 1);
    QCOMPARE(combo->currentIndex(), 0);
    QCOMPARE(pane.filterModel()->sessionFilter(), 0);

    // The live session logs again: it is back, under its name, and can be chosen again.
    appendWant(log, 1);
    log.flush();
    QCOMPARE(comboEntries(combo), (Entries{{1, QStringLiteral("#1 live")}}));
    pane.setSessionFilter(1);
    QCOMPARE(pane.filterModel()->sessionFilter(), 1);
    QCOMPARE(pane.filterModel()->rowCount(), 1);

    // A pane made after the clear lists the same.
    LogPane other(&log);
    QCOMPARE(comboEntries(other.sessionFilterCombo()), logEntries(log));
}

QTEST_MAIN(TestLogPane)
#include "tst_logpane.moc"
