// `hyperscope-cli replay CAPTURE --connect HOST:PORT`: sends, on a new session, what one session
// of a capture sent, in order and with its original spacing (or at once with --fast).
//
// planReplay() turns the capture into steps before anything is dialed, so that a capture that
// cannot be replayed is an error at once: each Open the session sent becomes an openChannel()
// with the channel's feed key (a new capability for the new handshake), each Close a
// closeChannel(), each other message (types 1..10) a send() of the decoded message, and each
// extension or unassigned frame (types 11..15) a raw frame on the new channel's id. The feed
// keys come from the capture header's "channels" (captures written since sessions kept them)
// and from --key; a channel whose key is in neither is an error naming its discovery key. A
// relayed session's "sent" messages are what its client sent (the client leg's "in" rows).
// Handshake rows and keepalives are not replayed: the new session makes its own.
#pragma once

#include "bytes.h"
#include "capturereader.h"
#include "messages.h"

#include <QByteArray>
#include <QElapsedTimer>
#include <QObject>
#include <QPointer>

#include <optional>
#include <vector>

namespace hyperscope {

class EventPrinter;
class SessionDriver;

struct ReplayStep
{
    enum class Action { Open, Send, RawFrame };

    qint64 timeUs = 0; ///< The row's time in the capture.
    qint64 line = 0;   ///< The row's line, for messages.
    Action action = Action::Send;
    Key32 discoveryKey{};
    Key32 feedKey{};                ///< Open.
    std::optional<Message> message; ///< Send.
    quint8 type = 0;                ///< RawFrame: the frame type (11..15).
    QByteArray payload;             ///< RawFrame: the frame's payload.
};

struct ReplayPlan
{
    int session = 0; ///< The capture's session replayed.
    std::vector<ReplayStep> steps;
};

/// The steps replaying @p session of @p capture (unset: the first session that sent a frame);
/// @p keys adds feed keys to those of the header. Nothing, with @p error, when it cannot be
/// replayed (no such session, nothing sent, a channel without its feed key).
std::optional<ReplayPlan> planReplay(const CaptureContents &capture, std::optional<int> session,
                                     const std::vector<Key32> &keys, QString *error);

/// Runs a plan on a session whose handshake is done; prints an "error" event for a step the
/// session refuses and goes on with the next.
class CaptureReplayer : public QObject
{
    Q_OBJECT
public:
    /// @p driver and @p printer are not owned.
    CaptureReplayer(ReplayPlan plan, SessionDriver *driver, bool fast, EventPrinter *printer,
                    QObject *parent = nullptr);

    /// Starts sending: the first step at once, each next one as far after it as in the capture.
    void start();

signals:
    /// Every step was taken.
    void finished();

private:
    void takeDueSteps();
    void take(const ReplayStep &step);

    ReplayPlan m_plan;
    QPointer<SessionDriver> m_driver;
    bool m_fast;
    EventPrinter *m_printer;
    std::size_t m_next = 0;
    QElapsedTimer m_clock;
    bool m_started = false;
};

} // namespace hyperscope
