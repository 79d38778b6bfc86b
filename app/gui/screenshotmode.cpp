#include "screenshotmode.h"

#include "mainwindow.h"
#include "screenshot.h"

#include <QApplication>
#include <QRegularExpression>
#include <QTimer>

#include <cstdio>

namespace hyperscope {

namespace {
/// Time for the views to follow the showcase's selection (the hex views scroll, the flow graph
/// repaints) before the picture is taken.
constexpr int SettleMs = 300;

/// Screenshot sides, in pixels: below the minimum the window cannot lay itself out, above the
/// maximum the picture is no longer a screenshot (and costs hundreds of megabytes).
constexpr int MinSide = 200;
constexpr int MaxSide = 10000;
} // namespace

std::optional<QSize> parseScreenshotSize(const QString &text, QString *error)
{
    static const QRegularExpression pattern(
        QStringLiteral("^\\s*(\\d{1,6})\\s*[xX]\\s*(\\d{1,6})\\s*$"));
    const QRegularExpressionMatch match = pattern.match(text);
    if (!match.hasMatch()) {
        if (error)
            *error = QStringLiteral("'%1': write WIDTHxHEIGHT, e.g. 1024x640").arg(text);
        return std::nullopt;
    }
    const QSize size(match.captured(1).toInt(), match.captured(2).toInt());
    if (size.width() < MinSide || size.height() < MinSide || size.width() > MaxSide ||
        size.height() > MaxSide) {
        if (error)
            *error = QStringLiteral("'%1': each side must be %2 to %3 pixels")
                         .arg(text)
                         .arg(MinSide)
                         .arg(MaxSide);
        return std::nullopt;
    }
    return size;
}

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
