// The real MainWindow from 1024×640 up (issue 11, item 12): with the demo running, the log's
// Summary column starts inside the visible part of the log, the field tree gets a readable share
// of the detail area (the hex view then shows 8 bytes a row), the type button leaves room for its
// menu arrow, the send form's Send button is not scrolled away, and no caption says "byte(s)".
#include "guisettings.h"
#include "hexpane.h"
#include "hexview.h"
#include "logpane.h"
#include "mainwindow.h"
#include "messagelogmodel.h"
#include "sendmessageform.h"

#include <QApplication>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QStyle>
#include <QTableView>
#include <QTest>
#include <QToolButton>
#include <QTreeView>

using namespace hyperscope;

class TestMainWindowLayout : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void everyPartFits_data();
    void everyPartFits();
};

void TestMainWindowLayout::initTestCase()
{
    hyperscope::test::useCleanTestSettings(QStringLiteral("tst_mainwindowlayout"));
}

void TestMainWindowLayout::everyPartFits_data()
{
    QTest::addColumn<QSize>("size");
    QTest::addColumn<int>("bytesPerRow");
    QTest::newRow("1024x640") << QSize(1024, 640) << int(HexView::NarrowBytesPerRow);
    QTest::newRow("1920x1080") << QSize(1920, 1080) << int(HexView::BytesPerRow);
}

void TestMainWindowLayout::everyPartFits()
{
    QFETCH(QSize, size);
    QFETCH(int, bytesPerRow);
    MainWindow window;
    window.resize(size);
    QString error;
    QVERIFY2(window.startDemo(&error), qPrintable(error));
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    LogPane *pane = window.logPane();
    QTableView *log = pane->logView();
    QTRY_VERIFY_WITH_TIMEOUT(log->model()->rowCount() > 20, 10000);
    log->selectRow(5);
    QApplication::processEvents();

    // The Summary column begins well inside the visible part of the log.
    const int summaryX =
        log->horizontalHeader()->sectionViewportPosition(MessageLogModel::SummaryColumn);
    QVERIFY2(
        summaryX >= 0 && summaryX + 80 <= log->viewport()->width(),
        qPrintable(
            QStringLiteral("Summary at %1 of %2 px").arg(summaryX).arg(log->viewport()->width())));

    // The field tree is not a sliver beside the bytes.
    QTreeView *tree = pane->fieldView();
    const int detail = tree->width() + pane->hexPane()->width();
    QVERIFY2(tree->width() * 3 >= detail,
             qPrintable(QStringLiteral("tree %1 of %2 px").arg(tree->width()).arg(detail)));
    QCOMPARE(pane->hexPane()->plainView()->bytesPerRow(), bytesPerRow);

    // The type button reserves its arrow's width beyond its text.
    auto *types = pane->findChild<QToolButton *>(QStringLiteral("logTypeFilter"));
    QVERIFY(types);
    const int arrow = types->style()->pixelMetric(QStyle::PM_MenuButtonIndicator);
    QVERIFY(types->width() >= types->fontMetrics().horizontalAdvance(types->text()) + arrow);

    // The send form's Send button lies inside the window, not scrolled off its dock.
    QPushButton *send = window.sendForm()->sendButton();
    const QRect sendRect(send->mapTo(&window, QPoint(0, 0)), send->size());
    QVERIFY2(window.rect().contains(sendRect),
             qPrintable(QStringLiteral("Send at %1,%2").arg(sendRect.x()).arg(sendRect.y())));
    QVERIFY(send->visibleRegion().boundingRect().width() == send->width());

    // Byte counts are spelt out.
    for (const QLabel *label : window.findChildren<QLabel *>())
        QVERIFY2(!label->text().contains(QLatin1String("(s)")), qPrintable(label->text()));
}

QTEST_MAIN(TestMainWindowLayout)
#include "tst_mainwindowlayout.moc"
