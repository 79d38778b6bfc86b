#include "helpdialogs.h"

#include "fieldtreemodel.h"
#include "helpwindow.h"

#include <QApplication>
#include <QMessageBox>
#include <QTreeView>

namespace hyperscope::help {

namespace {
// The strings were MainWindow's: they keep its translation context.
QString tr(const char *text)
{
    return QCoreApplication::translate("hyperscope::MainWindow", text);
}
} // namespace

HelpWindow *showHelp(QWidget *parent, const QString &page)
{
    auto *window =
        parent ? parent->findChild<HelpWindow *>(QString(), Qt::FindDirectChildrenOnly) : nullptr;
    if (!window)
        window = new HelpWindow(parent);
    window->showPage(page);
    window->show();
    window->raise();
    window->activateWindow();
    return window;
}

void showProtocolOverview(QWidget *parent)
{
    showHelp(parent);
}

QString showContextHelp(QWidget *parent, const QTreeView *fieldView)
{
    QString page;
    if (fieldView && fieldView->hasFocus())
        page = fieldView->currentIndex().data(FieldTreeModel::HelpPageRole).toString();
    return showHelp(parent, page)->currentPage();
}

void showAbout(QWidget *parent)
{
    QMessageBox::about(
        parent, tr("About hyperscope"),
        tr("<h3>hyperscope %1</h3><p>An inspector for the Hypercore wire protocol v9 "
           "(hypercore-protocol 8.x): sessions, handshakes, channels, extensions and "
           "every frame, decoded down to the byte.</p>")
            .arg(QApplication::applicationVersion()));
}

} // namespace hyperscope::help
