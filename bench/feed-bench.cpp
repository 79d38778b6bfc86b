// Data verification (issue 13, core/feed): how many Data messages FeedVerifier checks per
// second, on one core, for a feed of 4096 blocks of 1 KiB served by FeedBuilder:
//  - "signature": each Data on a fresh channel with digest 0, so every one climbs 12 levels and
//    checks the Ed25519 signature (the worst case: a sparse clone's first block of each session);
//  - "sequential": one channel downloading in order with the digests a hypercore clone sends, so
//    most Data end at a node verified before (one BLAKE2b per level, no signature);
// and the limits they are made of: Ed25519 verifications and BLAKE2b parent hashes per second.
//
//   hyperscope-bench-feed [--ms 1000]      one JSON line per row (bench/report.js)
#include "benchutil.h"
#include "feedbuilder.h"
#include "feedverifier.h"
#include "schema.pb.h"

#include <cstdio>

using namespace hyperscope;
using namespace hyperscope::feed;

namespace {

constexpr std::uint64_t Blocks = 4096;
constexpr std::size_t BlockSize = 1024;

/// Runs @p work (which returns how many operations it did) until @p ms have passed.
template<typename F> double perSecond(long long ms, F &&work)
{
    std::uint64_t operations = 0;
    const auto start = bench::Clock::now();
    const double cpuStart = bench::threadCpuSeconds();
    do {
        operations += work();
    } while (bench::secondsSince(start) * 1000 < double(ms));
    return double(operations) / (bench::threadCpuSeconds() - cpuStart);
}

} // namespace

int main(int argc, char **argv)
{
    const bench::Options options(argc, argv, 1);
    const long long ms = options.number("ms", 1000);

    Bytes bytes(Blocks * BlockSize);
    for (std::size_t i = 0; i < bytes.size(); ++i)
        bytes[i] = std::uint8_t(i * 131 + (i >> 10));
    const SigningKeyPair keyPair = generateSigningKeyPair();
    const FeedBuilder feed = FeedBuilder::fromBytes(bytes, BlockSize, keyPair);

    // Every block with digest 0 (a self-contained proof and the signature).
    std::vector<schema::Data> selfContained;
    for (std::uint64_t block = 0; block < Blocks; ++block) {
        TreeIndex remote;
        selfContained.push_back(*feed.data(block, 0, remote));
    }
    // A sequential clone's download: its digests, the writer's answers.
    std::vector<std::pair<std::uint64_t, schema::Data>> sequential;
    {
        TreeIndex remote, clone;
        for (std::uint64_t block = 0; block < Blocks; ++block) {
            const std::uint64_t digest = clone.digest(2 * block);
            schema::Data data = *feed.data(block, digest, remote);
            for (const schema::Data::Node &node : data.nodes())
                clone.set(node.index());
            clone.set(2 * block);
            sequential.emplace_back(digest, std::move(data));
        }
    }

    std::size_t next = 0;
    std::size_t failures = 0;
    const double signature = perSecond(ms, [&] {
        FeedVerifier verifier(feed.key());
        failures += !verifier.verify(selfContained[next++ % Blocks]).verified();
        return 1;
    });
    const double inOrder = perSecond(ms, [&] {
        FeedVerifier verifier(feed.key());
        for (const auto &[digest, data] : sequential) {
            verifier.noteRequest(data.index(), digest);
            failures += !verifier.verify(data).verified();
        }
        return Blocks;
    });
    const auto signedBytes = signable(treeHash(feed.roots()), feed.length());
    const Signature sig = feed.signature();
    const double ed25519 = perSecond(ms, [&] {
        failures += !verifySignature(signedBytes, sig, feed.key());
        return 1;
    });
    TreeNode a = feed.node(0), b = feed.node(2);
    const double blake2b = perSecond(ms, [&] {
        for (int i = 0; i < 64; ++i)
            a.hash = parentHash(a, b);
        return 64;
    });
    if (failures) {
        std::fprintf(stderr, "hyperscope-bench-feed: %zu verifications failed\n", failures);
        return 1;
    }
    bench::Result("feed_verify")
        .add("mode", "signature")
        .add("block_size", int(BlockSize))
        .add("blocks", (long long)Blocks)
        .add("per_cpu_s", signature)
        .print();
    bench::Result("feed_verify")
        .add("mode", "sequential")
        .add("block_size", int(BlockSize))
        .add("blocks", (long long)Blocks)
        .add("per_cpu_s", inOrder)
        .print();
    bench::Result("feed_crypto", "limit")
        .add("ed25519_verify_per_cpu_s", ed25519)
        .add("blake2b_parent_per_cpu_s", blake2b)
        .print();
    return 0;
}
