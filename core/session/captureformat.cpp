#include "captureformat.h"

#include "framer.h"
#include "messages.h"
#include "varint.h"

#include <QDateTime>
#include <QIODevice>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>

#include <algorithm>
#include <limits>
#include <vector>

namespace hyperscope::capture {

namespace {

using Kind = FormatRow::Kind;

/// The longest Noise message (its length prefix is 16 bits).
constexpr qsizetype MaxHandshakeBytes = 65535;
/// The longest frame: the framer's limit plus the longest length prefix.
constexpr qsizetype MaxFrameBytes = qsizetype(MaxFrameSize) + 10;

const char *const KindNames[] = {"frame", "keepalive", "handshake", "warning", "error", "event"};

ByteView viewOf(const QByteArray &bytes)
{
    return {reinterpret_cast<const std::uint8_t *>(bytes.constData()), std::size_t(bytes.size())};
}

QString hex(const QByteArray &bytes)
{
    return QString::fromLatin1(bytes.toHex());
}

template<std::size_t N> QString hexOf(const std::array<std::uint8_t, N> &bytes)
{
    return QString::fromStdString(toHex(bytes));
}

/// What @p info knows, as the keys of a session's entry (or of its "serverLeg").
void insertSessionInfo(QJsonObject &o, const SessionInfo *info)
{
    auto text = [&o](const char *key, const QString &value) {
        if (!value.isEmpty())
            o.insert(QLatin1String(key), value);
    };
    auto flag = [&o](const char *key, const std::optional<bool> &value) {
        if (value)
            o.insert(QLatin1String(key), *value);
    };
    auto bytes = [&o](const char *key, const auto &value) {
        if (value)
            o.insert(QLatin1String(key), hexOf(*value));
    };
    text("peer", info->peer);
    text("origin", info->origin);
    flag("initiator", info->initiator);
    flag("noise", info->noise);
    flag("encrypted", info->encrypted);
    bytes("localStaticKey", info->localStaticKey);
    bytes("remoteStaticKey", info->remoteStaticKey);
    bytes("handshakeHash", info->handshakeHash);
    bytes("localNonce", info->localNonce);
    bytes("remoteNonce", info->remoteNonce);
    flag("ended", info->ended);
    text("endReason", info->endReason);
    if (!info->feedKeys.empty()) {
        QJsonArray channels;
        for (const auto &[discoveryKey, key] : info->feedKeys)
            channels.append(QJsonObject{{QStringLiteral("discoveryKey"), hexOf(discoveryKey)},
                                        {QStringLiteral("key"), hexOf(key)}});
        o.insert(QStringLiteral("channels"), channels);
    }
    if (info->serverLeg) {
        QJsonObject server;
        insertSessionInfo(server, info->serverLeg.get());
        server.remove(QStringLiteral("serverLeg")); // one level only, as the reader reads it
        o.insert(QStringLiteral("serverLeg"), server);
    }
}

/// The header's entry for one session: its id and label, and what @p info knows.
QJsonObject sessionEntry(int id, const QString &label, const SessionInfo *info)
{
    QJsonObject o{{QStringLiteral("id"), id}, {QStringLiteral("label"), label}};
    if (info)
        insertSessionInfo(o, info);
    return o;
}

// --- Reading: one row ---------------------------------------------------------------------------

/// Reads one row object; a problem sets m_error ("'plain' is not hexadecimal") and returns false.
class RowReader
{
public:
    explicit RowReader(const QJsonObject &object)
        : m_object(object)
    {}

    QString error() const { return m_error; }

    bool fail(const QString &message)
    {
        if (m_error.isEmpty())
            m_error = message;
        return false;
    }

    /// An integer in [min, max]; @p value keeps its default when the key is absent and not
    /// @p required.
    bool integer(const char *key, qint64 min, qint64 max, qint64 &value, bool required)
    {
        const QJsonValue v = m_object.value(QLatin1String(key));
        if (v.isUndefined())
            return required ? fail(QStringLiteral("'%1' is missing").arg(QLatin1String(key)))
                            : true;
        const qint64 i = v.toInteger(std::numeric_limits<qint64>::min());
        if (!v.isDouble() || i == std::numeric_limits<qint64>::min())
            return fail(QStringLiteral("'%1' must be an integer").arg(QLatin1String(key)));
        if (i < min && max == std::numeric_limits<qint64>::max())
            return fail(
                QStringLiteral("'%1' is %2, less than %3").arg(QLatin1String(key)).arg(i).arg(min));
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

    /// Hex digits (either case, even count, at most @p maxBytes bytes) into @p bytes.
    bool bytes(const char *key, qsizetype maxBytes, QByteArray &bytes, bool required)
    {
        QString text;
        if (!string(key, text, required))
            return false;
        if (text.size() % 2)
            return fail(
                QStringLiteral("'%1' has an odd number of hex digits").arg(QLatin1String(key)));
        if (text.size() / 2 > maxBytes)
            return fail(QStringLiteral("'%1' holds %2 bytes, more than the %3 allowed")
                            .arg(QLatin1String(key))
                            .arg(text.size() / 2)
                            .arg(maxBytes));
        for (const QChar c : std::as_const(text)) {
            const char16_t u = c.unicode();
            if (!((u >= '0' && u <= '9') || (u >= 'a' && u <= 'f') || (u >= 'A' && u <= 'F')))
                return fail(QStringLiteral("'%1' is not hexadecimal").arg(QLatin1String(key)));
        }
        bytes = QByteArray::fromHex(text.toLatin1());
        return true;
    }

    /// Exactly N bytes in hex, into @p value; absent keys leave it unset.
    template<std::size_t N>
    bool fixed(const char *key, std::optional<std::array<std::uint8_t, N>> &value)
    {
        if (m_object.value(QLatin1String(key)).isUndefined())
            return true;
        QByteArray b;
        if (!bytes(key, qsizetype(N), b, true))
            return false;
        if (b.size() != qsizetype(N))
            return fail(
                QStringLiteral("'%1' must be %2 hex digits").arg(QLatin1String(key)).arg(2 * N));
        std::array<std::uint8_t, N> a{};
        std::copy(b.begin(), b.end(), a.begin());
        value = a;
        return true;
    }

    bool optionalFlag(const char *key, std::optional<bool> &value)
    {
        if (m_object.value(QLatin1String(key)).isUndefined())
            return true;
        bool b = false;
        if (!boolean(key, b))
            return false;
        value = b;
        return true;
    }

    /// The optional keys of a header's session entry (SessionInfo); @p legEntry: of its
    /// "serverLeg", which has none of its own.
    bool sessionInfo(SessionInfo &info, bool legEntry = false)
    {
        if (!string("peer", info.peer, false) || !string("origin", info.origin, false) ||
            !optionalFlag("initiator", info.initiator) || !optionalFlag("noise", info.noise) ||
            !optionalFlag("encrypted", info.encrypted) ||
            !fixed("localStaticKey", info.localStaticKey) ||
            !fixed("remoteStaticKey", info.remoteStaticKey) ||
            !fixed("handshakeHash", info.handshakeHash) || !fixed("localNonce", info.localNonce) ||
            !fixed("remoteNonce", info.remoteNonce) || !optionalFlag("ended", info.ended) ||
            !string("endReason", info.endReason, false))
            return false;
        const QJsonValue serverLeg = m_object.value(QLatin1String("serverLeg"));
        if (!serverLeg.isUndefined()) {
            if (legEntry)
                return fail(QStringLiteral("'serverLeg' cannot have a 'serverLeg'"));
            if (!serverLeg.isObject())
                return fail(QStringLiteral("'serverLeg' must be an object"));
            RowReader leg(serverLeg.toObject());
            auto server = std::make_shared<SessionInfo>();
            if (!leg.sessionInfo(*server, true))
                return fail(QStringLiteral("in 'serverLeg': %1").arg(leg.error()));
            info.serverLeg = std::move(server);
        }
        const QJsonValue channels = m_object.value(QLatin1String("channels"));
        if (channels.isUndefined())
            return true;
        if (!channels.isArray())
            return fail(QStringLiteral("'channels' must be an array"));
        for (const QJsonValue &entry : channels.toArray()) {
            if (!entry.isObject())
                return fail(QStringLiteral("each of 'channels' must be an object"));
            RowReader channel(entry.toObject());
            std::optional<Key32> discoveryKey;
            std::optional<Key32> key;
            if (!channel.fixed("discoveryKey", discoveryKey) || !channel.fixed("key", key))
                return fail(QStringLiteral("in 'channels': %1").arg(channel.error()));
            if (!discoveryKey || !key)
                return fail(QStringLiteral("in 'channels': 'discoveryKey' and 'key' are both "
                                           "required"));
            info.feedKeys[*discoveryKey] = *key;
        }
        return true;
    }

    bool row(FormatRow &row)
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

        QString leg;
        if (!string("leg", leg, false))
            return false;
        if (leg == QLatin1String("client"))
            row.leg = FormatRow::Leg::Client;
        else if (leg == QLatin1String("server"))
            row.leg = FormatRow::Leg::Server;
        else if (!leg.isEmpty())
            return fail(
                QStringLiteral("'leg' must be \"client\" or \"server\", not \"%1\"").arg(leg));

        QString kind;
        if (!string("kind", kind, true))
            return false;
        int kindIndex = -1;
        for (int i = 0; i < int(std::size(KindNames)); ++i) {
            if (kind == QLatin1String(KindNames[i]))
                kindIndex = i;
        }
        if (kindIndex < 0)
            return fail(QStringLiteral("'kind' \"%1\" is not one of frame, keepalive, handshake, "
                                       "warning, error, event")
                            .arg(kind));
        row.kind = Kind(kindIndex);

        qint64 offset = 0;
        if (!integer("offset", 0, std::numeric_limits<qint64>::max(), offset, false) ||
            !string("note", row.note, row.isNote()))
            return false;
        row.streamOffset = quint64(offset);

        bool dropped = false;
        bool malformed = false;
        bool encrypted = false;
        if (!boolean("bytesDropped", dropped) || !boolean("malformed", malformed) ||
            !boolean("encrypted", encrypted))
            return false;
        if (row.isNote())
            return true; // Notes have no bytes: any other key is ignored.

        if (row.kind == Kind::Handshake) {
            qint64 step = 0;
            if (!integer("step", 0, 2, step, true))
                return false;
            row.type = quint8(step);
            if (dropped) {
                row.bytesDropped = true;
                return true;
            }
            return bytes("plain", MaxHandshakeBytes, row.plain, true);
        }

        // Frames and keepalives.
        const QJsonValue key = m_object.value(QLatin1String("key"));
        if (!key.isUndefined()) {
            QByteArray k;
            if (!bytes("key", 32, k, true))
                return false;
            if (k.size() != 32)
                return fail(QStringLiteral("'key' must be 64 hex digits"));
            Key32 discoveryKey;
            std::copy(k.begin(), k.end(), discoveryKey.begin());
            row.discoveryKey = discoveryKey;
        }
        row.encrypted = encrypted;
        if (!encrypted && m_object.contains(QLatin1String("wire")))
            return fail(QStringLiteral("'wire' is given but 'encrypted' is not true"));
        if (dropped) {
            // No bytes to read the header from: channel and type are given.
            row.bytesDropped = true;
            if (row.kind == Kind::KeepAlive)
                return true;
            row.malformed = malformed;
            qint64 channel = 0;
            qint64 type = 0;
            if (!integer("channel", 0, 0xffffffffLL, channel, true) ||
                !integer("type", 0, 15, type, true))
                return false;
            row.channel = quint32(channel);
            row.type = quint8(type);
            return true;
        }
        if (!bytes("plain", MaxFrameBytes, row.plain, true) ||
            !bytes("wire", MaxFrameBytes, row.wire, false))
            return false;
        if (!row.wire.isEmpty() && row.wire.size() != row.plain.size())
            return fail(QStringLiteral("'wire' holds %1 bytes, 'plain' %2: they must be as long")
                            .arg(row.wire.size())
                            .arg(row.plain.size()));
        if (row.kind == Kind::KeepAlive) {
            if (row.plain != QByteArray(1, '\0'))
                return fail(QStringLiteral("a keepalive's 'plain' must be \"00\""));
            return true;
        }
        return frame(row);
    }

    /// Reads channel and type from the frame's header, and whether its payload decodes.
    bool frame(FormatRow &row)
    {
        const ByteView bytes = viewOf(row.plain);
        const varint::Decoded length = varint::decode(bytes);
        if (length.status != varint::Status::Ok)
            return fail(QStringLiteral("'plain' does not start with a valid length varint"));
        if (length.value != bytes.size() - length.size)
            return fail(QStringLiteral("'plain' is not one whole frame: its length prefix says "
                                       "%1 bytes follow, %2 do")
                            .arg(length.value)
                            .arg(bytes.size() - length.size));
        if (length.value == 0)
            return fail(QStringLiteral("an empty frame must have kind \"keepalive\""));
        const varint::Decoded header = varint::decode(bytes.subspan(length.size));
        if (header.status != varint::Status::Ok)
            return fail(QStringLiteral("'plain' has no valid header varint"));
        row.channel = quint32(std::min<std::uint64_t>(header.value >> 4, 0xffffffffu));
        row.type = quint8(header.value & 0x0f);
        const ByteView payload = bytes.subspan(length.size + header.size);
        std::string error;
        if ((row.type <= 10 && !decodeMessage(row.type, payload, error)) ||
            (row.type == 15 && !decodeExtension(payload, error)))
            row.malformed = true;
        return true;
    }

private:
    const QJsonObject m_object; // implicitly shared: a copy is cheap
    QString m_error;
};

/// The JSON object on @p line, or an error.
std::optional<QJsonObject> parseObject(const QByteArray &line, QString &error)
{
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(line, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        error = QStringLiteral("not valid JSON (%1 at offset %2)")
                    .arg(parseError.errorString())
                    .arg(parseError.offset);
        return std::nullopt;
    }
    if (!document.isObject()) {
        error = QStringLiteral("not a JSON object");
        return std::nullopt;
    }
    return document.object();
}

/// The next line, its end included, through @p buffer: memory grows with the line, not with
/// the limit. Stops early once the line is longer than @p limit plus a line end.
QByteArray readLine(QIODevice &in, std::vector<char> &buffer, qint64 limit, bool &failed)
{
    QByteArray line;
    while (!line.endsWith('\n') && line.size() <= limit + 2) {
        const qint64 n = in.readLine(buffer.data(), qint64(buffer.size()));
        if (n < 0) {
            failed = !in.atEnd();
            break;
        }
        if (n == 0) // the end (read() is for files and buffers, not sockets)
            break;
        line.append(buffer.data(), qsizetype(n));
    }
    return line;
}

QString lineError(qint64 line, const QString &what)
{
    return QStringLiteral("line %1: %2").arg(line).arg(what);
}

} // namespace

// --- Writing ------------------------------------------------------------------------------------

QByteArray headerLine(const QString &generator, qint64 rows, const QMap<int, QString> &labels,
                      const QMap<int, SessionInfo> &sessions)
{
    QJsonArray sessionArray;
    for (auto it = labels.constBegin(); it != labels.constEnd(); ++it) {
        const auto info = sessions.constFind(it.key());
        sessionArray.append(
            sessionEntry(it.key(), it.value(), info == sessions.constEnd() ? nullptr : &*info));
    }
    const QJsonObject header{
        {QStringLiteral("format"), QLatin1String(FormatName)},
        {QStringLiteral("version"), Version},
        {QStringLiteral("generator"), generator.trimmed()},
        {QStringLiteral("created"), QDateTime::currentDateTimeUtc().toString(Qt::ISODate)},
        {QStringLiteral("rows"), rows},
        {QStringLiteral("sessions"), sessionArray},
    };
    return QJsonDocument(header).toJson(QJsonDocument::Compact);
}

QByteArray rowLine(const FormatRow &row)
{
    QJsonObject o;
    o.insert(QStringLiteral("t"), row.timeUs);
    o.insert(QStringLiteral("session"), row.session);
    o.insert(QStringLiteral("dir"),
             row.direction == Direction::Outbound ? QStringLiteral("out") : QStringLiteral("in"));
    o.insert(QStringLiteral("kind"), QLatin1String(KindNames[int(row.kind)]));
    if (row.leg != FormatRow::Leg::None)
        o.insert(QStringLiteral("leg"), row.leg == FormatRow::Leg::Client
                                            ? QStringLiteral("client")
                                            : QStringLiteral("server"));
    if (row.streamOffset)
        o.insert(QStringLiteral("offset"), qint64(row.streamOffset));
    if (!row.note.isEmpty())
        o.insert(QStringLiteral("note"), row.note);
    if (row.kind == Kind::Handshake)
        o.insert(QStringLiteral("step"), int(row.type));
    if (row.isFrame()) {
        if (row.discoveryKey)
            o.insert(QStringLiteral("key"), hexOf(*row.discoveryKey));
        if (row.encrypted)
            o.insert(QStringLiteral("encrypted"), true);
    }
    if (row.bytesDropped) {
        o.insert(QStringLiteral("bytesDropped"), true);
        if (row.malformed)
            o.insert(QStringLiteral("malformed"), true);
        if (row.kind == Kind::Frame) {
            o.insert(QStringLiteral("channel"), qint64(row.channel));
            o.insert(QStringLiteral("type"), int(row.type));
        }
    } else if (!row.isNote()) {
        o.insert(QStringLiteral("plain"), hex(row.plain));
        if (row.isFrame() && row.encrypted && !row.wire.isEmpty())
            o.insert(QStringLiteral("wire"), hex(row.wire));
    }
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

// --- Reading ------------------------------------------------------------------------------------

std::optional<FormatHeader> readRows(QIODevice &in, QString *error, const Limits &limits,
                                     const std::function<void(FormatRow &&)> &onRow)
{
    auto failed = [error](const QString &message) -> std::optional<FormatHeader> {
        if (error)
            *error = message;
        return std::nullopt;
    };
    FormatHeader capture;
    qint64 rowCount = 0;
    std::vector<char> buffer(64 * 1024);
    qint64 announced = -1;
    qint64 totalBytes = 0;
    QSet<int> sessions; // of the rows
    for (qint64 number = 1;; ++number) {
        if (in.atEnd()) {
            if (number == 1)
                return failed(QStringLiteral("the file is empty"));
            break;
        }
        bool readFailed = false;
        QByteArray line = readLine(in, buffer, limits.maxLineBytes, readFailed);
        if (readFailed)
            return failed(
                lineError(number, QStringLiteral("cannot read: %1").arg(in.errorString())));
        if (line.endsWith('\n'))
            line.chop(line.endsWith("\r\n") ? 2 : 1);
        else if (!in.atEnd())
            return failed(lineError(
                number,
                QStringLiteral("longer than the limit of %1 bytes").arg(limits.maxLineBytes)));
        if (line.size() > limits.maxLineBytes)
            return failed(lineError(
                number,
                QStringLiteral("longer than the limit of %1 bytes").arg(limits.maxLineBytes)));
        if (line.trimmed().isEmpty())
            return failed(lineError(number, QStringLiteral("empty line")));

        QString parseError;
        const std::optional<QJsonObject> object = parseObject(line, parseError);
        if (!object)
            return failed(lineError(number, parseError));

        if (number == 1) {
            // The header.
            const QJsonObject &h = *object;
            if (h.value(QLatin1String("format")).toString() != QLatin1String(FormatName))
                return failed(
                    lineError(1, QStringLiteral("not a hyperscope capture (no \"format\":\"%1\")")
                                     .arg(QLatin1String(FormatName))));
            const QJsonValue version = h.value(QLatin1String("version"));
            if (!version.isDouble() || version.toInteger(-1) < 0)
                return failed(lineError(1, QStringLiteral("'version' must be an integer")));
            if (version.toInteger() != Version)
                return failed(lineError(1, QStringLiteral("unsupported version %1 (this "
                                                          "hyperscope reads version %2)")
                                               .arg(version.toInteger())
                                               .arg(Version)));
            RowReader reader(h);
            if (!reader.integer("rows", 0, std::numeric_limits<qint64>::max(), announced, true))
                return failed(lineError(1, reader.error()));
            if (announced > limits.maxRows)
                return failed(lineError(1, QStringLiteral("the header announces %1 rows, more "
                                                          "than the %2 a capture may hold")
                                               .arg(announced)
                                               .arg(limits.maxRows)));
            if (!reader.string("generator", capture.generator, false) ||
                !reader.string("created", capture.created, false))
                return failed(lineError(1, reader.error()));
            const QJsonValue sessions = h.value(QLatin1String("sessions"));
            if (!sessions.isUndefined() && !sessions.isArray())
                return failed(lineError(1, QStringLiteral("'sessions' must be an array")));
            const QJsonArray array = sessions.toArray();
            // The header names only the sessions of the rows: no more than there may be rows.
            if (array.size() > limits.maxRows)
                return failed(lineError(1, QStringLiteral("more than %1 sessions (the most rows "
                                                          "a capture may hold)")
                                               .arg(limits.maxRows)));
            for (const QJsonValue &entry : array) {
                if (!entry.isObject())
                    return failed(
                        lineError(1, QStringLiteral("each of 'sessions' must be an object")));
                RowReader session(entry.toObject());
                qint64 id = 0;
                QString label;
                SessionInfo info;
                if (!session.integer("id", 0, MaxSessionId, id, true) ||
                    !session.string("label", label, true) || !session.sessionInfo(info))
                    return failed(
                        lineError(1, QStringLiteral("in 'sessions': %1").arg(session.error())));
                capture.sessionLabels.insert(int(id), label);
                capture.sessionInfo.insert(int(id), info);
            }
            continue;
        }

        if (rowCount >= announced)
            return failed(lineError(number, QStringLiteral("more rows than the %1 the header "
                                                           "announces")
                                                .arg(announced)));
        FormatRow row;
        row.line = number;
        RowReader reader(*object);
        if (!reader.row(row))
            return failed(lineError(number, reader.error()));
        totalBytes +=
            row.plain.size() + row.wire.size() + row.note.size() * qsizetype(sizeof(QChar));
        if (totalBytes > limits.maxTotalBytes)
            return failed(lineError(number, QStringLiteral("the rows so far hold more than %1 "
                                                           "bytes, the most a capture may hold")
                                                .arg(limits.maxTotalBytes)));
        sessions.insert(row.session);
        if (sessions.size() > limits.maxSessions)
            return failed(lineError(number, QStringLiteral("the rows so far belong to more than "
                                                           "%1 sessions, the most a capture may "
                                                           "hold")
                                                .arg(limits.maxSessions)));
        ++rowCount;
        onRow(std::move(row));
    }
    if (rowCount != announced)
        return failed(QStringLiteral("truncated: the header announces %1 rows, the file has %2")
                          .arg(announced)
                          .arg(rowCount));
    return capture;
}

} // namespace hyperscope::capture
