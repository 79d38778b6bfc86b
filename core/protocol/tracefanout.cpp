#include "tracefanout.h"

#include <algorithm>

namespace hyperscope {

void TraceFanOut::add(TraceSink *observer)
{
    if (observer && !contains(observer))
        m_observers.push_back(observer);
}

void TraceFanOut::remove(TraceSink *observer)
{
    m_observers.erase(std::remove(m_observers.begin(), m_observers.end(), observer),
                      m_observers.end());
}

bool TraceFanOut::contains(const TraceSink *observer) const
{
    return std::find(m_observers.begin(), m_observers.end(), observer) != m_observers.end();
}

template<typename Call> void TraceFanOut::forward(Call &&call)
{
    // A copy: an observer may add or remove observers (itself included) from inside the call.
    const std::vector<TraceSink *> observers = m_observers;
    for (TraceSink *observer : observers) {
        if (contains(observer))
            call(*observer);
    }
}

void TraceFanOut::traceHandshake(const HandshakeTrace &trace)
{
    forward([&trace](TraceSink &sink) { sink.traceHandshake(trace); });
}

void TraceFanOut::traceHandshakeComplete(const HandshakeInfo &info)
{
    forward([&info](TraceSink &sink) { sink.traceHandshakeComplete(info); });
}

void TraceFanOut::traceFrame(const FrameTrace &trace)
{
    forward([&trace](TraceSink &sink) { sink.traceFrame(trace); });
}

void TraceFanOut::traceChannel(const ChannelTrace &trace)
{
    forward([&trace](TraceSink &sink) { sink.traceChannel(trace); });
}

void TraceFanOut::traceExtensions(const ExtensionTrace &trace)
{
    forward([&trace](TraceSink &sink) { sink.traceExtensions(trace); });
}

void TraceFanOut::traceWarning(const WarningTrace &trace)
{
    forward([&trace](TraceSink &sink) { sink.traceWarning(trace); });
}

void TraceFanOut::traceError(const Error &error)
{
    forward([&error](TraceSink &sink) { sink.traceError(error); });
}

} // namespace hyperscope
