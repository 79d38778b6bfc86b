#include "sessionsidebar.h"

#include "sessionlistmodel.h"

#include <QApplication>
#include <QPainter>

#include <algorithm>

namespace hyperscope {

namespace {
constexpr int Padding = 6;
constexpr int IconSize = 14;
constexpr int TagPadding = 4;
/// The blue of a capture's dot in the list (SessionListModel).
const QColor CaptureTagColor(30, 136, 229);
} // namespace

void SessionItemDelegate::paint(QPainter *painter, const QStyleOptionViewItem &option,
                                const QModelIndex &index) const
{
    QStyleOptionViewItem opt = option;
    initStyleOption(&opt, index);
    const QWidget *widget = option.widget;
    QStyle *style = widget ? widget->style() : QApplication::style();
    // Background and selection from the style, text drawn here.
    opt.text.clear();
    opt.icon = QIcon();
    style->drawControl(QStyle::CE_ItemViewItem, &opt, painter, widget);

    const bool selected = option.state & QStyle::State_Selected;
    const QPalette::ColorGroup group =
        option.state & QStyle::State_Active ? QPalette::Active : QPalette::Inactive;
    const QColor text =
        option.palette.color(group, selected ? QPalette::HighlightedText : QPalette::Text);
    QColor dim = text;
    dim.setAlpha(selected ? 200 : 140);

    const QRect r = option.rect.adjusted(Padding, Padding, -Padding, -Padding);
    const QIcon icon = index.data(Qt::DecorationRole).value<QIcon>();
    const QFontMetrics fm(option.font);
    icon.paint(painter,
               QRect(r.left(), r.top() + (fm.height() - IconSize) / 2, IconSize, IconSize));

    const int textLeft = r.left() + IconSize + Padding;
    QRect line1(textLeft, r.top(), r.right() - textLeft, fm.height());
    QFont bold = option.font;
    bold.setBold(true);
    painter->save();
    if (index.data(SessionListModel::IsCaptureRole).toBool()) {
        // A tag at the end of the first line: this entry was opened from a file, read-only.
        const QString tag = SessionSidebar::tr("capture");
        const int tagWidth = fm.horizontalAdvance(tag) + 2 * TagPadding;
        const QRect tagRect(line1.right() - tagWidth + 1, line1.top(), tagWidth, line1.height());
        painter->setRenderHint(QPainter::Antialiasing);
        painter->setPen(Qt::NoPen);
        // Inverted on a selected entry, whose highlight may be the same blue.
        painter->setBrush(selected ? text : CaptureTagColor);
        painter->drawRoundedRect(tagRect, 3, 3);
        painter->setPen(selected ? option.palette.color(group, QPalette::Highlight) : Qt::white);
        painter->setFont(option.font);
        painter->drawText(tagRect, Qt::AlignCenter, tag);
        line1.setRight(tagRect.left() - Padding);
    }
    painter->setFont(bold);
    painter->setPen(text);
    const QString title = QStringLiteral("%1  %2").arg(
        index.data().toString(),
        index.siblingAtColumn(SessionListModel::PeerColumn).data().toString());
    painter->drawText(line1, Qt::AlignLeft | Qt::AlignVCenter,
                      QFontMetrics(bold).elidedText(title, Qt::ElideRight, line1.width()));
    painter->setFont(option.font);
    painter->setPen(dim);
    const QRect line2(textLeft, line1.bottom() + 2, r.right() - textLeft, fm.height());
    painter->drawText(
        line2, Qt::AlignLeft | Qt::AlignVCenter,
        fm.elidedText(QStringLiteral("%1 · %2").arg(
                          index.siblingAtColumn(SessionListModel::RoleColumn).data().toString(),
                          index.data(SessionListModel::ModeRole).toString()),
                      Qt::ElideRight, line2.width()));
    // The subtitle has two lines: state, duration and messages; then bytes (a relayed session:
    // state and duration, then one line per leg).
    const QStringList subtitle = index.data(SessionListModel::SubtitleRole).toString().split(u'\n');
    QRect line = line2;
    for (const QString &text : subtitle) {
        line.translate(0, fm.height() + 2);
        painter->drawText(line, Qt::AlignLeft | Qt::AlignVCenter,
                          fm.elidedText(text, Qt::ElideRight, line.width()));
    }
    painter->restore();
}

QSize SessionItemDelegate::sizeHint(const QStyleOptionViewItem &option,
                                    const QModelIndex &index) const
{
    const QFontMetrics fm(option.font);
    const int subtitle =
        int(index.data(SessionListModel::SubtitleRole).toString().count(u'\n')) + 1;
    return {200, (2 + std::max(2, subtitle)) * (fm.height() + 2) + 2 * Padding};
}

SessionSidebar::SessionSidebar(QWidget *parent)
    : QListView(parent)
{
    setObjectName(QStringLiteral("sessionSidebar"));
    setItemDelegate(new SessionItemDelegate(this));
    setSelectionMode(QAbstractItemView::SingleSelection);
    // Not uniform: a relayed session shows a line per leg.
    setUniformItemSizes(false);
    setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    setTextElideMode(Qt::ElideRight);
}

QSize SessionSidebar::sizeHint() const
{
    return {fontMetrics().horizontalAdvance(QLatin1Char('0')) * 40, 300};
}

} // namespace hyperscope
