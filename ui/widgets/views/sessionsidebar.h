// SessionSidebar: the list of sessions on the left of the main window. Each entry shows two
// lines: the session and its peer, then its state, counters and duration (SubtitleRole).
#pragma once

#include <QListView>
#include <QStyledItemDelegate>

namespace hyperscope {

class SessionListModel;

class SessionItemDelegate : public QStyledItemDelegate
{
    Q_OBJECT
public:
    using QStyledItemDelegate::QStyledItemDelegate;
    void paint(QPainter *painter, const QStyleOptionViewItem &option,
               const QModelIndex &index) const override;
    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override;
};

class SessionSidebar : public QListView
{
    Q_OBJECT
public:
    explicit SessionSidebar(QWidget *parent = nullptr);
    QSize sizeHint() const override;
};

} // namespace hyperscope
