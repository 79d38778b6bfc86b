// FeedVerifier against real hypercore 9 conversations (feed.json "replications": a sequential
// clone whose Requests carry nonzero digests, a sparse clone fetching out of order), then
// tampered values, nodes and signatures, stripped proofs and hostile fields.
#include "feedbuilder.h"
#include "feedvectors.h"
#include "feedverifier.h"
#include "flattree.h"
#include "schema.pb.h"

#include <QTest>

using namespace hyperscope;
using namespace hyperscope::feed;

namespace {

schema::Data dataOf(const QJsonObject &message)
{
    schema::Data data;
    data.set_index(feedtest::u64(message["index"]));
    if (message.contains(QLatin1String("value"))) {
        const Bytes value = feedtest::hexBytes(message["value"]);
        data.set_value(std::string(value.begin(), value.end()));
    }
    for (const QJsonValue &node : message["nodes"].toArray()) {
        schema::Data::Node *out = data.add_nodes();
        out->set_index(feedtest::u64(node["index"]));
        const Bytes hash = feedtest::hexBytes(node["hash"]);
        out->set_hash(std::string(hash.begin(), hash.end()));
        out->set_size(feedtest::u64(node["size"]));
    }
    if (message.contains(QLatin1String("signature"))) {
        const Bytes signature = feedtest::hexBytes(message["signature"]);
        data.set_signature(std::string(signature.begin(), signature.end()));
    }
    return data;
}

/// Replays one real conversation: Requests are noted, Data verified; returns the verdicts.
std::vector<Verdict> replay(FeedVerifier &verifier, const QString &name)
{
    std::vector<Verdict> verdicts;
    for (const QJsonValue &entry :
         feedtest::feedVectors()["replications"].toObject()[name].toArray()) {
        const QJsonObject message = entry["message"].toObject();
        if (entry["type"] == QLatin1String("request"))
            verifier.noteRequest(feedtest::u64(message["index"]), feedtest::u64(message["nodes"]));
        else if (entry["type"] == QLatin1String("data"))
            verdicts.push_back(verifier.verify(dataOf(message)));
    }
    return verdicts;
}

QJsonObject firstData(const QString &name)
{
    for (const QJsonValue &entry :
         feedtest::feedVectors()["replications"].toObject()[name].toArray())
        if (entry["type"] == QLatin1String("data"))
            return entry["message"].toObject();
    return {};
}

std::string keyPrefix()
{
    return toHex(ByteView(feedtest::feedKey()).first(4)) + "…";
}

} // namespace

class tst_FeedVerifier : public QObject
{
    Q_OBJECT

private slots:
    void everyRealDataVerifies_data();
    void everyRealDataVerifies();
    void nonzeroDigestsLeanOnVerifiedNodes();
    void tamperedDataFails_data();
    void tamperedDataFails();
    void tamperingAgainstAVerifiedNodeNamesTheNode_data();
    void tamperingAgainstAVerifiedNodeNamesTheNode();
    void strippedProofFailsOrIsUnverifiable();
    void missingSignatureIsUnverifiable();
    void olderSignatureFormVerifies();
    void hashOnlyAnswerVerifies();
    void hostileFieldsFailCleanly_data();
    void hostileFieldsFailCleanly();
    void verifiedNodeStoreIsBounded();
    void longSequentialDownloadKeepsFewNodes();
};

void tst_FeedVerifier::everyRealDataVerifies_data()
{
    QTest::addColumn<QString>("conversation");
    QTest::newRow("sequential clone (nonzero digests)") << "sequential";
    QTest::newRow("sparse clone (out of order)") << "sparse";
    QTest::newRow("clone of the sparse clone") << "third";
}

void tst_FeedVerifier::everyRealDataVerifies()
{
    QFETCH(QString, conversation);
    FeedVerifier verifier(feedtest::feedKey());
    const std::vector<Verdict> verdicts = replay(verifier, conversation);
    QVERIFY(!verdicts.empty());
    for (const Verdict &verdict : verdicts)
        QVERIFY2(verdict.verified(), qPrintable(QStringLiteral("block %1: %2")
                                                    .arg(verdict.block)
                                                    .arg(QString::fromStdString(verdict.text))));
    // The first Data of every conversation carries the signature over the whole 13-block feed.
    QCOMPARE(verdicts.front().how, Verdict::How::Signature);
    QCOMPARE(verdicts.front().signedLength, 13ull);
    QCOMPARE(verdicts.front().text,
             std::string("signature over the roots of length 13 (40 bytes)"));
    const QJsonObject last =
        feedtest::feedVectors()["feed"].toObject()["lengths"].toArray().last().toObject();
    QCOMPARE(toHex(verdicts.front().signedBytes), last["signable"].toString().toStdString());
    QCOMPARE(toHex(*verdicts.front().treeHash), last["treeHash"].toString().toStdString());
}

void tst_FeedVerifier::nonzeroDigestsLeanOnVerifiedNodes()
{
    FeedVerifier verifier(feedtest::feedKey());
    const std::vector<Verdict> verdicts = replay(verifier, QStringLiteral("sequential"));
    QCOMPARE(verdicts.size(), std::size_t(13));
    // Block 1 (leaf 2) came with no proof at all: leaf 2 was a proof node of block 0.
    QCOMPARE(verdicts[1].how, Verdict::How::VerifiedNode);
    QCOMPARE(verdicts[1].anchorNode, 2ull);
    QCOMPARE(verdicts[1].text, std::string("leaf 2, verified earlier on this channel"));
    // Block 2 (leaf 4) + node 6 from the proof -> node 5, verified with block 0.
    QCOMPARE(verdicts[2].how, Verdict::How::VerifiedNode);
    QCOMPARE(verdicts[2].anchorNode, 5ull);
    QCOMPARE(verdicts[2].chain.size(), std::size_t(2));
    QCOMPARE(verdicts[2].chain[1].sibling->index, 6ull);
    QCOMPARE(verdicts[2].chain[1].siblingSource, ChainStep::Source::Proof);
    // Every block is in: what is kept is the three roots (nodes 7, 19 and 24 cover blocks 0-7,
    // 8-11 and 12); the 20 nodes below them were dropped as their subtrees completed.
    QCOMPARE(verifier.verifiedNodeCount(), std::size_t(3));
    QVERIFY(verifier.verifiedNode(7) && verifier.verifiedNode(19) && verifier.verifiedNode(24));
}

void tst_FeedVerifier::tamperedDataFails_data()
{
    QTest::addColumn<QString>("part");
    QTest::addColumn<QString>("reason");
    const QString signatureFails = QString::fromStdString(
        "signature does not match feed key " + keyPrefix() + " (over the roots of length 13)");
    QTest::newRow("value") << "value" << signatureFails;
    QTest::newRow("proof node") << "node" << signatureFails;
    QTest::newRow("node size") << "size" << signatureFails;
    QTest::newRow("signature") << "signature" << signatureFails;
}

void tst_FeedVerifier::tamperedDataFails()
{
    QFETCH(QString, part);
    QFETCH(QString, reason);
    // The sparse clone's first Data: block 5, digest 0, a self-contained proof.
    schema::Data data = dataOf(firstData(QStringLiteral("sparse")));
    QCOMPARE(data.index(), 5ull);
    if (part == QLatin1String("value"))
        (*data.mutable_value())[0] ^= 1;
    else if (part == QLatin1String("node"))
        (*data.mutable_nodes(1)->mutable_hash())[7] ^= 0x40;
    else if (part == QLatin1String("size"))
        data.mutable_nodes(0)->set_size(data.nodes(0).size() + 1);
    else
        (*data.mutable_signature())[63] ^= 0x80;
    FeedVerifier verifier(feedtest::feedKey());
    verifier.noteRequest(5, 0);
    const Verdict verdict = verifier.verify(data);
    QCOMPARE(verdict.outcome, Verdict::Outcome::Failed);
    QCOMPARE(QString::fromStdString(verdict.text), reason);
    QCOMPARE(verifier.verifiedNodeCount(), std::size_t(0)); // nothing of a failure is kept
}

void tst_FeedVerifier::tamperingAgainstAVerifiedNodeNamesTheNode_data()
{
    QTest::addColumn<int>("block");
    QTest::addColumn<QString>("reason");
    QTest::newRow("block 2: climbs to node 5")
        << 2 << "leaf 4 + node 6 → node 5 does not match the verified node 5";
    QTest::newRow("block 1: is leaf 2 itself") << 1 << "leaf 2 does not match the verified leaf 2";
}

void tst_FeedVerifier::tamperingAgainstAVerifiedNodeNamesTheNode()
{
    QFETCH(int, block);
    QFETCH(QString, reason);
    // Verify block 0 first (its proof brings nodes 2, 5, 11, ...), then a tampered later block.
    FeedVerifier verifier(feedtest::feedKey());
    QVERIFY(verifier.verify(dataOf(firstData(QStringLiteral("sequential")))).verified());
    for (const QJsonValue &entry :
         feedtest::feedVectors()["replications"].toObject()["sequential"].toArray()) {
        const QJsonObject message = entry["message"].toObject();
        if (entry["type"] != QLatin1String("data") || message["index"].toInt() != block)
            continue;
        schema::Data data = dataOf(message);
        (*data.mutable_value())[0] ^= 1;
        const Verdict verdict = verifier.verify(data);
        QCOMPARE(verdict.outcome, Verdict::Outcome::Failed);
        QCOMPARE(QString::fromStdString(verdict.text), reason);
        return;
    }
    QFAIL("no Data for that block in the vectors");
}

void tst_FeedVerifier::strippedProofFailsOrIsUnverifiable()
{
    schema::Data data = dataOf(firstData(QStringLiteral("sparse"))); // block 5: nodes 8 13 3 19 24
    data.mutable_nodes()->DeleteSubrange(1, 1);                      // drop node 13
    const std::string reason = "proof ends before reaching a root: node 9's sibling node 13 is "
                               "neither in the proof nor verified on this channel";
    {
        // The requester held nothing (digest 0): the sender left out what it must send.
        FeedVerifier verifier(feedtest::feedKey());
        verifier.noteRequest(5, 0);
        const Verdict verdict = verifier.verify(data);
        QCOMPARE(verdict.outcome, Verdict::Outcome::Failed);
        QCOMPARE(verdict.text, reason);
    }
    {
        // The requester said it held nodes: leaving them out is its right.
        FeedVerifier verifier(feedtest::feedKey());
        verifier.noteRequest(5, 9);
        const Verdict verdict = verifier.verify(data);
        QCOMPARE(verdict.outcome, Verdict::Outcome::Unverifiable);
        QCOMPARE(verdict.text, reason + " (the Request for block 5 had nodes=9: the requester held "
                                        "some nodes already)");
    }
    {
        // No Request seen (joined mid-stream): unknown, hence unverifiable.
        FeedVerifier verifier(feedtest::feedKey());
        const Verdict verdict = verifier.verify(data);
        QCOMPARE(verdict.outcome, Verdict::Outcome::Unverifiable);
    }
    {
        // A root missing: drop node 19, the middle root of the 13-block tree.
        schema::Data noRoot = dataOf(firstData(QStringLiteral("sparse")));
        noRoot.mutable_nodes()->DeleteSubrange(3, 1);
        FeedVerifier verifier(feedtest::feedKey());
        verifier.noteRequest(5, 0);
        const Verdict verdict = verifier.verify(noRoot);
        QCOMPARE(verdict.outcome, Verdict::Outcome::Failed);
        QCOMPARE(verdict.text, std::string("proof ends before reaching a root: root node 19 of "
                                           "the 13-block tree is neither in the proof nor "
                                           "verified on this channel"));
    }
}

void tst_FeedVerifier::missingSignatureIsUnverifiable()
{
    schema::Data data = dataOf(firstData(QStringLiteral("sparse")));
    data.clear_signature();
    FeedVerifier verifier(feedtest::feedKey());
    verifier.noteRequest(5, 0);
    const Verdict verdict = verifier.verify(data);
    QCOMPARE(verdict.outcome, Verdict::Outcome::Unverifiable);
    QCOMPARE(verdict.text, std::string("no signature, and no node on the path from leaf 10 was "
                                       "verified on this channel"));
    QVERIFY(verdict.treeHash); // the roots were still computed, for the inspector
}

void tst_FeedVerifier::olderSignatureFormVerifies()
{
    // hypercore also accepts a signature over tree(roots) alone (32 bytes).
    const QJsonObject feed = feedtest::feedVectors()["feed"].toObject();
    const SigningKeyPair pair =
        signingKeyPairFromSeed(*key32FromHex(feed["seed"].toString().toStdString()));
    const QJsonObject last = feed["lengths"].toArray().last().toObject();
    const Signature older = sign(feedtest::hexBytes(last["treeHash"]), pair);
    schema::Data data = dataOf(firstData(QStringLiteral("sparse")));
    data.set_signature(std::string(older.begin(), older.end()));
    FeedVerifier verifier(feedtest::feedKey());
    const Verdict verdict = verifier.verify(data);
    QVERIFY(verdict.verified());
    QCOMPARE(verdict.how, Verdict::How::SignatureTree);
    QCOMPARE(verdict.signedBytes.size(), std::size_t(32));
}

void tst_FeedVerifier::hashOnlyAnswerVerifies()
{
    // A Data without a value (Request.hash): the first node is the block's leaf.
    const QJsonObject message = firstData(QStringLiteral("sparse"));
    schema::Data data = dataOf(message);
    const Bytes value = feedtest::hexBytes(message["value"]);
    const TreeNode leaf = leafNode(5, value);
    data.clear_value();
    schema::Data::Node first;
    first.set_index(leaf.index);
    first.set_hash(std::string(leaf.hash.begin(), leaf.hash.end()));
    first.set_size(leaf.size);
    data.mutable_nodes()->Add(std::move(first));
    std::rotate(data.mutable_nodes()->begin(), data.mutable_nodes()->end() - 1,
                data.mutable_nodes()->end());
    FeedVerifier verifier(feedtest::feedKey());
    QVERIFY(verifier.verify(data).verified());
}

void tst_FeedVerifier::hostileFieldsFailCleanly_data()
{
    QTest::addColumn<QString>("change");
    QTest::addColumn<QString>("reason");
    QTest::newRow("short hash") << "hash"
                                << "proof node 8 has a 31-byte hash, not 32";
    QTest::newRow("short signature") << "signature"
                                     << "signature is 63 bytes, not 64";
    QTest::newRow("huge block index") << "index"
                                      << "block index 18446744073709551615 is beyond 2^61";
    QTest::newRow("huge node index") << "node index"
                                     << "proof node 0 has index 9223372036854775807, beyond 2^62";
    QTest::newRow("sizes overflow") << "size"
                                    << "the sizes of leaf 10 and node 8 add up past 2^64";
    QTest::newRow("no value, no nodes") << "empty"
                                        << "no value, and the proof does not start with leaf 10";
}

void tst_FeedVerifier::hostileFieldsFailCleanly()
{
    QFETCH(QString, change);
    QFETCH(QString, reason);
    schema::Data data = dataOf(firstData(QStringLiteral("sparse")));
    if (change == QLatin1String("hash"))
        data.mutable_nodes(0)->mutable_hash()->pop_back();
    else if (change == QLatin1String("signature"))
        data.mutable_signature()->pop_back();
    else if (change == QLatin1String("index"))
        data.set_index(UINT64_MAX);
    else if (change == QLatin1String("node index"))
        data.mutable_nodes(0)->set_index(INT64_MAX);
    else if (change == QLatin1String("size"))
        data.mutable_nodes(0)->set_size(UINT64_MAX);
    else {
        data.clear_value();
        data.clear_nodes();
    }
    FeedVerifier verifier(feedtest::feedKey());
    verifier.noteRequest(5, 0);
    const Verdict verdict = verifier.verify(data);
    QCOMPARE(verdict.outcome, Verdict::Outcome::Failed);
    QCOMPARE(QString::fromStdString(verdict.text), reason);
}

void tst_FeedVerifier::verifiedNodeStoreIsBounded()
{
    // A feed of MaxVerifiedNodes blocks (one root, 2·N − 1 nodes: more than the store keeps), every
    // other block sent with its full digest-0 proof in order (the gaps keep every subtree
    // incomplete, so nothing is dropped). The store stops at the cap; every Data still verifies,
    // the later ones against nodes stored early on.
    const std::uint64_t blocks = FeedVerifier::MaxVerifiedNodes;
    std::vector<TreeNode> tree(2 * blocks - 1);
    for (std::uint64_t i = 0; i < blocks; ++i) {
        const std::uint8_t byte = std::uint8_t(i * 7);
        tree[2 * i] = leafNode(i, ByteView(&byte, 1));
    }
    for (unsigned depth = 1; (std::uint64_t(1) << depth) <= blocks; ++depth) {
        for (std::uint64_t offset = 0; offset < blocks >> depth; ++offset) {
            const std::uint64_t index = flat::index(depth, offset);
            const auto [left, right] = flat::children(index);
            tree[index] = parentNode(tree[left], tree[right]);
        }
    }
    const std::uint64_t root = blocks - 1;
    QCOMPARE(flat::fullRoots(2 * blocks), std::vector<std::uint64_t>{root});
    const SigningKeyPair pair = generateSigningKeyPair();
    const std::vector<TreeNode> roots = {tree[root]};
    const Signature signature = sign(signable(treeHash(roots), blocks), pair);

    FeedVerifier verifier(pair.publicKey);
    for (std::uint64_t i = 0; i < blocks; i += 2) {
        const std::uint8_t byte = std::uint8_t(i * 7);
        DataProof proof;
        proof.index = i;
        proof.value = ByteView(&byte, 1);
        for (std::uint64_t node = 2 * i; node != root; node = flat::parent(node)) {
            const TreeNode &sibling = tree[flat::sibling(node)];
            proof.nodes.push_back({sibling.index, sibling.hash, sibling.size});
        }
        proof.signature = signature;
        verifier.noteRequest(i, 0);
        const Verdict verdict = verifier.verify(proof);
        if (!verdict.verified())
            QFAIL(qPrintable(
                QStringLiteral("block %1: %2").arg(i).arg(QString::fromStdString(verdict.text))));
    }
    QCOMPARE(verifier.verifiedNodeCount(), FeedVerifier::MaxVerifiedNodes);
}

void tst_FeedVerifier::longSequentialDownloadKeepsFewNodes()
{
    // A clone downloading a feed of more blocks than MaxVerifiedNodes / 2 in order, with the
    // digests a hypercore 9 clone sends (each proof leans on what the clone holds). Every Data
    // must verify: a store that kept every node would fill up halfway and leave the rest of the
    // download unverifiable.
    const std::uint64_t blocks = FeedVerifier::MaxVerifiedNodes / 2 + 1000;
    Bytes bytes(blocks);
    for (std::uint64_t i = 0; i < blocks; ++i)
        bytes[i] = std::uint8_t(i * 7);
    const FeedBuilder feed = FeedBuilder::fromBytes(bytes, 1, generateSigningKeyPair());
    FeedVerifier verifier(feed.key());
    TreeIndex writerView, clone;
    std::size_t mostKept = 0;
    std::optional<schema::Data> block2;
    for (std::uint64_t i = 0; i < blocks; ++i) {
        const std::uint64_t digest = clone.digest(2 * i);
        const schema::Data data = *feed.data(i, digest, writerView);
        if (i == 2)
            block2 = data;
        verifier.noteRequest(i, digest);
        const Verdict verdict = verifier.verify(data);
        if (!verdict.verified())
            QFAIL(qPrintable(
                QStringLiteral("block %1: %2").arg(i).arg(QString::fromStdString(verdict.text))));
        for (const schema::Data::Node &node : data.nodes())
            clone.set(node.index());
        clone.set(2 * i);
        mostKept = std::max(mostKept, verifier.verifiedNodeCount());
    }
    // A handful of nodes per tree level at most (the roots of the subtrees done, the proof
    // nodes of the one in progress), not one per block.
    QVERIFY2(mostKept <= 64, qPrintable(QString::number(mostKept)));
    QCOMPARE(verifier.verifiedNodeCount(), flat::fullRoots(2 * blocks).size());

    // Block 2 again, as first sent (its proof leans on nodes dropped since): unverifiable, not
    // failed. With a self-contained proof it verifies against the roots kept.
    const Verdict repeated = verifier.verify(*block2);
    QCOMPARE(repeated.outcome, Verdict::Outcome::Unverifiable);
    TreeIndex fresh;
    verifier.noteRequest(2, 0);
    QVERIFY(verifier.verify(*feed.data(2, 0, fresh)).verified());
}

QTEST_APPLESS_MAIN(tst_FeedVerifier)
#include "tst_feedverifier.moc"
