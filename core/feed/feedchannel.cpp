#include "feedchannel.h"

#include "bitfieldrle.h"

namespace hyperscope::feed {

namespace {

BlockRanges openOrCounted(std::uint64_t start, bool hasLength, std::uint64_t length)
{
    if (!hasLength)
        return {{start, BlockRange::OpenEnd}};
    return rangeOf(start, length);
}

} // namespace

std::optional<MessageBlocks> messageBlocks(const Message &message)
{
    MessageBlocks blocks;
    if (const auto *have = std::get_if<schema::Have>(&message)) {
        if (have->has_bitfield()) {
            auto decoded = bitfieldrle::decodeRanges(asView(have->bitfield()), have->start());
            if (decoded)
                blocks.ranges = std::move(*decoded.value);
            else
                blocks.error = "invalid bitfield: " + decoded.error;
        } else {
            blocks.ranges = rangeOf(have->start(), have->length());
        }
    } else if (const auto *unhave = std::get_if<schema::Unhave>(&message)) {
        blocks.ranges = rangeOf(unhave->start(), unhave->length());
    } else if (const auto *want = std::get_if<schema::Want>(&message)) {
        blocks.ranges = openOrCounted(want->start(), want->has_length(), want->length());
    } else if (const auto *unwant = std::get_if<schema::Unwant>(&message)) {
        blocks.ranges = openOrCounted(unwant->start(), unwant->has_length(), unwant->length());
    } else {
        return std::nullopt;
    }
    return blocks;
}

FeedChannel::FeedChannel(const std::optional<Key32> &feedKey)
{
    if (feedKey)
        m_verifier = std::make_unique<FeedVerifier>(*feedKey);
}

FeedChannel::Observation FeedChannel::observe(Side sender, const Message &message, Judging judging)
{
    Observation observation;
    SideRecord &from = recordOf(sender);
    observation.blocks = messageBlocks(message);
    if (observation.blocks) {
        const bool removes = std::holds_alternative<schema::Unhave>(message) ||
                             std::holds_alternative<schema::Unwant>(message);
        RangeSet &set = std::holds_alternative<schema::Have>(message) ||
                                std::holds_alternative<schema::Unhave>(message)
                            ? from.announced
                            : from.wanted;
        for (const BlockRange &range : observation.blocks->ranges) {
            if (removes)
                set.remove(range);
            else
                set.add(range);
        }
    } else if (const auto *request = std::get_if<schema::Request>(&message)) {
        from.requested.add(request->index());
        if (m_verifier)
            m_verifier->noteRequest(request->index(), request->nodes());
    } else if (const auto *cancel = std::get_if<schema::Cancel>(&message)) {
        from.requested.remove({cancel->index(), cancel->index()});
    } else if (const auto *data = std::get_if<schema::Data>(&message)) {
        return observeData(sender, proofOf(*data), judging);
    }
    return observation;
}

FeedChannel::Observation FeedChannel::observeData(Side sender, const DataProof &data,
                                                  Judging judging)
{
    Observation observation;
    SideRecord &to = recordOf(sender == Side::Local ? Side::Remote : Side::Local);
    to.received.add(data.index);
    to.requested.remove({data.index, data.index});
    if (!m_verifier)
        return observation;
    if (judging == Judging::DeferUnprovable) {
        observation.unprovable = m_verifier->judgeUnprovable(data);
        if (observation.unprovable)
            return observation;
    }
    observation.verdict = m_verifier->verify(data);
    if (observation.verdict->verified())
        to.verified.add(data.index);
    else if (observation.verdict->failed())
        to.failed.add(data.index);
    return observation;
}

} // namespace hyperscope::feed
