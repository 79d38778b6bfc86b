#include "sessioneventsink.h"

#include "capturerecorder.h"
#include "eventfilter.h"
#include "jsonevents.h"

namespace hyperscope {

SessionEventSink::SessionEventSink(int session, QString leg, bool frames, EventPrinter *printer)
    : m_session(session)
    , m_leg(std::move(leg))
    , m_frames(frames)
    , m_printer(printer)
{}

SessionEventSink::SessionEventSink(int session, QString leg, bool frames, EventPrinter *printer,
                                   const EventFilter *filter)
    : SessionEventSink(session, std::move(leg), frames, printer)
{
    m_filter = filter;
}

void SessionEventSink::traceHandshake(const HandshakeTrace &step)
{
    if (m_recorder)
        m_recorder->handshake(m_session, m_leg, step);
}

void SessionEventSink::traceFrame(const FrameTrace &frame)
{
    if (m_recorder)
        m_recorder->frame(m_session, m_leg, m_encrypted, frame);
    if (!m_frames)
        return;
    if (m_filter && !m_filter->passesFrame(m_session, m_leg, frame))
        return;
    // Printed as built (JsonEvent), not through a QJsonObject: once per frame, the hot path.
    JsonEvent event = frameEvent(m_session, frame);
    m_printer->print(m_leg.isEmpty() ? event : withLeg(std::move(event), m_leg));
}

void SessionEventSink::traceChannel(const ChannelTrace &channel)
{
    // A listener prints discovery-key from the driver's signal; a relay leg from here (above).
    if (!m_leg.isEmpty() && channel.event == ChannelEvent::OpenedByRemote &&
        !channel.channel.localId)
        print(discoveryKeyEvent(m_session, channel.channel.discoveryKey));
}

void SessionEventSink::traceWarning(const WarningTrace &warning)
{
    const QString message = QString::fromStdString(warning.message);
    if (m_recorder)
        m_recorder->note(m_session, m_leg, capture::FormatRow::Kind::Warning, warning.direction,
                         message);
    if (m_filter && !m_filter->passesWarning(m_session, m_leg, message))
        return;
    print(warningEvent(m_session, message));
}

void SessionEventSink::print(QJsonObject event)
{
    m_printer->print(m_leg.isEmpty() ? event : withLeg(std::move(event), m_leg));
}

} // namespace hyperscope
