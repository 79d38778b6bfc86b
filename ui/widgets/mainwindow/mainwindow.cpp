#include "mainwindow.h"

#include "capturefile.h"
#include "channelspane.h"
#include "connectdialog.h"
#include "demorunner.h"
#include "extensionspane.h"
#include "flowgraph.h"
#include "handshakeladder.h"
#include "icons.h"
#include "inspectedsession.h"
#include "logpane.h"
#include "messagelogfilter.h"
#include "messagelogmodel.h"
#include "secretspanel.h"
#include "sendmessageform.h"
#include "sessiondriver.h"
#include "sessionlistmodel.h"
#include "sessionsidebar.h"

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QCloseEvent>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QMenuBar>
#include <QMessageBox>
#include <QPushButton>
#include <QScrollArea>
#include <QSettings>
#include <QStatusBar>
#include <QStyle>
#include <QTabWidget>
#include <QTableView>
#include <QTimer>
#include <QToolBar>
#include <QTreeView>
#include <QVBoxLayout>

namespace hyperscope {

namespace {
constexpr int MaxRecent = 10;
constexpr int StatusRefreshMs = 500;
} // namespace

MainWindow::MainWindow(QWidget *parent)
    : QMainWindow(parent)
    , m_log(new MessageLogModel(this))
    , m_sessions(new SessionListModel(this))
{
    setObjectName(QStringLiteral("mainWindow"));
    setWindowIcon(icons::application());
    setDockNestingEnabled(true);
    buildActions();
    buildCentral();
    buildDocks();
    buildMenus();
    buildToolBar();
    buildStatusBar();
    loadSettings();
    updateActions();
    updateTitle();
}

MainWindow::~MainWindow()
{
    // Sessions hold traces that feed m_log: they go first, then the demo and the listeners
    // (which own their drivers), and only then the models (children, deleted by QObject).
    const QList<InspectedSession *> sessions = m_sessions->sessions();
    for (InspectedSession *session : sessions) {
        session->disconnect(this);
        m_sessions->removeSession(session);
        delete session;
    }
    delete m_demo;
    for (const Listener &listener : std::as_const(m_listeners))
        delete listener.server;
}

// --- Construction -------------------------------------------------------------------------------

void MainWindow::buildActions()
{
    auto add = [this](const QString &name, const QString &text, const QKeySequence &shortcut,
                      const QString &tip, auto slot) {
        auto *action = new QAction(text, this);
        action->setObjectName(name);
        if (!shortcut.isEmpty())
            action->setShortcut(shortcut);
        action->setStatusTip(tip);
        action->setToolTip(
            shortcut.isEmpty()
                ? tip
                : QStringLiteral("%1 (%2)").arg(tip, shortcut.toString(QKeySequence::NativeText)));
        connect(action, &QAction::triggered, this, slot);
        m_actions.insert(name, action);
        return action;
    };
    QStyle *s = style();
    add(QStringLiteral("connect"), tr("&Connect…"), QKeySequence(Qt::CTRL | Qt::Key_N),
        tr("Connect to a peer"), &MainWindow::showConnectDialog)
        ->setIcon(s->standardIcon(QStyle::SP_DriveNetIcon));
    add(QStringLiteral("listen"), tr("&Listen…"), QKeySequence(Qt::CTRL | Qt::Key_L),
        tr("Listen for peers on a port"), &MainWindow::showListenDialog)
        ->setIcon(s->standardIcon(QStyle::SP_ComputerIcon));
    add(QStringLiteral("stopListening"), tr("Stop &Listening"), {}, tr("Stop accepting new peers"),
        &MainWindow::stopListening);
    add(QStringLiteral("disconnect"), tr("&Disconnect"), QKeySequence(Qt::CTRL | Qt::Key_D),
        tr("End the current session"), &MainWindow::disconnectCurrent)
        ->setIcon(s->standardIcon(QStyle::SP_BrowserStop));
    add(QStringLiteral("remove"), tr("&Remove Session"),
        QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Delete),
        tr("Remove the current session from the list (its log lines stay)"),
        &MainWindow::removeCurrent);
    add(QStringLiteral("screenshot"), tr("Save &Screenshot…"),
        QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_S), tr("Save a picture of the window"),
        &MainWindow::saveScreenshotInteractive);
    add(QStringLiteral("openLog"), tr("&Open Log…"), QKeySequence(Qt::CTRL | Qt::Key_O),
        tr("Load a saved capture file into the log"), &MainWindow::openLogInteractive)
        ->setIcon(s->standardIcon(QStyle::SP_DialogOpenButton));
    add(QStringLiteral("saveLog"), tr("&Save Log As…"), QKeySequence(Qt::CTRL | Qt::Key_S),
        tr("Save every row of the log to a capture file"), [this] { saveLogInteractive(false); })
        ->setIcon(s->standardIcon(QStyle::SP_DialogSaveButton));
    add(QStringLiteral("saveShownLog"), tr("Save S&hown Rows As…"), {},
        tr("Save only the rows the log's filter shows to a capture file"),
        [this] { saveLogInteractive(true); });
    add(QStringLiteral("revealSecrets"), tr("Reveal Secret &Keys…"), {},
        tr("Show the current session's static secret key and transport keys (asks first)"), [this] {
            m_tabs->setCurrentIndex(HandshakeTab);
            m_secretsPanel->reveal(true);
        });
    add(QStringLiteral("quit"), tr("&Quit"), QKeySequence::Quit, tr("Quit hyperscope"),
        &QWidget::close);

    add(QStringLiteral("ping"), tr("&Ping"), QKeySequence(Qt::CTRL | Qt::Key_P),
        tr("Send a keepalive now"), &MainWindow::pingCurrent)
        ->setIcon(s->standardIcon(QStyle::SP_BrowserReload));
    add(QStringLiteral("openChannel"), tr("&Open Channel…"),
        QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O), tr("Open a channel by feed key"), [this] {
            m_tabs->setCurrentIndex(ChannelsTab);
            m_channelsPane->findChild<QWidget *>(QStringLiteral("channelKeyEdit"))->setFocus();
        });
    add(QStringLiteral("sendMessage"), tr("&Send Message…"), QKeySequence(Qt::CTRL | Qt::Key_M),
        tr("Show the send form"), [this] {
            m_sendDock->show();
            m_sendDock->raise();
            m_sendForm->setFocus();
        });
    add(QStringLiteral("extensions"), tr("&Extensions…"), QKeySequence(Qt::CTRL | Qt::Key_E),
        tr("Register and use extensions"), [this] { m_tabs->setCurrentIndex(ExtensionsTab); });

    add(QStringLiteral("demo"), tr("Start &Demo"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_D),
        tr("Two built-in peers talking over loopback"),
        [this] {
            QString error;
            if (!startDemo(&error))
                QMessageBox::warning(this, tr("Demo"), error);
        })
        ->setIcon(s->standardIcon(QStyle::SP_MediaPlay));
    add(QStringLiteral("stopDemo"), tr("S&top Demo"), {}, tr("End the demo's sessions"),
        &MainWindow::stopDemo)
        ->setIcon(s->standardIcon(QStyle::SP_MediaStop));

    add(QStringLiteral("find"), tr("&Filter Messages"), QKeySequence::Find,
        tr("Filter the message log"), [this] {
            m_tabs->setCurrentIndex(MessagesTab);
            m_logPane->focusTextFilter();
        });
    add(QStringLiteral("clearLog"), tr("C&lear Log"),
        QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_K), tr("Remove every line of the message log"),
        &MainWindow::clearLog)
        ->setIcon(s->standardIcon(QStyle::SP_DialogResetButton));
    QAction *keepAlives = add(QStringLiteral("keepAlives"), tr("Show &Keepalives"),
                              QKeySequence(Qt::CTRL | Qt::Key_K), tr("Show empty keepalive frames"),
                              [this](bool on) { m_logPane->setShowKeepAlives(on); });
    keepAlives->setCheckable(true);
    keepAlives->setChecked(true);
    QAction *autoScroll = add(QStringLiteral("autoScroll"), tr("&Auto-scroll"),
                              QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_A),
                              tr("Follow new messages"), [this](bool on) {
                                  m_logPane->setAutoScroll(on);
                                  m_flow->setAutoScroll(on);
                              });
    autoScroll->setCheckable(true);
    autoScroll->setChecked(true);

    add(QStringLiteral("help"), tr("&Protocol Overview"), QKeySequence::HelpContents,
        tr("What the Hypercore wire protocol does, briefly"), &MainWindow::showProtocolHelp);
    add(QStringLiteral("about"), tr("&About hyperscope"), {}, tr("About hyperscope"),
        &MainWindow::showAbout);
    add(QStringLiteral("aboutQt"), tr("About &Qt"), {}, tr("About Qt"), &QApplication::aboutQt);
}

QAction *MainWindow::action(const QString &name) const
{
    return m_actions.value(name);
}

void MainWindow::buildCentral()
{
    m_logPane = new LogPane(m_log);
    m_ladder = new HandshakeLadder;
    m_ladder->setObjectName(QStringLiteral("handshakeLadder"));
    m_secretsPanel = new SecretsPanel;
    auto *handshakePage = new QWidget;
    auto *handshakeLayout = new QVBoxLayout(handshakePage);
    handshakeLayout->setContentsMargins(0, 0, 0, 0);
    handshakeLayout->setSpacing(0);
    handshakeLayout->addWidget(m_ladder);
    handshakeLayout->addWidget(m_secretsPanel);
    handshakeLayout->addStretch();
    auto *ladderScroll = new QScrollArea;
    ladderScroll->setWidget(handshakePage);
    ladderScroll->setWidgetResizable(true);
    ladderScroll->setFrameShape(QFrame::NoFrame);
    m_channelsPane = new ChannelsPane;
    m_extensionsPane = new ExtensionsPane;
    // The flow graph draws the rows the log shows and shares its selection.
    m_flow = new FlowGraph;
    m_flow->setModel(m_logPane->filterModel());
    m_flow->setSelectionModel(m_logPane->logView()->selectionModel());
    connect(m_flow, &FlowGraph::rowActivated, m_logPane, &LogPane::selectSourceRow);

    m_tabs = new QTabWidget;
    m_tabs->setObjectName(QStringLiteral("mainTabs"));
    m_tabs->setDocumentMode(true);
    m_tabs->insertTab(MessagesTab, m_logPane, tr("Messages"));
    m_tabs->insertTab(HandshakeTab, ladderScroll, tr("Handshake"));
    m_tabs->insertTab(ChannelsTab, m_channelsPane, tr("Channels"));
    m_tabs->insertTab(ExtensionsTab, m_extensionsPane, tr("Extensions"));
    m_tabs->insertTab(FlowTab, m_flow, tr("Flow"));
    for (int i = 0; i < TabCount; ++i)
        m_tabs->setTabToolTip(i, tr("Alt+%1").arg(i + 1));
    auto *container = new QWidget;
    auto *layout = new QVBoxLayout(container);
    layout->setContentsMargins(6, 4, 6, 0);
    layout->addWidget(m_tabs);
    setCentralWidget(container);

    connect(m_logPane, &LogPane::keepAlivesToggled, this,
            [this](bool on) { m_actions.value(QStringLiteral("keepAlives"))->setChecked(on); });
    connect(m_logPane, &LogPane::statusMessage, this,
            [this](const QString &text) { statusBar()->showMessage(text, 4000); });
    connect(m_channelsPane, &ChannelsPane::statusMessage, this,
            [this](const QString &text) { statusBar()->showMessage(text, 4000); });
}

void MainWindow::buildDocks()
{
    m_sidebar = new SessionSidebar;
    m_sidebar->setModel(m_sessions);
    connect(m_sidebar->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex &current) {
                setCurrentSession(m_sessions->session(current.row()));
            });
    auto *sidebarBox = new QWidget;
    auto *sidebarLayout = new QVBoxLayout(sidebarBox);
    sidebarLayout->setContentsMargins(4, 4, 4, 4);
    sidebarLayout->addWidget(m_sidebar, 1);
    auto *buttons = new QHBoxLayout;
    for (const char *name : {"connect", "listen", "disconnect"}) {
        auto *button = new QPushButton(m_actions.value(QLatin1String(name))
                                           ->text()
                                           .remove(QLatin1Char('&'))
                                           .remove(QStringLiteral("…")));
        button->setToolTip(m_actions.value(QLatin1String(name))->toolTip());
        connect(button, &QPushButton::clicked, m_actions.value(QLatin1String(name)),
                &QAction::trigger);
        connect(m_actions.value(QLatin1String(name)), &QAction::changed, button,
                [button, a = m_actions.value(QLatin1String(name))] {
                    button->setEnabled(a->isEnabled());
                });
        buttons->addWidget(button);
    }
    sidebarLayout->addLayout(buttons);
    m_sessionsDock = new QDockWidget(tr("Sessions"), this);
    m_sessionsDock->setObjectName(QStringLiteral("sessionsDock"));
    m_sessionsDock->setWidget(sidebarBox);
    m_sessionsDock->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetClosable);
    addDockWidget(Qt::LeftDockWidgetArea, m_sessionsDock);

    m_sendForm = new SendMessageForm;
    m_sendForm->setObjectName(QStringLiteral("sendForm"));
    connect(m_sendForm, &SendMessageForm::sent, this,
            [this](const QString &text) { statusBar()->showMessage(text, 4000); });
    auto *sendScroll = new QScrollArea;
    sendScroll->setWidget(m_sendForm);
    sendScroll->setWidgetResizable(true);
    sendScroll->setFrameShape(QFrame::NoFrame);
    m_sendDock = new QDockWidget(tr("Send Message"), this);
    m_sendDock->setObjectName(QStringLiteral("sendDock"));
    m_sendDock->setWidget(sendScroll);
    m_sendDock->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetClosable |
                            QDockWidget::DockWidgetFloatable);
    // Sessions above the send form, both in the left column: the log gets the full width.
    addDockWidget(Qt::LeftDockWidgetArea, m_sendDock);
    splitDockWidget(m_sessionsDock, m_sendDock, Qt::Vertical);
    resizeDocks({m_sessionsDock}, {330}, Qt::Horizontal);
    resizeDocks({m_sessionsDock, m_sendDock}, {330, 420}, Qt::Vertical);
}

void MainWindow::buildMenus()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    file->addAction(m_actions.value(QStringLiteral("connect")));
    m_recentMenu = file->addMenu(tr("Recent &Connections"));
    m_recentMenu->setObjectName(QStringLiteral("recentMenu"));
    file->addAction(m_actions.value(QStringLiteral("listen")));
    file->addAction(m_actions.value(QStringLiteral("stopListening")));
    file->addSeparator();
    file->addAction(m_actions.value(QStringLiteral("disconnect")));
    file->addAction(m_actions.value(QStringLiteral("remove")));
    file->addSeparator();
    file->addAction(m_actions.value(QStringLiteral("openLog")));
    file->addAction(m_actions.value(QStringLiteral("saveLog")));
    file->addAction(m_actions.value(QStringLiteral("saveShownLog")));
    file->addSeparator();
    file->addAction(m_actions.value(QStringLiteral("screenshot")));
    file->addSeparator();
    file->addAction(m_actions.value(QStringLiteral("quit")));

    QMenu *view = menuBar()->addMenu(tr("&View"));
    const QString tabNames[] = {tr("&Messages"), tr("&Handshake"), tr("&Channels"),
                                tr("&Extensions"), tr("&Flow")};
    for (int i = 0; i < TabCount; ++i) {
        QAction *tab = view->addAction(tabNames[i]);
        tab->setShortcut(QKeySequence(Qt::ALT | Qt::Key(Qt::Key_1 + i)));
        connect(tab, &QAction::triggered, this, [this, i] { m_tabs->setCurrentIndex(i); });
    }
    view->addSeparator();
    view->addAction(m_actions.value(QStringLiteral("find")));
    view->addAction(m_actions.value(QStringLiteral("keepAlives")));
    view->addAction(m_actions.value(QStringLiteral("autoScroll")));
    view->addAction(m_actions.value(QStringLiteral("clearLog")));
    QMenu *bytes = view->addMenu(tr("&Bytes"));
    auto *bytesGroup = new QActionGroup(this);
    const std::pair<HexPane::Mode, QString> modes[] = {
        {HexPane::Mode::Decrypted, tr("&Decrypted Frame")},
        {HexPane::Mode::Wire, tr("On the &Wire")},
        {HexPane::Mode::Both, tr("&Both")}};
    for (const auto &[mode, text] : modes) {
        QAction *a = bytes->addAction(text);
        a->setCheckable(true);
        a->setChecked(mode == m_logPane->hexPane()->mode());
        bytesGroup->addAction(a);
        connect(a, &QAction::triggered, this,
                [this, m = mode] { m_logPane->hexPane()->setMode(m); });
        connect(m_logPane->hexPane(), &HexPane::modeChanged, a,
                [a, m = mode](HexPane::Mode current) { a->setChecked(current == m); });
    }
    view->addSeparator();
    view->addAction(m_sessionsDock->toggleViewAction());
    view->addAction(m_sendDock->toggleViewAction());

    QMenu *session = menuBar()->addMenu(tr("&Session"));
    session->addAction(m_actions.value(QStringLiteral("openChannel")));
    session->addAction(m_actions.value(QStringLiteral("sendMessage")));
    session->addAction(m_actions.value(QStringLiteral("extensions")));
    session->addAction(m_actions.value(QStringLiteral("ping")));
    session->addAction(m_actions.value(QStringLiteral("revealSecrets")));
    session->addSeparator();
    session->addAction(m_actions.value(QStringLiteral("disconnect")));

    QMenu *demo = menuBar()->addMenu(tr("&Demo"));
    demo->addAction(m_actions.value(QStringLiteral("demo")));
    demo->addAction(m_actions.value(QStringLiteral("stopDemo")));

    QMenu *help = menuBar()->addMenu(tr("&Help"));
    help->addAction(m_actions.value(QStringLiteral("help")));
    help->addSeparator();
    help->addAction(m_actions.value(QStringLiteral("about")));
    help->addAction(m_actions.value(QStringLiteral("aboutQt")));
}

void MainWindow::buildToolBar()
{
    QToolBar *bar = addToolBar(tr("Main"));
    bar->setObjectName(QStringLiteral("mainToolBar"));
    bar->setMovable(false);
    bar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    bar->setIconSize(QSize(16, 16));
    for (const char *name : {"connect", "listen", "disconnect"})
        bar->addAction(m_actions.value(QLatin1String(name)));
    bar->addSeparator();
    for (const char *name : {"demo", "stopDemo"})
        bar->addAction(m_actions.value(QLatin1String(name)));
    bar->addSeparator();
    bar->addAction(m_actions.value(QStringLiteral("ping")));
    bar->addAction(m_actions.value(QStringLiteral("clearLog")));
    bar->addSeparator();
    bar->addAction(m_actions.value(QStringLiteral("keepAlives")));
    bar->addAction(m_actions.value(QStringLiteral("autoScroll")));
}

void MainWindow::buildStatusBar()
{
    m_sessionLabel = new QLabel;
    m_listenLabel = new QLabel;
    m_countLabel = new QLabel;
    m_countLabel->setObjectName(QStringLiteral("statusCount"));
    statusBar()->addPermanentWidget(m_sessionLabel);
    statusBar()->addPermanentWidget(m_listenLabel);
    statusBar()->addPermanentWidget(m_countLabel);
    m_statusTimer = new QTimer(this);
    m_statusTimer->setInterval(StatusRefreshMs);
    connect(m_statusTimer, &QTimer::timeout, this, &MainWindow::updateStatusCounts);
    m_statusTimer->start();
    updateStatusCounts();
}

// --- Settings ------------------------------------------------------------------------------------

void MainWindow::loadSettings()
{
    QSettings settings;
    if (!restoreGeometry(settings.value(QStringLiteral("window/geometry")).toByteArray()))
        resize(1440, 900);
    restoreState(settings.value(QStringLiteral("window/state")).toByteArray());
    m_logPane->restoreState(settings.value(QStringLiteral("window/logPane")).toByteArray());
    m_recent = settings.value(QStringLiteral("recent/connections")).toStringList();
    m_lastOptions.noise = settings.value(QStringLiteral("connect/noise"), true).toBool();
    m_lastOptions.encrypted = settings.value(QStringLiteral("connect/encrypted"), true).toBool();
    m_lastOptions.timeoutMs =
        settings.value(QStringLiteral("connect/timeoutMs"), int(limits::DefaultTimeout.count()))
            .toInt();
    m_lastListenPort = quint16(settings.value(QStringLiteral("listen/port"), 4000).toUInt());
    const bool keepAlives = settings.value(QStringLiteral("view/keepAlives"), true).toBool();
    m_actions.value(QStringLiteral("keepAlives"))->setChecked(keepAlives);
    m_logPane->setShowKeepAlives(keepAlives);
    updateRecentMenu();
}

void MainWindow::saveSettings()
{
    QSettings settings;
    settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
    settings.setValue(QStringLiteral("window/state"), saveState());
    settings.setValue(QStringLiteral("window/logPane"), m_logPane->saveState());
    settings.setValue(QStringLiteral("recent/connections"), m_recent);
    settings.setValue(QStringLiteral("connect/noise"), m_lastOptions.noise);
    settings.setValue(QStringLiteral("connect/encrypted"), m_lastOptions.encrypted);
    settings.setValue(QStringLiteral("connect/timeoutMs"), m_lastOptions.timeoutMs);
    settings.setValue(QStringLiteral("listen/port"), m_lastListenPort);
    settings.setValue(QStringLiteral("view/keepAlives"),
                      m_actions.value(QStringLiteral("keepAlives"))->isChecked());
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    saveSettings();
    QMainWindow::closeEvent(event);
}

void MainWindow::addRecent(const QString &hostPort)
{
    m_recent.removeAll(hostPort);
    m_recent.prepend(hostPort);
    while (m_recent.size() > MaxRecent)
        m_recent.removeLast();
    updateRecentMenu();
}

void MainWindow::updateRecentMenu()
{
    m_recentMenu->clear();
    for (const QString &entry : std::as_const(m_recent)) {
        m_recentMenu->addAction(entry, this, [this, entry] {
            QString host;
            quint16 port = 0;
            QString error;
            if (parseHostPort(entry, &host, &port, &error))
                connectToPeer(host, port, m_lastOptions);
        });
    }
    if (m_recent.isEmpty())
        m_recentMenu->addAction(tr("(none yet)"))->setEnabled(false);
    else {
        m_recentMenu->addSeparator();
        m_recentMenu->addAction(tr("Clear List"), this, [this] {
            m_recent.clear();
            updateRecentMenu();
        });
    }
}

// --- Sessions ------------------------------------------------------------------------------------

InspectedSession *MainWindow::adopt(SessionDriver *driver, int origin, const QList<Key32> &keys)
{
    auto *session =
        new InspectedSession(driver->id(), driver, InspectedSession::Origin(origin), m_log, this);
    m_sessions->addSession(session);
    connect(session, &InspectedSession::changed, this, [this, session] {
        if (session == m_current)
            onSessionChanged();
    });
    connect(session, &InspectedSession::handshakeChanged, m_ladder, [this, session] {
        if (session == m_current)
            m_ladder->setRecord(&session->handshake()); // sizes change with the steps seen
    });
    connect(session, &InspectedSession::ended, this, [this, session](const QString &reason) {
        if (!reason.isEmpty())
            statusBar()->showMessage(tr("Session #%1 ended: %2").arg(session->id()).arg(reason),
                                     8000);
        updateActions();
    });
    if (!keys.isEmpty()) {
        // Open the requested channels once the transport is up (the engine queues them until
        // the handshake completes).
        connect(driver, &SessionDriver::transportConnected, session, [session, keys] {
            for (const Key32 &key : keys)
                session->openChannel(key);
        });
    }
    if (!m_current)
        setCurrentSession(session);
    updateActions();
    return session;
}

InspectedSession *MainWindow::connectToPeer(const QString &host, quint16 port,
                                            const ConnectionOptions &options)
{
    auto *driver = new SessionDriver(m_ids.next(), options.engineOptions(true));
    InspectedSession *session = adopt(driver, int(InspectedSession::Origin::Dialed), options.keys);
    m_lastOptions = options;
    m_lastOptions.keys.clear();
    const QString hostPort = host.contains(QLatin1Char(':'))
                                 ? QStringLiteral("[%1]:%2").arg(host).arg(port)
                                 : QStringLiteral("%1:%2").arg(host).arg(port);
    addRecent(hostPort);
    driver->connectToHost(host, port);
    setCurrentSession(session);
    statusBar()->showMessage(tr("Connecting to %1…").arg(hostPort), 4000);
    return session;
}

bool MainWindow::listen(const QHostAddress &address, quint16 port, const ConnectionOptions &options,
                        QString *error)
{
    auto *server = new SessionServer(&m_ids, this);
    server->setOptions(options.engineOptions(false));
    QString listenError;
    if (!server->listen(address, port, &listenError)) {
        delete server;
        if (error)
            *error = listenError;
        statusBar()->showMessage(listenError, 8000);
        return false;
    }
    const QList<Key32> keys = options.keys;
    connect(server, &SessionServer::sessionStarted, this, [this, keys](SessionDriver *driver) {
        adopt(driver, int(InspectedSession::Origin::Accepted), keys);
    });
    connect(server, &SessionServer::acceptFailed, this,
            [this](const QString &message) { statusBar()->showMessage(message, 8000); });
    m_listeners.append({server, options});
    m_lastListenPort = port;
    updateStatusCounts();
    updateActions();
    updateTitle();
    statusBar()->showMessage(
        tr("Listening on %1:%2").arg(server->address().toString()).arg(server->port()), 4000);
    return true;
}

quint16 MainWindow::listeningPort() const
{
    for (auto it = m_listeners.crbegin(); it != m_listeners.crend(); ++it) {
        if (it->server->isListening())
            return it->server->port();
    }
    return 0;
}

void MainWindow::stopListening()
{
    for (const Listener &listener : std::as_const(m_listeners))
        listener.server->close();
    updateStatusCounts();
    updateActions();
    updateTitle();
}

bool MainWindow::startDemo(QString *error)
{
    if (m_demo && m_demo->isRunning())
        return true;
    delete m_demo;
    m_demo = new DemoRunner(&m_ids, this);
    connect(m_demo, &DemoRunner::sessionCreated, this, [this](SessionDriver *driver, bool) {
        InspectedSession *session = adopt(driver, int(InspectedSession::Origin::Demo), {});
        if (driver->isInitiator())
            setCurrentSession(session);
    });
    connect(m_demo, &DemoRunner::stopped, this, [this] {
        updateActions();
        updateTitle();
    });
    if (!m_demo->start(error)) {
        delete m_demo;
        return false;
    }
    statusBar()->showMessage(tr("Demo: two peers talking over 127.0.0.1:%1").arg(m_demo->port()),
                             6000);
    updateActions();
    updateTitle();
    return true;
}

void MainWindow::stopDemo()
{
    if (m_demo)
        m_demo->stop();
    updateActions();
}

DemoRunner *MainWindow::demo() const
{
    return m_demo;
}

InspectedSession *MainWindow::currentSession() const
{
    return m_current;
}

InspectedSession *MainWindow::sessionById(int id) const
{
    const int row = m_sessions->rowOfId(id);
    return row >= 0 ? m_sessions->session(row) : nullptr;
}

QList<InspectedSession *> MainWindow::sessions() const
{
    return m_sessions->sessions();
}

void MainWindow::setCurrentSession(InspectedSession *session)
{
    if (m_current != session) {
        m_current = session;
        m_ladder->setRecord(session ? &session->handshake() : nullptr);
        m_secretsPanel->setSession(session);
        m_channelsPane->setSession(session);
        m_extensionsPane->setSession(session);
        m_sendForm->setSession(session);
    }
    const int row = m_sessions->rowOf(session);
    const QModelIndex index = row >= 0 ? m_sessions->index(row, 0) : QModelIndex();
    if (m_sidebar->currentIndex() != index)
        m_sidebar->setCurrentIndex(index);
    onSessionChanged();
}

void MainWindow::onSessionChanged()
{
    updateTitle();
    updateActions();
    if (m_current) {
        m_sessionLabel->setText(tr("#%1 %2 · %3")
                                    .arg(m_current->id())
                                    .arg(m_current->stateText(), m_current->modeText()));
    } else {
        m_sessionLabel->clear();
    }
}

void MainWindow::updateTitle()
{
    QString where;
    if (m_current) {
        where = tr("#%1 %2 · %3 · %4")
                    .arg(m_current->id())
                    .arg(m_current->peerAddress(), m_current->roleText(), m_current->stateText());
    } else if (quint16 port = listeningPort()) {
        where = tr("listening on port %1").arg(port);
    } else {
        where = tr("no session");
    }
    if (m_demo && m_demo->isRunning())
        where = tr("demo — %1").arg(where);
    setWindowTitle(QStringLiteral("hyperscope — %1").arg(where));
}

void MainWindow::updateActions()
{
    const bool live = m_current && m_current->state() != InspectedSession::State::Ended;
    m_actions.value(QStringLiteral("disconnect"))->setEnabled(live);
    m_actions.value(QStringLiteral("ping"))
        ->setEnabled(live && m_current->state() == InspectedSession::State::Open);
    m_actions.value(QStringLiteral("remove"))->setEnabled(m_current != nullptr);
    m_actions.value(QStringLiteral("revealSecrets"))->setEnabled(m_current != nullptr);
    m_actions.value(QStringLiteral("openChannel"))->setEnabled(live);
    const bool demoRunning = m_demo && m_demo->isRunning();
    m_actions.value(QStringLiteral("demo"))->setEnabled(!demoRunning);
    m_actions.value(QStringLiteral("stopDemo"))->setEnabled(demoRunning);
    m_actions.value(QStringLiteral("stopListening"))->setEnabled(listeningPort() != 0);
}

void MainWindow::updateStatusCounts()
{
    const QLocale locale;
    m_countLabel->setText(tr("%1 messages · %2 kept")
                              .arg(locale.toString(m_log->rowCount() + m_log->pendingCount()),
                                   formatBytes(m_log->storedBytes())));
    QStringList ports;
    for (const Listener &listener : std::as_const(m_listeners)) {
        if (listener.server->isListening())
            ports << QString::number(listener.server->port());
    }
    m_listenLabel->setText(
        ports.isEmpty() ? QString() : tr("Listening on %1").arg(ports.join(QLatin1String(", "))));
}

// --- Actions -------------------------------------------------------------------------------------

void MainWindow::showConnectDialog()
{
    ConnectDialog dialog(ConnectDialog::Mode::Connect, this);
    dialog.setRecent(m_recent);
    dialog.setOptions(m_lastOptions);
    if (dialog.exec() != QDialog::Accepted)
        return;
    connectToPeer(dialog.host(), dialog.port(), dialog.options());
}

void MainWindow::showListenDialog()
{
    ConnectDialog dialog(ConnectDialog::Mode::Listen, this);
    dialog.setOptions(m_lastOptions);
    dialog.setPort(m_lastListenPort);
    while (dialog.exec() == QDialog::Accepted) {
        QString error;
        if (listen(QHostAddress(dialog.host()), dialog.port(), dialog.options(), &error))
            return;
        QMessageBox::warning(this, tr("Listen"), error);
    }
}

void MainWindow::disconnectCurrent()
{
    if (m_current)
        m_current->disconnectFromPeer();
}

void MainWindow::removeCurrent()
{
    InspectedSession *session = m_current;
    if (!session)
        return;
    const int row = m_sessions->rowOf(session);
    session->disconnectFromPeer();
    m_sessions->removeSession(session);
    session->deleteLater();
    setCurrentSession(m_sessions->session(qMin(row, m_sessions->rowCount() - 1)));
}

void MainWindow::pingCurrent()
{
    if (!m_current)
        return;
    const QString error = m_current->ping();
    statusBar()->showMessage(error.isEmpty() ? tr("Keepalive sent") : error, 4000);
}

void MainWindow::clearLog()
{
    m_log->clear();
    updateStatusCounts();
}

void MainWindow::showcase()
{
    m_log->flush();
    for (int row = m_log->rowCount() - 1; row >= 0; --row) {
        const MessageLogModel::Record &r = m_log->record(row);
        if (r.kind != MessageLogModel::Kind::Frame || r.type != 9 ||
            r.direction() != Direction::Inbound || !m_logPane->selectSourceRow(row))
            continue;
        m_logPane->setAutoScroll(false);
        m_flow->setAutoScroll(false);
        m_actions.value(QStringLiteral("autoScroll"))->setChecked(false);
        m_logPane->hexPane()->setMode(HexPane::Mode::Both);
        // Highlight the block's value: the field a reader cares about.
        QTreeView *fields = m_logPane->fieldView();
        const QModelIndexList matches = fields->model()->match(
            fields->model()->index(0, 0), Qt::DisplayRole, QStringLiteral("value"), 1,
            Qt::MatchExactly | Qt::MatchRecursive);
        if (!matches.isEmpty())
            fields->setCurrentIndex(matches.first());
        return;
    }
}

bool MainWindow::saveScreenshot(const QString &path)
{
    m_log->flush();
    updateStatusCounts(); // the picture must agree with itself: counts as of the last row
    return grab().save(path, "PNG");
}

void MainWindow::saveScreenshotInteractive()
{
    const QString path = QFileDialog::getSaveFileName(
        this, tr("Save Screenshot"), QStringLiteral("hyperscope.png"), tr("PNG images (*.png)"));
    if (!path.isEmpty() && !saveScreenshot(path))
        QMessageBox::warning(this, tr("Save Screenshot"), tr("Could not write %1").arg(path));
}

bool MainWindow::saveLog(const QString &path, bool shownOnly, QString *error)
{
    m_log->flush();
    QList<int> rows;
    if (shownOnly) {
        const MessageLogFilterModel *filter = m_logPane->filterModel();
        rows.reserve(filter->rowCount());
        for (int row = 0; row < filter->rowCount(); ++row)
            rows.append(filter->mapToSource(filter->index(row, 0)).row());
    } else {
        rows.reserve(m_log->rowCount());
        for (int row = 0; row < m_log->rowCount(); ++row)
            rows.append(row);
    }
    QString saveError;
    if (!capture::save(path, *m_log, rows, &saveError)) {
        if (error)
            *error = saveError;
        return false;
    }
    statusBar()->showMessage(
        tr("Saved %1 rows to %2").arg(rows.size()).arg(QFileInfo(path).fileName()), 6000);
    return true;
}

bool MainWindow::openLog(const QString &path, QString *error)
{
    QString loadError;
    const std::optional<capture::Capture> file = capture::load(path, &loadError);
    if (!file) {
        if (error)
            *error = loadError;
        statusBar()->showMessage(loadError, 8000);
        return false;
    }
    m_log->flush(); // live rows that came first stay first
    const QString name = QFileInfo(path).fileName();
    QList<int> loadedSessions;
    capture::addTo(
        *m_log, *file,
        [this, &loadedSessions](int) {
            loadedSessions.append(m_ids.next());
            return loadedSessions.last();
        },
        name);
    updateStatusCounts();
    m_tabs->setCurrentIndex(MessagesTab);
    statusBar()->showMessage(
        tr("Loaded %1 rows from %2 (read-only)").arg(file->rows.size()).arg(name), 6000);
    return true;
}

void MainWindow::saveLogInteractive(bool shownOnly)
{
    m_log->flush();
    if (m_log->rowCount() == 0) {
        QMessageBox::information(this, tr("Save Log"), tr("The log is empty: nothing to save."));
        return;
    }
    const QString path =
        QFileDialog::getSaveFileName(this, shownOnly ? tr("Save Shown Rows") : tr("Save Log"),
                                     QStringLiteral("hyperscope-capture.jsonl"),
                                     tr("hyperscope captures (*.jsonl);;All files (*)"));
    QString error;
    if (!path.isEmpty() && !saveLog(path, shownOnly, &error))
        QMessageBox::warning(this, tr("Save Log"), error);
}

void MainWindow::openLogInteractive()
{
    const QString path = QFileDialog::getOpenFileName(
        this, tr("Open Log"), {}, tr("hyperscope captures (*.jsonl);;All files (*)"));
    QString error;
    if (!path.isEmpty() && !openLog(path, &error))
        QMessageBox::warning(this, tr("Open Log"), error);
}

void MainWindow::showProtocolHelp()
{
    QMessageBox box(this);
    box.setWindowTitle(tr("The Hypercore wire protocol"));
    box.setTextFormat(Qt::RichText);
    box.setText(tr(
        "<h3>Hypercore wire protocol v9</h3>"
        "<p><b>Handshake.</b> Three Noise XX messages prove both peers' static keys and agree on "
        "transport keys. Each side sends a 24-byte nonce in its payload.</p>"
        "<p><b>Transport.</b> Every byte after the handshake is XORed with an XSalsa20 keystream "
        "(one per direction). There is no MAC after the handshake.</p>"
        "<p><b>Frames.</b> <tt>varint(length) · varint(channel&lt;&lt;4 | type) · protobuf</tt>. "
        "An empty frame is a keepalive.</p>"
        "<p><b>Channels.</b> One per feed, opened by discovery key with a capability that proves "
        "knowledge of the feed key. Each side numbers channels with its own ids.</p>"
        "<p><b>Messages.</b> Open, Options, Status, Have, Unhave, Want, Unwant, Request, Cancel, "
        "Data, Close; and Extension (15), whose id indexes the sender's sorted extension names."
        "</p>"));
    box.exec();
}

void MainWindow::showAbout()
{
    QMessageBox::about(
        this, tr("About hyperscope"),
        tr("<h3>hyperscope %1</h3><p>An inspector for the Hypercore wire protocol v9 "
           "(hypercore-protocol 8.x): sessions, handshakes, channels, extensions and every frame, "
           "decoded down to the byte.</p>")
            .arg(QApplication::applicationVersion()));
}

} // namespace hyperscope
