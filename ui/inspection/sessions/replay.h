// Replay (issue 12): send a logged message again, as mitmproxy's replay does for flows.
//
// A log row that holds a decoded message (types 0..10) can be resent on the session and channel
// it was seen on, or on any other live session (or leg of a relayed one) that has a channel with
// the same discovery key open: channels are matched by discovery key, since local ids differ
// between sessions. Sessions opened from a capture are read-only: their rows can only be resent
// on a live session. What the row's direction was does not matter: we send the message (an
// incoming Request resent asks our peer for the block itself).
//
// Plain functions over the log and the SessionManager, no widget: LogPane's row menu offers them
// through MainWindow, tests call them directly.
#pragma once

#include "inspectedsession.h"
#include "messages.h"

#include <QList>
#include <QString>

#include <optional>

namespace hyperscope {

class MessageLogModel;
class SessionManager;

namespace replay {

/// What a log row holds that can be sent again.
struct RowMessage
{
    int session = 0;
    InspectedSession::Leg leg = InspectedSession::Leg::None;
    Key32 discoveryKey{};
    Message message;
};

/// The message of log row @p row (a source row), or nullopt with @p why ("row 4 is a keepalive:
/// there is no message to resend") when it holds none or its channel is unknown.
std::optional<RowMessage> messageAt(const MessageLogModel &log, int row, QString *why = nullptr);

/// The live sessions (leg objects for relayed sessions) that have a channel for @p discoveryKey
/// open, in the manager's order; sessions that ended and captures are left out.
QList<InspectedSession *> targets(const SessionManager &sessions, const Key32 &discoveryKey);

/// The object the row was seen on when it is live and can send (null for a capture's row, a
/// session that is gone or ended, or one without that channel open any more).
InspectedSession *sameSession(const SessionManager &sessions, const RowMessage &row);

/// Sends @p row's message on @p target, on the channel of the row's discovery key. Returns an
/// empty string on success, otherwise what went wrong.
QString resend(InspectedSession *target, const RowMessage &row);

} // namespace replay
} // namespace hyperscope
