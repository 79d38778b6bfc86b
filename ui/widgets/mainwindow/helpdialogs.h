// The Help menu: the help window (overview, glossary, one page per message type) and About.
//
// The help window is non-modal and one per main window: asking again raises it on the page asked
// for. F1 is context help: with a field of the field tree selected it opens that field's message
// type's page, otherwise the overview.
#pragma once

#include <QString>

class QTreeView;
class QWidget;

namespace hyperscope {
class HelpWindow;
}

namespace hyperscope::help {

/// Shows @p parent's help window (creating it on first use) on @p page ("message-open.html",
/// "glossary.html#capability"; empty: the overview), raised and active. Returns the window.
HelpWindow *showHelp(QWidget *parent, const QString &page = {});
/// Shows the protocol overview in @p parent's help window.
void showProtocolOverview(QWidget *parent);
/// F1: when @p fieldView has the focus and a current field, shows the page of that field's
/// message type (FieldTreeModel::HelpPageRole), otherwise the overview. Returns the page shown.
QString showContextHelp(QWidget *parent, const QTreeView *fieldView);
/// Shows the About box (name, version, what hyperscope is) over @p parent.
void showAbout(QWidget *parent);

} // namespace hyperscope::help
