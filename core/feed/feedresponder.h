// FeedResponder: hypercore 9's writer on one channel, with no I/O. Given the feed it serves and
// each message the remote sends on that channel, it returns the messages a hypercore 9 node
// (lib/replicate.js of npm hypercore@9.12.0, a writable feed that is uploading and downloading)
// sends back, so that a real hypercore 9 client clones and verifies the feed:
//
//  - opening(): on open, Want {start 0, length 1048576} (Peer._sendWants always subscribes to the
//    first mebiblock; a writer holds everything, so nothing comes of it but the remote's Have).
//    No Status (hypercore sends one only when not both uploading and downloading) and no Options
//    (no extensions or acks on the feed).
//  - Want whose start and length are multiples of 8192 (others are ignored, as Peer.onwant
//    ignores them: its bitfield pages): the first time, Have {start length−1} (the feed's length,
//    eagerly; not for an empty feed), then always Have {start, length, bitfield-rle of the blocks
//    held in start .. start+length−1}. A Want without a length covers everything from start.
//  - Request: Data with the value (none for Request.hash), the proof nodes the requester's
//    `nodes` digest leaves out and, when the remote needs roots, the signature
//    (FeedBuilder::data; what the remote holds is kept here, per channel, as Peer.remoteTree).
//    A Request for a nonzero `bytes` offset (hypercore would seek) or for a block past the end
//    (hypercore would destroy the stream) is not answered: the reply carries a warning instead.
//  - Unwant and Cancel: nothing (hypercore 9's onunwant/oncancel are empty); every other message
//    (Have, Unhave, Status, Data, ...) is the remote's business, not a question to answer.
//
// One FeedResponder per remote channel (a session and a feed). It reads the feed it was given and
// does not own it: the FeedBuilder must outlive it. Hostile input (a huge index, a length of
// 2^63, any digest) is answered or refused, never trusted for an allocation.
#pragma once

#include "feedbuilder.h"
#include "messages.h"
#include "treeindex.h"

#include <cstdint>
#include <string>
#include <vector>

namespace hyperscope::feed {

class FeedResponder
{
public:
    /// Peer._sendWants subscribes to the first 1048576 blocks on open.
    static constexpr std::uint64_t OpeningWantLength = 1024 * 1024;
    /// Peer.onwant answers only Wants whose start and length are multiples of this (the pages of
    /// hypercore's bitfield).
    static constexpr std::uint64_t WantAlignment = 8192;

    /// What to do about one incoming message: the messages to send on the channel, in order, and,
    /// when the message is a question left unanswered, one line saying why (empty otherwise), e.g.
    /// "Request for block 27 not answered: the served feed has 13 blocks (0 to 12)".
    struct Reply
    {
        std::vector<Message> messages;
        std::string warning;
    };

    /// Serves @p feed (not owned; it must outlive this responder and not change meanwhile).
    explicit FeedResponder(const FeedBuilder &feed);

    /// What to send once the channel is open on both sides: the opening Want.
    std::vector<Message> opening() const;

    /// The answer to @p incoming, a message the remote sent on the feed's channel.
    Reply respond(const Message &incoming);

    /// The tree nodes the remote holds, as far as the Data sent so far told it (Peer.remoteTree).
    const TreeIndex &remoteTree() const { return m_remoteTree; }
    /// True once a Want was answered (the eager Have of the length was sent then).
    bool remoteWanted() const { return m_remoteWanted; }

private:
    Reply answerWant(const schema::Want &want);
    Reply answerRequest(const schema::Request &request);

    const FeedBuilder *m_feed;
    TreeIndex m_remoteTree;
    bool m_remoteWanted = false;
};

} // namespace hyperscope::feed
