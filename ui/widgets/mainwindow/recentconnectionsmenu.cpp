#include "recentconnectionsmenu.h"

#include "mainwindow.h"
#include "sessionoptions.h"

namespace hyperscope {

RecentConnectionsMenu::RecentConnectionsMenu(QWidget *parent)
    : QMenu(MainWindow::tr("Recent &Connections"), parent)
{
    setObjectName(QStringLiteral("recentMenu"));
    setEntries({});
}

void RecentConnectionsMenu::setEntries(const QStringList &entries)
{
    clear();
    for (const QString &entry : entries) {
        addAction(entry, this, [this, entry] {
            QString host;
            quint16 port = 0;
            QString error;
            if (parseHostPort(entry, &host, &port, &error))
                emit connectRequested(host, port);
        });
    }
    if (entries.isEmpty()) {
        addAction(MainWindow::tr("(none yet)"))->setEnabled(false);
    } else {
        addSeparator();
        addAction(MainWindow::tr("Clear List"), this, &RecentConnectionsMenu::clearRequested);
    }
}

} // namespace hyperscope
