// Capture files: the message log saved to disk and read back (File → Save Log As / Open Log).
//
// The format, "hyperscope-capture" version 1 (JSON Lines: a header line, then one line per log
// row), its caps and its one reader and writer are core/session/captureformat.h's, shared with
// hyperscope-cli (--capture, read, replay). This file maps its rows to and from the log model:
// write() turns log rows into FormatRows, read() FormatRows into log records. Reading treats every
// file as hostile (captureformat.h): the first problem stops the read with a message naming the
// line ("line 4: 'plain' is not hexadecimal"), and nothing is loaded.
#pragma once

#include "captureformat.h"
#include "messagelogmodel.h"

#include <QByteArray>
#include <QList>
#include <QMap>
#include <QString>

#include <functional>
#include <limits>
#include <map>
#include <optional>
#include <vector>

class QIODevice;

namespace hyperscope::capture {

/// One row read from a file: the record (its bytes, extra and channelKey not yet set) and what
/// MessageLogModel::appendRecord() stores with it.
struct Row
{
    MessageLogModel::Record record;
    QByteArray plain;
    QByteArray wire;
    QString note;
    std::optional<Key32> discoveryKey;
};

struct Capture
{
    QString generator;
    QString created;
    /// Labels of the sessions, by their id in the file.
    QMap<int, QString> sessionLabels;
    /// What the header says about each session, by its id in the file (empty in older files).
    QMap<int, SessionInfo> sessionInfo;
    std::vector<Row> rows;
};

/// Writes source rows @p rows of @p log (flushed rows, in the order given) to @p out, with what
/// @p sessions says about the sessions of those rows (by log session id; sessions not in it get
/// only their label). Returns false with @p error when the rows exceed the caps or the device
/// fails.
bool write(QIODevice &out, const MessageLogModel &log, const QList<int> &rows, QString *error,
           const QMap<int, SessionInfo> &sessions = {});
/// write() to @p path, atomically (QSaveFile).
bool save(const QString &path, const MessageLogModel &log, const QList<int> &rows, QString *error,
          const QMap<int, SessionInfo> &sessions = {});

/// Reads a capture; on failure returns nothing and sets @p error ("line 3: ...").
std::optional<Capture> read(QIODevice &in, QString *error, const Limits &limits = {});
/// read() from @p path; the error then starts with the file's name.
std::optional<Capture> load(const QString &path, QString *error);

/// Appends @p capture's rows to @p log (flushed), the session ids mapped by @p sessionId
/// (file id → log id, called once per session, in the order the rows bring them). Each session
/// is named after its label in the file and @p fileName through
/// MessageLogModel::setSessionLabel() before its rows are added, so it joins the log's
/// sessions() like a live one does: "#1 127.0.0.1:4000 · capture.jsonl" (just the label when
/// @p fileName is empty).
void addTo(MessageLogModel &log, const Capture &capture, const std::function<int(int)> &sessionId,
           const QString &fileName);

/// The file ids of @p capture's sessions in the order their first rows come.
QList<int> sessionsInOrder(const Capture &capture);

/// Appends the rows of @p capture's sessions to @p log (flushed) under the log ids @p ids gives
/// (file id → log id; rows of sessions not in it are skipped), without naming the sessions:
/// the caller did (SessionManager::openCapture()). Each row's time is made relative to the first
/// row of its session, so that a capture's times read like a session's own, whatever else the
/// log holds.
void addSessionsTo(MessageLogModel &log, const Capture &capture, const QMap<int, int> &ids);

} // namespace hyperscope::capture
