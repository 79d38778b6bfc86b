#include "feedresponder.h"

#include "schema.pb.h"

#include <utility>

namespace hyperscope::feed {

FeedResponder::FeedResponder(const FeedBuilder &feed)
    : m_feed(&feed)
{}

std::vector<Message> FeedResponder::opening() const
{
    Message want(std::in_place_type<schema::Want>);
    std::get<schema::Want>(want).set_start(0);
    std::get<schema::Want>(want).set_length(OpeningWantLength);
    std::vector<Message> out;
    out.push_back(std::move(want));
    return out;
}

FeedResponder::Reply FeedResponder::respond(const Message &incoming)
{
    if (const auto *want = std::get_if<schema::Want>(&incoming))
        return answerWant(*want);
    if (const auto *request = std::get_if<schema::Request>(&incoming))
        return answerRequest(*request);
    return {};
}

FeedResponder::Reply FeedResponder::answerWant(const schema::Want &want)
{
    Reply reply;
    if (want.start() % WantAlignment != 0 || want.length() % WantAlignment != 0)
        return reply;
    const std::uint64_t length = m_feed->length();
    if (!m_remoteWanted && length > 0) {
        Message have(std::in_place_type<schema::Have>);
        std::get<schema::Have>(have).set_start(length - 1);
        reply.messages.push_back(std::move(have));
    }
    m_remoteWanted = true;

    // hypercore's bitfield.compress(start, 0) covers everything from start; haveBitfield()
    // clips any length to the blocks held, so a length of 2^63 costs no more than the feed.
    const std::uint64_t start = want.start();
    const std::uint64_t covered =
        want.length() != 0 ? want.length() : (length > start ? length - start : 0);
    const Bytes bitfield = m_feed->haveBitfield(start, covered);
    Message have(std::in_place_type<schema::Have>);
    auto &fields = std::get<schema::Have>(have);
    fields.set_start(start);
    if (want.has_length())
        fields.set_length(want.length());
    fields.set_bitfield(std::string(bitfield.begin(), bitfield.end()));
    reply.messages.push_back(std::move(have));
    return reply;
}

FeedResponder::Reply FeedResponder::answerRequest(const schema::Request &request)
{
    Reply reply;
    // hypercore encodes an absent byte offset as 0 and tests it for truth: only nonzero counts.
    if (request.bytes() != 0) {
        reply.warning = "Request for byte offset " + std::to_string(request.bytes()) +
                        " not answered: the served feed answers Requests by block index only";
        return reply;
    }
    std::optional<schema::Data> data =
        m_feed->data(request.index(), request.nodes(), m_remoteTree, request.hash());
    if (!data) {
        const std::uint64_t length = m_feed->length();
        reply.warning = "Request for block " + std::to_string(request.index()) +
                        " not answered: the served feed has " + std::to_string(length) + " blocks" +
                        (length > 0 ? " (0 to " + std::to_string(length - 1) + ")" : "");
        return reply;
    }
    reply.messages.emplace_back(std::in_place_type<schema::Data>, std::move(*data));
    return reply;
}

} // namespace hyperscope::feed
