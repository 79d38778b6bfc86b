// SessionManager: the inspector's sessions and where they come from, without a widget.
//
// Every session, however it started (dialed, accepted by one of the manager's listeners, relayed
// by one of its relays, or played by the demo), becomes an InspectedSession owned here and feeding
// the shared MessageLogModel. One SessionIds numbers them all, so an id names one session whatever
// its origin. The sessions of opened capture files (openCapture()) are sessions too, read-only,
// numbered within their file ("capture1.jsonl #1") and given log ids from a range of their own
// (FirstCaptureId up), so that opening a file never takes a number from the next live session.
// The manager also keeps the list model the sidebar shows and which session is current.
//
// The main window holds one, wires its signals to the views and never touches a driver or a
// listener itself; tests drive it without a window.
#pragma once

#include "capturefile.h"
#include "inspectedsession.h"
#include "relay.h"
#include "sessionoptions.h"
#include "sessionserver.h"

#include <QHash>
#include <QHostAddress>
#include <QList>
#include <QMap>
#include <QObject>
#include <QPointer>

namespace hyperscope {

class DemoRunner;
class MessageLogModel;
class SessionDriver;
class SessionListModel;

class SessionManager : public QObject
{
    Q_OBJECT
public:
    using Origin = InspectedSession::Origin;

    /// @p log receives the rows of every session; it is not owned and must outlive the manager.
    explicit SessionManager(MessageLogModel *log, QObject *parent = nullptr);
    /// Deletes the sessions first (their traces feed the log), then the demo, the listeners and
    /// the relays (which own the drivers of the sessions they accepted). Emits nothing.
    ~SessionManager() override;

    // --- Starting sessions ----------------------------------------------------------------------

    /// Dials @p host:@p port. The session exists (connecting) and is current on return; it opens
    /// the channels of options.keys once the transport is up. A failure to connect ends the
    /// session with a reason (and errorOccurred()).
    InspectedSession *connectToPeer(const QString &host, quint16 port,
                                    const ConnectionOptions &options);
    /// Listens on @p address:@p port (0: a free port, see listeningPort()); every accepted
    /// connection becomes a session (origin Accepted) that opens options.keys. On failure returns
    /// false and sets @p error ("cannot listen on 127.0.0.1:80: The address is protected").
    bool listen(const QHostAddress &address, quint16 port, const ConnectionOptions &options,
                QString *error = nullptr);
    /// The port of the newest listener still listening (relays not counted); 0 when none.
    quint16 listeningPort() const;
    /// The address of the newest listener still listening; null when none.
    QHostAddress listeningAddress() const;
    /// The ports of every listener still listening, oldest first.
    QList<quint16> listeningPorts() const;
    /// Stops accepting on every listener and relay; sessions already accepted go on.
    void stopListening();

    /// Starts a relay (docs/relay.md): listens on @p address:@p port (0: a free port) and, for
    /// every client that connects, dials @p upstreamHost:@p upstreamPort and forwards between the
    /// two. Each relayed connection is one session (origin Relayed) with both legs
    /// (InspectedSession::serverLeg()). options.keys are the feed keys the relay may forward;
    /// options' Noise, encryption and timeout apply to both legs. On failure returns null and
    /// sets @p error ("cannot listen on 127.0.0.1:80: ...").
    Relay *relay(const QHostAddress &address, quint16 port, const QString &upstreamHost,
                 quint16 upstreamPort, const ConnectionOptions &options, QString *error = nullptr);
    /// The relays still listening, oldest first.
    QList<Relay *> relays() const;

    /// Starts the two-peer loopback demo (a no-op returning true when it runs). On failure returns
    /// false and sets @p error.
    bool startDemo(QString *error = nullptr);
    /// Ends the demo's sessions; demoRunningChanged(false) follows once both have ended.
    void stopDemo();
    DemoRunner *demo() const;
    bool isDemoRunning() const;

    /// Makes @p driver a session of the given @p origin; @p openOnConnect are feed keys whose
    /// channels it opens once the transport is up. Call before the driver connects or adopts its
    /// socket so that the inspector sees every byte. A driver without parent becomes the
    /// session's; one owned by a SessionServer stays the server's. The first session becomes
    /// current.
    InspectedSession *adopt(SessionDriver *driver, Origin origin,
                            const QList<Key32> &openOnConnect = {});

    /// Disconnects @p session, takes it off the list and deletes it later; its log rows stay.
    /// When it was current, the session now in its row (or the one above) becomes current.
    void remove(InspectedSession *session);

    /// A fresh live session id, for a driver made by hand and then adopt()ed.
    int allocateId() { return m_ids.next(); }

    // --- Opened captures -------------------------------------------------------------------------

    /// The first log id given to a captured session: live ids count from 1 and never get there.
    static constexpr int FirstCaptureId = 1 << 30;

    /// Opens the sessions of @p capture, read from a file named @p fileName, as read-only
    /// sessions (origin Capture) in the order their rows come: their rows go to the log (times
    /// relative to each session's start, capture::addSessionsTo()), their models are rebuilt
    /// from the rows (CaptureReplay), they are listed and announced (sessionAdded()) like live
    /// ones, and the first becomes current. They are numbered "fileName #1", "#2", ...; a name
    /// opened before gets a count ("capture.jsonl (2) #1"). Returns the new sessions.
    QList<InspectedSession *> openCapture(const capture::Capture &capture, const QString &fileName);
    /// What a capture file keeps about each listed session beyond its rows, by log id, for
    /// capture::write().
    QMap<int, capture::SessionInfo> captureInfo() const;

    // --- State ----------------------------------------------------------------------------------

    QList<InspectedSession *> sessions() const;
    InspectedSession *sessionById(int id) const;
    /// The sessions as the sidebar lists them (owned by the manager).
    SessionListModel *model() const { return m_model; }
    MessageLogModel *log() const { return m_log; }

    InspectedSession *current() const { return m_current; }
    /// Emits currentChanged() when @p session (null: none) was not current.
    void setCurrent(InspectedSession *session);

signals:
    /// A session was added (it is in model() already). Connect to its signals here.
    void sessionAdded(hyperscope::InspectedSession *session);
    /// A session was taken off the list; it is deleted when the event loop runs.
    void sessionRemoved(hyperscope::InspectedSession *session);
    void currentChanged(hyperscope::InspectedSession *session);
    /// A listener started or stopped listening.
    void listeningChanged();
    void demoRunningChanged(bool running);
    /// Something went wrong that no caller waits for, as "what: why": a session that ended with
    /// an error ("Session #2 ended: connection refused"), a listener that cannot accept.
    void errorOccurred(const QString &message);

private:
    MessageLogModel *m_log;
    SessionListModel *m_model;
    SessionIds m_ids;
    int m_nextCaptureId = FirstCaptureId;
    QHash<QString, int> m_captureNames; ///< How often each file name was opened.
    QList<SessionServer *> m_listeners;
    QList<Relay *> m_relays;
    QPointer<DemoRunner> m_demo;
    QPointer<InspectedSession> m_current;
};

} // namespace hyperscope
