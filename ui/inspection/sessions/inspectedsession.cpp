#include "inspectedsession.h"

#include "inspectortrace.h"
#include "messagelogmodel.h"

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
    m_peerAddress = driver->remoteAddress();
    const EngineOptions &options = driver->engine().options();
    m_handshake.noise = options.noise;
    m_handshake.encrypted = options.encrypted && options.noise;
    m_handshake.initiator = options.initiator;
    m_handshake.localStaticKey = driver->engine().publicKey();
    m_channels->setNoise(options.noise);

    m_trace = std::make_unique<InspectorTrace>(*this, *log);
    driver->engine().setTraceSink(m_trace.get());
    m_log->setSessionLabel(m_id, label());

    connect(driver, &SessionDriver::transportConnected, this, [this] {
        m_transportUp = true;
        m_peerAddress = m_driver->remoteAddress();
        m_log->setSessionLabel(m_id, label());
        m_log->appendNote(
            m_id, MessageLogModel::Kind::Event, Direction::Inbound, 0,
            tr("Connected to %1 as %2 (%3)").arg(peerAddress(), roleText(), modeText()));
        emit changed();
    });
    connect(driver, &SessionDriver::ended, this, &InspectedSession::onEnded);
    connect(driver, &SessionDriver::discoveryKeyReceived, this, [this](const Key32 &dk) {
        m_log->appendNote(m_id, MessageLogModel::Kind::Event, Direction::Inbound, 0,
                          tr("The remote opened discovery key %1, which we have not opened: "
                             "open it with its feed key to accept")
                              .arg(QString::fromStdString(toHex(dk))));
    });
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
        return State::Ended;
    }
    return State::Ended;
}

QString InspectedSession::stateText() const
{
    switch (state()) {
    case State::Connecting:
        return tr("connecting");
    case State::Handshaking:
        return tr("handshaking");
    case State::Open:
        return tr("open");
    case State::Ended:
        if (m_endedAtMs < 0)
            return tr("ending");
        return m_endedWithError ? tr("failed") : tr("closed");
    }
    return {};
}

qint64 InspectedSession::durationMs() const
{
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

void InspectedSession::onEnded(const Error &reason)
{
    if (m_endedAtMs >= 0)
        return;
    m_endedAtMs = m_clock.elapsed();
    m_endedWithError = !reason.ok();
    m_endReason = reason.ok() ? QString() : errorText(reason);
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
        m_log->appendNote(m_id, MessageLogModel::Kind::Event, Direction::Inbound, 0, text);
    if (!m_handshake.complete && m_handshake.noise && m_handshake.failure.isEmpty()) {
        m_handshake.failure =
            reason.ok() ? tr("the connection closed during the handshake") : m_endReason;
        for (int i = 0; i < 3 && m_handshake.failedStep < 0; ++i) {
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

QString InspectedSession::openChannel(const Key32 &key)
{
    if (!m_driver)
        return tr("the session is gone");
    return result(m_driver->openChannel(key));
}

QString InspectedSession::closeChannel(const Key32 &discoveryKey)
{
    if (!m_driver)
        return tr("the session is gone");
    return result(m_driver->closeChannel(discoveryKey));
}

QString InspectedSession::send(const Key32 &discoveryKey, const Message &message)
{
    if (!m_driver)
        return tr("the session is gone");
    return result(m_driver->send(discoveryKey, message));
}

QString InspectedSession::sendFrame(std::uint64_t channel, std::uint8_t type,
                                    const QByteArray &payload)
{
    if (!m_driver)
        return tr("the session is gone");
    return result(m_driver->sendFrame(channel, type, viewOf(payload)));
}

QString InspectedSession::registerExtension(const std::optional<Key32> &discoveryKey,
                                            const QString &name)
{
    if (!m_driver)
        return tr("the session is gone");
    return result(m_driver->registerExtension(discoveryKey, name.toStdString()));
}

QString InspectedSession::sendExtension(const std::optional<Key32> &discoveryKey,
                                        const QString &name, const QByteArray &payload)
{
    if (!m_driver)
        return tr("the session is gone");
    return result(m_driver->sendExtension(discoveryKey, name.toStdString(), viewOf(payload)));
}

QString InspectedSession::ping()
{
    if (!m_driver)
        return tr("the session is gone");
    return result(m_driver->ping());
}

void InspectedSession::disconnectFromPeer()
{
    if (m_driver)
        m_driver->disconnectFromPeer();
}

} // namespace hyperscope
