// Reading a "hyperscope-capture" file (the inspector's saved log; format in
// ui/inspection/capture/capturefile.h) for `hyperscope-cli read` and `hyperscope-cli replay`.
//
// hyperscope-cli cannot link the inspector's library (ui/inspection), whose reader fills its log
// model; this reader fills plain rows instead and checks what the CLI relies on with the same
// caps and the same kind of messages ("line 4: 'plain' is not hexadecimal"). Every file is
// hostile: lines, rows, sessions and bytes are capped, and the first problem stops the read.
#pragma once

#include "bytes.h"
#include "trace.h"

#include <QByteArray>
#include <QMap>
#include <QString>

#include <map>
#include <optional>
#include <vector>

class QIODevice;

namespace hyperscope {

struct CaptureRow
{
    enum class Kind { Frame, KeepAlive, Handshake, Warning, Error, Event };

    qint64 line = 0;   ///< Its line in the file (for messages).
    qint64 timeUs = 0; ///< "t": microseconds since the log started.
    int session = 0;
    Direction direction = Direction::Inbound;
    QString leg; ///< "client", "server" or empty.
    Kind kind = Kind::Frame;
    int step = 0;       ///< Handshake rows: 0..2.
    quint64 offset = 0; ///< Position in its direction's transport stream.
    QByteArray plain;   ///< Frames: the whole frame, length prefix included.
    QByteArray wire;    ///< Encrypted frames: as on the socket (may be empty).
    QString note;       ///< Warning, error, event rows; a type-15 frame's extension name.
    bool bytesDropped = false;
    std::optional<Key32> discoveryKey; ///< Frames: the channel's, when it was known.
};

struct CaptureSessionHeader
{
    QString label;
    /// The feed keys of the channels the session opened, by discovery key (header "channels").
    std::map<Key32, Key32> feedKeys;
};

struct CaptureContents
{
    QString generator;
    QMap<int, CaptureSessionHeader> sessions; ///< by the session id in the file
    std::vector<CaptureRow> rows;
};

/// Reads a capture from @p in; on failure returns nothing and sets @p error ("line 3: ...").
std::optional<CaptureContents> readCapture(QIODevice &in, QString *error);
/// readCapture() from @p path; the error then starts with the path.
std::optional<CaptureContents> loadCapture(const QString &path, QString *error);

/// One frame cut into its header and payload.
struct CapturedFrame
{
    quint64 channel = 0;
    quint8 type = 0;
    ByteView payload;
};
/// Cuts @p plain (varint(length) || varint(channel << 4 | type) || payload); nothing when it
/// is not one whole frame.
std::optional<CapturedFrame> splitFrame(const QByteArray &plain);

} // namespace hyperscope
