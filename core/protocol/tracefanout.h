// TraceFanOut: one TraceSink that forwards every record to several observers, so that the
// inspector and the CLI's --trace (or a test) can watch one engine, which has one sink slot.
//
// @code
//   TraceFanOut fanOut;
//   fanOut.add(&inspectorTrace);
//   fanOut.add(&cliTrace);
//   engine.setTraceSink(&fanOut);
// @endcode
//
// Observers are not owned and receive records in the order they were added, each record being
// the engine's own (views valid during the call only, as for any sink). Adding or removing an
// observer from inside a trace call is allowed: it takes effect from the next record. An empty
// fan-out still makes the engine build records; set no sink at all to trace nothing.
#pragma once

#include "trace.h"

#include <cstddef>
#include <vector>

namespace hyperscope {

class TraceFanOut : public TraceSink
{
public:
    /// Adds @p observer (not owned; must be removed before it dies). Adding one twice is a no-op.
    void add(TraceSink *observer);
    /// Removes @p observer; no-op when it was not added.
    void remove(TraceSink *observer);
    bool contains(const TraceSink *observer) const;
    std::size_t size() const { return m_observers.size(); }
    bool empty() const { return m_observers.empty(); }

    void traceHandshake(const HandshakeTrace &trace) override;
    void traceHandshakeComplete(const HandshakeInfo &info) override;
    void traceFrame(const FrameTrace &trace) override;
    void traceChannel(const ChannelTrace &trace) override;
    void traceExtensions(const ExtensionTrace &trace) override;
    void traceWarning(const WarningTrace &trace) override;
    void traceError(const Error &error) override;

private:
    template<typename Call> void forward(Call &&call);

    std::vector<TraceSink *> m_observers;
};

} // namespace hyperscope
