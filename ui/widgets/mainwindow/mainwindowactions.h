// MainWindowActions: the inspector's commands, and where they appear (menus, toolbar).
//
// Every command is a QAction created here with its text, shortcut, tip, icon and check state,
// so that the menus, the toolbar, the sidebar's buttons and the shortcuts are one object each.
// What a command does is not here: MainWindow connects each action's triggered() to the code
// it runs. Members are typed; objectName() carries a stable name ("connect", "keepAlives") for
// tests and byName().
#pragma once

#include <QList>
#include <QStringView>

class QAction;
class QMenu;
class QMenuBar;
class QToolBar;
class QWidget;

namespace hyperscope {

struct MainWindowActions
{
    // File
    QAction *connect = nullptr;
    QAction *listen = nullptr;
    QAction *relay = nullptr; ///< File › Relay…: stand between two peers (docs/relay.md).
    QAction *stopListening = nullptr;
    QAction *disconnect = nullptr;
    QAction *remove = nullptr;
    QAction *openLog = nullptr;
    QAction *saveLog = nullptr;
    QAction *saveShownLog = nullptr;
    QAction *screenshot = nullptr;
    QAction *quit = nullptr;

    // View
    /// One per MainWindow::Tab, in order (Alt+1 ...).
    QList<QAction *> tabs;
    QAction *find = nullptr;
    QAction *keepAlives = nullptr; ///< Checkable, on.
    QAction *autoScroll = nullptr; ///< Checkable, on.
    QAction *clearLog = nullptr;
    /// One per HexPane::Mode, indexed by it; exclusive, the first checked.
    QList<QAction *> bytesModes;
    /// View › Go to Row… (Ctrl+G).
    QAction *goToRow = nullptr;
    /// View › Time Display Format: one per MessageLogModel::TimeFormat, indexed by it;
    /// exclusive, the first checked.
    QList<QAction *> timeFormats;
    /// View › Colouring Rules…: the log's row colours by filter expression.
    QAction *colouringRules = nullptr;

    // Session
    QAction *openChannel = nullptr;
    QAction *sendMessage = nullptr;
    QAction *extensions = nullptr;
    QAction *ping = nullptr;
    QAction *revealSecrets = nullptr;
    /// Session › Intercept… (Ctrl+I, also on the toolbar): checkable; while checked, messages
    /// matching the Intercepted dock's expression are held (InterceptCommands).
    QAction *intercept = nullptr;
    /// Session › Serve a File…: serve a file as a hypercore 9 feed on the live sessions.
    QAction *serveFile = nullptr;

    // Demo
    QAction *demo = nullptr;
    QAction *stopDemo = nullptr;

    // Analyze (Wireshark's Expert Information and problem navigation)
    QAction *expertInfo = nullptr;      ///< Analyze › Expert Information… (non-modal dialog).
    QAction *nextProblem = nullptr;     ///< Ctrl+.: the next warning or error row shown.
    QAction *previousProblem = nullptr; ///< Ctrl+,: the previous one.

    // Statistics
    QAction *statistics = nullptr; ///< Summary and messages/bytes per session, channel, type.
    QAction *ioGraph = nullptr;    ///< Messages and bytes per interval over a session.

    // Help
    QAction *help = nullptr;
    QAction *about = nullptr;
    QAction *aboutQt = nullptr;

    /// Creates every action as a child of @p window (whose style gives the icons); none is
    /// connected to anything yet.
    static MainWindowActions create(QWidget *window);

    /// The named action ("connect", "ping", ...; see the objectName of each), or null.
    QAction *byName(QStringView name) const;

    /// Adds the File, View, Session, Demo, Analyze, Statistics and Help menus to @p bar, with @p
    /// recent (the recent connections) under Connect and @p panels (the docks' toggle actions) at
    /// the end of View.
    void fillMenuBar(QMenuBar *bar, QMenu *recent, const QList<QAction *> &panels) const;
    /// Fills and styles the main toolbar (fixed, small icons with text).
    void fillToolBar(QToolBar *bar) const;

private:
    QList<QAction *> m_named; ///< Every action with an objectName, for byName().
};

} // namespace hyperscope
