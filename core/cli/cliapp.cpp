#include "cliapp.h"

#include "linereader.h"
#include "sessiondriver.h"
#include "signalwatcher.h"

#include <unistd.h>

#include <algorithm>

namespace hyperscope {

CliApp::CliApp(CliOptions options, QObject *parent)
    : QObject(parent)
    , m_options(std::move(options))
    , m_interpreter([this](std::optional<int> id) { return findSession(id); }, &m_printer,
                    [this] { shutdown(QStringLiteral("quit")); })
{
    m_signals = new SignalWatcher(this);
    connect(m_signals, &SignalWatcher::signalReceived, this, [this](int signal) {
        if (m_shuttingDown) {
            exitWith(0); // a second signal: the user does not want to wait for closing sessions
            return;
        }
        shutdown(QStringLiteral("terminated by %1").arg(SignalWatcher::signalName(signal)));
    });
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
}

bool CliApp::start()
{
    if (m_options.mode == CliOptions::Mode::Connect) {
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
    if (m_options.trace) {
        session.trace = std::make_unique<FrameEventSink>(id, &m_printer);
        driver->engine().setTraceSink(session.trace.get());
    }
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
                m_printer.print(channelEvent(driver->id(), channel));
            });
    connect(driver, &SessionDriver::messageReceived, this,
            [this, driver](const ChannelInfo &channel, const Message &message) {
                m_printer.print(messageEvent(driver->id(), channel, message));
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
                m_printer.print(extensionEvent(driver->id(), discoveryKey, name, id, payload));
            });
    connect(driver, &SessionDriver::channelClosed, this,
            [this, driver](const ChannelInfo &channel) {
                m_printer.print(closeEvent(driver->id(), channel.discoveryKey));
            });
    connect(driver, &SessionDriver::ended, this,
            [this, driver](const Error &reason) { onSessionEnded(driver, reason); });
}

void CliApp::openKeys(SessionDriver *driver)
{
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
        m_printer.print(errorEvent(id, QString::fromStdString(reason.message)));
        m_printer.print(endEvent(id, QString::fromLatin1(errorCodeName(reason.code))));
    }
    if (const auto it = m_sessions.find(id); it != m_sessions.end()) {
        driver->engine().setTraceSink(nullptr);
        m_sessions.erase(it);
    }
    if (m_options.mode == CliOptions::Mode::Connect)
        driver->deleteLater(); // the server deletes the sessions it accepted

    if (m_shuttingDown) {
        if (m_sessions.empty())
            exitWith(0);
    } else if (m_options.mode == CliOptions::Mode::Connect || m_options.once) {
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

void CliApp::exitWith(int exitCode)
{
    if (m_finished)
        return;
    m_finished = true;
    emit finished(exitCode);
}

} // namespace hyperscope
