#include "capturerecorder.h"

#include "hyperscope_version.h"

#include <QSaveFile>

#include <memory>

namespace hyperscope {

CaptureRecorder::CaptureRecorder(QString path)
    : m_path(std::move(path))
{
    m_clock.start();
}

bool CaptureRecorder::checkWritable(QString *error) const
{
    QSaveFile file(m_path);
    if (!file.open(QIODevice::WriteOnly)) {
        if (error)
            *error = QStringLiteral("--capture: %1: %2").arg(m_path, file.errorString());
        return false;
    }
    file.cancelWriting(); // nothing is written until save()
    return true;
}

void CaptureRecorder::sessionStarted(int session, const QString &origin,
                                     std::optional<bool> initiator, bool noise, bool encrypted)
{
    capture::SessionInfo &s = m_sessions[session];
    s.origin = origin;
    s.initiator = initiator;
    s.noise = noise;
    s.encrypted = noise && encrypted;
}

namespace {
bool isServerLeg(const QString &leg)
{
    return leg == QLatin1String("server");
}
} // namespace

void CaptureRecorder::setPeer(int session, const QString &peer, const QString &leg)
{
    (isServerLeg(leg) ? m_serverLegs : m_sessions)[session].peer = peer;
}

void CaptureRecorder::handshakeCompleted(int session, const HandshakeInfo &info, const QString &leg)
{
    capture::SessionInfo &s = (isServerLeg(leg) ? m_serverLegs : m_sessions)[session];
    if (isServerLeg(leg)) { // the relay dialed the upstream peer, over the relay's transport
        s.initiator = true;
        s.noise = m_sessions[session].noise;
        s.encrypted = m_sessions[session].encrypted;
    }
    s.localStaticKey = info.publicKey;
    s.remoteStaticKey = info.remotePublicKey;
    s.handshakeHash = info.handshakeHash;
    s.localNonce = info.localNonce;
    s.remoteNonce = info.remoteNonce;
}

void CaptureRecorder::channelKey(int session, const Key32 &discoveryKey, const Key32 &key)
{
    m_sessions[session].feedKeys[discoveryKey] = key;
}

void CaptureRecorder::sessionEnded(int session, const QString &reason, const QString &leg)
{
    if (isServerLeg(leg)) {
        capture::SessionInfo &server = m_serverLegs[session];
        server.ended = true;
        server.endReason = reason;
    }
    capture::SessionInfo &s = m_sessions[session];
    if (!s.ended || s.endReason.isEmpty()) {
        s.ended = true;
        s.endReason = reason; // a relayed session's failing leg outweighs a clean one
    }
}

void CaptureRecorder::addRow(capture::FormatRow &row)
{
    row.timeUs = m_clock.nsecsElapsed() / 1000;
    // As the reader counts them: bytes decoded, notes in UTF-16.
    const qint64 bytes = row.plain.size() + row.wire.size() + row.note.size() * 2;
    if (rowCount() >= capture::MaxRows || m_rowBytes + bytes > capture::MaxTotalBytes) {
        ++m_droppedRows;
        return;
    }
    if (!m_sessions.contains(row.session))
        m_sessions.insert(row.session, {});
    m_rowBytes += bytes;
    m_rows.push_back(capture::rowLine(row));
}

namespace {

capture::FormatRow rowOf(int session, const QString &leg, Direction direction,
                         capture::FormatRow::Kind kind)
{
    capture::FormatRow row;
    row.session = session;
    row.direction = direction;
    row.kind = kind;
    if (leg == QLatin1String("client"))
        row.leg = capture::FormatRow::Leg::Client;
    else if (leg == QLatin1String("server"))
        row.leg = capture::FormatRow::Leg::Server;
    return row;
}

QByteArray bytesOf(ByteView bytes)
{
    return QByteArray(reinterpret_cast<const char *>(bytes.data()), qsizetype(bytes.size()));
}

} // namespace

void CaptureRecorder::frame(int session, const QString &leg, bool encrypted,
                            const FrameTrace &frame)
{
    capture::FormatRow row = rowOf(session, leg, frame.direction,
                                   frame.keepAlive ? capture::FormatRow::Kind::KeepAlive
                                                   : capture::FormatRow::Kind::Frame);
    row.streamOffset = frame.streamOffset;
    if (!frame.keepAlive)
        row.discoveryKey = frame.discoveryKey;
    row.plain = bytesOf(frame.plain);
    row.encrypted = encrypted;
    if (encrypted && frame.wire.size() == frame.plain.size())
        row.wire = bytesOf(frame.wire);
    addRow(row);
}

void CaptureRecorder::handshake(int session, const QString &leg, const HandshakeTrace &step)
{
    if (step.index < 0 || step.index > 2)
        return;
    capture::FormatRow row =
        rowOf(session, leg, step.direction, capture::FormatRow::Kind::Handshake);
    row.type = quint8(step.index);
    row.plain = bytesOf(step.wire);
    row.note = QString::fromStdString(step.error);
    addRow(row);
}

void CaptureRecorder::note(int session, const QString &leg, capture::FormatRow::Kind kind,
                           Direction direction, const QString &text)
{
    capture::FormatRow row = rowOf(session, leg, direction, kind);
    // The format requires a note on these rows: an empty text still says something happened.
    row.note = text.isEmpty() ? QStringLiteral("(no message)") : text;
    addRow(row);
}

bool CaptureRecorder::save(QString *error) const
{
    auto failed = [this, error](const QString &why) {
        if (error)
            *error = QStringLiteral("--capture: %1: %2").arg(m_path, why);
        return false;
    };
    // A relayed session's entry carries its server leg, and its peer names both ends when both
    // are known ("client → server"), as the inspector saves it.
    QMap<int, capture::SessionInfo> sessions = m_sessions;
    for (auto it = m_serverLegs.constBegin(); it != m_serverLegs.constEnd(); ++it) {
        capture::SessionInfo &s = sessions[it.key()];
        if (!s.peer.isEmpty() && !it->peer.isEmpty())
            s.peer = QStringLiteral("%1 → %2").arg(s.peer, it->peer);
        s.serverLeg = std::make_shared<const capture::SessionInfo>(*it);
    }
    QMap<int, QString> labels;
    for (auto it = sessions.constBegin(); it != sessions.constEnd(); ++it)
        labels.insert(it.key(), it->peer.isEmpty()
                                    ? QStringLiteral("#%1").arg(it.key())
                                    : QStringLiteral("#%1 %2").arg(it.key()).arg(it->peer));
    const QByteArray header = capture::headerLine(
        QStringLiteral("hyperscope-cli " HYPERSCOPE_VERSION), rowCount(), labels, sessions);

    QSaveFile file(m_path);
    if (!file.open(QIODevice::WriteOnly))
        return failed(file.errorString());
    auto put = [&file](const QByteArray &line) {
        return file.write(line) == line.size() && file.write("\n", 1) == 1;
    };
    bool ok = put(header);
    for (const QByteArray &row : m_rows) {
        if (!ok)
            break;
        ok = put(row);
    }
    if (!ok) {
        const QString why = file.errorString();
        file.cancelWriting();
        return failed(why);
    }
    if (!file.commit())
        return failed(file.errorString());
    return true;
}

} // namespace hyperscope
