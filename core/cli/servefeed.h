// --serve FILE: hyperscope-cli as a hypercore 9 writer. The file's bytes become a signed feed in
// memory (feed::FeedBuilder); each session opens the feed's channel and behaves on it as
// hypercore 9's replicate.js does for a writable feed that is uploading and downloading:
//  - on open: Want {start 0, length 1048576} (hypercore's _sendWants subscribes to the first
//    mebiblock; a writer holds everything, so nothing comes of it but the remote's Have);
//  - on a Want whose start and length are multiples of 8192 (others are ignored, as hypercore
//    does): the first time, Have {start length−1} (the feed's length, eagerly), then always
//    Have {start, length, bitfield-rle of the blocks held there};
//  - on a Request: Data with the value, the proof nodes the requester's `nodes` digest leaves
//    out and the signature (feed::FeedBuilder::data, which keeps per channel what the remote
//    holds); a Request for a nonzero `bytes` offset or for a block past the end is not answered
//    (hypercore would end the stream) and is reported as a warning.
// Nothing else is sent: no Status (hypercore sends one only when not both uploading and
// downloading), no Options (no extensions or acks on the feed).
#pragma once

#include "feedbuilder.h"
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

namespace hyperscope {

class SessionDriver;

/// The block sizes --block-size accepts: 1 byte .. 8 MiB (hypercore 9 refuses larger messages).
constexpr std::size_t MaxServedBlockSize = 8 * 1024 * 1024;

/// Reads @p path and builds its feed, signed by @p keyPair. Returns the feed, or the reason it
/// cannot be served ("cannot read FILE: ...", "FILE is empty: a feed needs at least one block").
/// @p blockSize must be 1 .. MaxServedBlockSize (the option parser checks it).
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

    const feed::FeedBuilder &feed() const { return m_feed; }

    /// The session can open channels: opens the feed's.
    void open(SessionDriver *driver);
    /// A channel of @p driver is established: on the feed's, the opening Want.
    void channelOpened(SessionDriver *driver, const ChannelInfo &channel);
    /// A message arrived: answers Want and Request on the feed's channel.
    void messageReceived(SessionDriver *driver, const ChannelInfo &channel, const Message &message);
    /// Forgets session @p session (call when it ends).
    void forgetSession(int session);

    /// hypercore 9 subscribes to the first 1048576 blocks on open.
    static constexpr std::uint64_t OpeningWantLength = 1024 * 1024;

private:
    /// What this server knows about one remote (per session; one channel per session).
    struct Remote
    {
        feed::TreeIndex tree; ///< The nodes the remote holds, as far as our Data told it.
        bool wanted = false;  ///< It sent a Want (the eager Have of our length was sent).
    };

    void answerWant(SessionDriver *driver, Remote &remote, const schema::Want &want);
    void answerRequest(SessionDriver *driver, Remote &remote, const schema::Request &request);

    feed::FeedBuilder m_feed;
    Key32 m_discoveryKey;
    Sender m_sender;
    Warner m_warner;
    std::map<int, Remote> m_remotes; ///< by session id
};

/// The "feed" event: {"event":"feed","session":0,"key":HEX,"discoveryKey":HEX,"length":L,
/// "byteLength":B,"blockSize":N}.
QJsonObject feedEvent(const feed::FeedBuilder &feed, std::size_t blockSize);

} // namespace hyperscope
