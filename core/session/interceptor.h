// Interceptor: holds the messages of one session that match an intercept expression (issue 12),
// until someone resumes them (as they were, or edited) or drops them. mitmproxy's intercept, for
// Hypercore messages.
//
// One implementation for own sessions and relayed ones. SessionDriver owns one and offers it
//  - every incoming message before it is delivered (before messageReceived(): on a relay leg that
//    is before the RelayedSession forwards it to the other leg), and
//  - on an own session, every message before the engine sends it (SessionDriver::send()).
// On a relay leg only incoming messages are intercepted: a relayed message is held once, on the
// leg it arrived on, not a second time when the relay sends it into the other leg.
// The engine is not involved and stays sans IO: an incoming message has already been read by the
// engine (its tables know about it); what waits is its delivery to the application.
//
// Plain C++ (no QObject): the owner passes a Listener, which delivers what is released and hears
// what happened (SessionDriver turns it into Qt signals).
//
// Ordering rule: messages keep their order per lane, a lane being one direction of one channel
// (discovery key). A message on a lane where something waits is queued behind it even when it
// does not match; when it matches it is held too (and announced with its own id). Resuming a
// message that is not at the front of its lane marks it released: it goes out once everything
// before it was resumed or dropped. Lanes are independent: a held Request on channel A does not
// stop channel B.
//
// Off costs nothing: with an empty expression and nothing waiting, offer() is one test and
// returns false. setFilter() with an empty expression turns intercept off and releases everything
// waiting, in order. endSession() drops everything waiting and reports each drop.
//
// Bounded: at most interceptlimits::MaxHeldMessages messages and MaxHeldBytes bytes (their
// encoded size) wait per session. A message that would go beyond is not held: it is passed on at
// once with a warning that says so, overtaking the messages waiting on its lane (the bound wins
// over the order; the warning names both).
#pragma once

#include "error.h"
#include "filter.h"
#include "messages.h"
#include "sessioninfo.h"
#include "trace.h"

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace hyperscope {

namespace interceptlimits {
/// Messages that may wait (held or queued behind a held one) in one session.
inline constexpr std::size_t MaxHeldMessages = 4096;
/// Bytes (encoded message size) that may wait in one session.
inline constexpr std::size_t MaxHeldBytes = 16 * 1024 * 1024;
} // namespace interceptlimits

/// A message held by an Interceptor, as announced.
struct InterceptedMessage
{
    /// Unique in the process (ids are never reused), so that one number names it for the CLI's
    /// {"cmd":"resume","id":ID} whatever session holds it.
    std::uint64_t id = 0;
    Direction direction = Direction::Inbound;
    /// The channel as it was when the message was offered.
    ChannelInfo channel;
    Message message;
};

class Interceptor
{
public:
    /// What the interceptor does and reports; called synchronously. deliver() may call back into
    /// the interceptor (resume another id, change the filter).
    class Listener
    {
    public:
        virtual ~Listener() = default;
        /// Pass @p message on now: deliver it (Inbound) or send it (Outbound).
        virtual void deliver(Direction direction, const ChannelInfo &channel,
                             const Message &message) = 0;
        /// @p message matched and is held until resume() or drop().
        virtual void held(const InterceptedMessage &message) { (void)message; }
        /// Held message @p id was passed on (@p edited: the message given to resume()).
        virtual void released(std::uint64_t id, bool edited) { (void)id, (void)edited; }
        /// Held message @p id was discarded; @p reason says why ("dropped", "the session ended").
        virtual void dropped(std::uint64_t id, const std::string &reason)
        {
            (void)id, (void)reason;
        }
        /// Something did not go as asked (the bound was reached); one sentence.
        virtual void warning(const std::string &message) { (void)message; }
    };

    /// @p listener is not owned and must outlive the interceptor.
    explicit Interceptor(Listener *listener);

    /// What the expression sees of this session besides the message (filter::Row::session, leg).
    /// Per message it sees type, dir, channel (the local id), dk, key (when known), size (the
    /// message's encoded size) and every message field; not time, ext, warning or error.
    void setContext(std::optional<std::uint64_t> session, filter::Leg leg);
    /// Which directions are offered to the expression (a relay leg: Inbound only).
    void setOutgoingIntercepted(bool intercepted) { m_outgoing = intercepted; }

    /// Sets the expression. Messages already held stay held under a new non-empty expression;
    /// the empty expression turns intercept off and releases everything waiting, in order.
    void setFilter(filter::Filter filter);
    const filter::Filter &filter() const { return m_filter; }
    bool isOn() const { return m_on; }

    /// Offers a message about to be delivered or sent. Returns true when the interceptor took it
    /// (held, or queued behind a held message of its lane: it will come back through
    /// Listener::deliver()); false when the caller passes it on now.
    bool offer(Direction direction, const ChannelInfo &channel, const Message &message)
    {
        if (!m_on && m_waiting == 0)
            return false;
        return offerSlow(direction, channel, message);
    }

    /// Passes held message @p id on, or @p edited instead (same type as the held one). Error
    /// (InvalidArgument) for an unknown id or another type; the message stays held then.
    Error resume(std::uint64_t id, std::optional<Message> edited = std::nullopt);
    /// Discards held message @p id. Error for an unknown id.
    Error drop(std::uint64_t id);
    /// Releases everything waiting, in order per lane, as if every held message were resumed.
    void releaseAll();
    /// The session is over: discards everything waiting; reports each held message as dropped
    /// with @p reason.
    void endSession(const std::string &reason);

    /// Whether @p id is held here (and not yet resumed).
    bool holds(std::uint64_t id) const;
    /// The held messages not yet resumed, oldest first.
    std::vector<InterceptedMessage> heldMessages() const;
    /// Messages waiting (held, resumed but behind another, or queued behind a held one).
    std::size_t waitingCount() const { return m_waiting; }
    std::size_t waitingBytes() const { return m_waitingBytes; }

private:
    enum class State {
        Held,     ///< Matched; waits for resume() or drop().
        Released, ///< resume() was called; goes out when it reaches the front of its lane.
        Queued,   ///< Did not match; waits behind a held message of its lane.
    };
    struct Entry
    {
        std::uint64_t id = 0; ///< 0 for Queued entries (never announced).
        State state = State::Queued;
        bool edited = false;
        std::size_t bytes = 0;
        InterceptedMessage message;
    };
    using LaneKey = std::pair<int, Key32>; ///< (direction, discovery key)

    bool offerSlow(Direction direction, const ChannelInfo &channel, const Message &message);
    bool matches(Direction direction, const ChannelInfo &channel, const Message &message) const;
    /// Where held message @p id waits, or {end, nullptr}.
    std::pair<std::map<LaneKey, std::deque<Entry>>::iterator, Entry *> find(std::uint64_t id);
    /// Passes on the entries at the front of @p key's lane that may go (Released, Queued).
    void drain(const LaneKey &key);
    void forget(const Entry &entry);

    Listener *m_listener;
    filter::Filter m_filter;
    bool m_on = false; ///< !m_filter.isEmpty(), kept for offer()'s inline test.
    bool m_outgoing = true;
    std::optional<std::uint64_t> m_session;
    filter::Leg m_leg = filter::Leg::None;
    std::map<LaneKey, std::deque<Entry>> m_lanes; ///< Only lanes where something waits.
    std::size_t m_waiting = 0;
    std::size_t m_waitingBytes = 0;
    mutable Bytes m_scratch; ///< The encoding a filter row reads (reused).
};

} // namespace hyperscope
