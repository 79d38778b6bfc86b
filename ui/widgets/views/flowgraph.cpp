#include "flowgraph.h"

#include "messagelogfilter.h"
#include "messagelogmodel.h"

#include <QIcon>
#include <QItemSelectionModel>
#include <QKeyEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QPainterPath>
#include <QScrollBar>
#include <QToolTip>

#include <algorithm>
#include <cstdlib>

namespace hyperscope {

namespace {

constexpr int Margin = 8;
constexpr int MinLane = 220;
constexpr int MaxLane = 460;
constexpr int MinSummary = 160;
constexpr int HeadLength = 10;
constexpr int HeadWidth = 5;

// The handshake ladder's colours.
const QColor Accent(21, 101, 192);
const QColor Failed(198, 40, 40);

/// The opaque, darker colour of a translucent row tint: readable as a line on any background.
QColor strongColor(QColor tint)
{
    tint.setAlpha(255);
    return tint.darker(135);
}

} // namespace

FlowGraph::FlowGraph(QWidget *parent)
    : QAbstractScrollArea(parent)
{
    setObjectName(QStringLiteral("flowGraph"));
    setFocusPolicy(Qt::StrongFocus);
    // Many lifelines scroll sideways (the time column stays).
    setHorizontalScrollBarPolicy(Qt::ScrollBarAsNeeded);
    setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOn);
    viewport()->setBackgroundRole(QPalette::Base);
    viewport()->setAutoFillBackground(true);
    viewport()->setMouseTracking(false);
    verticalScrollBar()->setSingleStep(1);
    horizontalScrollBar()->setSingleStep(20);
    updateScrollBar();
}

MessageLogModel *FlowGraph::log() const
{
    return m_model ? m_model->logModel() : nullptr;
}

void FlowGraph::setModel(MessageLogFilterModel *model)
{
    for (const QMetaObject::Connection &c : std::as_const(m_modelConnections))
        disconnect(c);
    m_modelConnections.clear();
    m_model = model;
    m_diagram.setModel(model);
    delete m_ownSelection;
    m_ownSelection = nullptr;
    if (model) {
        auto refresh = [this] {
            updateScrollBar();
            viewport()->update();
        };
        // Rows that went or moved, and changes to the sessions or their endpoints, redraw the
        // lifelines and the lines from scratch; appended rows only add lines.
        auto rebuild = [this] {
            rebuildDiagram();
            updateScrollBar();
            viewport()->update();
        };
        m_modelConnections << connect(model, &QAbstractItemModel::rowsAboutToBeInserted, this,
                                      &FlowGraph::onRowsAboutToBeInserted)
                           << connect(model, &QAbstractItemModel::rowsInserted, this,
                                      &FlowGraph::onRowsInserted)
                           << connect(model, &QAbstractItemModel::rowsRemoved, this, rebuild)
                           << connect(model, &QAbstractItemModel::modelReset, this, rebuild)
                           << connect(model, &QAbstractItemModel::layoutChanged, this, rebuild)
                           << connect(model, &QAbstractItemModel::dataChanged, this, refresh)
                           << connect(model, &QObject::destroyed, this,
                                      [this] { m_diagram.setModel(nullptr); });
        if (MessageLogModel *source = model->logModel()) {
            // The lifelines are the endpoints of the log's sessions; whether rows are numbered
            // by session depends on how many it holds (showsSessionNumbers()); a session can
            // join by its label alone, with no rows.
            m_modelConnections << connect(source, &MessageLogModel::sessionAdded, this, rebuild)
                               << connect(source, &MessageLogModel::sessionsCleared, this, rebuild)
                               << connect(source, &MessageLogModel::sessionEndpointsChanged, this,
                                          rebuild);
        }
        m_ownSelection = new QItemSelectionModel(model, this);
    }
    rebuildDiagram();
    setSelectionModel(m_ownSelection);
}

void FlowGraph::rebuildDiagram()
{
    m_diagram.rebuild();
    m_diagramRows = m_model ? m_model->rowCount() : 0;
    m_boxWidth = -1;
}

void FlowGraph::setSelectionModel(QItemSelectionModel *selection)
{
    for (const QMetaObject::Connection &c : std::as_const(m_selectionConnections))
        disconnect(c);
    m_selectionConnections.clear();
    m_selection = selection;
    if (selection) {
        Q_ASSERT(selection->model() == m_model);
        m_selectionConnections << connect(selection, &QItemSelectionModel::currentChanged, this,
                                          &FlowGraph::onCurrentChanged);
    }
    updateScrollBar();
    viewport()->update();
}

void FlowGraph::setAutoScroll(bool on)
{
    m_autoScroll = on;
    if (on)
        verticalScrollBar()->setValue(verticalScrollBar()->maximum());
}

bool FlowGraph::showsSessionNumbers() const
{
    const MessageLogModel *source = log();
    return source && m_model->sessionFilter() == 0 && source->sessionCount() > 1;
}

// --- Geometry -------------------------------------------------------------------------------

int FlowGraph::rowHeight() const
{
    return fontMetrics().height() + 16;
}

int FlowGraph::headerHeight() const
{
    const int line = fontMetrics().height();
    // Caption, then the lifeline heads (two lines in a box), then a gap.
    return Margin + line + 8 + (2 * line + 10) + 8;
}

int FlowGraph::firstVisibleRow() const
{
    return m_diagram.rowOfLine(verticalScrollBar()->value());
}

int FlowGraph::visibleRowCount() const
{
    const int h = viewport()->height() - headerHeight();
    return h <= 0 ? 0 : (h + rowHeight() - 1) / rowHeight();
}

int FlowGraph::rowAt(int y) const
{
    if (!m_model || y < headerHeight())
        return -1;
    return m_diagram.rowOfLine(verticalScrollBar()->value() + (y - headerHeight()) / rowHeight());
}

QRect FlowGraph::rectForRow(int row) const
{
    const int line = m_diagram.lineOfRow(row);
    if (!m_model || line < 0)
        return {};
    const int offset = line - verticalScrollBar()->value();
    if (offset < 0 || offset >= visibleRowCount())
        return {};
    return {0, headerHeight() + offset * rowHeight(), viewport()->width(), rowHeight()};
}

int FlowGraph::headBoxWidth() const
{
    if (m_boxWidth >= 0)
        return m_boxWidth;
    // Wide enough for every head's title and address, and never narrower than the old fixed
    // heads ("The peer", "(we send →)"), so that a plain session looks as it always did.
    const QFontMetrics fm = fontMetrics();
    QFont bold = font();
    bold.setBold(true);
    const QFontMetrics boldMetrics(bold);
    const bool numbered = showsSessionNumbers();
    int width = fm.horizontalAdvance(tr("(we send →)"));
    for (int i = 0; i < m_diagram.lifelineCount(); ++i)
        width = qMax(width, qMax(boldMetrics.horizontalAdvance(m_diagram.title(i, numbered)),
                                 fm.horizontalAdvance(m_diagram.subtitle(i))));
    m_boxWidth = width + 24;
    return m_boxWidth;
}

FlowGraph::Layout FlowGraph::layout() const
{
    const QFontMetrics fm = fontMetrics();
    Layout l;
    const int width = viewport()->width();
    const int lifelines = lifelineCount();
    l.timeX = Margin;
    l.timeWidth = fm.horizontalAdvance(QStringLiteral("00000.000000")) + 4;
    l.boxWidth = headBoxWidth();
    const int leftX = l.timeX + l.timeWidth + 8 + l.boxWidth / 2;
    const int rest = width - leftX - Margin - l.boxWidth / 2 - 12;
    // Two lifelines take 45% of the width, more of them 60%; a lane is never narrower than the
    // heads (plus a gap) nor, for two, than MinLane. What does not fit scrolls sideways.
    int lane = 0;
    if (lifelines <= 2) {
        lane = qBound(qMax(MinLane, l.boxWidth + 16), rest * 45 / 100, MaxLane);
    } else {
        const int lanes = lifelines - 1;
        lane = qBound(l.boxWidth + 16, rest * 60 / 100 / lanes, MaxLane);
    }
    for (int i = 0; i < lifelines; ++i)
        l.lifelineX.append(leftX + i * lane);
    l.summaryX = l.lifelineX.last() + l.boxWidth / 2 + 12;
    l.summaryWidth = qMax(MinSummary, width - Margin - l.summaryX);
    l.contentWidth = l.summaryX + l.summaryWidth + Margin;
    return l;
}

int FlowGraph::leftLifelineX() const
{
    return lifelineX(0);
}

int FlowGraph::rightLifelineX() const
{
    return lifelineX(lifelineCount() - 1);
}

int FlowGraph::lifelineCount() const
{
    // With no session (yet), the two heads of an empty conversation.
    return qMax(2, m_diagram.lifelineCount());
}

int FlowGraph::lifelineX(int index) const
{
    const Layout l = layout();
    if (index < 0 || index >= l.lifelineX.size())
        return -1;
    return l.lifelineX.at(index) - horizontalScrollBar()->value();
}

QString FlowGraph::lifelineTitle(int index) const
{
    if (index >= 0 && index < m_diagram.lifelineCount())
        return m_diagram.title(index, showsSessionNumbers());
    return index == 0 ? tr("This side") : tr("The peer");
}

QString FlowGraph::lifelineSubtitle(int index) const
{
    if (index >= 0 && index < m_diagram.lifelineCount())
        return m_diagram.subtitle(index);
    return index == 0 ? tr("(we send →)") : tr("(← it sends)");
}

std::pair<int, int> FlowGraph::arrowEnds(int row) const
{
    const MessageLogModel *source = log();
    const int sourceRow = sourceRowOf(row);
    if (!source || sourceRow < 0)
        return {-1, -1};
    return m_diagram.arrowEnds(source->record(sourceRow));
}

int FlowGraph::twinRow(int row) const
{
    const int line = m_diagram.lineOfRow(row);
    if (line < 0)
        return -1;
    const int first = m_diagram.rowOfLine(line);
    return first == row ? m_diagram.twinOfLine(line) : first;
}

QSize FlowGraph::sizeHint() const
{
    return {900, 600};
}

QSize FlowGraph::minimumSizeHint() const
{
    const QFontMetrics fm = fontMetrics();
    const int time = fm.horizontalAdvance(QStringLiteral("00000.000000")) + 4;
    const int box = fm.horizontalAdvance(tr("(we send →)")) + 24;
    return {Margin + time + 8 + box + MinLane + 12 + MinSummary + Margin + 20,
            headerHeight() + 4 * rowHeight()};
}

void FlowGraph::updateScrollBar()
{
    QScrollBar *bar = verticalScrollBar();
    const int lines = m_diagram.lineCount();
    // Whole lines that fit: the last line can be scrolled fully into view.
    const int page = qMax(1, (viewport()->height() - headerHeight()) / rowHeight());
    bar->setPageStep(page);
    bar->setRange(0, qMax(0, lines - page));
    QScrollBar *across = horizontalScrollBar();
    across->setPageStep(viewport()->width());
    across->setRange(0, qMax(0, layout().contentWidth - viewport()->width()));
}

void FlowGraph::resizeEvent(QResizeEvent *event)
{
    QAbstractScrollArea::resizeEvent(event);
    const bool atBottom = verticalScrollBar()->value() >= verticalScrollBar()->maximum();
    updateScrollBar();
    if (atBottom && m_autoScroll)
        verticalScrollBar()->setValue(verticalScrollBar()->maximum());
}

void FlowGraph::changeEvent(QEvent *event)
{
    QAbstractScrollArea::changeEvent(event);
    if (event->type() == QEvent::FontChange || event->type() == QEvent::StyleChange) {
        m_boxWidth = -1;
        updateScrollBar();
        viewport()->update();
    }
}

void FlowGraph::scrollContentsBy(int, int)
{
    viewport()->update();
}

void FlowGraph::onRowsAboutToBeInserted()
{
    const QScrollBar *bar = verticalScrollBar();
    m_stickToBottom = bar->value() >= bar->maximum();
}

void FlowGraph::onRowsInserted(const QModelIndex &, int first, int last)
{
    // The filter appends what the log appends; rows that land elsewhere (a filter that sorts)
    // redraw everything.
    if (first == m_diagramRows) {
        m_diagram.appendRows(first, last);
        m_diagramRows = m_model->rowCount();
    } else {
        rebuildDiagram();
    }
    updateScrollBar();
    if (m_autoScroll && m_stickToBottom)
        verticalScrollBar()->setValue(verticalScrollBar()->maximum());
    viewport()->update();
}

// --- Current row ------------------------------------------------------------------------------

int FlowGraph::currentRow() const
{
    if (!m_selection)
        return -1;
    const QModelIndex current = m_selection->currentIndex();
    return current.isValid() ? current.row() : -1;
}

int FlowGraph::sourceRowOf(int row) const
{
    if (!m_model || row < 0 || row >= m_model->rowCount())
        return -1;
    return m_model->mapToSource(m_model->index(row, 0)).row();
}

int FlowGraph::currentSourceRow() const
{
    return sourceRowOf(currentRow());
}

void FlowGraph::setCurrentRow(int row)
{
    if (!m_model || !m_selection || row < 0 || row >= m_model->rowCount())
        return;
    m_selection->setCurrentIndex(m_model->index(row, 0),
                                 QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    scrollToRow(row);
}

bool FlowGraph::selectSourceRow(int sourceRow)
{
    MessageLogModel *source = log();
    if (!source || sourceRow < 0 || sourceRow >= source->rowCount())
        return false;
    const QModelIndex proxy = m_model->mapFromSource(source->index(sourceRow, 0));
    if (!proxy.isValid())
        return false;
    setCurrentRow(proxy.row());
    return true;
}

void FlowGraph::scrollToRow(int row)
{
    const int line = m_diagram.lineOfRow(row);
    if (!m_model || line < 0)
        return;
    QScrollBar *bar = verticalScrollBar();
    const int page = bar->pageStep();
    const int first = bar->value();
    if (line >= first && line < first + page)
        return; // fully visible
    if (line == first - 1)
        bar->setValue(line);
    else if (line == first + page)
        bar->setValue(line - page + 1);
    else
        bar->setValue(line - page / 2); // far away: centre it
}

void FlowGraph::onCurrentChanged()
{
    const int row = currentRow();
    if (row >= 0)
        scrollToRow(row);
    viewport()->update();
}

void FlowGraph::activate(int row)
{
    if (row < 0)
        return;
    setCurrentRow(row);
    emit rowActivated(sourceRowOf(row));
}

void FlowGraph::mousePressEvent(QMouseEvent *event)
{
    if (event->button() == Qt::LeftButton) {
        activate(rowAt(event->position().toPoint().y()));
        event->accept();
        return;
    }
    QAbstractScrollArea::mousePressEvent(event);
}

void FlowGraph::mouseReleaseEvent(QMouseEvent *event)
{
    // The press did the work; the release belongs to it.
    if (event->button() == Qt::LeftButton) {
        event->accept();
        return;
    }
    QAbstractScrollArea::mouseReleaseEvent(event);
}

void FlowGraph::keyPressEvent(QKeyEvent *event)
{
    // The keys move from arrow to arrow (line to line), not from row to row: the second record
    // of a message is the arrow already selected.
    const int lines = m_diagram.lineCount();
    if (lines == 0) {
        QAbstractScrollArea::keyPressEvent(event);
        return;
    }
    const int current = m_diagram.lineOfRow(currentRow());
    const int first = verticalScrollBar()->value();
    const int page = verticalScrollBar()->pageStep();
    int line = -1;
    switch (event->key()) {
    case Qt::Key_Up:
        line = current < 0 ? lines - 1 : qMax(0, current - 1);
        break;
    case Qt::Key_Down:
        line = current < 0 ? 0 : qMin(lines - 1, current + 1);
        break;
    case Qt::Key_PageUp:
        line = qMax(0, (current < 0 ? first : current) - page);
        break;
    case Qt::Key_PageDown:
        line = qMin(lines - 1, (current < 0 ? first : current) + page);
        break;
    case Qt::Key_Home:
        line = 0;
        break;
    case Qt::Key_End:
        line = lines - 1;
        break;
    default:
        QAbstractScrollArea::keyPressEvent(event);
        return;
    }
    activate(m_diagram.rowOfLine(line));
    event->accept();
}

bool FlowGraph::viewportEvent(QEvent *event)
{
    if (event->type() == QEvent::ToolTip) {
        auto *help = static_cast<QHelpEvent *>(event);
        const int row = rowAt(help->pos().y());
        if (row < 0) {
            QToolTip::hideText();
            event->ignore();
            return true;
        }
        QString tip = m_model->index(row, MessageLogModel::SummaryColumn).data().toString();
        // An arrow both ends logged: who sent it and who received it, when.
        const int twin = twinRow(row);
        if (twin >= 0 && log()) {
            const bool sent = log()->record(sourceRowOf(row)).direction() == Direction::Outbound;
            const int sender = sent ? row : twin;
            const int receiver = sent ? twin : row;
            const auto session = [this](int r) {
                return log()->sessionNumber(log()->record(sourceRowOf(r)).session);
            };
            const auto time = [this](int r) {
                return m_model->index(r, MessageLogModel::TimeColumn).data().toString();
            };
            tip += QLatin1Char('\n') + tr("sent by %1 at %2 s, received by %3 at %4 s")
                                           .arg(session(sender))
                                           .arg(time(sender))
                                           .arg(session(receiver))
                                           .arg(time(receiver));
        }
        QToolTip::showText(help->globalPos(), tip, viewport(), rectForRow(row));
        return true;
    }
    return QAbstractScrollArea::viewportEvent(event);
}

// --- Painting ---------------------------------------------------------------------------------

QString FlowGraph::captionText()
{
    return tr("Each arrow is one message; click one to see its fields and bytes below");
}

QString FlowGraph::labelText(int row) const
{
    MessageLogModel *source = log();
    const int sourceRow = sourceRowOf(row);
    if (!source || sourceRow < 0)
        return {};
    const MessageLogModel::Record &r = source->record(sourceRow);
    QString label = source->typeText(r);
    if (r.kind == MessageLogModel::Kind::Frame) {
        const QString channel =
            m_model->index(row, MessageLogModel::ChannelColumn).data().toString();
        if (!channel.isEmpty())
            label += tr(" · ch %1").arg(channel);
    }
    if (showsSessionNumbers())
        label = QStringLiteral("%1 %2").arg(source->sessionNumber(r.session), label);
    return label;
}

void FlowGraph::paintEvent(QPaintEvent *)
{
    using Kind = MessageLogModel::Kind;
    QPainter p(viewport());
    p.setRenderHint(QPainter::Antialiasing);
    const QPalette &pal = palette();
    const QColor text = pal.color(QPalette::Text);
    QColor dim = text;
    dim.setAlpha(150);
    const QFontMetrics fm = fontMetrics();
    const int line = fm.height();
    QFont bold = font();
    bold.setBold(true);
    const Layout l = layout();
    const int width = viewport()->width();
    const int header = headerHeight();
    m_lastPainted = 0;

    // Lifelines and summaries scroll sideways when they do not fit; the time column stays, and
    // what scrolls is clipped to the right of it.
    const int dx = -horizontalScrollBar()->value();
    const int lifelines = lifelineCount();
    const auto xOf = [&](int index) {
        return l.lifelineX.at(qBound(0, index, int(l.lifelineX.size()) - 1)) + dx;
    };
    const int summaryX = l.summaryX + dx;
    const QRect scrolling(l.timeX + l.timeWidth + 4, 0, width, viewport()->height());

    // The lines first (the header is drawn over them last).
    MessageLogModel *source = log();
    const int lines = m_diagram.lineCount();
    const int firstLine = verticalScrollBar()->value();
    const int lastLine = qMin(lines, firstLine + visibleRowCount()) - 1;
    const int currentLine = m_diagram.lineOfRow(currentRow());
    const bool numbered = showsSessionNumbers();

    // Lifelines, behind everything in the rows.
    p.setClipRect(scrolling);
    p.setPen(QPen(dim, 1.2, Qt::DashLine));
    for (int i = 0; i < lifelines; ++i)
        p.drawLine(xOf(i), header, xOf(i), viewport()->height());
    p.setClipping(false);

    for (int lineIndex = firstLine; lineIndex <= lastLine && source; ++lineIndex) {
        ++m_lastPainted;
        const int row = m_diagram.rowOfLine(lineIndex);
        const QModelIndex index = m_model->index(row, 0);
        const int sourceRow = m_model->mapToSource(index).row();
        const MessageLogModel::Record &r = source->record(sourceRow);
        const QRect rect(0, header + (lineIndex - firstLine) * rowHeight(), width, rowHeight());
        const int arrowY = rect.top() + line + 9;
        const auto cell = [&](int column, int role) {
            return m_model->index(row, column).data(role);
        };
        const bool isNote =
            r.kind == Kind::Warning || r.kind == Kind::Error || r.kind == Kind::Event;
        // A message both ends logged failed when either end says so (the receiver's handshake
        // step can fail where the sender's succeeded).
        const auto failedRecord = [&](const MessageLogModel::Record &record) {
            return (record.flags & MessageLogModel::HandshakeFailed) ||
                   source->severity(record) == MessageLogModel::Severity::Error;
        };
        const int twin = m_diagram.twinOfLine(lineIndex);
        const bool failed =
            failedRecord(r) || (twin >= 0 && failedRecord(source->record(sourceRowOf(twin))));

        // Background: the log's tint for the row, the selection over it.
        const QBrush tint = cell(MessageLogModel::TypeColumn, Qt::BackgroundRole).value<QBrush>();
        if (tint.style() != Qt::NoBrush)
            p.fillRect(rect, tint);
        if (lineIndex == currentLine) {
            QColor highlight = pal.color(QPalette::Highlight);
            highlight.setAlpha(hasFocus() ? 90 : 60);
            p.fillRect(rect, highlight);
            p.setPen(QPen(pal.color(QPalette::Highlight), 1));
            p.setBrush(Qt::NoBrush);
            p.drawRect(QRectF(rect).adjusted(0.5, 0.5, -0.5, -0.5));
        }

        // Foreground: the log's (grey keepalives, red errors), else the palette's.
        const QBrush foreground =
            cell(MessageLogModel::TypeColumn, Qt::ForegroundRole).value<QBrush>();
        const QColor textColor = foreground.style() != Qt::NoBrush ? foreground.color() : text;
        const QFont rowFont = failed || r.kind == Kind::Handshake ? bold : font();

        // Time, right-aligned in its column, level with the arrow (with the box of a note).
        const QRect middle(0, isNote ? rect.center().y() - line / 2 : arrowY - line / 2, 0, line);
        p.setFont(font());
        p.setPen(dim);
        p.drawText(QRect(l.timeX, middle.top(), l.timeWidth, line),
                   Qt::AlignRight | Qt::AlignVCenter,
                   cell(MessageLogModel::TimeColumn, Qt::DisplayRole).toString());

        p.setClipRect(scrolling);
        // Summary, right of the last lifeline.
        const QString summary = cell(MessageLogModel::SummaryColumn, Qt::DisplayRole).toString();
        p.setPen(textColor);
        p.setFont(failed ? bold : font());
        p.drawText(QRect(summaryX, middle.top(), l.summaryWidth, line),
                   Qt::AlignLeft | Qt::AlignVCenter,
                   QFontMetrics(p.font()).elidedText(summary, Qt::ElideRight, l.summaryWidth));

        QString label = labelText(row);
        auto [fromLine, toLine] = m_diagram.arrowEnds(r);
        if (isNote || fromLine < 0) {
            // A note in its connection's lane (a relayed session's own notes span both legs):
            // a box in the log's colours, with its icon.
            QColor fill = tint.style() != Qt::NoBrush ? tint.color() : QColor(158, 158, 158, 35);
            const QColor border = strongColor(fill);
            fill.setAlpha(qMin(255, fill.alpha() + 50));
            auto [leftLine, rightLine] = m_diagram.span(r);
            if (leftLine < 0)
                std::tie(leftLine, rightLine) = std::pair(0, lifelines - 1);
            const QRect box(xOf(leftLine) + 6, rect.top() + 4, xOf(rightLine) - xOf(leftLine) - 12,
                            rect.height() - 8);
            p.setPen(QPen(border, 1.2));
            p.setBrush(fill);
            p.drawRoundedRect(box, 5, 5);
            int textLeft = box.left() + 8;
            const QIcon icon = cell(MessageLogModel::TypeColumn, Qt::DecorationRole).value<QIcon>();
            if (!icon.isNull()) {
                const int size = qMin(16, box.height() - 4);
                icon.paint(&p, QRect(textLeft, box.center().y() - size / 2, size, size));
                textLeft += size + 6;
            }
            QString note = source->noteText(r);
            if (note.isEmpty())
                note = summary;
            // Events say what happened ("#1 Handshake complete"); problems say what they are.
            QString boxText = label + QStringLiteral(": ") + note;
            if (note.isEmpty())
                boxText = label;
            else if (r.kind == Kind::Event)
                boxText = numbered
                              ? QStringLiteral("%1 %2").arg(source->sessionNumber(r.session), note)
                              : note;
            p.setPen(r.kind == Kind::Error ? QColor(183, 28, 28) : text);
            p.setFont(r.kind == Kind::Event ? font() : bold);
            const int textWidth = box.right() - 8 - textLeft;
            p.drawText(QRect(textLeft, box.top(), textWidth, box.height()),
                       Qt::AlignLeft | Qt::AlignVCenter,
                       QFontMetrics(p.font()).elidedText(boxText, Qt::ElideRight, textWidth));
            p.setClipping(false);
            continue;
        }

        // The arrow, from the lifeline that sent the message to the one that received it.
        QColor color;
        Qt::PenStyle style = Qt::SolidLine;
        qreal penWidth = 1.6;
        if (failed) {
            color = Failed;
            penWidth = 2.2;
        } else if (r.kind == Kind::Handshake) {
            color = Accent;
            penWidth = 2.2;
        } else if (r.kind == Kind::KeepAlive) {
            color = QColor(128, 128, 128);
            style = Qt::DashLine;
            penWidth = 1.2;
        } else {
            color = strongColor(tint.style() != Qt::NoBrush ? tint.color() : QColor(120, 120, 120));
        }
        const int fromX = xOf(fromLine);
        const int toX = xOf(toLine);
        const bool rightwards = toX > fromX;
        const int tip = rightwards ? toX - 2 : toX + 2;
        const int dir = rightwards ? -1 : 1;
        const int arrowLeft = std::min(fromX, toX) + 6;
        const int arrowWidth = std::abs(toX - fromX) - 12;
        p.setPen(QPen(color, penWidth, style, Qt::FlatCap));
        p.drawLine(QPointF(fromX - dir * 2, arrowY), QPointF(tip + dir * HeadLength, arrowY));
        QPainterPath head;
        head.moveTo(tip, arrowY);
        head.lineTo(tip + dir * HeadLength, arrowY - HeadWidth);
        head.lineTo(tip + dir * HeadLength, arrowY + HeadWidth);
        head.closeSubpath();
        p.fillPath(head, color);
        // A dot where the message left.
        p.setPen(Qt::NoPen);
        p.setBrush(color);
        p.drawEllipse(QPointF(fromX, arrowY), 2.5, 2.5);
        if (failed && r.kind == Kind::Handshake) {
            const QPoint c((fromX + toX) / 2, arrowY);
            p.setPen(QPen(Failed, 2.5));
            p.drawLine(c + QPoint(-5, -5), c + QPoint(5, 5));
            p.drawLine(c + QPoint(5, -5), c + QPoint(-5, 5));
        }

        // The label above the arrow.
        if (numbered && label.isEmpty())
            label = source->sessionNumber(r.session);
        p.setFont(rowFont);
        p.setPen(r.kind == Kind::KeepAlive ? textColor : failed ? Failed : text);
        p.drawText(QRect(arrowLeft, rect.top() + 3, arrowWidth, line),
                   Qt::AlignHCenter | Qt::AlignVCenter,
                   QFontMetrics(rowFont).elidedText(label, Qt::ElideRight, arrowWidth));
        p.setClipping(false);
    }
    p.setFont(font());

    if (lines == 0) {
        p.setPen(dim);
        p.drawText(QRect(0, header, width, 3 * rowHeight()), Qt::AlignCenter,
                   m_model && m_model->logModel() && m_model->logModel()->rowCount() > 0
                       ? tr("The log's filter hides every message")
                       : tr("No messages yet"));
    }

    // The header: caption and lifeline heads, fixed above the rows.
    const QRect headerRect(0, 0, width, header);
    p.fillRect(headerRect, pal.color(QPalette::Base));
    p.setPen(dim);
    p.drawText(QRect(Margin, Margin, width - 2 * Margin, line), Qt::AlignLeft | Qt::AlignVCenter,
               fm.elidedText(captionText(), Qt::ElideRight, width - 2 * Margin));
    const int boxTop = Margin + line + 8;
    const int boxHeight = 2 * line + 10;
    p.setFont(bold);
    p.setPen(dim);
    p.drawText(QRect(l.timeX, boxTop, l.timeWidth, boxHeight), Qt::AlignRight | Qt::AlignVCenter,
               tr("Time (s)"));
    p.setClipRect(scrolling);
    for (int i = 0; i < lifelines; ++i) {
        const QRect box(xOf(i) - l.boxWidth / 2, boxTop, l.boxWidth, boxHeight);
        p.setPen(QPen(Accent, 1.5));
        p.setBrush(QColor(Accent.red(), Accent.green(), Accent.blue(), 22));
        p.drawRoundedRect(box, 6, 6);
        p.setPen(text);
        p.setFont(bold);
        p.drawText(box.adjusted(0, 5, 0, 0), Qt::AlignHCenter | Qt::AlignTop, lifelineTitle(i));
        p.setFont(font());
        p.setPen(dim);
        p.drawText(box.adjusted(0, 5 + line, 0, 0), Qt::AlignHCenter | Qt::AlignTop,
                   lifelineSubtitle(i));
    }
    p.setFont(bold);
    p.setPen(dim);
    p.drawText(QRect(summaryX, boxTop, l.summaryWidth, boxHeight), Qt::AlignLeft | Qt::AlignVCenter,
               tr("Summary"));
    p.setPen(QPen(dim, 1.2, Qt::DashLine));
    // The lifelines continue under the heads.
    for (int i = 0; i < lifelines; ++i)
        p.drawLine(xOf(i), boxTop + boxHeight, xOf(i), header);
    p.setClipping(false);
    p.setPen(QPen(QColor(dim.red(), dim.green(), dim.blue(), 60), 1));
    p.drawLine(0, header - 1, width, header - 1);
}

MessageLogFilterModel *FlowGraph::model() const
{
    return m_model;
}

} // namespace hyperscope
