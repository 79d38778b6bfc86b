// MainWindow: the inspector. Sessions in a sidebar; the message log (list, fields, bytes) and
// the handshake, channels and extensions of the current session in tabs; a send form in a dock.
//
// Every session, however it started (dialed, accepted by a listener, the demo), becomes an
// InspectedSession feeding the shared MessageLogModel. The window never touches a socket itself.
#pragma once

#include "sessionoptions.h"
#include "sessionserver.h"

#include <QHostAddress>
#include <QList>
#include <QMainWindow>
#include <QPointer>

class QAction;
class QDockWidget;
class QLabel;
class QMenu;
class QTabWidget;
class QTimer;

namespace hyperscope {

class ChannelsPane;
class DemoRunner;
class ExtensionsPane;
class FlowGraph;
class HandshakeLadder;
class InspectedSession;
class LogPane;
class MessageLogModel;
class SecretsPanel;
class SendMessageForm;
class SessionDriver;
class SessionListModel;
class SessionSidebar;

class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    enum Tab { MessagesTab, HandshakeTab, ChannelsTab, ExtensionsTab, FlowTab, TabCount };

    explicit MainWindow(QWidget *parent = nullptr);
    ~MainWindow() override;

    // --- Starting sessions (menus, command line, tests) ----------------------------------------

    /// Dials @p host:@p port; the session appears at once (connecting) and opens
    /// options.keys once connected.
    InspectedSession *connectToPeer(const QString &host, quint16 port,
                                    const ConnectionOptions &options);
    /// Listens; every accepted connection becomes a session. Returns false with @p error.
    bool listen(const QHostAddress &address, quint16 port, const ConnectionOptions &options,
                QString *error = nullptr);
    /// The port of the newest listener (0 when none).
    quint16 listeningPort() const;
    void stopListening();
    /// Starts the two-peer loopback demo (no-op when it runs).
    bool startDemo(QString *error = nullptr);
    void stopDemo();
    DemoRunner *demo() const;

    // --- Capture files (capturefile.h) ----------------------------------------------------------

    /// Writes the log to @p path as a capture file: every row, or only the rows the log's filter
    /// shows when @p shownOnly. Returns false with @p error ("name: what went wrong").
    bool saveLog(const QString &path, bool shownOnly, QString *error = nullptr);
    /// Appends the rows of capture file @p path to the log, read-only, under new session ids
    /// named after the file ("#1 127.0.0.1:4000 · capture.jsonl"). Nothing is loaded when the
    /// file has any problem: returns false with @p error ("capture.jsonl: line 3: ...").
    bool openLog(const QString &path, QString *error = nullptr);

    // --- State --------------------------------------------------------------------------------

    InspectedSession *currentSession() const;
    void setCurrentSession(InspectedSession *session);
    InspectedSession *sessionById(int id) const;
    QList<InspectedSession *> sessions() const;

    MessageLogModel *logModel() const { return m_log; }
    SessionListModel *sessionModel() const { return m_sessions; }
    LogPane *logPane() const { return m_logPane; }
    HandshakeLadder *handshakeLadder() const { return m_ladder; }
    SecretsPanel *secretsPanel() const { return m_secretsPanel; }
    ChannelsPane *channelsPane() const { return m_channelsPane; }
    ExtensionsPane *extensionsPane() const { return m_extensionsPane; }
    FlowGraph *flowGraph() const { return m_flow; }
    SendMessageForm *sendForm() const { return m_sendForm; }
    QTabWidget *tabs() const { return m_tabs; }
    SessionSidebar *sidebar() const { return m_sidebar; }
    /// Named actions for tests ("connect", "listen", "disconnect", "ping", "demo", ...).
    QAction *action(const QString &name) const;

    /// Puts the window in a state that shows what it can do: the newest received Data frame
    /// selected in the log, its value field highlighted in both hex views. For screenshots.
    void showcase();
    /// Renders the window to @p path (PNG). Returns false if it could not be written.
    bool saveScreenshot(const QString &path);

    /// Remembered "host:port" entries, newest first.
    QStringList recentConnections() const { return m_recent; }

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    struct Listener
    {
        SessionServer *server = nullptr;
        ConnectionOptions options;
    };

    void buildActions();
    void buildMenus();
    void buildToolBar();
    void buildCentral();
    void buildDocks();
    void buildStatusBar();
    void loadSettings();
    void saveSettings();

    InspectedSession *adopt(SessionDriver *driver, int origin, const QList<Key32> &keys);
    void onSessionChanged();
    void updateTitle();
    void updateActions();
    void updateStatusCounts();
    void updateRecentMenu();
    void addRecent(const QString &hostPort);

    void showConnectDialog();
    void showListenDialog();
    void disconnectCurrent();
    void removeCurrent();
    void pingCurrent();
    void clearLog();
    void saveScreenshotInteractive();
    void saveLogInteractive(bool shownOnly);
    void openLogInteractive();
    void showProtocolHelp();
    void showAbout();

    MessageLogModel *m_log;
    SessionListModel *m_sessions;
    SessionIds m_ids;
    QList<Listener> m_listeners;
    QPointer<DemoRunner> m_demo;
    QPointer<InspectedSession> m_current;

    SessionSidebar *m_sidebar = nullptr;
    QTabWidget *m_tabs = nullptr;
    LogPane *m_logPane = nullptr;
    HandshakeLadder *m_ladder = nullptr;
    SecretsPanel *m_secretsPanel = nullptr;
    ChannelsPane *m_channelsPane = nullptr;
    ExtensionsPane *m_extensionsPane = nullptr;
    FlowGraph *m_flow = nullptr;
    SendMessageForm *m_sendForm = nullptr;
    QDockWidget *m_sessionsDock = nullptr;
    QDockWidget *m_sendDock = nullptr;
    QLabel *m_listenLabel = nullptr;
    QLabel *m_countLabel = nullptr;
    QLabel *m_sessionLabel = nullptr;
    QTimer *m_statusTimer = nullptr;
    QMenu *m_recentMenu = nullptr;
    QHash<QString, QAction *> m_actions;
    QStringList m_recent;
    ConnectionOptions m_lastOptions;
    quint16 m_lastListenPort = 4000;
};

} // namespace hyperscope
