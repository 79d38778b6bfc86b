// MainWindow: the inspector. Sessions in a sidebar; the message log (list, fields, bytes) and
// the handshake, channels and extensions of the current session in tabs; a send form in a dock.
//
// The window builds the views and wires them together; it owns no session. A SessionManager
// (ui/inspection) owns the sessions, however they started (dialed, accepted by a listener, the
// demo), each feeding the shared MessageLogModel; the window shows the manager's current session
// and never touches a socket itself. The commands are MainWindowActions, the left column is
// MainWindowDocks, the status bar StatusLine; capture files go through CaptureCommands, and what
// is remembered between runs is InspectorSettings.
#pragma once

#include "capturecommands.h"
#include "inspectorsettings.h"
#include "mainwindowactions.h"
#include "mainwindowdocks.h"
#include "sessionmanager.h"
#include "sessionoptions.h"
#include "statusline.h"

#include <QHostAddress>
#include <QList>
#include <QMainWindow>

class QComboBox;
class QTabWidget;

namespace hyperscope {

class AnalysisCommands;
class ChannelsPane;
class DemoRunner;
class ExtensionsPane;
class FeedPane;
class FeedServer;
class FlowGraph;
class HandshakeLadder;
class InterceptCommands;
class InspectedSession;
class LogPane;
class MessageLogModel;
class RecentConnectionsMenu;
class SecretsPanel;
class SendMessageForm;
class SessionListModel;
class SessionSidebar;
class UnsavedRows;

class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    enum Tab { MessagesTab, HandshakeTab, ChannelsTab, ExtensionsTab, FlowTab, FeedTab, TabCount };

    explicit MainWindow(QWidget *parent = nullptr);
    ~MainWindow() override;

    // --- Starting sessions (menus, command line, tests) ----------------------------------------
    // SessionManager does the work; the window remembers the options and says so in the status
    // bar.

    /// Dials @p host:@p port; the session appears at once (connecting), becomes current and
    /// opens options.keys once connected. Remembered in recentConnections().
    InspectedSession *connectToPeer(const QString &host, quint16 port,
                                    const ConnectionOptions &options);
    /// Listens; every accepted connection becomes a session. Returns false with @p error.
    bool listen(const QHostAddress &address, quint16 port, const ConnectionOptions &options,
                QString *error = nullptr);
    /// Starts a relay on @p address:@p port to @p upstreamHost:@p upstreamPort (File › Relay…,
    /// --relay): every client that connects becomes one relayed session with both legs.
    /// options.keys are the feed keys it may forward. Returns null with @p error.
    Relay *relay(const QHostAddress &address, quint16 port, const QString &upstreamHost,
                 quint16 upstreamPort, const ConnectionOptions &options, QString *error = nullptr);
    /// The port of the newest listener (0 when none).
    quint16 listeningPort() const { return m_manager->listeningPort(); }
    void stopListening() { m_manager->stopListening(); }
    /// Starts the two-peer loopback demo (no-op when it runs).
    bool startDemo(QString *error = nullptr);
    void stopDemo();
    DemoRunner *demo() const { return m_manager->demo(); }

    // --- Capture files (CaptureCommands) --------------------------------------------------------

    /// Writes the log to @p path as a capture file: every row, or only the rows the log's filter
    /// shows when @p shownOnly. Returns false with @p error ("name: what went wrong").
    bool saveLog(const QString &path, bool shownOnly, QString *error = nullptr)
    {
        return m_captures->save(path, shownOnly, error);
    }
    /// Appends the rows of capture file @p path to the log, read-only, under new session ids
    /// named after the file ("#1 127.0.0.1:4000 · capture.jsonl"). Nothing is loaded when the
    /// file has any problem: returns false with @p error ("capture.jsonl: line 3: ...").
    bool openLog(const QString &path, QString *error = nullptr)
    {
        return m_captures->open(path, error);
    }

    // --- State --------------------------------------------------------------------------------

    InspectedSession *currentSession() const { return m_manager->current(); }
    /// Shows @p session (null: none) in the tabs and selects it in the sidebar.
    void setCurrentSession(InspectedSession *session);
    InspectedSession *sessionById(int id) const { return m_manager->sessionById(id); }
    QList<InspectedSession *> sessions() const { return m_manager->sessions(); }
    SessionManager *sessionManager() const { return m_manager; }
    /// Session › Serve a File…: the feed served on the live sessions (feedserver.h).
    FeedServer *feedServer() const { return m_feedServer; }

    MessageLogModel *logModel() const { return m_log; }
    SessionListModel *sessionModel() const { return m_manager->model(); }
    LogPane *logPane() const { return m_logPane; }
    HandshakeLadder *handshakeLadder() const { return m_ladder; }
    SecretsPanel *secretsPanel() const { return m_secretsPanel; }
    ChannelsPane *channelsPane() const { return m_channelsPane; }
    ExtensionsPane *extensionsPane() const { return m_extensionsPane; }
    FlowGraph *flowGraph() const { return m_flow; }
    /// The Feed tab (the block map of the current session's channels); after the Flow tab.
    FeedPane *feedPane() const { return m_feedPane; }
    SendMessageForm *sendForm() const { return m_docks.sendForm; }
    QTabWidget *tabs() const { return m_tabs; }
    SessionSidebar *sidebar() const { return m_docks.sidebar; }
    const MainWindowActions &actions() const { return m_actions; }
    /// An action by its name, for tests ("connect", "listen", "disconnect", "ping", "demo", ...;
    /// see MainWindowActions).
    QAction *action(const QString &name) const { return m_actions.byName(name); }

    /// The leg of a relayed session the Handshake, Channels and Extensions tabs and the send form
    /// work on (the combo at the tabs' corner, shown for a relayed session only). The log and
    /// the Flow tab always show both legs.
    QComboBox *legCombo() const { return m_legCombo; }
    InspectedSession::Leg currentLeg() const;
    void setCurrentLeg(InspectedSession::Leg leg);
    /// The session the per-leg panes show: the current session, or its chosen leg's object.
    InspectedSession *currentLegSession() const;

    /// Analyze and Statistics: expert information, next/previous problem, statistics, I/O graph.
    AnalysisCommands *analysis() const { return m_analysis; }
    /// Intercept (Session › Intercept…, the Intercepted dock) and the log's Resend.
    InterceptCommands *intercept() const { return m_intercept; }

    /// Remembered "host:port" entries, newest first.
    QStringList recentConnections() const { return m_settings.recentConnections; }

    /// Brings the status bar's listening ports and log counts up to date now (a timer does it
    /// twice a second), e.g. before a screenshot.
    void updateStatusCounts() { m_status->refreshCounts(); }

    /// Shows what went wrong while carrying out the command line (a capture that did not load,
    /// a port in use): in the status line and in a message box (object name "startupErrors")
    /// that does not block, so the window stays usable behind it.
    void showStartupErrors(const QStringList &errors);

    /// Rows a person would lose by quitting now (see quitprompt.h).
    int unsavedRows() const;

protected:
    /// A close the person asked for (the window's close button, File › Quit) with unsaved log
    /// rows asks Save / Discard / Cancel first (InspectorSettings::askToSaveOnQuit); a close
    /// the program asks for (QWidget::close()) does not.
    void closeEvent(QCloseEvent *event) override;
    /// The first show of a window without a saved layout fits the docks to its width.
    void showEvent(QShowEvent *event) override;

private:
    void buildCentral();
    void buildBars();
    void connectActions();
    void connectSessions();
    void applySettings();

    void watchSession(InspectedSession *session);
    void showSession(InspectedSession *session);
    /// Points the per-leg panes at the chosen leg of the current session.
    void showLeg();
    void showCurrentState();
    void updateTitle();
    void updateActions();

    void showConnectDialog();
    void showListenDialog();
    void showRelayDialog();
    void pingCurrent();
    /// Asks about unsaved rows; false when the person chose to stay.
    bool confirmQuit();

    MessageLogModel *m_log;
    SessionManager *m_manager;
    FeedServer *m_feedServer = nullptr; ///< Session › Serve a File…
    InspectorSettings m_settings;
    MainWindowActions m_actions;
    MainWindowDocks m_docks;
    bool m_dockWidthsSet = false; ///< A saved layout or the first show set the docks' width.
    CaptureCommands *m_captures = nullptr;
    AnalysisCommands *m_analysis = nullptr;
    InterceptCommands *m_intercept = nullptr;

    QTabWidget *m_tabs = nullptr;
    QComboBox *m_legCombo = nullptr;
    QMetaObject::Connection m_legHandshake;
    LogPane *m_logPane = nullptr;
    HandshakeLadder *m_ladder = nullptr;
    SecretsPanel *m_secretsPanel = nullptr;
    ChannelsPane *m_channelsPane = nullptr;
    ExtensionsPane *m_extensionsPane = nullptr;
    FlowGraph *m_flow = nullptr;
    FeedPane *m_feedPane = nullptr;
    StatusLine *m_status = nullptr;
    RecentConnectionsMenu *m_recentMenu = nullptr;
    UnsavedRows *m_unsaved = nullptr;
    bool m_quitRequested = false; ///< File › Quit: the next close is the person's.
};

} // namespace hyperscope
