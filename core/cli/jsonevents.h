// The JSON events hyperscope-cli prints on stdout: one compact object per line, each with "event"
// and "session" (1, 2, ... per connection; 0 for the process itself).
//
// Conventions: bytes are lower-case hex strings; integers are JSON numbers; optional values that
// are not set are left out; stream-level events have no "discoveryKey".
#pragma once

#include "bytes.h"
#include "engine.h"
#include "trace.h"

#include <QByteArray>
#include <QJsonObject>
#include <QString>

#include <cstdio>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace hyperscope {

/// Lower-case hex, as a JSON string value.
QString hexString(ByteView bytes);

QJsonObject listeningEvent(quint16 port);
QJsonObject connectedEvent(int session, const QString &remote, bool initiator);
QJsonObject handshakeEvent(int session, const HandshakeInfo &info);
QJsonObject discoveryKeyEvent(int session, const Key32 &discoveryKey);
/// An established channel (both sides opened, capability verified).
QJsonObject channelEvent(int session, const ChannelInfo &channel);
/// {discoveryKey, type, message}: the message's fields under their schema names.
QJsonObject messageEvent(int session, const ChannelInfo &channel, const Message &message);
/// The remote's extension names on a channel, or on the stream when @p discoveryKey is empty.
QJsonObject extensionsEvent(int session, const std::optional<Key32> &discoveryKey,
                            const std::vector<std::string> &names);
/// An extension message; "name" is null when the id names nothing registered locally.
QJsonObject extensionEvent(int session, const std::optional<Key32> &discoveryKey,
                           const std::optional<std::string> &name, quint64 id,
                           const QByteArray &payload);
QJsonObject closeEvent(int session, const Key32 &discoveryKey);
/// One frame: direction "in"/"out", type "Want", "Keepalive", "Unknown(12)" ...; length in bytes.
QJsonObject frameEvent(int session, const FrameTrace &frame);
QJsonObject errorEvent(int session, const QString &message);
/// Something the peer did that the protocol does not allow (the engine tolerated it), or, in
/// relay mode, something the relay could not forward: {"event":"warning","session":N,"message"}.
QJsonObject warningEvent(int session, const QString &message);
/// @p event with "leg":"client" or "leg":"server" added: the leg of a relayed session it
/// belongs to.
QJsonObject withLeg(QJsonObject event, const QString &leg);
QJsonObject endEvent(int session, const QString &reason);

/// Writes events, one per line, flushing after each so that a reader sees them at once.
class EventPrinter
{
public:
    /// @p out is not owned.
    explicit EventPrinter(std::FILE *out = stdout)
        : m_out(out)
    {}
    void print(const QJsonObject &event);

    /// @p handler is called once, the first time a write fails (the reader went away: EPIPE).
    /// Nothing is written after that.
    void setWriteFailedHandler(std::function<void()> handler)
    {
        m_writeFailed = std::move(handler);
    }
    bool hasFailed() const { return m_failed; }

private:
    void writeFailed();

    std::FILE *m_out;
    std::function<void()> m_writeFailed;
    bool m_failed = false;
};

/// A TraceSink that prints a "frame" event for every frame in and out of one session.
class FrameEventSink : public TraceSink
{
public:
    /// @p printer is not owned and must outlive the sink.
    FrameEventSink(int session, EventPrinter *printer)
        : m_session(session)
        , m_printer(printer)
    {}
    void traceFrame(const FrameTrace &frame) override;

private:
    int m_session;
    EventPrinter *m_printer;
};

} // namespace hyperscope
