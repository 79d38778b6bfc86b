// A hyperscope-capture file of a real hypercore 9 replication: the "sequential" conversation of
// tests/vectors/feed.json (a clone wants the feed, the writer announces 13 blocks with two Haves,
// the clone requests blocks 0..12 one by one and each Data arrives with its proof), seen from the
// clone as session 1 (both Opens of the channel first; then its Want and Requests "out", the
// writer's Haves and Data "in"), with the
// feed key in the session's header as the inspector and hyperscope-cli write it. One Data can be
// tampered (a bit of its value flipped) so that it fails verification; the others verify.
// For the tests of the filter's feed fields (`verified`, `verdict`, `verifyError`, `blocks`) in
// `hyperscope-cli read` and in the inspector's log.
#pragma once

#include "captureformat.h"
#include "framer.h"
#include "messagejson.h"
#include "vectors.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonObject>

#include <optional>

namespace hyperscope::test {

/// The feed of tests/vectors/feed.json: its key and discovery key.
inline Key32 feedCaptureKey()
{
    return key32(loadVectors(QStringLiteral("feed.json"))["feed"].toObject()["key"]);
}
inline Key32 feedCaptureDiscoveryKey()
{
    return key32(loadVectors(QStringLiteral("feed.json"))["feed"].toObject()["discoveryKey"]);
}

/// Writes the capture described above to @p path. @p tamperedBlock: the block whose Data arrives
/// with one bit of its value flipped. @p withFeedKey false leaves the feed key out of the header
/// (a channel the remote opened: nothing can be verified). Returns an error, empty on success.
inline QString writeFeedCapture(const QString &path, std::optional<std::uint64_t> tamperedBlock,
                                bool withFeedKey = true)
{
    const QJsonObject vectors = loadVectors(QStringLiteral("feed.json"));
    const Key32 discoveryKey = key32(vectors["feed"].toObject()["discoveryKey"]);
    QList<QByteArray> lines;
    qint64 timeUs = 0;
    const auto addRow = [&](Direction direction, MessageType type, const Message &message) {
        Bytes payload;
        appendMessage(payload, message);
        Bytes frame;
        appendFrame(frame, 0, type, payload);
        capture::FormatRow row;
        row.timeUs = (timeUs += 1000);
        row.session = 1;
        row.direction = direction;
        row.kind = capture::FormatRow::Kind::Frame;
        row.plain =
            QByteArray(reinterpret_cast<const char *>(frame.data()), qsizetype(frame.size()));
        row.discoveryKey = discoveryKey;
        lines.append(capture::rowLine(row));
    };
    // Both sides open the channel (the inspector rebuilds its channel table from the Opens).
    for (const Direction direction : {Direction::Outbound, Direction::Inbound}) {
        schema::Open open;
        open.set_discoverykey(std::string(discoveryKey.begin(), discoveryKey.end()));
        open.set_capability(std::string(32, direction == Direction::Outbound ? '\x01' : '\x02'));
        addRow(direction, MessageType::Open, open);
    }
    for (const QJsonValue &entry : vectors["replications"].toObject()["sequential"].toArray()) {
        const QString from = entry["from"].toString();
        QString typeName = entry["type"].toString();
        typeName[0] = typeName[0].toUpper();
        const std::optional<MessageType> type = messageTypeFromName(typeName.toStdString());
        if (!type)
            return QStringLiteral("feed.json: unknown type ") + typeName;
        QString error;
        std::optional<Message> message = messageFromJson(*type, entry["message"].toObject(), error);
        if (!message)
            return QStringLiteral("feed.json: ") + error;
        if (auto *data = std::get_if<schema::Data>(&*message);
            data && tamperedBlock && data->index() == *tamperedBlock)
            (*data->mutable_value())[0] ^= 1;
        addRow(from == QLatin1String("sequential") ? Direction::Outbound : Direction::Inbound,
               *type, *message);
    }
    capture::SessionInfo info;
    info.peer = QStringLiteral("127.0.0.1:4000");
    info.origin = QStringLiteral("dialed");
    if (withFeedKey)
        info.feedKeys[discoveryKey] = key32(vectors["feed"].toObject()["key"]);
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return file.errorString();
    file.write(capture::headerLine(QStringLiteral("tests/common/feedcapture.h"), lines.size(),
                                   {{1, QStringLiteral("#1 sequential clone")}}, {{1, info}}) +
               '\n');
    for (const QByteArray &line : std::as_const(lines))
        file.write(line + '\n');
    return file.error() == QFileDevice::NoError ? QString() : file.errorString();
}

} // namespace hyperscope::test
