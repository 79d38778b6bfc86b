// Runs the stdin commands of hyperscope-cli (see command.h) against live sessions: the sessions
// of listen and connect, or the relayed sessions of relay (setRelay()).
#pragma once

#include "command.h"

#include <QByteArray>

#include <cstdint>

#include <functional>
#include <optional>
#include <utility>

namespace hyperscope {

class EventPrinter;
class RelayedSession;
class SessionDriver;

class CommandInterpreter
{
public:
    /// Finds the session a command is for: the one with that id, or with no id the latest one
    /// still alive; null when there is none.
    using SessionLookup = std::function<SessionDriver *(std::optional<int> id)>;

    /// Finds a relayed session and gives the id the events use for it: the one with that id, or
    /// with no id the latest one still alive; {null, 0} when there is none.
    using RelayLookup = std::function<std::pair<RelayedSession *, int>(std::optional<int> id)>;

    /// @p printer is not owned and must outlive the interpreter. @p quit is called for "quit".
    CommandInterpreter(SessionLookup lookup, EventPrinter *printer, std::function<void()> quit);

    /// Relay mode: commands act on relayed sessions found by @p lookup (the SessionLookup is no
    /// longer used), and "key" calls @p addKey.
    void setRelay(RelayLookup lookup, std::function<void(const Key32 &)> addKey);

    /// Where a held message waits (intercept): the driver holding it and the session id its
    /// events use (a relayed session's own id); {null, 0} when no session holds it.
    struct InterceptHolder
    {
        SessionDriver *driver = nullptr;
        int session = 0;
    };
    using InterceptLookup = std::function<InterceptHolder(std::uint64_t id)>;

    /// Intercept commands: resume and drop act on the driver @p lookup finds; "intercept" calls
    /// @p change with the new expression (the caller applies it to every session).
    void setIntercept(InterceptLookup lookup, std::function<void(const filter::Filter &)> change);
    /// Called with each message a "send" command sent on a session (not in relay mode), after
    /// the session accepted it: the feed layer notes our own Requests and Wants.
    using SentObserver =
        std::function<void(int session, const Key32 &discoveryKey, const Message &message)>;
    void setSentObserver(SentObserver observer) { m_sent = std::move(observer); }

    /// Handles one line of input (without its newline). Blank lines are skipped but counted.
    /// A bad line or a refused action prints an "error" event naming the line
    /// ("line 3: unknown command 'opne'") and changes nothing else.
    void handleLine(const QByteArray &line);
    /// Counts a line that was too long to keep and reports it.
    void handleOverlongLine(qint64 limit);

    /// Lines seen so far.
    int lineNumber() const { return m_lineNumber; }

private:
    void execute(const Command &command);
    void executeRelayed(const Command &command);
    void executeIntercept(const Command &command);
    void report(int session, const QString &message);

    SessionLookup m_lookup;
    EventPrinter *m_printer;
    std::function<void()> m_quit;
    RelayLookup m_relayLookup;
    std::function<void(const Key32 &)> m_addKey;
    InterceptLookup m_interceptLookup;
    std::function<void(const filter::Filter &)> m_interceptChange;
    int m_lineNumber = 0;
    SentObserver m_sent;
};

} // namespace hyperscope
