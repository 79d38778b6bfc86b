#include "prooftreepicture.h"

#include "flattree.h"

#include <QHelpEvent>
#include <QPainter>
#include <QToolTip>

#include <algorithm>
#include <map>

namespace hyperscope {

namespace {

constexpr int Margin = 6;
constexpr int MinColumn = 18;
constexpr int MaxColumn = 34;
constexpr int LegendHeight = 22;
constexpr ProofTreePicture::Role LegendRoles[] = {
    ProofTreePicture::Role::Block, ProofTreePicture::Role::Computed, ProofTreePicture::Role::Proof,
    ProofTreePicture::Role::Verified, ProofTreePicture::Role::Failed};

} // namespace

ProofTreePicture::ProofTreePicture(QWidget *parent)
    : QWidget(parent)
{
    setObjectName(QStringLiteral("proofTreePicture"));
    setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Fixed);
    setMouseTracking(true);
}

QColor ProofTreePicture::colour(Role role)
{
    switch (role) {
    case Role::Block:
        return QColor(21, 101, 192); // the block: the lesson's accent blue
    case Role::Computed:
        return QColor(144, 202, 249); // light blue: hashed here
    case Role::Proof:
        return QColor(255, 152, 0); // orange: carried by the Data
    case Role::Verified:
        return QColor(46, 125, 50); // green, as "verified" in the block map
    case Role::Failed:
        return QColor(198, 40, 40); // red, as "failed" in the block map
    case Role::Other:
        break;
    }
    return QColor(224, 224, 224);
}

QString ProofTreePicture::roleName(Role role)
{
    switch (role) {
    case Role::Block:
        return tr("the block's leaf");
    case Role::Computed:
        return tr("computed");
    case Role::Proof:
        return tr("from the proof");
    case Role::Verified:
        return tr("verified earlier");
    case Role::Failed:
        return tr("does not match");
    case Role::Other:
        break;
    }
    return tr("not involved");
}

void ProofTreePicture::clear()
{
    m_columns.clear();
    updateGeometry();
    update();
}

void ProofTreePicture::setTree(std::uint64_t length, std::vector<Node> nodes)
{
    std::map<std::uint64_t, Node> byIndex;
    for (Node &node : nodes) {
        if (node.index <= feed::flat::MaxNodeIndex)
            byIndex[node.index] = std::move(node);
    }
    m_columns.clear();
    m_whole = length > 0 && length <= MaxFullLeaves;
    if (m_whole) {
        // The whole feed: every node whose blocks all exist (node 15 of a 15-block feed does not),
        // its roots ringed.
        const std::vector<std::uint64_t> roots = feed::flat::fullRoots(2 * length);
        for (std::uint64_t index = 0; index + 1 < 2 * length; ++index) {
            if (feed::flat::rightSpan(index) >= 2 * length) {
                // Not in the feed (yet): an empty column, so that 14 and 16 keep 15's gap.
                m_columns.push_back({Node{index, Role::Other, false, {}}, false, true});
                continue;
            }
            const auto it = byIndex.find(index);
            Node node = it != byIndex.end() ? it->second : Node{index, Role::Other, false, {}};
            node.root = node.root || std::find(roots.begin(), roots.end(), index) != roots.end();
            if (node.description.isEmpty()) {
                const auto [left, right] = feed::flat::spans(index);
                node.description =
                    left == right
                        ? tr("node %1: block %2").arg(index).arg(left / 2)
                        : tr("node %1: blocks %2–%3").arg(index).arg(left / 2).arg(right / 2);
            }
            m_columns.push_back({std::move(node), false, false});
        }
    } else {
        // A large feed: only the nodes involved, in index order (still in-order positions).
        std::uint64_t previous = 0;
        bool first = true;
        for (auto &[index, node] : byIndex) {
            m_columns.push_back({node, !first && index != previous + 1, false});
            previous = index;
            first = false;
        }
    }
    updateGeometry();
    update();
}

std::vector<std::uint64_t> ProofTreePicture::drawnNodes() const
{
    std::vector<std::uint64_t> indexes;
    indexes.reserve(m_columns.size());
    for (const Column &column : m_columns) {
        if (!column.hidden)
            indexes.push_back(column.node.index);
    }
    return indexes;
}

std::optional<ProofTreePicture::Role> ProofTreePicture::roleOf(std::uint64_t index) const
{
    for (const Column &column : m_columns) {
        if (column.node.index == index && !column.hidden)
            return column.node.role;
    }
    return std::nullopt;
}

int ProofTreePicture::maxDepth() const
{
    unsigned depth = 0;
    for (const Column &column : m_columns) {
        if (!column.hidden)
            depth = std::max(depth, feed::flat::depth(column.node.index));
    }
    return int(depth);
}

int ProofTreePicture::narrowestColumn() const
{
    int widest = MinColumn;
    if (m_whole)
        return widest;
    const QFontMetrics metrics(font());
    for (const Column &column : m_columns)
        widest =
            std::max(widest, metrics.horizontalAdvance(QString::number(column.node.index)) + 8);
    return widest;
}

int ProofTreePicture::columnWidth() const
{
    // The tree spread over the width offered, within bounds.
    if (m_columns.empty())
        return narrowestColumn();
    const int fit = (width() - 2 * Margin) / int(m_columns.size());
    return std::max(narrowestColumn(), std::min(fit, MaxColumn));
}

int ProofTreePicture::rowHeight() const
{
    return fontMetrics().height() + 14;
}

int ProofTreePicture::treeHeight() const
{
    return m_columns.empty() ? 0 : (maxDepth() + 1) * rowHeight();
}

QRect ProofTreePicture::rectOf(std::size_t column) const
{
    const Column &c = m_columns[column];
    const int w = columnWidth();
    const int h = rowHeight();
    const int depth = int(feed::flat::depth(c.node.index));
    const int x = Margin + int(column) * w;
    const int y = Margin + (maxDepth() - depth) * h;
    return QRect(x + 1, y + 4, w - 2, h - 8);
}

std::optional<QRect> ProofTreePicture::nodeRect(std::uint64_t index) const
{
    for (std::size_t i = 0; i < m_columns.size(); ++i) {
        if (m_columns[i].node.index == index && !m_columns[i].hidden)
            return rectOf(i);
    }
    return std::nullopt;
}

QSize ProofTreePicture::sizeHint() const
{
    const int columns = int(m_columns.size());
    return {2 * Margin + columns * std::max(narrowestColumn(), MaxColumn - 6),
            m_columns.empty() ? 0 : 2 * Margin + treeHeight() + LegendHeight};
}

QSize ProofTreePicture::minimumSizeHint() const
{
    // The lesson scrolls sideways rather than cut a large feed's picture off.
    return {m_columns.empty() ? 0 : 2 * Margin + int(m_columns.size()) * narrowestColumn(),
            sizeHint().height()};
}

void ProofTreePicture::paintEvent(QPaintEvent *)
{
    if (m_columns.empty())
        return;
    QPainter painter(this);
    painter.setRenderHint(QPainter::Antialiasing);

    // Edges first: each node to its parent, when both are drawn.
    std::map<std::uint64_t, std::size_t> columnOf;
    for (std::size_t i = 0; i < m_columns.size(); ++i) {
        if (!m_columns[i].hidden)
            columnOf[m_columns[i].node.index] = i;
    }
    painter.setPen(QPen(palette().color(QPalette::Mid), 1));
    for (std::size_t i = 0; i < m_columns.size(); ++i) {
        const std::uint64_t index = m_columns[i].node.index;
        if (m_columns[i].hidden || index >= feed::flat::MaxNodeIndex)
            continue;
        const auto parent = columnOf.find(feed::flat::parent(index));
        if (parent == columnOf.end())
            continue;
        const QRect child = rectOf(i);
        const QRect up = rectOf(parent->second);
        painter.drawLine(QPoint(child.center().x(), child.top()),
                         QPoint(up.center().x(), up.bottom()));
    }

    const QFontMetrics metrics(font());
    for (std::size_t i = 0; i < m_columns.size(); ++i) {
        const Column &column = m_columns[i];
        if (column.hidden)
            continue;
        const QRect rect = rectOf(i);
        if (column.gapBefore) {
            painter.setPen(palette().color(QPalette::Mid));
            painter.drawText(QRect(rect.left() - 6, rect.top(), 10, rect.height()), Qt::AlignCenter,
                             QStringLiteral("…"));
        }
        const QColor fill = colour(column.node.role);
        const bool involved = column.node.role != Role::Other;
        painter.setBrush(fill);
        painter.setPen(column.node.root ? QPen(palette().color(QPalette::WindowText), 2.5)
                                        : QPen(fill.darker(involved ? 130 : 110), 1));
        painter.drawRoundedRect(rect, 4, 4);
        // Dark fills get white digits.
        const bool dark = fill.lightness() < 140;
        painter.setPen(dark ? QColor(Qt::white)
                            : (involved ? QColor(Qt::black) : palette().color(QPalette::Mid)));
        const QString label = QString::number(column.node.index);
        if (metrics.horizontalAdvance(label) <= rect.width())
            painter.drawText(rect, Qt::AlignCenter, label);
    }

    // The legend under the tree.
    int x = Margin;
    const int y = Margin + treeHeight() + 4;
    for (const Role role : LegendRoles) {
        painter.setPen(colour(role).darker(130));
        painter.setBrush(colour(role));
        painter.drawRoundedRect(QRect(x, y + 3, 12, 12), 2, 2);
        x += 16;
        painter.setPen(palette().color(QPalette::WindowText));
        const QString name = roleName(role);
        painter.drawText(QPoint(x, y + 3 + metrics.ascent() - 1), name);
        x += metrics.horizontalAdvance(name) + 14;
    }
    painter.setBrush(Qt::NoBrush);
    painter.setPen(QPen(palette().color(QPalette::WindowText), 2.5));
    painter.drawRoundedRect(QRect(x, y + 3, 12, 12), 2, 2);
    x += 16;
    painter.drawText(QPoint(x, y + 3 + metrics.ascent() - 1), tr("a root"));
}

bool ProofTreePicture::event(QEvent *event)
{
    if (event->type() == QEvent::ToolTip) {
        const auto *help = static_cast<QHelpEvent *>(event);
        for (std::size_t i = 0; i < m_columns.size(); ++i) {
            if (!m_columns[i].hidden && rectOf(i).contains(help->pos())) {
                const Node &node = m_columns[i].node;
                QString text = node.description;
                if (node.role != Role::Other)
                    text += QStringLiteral(" (%1)").arg(roleName(node.role));
                QToolTip::showText(help->globalPos(), text, this, rectOf(i));
                return true;
            }
        }
        QToolTip::hideText();
        event->ignore();
        return true;
    }
    return QWidget::event(event);
}

} // namespace hyperscope
