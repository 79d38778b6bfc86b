#include "screenshot.h"

#include "flowgraph.h"
#include "framer.h"
#include "hexpane.h"
#include "logpane.h"
#include "mainwindow.h"
#include "mainwindowactions.h"
#include "messagelogmodel.h"

#include <QAction>
#include <QFileDialog>
#include <QMessageBox>
#include <QPixmap>
#include <QTreeView>

namespace hyperscope {

void showcase(MainWindow &window)
{
    MessageLogModel *log = window.logModel();
    LogPane *pane = window.logPane();
    log->flush();
    for (int row = log->rowCount() - 1; row >= 0; --row) {
        const MessageLogModel::Record &r = log->record(row);
        if (r.kind != MessageLogModel::Kind::Frame || r.type != quint8(MessageType::Data) ||
            r.direction() != Direction::Inbound || !pane->selectSourceRow(row))
            continue;
        pane->setAutoScroll(false);
        window.flowGraph()->setAutoScroll(false);
        window.actions().autoScroll->setChecked(false);
        pane->hexPane()->setMode(HexPane::Mode::Both);
        // Highlight the block's value: the field a reader cares about.
        QTreeView *fields = pane->fieldView();
        const QModelIndexList matches = fields->model()->match(
            fields->model()->index(0, 0), Qt::DisplayRole, QStringLiteral("value"), 1,
            Qt::MatchExactly | Qt::MatchRecursive);
        if (!matches.isEmpty())
            fields->setCurrentIndex(matches.first());
        return;
    }
}

bool saveScreenshot(MainWindow &window, const QString &path)
{
    window.logModel()->flush();
    window.updateStatusCounts(); // the picture must agree with itself: counts as of the last row
    return window.grab().save(path, "PNG");
}

void saveScreenshotInteractive(MainWindow &window)
{
    const QString path = QFileDialog::getSaveFileName(&window, MainWindow::tr("Save Screenshot"),
                                                      QStringLiteral("hyperscope.png"),
                                                      MainWindow::tr("PNG images (*.png)"));
    if (!path.isEmpty() && !saveScreenshot(window, path))
        QMessageBox::warning(&window, MainWindow::tr("Save Screenshot"),
                             MainWindow::tr("Could not write %1").arg(path));
}

} // namespace hyperscope
