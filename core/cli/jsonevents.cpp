#include "jsonevents.h"

#include "messagejson.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QThread>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <map>

namespace hyperscope {

namespace {

QJsonObject event(const char *name, int session)
{
    return {{QStringLiteral("event"), QLatin1String(name)}, {QStringLiteral("session"), session}};
}

// --- JSON text as QJsonDocument writes it
// ----------------------------------------------------------

constexpr char HexDigits[] = "0123456789abcdef";

/// A string value: UTF-8 as it is, except '"', '\\' and the control characters below 0x20
/// (QJsonDocument's escapes: \b \f \n \r \t, else \u00xx in lower case).
void appendString(std::string &out, std::string_view utf8)
{
    out.push_back('"');
    std::size_t plain = 0; // start of the run of characters copied as they are
    for (std::size_t i = 0; i < utf8.size(); ++i) {
        const auto u = static_cast<unsigned char>(utf8[i]);
        if (u >= 0x20 && u != '"' && u != '\\')
            continue;
        out.append(utf8.data() + plain, i - plain);
        plain = i + 1;
        out.push_back('\\');
        switch (u) {
        case '"':
            out.push_back('"');
            break;
        case '\\':
            out.push_back('\\');
            break;
        case '\b':
            out.push_back('b');
            break;
        case '\f':
            out.push_back('f');
            break;
        case '\n':
            out.push_back('n');
            break;
        case '\r':
            out.push_back('r');
            break;
        case '\t':
            out.push_back('t');
            break;
        default:
            out.append("u00");
            out.push_back(HexDigits[u >> 4]);
            out.push_back(HexDigits[u & 0xf]);
        }
    }
    out.append(utf8.data() + plain, utf8.size() - plain);
    out.push_back('"');
}

/// A string that went through QString first (invalid UTF-8 becomes U+FFFD, as QString makes it).
void appendQString(std::string &out, const QString &value)
{
    const QByteArray utf8 = value.toUtf8();
    appendString(out, std::string_view(utf8.constData(), std::size_t(utf8.size())));
}

/// The two hex digits of every byte value: one table read per byte (a Data value is most of a
/// "message" event, and this loop is most of its cost).
struct HexPairs
{
    char pairs[256][2];
    constexpr HexPairs()
        : pairs()
    {
        for (int b = 0; b < 256; ++b) {
            pairs[b][0] = HexDigits[b >> 4];
            pairs[b][1] = HexDigits[b & 0xf];
        }
    }
};
constexpr HexPairs HexTable;

void appendHex(std::string &out, ByteView bytes)
{
    const std::size_t start = out.size();
    out.resize(start + 2 + 2 * bytes.size());
    char *p = out.data() + start;
    *p++ = '"';
    for (const std::uint8_t b : bytes) {
        std::memcpy(p, HexTable.pairs[b], 2);
        p += 2;
    }
    *p = '"';
}

/// A number as QJsonDocument writes a double: integers up to 2^53 as digits, others in the
/// shortest form that reads back the same ("1e+17", "18446744073709552000"), non-finite as null.
void appendNumber(std::string &out, double value)
{
    if (!std::isfinite(value)) {
        out.append("null");
        return;
    }
    if (value == std::floor(value) && std::fabs(value) <= 9007199254740992.0) {
        char digits[24];
        const auto result = std::to_chars(digits, digits + sizeof digits, std::int64_t(value));
        out.append(digits, result.ptr);
        return;
    }
    const QByteArray text = QByteArray::number(value, 'g', QLocale::FloatingPointShortest);
    out.append(text.constData(), std::size_t(text.size()));
}

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Reflection;

/// A message type's fields in the order QJsonObject keeps keys (sorted), computed once per type.
const std::vector<const FieldDescriptor *> &sortedFields(const Descriptor *descriptor)
{
    thread_local std::map<const Descriptor *, std::vector<const FieldDescriptor *>> cache;
    auto [it, inserted] = cache.try_emplace(descriptor);
    if (inserted) {
        for (int i = 0; i < descriptor->field_count(); ++i)
            it->second.push_back(descriptor->field(i));
        std::sort(it->second.begin(), it->second.end(),
                  [](const FieldDescriptor *a, const FieldDescriptor *b) {
                      return QString::fromStdString(a->name()) < QString::fromStdString(b->name());
                  });
    }
    return it->second;
}

void appendProto(std::string &out, const google::protobuf::Message &message);

// One value of @p field (messagejson.cpp's scalarToJson); @p index selects a repeated element.
void appendValue(std::string &out, const google::protobuf::Message &message,
                 const FieldDescriptor *field, int index)
{
    const Reflection *r = message.GetReflection();
    const bool repeated = field->is_repeated();
    switch (field->cpp_type()) {
    case FieldDescriptor::CPPTYPE_UINT64:
        appendNumber(out, double(repeated ? r->GetRepeatedUInt64(message, field, index)
                                          : r->GetUInt64(message, field)));
        return;
    case FieldDescriptor::CPPTYPE_BOOL:
        out.append(
            (repeated ? r->GetRepeatedBool(message, field, index) : r->GetBool(message, field))
                ? "true"
                : "false");
        return;
    case FieldDescriptor::CPPTYPE_STRING: {
        std::string scratch;
        const std::string &value =
            repeated ? r->GetRepeatedStringReference(message, field, index, &scratch)
                     : r->GetStringReference(message, field, &scratch);
        if (field->type() == FieldDescriptor::TYPE_BYTES)
            appendHex(out, asView(value));
        else
            appendQString(out, QString::fromStdString(value));
        return;
    }
    case FieldDescriptor::CPPTYPE_MESSAGE:
        appendProto(out, repeated ? r->GetRepeatedMessage(message, field, index)
                                  : r->GetMessage(message, field));
        return;
    default:
        out.append("null"); // types the schema does not use
        return;
    }
}

// messagejson.cpp's objectFromProto, as text.
void appendProto(std::string &out, const google::protobuf::Message &message)
{
    const Reflection *r = message.GetReflection();
    out.push_back('{');
    bool first = true;
    for (const FieldDescriptor *field : sortedFields(message.GetDescriptor())) {
        if (!field->is_repeated() && !r->HasField(message, field))
            continue;
        if (!first)
            out.push_back(',');
        first = false;
        appendString(out, field->name());
        out.push_back(':');
        if (field->is_repeated()) {
            out.push_back('[');
            const int count = r->FieldSize(message, field);
            for (int j = 0; j < count; ++j) {
                if (j)
                    out.push_back(',');
                appendValue(out, message, field, j);
            }
            out.push_back(']');
        } else {
            appendValue(out, message, field, -1);
        }
    }
    out.push_back('}');
}

/// Beyond this many bytes waiting, the printer writes at once instead of at the end of the burst.
constexpr std::size_t FlushAbove = 64 * 1024;

} // namespace

// --- JsonEvent ---------------------------------------------------------------------------------

JsonEvent::JsonEvent(std::string_view name, int session)
{
    m_fields.reserve(6);
    insertString("event", name);
    insertNumber("session", session);
}

std::string &JsonEvent::slot(std::string_view key)
{
    // QJsonObject orders keys as QStrings; for the ASCII keys of events that is byte order.
    auto it =
        std::lower_bound(m_fields.begin(), m_fields.end(), key,
                         [](const auto &field, std::string_view k) { return field.first < k; });
    if (it == m_fields.end() || it->first != key)
        it = m_fields.insert(it, {std::string(key), std::string()});
    it->second.clear();
    return it->second;
}

void JsonEvent::insertString(std::string_view key, std::string_view utf8)
{
    appendString(slot(key), utf8);
}

void JsonEvent::insertHex(std::string_view key, ByteView bytes)
{
    appendHex(slot(key), bytes);
}

void JsonEvent::insertNumber(std::string_view key, double value)
{
    appendNumber(slot(key), value);
}

void JsonEvent::insertRaw(std::string_view key, std::string json)
{
    slot(key) = std::move(json);
}

void JsonEvent::insert(const QString &key, const QJsonValue &value)
{
    const QByteArray utf8Key = key.toUtf8();
    std::string &text = slot(std::string_view(utf8Key.constData(), std::size_t(utf8Key.size())));
    if (value.isString()) {
        appendQString(text, value.toString());
        return;
    }
    // Anything else as QJsonDocument writes it inside an array: "[value]".
    const QByteArray array = QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact);
    text.assign(array.constData() + 1, std::size_t(array.size() - 2));
}

void JsonEvent::appendTo(std::string &out) const
{
    out.push_back('{');
    bool first = true;
    for (const auto &[key, value] : m_fields) {
        if (!first)
            out.push_back(',');
        first = false;
        appendString(out, key);
        out.push_back(':');
        out.append(value);
    }
    out.push_back('}');
}

QByteArray JsonEvent::toJson() const
{
    std::string text;
    appendTo(text);
    return QByteArray(text.data(), qsizetype(text.size()));
}

JsonEvent::operator QJsonObject() const
{
    return QJsonDocument::fromJson(toJson()).object();
}

void appendMessageJson(std::string &out, const Message &message)
{
    appendProto(out, asProtobuf(message));
}

QString hexString(ByteView bytes)
{
    return QString::fromLatin1(toHex(bytes));
}

QJsonObject listeningEvent(quint16 port)
{
    QJsonObject object = event("listening", 0);
    object.insert(QStringLiteral("port"), port);
    return object;
}

QJsonObject connectedEvent(int session, const QString &remote, bool initiator)
{
    QJsonObject object = event("connected", session);
    object.insert(QStringLiteral("remote"), remote);
    object.insert(QStringLiteral("initiator"), initiator);
    return object;
}

QJsonObject handshakeEvent(int session, const HandshakeInfo &info)
{
    QJsonObject object = event("handshake", session);
    object.insert(QStringLiteral("publicKey"), hexString(info.publicKey));
    object.insert(QStringLiteral("remotePublicKey"), hexString(info.remotePublicKey));
    object.insert(QStringLiteral("handshakeHash"), hexString(info.handshakeHash));
    return object;
}

QJsonObject discoveryKeyEvent(int session, const Key32 &discoveryKey)
{
    QJsonObject object = event("discovery-key", session);
    object.insert(QStringLiteral("discoveryKey"), hexString(discoveryKey));
    return object;
}

QJsonObject channelEvent(int session, const ChannelInfo &channel)
{
    QJsonObject object = event("channel", session);
    object.insert(QStringLiteral("discoveryKey"), hexString(channel.discoveryKey));
    if (channel.localId)
        object.insert(QStringLiteral("localId"), double(*channel.localId));
    if (channel.remoteId)
        object.insert(QStringLiteral("remoteId"), double(*channel.remoteId));
    return object;
}

JsonEvent messageEvent(int session, const ChannelInfo &channel, const Message &message)
{
    JsonEvent object("message", session);
    object.insertHex("discoveryKey", channel.discoveryKey);
    object.insertString("type", messageTypeName(static_cast<std::uint8_t>(messageType(message))));
    std::string json;
    json.reserve(messageSize(message) * 2 + 64); // bytes become twice as many hex digits
    appendMessageJson(json, message);
    object.insertRaw("message", std::move(json));
    return object;
}

QJsonObject extensionsEvent(int session, const std::optional<Key32> &discoveryKey,
                            const std::vector<std::string> &names)
{
    QJsonObject object = event("extensions", session);
    if (discoveryKey)
        object.insert(QStringLiteral("discoveryKey"), hexString(*discoveryKey));
    QJsonArray array;
    for (const std::string &name : names)
        array.append(QString::fromStdString(name));
    object.insert(QStringLiteral("names"), array);
    return object;
}

QJsonObject extensionEvent(int session, const std::optional<Key32> &discoveryKey,
                           const std::optional<std::string> &name, quint64 id,
                           const QByteArray &payload)
{
    QJsonObject object = event("extension", session);
    if (discoveryKey)
        object.insert(QStringLiteral("discoveryKey"), hexString(*discoveryKey));
    object.insert(QStringLiteral("name"),
                  name ? QJsonValue(QString::fromStdString(*name)) : QJsonValue(QJsonValue::Null));
    object.insert(QStringLiteral("id"), double(id));
    object.insert(QStringLiteral("payload"), QString::fromLatin1(payload.toHex()));
    return object;
}

QJsonObject closeEvent(int session, const Key32 &discoveryKey)
{
    QJsonObject object = event("close", session);
    object.insert(QStringLiteral("discoveryKey"), hexString(discoveryKey));
    return object;
}

JsonEvent frameEvent(int session, const FrameTrace &frame)
{
    JsonEvent object("frame", session);
    object.insertString("direction", frame.direction == Direction::Inbound ? "in" : "out");
    object.insertNumber("channel", double(frame.channel));
    // Type names are ASCII ("Want", "Unknown(12)"): the same text as through QLatin1String.
    object.insertString("type", frame.keepAlive ? std::string_view("Keepalive")
                                                : messageTypeName(frame.type));
    object.insertNumber("length", double(frame.plain.size()));
    object.insertHex("wire", frame.wire);
    object.insertHex("plain", frame.plain);
    return object;
}

QJsonObject errorEvent(int session, const QString &message)
{
    QJsonObject object = event("error", session);
    object.insert(QStringLiteral("message"), message);
    return object;
}

JsonEvent interceptedEvent(int session, const InterceptedMessage &held)
{
    JsonEvent object = messageEvent(session, held.channel, held.message);
    object.insertString("event", "intercepted");
    object.insertNumber("id", double(held.id));
    object.insertString("direction", held.direction == Direction::Inbound ? "in" : "out");
    return object;
}

QJsonObject resumedEvent(int session, quint64 id, bool edited)
{
    QJsonObject object = event("resumed", session);
    object.insert(QStringLiteral("id"), qint64(id));
    object.insert(QStringLiteral("edited"), edited);
    return object;
}

QJsonObject droppedEvent(int session, quint64 id, const QString &reason)
{
    QJsonObject object = event("dropped", session);
    object.insert(QStringLiteral("id"), qint64(id));
    object.insert(QStringLiteral("reason"), reason);
    return object;
}

QJsonObject warningEvent(int session, const QString &message)
{
    QJsonObject object = event("warning", session);
    object.insert(QStringLiteral("message"), message);
    return object;
}

QJsonObject withLeg(QJsonObject event, const QString &leg)
{
    event.insert(QStringLiteral("leg"), leg);
    return event;
}

JsonEvent withLeg(JsonEvent event, const QString &leg)
{
    event.insert(QStringLiteral("leg"), leg);
    return event;
}

QJsonObject endEvent(int session, const QString &reason)
{
    QJsonObject object = event("end", session);
    object.insert(QStringLiteral("reason"), reason);
    return object;
}

EventPrinter::EventPrinter(std::FILE *out)
    : m_out(out)
    , m_self(std::make_shared<EventPrinter *>(this))
{}

EventPrinter::~EventPrinter()
{
    // The last lines; a failure is not reported any more (the handler's owner is going away).
    writePending();
}

void EventPrinter::print(const QJsonObject &event)
{
    if (m_failed)
        return;
    const QByteArray line = QJsonDocument(event).toJson(QJsonDocument::Compact);
    m_pending.append(line.constData(), std::size_t(line.size()));
    lineAdded();
}

void EventPrinter::print(const JsonEvent &event)
{
    if (m_failed)
        return;
    event.appendTo(m_pending);
    lineAdded();
}

void EventPrinter::lineAdded()
{
    m_pending.push_back('\n');
    QCoreApplication *app = QCoreApplication::instance();
    if (m_pending.size() > FlushAbove || !app || app->thread() != QThread::currentThread()) {
        flush();
        return;
    }
    if (m_flushQueued)
        return;
    // The end of the burst: once control is back in the event loop (every event this burst
    // printed is in m_pending then).
    m_flushQueued = true;
    QMetaObject::invokeMethod(
        app,
        [self = std::weak_ptr<EventPrinter *>(m_self)] {
            if (const auto printer = self.lock()) {
                (*printer)->m_flushQueued = false;
                (*printer)->flush();
            }
        },
        Qt::QueuedConnection);
}

void EventPrinter::flush()
{
    if (!writePending())
        writeFailed();
}

bool EventPrinter::writePending()
{
    if (m_pending.empty() || m_failed)
        return true;
    const bool written =
        std::fwrite(m_pending.data(), 1, m_pending.size(), m_out) == m_pending.size() &&
        std::fflush(m_out) == 0;
    m_pending.clear();
    return written;
}

void EventPrinter::writeFailed()
{
    if (m_failed)
        return;
    m_failed = true;
    if (m_writeFailed)
        m_writeFailed();
}

void FrameEventSink::traceFrame(const FrameTrace &frame)
{
    m_printer->print(frameEvent(m_session, frame));
}

} // namespace hyperscope
