// FeedBuilder and TreeIndex against the real hypercore 9 feed of feed.json: the same nodes,
// roots and signature from the same blocks and key; the same Data (nodes and signature) for every
// Request of the real conversations, with their digest-0 and nonzero digests; the same digest a
// hypercore clone computes; the same Have bitfield.
#include "feedbuilder.h"
#include "feedvectors.h"
#include "feedverifier.h"
#include "flattree.h"
#include "schema.pb.h"

#include <QTest>

using namespace hyperscope;
using namespace hyperscope::feed;

namespace {

SigningKeyPair writerKeyPair()
{
    const QJsonObject feed = feedtest::feedVectors()["feed"].toObject();
    return signingKeyPairFromSeed(*key32FromHex(feed["seed"].toString().toStdString()));
}

FeedBuilder realFeed()
{
    FeedBuilder builder(writerKeyPair());
    for (const QJsonValue &leaf : feedtest::feedVectors()["feed"].toObject()["leaves"].toArray())
        builder.append(feedtest::hexBytes(leaf["value"]));
    return builder;
}

QJsonArray conversation(const QString &name)
{
    return feedtest::feedVectors()["replications"].toObject()[name].toArray();
}

} // namespace

class tst_FeedBuilder : public QObject
{
    Q_OBJECT

private slots:
    void reproducesTheRealFeed();
    void answersEveryRealRequestAsHypercore_data();
    void answersEveryRealRequestAsHypercore();
    void digestsAreTheCloneDigests_data();
    void digestsAreTheCloneDigests();
    void haveBitfieldIsHypercores();
    void fromBytesCutsBlocks_data();
    void fromBytesCutsBlocks();
    void servedFeedVerifiesBlockByBlock();
    void hostileRequestsAreAnsweredOrRefused();
};

void tst_FeedBuilder::reproducesTheRealFeed()
{
    const FeedBuilder feed = realFeed();
    QCOMPARE(feed.length(), 13ull);
    QCOMPARE(feed.key(), feedtest::feedKey());
    QCOMPARE(toHex(feed.discoveryKey()),
             feedtest::feedVectors()["feed"].toObject()["discoveryKey"].toString().toStdString());
    for (const QJsonValue &node : feedtest::feedVectors()["feed"].toObject()["nodes"].toArray())
        QCOMPARE(feed.node(feedtest::u64(node["index"])), feedtest::treeNode(node));
    const QJsonObject last =
        feedtest::feedVectors()["feed"].toObject()["lengths"].toArray().last().toObject();
    QCOMPARE(toHex(treeHash(feed.roots())), last["treeHash"].toString().toStdString());
    QCOMPARE(toHex(feed.signature()), last["signature"].toString().toStdString());
}

void tst_FeedBuilder::answersEveryRealRequestAsHypercore_data()
{
    QTest::addColumn<QString>("name");
    QTest::newRow("sequential (nonzero digests)") << "sequential";
    QTest::newRow("sparse (out of order)") << "sparse";
}

void tst_FeedBuilder::answersEveryRealRequestAsHypercore()
{
    QFETCH(QString, name);
    const FeedBuilder feed = realFeed();
    TreeIndex remoteTree; // the writer's view of the clone, as hypercore's Peer keeps it
    std::optional<schema::Data> answer;
    int answered = 0;
    for (const QJsonValue &entry : conversation(name)) {
        const QJsonObject message = entry["message"].toObject();
        if (entry["type"] == QLatin1String("request")) {
            answer = feed.data(feedtest::u64(message["index"]), feedtest::u64(message["nodes"]),
                               remoteTree);
            QVERIFY(answer);
        } else if (entry["type"] == QLatin1String("data")) {
            QVERIFY(answer);
            QCOMPARE(answer->index(), feedtest::u64(message["index"]));
            const Bytes value = feedtest::hexBytes(message["value"]);
            QCOMPARE(answer->value(), std::string(value.begin(), value.end()));
            const QJsonArray nodes = message["nodes"].toArray();
            QCOMPARE(answer->nodes_size(), nodes.size());
            for (int i = 0; i < nodes.size(); ++i) {
                const TreeNode expected = feedtest::treeNode(nodes[i]);
                QCOMPARE(answer->nodes(i).index(), expected.index);
                QCOMPARE(toHex(asView(answer->nodes(i).hash())), toHex(expected.hash));
                QCOMPARE(answer->nodes(i).size(), expected.size);
            }
            QCOMPARE(answer->has_signature(), message.contains(QLatin1String("signature")));
            if (answer->has_signature())
                QCOMPARE(toHex(asView(answer->signature())),
                         message["signature"].toString().toStdString());
            answer.reset();
            ++answered;
        }
    }
    QVERIFY(answered >= 6);
}

void tst_FeedBuilder::digestsAreTheCloneDigests_data()
{
    answersEveryRealRequestAsHypercore_data();
}

void tst_FeedBuilder::digestsAreTheCloneDigests()
{
    // The clone's own tree: after each Data it holds the leaf and every proof node (set() adds the
    // parents they complete), as hypercore's _write does. Its digest for the next Request must be
    // the one the real clone sent.
    QFETCH(QString, name);
    TreeIndex clone;
    int checked = 0;
    for (const QJsonValue &entry : conversation(name)) {
        const QJsonObject message = entry["message"].toObject();
        if (entry["type"] == QLatin1String("request")) {
            QCOMPARE(clone.digest(2 * feedtest::u64(message["index"])),
                     feedtest::u64(message["nodes"]));
            ++checked;
        } else if (entry["type"] == QLatin1String("data")) {
            for (const QJsonValue &node : message["nodes"].toArray())
                clone.set(feedtest::u64(node["index"]));
            clone.set(2 * feedtest::u64(message["index"]));
        }
    }
    QVERIFY(checked >= 6);
}

void tst_FeedBuilder::haveBitfieldIsHypercores()
{
    // The writer's Have answering Want {start 0, length 1048576}.
    const FeedBuilder feed = realFeed();
    QCOMPARE(toHex(feed.haveBitfield(0, 1048576)), std::string("0702f8"));
    QCOMPARE(toHex(feed.haveBitfield(8192, 8192)), std::string());
}

void tst_FeedBuilder::fromBytesCutsBlocks_data()
{
    QTest::addColumn<int>("size");
    QTest::addColumn<int>("blockSize");
    QTest::addColumn<quint64>("length");
    QTest::newRow("empty") << 0 << 10 << quint64(0);
    QTest::newRow("exact") << 100 << 10 << quint64(10);
    QTest::newRow("short last block") << 101 << 10 << quint64(11);
    QTest::newRow("one block") << 5 << 65536 << quint64(1);
}

void tst_FeedBuilder::fromBytesCutsBlocks()
{
    QFETCH(int, size);
    QFETCH(int, blockSize);
    QFETCH(quint64, length);
    Bytes bytes(static_cast<std::size_t>(size));
    for (int i = 0; i < size; ++i)
        bytes[std::size_t(i)] = std::uint8_t(i);
    const FeedBuilder feed = FeedBuilder::fromBytes(bytes, std::size_t(blockSize), writerKeyPair());
    QCOMPARE(feed.length(), length);
    QCOMPARE(feed.byteLength(), quint64(size));
    Bytes joined;
    for (std::uint64_t i = 0; i < feed.length(); ++i)
        joined.insert(joined.end(), feed.block(i).begin(), feed.block(i).end());
    QCOMPARE(joined, bytes);
}

void tst_FeedBuilder::servedFeedVerifiesBlockByBlock()
{
    // A 300-block feed answered the way a sequential hypercore clone asks (its digests from its
    // own tree), checked by FeedVerifier: every block verifies, most without a signature.
    Bytes bytes(300 * 100 + 17);
    for (std::size_t i = 0; i < bytes.size(); ++i)
        bytes[i] = std::uint8_t(i * 31);
    const SigningKeyPair keyPair = generateSigningKeyPair();
    const FeedBuilder feed = FeedBuilder::fromBytes(bytes, 100, keyPair);
    QCOMPARE(feed.length(), 301ull);
    TreeIndex remoteTree;
    TreeIndex clone;
    FeedVerifier verifier(keyPair.publicKey);
    int signatures = 0;
    for (std::uint64_t block = 0; block < feed.length(); ++block) {
        const std::uint64_t digest = clone.digest(2 * block);
        verifier.noteRequest(block, digest);
        const std::optional<schema::Data> data = feed.data(block, digest, remoteTree);
        QVERIFY(data);
        const Verdict verdict = verifier.verify(*data);
        QVERIFY2(verdict.verified(), verdict.text.c_str());
        signatures += verdict.how == Verdict::How::Signature;
        for (const schema::Data::Node &node : data->nodes())
            clone.set(node.index());
        clone.set(2 * block);
    }
    QCOMPARE(signatures, 1);
}

void tst_FeedBuilder::hostileRequestsAreAnsweredOrRefused()
{
    const FeedBuilder feed = realFeed();
    TreeIndex remoteTree;
    QVERIFY(!feed.data(13, 0, remoteTree));         // beyond the feed
    QVERIFY(!feed.data(UINT64_MAX, 0, remoteTree)); // far beyond
    for (const std::uint64_t digest : std::initializer_list<std::uint64_t>{
             UINT64_MAX, UINT64_MAX - 1, std::uint64_t(1) << 63, 3, 2}) {
        TreeIndex remote;
        const auto data = feed.data(5, digest, remote);
        QVERIFY(data); // whatever the digest claims, an answer (perhaps leaning on it)
    }
    const auto hashOnly = feed.data(5, 0, remoteTree, true);
    QVERIFY(hashOnly && !hashOnly->has_value());
    QCOMPARE(hashOnly->nodes(0).index(), 10ull);
    FeedVerifier verifier(feed.key());
    QVERIFY(verifier.verify(*hashOnly).verified());
}

QTEST_APPLESS_MAIN(tst_FeedBuilder)
#include "tst_feedbuilder.moc"
