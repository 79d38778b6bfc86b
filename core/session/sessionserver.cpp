#include "sessionserver.h"

#include "sessiondriver.h"

#include <QSocketNotifier>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>

#ifdef Q_OS_UNIX
#include <cerrno>
#include <cstring>
#include <sys/socket.h>
#include <unistd.h>
#endif

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
    if (m_server->listen(address, port)) {
#ifdef Q_OS_UNIX
        // QTcpServer keeps the descriptor and its address; the accepting is ours.
        m_server->pauseAccepting();
        m_acceptNotifier =
            new QSocketNotifier(m_server->socketDescriptor(), QSocketNotifier::Read, this);
        connect(m_acceptNotifier, &QSocketNotifier::activated, this, &SessionServer::acceptReady);
#endif
        return true;
    }
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
    if (m_acceptNotifier) {
        // close() may be called from a receiver of sessionStarted, inside acceptReady().
        m_acceptNotifier->setEnabled(false);
        m_acceptNotifier->deleteLater();
        m_acceptNotifier = nullptr;
    }
    m_server->close();
}

QList<SessionDriver *> SessionServer::sessions() const
{
    return m_sessions;
}

void SessionServer::acceptPending()
{
    while (QTcpSocket *socket = m_server->nextPendingConnection())
        adopt(socket);
}

void SessionServer::adopt(QTcpSocket *socket)
{
    m_acceptFailing = false;
    auto *driver = new SessionDriver(m_ids->next(), m_options, this);
    m_sessions.append(driver);
    connect(driver, &SessionDriver::ended, this, [this, driver] {
        m_sessions.removeOne(driver);
        driver->deleteLater();
    });
    emit sessionStarted(driver);
    driver->adoptSocket(socket);
}

void SessionServer::onAcceptError()
{
    // QTcpServer pauses itself after a non-temporary accept error; a busy host is not a reason to
    // stop serving for good.
    retryAcceptLater(m_server->errorString());
}

void SessionServer::retryAcceptLater(const QString &message)
{
    if (!m_acceptFailing)
        emit acceptFailed(QStringLiteral("cannot accept a connection: %1").arg(message));
    m_acceptFailing = true;
    QTimer::singleShot(AcceptRetryMs, this, [this] {
        if (m_acceptNotifier)
            m_acceptNotifier->setEnabled(true);
        else if (m_server->isListening())
            m_server->resumeAccepting();
    });
}

void SessionServer::acceptReady()
{
#ifdef Q_OS_UNIX
    const int listener = int(m_server->socketDescriptor());
    for (;;) {
        const int fd = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
        if (fd >= 0) {
            auto *socket = new QTcpSocket(this);
            if (!socket->setSocketDescriptor(fd)) {
                ::close(fd);
                delete socket;
                continue;
            }
            adopt(socket);
            if (!m_acceptNotifier)
                return; // a receiver of sessionStarted closed the server
            continue;
        }
        const int error = errno;
        if (error == EINTR || error == ECONNABORTED)
            continue; // a connection that went away before we took it
        if (error == EAGAIN || error == EWOULDBLOCK)
            return;
        // EMFILE, ENFILE, ENOBUFS, ENOMEM: the host is out of something. The connection waits
        // in the kernel's backlog; we stop watching for readiness (no spinning) and retry.
        m_acceptNotifier->setEnabled(false);
        retryAcceptLater(QString::fromLocal8Bit(std::strerror(error)));
        return;
    }
#endif
}

} // namespace hyperscope
