#include "interceptor.h"

#include <algorithm>
#include <atomic>

namespace hyperscope {

namespace {

/// Ids are unique in the process: the CLI names a held message by its id alone.
std::atomic<std::uint64_t> nextInterceptId{1};

std::string typeName(const Message &message)
{
    return std::string(messageTypeName(static_cast<std::uint8_t>(messageType(message))));
}

} // namespace

Interceptor::Interceptor(Listener *listener)
    : m_listener(listener)
{}

void Interceptor::setContext(std::optional<std::uint64_t> session, filter::Leg leg)
{
    m_session = session;
    m_leg = leg;
}

void Interceptor::setFilter(filter::Filter filter)
{
    m_filter = std::move(filter);
    m_on = !m_filter.isEmpty();
    if (!m_on)
        releaseAll();
}

bool Interceptor::matches(Direction direction, const ChannelInfo &channel,
                          const Message &message) const
{
    filter::Row row;
    row.type = static_cast<int>(messageType(message));
    row.direction = direction;
    row.session = m_session;
    row.leg = m_leg;
    row.channel = channel.localId;
    row.discoveryKey = ByteView(channel.discoveryKey);
    if (channel.key)
        row.feedKey = ByteView(*channel.key);
    row.size = messageSize(message);
    if (m_filter.usesMessageFields())
        filter::setMessage(row, message, m_scratch);
    return m_filter.matches(row);
}

bool Interceptor::offerSlow(Direction direction, const ChannelInfo &channel, const Message &message)
{
    if (direction == Direction::Outbound && !m_outgoing)
        return false;
    const LaneKey key{static_cast<int>(direction), channel.discoveryKey};
    const auto lane = m_lanes.find(key);
    const bool waitingOnLane = lane != m_lanes.end() && !lane->second.empty();
    const bool matched = m_on && matches(direction, channel, message);
    if (!waitingOnLane && !matched)
        return false;

    const std::size_t bytes = messageSize(message);
    if (m_waiting + 1 > interceptlimits::MaxHeldMessages ||
        m_waitingBytes + bytes > interceptlimits::MaxHeldBytes) {
        if (m_listener) {
            m_listener->warning(
                "intercept: " + std::to_string(m_waiting) + " messages (" +
                std::to_string(m_waitingBytes) + " bytes) already wait in this session, the most " +
                "it holds: this " + typeName(message) + " on channel " +
                toHex(channel.discoveryKey) + " passes without being held" +
                (waitingOnLane ? ", ahead of the messages waiting on its channel" : ""));
        }
        return false;
    }

    Entry entry;
    entry.bytes = bytes;
    entry.state = matched ? State::Held : State::Queued;
    entry.id = matched ? nextInterceptId.fetch_add(1) : 0;
    entry.message = InterceptedMessage{entry.id, direction, channel, message};
    std::deque<Entry> &queue = m_lanes[key];
    queue.push_back(std::move(entry));
    ++m_waiting;
    m_waitingBytes += bytes;
    if (matched && m_listener)
        m_listener->held(queue.back().message);
    return true;
}

std::pair<std::map<Interceptor::LaneKey, std::deque<Interceptor::Entry>>::iterator,
          Interceptor::Entry *>
Interceptor::find(std::uint64_t id)
{
    if (id == 0)
        return {m_lanes.end(), nullptr};
    for (auto lane = m_lanes.begin(); lane != m_lanes.end(); ++lane) {
        for (Entry &entry : lane->second) {
            if (entry.id == id && entry.state == State::Held)
                return {lane, &entry};
        }
    }
    return {m_lanes.end(), nullptr};
}

bool Interceptor::holds(std::uint64_t id) const
{
    return const_cast<Interceptor *>(this)->find(id).second != nullptr;
}

std::vector<InterceptedMessage> Interceptor::heldMessages() const
{
    std::vector<InterceptedMessage> out;
    for (const auto &[key, queue] : m_lanes) {
        for (const Entry &entry : queue) {
            if (entry.state == State::Held)
                out.push_back(entry.message);
        }
    }
    std::sort(out.begin(), out.end(),
              [](const InterceptedMessage &a, const InterceptedMessage &b) { return a.id < b.id; });
    return out;
}

Error Interceptor::resume(std::uint64_t id, std::optional<Message> edited)
{
    const auto [lane, entry] = find(id);
    if (!entry)
        return {ErrorCode::InvalidArgument, "no held message with id " + std::to_string(id)};
    if (edited && messageType(*edited) != messageType(entry->message.message)) {
        return {ErrorCode::InvalidArgument,
                "held message " + std::to_string(id) + " is a " + typeName(entry->message.message) +
                    ", not a " + typeName(*edited) + ": an edited message keeps its type"};
    }
    entry->state = State::Released;
    if (edited) {
        entry->edited = true;
        entry->message.message = std::move(*edited);
    }
    const LaneKey key = lane->first;
    drain(key);
    return {};
}

Error Interceptor::drop(std::uint64_t id)
{
    const auto [lane, entry] = find(id);
    if (!entry)
        return {ErrorCode::InvalidArgument, "no held message with id " + std::to_string(id)};
    const LaneKey key = lane->first;
    std::deque<Entry> &queue = lane->second;
    for (auto it = queue.begin(); it != queue.end(); ++it) {
        if (&*it == entry) {
            forget(*it);
            queue.erase(it);
            break;
        }
    }
    if (queue.empty())
        m_lanes.erase(lane);
    if (m_listener)
        m_listener->dropped(id, "dropped");
    drain(key);
    return {};
}

void Interceptor::releaseAll()
{
    std::vector<LaneKey> keys;
    for (auto &[key, queue] : m_lanes) {
        keys.push_back(key);
        for (Entry &entry : queue) {
            if (entry.state == State::Held)
                entry.state = State::Released;
        }
    }
    for (const LaneKey &key : keys)
        drain(key);
}

void Interceptor::endSession(const std::string &reason)
{
    std::map<LaneKey, std::deque<Entry>> lanes;
    lanes.swap(m_lanes);
    m_waiting = 0;
    m_waitingBytes = 0;
    std::size_t queued = 0;
    for (const auto &[key, queue] : lanes) {
        for (const Entry &entry : queue) {
            if (entry.id == 0)
                ++queued;
            else if (m_listener)
                m_listener->dropped(entry.id, reason);
        }
    }
    if (queued && m_listener) {
        m_listener->warning("intercept: " + std::to_string(queued) +
                            " messages waiting behind held ones were dropped: " + reason);
    }
}

void Interceptor::forget(const Entry &entry)
{
    --m_waiting;
    m_waitingBytes -= entry.bytes;
}

void Interceptor::drain(const LaneKey &key)
{
    // Looked up afresh after every delivery: deliver() may resume, drop or release re-entrantly.
    for (;;) {
        const auto lane = m_lanes.find(key);
        if (lane == m_lanes.end())
            return;
        if (lane->second.empty()) {
            m_lanes.erase(lane);
            return;
        }
        if (lane->second.front().state == State::Held)
            return;
        Entry entry = std::move(lane->second.front());
        lane->second.pop_front();
        if (lane->second.empty())
            m_lanes.erase(lane);
        forget(entry);
        if (!m_listener)
            continue;
        const InterceptedMessage &m = entry.message;
        m_listener->deliver(m.direction, m.channel, m.message);
        if (entry.id != 0)
            m_listener->released(entry.id, entry.edited);
    }
}

} // namespace hyperscope
