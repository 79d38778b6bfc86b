// The Help menu's boxes: a short overview of the wire protocol and About.
//
// The overview's text is a resource (resources/help/protocol.html), so that it can be edited as
// HTML rather than as a C++ string.
#pragma once

class QWidget;

namespace hyperscope::help {

/// Shows the protocol overview in a modal box over @p parent.
void showProtocolOverview(QWidget *parent);
/// Shows the About box (name, version, what hyperscope is) over @p parent.
void showAbout(QWidget *parent);

} // namespace hyperscope::help
