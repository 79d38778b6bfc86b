#include "logrowexport.h"

#include "messagejson.h"
#include "messagelogmodel.h"
#include "messages.h"
#include "varint.h"

#include <QByteArray>

#include <algorithm>

namespace hyperscope::logrow {

namespace {

using Kind = MessageLogModel::Kind;

bool isNote(Kind kind)
{
    return kind == Kind::Warning || kind == Kind::Error || kind == Kind::Event;
}

ByteView viewOf(const QByteArray &bytes)
{
    return {reinterpret_cast<const std::uint8_t *>(bytes.constData()), std::size_t(bytes.size())};
}

QString hexOf(ByteView bytes)
{
    return QString::fromLatin1(
        QByteArray(reinterpret_cast<const char *>(bytes.data()), qsizetype(bytes.size())).toHex());
}

/// The frame's payload: what follows the length and header varints (empty when they do not
/// decode).
ByteView payloadOf(ByteView frame)
{
    const varint::Decoded length = varint::decode(frame);
    if (length.status != varint::Status::Ok)
        return {};
    const varint::Decoded header = varint::decode(frame.subspan(length.size));
    if (header.status != varint::Status::Ok || length.size + header.size > frame.size())
        return {};
    return frame.subspan(length.size + header.size);
}

/// Text when @p bytes read as text, else hex.
QString textOrHex(ByteView bytes)
{
    const QByteArray raw(reinterpret_cast<const char *>(bytes.data()), qsizetype(bytes.size()));
    const QString text = QString::fromUtf8(raw);
    const bool readable = !raw.isEmpty() && text.toUtf8() == raw &&
                          std::all_of(text.begin(), text.end(), [](QChar c) {
                              return c == u'\t' || c == u'\n' || c == u'\r' ||
                                     (c.isPrint() && c != QChar::ReplacementCharacter);
                          });
    return readable ? text : hexOf(bytes);
}

bool decodes(const MessageLogModel::Record &r)
{
    return r.kind == Kind::Frame &&
           !(r.flags & (MessageLogModel::BytesDropped | MessageLogModel::Malformed));
}

} // namespace

std::optional<QString> valueText(const MessageLogModel &log, int row)
{
    if (row < 0 || row >= log.rowCount())
        return std::nullopt;
    const MessageLogModel::Record &r = log.record(row);
    if (isNote(r.kind))
        return log.noteText(r);
    if (!decodes(r))
        return std::nullopt;
    const QByteArray plain = log.plainBytes(row);
    const ByteView payload = payloadOf(viewOf(plain));
    std::string error;
    if (r.type == std::uint8_t(MessageType::Extension)) {
        const std::optional<ExtensionPayload> extension = decodeExtension(payload, error);
        return extension ? std::optional<QString>(textOrHex(extension->data)) : std::nullopt;
    }
    if (r.type > 10)
        return std::nullopt;
    const std::optional<Message> message = decodeMessage(r.type, payload, error);
    if (!message)
        return std::nullopt;
    if (const auto *data = std::get_if<schema::Data>(&*message); data && data->has_value()) {
        const std::string &value = data->value();
        return textOrHex({reinterpret_cast<const std::uint8_t *>(value.data()), value.size()});
    }
    if (const auto *open = std::get_if<schema::Open>(&*message)) {
        const std::string &key = open->discoverykey();
        return hexOf({reinterpret_cast<const std::uint8_t *>(key.data()), key.size()});
    }
    return std::nullopt;
}

QString bytesHex(const MessageLogModel &log, int row)
{
    if (row < 0 || row >= log.rowCount())
        return {};
    return QString::fromLatin1(log.plainBytes(row).toHex());
}

QJsonObject toJson(const MessageLogModel &log, int row)
{
    if (row < 0 || row >= log.rowCount())
        return {};
    const MessageLogModel::Record &r = log.record(row);
    QJsonObject o;
    o.insert(QStringLiteral("session"), r.session);
    if (r.leg != MessageLogModel::Leg::None)
        o.insert(QStringLiteral("leg"), MessageLogModel::legName(r.leg));
    if (isNote(r.kind)) {
        o.insert(QStringLiteral("event"), r.kind == Kind::Warning ? QStringLiteral("warning")
                                          : r.kind == Kind::Error
                                              ? QStringLiteral("error")
                                              : QStringLiteral("session-event"));
        o.insert(QStringLiteral("message"), log.noteText(r));
        return o;
    }
    o.insert(QStringLiteral("direction"),
             r.direction() == Direction::Outbound ? QStringLiteral("out") : QStringLiteral("in"));
    const QByteArray plain = log.plainBytes(row);
    if (r.kind == Kind::Handshake) {
        o.insert(QStringLiteral("event"), QStringLiteral("handshake-message"));
        o.insert(QStringLiteral("step"), int(r.type));
        o.insert(QStringLiteral("plain"), QString::fromLatin1(plain.toHex()));
        if (r.flags & MessageLogModel::HandshakeFailed)
            o.insert(QStringLiteral("error"), log.noteText(r));
        return o;
    }
    const std::optional<Key32> key = log.channelKey(r.channelKey);
    if (decodes(r)) {
        const ByteView payload = payloadOf(viewOf(plain));
        std::string error;
        if (r.type <= 10) {
            if (const std::optional<Message> message = decodeMessage(r.type, payload, error)) {
                o.insert(QStringLiteral("event"), QStringLiteral("message"));
                if (key)
                    o.insert(QStringLiteral("discoveryKey"), hexOf(*key));
                o.insert(QStringLiteral("type"), QString::fromLatin1(messageTypeName(r.type)));
                o.insert(QStringLiteral("message"), messageToJson(*message));
                return o;
            }
        } else if (r.type == 15) {
            if (const std::optional<ExtensionPayload> ext = decodeExtension(payload, error)) {
                const QString name = log.noteText(r);
                o.insert(QStringLiteral("event"), QStringLiteral("extension"));
                if (key)
                    o.insert(QStringLiteral("discoveryKey"), hexOf(*key));
                o.insert(QStringLiteral("name"),
                         name.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(name));
                o.insert(QStringLiteral("id"), double(ext->id));
                o.insert(QStringLiteral("payload"), hexOf(ext->data));
                return o;
            }
        }
    }
    o.insert(QStringLiteral("event"), QStringLiteral("frame"));
    o.insert(QStringLiteral("channel"), double(r.channel));
    o.insert(QStringLiteral("type"), r.kind == Kind::KeepAlive
                                         ? QStringLiteral("Keepalive")
                                         : QString::fromLatin1(messageTypeName(r.type)));
    if (!(r.flags & MessageLogModel::BytesDropped)) {
        o.insert(QStringLiteral("length"), plain.size());
        o.insert(QStringLiteral("plain"), QString::fromLatin1(plain.toHex()));
        const QByteArray wire = log.wireBytes(row);
        if (!wire.isEmpty())
            o.insert(QStringLiteral("wire"), QString::fromLatin1(wire.toHex()));
    }
    return o;
}

} // namespace hyperscope::logrow
