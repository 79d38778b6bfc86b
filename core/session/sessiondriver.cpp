#include "sessiondriver.h"

#include <QHostAddress>
#include <QIODevice>
#include <QScopeGuard>
#include <QTcpSocket>

#include <algorithm>
#include <climits>
#include <limits>
#include <utility>

namespace hyperscope {

namespace {

/// Bytes taken from the device per read(): a socket buffer's worth in a few calls.
constexpr qint64 ReadChunk = 64 * 1024;

/// Bytes fed to the engine per readyRead before control goes back to the event loop; the rest is
/// read by a queued call. A peer that floods must not freeze the thread (the inspector's GUI) for
/// as long as it takes to process everything Qt has buffered (megabytes of small frames).
constexpr qint64 ReadBudget = 256 * 1024;

/// How much Qt may buffer for us beyond what we have read: past it, Qt stops reading the socket
/// and TCP flow control holds the peer back, instead of Qt's buffer growing without bound.
constexpr qint64 SocketReadBuffer = 1024 * 1024;

/// The buffer reads go through: one per thread, shared by every driver of that thread, so that a
/// session holds no ReadChunk bytes of its own while idle (a thousand idle sessions would hold
/// 64 MiB). The engine is done with the bytes when receiveInPlace() returns.
struct SharedReadBuffer
{
    Bytes bytes;
    bool busy = false; ///< In use further up the stack (a handler runs a nested event loop).
};
thread_local SharedReadBuffer t_readBuffer;

/// The largest write buffer kept from one flush to the next, for reuse.
constexpr std::size_t KeptWriteBuffer = 256 * 1024;

/// How long a clean close waits for the peer to take our last bytes before the socket is aborted:
/// a peer that stopped reading must not keep a finished session alive.
constexpr int CloseGraceMs = 3000;

QString formatAddress(const QHostAddress &address, quint16 port)
{
    // A dual-stack listener sees IPv4 peers as ::ffff:a.b.c.d; people want a.b.c.d.
    bool isV4 = false;
    const quint32 v4 = address.toIPv4Address(&isV4);
    if (isV4)
        return QStringLiteral("%1:%2").arg(QHostAddress(v4).toString()).arg(port);
    return QStringLiteral("[%1]:%2").arg(address.toString()).arg(port);
}

QString formatAddress(const QString &host, quint16 port)
{
    if (host.contains(u':'))
        return QStringLiteral("[%1]:%2").arg(host).arg(port);
    return QStringLiteral("%1:%2").arg(host).arg(port);
}

} // namespace

SessionDriver::SessionDriver(int id, EngineOptions options, QObject *parent)
    : QObject(parent)
    , m_id(id)
    , m_engine(std::move(options), this)
{
    m_clock.start();
    m_interceptor.setContext(static_cast<std::uint64_t>(m_id), filter::Leg::None);
    m_timer.setSingleShot(true);
    m_timer.setTimerType(Qt::PreciseTimer);
    connect(&m_timer, &QTimer::timeout, this, &SessionDriver::onTimer);
}

SessionDriver::~SessionDriver()
{
    // The engine must not call back into a half-destroyed driver, and the socket (our child)
    // must not report its own abort to us.
    m_engine.setHandler(nullptr);
    if (m_device)
        disconnect(m_device, nullptr, this, nullptr);
}

void SessionDriver::connectToHost(const QString &host, quint16 port)
{
    Q_ASSERT(!m_device);
    m_remoteAddress = formatAddress(host, port);
    emit remoteAddressChanged(m_remoteAddress);
    auto *socket = new QTcpSocket(this);
    watchSocket(socket);
    connect(socket, &QTcpSocket::connected, this, [this] {
        m_timer.stop();
        m_remoteAddress = formatAddress(m_socket->peerAddress(), m_socket->peerPort());
        emit remoteAddressChanged(m_remoteAddress);
        m_socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
        start();
    });
    // The engine's timer only runs once it started: bound the connection attempt by the same
    // inactivity timeout, so that a black-holed address does not hang a dialer for minutes.
    if (m_engine.options().timeout.count() > 0)
        m_timer.start(int(std::min<qint64>(m_engine.options().timeout.count(), INT_MAX)));
    socket->connectToHost(host, port);
}

void SessionDriver::adoptSocket(QTcpSocket *socket)
{
    Q_ASSERT(!m_device);
    socket->setParent(this);
    m_remoteAddress = formatAddress(socket->peerAddress(), socket->peerPort());
    socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    watchSocket(socket);
    start();
    if (socket->state() != QAbstractSocket::ConnectedState)
        onDisconnected(); // the peer left before we got to it: still a session, and it ended
}

void SessionDriver::attachDevice(QIODevice *device)
{
    Q_ASSERT(!m_device);
    m_device = device;
    connect(device, &QIODevice::readyRead, this, &SessionDriver::onReadyRead);
    connect(device, &QIODevice::readChannelFinished, this, &SessionDriver::onDisconnected);
    start();
}

void SessionDriver::watchSocket(QTcpSocket *socket)
{
    m_socket = socket;
    m_device = socket;
    socket->setReadBufferSize(SocketReadBuffer);
    connect(socket, &QTcpSocket::readyRead, this, &SessionDriver::onReadyRead);
    connect(socket, &QTcpSocket::disconnected, this, &SessionDriver::onDisconnected);
    connect(socket, &QTcpSocket::errorOccurred, this, &SessionDriver::onSocketError);
    connect(socket, &QTcpSocket::bytesWritten, this, &SessionDriver::bytesWritten);
}

// --- Actions ----------------------------------------------------------------------------------

template<typename Call> Error SessionDriver::act(Call &&call)
{
    Error result;
    {
        EngineCall guard(this);
        result = call();
    }
    afterEngineCall();
    return result;
}

Error SessionDriver::openChannel(const Key32 &key)
{
    return act([&] { return m_engine.openChannel(key); });
}

Error SessionDriver::closeChannel(const Key32 &discoveryKey)
{
    return act([&] { return m_engine.closeChannel(discoveryKey); });
}

Error SessionDriver::send(const Key32 &discoveryKey, const Message &message)
{
    // Intercept: only looked at while it is on or holds something (no cost otherwise).
    if (m_interceptor.isOn() || m_interceptor.waitingCount() != 0) {
        const std::optional<ChannelInfo> channel = m_engine.channel(discoveryKey);
        if (channel && channel->localId &&
            m_interceptor.offer(Direction::Outbound, *channel, message))
            return {};
    }
    return act([&] { return m_engine.send(discoveryKey, message); });
}

Error SessionDriver::sendFrame(std::uint64_t channel, std::uint8_t type, ByteView payload)
{
    return act([&] { return m_engine.sendFrame(channel, type, payload); });
}

Error SessionDriver::registerExtension(const std::optional<Key32> &discoveryKey,
                                       const std::string &name)
{
    return act([&] { return m_engine.registerExtension(discoveryKey, name); });
}

Error SessionDriver::sendExtension(const std::optional<Key32> &discoveryKey,
                                   const std::string &name, ByteView payload)
{
    return act([&] { return m_engine.sendExtension(discoveryKey, name, payload); });
}

Error SessionDriver::ping()
{
    return act([&] { return m_engine.ping(); });
}

void SessionDriver::disconnectFromPeer(Error reason)
{
    endWith(std::move(reason));
}

void SessionDriver::setReadingPaused(bool paused)
{
    if (m_readingPaused == paused)
        return;
    m_readingPaused = paused;
    // Queued: the caller is often inside an engine call (of this driver or of another one).
    if (!paused && m_device && m_device->bytesAvailable() > 0 && !m_readQueued) {
        m_readQueued = true;
        QMetaObject::invokeMethod(
            this,
            [this] {
                m_readQueued = false;
                onReadyRead();
            },
            Qt::QueuedConnection);
    }
}

qint64 SessionDriver::bytesToWrite() const
{
    return m_socket ? m_socket->bytesToWrite() : 0;
}

// --- Engine events ----------------------------------------------------------------------------

bool SessionDriver::acceptRemoteKey(const Key32 &remotePublicKey)
{
    return !m_keyFilter || m_keyFilter(remotePublicKey);
}

void SessionDriver::onHandshake(const HandshakeInfo &info)
{
    emit handshakeCompleted(info);
}

void SessionDriver::onDiscoveryKey(const Key32 &discoveryKey)
{
    emit discoveryKeyReceived(discoveryKey);
}

void SessionDriver::onChannelOpen(const ChannelInfo &channel)
{
    emit channelOpened(channel);
}

void SessionDriver::onMessage(const ChannelInfo &channel, const Message &message)
{
    if (m_interceptor.offer(Direction::Inbound, channel, message))
        return; // held, or queued behind a held message: delivered by InterceptEvents::deliver
    emit messageReceived(channel, message);
}

void SessionDriver::onStreamOptions(const schema::Options &options)
{
    emit streamOptionsReceived(options);
}

void SessionDriver::onExtensionNames(const ChannelInfo *channel,
                                     const std::vector<std::string> &names)
{
    emit extensionNamesReceived(channel ? std::optional(channel->discoveryKey) : std::nullopt,
                                names);
}

void SessionDriver::onExtension(const ChannelInfo *channel, const std::string *name,
                                std::uint64_t id, ByteView payload)
{
    emit extensionReceived(
        channel ? std::optional(channel->discoveryKey) : std::nullopt,
        name ? std::optional(*name) : std::nullopt, id,
        QByteArray(reinterpret_cast<const char *>(payload.data()), qsizetype(payload.size())));
}

void SessionDriver::onChannelClose(const ChannelInfo &channel)
{
    emit channelClosed(channel);
}

void SessionDriver::onRemoteChannelClosed(const Key32 &discoveryKey)
{
    emit remoteChannelClosed(discoveryKey);
}

void SessionDriver::onEnd(const Error &reason)
{
    // Reported later, with ended(), once the socket is closed.
    m_pendingEnd = reason;
    if (m_pendingEnd.message.empty())
        m_pendingEnd.message = m_pendingEnd.ok() ? "session ended" : "session failed";
}

// --- Transport --------------------------------------------------------------------------------

void SessionDriver::start()
{
    if (m_engine.state() != Engine::State::Idle)
        return;
    m_everStarted = true;
    emit transportOpened();
    {
        EngineCall guard(this);
        m_engine.start(now());
    }
    afterEngineCall();
    if (m_closing)
        return;
    emit transportConnected();
    // Bytes that arrived before we were watching (an adopted socket) produce no new readyRead.
    if (m_device && m_device->bytesAvailable() > 0)
        onReadyRead();
}

void SessionDriver::onReadyRead()
{
    readAvailable(false);
}

void SessionDriver::readAvailable(bool drain)
{
    if (!m_device)
        return;
    if (m_engineDepth > 0) {
        // A handler runs a nested event loop: read once the engine call has returned.
        m_readPending = true;
        return;
    }
    if (m_closing || m_engine.state() == Engine::State::Ended) {
        // The session is over: whatever the peer still sends is dropped, not buffered.
        m_device->skip(m_device->bytesAvailable());
        return;
    }
    if (m_engine.state() == Engine::State::Idle)
        return; // not started yet; start() picks the bytes up
    if (m_readingPaused && !drain)
        return; // setReadingPaused(false) picks the bytes up
    // Another driver may be using the shared buffer further up the stack (a handler that runs a
    // nested event loop): then this read gets a buffer of its own.
    Bytes own;
    const bool shared = !t_readBuffer.busy;
    Bytes &buffer = shared ? t_readBuffer.bytes : own;
    if (buffer.size() < std::size_t(ReadChunk))
        buffer.resize(ReadChunk);
    t_readBuffer.busy = true;
    const auto release = qScopeGuard([shared] {
        if (shared)
            t_readBuffer.busy = false;
    });
    qint64 budget = drain ? std::numeric_limits<qint64>::max() : ReadBudget;
    while (m_device && m_engine.state() != Engine::State::Ended) {
        if (m_readingPaused && !drain)
            break; // a handler paused us while the previous chunk was processed
        if (budget <= 0) {
            if (m_device->bytesAvailable() > 0 && !m_readQueued) {
                m_readQueued = true;
                QMetaObject::invokeMethod(
                    this,
                    [this] {
                        m_readQueued = false;
                        onReadyRead();
                    },
                    Qt::QueuedConnection);
            }
            break;
        }
        const qint64 n =
            m_device->read(reinterpret_cast<char *>(buffer.data()), qint64(buffer.size()));
        if (n <= 0)
            break;
        budget -= n;
        {
            EngineCall guard(this);
            // In place: the engine decrypts the read buffer instead of a copy of it.
            m_engine.receiveInPlace(std::span<std::uint8_t>(buffer.data(), std::size_t(n)), now());
        }
        flush();
    }
    afterEngineCall();
}

void SessionDriver::onDisconnected()
{
    if (m_closing) {
        finish();
        return;
    }
    if (m_engineDepth > 0) {
        m_eofPending = true;
        return;
    }
    // Qt may still hold bytes that arrived just before the FIN: they belong to the session.
    readAvailable(true);
    if (m_closing)
        return;
    switch (m_engine.state()) {
    case Engine::State::Idle:
        endWith(Error(ErrorCode::ConnectionLost, "connection to " + m_remoteAddress.toStdString() +
                                                     " closed before it started"));
        return;
    case Engine::State::Handshaking:
    case Engine::State::Open: {
        EngineCall guard(this);
        m_engine.receiveEnd(now());
        break;
    }
    case Engine::State::Ended:
        break;
    }
    afterEngineCall();
}

void SessionDriver::onSocketError(QAbstractSocket::SocketError error)
{
    if (m_closing || m_engine.state() == Engine::State::Ended)
        return;
    if (error == QAbstractSocket::RemoteHostClosedError)
        return; // an orderly EOF: disconnected() follows and decides clean or not
    const std::string what = m_socket ? m_socket->errorString().toStdString() : "unknown error";
    const std::string where = "connection to " + m_remoteAddress.toStdString();
    m_transportFailure = transportFailureName(error, m_engine.state() == Engine::State::Idle);
    if (m_engine.state() == Engine::State::Idle)
        endWith(Error(ErrorCode::ConnectionLost, where + " failed: " + what));
    else
        endWith(Error(ErrorCode::ConnectionLost, where + " lost: " + what));
}

void SessionDriver::onTimer()
{
    if (m_closing) {
        // The close grace ran out: the peer did not take our last bytes.
        if (m_socket)
            m_socket->abort();
        finish();
        return;
    }
    if (m_engineDepth > 0)
        return; // re-armed when the engine call in progress returns
    if (m_engine.state() == Engine::State::Idle) {
        m_transportFailure = transportFailureName(QAbstractSocket::SocketTimeoutError, true);
        endWith(Error(ErrorCode::Timeout,
                      "connection to " + m_remoteAddress.toStdString() + " timed out after " +
                          std::to_string(m_engine.options().timeout.count()) + " ms"));
        return;
    }
    {
        EngineCall guard(this);
        // The timeout measures the peer's silence. While we do not read (setReadingPaused), what
        // it sent waits in the socket: that peer is talking, we are the ones not listening.
        if (m_readingPaused && m_device && m_device->bytesAvailable() > 0)
            m_engine.noteRemoteActivity(now());
        m_engine.handleTimers(now());
    }
    afterEngineCall();
}

void SessionDriver::flush()
{
    if (!m_device || m_engine.outputSize() == 0)
        return;
    // The engine writes into the storage of the previous flush (no allocation per flush). Held
    // in a local while writing, so that a re-entrant flush cannot clear it under us; a buffer
    // grown by a burst is not kept (an idle session should not hold it).
    Bytes output = std::exchange(m_writeBuffer, Bytes());
    m_engine.takeOutput(output);
    const auto keepStorage = qScopeGuard([&] {
        if (output.capacity() <= KeptWriteBuffer)
            m_writeBuffer = std::move(output);
    });
    if (!m_device->isOpen())
        return;
    const qint64 written =
        m_device->write(reinterpret_cast<const char *>(output.data()), qint64(output.size()));
    if (written != qint64(output.size())) {
        destroyEngine(Error(ErrorCode::ConnectionLost,
                            "write to " + m_remoteAddress.toStdString() +
                                " failed: " + m_device->errorString().toStdString()));
        return;
    }
    if (m_socket && m_socket->bytesToWrite() > qint64(limits::MaxQueuedOutput)) {
        destroyEngine(Error(ErrorCode::OutputOverflow,
                            "peer is not reading: " + std::to_string(m_socket->bytesToWrite()) +
                                " bytes queued"));
    }
}

void SessionDriver::destroyEngine(Error reason)
{
    // Ends the engine in any state, Idle included; onEnd() records the reason. A second end is
    // ignored by the engine: the first reason stays.
    EngineCall guard(this);
    m_engine.destroy(std::move(reason));
}

void SessionDriver::endWith(Error reason)
{
    destroyEngine(std::move(reason));
    afterEngineCall();
}

void SessionDriver::afterEngineCall()
{
    if (m_engineDepth > 0)
        return; // a handler called us from inside the engine: the outermost call finishes up
    flush();
    if (m_engine.state() == Engine::State::Ended) {
        closeTransport();
        return;
    }
    rearmTimer();
    // Socket news that arrived while a handler ran a nested event loop.
    if (std::exchange(m_readPending, false))
        onReadyRead();
    if (std::exchange(m_eofPending, false))
        onDisconnected();
}

void SessionDriver::rearmTimer()
{
    const std::optional<Millis> deadline = m_engine.nextDeadline();
    if (!deadline) {
        m_timer.stop();
        m_armedFor.reset();
        return;
    }
    // Every frame sent pushes the keepalive deadline later. Re-arming the QTimer for each one
    // costs more than a small frame itself, so a timer already armed for an earlier deadline
    // stays: it fires early, handleTimers() finds nothing due, and this re-arms it then.
    if (m_timer.isActive() && m_armedFor && *m_armedFor <= *deadline)
        return;
    const qint64 delay = std::max<qint64>(0, deadline->count() - now().count());
    m_timer.start(int(std::min<qint64>(delay, INT_MAX)));
    m_armedFor = deadline;
}

void SessionDriver::closeTransport()
{
    if (m_closing)
        return;
    m_closing = true;
    m_timer.stop();
    if (m_socket) {
        if (m_socket->state() == QAbstractSocket::ConnectedState && m_pendingEnd.ok()) {
            // A clean end lets the peer read what we last said (a Close, a message before quit).
            m_socket->disconnectFromHost();
            if (m_socket->state() != QAbstractSocket::UnconnectedState) {
                m_timer.start(CloseGraceMs);
                return;
            }
        } else if (m_socket->state() != QAbstractSocket::UnconnectedState) {
            m_socket->abort();
        }
    } else if (m_device) {
        disconnect(m_device, nullptr, this, nullptr);
        m_device->close();
    }
    finish();
}

void SessionDriver::finish()
{
    if (m_endedEmitted)
        return;
    m_endedEmitted = true;
    m_timer.stop();
    // Held messages are neither delivered nor sent once the session is over; each is reported.
    m_interceptor.endSession("the session ended");
    if (m_socket)
        disconnect(m_socket, nullptr, this, nullptr);
    // Queued: receivers may deleteLater() us, and we are often deep inside a socket signal or an
    // engine call here. The connection dies with us if we are deleted first.
    QMetaObject::invokeMethod(
        this, [this] { emit ended(m_pendingEnd); }, Qt::QueuedConnection);
}

QString SessionDriver::transportFailureName(QAbstractSocket::SocketError error, bool connecting)
{
    switch (error) {
    case QAbstractSocket::ConnectionRefusedError:
        return QStringLiteral("connection-refused");
    case QAbstractSocket::HostNotFoundError:
        return QStringLiteral("host-not-found");
    case QAbstractSocket::SocketTimeoutError:
        return QStringLiteral("timed-out");
    case QAbstractSocket::NetworkError:
        // Qt reports ENETUNREACH and EHOSTUNREACH while connecting as a network error.
        return connecting ? QStringLiteral("network-unreachable") : QStringLiteral("network-error");
    case QAbstractSocket::RemoteHostClosedError:
        return QStringLiteral("connection-reset");
    case QAbstractSocket::SocketAccessError:
        return QStringLiteral("access-denied");
    case QAbstractSocket::SocketResourceError:
        return QStringLiteral("out-of-resources");
    case QAbstractSocket::AddressInUseError:
    case QAbstractSocket::SocketAddressNotAvailableError:
        return QStringLiteral("address-unavailable");
    case QAbstractSocket::ProxyAuthenticationRequiredError:
    case QAbstractSocket::ProxyConnectionRefusedError:
    case QAbstractSocket::ProxyConnectionClosedError:
    case QAbstractSocket::ProxyConnectionTimeoutError:
    case QAbstractSocket::ProxyNotFoundError:
    case QAbstractSocket::ProxyProtocolError:
        return QStringLiteral("proxy-error");
    default:
        return connecting ? QStringLiteral("connect-failed") : QStringLiteral("socket-error");
    }
}

// --- Intercept
// ------------------------------------------------------------------------------------

void SessionDriver::setInterceptLeg(filter::Leg leg)
{
    m_interceptor.setContext(static_cast<std::uint64_t>(m_id), leg);
    m_interceptor.setOutgoingIntercepted(leg == filter::Leg::None);
}

void SessionDriver::InterceptEvents::deliver(Direction direction, const ChannelInfo &channel,
                                             const Message &message)
{
    if (direction == Direction::Inbound) {
        emit m_driver->messageReceived(channel, message);
        return;
    }
    const Error result =
        m_driver->act([&] { return m_driver->m_engine.send(channel.discoveryKey, message); });
    if (!result.ok()) {
        const std::string type(messageTypeName(static_cast<std::uint8_t>(messageType(message))));
        emit m_driver->interceptWarning(QString::fromStdString("intercept: the released " + type +
                                                               " was not sent: " + result.message));
    }
}

void SessionDriver::InterceptEvents::held(const InterceptedMessage &message)
{
    emit m_driver->messageIntercepted(message);
}

void SessionDriver::InterceptEvents::released(std::uint64_t id, bool edited)
{
    emit m_driver->interceptReleased(quint64(id), edited);
}

void SessionDriver::InterceptEvents::dropped(std::uint64_t id, const std::string &reason)
{
    emit m_driver->interceptDropped(quint64(id), QString::fromStdString(reason));
}

void SessionDriver::InterceptEvents::warning(const std::string &message)
{
    emit m_driver->interceptWarning(QString::fromStdString(message));
}

Millis SessionDriver::now() const
{
    return Millis(m_clock.elapsed());
}

} // namespace hyperscope
