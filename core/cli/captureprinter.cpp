#include "captureprinter.h"

#include "eventfilter.h"
#include "feedevents.h"
#include "jsonevents.h"
#include "messages.h"

#include <map>

namespace hyperscope {

namespace {

ByteView viewOf(const QByteArray &bytes)
{
    return {reinterpret_cast<const std::uint8_t *>(bytes.constData()), std::size_t(bytes.size())};
}

/// Adds what every event of a row carries beyond the live shape.
template<typename Event> Event rowFields(Event event, const CaptureRow &row)
{
    event.insert(QStringLiteral("direction"), row.direction == Direction::Outbound
                                                  ? QStringLiteral("out")
                                                  : QStringLiteral("in"));
    event.insert(QStringLiteral("timeUs"), double(row.timeUs));
    if (const QString leg = legName(row); !leg.isEmpty())
        event.insert(QStringLiteral("leg"), leg);
    return event;
}

} // namespace

void printCapture(const CaptureContents &capture, EventPrinter &printer, const EventFilter &filter,
                  bool frames, FeedEventAnnotator::Verification verification)
{
    // The feed layer's bookkeeping per leg ("" own sessions, "client", "server"): a relayed
    // message is in the capture twice (received on one leg, sent on the other), and each leg
    // judges what it saw, as the inspector's FeedTracker does per leg.
    std::map<QString, FeedEventAnnotator> feeds;
    for (const CaptureRow &row : capture.rows) {
        const QString leg = legName(row);
        switch (row.kind) {
        case CaptureRow::Kind::Warning:
            if (filter.passesWarning(row.session, leg, row.note))
                printer.print(rowFields(warningEvent(row.session, row.note), row));
            continue;
        case CaptureRow::Kind::Error:
            printer.print(rowFields(errorEvent(row.session, row.note), row));
            continue;
        case CaptureRow::Kind::Handshake:
        case CaptureRow::Kind::Event:
            continue;
        case CaptureRow::Kind::Frame:
        case CaptureRow::Kind::KeepAlive:
            break;
        }
        if (row.bytesDropped)
            continue; // the log had no memory left for its bytes: nothing to decode
        const bool keepAlive = row.kind == CaptureRow::Kind::KeepAlive;
        const std::optional<CapturedFrame> cut =
            keepAlive ? std::optional<CapturedFrame>(CapturedFrame{}) : splitFrame(row.plain);
        if (!cut)
            continue; // the reader checked: cannot happen
        FrameTrace trace;
        trace.direction = row.direction;
        trace.streamOffset = row.streamOffset;
        trace.plain = viewOf(row.plain);
        trace.wire = row.wire.isEmpty() ? trace.plain : viewOf(row.wire);
        trace.keepAlive = keepAlive;
        trace.channel = cut->channel;
        trace.type = cut->type;
        trace.discoveryKey = row.discoveryKey;
        if (frames && filter.passesFrame(row.session, leg, trace))
            printer.print(rowFields(QJsonObject(frameEvent(row.session, trace)), row));
        if (keepAlive)
            continue;

        if (cut->type == std::uint8_t(MessageType::Extension)) {
            std::string why;
            const std::optional<ExtensionPayload> extension = decodeExtension(cut->payload, why);
            if (!extension) {
                const QString message = QStringLiteral("line %1: extension frame does not "
                                                       "decode: %2")
                                            .arg(row.line)
                                            .arg(QString::fromStdString(why));
                if (filter.passesWarning(row.session, leg, message))
                    printer.print(rowFields(warningEvent(row.session, message), row));
                continue;
            }
            const std::optional<std::string> name =
                row.note.isEmpty() ? std::nullopt : std::optional(row.note.toStdString());
            const QByteArray payload(reinterpret_cast<const char *>(extension->data.data()),
                                     qsizetype(extension->data.size()));
            if (filter.passesExtension(row.session, leg, row.discoveryKey, name,
                                       std::size_t(payload.size())))
                printer.print(rowFields(
                    extensionEvent(row.session, row.discoveryKey, name, extension->id, payload),
                    row));
            continue;
        }
        if (cut->type > std::uint8_t(MessageType::Close))
            continue; // unassigned types: only --trace shows them (above)
        std::string why;
        const std::optional<Message> message = decodeMessage(cut->type, cut->payload, why);
        if (!message) {
            const QString text =
                QStringLiteral("line %1: %2 frame does not decode: %3")
                    .arg(row.line)
                    .arg(QString::fromLatin1(messageTypeName(cut->type).data(),
                                             qsizetype(messageTypeName(cut->type).size())))
                    .arg(QString::fromStdString(why));
            if (filter.passesWarning(row.session, leg, text))
                printer.print(rowFields(warningEvent(row.session, text), row));
            continue;
        }
        ChannelInfo channel;
        channel.discoveryKey = row.discoveryKey.value_or(Key32{});
        // The header's channel id: the sender's (ours for "out", the peer's for "in"), as the
        // inspector's log shows it.
        channel.localId = row.channel;
        if (row.discoveryKey) {
            const auto session = capture.sessions.constFind(row.session);
            if (session != capture.sessions.constEnd()) {
                const auto key = session->feedKeys.find(*row.discoveryKey);
                if (key != session->feedKeys.end())
                    channel.key = key->second;
            }
        }
        JsonEvent event = messageEvent(row.session, channel, *message);
        std::optional<feed::Verdict> verdict;
        if (row.discoveryKey) {
            const feed::Side sender =
                row.direction == Direction::Outbound ? feed::Side::Local : feed::Side::Remote;
            FeedEventAnnotator &feed = feeds.try_emplace(leg, verification).first->second;
            verdict = feed.annotate(event, row.session, channel, sender, *message).verdict;
        }
        if (!filter.passesMessage(row.session, leg, row.direction, channel, *message,
                                  verdict ? &*verdict : nullptr))
            continue;
        printer.print(rowFields(std::move(event), row));
    }
}

} // namespace hyperscope
