// The JSON events hyperscope-cli prints on stdout: one compact object per line, each with "event"
// and "session" (1, 2, ... per connection; 0 for the process itself).
//
// Conventions: bytes are lower-case hex strings; integers are JSON numbers; optional values that
// are not set are left out; stream-level events have no "discoveryKey".
#pragma once

#include "bytes.h"
#include "engine.h"
#include "interceptor.h"
#include "trace.h"

#include <QByteArray>
#include <QJsonObject>
#include <QString>

#include <cstdio>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hyperscope {

/// Lower-case hex, as a JSON string value.
QString hexString(ByteView bytes);

/// An event built as JSON text directly, for the events printed once per message or frame (the
/// hot path: a QJsonObject costs an allocation per value and QJsonDocument a second pass).
/// EventPrinter prints it exactly as QJsonDocument would print the same QJsonObject (keys in
/// order, numbers and string escapes as Qt writes them; tests/core/cli/tst_jsonevents.cpp checks
/// this for every message type). It converts to a QJsonObject for a caller that wants one (the
/// same values; a number beyond 2^53 comes back as an integer, which Qt then writes as digits):
/// print the JsonEvent itself to keep the hot path fast and the output identical.
class JsonEvent
{
public:
    /// {"event": @p name, "session": @p session}
    JsonEvent(std::string_view name, int session);

    /// Adds (or replaces) @p key with @p value: a string, hex bytes, a number as Qt writes a
    /// double, or JSON text as it is. Keys are kept sorted, as QJsonObject keeps them.
    void insertString(std::string_view key, std::string_view utf8);
    void insertHex(std::string_view key, ByteView bytes);
    void insertNumber(std::string_view key, double value);
    void insertRaw(std::string_view key, std::string json);
    /// Any value, through QJsonDocument's writer (for the fields the fast path does not add).
    void insert(const QString &key, const QJsonValue &value);

    /// The compact JSON text, without a newline.
    QByteArray toJson() const;
    /// Appends the compact JSON text to @p out.
    void appendTo(std::string &out) const;
    operator QJsonObject() const; // NOLINT: the events' callers may treat it as one

private:
    std::string &slot(std::string_view key);
    std::vector<std::pair<std::string, std::string>> m_fields; ///< key -> JSON text, sorted
};

/// Appends @p message as the JSON object messageToJson() makes (core/session/messagejson.h),
/// printed as QJsonDocument prints it.
void appendMessageJson(std::string &out, const Message &message);

QJsonObject listeningEvent(quint16 port);
QJsonObject connectedEvent(int session, const QString &remote, bool initiator);
QJsonObject handshakeEvent(int session, const HandshakeInfo &info);
QJsonObject discoveryKeyEvent(int session, const Key32 &discoveryKey);
/// An established channel (both sides opened, capability verified).
QJsonObject channelEvent(int session, const ChannelInfo &channel);
/// {discoveryKey, type, message}: the message's fields under their schema names.
JsonEvent messageEvent(int session, const ChannelInfo &channel, const Message &message);
/// The remote's extension names on a channel, or on the stream when @p discoveryKey is empty.
QJsonObject extensionsEvent(int session, const std::optional<Key32> &discoveryKey,
                            const std::vector<std::string> &names);
/// An extension message; "name" is null when the id names nothing registered locally.
QJsonObject extensionEvent(int session, const std::optional<Key32> &discoveryKey,
                           const std::optional<std::string> &name, quint64 id,
                           const QByteArray &payload);
QJsonObject closeEvent(int session, const Key32 &discoveryKey);
/// One frame: direction "in"/"out", type "Want", "Keepalive", "Unknown(12)" ...; length in bytes.
JsonEvent frameEvent(int session, const FrameTrace &frame);
QJsonObject errorEvent(int session, const QString &message);
/// Something the peer did that the protocol does not allow (the engine tolerated it), or, in
/// relay mode, something the relay could not forward: {"event":"warning","session":N,"message"}.
QJsonObject warningEvent(int session, const QString &message);
/// @p event with "leg":"client" or "leg":"server" added: the leg of a relayed session it
/// belongs to.
QJsonObject withLeg(QJsonObject event, const QString &leg);
JsonEvent withLeg(JsonEvent event, const QString &leg);
QJsonObject endEvent(int session, const QString &reason);

// Intercept (--intercept; core/session/interceptor.h).
/// A held message: {"event":"intercepted","session","id","direction":"in"|"out","discoveryKey",
/// "type","message"} (a relayed session's adds "leg" with withLeg()).
JsonEvent interceptedEvent(int session, const InterceptedMessage &held);
/// Held message @p id went on: {"event":"resumed","session","id","edited":bool}.
QJsonObject resumedEvent(int session, quint64 id, bool edited);
/// Held message @p id was discarded: {"event":"dropped","session","id","reason"}; reason
/// "dropped" after a drop command, "the session ended" when its session ended.
QJsonObject droppedEvent(int session, quint64 id, const QString &reason);

/// Writes events, one per line. A reader sees every event without waiting: the lines of one
/// burst (the messages of one read from a socket) are written together with one write as soon as
/// control returns to the event loop, or at once without a QCoreApplication, or once 64 KiB wait,
/// or on flush() and destruction.
class EventPrinter
{
public:
    /// @p out is not owned.
    explicit EventPrinter(std::FILE *out = stdout);
    ~EventPrinter();
    EventPrinter(const EventPrinter &) = delete;
    EventPrinter &operator=(const EventPrinter &) = delete;

    void print(const QJsonObject &event);
    void print(const JsonEvent &event);
    /// Writes what waits now.
    void flush();

    /// @p handler is called once, the first time a write fails (the reader went away: EPIPE).
    /// Nothing is written after that.
    void setWriteFailedHandler(std::function<void()> handler)
    {
        m_writeFailed = std::move(handler);
    }
    bool hasFailed() const { return m_failed; }

private:
    void lineAdded();
    /// Writes m_pending; false when the write failed.
    bool writePending();
    void writeFailed();

    std::FILE *m_out;
    std::function<void()> m_writeFailed;
    bool m_failed = false;
    std::string m_pending; ///< Lines not written yet.
    bool m_flushQueued = false;
    /// Lets a queued flush find out that this printer is gone.
    std::shared_ptr<EventPrinter *> m_self;
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
