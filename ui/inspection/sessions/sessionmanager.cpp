#include "sessionmanager.h"

#include "capturereplay.h"
#include "demorunner.h"
#include "feedtracker.h"
#include "sessiondriver.h"
#include "sessionlistmodel.h"

#include <QPointer>
#include <QSignalBlocker>

namespace hyperscope {

SessionManager::SessionManager(MessageLogModel *log, QObject *parent)
    : QObject(parent)
    , m_log(log)
    , m_model(new SessionListModel(this))
{
    // The log's filter and colouring rules ask for verdicts (`verified`): the sessions' trackers.
    m_log->setFeedVerdictLookup([manager = QPointer<SessionManager>(this)](int row) {
        return manager ? feedVerdictOf(*manager->m_log, row, *manager) : nullptr;
    });
}

SessionManager::~SessionManager()
{
    const QSignalBlocker blocker(this);
    const QList<InspectedSession *> sessions = m_model->sessions();
    for (InspectedSession *session : sessions) {
        session->disconnect(this);
        m_model->removeSession(session);
        delete session;
    }
    delete m_demo;
    qDeleteAll(m_listeners);
    qDeleteAll(m_relays);
}

InspectedSession *SessionManager::adopt(SessionDriver *driver, Origin origin,
                                        const QList<Key32> &openOnConnect)
{
    auto *session = new InspectedSession(driver->id(), driver, origin, m_log, this);
    m_model->addSession(session);
    connect(session, &InspectedSession::ended, this, [this, session](const QString &reason) {
        if (!reason.isEmpty())
            emit errorOccurred(tr("Session #%1 ended: %2").arg(session->id()).arg(reason));
    });
    if (!openOnConnect.isEmpty()) {
        // The engine queues channels until the handshake completes; the transport must be up.
        connect(driver, &SessionDriver::transportConnected, session, [session, openOnConnect] {
            for (const Key32 &key : openOnConnect)
                session->openChannel(key);
        });
    }
    emit sessionAdded(session);
    if (!m_current)
        setCurrent(session);
    return session;
}

InspectedSession *SessionManager::connectToPeer(const QString &host, quint16 port,
                                                const ConnectionOptions &options)
{
    auto *driver = new SessionDriver(m_ids.next(), options.engineOptions(true));
    InspectedSession *session = adopt(driver, Origin::Dialed, options.keys);
    driver->connectToHost(host, port);
    setCurrent(session);
    return session;
}

bool SessionManager::listen(const QHostAddress &address, quint16 port,
                            const ConnectionOptions &options, QString *error)
{
    auto *server = new SessionServer(&m_ids, this);
    server->setOptions(options.engineOptions(false));
    if (!server->listen(address, port, error)) {
        delete server;
        return false;
    }
    connect(server, &SessionServer::sessionStarted, this,
            [this, keys = options.keys](SessionDriver *driver) {
                adopt(driver, Origin::Accepted, keys);
            });
    connect(server, &SessionServer::acceptFailed, this, &SessionManager::errorOccurred);
    m_listeners.append(server);
    emit listeningChanged();
    return true;
}

Relay *SessionManager::relay(const QHostAddress &address, quint16 port, const QString &upstreamHost,
                             quint16 upstreamPort, const ConnectionOptions &options, QString *error)
{
    auto *relay = new Relay(this);
    relay->setOptions(options.engineOptions(false));
    relay->setUpstream(upstreamHost, upstreamPort);
    for (const Key32 &key : options.keys)
        relay->addKey(key);
    if (!relay->listen(address, port, error)) {
        delete relay;
        return nullptr;
    }
    connect(relay, &Relay::sessionStarted, this, [this](RelayedSession *relayed) {
        // One id from the manager's numbering for both legs (the relay numbers its drivers on
        // its own): the sidebar, the log and captures name the pair by it.
        auto *session = new InspectedSession(m_ids.next(), relayed, m_log, this);
        m_model->addSession(session);
        connect(session, &InspectedSession::ended, this, [this, session](const QString &reason) {
            if (!reason.isEmpty())
                emit errorOccurred(tr("Session #%1 ended: %2").arg(session->id()).arg(reason));
        });
        emit sessionAdded(session);
        if (!m_current)
            setCurrent(session);
    });
    connect(relay, &Relay::acceptFailed, this, &SessionManager::errorOccurred);
    m_relays.append(relay);
    emit listeningChanged();
    return relay;
}

QList<Relay *> SessionManager::relays() const
{
    QList<Relay *> listening;
    for (Relay *relay : m_relays) {
        if (relay->isListening())
            listening.append(relay);
    }
    return listening;
}

quint16 SessionManager::listeningPort() const
{
    const QList<quint16> ports = listeningPorts();
    return ports.isEmpty() ? 0 : ports.last();
}

QHostAddress SessionManager::listeningAddress() const
{
    for (auto it = m_listeners.crbegin(); it != m_listeners.crend(); ++it) {
        if ((*it)->isListening())
            return (*it)->address();
    }
    return {};
}

QList<quint16> SessionManager::listeningPorts() const
{
    QList<quint16> ports;
    for (const SessionServer *server : m_listeners) {
        if (server->isListening())
            ports.append(server->port());
    }
    return ports;
}

void SessionManager::stopListening()
{
    for (SessionServer *server : std::as_const(m_listeners))
        server->close();
    for (Relay *relay : std::as_const(m_relays))
        relay->close();
    emit listeningChanged();
}

bool SessionManager::startDemo(QString *error)
{
    if (isDemoRunning())
        return true;
    delete m_demo;
    m_demo = new DemoRunner(&m_ids, this);
    connect(m_demo, &DemoRunner::sessionCreated, this, [this](SessionDriver *driver, bool) {
        InspectedSession *session = adopt(driver, Origin::Demo);
        if (driver->isInitiator())
            setCurrent(session);
    });
    connect(m_demo, &DemoRunner::stopped, this, [this] { emit demoRunningChanged(false); });
    if (!m_demo->start(error)) {
        delete m_demo;
        return false;
    }
    emit demoRunningChanged(true);
    return true;
}

void SessionManager::stopDemo()
{
    if (m_demo)
        m_demo->stop();
}

DemoRunner *SessionManager::demo() const
{
    return m_demo;
}

bool SessionManager::isDemoRunning() const
{
    return m_demo && m_demo->isRunning();
}

void SessionManager::remove(InspectedSession *session)
{
    const int row = m_model->rowOf(session);
    if (row < 0)
        return;
    const bool wasCurrent = session == m_current;
    session->disconnectFromPeer();
    m_model->removeSession(session);
    emit sessionRemoved(session);
    session->deleteLater();
    if (wasCurrent)
        setCurrent(m_model->session(qMin(row, m_model->rowCount() - 1)));
}

QList<InspectedSession *> SessionManager::openCapture(const capture::Capture &capture,
                                                      const QString &fileName)
{
    const int opened = ++m_captureNames[fileName];
    const QString name =
        opened == 1 ? fileName : QStringLiteral("%1 (%2)").arg(fileName).arg(opened);
    const QList<int> fileIds = capture::sessionsInOrder(capture);
    QList<InspectedSession *> sessions;
    QMap<int, int> ids; // file id -> log id
    for (const int fileId : fileIds) {
        // Labelled (in the log) before its rows come, so the log never shows a bare id.
        auto *session =
            new InspectedSession(m_nextCaptureId++, name, int(sessions.size()) + 1, m_log, this);
        ids.insert(fileId, session->id());
        sessions.append(session);
    }
    capture::addSessionsTo(*m_log, capture, ids);
    QHash<int, std::vector<const capture::Row *>> rows; // by file id: one pass over the file
    for (const capture::Row &row : capture.rows)
        rows[row.record.session].push_back(&row);
    for (qsizetype i = 0; i < sessions.size(); ++i) {
        CaptureReplay::fill(*sessions[i], capture, fileIds[i], rows[fileIds[i]]);
        m_model->addSession(sessions[i]);
        emit sessionAdded(sessions[i]);
    }
    if (!sessions.isEmpty())
        setCurrent(sessions.first());
    return sessions;
}

QMap<int, capture::SessionInfo> SessionManager::captureInfo() const
{
    QMap<int, capture::SessionInfo> info;
    for (const InspectedSession *session : m_model->sessions())
        info.insert(session->id(), CaptureReplay::describe(*session));
    return info;
}

QList<InspectedSession *> SessionManager::sessions() const
{
    return m_model->sessions();
}

InspectedSession *SessionManager::sessionById(int id) const
{
    return m_model->session(m_model->rowOfId(id));
}

void SessionManager::setCurrent(InspectedSession *session)
{
    if (m_current == session)
        return;
    m_current = session;
    emit currentChanged(session);
}

} // namespace hyperscope
