// The real MainWindow's Analyze and Statistics commands, driven with QTest against the built-in
// demo (two in-process peers over loopback) and a hostile in-process peer: Expert Information
// and its status-bar indicator, Next/Previous Problem, Statistics and the I/O graph. Every count
// the dialogs show is checked against what the log holds.
#include "analysiscommands.h"
#include "demorunner.h"
#include "expertinfodialog.h"
#include "expertinfomodel.h"
#include "guisettings.h"
#include "inspectedsession.h"
#include "iograph.h"
#include "iographdialog.h"
#include "iographseries.h"
#include "logpane.h"
#include "mainwindow.h"
#include "messagelogfilter.h"
#include "messagelogmodel.h"
#include "statisticsdialog.h"
#include "statisticsmodel.h"

#include <QAction>
#include <QCheckBox>
#include <QComboBox>
#include <QLabel>
#include <QMenu>
#include <QMenuBar>
#include <QRadioButton>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QStatusBar>
#include <QTabWidget>
#include <QTableView>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>
#include <QToolButton>
#include <QTreeView>

#include <memory>

using namespace hyperscope;

using Kind = MessageLogModel::Kind;
using Severity = MessageLogModel::Severity;

namespace {

constexpr int Timeout = 30000;

bool isMessage(const MessageLogModel::Record &r)
{
    return r.kind == Kind::Frame || r.kind == Kind::KeepAlive || r.kind == Kind::Handshake;
}

/// What the log holds, counted row by row (what every dialog must agree with).
struct LogCounts
{
    int warnings = 0;
    int errors = 0;
    std::vector<int> problems;
    quint64 messages[2] = {0, 0};
    quint64 bytes[2] = {0, 0};

    LogCounts(MessageLogModel *log, int session = 0)
    {
        log->flush();
        for (int row = 0; row < log->rowCount(); ++row) {
            const MessageLogModel::Record &r = log->record(row);
            if (session && r.session != session)
                continue;
            const Severity severity = log->severity(r);
            if (severity == Severity::Warning || severity == Severity::Error) {
                problems.push_back(row);
                ++(severity == Severity::Error ? errors : warnings);
            }
            if (isMessage(r)) {
                const int d = r.direction() == Direction::Outbound ? 1 : 0;
                ++messages[d];
                bytes[d] += r.bytes.size;
            }
        }
    }
};

/// A peer that answers the first handshake message with a length prefix far beyond any frame
/// size: our session fails with an error line.
struct HostilePeer
{
    QTcpServer server;
    HostilePeer()
    {
        server.listen(QHostAddress::LocalHost);
        QObject::connect(&server, &QTcpServer::newConnection, &server, [this] {
            QTcpSocket *socket = server.nextPendingConnection();
            QObject::connect(socket, &QTcpSocket::readyRead, socket, [socket] {
                socket->readAll();
                socket->write(QByteArray::fromHex("ffffffff0f"));
            });
        });
    }
};

} // namespace

class TestMainWindowAnalysis : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void menusOfferTheAnalysisCommands();
    void expertInformationCountsWhatTheLogHolds();
    void nextProblemSelectsTheNextShownProblem_data();
    void nextProblemSelectsTheNextShownProblem();
    void statisticsCountWhatTheLogHolds();
    void ioGraphDrawsTheCurrentSession();

private:
    /// A window whose demo has run long enough to log warnings in both sessions, then stopped;
    /// with @p withError, also a failed session of its own (an error line).
    std::unique_ptr<MainWindow> demoWindow(bool withError = false);
    HostilePeer m_hostile;
};

void TestMainWindowAnalysis::initTestCase()
{
    hyperscope::test::useCleanTestSettings(QStringLiteral("tst_mainwindowanalysis"));
}

std::unique_ptr<MainWindow> TestMainWindowAnalysis::demoWindow(bool withError)
{
    auto window = std::make_unique<MainWindow>();
    window->resize(1024, 640);
    window->show();
    window->activateWindow();
    if (!QTest::qWaitForWindowActive(window.get()))
        qWarning("the window did not become active");
    if (!window->startDemo())
        return nullptr;
    window->demo()->setInterval(10);
    MessageLogModel *log = window->logModel();
    auto enough = [&] {
        if (window->demo()->cycles() < 3)
            return false;
        log->flush();
        int problems = 0;
        for (int row = 0; row < log->rowCount(); ++row)
            problems += ExpertInfoModel::isProblem(log->severity(log->record(row)));
        return problems >= 6;
    };
    if (!QTest::qWaitFor(enough, Timeout))
        return nullptr;
    window->stopDemo();
    if (!QTest::qWaitFor([&] { return !window->demo() || !window->demo()->isRunning(); }, Timeout))
        return nullptr;
    if (withError) {
        ConnectionOptions options;
        options.timeoutMs = 3000;
        InspectedSession *failed = window->connectToPeer(QStringLiteral("127.0.0.1"),
                                                         m_hostile.server.serverPort(), options);
        if (!QTest::qWaitFor([&] { return failed->state() == InspectedSession::State::Ended; },
                             Timeout))
            return nullptr;
    }
    // Every session over, its last lines logged: from here on the log holds still.
    const auto allEnded = [&] {
        for (InspectedSession *session : window->sessions())
            if (session->state() != InspectedSession::State::Ended)
                return false;
        return true;
    };
    if (!QTest::qWaitFor(allEnded, Timeout))
        return nullptr;
    QTest::qWait(200);
    log->flush();
    return window;
}

void TestMainWindowAnalysis::menusOfferTheAnalysisCommands()
{
    MainWindow window;
    QStringList menus;
    for (QAction *menu : window.menuBar()->actions())
        menus << menu->text();
    QVERIFY2(menus.contains(QStringLiteral("&Analyze")), qPrintable(menus.join(u',')));
    QVERIFY(menus.contains(QStringLiteral("S&tatistics")));
    QCOMPARE(window.action(QStringLiteral("nextProblem"))->shortcut(),
             QKeySequence(Qt::CTRL | Qt::Key_Period));
    QCOMPARE(window.action(QStringLiteral("previousProblem"))->shortcut(),
             QKeySequence(Qt::CTRL | Qt::Key_Comma));
    for (const char *name : {"expertInfo", "statistics", "ioGraph"})
        QVERIFY2(window.action(QLatin1String(name)), name);
    // The indicator says there is nothing yet.
    auto *indicator =
        window.statusBar()->findChild<QToolButton *>(QStringLiteral("statusProblems"));
    QVERIFY(indicator);
    QCOMPARE(indicator->text(), QStringLiteral("No problems"));
}

void TestMainWindowAnalysis::expertInformationCountsWhatTheLogHolds()
{
    std::unique_ptr<MainWindow> window = demoWindow(true);
    QVERIFY(window);
    MessageLogModel *log = window->logModel();
    const LogCounts expected(log);
    QVERIFY(expected.warnings > 0);
    QVERIFY(expected.errors > 0);

    // The status bar says it, and opens the dialog when clicked.
    auto *indicator =
        window->statusBar()->findChild<QToolButton *>(QStringLiteral("statusProblems"));
    QVERIFY(indicator);
    QCOMPARE(indicator->text(), problemCountText(expected.warnings, expected.errors));
    QVERIFY(!window->analysis()->expertInfoDialog());
    QTest::mouseClick(indicator, Qt::LeftButton);
    ExpertInfoDialog *dialog = window->analysis()->expertInfoDialog();
    QVERIFY(dialog);
    QVERIFY(QTest::qWaitForWindowExposed(dialog));
    QVERIFY(!dialog->isModal());
    window->action(QStringLiteral("expertInfo"))->trigger();
    QCOMPARE(window->analysis()->expertInfoDialog(), dialog); // the same one, raised

    // Group counts add up to what the log holds, per severity; every occurrence is a problem
    // row of the log, once.
    const ExpertInfoModel *model = window->analysis()->expertInfo();
    QCOMPARE(model->warningCount(), expected.warnings);
    QCOMPARE(model->errorCount(), expected.errors);
    QCOMPARE(model->problemRows(), expected.problems);
    QAbstractItemModel *shown = dialog->view()->model();
    int warnings = 0;
    int errors = 0;
    std::vector<int> rows;
    for (int g = 0; g < shown->rowCount(); ++g) {
        const QModelIndex group = shown->index(g, 0);
        const int count = shown->rowCount(group);
        QCOMPARE(group.siblingAtColumn(ExpertInfoModel::CountColumn).data().toString(),
                 QString::number(count));
        (group.data(ExpertInfoModel::SeverityRole).toInt() == int(Severity::Error) ? errors
                                                                                   : warnings) +=
            count;
        int previous = -1;
        for (int o = 0; o < count; ++o) {
            const int row = shown->index(o, 0, group).data(ExpertInfoModel::SourceRowRole).toInt();
            QVERIFY2(row > previous, "occurrences are listed in the log's order");
            previous = row;
            rows.push_back(row);
        }
    }
    std::sort(rows.begin(), rows.end());
    QCOMPARE(warnings, expected.warnings);
    QCOMPARE(errors, expected.errors);
    QCOMPARE(rows, expected.problems);
    QVERIFY(dialog->summaryLabel()->text().startsWith(
        problemCountText(expected.warnings, expected.errors)));
    // Errors come first; the demo's unassigned frames have a group of their own.
    QCOMPARE(shown->index(0, 0).data(ExpertInfoModel::SeverityRole).toInt(), int(Severity::Error));
    QVERIFY(
        model->groupIndex(Severity::Warning, QStringLiteral("unassigned frame type")).isValid());

    // Only errors.
    dialog->severityCombo()->setCurrentIndex(1);
    for (int g = 0; g < shown->rowCount(); ++g)
        QCOMPARE(shown->index(g, 0).data(ExpertInfoModel::SeverityRole).toInt(),
                 int(Severity::Error));
    dialog->severityCombo()->setCurrentIndex(0);

    // Double-clicking an occurrence selects its row in the log and shows the Messages tab.
    window->tabs()->setCurrentIndex(MainWindow::FlowTab);
    const QModelIndex lastGroup = shown->index(shown->rowCount() - 1, 0);
    dialog->view()->expand(lastGroup);
    const QModelIndex occurrence = shown->index(shown->rowCount(lastGroup) - 1, 0, lastGroup);
    const int target = occurrence.data(ExpertInfoModel::SourceRowRole).toInt();
    dialog->view()->scrollTo(occurrence);
    const QRect rect = dialog->view()->visualRect(occurrence);
    QVERIFY(rect.isValid());
    // What a double-click sends: press, release, then the double-click and its release.
    QTest::mouseClick(dialog->view()->viewport(), Qt::LeftButton, {}, rect.center());
    QTest::mouseDClick(dialog->view()->viewport(), Qt::LeftButton, {}, rect.center());
    QCOMPARE(window->logPane()->currentSourceRow(), target);
    QCOMPARE(window->tabs()->currentIndex(), int(MainWindow::MessagesTab));
    QCOMPARE(dialog->currentSourceRow(), target);

    // A row the filter hides is not selected; the status bar says why.
    window->logPane()->filterModel()->setSessionFilter(
        log->record(expected.problems.front()).session == 1 ? 2 : 1);
    QVERIFY(!window->analysis()->showRow(expected.problems.front()));
    QVERIFY(window->statusBar()->currentMessage().contains(QStringLiteral("hidden")));
    window->logPane()->filterModel()->setSessionFilter(0);

    // Clearing the log empties the dialog and the indicator.
    window->action(QStringLiteral("clearLog"))->trigger();
    QCOMPARE(shown->rowCount(), 0);
    QCOMPARE(indicator->text(), QStringLiteral("No problems"));
}

void TestMainWindowAnalysis::nextProblemSelectsTheNextShownProblem_data()
{
    QTest::addColumn<QString>("filter");
    QTest::newRow("no filter") << QString();
    QTest::newRow("one session") << QStringLiteral("session");
    QTest::newRow("outbound only") << QStringLiteral("out");
    QTest::newRow("text") << QStringLiteral("text");
}

void TestMainWindowAnalysis::nextProblemSelectsTheNextShownProblem()
{
    QFETCH(QString, filter);
    std::unique_ptr<MainWindow> window = demoWindow();
    QVERIFY(window);
    MessageLogModel *log = window->logModel();
    LogPane *pane = window->logPane();
    MessageLogFilterModel *proxy = pane->filterModel();
    if (filter == QLatin1String("session"))
        proxy->setSessionFilter(window->sessions().at(1)->id());
    else if (filter == QLatin1String("out"))
        proxy->setDirections(false, true);
    else if (filter == QLatin1String("text"))
        proxy->setTextFilter(QStringLiteral("unassigned"));

    // What the keys must visit: the problem rows the filter shows, in order.
    std::vector<int> expected;
    for (const int row : LogCounts(log).problems)
        if (proxy->mapFromSource(log->index(row, 0)).isValid())
            expected.push_back(row);
    QVERIFY2(expected.size() >= 2, qPrintable(QString::number(expected.size())));

    // Start on the first shown row that is not a problem, before the first problem.
    pane->logView()->setCurrentIndex(proxy->index(0, 0));
    const int start = pane->currentSourceRow();
    QVERIFY(start >= 0);
    const auto firstAfter = [&](int row) {
        return *std::upper_bound(expected.begin(), expected.end(), row);
    };
    const int first = start == expected.front() ? expected[1] : firstAfter(start);
    const int second = firstAfter(first);

    window->tabs()->setCurrentIndex(MainWindow::FlowTab);
    pane->logView()->setFocus();
    QTest::keyClick(window.get(), Qt::Key_Period, Qt::ControlModifier);
    QCOMPARE(pane->currentSourceRow(), first);
    QCOMPARE(window->tabs()->currentIndex(), int(MainWindow::MessagesTab));
    QTest::keyClick(window.get(), Qt::Key_Period, Qt::ControlModifier);
    QCOMPARE(pane->currentSourceRow(), second);
    QTest::keyClick(window.get(), Qt::Key_Comma, Qt::ControlModifier);
    QCOMPARE(pane->currentSourceRow(), first);
    QVERIFY(proxy->mapFromSource(log->index(first, 0)) == pane->logView()->currentIndex());

    // At the ends it stays put and says so.
    AnalysisCommands *analysis = window->analysis();
    pane->selectSourceRow(expected.back());
    QVERIFY(!analysis->selectNextProblem());
    QCOMPARE(pane->currentSourceRow(), expected.back());
    QVERIFY(window->statusBar()->currentMessage().contains(QStringLiteral("No further")));
    pane->selectSourceRow(expected.front());
    QVERIFY(!analysis->selectPreviousProblem());
    QCOMPARE(pane->currentSourceRow(), expected.front());
    // From the last row backwards: the last shown problem.
    pane->logView()->setCurrentIndex(proxy->index(proxy->rowCount() - 1, 0));
    if (pane->currentSourceRow() != expected.back()) {
        QVERIFY(analysis->selectPreviousProblem());
        QCOMPARE(pane->currentSourceRow(), expected.back());
    }
}

void TestMainWindowAnalysis::statisticsCountWhatTheLogHolds()
{
    std::unique_ptr<MainWindow> window = demoWindow();
    QVERIFY(window);
    MessageLogModel *log = window->logModel();
    window->action(QStringLiteral("statistics"))->trigger();
    StatisticsDialog *dialog = window->analysis()->statisticsDialog();
    QVERIFY(dialog);
    QVERIFY(dialog->isVisible());
    const StatisticsModel *model = dialog->model();
    const LogCounts all(log);
    const StatisticsModel::Summary &summary = model->summary();
    QCOMPARE(summary.counts.messages[0], all.messages[0]);
    QCOMPARE(summary.counts.messages[1], all.messages[1]);
    QCOMPARE(summary.counts.bytes[0], all.bytes[0]);
    QCOMPARE(summary.counts.bytes[1], all.bytes[1]);
    QCOMPARE(summary.problems, quint64(all.problems.size()));
    QVERIFY2(dialog->summaryLabel()->text().contains(
                 QLocale().toString(all.messages[0] + all.messages[1])),
             qPrintable(dialog->summaryLabel()->text()));

    // One top-level row per session, each with the session's own counts; the demo's channels
    // under it, and the sessions expanded.
    QAbstractItemModel *shown = dialog->view()->model();
    QCOMPARE(shown->rowCount(), window->sessions().size());
    for (int row = 0; row < shown->rowCount(); ++row) {
        const QModelIndex session = shown->index(row, 0);
        const int id = session.data(StatisticsModel::SessionRole).toInt();
        const LogCounts own(log, id);
        QCOMPARE(session.data().toString(), log->sessionLabel(id));
        const auto number = [&](int column) {
            return session.siblingAtColumn(column).data(StatisticsModel::SortRole).toULongLong();
        };
        QCOMPARE(number(StatisticsModel::MessagesInColumn), own.messages[0]);
        QCOMPARE(number(StatisticsModel::MessagesOutColumn), own.messages[1]);
        QCOMPARE(number(StatisticsModel::BytesInColumn), own.bytes[0]);
        QCOMPARE(number(StatisticsModel::BytesOutColumn), own.bytes[1]);
        QVERIFY(shown->rowCount(session) >= 4); // the connection and the demo's three channels
        QVERIFY(dialog->view()->isExpanded(session));
    }

    // Live: clearing the log empties it within a refresh.
    QVERIFY(dialog->liveCheck()->isChecked());
    window->action(QStringLiteral("clearLog"))->trigger();
    QTRY_COMPARE_WITH_TIMEOUT(model->summary().counts.totalMessages(), 0u, 5000);
    QCOMPARE(shown->rowCount(), 0);
}

void TestMainWindowAnalysis::ioGraphDrawsTheCurrentSession()
{
    std::unique_ptr<MainWindow> window = demoWindow();
    QVERIFY(window);
    MessageLogModel *log = window->logModel();
    InspectedSession *current = window->currentSession();
    QVERIFY(current);
    window->action(QStringLiteral("ioGraph"))->trigger();
    IoGraphDialog *dialog = window->analysis()->ioGraphDialog();
    QVERIFY(dialog);
    QVERIFY(QTest::qWaitForWindowExposed(dialog));
    QCOMPARE(dialog->session(), current->id());
    // The session combo lists "All sessions" and every session of the log.
    QCOMPARE(dialog->sessionCombo()->count(), 1 + int(log->sessions().size()));

    const LogCounts own(log, current->id());
    const IoGraphSeries *series = dialog->series();
    QCOMPARE(series->totalMessages(0), own.messages[0]);
    QCOMPARE(series->totalMessages(1), own.messages[1]);
    QCOMPARE(series->totalBytes(0), own.bytes[0]);
    QCOMPARE(series->totalBytes(1), own.bytes[1]);

    // Every interval the dialog offers, in messages and bytes: the buckets add up.
    QCOMPARE(dialog->intervalCombo()->count(), 3);
    for (int i = 0; i < dialog->intervalCombo()->count(); ++i) {
        dialog->intervalCombo()->setCurrentIndex(i);
        QCOMPARE(series->intervalUs(), dialog->intervalCombo()->itemData(i).toLongLong());
        quint64 messages = 0;
        quint64 bytes = 0;
        for (int b = 0; b < series->bucketCount(); ++b) {
            messages += series->value(b, 0, IoGraphSeries::Measure::Messages) +
                        series->value(b, 1, IoGraphSeries::Measure::Messages);
            bytes += series->value(b, 0, IoGraphSeries::Measure::Bytes) +
                     series->value(b, 1, IoGraphSeries::Measure::Bytes);
        }
        QCOMPARE(messages, own.messages[0] + own.messages[1]);
        QCOMPARE(bytes, own.bytes[0] + own.bytes[1]);
    }
    dialog->intervalCombo()->setCurrentIndex(0); // 100 ms
    dialog->bytesButton()->click();
    QCOMPARE(dialog->graph()->measure(), IoGraphSeries::Measure::Bytes);
    QVERIFY(dialog->infoLabel()->text().contains(QStringLiteral("busiest")));

    // All sessions: both peers' messages.
    dialog->setSession(0);
    const LogCounts all(log);
    QCOMPARE(series->totalMessages(0) + series->totalMessages(1),
             all.messages[0] + all.messages[1]);

    // Pointing at the busiest interval shows its values.
    IoGraph *graph = dialog->graph();
    int busiest = 0;
    for (int b = 0; b < series->bucketCount(); ++b)
        if (series->value(b, 0, graph->measure()) + series->value(b, 1, graph->measure()) >
            series->value(busiest, 0, graph->measure()) +
                series->value(busiest, 1, graph->measure()))
            busiest = b;
    const int x = graph->xForBucket(busiest);
    QVERIFY(x >= 0);
    // Through the window, as the platform delivers a pointer move (the widget overload only
    // moves the cursor, which the offscreen platform does not turn into events).
    const QPoint point(x, graph->plotRect().center().y());
    QTest::mouseMove(dialog->windowHandle(), graph->mapTo(dialog, point));
    QTRY_COMPARE(graph->hoveredBucket(), graph->bucketAt(x));
    const IoGraphSeries::Bucket &hovered = series->bucket(graph->hoveredBucket());
    QVERIFY2(graph->hoverText().contains(QStringLiteral("in %1 message").arg(hovered.messages[0])),
             qPrintable(graph->hoverText()));
    QVERIFY(graph->axisMaximum() >= series->peak(IoGraphSeries::Measure::Bytes));
}

QTEST_MAIN(TestMainWindowAnalysis)
#include "tst_mainwindowanalysis.moc"
