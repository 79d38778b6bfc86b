// SessionServer: accepts TCP connections and runs one SessionDriver (a responder) per connection.
//
// Every accepted connection gets its own driver, parented to the server and deleted (later) once
// it has ended. Sessions are independent: a peer that fails, times out or floods only ends its own
// session; the listener and the other sessions go on.
#pragma once

#include "engine.h"

#include <QHostAddress>
#include <QList>
#include <QObject>
#include <QString>

class QSocketNotifier;
class QTcpServer;
class QTcpSocket;

namespace hyperscope {

class SessionDriver;

/// Hands out session ids 1, 2, 3, ... A process that both listens and dials shares one instance
/// between its SessionServer and its dialers, so that every connection it shows (JSON output,
/// logs, the inspector's tabs) has a distinct number. Not thread-safe: use it from one thread.
class SessionIds
{
public:
    /// The next id; the first call returns 1.
    int next() { return ++m_last; }
    /// The id last handed out (0 before the first call).
    int last() const { return m_last; }

private:
    int m_last = 0;
};

class SessionServer : public QObject
{
    Q_OBJECT
public:
    /// @p ids numbers the sessions; it is not owned and must outlive the server. Null: the
    /// server uses an allocator of its own.
    explicit SessionServer(SessionIds *ids = nullptr, QObject *parent = nullptr);
    ~SessionServer() override;

    /// The template for every session accepted from now on. `initiator` is forced to false: the
    /// side that accepts is the responder of the Noise handshake. The static key pair, if set, is
    /// shared by all sessions (each engine gets its own copy).
    void setOptions(EngineOptions options);
    const EngineOptions &options() const { return m_options; }

    /// Starts listening. @p port 0 picks a free port (see port()). On failure returns false and,
    /// when @p error is not null, sets it to a sentence such as
    /// "cannot listen on 127.0.0.1:80: The address is protected".
    bool listen(const QHostAddress &address, quint16 port, QString *error = nullptr);
    bool isListening() const;
    /// The port actually listened on; 0 when not listening.
    quint16 port() const;
    QHostAddress address() const;
    /// Stops accepting new connections. Sessions already running are not touched.
    void close();

    /// The sessions that have not ended yet, oldest first.
    QList<SessionDriver *> sessions() const;

signals:
    /// A connection was accepted. Emitted before the driver adopts its socket, so that receivers
    /// that connect to the driver's signals here see all of them, transportConnected() included.
    /// The driver belongs to the server; it stays valid until it has emitted ended() and the event
    /// loop has run (it is deleted with deleteLater()).
    void sessionStarted(hyperscope::SessionDriver *session);
    /// Accepting failed for a reason of the host (e.g. out of file descriptors). The server retries
    /// by itself shortly after; already running sessions are not affected. Emitted once per
    /// streak of failures, not on every retry.
    void acceptFailed(const QString &message);

private:
    void acceptPending();
    void onAcceptError();
    void acceptReady();
    void adopt(QTcpSocket *socket);
    void retryAcceptLater(const QString &message);

    QTcpServer *m_server;
    /// Unix: we accept() ourselves on the listening descriptor instead of QTcpServer, which (Qt
    /// 6.4) keeps the first TemporaryError (EAGAIN) of its socket engine for good and then takes
    /// EMFILE for one too: out of descriptors it neither pauses nor reports, it spins at full
    /// CPU. See acceptReady().
    QSocketNotifier *m_acceptNotifier = nullptr;
    bool m_acceptFailing = false; ///< In a streak of accept failures (reported once).
    SessionIds m_ownIds;
    SessionIds *m_ids;
    EngineOptions m_options;
    QList<SessionDriver *> m_sessions;
};

} // namespace hyperscope
