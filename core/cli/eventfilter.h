// hyperscope-cli's --filter: decides, per event, whether a "message", "frame", "extension" or
// "warning" event is printed. Lifecycle events (listening, connected, handshake, channel, close,
// error, end, ...) never come here: they are always printed.
//
// Each method fills a filter::Row from what the event is built from and evaluates the compiled
// expression (core/filter/filter.h). With no --filter every method returns true at once, so the
// printing path pays one test. A message event's feed-layer fields come with it: `blocks` from
// the message, `verified` / `verdict` / `verifyError` from the verdict the caller's
// FeedEventAnnotator gave the event (core/cli/feedevents.h), so the filter and the printed
// "verified" key say the same thing.
#pragma once

#include "filter.h"
#include "messages.h"
#include "sessioninfo.h"
#include "trace.h"

#include <QElapsedTimer>
#include <QString>

#include <optional>
#include <string>

namespace hyperscope::feed {
struct Verdict;
}

namespace hyperscope {

class EventFilter
{
public:
    /// @p filter: the compiled --filter (empty: everything passes). `time` in rows is the
    /// milliseconds since this object was made (the process start).
    explicit EventFilter(filter::Filter filter = {});

    bool isEmpty() const { return m_filter.isEmpty(); }

    /// @p leg: "client" / "server" on a relay leg, empty otherwise (relayLegName()).
    /// @p verdict: the feed layer's verdict on a Data (what FeedEventAnnotator::annotate() found),
    /// null when there is none (another message, a channel whose feed key is unknown).
    bool passesMessage(int session, const QString &leg, Direction direction,
                       const ChannelInfo &channel, const Message &message,
                       const feed::Verdict *verdict = nullptr) const;
    bool passesFrame(int session, const QString &leg, const FrameTrace &frame) const;
    bool passesExtension(int session, const QString &leg, const std::optional<Key32> &discoveryKey,
                         const std::optional<std::string> &name, std::size_t payloadSize) const;
    bool passesWarning(int session, const QString &leg, const QString &message) const;

private:
    filter::Row baseRow(int session, const QString &leg) const;

    filter::Filter m_filter;
    QElapsedTimer m_clock;
    /// The encoding of the message a row is evaluated on (reused: no allocation per event).
    mutable Bytes m_scratch;
};

} // namespace hyperscope
