// Icons painted in code, so that the inspector needs no image plugin (no Qt SVG at run time) and
// looks the same on every platform style.
#pragma once

#include <QColor>
#include <QIcon>

namespace hyperscope::icons {

/// The application icon: a magnifier over a bracketed stream of frames (same design as
/// resources/hyperscope.svg).
QIcon application();
/// The application icon painted in code (what resources/icons/*.png were rendered from).
QIcon paintedApplicationIcon();
/// Severity markers for the log.
QIcon warning();
QIcon error();
/// A filled circle, for states in tables (green established, amber pending, grey closed).
QIcon dot(const QColor &color);
/// Direction arrows for the log.
QIcon outbound();
QIcon inbound();

} // namespace hyperscope::icons
