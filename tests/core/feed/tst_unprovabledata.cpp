// The verifier's cheap path for the inspector (issue 13, performance): readDataProof() reads a
// Data in place exactly as decodeMessage() + proofOf() would, and judgeUnprovable() judges a Data
// with nothing to verify it with "unverifiable" without hashing, leaving the verifier as verify()
// would and verdictOf() building the very Verdict verify() gives. Both are checked against the
// full path: on hostile payloads, and on long random conversations of a real signed feed (proofs,
// stripped proofs, Requests with digests 0, nonzero or none, blocks in any order, tampering).
#include "feedbuilder.h"
#include "feedverifier.h"
#include "messages.h"
#include "schema.pb.h"

#include <QTest>

#include <random>

using namespace hyperscope;
using namespace hyperscope::feed;

namespace {

Bytes payloadOf(const schema::Data &data)
{
    const std::string bytes = data.SerializePartialAsString();
    return Bytes(bytes.begin(), bytes.end());
}

std::string text(ByteView bytes)
{
    return std::string(bytes.begin(), bytes.end());
}

/// Whether two proofs read the same fields (views compared by content).
bool sameProof(const DataProof &a, const DataProof &b)
{
    auto same = [](const std::optional<ByteView> &x, const std::optional<ByteView> &y) {
        return x.has_value() == y.has_value() && (!x || text(*x) == text(*y));
    };
    if (a.index != b.index || !same(a.value, b.value) || !same(a.signature, b.signature) ||
        a.nodes.size() != b.nodes.size())
        return false;
    for (std::size_t i = 0; i < a.nodes.size(); ++i) {
        if (a.nodes[i].index != b.nodes[i].index || a.nodes[i].size != b.nodes[i].size ||
            text(a.nodes[i].hash) != text(b.nodes[i].hash))
            return false;
    }
    return true;
}

/// Everything a Verdict shows, as one comparable text.
std::string describe(const Verdict &verdict)
{
    std::string out = std::to_string(int(verdict.outcome)) + "/" +
                      std::to_string(int(verdict.how)) + " block " + std::to_string(verdict.block) +
                      ": " + verdict.text;
    for (const ChainStep &step : verdict.chain) {
        out += " | " + std::to_string(int(step.kind)) + "," + std::to_string(int(step.source)) +
               " " + std::to_string(step.node.index) + ":" + toHex(step.node.hash) + ":" +
               std::to_string(step.node.size);
        if (step.sibling)
            out += " sib " + std::to_string(step.sibling->index) + ":" + toHex(step.sibling->hash) +
                   "," + std::to_string(int(step.siblingSource));
    }
    if (verdict.treeHash)
        out += " tree " + toHex(*verdict.treeHash);
    out += " signed " + toHex(verdict.signedBytes) + " length " +
           std::to_string(verdict.signedLength) + " anchor " + std::to_string(verdict.anchorNode);
    return out;
}

FeedBuilder sixtyFourBlocks()
{
    Bytes bytes(64 * 8);
    for (std::size_t i = 0; i < bytes.size(); ++i)
        bytes[i] = std::uint8_t(i * 31 + 7);
    Key32 seed{};
    seed.fill(3);
    return FeedBuilder::fromBytes(bytes, 8, signingKeyPairFromSeed(seed));
}

} // namespace

class tst_UnprovableData : public QObject
{
    Q_OBJECT
private slots:
    void readsAsDecodeMessageDoes_data();
    void readsAsDecodeMessageDoes();
    void bareDataIsJudgedWithoutHashing_data();
    void bareDataIsJudgedWithoutHashing();
    void cheapPathAgreesWithVerifyInRandomConversations();
};

void tst_UnprovableData::readsAsDecodeMessageDoes_data()
{
    QTest::addColumn<QByteArray>("payload");
    const FeedBuilder feed = sixtyFourBlocks();
    TreeIndex remote;
    auto add = [](const char *name, const Bytes &bytes) {
        QTest::newRow(name) << QByteArray(reinterpret_cast<const char *>(bytes.data()),
                                          qsizetype(bytes.size()));
    };
    add("block 0 with proof and signature", payloadOf(*feed.data(0, 0, remote)));
    add("block 37 with proof", payloadOf(*feed.data(37, 0, remote)));
    add("hash-only answer", payloadOf(*feed.data(5, 0, remote, true)));
    schema::Data bare;
    bare.set_index(9);
    bare.set_value("abc");
    add("bare", payloadOf(bare));
    schema::Data empty;
    empty.set_index(0);
    empty.set_value("");
    add("empty value", payloadOf(empty));
    // Hand-made wire: tag bytes are (field << 3) | wire type.
    add("empty payload (no index)", Bytes{});
    add("value only (no index)", Bytes{0x12, 0x01, 'x'});
    add("index twice: the last wins", Bytes{0x08, 0x05, 0x08, 0x07, 0x12, 0x01, 'x'});
    add("unknown fields skipped", Bytes{0x08, 0x05, 0x28, 0x09, 0x3a, 0x02, 'h', 'i'});
    add("value with the wrong wire type", Bytes{0x08, 0x05, 0x10, 0x03});
    add("index with the wrong wire type", Bytes{0x0a, 0x01, 0x05});
    add("truncated value", Bytes{0x08, 0x05, 0x12, 0x09, 'x'});
    add("truncated varint", Bytes{0x08, 0x85});
    add("a group", Bytes{0x08, 0x05, 0x0b, 0x0c});
    add("field 0", Bytes{0x00, 0x05});
    // A node: index 1, hash "h" (2 bytes), size 3.
    add("node complete",
        Bytes{0x08, 0x00, 0x1a, 0x08, 0x08, 0x01, 0x12, 0x02, 'h', 'h', 0x18, 0x03});
    add("node without size", Bytes{0x08, 0x00, 0x1a, 0x06, 0x08, 0x01, 0x12, 0x02, 'h', 'h'});
    add("node without hash", Bytes{0x08, 0x00, 0x1a, 0x04, 0x08, 0x01, 0x18, 0x03});
    add("node malformed inside", Bytes{0x08, 0x00, 0x1a, 0x02, 0x08, 0x81});
    add("signature of 3 bytes", Bytes{0x08, 0x02, 0x22, 0x03, 's', 'i', 'g'});
}

void tst_UnprovableData::readsAsDecodeMessageDoes()
{
    QFETCH(QByteArray, payload);
    const ByteView view(reinterpret_cast<const std::uint8_t *>(payload.constData()),
                        std::size_t(payload.size()));
    std::string error;
    const std::optional<Message> decoded =
        decodeMessage(std::uint8_t(MessageType::Data), view, error);
    const std::optional<DataProof> read = readDataProof(view);
    QCOMPARE(read.has_value(), decoded.has_value());
    if (decoded)
        QVERIFY(sameProof(*read, proofOf(std::get<schema::Data>(*decoded))));
}

void tst_UnprovableData::bareDataIsJudgedWithoutHashing_data()
{
    QTest::addColumn<quint64>("block");
    QTest::addColumn<int>("requestDigest"); // -1: no Request seen
    QTest::addColumn<bool>("cheap");
    QTest::addColumn<QString>("verdictStart");
    // Block 0 is the root of a 1-block tree: no signature. Block 1's leaf is not a root of the
    // 2-block tree: the proof ends before reaching one.
    QTest::newRow("block 0") << quint64(0) << -1 << true
                             << QStringLiteral("no signature, and no node on the path");
    QTest::newRow("block 1") << quint64(1) << -1 << true
                             << QStringLiteral("proof ends before reaching a root: leaf 2");
    // Block 6's leaf is a root of the 7-block tree, but root node 3 (blocks 0-3) is unknown.
    QTest::newRow("block 6, nonzero digest")
        << quint64(6) << 3 << true
        << QStringLiteral("proof ends before reaching a root: root node 3 of the 7-block tree");
    QTest::newRow("block 7, nonzero digest")
        << quint64(7) << 1 << true << QStringLiteral("proof ends before");
    // nodes=0: the proof should have been complete, so the missing node fails it.
    QTest::newRow("block 1, digest 0")
        << quint64(1) << 0 << false << QStringLiteral("proof ends before");
}

void tst_UnprovableData::bareDataIsJudgedWithoutHashing()
{
    QFETCH(quint64, block);
    QFETCH(int, requestDigest);
    QFETCH(bool, cheap);
    QFETCH(QString, verdictStart);
    const FeedBuilder feed = sixtyFourBlocks();
    FeedVerifier full(feed.key());
    FeedVerifier quick(feed.key());
    if (requestDigest >= 0) {
        full.noteRequest(block, std::uint64_t(requestDigest));
        quick.noteRequest(block, std::uint64_t(requestDigest));
    }
    DataProof bare;
    bare.index = block;
    bare.value = feed.block(block);
    const Verdict expected = full.verify(bare);
    const std::optional<Unprovable> unprovable = quick.judgeUnprovable(bare);
    QCOMPARE(unprovable.has_value(), cheap);
    QVERIFY2(QString::fromStdString(expected.text).startsWith(verdictStart), expected.text.c_str());
    if (!cheap) {
        QVERIFY(expected.failed());
        return;
    }
    QCOMPARE(int(expected.outcome), int(Verdict::Outcome::Unverifiable));
    QCOMPARE(unprovable->block, block);
    QCOMPARE(unprovable->requestDigest.has_value(), requestDigest >= 0);
    const Verdict built = quick.verdictOf(bare, *unprovable);
    QCOMPARE(describe(built), describe(expected));
    // The chain still starts at the block's leaf, hashed from its value.
    QVERIFY(!built.chain.empty());
    QCOMPARE(built.chain.front().node, leafNode(block, *bare.value));
    // The Request's digest was used up, as verify() uses it: a second bare Data of the block
    // is judged as one that answers no Request.
    QCOMPARE(describe(quick.verdictOf(bare, *quick.judgeUnprovable(bare))),
             describe(full.verify(bare)));
}

void tst_UnprovableData::cheapPathAgreesWithVerifyInRandomConversations()
{
    // Two verifiers hear the same conversation; one always calls verify(), the other tries
    // judgeUnprovable() first (as the inspector does). Every verdict must read the same, and
    // what they verified must stay the same.
    const FeedBuilder feed = sixtyFourBlocks();
    std::mt19937_64 random(13);
    int cheapCount = 0, verifiedCount = 0, failedCount = 0;
    for (int conversation = 0; conversation < 40; ++conversation) {
        FeedVerifier full(feed.key());
        FeedVerifier quick(feed.key());
        TreeIndex sent;     // what the writer believes the reader holds
        TreeIndex received; // what the reader holds
        for (int step = 0; step < 120; ++step) {
            // Early blocks more often, so that verified nodes come into play.
            const std::uint64_t block = random() % (random() % 2 ? 8 : feed.length());
            const int request = int(random() % 4); // 0: none, 1: digest 0, 2-3: real digest
            std::uint64_t digest = 0;
            if (request) {
                digest = request == 1 ? 0 : received.digest(2 * block);
                full.noteRequest(block, digest);
                quick.noteRequest(block, digest);
            }
            schema::Data data = *feed.data(block, digest, sent);
            switch (random() % 5) {
            case 0: // bare: no proof, no signature
            case 1:
                data.clear_nodes();
                data.clear_signature();
                break;
            case 2: // tampered value
                data.mutable_value()->append("!");
                break;
            default:
                break;
            }
            const DataProof proof = proofOf(data);
            const Verdict expected = full.verify(proof);
            Verdict got;
            if (const std::optional<Unprovable> unprovable = quick.judgeUnprovable(proof)) {
                ++cheapCount;
                got = quick.verdictOf(proof, *unprovable);
            } else {
                got = quick.verify(proof);
            }
            QCOMPARE(describe(got), describe(expected));
            QCOMPARE(quick.verifiedNodeCount(), full.verifiedNodeCount());
            if (expected.verified()) {
                ++verifiedCount;
                for (const schema::Data::Node &node : data.nodes())
                    received.set(node.index());
                received.set(2 * block);
            }
            failedCount += expected.failed();
        }
    }
    // The conversations exercised all three paths.
    QVERIFY2(cheapCount > 200, qPrintable(QString::number(cheapCount)));
    QVERIFY2(verifiedCount > 200, qPrintable(QString::number(verifiedCount)));
    QVERIFY2(failedCount > 100, qPrintable(QString::number(failedCount)));
}

QTEST_GUILESS_MAIN(tst_UnprovableData)
#include "tst_unprovabledata.moc"
