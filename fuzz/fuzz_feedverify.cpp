// Proof verification (core/feed/feedverifier.h, feedchannel.h): a channel's messages are
// untrusted. The input is a sequence of messages, each `type byte, varint length, payload`
// (type: the protocol message type, e.g. 7 Request, 9 Data, 3 Have, plus 0x80 when the local
// side sent it); each payload that decodes is observed by one FeedChannel with the feed key of
// tests/vectors/feed.json. Seeds (fuzz/corpus/fuzz_feedverify/) are that feed's real Data, so
// mutations start from proofs that verify. Properties besides "no crash, no hang, bounded memory":
// every verdict has a text; a verified verdict has a leaf at the bottom of its chain; the node
// store stays under its cap.
#include "feedbuilder.h"
#include "feedchannel.h"
#include "messages.h"
#include "varint.h"

#include <cstdint>

using namespace hyperscope;
using namespace hyperscope::feed;

namespace {

void check(bool condition)
{
    if (!condition)
        __builtin_trap();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    static const Key32 feedKey =
        *key32FromHex("2152f8d19b791d24453242e15f2eab6cb7cffa7b6a5ed30097960e069881db12");
    FeedChannel channel(feedKey);
    static const FeedBuilder served = [] {
        FeedBuilder feed(signingKeyPairFromSeed(Key32{1}));
        for (std::uint8_t i = 0; i < 100; ++i)
            feed.append(ByteView(&i, 1));
        return feed;
    }();
    TreeIndex remoteTree;
    FeedVerifier servedVerifier(served.key());
    ByteView input(data, size);
    while (input.size() >= 2) {
        const Side side = input[0] & 0x80 ? Side::Local : Side::Remote;
        const std::uint8_t type = input[0] & 0x7f;
        const varint::Decoded length = varint::decode(input.subspan(1));
        if (length.status != varint::Status::Ok || length.value > input.size() - 1 - length.size)
            break;
        const ByteView payload = input.subspan(1 + length.size, length.value);
        input = input.subspan(1 + length.size + length.value);
        std::string error;
        const std::optional<Message> message = decodeMessage(type, payload, error);
        if (!message)
            continue;
        if (const auto *request = std::get_if<schema::Request>(&*message)) {
            const auto answer =
                served.data(request->index(), request->nodes(), remoteTree, request->hash());
            check(bool(answer) == (request->index() < served.length()));
            if (answer && request->nodes() == 0)
                check(servedVerifier.verify(*answer).outcome != Verdict::Outcome::Failed);
        }
        const FeedChannel::Observation observation = channel.observe(side, *message);
        if (observation.verdict) {
            check(!observation.verdict->text.empty());
            if (observation.verdict->verified())
                check(!observation.verdict->chain.empty() &&
                      observation.verdict->chain.front().kind == ChainStep::Kind::Leaf);
        }
        if (observation.blocks && !observation.blocks->error.empty())
            check(observation.blocks->ranges.empty());
        check(channel.verifier()->verifiedNodeCount() <= FeedVerifier::MaxVerifiedNodes);
    }
    return 0;
}
