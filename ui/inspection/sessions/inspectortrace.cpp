#include "inspectortrace.h"

#include "inspectedsession.h"
#include "noise.h"

#include <QRegularExpression>

#include <algorithm>

namespace hyperscope {

namespace {
QStringList toStringList(const std::vector<std::string> &names)
{
    QStringList list;
    for (const std::string &name : names)
        list << QString::fromStdString(name);
    return list;
}
} // namespace

InspectorTrace::InspectorTrace(InspectedSession &session, MessageLogModel &log)
    : m_session(session)
    , m_log(log)
{
    const EngineOptions &options = session.engine()->options();
    m_wire = (options.noise && options.encrypted) ? MessageLogModel::WireStorage::Store
                                                  : MessageLogModel::WireStorage::SameAsPlain;
    // The handshake lesson's chaining and cipher keys are as secret as the transport keys: wiped
    // like them when the session goes.
    QObject::connect(&session, &InspectedSession::aboutToBeDestroyed, &session, [&session] {
        for (HandshakeStep &step : session.m_handshake.steps)
            NoiseHandshake::wipeSteps(step.noiseSteps);
    });
}

void InspectorTrace::traceHandshake(const HandshakeTrace &step)
{
    m_log.appendHandshake(m_session.id(), step, m_session.leg());
    if (step.index < 0 || step.index > 2)
        return;
    HandshakeStep &s = m_session.m_handshake.steps[std::size_t(step.index)];
    s.seen = true;
    s.direction = step.direction;
    s.tokens = QString::fromLatin1(step.tokens.data(), qsizetype(step.tokens.size()));
    s.wireSize = int(step.wire.size());
    s.payloadSize = int(step.payload.size());
    s.ephemeralKey = step.ephemeralKey;
    s.staticKey = step.staticKey;
    s.payloadNonce = step.payloadNonce;
    s.error = QString::fromStdString(step.error);
    s.atMs = m_session.durationMs();
    s.noiseSteps.assign(step.noiseSteps.begin(), step.noiseSteps.end());
    if (!step.error.empty()) {
        m_session.m_handshake.failedStep = step.index;
        m_session.m_handshake.failure = s.error;
    }
    if (step.staticKey && step.direction == Direction::Inbound)
        m_session.m_handshake.remoteStaticKey = step.staticKey;
    emit m_session.handshakeChanged();
    emit m_session.changed();
}

InspectorTrace::~InspectorTrace()
{
    if (m_split) {
        crypto::wipe(m_split->tx);
        crypto::wipe(m_split->rx);
    }
}

void InspectorTrace::traceHandshakeComplete(const HandshakeInfo &info)
{
    HandshakeRecord &h = m_session.m_handshake;
    h.complete = true;
    h.remoteStaticKey = info.remotePublicKey;
    h.handshakeHash = info.handshakeHash;
    h.localNonce = info.localNonce;
    h.remoteNonce = info.remoteNonce;
    if (m_wire != MessageLogModel::WireStorage::SameAsPlain) {
        m_split = info.split;
        m_localNonce = info.localNonce;
        m_remoteNonce = info.remoteNonce;
        m_log.setTransportKeys(m_session.id(), info.split, info.localNonce, info.remoteNonce,
                               m_session.leg());
        m_wire = MessageLogModel::WireStorage::Recompute;
    }
    m_log.appendNote(m_session.id(), MessageLogModel::Kind::Event, Direction::Inbound, 0,
                     QObject::tr("Handshake complete: remote static key %1…, handshake hash %2…")
                         .arg(QString::fromStdString(toHex(info.remotePublicKey)).left(16))
                         .arg(QString::fromStdString(toHex(info.handshakeHash)).left(16)),
                     m_session.leg());
    emit m_session.handshakeChanged();
    emit m_session.changed();
}

bool InspectorTrace::wireMatches(const FrameTrace &frame) const
{
    if (!m_split || frame.wire.size() != frame.plain.size())
        return false;
    const bool outbound = frame.direction == Direction::Outbound;
    const crypto::XSalsa20Stream stream(outbound ? m_split->tx : m_split->rx,
                                        outbound ? m_localNonce : m_remoteNonce);
    Bytes bytes(frame.plain.begin(), frame.plain.end());
    stream.applyAt(frame.streamOffset, bytes);
    return std::equal(bytes.begin(), bytes.end(), frame.wire.begin());
}

void InspectorTrace::traceFrame(const FrameTrace &frame)
{
    if (m_wire == MessageLogModel::WireStorage::Recompute) {
        int &checks = m_checksLeft[frame.direction == Direction::Outbound ? 1 : 0];
        if (checks > 0) {
            --checks;
            if (!wireMatches(frame)) {
                m_wire = MessageLogModel::WireStorage::Store;
                m_log.appendNote(m_session.id(), MessageLogModel::Kind::Warning, frame.direction,
                                 frame.streamOffset,
                                 QObject::tr("Inspector: wire bytes could not be recomputed from "
                                             "the transport keys; storing them instead"),
                                 m_session.leg());
            }
        }
    }

    QString extensionName;
    if (!frame.keepAlive && frame.type == 15 && frame.extension)
        extensionName = m_session.m_extensions->countMessage(frame.discoveryKey, frame.direction,
                                                             frame.extension->id);
    m_log.appendFrame(m_session.id(), frame, m_wire, extensionName, m_session.leg());

    if (frame.direction == Direction::Outbound)
        ++m_session.m_framesSent;
    else
        ++m_session.m_framesReceived;
    if (frame.discoveryKey)
        m_session.m_channels->countFrame(*frame.discoveryKey, frame.direction, frame.plain.size());
}

void InspectorTrace::traceChannel(const ChannelTrace &channel)
{
    m_session.m_channels->applyEvent(channel);
    if (channel.channel.localId)
        m_session.m_extensions->setChannelLabel(
            channel.channel.discoveryKey, QObject::tr("channel %1 · %2")
                                              .arg(*channel.channel.localId)
                                              .arg(shortKeyHex(channel.channel.discoveryKey)));
    emit m_session.changed();
}

void InspectorTrace::traceExtensions(const ExtensionTrace &extensions)
{
    m_session.m_extensions->apply(extensions);
    if (extensions.discoveryKey) {
        const QStringList names = toStringList(extensions.names);
        if (extensions.kind == ExtensionTrace::Kind::LocalRegistered)
            m_session.m_channels->setLocalExtensions(*extensions.discoveryKey, names);
        else if (extensions.kind == ExtensionTrace::Kind::RemoteAnnounced)
            m_session.m_channels->setRemoteExtensions(*extensions.discoveryKey, names);
    }
}

void InspectorTrace::traceWarning(const WarningTrace &warning)
{
    ++m_session.m_warnings;
    m_log.appendNote(m_session.id(), MessageLogModel::Kind::Warning, warning.direction,
                     warning.streamOffset, QString::fromStdString(warning.message),
                     m_session.leg());
}

void InspectorTrace::traceError(const Error &error)
{
    const QString text = m_session.describeError(error);
    m_log.appendNote(m_session.id(), MessageLogModel::Kind::Error, Direction::Inbound, 0, text,
                     m_session.leg());
    HandshakeRecord &h = m_session.m_handshake;
    if (h.noise && !h.complete && h.failure.isEmpty()) {
        // Which message failed: the engine names it ("handshake message 2: ..."); a refused key
        // or a bad payload belongs to the last message read; anything else (timeout, lost
        // connection) to the first message that never came.
        int step = -1;
        const QRegularExpressionMatch match =
            QRegularExpression(QStringLiteral("handshake message ([123])")).match(text);
        if (m_session.neverConnected()) {
            h.neverConnected = true; // nothing was sent: no message failed
        } else if (match.hasMatch()) {
            step = match.captured(1).toInt() - 1;
        } else if (error.code == ErrorCode::RemoteKeyRejected ||
                   error.code == ErrorCode::BadHandshakePayload) {
            for (int i = 2; i >= 0 && step < 0; --i) {
                const HandshakeStep &s = h.steps[std::size_t(i)];
                if (s.seen && s.direction == Direction::Inbound)
                    step = i;
            }
        } else {
            for (int i = 0; i < 3 && step < 0; ++i) {
                if (!h.steps[std::size_t(i)].seen)
                    step = i;
            }
        }
        h.failedStep = step;
        h.failure = text;
        emit m_session.handshakeChanged();
    }
    emit m_session.changed();
}

} // namespace hyperscope
