#include "servefeed.h"

#include "jsonevents.h"
#include "sessiondriver.h"

#include <algorithm>

namespace hyperscope {

std::variant<feed::FeedBuilder, QString> loadServedFeed(const QString &path, std::size_t blockSize,
                                                        const feed::SigningKeyPair &keyPair)
{
    std::variant<feed::FeedBuilder, std::string> loaded =
        feed::loadServedFile(path.toStdString(), blockSize, keyPair);
    if (const std::string *error = std::get_if<std::string>(&loaded))
        return QString::fromStdString(*error);
    return std::get<feed::FeedBuilder>(std::move(loaded));
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
    send(driver, m_responders.try_emplace(driver->id(), m_feed).first->second.opening());
}

void FeedServer::messageReceived(SessionDriver *driver, const ChannelInfo &channel,
                                 const Message &message)
{
    if (channel.discoveryKey != m_discoveryKey)
        return;
    feed::FeedResponder &responder = m_responders.try_emplace(driver->id(), m_feed).first->second;
    const feed::FeedResponder::Reply reply = responder.respond(message);
    if (!reply.warning.empty())
        m_warner(driver->id(), QString::fromStdString(reply.warning));
    send(driver, reply.messages);
}

void FeedServer::forgetSession(int session)
{
    m_responders.erase(session);
}

void FeedServer::send(SessionDriver *driver, const std::vector<Message> &messages)
{
    for (const Message &message : messages) {
        if (const QString error = m_sender(driver, m_discoveryKey, message); !error.isEmpty())
            m_warner(driver->id(), error);
    }
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
