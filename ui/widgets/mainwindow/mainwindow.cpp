#include "mainwindow.h"

#include "analysiscommands.h"
#include "capabilitylesson.h"
#include "capturecommands.h"
#include "channelspane.h"
#include "colouringrules.h"
#include "connectdialog.h"
#include "demorunner.h"
#include "expertinfomodel.h"
#include "extensionspane.h"
#include "feedpane.h"
#include "feedserver.h"
#include "feedtracker.h"
#include "fieldtreemodel.h"
#include "flowgraph.h"
#include "flowpane.h"
#include "handshakeladder.h"
#include "handshakelesson.h"
#include "helpdialogs.h"
#include "icons.h"
#include "inspectedsession.h"
#include "interceptcommands.h"
#include "logpane.h"
#include "mainwindowdocks.h"
#include "messagelogmodel.h"
#include "quitprompt.h"
#include "recentconnectionsmenu.h"
#include "screenshot.h"
#include "secretspanel.h"
#include "sendmessageform.h"
#include "sessionlistmodel.h"
#include "sessionmanager.h"
#include "sessionsidebar.h"
#include "statusline.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QComboBox>
#include <QDockWidget>
#include <QFileDialog>
#include <QInputDialog>
#include <QLineEdit>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QScrollArea>
#include <QShowEvent>
#include <QStatusBar>
#include <QTabWidget>
#include <QTableView>
#include <QVBoxLayout>

namespace hyperscope {

MainWindow::MainWindow(QWidget *parent)
    : QMainWindow(parent)
    , m_log(new MessageLogModel(this))
    , m_manager(new SessionManager(m_log, this))
    , m_settings(InspectorSettings::load())
{
    setObjectName(QStringLiteral("mainWindow"));
    setWindowIcon(icons::application());
    setDockNestingEnabled(true);
    m_actions = MainWindowActions::create(this);
    buildCentral();
    m_docks = MainWindowDocks::create(this, m_manager->model(), m_actions);
    buildBars();
    m_captures = new CaptureCommands(m_log, m_logPane, m_manager, this);
    m_analysis = new AnalysisCommands(m_log, m_logPane, this);
    m_unsaved = new UnsavedRows(m_log, this);
    connect(m_captures, &CaptureCommands::saved, m_unsaved, &UnsavedRows::markSaved);
    connect(m_captures, &CaptureCommands::loaded, m_unsaved, &UnsavedRows::markLoaded);
    // Intercept and replay (issue 12): the Intercepted dock, Session › Intercept…, Resend.
    m_intercept = new InterceptCommands(this, m_actions.intercept);
    connect(m_intercept, &InterceptCommands::statusMessage, m_status,
            [this](const QString &text) { m_status->showMessage(text); });
    connectActions();
    connectSessions();
    applySettings();
    updateActions();
    updateTitle();
}

MainWindow::~MainWindow()
{
    // The analysis dialogs and models read m_log (a child deleted after this body): they go first.
    delete m_analysis;
    m_analysis = nullptr;

    // The sessions hold traces that feed m_log, a child deleted after this body: the manager
    // (sessions, demo, listeners) goes now, once the views let go of the current session, and
    // without calling back into a window being destroyed.
    m_manager->setCurrent(nullptr);
    m_docks.sidebar->selectionModel()->disconnect(this);
    m_manager->disconnect(this);
    const QList<InspectedSession *> sessions = m_manager->sessions();
    for (InspectedSession *session : sessions)
        session->disconnect(this);
    delete m_manager;
}

// --- Construction -------------------------------------------------------------------------------

void MainWindow::buildCentral()
{
    m_logPane = new LogPane(m_log);
    // An Open's field tree explains its capability check with the session's keys.
    m_logPane->fieldModel()->setAnnotator([this](DissectedField &root) {
        annotateOpenCapability(root, *m_log, m_logPane->currentSourceRow(), *m_manager);
        // A Data's verdict and hash chain, a Have/Want's blocks (the feed layer).
        annotateFeedRow(root, *m_log, m_logPane->currentSourceRow(), *m_manager);
    });
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
    // The handshake as a lesson, under the secrets panel it follows (session, revealed keys).
    auto *handshakeLesson = new HandshakeLesson;
    handshakeLesson->followSecretsPanel(m_secretsPanel);
    handshakeLayout->insertWidget(handshakeLayout->indexOf(m_secretsPanel) + 1, handshakeLesson);
    auto *ladderScroll = new QScrollArea;
    ladderScroll->setWidget(handshakePage);
    ladderScroll->setWidgetResizable(true);
    ladderScroll->setFrameShape(QFrame::NoFrame);
    m_channelsPane = new ChannelsPane;
    m_extensionsPane = new ExtensionsPane;
    // The flow graph draws the rows the log shows and shares its selection; the Flow tab shows
    // the selected message's fields (the log pane's tree) and bytes below it.
    auto *flowPane = new FlowPane(m_logPane->filterModel(), m_logPane->fieldModel());
    flowPane->setSelectionModel(m_logPane->logView()->selectionModel());
    m_flow = flowPane->graph();
    connect(m_flow, &FlowGraph::rowActivated, m_logPane, &LogPane::selectSourceRow);

    m_tabs = new QTabWidget;
    m_tabs->setObjectName(QStringLiteral("mainTabs"));
    m_tabs->setDocumentMode(true);
    m_tabs->insertTab(MessagesTab, m_logPane, tr("Messages"));
    m_tabs->insertTab(HandshakeTab, ladderScroll, tr("Handshake"));
    m_tabs->insertTab(ChannelsTab, m_channelsPane, tr("Channels"));
    m_tabs->insertTab(ExtensionsTab, m_extensionsPane, tr("Extensions"));
    m_tabs->insertTab(FlowTab, flowPane, tr("Flow"));
    // The Feed tab (issue 13): each channel's block map; a click selects the block's latest row.
    m_feedPane = new FeedPane;
    m_feedPane->setObjectName(QStringLiteral("feedPane"));
    m_tabs->insertTab(FeedTab, m_feedPane, tr("Feed"));
    for (int i = 0; i < TabCount; ++i)
        m_tabs->setTabToolTip(i, tr("Alt+%1").arg(i + 1));
    m_tabs->setTabToolTip(
        FeedTab, tr("What each peer has, wanted, requested, received and verified (Alt+6)"));
    connect(m_feedPane, &FeedPane::rowActivated, this, [this](int row) {
        m_tabs->setCurrentWidget(m_logPane);
        m_logPane->selectSourceRow(row);
    });
    // The proof lesson under the block map (issue 13, teaching): "Explain This Proof" on a Data
    // row opens it on that Data, in the Feed tab of the row's session; while it is open it
    // follows the Data selected in the log, and the row it explains is selected there.
    m_logPane->setRowMenuExtension([this](QMenu *menu, int row) {
        const MessageLogModel::Record &record = m_log->record(row);
        if (record.kind != MessageLogModel::Kind::Frame || record.type != 9) // Data
            return;
        menu->addSeparator();
        QAction *explain = menu->addAction(tr("Explain This Proof"), this, [this, row] {
            const MessageLogModel::Record &data = m_log->record(row);
            InspectedSession *session = m_manager->sessionById(data.session);
            if (!session)
                return;
            setCurrentSession(session);
            if (session->isRelayed())
                setCurrentLeg(data.leg == MessageLogModel::Leg::Server
                                  ? InspectedSession::Leg::Server
                                  : InspectedSession::Leg::Client);
            m_tabs->setCurrentWidget(m_feedPane);
            m_feedPane->explainRow(row);
        });
        explain->setObjectName(QStringLiteral("explainProof"));
        explain->setToolTip(tr("How this Data's block is proven, step by step with its own "
                               "hashes (Feed tab)"));
    });
    connect(m_feedPane, &FeedPane::proofShown, m_logPane, &LogPane::selectSourceRow);
    connect(m_logPane, &LogPane::currentRowChanged, m_feedPane, &FeedPane::followLogRow);
    connect(m_feedPane, &FeedPane::helpRequested, this,
            [this](const QString &page) { help::showHelp(this, page); });
    // A relayed session has two legs, each its own handshake, channel ids and extensions.
    m_legCombo = new QComboBox;
    m_legCombo->setObjectName(QStringLiteral("legCombo"));
    m_legCombo->addItem(tr("Client leg (client → hyperscope)"), int(InspectedSession::Leg::Client));
    m_legCombo->addItem(tr("Server leg (hyperscope → server)"), int(InspectedSession::Leg::Server));
    m_legCombo->setToolTip(tr("The leg of the relayed session that the Handshake, Channels and "
                              "Extensions tabs and the send form work on; what you send goes "
                              "to that leg's peer only"));
    m_legCombo->setVisible(false);
    m_tabs->setCornerWidget(m_legCombo, Qt::TopRightCorner);
    connect(m_legCombo, &QComboBox::currentIndexChanged, this, &MainWindow::showLeg);
    auto *container = new QWidget;
    auto *layout = new QVBoxLayout(container);
    layout->setContentsMargins(6, 4, 6, 0);
    layout->addWidget(m_tabs);
    setCentralWidget(container);
}

void MainWindow::buildBars()
{
    m_recentMenu = new RecentConnectionsMenu(this);
    connect(m_recentMenu, &RecentConnectionsMenu::connectRequested, this,
            [this](const QString &host, quint16 port) {
                connectToPeer(host, port, m_settings.lastOptions);
            });
    connect(m_recentMenu, &RecentConnectionsMenu::clearRequested, this, [this] {
        m_settings.recentConnections.clear();
        m_recentMenu->setEntries({});
    });
    m_actions.fillMenuBar(menuBar(), m_recentMenu,
                          {m_docks.sessions->toggleViewAction(), m_docks.send->toggleViewAction()});

    m_actions.fillToolBar(addToolBar(tr("Main")));

    m_status = new StatusLine(statusBar(), m_log, m_manager);
}

void MainWindow::connectActions()
{
    const MainWindowActions &a = m_actions;
    connect(a.connect, &QAction::triggered, this, &MainWindow::showConnectDialog);
    connect(a.listen, &QAction::triggered, this, &MainWindow::showListenDialog);
    connect(a.relay, &QAction::triggered, this, &MainWindow::showRelayDialog);
    connect(a.stopListening, &QAction::triggered, this, &MainWindow::stopListening);
    connect(a.disconnect, &QAction::triggered, this, [this] {
        if (InspectedSession *session = currentSession())
            session->disconnectFromPeer();
    });
    connect(a.remove, &QAction::triggered, this, [this] { m_manager->remove(currentSession()); });
    connect(a.screenshot, &QAction::triggered, this, [this] { saveScreenshotInteractive(*this); });
    connect(a.openLog, &QAction::triggered, m_captures, &CaptureCommands::openInteractive);
    connect(a.saveLog, &QAction::triggered, m_captures,
            [this] { m_captures->saveInteractive(false); });
    connect(a.saveShownLog, &QAction::triggered, m_captures,
            [this] { m_captures->saveInteractive(true); });
    connect(a.quit, &QAction::triggered, this, [this] {
        m_quitRequested = true; // the person's close: closeEvent() asks about unsaved rows
        close();
        m_quitRequested = false;
    });

    for (int i = 0; i < TabCount; ++i)
        connect(a.tabs.at(i), &QAction::triggered, this, [this, i] { m_tabs->setCurrentIndex(i); });
    connect(a.find, &QAction::triggered, this, [this] {
        m_tabs->setCurrentIndex(MessagesTab);
        m_logPane->focusTextFilter();
    });
    connect(a.clearLog, &QAction::triggered, this, [this] {
        m_log->clear();
        updateStatusCounts();
    });
    // One keepalive switch: the View menu, the toolbar, the filter bar and its type menu.
    m_logPane->setKeepAlivesAction(a.keepAlives);
    connect(a.autoScroll, &QAction::triggered, this, [this](bool on) {
        m_logPane->setAutoScroll(on);
        m_flow->setAutoScroll(on);
    });
    HexPane *hex = m_logPane->hexPane();
    for (int mode = 0; mode < a.bytesModes.size(); ++mode) {
        connect(a.bytesModes.at(mode), &QAction::triggered, hex,
                [hex, mode] { hex->setMode(HexPane::Mode(mode)); });
    }
    a.bytesModes.at(int(hex->mode()))->setChecked(true);
    connect(hex, &HexPane::modeChanged, this,
            [this](HexPane::Mode mode) { m_actions.bytesModes.at(int(mode))->setChecked(true); });

    // The message log: Go to Row and the Time column's format.
    connect(a.goToRow, &QAction::triggered, this, [this] {
        m_tabs->setCurrentIndex(MessagesTab);
        m_logPane->goToRowInteractive();
    });
    for (int format = 0; format < a.timeFormats.size(); ++format) {
        connect(a.timeFormats.at(format), &QAction::triggered, m_logPane,
                [this, format] { m_logPane->setTimeFormat(MessageLogModel::TimeFormat(format)); });
    }
    connect(a.colouringRules, &QAction::triggered, this, [this] {
        m_tabs->setCurrentIndex(MessagesTab);
        m_logPane->editColouringRulesInteractive();
    });
    connect(m_log, &MessageLogModel::timeFormatChanged, this,
            [this](MessageLogModel::TimeFormat format) {
                m_actions.timeFormats.at(int(format))->setChecked(true);
            });

    connect(a.openChannel, &QAction::triggered, this, [this] {
        m_tabs->setCurrentIndex(ChannelsTab);
        m_channelsPane->keyEdit()->setFocus();
    });
    connect(a.sendMessage, &QAction::triggered, this, [this] {
        m_docks.send->show();
        m_docks.send->raise();
        m_docks.sendForm->setFocus();
    });
    connect(a.extensions, &QAction::triggered, this,
            [this] { m_tabs->setCurrentIndex(ExtensionsTab); });
    connect(a.ping, &QAction::triggered, this, &MainWindow::pingCurrent);
    connect(a.revealSecrets, &QAction::triggered, this, [this] {
        m_tabs->setCurrentIndex(HandshakeTab);
        m_secretsPanel->reveal(true);
    });

    connect(a.demo, &QAction::triggered, this, [this] {
        QString error;
        if (!startDemo(&error))
            QMessageBox::warning(this, tr("Demo"), error);
    });
    connect(a.stopDemo, &QAction::triggered, this, &MainWindow::stopDemo);

    // Session › Serve a File…: a file and a block size, then the feed on every live session.
    m_feedServer = new FeedServer(m_manager, this);
    connect(a.serveFile, &QAction::triggered, this, [this] {
        const QString path = QFileDialog::getOpenFileName(this, tr("Serve a File"));
        if (path.isEmpty())
            return;
        bool ok = false;
        const int blockSize = QInputDialog::getInt(
            this, tr("Serve a File"), tr("Block size in bytes (hypercore's default: 65536):"),
            int(FeedServer::DefaultBlockSize), 1, int(FeedServer::MaxBlockSize), 1024, &ok);
        if (!ok)
            return;
        QString error;
        if (!m_feedServer->serveFile(path, std::size_t(blockSize), &error)) {
            QMessageBox::warning(this, tr("Serve a File"), error);
            return;
        }
        const feed::FeedBuilder *served = m_feedServer->feed();
        statusBar()->showMessage(
            tr("Serving %1: %2 blocks, %3 bytes, feed key %4")
                .arg(path)
                .arg(served->length())
                .arg(served->byteLength())
                .arg(QString::fromLatin1(
                    QByteArray(reinterpret_cast<const char *>(served->key().data()), 32).toHex())));
    });
    connect(m_feedServer, &FeedServer::warning, this, [this](int session, const QString &text) {
        statusBar()->showMessage(tr("Session #%1: %2").arg(session).arg(text), 10000);
    });

    // F1: the page of the selected field's message type, or the overview (helpdialogs.h).
    connect(a.help, &QAction::triggered, this,
            [this] { help::showContextHelp(this, m_logPane->fieldView()); });
    connect(a.about, &QAction::triggered, this, [this] { help::showAbout(this); });
    connect(a.aboutQt, &QAction::triggered, this, &QApplication::aboutQt);

    // The panes' own news go to the status bar.
    auto note = [this](const QString &text) {
        m_status->showMessage(text);
    };
    connect(m_logPane, &LogPane::statusMessage, m_status, note);
    connect(m_channelsPane, &ChannelsPane::statusMessage, m_status, note);
    connect(m_docks.sendForm, &SendMessageForm::sent, m_status, note);
    connect(m_captures, &CaptureCommands::statusMessage, m_status, &StatusLine::showMessage);
    connect(m_captures, &CaptureCommands::opened, this, [this] {
        updateStatusCounts();
        m_tabs->setCurrentIndex(MessagesTab);
    });

    // Analyze and Statistics (AnalysisCommands), and the status bar's problem indicator.
    connect(a.expertInfo, &QAction::triggered, m_analysis, &AnalysisCommands::showExpertInfo);
    connect(a.nextProblem, &QAction::triggered, m_analysis, &AnalysisCommands::selectNextProblem);
    connect(a.previousProblem, &QAction::triggered, m_analysis,
            &AnalysisCommands::selectPreviousProblem);
    connect(a.statistics, &QAction::triggered, m_analysis, &AnalysisCommands::showStatistics);
    connect(a.ioGraph, &QAction::triggered, m_analysis, [this] {
        InspectedSession *current = currentSession();
        m_analysis->showIoGraph(current ? current->id() : 0);
    });
    connect(m_analysis, &AnalysisCommands::statusMessage, m_status, &StatusLine::showMessage);
    connect(m_analysis, &AnalysisCommands::rowShown, this,
            [this] { m_tabs->setCurrentIndex(MessagesTab); });
    ExpertInfoModel *expert = m_analysis->expertInfo();
    connect(expert, &ExpertInfoModel::countsChanged, m_status, [this, expert] {
        m_status->setProblemCounts(expert->warningCount(), expert->errorCount());
    });
    connect(m_status, &StatusLine::problemsClicked, m_analysis, &AnalysisCommands::showExpertInfo);
}

void MainWindow::connectSessions()
{
    connect(m_docks.sidebar->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex &current) {
                setCurrentSession(m_manager->model()->session(current.row()));
            });
    connect(m_manager, &SessionManager::sessionAdded, this, &MainWindow::watchSession);
    connect(m_manager, &SessionManager::currentChanged, this, &MainWindow::showSession);
    connect(m_manager, &SessionManager::listeningChanged, this, &MainWindow::updateTitle);
    connect(m_manager, &SessionManager::listeningChanged, this, &MainWindow::updateActions);
    connect(m_manager, &SessionManager::demoRunningChanged, this, &MainWindow::updateTitle);
    connect(m_manager, &SessionManager::demoRunningChanged, this, &MainWindow::updateActions);
}

// --- Settings ------------------------------------------------------------------------------------

void MainWindow::showEvent(QShowEvent *event)
{
    QMainWindow::showEvent(event);
    if (m_dockWidthsSet)
        return;
    m_dockWidthsSet = true;
    // The sidebar and the send form take a quarter of the width, between what their text needs
    // and what a wide window can spare: at 1024 px the log keeps room for its Summary column.
    resizeDocks({m_docks.sessions}, {qBound(320, width() / 4, 340)}, Qt::Horizontal);
}

void MainWindow::applySettings()
{
    if (!restoreGeometry(m_settings.windowGeometry))
        resize(1440, 900);
    m_dockWidthsSet = restoreState(m_settings.windowState);
    m_logPane->restoreState(m_settings.logPaneState);
    m_actions.keepAlives->setChecked(m_settings.showKeepAlives);
    m_logPane->setShowKeepAlives(m_settings.showKeepAlives);
    m_logPane->setAlwaysShowProblems(m_settings.alwaysShowProblems);
    m_logPane->setTimeFormat(MessageLogModel::TimeFormat(
        qBound(0, m_settings.timeFormat, MessageLogModel::TimeFormatCount - 1)));
    m_recentMenu->setEntries(m_settings.recentConnections);
    // The filter bar's recent and saved filters, the colouring rules (issue 12).
    m_logPane->setFilterHistory(m_settings.filterHistory);
    QList<LogPane::SavedFilter> saved;
    for (const auto &[name, expression] : std::as_const(m_settings.savedFilters))
        saved.append({name, expression});
    m_logPane->setSavedFilters(saved);
    if (m_settings.colouringRules)
        m_logPane->colouringRules()->setRules(
            ColouringRules::fromVariant(*m_settings.colouringRules));
}

void MainWindow::showStartupErrors(const QStringList &errors)
{
    if (errors.isEmpty())
        return;
    m_status->showMessage(errors.join(QStringLiteral("; ")), StatusLine::ErrorMs);
    auto *box = new QMessageBox(QMessageBox::Warning, tr("Could not do everything asked"),
                                errors.size() == 1
                                    ? errors.first()
                                    : QStringLiteral("• ") + errors.join(QStringLiteral("\n• ")),
                                QMessageBox::Ok, this);
    box->setObjectName(QStringLiteral("startupErrors"));
    box->setInformativeText(tr("The rest of the command line was carried out."));
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open(); // window-modal, not a nested event loop: the caller goes on
}

int MainWindow::unsavedRows() const
{
    m_log->flush();
    return m_unsaved->count();
}

bool MainWindow::confirmQuit()
{
    if (!m_settings.askToSaveOnQuit || unsavedRows() == 0)
        return true;
    const QuitAnswer answer = askToSaveBeforeQuit(this, unsavedRows());
    if (answer.choice == QuitAnswer::Cancel)
        return false;
    if (answer.choice == QuitAnswer::Save) {
        const QString path = QFileDialog::getSaveFileName(
            this, tr("Save Log"), QStringLiteral("hyperscope-capture.jsonl"),
            tr("hyperscope captures (*.jsonl);;All files (*)"));
        if (path.isEmpty())
            return false; // no file chosen: stay, nothing lost
        QString error;
        if (!saveLog(path, false, &error)) {
            QMessageBox::warning(this, tr("Save Log"), error);
            return false;
        }
    }
    if (answer.dontAskAgain)
        m_settings.askToSaveOnQuit = false;
    return true;
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    // spontaneous(): the window manager's close button; m_quitRequested: File › Quit.
    if ((event->spontaneous() || m_quitRequested) && !confirmQuit()) {
        event->ignore();
        return;
    }
    m_settings.windowGeometry = saveGeometry();
    m_settings.windowState = saveState();
    m_settings.logPaneState = m_logPane->saveState();
    m_settings.showKeepAlives = m_actions.keepAlives->isChecked();
    m_settings.alwaysShowProblems = m_logPane->alwaysShowProblems();
    m_settings.timeFormat = int(m_log->timeFormat());
    m_settings.filterHistory = m_logPane->filterHistory();
    m_settings.savedFilters.clear();
    for (const LogPane::SavedFilter &saved : m_logPane->savedFilters())
        m_settings.savedFilters.append({saved.name, saved.expression});
    m_settings.colouringRules = ColouringRules::toVariant(m_logPane->colouringRules()->rules());
    m_settings.save();
    QMainWindow::closeEvent(event);
}

// --- Sessions ------------------------------------------------------------------------------------

InspectedSession *MainWindow::connectToPeer(const QString &host, quint16 port,
                                            const ConnectionOptions &options)
{
    InspectedSession *session = m_manager->connectToPeer(host, port, options);
    m_settings.lastOptions = options;
    m_settings.lastOptions.keys.clear();
    const QString hostPort = host.contains(QLatin1Char(':'))
                                 ? QStringLiteral("[%1]:%2").arg(host).arg(port)
                                 : QStringLiteral("%1:%2").arg(host).arg(port);
    m_settings.addRecent(hostPort);
    m_recentMenu->setEntries(m_settings.recentConnections);
    const QString connecting = tr("Connecting to %1…").arg(hostPort);
    m_status->showMessage(connecting);
    // "Connecting…" must not outlive the attempt: once the connection is made, say so (a failure
    // replaces it with the error through the session's end).
    connect(session, &InspectedSession::changed, this, [this, session, connecting, hostPort] {
        if (session->state() == InspectedSession::State::Connecting ||
            m_status->currentMessage() != connecting)
            return;
        if (session->state() != InspectedSession::State::Ended)
            m_status->showMessage(tr("Connected to %1").arg(hostPort));
    });
    return session;
}

bool MainWindow::listen(const QHostAddress &address, quint16 port, const ConnectionOptions &options,
                        QString *error)
{
    QString listenError;
    if (!m_manager->listen(address, port, options, &listenError)) {
        if (error)
            *error = listenError;
        m_status->showMessage(listenError, StatusLine::ErrorMs);
        return false;
    }
    m_settings.lastListenPort = port;
    m_status->showMessage(tr("Listening on %1:%2")
                              .arg(m_manager->listeningAddress().toString())
                              .arg(m_manager->listeningPort()));
    return true;
}

Relay *MainWindow::relay(const QHostAddress &address, quint16 port, const QString &upstreamHost,
                         quint16 upstreamPort, const ConnectionOptions &options, QString *error)
{
    QString relayError;
    Relay *relay =
        m_manager->relay(address, port, upstreamHost, upstreamPort, options, &relayError);
    if (!relay) {
        if (error)
            *error = relayError;
        m_status->showMessage(relayError, StatusLine::ErrorMs);
        return nullptr;
    }
    m_status->showMessage(tr("Relaying %1:%2 to %3")
                              .arg(address.toString())
                              .arg(relay->port())
                              .arg(QStringLiteral("%1:%2").arg(upstreamHost).arg(upstreamPort)));
    return relay;
}

bool MainWindow::startDemo(QString *error)
{
    if (m_manager->isDemoRunning())
        return true;
    if (!m_manager->startDemo(error))
        return false;
    m_status->showMessage(tr("Demo: two peers talking over 127.0.0.1:%1").arg(demo()->port()),
                          6000);
    return true;
}

void MainWindow::stopDemo()
{
    m_manager->stopDemo();
    updateActions();
}

void MainWindow::setCurrentSession(InspectedSession *session)
{
    if (session == m_manager->current())
        showCurrentState(); // the sidebar may still show another row
    else
        m_manager->setCurrent(session); // showSession()
}

void MainWindow::watchSession(InspectedSession *session)
{
    connect(session, &InspectedSession::changed, this, [this, session] {
        if (session == currentSession())
            showCurrentState();
    });
    connect(session, &InspectedSession::handshakeChanged, m_ladder, [this, session] {
        if (session == currentLegSession())
            m_ladder->setRecord(&session->handshake()); // sizes change with the steps seen
    });
    connect(session, &InspectedSession::ended, this, &MainWindow::updateActions);
    updateActions();
}

InspectedSession::Leg MainWindow::currentLeg() const
{
    return InspectedSession::Leg(m_legCombo->currentData().toInt());
}

void MainWindow::setCurrentLeg(InspectedSession::Leg leg)
{
    m_legCombo->setCurrentIndex(m_legCombo->findData(int(leg)));
}

InspectedSession *MainWindow::currentLegSession() const
{
    InspectedSession *current = currentSession();
    if (current && current->isRelayed())
        return current->legSession(currentLeg());
    return current;
}

void MainWindow::showSession(InspectedSession *session)
{
    m_legCombo->setVisible(session && session->isRelayed());
    showLeg();
}

void MainWindow::showLeg()
{
    InspectedSession *session = currentLegSession();
    disconnect(m_legHandshake);
    if (session && session != currentSession())
        m_legHandshake = connect(session, &InspectedSession::handshakeChanged, m_ladder,
                                 [this, session] { m_ladder->setRecord(&session->handshake()); });
    m_ladder->setRecord(session ? &session->handshake() : nullptr);
    m_secretsPanel->setSession(session);
    m_channelsPane->setSession(session);
    m_extensionsPane->setSession(session);
    m_feedPane->setSession(session);
    m_docks.sendForm->setSession(session);
    showCurrentState();
}

void MainWindow::showCurrentState()
{
    InspectedSession *current = currentSession();
    const int row = m_manager->model()->rowOf(current);
    const QModelIndex index = row >= 0 ? m_manager->model()->index(row, 0) : QModelIndex();
    if (m_docks.sidebar->currentIndex() != index)
        m_docks.sidebar->setCurrentIndex(index);
    updateTitle();
    updateActions();
    m_status->setSession(current);
}

void MainWindow::updateTitle()
{
    QString where;
    if (InspectedSession *current = currentSession()) {
        where = tr("%1 %2 · %3 · %4")
                    .arg(current->numberText()) // "#2", or "capture1.jsonl #1"
                    .arg(current->isRelayed() ? current->relayText() : current->peerAddress(),
                         current->roleText(), current->stateText());
    } else if (quint16 port = listeningPort()) {
        where = tr("listening on port %1").arg(port);
    } else {
        where = tr("no session");
    }
    if (m_manager->isDemoRunning())
        where = tr("demo — %1").arg(where);
    // Only what is shown: Qt appends QGuiApplication::applicationDisplayName ("— hyperscope")
    // itself, so naming the application here too would say it twice.
    setWindowTitle(where);
}

void MainWindow::updateActions()
{
    InspectedSession *current = currentSession();
    const bool live = current && current->state() != InspectedSession::State::Ended;
    m_actions.disconnect->setEnabled(live);
    m_actions.ping->setEnabled(live && current->state() == InspectedSession::State::Open);
    m_actions.remove->setEnabled(current != nullptr);
    m_actions.revealSecrets->setEnabled(current != nullptr);
    m_actions.openChannel->setEnabled(live);
    m_actions.demo->setEnabled(!m_manager->isDemoRunning());
    m_actions.stopDemo->setEnabled(m_manager->isDemoRunning());
    m_actions.stopListening->setEnabled(listeningPort() != 0 || !m_manager->relays().isEmpty());
}

// --- Commands ------------------------------------------------------------------------------------

void MainWindow::showConnectDialog()
{
    ConnectDialog dialog(ConnectDialog::Mode::Connect, this);
    dialog.setRecent(m_settings.recentConnections);
    dialog.setOptions(m_settings.lastOptions);
    if (dialog.exec() == QDialog::Accepted)
        connectToPeer(dialog.host(), dialog.port(), dialog.options());
}

void MainWindow::showListenDialog()
{
    ConnectDialog dialog(ConnectDialog::Mode::Listen, this);
    dialog.setOptions(m_settings.lastOptions);
    dialog.setPort(m_settings.lastListenPort);
    while (dialog.exec() == QDialog::Accepted) {
        QString error;
        if (listen(QHostAddress(dialog.host()), dialog.port(), dialog.options(), &error))
            return;
        QMessageBox::warning(this, tr("Listen"), error);
    }
}

void MainWindow::showRelayDialog()
{
    ConnectDialog dialog(ConnectDialog::Mode::Relay, this);
    dialog.setOptions(m_settings.lastOptions);
    if (!m_settings.recentConnections.isEmpty())
        dialog.setUpstream(m_settings.recentConnections.first());
    while (dialog.exec() == QDialog::Accepted) {
        QString error;
        if (relay(QHostAddress(dialog.host()), dialog.port(), dialog.upstream().host,
                  dialog.upstream().port, dialog.options(), &error))
            return;
        QMessageBox::warning(this, tr("Relay"), error);
    }
}

void MainWindow::pingCurrent()
{
    if (InspectedSession *current = currentSession()) {
        const QString error = current->ping();
        m_status->showMessage(error.isEmpty() ? tr("Keepalive sent") : error);
    }
}

} // namespace hyperscope
