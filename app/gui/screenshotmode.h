// Screenshot mode (--screenshot FILE): the inspector runs for a while, shows off, saves a picture
// of its window and quits. The pictures in docs/ and the AppStream metadata are made this way.
#pragma once

#include <QSize>
#include <QString>

#include <optional>

namespace hyperscope {

class MainWindow;

/// The window size of a screenshot unless --screenshot-size says otherwise.
inline constexpr QSize DefaultScreenshotSize{1440, 900};

/// Parses --screenshot-size's "WxH" ("1024x640", "1920X1080"): each side 200 to 10000 pixels.
/// nullopt with @p error ("'1024': write WIDTHxHEIGHT, e.g. 1024x640") otherwise.
std::optional<QSize> parseScreenshotSize(const QString &text, QString *error = nullptr);

/// After @p delayMs, puts @p window in its showcase state (screenshot.h), lets the views paint,
/// saves it to @p path (PNG) and exits the application: 0 when saved, 1 (with a line on stderr)
/// when the file could not be written.
void scheduleScreenshot(MainWindow &window, const QString &path, int delayMs);

} // namespace hyperscope
