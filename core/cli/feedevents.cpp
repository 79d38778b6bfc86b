#include "feedevents.h"

namespace hyperscope {

std::string blockRangesJson(const feed::BlockRanges &ranges)
{
    std::string out = "[";
    for (const feed::BlockRange &range : ranges) {
        if (out.size() > 1)
            out += ',';
        out += '[';
        out += std::to_string(range.first);
        out += ',';
        out += range.isOpenEnded() ? std::string("null") : std::to_string(range.last);
        out += ']';
    }
    out += ']';
    return out;
}

feed::FeedChannel &FeedEventAnnotator::channelFor(int session, const ChannelInfo &channel)
{
    const auto key = std::make_pair(session, channel.discoveryKey);
    // Without verification the channel never learns the key: it then verifies nothing.
    const std::optional<Key32> feedKey =
        m_verification == Verification::On ? channel.key : std::optional<Key32>();
    auto it = m_channels.find(key);
    // The feed key becomes known when we open the channel: start over with it then.
    if (it != m_channels.end() && !it->second.hasFeedKey() && feedKey) {
        m_channels.erase(it);
        it = m_channels.end();
    }
    if (it == m_channels.end())
        it = m_channels.try_emplace(key, feedKey).first;
    return it->second;
}

void FeedEventAnnotator::channelOpened(int session, const ChannelInfo &channel)
{
    channelFor(session, channel);
}

void FeedEventAnnotator::sent(int session, const Key32 &discoveryKey, const Message &message)
{
    if (const auto it = m_channels.find({session, discoveryKey}); it != m_channels.end())
        it->second.observe(feed::Side::Local, message);
}

feed::FeedChannel::Observation FeedEventAnnotator::annotate(JsonEvent &event, int session,
                                                            const ChannelInfo &channel,
                                                            feed::Side sender,
                                                            const Message &message)
{
    feed::FeedChannel::Observation observation =
        channelFor(session, channel).observe(sender, message);
    if (observation.blocks) {
        event.insertRaw("blocks", blockRangesJson(observation.blocks->ranges));
        if (!observation.blocks->error.empty())
            event.insertString("blocksError", observation.blocks->error);
    }
    if (const auto &verdict = observation.verdict) {
        event.insertRaw("verified", verdict->verified() ? "true" : "false");
        switch (verdict->outcome) {
        case feed::Verdict::Outcome::Verified:
            event.insertString("verdict", "verified");
            event.insertString("verifiedBy", verdict->text);
            break;
        case feed::Verdict::Outcome::Failed:
            event.insertString("verdict", "failed");
            event.insertString("verifyError", verdict->text);
            break;
        case feed::Verdict::Outcome::Unverifiable:
            event.insertString("verdict", "unverifiable");
            event.insertString("verifyError", verdict->text);
            break;
        }
    }
    return observation;
}

void FeedEventAnnotator::forgetSession(int session)
{
    for (auto it = m_channels.lower_bound({session, Key32{}});
         it != m_channels.end() && it->first.first == session;)
        it = m_channels.erase(it);
}

} // namespace hyperscope
