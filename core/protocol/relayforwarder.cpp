#include "relayforwarder.h"

#include <algorithm>

namespace hyperscope {

namespace {

std::string legName(RelayLeg leg)
{
    return std::string(relayLegId(leg));
}

/// Names what was not forwarded, in warnings only: no allocation on the forwarding path.
std::string_view typeName(const Message &message)
{
    return messageTypeName(static_cast<std::uint8_t>(messageType(message)));
}

} // namespace

std::string_view relayLegId(RelayLeg leg)
{
    return leg == RelayLeg::Client ? "client" : "server";
}

RelayForwarder::RelayForwarder(RelayPort *client, RelayPort *server, Listener *listener,
                               std::map<Key32, Key32> keys)
    : m_ports{client, server}
    , m_listener(listener)
    , m_keys(std::move(keys))
{}

void RelayForwarder::warn(RelayLeg leg, std::string message)
{
    if (m_listener)
        m_listener->warning(leg, message);
}

// --- Events ------------------------------------------------------------------------------------

void RelayForwarder::onDiscoveryKey(RelayLeg from, const Key32 &discoveryKey)
{
    if (const auto known = m_keys.find(discoveryKey); known != m_keys.end()) {
        openOnBothLegs(discoveryKey, known->second);
        return;
    }
    m_held[discoveryKey][std::size_t(index(from))] = true;
    if (m_listener)
        m_listener->channelHeld(from, discoveryKey);
    warn(from, "the " + legName(from) + " peer opened channel " + toHex(discoveryKey) +
                   ", whose feed key the relay does not know: the Open is held and nothing is "
                   "forwarded on that channel until its feed key is added to the relay (addKey)");
}

void RelayForwarder::openOnBothLegs(const Key32 &discoveryKey, const Key32 &feedKey)
{
    m_held.erase(discoveryKey);
    for (const RelayLeg leg : {RelayLeg::Client, RelayLeg::Server}) {
        RelayPort &p = port(leg);
        if (!p.isAlive())
            continue;
        // Before the leg's handshake completed the engine queues the Open.
        if (const Error error = p.openChannel(feedKey)) {
            warn(leg, "cannot open channel " + toHex(discoveryKey) + " on the " + legName(leg) +
                          " leg: " + error.message);
        }
    }
}

void RelayForwarder::onChannelOpen(RelayLeg from, const ChannelInfo &channel)
{
    const RelayPort &peer = port(otherLeg(from));
    const Engine *engine = peer.engine();
    if (!engine)
        return;
    const auto there = engine->channel(channel.discoveryKey);
    if (there && there->established &&
        std::find(m_forwarded.begin(), m_forwarded.end(), channel.discoveryKey) ==
            m_forwarded.end()) {
        m_forwarded.push_back(channel.discoveryKey);
        if (m_listener)
            m_listener->channelForwarded(channel.discoveryKey);
    }
}

void RelayForwarder::onMessage(RelayLeg from, const ChannelInfo &channel, const Message &message)
{
    const RelayLeg to = otherLeg(from);
    if (messageType(message) == MessageType::Close) {
        // The Close of a channel already closed on the other leg (close(), or both peers closed
        // at once) has nothing left to close there.
        RelayPort &p = port(to);
        const auto there =
            p.isAlive() && p.engine() ? p.engine()->channel(channel.discoveryKey) : std::nullopt;
        if (there && there->localId)
            forwarded(from, p.closeChannel(channel.discoveryKey), typeName(message));
        return;
    }
    if (!targetChannel(from, channel.discoveryKey, typeName(message)))
        return;
    // Options too: same names in the same order, so that extension ids keep their meaning.
    forwarded(from, port(to).send(channel.discoveryKey, message), typeName(message));
}

void RelayForwarder::onStreamOptions(RelayLeg from, const schema::Options &options)
{
    // Verbatim: the same names in the same order (every reader's ids keep meaning what the sender
    // meant), ack, and fields this schema does not know; also an Options without names.
    constexpr std::string_view what = "stream Options";
    RelayPort *to = target(from, what);
    if (!to)
        return;
    Bytes payload;
    appendMessage(payload, Message(options));
    forwarded(from, to->sendFrame(0, static_cast<std::uint8_t>(MessageType::Options), payload),
              what);
}

void RelayForwarder::onRemoteChannelClosed(RelayLeg from, const Key32 &discoveryKey)
{
    // The peer took back an Open the relay was holding: nothing is held for it any more, and
    // adding its key later opens nothing.
    const auto held = m_held.find(discoveryKey);
    if (held == m_held.end() || !held->second[std::size_t(index(from))])
        return;
    held->second[std::size_t(index(from))] = false;
    if (!held->second[0] && !held->second[1])
        m_held.erase(held);
    if (m_listener)
        m_listener->heldChannelClosed(from, discoveryKey);
}

void RelayForwarder::onExtension(RelayLeg from, const std::optional<Key32> &discoveryKey,
                                 std::uint64_t id, ByteView payload)
{
    constexpr std::string_view what = "Extension";
    std::uint64_t channelId = 0; // the stream
    RelayPort *to = nullptr;
    if (discoveryKey) {
        const auto local = targetChannel(from, *discoveryKey, what);
        if (!local)
            return;
        channelId = *local;
        to = &port(otherLeg(from));
    } else {
        to = target(from, what);
        if (!to)
            return;
    }
    // The raw frame with the sender's id: the far peer reads it against the sender's names.
    Bytes body;
    appendExtension(body, id, payload);
    forwarded(from,
              to->sendFrame(channelId, static_cast<std::uint8_t>(MessageType::Extension), body),
              what);
}

void RelayForwarder::onChannelClose(RelayLeg from, const ChannelInfo &channel)
{
    (void)from;
    std::erase(m_forwarded, channel.discoveryKey);
}

// --- Forwarding ----------------------------------------------------------------------------------

RelayPort *RelayForwarder::target(RelayLeg from, std::string_view what)
{
    const RelayLeg to = otherLeg(from);
    RelayPort &p = port(to);
    if (!p.isAlive() || !p.engine()) {
        warn(from, std::string(what) + " from the " + legName(from) + " peer not forwarded: the " +
                       legName(to) + " leg has ended");
        return nullptr;
    }
    return &p;
}

std::optional<std::uint64_t> RelayForwarder::targetChannel(RelayLeg from, const Key32 &discoveryKey,
                                                           std::string_view what)
{
    const RelayPort *p = target(from, what);
    if (!p)
        return std::nullopt;
    const auto there = p->engine()->channel(discoveryKey);
    if (!there || !there->localId) {
        warn(from, std::string(what) + " on channel " + toHex(discoveryKey) + " from the " +
                       legName(from) + " peer not forwarded: the channel is not open on the " +
                       legName(otherLeg(from)) + " leg");
        return std::nullopt;
    }
    return there->localId;
}

void RelayForwarder::forwarded(RelayLeg from, const Error &result, std::string_view what)
{
    const RelayLeg to = otherLeg(from);
    if (!result.ok()) {
        warn(from, std::string(what) + " from the " + legName(from) +
                       " peer not forwarded to the " + legName(to) + " leg: " + result.message);
    }
    if (m_listener)
        m_listener->forwardedInto(to);
}

// --- Control -----------------------------------------------------------------------------------

void RelayForwarder::addKey(const Key32 &feedKey)
{
    const Key32 discoveryKey = crypto::discoveryKey(feedKey);
    m_keys[discoveryKey] = feedKey;
    // A held Open its peer closed again is no longer held (onRemoteChannelClosed).
    if (m_held.count(discoveryKey))
        openOnBothLegs(discoveryKey, feedKey);
}

Error RelayForwarder::close(RelayLeg leg, const Key32 &discoveryKey)
{
    RelayPort &p = port(leg);
    if (!p.isAlive())
        return {ErrorCode::InvalidState, "the " + legName(leg) + " leg has ended"};
    // Closing a held channel refuses it (Close {discoveryKey}): nothing is held for it any more.
    if (const auto held = m_held.find(discoveryKey); held != m_held.end()) {
        held->second[std::size_t(index(leg))] = false;
        if (!held->second[0] && !held->second[1])
            m_held.erase(held);
    }
    return p.closeChannel(discoveryKey);
}

std::vector<Key32> RelayForwarder::heldChannels(RelayLeg leg) const
{
    std::vector<Key32> out;
    for (const auto &[discoveryKey, legs] : m_held) {
        if (legs[std::size_t(index(leg))])
            out.push_back(discoveryKey);
    }
    return out;
}

std::string RelayForwarder::remoteExtensionName(RelayLeg leg,
                                                const std::optional<Key32> &discoveryKey,
                                                std::uint64_t id) const
{
    const Engine *engine = m_ports[std::size_t(index(leg))]->engine();
    if (!engine)
        return {};
    const std::vector<std::string> names = engine->remoteExtensions(discoveryKey);
    return id < names.size() ? names[std::size_t(id)] : std::string();
}

} // namespace hyperscope
