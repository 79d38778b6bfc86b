#include "capturereplay.h"

#include "inspectedsession.h"
#include "messages.h"
#include "varint.h"

#include <QRegularExpression>

#include <algorithm>
#include <map>

namespace hyperscope {

namespace {

using Kind = MessageLogModel::Kind;

/// The tokens of the three Noise XX messages, as the engine names them.
const char *const HandshakeTokens[] = {"e", "e, ee, s, es", "s, se"};
constexpr qsizetype PublicKeySize = 32;
constexpr qsizetype MacSize = 16;

ByteView viewOf(const QByteArray &bytes)
{
    return {reinterpret_cast<const std::uint8_t *>(bytes.constData()), std::size_t(bytes.size())};
}

template<std::size_t N> std::optional<std::array<std::uint8_t, N>> arrayOf(ByteView bytes)
{
    if (bytes.size() < N)
        return std::nullopt;
    std::array<std::uint8_t, N> a{};
    std::copy_n(bytes.begin(), N, a.begin());
    return a;
}

/// @p bytes without its leading varint (a frame's length, or a Noise message's); empty when the
/// varint does not decode.
ByteView afterVarint(ByteView bytes)
{
    const varint::Decoded length = varint::decode(bytes);
    if (length.status != varint::Status::Ok)
        return {};
    return bytes.subspan(length.size);
}

/// "127.0.0.1:4000" from a label "#1 127.0.0.1:4000" or "#1 127.0.0.1:4000 · name.jsonl" (files
/// that predate SessionInfo name the peer in the label only).
QString peerFromLabel(const QString &label)
{
    static const QRegularExpression pattern(QStringLiteral("^#\\d+\\s*(.*?)(?: · .*)?$"));
    const QRegularExpressionMatch match = pattern.match(label);
    return match.hasMatch() ? match.captured(1).trimmed() : QString();
}

QString originName(InspectedSession::Origin origin)
{
    switch (origin) {
    case InspectedSession::Origin::Dialed:
        return QStringLiteral("dialed");
    case InspectedSession::Origin::Accepted:
        return QStringLiteral("accepted");
    case InspectedSession::Origin::Demo:
        return QStringLiteral("demo");
    case InspectedSession::Origin::Relayed:
        return QStringLiteral("relayed");
    case InspectedSession::Origin::Capture:
        break;
    }
    return {};
}

/// A channel as the engine would hold it while the rows are replayed.
struct ChannelState
{
    bool localOpen = false;
    bool remoteOpen = false;
    std::optional<std::uint64_t> localId;
    std::optional<std::uint64_t> remoteId;
};

} // namespace

void CaptureReplay::fill(InspectedSession &session, const capture::Capture &capture, int fileId)
{
    std::vector<const capture::Row *> rows;
    for (const capture::Row &row : capture.rows) {
        if (row.record.session == fileId)
            rows.push_back(&row);
    }
    fill(session, capture, fileId, rows);
}

void CaptureReplay::fill(InspectedSession &session, const capture::Capture &capture, int fileId,
                         const std::vector<const capture::Row *> &sessionRows)
{
    const capture::SessionInfo info = capture.sessionInfo.value(fileId);
    // Times count from the session's first row, whichever leg it is on (addSessionsTo()).
    const qint64 start = sessionRows.empty() ? 0 : sessionRows.front()->record.timeUs;
    const bool relayed =
        info.origin == QLatin1String("relayed") ||
        std::any_of(sessionRows.begin(), sessionRows.end(), [](const capture::Row *row) {
            return row->record.leg != MessageLogModel::Leg::None;
        });
    if (!relayed) {
        fillLeg(session, info,
                info.peer.isEmpty() ? peerFromLabel(capture.sessionLabels.value(fileId))
                                    : info.peer,
                sessionRows, start);
        session.m_log->setSessionLabel(session.m_id, session.label());
        finish(session);
        return;
    }

    // A relayed pair: the client leg (with the relay's own rows, which have no leg) and the
    // server leg, each from its own rows, as each leg's trace fed it live.
    session.becomeCapturedRelay();
    InspectedSession &server = *session.m_serverLeg;
    std::vector<const capture::Row *> clientRows;
    std::vector<const capture::Row *> serverRows;
    for (const capture::Row *row : sessionRows)
        (row->record.leg == MessageLogModel::Leg::Server ? serverRows : clientRows).push_back(row);

    // The inspector writes the peer as "client → server" (relayText()); hyperscope-cli writes the
    // client's address only.
    const QString peer =
        info.peer.isEmpty() ? peerFromLabel(capture.sessionLabels.value(fileId)) : info.peer;
    const qsizetype arrow = peer.indexOf(QStringLiteral(" → "));
    const QString clientPeer = arrow < 0 ? peer : peer.left(arrow).trimmed();
    QString serverPeer = arrow < 0 ? QString() : peer.mid(arrow + 3).trimmed();

    // The header describes the client leg, and the server leg in its "serverLeg" (files the
    // inspector writes; hyperscope-cli's have none: the server leg's handshake then comes from
    // its rows alone). Both legs share the mode and the feed keys (the relay opens a channel on
    // both legs with one key).
    capture::SessionInfo clientInfo = info;
    clientInfo.serverLeg.reset();
    capture::SessionInfo serverInfo = info.serverLeg ? *info.serverLeg : capture::SessionInfo();
    serverInfo.origin = info.origin;
    serverInfo.noise = info.noise;
    serverInfo.encrypted = info.encrypted;
    if (!serverInfo.initiator)
        serverInfo.initiator = true; // the relay dials the server
    if (!serverInfo.localStaticKey)  // a relay has one static key for both legs (relay.cpp)
        serverInfo.localStaticKey = info.localStaticKey;
    if (!serverInfo.ended)
        serverInfo.ended = info.ended;
    serverInfo.feedKeys = info.feedKeys;
    if (!serverInfo.peer.isEmpty())
        serverPeer = serverInfo.peer;
    // hyperscope-cli's header keeps the end reason of whichever leg failed: it is the client
    // leg's only when no server-leg row reported it.
    if (std::any_of(serverRows.begin(), serverRows.end(), [&info](const capture::Row *row) {
            return row->record.kind == Kind::Error && row->note == info.endReason;
        }))
        clientInfo.endReason.clear();

    fillLeg(session, clientInfo, clientPeer, clientRows, start);
    fillLeg(server, serverInfo, serverPeer, serverRows, start);
    session.m_log->setSessionLabel(session.m_id, session.label());
    // The Flow tab's lifelines: client, hyperscope (the relay), server. Our sockets' addresses
    // are not in a capture; the peers' are.
    for (InspectedSession *leg : {&session, &server}) {
        if (!leg->m_peerAddress.isEmpty())
            session.m_log->setSessionEndpoints(session.m_id, {QString(), leg->m_peerAddress},
                                               leg->m_leg);
    }
    finish(server);
    finish(session);
    // Each leg's Feed tab: its tracker was made after the rows were logged (the client leg's by
    // becomeCapturedRelay()), and its channels know their feed keys only now.
    server.m_feed->rescan();
    session.m_feed->rescan();
}

void CaptureReplay::finish(InspectedSession &session)
{
    session.m_channels->flush();
    session.m_extensions->flush();
    emit session.handshakeChanged();
    emit session.changed();
}

void CaptureReplay::fillLeg(InspectedSession &session, const capture::SessionInfo &info,
                            const QString &peer, const std::vector<const capture::Row *> &rows,
                            qint64 start)
{
    // What the rows say about the mode and the end, for files without a SessionInfo.
    bool sawHandshake = false;
    bool sawEncrypted = false;
    bool sawEnd = false;
    std::optional<Direction> firstHandshake;
    QString lastError;
    for (const capture::Row *row : rows) {
        const MessageLogModel::Record &r = row->record;
        if (r.kind == Kind::Handshake) {
            sawHandshake = true;
            if (r.type == 0 && !firstHandshake)
                firstHandshake = r.direction();
        } else if (r.kind == Kind::Frame || r.kind == Kind::KeepAlive) {
            sawEncrypted = sawEncrypted || !(r.flags & MessageLogModel::PlainOnWire);
        } else if (r.kind == Kind::Error) {
            lastError = row->note;
            sawEnd = true;
        } else if (r.kind == Kind::Event && row->note.startsWith(QLatin1String("Session ended"))) {
            sawEnd = true;
        }
    }

    HandshakeRecord &h = session.m_handshake;
    h.noise = info.noise.value_or(sawHandshake);
    h.encrypted = info.encrypted.value_or(sawEncrypted) && h.noise;
    h.initiator =
        info.initiator.value_or(!firstHandshake || *firstHandshake == Direction::Outbound);
    h.localStaticKey = info.localStaticKey.value_or(Key32{});
    h.remoteStaticKey = info.remoteStaticKey;
    h.handshakeHash = info.handshakeHash;
    h.localNonce = info.localNonce;
    h.remoteNonce = info.remoteNonce;
    session.m_channels->setNoise(h.noise);
    session.m_peerAddress = peer;
    session.m_capturedOrigin = info.origin;

    // The channels' capabilities: a mismatch ends the session with an error naming the channel.
    auto capabilityFailed = [&lastError](const Key32 &discoveryKey) {
        return lastError.contains(QLatin1String("capability")) &&
               lastError.contains(QString::fromStdString(toHex(discoveryKey)));
    };
    std::map<Key32, ChannelState> channels;
    std::map<std::uint64_t, Key32> byLocalId;
    std::map<std::uint64_t, Key32> byRemoteId;
    auto channelEvent = [&](ChannelEvent event, const Key32 &discoveryKey) {
        const ChannelState &c = channels[discoveryKey];
        ChannelTrace trace;
        trace.event = event;
        trace.channel.discoveryKey = discoveryKey;
        if (const auto key = info.feedKeys.find(discoveryKey); key != info.feedKeys.end())
            trace.channel.key = key->second;
        trace.channel.localId = c.localId;
        trace.channel.remoteId = c.remoteId;
        trace.channel.remoteVerified =
            event == ChannelEvent::Verified || event == ChannelEvent::Established;
        trace.channel.established = event == ChannelEvent::Established;
        session.m_channels->applyEvent(trace);
        if (c.localId)
            session.m_extensions->setChannelLabel(
                discoveryKey,
                QObject::tr("channel %1 · %2").arg(*c.localId).arg(shortKeyHex(discoveryKey)));
    };
    auto establishIfBothOpen = [&](const Key32 &discoveryKey) {
        const ChannelState &c = channels[discoveryKey];
        if (!c.localOpen || !c.remoteOpen || capabilityFailed(discoveryKey))
            return;
        channelEvent(ChannelEvent::Verified, discoveryKey);
        channelEvent(ChannelEvent::Established, discoveryKey);
    };

    quint64 bytes[2] = {0, 0}; // by Direction
    qint64 lastTime = start;
    for (const capture::Row *row : rows) {
        const MessageLogModel::Record &r = row->record;
        const Direction direction = r.direction();
        const bool outbound = direction == Direction::Outbound;
        lastTime = std::max(lastTime, r.timeUs);
        const ByteView plain = viewOf(row->plain);
        bytes[int(direction)] += plain.size();

        switch (r.kind) {
        case Kind::Warning:
            ++session.m_warnings;
            continue;
        case Kind::Error:
        case Kind::Event:
            continue;
        case Kind::Handshake: {
            if (r.type > 2)
                continue;
            HandshakeStep &step = h.steps[r.type];
            step.seen = true;
            step.direction = direction;
            step.tokens = QLatin1String(HandshakeTokens[r.type]);
            step.wireSize = int(plain.size());
            step.atMs = (r.timeUs - start) / 1000;
            step.error = row->note;
            // e || payload; e || enc(s) || enc(payload); enc(s) || enc(payload).
            const ByteView message = afterVarint(plain);
            const qsizetype ephemeral = r.type < 2 ? PublicKeySize : 0;
            const qsizetype encryptedStatic = r.type > 0 ? PublicKeySize + MacSize : 0;
            const qsizetype payloadMac = r.type > 0 ? MacSize : 0;
            step.payloadSize = int(std::max<qsizetype>(0, qsizetype(message.size()) - ephemeral -
                                                              encryptedStatic - payloadMac));
            if (ephemeral)
                step.ephemeralKey = arrayOf<32>(message);
            if (r.type > 0)
                step.staticKey = outbound ? info.localStaticKey : info.remoteStaticKey;
            step.payloadNonce = outbound ? info.localNonce : info.remoteNonce;
            if (r.type == 0 && message.size() > std::size_t(PublicKeySize)) {
                // Message 1's payload is in clear: its nonce is in the bytes.
                const ByteView payload = message.subspan(std::size_t(PublicKeySize));
                schema::NoisePayload noisePayload;
                if (noisePayload.ParseFromArray(payload.data(), int(payload.size())))
                    step.payloadNonce =
                        arrayOf<24>(viewOf(QByteArray::fromStdString(noisePayload.nonce())));
            }
            if (!step.error.isEmpty()) {
                h.failedStep = r.type;
                h.failure = step.error;
            }
            if (step.staticKey && !outbound)
                h.remoteStaticKey = step.staticKey;
            continue;
        }
        case Kind::Frame:
        case Kind::KeepAlive:
            break;
        }

        if (outbound)
            ++session.m_framesSent;
        else
            ++session.m_framesReceived;
        if (r.kind == Kind::KeepAlive)
            continue;

        // The channel as the live trace saw it (null when the engine had no channel bound to
        // the frame's id at that moment, e.g. a Close after its id was released).
        const std::optional<Key32> discoveryKey = row->discoveryKey;
        // The payload: after the length and the header varints.
        const ByteView afterLength = afterVarint(plain);
        const ByteView payload = afterVarint(afterLength);
        std::optional<Message> message;
        if (!plain.empty() && r.type <= 10) {
            std::string error;
            message = decodeMessage(r.type, payload, error);
        }
        // Counted before the channel events, in the order a live trace sees them: an Open that
        // creates its channel's row is not counted on it (the engine traces the frame first).
        if (discoveryKey)
            session.m_channels->countFrame(*discoveryKey, direction, plain.size());

        if (const auto *open = message ? std::get_if<schema::Open>(&*message) : nullptr) {
            const std::optional<Key32> key =
                discoveryKey ? discoveryKey
                             : arrayOf<32>(viewOf(QByteArray::fromStdString(open->discoverykey())));
            if (!key)
                continue;
            ChannelState &c = channels[*key];
            if (outbound) {
                c.localOpen = true;
                c.localId = r.channel;
                byLocalId[r.channel] = *key;
            } else {
                c.remoteOpen = true;
                c.remoteId = r.channel;
                byRemoteId[r.channel] = *key;
            }
            channelEvent(outbound ? ChannelEvent::OpenedLocally : ChannelEvent::OpenedByRemote,
                         *key);
            establishIfBothOpen(*key);
        } else if (const auto *close = message ? std::get_if<schema::Close>(&*message) : nullptr) {
            // As the engine: a channel is found by the sender's id, or by the Close's
            // discoveryKey when it names one.
            const std::optional<Key32> named =
                arrayOf<32>(viewOf(QByteArray::fromStdString(close->discoverykey())));
            std::map<std::uint64_t, Key32> &ids = outbound ? byLocalId : byRemoteId;
            std::optional<Key32> key;
            if (const auto bound = ids.find(r.channel); bound != ids.end())
                key = bound->second;
            else if (named && channels.count(*named))
                key = named;
            if (!key)
                continue; // refused before any record, or ignored by the engine (a warning row)
            ChannelState &c = channels[*key];
            auto unbind = [&ids](std::optional<std::uint64_t> &id) {
                if (id)
                    ids.erase(*id);
                id.reset();
            };
            if (outbound && !c.localOpen) {
                channelEvent(ChannelEvent::Refused, *key); // we refused the remote's Open
            } else if (outbound) {
                // Our Close forgets the channel: a later Close of the remote's names nothing.
                channelEvent(ChannelEvent::ClosedLocally, *key);
                byLocalId.erase(*c.localId);
                if (c.remoteId)
                    byRemoteId.erase(*c.remoteId);
                channels.erase(*key);
            } else {
                unbind(c.remoteId);
                c.remoteOpen = false;
                channelEvent(ChannelEvent::ClosedByRemote, *key);
                if (!c.localOpen)
                    channels.erase(*key);
            }
        } else if (const auto *options =
                       message ? std::get_if<schema::Options>(&*message) : nullptr) {
            ExtensionTrace trace;
            trace.discoveryKey = discoveryKey;
            for (const std::string &name : options->extensions())
                trace.names.push_back(name);
            QStringList names;
            for (const std::string &name : trace.names)
                names << QString::fromStdString(name);
            if (outbound && session.isRelayed()) {
                // The relay registers no extension of its own: an Options it sends is the other
                // peer's, forwarded (a raw frame, which the live leg's model does not show).
            } else if (outbound) {
                trace.kind = ExtensionTrace::Kind::LocalRegistered;
                session.m_extensions->apply(trace);
                trace.kind = ExtensionTrace::Kind::Announced;
                session.m_extensions->apply(trace);
                if (discoveryKey)
                    session.m_channels->setLocalExtensions(*discoveryKey, names);
            } else {
                trace.kind = ExtensionTrace::Kind::RemoteAnnounced;
                session.m_extensions->apply(trace);
                if (discoveryKey)
                    session.m_channels->setRemoteExtensions(*discoveryKey, names);
            }
        } else if (r.type == 15 && !plain.empty()) {
            Error error;
            if (const std::optional<ExtensionPayload> extension = decodeExtension(payload, error))
                session.m_extensions->countMessage(discoveryKey, direction, extension->id);
        }
    }

    // The handshake: complete when the file says so (its hash) or all three messages went well.
    const bool allSteps = std::all_of(h.steps.begin(), h.steps.end(), [](const HandshakeStep &s) {
        return s.seen && s.error.isEmpty();
    });
    h.complete = h.noise && (info.handshakeHash.has_value() || (allSteps && h.failure.isEmpty()));
    if (h.noise && !h.complete && h.failure.isEmpty() && !lastError.isEmpty()) {
        h.failure = lastError;
        for (int i = 0; i < 3 && h.failedStep < 0; ++i) {
            if (!h.steps[std::size_t(i)].seen)
                h.failedStep = i;
        }
    }

    const bool ended = info.ended.value_or(sawEnd);
    session.m_endedWithError = !lastError.isEmpty() || !info.endReason.isEmpty();
    session.m_endReason = info.endReason.isEmpty() ? lastError : info.endReason;
    session.m_endedAtMs = (lastTime - start) / 1000;
    session.m_bytesSentAtEnd = bytes[int(Direction::Outbound)];
    session.m_bytesReceivedAtEnd = bytes[int(Direction::Inbound)];
    if (ended)
        session.m_channels->markSessionEnded();
    // A relay holds a channel its peer opened while it lacks the feed key: it opens it on
    // neither leg. Held when saved: opened by this leg's peer, never by the relay, not closed.
    if (session.isRelayed()) {
        for (const auto &[discoveryKey, channel] : channels) {
            if (channel.remoteOpen && !channel.localOpen)
                session.m_capturedHeld.push_back(discoveryKey);
        }
    }
}

namespace {
/// The handshake's public values of @p h into @p info.
void describeHandshake(capture::SessionInfo &info, const HandshakeRecord &h)
{
    info.initiator = h.initiator;
    info.noise = h.noise;
    info.encrypted = h.encrypted;
    if (h.noise) {
        if (h.localStaticKey != Key32{})
            info.localStaticKey = h.localStaticKey;
        info.remoteStaticKey = h.remoteStaticKey;
        info.handshakeHash = h.handshakeHash;
        info.localNonce = h.localNonce;
        info.remoteNonce = h.remoteNonce;
    }
}
} // namespace

capture::SessionInfo CaptureReplay::describe(const InspectedSession &session)
{
    const InspectedSession &s = *session.relayRoot();
    capture::SessionInfo info;
    // A relayed session's peer is "client → server" (older readers show it as it is), unless a
    // leg's peer is unknown: then the client's alone (the server leg's entry has its own).
    const bool bothPeers =
        s.isRelayed() && !s.peerAddress().isEmpty() && !s.serverLeg()->peerAddress().isEmpty();
    info.peer = bothPeers ? s.relayText() : s.peerAddress();
    info.origin = s.isCapture() ? s.m_capturedOrigin : originName(s.origin());
    describeHandshake(info, s.handshake());
    info.ended = s.state() == InspectedSession::State::Ended;
    info.endReason = s.endReason();
    if (const InspectedSession *server = s.serverLeg()) {
        auto leg = std::make_shared<capture::SessionInfo>();
        leg->peer = server->peerAddress();
        describeHandshake(*leg, server->handshake());
        leg->ended = server->ownState() == InspectedSession::State::Ended;
        leg->endReason = server->endReason();
        info.serverLeg = std::move(leg);
    }
    const ChannelTableModel *channels = s.channels();
    for (int row = 0; row < channels->rowCount(); ++row) {
        const ChannelTableModel::Row &r = channels->row(row);
        if (r.key)
            info.feedKeys[r.discoveryKey] = *r.key;
    }
    return info;
}

} // namespace hyperscope
