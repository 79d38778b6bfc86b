#include "relay.h"

#include "crypto.h"
#include "sessiondriver.h"

#include <algorithm>
#include <utility>

namespace hyperscope {

// The relay's bound keeps a leg far from the driver's own limit for a peer that does not read.
static_assert(relaylimits::MaxQueuedPerLeg < qint64(limits::MaxQueuedOutput));

namespace {

QString hostPort(const QString &host, quint16 port)
{
    if (host.contains(u':'))
        return QStringLiteral("[%1]:%2").arg(host).arg(port);
    return QStringLiteral("%1:%2").arg(host).arg(port);
}

QString hex(const Key32 &key)
{
    return QString::fromStdString(toHex(key));
}

/// Names what was not forwarded, in warnings only: no allocation on the forwarding path.
QLatin1String typeName(const Message &message)
{
    const std::string_view name = messageTypeName(static_cast<std::uint8_t>(messageType(message)));
    return QLatin1String(name.data(), qsizetype(name.size()));
}

} // namespace

QString relayLegName(RelayLeg leg)
{
    return leg == RelayLeg::Client ? QStringLiteral("client") : QStringLiteral("server");
}

// --- RelayedSession ---------------------------------------------------------------------------

RelayedSession::RelayedSession(SessionDriver *client, const QString &upstreamHost,
                               quint16 upstreamPort, EngineOptions options,
                               std::map<Key32, Key32> keys, SessionIds *ids, QObject *parent)
    : QObject(parent)
    , m_upstreamAddress(hostPort(upstreamHost, upstreamPort))
    , m_keys(std::move(keys))
{
    watch(RelayLeg::Client, client);
    options.initiator = true;
    auto *server = new SessionDriver(ids->next(), std::move(options), this);
    watch(RelayLeg::Server, server);
    // At once: the client's handshake and the upstream connection proceed side by side.
    server->connectToHost(upstreamHost, upstreamPort);
}

RelayedSession::~RelayedSession() = default;

SessionDriver *RelayedSession::driver(RelayLeg which) const
{
    return m_legs[index(which)].driver;
}

std::vector<Key32> RelayedSession::heldChannels(RelayLeg which) const
{
    std::vector<Key32> out;
    for (const auto &[discoveryKey, legs] : m_held) {
        if (legs[index(which)])
            out.push_back(discoveryKey);
    }
    return out;
}

qint64 RelayedSession::queuedBytes(RelayLeg which) const
{
    const SessionDriver *d = driver(which);
    return d ? d->bytesToWrite() : 0;
}

void RelayedSession::watch(RelayLeg which, SessionDriver *d)
{
    leg(which).driver = d;
    connect(d, &SessionDriver::transportConnected, this, [this, which] { onConnected(which); });
    connect(d, &SessionDriver::handshakeCompleted, this, [this, which](const HandshakeInfo &info) {
        emit handshakeCompleted(which, info);
        markOpen(which);
    });
    connect(d, &SessionDriver::discoveryKeyReceived, this,
            [this, which](const Key32 &discoveryKey) { onDiscoveryKey(which, discoveryKey); });
    connect(d, &SessionDriver::channelOpened, this,
            [this, which](const ChannelInfo &channel) { onChannelOpened(which, channel); });
    connect(d, &SessionDriver::messageReceived, this,
            [this, which](const ChannelInfo &channel, const Message &message) {
                onMessage(which, channel, message);
            });
    connect(d, &SessionDriver::streamOptionsReceived, this,
            [this, which](const schema::Options &options) { onStreamOptions(which, options); });
    connect(d, &SessionDriver::remoteChannelClosed, this, [this, which](const Key32 &discoveryKey) {
        onRemoteChannelClosed(which, discoveryKey);
    });
    connect(d, &SessionDriver::extensionNamesReceived, this,
            [this, which](const std::optional<Key32> &discoveryKey,
                          const std::vector<std::string> &names) {
                onExtensionNames(which, discoveryKey, names);
            });
    connect(d, &SessionDriver::extensionReceived, this,
            [this, which](const std::optional<Key32> &discoveryKey,
                          const std::optional<std::string> &, quint64 id,
                          const QByteArray &payload) {
                onExtension(which, discoveryKey, id, payload);
            });
    connect(d, &SessionDriver::channelClosed, this, [this, which](const ChannelInfo &channel) {
        std::erase(m_forwarded, channel.discoveryKey);
        emit channelClosed(which, channel);
    });
    connect(d, &SessionDriver::bytesWritten, this, [this, which] { onBytesWritten(which); });
    connect(d, &SessionDriver::ended, this,
            [this, which](const Error &reason) { onEnded(which, reason); });
}

void RelayedSession::onConnected(RelayLeg which)
{
    SessionDriver *d = driver(which);
    emit legConnected(which, d->remoteAddress());
    if (!d->engine().options().noise)
        markOpen(which); // no handshake: frames flow from the first byte
}

void RelayedSession::markOpen(RelayLeg which)
{
    leg(which).open = true;
    // What a peer sends before the other leg is open would pile up in that engine's queue: read
    // it only once there is somewhere to send it (at most one read chunk gets through first).
    const Leg &peer = leg(other(which));
    if (!peer.open && !peer.ended)
        setPaused(which, PausedForPeer, true);
    setPaused(other(which), PausedForPeer, false);
}

void RelayedSession::onDiscoveryKey(RelayLeg which, const Key32 &discoveryKey)
{
    if (const auto known = m_keys.find(discoveryKey); known != m_keys.end()) {
        openOnBothLegs(discoveryKey, known->second);
        return;
    }
    m_held[discoveryKey][index(which)] = true;
    emit channelHeld(which, discoveryKey);
    emit warning(which,
                 QStringLiteral("the %1 peer opened channel %2, whose feed key the relay does not "
                                "know: the Open is held and nothing is forwarded on that channel "
                                "until its feed key is added to the relay (addKey)")
                     .arg(relayLegName(which), hex(discoveryKey)));
}

void RelayedSession::openOnBothLegs(const Key32 &discoveryKey, const Key32 &feedKey)
{
    m_held.erase(discoveryKey);
    for (const RelayLeg which : {RelayLeg::Client, RelayLeg::Server}) {
        SessionDriver *d = driver(which);
        if (!d || leg(which).ended)
            continue;
        // Before the leg's handshake completed the engine queues the Open.
        if (const Error error = d->openChannel(feedKey)) {
            emit warning(which, QStringLiteral("cannot open channel %1 on the %2 leg: %3")
                                    .arg(hex(discoveryKey), relayLegName(which),
                                         QString::fromStdString(error.message)));
        }
    }
}

void RelayedSession::onChannelOpened(RelayLeg which, const ChannelInfo &channel)
{
    emit channelOpened(which, channel);
    const SessionDriver *peer = driver(other(which));
    if (!peer)
        return;
    const auto there = peer->engine().channel(channel.discoveryKey);
    if (there && there->established &&
        std::find(m_forwarded.begin(), m_forwarded.end(), channel.discoveryKey) ==
            m_forwarded.end()) {
        m_forwarded.push_back(channel.discoveryKey);
        emit channelForwarded(channel.discoveryKey);
    }
}

void RelayedSession::onMessage(RelayLeg which, const ChannelInfo &channel, const Message &message)
{
    emit messageReceived(which, channel, message);
    const MessageType type = messageType(message);
    if (type == MessageType::Close) {
        // The Close of a channel already closed on the other leg (close(), or both peers closed
        // at once) has nothing left to close there.
        SessionDriver *to = driver(other(which));
        const auto there = to && !leg(other(which)).ended
                               ? to->engine().channel(channel.discoveryKey)
                               : std::nullopt;
        if (there && there->localId)
            forwarded(which, to->closeChannel(channel.discoveryKey), typeName(message));
        return;
    }
    if (!forwardChannel(which, channel.discoveryKey, typeName(message)))
        return;
    // Options too: same names in the same order, so that extension ids keep their meaning.
    forwarded(which, driver(other(which))->send(channel.discoveryKey, message), typeName(message));
}

void RelayedSession::onExtensionNames(RelayLeg which, const std::optional<Key32> &discoveryKey,
                                      const std::vector<std::string> &names)
{
    // Reported only: the Options that announced the names is forwarded as a message (channel)
    // or by onStreamOptions() (stream).
    emit extensionNamesReceived(which, discoveryKey, names);
}

void RelayedSession::onStreamOptions(RelayLeg which, const schema::Options &options)
{
    // Verbatim: the same names in the same order (so that every reader's ids keep meaning what
    // the sender meant), ack, and fields this schema does not know; also an Options without names.
    const QLatin1String what("stream Options");
    SessionDriver *to = forwardTarget(which, what);
    if (!to)
        return;
    Bytes payload;
    appendMessage(payload, Message(options));
    forwarded(which, to->sendFrame(0, static_cast<std::uint8_t>(MessageType::Options), payload),
              what);
}

void RelayedSession::onRemoteChannelClosed(RelayLeg which, const Key32 &discoveryKey)
{
    // The peer took back an Open the relay was holding: nothing is held for it any more, and
    // adding its key later opens nothing.
    const auto held = m_held.find(discoveryKey);
    if (held == m_held.end() || !held->second[index(which)])
        return;
    held->second[index(which)] = false;
    if (!held->second[0] && !held->second[1])
        m_held.erase(held);
    emit heldChannelClosed(which, discoveryKey);
}

void RelayedSession::onExtension(RelayLeg which, const std::optional<Key32> &discoveryKey,
                                 quint64 id, const QByteArray &payload)
{
    // We register no extensions, so the driver never names one: the sender's name for the id is
    // the one its Options announced.
    QString name;
    if (const SessionDriver *from = driver(which)) {
        const std::vector<std::string> names = from->engine().remoteExtensions(discoveryKey);
        if (id < names.size())
            name = QString::fromStdString(names[std::size_t(id)]);
    }
    emit extensionReceived(which, discoveryKey, name, id, payload);
    const QLatin1String what("Extension");
    std::uint64_t channelId = 0; // the stream
    if (discoveryKey) {
        const auto local = forwardChannel(which, *discoveryKey, what);
        if (!local)
            return;
        channelId = *local;
    } else if (!forwardTarget(which, what)) {
        return;
    }
    // The raw frame with the sender's id: the far peer reads it against the sender's names.
    Bytes body;
    appendExtension(body, id,
                    ByteView(reinterpret_cast<const std::uint8_t *>(payload.constData()),
                             std::size_t(payload.size())));
    forwarded(which,
              driver(other(which))
                  ->sendFrame(channelId, static_cast<std::uint8_t>(MessageType::Extension), body),
              what);
}

SessionDriver *RelayedSession::forwardTarget(RelayLeg from, QLatin1String what)
{
    const RelayLeg to = other(from);
    SessionDriver *d = driver(to);
    if (!d || leg(to).ended) {
        emit warning(from, QStringLiteral("%1 from the %2 peer not forwarded: the %3 leg has ended")
                               .arg(what, relayLegName(from), relayLegName(to)));
        return nullptr;
    }
    return d;
}

std::optional<std::uint64_t>
RelayedSession::forwardChannel(RelayLeg from, const Key32 &discoveryKey, QLatin1String what)
{
    SessionDriver *d = forwardTarget(from, what);
    if (!d)
        return std::nullopt;
    const auto there = d->engine().channel(discoveryKey);
    if (!there || !there->localId) {
        emit warning(
            from, QStringLiteral("%1 on channel %2 from the %3 peer not forwarded: the "
                                 "channel is not open on the %4 leg")
                      .arg(what, hex(discoveryKey), relayLegName(from), relayLegName(other(from))));
        return std::nullopt;
    }
    return there->localId;
}

void RelayedSession::forwarded(RelayLeg from, const Error &result, QLatin1String what)
{
    const RelayLeg to = other(from);
    if (!result.ok()) {
        emit warning(from, QStringLiteral("%1 from the %2 peer not forwarded to the %3 leg: %4")
                               .arg(what, relayLegName(from), relayLegName(to),
                                    QString::fromStdString(result.message)));
    }
    // Forwarding is the only way one leg's queue grows because of the other peer: check here.
    Leg &target = leg(to);
    if (!target.driver)
        return;
    const qint64 queued = target.driver->bytesToWrite();
    target.peakQueued = std::max(target.peakQueued, queued);
    if (queued > relaylimits::PauseAbove)
        setPaused(from, PausedForBackpressure, true);
}

void RelayedSession::onBytesWritten(RelayLeg which)
{
    const RelayLeg source = other(which);
    if (!(leg(source).paused & PausedForBackpressure))
        return;
    if (queuedBytes(which) <= relaylimits::ResumeBelow)
        setPaused(source, PausedForBackpressure, false);
}

void RelayedSession::setPaused(RelayLeg which, PauseReason reason, bool paused)
{
    Leg &l = leg(which);
    const unsigned before = l.paused;
    if (paused)
        l.paused |= reason;
    else
        l.paused &= ~unsigned(reason);
    if (l.paused == before)
        return;
    if (l.driver)
        l.driver->setReadingPaused(l.paused != 0);
    if (reason == PausedForBackpressure) {
        if (paused)
            ++l.pauses;
        emit readingPaused(which, paused);
    }
}

void RelayedSession::onEnded(RelayLeg which, const Error &reason)
{
    Leg &self = leg(which);
    if (self.ended)
        return;
    self.ended = true;
    emit ended(which, reason);
    const RelayLeg otherLeg = other(which);
    Leg &peer = leg(otherLeg);
    if (!peer.ended && peer.driver) {
        // Everything this leg received was forwarded as it arrived (it sits in the other socket's
        // write buffer, which a clean close still delivers).
        const QString why = QString::fromStdString(reason.message);
        if (which == RelayLeg::Server && !self.open) {
            peer.driver->disconnectFromPeer(
                Error(ErrorCode::ConnectionLost, QStringLiteral("upstream %1 unavailable: %2")
                                                     .arg(m_upstreamAddress, why)
                                                     .toStdString()));
        } else {
            peer.driver->disconnectFromPeer(
                Error(ErrorCode::None, QStringLiteral("the %1 leg ended (%2)")
                                           .arg(relayLegName(which), why)
                                           .toStdString()));
        }
    }
    if (isFinished())
        emit finished();
}

void RelayedSession::addKey(const Key32 &feedKey)
{
    const Key32 discoveryKey = crypto::discoveryKey(feedKey);
    m_keys[discoveryKey] = feedKey;
    // A held Open its peer closed again is no longer held (onRemoteChannelClosed).
    if (m_held.count(discoveryKey))
        openOnBothLegs(discoveryKey, feedKey);
}

Error RelayedSession::inject(RelayLeg which, const Key32 &discoveryKey, const Message &message)
{
    SessionDriver *d = driver(which);
    if (!d || leg(which).ended)
        return {ErrorCode::InvalidState,
                "the " + relayLegName(which).toStdString() + " leg has ended"};
    switch (messageType(message)) {
    case MessageType::Open:
        return {ErrorCode::InvalidArgument,
                "Open cannot be injected: a channel opens when a peer opens it, or when its key is "
                "added"};
    case MessageType::Close:
        return close(which, discoveryKey);
    default:
        return d->send(discoveryKey, message);
    }
}

Error RelayedSession::injectExtension(RelayLeg which, const std::optional<Key32> &discoveryKey,
                                      quint64 id, ByteView payload)
{
    SessionDriver *d = driver(which);
    if (!d || leg(which).ended)
        return {ErrorCode::InvalidState,
                "the " + relayLegName(which).toStdString() + " leg has ended"};
    std::uint64_t channelId = 0;
    if (discoveryKey) {
        const auto channel = d->engine().channel(*discoveryKey);
        if (!channel || !channel->localId)
            return {ErrorCode::UnknownChannel, "channel " + toHex(*discoveryKey) +
                                                   " is not open on the " +
                                                   relayLegName(which).toStdString() + " leg"};
        channelId = *channel->localId;
    }
    Bytes body;
    appendExtension(body, id, payload);
    return d->sendFrame(channelId, static_cast<std::uint8_t>(MessageType::Extension), body);
}

Error RelayedSession::close(RelayLeg which, const Key32 &discoveryKey)
{
    SessionDriver *d = driver(which);
    if (!d || leg(which).ended)
        return {ErrorCode::InvalidState,
                "the " + relayLegName(which).toStdString() + " leg has ended"};
    // Closing a held channel refuses it (Close {discoveryKey}): nothing is held for it any more.
    if (const auto held = m_held.find(discoveryKey); held != m_held.end()) {
        held->second[index(which)] = false;
        if (!held->second[0] && !held->second[1])
            m_held.erase(held);
    }
    return d->closeChannel(discoveryKey);
}

void RelayedSession::end()
{
    for (const RelayLeg which : {RelayLeg::Client, RelayLeg::Server}) {
        if (SessionDriver *d = driver(which); d && !leg(which).ended)
            d->disconnectFromPeer();
    }
}

// --- Relay ------------------------------------------------------------------------------------

Relay::Relay(QObject *parent)
    : QObject(parent)
    , m_server(new SessionServer(&m_ids, this))
{
    m_options.staticKeyPair = crypto::generateKeyPair();
    m_server->setOptions(m_options);
    connect(m_server, &SessionServer::sessionStarted, this, &Relay::onClient);
    connect(m_server, &SessionServer::acceptFailed, this, &Relay::acceptFailed);
}

Relay::~Relay()
{
    if (m_options.staticKeyPair)
        crypto::wipe(m_options.staticKeyPair->secretKey);
}

void Relay::setOptions(EngineOptions options)
{
    if (!options.staticKeyPair)
        options.staticKeyPair = m_options.staticKeyPair;
    else if (m_options.staticKeyPair)
        crypto::wipe(m_options.staticKeyPair->secretKey);
    m_options = std::move(options);
    m_server->setOptions(m_options);
}

void Relay::setUpstream(const QString &host, quint16 port)
{
    m_upstreamHost = host;
    m_upstreamPort = port;
}

void Relay::addKey(const Key32 &feedKey)
{
    m_keys[crypto::discoveryKey(feedKey)] = feedKey;
    for (RelayedSession *session : std::as_const(m_sessions))
        session->addKey(feedKey);
}

QList<Key32> Relay::keys() const
{
    QList<Key32> out;
    for (const auto &[discoveryKey, feedKey] : m_keys)
        out.append(feedKey);
    return out;
}

bool Relay::listen(const QHostAddress &address, quint16 port, QString *error)
{
    return m_server->listen(address, port, error);
}

bool Relay::isListening() const
{
    return m_server->isListening();
}

quint16 Relay::port() const
{
    return m_server->port();
}

void Relay::close()
{
    m_server->close();
}

QList<RelayedSession *> Relay::sessions() const
{
    return m_sessions;
}

void Relay::onClient(SessionDriver *client)
{
    auto *session =
        new RelayedSession(client, m_upstreamHost, m_upstreamPort, m_options, m_keys, &m_ids, this);
    m_sessions.append(session);
    connect(session, &RelayedSession::finished, this, [this, session] {
        m_sessions.removeOne(session);
        emit sessionFinished(session);
        session->deleteLater();
    });
    emit sessionStarted(session);
}

} // namespace hyperscope
