#include "inspectedsession.h"

#include "crypto.h"
#include "inspectortrace.h"
#include "messagelogmodel.h"

#include <QHostAddress>
#include <QTcpSocket>

#include <algorithm>

namespace hyperscope {

namespace {
ByteView viewOf(const QByteArray &bytes)
{
    return {reinterpret_cast<const std::uint8_t *>(bytes.constData()), std::size_t(bytes.size())};
}
} // namespace

InspectedSession::InspectedSession(int id, SessionDriver *driver, Origin origin,
                                   MessageLogModel *log, QObject *parent)
    : QObject(parent)
    , m_id(id)
    , m_origin(origin)
    , m_driver(driver)
    , m_log(log)
    , m_channels(new ChannelTableModel(this))
    , m_extensions(new ExtensionModel(this))
{
    m_clock.start();
    if (!driver->parent())
        driver->setParent(this);
    watchDriver(driver);
}

InspectedSession::InspectedSession(int id, RelayedSession *relay, MessageLogModel *log,
                                   QObject *parent)
    : QObject(parent)
    , m_id(id)
    , m_origin(Origin::Relayed)
    , m_leg(Leg::Client)
    , m_relay(relay)
    , m_driver(relay->driver(RelayLeg::Client))
    , m_log(log)
    , m_channels(new ChannelTableModel(this))
    , m_extensions(new ExtensionModel(this))
{
    m_clock.start();
    // The server leg first: the label below names both legs.
    m_serverLeg = new InspectedSession(id, relay, this, log);
    watchDriver(m_driver);
    connect(m_serverLeg, &InspectedSession::changed, this, &InspectedSession::changed);
    watchRelay();
}

InspectedSession::InspectedSession(int id, RelayedSession *relay, InspectedSession *root,
                                   MessageLogModel *log)
    : QObject(root)
    , m_id(id)
    , m_origin(Origin::Relayed)
    , m_leg(Leg::Server)
    , m_relay(relay)
    , m_root(root)
    , m_driver(relay->driver(RelayLeg::Server))
    , m_log(log)
    , m_channels(new ChannelTableModel(this))
    , m_extensions(new ExtensionModel(this))
{
    m_clock.start();
    watchDriver(m_driver);
}

namespace {
/// "127.0.0.1:4000", "[::1]:4000": as SessionDriver::remoteAddress() writes a peer, so that one
/// session's local endpoint compares equal to the other's peer when both are ours.
QString endpointText(const QHostAddress &address, quint16 port)
{
    bool isV4 = false;
    const quint32 v4 = address.toIPv4Address(&isV4);
    if (isV4)
        return QStringLiteral("%1:%2").arg(QHostAddress(v4).toString()).arg(port);
    return QStringLiteral("[%1]:%2").arg(address.toString()).arg(port);
}

/// Tells the log where @p driver's connection runs, once its socket is connected (the Flow tab
/// draws one lifeline per endpoint). The driver owns its socket as a direct child (dialed or
/// adopted); a driver over another device (a pipe) has no endpoints to tell.
void recordEndpoints(MessageLogModel *log, int session, MessageLogModel::Leg leg,
                     SessionDriver *driver)
{
    const auto *socket =
        driver ? driver->findChild<QTcpSocket *>(QString(), Qt::FindDirectChildrenOnly) : nullptr;
    if (!socket || socket->state() != QAbstractSocket::ConnectedState)
        return;
    log->setSessionEndpoints(session,
                             {endpointText(socket->localAddress(), socket->localPort()),
                              endpointText(socket->peerAddress(), socket->peerPort())},
                             leg);
}
} // namespace

InspectedSession::InspectedSession(int id, const QString &captureName, int captureNumber,
                                   MessageLogModel *log, QObject *parent)
    : QObject(parent)
    , m_id(id)
    , m_origin(Origin::Capture)
    , m_log(log)
    , m_channels(new ChannelTableModel(this))
    , m_extensions(new ExtensionModel(this))
    , m_captureName(captureName)
    , m_captureNumber(captureNumber)
{
    m_endedAtMs = 0; // a capture has ended; CaptureReplay sets how long it lasted
    m_log->setSessionNumber(m_id, numberText());
    m_log->setSessionLabel(m_id, label());
}

InspectedSession::InspectedSession(InspectedSession *captureRoot)
    : QObject(captureRoot)
    , m_id(captureRoot->m_id)
    , m_origin(Origin::Capture)
    , m_leg(Leg::Server)
    , m_root(captureRoot)
    , m_log(captureRoot->m_log)
    , m_channels(new ChannelTableModel(this))
    , m_extensions(new ExtensionModel(this))
    , m_captureName(captureRoot->m_captureName)
    , m_captureNumber(captureRoot->m_captureNumber)
{
    m_endedAtMs = 0; // CaptureReplay sets how long the leg lasted
}

void InspectedSession::becomeCapturedRelay()
{
    Q_ASSERT(isCapture() && m_leg == Leg::None && !m_serverLeg);
    m_leg = Leg::Client;
    // The tracker made with the object read the rows of Leg::None; this leg's rows are the
    // client leg's. CaptureReplay rescans both legs' trackers once the channels know their keys.
    delete m_feed;
    m_feed = makeFeedTracker();
    m_serverLeg = new InspectedSession(this);
    connect(m_serverLeg, &InspectedSession::changed, this, &InspectedSession::changed);
}

QString InspectedSession::numberText() const
{
    if (isCapture())
        return QStringLiteral("%1 #%2").arg(m_captureName).arg(m_captureNumber);
    return QStringLiteral("#%1").arg(m_id);
}

QString InspectedSession::readOnlyReason() const
{
    if (!isCapture())
        return {};
    return tr("%1 is a capture opened from a file: it is read-only").arg(numberText());
}

void InspectedSession::watchDriver(SessionDriver *driver)
{
    m_peerAddress = m_leg == Leg::Server ? m_relay->upstreamAddress() : driver->remoteAddress();
    const EngineOptions &options = driver->engine().options();
    m_handshake.noise = options.noise;
    m_handshake.encrypted = options.encrypted && options.noise;
    m_handshake.initiator = options.initiator;
    m_handshake.localStaticKey = driver->engine().publicKey();
    m_channels->setNoise(options.noise);

    m_trace = std::make_unique<InspectorTrace>(*this, *m_log);
    driver->engine().setTraceSink(m_trace.get());
    recordEndpoints(m_log, m_id, m_leg, driver);
    connect(driver, &SessionDriver::transportConnected, this,
            [this] { recordEndpoints(m_log, m_id, m_leg, m_driver); });
    // A dialed session is created before it dials: the address arrives here, and stays even
    // when the connection never comes up (the sidebar, the title and the log name it).
    connect(driver, &SessionDriver::remoteAddressChanged, this, [this](const QString &address) {
        m_peerAddress = address;
        m_log->setSessionLabel(m_id, relayRoot()->label());
        emit changed();
    });
    // The server leg's object shares the client leg's label (one session, one name).
    if (m_leg != Leg::Server)
        m_log->setSessionLabel(m_id, label());

    // "Connected" before the engine starts: its first row is handshake message 1.
    connect(driver, &SessionDriver::transportOpened, this, [this] {
        m_peerAddress = m_driver->remoteAddress();
        m_log->setSessionLabel(m_id, relayRoot()->label());
        m_log->appendNote(
            m_id, MessageLogModel::Kind::Event, Direction::Inbound, 0,
            tr("Connected to %1 as %2 (%3)").arg(peerAddress(), roleText(), modeText()), m_leg);
    });
    connect(driver, &SessionDriver::transportConnected, this, [this] {
        m_transportUp = true;
        emit changed();
    });
    connect(driver, &SessionDriver::ended, this, &InspectedSession::onEnded);
    if (isRelayed())
        return; // the relay opens known keys on both legs and reports held ones (watchRelay())
    connect(driver, &SessionDriver::discoveryKeyReceived, this, [this](const Key32 &dk) {
        m_log->appendNote(m_id, MessageLogModel::Kind::Event, Direction::Inbound, 0,
                          tr("The remote opened discovery key %1, which we have not opened: "
                             "open it with its feed key to accept")
                              .arg(QString::fromStdString(toHex(dk))));
    });
}

void InspectedSession::watchRelay()
{
    const auto legOf = [](RelayLeg leg) {
        return leg == RelayLeg::Client ? Leg::Client : Leg::Server;
    };
    connect(m_relay, &RelayedSession::warning, this,
            [this, legOf](RelayLeg leg, const QString &message) {
                InspectedSession *s = legSession(legOf(leg));
                ++s->m_warnings;
                m_log->appendNote(m_id, MessageLogModel::Kind::Warning, Direction::Inbound, 0,
                                  message, legOf(leg));
                emit s->changed();
            });
    connect(m_relay, &RelayedSession::channelHeld, this,
            [this, legOf](RelayLeg leg, const Key32 &) { emit legSession(legOf(leg))->changed(); });
    connect(m_relay, &RelayedSession::channelForwarded, this, [this](const Key32 &discoveryKey) {
        m_log->appendNote(m_id, MessageLogModel::Kind::Event, Direction::Inbound, 0,
                          tr("Channel %1 is open on both legs: forwarding")
                              .arg(QString::fromStdString(toHex(discoveryKey))),
                          Leg::None); // the relay's, not one leg's
        emit changed();
    });
    connect(
        m_relay, &RelayedSession::readingPaused, this, [this, legOf](RelayLeg leg, bool paused) {
            const RelayLeg far = leg == RelayLeg::Client ? RelayLeg::Server : RelayLeg::Client;
            m_log->appendNote(m_id, MessageLogModel::Kind::Event, Direction::Inbound, 0,
                              paused
                                  ? tr("Backpressure: the relay stopped reading the %1 leg (the %2 "
                                       "leg is not open yet, or its socket is full)")
                                        .arg(relayLegName(leg), relayLegName(far))
                                  : tr("The relay reads the %1 leg again").arg(relayLegName(leg)),
                              legOf(leg));
        });
}

InspectedSession *InspectedSession::legSession(Leg leg)
{
    InspectedSession *root = relayRoot();
    return leg == Leg::Server ? root->m_serverLeg : root;
}

const InspectedSession *InspectedSession::legSession(Leg leg) const
{
    return const_cast<InspectedSession *>(this)->legSession(leg);
}

InspectedSession *InspectedSession::relayRoot()
{
    return m_root ? m_root : this;
}

const InspectedSession *InspectedSession::relayRoot() const
{
    return m_root ? m_root : this;
}

QString InspectedSession::relayText() const
{
    const InspectedSession *server = legSession(Leg::Server);
    if (!server)
        return peerAddress();
    // A capture may not know a leg's peer (hyperscope-cli writes only the client's address).
    const auto peerOf = [](const InspectedSession *leg, const QString &unknown) {
        return leg->peerAddress().isEmpty() ? unknown : leg->peerAddress();
    };
    return QStringLiteral("%1 → %2").arg(peerOf(legSession(Leg::Client), tr("unknown client")),
                                         peerOf(server, tr("unknown server")));
}

QString InspectedSession::legLabel() const
{
    if (isCapture() && isRelayed()) // the panes show this; it says why nothing can be sent
        return tr("%1, %2 leg (a capture: read-only)")
            .arg(numberText(), MessageLogModel::legName(m_leg));
    if (isCapture())
        return tr("%1 (a capture: read-only)").arg(label());
    if (!isRelayed())
        return label();
    return tr("#%1, %2 leg (to the %2 only)").arg(m_id).arg(MessageLogModel::legName(m_leg));
}

QString InspectedSession::legSummary() const
{
    // State and bytes first: the sidebar elides the end, and the title names both peers.
    return QStringLiteral("%1 · %2 · ↓ %3  ↑ %4 · %5")
        .arg(MessageLogModel::legName(m_leg), stateText(ownState()), formatBytes(bytesReceived()),
             formatBytes(bytesSent()), peerAddress());
}

std::vector<Key32> InspectedSession::heldChannels() const
{
    if (!m_relay)
        return m_capturedHeld;
    return m_relay->heldChannels(relayLeg());
}

QString InspectedSession::addRelayKey(const Key32 &feedKey)
{
    if (!m_relay)
        return tr("the relayed session is gone");
    m_log->appendNote(m_id, MessageLogModel::Kind::Event, Direction::Outbound, 0,
                      tr("Feed key added for discovery key %1")
                          .arg(QString::fromStdString(toHex(crypto::discoveryKey(feedKey)))),
                      Leg::None);
    m_relay->addKey(feedKey);
    emit changed();
    return {};
}

InspectedSession::Secrets InspectedSession::secrets() const
{
    Secrets secrets;
    if (const Engine *e = engine()) {
        secrets.staticSecretKey = e->staticSecretKey();
        secrets.transportKeys = e->transportKeys();
    }
    if (!secrets.transportKeys && m_trace && m_trace->transportKeys()) {
        secrets.transportKeys = m_trace->transportKeys();
        secrets.transportKeysFromLog = true;
    }
    return secrets;
}

InspectedSession::~InspectedSession()
{
    // Still a whole InspectedSession here (QObject::destroyed comes too late: views that read a
    // row while it is removed would call into a half-destroyed object).
    emit aboutToBeDestroyed();
    if (m_driver) {
        // The engine must not call into a trace that is going away.
        m_driver->engine().setTraceSink(nullptr);
        disconnect(m_driver, nullptr, this, nullptr);
    }
}

QString InspectedSession::label() const
{
    if (isCapture() && isRelayed())
        return QStringLiteral("%1 %2").arg(numberText(), relayRoot()->relayText());
    if (isCapture())
        return m_peerAddress.isEmpty() ? numberText()
                                       : QStringLiteral("%1 %2").arg(numberText(), m_peerAddress);
    if (isRelayed())
        return QStringLiteral("#%1 %2").arg(m_id).arg(relayText());
    return QStringLiteral("#%1 %2").arg(m_id).arg(peerAddress());
}

QString InspectedSession::peerAddress() const
{
    return m_peerAddress;
}

QString InspectedSession::roleText() const
{
    const bool initiator = m_handshake.initiator;
    switch (m_origin) {
    case Origin::Dialed:
        return initiator ? tr("initiator (dialed)") : tr("responder (dialed)");
    case Origin::Accepted:
        return initiator ? tr("initiator (accepted)") : tr("responder (accepted)");
    case Origin::Demo:
        return initiator ? tr("initiator (demo)") : tr("responder (demo)");
    case Origin::Capture:
        if (m_leg != Leg::None) // as live: the sidebar's badge and state say "captured"
            return m_leg == Leg::Server ? tr("relay: initiator on the server leg")
                                        : tr("relay (client → hyperscope → server)");
        return initiator ? tr("initiator (captured)") : tr("responder (captured)");
    case Origin::Relayed:
        if (m_leg == Leg::Server)
            return tr("relay: initiator on the server leg");
        return m_serverLeg ? tr("relay (client → hyperscope → server)")
                           : tr("relay: responder on the client leg");
    }
    return {};
}

QString InspectedSession::modeText() const
{
    if (!m_handshake.noise)
        return tr("no Noise, plaintext");
    return m_handshake.encrypted ? tr("Noise XX + XSalsa20") : tr("Noise XX, plaintext transport");
}

InspectedSession::State InspectedSession::state() const
{
    if (!m_serverLeg)
        return ownState();
    // A relayed session as a whole: ended when both legs did, open when both are, else the leg
    // that is furthest behind.
    const State client = ownState();
    const State server = m_serverLeg->ownState();
    if (client == State::Ended && server == State::Ended)
        return State::Ended;
    if (client == State::Ended || server == State::Ended)
        return client == State::Ended ? server : client;
    return std::min(client, server);
}

InspectedSession::State InspectedSession::ownState() const
{
    if (m_endedAtMs >= 0 || !m_driver)
        return State::Ended;
    switch (m_driver->engine().state()) {
    case Engine::State::Idle:
        return State::Connecting;
    case Engine::State::Handshaking:
        return State::Handshaking;
    case Engine::State::Open:
        return State::Open;
    case Engine::State::Ended:
        // The engine is done, but the driver reports the end and its reason later (a clean
        // close lets the socket drain first, and the report is queued). The session ends in one
        // step with that report (onEnded()), which closes its channels too: until then it reads
        // as what it was ("ending", stateText() says).
        if (m_handshake.complete || (!m_handshake.noise && m_transportUp))
            return State::Open;
        return m_transportUp ? State::Handshaking : State::Connecting;
    }
    return State::Ended;
}

bool InspectedSession::ending() const
{
    return m_endedAtMs < 0 && m_driver && m_driver->engine().state() == Engine::State::Ended;
}

QString InspectedSession::stateText() const
{
    return stateText(state());
}

QString InspectedSession::stateText(State state) const
{
    if (isCapture())
        return m_endedWithError ? tr("captured (failed), read-only") : tr("captured, read-only");
    if (state != State::Ended && ending())
        return tr("ending");
    switch (state) {
    case State::Connecting:
        return tr("connecting");
    case State::Handshaking:
        return tr("handshaking");
    case State::Open:
        return tr("open");
    case State::Ended:
        return m_endedWithError ? tr("failed") : tr("closed");
    }
    return {};
}

qint64 InspectedSession::durationMs() const
{
    if (m_serverLeg && m_endedAtMs >= 0) // a relayed session lasts until both legs ended
        return std::max(m_endedAtMs, m_serverLeg->durationMs());
    return m_endedAtMs >= 0 ? m_endedAtMs : m_clock.elapsed();
}

quint64 InspectedSession::bytesSent() const
{
    return m_driver ? m_driver->engine().bytesSent() : m_bytesSentAtEnd;
}

quint64 InspectedSession::bytesReceived() const
{
    return m_driver ? m_driver->engine().bytesReceived() : m_bytesReceivedAtEnd;
}

QString InspectedSession::errorText(const Error &error)
{
    const QString name = QString::fromLatin1(errorCodeName(error.code).data(),
                                             qsizetype(errorCodeName(error.code).size()));
    if (error.message.empty())
        return name;
    return QStringLiteral("%1: %2").arg(name, QString::fromStdString(error.message));
}

bool InspectedSession::neverConnected() const
{
    if (!m_driver || m_driver->wasConnected() || m_driver->transportFailure().isEmpty())
        return false;
    return std::none_of(m_handshake.steps.begin(), m_handshake.steps.end(),
                        [](const HandshakeStep &step) { return step.seen; });
}

QString InspectedSession::describeError(const Error &error) const
{
    const bool transport =
        error.code == ErrorCode::ConnectionLost || error.code == ErrorCode::Timeout;
    const QString failure = m_driver && transport ? m_driver->transportFailure() : QString();
    if (failure.isEmpty())
        return errorText(error);
    return QStringLiteral("%1: %2").arg(failure, QString::fromStdString(error.message));
}

void InspectedSession::onEnded(const Error &reason)
{
    if (m_endedAtMs >= 0)
        return;
    m_endedAtMs = m_clock.elapsed();
    m_endedWithError = !reason.ok();
    m_endReason = reason.ok() ? QString() : describeError(reason);
    if (m_driver) {
        m_bytesSentAtEnd = m_driver->engine().bytesSent();
        m_bytesReceivedAtEnd = m_driver->engine().bytesReceived();
    }
    m_channels->markSessionEnded();
    const QString text =
        reason.ok()
            ? tr("Session ended cleanly%1")
                  .arg(reason.message.empty()
                           ? QString()
                           : QStringLiteral(" (%1)").arg(QString::fromStdString(reason.message)))
            : tr("Session ended: %1").arg(m_endReason);
    // A fatal error was already logged by the trace; a clean end or a transport loss is an event.
    if (reason.ok() || reason.code == ErrorCode::ConnectionLost ||
        reason.code == ErrorCode::Timeout)
        m_log->appendNote(m_id, MessageLogModel::Kind::Event, Direction::Inbound, 0, text, m_leg);
    if (!m_handshake.complete && m_handshake.noise && m_handshake.failure.isEmpty()) {
        m_handshake.failure =
            reason.ok() ? tr("the connection closed during the handshake") : m_endReason;
        // A connection that never came up sent nothing: no message of the handshake failed.
        m_handshake.neverConnected = neverConnected();
        for (int i = 0; !m_handshake.neverConnected && i < 3 && m_handshake.failedStep < 0; ++i) {
            if (!m_handshake.steps[std::size_t(i)].seen)
                m_handshake.failedStep = i;
        }
        emit handshakeChanged();
    }
    emit changed();
    emit ended(m_endReason);
}

QString InspectedSession::result(const Error &error)
{
    emit changed();
    return error.ok() ? QString() : errorText(error);
}

std::optional<std::uint64_t> InspectedSession::openLocalId(const Key32 &discoveryKey) const
{
    for (int row = 0; row < m_channels->rowCount(); ++row) {
        const ChannelTableModel::Row &r = m_channels->row(row);
        if (r.discoveryKey == discoveryKey)
            return r.localOpen ? r.localId : std::nullopt;
    }
    return std::nullopt;
}

QString InspectedSession::openChannel(const Key32 &key)
{
    if (isCapture())
        return readOnlyReason();
    if (isRelayed()) // a relayed channel opens on both legs once the relay knows its key
        return relayRoot()->addRelayKey(key);
    if (!m_driver)
        return tr("the session is gone");
    return result(m_driver->openChannel(key));
}

QString InspectedSession::closeChannel(const Key32 &discoveryKey)
{
    if (isCapture())
        return readOnlyReason();
    if (isRelayed())
        return m_relay ? result(m_relay->close(relayLeg(), discoveryKey))
                       : tr("the relayed session is gone");
    if (!m_driver)
        return tr("the session is gone");
    return result(m_driver->closeChannel(discoveryKey));
}

QString InspectedSession::send(const Key32 &discoveryKey, const Message &message)
{
    if (isCapture())
        return readOnlyReason();
    if (isRelayed()) // into this leg only: nothing injected is forwarded
        return m_relay ? result(m_relay->inject(relayLeg(), discoveryKey, message))
                       : tr("the relayed session is gone");
    if (!m_driver)
        return tr("the session is gone");
    return result(m_driver->send(discoveryKey, message));
}

QString InspectedSession::sendFrame(std::uint64_t channel, std::uint8_t type,
                                    const QByteArray &payload)
{
    if (isCapture())
        return readOnlyReason();
    if (!m_driver)
        return tr("the session is gone");
    return result(m_driver->sendFrame(channel, type, viewOf(payload)));
}

QString InspectedSession::registerExtension(const std::optional<Key32> &discoveryKey,
                                            const QString &name)
{
    if (isCapture())
        return readOnlyReason();
    if (isRelayed())
        return tr("the relay announces no extensions of its own: it forwards each peer's "
                  "Options, so send with a name the other peer announced");
    if (!m_driver)
        return tr("the session is gone");
    return result(m_driver->registerExtension(discoveryKey, name.toStdString()));
}

QString InspectedSession::sendExtension(const std::optional<Key32> &discoveryKey,
                                        const QString &name, const QByteArray &payload)
{
    if (isCapture())
        return readOnlyReason();
    if (isRelayed()) {
        if (!m_relay)
            return tr("the relayed session is gone");
        // This leg's peer reads the id against the names it heard, which the relay forwarded
        // from the other peer: the id is the name's index in the other leg's announcement.
        const InspectedSession *other =
            legSession(m_leg == Leg::Client ? Leg::Server : Leg::Client);
        const QStringList names = other->extensions()->remoteNames(discoveryKey);
        const qsizetype id = names.indexOf(name);
        if (id < 0)
            return tr("'%1' is not among the extensions the %2 peer announced for this scope "
                      "(%3): the %4 peer could not name it")
                .arg(name, MessageLogModel::legName(other->leg()),
                     names.isEmpty() ? tr("none") : names.join(QStringLiteral(", ")),
                     MessageLogModel::legName(m_leg));
        return result(
            m_relay->injectExtension(relayLeg(), discoveryKey, quint64(id), viewOf(payload)));
    }
    if (!m_driver)
        return tr("the session is gone");
    return result(m_driver->sendExtension(discoveryKey, name.toStdString(), viewOf(payload)));
}

QString InspectedSession::ping()
{
    if (isCapture())
        return readOnlyReason();
    if (!m_driver)
        return tr("the session is gone");
    return result(m_driver->ping());
}

void InspectedSession::disconnectFromPeer()
{
    if (isRelayed()) { // both legs, cleanly
        if (m_relay)
            m_relay->end();
        return;
    }
    if (m_driver)
        m_driver->disconnectFromPeer();
}

FeedTracker *InspectedSession::makeFeedTracker()
{
    auto *feed = new FeedTracker(m_log, m_id, m_leg, m_channels, this);
    // A failed verification is a warning of the session, like the engine's (sidebar, status).
    connect(feed, &FeedTracker::warned, this, [this] {
        ++m_warnings;
        emit changed();
    });
    return feed;
}

} // namespace hyperscope
