#include "servefeed.h"

#include "jsonevents.h"
#include "schema.pb.h"
#include "sessiondriver.h"

#include <QFile>

#include <algorithm>

namespace hyperscope {

std::variant<feed::FeedBuilder, QString> loadServedFeed(const QString &path, std::size_t blockSize,
                                                        const feed::SigningKeyPair &keyPair)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return QStringLiteral("cannot read %1: %2").arg(path, file.errorString());
    const QByteArray bytes = file.readAll();
    if (file.error() != QFileDevice::NoError)
        return QStringLiteral("cannot read %1: %2").arg(path, file.errorString());
    if (bytes.isEmpty())
        return QStringLiteral("%1 is empty: a feed needs at least one block").arg(path);
    const ByteView view(reinterpret_cast<const std::uint8_t *>(bytes.constData()),
                        std::size_t(bytes.size()));
    return feed::FeedBuilder::fromBytes(view, blockSize, keyPair);
}

std::optional<feed::SigningKeyPair> parseFeedSecret(const QString &text, QString *error)
{
    const std::optional<Bytes> bytes = fromHex(text.trimmed().toStdString());
    if (!bytes || (bytes->size() != 32 && bytes->size() != 64)) {
        if (error) {
            *error = QStringLiteral("--feed-secret needs 64 hex digits (an Ed25519 seed) or 128 "
                                    "(seed and public key), got '%1'")
                         .arg(text);
        }
        return std::nullopt;
    }
    Key32 seed{};
    std::copy_n(bytes->begin(), seed.size(), seed.begin());
    feed::SigningKeyPair keyPair = feed::signingKeyPairFromSeed(seed);
    if (bytes->size() == 64 &&
        !std::equal(keyPair.publicKey.begin(), keyPair.publicKey.end(), bytes->begin() + 32)) {
        if (error) {
            *error = QStringLiteral("--feed-secret: the last 64 hex digits are not the public "
                                    "key of the first 64 (%1)")
                         .arg(hexString(keyPair.publicKey));
        }
        return std::nullopt;
    }
    return keyPair;
}

FeedServer::FeedServer(feed::FeedBuilder feed, Sender sender, Warner warner)
    : m_feed(std::move(feed))
    , m_discoveryKey(m_feed.discoveryKey())
    , m_sender(std::move(sender))
    , m_warner(std::move(warner))
{}

void FeedServer::open(SessionDriver *driver)
{
    if (const Error error = driver->openChannel(m_feed.key())) {
        m_warner(driver->id(), QStringLiteral("cannot open the served feed's channel: %1")
                                   .arg(QString::fromStdString(error.message)));
    }
}

void FeedServer::channelOpened(SessionDriver *driver, const ChannelInfo &channel)
{
    if (channel.discoveryKey != m_discoveryKey)
        return;
    m_remotes.try_emplace(driver->id());
    Message want(std::in_place_index<5>);
    auto &message = std::get<schema::Want>(want);
    message.set_start(0);
    message.set_length(OpeningWantLength);
    if (const QString error = m_sender(driver, m_discoveryKey, want); !error.isEmpty())
        m_warner(driver->id(), error);
}

void FeedServer::messageReceived(SessionDriver *driver, const ChannelInfo &channel,
                                 const Message &message)
{
    if (channel.discoveryKey != m_discoveryKey)
        return;
    Remote &remote = m_remotes[driver->id()];
    if (const auto *want = std::get_if<schema::Want>(&message))
        answerWant(driver, remote, *want);
    else if (const auto *request = std::get_if<schema::Request>(&message))
        answerRequest(driver, remote, *request);
}

void FeedServer::forgetSession(int session)
{
    m_remotes.erase(session);
}

void FeedServer::answerWant(SessionDriver *driver, Remote &remote, const schema::Want &want)
{
    // hypercore answers only Wants aligned to its bitfield pages (8192 blocks).
    if ((want.start() & 8191) != 0 || (want.length() & 8191) != 0)
        return;
    if (!remote.wanted) {
        // Eagerly tell the remote how long the feed is: a Have of the last block.
        remote.wanted = true;
        Message have(std::in_place_index<3>);
        std::get<schema::Have>(have).set_start(m_feed.length() - 1);
        if (const QString error = m_sender(driver, m_discoveryKey, have); !error.isEmpty())
            m_warner(driver->id(), error);
    }
    // A Want without a length covers everything from start (hypercore's compress(start, 0)).
    const std::uint64_t start = want.start();
    const std::uint64_t length = want.length() != 0
                                     ? want.length()
                                     : (m_feed.length() > start ? m_feed.length() - start : 0);
    Message have(std::in_place_index<3>);
    auto &message = std::get<schema::Have>(have);
    message.set_start(start);
    if (want.has_length())
        message.set_length(want.length());
    const Bytes bitfield = m_feed.haveBitfield(start, length);
    message.set_bitfield(std::string(bitfield.begin(), bitfield.end()));
    if (const QString error = m_sender(driver, m_discoveryKey, have); !error.isEmpty())
        m_warner(driver->id(), error);
}

void FeedServer::answerRequest(SessionDriver *driver, Remote &remote,
                               const schema::Request &request)
{
    // hypercore encodes an absent byte offset as 0 and tests it for truth: only nonzero counts.
    if (request.bytes() != 0) {
        m_warner(driver->id(),
                 QStringLiteral("Request for byte offset %1 not answered: the served feed "
                                "answers Requests by block index only")
                     .arg(request.bytes()));
        return;
    }
    std::optional<schema::Data> data =
        m_feed.data(request.index(), request.nodes(), remote.tree, request.hash());
    if (!data) {
        m_warner(driver->id(), QStringLiteral("Request for block %1 not answered: the served "
                                              "feed has %2 blocks (0 to %3)")
                                   .arg(request.index())
                                   .arg(m_feed.length())
                                   .arg(m_feed.length() - 1));
        return;
    }
    Message answer(std::in_place_index<9>, std::move(*data));
    if (const QString error = m_sender(driver, m_discoveryKey, answer); !error.isEmpty())
        m_warner(driver->id(), error);
}

QJsonObject feedEvent(const feed::FeedBuilder &feed, std::size_t blockSize)
{
    return QJsonObject{{QStringLiteral("event"), QStringLiteral("feed")},
                       {QStringLiteral("session"), 0},
                       {QStringLiteral("key"), hexString(feed.key())},
                       {QStringLiteral("discoveryKey"), hexString(feed.discoveryKey())},
                       {QStringLiteral("length"), qint64(feed.length())},
                       {QStringLiteral("byteLength"), qint64(feed.byteLength())},
                       {QStringLiteral("blockSize"), qint64(blockSize)}};
}

} // namespace hyperscope
