// FlowPane: the Flow tab shows what its hint promises. Clicking an arrow shows that message's
// fields (the Messages tab's tree) and bytes below the graph; fields and bytes select each other;
// rows without bytes say so; and the details have room at the smallest window size.
#include "builders.h"
#include "fieldtreemodel.h"
#include "flowgraph.h"
#include "flowpane.h"
#include "guisettings.h"
#include "hexpane.h"
#include "hexview.h"
#include "logpane.h"
#include "mainwindow.h"
#include "messagelogfilter.h"
#include "messagelogmodel.h"
#include "messages.h"

#include <QScrollBar>
#include <QSplitter>
#include <QTabWidget>
#include <QTableView>
#include <QTest>
#include <QTreeView>

using namespace hyperscope;
using namespace hyperscope::test;

namespace {

using WS = MessageLogModel::WireStorage;
using Kind = MessageLogModel::Kind;

/// Rows: 0 handshake 1/3 (out), 1 event, then 2 + 2*i: Want out, Have in.
void fill(MessageLogModel &log, int exchanges = 30)
{
    const Bytes hs = {0x20, 1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12, 13, 14, 15, 16,
                      17,   18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32};
    HandshakeTrace step;
    step.index = 0;
    step.direction = Direction::Outbound;
    step.tokens = "e";
    step.wire = hs;
    log.appendHandshake(1, step);
    log.appendNote(1, Kind::Event, Direction::Inbound, 0, QStringLiteral("Handshake complete"));
    for (int i = 0; i < exchanges; ++i) {
        const Message want = wantOf(std::uint64_t(1000 + i));
        const Bytes wantFrame = frameOf(1, want);
        log.appendFrame(1, traceOf(wantFrame, Direction::Outbound, &want, 1, 5), WS::SameAsPlain);
        const Message have = haveOf(std::uint64_t(i));
        const Bytes haveFrame = frameOf(1, have);
        log.appendFrame(1, traceOf(haveFrame, Direction::Inbound, &have, 1, 7), WS::SameAsPlain);
    }
    log.flush();
}

/// The Flow tab of a real window, shown at @p size with a filled log.
struct Window
{
    explicit Window(QSize size = {1200, 800})
    {
        window.resize(size);
        window.show();
        fill(*window.logModel());
        window.tabs()->setCurrentIndex(MainWindow::FlowTab);
        pane = qobject_cast<FlowPane *>(window.tabs()->widget(MainWindow::FlowTab));
    }
    bool ready()
    {
        return QTest::qWaitForWindowExposed(&window) && pane &&
               QTest::qWaitFor([this] { return graph()->visibleRowCount() > 0; });
    }
    FlowGraph *graph() const { return pane->graph(); }
    /// Clicks the arrow of source row @p sourceRow (scrolled into view first).
    void clickSourceRow(int sourceRow)
    {
        const int row = window.logPane()
                            ->filterModel()
                            ->mapFromSource(window.logModel()->index(sourceRow, 0))
                            .row();
        graph()->scrollToRow(row);
        QTest::mouseClick(graph()->viewport(), Qt::LeftButton, {},
                          graph()->rectForRow(row).center());
    }
    MainWindow window;
    FlowPane *pane = nullptr;
};

/// The field (depth first) whose name is @p name, or an invalid index.
QModelIndex findField(const QAbstractItemModel *model, const QString &name,
                      const QModelIndex &parent = {})
{
    for (int r = 0; r < model->rowCount(parent); ++r) {
        const QModelIndex index = model->index(r, FieldTreeModel::FieldColumn, parent);
        if (index.data().toString() == name)
            return index;
        const QModelIndex inner = findField(model, name, index);
        if (inner.isValid())
            return inner;
    }
    return {};
}

} // namespace

class TestFlowPane : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void flowTabIsThePane();
    void clickingAnArrowShowsItsFieldsAndBytes();
    void fieldsAndBytesSelectEachOther();
    void rowsWithoutBytesSayWhy();
    void hintPointsAtTheDetails();
    void detailsFitTheWindow_data();
    void detailsFitTheWindow();
};

void TestFlowPane::initTestCase()
{
    useCleanTestSettings(QStringLiteral("tst_flowpane"));
}

void TestFlowPane::flowTabIsThePane()
{
    Window w;
    QVERIFY(w.ready());
    QCOMPARE(w.pane->graph(), w.window.flowGraph());
    LogPane *log = w.window.logPane();
    QCOMPARE(w.graph()->model(), log->filterModel());
    QCOMPARE(w.graph()->selectionModel(), log->logView()->selectionModel());
    // The same tree as the Messages tab's: one model, two views.
    QCOMPARE(w.pane->fieldView()->model(), log->fieldModel());
    QVERIFY(w.pane->fieldView() != log->fieldView());
    QVERIFY(w.pane->hexPane() != log->hexPane());
}

void TestFlowPane::clickingAnArrowShowsItsFieldsAndBytes()
{
    Window w;
    QVERIFY(w.ready());
    MessageLogModel *log = w.window.logModel();
    QCOMPARE(w.pane->detailedSourceRow(), -1);
    QVERIFY(w.pane->hexPane()->plainView()->bytes().isEmpty());

    const int wantRow = 2 + 2 * 20; // the Want of start 1020
    w.clickSourceRow(wantRow);
    QCOMPARE(w.graph()->currentSourceRow(), wantRow);
    QCOMPARE(w.pane->detailedSourceRow(), wantRow);
    QCOMPARE(w.window.logPane()->currentSourceRow(), wantRow);
    // Fields: visible in the Flow tab, expanded, and those of the clicked Want.
    QTreeView *tree = w.pane->fieldView();
    QVERIFY(tree->isVisible());
    QVERIFY(tree->model()->rowCount() > 0);
    const QModelIndex start = findField(tree->model(), QStringLiteral("start"));
    QVERIFY(start.isValid());
    QCOMPARE(start.siblingAtColumn(FieldTreeModel::ValueColumn).data().toString(),
             QStringLiteral("1020"));
    QVERIFY(tree->isExpanded(start.parent()));
    // Bytes: the frame's own.
    HexPane *hex = w.pane->hexPane();
    QVERIFY(hex->isVisible());
    QCOMPARE(hex->plainView()->bytes(), log->plainBytes(wantRow));

    // Another arrow, another message.
    const int haveRow = 2 + 2 * 5 + 1;
    w.clickSourceRow(haveRow);
    QCOMPARE(w.pane->detailedSourceRow(), haveRow);
    QCOMPARE(hex->plainView()->bytes(), log->plainBytes(haveRow));
    QVERIFY(findField(tree->model(), QStringLiteral("start")).isValid());
    QCOMPARE(findField(tree->model(), QStringLiteral("start"))
                 .siblingAtColumn(FieldTreeModel::ValueColumn)
                 .data()
                 .toString(),
             QStringLiteral("5"));

    // The Messages tab selecting a row updates the Flow tab's details too.
    QVERIFY(w.window.logPane()->selectSourceRow(wantRow));
    QCOMPARE(w.pane->detailedSourceRow(), wantRow);
    QCOMPARE(hex->plainView()->bytes(), log->plainBytes(wantRow));
}

void TestFlowPane::fieldsAndBytesSelectEachOther()
{
    Window w;
    QVERIFY(w.ready());
    w.clickSourceRow(2);
    QTreeView *tree = w.pane->fieldView();
    HexView *plain = w.pane->hexPane()->plainView();
    const QModelIndex start = findField(tree->model(), QStringLiteral("start"));
    QVERIFY(start.isValid());
    tree->setCurrentIndex(start);
    const qsizetype offset = start.data(FieldTreeModel::OffsetRole).toLongLong();
    const qsizetype length = start.data(FieldTreeModel::LengthRole).toLongLong();
    QVERIFY(length > 0);
    QCOMPARE(plain->highlightOffset(), offset);
    QCOMPARE(plain->highlightLength(), length);

    // A click on a byte of the header selects the field that covers it.
    tree->setCurrentIndex({});
    emit plain->byteClicked(0);
    const QModelIndex chosen = tree->currentIndex();
    QVERIFY(chosen.isValid());
    QVERIFY(chosen != start);
    QCOMPARE(chosen.data(FieldTreeModel::OffsetRole).toLongLong(), 0);
}

void TestFlowPane::rowsWithoutBytesSayWhy()
{
    Window w;
    QVERIFY(w.ready());
    MessageLogModel *log = w.window.logModel();
    HexPane *hex = w.pane->hexPane();
    w.clickSourceRow(0); // handshake 1/3: its bytes, the same on the wire
    QCOMPARE(w.pane->detailedSourceRow(), 0);
    QCOMPARE(hex->plainView()->bytes(), log->plainBytes(0));
    QVERIFY(w.pane->fieldView()->model()->rowCount() > 0);
    w.clickSourceRow(1); // an event
    QCOMPARE(w.pane->detailedSourceRow(), 1);
    QVERIFY(hex->plainView()->bytes().isEmpty());
    QVERIFY(w.pane->fieldView()->model()->rowCount() > 0); // the note, as in the Messages tab

    // The filter hides the selected row: nothing stale stays below the graph.
    w.clickSourceRow(3);
    QVERIFY(!hex->plainView()->bytes().isEmpty());
    w.window.logPane()->filterModel()->setTextFilter(QStringLiteral("no row says this"));
    QCOMPARE(w.pane->detailedSourceRow(), -1);
    QVERIFY(hex->plainView()->bytes().isEmpty());
}

void TestFlowPane::hintPointsAtTheDetails()
{
    Window w;
    QVERIFY(w.ready());
    // The hint says the fields and bytes are below, and they are.
    QVERIFY(FlowGraph::captionText().contains(QStringLiteral("fields and bytes below")));
    const QRect graph(w.graph()->mapTo(w.pane, QPoint(0, 0)), w.graph()->size());
    const QRect tree(w.pane->fieldView()->mapTo(w.pane, QPoint(0, 0)), w.pane->fieldView()->size());
    const QRect hex(w.pane->hexPane()->mapTo(w.pane, QPoint(0, 0)), w.pane->hexPane()->size());
    QVERIFY(tree.top() >= graph.bottom());
    QVERIFY(hex.top() >= graph.bottom());
}

void TestFlowPane::detailsFitTheWindow_data()
{
    QTest::addColumn<QSize>("size");
    QTest::newRow("1024x640") << QSize(1024, 640);
    QTest::newRow("1920x1080") << QSize(1920, 1080);
}

void TestFlowPane::detailsFitTheWindow()
{
    QFETCH(QSize, size);
    Window w(size);
    QVERIFY(w.ready());
    w.clickSourceRow(2);
    const int line = w.pane->fontMetrics().height();
    // Enough arrows to follow a conversation, and a tree with room for a message's fields.
    QVERIFY2(w.graph()->visibleRowCount() >= 5,
             qPrintable(QString::number(w.graph()->visibleRowCount())));
    QVERIFY2(w.pane->fieldView()->height() >= 6 * line,
             qPrintable(QString::number(w.pane->fieldView()->height())));
    QVERIFY(w.pane->hexPane()->plainView()->isVisible());
    // Nothing runs out of the window.
    const QRect inWindow(w.pane->mapTo(&w.window, QPoint(0, 0)), w.pane->size());
    QVERIFY(w.window.rect().contains(inWindow));
}

QTEST_MAIN(TestFlowPane)
#include "tst_flowpane.moc"
