// Reading a "hyperscope-capture" file for `hyperscope-cli read` and `hyperscope-cli replay`, with
// the format's one reader (core/session/captureformat.h, which the inspector's File › Open Log
// uses too): the same checks, caps and messages ("line 4: 'plain' is not hexadecimal").
#pragma once

#include "bytes.h"
#include "captureformat.h"

#include <QByteArray>
#include <QMap>
#include <QString>

#include <optional>
#include <vector>

namespace hyperscope {

using CaptureRow = capture::FormatRow;

struct CaptureContents
{
    QString generator;
    /// What the header says about each session (its feed keys among it), by id in the file.
    QMap<int, capture::SessionInfo> sessions;
    std::vector<CaptureRow> rows;
};

/// Reads a capture from @p in; on failure returns nothing and sets @p error ("line 3: ...").
std::optional<CaptureContents> readCapture(QIODevice &in, QString *error);
/// readCapture() from @p path; the error then starts with the path.
std::optional<CaptureContents> loadCapture(const QString &path, QString *error);

/// "client", "server" or empty: @p row's leg as events and filters name it.
QString legName(const CaptureRow &row);

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
