// LogPane: its session filter ("All sessions" and then exactly the log's sessions, live and
// captured, renamed with their labels and dropped when the log is cleared); filters that mean
// what they say; the one keepalive switch; a selection that survives filtering and details that
// never show a hidden row; a count that stays true; a Time column wide enough for bold rows;
// Go to Row; the right-click menus.
#include "builders.h"
#include "capturefile.h"
#include "fieldtreemodel.h"
#include "framer.h"
#include "hexpane.h"
#include "logpane.h"
#include "messagelogfilter.h"
#include "messagelogmodel.h"
#include "messages.h"

#include <QAbstractItemModelTester>
#include <QAction>
#include <QBuffer>
#include <QCheckBox>
#include <QClipboard>
#include <QComboBox>
#include <QGuiApplication>
#include <QHeaderView>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QStyle>
#include <QTableView>
#include <QTest>
#include <QToolButton>
#include <QTreeView>

using namespace hyperscope;
using namespace hyperscope::test;

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

void appendData(MessageLogModel &log, int session, std::uint64_t index, const std::string &value,
                const Key32 &key)
{
    Message m(std::in_place_type<schema::Data>);
    std::get<schema::Data>(m).set_index(index);
    std::get<schema::Data>(m).set_value(value);
    const Bytes frame = frameOf(1, m);
    log.appendFrame(session,
                    traceOf(frame, Direction::Inbound, &m, 1, std::uint8_t(MessageType::Data), key),
                    MessageLogModel::WireStorage::SameAsPlain);
}

void appendKeepAlive(MessageLogModel &log, int session)
{
    const Bytes frame{0};
    log.appendFrame(session, traceOf(frame, Direction::Outbound, nullptr, 0, 0),
                    MessageLogModel::WireStorage::SameAsPlain);
}

/// A row read back from a capture: @p kind at @p timeUs of @p session.
void appendTimedNote(MessageLogModel &log, int session, MessageLogModel::Kind kind, qint64 timeUs,
                     const QString &text)
{
    MessageLogModel::Record record;
    record.kind = kind;
    record.session = session;
    record.timeUs = timeUs;
    log.appendRecord(record, {}, {}, text, std::nullopt);
}

/// Rows 0..(3n-1): Want (start i), keepalive, warning "odd i", for i in 0..n-1; session 1.
void fillMixed(MessageLogModel &log, int n)
{
    for (int i = 0; i < n; ++i) {
        appendWant(log, 1, std::uint64_t(i));
        appendKeepAlive(log, 1);
        log.appendNote(1, MessageLogModel::Kind::Warning, Direction::Inbound, 0,
                       QStringLiteral("odd %1").arg(i));
    }
    log.flush();
}

QAction *typeAction(LogPane &pane, const QString &text)
{
    auto *button = pane.findChild<QToolButton *>(QStringLiteral("logTypeFilter"));
    for (QAction *action : button->menu()->actions()) {
        if (action->text() == text)
            return action;
    }
    return nullptr;
}

QAction *menuAction(QMenu *menu, const char *name)
{
    return menu->findChild<QAction *>(QLatin1String(name));
}

QString clipboardText()
{
    return QGuiApplication::clipboard()->text();
}

} // namespace

class TestLogPane : public QObject
{
    Q_OBJECT
private slots:
    void sessionFilterListsTheLogsSessions();
    void sessionFilterDropsSessionsOnClear();
    void textFilterHidesProblemsUnlessKept();
    void keepAliveSwitchIsOneState();
    void countStaysTrue();
    void timeColumnFitsBoldRows_data();
    void timeColumnFitsBoldRows();
    void typeColumnFitsHandshakeSteps();
    void hiddenSelectionClearsTheDetails();
    void filterChangeKeepsTheSelectionInView();
    void goToRow();
    void rowMenuCopiesAndFilters();
    void fieldMenuCopies();
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

void TestLogPane::textFilterHidesProblemsUnlessKept()
{
    MessageLogModel log;
    fillMixed(log, 10);
    LogPane pane(&log);
    auto *keep = pane.findChild<QCheckBox *>(QStringLiteral("logKeepProblems"));
    QVERIFY(keep);
    QVERIFY(!keep->isChecked()); // off by default, and visible in the filter bar
    QVERIFY(!pane.alwaysShowProblems());

    // "zzzz" matches nothing: nothing is shown, warnings included.
    pane.textFilterEdit()->setText(QStringLiteral("zzzz"));
    QTest::keyClick(pane.textFilterEdit(), Qt::Key_Return);
    QCOMPARE(pane.filterModel()->textFilter(), QStringLiteral("zzzz"));
    QCOMPARE(pane.filterModel()->rowCount(), 0);
    QCOMPARE(pane.countLabel()->text(), QStringLiteral("0 of 30 shown"));

    // The explicit switch keeps the problems (the ten warnings).
    keep->setChecked(true);
    QVERIFY(pane.alwaysShowProblems());
    QCOMPARE(pane.filterModel()->rowCount(), 10);
    QCOMPARE(pane.countLabel()->text(), QStringLiteral("10 of 30 shown"));
    pane.setAlwaysShowProblems(false);
    QVERIFY(!keep->isChecked());
    QCOMPARE(pane.filterModel()->rowCount(), 0);
}

void TestLogPane::keepAliveSwitchIsOneState()
{
    MessageLogModel log;
    fillMixed(log, 4);
    LogPane pane(&log);
    auto *box = pane.findChild<QCheckBox *>(QStringLiteral("logKeepAlives"));
    QAction *own = pane.keepAlivesAction();
    QVERIFY(own->isCheckable() && own->isChecked());
    QCOMPARE(typeAction(pane, QStringLiteral("Keepalive")), own); // the type menu's entry

    // All types › Hide All Types, then tick Data: keepalives are off everywhere.
    auto *button = pane.findChild<QToolButton *>(QStringLiteral("logTypeFilter"));
    QAction *hideAll = typeAction(pane, QStringLiteral("Hide All Types"));
    QVERIFY(hideAll);
    hideAll->trigger();
    QCOMPARE(pane.filterModel()->rowCount(), 0);
    typeAction(pane, QStringLiteral("Data"))->setChecked(true);
    QVERIFY(!pane.filterModel()->showKeepAlives());
    QVERIFY(!box->isChecked());
    QVERIFY(!own->isChecked());
    QVERIFY(!pane.showKeepAlives());
    QCOMPARE(button->text(), QStringLiteral("1 of 16 types"));

    // A window's action takes over, with the current state, and the box, the type menu and the
    // filter follow it (and it them).
    QAction shared(QStringLiteral("Show Keepalives"));
    shared.setCheckable(true);
    shared.setChecked(true);
    pane.setKeepAlivesAction(&shared);
    QCOMPARE(pane.keepAlivesAction(), &shared);
    QVERIFY(!shared.isChecked());
    QVERIFY(!typeAction(pane, QStringLiteral("Keepalive"))); // replaced in the menu
    QCOMPARE(typeAction(pane, QStringLiteral("Show Keepalives")), &shared);
    shared.trigger();
    QVERIFY(shared.isChecked() && box->isChecked() && pane.filterModel()->showKeepAlives());
    QCOMPARE(pane.filterModel()->rowCount(), 4);
    box->setChecked(false);
    QVERIFY(!shared.isChecked() && !pane.filterModel()->showKeepAlives());
    typeAction(pane, QStringLiteral("Show All Types"))->trigger();
    QVERIFY(shared.isChecked() && box->isChecked());
    QCOMPARE(pane.filterModel()->rowCount(), 12);
    own->setChecked(false); // the old action switches nothing any more
    QVERIFY(pane.filterModel()->showKeepAlives());
}

void TestLogPane::countStaysTrue()
{
    MessageLogModel log;
    log.setFlushInterval(100000);
    LogPane pane(&log);
    QLabel *count = pane.countLabel();
    appendWant(log, 1);
    log.flush();
    QCOMPARE(count->text(), QStringLiteral("1 messages"));
    pane.setSessionFilter(1);
    // Rows of another session arrive: the filter inserts none, the total still changes.
    appendWant(log, 2);
    appendWant(log, 2);
    log.flush();
    QCOMPARE(count->text(), QStringLiteral("1 of 3 shown"));
    // A capture opened under the session filter.
    capture::addTo(
        log, makeCapture(), [](int fileId) { return 50 + fileId; }, QStringLiteral("c.jsonl"));
    QCOMPARE(count->text(), QStringLiteral("1 of 6 shown"));
    // A filter change.
    pane.setSessionFilter(51);
    QCOMPARE(count->text(), QStringLiteral("2 of 6 shown"));
    // The captured session's time counts from its own first row, not from the live log's.
    QCOMPARE(pane.filterModel()->index(0, MessageLogModel::TimeColumn).data().toString(),
             QStringLiteral("0.000000"));
    // Cleared.
    log.clear();
    QCOMPARE(count->text(), QStringLiteral("0 messages"));
}

void TestLogPane::timeColumnFitsBoldRows_data()
{
    QTest::addColumn<int>("format");
    QTest::newRow("since session start") << int(MessageLogModel::TimeFormat::SinceSessionStart);
    QTest::newRow("since previous") << int(MessageLogModel::TimeFormat::SincePrevious);
    QTest::newRow("wall clock") << int(MessageLogModel::TimeFormat::WallClock);
}

void TestLogPane::timeColumnFitsBoldRows()
{
    QFETCH(int, format);
    MessageLogModel log;
    // A session of a capture: its error row, bold, comes 103.232456 s after its first row.
    appendTimedNote(log, 4, MessageLogModel::Kind::Event, 0, QStringLiteral("Connected"));
    appendTimedNote(log, 4, MessageLogModel::Kind::Error, 103'232'456,
                    QStringLiteral("timeout: no bytes for 20000 ms"));
    appendTimedNote(log, 4, MessageLogModel::Kind::Error, 99'999'232'456, QStringLiteral("late"));
    log.setSessionWallClock(4, QDateTime::currentMSecsSinceEpoch());
    log.flush();
    LogPane pane(&log);
    pane.setTimeFormat(MessageLogModel::TimeFormat(format));
    pane.resize(1024, 640);
    QTableView *view = pane.logView();
    QVERIFY(view->model()->index(1, 0).data(Qt::FontRole).value<QFont>().bold());
    const int width = view->columnWidth(MessageLogModel::TimeColumn);
    for (int row = 0; row < view->model()->rowCount(); ++row) {
        const QModelIndex time = view->model()->index(row, MessageLogModel::TimeColumn);
        const int needed = view->sizeHintForIndex(time).width();
        QVERIFY2(needed <= width, qPrintable(QStringLiteral("row %1 \"%2\" needs %3 px of %4")
                                                 .arg(row)
                                                 .arg(time.data().toString())
                                                 .arg(needed)
                                                 .arg(width)));
    }
    // A saved header narrower than that is widened when restored.
    view->horizontalHeader()->resizeSection(MessageLogModel::TimeColumn, 10);
    const QByteArray narrow = pane.saveState();
    LogPane other(&log);
    other.restoreState(narrow);
    QCOMPARE(other.logView()->columnWidth(MessageLogModel::TimeColumn), width);
}

void TestLogPane::typeColumnFitsHandshakeSteps()
{
    // Found renewing the README's screenshots: "Handshake 1/3" showed as "Handshake…" at every
    // window size.
    MessageLogModel log;
    LogPane pane(&log);
    pane.resize(1024, 640);
    QTableView *view = pane.logView();
    const QFontMetrics metrics(view->font());
    const int margins =
        2 * (view->style()->pixelMetric(QStyle::PM_FocusFrameHMargin, nullptr, view) + 1);
    const int needed = metrics.horizontalAdvance(QStringLiteral("Handshake 3/3")) + margins;
    QVERIFY2(view->columnWidth(MessageLogModel::TypeColumn) >= needed,
             qPrintable(QStringLiteral("%1 px of %2")
                            .arg(view->columnWidth(MessageLogModel::TypeColumn))
                            .arg(needed)));
}

void TestLogPane::hiddenSelectionClearsTheDetails()
{
    MessageLogModel log;
    fillMixed(log, 5);
    LogPane pane(&log);
    const int row = 3; // Want start=1
    QVERIFY(pane.selectSourceRow(row));
    QCOMPARE(pane.fieldModel()->root()->name, std::string("Frame"));

    // The text filter hides it: the details no longer show it, and say why.
    pane.filterModel()->setTextFilter(QStringLiteral("odd"));
    QCOMPARE(pane.currentSourceRow(), row);
    QVERIFY(pane.selectedRowHidden());
    QCOMPARE(pane.fieldModel()->root()->name, std::string("Hidden"));
    QCOMPARE(QString::fromStdString(pane.fieldModel()->root()->value),
             LogPane::hiddenSelectionText());
    QVERIFY(!pane.logView()->currentIndex().isValid());

    // Another filter change that still hides it keeps the line.
    pane.filterModel()->setTextFilter(QStringLiteral("odd 1"));
    QVERIFY(pane.selectedRowHidden());
    // Shown again: selected again, with its details.
    pane.filterModel()->setTextFilter({});
    QVERIFY(!pane.selectedRowHidden());
    QCOMPARE(pane.currentSourceRow(), row);
    QCOMPARE(pane.filterModel()->mapToSource(pane.logView()->currentIndex()).row(), row);
    QCOMPARE(pane.fieldModel()->root()->name, std::string("Frame"));

    // Keepalives hidden while one is selected: the same.
    QVERIFY(pane.selectSourceRow(4));
    pane.setShowKeepAlives(false);
    QVERIFY(pane.selectedRowHidden());
    QCOMPARE(pane.fieldModel()->root()->name, std::string("Hidden"));
    // A click on another row ends it.
    pane.logView()->setCurrentIndex(pane.filterModel()->index(0, 0));
    QVERIFY(!pane.selectedRowHidden());
    QCOMPARE(pane.currentSourceRow(), 0);
}

void TestLogPane::filterChangeKeepsTheSelectionInView()
{
    MessageLogModel log;
    fillMixed(log, 200); // 600 rows
    LogPane pane(&log);
    pane.setAutoScroll(false);
    pane.resize(1024, 640);
    pane.show();
    QVERIFY(QTest::qWaitForWindowExposed(&pane));
    const int row = 450; // Want start=150
    QVERIFY(pane.selectSourceRow(row));
    QTableView *view = pane.logView();
    auto inView = [view] {
        return view->viewport()->rect().intersects(view->visualRect(view->currentIndex()));
    };
    QVERIFY(inView());

    // Hide the keepalives, then the warnings: the Want stays selected and in view.
    pane.setShowKeepAlives(false);
    QCOMPARE(pane.filterModel()->mapToSource(view->currentIndex()).row(), row);
    QVERIFY(inView());
    typeAction(pane, QStringLiteral("Session events"))->setChecked(false);
    QCOMPARE(view->model()->rowCount(), 200);
    QCOMPARE(pane.filterModel()->mapToSource(view->currentIndex()).row(), row);
    QVERIFY(inView());
    // Everything back: still there.
    typeAction(pane, QStringLiteral("Show All Types"))->trigger();
    QCOMPARE(view->model()->rowCount(), 600);
    QCOMPARE(pane.filterModel()->mapToSource(view->currentIndex()).row(), row);
    QVERIFY(inView());
}

void TestLogPane::goToRow()
{
    MessageLogModel log;
    LogPane pane(&log);
    QString error;
    QVERIFY(!pane.goToRow(1, &error));
    QCOMPARE(error, QStringLiteral("Row 1: the log is empty"));
    fillMixed(log, 5); // 15 rows
    QVERIFY(pane.goToRow(8, &error));
    QCOMPARE(pane.currentSourceRow(), 7);
    QVERIFY(!pane.goToRow(16, &error));
    QCOMPARE(error, QStringLiteral("There is no row 16: the log's rows are numbered 1 to 15"));
    QVERIFY(!pane.goToRow(0, &error));
    QCOMPARE(pane.currentSourceRow(), 7);
    pane.setShowKeepAlives(false);
    QVERIFY(!pane.goToRow(5, &error)); // row 5 is a keepalive
    QCOMPARE(error, QStringLiteral("Row 5 is hidden by the filter"));
    QVERIFY(pane.goToRow(4, &error));
    QCOMPARE(pane.currentSourceRow(), 3);
}

void TestLogPane::rowMenuCopiesAndFilters()
{
    MessageLogModel log;
    log.setSessionLabel(1, QStringLiteral("#1 live"));
    appendWant(log, 1, 9);
    appendData(log, 2, 3, "hello, inspector", keyOf(0xab));
    log.appendNote(2, MessageLogModel::Kind::Warning, Direction::Inbound, 0,
                   QStringLiteral("odd frame"));
    appendData(log, 1, 4, std::string("\x00\x01\xff", 3), keyOf(0xcd));
    log.flush();
    LogPane pane(&log);

    std::unique_ptr<QMenu> menu(pane.createRowMenu(1));
    menuAction(menu.get(), "copyValue")->trigger();
    QCOMPARE(clipboardText(), QStringLiteral("hello, inspector"));
    menuAction(menu.get(), "copySummary")->trigger();
    QCOMPARE(clipboardText(), log.summaryText(log.record(1)));
    menuAction(menu.get(), "copyHex")->trigger();
    QCOMPARE(clipboardText(), QString::fromLatin1(log.plainBytes(1).toHex()));
    // The JSON hyperscope-cli prints for the message, with the row's direction.
    menuAction(menu.get(), "copyJson")->trigger();
    const QJsonObject json = QJsonDocument::fromJson(clipboardText().toUtf8()).object();
    QCOMPARE(json.value(QStringLiteral("event")).toString(), QStringLiteral("message"));
    QCOMPARE(json.value(QStringLiteral("session")).toInt(), 2);
    QCOMPARE(json.value(QStringLiteral("type")).toString(), QStringLiteral("Data"));
    QCOMPARE(json.value(QStringLiteral("direction")).toString(), QStringLiteral("in"));
    QCOMPARE(json.value(QStringLiteral("discoveryKey")).toString(), hexOf(keyOf(0xab)));
    const QJsonObject message = json.value(QStringLiteral("message")).toObject();
    QCOMPARE(message.value(QStringLiteral("index")).toInt(), 3);
    QCOMPARE(message.value(QStringLiteral("value")).toString(),
             QString::fromLatin1(QByteArray("hello, inspector").toHex()));

    // Filter on this channel, session, type: the filter bar's own controls change.
    menuAction(menu.get(), "filterChannel")->trigger();
    QCOMPARE(pane.channelFilterCombo()->currentData().toUInt(), log.channelKeyIndex(keyOf(0xab)));
    QCOMPARE(pane.filterModel()->rowCount(), 1);
    pane.channelFilterCombo()->setCurrentIndex(0);
    menuAction(menu.get(), "filterSession")->trigger();
    QCOMPARE(pane.sessionFilterCombo()->currentData().toInt(), 2);
    QCOMPARE(pane.filterModel()->rowCount(), 2);
    pane.setSessionFilter(0);
    menuAction(menu.get(), "filterType")->trigger();
    QCOMPARE(pane.filterModel()->typeMask(), 1u << int(MessageType::Data));
    QCOMPARE(pane.filterModel()->rowCount(), 2);
    QVERIFY(!pane.keepAlivesAction()->isChecked());

    // Bytes that are no text are copied as hex; a Want has no value; a note's value is its text.
    menu.reset(pane.createRowMenu(3));
    menuAction(menu.get(), "copyValue")->trigger();
    QCOMPARE(clipboardText(), QStringLiteral("0001ff"));
    menu.reset(pane.createRowMenu(0));
    QVERIFY(!menuAction(menu.get(), "copyValue")->isEnabled());
    QVERIFY(!menuAction(menu.get(), "filterChannel")->isEnabled()); // no discovery key
    menu.reset(pane.createRowMenu(2));
    menuAction(menu.get(), "copyValue")->trigger();
    QCOMPARE(clipboardText(), QStringLiteral("odd frame"));
    QVERIFY(!menuAction(menu.get(), "copyHex")->isEnabled());
    menuAction(menu.get(), "copyJson")->trigger();
    QCOMPARE(QJsonDocument::fromJson(clipboardText().toUtf8()).object(),
             (QJsonObject{{QStringLiteral("event"), QStringLiteral("warning")},
                          {QStringLiteral("session"), 2},
                          {QStringLiteral("message"), QStringLiteral("odd frame")}}));
    menuAction(menu.get(), "filterType")->trigger();
    QCOMPARE(pane.filterModel()->typeMask(), quint32(MessageLogFilterModel::NoteBit));
}

void TestLogPane::fieldMenuCopies()
{
    MessageLogModel log;
    appendData(log, 1, 3, "hello, inspector", keyOf(0xab));
    log.flush();
    LogPane pane(&log);
    QVERIFY(pane.selectSourceRow(0));
    QAbstractItemModel *fields = pane.fieldView()->model();
    QModelIndex value;
    const QModelIndex frame = fields->index(0, 0);
    for (int i = 0; i < fields->rowCount(frame); ++i) {
        if (fields->index(i, 0, frame).data().toString() == QStringLiteral("value"))
            value = fields->index(i, 0, frame);
    }
    QVERIFY(value.isValid());
    const QString shown = value.siblingAtColumn(FieldTreeModel::ValueColumn).data().toString();
    QVERIFY(shown.contains(QStringLiteral("hello, inspector")));
    std::unique_ptr<QMenu> menu(pane.createFieldMenu(value));
    menuAction(menu.get(), "copyFieldValue")->trigger();
    QCOMPARE(clipboardText(), shown);
    menuAction(menu.get(), "copyField")->trigger();
    QCOMPARE(clipboardText(), QStringLiteral("value: %1").arg(shown));
    // The field's bytes, as the hex view highlights them.
    menuAction(menu.get(), "copyFieldHex")->trigger();
    const auto offset = value.data(FieldTreeModel::OffsetRole).toLongLong();
    const auto length = value.data(FieldTreeModel::LengthRole).toLongLong();
    QCOMPARE(clipboardText(), QString::fromLatin1(log.plainBytes(0).mid(offset, length).toHex()));
    QVERIFY(clipboardText().endsWith(QString::fromLatin1(QByteArray("hello, inspector").toHex())));
}

QTEST_MAIN(TestLogPane)
#include "tst_logpane.moc"
