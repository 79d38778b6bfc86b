#include "screenshotmode.h"

#include "mainwindow.h"
#include "screenshot.h"

#include <QApplication>
#include <QTimer>

#include <cstdio>

namespace hyperscope {

namespace {
/// Time for the views to follow the showcase's selection (the hex views scroll, the flow graph
/// repaints) before the picture is taken.
constexpr int SettleMs = 300;
} // namespace

void scheduleScreenshot(MainWindow &window, const QString &path, int delayMs)
{
    QTimer::singleShot(delayMs, &window, [&window, path] {
        showcase(window);
        QTimer::singleShot(SettleMs, &window, [&window, path] {
            const bool saved = saveScreenshot(window, path);
            if (!saved)
                std::fprintf(stderr, "hyperscope: cannot write %s\n", qPrintable(path));
            QApplication::exit(saved ? 0 : 1);
        });
    });
}

} // namespace hyperscope
