#include "capturereader.h"

#include "varint.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>

#include <limits>

namespace hyperscope {

namespace {

// The caps of the format (capturefile.h).
constexpr qint64 MaxLineBytes = 40 * 1024 * 1024;
constexpr qint64 MaxRows = 2'000'000;
constexpr qint64 MaxTotalBytes = qint64(1) << 30;
constexpr qint64 MaxSessions = 10'000;
constexpr qint64 MaxSessionId = std::numeric_limits<int>::max();

/// Reads the keys of one JSON object; the first problem is kept in m_error.
class Fields
{
public:
    explicit Fields(const QJsonObject &object)
        : m_object(object)
    {}
    QString error() const { return m_error; }

    bool fail(const QString &message)
    {
        if (m_error.isEmpty())
            m_error = message;
        return false;
    }

    bool integer(const char *key, qint64 min, qint64 max, qint64 &value, bool required)
    {
        const QJsonValue v = m_object.value(QLatin1String(key));
        if (v.isUndefined())
            return required ? fail(QStringLiteral("'%1' is missing").arg(QLatin1String(key)))
                            : true;
        const qint64 i = v.toInteger(std::numeric_limits<qint64>::min());
        if (!v.isDouble() || i == std::numeric_limits<qint64>::min())
            return fail(QStringLiteral("'%1' must be an integer").arg(QLatin1String(key)));
        if (i < min || i > max)
            return fail(QStringLiteral("'%1' is %2, out of range %3..%4")
                            .arg(QLatin1String(key))
                            .arg(i)
                            .arg(min)
                            .arg(max));
        value = i;
        return true;
    }

    bool string(const char *key, QString &value, bool required)
    {
        const QJsonValue v = m_object.value(QLatin1String(key));
        if (v.isUndefined())
            return required ? fail(QStringLiteral("'%1' is missing").arg(QLatin1String(key)))
                            : true;
        if (!v.isString())
            return fail(QStringLiteral("'%1' must be a string").arg(QLatin1String(key)));
        value = v.toString();
        return true;
    }

    bool boolean(const char *key, bool &value)
    {
        const QJsonValue v = m_object.value(QLatin1String(key));
        if (v.isUndefined())
            return true;
        if (!v.isBool())
            return fail(QStringLiteral("'%1' must be true or false").arg(QLatin1String(key)));
        value = v.toBool();
        return true;
    }

    bool bytes(const char *key, QByteArray &value, bool required)
    {
        QString text;
        if (!string(key, text, required))
            return false;
        if (text.size() % 2)
            return fail(
                QStringLiteral("'%1' has an odd number of hex digits").arg(QLatin1String(key)));
        for (const QChar c : std::as_const(text)) {
            const char16_t u = c.unicode();
            if (!((u >= '0' && u <= '9') || (u >= 'a' && u <= 'f') || (u >= 'A' && u <= 'F')))
                return fail(QStringLiteral("'%1' is not hexadecimal").arg(QLatin1String(key)));
        }
        value = QByteArray::fromHex(text.toLatin1());
        return true;
    }

    bool key32(const char *key, std::optional<Key32> &value, bool required)
    {
        if (!required && m_object.value(QLatin1String(key)).isUndefined())
            return true;
        QByteArray b;
        if (!bytes(key, b, true))
            return false;
        if (b.size() != 32)
            return fail(QStringLiteral("'%1' must be 64 hex digits").arg(QLatin1String(key)));
        Key32 k{};
        std::copy(b.begin(), b.end(), k.begin());
        value = k;
        return true;
    }

    bool row(CaptureRow &row)
    {
        qint64 time = 0;
        qint64 session = 0;
        if (!integer("t", 0, std::numeric_limits<qint64>::max(), time, true) ||
            !integer("session", 0, MaxSessionId, session, true))
            return false;
        row.timeUs = time;
        row.session = int(session);
        QString dir;
        if (!string("dir", dir, true))
            return false;
        if (dir == QLatin1String("out"))
            row.direction = Direction::Outbound;
        else if (dir != QLatin1String("in"))
            return fail(QStringLiteral("'dir' must be \"in\" or \"out\", not \"%1\"").arg(dir));
        if (!string("leg", row.leg, false))
            return false;
        if (!row.leg.isEmpty() && row.leg != QLatin1String("client") &&
            row.leg != QLatin1String("server"))
            return fail(
                QStringLiteral("'leg' must be \"client\" or \"server\", not \"%1\"").arg(row.leg));
        static const char *const kinds[] = {"frame",   "keepalive", "handshake",
                                            "warning", "error",     "event"};
        QString kind;
        if (!string("kind", kind, true))
            return false;
        int index = -1;
        for (int i = 0; i < int(std::size(kinds)); ++i) {
            if (kind == QLatin1String(kinds[i]))
                index = i;
        }
        if (index < 0)
            return fail(QStringLiteral("'kind' \"%1\" is not one of frame, keepalive, handshake, "
                                       "warning, error, event")
                            .arg(kind));
        row.kind = CaptureRow::Kind(index);
        const bool isNote = row.kind == CaptureRow::Kind::Warning ||
                            row.kind == CaptureRow::Kind::Error ||
                            row.kind == CaptureRow::Kind::Event;
        qint64 offset = 0;
        if (!integer("offset", 0, std::numeric_limits<qint64>::max(), offset, false) ||
            !string("note", row.note, isNote) || !boolean("bytesDropped", row.bytesDropped))
            return false;
        row.offset = quint64(offset);
        if (isNote)
            return true;
        if (row.kind == CaptureRow::Kind::Handshake) {
            qint64 step = 0;
            if (!integer("step", 0, 2, step, true))
                return false;
            row.step = int(step);
            return row.bytesDropped || bytes("plain", row.plain, true);
        }
        if (!key32("key", row.discoveryKey, false))
            return false;
        if (row.bytesDropped)
            return true; // nothing to show or send: read and replay skip it
        if (!bytes("plain", row.plain, true) || !bytes("wire", row.wire, false))
            return false;
        if (row.kind == CaptureRow::Kind::KeepAlive) {
            if (row.plain != QByteArray(1, '\0'))
                return fail(QStringLiteral("a keepalive's 'plain' must be \"00\""));
            return true;
        }
        if (!splitFrame(row.plain))
            return fail(QStringLiteral("'plain' is not one whole frame"));
        return true;
    }

private:
    QJsonObject m_object;
    QString m_error;
};

/// One line, newline included, read in chunks: at most @p maxBytes + 2 bytes are kept, so an
/// overlong line costs no more memory than the cap. @p failed is set when the device fails.
QByteArray readLine(QIODevice &in, qint64 maxBytes, bool &failed)
{
    QByteArray line;
    char chunk[64 * 1024];
    while (!in.atEnd() && line.size() <= maxBytes + 1) {
        const qint64 n = in.readLine(chunk, sizeof chunk);
        if (n < 0) {
            failed = true;
            break;
        }
        line.append(chunk, qsizetype(n));
        if (line.endsWith('\n'))
            break;
    }
    return line;
}

QString lineError(qint64 line, const QString &what)
{
    return QStringLiteral("line %1: %2").arg(line).arg(what);
}

} // namespace

std::optional<CapturedFrame> splitFrame(const QByteArray &plain)
{
    const ByteView bytes(reinterpret_cast<const std::uint8_t *>(plain.constData()),
                         std::size_t(plain.size()));
    const varint::Decoded length = varint::decode(bytes);
    if (length.status != varint::Status::Ok || length.value == 0 ||
        length.value != bytes.size() - length.size)
        return std::nullopt;
    const ByteView body = bytes.subspan(length.size);
    const varint::Decoded header = varint::decode(body);
    if (header.status != varint::Status::Ok)
        return std::nullopt;
    return CapturedFrame{header.value >> 4, quint8(header.value & 0xf), body.subspan(header.size)};
}

std::optional<CaptureContents> readCapture(QIODevice &in, QString *error)
{
    auto failed = [error](const QString &message) -> std::optional<CaptureContents> {
        if (error)
            *error = message;
        return std::nullopt;
    };
    CaptureContents capture;
    qint64 announced = -1;
    qint64 totalBytes = 0;
    QSet<int> sessions;
    for (qint64 number = 1;; ++number) {
        if (in.atEnd()) {
            if (number == 1)
                return failed(QStringLiteral("the file is empty"));
            break;
        }
        bool readFailed = false;
        QByteArray line = readLine(in, MaxLineBytes, readFailed);
        if (readFailed)
            return failed(
                lineError(number, QStringLiteral("cannot read: %1").arg(in.errorString())));
        if (line.endsWith('\n'))
            line.chop(line.endsWith("\r\n") ? 2 : 1);
        if (line.size() > MaxLineBytes)
            return failed(lineError(
                number, QStringLiteral("longer than the limit of %1 bytes").arg(MaxLineBytes)));
        if (line.trimmed().isEmpty())
            return failed(lineError(number, QStringLiteral("empty line")));
        QJsonParseError parseError;
        const QJsonDocument document = QJsonDocument::fromJson(line, &parseError);
        if (parseError.error != QJsonParseError::NoError)
            return failed(lineError(number, QStringLiteral("not JSON: %1 at offset %2")
                                                .arg(parseError.errorString())
                                                .arg(parseError.offset)));
        if (!document.isObject())
            return failed(lineError(number, QStringLiteral("not a JSON object")));
        const QJsonObject object = document.object();

        if (number == 1) {
            if (object.value(QLatin1String("format")).toString() !=
                QLatin1String("hyperscope-capture"))
                return failed(lineError(1, QStringLiteral("not a hyperscope capture (no \"format\":"
                                                          "\"hyperscope-capture\")")));
            const QJsonValue version = object.value(QLatin1String("version"));
            if (!version.isDouble() || version.toInteger(-1) != 1)
                return failed(lineError(1, QStringLiteral("unsupported version %1 (this "
                                                          "hyperscope-cli reads version 1)")
                                               .arg(version.toVariant().toString())));
            Fields header(object);
            if (!header.integer("rows", 0, MaxRows, announced, true) ||
                !header.string("generator", capture.generator, false))
                return failed(lineError(1, header.error()));
            const QJsonValue list = object.value(QLatin1String("sessions"));
            if (!list.isUndefined() && !list.isArray())
                return failed(lineError(1, QStringLiteral("'sessions' must be an array")));
            const QJsonArray array = list.toArray();
            if (array.size() > MaxSessions)
                return failed(
                    lineError(1, QStringLiteral("more than %1 sessions").arg(MaxSessions)));
            for (const QJsonValue &entry : array) {
                if (!entry.isObject())
                    return failed(
                        lineError(1, QStringLiteral("each of 'sessions' must be an object")));
                Fields session(entry.toObject());
                qint64 id = 0;
                CaptureSessionHeader header;
                if (!session.integer("id", 0, MaxSessionId, id, true) ||
                    !session.string("label", header.label, true))
                    return failed(
                        lineError(1, QStringLiteral("in 'sessions': %1").arg(session.error())));
                const QJsonValue channels = entry.toObject().value(QLatin1String("channels"));
                if (!channels.isUndefined() && !channels.isArray())
                    return failed(lineError(1, QStringLiteral("'channels' must be an array")));
                for (const QJsonValue &channel : channels.toArray()) {
                    Fields keys(channel.toObject());
                    std::optional<Key32> discoveryKey;
                    std::optional<Key32> key;
                    if (!channel.isObject() || !keys.key32("discoveryKey", discoveryKey, true) ||
                        !keys.key32("key", key, true))
                        return failed(lineError(
                            1, QStringLiteral("in 'channels': %1")
                                   .arg(channel.isObject() ? keys.error()
                                                           : QStringLiteral("not an object"))));
                    header.feedKeys[*discoveryKey] = *key;
                }
                capture.sessions.insert(int(id), header);
            }
            continue;
        }

        if (qint64(capture.rows.size()) >= announced)
            return failed(lineError(
                number,
                QStringLiteral("more rows than the %1 the header announces").arg(announced)));
        CaptureRow row;
        row.line = number;
        Fields reader(object);
        if (!reader.row(row))
            return failed(lineError(number, reader.error()));
        totalBytes += row.plain.size() + row.wire.size() + row.note.size() * 2;
        if (totalBytes > MaxTotalBytes)
            return failed(lineError(number, QStringLiteral("the rows so far hold more than %1 "
                                                           "bytes, the most a capture may hold")
                                                .arg(MaxTotalBytes)));
        sessions.insert(row.session);
        if (sessions.size() > MaxSessions)
            return failed(lineError(number, QStringLiteral("the rows so far belong to more than "
                                                           "%1 sessions")
                                                .arg(MaxSessions)));
        capture.rows.push_back(std::move(row));
    }
    if (qint64(capture.rows.size()) != announced)
        return failed(QStringLiteral("truncated: the header announces %1 rows, the file has %2")
                          .arg(announced)
                          .arg(capture.rows.size()));
    return capture;
}

std::optional<CaptureContents> loadCapture(const QString &path, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        if (error)
            *error = QStringLiteral("%1: %2").arg(path, file.errorString());
        return std::nullopt;
    }
    QString why;
    std::optional<CaptureContents> capture = readCapture(file, &why);
    if (!capture && error)
        *error = QStringLiteral("%1: %2").arg(path, why);
    return capture;
}

} // namespace hyperscope
