// The "hyperscope-capture" file format: its one reader and writer, for the inspector (its log
// saved to disk and read back: File → Save Log As / Open Log; ui/inspection/capture/capturefile.h
// maps these rows to and from its log model) and for hyperscope-cli (--capture, read, replay).
// Qt Core only. Rows are FormatRow values, the file's keys as they are; neither side's model.
//
// Format "hyperscope-capture", version 1: JSON Lines (UTF-8, one JSON object per line, "\n" or
// "\r\n" line ends). Line 1 is the header, every further line one log row, in log order:
//
//   {"format":"hyperscope-capture","version":1,"generator":"hyperscope 0.1.0",
//    "created":"2026-11-26T09:30:00Z","rows":3,"sessions":[{"id":1,"label":"#1 127.0.0.1:4000"}]}
//   {"t":1234,"session":1,"dir":"out","kind":"handshake","step":0,"plain":"20…"}
//   {"t":5678,"session":1,"dir":"in","kind":"frame","offset":0,"key":"6b7e…","plain":"0c15…",
//    "encrypted":true,"wire":"91ff…","note":"chat"}
//   {"t":9012,"session":1,"dir":"in","kind":"error","note":"timeout: no bytes for 20000 ms"}
//
// Header: "format" and "version" (a reader refuses other versions); "rows", the number of row
// lines that follow (a shorter file is truncated); "sessions", the labels of the sessions the
// rows refer to; "generator" and "created" (UTC) are informational. The writer sorts keys and
// leaves out keys at their default.
//
// Each entry of "sessions" has "id" and "label", and, in files written since opened captures
// became sessions of their own (SessionInfo; still version 1: every key is optional and older
// files read as before), what the rows alone cannot tell about the session:
//   peer, origin      "127.0.0.1:4000"; "dialed", "accepted", "demo" or "relayed";
//   initiator, noise, encrypted   booleans, the session's role and mode;
//   localStaticKey, remoteStaticKey   the Noise static public keys (64 hex digits);
//   handshakeHash     the Noise handshake hash (128 hex digits);
//   localNonce, remoteNonce   the XSalsa20 nonces of the NoisePayloads (48 hex digits);
//   ended, endReason  whether the session had ended when it was saved, and why (empty: cleanly);
//   channels          [{"discoveryKey": hex, "key": hex}]: the feed keys of the channels the
//                     session opened itself (as the Channels tab showed them). Nothing secret is
//                     written: no secret key, no transport key.
//   serverLeg         a relayed session: the keys above that describe its server leg (peer,
//                     initiator, the static keys, handshake hash and nonces, ended, endReason),
//                     while the entry's own keys describe the client leg; no "serverLeg" inside.
// Row keys:
//   t          integer ≥ 0, microseconds since the log started;
//   session    integer 0..2147483647, the session id as it was when the log was saved (files
//              of earlier versions of hyperscope hold ids up to 65535 only);
//   dir        "in" (received) or "out" (sent);
//   leg        "client" or "server": the leg of a relayed session the row was seen on ("in" is
//              what that leg's peer sent the relay); left out for other sessions, so files
//              written before relays existed read as they always did (version 1 still);
//   kind       "frame", "keepalive", "handshake", "warning", "error" or "event";
//   step       handshake rows: which Noise XX message, 0..2;
//   offset     integer ≥ 0, the row's position in its direction's transport stream (default 0);
//   key        frame rows: the channel's discovery key (64 hex digits) when it was known;
//   plain      frame, keepalive and handshake rows: the bytes in clear, lower-case hex. A frame
//              is one whole frame, length prefix included (its channel and type are read from
//              its header); a keepalive is "00"; a handshake row holds the Noise message;
//   encrypted  frame and keepalive rows: true when the transport was encrypted (default false:
//              the wire bytes are the plain bytes);
//   wire       encrypted rows: the bytes as they crossed the socket, as long as "plain"; left out
//              when the inspector did not know them;
//   note       the text of warning, error and event rows (required there), the failure of a
//              handshake step, the extension's name of a type-15 frame;
//   bytesDropped  true when the log's memory budget had run out and the bytes were not kept:
//              "plain" is then left out and a frame row gives "channel" (0..2^32-1, the
//              header's channel id) and "type" (0..15) instead, and "malformed": true when it
//              did not decode.
// Whether a frame is malformed is otherwise recomputed from its bytes. Unknown keys are ignored.
//
// Reading treats every file as hostile: lines are capped at MaxLineBytes, rows at MaxRows, the
// sessions the rows belong to at MaxSessions and the bytes of all rows together (frames and
// notes) at MaxTotalBytes; the first problem stops the
// read with a message naming the line ("line 4: 'plain' is not hexadecimal"), and nothing is
// loaded. The caps are the writers' too: a file the reader would refuse is not written.
#pragma once

#include "bytes.h"
#include "trace.h"

#include <QByteArray>
#include <QMap>
#include <QString>

#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <optional>

class QIODevice;

namespace hyperscope::capture {

inline constexpr const char *FormatName = "hyperscope-capture";
inline constexpr int Version = 1;
/// The longest line read: an 8 MiB frame in hex twice (plain and wire) plus room for the rest.
inline constexpr qint64 MaxLineBytes = 40 * 1024 * 1024;
/// The most rows a capture holds (twice the million rows the log is built for).
inline constexpr int MaxRows = 2'000'000;
/// The largest session id (ids are ints, like everywhere in the log).
inline constexpr qint64 MaxSessionId = std::numeric_limits<int>::max();
/// The most bytes the rows of a capture hold in memory: plain and wire bytes (decoded) and
/// notes (UTF-16) together.
inline constexpr qint64 MaxTotalBytes = qint64(1) << 30;
/// The most sessions the rows of a capture belong to: each becomes a session of the inspector
/// with models of its own (ten times the 1000 sessions of the load test).
inline constexpr qint64 MaxSessions = 10'000;

/// The caps read() applies (the defaults above; tests use smaller ones).
struct Limits
{
    qint64 maxLineBytes = MaxLineBytes;
    qint64 maxRows = MaxRows;
    qint64 maxTotalBytes = MaxTotalBytes;
    qint64 maxSessions = MaxSessions;
};

/// What a capture's header says about one session beyond its label (see the format above).
/// Every field is optional: files written before these keys existed have none of them.
struct SessionInfo
{
    QString peer;   ///< "127.0.0.1:4000"; empty when unknown.
    QString origin; ///< "dialed", "accepted", "demo", "relayed"; empty when unknown.
    std::optional<bool> initiator;
    std::optional<bool> noise;
    std::optional<bool> encrypted;
    std::optional<Key32> localStaticKey;
    std::optional<Key32> remoteStaticKey;
    std::optional<Hash64> handshakeHash;
    std::optional<Nonce24> localNonce;
    std::optional<Nonce24> remoteNonce;
    std::optional<bool> ended;
    QString endReason; ///< Empty after a clean end (or when unknown).
    /// Feed keys of the channels the session opened, by discovery key.
    std::map<Key32, Key32> feedKeys;
    /// A relayed session: what the header says about its server leg (the fields above describe
    /// the client leg); null when it says nothing. Never has a serverLeg of its own.
    std::shared_ptr<const SessionInfo> serverLeg;
};

/// One row line, key by key (see the format above).
struct FormatRow
{
    /// In the order of the inspector's MessageLogModel::Kind.
    enum class Kind : quint8 { Frame, KeepAlive, Handshake, Warning, Error, Event };
    enum class Leg : quint8 { None, Client, Server };

    qint64 line = 0; ///< Reading: the row's line in the file (for messages); ignored in writing.
    qint64 timeUs = 0;
    int session = 0;
    Direction direction = Direction::Inbound;
    Leg leg = Leg::None;
    Kind kind = Kind::Frame;
    quint64 streamOffset = 0;
    /// Handshake rows: the step (0..2). Frame rows: the header's type, read from "plain" (given
    /// as "type" when the bytes were dropped).
    quint8 type = 0;
    /// Frame rows: the header's channel id, saturated at 2^32 - 1, read from "plain" (given as
    /// "channel" when the bytes were dropped).
    quint32 channel = 0;
    bool encrypted = false;    ///< Frame and keepalive rows.
    bool bytesDropped = false; ///< No "plain": the log had no memory left for the bytes.
    /// Frame rows: the payload does not decode (recomputed from "plain" in reading; given as
    /// "malformed" when the bytes were dropped).
    bool malformed = false;
    QByteArray plain; ///< Frames: the whole frame, length prefix included; handshakes: the message.
    QByteArray wire;  ///< Encrypted frames: as on the socket; empty when unknown.
    QString note; ///< Warning, error and event text; a handshake's failure; an extension's name.
    std::optional<Key32> discoveryKey; ///< Frames: the channel's, when known.

    bool isNote() const
    {
        return kind == Kind::Warning || kind == Kind::Error || kind == Kind::Event;
    }
    bool isFrame() const { return kind == Kind::Frame || kind == Kind::KeepAlive; }
};

/// What the header says (its "rows" count is checked by the reader, not kept).
struct FormatHeader
{
    QString generator;
    QString created;
    /// Labels of the sessions, by their id in the file.
    QMap<int, QString> sessionLabels;
    /// What the header says about each session, by its id in the file (empty in older files).
    QMap<int, SessionInfo> sessionInfo;
};

// --- Writing
// --------------------------------------------------------------------------------------

/// The header line (no newline) for @p rows rows of the sessions in @p labels (by id, in id
/// order), with what @p sessions says about them (sessions not in it get only their label);
/// "created" is now.
QByteArray headerLine(const QString &generator, qint64 rows, const QMap<int, QString> &labels,
                      const QMap<int, SessionInfo> &sessions);
/// The line (no newline) of @p row: keys sorted, keys at their default left out.
QByteArray rowLine(const FormatRow &row);

// --- Reading
// --------------------------------------------------------------------------------------

/// Reads a capture: the header, and each row handed to @p onRow as it is read (in file order).
/// On failure returns nothing and sets @p error ("line 3: ..."); rows handed over before the
/// failure are then to be discarded by the caller.
std::optional<FormatHeader> readRows(QIODevice &in, QString *error, const Limits &limits,
                                     const std::function<void(FormatRow &&)> &onRow);

} // namespace hyperscope::capture
