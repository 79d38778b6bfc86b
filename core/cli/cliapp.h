// hyperscope-cli's application object: listens or dials, turns session signals into JSON events,
// feeds stdin commands to the sessions and decides when the process exits.
//
// Exit codes: connect exits when its connection ends, 0 after a clean end and 1 after an error;
// listen --once does the same for its one connection; listen without --once runs until quit,
// SIGINT or SIGTERM, which close every session and exit 0. A listener that cannot listen exits 1.
#pragma once

#include "clioptions.h"
#include "commandinterpreter.h"
#include "jsonevents.h"
#include "sessionserver.h"

#include <QObject>
#include <QPointer>

#include <map>
#include <memory>

namespace hyperscope {

class LineReader;
class SessionDriver;
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
        std::unique_ptr<FrameEventSink> trace;
    };

    void addSession(SessionDriver *driver);
    void openKeys(SessionDriver *driver);
    void onSessionEnded(SessionDriver *driver, const Error &reason);
    SessionDriver *findSession(std::optional<int> id) const;
    /// Ends every session cleanly with @p reason and exits 0 once they have all ended.
    void shutdown(const QString &reason);
    void exitWith(int exitCode);

    CliOptions m_options;
    EventPrinter m_printer;
    SessionIds m_ids;
    SessionServer *m_server = nullptr;
    std::map<int, Session> m_sessions; ///< Alive sessions by id.
    CommandInterpreter m_interpreter;
    LineReader *m_stdin = nullptr;
    SignalWatcher *m_signals = nullptr;
    bool m_shuttingDown = false;
    bool m_finished = false;
    bool m_firstSessionSeen = false;
};

} // namespace hyperscope
