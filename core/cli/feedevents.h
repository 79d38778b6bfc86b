// The feed layer's fields on hyperscope-cli's "message" events (issue 13):
//  - Have/Unhave/Want/Unwant: "blocks": [[first, last], ...], both ends INCLUSIVE ("blocks 0–9"
//    is [[0,9]]); an open range (a Want without length) ends in null: [[0,null]]. A Have whose
//    bitfield is invalid gets "blocks": [] and "blocksError": "invalid bitfield: ...".
//  - Data on a channel whose feed key is known: "verified": true or false, "verdict":
//    "verified" | "failed" | "unverifiable", and "verifiedBy" (how: "signature over the roots of
//    length 13 (40 bytes)") or "verifyError" (why not: "signature does not match feed key
//    78dd0a4b… (over the roots of length 13)", or what is missing). All left out when the key is
//    unknown (a channel the remote opened and we did not).
// With verification off (hyperscope-cli --no-verify) no Data is verified and the Data fields are
// all left out, as for an unknown key; "blocks" stay (decoding a range costs next to nothing).
#pragma once

#include "blockranges.h"
#include "feedchannel.h"
#include "jsonevents.h"
#include "sessioninfo.h"

#include <map>
#include <string>
#include <utility>

namespace hyperscope {

/// The JSON text of @p ranges as described above: "[[0,9],[12,null]]".
std::string blockRangesJson(const feed::BlockRanges &ranges);

/// Keeps one feed::FeedChannel per (session, channel) and adds its findings to message events.
class FeedEventAnnotator
{
public:
    /// On: every Data of a channel whose feed key is known is verified (one BLAKE2b per proof
    /// level, an Ed25519 verification per signature). Off: nothing is verified, as if no key
    /// were known; the rest of the bookkeeping and "blocks" are unchanged.
    enum class Verification { On, Off };

    explicit FeedEventAnnotator(Verification verification = Verification::On)
        : m_verification(verification)
    {}

    /// Records @p message, sent by @p sender on @p channel of @p session, and adds the fields
    /// above to @p event. Returns what it found (the verdict feeds --filter's `verified`).
    feed::FeedChannel::Observation annotate(JsonEvent &event, int session,
                                            const ChannelInfo &channel, feed::Side sender,
                                            const Message &message);
    /// A channel of @p session is established: starts its bookkeeping with its feed key (when
    /// known), so that what we send before receiving anything is recorded too.
    void channelOpened(int session, const ChannelInfo &channel);
    /// Records @p message that we sent on channel @p discoveryKey of @p session (our Requests'
    /// digests decide whether a short proof is the sender's fault). Ignored for a channel that
    /// channelOpened() or annotate() has not seen.
    void sent(int session, const Key32 &discoveryKey, const Message &message);
    /// Drops what was kept for @p session (call when it ends).
    void forgetSession(int session);

private:
    feed::FeedChannel &channelFor(int session, const ChannelInfo &channel);

    Verification m_verification;
    std::map<std::pair<int, Key32>, feed::FeedChannel> m_channels;
};

} // namespace hyperscope
