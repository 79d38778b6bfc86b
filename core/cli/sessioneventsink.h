// The TraceSink hyperscope-cli puts on every session (and on each leg of a relayed session):
// prints a "warning" event for every protocol violation the engine tolerated (its trace warnings,
// what the inspector flags), and, with --trace, a "frame" event for every frame in and out.
//
// Every event it prints carries the session id and, for a relay leg, "leg". In relay mode it also
// prints "discovery-key" when the leg's peer opens a channel the relay has not opened: the trace
// reports that before the relay reacts to it (and perhaps opens the channel at once), so the
// events come in the order a listener prints them.
#pragma once

#include "trace.h"

#include <QJsonObject>
#include <QString>

namespace hyperscope {

class CaptureRecorder;
class EventFilter;
class EventPrinter;

class SessionEventSink : public TraceSink
{
public:
    /// @p printer is not owned and must outlive the sink. @p leg: "client" or "server" for a
    /// relay leg, empty otherwise. @p frames: print "frame" events (--trace).
    SessionEventSink(int session, QString leg, bool frames, EventPrinter *printer);
    /// Same, printing only the frame and warning events @p filter passes (--filter); @p filter is
    /// not owned and must outlive the sink.
    SessionEventSink(int session, QString leg, bool frames, EventPrinter *printer,
                     const EventFilter *filter);

    /// --capture: also records every handshake message, frame and warning of this session (or
    /// leg) in @p recorder (not owned; must outlive the sink). @p encrypted: the transport is.
    void setRecorder(CaptureRecorder *recorder, bool encrypted)
    {
        m_recorder = recorder;
        m_encrypted = encrypted;
    }

    void traceHandshake(const HandshakeTrace &step) override;
    void traceFrame(const FrameTrace &frame) override;
    void traceChannel(const ChannelTrace &channel) override;
    void traceWarning(const WarningTrace &warning) override;

private:
    void print(QJsonObject event);

    int m_session;
    QString m_leg;
    bool m_frames;
    EventPrinter *m_printer;
    const EventFilter *m_filter = nullptr;
    CaptureRecorder *m_recorder = nullptr;
    bool m_encrypted = false;
};

} // namespace hyperscope
