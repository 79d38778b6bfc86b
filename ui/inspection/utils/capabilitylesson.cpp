#include "capabilitylesson.h"

#include "channeltablemodel.h"
#include "dissector.h"
#include "inspectedsession.h"
#include "messagelogmodel.h"
#include "messages.h"
#include "sessionmanager.h"
#include "varint.h"

#include <QCoreApplication>

namespace hyperscope {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("hyperscope::CapabilityCheck", text);
}

QString hexOf(const Key32 &key)
{
    return QString::fromStdString(toHex(key));
}

std::optional<Key32> key32Of(const std::string &bytes)
{
    if (bytes.size() != Key32{}.size())
        return std::nullopt;
    Key32 key;
    std::copy(bytes.begin(), bytes.end(), key.begin());
    return key;
}

/// The Open in @p frame (varint length ‖ header ‖ payload), or nullopt for any other frame.
std::optional<schema::Open> openOf(ByteView frame)
{
    const varint::Decoded length = varint::decode(frame);
    if (length.status != varint::Status::Ok || length.value == 0 ||
        length.value > frame.size() - length.size)
        return std::nullopt;
    const ByteView body = frame.subspan(length.size, std::size_t(length.value));
    const varint::Decoded header = varint::decode(body);
    if (header.status != varint::Status::Ok || (header.value & 0xf) != 0)
        return std::nullopt;
    Error error;
    const std::optional<Message> message = decodeMessage(0, body.subspan(header.size), error);
    if (!message)
        return std::nullopt;
    return std::get<schema::Open>(*message);
}

DissectedField *childNamed(DissectedField &node, const std::string &name)
{
    for (DissectedField &child : node.children) {
        if (child.name == name)
            return &child;
    }
    return nullptr;
}

} // namespace

QString CapabilityCheck::summary() const
{
    switch (verdict) {
    case Verdict::Verified:
        return tr("verified: received = expected");
    case Verdict::Mismatch:
        return tr("FAILED: received ≠ expected");
    case Verdict::Missing:
        return tr("FAILED: no capability although Noise is on");
    case Verdict::FeedKeyUnknown:
        return tr("feed key unknown: cannot verify");
    case Verdict::KeysUnknown:
        return tr("split keys unknown: cannot verify");
    case Verdict::NoNoise:
        return tr("no Noise: Open carries no capability");
    }
    return {};
}

QString CapabilityCheck::explanation(Direction direction) const
{
    const QString formula =
        direction == Direction::Inbound
            ? tr("The remote computed BLAKE2b-256 keyed with its receive key (our send key, tx) "
                 "over \"hypercore capability\" ‖ its send key (our receive key, rx) ‖ the feed "
                 "key. We compute the same from our side and compare.")
            : tr("We computed BLAKE2b-256 keyed with our receive key (rx) over \"hypercore "
                 "capability\" ‖ our send key (tx) ‖ the feed key; the remote checks it with its "
                 "keys swapped.");
    switch (verdict) {
    case Verdict::Verified:
        return formula + QLatin1Char(' ') +
               tr("The values match: the sender knows the feed key, on this very connection.");
    case Verdict::Mismatch:
        return formula + QLatin1Char(' ') +
               tr("The values differ: the sender does not know this feed key (or computed the "
                  "capability for another connection). The engine ends the session.");
    case Verdict::Missing:
        return tr("With Noise every Open must carry a capability; without one the engine ends "
                  "the session.");
    case Verdict::FeedKeyUnknown:
        return tr("The feed key never crosses the wire: only a side that opened the channel with "
                  "it, or a person who types it in the Channels tab, can compute the expected "
                  "capability. Open the same key to have it checked.");
    case Verdict::KeysUnknown:
        return tr("The capability is bound to the connection's split keys, which this session "
                  "does not have (the handshake did not finish, or the keys were not kept).");
    case Verdict::NoNoise:
        return tr("Without a handshake there are no split keys to bind a capability to.");
    }
    return {};
}

CapabilityCheck checkOpenCapability(Direction direction, const std::optional<Key32> &received,
                                    const std::optional<Key32> &feedKey,
                                    const std::optional<crypto::SplitKeys> &split, bool noise)
{
    using Verdict = CapabilityCheck::Verdict;
    CapabilityCheck check;
    check.received = received;
    if (!noise) {
        check.verdict = Verdict::NoNoise;
        return check;
    }
    if (feedKey && split) {
        check.expected = direction == Direction::Inbound
                             ? crypto::remoteCapability(*feedKey, *split)
                             : crypto::capability(*feedKey, *split);
    }
    if (!received)
        check.verdict = Verdict::Missing;
    else if (!feedKey)
        check.verdict = Verdict::FeedKeyUnknown;
    else if (!split)
        check.verdict = Verdict::KeysUnknown;
    else
        check.verdict = crypto::constantTimeEqual(*check.expected, *received) ? Verdict::Verified
                                                                              : Verdict::Mismatch;
    return check;
}

void annotateOpenCapability(DissectedField &root, const MessageLogModel &log, int row,
                            const SessionManager &sessions)
{
    if (row < 0 || row >= log.rowCount())
        return;
    const MessageLogModel::Record &record = log.record(row);
    if (record.kind != MessageLogModel::Kind::Frame || record.type != 0 ||
        (record.flags & MessageLogModel::BytesDropped))
        return;
    const QByteArray plain = log.plainBytes(row);
    const std::optional<schema::Open> open = openOf(
        {reinterpret_cast<const std::uint8_t *>(plain.constData()), std::size_t(plain.size())});
    if (!open)
        return;
    const std::optional<Key32> discoveryKey = key32Of(open->discoverykey());
    InspectedSession *session = sessions.sessionById(record.session);
    if (session && record.leg == MessageLogModel::Leg::Server && session->serverLeg())
        session = session->serverLeg();
    if (!session || !discoveryKey)
        return;

    std::optional<Key32> feedKey;
    const ChannelTableModel *channels = session->channels();
    if (const int channel = channels->rowOf(*discoveryKey); channel >= 0)
        feedKey = channels->row(channel).key;
    const CapabilityCheck check = checkOpenCapability(
        record.direction(), open->has_capability() ? key32Of(open->capability()) : std::nullopt,
        feedKey, session->secrets().transportKeys, session->handshake().noise);

    DissectedField node{"capability check", check.summary().toStdString(), 0, 0, {}};
    node.children.push_back({"why", check.explanation(record.direction()).toStdString(), 0, 0, {}});
    if (check.expected)
        node.children.push_back({"expected", hexOf(*check.expected).toStdString(), 0, 0, {}});
    if (check.received)
        node.children.push_back({"received", hexOf(*check.received).toStdString(), 0, 0, {}});
    if (feedKey)
        node.children.push_back({"feed key", hexOf(*feedKey).toStdString(), 0, 0, {}});
    // Under the capability field, sharing its bytes; an Open without one gets it on the frame.
    if (DissectedField *capability = childNamed(root, "capability")) {
        for (DissectedField &child : node.children) {
            child.offset = capability->offset;
            child.length = 0;
        }
        node.offset = capability->offset;
        node.length = capability->length;
        capability->children.push_back(std::move(node));
    } else {
        root.children.push_back(std::move(node));
    }
}

} // namespace hyperscope
