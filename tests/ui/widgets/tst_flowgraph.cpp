// FlowGraph: the log drawn as a sequence diagram. Row geometry, selection by mouse and keyboard,
// the log's filters, following new rows, a million rows, and the Flow tab of the real window.
#include "builders.h"
#include "fieldtreemodel.h"
#include "flowgraph.h"
#include "framer.h"
#include "guisettings.h"
#include "inspectedpair.h"
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

/// "127.0.0.1:4000|127.0.0.1:51234" → endpoints; "|" → unknown.
MessageLogModel::Endpoints endpointsOf(const QString &spec)
{
    const QStringList parts = spec.split(u'|');
    return {parts.value(0), parts.value(1)};
}

MessageLogModel::Leg legOf(const QString &name)
{
    return name == QLatin1String("client")   ? MessageLogModel::Leg::Client
           : name == QLatin1String("server") ? MessageLogModel::Leg::Server
                                             : MessageLogModel::Leg::None;
}

/// One row from "session leg direction what offset": what is want, keepalive, handshake<N> or
/// event; e.g. "2 none in want 0".
void appendSpec(MessageLogModel &log, const QString &spec)
{
    const QStringList f = spec.split(u' ');
    const int session = f.at(0).toInt();
    const MessageLogModel::Leg leg = legOf(f.at(1));
    const Direction direction =
        f.at(2) == QLatin1String("out") ? Direction::Outbound : Direction::Inbound;
    const QString what = f.at(3);
    const quint64 offset = f.at(4).toULongLong();
    if (what == QLatin1String("event")) {
        log.appendNote(session, Kind::Event, direction, offset, QStringLiteral("something"), leg);
    } else if (what.startsWith(QLatin1String("handshake"))) {
        const Bytes hs = {0x02, 1, 2};
        HandshakeTrace step;
        step.index = what.back().digitValue();
        step.direction = direction;
        step.tokens = "e";
        step.wire = hs;
        log.appendHandshake(session, step, leg);
    } else {
        const Message m = want(offset);
        const Bytes frame = what == QLatin1String("keepalive") ? Bytes{0} : frameOf(1, m);
        FrameTrace t = traceOf(frame, direction, what == QLatin1String("keepalive") ? nullptr : &m);
        t.streamOffset = offset;
        log.appendFrame(session, t, WS::SameAsPlain, {}, leg);
    }
}

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
    void drawsOneLifelinePerEndpoint_data();
    void drawsOneLifelinePerEndpoint();
    void drawsEachMessageOnceBetweenTwoSessionsOfOurs();
    void manyPeersScrollSideways();
    void loopbackPairIsOneConversation();
    void demoIsOneConversationInTheFlowTab();
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

void TestFlowGraph::drawsOneLifelinePerEndpoint_data()
{
    // Endpoints "session leg local|peer"; rows as appendSpec(); then the heads (title, address)
    // left to right, the lines drawn, and each row's arrow "from>to" ("note" for a note).
    QTest::addColumn<QStringList>("endpoints");
    QTest::addColumn<QStringList>("rows");
    QTest::addColumn<QStringList>("titles");
    QTest::addColumn<QStringList>("addresses");
    QTest::addColumn<int>("lines");
    QTest::addColumn<QStringList>("arrows");

    QTest::newRow("a dialed session: ours, then the peer")
        << QStringList{"1 none 127.0.0.1:51234|127.0.0.1:4000"}
        << QStringList{"1 none out want 0", "1 none in want 0", "1 none in event 0"}
        << QStringList{"hyperscope", "peer"} << QStringList{"127.0.0.1:51234", "127.0.0.1:4000"}
        << 3 << QStringList{"0>1", "1>0", "note"};
    QTest::newRow("two sessions of ours talking (the demo): one conversation")
        << QStringList{"1 none 127.0.0.1:51234|127.0.0.1:4000",
                       "2 none 127.0.0.1:4000|127.0.0.1:51234"}
        << QStringList{"1 none out handshake0 0", "2 none in handshake0 0",
                       "2 none out handshake1 0", "1 none in handshake1 0",
                       "1 none out want 0",       "2 none in want 0",
                       "2 none in event 0",       "2 none out keepalive 0",
                       "1 none in keepalive 0",   "1 none out want 9"}
        << QStringList{"hyperscope #1", "hyperscope #2"}
        << QStringList{"127.0.0.1:51234", "127.0.0.1:4000"} << 6
        << QStringList{"0>1", "0>1", "1>0", "1>0", "0>1", "0>1", "note", "1>0", "1>0", "0>1"};
    QTest::newRow("a listener's two peers share our side")
        << QStringList{"1 none 127.0.0.1:4000|127.0.0.1:50001",
                       "2 none 127.0.0.1:4000|127.0.0.1:50002"}
        << QStringList{"1 none in want 0", "2 none in want 0", "2 none out want 0"}
        << QStringList{"hyperscope", "peer #1", "peer #2"}
        << QStringList{"127.0.0.1:4000", "127.0.0.1:50001", "127.0.0.1:50002"} << 3
        << QStringList{"1>0", "2>0", "0>2"};
    QTest::newRow("a relayed session: client, hyperscope, server")
        << QStringList{"1 client 127.0.0.1:5000|127.0.0.1:40001",
                       "1 server 127.0.0.1:40002|127.0.0.1:4000"}
        << QStringList{"1 client in want 0", "1 server out want 0", "1 server in want 0",
                       "1 client out want 0", "1 none in event 0"}
        << QStringList{"client", "hyperscope (relay)", "server"}
        << QStringList{"127.0.0.1:40001", "127.0.0.1:5000", "127.0.0.1:4000"} << 5
        << QStringList{"0>1", "1>2", "2>1", "1>0", "note"};
    QTest::newRow("a relay in front of a listener of ours: three lifelines, each message once")
        << QStringList{"1 client 127.0.0.1:5000|127.0.0.1:40001",
                       "1 server 127.0.0.1:40002|127.0.0.1:4000",
                       "2 none 127.0.0.1:4000|127.0.0.1:40002"}
        << QStringList{"1 client in want 0", "1 server out want 0", "2 none in want 0"}
        << QStringList{"client #1", "hyperscope (relay) #1", "hyperscope #2"}
        << QStringList{"127.0.0.1:40001", "127.0.0.1:5000", "127.0.0.1:4000"} << 2
        << QStringList{"0>1", "1>2", "1>2"};
    QTest::newRow("IPv6 endpoints")
        << QStringList{"1 none [::1]:51234|[::1]:4000", "2 none [::1]:4000|[::1]:51234"}
        << QStringList{"1 none out want 0", "2 none in want 0"}
        << QStringList{"hyperscope #1", "hyperscope #2"} << QStringList{"[::1]:51234", "[::1]:4000"}
        << 1 << QStringList{"0>1", "0>1"};
    QTest::newRow("unknown endpoints (a capture): never merged")
        << QStringList{} << QStringList{"1 none out want 0", "2 none in want 0"}
        << QStringList{"hyperscope", "peer #1", "peer #2"}
        << QStringList{"(this side)", "(address unknown)", "(address unknown)"} << 2
        << QStringList{"0>1", "2>0"};
    QTest::newRow("a relayed capture without endpoints keeps its three lifelines")
        << QStringList{} << QStringList{"1 client in want 0", "1 server out want 0"}
        << QStringList{"client", "hyperscope (relay)", "server"}
        << QStringList{"(address unknown)", "(this side)", "(address unknown)"} << 2
        << QStringList{"0>1", "1>2"};
}

void TestFlowGraph::drawsOneLifelinePerEndpoint()
{
    QFETCH(QStringList, endpoints);
    QFETCH(QStringList, rows);
    QFETCH(QStringList, titles);
    QFETCH(QStringList, addresses);
    QFETCH(int, lines);
    QFETCH(QStringList, arrows);
    Fixture f;
    f.graph.resize(1400, 500);
    for (const QString &spec : std::as_const(endpoints)) {
        const QStringList parts = spec.split(u' ');
        f.log.setSessionEndpoints(parts.at(0).toInt(), endpointsOf(parts.at(2)),
                                  legOf(parts.at(1)));
    }
    for (const QString &spec : std::as_const(rows))
        appendSpec(f.log, spec);
    f.log.flush();
    f.show();
    FlowGraph &g = f.graph;

    QCOMPARE(g.lifelineCount(), titles.size());
    for (int i = 0; i < titles.size(); ++i) {
        QCOMPARE(g.lifelineTitle(i), titles.at(i));
        QCOMPARE(g.lifelineSubtitle(i), addresses.at(i));
        if (i > 0)
            QVERIFY(g.lifelineX(i - 1) < g.lifelineX(i));
    }
    QCOMPARE(g.lineCount(), lines);
    QCOMPARE(g.verticalScrollBar()->maximum(), qMax(0, lines - g.verticalScrollBar()->pageStep()));
    QCOMPARE(f.filter.rowCount(), arrows.size());
    for (int row = 0; row < arrows.size(); ++row) {
        const auto [from, to] = g.arrowEnds(row);
        const QString drawn =
            from < 0 ? QStringLiteral("note") : QStringLiteral("%1>%2").arg(from).arg(to);
        QVERIFY2(drawn == arrows.at(row),
                 qPrintable(QStringLiteral("row %1: %2").arg(row).arg(drawn)));
    }
    // Every line is drawn, and no row is lost: each is a line or the twin of one.
    g.viewport()->grab();
    QCOMPARE(g.lastPaintedRows(), qMin(lines, g.visibleRowCount()));
    for (int row = 0; row < f.filter.rowCount(); ++row)
        QVERIFY(!g.rectForRow(row).isEmpty());
}

void TestFlowGraph::drawsEachMessageOnceBetweenTwoSessionsOfOurs()
{
    Fixture f;
    f.log.setSessionEndpoints(
        1, {QStringLiteral("127.0.0.1:51234"), QStringLiteral("127.0.0.1:4000")});
    f.log.setSessionEndpoints(
        2, {QStringLiteral("127.0.0.1:4000"), QStringLiteral("127.0.0.1:51234")});
    // Rows: 0 sent by #1, 1 its receipt by #2, 2 sent by #2, 3 its receipt by #1, 4 a note.
    for (const char *spec : {"1 none out want 0", "2 none in want 0", "2 none out want 0",
                             "1 none in want 0", "1 none in event 0"})
        appendSpec(f.log, QString::fromLatin1(spec));
    f.log.flush();
    f.show();
    FlowGraph &g = f.graph;
    QCOMPARE(g.lineCount(), 3);
    // The receipt is drawn on its sending's line: the same place, the same arrow.
    QCOMPARE(g.rectForRow(1), g.rectForRow(0));
    QCOMPARE(g.rectForRow(3), g.rectForRow(2));
    QCOMPARE(g.rowAt(g.rectForRow(1).center().y()), 0);
    QCOMPARE(g.twinRow(0), 1);
    QCOMPARE(g.twinRow(1), 0);
    QCOMPARE(g.twinRow(4), -1);
    // The labels say who sent it.
    QCOMPARE(g.labelText(0), QStringLiteral("#1 Want · ch 1"));
    QCOMPARE(g.labelText(2), QStringLiteral("#2 Want · ch 1"));

    // The log selecting the receipt highlights the one arrow; the keys move arrow by arrow.
    QVERIFY(g.selectSourceRow(1));
    QCOMPARE(g.currentRow(), 1);
    g.setFocus();
    QTest::keyClick(&g, Qt::Key_Down);
    QCOMPARE(g.currentRow(), 2);
    QTest::keyClick(&g, Qt::Key_Down);
    QCOMPARE(g.currentRow(), 4);
    QTest::keyClick(&g, Qt::Key_Up);
    QCOMPARE(g.currentRow(), 2);
    // A click selects the arrow's first record.
    QTest::mouseClick(g.viewport(), Qt::LeftButton, {}, g.rectForRow(0).center());
    QCOMPARE(g.currentRow(), 0);

    // The tooltip of a merged arrow says who logged it when.
    const QPoint at = g.rectForRow(0).center();
    QHelpEvent help(QEvent::ToolTip, at, g.viewport()->mapToGlobal(at));
    QApplication::sendEvent(g.viewport(), &help);
    QTRY_VERIFY(QToolTip::text().contains(QStringLiteral("sent by #1")));
    QVERIFY(QToolTip::text().contains(QStringLiteral("received by #2")));
    QToolTip::hideText();

    // Only #2's side: its own rows, every one a line, #1's endpoint is its peer.
    f.filter.setSessionFilter(2);
    QCOMPARE(g.lineCount(), 2);
    QCOMPARE(g.lifelineCount(), 2);
    QCOMPARE(g.lifelineTitle(0), QStringLiteral("hyperscope"));
    QCOMPARE(g.lifelineSubtitle(0), QStringLiteral("127.0.0.1:4000"));
    QCOMPARE(g.lifelineTitle(1), QStringLiteral("peer"));
    QCOMPARE(g.arrowEnds(0), std::pair(1, 0)); // #1's Want, received
    // Rows that arrive later join their twins as they come.
    f.filter.setSessionFilter(0);
    appendSpec(f.log, QStringLiteral("1 none out want 20"));
    f.log.flush();
    QCOMPARE(g.lineCount(), 4);
    appendSpec(f.log, QStringLiteral("2 none in want 20"));
    f.log.flush();
    QCOMPARE(g.lineCount(), 4);
    QCOMPARE(g.rectForRow(6), g.rectForRow(5));
}

void TestFlowGraph::manyPeersScrollSideways()
{
    // A listener's thirty peers: thirty-one lifelines, more than fit; they scroll sideways.
    Fixture f;
    for (int i = 1; i <= 30; ++i) {
        f.log.setSessionEndpoints(
            i, {QStringLiteral("127.0.0.1:4000"), QStringLiteral("10.0.0.%1:50000").arg(i)});
        appendSpec(f.log, QStringLiteral("%1 none in want 0").arg(i));
    }
    f.log.flush();
    f.show();
    FlowGraph &g = f.graph;
    QCOMPARE(g.lifelineCount(), 31);
    QCOMPARE(g.lifelineTitle(0), QStringLiteral("hyperscope"));
    QCOMPARE(g.lifelineTitle(30), QStringLiteral("peer #30"));
    QCOMPARE(g.arrowEnds(29), std::pair(30, 0));
    QScrollBar *across = g.horizontalScrollBar();
    QVERIFY(across->maximum() > 0);
    QVERIFY(g.lifelineX(30) > g.viewport()->width());
    const int before = g.lifelineX(0);
    across->setValue(across->maximum());
    QCOMPARE(g.lifelineX(0), before - across->maximum());
    QVERIFY(g.lifelineX(30) < g.viewport()->width());
    // Rows are still where they were: scrolling sideways moves no row.
    QCOMPARE(g.rowAt(g.headerHeight()), 0);
    g.viewport()->grab();
    QCOMPARE(g.lastPaintedRows(), qMin(30, g.visibleRowCount()));
}

void TestFlowGraph::loopbackPairIsOneConversation()
{
    // Two real sessions of one process over loopback (the demo's situation), logging into one
    // log: each session tells the log its endpoints, and the graph draws one conversation.
    InspectedPair pair;
    QVERIFY(pair.open());
    QVERIFY(pair.establish(Key32{7}));
    pair.log.flush();
    MessageLogFilterModel filter;
    filter.setSourceModel(&pair.log);
    FlowGraph g;
    g.setModel(&filter);
    g.resize(1200, 600);
    const int dialer = pair.dialer->id();
    const int accepted = pair.accepted->id();
    const MessageLogModel::Endpoints d = pair.log.sessionEndpoints(dialer);
    const MessageLogModel::Endpoints a = pair.log.sessionEndpoints(accepted);
    QVERIFY(d.local.startsWith(QStringLiteral("127.0.0.1:")));
    QCOMPARE(d.peer, QStringLiteral("127.0.0.1:%1").arg(pair.server.port()));
    QCOMPARE(a.local, d.peer);
    QCOMPARE(a.peer, d.local);

    QCOMPARE(g.lifelineCount(), 2);
    QCOMPARE(g.lifelineSubtitle(0), d.local); // the dialer logged first
    QCOMPARE(g.lifelineSubtitle(1), d.peer);
    // Every frame both logged is one arrow; each handshake message is drawn once.
    int handshakeLines = 0;
    int arrowRows = 0;
    for (int row = 0; row < filter.rowCount(); ++row) {
        const auto &r = pair.log.record(filter.mapToSource(filter.index(row, 0)).row());
        if (g.arrowEnds(row).first < 0)
            continue;
        ++arrowRows;
        QVERIFY2(g.twinRow(row) >= 0, qPrintable(g.labelText(row)));
        if (r.kind == Kind::Handshake && g.twinRow(row) > row)
            ++handshakeLines;
    }
    QCOMPARE(handshakeLines, 3);
    QCOMPARE(g.lineCount(), filter.rowCount() - arrowRows / 2);
}

void TestFlowGraph::demoIsOneConversationInTheFlowTab()
{
    // The steps: the demo, the Flow tab, "All sessions".
    MainWindow window;
    window.resize(1200, 800);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QVERIFY(window.startDemo());
    window.logPane()->setSessionFilter(0);
    window.tabs()->setCurrentIndex(MainWindow::FlowTab);
    FlowGraph *g = window.flowGraph();
    MessageLogModel *log = window.logModel();
    const auto handshakeArrows = [&] {
        int arrows = 0;
        for (int row = 0; row < g->model()->rowCount(); ++row) {
            const int source = g->model()->mapToSource(g->model()->index(row, 0)).row();
            // An arrow is drawn for the first of a message's records.
            if (log->record(source).kind == Kind::Handshake &&
                (g->twinRow(row) < 0 || g->twinRow(row) > row))
                ++arrows;
        }
        return arrows;
    };
    QTRY_VERIFY_WITH_TIMEOUT(
        log->sessionCount() == 2 && handshakeArrows() == 3 && g->lineCount() > 10, 10000);
    QCOMPARE(g->lifelineCount(), 2);
    QCOMPARE(g->lifelineTitle(0).left(10), QStringLiteral("hyperscope"));
    QCOMPARE(g->lifelineTitle(1).left(10), QStringLiteral("hyperscope"));
    QVERIFY(g->lineCount() < g->model()->rowCount());
}

QTEST_MAIN(TestFlowGraph)
#include "tst_flowgraph.moc"
