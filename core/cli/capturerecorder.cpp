#include "capturerecorder.h"

#include "hyperscope_version.h"
#include "jsonevents.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>

namespace hyperscope {

namespace {

// The caps of the format's reader (capturefile.h: MaxRows, MaxTotalBytes): a file the inspector
// would refuse is not written.
constexpr qint64 MaxRows = 2'000'000;
constexpr qint64 MaxTotalBytes = qint64(1) << 30;

QString hexOf(ByteView bytes)
{
    return hexString(bytes);
}

} // namespace

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
    SessionHeader &s = m_sessions[session];
    s.origin = origin;
    s.initiator = initiator;
    s.noise = noise;
    s.encrypted = noise && encrypted;
}

void CaptureRecorder::setPeer(int session, const QString &peer)
{
    m_sessions[session].peer = peer;
}

void CaptureRecorder::handshakeCompleted(int session, const HandshakeInfo &info)
{
    SessionHeader &s = m_sessions[session];
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

void CaptureRecorder::sessionEnded(int session, const QString &reason)
{
    SessionHeader &s = m_sessions[session];
    if (!s.endReason || s.endReason->isEmpty())
        s.endReason = reason; // a relayed session's failing leg outweighs a clean one
}

void CaptureRecorder::addRow(int session, const QByteArray &line, qint64 bytes)
{
    if (rowCount() >= MaxRows || m_rowBytes + bytes > MaxTotalBytes) {
        ++m_droppedRows;
        return;
    }
    m_sessions.try_emplace(session);
    m_rowBytes += bytes;
    m_rows.push_back(line);
}

namespace {

QJsonObject rowStart(qint64 timeUs, int session, const QString &leg, Direction direction,
                     const char *kind)
{
    QJsonObject o{{QStringLiteral("t"), timeUs},
                  {QStringLiteral("session"), session},
                  {QStringLiteral("dir"),
                   direction == Direction::Outbound ? QStringLiteral("out") : QStringLiteral("in")},
                  {QStringLiteral("kind"), QLatin1String(kind)}};
    if (!leg.isEmpty())
        o.insert(QStringLiteral("leg"), leg);
    return o;
}

QByteArray compact(const QJsonObject &o)
{
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

} // namespace

void CaptureRecorder::frame(int session, const QString &leg, bool encrypted,
                            const FrameTrace &frame)
{
    QJsonObject o = rowStart(m_clock.nsecsElapsed() / 1000, session, leg, frame.direction,
                             frame.keepAlive ? "keepalive" : "frame");
    if (frame.streamOffset)
        o.insert(QStringLiteral("offset"), qint64(frame.streamOffset));
    if (frame.discoveryKey && !frame.keepAlive)
        o.insert(QStringLiteral("key"), hexOf(*frame.discoveryKey));
    o.insert(QStringLiteral("plain"), hexOf(frame.plain));
    qint64 bytes = qint64(frame.plain.size());
    if (encrypted) {
        o.insert(QStringLiteral("encrypted"), true);
        if (frame.wire.size() == frame.plain.size()) {
            o.insert(QStringLiteral("wire"), hexOf(frame.wire));
            bytes += qint64(frame.wire.size());
        }
    }
    addRow(session, compact(o), bytes);
}

void CaptureRecorder::handshake(int session, const QString &leg, const HandshakeTrace &step)
{
    if (step.index < 0 || step.index > 2)
        return;
    QJsonObject o =
        rowStart(m_clock.nsecsElapsed() / 1000, session, leg, step.direction, "handshake");
    o.insert(QStringLiteral("step"), step.index);
    o.insert(QStringLiteral("plain"), hexOf(step.wire));
    if (!step.error.empty())
        o.insert(QStringLiteral("note"), QString::fromStdString(step.error));
    addRow(session, compact(o), qint64(step.wire.size()) + qint64(step.error.size()) * 2);
}

void CaptureRecorder::note(int session, const QString &leg, const char *kind, Direction direction,
                           const QString &text)
{
    QJsonObject o = rowStart(m_clock.nsecsElapsed() / 1000, session, leg, direction, kind);
    // The format requires a note on these rows: an empty text still says something happened.
    o.insert(QStringLiteral("note"), text.isEmpty() ? QStringLiteral("(no message)") : text);
    addRow(session, compact(o), qint64(text.size()) * 2);
}

bool CaptureRecorder::save(QString *error) const
{
    auto failed = [this, error](const QString &why) {
        if (error)
            *error = QStringLiteral("--capture: %1: %2").arg(m_path, why);
        return false;
    };
    QJsonArray sessions;
    for (const auto &[id, s] : m_sessions) {
        QJsonObject o{{QStringLiteral("id"), id},
                      {QStringLiteral("label"),
                       s.peer.isEmpty() ? QStringLiteral("#%1").arg(id)
                                        : QStringLiteral("#%1 %2").arg(id).arg(s.peer)}};
        if (!s.peer.isEmpty())
            o.insert(QStringLiteral("peer"), s.peer);
        if (!s.origin.isEmpty())
            o.insert(QStringLiteral("origin"), s.origin);
        if (s.initiator)
            o.insert(QStringLiteral("initiator"), *s.initiator);
        o.insert(QStringLiteral("noise"), s.noise);
        o.insert(QStringLiteral("encrypted"), s.encrypted);
        if (s.localStaticKey)
            o.insert(QStringLiteral("localStaticKey"), hexOf(*s.localStaticKey));
        if (s.remoteStaticKey)
            o.insert(QStringLiteral("remoteStaticKey"), hexOf(*s.remoteStaticKey));
        if (s.handshakeHash)
            o.insert(QStringLiteral("handshakeHash"), hexOf(*s.handshakeHash));
        if (s.localNonce)
            o.insert(QStringLiteral("localNonce"), hexOf(*s.localNonce));
        if (s.remoteNonce)
            o.insert(QStringLiteral("remoteNonce"), hexOf(*s.remoteNonce));
        o.insert(QStringLiteral("ended"), s.endReason.has_value());
        if (s.endReason && !s.endReason->isEmpty())
            o.insert(QStringLiteral("endReason"), *s.endReason);
        if (!s.feedKeys.empty()) {
            QJsonArray channels;
            for (const auto &[discoveryKey, key] : s.feedKeys)
                channels.append(QJsonObject{{QStringLiteral("discoveryKey"), hexOf(discoveryKey)},
                                            {QStringLiteral("key"), hexOf(key)}});
            o.insert(QStringLiteral("channels"), channels);
        }
        sessions.append(o);
    }
    const QJsonObject header{
        {QStringLiteral("format"), QStringLiteral("hyperscope-capture")},
        {QStringLiteral("version"), 1},
        {QStringLiteral("generator"), QStringLiteral("hyperscope-cli " HYPERSCOPE_VERSION)},
        {QStringLiteral("created"), QDateTime::currentDateTimeUtc().toString(Qt::ISODate)},
        {QStringLiteral("rows"), rowCount()},
        {QStringLiteral("sessions"), sessions},
    };

    QSaveFile file(m_path);
    if (!file.open(QIODevice::WriteOnly))
        return failed(file.errorString());
    auto put = [&file](const QByteArray &line) {
        return file.write(line) == line.size() && file.write("\n", 1) == 1;
    };
    bool ok = put(compact(header));
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
