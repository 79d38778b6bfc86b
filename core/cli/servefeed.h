// --serve FILE: hyperscope-cli as a hypercore 9 writer. The file's bytes become a signed feed in
// memory (feed::loadServedFile); each session opens the feed's channel and answers on it as
// hypercore 9 does (feed::FeedResponder, one per session: the opening Want, Have for a Want,
// Data with proof and signature for a Request). This file is only the adapter: which sessions,
// how messages arrive and where the answers and warnings go.
#pragma once

#include "feedbuilder.h"
#include "feedfile.h"
#include "feedresponder.h"
#include "messages.h"
#include "sessioninfo.h"

#include <QJsonObject>
#include <QString>

#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <utility>
#include <variant>
#include <vector>

namespace hyperscope {

class SessionDriver;

/// The block sizes --block-size accepts: 1 byte .. 8 MiB (hypercore 9 refuses larger messages).
using feed::MaxServedBlockSize;

/// Reads @p path and builds its feed, signed by @p keyPair: feed::loadServedFile, its error line
/// ("cannot read FILE: ...", "FILE is empty: a feed needs at least one block", a block size out
/// of 1 .. MaxServedBlockSize) as a QString.
std::variant<feed::FeedBuilder, QString> loadServedFeed(const QString &path, std::size_t blockSize,
                                                        const feed::SigningKeyPair &keyPair);

/// Parses --feed-secret: 64 hex digits (an Ed25519 seed) or 128 (libsodium's secret key, seed ‖
/// public key, as hypercore stores it; the public half must match the seed). nullopt and
/// @p error when it is neither.
std::optional<feed::SigningKeyPair> parseFeedSecret(const QString &text, QString *error);

/// Serves one feed on any number of sessions (one per connection). Not a QObject: the owner
/// (CliApp) forwards the session signals it already watches.
class FeedServer
{
public:
    /// Sends @p message on the channel of @p discoveryKey of @p driver; the owner also records it
    /// (the feed layer's annotations). Returns an error text, empty on success.
    using Sender = std::function<QString(SessionDriver *driver, const Key32 &discoveryKey,
                                         const Message &message)>;
    /// A problem worth a warning event on session @p session.
    using Warner = std::function<void(int session, const QString &message)>;

    FeedServer(feed::FeedBuilder feed, Sender sender, Warner warner);
    // The responders point into m_feed: a FeedServer stays where it was made.
    FeedServer(const FeedServer &) = delete;
    FeedServer &operator=(const FeedServer &) = delete;

    const feed::FeedBuilder &feed() const { return m_feed; }

    /// The session can open channels: opens the feed's.
    void open(SessionDriver *driver);
    /// A channel of @p driver is established: on the feed's, the opening Want.
    void channelOpened(SessionDriver *driver, const ChannelInfo &channel);
    /// A message arrived: answers it on the feed's channel (feed::FeedResponder::respond).
    void messageReceived(SessionDriver *driver, const ChannelInfo &channel, const Message &message);
    /// Forgets session @p session (call when it ends).
    void forgetSession(int session);

private:
    void send(SessionDriver *driver, const std::vector<Message> &messages);

    feed::FeedBuilder m_feed;
    Key32 m_discoveryKey;
    Sender m_sender;
    Warner m_warner;
    /// One responder per session (one channel per session); they read m_feed.
    std::map<int, feed::FeedResponder> m_responders;
};

/// The "feed" event: {"event":"feed","session":0,"key":HEX,"discoveryKey":HEX,"length":L,
/// "byteLength":B,"blockSize":N}.
QJsonObject feedEvent(const feed::FeedBuilder &feed, std::size_t blockSize);

} // namespace hyperscope
