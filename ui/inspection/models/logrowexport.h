// LogRowExport: what the message log's right-click menu copies, for one row of a
// MessageLogModel, as text. No widget and no clipboard here: LogPane puts the text on the
// clipboard, and the tests read it straight from these functions.
#pragma once

#include <QJsonObject>
#include <QString>

#include <optional>

namespace hyperscope {

class MessageLogModel;

namespace logrow {

/// The row's main value: a Data message's value, an extension message's payload, an Open's
/// discovery key, the text of a warning, error or event. Bytes that read as text (valid UTF-8
/// without control characters other than tab and line breaks) are given as that text, others
/// as lower-case hex. Nothing for rows without such a value (a Want, a keepalive, a handshake
/// message, a frame whose bytes were not kept or did not decode), or for a row out of range.
std::optional<QString> valueText(const MessageLogModel &log, int row);

/// The row's bytes in clear as lower-case hex, length prefix included (a handshake row: the
/// Noise message). Empty for notes and rows whose bytes were not kept.
QString bytesHex(const MessageLogModel &log, int row);

/// The row as the JSON event hyperscope-cli prints for it (core/cli/jsonevents.h), with the
/// row's "direction" ("in"/"out") and, on a relayed session, its "leg" added:
///  - a decoded message (types 0..10): {"event":"message","session","discoveryKey" (when
///    known),"type","message"}, "message" as messageToJson() (core/session/messagejson.h) makes
///    it;
///  - a decoded extension message: {"event":"extension","session","discoveryKey","name" (null
///    when unnamed),"id","payload"};
///  - any other frame (keepalive, unassigned type, malformed, bytes not kept):
///    {"event":"frame","session","channel","type","length","plain","wire"} ("plain" and "wire"
///    when kept);
///  - a handshake message: {"event":"handshake-message","session","step" (0..2),"plain","error"
///    (when it failed)};
///  - warning, error, event rows: {"event":"warning"|"error"|"session-event","session",
///    "message"}.
/// An empty object for a row out of range.
QJsonObject toJson(const MessageLogModel &log, int row);

} // namespace logrow
} // namespace hyperscope
