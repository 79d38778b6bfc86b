#include "eventfilter.h"

#include "feedverifier.h"

namespace hyperscope {

EventFilter::EventFilter(filter::Filter filter)
    : m_filter(std::move(filter))
{
    m_clock.start();
}

filter::Row EventFilter::baseRow(int session, const QString &leg) const
{
    filter::Row row;
    row.session = static_cast<std::uint64_t>(session);
    if (leg == QLatin1String("client"))
        row.leg = filter::Leg::Client;
    else if (leg == QLatin1String("server"))
        row.leg = filter::Leg::Server;
    row.time = static_cast<std::uint64_t>(m_clock.elapsed());
    return row;
}

bool EventFilter::passesMessage(int session, const QString &leg, Direction direction,
                                const ChannelInfo &channel, const Message &message,
                                const feed::Verdict *verdict) const
{
    if (m_filter.isEmpty())
        return true;
    filter::Row row = baseRow(session, leg);
    row.type = static_cast<int>(messageType(message));
    row.direction = direction;
    row.channel = channel.localId;
    row.discoveryKey = ByteView(channel.discoveryKey);
    if (channel.key)
        row.feedKey = ByteView(*channel.key);
    // The message event has no frame: its size is the protobuf payload's.
    row.size = messageSize(message);
    if (m_filter.usesMessageFields())
        filter::setMessage(row, message, m_scratch);
    if (verdict)
        filter::setVerdict(row, *verdict);
    return m_filter.matches(row);
}

bool EventFilter::passesFrame(int session, const QString &leg, const FrameTrace &frame) const
{
    if (m_filter.isEmpty())
        return true;
    filter::Row row = baseRow(session, leg);
    // The fields the frame event prints: type, channel (the header's) and size from the frame.
    if (!filter::setFrame(row, frame.plain)) {
        row.type = frame.keepAlive ? filter::Row::KeepaliveType : frame.type;
        row.channel = frame.channel;
        row.size = frame.plain.size();
    }
    row.direction = frame.direction;
    if (frame.discoveryKey)
        row.discoveryKey = ByteView(*frame.discoveryKey);
    return m_filter.matches(row);
}

bool EventFilter::passesExtension(int session, const QString &leg,
                                  const std::optional<Key32> &discoveryKey,
                                  const std::optional<std::string> &name,
                                  std::size_t payloadSize) const
{
    if (m_filter.isEmpty())
        return true;
    filter::Row row = baseRow(session, leg);
    row.type = static_cast<int>(MessageType::Extension);
    row.direction = Direction::Inbound;
    if (discoveryKey)
        row.discoveryKey = ByteView(*discoveryKey);
    if (name)
        row.extension = *name;
    row.size = payloadSize;
    return m_filter.matches(row);
}

bool EventFilter::passesWarning(int session, const QString &leg, const QString &message) const
{
    if (m_filter.isEmpty())
        return true;
    filter::Row row = baseRow(session, leg);
    const std::string text = message.toStdString();
    row.warning = text;
    return m_filter.matches(row);
}

} // namespace hyperscope
