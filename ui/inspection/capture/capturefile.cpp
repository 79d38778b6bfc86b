#include "capturefile.h"

#include <QCoreApplication>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QSaveFile>
#include <QSet>

#include <algorithm>

namespace hyperscope::capture {

namespace {

using Kind = MessageLogModel::Kind;
using Record = MessageLogModel::Record;

ByteView viewOf(const QByteArray &bytes)
{
    return {reinterpret_cast<const std::uint8_t *>(bytes.constData()), std::size_t(bytes.size())};
}

bool isFrame(Kind kind)
{
    return kind == Kind::Frame || kind == Kind::KeepAlive;
}

QString tooMany(qint64 rows)
{
    return QCoreApplication::translate("capture", "%1 rows: a capture holds at most %2")
        .arg(rows)
        .arg(MaxRows);
}

// FormatRow::Kind follows MessageLogModel::Kind, value for value.
static_assert(int(FormatRow::Kind::Frame) == int(Kind::Frame) &&
              int(FormatRow::Kind::KeepAlive) == int(Kind::KeepAlive) &&
              int(FormatRow::Kind::Handshake) == int(Kind::Handshake) &&
              int(FormatRow::Kind::Warning) == int(Kind::Warning) &&
              int(FormatRow::Kind::Error) == int(Kind::Error) &&
              int(FormatRow::Kind::Event) == int(Kind::Event));

/// Row @p row of @p log as the file holds it.
FormatRow formatRow(const MessageLogModel &log, int row)
{
    const Record &r = log.record(row);
    FormatRow f;
    f.timeUs = r.timeUs;
    f.session = r.session;
    f.direction = r.direction();
    f.leg = r.leg == MessageLogModel::Leg::Client   ? FormatRow::Leg::Client
            : r.leg == MessageLogModel::Leg::Server ? FormatRow::Leg::Server
                                                    : FormatRow::Leg::None;
    f.kind = FormatRow::Kind(int(r.kind));
    f.streamOffset = r.streamOffset;
    f.note = log.noteText(r);
    f.type = r.type;
    f.channel = r.channel;
    if (isFrame(r.kind)) {
        f.discoveryKey = log.channelKey(r.channelKey);
        f.encrypted = !(r.flags & MessageLogModel::PlainOnWire);
    }
    f.bytesDropped = r.flags & MessageLogModel::BytesDropped;
    f.malformed = r.flags & MessageLogModel::Malformed;
    if (!f.bytesDropped && !f.isNote()) {
        f.plain = log.plainBytes(row);
        if (f.isFrame() && f.encrypted)
            f.wire = log.wireBytes(row);
    }
    return f;
}

/// A row read from a file as a log record and what goes with it.
Row logRow(FormatRow &&f)
{
    Row row;
    Record &r = row.record;
    r.timeUs = f.timeUs;
    r.session = f.session;
    if (f.direction == Direction::Outbound)
        r.flags |= MessageLogModel::Outbound;
    r.leg = f.leg == FormatRow::Leg::Client   ? MessageLogModel::Leg::Client
            : f.leg == FormatRow::Leg::Server ? MessageLogModel::Leg::Server
                                              : MessageLogModel::Leg::None;
    r.kind = Kind(int(f.kind));
    r.streamOffset = f.streamOffset;
    row.note = std::move(f.note);
    if (f.isNote())
        return row;
    r.type = f.type;
    if (f.bytesDropped)
        r.flags |= MessageLogModel::BytesDropped;
    if (f.kind == FormatRow::Kind::Handshake) {
        r.flags |= MessageLogModel::PlainOnWire;
        if (!row.note.isEmpty())
            r.flags |= MessageLogModel::HandshakeFailed;
    } else {
        row.discoveryKey = f.discoveryKey;
        if (!f.encrypted)
            r.flags |= MessageLogModel::PlainOnWire;
        if (f.kind == FormatRow::Kind::Frame) {
            r.channel = f.channel;
            if (f.malformed)
                r.flags |= MessageLogModel::Malformed;
        } else {
            r.type = 0;
        }
    }
    row.plain = std::move(f.plain);
    row.wire = std::move(f.wire);
    return row;
}

} // namespace

// --- Writing ------------------------------------------------------------------------------------

bool write(QIODevice &out, const MessageLogModel &log, const QList<int> &rows, QString *error,
           const QMap<int, SessionInfo> &sessionInfo)
{
    auto failed = [error](const QString &message) {
        if (error)
            *error = message;
        return false;
    };
    if (rows.size() > MaxRows)
        return failed(tooMany(rows.size()));
    qint64 totalBytes = 0;
    QMap<int, QString> labels; // of the sessions of the rows
    for (const int row : rows) {
        if (row < 0 || row >= log.rowCount())
            return failed(QStringLiteral("row %1 is not in the log").arg(row));
        const Record &r = log.record(row);
        if (!labels.contains(r.session))
            labels.insert(r.session, log.sessionLabel(r.session));
        totalBytes += r.bytes.size * ((r.flags & MessageLogModel::PlainOnWire) ? 1 : 2);
    }
    if (totalBytes > MaxTotalBytes)
        return failed(QStringLiteral("the rows hold %1 bytes: a capture holds at most %2")
                          .arg(totalBytes)
                          .arg(MaxTotalBytes));

    const QString generator = QStringLiteral("%1 %2").arg(
        QCoreApplication::applicationName().isEmpty() ? QStringLiteral("hyperscope")
                                                      : QCoreApplication::applicationName(),
        QCoreApplication::applicationVersion());
    auto put = [&out](QByteArray line) {
        line += '\n';
        return out.write(line) == line.size();
    };
    if (!put(headerLine(generator, rows.size(), labels, sessionInfo)))
        return failed(QStringLiteral("cannot write: %1").arg(out.errorString()));
    for (const int row : rows) {
        if (!put(rowLine(formatRow(log, row))))
            return failed(QStringLiteral("cannot write: %1").arg(out.errorString()));
    }
    return true;
}

bool save(const QString &path, const MessageLogModel &log, const QList<int> &rows, QString *error,
          const QMap<int, SessionInfo> &sessions)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)) {
        if (error)
            *error = QStringLiteral("%1: %2").arg(path, file.errorString());
        return false;
    }
    QString writeError;
    if (!write(file, log, rows, &writeError, sessions)) {
        file.cancelWriting();
        if (error)
            *error = QStringLiteral("%1: %2").arg(path, writeError);
        return false;
    }
    if (!file.commit()) {
        if (error)
            *error = QStringLiteral("%1: %2").arg(path, file.errorString());
        return false;
    }
    return true;
}

// --- Reading ------------------------------------------------------------------------------------

std::optional<Capture> read(QIODevice &in, QString *error, const Limits &limits)
{
    Capture capture;
    const std::optional<FormatHeader> header =
        readRows(in, error, limits,
                 [&capture](FormatRow &&row) { capture.rows.push_back(logRow(std::move(row))); });
    if (!header)
        return std::nullopt;
    capture.generator = header->generator;
    capture.created = header->created;
    capture.sessionLabels = header->sessionLabels;
    capture.sessionInfo = header->sessionInfo;
    return capture;
}

std::optional<Capture> load(const QString &path, QString *error)
{
    QFile file(path);
    const QString name = QFileInfo(path).fileName();
    if (!file.open(QIODevice::ReadOnly)) {
        if (error)
            *error = QStringLiteral("%1: %2").arg(name, file.errorString());
        return std::nullopt;
    }
    QString readError;
    std::optional<Capture> capture = read(file, &readError);
    if (!capture && error)
        *error = QStringLiteral("%1: %2").arg(name, readError);
    return capture;
}

void addTo(MessageLogModel &log, const Capture &capture, const std::function<int(int)> &sessionId,
           const QString &fileName)
{
    QMap<int, int> ids; // file id -> log id
    for (const Row &row : capture.rows) {
        const int fileId = row.record.session;
        auto it = ids.find(fileId);
        if (it == ids.end()) {
            it = ids.insert(fileId, sessionId(fileId));
            const QString label =
                capture.sessionLabels.value(fileId, QStringLiteral("#%1").arg(fileId));
            log.setSessionLabel(it.value(), fileName.isEmpty()
                                                ? label
                                                : QStringLiteral("%1 · %2").arg(label, fileName));
        }
        Record record = row.record;
        record.session = it.value();
        log.appendRecord(record, viewOf(row.plain), viewOf(row.wire), row.note, row.discoveryKey);
    }
    log.flush();
}

QList<int> sessionsInOrder(const Capture &capture)
{
    QList<int> order;
    QSet<int> seen;
    for (const Row &row : capture.rows) {
        if (!seen.contains(row.record.session)) {
            seen.insert(row.record.session);
            order.append(row.record.session);
        }
    }
    return order;
}

void addSessionsTo(MessageLogModel &log, const Capture &capture, const QMap<int, int> &ids)
{
    QHash<int, qint64> start; // file id -> the time of its first row
    for (const Row &row : capture.rows) {
        const int fileId = row.record.session;
        const auto id = ids.constFind(fileId);
        if (id == ids.constEnd())
            continue;
        const auto first = start.constFind(fileId);
        const qint64 origin =
            first == start.constEnd() ? *start.insert(fileId, row.record.timeUs) : *first;
        Record record = row.record;
        record.session = *id;
        record.timeUs = std::max<qint64>(0, record.timeUs - origin);
        log.appendRecord(record, viewOf(row.plain), viewOf(row.wire), row.note, row.discoveryKey);
    }
    log.flush();
}

} // namespace hyperscope::capture
