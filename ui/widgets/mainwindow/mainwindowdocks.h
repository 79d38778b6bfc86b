// MainWindowDocks: the main window's left column, two dock widgets.
//
// Above, the sessions: the sidebar list with Connect, Listen and Disconnect buttons that mirror
// those actions (text, tip, enabled state). Below, the send form, scrollable. The log and the
// tabs get the rest of the width. The docks are movable and closable; View lists their toggles.
#pragma once

class QDockWidget;
class QMainWindow;

namespace hyperscope {

class SendMessageForm;
class SessionListModel;
class SessionSidebar;
struct MainWindowActions;

struct MainWindowDocks
{
    QDockWidget *sessions = nullptr;
    QDockWidget *send = nullptr;
    SessionSidebar *sidebar = nullptr;
    SendMessageForm *sendForm = nullptr;

    /// Builds both docks and adds them to @p window's left area; the sidebar shows @p sessions.
    static MainWindowDocks create(QMainWindow *window, SessionListModel *sessions,
                                  const MainWindowActions &actions);
};

} // namespace hyperscope
