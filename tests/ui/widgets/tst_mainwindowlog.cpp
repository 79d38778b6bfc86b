// The message log in the real MainWindow: one keepalive switch for the View menu, the toolbar
// and the filter bar; View › Time Display Format and the Keep problems switch, kept in settings;
// Go to Row (Ctrl+G) through its dialog.
#include "guisettings.h"
#include "logpane.h"
#include "mainwindow.h"
#include "messagelogfilter.h"
#include "messagelogmodel.h"

#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QInputDialog>
#include <QMenu>
#include <QMenuBar>
#include <QStatusBar>
#include <QTableView>
#include <QTest>
#include <QTimer>
#include <QToolBar>
#include <QToolButton>

using namespace hyperscope;

namespace {

/// @p count event rows in session 1, and a keepalive-free log otherwise.
void fillNotes(MessageLogModel &log, int count)
{
    for (int i = 0; i < count; ++i)
        log.appendNote(1, MessageLogModel::Kind::Event, Direction::Inbound, 0,
                       QStringLiteral("event %1").arg(i));
    log.flush();
}

QAction *typeAction(LogPane *pane, const QString &text)
{
    auto *button = pane->findChild<QToolButton *>(QStringLiteral("logTypeFilter"));
    for (QAction *action : button->menu()->actions()) {
        if (action->text() == text)
            return action;
    }
    return nullptr;
}

/// Answers the Go to Row dialog with @p number once it shows (the dialog is modal).
void answerGoToRow(int number)
{
    auto *poll = new QTimer;
    QObject::connect(poll, &QTimer::timeout, poll, [poll, number] {
        auto *dialog = qobject_cast<QInputDialog *>(QApplication::activeModalWidget());
        if (!dialog || dialog->objectName() != QStringLiteral("goToRowDialog"))
            return;
        poll->stop();
        poll->deleteLater();
        dialog->setIntValue(number);
        dialog->accept();
    });
    poll->start(10);
}

} // namespace

class TestMainWindowLog : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void keepAlivesHaveOneSwitch();
    void timeFormatAndProblemsAreRemembered();
    void goToRowSelectsOrSaysWhy();
};

void TestMainWindowLog::initTestCase()
{
    hyperscope::test::useCleanTestSettings(QStringLiteral("tst_mainwindowlog"));
}

void TestMainWindowLog::keepAlivesHaveOneSwitch()
{
    MainWindow window;
    window.show();
    LogPane *pane = window.logPane();
    QAction *view = window.action(QStringLiteral("keepAlives"));
    QVERIFY(view && view->isChecked());
    auto *toolbar = window.findChild<QToolBar *>(QStringLiteral("mainToolBar"));
    auto *button = qobject_cast<QToolButton *>(toolbar->widgetForAction(view));
    QVERIFY(button && button->isChecked());
    auto *box = pane->findChild<QCheckBox *>(QStringLiteral("logKeepAlives"));
    QCOMPARE(pane->keepAlivesAction(), view); // the window's action is the pane's switch

    // All types › Hide All Types, then tick Data: every view of the switch says off.
    typeAction(pane, QStringLiteral("Hide All Types"))->trigger();
    typeAction(pane, QStringLiteral("Data"))->setChecked(true);
    QVERIFY(!pane->filterModel()->showKeepAlives());
    QVERIFY(!box->isChecked());
    QVERIFY(!view->isChecked());
    QVERIFY(!button->isChecked());

    // The toolbar button turns it on: the box and the filter follow.
    button->click();
    QVERIFY(view->isChecked() && box->isChecked() && pane->filterModel()->showKeepAlives());
    // The box turns it off: the View menu and the toolbar follow.
    box->setChecked(false);
    QVERIFY(!view->isChecked() && !button->isChecked());
    view->trigger();
    QVERIFY(box->isChecked() && pane->filterModel()->showKeepAlives());
}

void TestMainWindowLog::timeFormatAndProblemsAreRemembered()
{
    {
        MainWindow window;
        QAction *start = window.action(QStringLiteral("timeSinceSessionStart"));
        QAction *wall = window.action(QStringLiteral("timeWallClock"));
        QVERIFY(start && wall && window.action(QStringLiteral("timeSincePrevious")));
        QVERIFY(start->isChecked());
        QCOMPARE(window.logModel()->timeFormat(), MessageLogModel::TimeFormat::SinceSessionStart);
        // In View › Time Display Format.
        QMenu *viewMenu = nullptr;
        for (QAction *top : window.menuBar()->actions()) {
            if (top->text() == QStringLiteral("&View"))
                viewMenu = top->menu();
        }
        QVERIFY(viewMenu);
        QMenu *formats = nullptr;
        for (QAction *item : viewMenu->actions()) {
            if (item->menu() && item->text() == QStringLiteral("&Time Display Format"))
                formats = item->menu();
        }
        QVERIFY(formats);
        QCOMPARE(formats->actions(), window.actions().timeFormats);

        wall->trigger();
        QCOMPARE(window.logModel()->timeFormat(), MessageLogModel::TimeFormat::WallClock);
        QVERIFY(wall->isChecked() && !start->isChecked());
        fillNotes(*window.logModel(), 1);
        QCOMPARE(window.logPane()
                     ->filterModel()
                     ->index(0, MessageLogModel::TimeColumn)
                     .data()
                     .toString()
                     .size(),
                 12); // hh:mm:ss.zzz
        window.logPane()->setAlwaysShowProblems(true);
        window.close(); // saves the settings
    }
    MainWindow again;
    QCOMPARE(again.logModel()->timeFormat(), MessageLogModel::TimeFormat::WallClock);
    QVERIFY(again.action(QStringLiteral("timeWallClock"))->isChecked());
    QVERIFY(again.logPane()->alwaysShowProblems());
    QVERIFY(
        again.logPane()->findChild<QCheckBox *>(QStringLiteral("logKeepProblems"))->isChecked());
    // Back to the defaults for the other tests.
    again.action(QStringLiteral("timeSinceSessionStart"))->trigger();
    again.logPane()->setAlwaysShowProblems(false);
    again.close();
}

void TestMainWindowLog::goToRowSelectsOrSaysWhy()
{
    MainWindow window;
    window.show();
    QAction *goToRow = window.action(QStringLiteral("goToRow"));
    QVERIFY(goToRow);
    QCOMPARE(goToRow->shortcut(), QKeySequence(Qt::CTRL | Qt::Key_G));
    fillNotes(*window.logModel(), 40);
    LogPane *pane = window.logPane();

    answerGoToRow(25);
    goToRow->trigger(); // returns when the dialog closed
    QCOMPARE(pane->currentSourceRow(), 24);
    QVERIFY(pane->logView()->viewport()->rect().intersects(
        pane->logView()->visualRect(pane->logView()->currentIndex())));

    answerGoToRow(41);
    goToRow->trigger();
    QCOMPARE(pane->currentSourceRow(), 24); // unchanged
    QCOMPARE(window.statusBar()->currentMessage(),
             QStringLiteral("There is no row 41: the log's rows are numbered 1 to 40"));

    pane->filterModel()->setTextFilter(QStringLiteral("event 3"));
    answerGoToRow(2);
    goToRow->trigger();
    QCOMPARE(window.statusBar()->currentMessage(), QStringLiteral("Row 2 is hidden by the filter"));
}

QTEST_MAIN(TestMainWindowLog)
#include "tst_mainwindowlog.moc"
