// The feed layer's view of one channel: what each side announced (Have/Unhave), wanted
// (Want/Unwant), requested (Request/Cancel) and received (Data), and the verdict on every Data
// when the feed key is known. One FeedChannel per channel, fed every message of the channel in
// both directions in the order they happened; it will feed the block map.
#pragma once

#include "blockranges.h"
#include "feedverifier.h"
#include "messages.h"

#include <memory>
#include <optional>
#include <string>

namespace hyperscope::feed {

/// Which side sent a message. In a relayed session, Local is the client's leg and Remote the
/// upstream server's.
enum class Side { Local, Remote };

/// The block ranges a Have/Unhave/Want/Unwant covers (inclusive; see BlockRange):
///  - Have with a bitfield: the bits set in it (bitfield-rle), bit i being block start + i;
///  - Have/Unhave without one: start .. start + length − 1 (length defaults to 1);
///  - Want/Unwant: start .. start + length − 1, or start onwards (an open range) without length.
/// nullopt for other messages. A Have whose bitfield is invalid yields an error instead.
struct MessageBlocks
{
    BlockRanges ranges;
    std::string error; ///< non-empty when the bitfield is invalid (ranges is then empty)
};
std::optional<MessageBlocks> messageBlocks(const Message &message);

/// What one side of the channel did, as block sets.
struct SideRecord
{
    RangeSet announced; ///< Have minus Unhave
    RangeSet wanted;    ///< Want minus Unwant
    RangeSet requested; ///< Request minus Cancel and minus what arrived
    RangeSet received;  ///< Data this side received
    RangeSet verified;  ///< ... of which verified
    RangeSet failed;    ///< ... of which failed verification
};

class FeedChannel
{
public:
    /// @p feedKey: the channel's feed key when known; without it nothing is verified.
    explicit FeedChannel(const std::optional<Key32> &feedKey);

    /// What observe() found out about one message.
    struct Observation
    {
        std::optional<MessageBlocks> blocks; ///< for Have/Unhave/Want/Unwant
        std::optional<Verdict> verdict;      ///< for Data, when the feed key is known
        /// Instead of verdict, with Judging::DeferUnprovable: the Data is "unverifiable" and
        /// nothing was hashed; verifier()->verdictOf() builds its Verdict when it is wanted.
        std::optional<Unprovable> unprovable;
    };

    /// How observe() judges a Data.
    enum class Judging {
        Full, ///< every Data with a feed key gets its Verdict (hyperscope-cli prints each one)
        /// A Data with nothing to verify it with gets Observation::unprovable instead
        /// (FeedVerifier::judgeUnprovable()): the inspector, which shows a verdict only when
        /// asked, keeps a flood of bare Data cheap.
        DeferUnprovable,
    };

    /// Records @p message sent by @p sender.
    Observation observe(Side sender, const Message &message, Judging judging = Judging::Full);
    /// Records a Data sent by @p sender, read in place (readDataProof()): the same as observe()
    /// of the decoded Data.
    Observation observeData(Side sender, const DataProof &data, Judging judging = Judging::Full);

    const SideRecord &record(Side side) const { return side == Side::Local ? m_local : m_remote; }
    /// nullptr when the feed key is unknown.
    const FeedVerifier *verifier() const { return m_verifier.get(); }
    bool hasFeedKey() const { return m_verifier != nullptr; }

private:
    SideRecord &recordOf(Side side) { return side == Side::Local ? m_local : m_remote; }

    std::unique_ptr<FeedVerifier> m_verifier;
    SideRecord m_local;
    SideRecord m_remote;
};

} // namespace hyperscope::feed
