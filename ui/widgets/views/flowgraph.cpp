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
    setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOn);
    viewport()->setBackgroundRole(QPalette::Base);
    viewport()->setAutoFillBackground(true);
    viewport()->setMouseTracking(false);
    verticalScrollBar()->setSingleStep(1);
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
    delete m_ownSelection;
    m_ownSelection = nullptr;
    if (model) {
        auto refresh = [this] {
            updateScrollBar();
            viewport()->update();
        };
        m_modelConnections << connect(model, &QAbstractItemModel::rowsAboutToBeInserted, this,
                                      &FlowGraph::onRowsAboutToBeInserted)
                           << connect(model, &QAbstractItemModel::rowsInserted, this,
                                      &FlowGraph::onRowsInserted)
                           << connect(model, &QAbstractItemModel::rowsRemoved, this, refresh)
                           << connect(model, &QAbstractItemModel::modelReset, this, refresh)
                           << connect(model, &QAbstractItemModel::layoutChanged, this, refresh)
                           << connect(model, &QAbstractItemModel::dataChanged, this, refresh);
        if (MessageLogModel *source = model->logModel()) {
            // Whether rows are numbered by session depends on how many sessions the log holds
            // (showsSessionNumbers()); a session can join by its label alone, with no rows.
            auto repaint = [this] {
                viewport()->update();
            };
            m_modelConnections << connect(source, &MessageLogModel::sessionAdded, this, repaint)
                               << connect(source, &MessageLogModel::sessionsCleared, this, repaint);
        }
        m_ownSelection = new QItemSelectionModel(model, this);
    }
    setSelectionModel(m_ownSelection);
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
    return verticalScrollBar()->value();
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
    const int row = firstVisibleRow() + (y - headerHeight()) / rowHeight();
    return row < m_model->rowCount() ? row : -1;
}

QRect FlowGraph::rectForRow(int row) const
{
    if (!m_model || row < 0 || row >= m_model->rowCount())
        return {};
    const int offset = row - firstVisibleRow();
    if (offset < 0 || offset >= visibleRowCount())
        return {};
    return {0, headerHeight() + offset * rowHeight(), viewport()->width(), rowHeight()};
}

FlowGraph::Layout FlowGraph::layout() const
{
    const QFontMetrics fm = fontMetrics();
    Layout l;
    const int width = qMax(viewport()->width(), minimumSizeHint().width() - 20);
    l.timeX = Margin;
    l.timeWidth = fm.horizontalAdvance(QStringLiteral("00000.000000")) + 4;
    l.boxWidth =
        qMax(fm.horizontalAdvance(tr("(we send →)")),
             qMax(fm.horizontalAdvance(tr("This side")), fm.horizontalAdvance(tr("The peer"))));
    l.boxWidth += 24;
    l.leftX = l.timeX + l.timeWidth + 8 + l.boxWidth / 2;
    const int rest = width - l.leftX - Margin - l.boxWidth / 2 - 12;
    // Three lifelines need two lanes where two needed one.
    const int lane = lifelineCount() == 3 ? qBound(MinLane, rest * 60 / 100, 2 * MaxLane)
                                          : qBound(MinLane, rest * 45 / 100, MaxLane);
    l.rightX = l.leftX + lane;
    l.summaryX = l.rightX + l.boxWidth / 2 + 12;
    l.summaryWidth = qMax(40, width - Margin - l.summaryX);
    return l;
}

int FlowGraph::leftLifelineX() const
{
    return layout().leftX;
}

int FlowGraph::rightLifelineX() const
{
    return layout().rightX;
}

int FlowGraph::lifelineCount() const
{
    const MessageLogModel *source = log();
    return source && source->hasLegs() ? 3 : 2;
}

int FlowGraph::lifelineX(int index) const
{
    const Layout l = layout();
    if (lifelineCount() == 3 && index == 1)
        return (l.leftX + l.rightX) / 2;
    return index == 0 ? l.leftX : l.rightX;
}

std::pair<int, int> FlowGraph::arrowEnds(int row) const
{
    const MessageLogModel *source = log();
    const int sourceRow = sourceRowOf(row);
    if (!source || sourceRow < 0)
        return {-1, -1};
    const MessageLogModel::Record &r = source->record(sourceRow);
    using Kind = MessageLogModel::Kind;
    if (r.kind == Kind::Warning || r.kind == Kind::Error || r.kind == Kind::Event)
        return {-1, -1};
    const bool outbound = r.direction() == Direction::Outbound;
    if (lifelineCount() == 2)
        return outbound ? std::pair(0, 1) : std::pair(1, 0);
    // Client 0, hyperscope 1, server 2; a session of our own runs between hyperscope and its
    // peer.
    const int peer = r.leg == MessageLogModel::Leg::Client ? 0 : 2;
    return outbound ? std::pair(1, peer) : std::pair(peer, 1);
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
    const int rows = m_model ? m_model->rowCount() : 0;
    // Whole rows that fit: the last row can be scrolled fully into view.
    const int page = qMax(1, (viewport()->height() - headerHeight()) / rowHeight());
    bar->setPageStep(page);
    bar->setRange(0, qMax(0, rows - page));
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

void FlowGraph::onRowsInserted()
{
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
    if (!m_model || row < 0 || row >= m_model->rowCount())
        return;
    QScrollBar *bar = verticalScrollBar();
    const int page = bar->pageStep();
    const int first = bar->value();
    if (row >= first && row < first + page)
        return; // fully visible
    if (row == first - 1)
        bar->setValue(row);
    else if (row == first + page)
        bar->setValue(row - page + 1);
    else
        bar->setValue(row - page / 2); // far away: centre it
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
    const int rows = m_model ? m_model->rowCount() : 0;
    if (rows == 0) {
        QAbstractScrollArea::keyPressEvent(event);
        return;
    }
    const int current = currentRow();
    const int page = verticalScrollBar()->pageStep();
    int row = -1;
    switch (event->key()) {
    case Qt::Key_Up:
        row = current < 0 ? rows - 1 : qMax(0, current - 1);
        break;
    case Qt::Key_Down:
        row = current < 0 ? 0 : qMin(rows - 1, current + 1);
        break;
    case Qt::Key_PageUp:
        row = qMax(0, (current < 0 ? firstVisibleRow() : current) - page);
        break;
    case Qt::Key_PageDown:
        row = qMin(rows - 1, (current < 0 ? firstVisibleRow() : current) + page);
        break;
    case Qt::Key_Home:
        row = 0;
        break;
    case Qt::Key_End:
        row = rows - 1;
        break;
    default:
        QAbstractScrollArea::keyPressEvent(event);
        return;
    }
    activate(row);
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
        const QString tip = m_model->index(row, MessageLogModel::SummaryColumn).data().toString();
        QToolTip::showText(help->globalPos(), tip, viewport(), rectForRow(row));
        return true;
    }
    return QAbstractScrollArea::viewportEvent(event);
}

// --- Painting ---------------------------------------------------------------------------------

QString FlowGraph::captionText()
{
    return tr("Each arrow is one message; click one to see its fields and bytes");
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

    // The rows first (the header is drawn over them last).
    MessageLogModel *source = log();
    const int rows = m_model ? m_model->rowCount() : 0;
    const int first = firstVisibleRow();
    const int last = qMin(rows, first + visibleRowCount()) - 1;
    const int current = currentRow();
    const bool numbered = showsSessionNumbers();
    const int laneLeft = l.leftX + 6;
    const int laneWidth = l.rightX - l.leftX - 12;

    // Lifelines, behind everything in the rows.
    const int lifelines = lifelineCount();
    const int middleX = (l.leftX + l.rightX) / 2;
    const auto xOf = [&](int index) {
        return index == 0 ? l.leftX : (lifelines == 3 && index == 1) ? middleX : l.rightX;
    };
    p.setPen(QPen(dim, 1.2, Qt::DashLine));
    for (int i = 0; i < lifelines; ++i)
        p.drawLine(xOf(i), header, xOf(i), viewport()->height());

    for (int row = first; row <= last && source; ++row) {
        ++m_lastPainted;
        const QModelIndex index = m_model->index(row, 0);
        const int sourceRow = m_model->mapToSource(index).row();
        const MessageLogModel::Record &r = source->record(sourceRow);
        const QRect rect(0, header + (row - first) * rowHeight(), width, rowHeight());
        const int arrowY = rect.top() + line + 9;
        const auto cell = [&](int column, int role) {
            return m_model->index(row, column).data(role);
        };
        const MessageLogModel::Severity severity = source->severity(r);
        const bool isNote =
            r.kind == Kind::Warning || r.kind == Kind::Error || r.kind == Kind::Event;
        const bool failed = (r.flags & MessageLogModel::HandshakeFailed) ||
                            severity == MessageLogModel::Severity::Error;

        // Background: the log's tint for the row, the selection over it.
        const QBrush tint = cell(MessageLogModel::TypeColumn, Qt::BackgroundRole).value<QBrush>();
        if (tint.style() != Qt::NoBrush)
            p.fillRect(rect, tint);
        if (row == current) {
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

        // Summary, right of the peer's lifeline.
        const QString summary = cell(MessageLogModel::SummaryColumn, Qt::DisplayRole).toString();
        p.setPen(textColor);
        p.setFont(failed ? bold : font());
        p.drawText(QRect(l.summaryX, middle.top(), l.summaryWidth, line),
                   Qt::AlignLeft | Qt::AlignVCenter,
                   QFontMetrics(p.font()).elidedText(summary, Qt::ElideRight, l.summaryWidth));

        QString label = labelText(row);
        if (isNote) {
            // A note between the lifelines: a box in the log's colours, with its icon.
            QColor fill = tint.style() != Qt::NoBrush ? tint.color() : QColor(158, 158, 158, 35);
            const QColor border = strongColor(fill);
            fill.setAlpha(qMin(255, fill.alpha() + 50));
            // With three lifelines a leg's note sits in that leg's lane.
            int boxLeft = laneLeft;
            int boxWidth = laneWidth;
            if (lifelines == 3 && r.leg == MessageLogModel::Leg::Client) {
                boxWidth = middleX - l.leftX - 12;
            } else if (lifelines == 3 && r.leg == MessageLogModel::Leg::Server) {
                boxLeft = middleX + 6;
                boxWidth = l.rightX - middleX - 12;
            }
            const QRect box(boxLeft, rect.top() + 4, boxWidth, rect.height() - 8);
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
            continue;
        }

        // The arrow, in the direction the message travelled.
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
        const auto [fromLine, toLine] = arrowEnds(row);
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
    }
    p.setFont(font());

    if (rows == 0) {
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
    auto drawHead = [&](int centerX, const QString &title, const QString &subtitle) {
        const QRect box(centerX - l.boxWidth / 2, boxTop, l.boxWidth, boxHeight);
        p.setPen(QPen(Accent, 1.5));
        p.setBrush(QColor(Accent.red(), Accent.green(), Accent.blue(), 22));
        p.drawRoundedRect(box, 6, 6);
        p.setPen(text);
        p.setFont(bold);
        p.drawText(box.adjusted(0, 5, 0, 0), Qt::AlignHCenter | Qt::AlignTop, title);
        p.setFont(font());
        p.setPen(dim);
        p.drawText(box.adjusted(0, 5 + line, 0, 0), Qt::AlignHCenter | Qt::AlignTop, subtitle);
    };
    if (lifelines == 3) {
        drawHead(l.leftX, tr("Client"), tr("(dialed the relay)"));
        drawHead(middleX, tr("hyperscope"), tr("(the relay)"));
        drawHead(l.rightX, tr("Server"), tr("(upstream)"));
    } else {
        drawHead(l.leftX, tr("This side"), tr("(we send →)"));
        drawHead(l.rightX, tr("The peer"), tr("(← it sends)"));
    }
    p.setFont(bold);
    p.setPen(dim);
    const QRect titles(0, boxTop, 0, boxHeight);
    p.drawText(QRect(l.timeX, titles.top(), l.timeWidth, boxHeight),
               Qt::AlignRight | Qt::AlignVCenter, tr("Time (s)"));
    p.drawText(QRect(l.summaryX, titles.top(), l.summaryWidth, boxHeight),
               Qt::AlignLeft | Qt::AlignVCenter, tr("Summary"));
    p.setPen(QPen(QColor(dim.red(), dim.green(), dim.blue(), 60), 1));
    p.drawLine(0, header - 1, width, header - 1);
    // The lifelines continue under the heads.
    p.setPen(QPen(dim, 1.2, Qt::DashLine));
    for (int i = 0; i < lifelines; ++i)
        p.drawLine(xOf(i), boxTop + boxHeight, xOf(i), header);
}

MessageLogFilterModel *FlowGraph::model() const
{
    return m_model;
}

} // namespace hyperscope
