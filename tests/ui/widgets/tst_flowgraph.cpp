// FlowGraph: the log drawn as a sequence diagram. Row geometry, selection by mouse and keyboard,
// the log's filters, following new rows, a million rows, and the Flow tab of the real window.
#include "builders.h"
#include "fieldtreemodel.h"
#include "flowgraph.h"
#include "framer.h"
#include "guisettings.h"
#include "logpane.h"
#include "mainwindow.h"
#include "messagelogfilter.h"
#include "messagelogmodel.h"
#include "messages.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QHelpEvent>
#include <QImage>
#include <QScrollBar>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTableView>
#include <QTest>
#include <QToolTip>

using namespace hyperscope;
using namespace hyperscope::test;

namespace {

using WS = MessageLogModel::WireStorage;
using Kind = MessageLogModel::Kind;

Message want(std::uint64_t start)
{
    Message m(std::in_place_type<schema::Want>);
    std::get<schema::Want>(m).set_start(start);
    return m;
}

Message data(std::uint64_t index)
{
    Message m(std::in_place_type<schema::Data>);
    std::get<schema::Data>(m).set_index(index);
    return m;
}

void appendWant(MessageLogModel &log, int session, Direction direction, std::uint64_t start)
{
    const Message m = want(start);
    const Bytes frame = frameOf(1, m);
    log.appendFrame(session, traceOf(frame, direction, &m, 1, 5), WS::SameAsPlain);
}

void appendData(MessageLogModel &log, int session, Direction direction, std::uint64_t index)
{
    const Message m = data(index);
    const Bytes frame = frameOf(1, m);
    log.appendFrame(session, traceOf(frame, direction, &m, 1, 9), WS::SameAsPlain);
}

void appendKeepAlive(MessageLogModel &log, int session, Direction direction)
{
    const Bytes frame = {0};
    log.appendFrame(session, traceOf(frame, direction, nullptr, 0, 0), WS::SameAsPlain);
}

/// A session as the log sees it: the handshake, frames both ways, keepalives and notes.
/// Rows: 0..2 handshake, 3 event, then 4 + 4*i: Want out, Data in, keepalive in, keepalive out,
/// then a warning and an error.
void fill(MessageLogModel &log, int session = 1, int exchanges = 10)
{
    const Bytes hs = {0x20, 1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12, 13, 14, 15, 16,
                      17,   18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32};
    for (int i = 0; i < 3; ++i) {
        HandshakeTrace step;
        step.index = i;
        step.direction = i == 1 ? Direction::Inbound : Direction::Outbound;
        step.tokens = i == 0 ? "e" : i == 1 ? "e, ee, s, es" : "s, se";
        step.wire = hs;
        log.appendHandshake(session, step);
    }
    log.appendNote(session, Kind::Event, Direction::Inbound, 0,
                   QStringLiteral("Handshake complete"));
    for (int i = 0; i < exchanges; ++i) {
        appendWant(log, session, Direction::Outbound, std::uint64_t(i));
        appendData(log, session, Direction::Inbound, std::uint64_t(i));
        appendKeepAlive(log, session, Direction::Inbound);
        appendKeepAlive(log, session, Direction::Outbound);
    }
    log.appendNote(session, Kind::Warning, Direction::Inbound, 7,
                   QStringLiteral("unknown field skipped"));
    log.appendNote(session, Kind::Error, Direction::Inbound, 9, QStringLiteral("frame too large"));
    log.flush();
}

struct Fixture
{
    Fixture()
    {
        log.setFlushInterval(100000); // the tests flush
        filter.setSourceModel(&log);
        graph.setModel(&filter);
        graph.resize(900, 500);
    }
    void show()
    {
        graph.show();
        QVERIFY(QTest::qWaitForWindowExposed(&graph));
        // Filled before it was shown, the graph followed the rows to the bottom: start at the top.
        graph.verticalScrollBar()->setValue(0);
    }
    MessageLogModel log;
    MessageLogFilterModel filter;
    FlowGraph graph;
};

} // namespace

class TestFlowGraph : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void mapsRowsToGeometry();
    void drawsArrowsInTheirDirection();
    void clickingAnArrowSelectsItsRow();
    void keyboardMovesTheSelection();
    void drawsWhatTheFilterShows();
    void numbersSessionsWhenSeveralAreShown();
    void numbersFollowTheLogsSessions();
    void followsNewRowsAtTheBottom();
    void paintsAMillionRowsByTheViewport();
    void mainWindowHasAFlowTabSharingTheSelection();
};

void TestFlowGraph::initTestCase()
{
    useCleanTestSettings(QStringLiteral("tst_flowgraph"));
}

void TestFlowGraph::mapsRowsToGeometry()
{
    Fixture f;
    fill(f.log);
    f.show();
    FlowGraph &g = f.graph;
    const int rows = f.filter.rowCount();
    QCOMPARE(rows, 4 + 40 + 2);
    QVERIFY(g.rowHeight() > g.fontMetrics().height());
    QCOMPARE(g.rowAt(0), -1); // the header
    QCOMPARE(g.rowAt(g.headerHeight() - 1), -1);
    QCOMPARE(g.rowAt(g.headerHeight()), 0);

    // The scroll bar counts rows.
    const QScrollBar *bar = g.verticalScrollBar();
    const int page = (g.viewport()->height() - g.headerHeight()) / g.rowHeight();
    QCOMPARE(bar->pageStep(), page);
    QCOMPARE(bar->maximum(), rows - page);

    for (int row = 0; row < page; ++row) {
        const QRect r = g.rectForRow(row);
        QCOMPARE(r.top(), g.headerHeight() + row * g.rowHeight());
        QCOMPARE(r.height(), g.rowHeight());
        QCOMPARE(g.rowAt(r.top()), row);
        QCOMPARE(g.rowAt(r.center().y()), row);
        QCOMPARE(g.rowAt(r.bottom()), row);
    }
    QVERIFY(g.rectForRow(g.visibleRowCount()).isEmpty()); // below the viewport
    QVERIFY(g.rectForRow(-1).isEmpty());
    QVERIFY(g.rectForRow(rows).isEmpty());

    // Scrolled: the first visible row sits under the header.
    g.verticalScrollBar()->setValue(10);
    QCOMPARE(g.firstVisibleRow(), 10);
    QVERIFY(g.rectForRow(9).isEmpty());
    QCOMPARE(g.rectForRow(10).top(), g.headerHeight());
    QCOMPARE(g.rowAt(g.headerHeight() + 2 * g.rowHeight() + 1), 12);

    // Scrolled to the end: the last row is wholly in view.
    g.verticalScrollBar()->setValue(bar->maximum());
    const QRect last = g.rectForRow(rows - 1);
    QVERIFY(!last.isEmpty());
    QVERIFY(last.bottom() < g.viewport()->height());
    QCOMPARE(g.rowAt(last.bottom() + 1), -1); // nothing after the last row

    QVERIFY(g.leftLifelineX() < g.rightLifelineX());
    QVERIFY(g.rightLifelineX() < g.viewport()->width());
}

void TestFlowGraph::drawsArrowsInTheirDirection()
{
    Fixture f;
    fill(f.log);
    f.show();
    FlowGraph &g = f.graph;
    // Row 4: Want, sent; row 5: Data, received.
    QCOMPARE(g.labelText(4), QStringLiteral("Want · ch 1"));
    QCOMPARE(g.labelText(5), QStringLiteral("Data · ch 1"));
    QCOMPARE(g.labelText(0), QStringLiteral("Handshake 1/3"));
    QCOMPARE(g.labelText(6), QStringLiteral("Keepalive"));

    // The arrow head sits at the receiving lifeline: look for the head's colour just beside it.
    const QImage image = g.viewport()->grab().toImage();
    QCOMPARE(g.lastPaintedRows(), g.visibleRowCount()); // the last one cut by the viewport
    auto inkNear = [&](int row, int x) {
        const QRect r = g.rectForRow(row);
        const int arrowY = r.top() + g.fontMetrics().height() + 9;
        const QColor background = image.pixelColor(x, r.top() + 1);
        int ink = 0;
        for (int dx = 0; dx < 8; ++dx)
            for (int dy = -3; dy <= 3; ++dy)
                if (image.pixelColor(x + dx, arrowY + dy) != background)
                    ++ink;
        return ink;
    };
    const int left = g.leftLifelineX();
    const int right = g.rightLifelineX();
    // Outbound: the head (7 px tall) near the right lifeline, only the thin line at the left.
    QVERIFY2(inkNear(4, right - 12) > inkNear(4, left + 4), "the Want must point right");
    QVERIFY2(inkNear(5, left + 4) > inkNear(5, right - 12), "the Data must point left");
}

void TestFlowGraph::clickingAnArrowSelectsItsRow()
{
    Fixture f;
    fill(f.log);
    f.filter.setShowKeepAlives(false); // proxy rows differ from source rows
    f.show();
    FlowGraph &g = f.graph;
    QSignalSpy activated(&g, &FlowGraph::rowActivated);
    QCOMPARE(g.currentRow(), -1);

    // Proxy row 7 is the second exchange's Data (Want, Data per exchange): source row 4 + 4 + 1.
    const QRect r = g.rectForRow(7);
    QTest::mouseClick(g.viewport(), Qt::LeftButton, {},
                      QPoint(g.leftLifelineX() + 40, r.center().y()));
    QCOMPARE(g.currentRow(), 7);
    QCOMPARE(g.currentSourceRow(), 9);
    QCOMPARE(activated.count(), 1);
    QCOMPARE(activated.at(0).at(0).toInt(), 9);
    QVERIFY(g.selectionModel()->isRowSelected(7, {}));

    // The tooltip is the summary.
    QHelpEvent help(QEvent::ToolTip, r.center(), g.viewport()->mapToGlobal(r.center()));
    QApplication::sendEvent(g.viewport(), &help);
    QTRY_COMPARE(QToolTip::text(), QStringLiteral("index=1"));
    QToolTip::hideText();

    // The header is not a row.
    QTest::mouseClick(g.viewport(), Qt::LeftButton, {}, QPoint(50, 5));
    QCOMPARE(g.currentRow(), 7);
    QCOMPARE(activated.count(), 1);

    // Selecting a source row from outside scrolls to it and highlights it, quietly.
    QVERIFY(g.selectSourceRow(f.log.rowCount() - 5)); // the last Data
    QCOMPARE(g.currentSourceRow(), f.log.rowCount() - 5);
    QVERIFY(!g.rectForRow(g.currentRow()).isEmpty());
    QCOMPARE(activated.count(), 1);
    QVERIFY(!g.selectSourceRow(6)); // a keepalive: filtered out
}

void TestFlowGraph::keyboardMovesTheSelection()
{
    Fixture f;
    fill(f.log);
    f.show();
    FlowGraph &g = f.graph;
    g.setFocus();
    const int rows = f.filter.rowCount();
    QSignalSpy activated(&g, &FlowGraph::rowActivated);
    QTest::keyClick(&g, Qt::Key_Down);
    QCOMPARE(g.currentRow(), 0);
    QTest::keyClick(&g, Qt::Key_Down);
    QCOMPARE(g.currentRow(), 1);
    QTest::keyClick(&g, Qt::Key_Up);
    QCOMPARE(g.currentRow(), 0);
    QTest::keyClick(&g, Qt::Key_Up);
    QCOMPARE(g.currentRow(), 0);
    QTest::keyClick(&g, Qt::Key_PageDown);
    QCOMPARE(g.currentRow(), g.verticalScrollBar()->pageStep());
    QTest::keyClick(&g, Qt::Key_End);
    QCOMPARE(g.currentRow(), rows - 1);
    QVERIFY(!g.rectForRow(rows - 1).isEmpty()); // scrolled into view
    QCOMPARE(g.verticalScrollBar()->value(), g.verticalScrollBar()->maximum());
    QTest::keyClick(&g, Qt::Key_PageUp);
    QCOMPARE(g.currentRow(), rows - 1 - g.verticalScrollBar()->pageStep());
    QVERIFY(!g.rectForRow(g.currentRow()).isEmpty());
    QTest::keyClick(&g, Qt::Key_Home);
    QCOMPARE(g.currentRow(), 0);
    QCOMPARE(g.firstVisibleRow(), 0);
    QCOMPARE(activated.count(), 8);
    QCOMPARE(activated.last().at(0).toInt(), 0);
}

void TestFlowGraph::drawsWhatTheFilterShows()
{
    Fixture f;
    fill(f.log);
    f.show();
    FlowGraph &g = f.graph;
    const int all = f.filter.rowCount();
    const QImage before = g.viewport()->grab().toImage();
    QCOMPARE(g.labelText(6), QStringLiteral("Keepalive"));

    f.filter.setShowKeepAlives(false);
    QCOMPARE(f.filter.rowCount(), all - 20);
    QCOMPARE(g.verticalScrollBar()->maximum(),
             qMax(0, f.filter.rowCount() - g.verticalScrollBar()->pageStep()));
    for (int row = 0; row < f.filter.rowCount(); ++row)
        QVERIFY(g.labelText(row) != QStringLiteral("Keepalive"));
    QCOMPARE(g.labelText(6), QStringLiteral("Want · ch 1"));
    const QImage hidden = g.viewport()->grab().toImage();
    QVERIFY(hidden != before);

    // A type filter: only Data (problems stay visible, as in the log).
    f.filter.setTypeMask(1u << 9);
    int data = 0;
    for (int row = 0; row < f.filter.rowCount(); ++row) {
        const QString label = g.labelText(row);
        if (label.startsWith(QStringLiteral("Data")))
            ++data;
        else
            QVERIFY2(label == QStringLiteral("Warning") || label == QStringLiteral("Error"),
                     qPrintable(label));
    }
    QCOMPARE(data, 10);

    // A text filter.
    f.filter.setTypeMask(MessageLogFilterModel::AllTypes);
    f.filter.setAlwaysShowProblems(false);
    f.filter.setTextFilter(QStringLiteral("start=3"));
    QCOMPARE(f.filter.rowCount(), 1);
    QCOMPARE(g.labelText(0), QStringLiteral("Want · ch 1"));
    QCOMPARE(g.verticalScrollBar()->maximum(), 0);

    // Everything hidden: the graph says so, and has no rows.
    f.filter.setTextFilter(QStringLiteral("no such message"));
    QCOMPARE(g.rowAt(g.headerHeight() + 1), -1);
    g.viewport()->grab();
    QCOMPARE(g.lastPaintedRows(), 0);
}

void TestFlowGraph::numbersSessionsWhenSeveralAreShown()
{
    Fixture f;
    fill(f.log, 1, 2);
    f.show();
    QCOMPARE(f.graph.labelText(4), QStringLiteral("Want · ch 1"));
    fill(f.log, 2, 2);
    QCOMPARE(f.graph.labelText(4), QStringLiteral("#1 Want · ch 1"));
    QVERIFY(f.graph.labelText(f.filter.rowCount() - 1).startsWith(QStringLiteral("#2 ")));
    f.filter.setSessionFilter(2);
    QCOMPARE(f.graph.labelText(4), QStringLiteral("Want · ch 1"));
    const int first = f.graph.rowAt(f.graph.headerHeight());
    QCOMPARE(f.log.record(f.filter.mapToSource(f.filter.index(first, 0)).row()).session, 2);
}

void TestFlowGraph::numbersFollowTheLogsSessions()
{
    // The graph asks the log how many sessions it holds (MessageLogModel::sessions()): a
    // cleared log holds none, and one session logging again is drawn unnumbered.
    Fixture f;
    fill(f.log, 1, 2);
    fill(f.log, 2, 2);
    f.show();
    QCOMPARE(f.log.sessions(), (QList<int>{1, 2}));
    QCOMPARE(f.graph.labelText(4), QStringLiteral("#1 Want · ch 1"));
    f.log.clear();
    fill(f.log, 2, 2);
    QCOMPARE(f.log.sessions(), QList<int>{2});
    QCOMPARE(f.graph.labelText(4), QStringLiteral("Want · ch 1"));
    // Ids past 16 bits are numbered whole.
    fill(f.log, 65536 + 2, 2);
    QCOMPARE(f.graph.labelText(4), QStringLiteral("#2 Want · ch 1"));
    QVERIFY(f.graph.labelText(f.filter.rowCount() - 1).startsWith(QStringLiteral("#65538 ")));
}

void TestFlowGraph::followsNewRowsAtTheBottom()
{
    Fixture f;
    fill(f.log);
    f.show();
    FlowGraph &g = f.graph;
    QScrollBar *bar = g.verticalScrollBar();
    bar->setValue(bar->maximum());
    for (int i = 0; i < 30; ++i)
        appendWant(f.log, 1, Direction::Outbound, 100 + std::uint64_t(i));
    f.log.flush();
    QVERIFY(bar->maximum() > 0);
    QCOMPARE(bar->value(), bar->maximum());
    QVERIFY(!g.rectForRow(f.filter.rowCount() - 1).isEmpty());

    // Scrolled up, it stays where the reader is.
    bar->setValue(3);
    appendWant(f.log, 1, Direction::Outbound, 200);
    f.log.flush();
    QCOMPARE(bar->value(), 3);

    // Auto-scroll off: no following, even at the bottom.
    g.setAutoScroll(false);
    bar->setValue(bar->maximum());
    const int max = bar->maximum();
    for (int i = 0; i < 10; ++i)
        appendWant(f.log, 1, Direction::Outbound, 300);
    f.log.flush();
    QCOMPARE(bar->value(), max);
    g.setAutoScroll(true);
    QCOMPARE(bar->value(), bar->maximum());
}

void TestFlowGraph::paintsAMillionRowsByTheViewport()
{
    constexpr int Count = 1'000'000;
    Fixture f;
    {
        const Message w = want(7);
        const Bytes wantFrame = frameOf(1, w);
        const Message d = data(12345);
        const Bytes dataFrame = frameOf(1, d);
        for (int i = 0; i < Count; ++i) {
            if (i % 2)
                f.log.appendFrame(1, traceOf(dataFrame, Direction::Inbound, &d, 1, 9),
                                  WS::SameAsPlain);
            else
                f.log.appendFrame(1, traceOf(wantFrame, Direction::Outbound, &w, 1, 5),
                                  WS::SameAsPlain);
            if (i % 100000 == 99999)
                f.log.flush();
        }
        f.log.flush();
    }
    QCOMPARE(f.filter.rowCount(), Count);
    f.show();
    FlowGraph &g = f.graph;
    QCOMPARE(g.verticalScrollBar()->maximum(), Count - g.verticalScrollBar()->pageStep());

    QElapsedTimer timer;
    timer.start();
    const QPixmap top = g.grab();
    const qint64 topMs = timer.elapsed();
    QVERIFY(!top.isNull());
    QVERIFY(g.lastPaintedRows() > 0);
    QVERIFY(g.lastPaintedRows() <= g.visibleRowCount());

    timer.restart();
    g.verticalScrollBar()->setValue(Count / 2);
    const QPixmap middle = g.grab();
    const qint64 middleMs = timer.elapsed();
    QVERIFY(g.lastPaintedRows() <= g.visibleRowCount());
    QCOMPARE(g.rowAt(g.headerHeight()), Count / 2);

    g.setFocus();
    QTest::keyClick(&g, Qt::Key_End);
    QCOMPARE(g.currentSourceRow(), Count - 1);
    timer.restart();
    g.grab();
    const qint64 endMs = timer.elapsed();
    QCOMPARE(g.labelText(Count - 1), QStringLiteral("Data · ch 1"));
    qInfo("1M rows: paint top %lld ms, middle %lld ms, end %lld ms, %d rows each", topMs, middleMs,
          endMs, g.lastPaintedRows());
}

void TestFlowGraph::mainWindowHasAFlowTabSharingTheSelection()
{
    MainWindow window;
    window.resize(1200, 800);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QTabWidget *tabs = window.tabs();
    QCOMPARE(tabs->count(), int(MainWindow::TabCount));
    QCOMPARE(int(MainWindow::FlowTab), 4); // after the others: their indices stay
    QCOMPARE(tabs->tabText(MainWindow::FlowTab), QStringLiteral("Flow"));
    FlowGraph *graph = window.flowGraph();
    QVERIFY(graph);
    QVERIFY(tabs->widget(MainWindow::FlowTab)->isAncestorOf(graph)); // with details below
    LogPane *pane = window.logPane();
    QCOMPARE(graph->model(), pane->filterModel());
    QCOMPARE(graph->selectionModel(), pane->logView()->selectionModel());

    MessageLogModel *log = window.logModel();
    fill(*log, 1, 40);
    tabs->setCurrentIndex(MainWindow::FlowTab);
    QTRY_VERIFY(graph->isVisible() && graph->visibleRowCount() > 0); // shown and laid out

    // The log selects: the graph follows and shows it.
    const int row = 4 + 4 * 30 + 1; // a Data far down
    QVERIFY(pane->selectSourceRow(row));
    QCOMPARE(pane->currentSourceRow(), row);
    QCOMPARE(graph->currentSourceRow(), row);
    QVERIFY(!graph->rectForRow(graph->currentRow()).isEmpty());

    // The graph selects: the log (fields and bytes) follows.
    const int proxyRow = graph->firstVisibleRow() + 1;
    const int expected =
        pane->filterModel()->mapToSource(pane->filterModel()->index(proxyRow, 0)).row();
    QTest::mouseClick(graph->viewport(), Qt::LeftButton, {}, graph->rectForRow(proxyRow).center());
    QCOMPARE(graph->currentSourceRow(), expected);
    QCOMPARE(pane->currentSourceRow(), expected);
    QCOMPARE(pane->logView()->currentIndex().row(), proxyRow);
    QVERIFY(pane->fieldModel()->rowCount() > 0);

    // The log's filter bar filters the graph too.
    const int before = graph->verticalScrollBar()->maximum();
    pane->setShowKeepAlives(false);
    QVERIFY(graph->verticalScrollBar()->maximum() < before);
    for (int r = 0; r < pane->filterModel()->rowCount(); ++r)
        QVERIFY(graph->labelText(r) != QStringLiteral("Keepalive"));
}

QTEST_MAIN(TestFlowGraph)
#include "tst_flowgraph.moc"
