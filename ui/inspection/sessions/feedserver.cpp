#include "feedserver.h"

#include "inspectedsession.h"
#include "schema.pb.h"
#include "sessiondriver.h"
#include "sessionmanager.h"

#include <QFile>

namespace hyperscope {

FeedServer::FeedServer(SessionManager *manager, QObject *parent)
    : QObject(parent)
    , m_manager(manager)
{
    connect(m_manager, &SessionManager::sessionAdded, this,
            [this](InspectedSession *session) { attach(session); });
}

FeedServer::~FeedServer() = default;

bool FeedServer::serveFile(const QString &path, std::size_t blockSize, QString *error)
{
    const auto fail = [error](const QString &message) {
        if (error)
            *error = message;
        return false;
    };
    if (blockSize == 0 || blockSize > MaxBlockSize)
        return fail(tr("the block size must be 1 to %1 bytes").arg(MaxBlockSize));
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return fail(tr("cannot read %1: %2").arg(path, file.errorString()));
    const QByteArray bytes = file.readAll();
    if (file.error() != QFileDevice::NoError)
        return fail(tr("cannot read %1: %2").arg(path, file.errorString()));
    if (bytes.isEmpty())
        return fail(tr("%1 is empty: a feed needs at least one block").arg(path));

    const ByteView view(reinterpret_cast<const std::uint8_t *>(bytes.constData()),
                        std::size_t(bytes.size()));
    m_feed = std::make_unique<feed::FeedBuilder>(
        feed::FeedBuilder::fromBytes(view, blockSize, feed::generateSigningKeyPair()));
    m_discoveryKey = m_feed->discoveryKey();
    m_fileName = path;
    m_remotes.clear();
    emit servingChanged();
    for (InspectedSession *session : m_manager->sessions())
        attach(session);
    return true;
}

void FeedServer::attach(InspectedSession *session)
{
    SessionDriver *driver = session->driver();
    if (!driver || session->isCapture() || session->isRelayed() ||
        session->origin() == InspectedSession::Origin::Demo)
        return;
    const int id = session->id();
    if (!m_attached.count(id) || m_attached[id] != driver) {
        m_attached[id] = driver;
        connect(driver, &SessionDriver::channelOpened, this,
                [this, driver](const ChannelInfo &channel) { onChannelOpened(driver, channel); });
        connect(driver, &SessionDriver::messageReceived, this,
                [this, driver](const ChannelInfo &channel, const Message &message) {
                    onMessage(driver, channel, message);
                });
        connect(driver, &SessionDriver::transportConnected, this, [this, driver] {
            if (m_feed)
                open(driver);
        });
        connect(driver, &SessionDriver::ended, this, [this, id] {
            m_remotes.erase(id);
            m_attached.erase(id);
        });
    }
    // The engine queues channels until the handshake completes; the transport must be up.
    if (m_feed && driver->engine().state() != Engine::State::Idle &&
        driver->engine().state() != Engine::State::Ended)
        open(driver);
}

void FeedServer::open(SessionDriver *driver)
{
    if (const Error error = driver->openChannel(m_feed->key())) {
        emit warning(driver->id(), tr("cannot open the served feed's channel: %1")
                                       .arg(QString::fromStdString(error.message)));
    }
}

void FeedServer::onChannelOpened(SessionDriver *driver, const ChannelInfo &channel)
{
    if (!m_feed || channel.discoveryKey != m_discoveryKey)
        return;
    m_remotes.try_emplace(driver->id());
    // hypercore 9's writer subscribes to the first mebiblock on open (Peer._sendWants).
    Message want(std::in_place_type<schema::Want>);
    std::get<schema::Want>(want).set_start(0);
    std::get<schema::Want>(want).set_length(1024 * 1024);
    send(driver, want);
}

void FeedServer::onMessage(SessionDriver *driver, const ChannelInfo &channel,
                           const Message &message)
{
    if (!m_feed || channel.discoveryKey != m_discoveryKey)
        return;
    Remote &remote = m_remotes[driver->id()];
    if (const auto *want = std::get_if<schema::Want>(&message)) {
        if ((want->start() & 8191) != 0 || (want->length() & 8191) != 0)
            return; // hypercore answers only Wants aligned to its bitfield pages
        if (!remote.wanted) {
            remote.wanted = true; // eagerly: the feed's length, as a Have of its last block
            Message have(std::in_place_type<schema::Have>);
            std::get<schema::Have>(have).set_start(m_feed->length() - 1);
            send(driver, have);
        }
        const std::uint64_t start = want->start();
        const std::uint64_t length =
            want->length() != 0 ? want->length()
                                : (m_feed->length() > start ? m_feed->length() - start : 0);
        Message have(std::in_place_type<schema::Have>);
        auto &fields = std::get<schema::Have>(have);
        fields.set_start(start);
        if (want->has_length())
            fields.set_length(want->length());
        const Bytes bitfield = m_feed->haveBitfield(start, length);
        fields.set_bitfield(std::string(bitfield.begin(), bitfield.end()));
        send(driver, have);
    } else if (const auto *request = std::get_if<schema::Request>(&message)) {
        if (request->bytes() != 0) {
            emit warning(driver->id(), tr("Request for byte offset %1 not answered: the served "
                                          "feed answers Requests by block index only")
                                           .arg(request->bytes()));
            return;
        }
        std::optional<schema::Data> data =
            m_feed->data(request->index(), request->nodes(), remote.tree, request->hash());
        if (!data) {
            emit warning(driver->id(), tr("Request for block %1 not answered: the served feed "
                                          "has %2 blocks")
                                           .arg(request->index())
                                           .arg(m_feed->length()));
            return;
        }
        send(driver, Message(std::in_place_type<schema::Data>, std::move(*data)));
    }
}

void FeedServer::send(SessionDriver *driver, const Message &message)
{
    if (const Error error = driver->send(m_discoveryKey, message))
        emit warning(driver->id(), QString::fromStdString(error.message));
}

} // namespace hyperscope
