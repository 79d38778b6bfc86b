#include "hexview.h"

#include <QApplication>
#include <QClipboard>
#include <QContextMenuEvent>
#include <QFontDatabase>
#include <QMenu>
#include <QPainter>
#include <QScrollBar>

namespace hyperscope {

namespace {
constexpr int Margin = 6;
// Characters between the offset, hex and ASCII columns, and the gap after the 8th byte.
constexpr int OffsetGap = 2;
constexpr int AsciiGap = 2;
constexpr int MiddleGap = 1;
} // namespace

HexView::HexView(QWidget *parent)
    : QAbstractScrollArea(parent)
{
    setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    setFocusPolicy(Qt::StrongFocus);
    setHorizontalScrollBarPolicy(Qt::ScrollBarAsNeeded);
    viewport()->setCursor(Qt::IBeamCursor);
    updateMetrics();
}

void HexView::setBytes(const QByteArray &bytes)
{
    m_bytes = bytes;
    m_highlightOffset = 0;
    m_highlightLength = 0;
    updateMetrics();
    verticalScrollBar()->setValue(0);
    viewport()->update();
}

void HexView::setHighlight(qsizetype offset, qsizetype length)
{
    offset = qBound<qsizetype>(0, offset, m_bytes.size());
    length = qBound<qsizetype>(0, length, m_bytes.size() - offset);
    if (offset == m_highlightOffset && length == m_highlightLength)
        return;
    m_highlightOffset = offset;
    m_highlightLength = length;
    if (length > 0) {
        // Scroll the first highlighted row into view, keeping some context above it.
        const int first = int(offset / m_bytesPerRow);
        const int last = int((offset + length - 1) / m_bytesPerRow);
        const int visible = qMax(1, viewport()->height() / m_lineHeight);
        QScrollBar *bar = verticalScrollBar();
        if (first < bar->value() || last >= bar->value() + visible)
            bar->setValue(qMax(0, first - 1));
    }
    viewport()->update();
}

void HexView::setPlaceholderText(const QString &text)
{
    m_placeholder = text;
    viewport()->update();
}

QString HexView::selectedHex() const
{
    const QByteArray part =
        m_highlightLength > 0 ? m_bytes.mid(m_highlightOffset, m_highlightLength) : m_bytes;
    return QString::fromLatin1(part.toHex(' '));
}

void HexView::updateMetrics()
{
    const QFontMetrics metrics(font());
    m_charWidth = metrics.horizontalAdvance(QLatin1Char('0'));
    m_lineHeight = metrics.height() + 2;
    m_ascent = metrics.ascent() + 1;
    m_offsetDigits = m_bytes.size() > 0xffff ? 8 : 4;
    updateScrollBars();
}

int HexView::rowCount() const
{
    return int((m_bytes.size() + m_bytesPerRow - 1) / m_bytesPerRow);
}

int HexView::hexColumnX(int column) const
{
    const int middle = m_bytesPerRow > 8 && column >= 8 ? MiddleGap : 0;
    const int chars = m_offsetDigits + OffsetGap + column * 3 + middle;
    return Margin + chars * m_charWidth;
}

int HexView::asciiColumnX(int column) const
{
    const int middle = m_bytesPerRow > 8 ? MiddleGap : 0;
    const int chars =
        m_offsetDigits + OffsetGap + m_bytesPerRow * 3 + middle + AsciiGap - 1 + column;
    return Margin + chars * m_charWidth;
}

int HexView::contentWidth(int bytesPerRow) const
{
    const int middle = bytesPerRow > 8 ? MiddleGap : 0;
    const int chars =
        m_offsetDigits + OffsetGap + bytesPerRow * 3 + middle + AsciiGap - 1 + bytesPerRow;
    return 2 * Margin + chars * m_charWidth;
}

void HexView::updateScrollBars()
{
    // A narrow pane (a 1024 px window, the Flow tab's details) shows 8 bytes a row rather than
    // hide the ASCII column behind a horizontal scroll bar.
    const int before = m_bytesPerRow;
    m_bytesPerRow =
        contentWidth(BytesPerRow) <= viewport()->width() ? BytesPerRow : NarrowBytesPerRow;
    if (before != m_bytesPerRow)
        viewport()->update();
    const int visibleRows = qMax(1, viewport()->height() / qMax(1, m_lineHeight));
    verticalScrollBar()->setRange(0, qMax(0, rowCount() - visibleRows));
    verticalScrollBar()->setPageStep(visibleRows);
    horizontalScrollBar()->setRange(0, qMax(0, contentWidth(m_bytesPerRow) - viewport()->width()));
    horizontalScrollBar()->setPageStep(viewport()->width());
}

QSize HexView::sizeHint() const
{
    const int width =
        contentWidth(BytesPerRow) + verticalScrollBar()->sizeHint().width() + 2 * frameWidth();
    return {width, m_lineHeight * 8 + 2 * Margin};
}

QSize HexView::minimumSizeHint() const
{
    return {m_charWidth * 20, m_lineHeight * 3};
}

void HexView::paintEvent(QPaintEvent *)
{
    QPainter painter(viewport());
    const QPalette &pal = palette();
    painter.fillRect(viewport()->rect(), pal.color(QPalette::Base));
    painter.setFont(font());

    if (m_bytes.isEmpty()) {
        painter.setPen(pal.color(QPalette::PlaceholderText));
        painter.drawText(viewport()->rect(), Qt::AlignCenter, m_placeholder);
        return;
    }

    const int dx = -horizontalScrollBar()->value();
    const int firstRow = verticalScrollBar()->value();
    const int visibleRows = viewport()->height() / m_lineHeight + 2;
    const int lastRow = qMin(rowCount(), firstRow + visibleRows);
    const qsizetype hlBegin = m_highlightOffset;
    const qsizetype hlEnd = m_highlightOffset + m_highlightLength;

    const QColor text = pal.color(QPalette::Text);
    QColor dim = text;
    dim.setAlpha(110);
    const QColor highlight = pal.color(QPalette::Highlight);
    const QColor highlightText = pal.color(QPalette::HighlightedText);
    QColor band = pal.color(QPalette::AlternateBase);

    static const char digits[] = "0123456789abcdef";
    for (int row = firstRow; row < lastRow; ++row) {
        const int y = Margin + (row - firstRow) * m_lineHeight;
        if (row % 2)
            painter.fillRect(QRect(0, y, viewport()->width(), m_lineHeight), band);

        const qsizetype rowStart = qsizetype(row) * m_bytesPerRow;
        painter.setPen(dim);
        painter.drawText(Margin + dx, y + m_ascent,
                         QStringLiteral("%1").arg(rowStart, m_offsetDigits, 16, QLatin1Char('0')));

        const int count = int(qMin<qsizetype>(m_bytesPerRow, m_bytes.size() - rowStart));
        for (int col = 0; col < count; ++col) {
            const qsizetype index = rowStart + col;
            const auto byte = static_cast<unsigned char>(m_bytes.at(index));
            const bool highlighted = index >= hlBegin && index < hlEnd;
            const int hx = hexColumnX(col) + dx;
            const int ax = asciiColumnX(col) + dx;
            if (highlighted) {
                // Join neighbouring highlighted bytes into one band, as a text selection would.
                const bool nextHighlighted = index + 1 < hlEnd && col + 1 < count;
                const int hexWidth =
                    nextHighlighted ? hexColumnX(col + 1) - hexColumnX(col) : 2 * m_charWidth;
                painter.fillRect(QRect(hx, y, hexWidth, m_lineHeight), highlight);
                painter.fillRect(QRect(ax, y, m_charWidth, m_lineHeight), highlight);
            }
            painter.setPen(highlighted ? highlightText : text);
            const QChar hex[2] = {QLatin1Char(digits[byte >> 4]), QLatin1Char(digits[byte & 15])};
            painter.drawText(hx, y + m_ascent, QString(hex, 2));
            const bool printable = byte >= 0x20 && byte < 0x7f;
            if (!printable && !highlighted)
                painter.setPen(dim);
            painter.drawText(ax, y + m_ascent,
                             QString(printable ? QLatin1Char(char(byte)) : QLatin1Char('.')));
        }
    }
}

void HexView::resizeEvent(QResizeEvent *event)
{
    QAbstractScrollArea::resizeEvent(event);
    updateScrollBars();
}

qsizetype HexView::byteAt(const QPoint &pos) const
{
    if (m_bytes.isEmpty())
        return -1;
    const int row = verticalScrollBar()->value() + (pos.y() - Margin) / m_lineHeight;
    if (pos.y() < Margin || row >= rowCount())
        return -1;
    const int x = pos.x() + horizontalScrollBar()->value();
    int column = -1;
    for (int col = 0; col < m_bytesPerRow; ++col) {
        if (x >= hexColumnX(col) && x < hexColumnX(col) + 3 * m_charWidth)
            column = col;
        if (x >= asciiColumnX(col) && x < asciiColumnX(col) + m_charWidth)
            column = col;
    }
    if (column < 0)
        return -1;
    const qsizetype index = qsizetype(row) * m_bytesPerRow + column;
    return index < m_bytes.size() ? index : -1;
}

void HexView::mousePressEvent(QMouseEvent *event)
{
    if (event->button() == Qt::LeftButton) {
        const qsizetype index = byteAt(event->position().toPoint());
        if (index >= 0)
            emit byteClicked(index);
    }
    QAbstractScrollArea::mousePressEvent(event);
}

void HexView::keyPressEvent(QKeyEvent *event)
{
    if (event->matches(QKeySequence::Copy)) {
        QApplication::clipboard()->setText(selectedHex());
        return;
    }
    QAbstractScrollArea::keyPressEvent(event);
}

void HexView::contextMenuEvent(QContextMenuEvent *event)
{
    QMenu menu(this);
    QAction *copyHex = menu.addAction(m_highlightLength > 0 ? tr("Copy Highlighted Bytes as Hex")
                                                            : tr("Copy All Bytes as Hex"));
    QAction *copyAll = menu.addAction(tr("Copy Hex Dump"));
    copyHex->setEnabled(!m_bytes.isEmpty());
    copyAll->setEnabled(!m_bytes.isEmpty());
    QAction *chosen = menu.exec(event->globalPos());
    if (chosen == copyHex) {
        QApplication::clipboard()->setText(selectedHex());
    } else if (chosen == copyAll) {
        QString dump;
        for (qsizetype row = 0; row < m_bytes.size(); row += BytesPerRow) {
            const QByteArray part = m_bytes.mid(row, BytesPerRow);
            QString ascii;
            for (char c : part)
                ascii += (c >= 0x20 && c < 0x7f) ? QLatin1Char(c) : QLatin1Char('.');
            dump += QStringLiteral("%1  %2  %3\n")
                        .arg(row, m_offsetDigits, 16, QLatin1Char('0'))
                        .arg(QString::fromLatin1(part.toHex(' ')), -(BytesPerRow * 3 - 1))
                        .arg(ascii);
        }
        QApplication::clipboard()->setText(dump);
    }
}

void HexView::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::FontChange)
        updateMetrics();
    QAbstractScrollArea::changeEvent(event);
}

} // namespace hyperscope
