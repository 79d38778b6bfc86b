#include "sessionserver.h"

#include "sessiondriver.h"

#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>

namespace hyperscope {

namespace {

/// Pause before accepting again after a host-side accept failure (EMFILE and friends): long
/// enough not to spin, short enough that the listener recovers as soon as descriptors free up.
constexpr int AcceptRetryMs = 100;

} // namespace

SessionServer::SessionServer(SessionIds *ids, QObject *parent)
    : QObject(parent)
    , m_server(new QTcpServer(this))
    , m_ids(ids ? ids : &m_ownIds)
{
    connect(m_server, &QTcpServer::newConnection, this, &SessionServer::acceptPending);
    connect(m_server, &QTcpServer::acceptError, this, &SessionServer::onAcceptError);
}

SessionServer::~SessionServer() = default;

void SessionServer::setOptions(EngineOptions options)
{
    m_options = std::move(options);
    m_options.initiator = false;
}

bool SessionServer::listen(const QHostAddress &address, quint16 port, QString *error)
{
    if (m_server->listen(address, port))
        return true;
    if (error) {
        *error = QStringLiteral("cannot listen on %1:%2: %3")
                     .arg(address.toString())
                     .arg(port)
                     .arg(m_server->errorString());
    }
    return false;
}

bool SessionServer::isListening() const
{
    return m_server->isListening();
}

quint16 SessionServer::port() const
{
    return m_server->isListening() ? m_server->serverPort() : 0;
}

QHostAddress SessionServer::address() const
{
    return m_server->serverAddress();
}

void SessionServer::close()
{
    m_server->close();
}

QList<SessionDriver *> SessionServer::sessions() const
{
    return m_sessions;
}

void SessionServer::acceptPending()
{
    while (QTcpSocket *socket = m_server->nextPendingConnection()) {
        auto *driver = new SessionDriver(m_ids->next(), m_options, this);
        m_sessions.append(driver);
        connect(driver, &SessionDriver::ended, this, [this, driver] {
            m_sessions.removeOne(driver);
            driver->deleteLater();
        });
        emit sessionStarted(driver);
        driver->adoptSocket(socket);
    }
}

void SessionServer::onAcceptError()
{
    emit acceptFailed(
        QStringLiteral("cannot accept a connection: %1").arg(m_server->errorString()));
    // QTcpServer pauses itself after a non-temporary accept error; a busy host is not a reason to
    // stop serving for good.
    QTimer::singleShot(AcceptRetryMs, m_server, [server = m_server] { server->resumeAccepting(); });
}

} // namespace hyperscope
