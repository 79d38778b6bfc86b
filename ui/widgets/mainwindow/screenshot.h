// Pictures of the main window: a state worth showing, and the PNG.
//
// Used by the screenshot mode of app/gui (which decides when: after a delay, then exit), by the
// File › Save Screenshot command and by tests that check what a screenshot would show.
#pragma once

#include <QString>

namespace hyperscope {

class MainWindow;

/// Puts @p window in a state that shows what it can do: the newest received Data frame selected
/// in the log (auto-scroll off so that it stays), its value field highlighted in both hex views.
/// Does nothing when the log has no received Data frame.
void showcase(MainWindow &window);

/// Renders @p window to @p path (PNG), its log and status bar up to date first. Returns false if
/// the file could not be written.
bool saveScreenshot(MainWindow &window, const QString &path);
/// File › Save Screenshot: asks where, saves, and says so in a box when it could not.
void saveScreenshotInteractive(MainWindow &window);

} // namespace hyperscope
