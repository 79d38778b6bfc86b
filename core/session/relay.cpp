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

} // namespace

QString relayLegName(RelayLeg leg)
{
    const std::string_view id = relayLegId(leg);
    return QString::fromLatin1(id.data(), qsizetype(id.size()));
}

// --- RelayedSession ---------------------------------------------------------------------------

RelayedSession::RelayedSession(SessionDriver *client, const QString &upstreamHost,
                               quint16 upstreamPort, EngineOptions options,
                               std::map<Key32, Key32> keys, SessionIds *ids, QObject *parent)
    : QObject(parent)
    , m_upstreamAddress(hostPort(upstreamHost, upstreamPort))
    , m_forwarder(&m_clientPort, &m_serverPort, &m_events, std::move(keys))
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

qint64 RelayedSession::queuedBytes(RelayLeg which) const
{
    const SessionDriver *d = driver(which);
    return d ? d->bytesToWrite() : 0;
}

void RelayedSession::watch(RelayLeg which, SessionDriver *d)
{
    leg(which).driver = d;
    d->setInterceptLeg(which == RelayLeg::Client ? filter::Leg::Client : filter::Leg::Server);
    connect(d, &SessionDriver::transportConnected, this, [this, which] { onConnected(which); });
    connect(d, &SessionDriver::handshakeCompleted, this, [this, which](const HandshakeInfo &info) {
        emit handshakeCompleted(which, info);
        markOpen(which);
    });
    connect(d, &SessionDriver::discoveryKeyReceived, this,
            [this, which](const Key32 &discoveryKey) {
                m_forwarder.onDiscoveryKey(which, discoveryKey);
            });
    connect(d, &SessionDriver::channelOpened, this, [this, which](const ChannelInfo &channel) {
        emit channelOpened(which, channel);
        m_forwarder.onChannelOpen(which, channel);
    });
    connect(d, &SessionDriver::messageReceived, this,
            [this, which](const ChannelInfo &channel, const Message &message) {
                emit messageReceived(which, channel, message);
                m_forwarder.onMessage(which, channel, message);
            });
    connect(d, &SessionDriver::streamOptionsReceived, this,
            [this, which](const schema::Options &options) {
                m_forwarder.onStreamOptions(which, options);
            });
    connect(d, &SessionDriver::remoteChannelClosed, this, [this, which](const Key32 &discoveryKey) {
        m_forwarder.onRemoteChannelClosed(which, discoveryKey);
    });
    // Reported only: the Options that announced the names was forwarded as a message (channel)
    // or by onStreamOptions() (stream).
    connect(d, &SessionDriver::extensionNamesReceived, this,
            [this, which](const std::optional<Key32> &discoveryKey,
                          const std::vector<std::string> &names) {
                emit extensionNamesReceived(which, discoveryKey, names);
            });
    connect(
        d, &SessionDriver::extensionReceived, this,
        [this, which](const std::optional<Key32> &discoveryKey, const std::optional<std::string> &,
                      quint64 id, const QByteArray &payload) {
            // We register no extensions, so the driver never names one: the sender's name
            // for the id is the one its Options announced.
            emit extensionReceived(
                which, discoveryKey,
                QString::fromStdString(m_forwarder.remoteExtensionName(which, discoveryKey, id)),
                id, payload);
            m_forwarder.onExtension(
                which, discoveryKey, id,
                ByteView(reinterpret_cast<const std::uint8_t *>(payload.constData()),
                         std::size_t(payload.size())));
        });
    connect(d, &SessionDriver::channelClosed, this, [this, which](const ChannelInfo &channel) {
        m_forwarder.onChannelClose(which, channel);
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

// --- The forwarder's view of a leg, and its reports ----------------------------------------------

SessionDriver *RelayedSession::DriverPort::driver() const
{
    return m_session->driver(m_leg);
}

const Engine *RelayedSession::DriverPort::engine() const
{
    const SessionDriver *d = driver();
    return d ? &d->engine() : nullptr;
}

bool RelayedSession::DriverPort::isAlive() const
{
    return driver() && !m_session->hasEnded(m_leg);
}

Error RelayedSession::DriverPort::openChannel(const Key32 &key)
{
    return driver()->openChannel(key);
}

Error RelayedSession::DriverPort::closeChannel(const Key32 &discoveryKey)
{
    return driver()->closeChannel(discoveryKey);
}

Error RelayedSession::DriverPort::send(const Key32 &discoveryKey, const Message &message)
{
    return driver()->send(discoveryKey, message);
}

Error RelayedSession::DriverPort::sendFrame(std::uint64_t channel, std::uint8_t type,
                                            ByteView payload)
{
    return driver()->sendFrame(channel, type, payload);
}

void RelayedSession::ForwarderEvents::channelHeld(RelayLeg leg, const Key32 &discoveryKey)
{
    emit m_session->channelHeld(leg, discoveryKey);
}

void RelayedSession::ForwarderEvents::heldChannelClosed(RelayLeg leg, const Key32 &discoveryKey)
{
    emit m_session->heldChannelClosed(leg, discoveryKey);
}

void RelayedSession::ForwarderEvents::channelForwarded(const Key32 &discoveryKey)
{
    emit m_session->channelForwarded(discoveryKey);
}

void RelayedSession::ForwarderEvents::warning(RelayLeg leg, const std::string &message)
{
    emit m_session->warning(leg, QString::fromStdString(message));
}

void RelayedSession::ForwarderEvents::forwardedInto(RelayLeg to)
{
    // Forwarding is the only way one leg's queue grows because of the other peer: check here.
    Leg &target = m_session->leg(to);
    if (!target.driver)
        return;
    const qint64 queued = target.driver->bytesToWrite();
    target.peakQueued = std::max(target.peakQueued, queued);
    if (queued > relaylimits::PauseAbove)
        m_session->setPaused(other(to), PausedForBackpressure, true);
}

// --- Backpressure and endings
// ----------------------------------------------------------------------

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
    m_forwarder.addKey(feedKey);
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
    return m_forwarder.close(which, discoveryKey);
}

void RelayedSession::end()
{
    for (const RelayLeg which : {RelayLeg::Client, RelayLeg::Server}) {
        if (SessionDriver *d = driver(which); d && !leg(which).ended)
            d->disconnectFromPeer();
    }
}

void RelayedSession::setInterceptFilter(const filter::Filter &filter)
{
    for (const RelayLeg which : {RelayLeg::Client, RelayLeg::Server}) {
        if (SessionDriver *d = driver(which))
            d->setInterceptFilter(filter);
    }
}

std::optional<RelayLeg> RelayedSession::legHolding(std::uint64_t id) const
{
    for (const RelayLeg which : {RelayLeg::Client, RelayLeg::Server}) {
        if (const SessionDriver *d = driver(which); d && d->interceptor().holds(id))
            return which;
    }
    return std::nullopt;
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
