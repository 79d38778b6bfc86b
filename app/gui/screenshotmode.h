// Screenshot mode (--screenshot FILE): the inspector runs for a while, shows off, saves a picture
// of its window and quits. The pictures in docs/ and the AppStream metadata are made this way.
#pragma once

#include <QString>

namespace hyperscope {

class MainWindow;

/// After @p delayMs, puts @p window in its showcase state (screenshot.h), lets the views paint,
/// saves it to @p path (PNG) and exits the application: 0 when saved, 1 (with a line on stderr)
/// when the file could not be written.
void scheduleScreenshot(MainWindow &window, const QString &path, int delayMs);

} // namespace hyperscope
