#include "replay.h"

#include "messagelogmodel.h"
#include "sessionmanager.h"
#include "varint.h"

namespace hyperscope::replay {

namespace {

/// The payload of a logged frame in clear: after its length prefix and header.
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

bool canSend(const InspectedSession *session)
{
    return session && !session->isCapture() && session->state() != InspectedSession::State::Ended;
}

} // namespace

std::optional<RowMessage> messageAt(const MessageLogModel &log, int row, QString *why)
{
    QString ignored;
    if (!why)
        why = &ignored;
    if (row < 0 || row >= log.rowCount()) {
        *why = MessageLogModel::tr("there is no row %1").arg(row + 1);
        return std::nullopt;
    }
    const MessageLogModel::Record &r = log.record(row);
    if (r.kind != MessageLogModel::Kind::Frame || r.type > 10 ||
        (r.flags & (MessageLogModel::BytesDropped | MessageLogModel::Malformed))) {
        *why = MessageLogModel::tr("row %1 (%2) holds no message to resend")
                   .arg(row + 1)
                   .arg(log.typeText(r));
        return std::nullopt;
    }
    const std::optional<Key32> key = log.channelKey(r.channelKey);
    if (!key) {
        *why = MessageLogModel::tr("row %1: the channel's discovery key is not known").arg(row + 1);
        return std::nullopt;
    }
    const QByteArray plain = log.plainBytes(row);
    std::string error;
    std::optional<Message> message =
        decodeMessage(r.type,
                      payloadOf({reinterpret_cast<const std::uint8_t *>(plain.constData()),
                                 std::size_t(plain.size())}),
                      error);
    if (!message) {
        *why = QString::fromStdString(error);
        return std::nullopt;
    }
    return RowMessage{r.session, r.leg, *key, std::move(*message)};
}

QList<InspectedSession *> targets(const SessionManager &sessions, const Key32 &discoveryKey)
{
    QList<InspectedSession *> found;
    for (InspectedSession *session : sessions.sessions()) {
        for (InspectedSession *leg : {session, session->serverLeg()}) {
            if (canSend(leg) && leg->openLocalId(discoveryKey))
                found.append(leg);
        }
    }
    return found;
}

InspectedSession *sameSession(const SessionManager &sessions, const RowMessage &row)
{
    InspectedSession *session = sessions.sessionById(row.session);
    InspectedSession *leg = session ? session->legSession(row.leg) : nullptr;
    return canSend(leg) && leg->openLocalId(row.discoveryKey) ? leg : nullptr;
}

QString resend(InspectedSession *target, const RowMessage &row)
{
    if (!target)
        return InspectedSession::tr("no session to resend on");
    if (!target->readOnlyReason().isEmpty())
        return target->readOnlyReason();
    return target->send(row.discoveryKey, row.message);
}

} // namespace hyperscope::replay
