#include "blockmap.h"

#include <QElapsedTimer>
#include <QHelpEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QToolTip>

#include <algorithm>
#include <cstring>

namespace hyperscope {

namespace {

constexpr int MaxCell = 32; ///< a small feed's cells
constexpr int MinCell = 3;  ///< three pixel rows: one for the remote, two for our side
constexpr int Margin = 6;

/// Blocks of @p ranges within @p window (both inclusive).
std::uint64_t countWithin(const feed::BlockRanges &ranges, const feed::BlockRange &window)
{
    std::uint64_t count = 0;
    for (const feed::BlockRange &range : ranges) {
        const std::uint64_t first = std::max(range.first, window.first);
        const std::uint64_t last = std::min(range.last, window.last);
        if (first <= last)
            count += last - first + 1;
    }
    return count;
}

} // namespace

BlockMap::BlockMap(QWidget *parent)
    : QWidget(parent)
{
    setMouseTracking(true);
    setMinimumSize(160, 80);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
}

QColor BlockMap::colour(Layer layer)
{
    switch (layer) {
    case RemoteHas:
        return QColor(96, 125, 139); // blue grey
    case LocalHas:
        return QColor(144, 202, 249); // light blue
    case Wanted:
        return QColor(255, 224, 130); // pale amber
    case Requested:
        return QColor(255, 152, 0); // orange
    case Received:
        return QColor(129, 199, 132); // pale green
    case Verified:
        return QColor(46, 125, 50); // green
    case Failed:
        return QColor(198, 40, 40); // red
    case LayerCount:
        break;
    }
    return {};
}

QString BlockMap::layerName(Layer layer)
{
    switch (layer) {
    case RemoteHas:
        return tr("remote has");
    case LocalHas:
        return tr("we have");
    case Wanted:
        return tr("wanted");
    case Requested:
        return tr("requested");
    case Received:
        return tr("received");
    case Verified:
        return tr("verified");
    case Failed:
        return tr("failed");
    case LayerCount:
        break;
    }
    return {};
}

void BlockMap::setLayerName(Layer layer, const QString &name)
{
    m_names[std::size_t(layer)] = name;
    update();
}

QString BlockMap::shownName(Layer layer) const
{
    const QString &name = m_names[std::size_t(layer)];
    return name.isEmpty() ? layerName(layer) : name;
}

void BlockMap::setBlocks(std::uint64_t length, const Layers &layers)
{
    m_length = length;
    m_layers = layers;
    // Counted once here, not per paint: the legend is laid out several times a paint, and a
    // hostile peer's layers hold up to RangeSet::MaxRanges ranges each.
    for (int layer = 0; layer < LayerCount; ++layer)
        m_counts[std::size_t(layer)] =
            length > 0 ? countWithin(m_layers[std::size_t(layer)], {0, length - 1}) : 0;
    m_dirty = true;
    layout();
    update();
}

void BlockMap::clear()
{
    setBlocks(0, {});
}

QStringList BlockMap::legendTexts() const
{
    QStringList texts;
    for (int layer = 0; layer < LayerCount; ++layer)
        texts << QStringLiteral("%1 %2")
                     .arg(shownName(Layer(layer)))
                     .arg(m_counts[std::size_t(layer)]);
    if (m_length > 0)
        texts << (m_perCell == 1 ? tr("%1 blocks").arg(m_length)
                                 : tr("%1 blocks, %2 per cell").arg(m_length).arg(m_perCell));
    return texts;
}

std::vector<QPoint> BlockMap::legendPositions(int *height) const
{
    // Swatch and text per item, wrapped onto as many lines as the width needs.
    const QFontMetrics metrics = fontMetrics();
    const int swatch = metrics.height() - 4;
    std::vector<QPoint> positions;
    int x = Margin;
    int y = Margin;
    for (const QString &text : legendTexts()) {
        const int width = swatch + 4 + metrics.horizontalAdvance(text) + 12;
        if (x > Margin && x + width > this->width() - Margin) {
            x = Margin;
            y += metrics.height() + 2;
        }
        positions.emplace_back(x, y);
        x += width;
    }
    if (height)
        *height = y + metrics.height() + Margin;
    return positions;
}

int BlockMap::legendHeight() const
{
    int height = 0;
    legendPositions(&height);
    return height;
}

int BlockMap::gutterWidth() const
{
    // Room for the first block of the last row: "999990".
    return fontMetrics().horizontalAdvance(QString::number(m_length)) + 8;
}

QRect BlockMap::mapRect() const
{
    return rect().adjusted(Margin + gutterWidth(), legendHeight(), -Margin, -Margin);
}

void BlockMap::layout()
{
    const QRect area = mapRect();
    const int width = std::max(1, area.width());
    const int height = std::max(1, area.height());
    m_perCell = 1;
    m_cell = MinCell;
    // The largest cell with which every block gets a cell of its own...
    // Rows hold a multiple of 8 blocks when they can: a bitfield's bytes, easy to count along.
    auto columnsFor = [width](int cell) {
        const int columns = std::max(1, width / cell);
        return columns >= 8 ? columns - columns % 8 : columns;
    };
    for (int cell = MaxCell; cell >= MinCell; --cell) {
        const std::uint64_t cells = std::uint64_t(columnsFor(cell)) * std::uint64_t(height / cell);
        if (cells >= m_length) {
            m_cell = cell;
            break;
        }
    }
    m_columns = columnsFor(m_cell);
    // ... or, when none, the smallest cells, each covering a run of blocks.
    const std::uint64_t capacity =
        std::uint64_t(m_columns) * std::uint64_t(std::max(1, height / m_cell));
    // (Divisions rounded up without m_length + n − 1: a hostile Have can make it near 2^64.)
    if (m_length > capacity)
        m_perCell = m_length / capacity + (m_length % capacity != 0);
    const std::uint64_t cells = m_length / m_perCell + (m_length % m_perCell != 0);
    m_rows = int((cells + std::uint64_t(m_columns) - 1) / std::uint64_t(m_columns));
    m_dirty = true;
}

void BlockMap::rasterise()
{
    QElapsedTimer timer;
    timer.start();
    m_dirty = false;
    if (m_length == 0 || m_rows == 0) {
        m_image = QImage();
        return;
    }
    const std::uint64_t cells = m_length / m_perCell + (m_length % m_perCell != 0);
    // One bit per layer per cell, set by a pass over each layer's ranges.
    std::vector<std::uint8_t> masks(std::size_t(cells), 0);
    for (int layer = 0; layer < LayerCount; ++layer) {
        for (const feed::BlockRange &range : m_layers[std::size_t(layer)]) {
            if (range.first >= m_length)
                continue;
            const std::uint64_t last = std::min(range.last, m_length - 1);
            for (std::uint64_t cell = range.first / m_perCell; cell <= last / m_perCell; ++cell)
                masks[std::size_t(cell)] |= std::uint8_t(1u << layer);
        }
    }
    std::array<QRgb, LayerCount> colours{};
    for (int layer = 0; layer < LayerCount; ++layer)
        colours[std::size_t(layer)] = colour(Layer(layer)).rgb();
    const QRgb none = QColor(224, 224, 224).rgb();
    const QRgb remoteNone = QColor(238, 238, 238).rgb();

    // The image is painted 1:1: scaling a one-pixel-per-cell image in drawImage() on every paint
    // was most of a million-block paint (Qt's generic scaled blit). Each row of cells is two
    // lines of pixels, the remote's (the upper third of a cell) and ours (the rest), built once
    // and copied down the cell's height.
    const int cellPx = m_cell;
    const int width = m_columns * cellPx;
    // Reused while the size stays: a fresh 8 MiB image per update (1920×1080) costs as much in
    // page faults as the pixels themselves. Every pixel is written below.
    if (m_image.size() != QSize(width, m_rows * cellPx))
        m_image = QImage(width, m_rows * cellPx, QImage::Format_RGB32);
    const QRgb base = palette().color(QPalette::Base).rgb();
    const auto lineLength = std::size_t(width);
    std::vector<QRgb> remoteLine(lineLength, base);
    std::vector<QRgb> localLine(lineLength, base);
    uchar *const bits = m_image.bits(); // one detach, not one per pixel
    const qsizetype stride = m_image.bytesPerLine();
    for (int row = 0; row < m_rows; ++row) {
        const std::uint64_t firstCell = std::uint64_t(row) * std::uint64_t(m_columns);
        for (int column = 0; column < m_columns; ++column) {
            const std::uint64_t cell = firstCell + std::uint64_t(column);
            QRgb remote = base;
            QRgb local = base;
            if (cell < cells) { // the last row may end early
                const std::uint8_t mask = masks[std::size_t(cell)];
                remote = (mask & (1u << RemoteHas)) ? colours[RemoteHas] : remoteNone;
                local = none;
                for (int layer = LayerCount - 1; layer > RemoteHas; --layer) {
                    if (mask & (1u << layer)) {
                        local = colours[std::size_t(layer)];
                        break;
                    }
                }
            }
            std::fill_n(remoteLine.begin() + column * cellPx, cellPx, remote);
            std::fill_n(localLine.begin() + column * cellPx, cellPx, local);
        }
        for (int y = 0; y < cellPx; ++y) {
            // Pixel row y of the cell shows third (2y + 1)·3 / (2·cell) of it (its centre's).
            const bool upper = (2 * y + 1) * 3 / (2 * cellPx) == 0;
            std::memcpy(bits + qsizetype(row * cellPx + y) * stride,
                        (upper ? remoteLine : localLine).data(), lineLength * sizeof(QRgb));
        }
    }
    m_rasterMs = double(timer.nsecsElapsed()) / 1e6;
}

void BlockMap::paintEvent(QPaintEvent *)
{
    if (m_dirty)
        rasterise();
    QPainter painter(this);
    painter.fillRect(rect(), palette().color(QPalette::Base));

    // The legend: a swatch, a name and a block count per layer, then the extent.
    const QFontMetrics metrics = fontMetrics();
    const int swatch = metrics.height() - 4;
    const QStringList texts = legendTexts();
    const std::vector<QPoint> positions = legendPositions(nullptr);
    painter.setPen(palette().color(QPalette::Text));
    for (qsizetype i = 0; i < texts.size(); ++i) {
        const QPoint at = positions[std::size_t(i)];
        if (i < LayerCount)
            painter.fillRect(at.x(), at.y() + 2, swatch, swatch, colour(Layer(i)));
        painter.drawText(at.x() + (i < LayerCount ? swatch + 4 : 0), at.y() + metrics.ascent(),
                         texts[i]);
    }

    const QRect area = mapRect();
    if (m_image.isNull()) {
        painter.setPen(palette().color(QPalette::PlaceholderText));
        painter.drawText(area, Qt::AlignCenter | Qt::TextWordWrap,
                         tr("No blocks yet: the map fills as Have, Want, Request and Data "
                            "messages of this channel arrive."));
        return;
    }
    // One unscaled drawImage: the image has the cells at their size already.
    const QRect target(area.topLeft(), m_image.size());
    painter.drawImage(target.topLeft(), m_image);
    // The first block of every row (of every few rows when rows are thinner than the text).
    painter.setPen(palette().color(QPalette::PlaceholderText));
    const int every = std::max(1, (metrics.height() + m_cell - 1) / m_cell);
    for (int r = 0; r < m_rows; r += every) {
        const std::uint64_t first = std::uint64_t(r) * std::uint64_t(m_columns) * m_perCell;
        const QRect label(Margin, target.top() + r * m_cell, gutterWidth() - 6,
                          std::max(m_cell, metrics.height()));
        painter.drawText(label, Qt::AlignRight | Qt::AlignTop, QString::number(first));
    }
    // Large cells get a gap between them, so that single blocks read as blocks.
    if (m_cell >= 8) {
        painter.setPen(palette().color(QPalette::Base));
        for (int c = 0; c <= m_columns; ++c)
            painter.drawLine(target.left() + c * m_cell, target.top(), target.left() + c * m_cell,
                             target.bottom());
        for (int r = 0; r <= m_rows; ++r)
            painter.drawLine(target.left(), target.top() + r * m_cell, target.right(),
                             target.top() + r * m_cell);
    }
}

void BlockMap::resizeEvent(QResizeEvent *event)
{
    QWidget::resizeEvent(event);
    layout();
}

std::optional<feed::BlockRange> BlockMap::blocksAt(QPoint pos) const
{
    const QRect area = mapRect();
    if (m_length == 0 || pos.x() < area.left() || pos.y() < area.top())
        return std::nullopt;
    const int column = (pos.x() - area.left()) / m_cell;
    const int row = (pos.y() - area.top()) / m_cell;
    if (column >= m_columns || row >= m_rows)
        return std::nullopt;
    const std::uint64_t cell =
        std::uint64_t(row) * std::uint64_t(m_columns) + std::uint64_t(column);
    const std::uint64_t first = cell * m_perCell;
    if (first >= m_length)
        return std::nullopt;
    return feed::BlockRange{first, first + std::min(m_perCell - 1, m_length - 1 - first)};
}

QPoint BlockMap::cellCentre(std::uint64_t block) const
{
    const QRect area = mapRect();
    const std::uint64_t cell = block / m_perCell;
    const int column = int(cell % std::uint64_t(m_columns));
    const int row = int(cell / std::uint64_t(m_columns));
    return {area.left() + column * m_cell + m_cell / 2, area.top() + row * m_cell + m_cell / 2};
}

QString BlockMap::describe(const feed::BlockRange &range) const
{
    QStringList parts;
    for (int layer = 0; layer < LayerCount; ++layer) {
        const std::uint64_t count = countWithin(m_layers[std::size_t(layer)], range);
        if (count == 0)
            continue;
        parts << (range.first == range.last
                      ? shownName(Layer(layer))
                      : QStringLiteral("%1 %2").arg(shownName(Layer(layer))).arg(count));
    }
    const QString blocks = range.first == range.last
                               ? tr("block %1").arg(range.first)
                               : tr("blocks %1–%2").arg(range.first).arg(range.last);
    return parts.isEmpty() ? tr("%1: nothing said about it yet").arg(blocks)
                           : QStringLiteral("%1: %2").arg(blocks, parts.join(QStringLiteral(", ")));
}

void BlockMap::mouseMoveEvent(QMouseEvent *event)
{
    const std::optional<feed::BlockRange> range = blocksAt(event->position().toPoint());
    setCursor(range ? Qt::PointingHandCursor : Qt::ArrowCursor);
    QWidget::mouseMoveEvent(event);
}

bool BlockMap::event(QEvent *event)
{
    if (event->type() == QEvent::ToolTip) {
        const auto *help = static_cast<QHelpEvent *>(event);
        if (const std::optional<feed::BlockRange> range = blocksAt(help->pos()))
            QToolTip::showText(help->globalPos(), describe(*range) + tr("\nClick: its latest row"),
                               this);
        else
            QToolTip::hideText();
        return true;
    }
    return QWidget::event(event);
}

void BlockMap::mousePressEvent(QMouseEvent *event)
{
    const std::optional<feed::BlockRange> range = blocksAt(event->position().toPoint());
    if (!range || event->button() != Qt::LeftButton)
        return QWidget::mousePressEvent(event);
    // The first block of the cell in its strongest layer: the one worth reading about.
    for (int layer = LayerCount - 1; layer >= 0; --layer) {
        for (const feed::BlockRange &r : m_layers[std::size_t(layer)]) {
            const std::uint64_t first = std::max(r.first, range->first);
            if (first <= std::min(r.last, range->last)) {
                emit blockClicked(first);
                return;
            }
        }
    }
    emit blockClicked(range->first);
}

} // namespace hyperscope
