#include "helpdialogs.h"

#include <QApplication>
#include <QFile>
#include <QMessageBox>

namespace hyperscope::help {

namespace {
// The strings were MainWindow's: they keep its translation context.
QString tr(const char *text)
{
    return QCoreApplication::translate("hyperscope::MainWindow", text);
}
} // namespace

void showProtocolOverview(QWidget *parent)
{
    QFile file(QStringLiteral(":/help/protocol.html"));
    [[maybe_unused]] const bool opened = file.open(QIODevice::ReadOnly);
    Q_ASSERT(opened); // compiled into hyperscope_widgets: see ui/CMakeLists.txt
    QMessageBox box(parent);
    box.setWindowTitle(tr("The Hypercore wire protocol"));
    box.setTextFormat(Qt::RichText);
    box.setText(QString::fromUtf8(file.readAll()));
    box.exec();
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
