// hyperscope-cli's application object: listens, dials or relays, turns session signals into JSON
// events, feeds stdin commands to the sessions and decides when the process exits.
//
// Exit codes: connect exits when its connection ends, 0 after a clean end and 1 after an error;
// listen --once does the same for its one connection; relay --once exits when its first relayed
// connection has ended on both legs, 0 when both ended cleanly, else 1; listen and relay without
// --once run until quit, SIGINT or SIGTERM, which close every session and exit 0. In every mode,
// when stdout's reader goes away (`hyperscope-cli ... | head -3`), the sessions are closed
// cleanly and the process exits 0. A listener or relay that cannot listen exits 1.
//
// read prints a capture's events and exits 0 (1 when the file cannot be read); replay dials like
// connect, replays one session of a capture (capturereplayer.h), ends the session cleanly after
// the last message and exits like connect. --capture FILE is written when the process exits (a
// failure to write it is an "error" event and exit status 1).
//
// relay: one session id per relayed connection; every event that belongs to one leg carries
// "leg":"client" or "leg":"server" (see docs/relay.md for the legs).
#pragma once

#include "capturereplayer.h"
#include "clioptions.h"
#include "commandinterpreter.h"
#include "eventfilter.h"
#include "feedevents.h"
#include "jsonevents.h"
#include "sessionserver.h"

#include <QObject>
#include <QPointer>

#include <array>
#include <map>
#include <memory>

namespace hyperscope {

class LineReader;
class OutputWatcher;
class CaptureRecorder;
class CaptureReplayer;
class Relay;
class RelayedSession;
class SessionDriver;
class SessionEventSink;
class FeedServer;
class SignalWatcher;

class CliApp : public QObject
{
    Q_OBJECT
public:
    explicit CliApp(CliOptions options, QObject *parent = nullptr);
    ~CliApp() override;

    /// Starts listening or dialing. Returns false after printing an error event when that failed
    /// at once (the address cannot be listened on); the process should then exit with 1.
    bool start();

signals:
    /// The process should exit with @p exitCode (emitted once).
    void finished(int exitCode);

private:
    struct Session
    {
        QPointer<SessionDriver> driver;
        std::unique_ptr<SessionEventSink> trace;
    };
    /// A relayed connection: its legs' trace sinks (index 0 client, 1 server).
    struct Relayed
    {
        QPointer<RelayedSession> session;
        std::array<std::unique_ptr<SessionEventSink>, 2> traces;
        bool failed = false; ///< A leg ended with an error.
        /// The relay's own warning for an Open just held, replaced by ours (which names the
        /// "key" command): its leg and the discovery key in hex.
        QString heldLeg;
        QString heldKey;
    };

    bool startRelay();
    void addSession(SessionDriver *driver);
    void addRelayedSession(RelayedSession *session);
    void onRelayedSessionFinished(RelayedSession *session);
    std::pair<RelayedSession *, int> findRelayedSession(std::optional<int> id) const;
    void openKeys(SessionDriver *driver);
    void onSessionEnded(SessionDriver *driver, const Error &reason);
    SessionDriver *findSession(std::optional<int> id) const;
    /// Ends every session cleanly with @p reason and exits 0 once they have all ended.
    void shutdown(const QString &reason);
    void exitWith(int exitCode);
    // --- Captures (--capture, read, replay) ----------------------------------------------------
    /// read: prints the capture's events; false after an error event when it cannot be read.
    bool runRead();
    /// replay: reads the capture and plans the replay; false after an error event.
    bool planCaptureReplay();
    /// replay: starts sending on @p driver, whose session is up; ends it after the last step.
    void startReplay(SessionDriver *driver);
    /// --capture: records what the header of the capture says about @p driver's session.
    void recordSession(SessionDriver *driver, Session &session);
    void recordRelayedSession(int id, RelayedSession *session, Relayed &relayed);
    /// --intercept: applies the current expression to @p driver and prints its intercept events
    /// as session @p session's (with "leg" when @p leg is not empty).
    void watchIntercept(SessionDriver *driver, int session, const QString &leg);
    /// The session driver holding intercepted message @p id, if any.
    CommandInterpreter::InterceptHolder findInterceptHolder(std::uint64_t id) const;
    /// {"cmd":"intercept"}: the new expression for every session, running and to come.
    void setInterceptFilter(const filter::Filter &filter);
    /// --serve: builds the served feed and prints the "feed" event; false after an error event.
    bool startServing();
    /// --serve: lets the served feed answer on @p driver's channel for it.
    void watchServedFeed(SessionDriver *driver);

    CliOptions m_options;
    /// --filter: which message, frame, extension and warning events are printed.
    EventFilter m_eventFilter;
    EventPrinter m_printer;
    SessionIds m_ids;
    SessionServer *m_server = nullptr;
    std::map<int, Session> m_sessions; ///< Alive sessions by id.
    Relay *m_relay = nullptr;
    std::map<int, Relayed> m_relayed; ///< relay: alive relayed sessions by id.
    int m_nextRelayedId = 1;
    OutputWatcher *m_stdout = nullptr;
    /// The feed layer's fields on message events (verdicts, block ranges), per session; relayed
    /// sessions have ids of their own, hence a second one.
    FeedEventAnnotator m_feeds;
    FeedEventAnnotator m_relayFeeds;
    CommandInterpreter m_interpreter;
    LineReader *m_stdin = nullptr;
    SignalWatcher *m_signals = nullptr;
    bool m_shuttingDown = false;
    bool m_finished = false;
    bool m_firstSessionSeen = false;
    /// The intercept expression (--intercept, then the "intercept" command); empty: off.
    filter::Filter m_interceptFilter;
    /// --capture FILE: every session's rows, written at exit.
    std::unique_ptr<CaptureRecorder> m_recorder;
    /// replay: what to send, and who sends it once the session is up.
    std::unique_ptr<ReplayPlan> m_replayPlan;
    CaptureReplayer *m_replayer = nullptr;
    /// --serve: the served feed (null without --serve).
    std::unique_ptr<FeedServer> m_feedServer;
};

} // namespace hyperscope
