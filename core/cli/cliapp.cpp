#include "cliapp.h"

#include "captureprinter.h"
#include "capturereader.h"
#include "capturerecorder.h"
#include "capturereplayer.h"
#include "linereader.h"
#include "outputwatcher.h"
#include "relay.h"
#include "servefeed.h"
#include "sessiondriver.h"
#include "sessioneventsink.h"
#include "signalwatcher.h"

#include <QTimer>

#include <unistd.h>

#include <algorithm>

namespace hyperscope {

namespace {
/// Adds "failure" (SessionDriver::transportFailure(): "connection-refused", "host-not-found",
/// ...) to an error or end event when the transport failed, so that a script need not parse the
/// message; "reason" keeps the engine's code.
QJsonObject withTransportFailure(QJsonObject event, const SessionDriver *driver)
{
    if (driver && !driver->transportFailure().isEmpty())
        event.insert(QStringLiteral("failure"), driver->transportFailure());
    return event;
}

/// --no-verify turns the feed layer's Data verification off.
FeedEventAnnotator::Verification verification(const CliOptions &options)
{
    return options.verify ? FeedEventAnnotator::Verification::On
                          : FeedEventAnnotator::Verification::Off;
}
} // namespace

CliApp::CliApp(CliOptions options, QObject *parent)
    : QObject(parent)
    , m_options(std::move(options))
    , m_eventFilter(m_options.filter)
    , m_feeds(verification(m_options))
    , m_relayFeeds(verification(m_options))
    , m_interpreter([this](std::optional<int> id) { return findSession(id); }, &m_printer,
                    [this] { shutdown(QStringLiteral("quit")); })
{
    m_interceptFilter = m_options.intercept;
    m_interpreter.setIntercept([this](std::uint64_t id) { return findInterceptHolder(id); },
                               [this](const filter::Filter &f) { setInterceptFilter(f); });
    m_interpreter.setSentObserver(
        [this](int session, const Key32 &discoveryKey, const Message &message) {
            m_feeds.sent(session, discoveryKey, message);
        });
    m_signals = new SignalWatcher(this);
    connect(m_signals, &SignalWatcher::signalReceived, this, [this](int signal) {
        if (m_shuttingDown) {
            exitWith(0); // a second signal: the user does not want to wait for closing sessions
            return;
        }
        shutdown(QStringLiteral("terminated by %1").arg(SignalWatcher::signalName(signal)));
    });
    // Nobody reads us any more: close the sessions instead of running on unseen. Queued: a write
    // fails inside an engine's signal, where ending sessions must not happen underfoot.
    const auto readerGone = [this] {
        QMetaObject::invokeMethod(
            this, [this] { shutdown(QStringLiteral("stdout closed by its reader")); },
            Qt::QueuedConnection);
    };
    m_printer.setWriteFailedHandler(readerGone);
    m_stdout = new OutputWatcher(STDOUT_FILENO, this);
    connect(m_stdout, &OutputWatcher::readerGone, this, readerGone);
    m_stdin = new LineReader(STDIN_FILENO, this);
    connect(m_stdin, &LineReader::lineRead, this,
            [this](const QByteArray &line) { m_interpreter.handleLine(line); });
    connect(m_stdin, &LineReader::overlongLine, this,
            [this] { m_interpreter.handleOverlongLine(LineReader::MaxLineBytes); });
}

CliApp::~CliApp()
{
    // Drivers are our children (or the server's) and die after this body: detach the trace sinks
    // we are about to destroy.
    for (auto &[id, session] : m_sessions) {
        if (session.driver)
            session.driver->engine().setTraceSink(nullptr);
    }
    for (auto &[id, relayed] : m_relayed) {
        for (const RelayLeg leg : {RelayLeg::Client, RelayLeg::Server}) {
            if (SessionDriver *driver = relayed.session ? relayed.session->driver(leg) : nullptr)
                driver->engine().setTraceSink(nullptr);
        }
    }
}

bool CliApp::start()
{
    if (m_options.mode == CliOptions::Mode::Read)
        return runRead();
    if (!m_options.captureOutput.isEmpty()) {
        m_recorder = std::make_unique<CaptureRecorder>(m_options.captureOutput);
        QString error;
        if (!m_recorder->checkWritable(&error)) {
            m_recorder.reset();
            m_printer.print(errorEvent(0, error));
            return false;
        }
    }
    if (m_options.mode == CliOptions::Mode::Replay && !planCaptureReplay())
        return false;
    if (m_options.mode == CliOptions::Mode::Relay)
        return startRelay();
    if (!m_options.serveFile.isEmpty() && !startServing())
        return false;
    if (m_options.mode == CliOptions::Mode::Connect || m_options.mode == CliOptions::Mode::Replay) {
        auto *driver = new SessionDriver(m_ids.next(), m_options.engineOptions(), this);
        addSession(driver);
        driver->connectToHost(m_options.host, m_options.port);
        return true;
    }
    m_server = new SessionServer(&m_ids, this);
    m_server->setOptions(m_options.engineOptions());
    connect(m_server, &SessionServer::sessionStarted, this, [this](SessionDriver *driver) {
        if (m_options.once)
            m_server->close(); // one connection only: refuse the next ones at the TCP level
        addSession(driver);
    });
    connect(m_server, &SessionServer::acceptFailed, this,
            [this](const QString &message) { m_printer.print(errorEvent(0, message)); });
    QString error;
    if (!m_server->listen(QHostAddress(m_options.host), m_options.port, &error)) {
        m_printer.print(errorEvent(0, error));
        return false;
    }
    m_printer.print(listeningEvent(m_server->port()));
    return true;
}

void CliApp::addSession(SessionDriver *driver)
{
    const int id = driver->id();
    Session &session = m_sessions[id];
    session.driver = driver;
    // Always: the engine reports protocol violations (warning events) only through its trace.
    session.trace = std::make_unique<SessionEventSink>(id, QString(), m_options.trace, &m_printer,
                                                       &m_eventFilter);
    driver->engine().setTraceSink(session.trace.get());
    // Before the connections below: the session's end is recorded before a handler exits (and
    // writes the capture).
    if (m_recorder)
        recordSession(driver, session);
    if (!m_options.allowedKeys.empty()) {
        driver->setRemoteKeyFilter([allowed = m_options.allowedKeys](const Key32 &remoteKey) {
            return std::find(allowed.begin(), allowed.end(), remoteKey) != allowed.end();
        });
    }
    for (const std::string &name : m_options.extensions) {
        if (const Error error = driver->registerExtension(std::nullopt, name))
            m_printer.print(errorEvent(id, QString::fromStdString(error.message)));
    }

    connect(driver, &SessionDriver::transportConnected, this, [this, driver] {
        m_printer.print(
            connectedEvent(driver->id(), driver->remoteAddress(), driver->isInitiator()));
        if (!m_options.noise)
            openKeys(driver);
    });
    connect(driver, &SessionDriver::handshakeCompleted, this,
            [this, driver](const HandshakeInfo &info) {
                m_printer.print(handshakeEvent(driver->id(), info));
                openKeys(driver);
            });
    connect(driver, &SessionDriver::discoveryKeyReceived, this,
            [this, driver](const Key32 &discoveryKey) {
                m_printer.print(discoveryKeyEvent(driver->id(), discoveryKey));
            });
    connect(driver, &SessionDriver::channelOpened, this,
            [this, driver](const ChannelInfo &channel) {
                m_feeds.channelOpened(driver->id(), channel);
                m_printer.print(channelEvent(driver->id(), channel));
            });
    connect(driver, &SessionDriver::messageReceived, this,
            [this, driver](const ChannelInfo &channel, const Message &message) {
                // The feed layer sees every message (its bookkeeping), the filter decides what
                // is printed.
                JsonEvent event = messageEvent(driver->id(), channel, message);
                const feed::FeedChannel::Observation found =
                    m_feeds.annotate(event, driver->id(), channel, feed::Side::Remote, message);
                if (!m_eventFilter.passesMessage(driver->id(), QString(), Direction::Inbound,
                                                 channel, message,
                                                 found.verdict ? &*found.verdict : nullptr))
                    return;
                m_printer.print(event);
            });
    connect(driver, &SessionDriver::extensionNamesReceived, this,
            [this, driver](const std::optional<Key32> &discoveryKey,
                           const std::vector<std::string> &names) {
                m_printer.print(extensionsEvent(driver->id(), discoveryKey, names));
            });
    connect(driver, &SessionDriver::extensionReceived, this,
            [this, driver](const std::optional<Key32> &discoveryKey,
                           const std::optional<std::string> &name, quint64 id,
                           const QByteArray &payload) {
                if (!m_eventFilter.passesExtension(driver->id(), QString(), discoveryKey, name,
                                                   std::size_t(payload.size())))
                    return;
                m_printer.print(extensionEvent(driver->id(), discoveryKey, name, id, payload));
            });
    connect(driver, &SessionDriver::channelClosed, this,
            [this, driver](const ChannelInfo &channel) {
                m_printer.print(closeEvent(driver->id(), channel.discoveryKey));
            });
    connect(driver, &SessionDriver::ended, this,
            [this, driver](const Error &reason) { onSessionEnded(driver, reason); });
    watchIntercept(driver, id, QString());
    if (m_feedServer)
        watchServedFeed(driver);
}

void CliApp::openKeys(SessionDriver *driver)
{
    if (m_options.mode == CliOptions::Mode::Replay) {
        startReplay(driver); // its --key options are the replay's feed keys, not channels to open
        return;
    }
    if (m_feedServer)
        m_feedServer->open(driver);
    for (const Key32 &key : m_options.keys) {
        if (const Error error = driver->openChannel(key))
            m_printer.print(errorEvent(driver->id(), QString::fromStdString(error.message)));
    }
}

void CliApp::onSessionEnded(SessionDriver *driver, const Error &reason)
{
    const int id = driver->id();
    if (reason.ok()) {
        m_printer.print(endEvent(id, QString::fromStdString(reason.message)));
    } else {
        m_printer.print(
            withTransportFailure(errorEvent(id, QString::fromStdString(reason.message)), driver));
        m_printer.print(withTransportFailure(
            endEvent(id, QString::fromLatin1(errorCodeName(reason.code))), driver));
    }
    m_feeds.forgetSession(id);
    if (const auto it = m_sessions.find(id); it != m_sessions.end()) {
        driver->engine().setTraceSink(nullptr);
        m_sessions.erase(it);
    }
    const bool dialed =
        m_options.mode == CliOptions::Mode::Connect || m_options.mode == CliOptions::Mode::Replay;
    if (dialed)
        driver->deleteLater(); // the server deletes the sessions it accepted

    if (m_shuttingDown) {
        if (m_sessions.empty())
            exitWith(0);
    } else if (dialed || m_options.once) {
        exitWith(reason.ok() ? 0 : 1);
    }
}

SessionDriver *CliApp::findSession(std::optional<int> id) const
{
    if (id) {
        const auto it = m_sessions.find(*id);
        return it != m_sessions.end() ? it->second.driver.data() : nullptr;
    }
    return m_sessions.empty() ? nullptr : m_sessions.rbegin()->second.driver.data();
}

void CliApp::shutdown(const QString &reason)
{
    if (m_shuttingDown)
        return;
    m_shuttingDown = true;
    if (m_server)
        m_server->close();
    if (m_relay) {
        m_relay->close();
        if (m_relayed.empty()) {
            exitWith(0);
            return;
        }
        // Each leg reports its end later (queued), so the table does not change under this loop.
        for (auto &[id, relayed] : m_relayed) {
            if (relayed.session)
                relayed.session->end();
        }
        return;
    }
    if (m_sessions.empty()) {
        exitWith(0);
        return;
    }
    // Each driver reports its end later (queued), so the table does not change under this loop.
    for (auto &[id, session] : m_sessions) {
        if (session.driver)
            session.driver->disconnectFromPeer(Error(ErrorCode::None, reason.toStdString()));
    }
}

// --- relay ------------------------------------------------------------------------------------

bool CliApp::startRelay()
{
    m_relay = new Relay(this);
    EngineOptions options = m_options.engineOptions();
    m_relay->setOptions(options);
    m_relay->setUpstream(m_options.upstreamHost, m_options.upstreamPort);
    for (const Key32 &key : m_options.keys)
        m_relay->addKey(key);
    m_interpreter.setRelay([this](std::optional<int> id) { return findRelayedSession(id); },
                           [this](const Key32 &key) { m_relay->addKey(key); });
    connect(m_relay, &Relay::sessionStarted, this, [this](RelayedSession *session) {
        if (m_options.once)
            m_relay->close(); // one connection only: refuse the next ones at the TCP level
        addRelayedSession(session);
    });
    connect(m_relay, &Relay::sessionFinished, this, &CliApp::onRelayedSessionFinished);
    connect(m_relay, &Relay::acceptFailed, this,
            [this](const QString &message) { m_printer.print(errorEvent(0, message)); });
    QString error;
    if (!m_relay->listen(QHostAddress(m_options.host), m_options.port, &error)) {
        m_printer.print(errorEvent(0, error));
        return false;
    }
    m_printer.print(listeningEvent(m_relay->port()));
    return true;
}

void CliApp::addRelayedSession(RelayedSession *session)
{
    const int id = m_nextRelayedId++;
    Relayed &relayed = m_relayed[id];
    relayed.session = session;
    for (const RelayLeg leg : {RelayLeg::Client, RelayLeg::Server}) {
        auto &trace = relayed.traces[leg == RelayLeg::Client ? 0 : 1];
        trace = std::make_unique<SessionEventSink>(id, relayLegName(leg), m_options.trace,
                                                   &m_printer, &m_eventFilter);
        if (SessionDriver *driver = session->driver(leg)) {
            driver->engine().setTraceSink(trace.get());
            watchIntercept(driver, id, relayLegName(leg));
        }
    }
    if (m_recorder)
        recordRelayedSession(id, session, relayed);
    // auto: a "message" event stays a JsonEvent (printed without a QJsonObject: the hot path).
    const auto print = [this](RelayLeg leg, auto event) {
        m_printer.print(withLeg(std::move(event), relayLegName(leg)));
    };

    connect(session, &RelayedSession::legConnected, this,
            [print, id](RelayLeg leg, const QString &address) {
                print(leg, connectedEvent(id, address, leg == RelayLeg::Server));
            });
    connect(session, &RelayedSession::handshakeCompleted, this,
            [print, id](RelayLeg leg, const HandshakeInfo &info) {
                print(leg, handshakeEvent(id, info));
            });
    connect(session, &RelayedSession::channelOpened, this,
            [print, id](RelayLeg leg, const ChannelInfo &channel) {
                print(leg, channelEvent(id, channel));
            });
    connect(session, &RelayedSession::channelHeld, this,
            [this, print, id](RelayLeg leg, const Key32 &discoveryKey) {
                const QString key = hexString(discoveryKey);
                if (const auto it = m_relayed.find(id); it != m_relayed.end()) {
                    it->second.heldLeg = relayLegName(leg);
                    it->second.heldKey = key;
                }
                const QString message =
                    QStringLiteral(
                        "the %1 peer opened channel %2 (discovery key), whose feed key "
                        "the relay does not know: the Open is held and nothing is "
                        "forwarded on that channel. Add its feed key with "
                        "{\"cmd\":\"key\",\"key\":\"<64 hex digits>\"} (or start the relay "
                        "with --key) to open it on both legs")
                        .arg(relayLegName(leg), key);
                if (!m_eventFilter.passesWarning(id, relayLegName(leg), message))
                    return;
                print(leg, warningEvent(id, message));
            });
    connect(session, &RelayedSession::messageReceived, this,
            [this, print, id](RelayLeg leg, const ChannelInfo &channel, const Message &message) {
                // What the client sends counts as the local side, the server's as the remote.
                JsonEvent event = messageEvent(id, channel, message);
                const feed::FeedChannel::Observation found = m_relayFeeds.annotate(
                    event, id, channel,
                    leg == RelayLeg::Client ? feed::Side::Local : feed::Side::Remote, message);
                if (!m_eventFilter.passesMessage(id, relayLegName(leg), Direction::Inbound, channel,
                                                 message,
                                                 found.verdict ? &*found.verdict : nullptr))
                    return;
                print(leg, std::move(event));
            });
    connect(session, &RelayedSession::extensionNamesReceived, this,
            [print, id](RelayLeg leg, const std::optional<Key32> &discoveryKey,
                        const std::vector<std::string> &names) {
                print(leg, extensionsEvent(id, discoveryKey, names));
            });
    connect(session, &RelayedSession::extensionReceived, this,
            [this, print, id](RelayLeg leg, const std::optional<Key32> &discoveryKey,
                              const QString &name, quint64 extensionId, const QByteArray &payload) {
                const std::optional<std::string> sent =
                    name.isEmpty() ? std::nullopt : std::optional(name.toStdString());
                if (!m_eventFilter.passesExtension(id, relayLegName(leg), discoveryKey, sent,
                                                   std::size_t(payload.size())))
                    return;
                print(leg, extensionEvent(id, discoveryKey, sent, extensionId, payload));
            });
    connect(session, &RelayedSession::channelClosed, this,
            [print, id](RelayLeg leg, const ChannelInfo &channel) {
                print(leg, closeEvent(id, channel.discoveryKey));
            });
    connect(session, &RelayedSession::warning, this,
            [this, print, id](RelayLeg leg, const QString &message) {
                if (const auto it = m_relayed.find(id); it != m_relayed.end()) {
                    Relayed &relayed = it->second;
                    // The relay's own words for the Open just held: ours (above) said it.
                    if (!relayed.heldKey.isEmpty() && relayed.heldLeg == relayLegName(leg) &&
                        message.contains(relayed.heldKey) &&
                        message.contains(QLatin1String("held"))) {
                        relayed.heldKey.clear();
                        return;
                    }
                }
                if (!m_eventFilter.passesWarning(id, relayLegName(leg), message))
                    return;
                print(leg, warningEvent(id, message));
            });
    connect(session, &RelayedSession::ended, this,
            [this, print, id, session](RelayLeg leg, const Error &reason) {
                if (SessionDriver *driver = session->driver(leg))
                    driver->engine().setTraceSink(nullptr);
                if (reason.ok()) {
                    print(leg, endEvent(id, QString::fromStdString(reason.message)));
                    return;
                }
                if (const auto it = m_relayed.find(id); it != m_relayed.end())
                    it->second.failed = true;
                const SessionDriver *driver = session->driver(leg);
                print(leg, withTransportFailure(
                               errorEvent(id, QString::fromStdString(reason.message)), driver));
                print(leg,
                      withTransportFailure(
                          endEvent(id, QString::fromLatin1(errorCodeName(reason.code))), driver));
            });
}

void CliApp::onRelayedSessionFinished(RelayedSession *session)
{
    bool failed = false;
    for (auto it = m_relayed.begin(); it != m_relayed.end(); ++it) {
        if (it->second.session == session) {
            m_relayFeeds.forgetSession(it->first);
            failed = it->second.failed;
            m_relayed.erase(it);
            break;
        }
    }
    if (m_shuttingDown) {
        if (m_relayed.empty())
            exitWith(0);
    } else if (m_options.once) {
        exitWith(failed ? 1 : 0);
    }
}

std::pair<RelayedSession *, int> CliApp::findRelayedSession(std::optional<int> id) const
{
    if (id) {
        const auto it = m_relayed.find(*id);
        if (it == m_relayed.end() || !it->second.session)
            return {nullptr, 0};
        return {it->second.session.data(), it->first};
    }
    for (auto it = m_relayed.rbegin(); it != m_relayed.rend(); ++it) {
        if (it->second.session)
            return {it->second.session.data(), it->first};
    }
    return {nullptr, 0};
}

// --- intercept
// ------------------------------------------------------------------------------------

void CliApp::watchIntercept(SessionDriver *driver, int session, const QString &leg)
{
    driver->setInterceptFilter(m_interceptFilter);
    // auto: the "intercepted" event stays a JsonEvent.
    const auto print = [this, leg](auto event) {
        if (leg.isEmpty())
            m_printer.print(std::move(event));
        else
            m_printer.print(withLeg(std::move(event), leg));
    };
    // Always printed, whatever --filter says: each waits for an answer (or reports one).
    connect(driver, &SessionDriver::messageIntercepted, this,
            [print, session](const InterceptedMessage &held) {
                print(interceptedEvent(session, held));
            });
    connect(
        driver, &SessionDriver::interceptReleased, this,
        [print, session](quint64 id, bool edited) { print(resumedEvent(session, id, edited)); });
    connect(driver, &SessionDriver::interceptDropped, this,
            [print, session](quint64 id, const QString &reason) {
                print(droppedEvent(session, id, reason));
            });
    connect(driver, &SessionDriver::interceptWarning, this,
            [this, print, session, leg](const QString &message) {
                if (m_eventFilter.passesWarning(session, leg, message))
                    print(warningEvent(session, message));
            });
}

CommandInterpreter::InterceptHolder CliApp::findInterceptHolder(std::uint64_t id) const
{
    for (const auto &[sessionId, session] : m_sessions) {
        if (session.driver && session.driver->interceptor().holds(id))
            return {session.driver.data(), sessionId};
    }
    for (const auto &[relayedId, relayed] : m_relayed) {
        if (!relayed.session)
            continue;
        if (const std::optional<RelayLeg> leg = relayed.session->legHolding(id))
            return {relayed.session->driver(*leg), relayedId};
    }
    return {};
}

void CliApp::setInterceptFilter(const filter::Filter &filter)
{
    m_interceptFilter = filter;
    // An empty expression releases what each session holds, in order, as it is applied.
    for (auto &[id, session] : m_sessions) {
        if (session.driver)
            session.driver->setInterceptFilter(filter);
    }
    for (auto &[id, relayed] : m_relayed) {
        if (relayed.session)
            relayed.session->setInterceptFilter(filter);
    }
}

// --- serve ------------------------------------------------------------------------------------

bool CliApp::startServing()
{
    const feed::SigningKeyPair keyPair =
        m_options.feedKeyPair ? *m_options.feedKeyPair : feed::generateSigningKeyPair();
    std::variant<feed::FeedBuilder, QString> loaded =
        loadServedFeed(m_options.serveFile, m_options.blockSize, keyPair);
    if (const QString *error = std::get_if<QString>(&loaded)) {
        m_printer.print(errorEvent(0, *error));
        return false;
    }
    const auto send = [this](SessionDriver *driver, const Key32 &discoveryKey,
                             const Message &message) {
        if (const Error error = driver->send(discoveryKey, message))
            return QString::fromStdString(error.message);
        m_feeds.sent(driver->id(), discoveryKey, message);
        return QString();
    };
    const auto warn = [this](int session, const QString &message) {
        if (m_eventFilter.passesWarning(session, QString(), message))
            m_printer.print(warningEvent(session, message));
    };
    m_feedServer =
        std::make_unique<FeedServer>(std::get<feed::FeedBuilder>(std::move(loaded)), send, warn);
    m_printer.print(feedEvent(m_feedServer->feed(), m_options.blockSize));
    return true;
}

void CliApp::watchServedFeed(SessionDriver *driver)
{
    // Connected after the printing connections: the events of what arrived come first.
    connect(driver, &SessionDriver::channelOpened, this,
            [this, driver](const ChannelInfo &channel) {
                if (m_feedServer)
                    m_feedServer->channelOpened(driver, channel);
            });
    connect(driver, &SessionDriver::messageReceived, this,
            [this, driver](const ChannelInfo &channel, const Message &message) {
                if (m_feedServer)
                    m_feedServer->messageReceived(driver, channel, message);
            });
    connect(driver, &SessionDriver::ended, this, [this, id = driver->id()] {
        if (m_feedServer)
            m_feedServer->forgetSession(id);
    });
}

void CliApp::exitWith(int exitCode)
{
    if (m_finished)
        return;
    m_finished = true;
    if (m_recorder) {
        QString error;
        if (m_recorder->droppedRows() > 0)
            m_printer.print(warningEvent(0, QStringLiteral("--capture: %1 rows were not recorded: "
                                                           "a capture holds at most 2000000 rows "
                                                           "and 1 GiB")
                                                .arg(m_recorder->droppedRows())));
        if (!m_recorder->save(&error)) {
            m_printer.print(errorEvent(0, error));
            exitCode = 1;
        }
    }
    emit finished(exitCode);
}

// --- captures ---------------------------------------------------------------------------------

bool CliApp::runRead()
{
    QString error;
    const std::optional<CaptureContents> capture = loadCapture(m_options.captureInput, &error);
    if (!capture) {
        m_printer.print(errorEvent(0, error));
        return false;
    }
    printCapture(*capture, m_printer, m_eventFilter, m_options.trace, verification(m_options));
    exitWith(0);
    return true;
}

bool CliApp::planCaptureReplay()
{
    QString error;
    const std::optional<CaptureContents> capture = loadCapture(m_options.captureInput, &error);
    std::optional<ReplayPlan> plan;
    if (capture)
        plan = planReplay(*capture, m_options.replaySession, m_options.keys, &error);
    if (!plan) {
        m_printer.print(errorEvent(0, error));
        return false;
    }
    m_replayPlan = std::make_unique<ReplayPlan>(std::move(*plan));
    return true;
}

void CliApp::startReplay(SessionDriver *driver)
{
    if (m_replayer || !m_replayPlan)
        return;
    m_replayer = new CaptureReplayer(std::move(*m_replayPlan), driver, m_options.replayFast,
                                     &m_printer, this);
    connect(m_replayer, &CaptureReplayer::finished, this, [this, driver = QPointer(driver)] {
        // A moment for the peer's answers to the last messages, then a clean end.
        QTimer::singleShot(200, this, [driver] {
            if (driver)
                driver->disconnectFromPeer(Error(ErrorCode::None, "replay finished"));
        });
    });
    m_replayer->start();
}

void CliApp::recordSession(SessionDriver *driver, Session &session)
{
    const int id = driver->id();
    const bool encrypted = m_options.noise && m_options.encrypted;
    session.trace->setRecorder(m_recorder.get(), encrypted);
    m_recorder->sessionStarted(id,
                               m_options.mode == CliOptions::Mode::Listen
                                   ? QStringLiteral("accepted")
                                   : QStringLiteral("dialed"),
                               driver->isInitiator(), m_options.noise, m_options.encrypted);
    CaptureRecorder *recorder = m_recorder.get();
    connect(driver, &SessionDriver::transportConnected, this,
            [recorder, driver] { recorder->setPeer(driver->id(), driver->remoteAddress()); });
    connect(driver, &SessionDriver::handshakeCompleted, this,
            [recorder, id](const HandshakeInfo &info) { recorder->handshakeCompleted(id, info); });
    connect(driver, &SessionDriver::channelOpened, this,
            [recorder, id](const ChannelInfo &channel) {
                if (channel.key)
                    recorder->channelKey(id, channel.discoveryKey, *channel.key);
            });
    connect(driver, &SessionDriver::ended, this, [recorder, id](const Error &reason) {
        const QString message = QString::fromStdString(reason.message);
        if (!reason.ok())
            recorder->note(id, QString(), capture::FormatRow::Kind::Error, Direction::Inbound,
                           message);
        recorder->sessionEnded(id, reason.ok() ? QString() : message);
    });
}

void CliApp::recordRelayedSession(int id, RelayedSession *session, Relayed &relayed)
{
    for (auto &trace : relayed.traces) {
        if (trace)
            trace->setRecorder(m_recorder.get(), m_options.noise && m_options.encrypted);
    }
    m_recorder->sessionStarted(id, QStringLiteral("relayed"), std::nullopt, m_options.noise,
                               m_options.encrypted);
    CaptureRecorder *recorder = m_recorder.get();
    // The client leg is the session's own entry; the server leg gets its "serverLeg" entry.
    connect(session, &RelayedSession::legConnected, this,
            [recorder, id](RelayLeg leg, const QString &address) {
                recorder->setPeer(id, address, relayLegName(leg));
            });
    connect(session, &RelayedSession::handshakeCompleted, this,
            [recorder, id](RelayLeg leg, const HandshakeInfo &info) {
                recorder->handshakeCompleted(id, info, relayLegName(leg));
            });
    connect(session, &RelayedSession::channelOpened, this,
            [recorder, id](RelayLeg, const ChannelInfo &channel) {
                if (channel.key)
                    recorder->channelKey(id, channel.discoveryKey, *channel.key);
            });
    connect(session, &RelayedSession::warning, this,
            [recorder, id](RelayLeg leg, const QString &message) {
                recorder->note(id, relayLegName(leg), capture::FormatRow::Kind::Warning,
                               Direction::Inbound, message);
            });
    connect(session, &RelayedSession::ended, this,
            [recorder, id](RelayLeg leg, const Error &reason) {
                const QString message = QString::fromStdString(reason.message);
                if (!reason.ok())
                    recorder->note(id, relayLegName(leg), capture::FormatRow::Kind::Error,
                                   Direction::Inbound, message);
                recorder->sessionEnded(id, reason.ok() ? QString() : message, relayLegName(leg));
            });
}

} // namespace hyperscope
