#include "jsonevents.h"

#include "messagejson.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace hyperscope {

namespace {

QJsonObject event(const char *name, int session)
{
    return {{QStringLiteral("event"), QLatin1String(name)}, {QStringLiteral("session"), session}};
}

} // namespace

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

QJsonObject messageEvent(int session, const ChannelInfo &channel, const Message &message)
{
    QJsonObject object = event("message", session);
    object.insert(QStringLiteral("discoveryKey"), hexString(channel.discoveryKey));
    object.insert(QStringLiteral("type"),
                  QLatin1String(messageTypeName(static_cast<std::uint8_t>(messageType(message)))));
    object.insert(QStringLiteral("message"), messageToJson(message));
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

QJsonObject frameEvent(int session, const FrameTrace &frame)
{
    QJsonObject object = event("frame", session);
    object.insert(QStringLiteral("direction"), frame.direction == Direction::Inbound
                                                   ? QStringLiteral("in")
                                                   : QStringLiteral("out"));
    object.insert(QStringLiteral("channel"), double(frame.channel));
    object.insert(QStringLiteral("type"), frame.keepAlive
                                              ? QStringLiteral("Keepalive")
                                              : QString::fromLatin1(messageTypeName(frame.type)));
    object.insert(QStringLiteral("length"), double(frame.plain.size()));
    object.insert(QStringLiteral("wire"), hexString(frame.wire));
    object.insert(QStringLiteral("plain"), hexString(frame.plain));
    return object;
}

QJsonObject errorEvent(int session, const QString &message)
{
    QJsonObject object = event("error", session);
    object.insert(QStringLiteral("message"), message);
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

QJsonObject endEvent(int session, const QString &reason)
{
    QJsonObject object = event("end", session);
    object.insert(QStringLiteral("reason"), reason);
    return object;
}

void EventPrinter::print(const QJsonObject &event)
{
    if (m_failed)
        return;
    QByteArray line = QJsonDocument(event).toJson(QJsonDocument::Compact);
    line.append('\n');
    if (std::fwrite(line.constData(), 1, std::size_t(line.size()), m_out) !=
            std::size_t(line.size()) ||
        std::fflush(m_out) != 0)
        writeFailed();
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
