// RecentConnectionsMenu: File › Recent Connections, one entry per remembered "host:port".
//
// Choosing an entry asks to dial it again; "Clear List" asks to forget them all. The list itself
// lives in InspectorSettings: the window sets it here whenever it changes.
#pragma once

#include <QMenu>
#include <QStringList>

namespace hyperscope {

class RecentConnectionsMenu : public QMenu
{
    Q_OBJECT
public:
    explicit RecentConnectionsMenu(QWidget *parent = nullptr);

    /// Shows @p entries ("host:port", "[::1]:4000"), newest first; "(none yet)" when empty.
    void setEntries(const QStringList &entries);

signals:
    void connectRequested(const QString &host, quint16 port);
    void clearRequested();
};

} // namespace hyperscope
